"""junit.xml rendered from the final records: a test suite per feature and role, titled test
cases, a failure naming the requirement with its text and the exchanges (never a traceback),
an ERROR as <error>, a visible WARNING; and cucumber.json beside it, masked. Against
synthetic records with one failure, one error and one warning, and one real run."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support import TEAM_CONFTEST, TEAM_TESTS, seed_registry
from ucsp.mask import Masker
from ucsp.report.cucumber import write_cucumber
from ucsp.report.junit import EXCHANGES_SHOWN, exchange_summary, feature_stems, write_junit
from ucsp.requirements import Requirement
from ucsp.runner import RunOptions, RunResult, run

ROOT = Path(__file__).resolve().parents[2]
REGISTRY: dict[str, Requirement] = seed_registry(
    [("PAY-05", ["ucsp"]), ("SEC-07", ["ucsp"], "SHOULD"), ("TRN-01", ["ucsp"])],
    text="the rule {id} & <its text>",
)
META: dict[str, Any] = {
    "runId": "20261204T000000Z-abcdef",
    "started": "2026-12-04T00:00:00+00:00",
    "suiteVersion": "9.9.9",
    "roles": ["ucsp"],
    "result": "NOT CONFORMANT",
    "badge": "PARTIAL NOT CONFORMANT",
    "targetName": "embedded reference implementations",
    "profileSha256": "ab" * 32,
    "selection": {"strict": False},
}
EXCHANGE = {
    "direction": "suite to SUT",
    "msgType": "SUBMIT_PAYMENT_ORDER",
    "url": "http://127.0.0.1:1/gateway",
    "status": 200,
    "code": "00",
    "request": "{}",
    "response": "{}",
}
NOTICE = {**EXCHANGE, "direction": "SUT to suite", "msgType": "PAYMENT_RESULT_NOTICE"}
FEATURE_TEXT = "@ucsp\nFeature: Frontend payment\n\n  Scenario: x\n    Given y\n"


def record(title: str, verdict: str, **fields: Any) -> dict[str, Any]:
    """A scenario record shaped like results.json's (:mod:`ucsp.results`)."""
    outcome = {"failure": "failed", "error": "failed", "skipped": "skipped"}.get(verdict)
    return {
        "nodeid": f"features/payment/test_payment.py::test_{title.replace(' ', '_')}[ucsp]",
        "scenario": title,
        "title": title,
        "feature": "Frontend payment",
        "role": "ucsp",
        "outcome": outcome or "passed",
        "verdict": verdict,
        "requirements": ["PAY-05", "SEC-07", "TRN-01"],
        "violations": [],
        "error": None,
        "message": "",
        "duration": 0.25,
        "exchanges": [EXCHANGE],
        **fields,
    }


RECORDS = [
    record("A valid order is answered 00", "pass"),
    record(
        "A paid order is notified",
        "failure",
        violations=[
            {"requirement": "PAY-05", "level": "MUST", "message": "txnAmt is '10001'"},
            {"requirement": "SEC-07", "level": "SHOULD", "message": "replay answered 00"},
        ],
        message="PAY-05: txnAmt is '10001'; SEC-07: replay answered 00",
        exchanges=[EXCHANGE, NOTICE],
    ),
    record(
        "A notice is answered",
        "error",
        error={"kind": "sut-no-answer", "cause": "the SUT accepted the connection, no answer"},
        violations=[{"requirement": "TRN-01", "level": "MUST", "message": "no answer in 5 s"}],
        message="the SUT accepted the connection, no answer",
        exchanges=[{**EXCHANGE, "status": None, "code": None}],
    ),
    record(
        "A replayed message is answered 99",
        "warning",
        violations=[{"requirement": "SEC-07", "level": "SHOULD", "message": "answered 00"}],
        message="SEC-07: answered 00",
    ),
    record("A skipped scenario", "skipped", message="Skipped: not for this profile"),
    {**record("A login is refused", "pass"), "role": "industry", "feature": "Login"},
]


def write(tmp_path: Path, records: list[dict[str, Any]], **meta: Any) -> ET.Element:
    feature = tmp_path / "frontend_payment.feature"
    feature.write_text(FEATURE_TEXT, encoding="utf-8")
    path = tmp_path / "junit.xml"
    write_junit(path, records, REGISTRY, {**META, **meta}, [feature])
    return ET.parse(path).getroot()  # noqa: S314 - the file this test wrote


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {str(c.get("name")): c for c in root.iter("testcase")}


