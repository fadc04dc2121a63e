"""`run -n N`: the same selection on two workers grades exactly as it does serially.

One small tagged subset of both roles, with a fault of each embedded SUT switched on (so that
some scenarios fail), runs once serially and once with ``-n 2`` through ``ucsp.runner.run``;
the verdict records, their order and requirements.json must be the same.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ucsp.cli import main
from ucsp.errors import ConfigError
from ucsp.report.evidence import verify_pack
from ucsp.results import read_results
from ucsp.runner import RunOptions, RunResult, pytest_command, run

ROOT = Path(__file__).resolve().parent.parent
TAGS = "SEC-02 or FMT-03 or TRN-01"
FAULTS = ["accepts-unknown-cert-id", "notice-ignores-cert-id"]
KEPT = ("nodeid", "title", "role", "verdict", "requirements", "violations")


def _run(out: Path, workers: str | None) -> tuple[RunResult, str]:
    stream = io.StringIO()
    options = RunOptions(tags=TAGS, faults=list(FAULTS), out=out, workers=workers)
    return run(options, stream), stream.getvalue()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[RunResult, str]]:
    return {
        "serial": _run(tmp_path_factory.mktemp("serial"), None),
        "two": _run(tmp_path_factory.mktemp("two"), "2"),
    }


def _verdicts(result: RunResult) -> list[dict[str, Any]]:
    records = read_results(result.out / "results.json").scenarios
    return [{k: r[k] for k in KEPT} for r in records]


def test_two_workers_grade_every_scenario_as_one_does(
    runs: dict[str, tuple[RunResult, str]],
) -> None:
    serial, two = _verdicts(runs["serial"][0]), _verdicts(runs["two"][0])
    assert {r["role"] for r in serial} == {"ucsp", "industry"}
    assert {r["verdict"] for r in serial} >= {"pass", "failure"}
    assert two == serial  # the same records, in the same (collection) order


def test_two_workers_write_the_same_requirements_json_and_run_summary(
    runs: dict[str, tuple[RunResult, str]],
) -> None:
    (serial, _), (two, _) = runs["serial"], runs["two"]
    matrix = [json.loads((r.out / "requirements.json").read_text("utf-8")) for r in (serial, two)]
    assert matrix[0] == matrix[1]
    summaries = [read_results(r.out / "results.json").run for r in (serial, two)]
    for key in ("result", "badge", "partialReasons", "verdicts", "cells", "coverage", "features"):
        assert summaries[0][key] == summaries[1][key], key
    assert serial.exit_code == two.exit_code == 1
    manifests = [verify_pack(r.out / "evidence.zip").manifest for r in (serial, two)]
    assert manifests[0]["result"] == manifests[1]["result"]


def test_two_workers_count_every_scenario_once(runs: dict[str, tuple[RunResult, str]]) -> None:
    _, text = runs["two"]
    counted = [line.split("]")[0] + "]" for line in text.splitlines() if line.startswith("[")]
    total = len(_verdicts(runs["two"][0]))
    assert counted == [f"[{n}/{total}]" for n in range(1, total + 1)]


def test_workers_reach_the_child_as_xdist_options(tmp_path: Path) -> None:
    def command(workers: str | None) -> list[str]:
        return pytest_command(RunOptions(workers=workers), tmp_path, tmp_path / "p.jsonl")

    assert "-n" not in command(None) and "-n" not in command("1")
    assert " -n 2 --dist worksteal" in " ".join(command("2"))
    assert " -n auto --dist worksteal" in " ".join(command("auto"))


def test_a_real_target_runs_serially(tmp_path: Path) -> None:
    target = ROOT / "fixtures" / "targets" / "industry.example.toml"
    with pytest.raises(ConfigError) as raised:
        run(RunOptions(target=target, workers="2", out=tmp_path), io.StringIO())
    assert str(raised.value) == (
        "-n 2 needs the embedded reference implementations: a real target runs serially "
        "(see README)"
    )


def test_a_bad_number_of_workers_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^-n none: name a number of workers \(1 or more\)"):
        run(RunOptions(workers="none", out=tmp_path), io.StringIO())


def test_cli_run_n_with_a_target_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    target = ROOT / "fixtures" / "targets" / "ucsp.example.toml"
    assert main(["run", "-n", "2", "--target", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "-n 2 needs the embedded reference implementations" in err


def _cucumber(result: RunResult) -> list[tuple[str, str, list[str]]]:
    features = json.loads((result.out / "cucumber.json").read_text("utf-8"))
    return [
        (f["name"], e["name"], [s["result"]["status"] for s in e["steps"]])
        for f in features
        for e in f["elements"]
    ]


def _junit(result: RunResult) -> list[tuple[str, str, str]]:
    root = ET.parse(result.out / "junit.xml").getroot()  # noqa: S314 - our own run's file
    return [
        (str(suite.get("name")), str(case.get("name")), "".join(c.tag for c in case))
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    ]


def test_two_workers_write_the_same_cucumber_json_and_junit(
    runs: dict[str, tuple[RunResult, str]],
) -> None:
    (serial, _), (two, _) = runs["serial"], runs["two"]
    assert _cucumber(serial) and _cucumber(two) == _cucumber(serial)
    assert _junit(serial) and _junit(two) == _junit(serial)
