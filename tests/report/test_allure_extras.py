"""Allure beside the results: environment.properties, executor.json, categories.json that
sort a SUT failure, a suite error and a SHOULD warning apart, each scenario's graded status,
and requirement links. Against synthetic records with one failure, one error and one
warning, and one real run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.report.test_junit import (
    ERROR,
    FAILING,
    META,
    RECORDS,
    REGISTRY,
    WARNING,
    real_run,
    team_directory,
)
from ucsp.report.allure_extras import (
    CATEGORIES,
    WARNING_MARK,
    allure_status,
    environment_properties,
    requirement_link,
    write_allure_extras,
)
from ucsp.requirements import load_registry
from ucsp.runner import RunResult

BY_TITLE = {r["title"]: r for r in RECORDS}


def category_of(status: str, message: str | None, trace: str | None = None) -> str | None:
    """The category Allure 2 files a result under (CategoriesPlugin): the first whose
    statuses hold the result's and whose regexes match the whole message and trace
    (``Pattern.DOTALL``, ``matches()``); otherwise Product / Test defects."""
    for category in CATEGORIES:
        if status not in category.get("matchedStatuses", [status]):
            continue
        matched = True
        for key, text in (("messageRegex", message), ("traceRegex", trace)):
            regex = category.get(key)
            if regex is not None and (text is None or not re.fullmatch(regex, text, re.DOTALL)):
                matched = False
        if matched:
            return str(category["name"])
    return {"failed": "Product defects", "broken": "Test defects"}.get(status)


def test_a_failure_is_failed_naming_the_requirement_with_a_readable_trace() -> None:
    graded = allure_status(BY_TITLE["A paid order is notified"], REGISTRY, trace="Traceback ...")
    assert graded is not None
    assert graded["status"] == "failed"
    assert graded["message"] == "PAY-05: txnAmt is '10001'"
    assert graded["trace"].startswith("PAY-05 (MUST, FAILURE): the rule PAY-05")
    assert "Traceback" not in graded["trace"]
    assert category_of("failed", graded["message"]) == "SUT failure (requirement violated)"


def test_a_warning_passes_with_a_message_marked_warning() -> None:
    record = BY_TITLE["A replayed message is answered 99"]
    graded = allure_status(record, REGISTRY)
    assert graded is not None
    assert graded["status"] == "passed"
    assert graded["message"] == "WARNING SEC-07: answered 00"
    assert graded["message"].startswith(WARNING_MARK)
    assert "SEC-07 (SHOULD, WARNING): the rule SEC-07" in graded["trace"]
    assert category_of("passed", graded["message"]) == "SHOULD warning"
    strict = allure_status({**record, "verdict": "failure"}, REGISTRY, strict=True)
    assert strict is not None and strict["status"] == "failed"
    assert category_of("failed", strict["message"]) == "SUT failure (requirement violated)"


def test_an_error_is_broken_with_its_kind_and_keeps_the_recorded_trace() -> None:
    graded = allure_status(BY_TITLE["A notice is answered"], REGISTRY, trace="the suite's trace")
    assert graded is not None
    assert graded["status"] == "broken"
    assert graded["message"] == "sut-no-answer: the SUT accepted the connection, no answer"
    assert graded["trace"].startswith("ERROR (sut-no-answer): ")
    assert graded["trace"].endswith("\n\nthe suite's trace")
    assert category_of("broken", graded["message"]) == "Suite or configuration error"


def test_a_pass_and_a_skip_keep_what_allure_recorded() -> None:
    assert allure_status(BY_TITLE["A valid order is answered 00"], REGISTRY) is None
    assert allure_status(BY_TITLE["A skipped scenario"], REGISTRY) is None
    assert category_of("passed", None) is None  # a plain pass is in no category


def test_a_message_that_names_no_requirement_is_left_to_allures_defaults() -> None:
    assert category_of("failed", "AssertionError: something else") == "Product defects"
    assert category_of("passed", "WARNING: no requirement") is None
    assert category_of("failed", "PAY-05: first line\nsecond line") == (
        "SUT failure (requirement violated)"  # DOTALL: a message of several lines
    )


def test_extras_are_written_as_allure_reads_them(tmp_path: Path) -> None:
    meta = {**META, "roles": ["industry", "ucsp"]}
    write_allure_extras(tmp_path / "allure-results", meta)
    directory = tmp_path / "allure-results"
    assert (directory / "environment.properties").read_text(encoding="utf-8") == (
        "suite.version=9.9.9\n"
        "role=industry, ucsp\n"
        "target=embedded reference implementations\n"
        f"profile.sha256={'ab' * 32}\n"
        "result=PARTIAL NOT CONFORMANT\n"
        f"run.id={META['runId']}\n"
    )
    executor = json.loads((directory / "executor.json").read_text(encoding="utf-8"))
    assert executor == {
        "name": "ucsp-conformance",
        "type": "ucsp-conformance",
        "buildName": META["runId"],
        "reportName": "UCSP conformance: PARTIAL NOT CONFORMANT",
    }
    categories = json.loads((directory / "categories.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in categories] == [
        "SUT failure (requirement violated)",
        "Suite or configuration error",
        "SHOULD warning",
    ]
    for category in categories:
        assert set(category["matchedStatuses"]) <= {"failed", "broken", "passed", "skipped"}
        if "messageRegex" in category:
            re.compile(category["messageRegex"])


def test_environment_values_are_escaped_as_java_properties() -> None:
    text = environment_properties({"targetName": r" C:\targets\ucsp=1.toml #1 Zürich"})
    assert "target=\\ C\\:\\\\targets\\\\ucsp\\=1.toml \\#1 Z\\u00fcrich\n" in text
    line = environment_properties({"targetName": "two\nlines \U0001f600"}).splitlines()[2]
    assert line == "target=two\\nlines \\ud83d\\ude00"
    assert text.isascii()


def test_a_requirement_links_to_its_row_in_report_html() -> None:
    registry = load_registry()
    url, name = requirement_link(registry["PAY-05"])
    assert url == "../report.html#req-PAY-05"
    assert name.startswith("PAY-05: ") and len(name) == len("PAY-05: ") + 80
    assert name.endswith("\u2026")
    short = REGISTRY["PAY-05"]
    assert requirement_link(short) == ("../report.html#req-PAY-05", f"PAY-05: {short.text}")


# --- a real run -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    with team_directory("allure") as team:
        yield real_run(tmp_path_factory.mktemp("allure-run"), team)


@pytest.fixture(scope="module")
def results(real: RunResult) -> dict[str, Mapping[str, Any]]:
    files = (real.out / "allure-results").glob("*-result.json")
    found = [json.loads(file.read_text(encoding="utf-8")) for file in files]
    return {r["name"]: r for r in found}


def test_a_real_run_grades_each_allure_result_as_the_suite_did(
    results: dict[str, Mapping[str, Any]],
) -> None:
    assert set(results) == {FAILING, WARNING, ERROR}
    failed, warned, broken = results[FAILING], results[WARNING], results[ERROR]
    assert failed["status"] == "failed"
    assert failed["statusDetails"]["message"].startswith("PAY-05: ")
    assert "Traceback" not in failed["statusDetails"]["trace"]
    assert warned["status"] == "passed"
    assert warned["statusDetails"]["message"].startswith("WARNING SEC-07: ")
    assert broken["status"] == "broken"
    assert broken["statusDetails"]["message"].startswith("authoring: StepDefinitionNotFound")
    named = {
        name: category_of(r["status"], r["statusDetails"]["message"]) for name, r in results.items()
    }
    assert named == {
        FAILING: "SUT failure (requirement violated)",
        WARNING: "SHOULD warning",
        ERROR: "Suite or configuration error",
    }


def test_a_real_run_links_each_requirement_to_its_text(
    real: RunResult, results: dict[str, Mapping[str, Any]]
) -> None:
    registry = load_registry()
    links = {link["url"]: link for link in results[FAILING]["links"]}
    labels = [x["value"] for x in results[FAILING]["labels"] if x["name"] == "requirement"]
    assert "PAY-05" in labels
    assert set(links) == {f"../report.html#req-{rid}" for rid in labels}
    link = links["../report.html#req-PAY-05"]
    assert link["type"] == "requirement"
    assert link["name"] == requirement_link(registry["PAY-05"])[1]
    page = (real.out / "report.html").read_text(encoding="utf-8")
    for rid in labels:  # each link lands on a row of report.html
        assert f'id="req-{rid}"' in page, rid


def test_a_real_run_writes_the_environment_executor_and_categories(real: RunResult) -> None:
    directory = real.out / "allure-results"
    environment = dict(
        line.split("=", 1)
        for line in (directory / "environment.properties").read_text("utf-8").splitlines()
    )
    assert environment["role"] == "ucsp"
    assert environment["target"] == "embedded reference implementations"
    assert environment["profile.sha256"] == real.summary["profileSha256"]
    assert environment["result"] == real.summary["badge"] == "PARTIAL NOT CONFORMANT"
    executor = json.loads((directory / "executor.json").read_text("utf-8"))
    assert executor["buildName"] == real.summary["runId"]
    assert json.loads((directory / "categories.json").read_text("utf-8")) == list(CATEGORIES)