def assert_junit_shape(root: ET.Element) -> None:
    """The shape CI tools read (the common JUnit XML schema): testsuites > testsuite >
    testcase, required attributes, counts that add up."""
    assert root.tag == "testsuites"
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root:
        assert suite.tag == "testsuite"
        assert suite.get("name")
        for name in (*totals, "time"):
            float(str(suite.get(name)))
        assert {child.tag for child in suite} <= {"properties", "testcase", "system-out"}
        for prop in suite.iter("property"):
            assert prop.get("name") and prop.get("value") is not None
        members = suite.findall("testcase")
        assert int(str(suite.get("tests"))) == len(members)
        for tag, count in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            found = sum(case.find(tag) is not None for case in members)
            assert int(str(suite.get(count))) == found, (suite.get("name"), tag)
        for case in members:
            assert case.get("name") and case.get("classname")
            float(str(case.get("time")))
            outcomes = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
            assert len(outcomes) <= 1
            assert {c.tag for c in case} <= {
                "properties",
                "failure",
                "error",
                "skipped",
                "system-out",
                "system-err",
            }
        for name in totals:
            totals[name] += int(str(suite.get(name)))
    for name, value in totals.items():
        assert int(str(root.get(name))) == value


# --- synthetic records ----------------------------------------------------------------------


def test_one_suite_per_feature_and_role_with_the_runs_result(tmp_path: Path) -> None:
    root = write(tmp_path, RECORDS)
    assert_junit_shape(root)
    assert root.get("name") == "ucsp-conformance"
    suites = {str(s.get("name")): s for s in root.findall("testsuite")}
    assert list(suites) == ["Frontend payment [ucsp]", "Login [industry]"]
    payment = suites["Frontend payment [ucsp]"]
    counts = [payment.get(k) for k in ("tests", "failures", "errors", "skipped")]
    assert counts == ["5", "1", "1", "1"]
    properties = {p.get("name"): p.get("value") for p in payment.findall("properties/property")}
    assert properties == {
        "ucsp-result": "NOT CONFORMANT",
        "ucsp-badge": "PARTIAL NOT CONFORMANT",
        "ucsp-suite-version": "9.9.9",
        "ucsp-role": "ucsp",
        "ucsp-target": "embedded reference implementations",
        "ucsp-profile-sha256": "ab" * 32,
        "ucsp-run-id": META["runId"],
    }
    assert suites["Login [industry]"].find("properties/property[@name='ucsp-role']") is not None
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "1")


def test_test_cases_are_titled_with_their_role_and_classed_by_feature_file(
    tmp_path: Path,
) -> None:
    found = cases(write(tmp_path, RECORDS))
    case = found["A valid order is answered 00 [ucsp]"]
    assert case.get("classname") == "frontend_payment.ucsp"
    assert case.get("time") == "0.250"
    assert list(case) == []  # a pass: nothing inside
    login = found["A login is refused [industry]"]  # no feature file named Login: the module
    assert login.get("classname") == "test_payment.industry"


def test_a_failure_names_the_requirement_its_text_and_the_exchanges(tmp_path: Path) -> None:
    failure = cases(write(tmp_path, RECORDS))["A paid order is notified [ucsp]"].find("failure")
    assert failure is not None
    assert failure.get("message") == "PAY-05: txnAmt is '10001'"  # the MUST one failed
    assert failure.get("type") == "PAY-05"
    body = str(failure.text)
    assert "PAY-05 (MUST, FAILURE): the rule PAY-05 & <its text>" in body
    assert "  PAY-05: txnAmt is '10001'" in body
    assert "SEC-07 (SHOULD, WARNING): the rule SEC-07" in body  # seen on the way, graded so
    assert "1. suite to SUT: SUBMIT_PAYMENT_ORDER, HTTP 200, code 00" in body
    assert "2. SUT to suite: PAYMENT_RESULT_NOTICE, HTTP 200, code 00" in body
    assert "Traceback" not in body and "ensure(" not in body
    assert "{}" not in body  # a summary: no bodies


def test_a_strict_run_fails_on_the_should_requirement_too(tmp_path: Path) -> None:
    root = write(tmp_path, RECORDS, selection={"strict": True})
    failure = cases(root)["A paid order is notified [ucsp]"].find("failure")
    assert failure is not None
    assert failure.get("type") == "PAY-05 SEC-07"
    assert failure.get("message") == "PAY-05: txnAmt is '10001'; SEC-07: replay answered 00"


def test_an_error_is_an_error_element_with_its_kind_and_cause(tmp_path: Path) -> None:
    case = cases(write(tmp_path, RECORDS))["A notice is answered [ucsp]"]
    assert case.find("failure") is None
    error = case.find("error")
    assert error is not None
    assert error.get("type") == "sut-no-answer"
    assert error.get("message") == "sut-no-answer: the SUT accepted the connection, no answer"
    body = str(error.text)
    assert body.startswith("ERROR (sut-no-answer): the SUT accepted the connection")
    assert "kept as evidence" in body and "TRN-01 (MUST): the rule TRN-01" in body
    assert "1. suite to SUT: SUBMIT_PAYMENT_ORDER, no answer" in body


def test_a_warning_passes_visibly_with_a_property_and_a_line(tmp_path: Path) -> None:
    case = cases(write(tmp_path, RECORDS))["A replayed message is answered 99 [ucsp]"]
    assert all(case.find(tag) is None for tag in ("failure", "error", "skipped"))
    properties = [(p.get("name"), p.get("value")) for p in case.findall("properties/property")]
    assert properties == [("warning", "SEC-07")]
    assert case.findtext("system-out") == "WARNING SEC-07: answered 00"


def test_a_skipped_scenario_is_skipped_with_its_message(tmp_path: Path) -> None:
    skipped = cases(write(tmp_path, RECORDS))["A skipped scenario [ucsp]"].find("skipped")
    assert skipped is not None and skipped.get("message") == "Skipped: not for this profile"


def test_a_waived_failure_passes_naming_the_waiver(tmp_path: Path) -> None:
    records = [{**r, "waived": True} if r["verdict"] == "failure" else r for r in RECORDS]
    root = write(tmp_path, records)
    assert_junit_shape(root)
    case = cases(root)["A paid order is notified [ucsp]"]
    assert case.find("failure") is None
    assert [p.get("value") for p in case.findall("properties/property[@name='waived']")] == [
        "PAY-05"
    ]
    assert case.findtext("system-out") == "WAIVED PAY-05: txnAmt is '10001'"
    assert root.get("failures") == "0"


def test_text_xml_cannot_hold_is_escaped_and_the_file_parses(tmp_path: Path) -> None:
    hostile = 'bad \x01 byte, lone \ud800 surrogate, <tag> & "quotes" \U0001f600'
    records = [
        record(
            hostile,
            "failure",
            violations=[{"requirement": "PAY-05", "level": "MUST", "message": hostile}],
        )
    ]
    root = write(tmp_path, records)
    assert_junit_shape(root)
    failure = next(root.iter("failure"))
    assert "bad \\x01 byte, lone \\ud800 surrogate" in str(failure.get("message"))
    assert '<tag> & "quotes" \U0001f600' in str(failure.get("message"))


def test_a_collection_error_has_a_suite_of_its_own(tmp_path: Path) -> None:
    broken = {
        **record("", "error", error={"kind": "authoring", "cause": "no such step"}),
        "nodeid": "features/x/test_x.py",
        "title": "",
        "scenario": "",
        "feature": "",
        "role": "",
    }
    root = write(tmp_path, [broken])
    assert_junit_shape(root)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "(collection) [suite]"
    case = next(root.iter("testcase"))
    assert case.get("name") == "features/x/test_x.py [suite]"
    assert case.get("classname") == "test_x.suite"


def test_the_exchange_summary_is_bounded() -> None:
    lines = exchange_summary([EXCHANGE] * (EXCHANGES_SHOWN + 5))
    assert lines[0] == f"exchanges ({EXCHANGES_SHOWN + 5}):"
    assert len(lines) == EXCHANGES_SHOWN + 2
    assert lines[-1] == "  ... and 5 more (see results.json)"
    assert exchange_summary([]) == ["exchanges: none"]


def test_feature_stems_name_each_feature_by_its_file() -> None:
    files = sorted((ROOT / "features").rglob("*.feature"))
    stems = feature_stems(files)
    assert stems["Frontend payment"] == "frontend_payment"
    assert stems["Message security"] == "security"
    assert len(stems) == len(files)  # every suite feature has a name of its own


# --- a real run -----------------------------------------------------------------------------

FAILING = "A paid order is notified with txnStatus 00 and recorded as succeeded"
WARNING = "A replayed message is answered 99 and changes nothing"
ERROR = "A team scenario with a step nobody defined"
TEAM_FEATURE = f"""\
Feature: Team scenarios

  @PAY-01
  Scenario: {ERROR}
    Given an order of 1.00 USD has been submitted
    Then the moon is made of cheese
"""


def real_run(out: Path, team: Path) -> RunResult:
    """Against the embedded reference UCSP: notice-wrong-amount fails PAY-05 (MUST),
    replay-accepted breaks SEC-07 (SHOULD: a warning in a run that is not strict), and a
    team's scenario with an undefined step in ``team`` is an ERROR (authoring)."""
    team.mkdir(parents=True, exist_ok=True)
    (team / "team.feature").write_text(TEAM_FEATURE, encoding="utf-8")
    (team / "conftest.py").write_text(TEAM_CONFTEST, encoding="utf-8")
    (team / "test_team.py").write_text(TEAM_TESTS, encoding="utf-8")
    options = RunOptions(
        sut="ucsp",
        faults=["notice-wrong-amount", "replay-accepted"],
        scenarios=[FAILING, WARNING, ERROR],
        features=[team],
        out=out,
    )
    return run(options, io.StringIO())


@contextmanager
def team_directory(name: str) -> Iterator[Path]:
    """A directory for a team's test module inside the checkout's untracked reports/ (a
    feature file outside the root directory breaks allure-pytest-bdd's title path)."""
    directory = ROOT / "reports" / f".team-{name}-{os.getpid()}-{threading.get_ident()}"
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    with team_directory("junit") as team:
        yield real_run(tmp_path_factory.mktemp("junit-run"), team)


def test_a_real_runs_junit_names_the_requirement_and_holds_no_traceback(
    real: RunResult,
) -> None:
    text = (real.out / "junit.xml").read_text(encoding="utf-8")
    assert "Traceback" not in text and "ensure(" not in text
    root = ET.fromstring(text)  # noqa: S314 - our own run's file
    assert_junit_shape(root)
    suites = {str(s.get("name")) for s in root.findall("testsuite")}
    assert suites == {"Frontend payment [ucsp]", "Message security [ucsp]", "Team scenarios [ucsp]"}
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    found = cases(root)
    failure = found[f"{FAILING} [ucsp]"].find("failure")
    assert failure is not None and failure.get("type") == "PAY-05"
    assert str(failure.get("message")).startswith("PAY-05: ")
    assert "txnAmt" in str(failure.get("message"))
    assert "SUT to suite: PAYMENT_RESULT_NOTICE" in str(failure.text)
    assert found[f"{FAILING} [ucsp]"].get("classname") == "frontend_payment.ucsp"
    warned = found[f"{WARNING} [ucsp]"]
    assert warned.find("failure") is None
    assert warned.find("properties/property[@name='warning']").get("value") == "SEC-07"  # type: ignore[union-attr]
    assert str(warned.findtext("system-out")).startswith("WARNING SEC-07: ")
    error = found[f"{ERROR} [ucsp]"].find("error")
    assert error is not None and error.get("type") == "authoring"
    assert str(error.get("message")).startswith("authoring: StepDefinitionNotFoundError: ")
    assert found[f"{ERROR} [ucsp]"].get("classname") == "team.ucsp"  # team.feature


def test_a_real_run_writes_cucumber_json_beside_junit(real: RunResult) -> None:
    features = json.loads((real.out / "cucumber.json").read_text(encoding="utf-8"))
    scenarios = {e["name"]: e for f in features for e in f["elements"]}
    assert set(scenarios) >= {FAILING, WARNING}
    statuses = [s["result"]["status"] for s in scenarios[FAILING]["steps"]]
    assert "failed" in statuses
    assert all(s["result"]["status"] == "passed" for s in scenarios[WARNING]["steps"])


def test_cucumber_json_is_masked_after_the_run(tmp_path: Path) -> None:
    path = tmp_path / "cucumber.json"
    leak: Mapping[str, Any] = {"error_message": 'E  {"mobile": "13800138000"}'}
    path.write_text(json.dumps([{"elements": [leak]}]), encoding="utf-8")
    write_cucumber(path, Masker(()))
    text = path.read_text(encoding="utf-8")
    assert "13800138000" not in text and "8000" in text
    path.write_text('[{"half": ', encoding="utf-8")  # never kept unmasked
    write_cucumber(path, Masker(()))
    assert not path.exists()
    write_cucumber(path, Masker(()))  # none written: nothing to do


def test_cucumber_json_follows_the_records_order(tmp_path: Path) -> None:
    """Workers finish in any order: features and scenarios are put in the records' order."""
    records = [
        {"nodeid": "features/a/test_a.py::test_one[ucsp]", "feature": "A"},
        {"nodeid": "features/b/test_b.py::test_two[ucsp]", "feature": "B"},
        {"nodeid": "features/a/test_a.py::test_three[ucsp]", "feature": "A"},
    ]
    written = [
        {"name": "B", "elements": [{"id": "test_two[ucsp]"}]},
        {"name": "A", "elements": [{"id": "test_three[ucsp]"}, {"id": "test_one[ucsp]"}]},
        {"name": "C", "elements": [{"id": "test_unknown"}]},
    ]
    path = tmp_path / "cucumber.json"
    path.write_text(json.dumps(written), encoding="utf-8")
    write_cucumber(path, Masker(()), records)
    ordered = json.loads(path.read_text(encoding="utf-8"))
    assert [(f["name"], [e["id"] for e in f["elements"]]) for f in ordered] == [
        ("A", ["test_one[ucsp]", "test_three[ucsp]"]),
        ("B", ["test_two[ucsp]"]),
        ("C", ["test_unknown"]),
    ]
