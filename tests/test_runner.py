"""`ucsp-conformance run`: one real run with one known failure, its reports, and the CLI."""

from __future__ import annotations

import io
import json
import re
import socket
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import ucsp.runner as runner
from ucsp.cli import main
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.report.evidence import verify_pack
from ucsp.report.html import matrix_counts, requirement_matrix
from ucsp.requirements import load_registry
from ucsp.results import read_results
from ucsp.runner import RunOptions, RunResult, run
from ucsp.target import load_target

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
PASSING = "A valid order is answered 00 with a tn and a paymentUrl"
FAILING = "A paid order is notified with txnStatus 00 and recorded as succeeded"
FEATURE = "Frontend payment"


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, str]:
    """The run with one known failure: the UCSP fault notice-wrong-amount breaks PAY-05."""
    stream = io.StringIO()
    options = RunOptions(
        sut="ucsp",
        faults=["notice-wrong-amount"],
        scenarios=[PASSING, FAILING],
        out=tmp_path_factory.mktemp("run"),
    )
    return run(options, stream), stream.getvalue()


@pytest.fixture(scope="module")
def records(failing_run: tuple[RunResult, str]) -> list[dict[str, Any]]:
    result, _ = failing_run
    return read_results(result.out / "results.json").scenarios


def test_run_with_a_failure_exits_1(failing_run: tuple[RunResult, str]) -> None:
    result, _ = failing_run
    assert result.exit_code == 1


def test_run_writes_every_report(failing_run: tuple[RunResult, str]) -> None:
    out = failing_run[0].out
    for name in ("report.html", "junit.xml", "results.json", "evidence.zip"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert (out / "allure-results").is_dir()
    assert not (out / ".progress.jsonl").exists()


def test_results_have_one_failure_and_one_pass(
    failing_run: tuple[RunResult, str], records: list[dict[str, Any]]
) -> None:
    assert failing_run[0].records == records
    by_name = {r["scenario"]: r for r in records}
    assert set(by_name) == {PASSING, FAILING}
    passed, failed = by_name[PASSING], by_name[FAILING]
    assert (passed["verdict"], passed["outcome"], passed["message"]) == ("pass", "passed", "")
    assert (failed["verdict"], failed["outcome"]) == ("failure", "failed")
    assert failed["message"].startswith("PAY-05: ")
    assert "txnAmt" in failed["message"]
    assert "PAY-05" in failed["requirements"]
    assert passed["requirements"] == ["PAY-01"]
    for record in records:
        assert record["role"] == "ucsp"
        assert record["feature"] == FEATURE
        assert record["duration"] > 0
        assert record["exchanges"], record["scenario"]
        first = record["exchanges"][0]
        assert first["msgType"] == "SUBMIT_PAYMENT_ORDER"
        assert first["direction"] == "suite to SUT"
        assert "msgInfo" in first["request"]
    notices = [x for x in by_name[FAILING]["exchanges"] if x["msgType"] == "PAYMENT_RESULT_NOTICE"]
    assert notices and notices[0]["direction"] == "SUT to suite"


def test_evidence_pack_verifies(failing_run: tuple[RunResult, str]) -> None:
    out = failing_run[0].out
    check = verify_pack(out / "evidence.zip", Keyset.load(TEST_KEYS).ucsp_sign.cert)
    assert check.ok, check.problems
    files = set(check.manifest["files"])
    assert {"report.html", "junit.xml", "results.json"} <= files
    assert any(name.startswith("allure-results/") for name in files)
    assert "evidence.zip" not in files
    assert check.manifest["roles"] == ["ucsp"]
    assert check.manifest["target"] == {"name": "embedded reference implementations"}
    assert re.fullmatch(r"[0-9a-f]{64}", check.manifest["profileSha256"])


def test_junit_reports_one_failure(failing_run: tuple[RunResult, str]) -> None:
    tree = ET.parse(failing_run[0].out / "junit.xml")  # noqa: S314 - our own run's file
    suite = tree.getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert len(failed) == 1
    assert "a_paid_order_is_notified" in str(failed[0].get("name"))
    failure = failed[0].find("failure")
    assert failure is not None and "PAY-05" in str(failure.get("message"))


def test_allure_results_hold_one_failed_and_one_passed(
    failing_run: tuple[RunResult, str],
) -> None:
    results = [
        json.loads(file.read_text("utf-8"))
        for file in (failing_run[0].out / "allure-results").glob("*-result.json")
    ]
    assert sorted((r["status"], r["name"]) for r in results) == [
        ("failed", FAILING),
        ("passed", PASSING),
    ]


def test_live_progress_prints_each_verdict_then_the_summary(
    failing_run: tuple[RunResult, str], records: list[dict[str, Any]]
) -> None:
    result, text = failing_run
    lines = text.splitlines()
    assert lines[0].startswith("ucsp-conformance 0.1.0: run ")
    assert f"role(s) under test: ucsp; reports in {result.out}" in lines[0]
    passed = re.compile(rf"^PASS  \[ucsp\] {FEATURE}: {re.escape(PASSING)} \(\d+\.\d\d s\)$")
    failed = re.compile(rf"^FAIL  \[ucsp\] {FEATURE}: {re.escape(FAILING)} \(\d+\.\d\d s\)$")
    assert sum(bool(passed.match(line)) for line in lines) == 1, text
    index = next(i for i, line in enumerate(lines) if failed.match(line))
    assert lines[index + 1].startswith("      PAY-05: "), text  # the violation under it
    summary = lines.index(next(line for line in lines if "UCSP conformance summary" in line))
    assert summary > index  # verdicts arrive first, the table after
    row = next(line for line in lines[summary:] if "ucsp" in line and "│" in line)
    assert re.findall(r"\d+", row) == ["1", "1", "0", "0", "0"]  # pass failure warning error skip
    cells = matrix_counts(requirement_matrix(records, load_registry()), ["ucsp"])
    expected = ", ".join(f"{cells[v]} {v}" for v in ("pass", "failure", "warning", "uncovered"))
    assert f"requirements: {expected}" in lines
    assert cells["failure"] >= 1 and cells["pass"] >= 1
    assert lines[-2:] == [
        f"report: {result.out / 'report.html'}",
        f"evidence: {result.out / 'evidence.zip'}",
    ]


# --- the child process and usage errors, without running scenarios ---------------------


def _fake_child(script: str) -> Any:
    def command(options: RunOptions, out: Path, progress: Path) -> list[str]:
        return [sys.executable, "-c", script.replace("{out}", str(out))]

    return command


ONE_RECORD = json.dumps(
    {
        "run": {},
        "scenarios": [
            {
                "nodeid": "n",
                "scenario": "s",
                "feature": "f",
                "role": "ucsp",
                "outcome": "passed",
                "verdict": "pass",
                "requirements": [],
                "message": "",
                "duration": 0.0,
                "exchanges": [],
            }
        ],
    }
)


def test_a_child_writing_more_than_a_pipe_holds_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest prints every failure's traceback; the runner must not deadlock on it."""
    script = (
        "import pathlib, sys\n"
        "sys.stdout.write('x' * 1_000_000 + '\\n')\n"
        f"pathlib.Path(r'{{out}}', 'results.json').write_text({ONE_RECORD!r})\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = run(RunOptions(sut="ucsp", out=tmp_path), io.StringIO())
        except BaseException as exc:  # reported below, not lost in the thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "run() hangs when the child writes a lot"
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].exit_code == 0


def test_a_child_that_cannot_run_is_a_config_error_with_its_last_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "import sys\nprint('collecting ...')\nprint('ERROR: bad option --x')\nsys.exit(4)\n"
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    with pytest.raises(ConfigError, match=r"the scenarios could not run: .*ERROR: bad option --x"):
        run(RunOptions(sut="ucsp", out=tmp_path), io.StringIO())


def test_no_records_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = (
        "import pathlib\n"
        "pathlib.Path(r'{out}', 'results.json').write_text('{\"run\": {}, \"scenarios\": []}')\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    with pytest.raises(ConfigError, match=r"no scenario matches --tags 'NOPE'"):
        run(RunOptions(sut="ucsp", tags="NOPE", out=tmp_path), io.StringIO())
    with pytest.raises(ConfigError, match=r"no scenario was collected"):
        run(RunOptions(sut="ucsp", out=tmp_path), io.StringIO())


def test_sut_contradicting_the_target_is_a_config_error(tmp_path: Path) -> None:
    options = RunOptions(sut="industry", target=ROOT / "fixtures/targets/ucsp.example.toml")
    with pytest.raises(ConfigError, match=r"--sut industry contradicts .*sut = 'ucsp'"):
        run(options, io.StringIO())


def test_failed_preflight_is_a_config_error(tmp_path: Path) -> None:
    with socket.socket() as unused:  # bound, never listening: connections are refused
        unused.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{unused.getsockname()[1]}"
        file = tmp_path / "t.toml"
        file.write_text(
            f'sut = "ucsp"\n[suite]\nkeys = "{TEST_KEYS}"\n[ucsp]\n'
            f'gateway_url = "{base}/gateway"\nauthorize_url = "{base}/authorize"\n',
            encoding="utf-8",
        )
        with pytest.raises(ConfigError, match=r"preflight failed: .*FAIL UCSP gateway answers"):
            run(RunOptions(target=file, out=tmp_path / "out"), io.StringIO())
    assert not (tmp_path / "out").exists()  # nothing written before the preflight passes


def test_pytest_command_passes_every_option(tmp_path: Path) -> None:
    options = RunOptions(
        sut="ucsp",
        target=Path("t.toml"),
        tags="PAY-01 or SEC-02",
        strict=True,
        faults=["a", "b"],
        scenarios=["one", "two"],
    )
    command = runner.pytest_command(options, tmp_path, tmp_path / "p.jsonl")
    assert command[:4] == [sys.executable, "-m", "pytest", "features"]
    text = " ".join(command)
    for part in (
        f"--results-json {tmp_path / 'results.json'}",
        f"--junitxml {tmp_path / 'junit.xml'}",
        f"--alluredir {tmp_path / 'allure-results'}",
        f"--progress-file {tmp_path / 'p.jsonl'}",
        "--sut ucsp",
        "--target t.toml",
        "--ucsp-strict",
        "--fault a --fault b",
        "--scenario one --scenario two",
    ):
        assert part in text, part
    assert command[command.index("-m", 3) + 1] == "PAY-01 or SEC-02"


def test_sanitized_target_holds_no_key_material() -> None:
    target = load_target(ROOT / "fixtures" / "targets" / "industry.example.toml")
    evidence = runner.sanitized_target(target)
    text = json.dumps(evidence)
    assert "PRIVATE KEY" not in text and "CERTIFICATE" not in text
    assert evidence["certificateIds"]["ucspSign"] == target.keys.ucsp_sign.cert_id
    assert evidence["industry"]["notice_url"] == "http://127.0.0.1:8081/notify"
    assert runner.evidence_signer(target).cert_id == target.keys.ucsp_sign.cert_id


# --- ucsp-conformance run ----------------------------------------------------------------


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("ucsp-conformance: error: ")
    return err


def test_cli_run_with_a_missing_target_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--target", str(tmp_path / "missing.toml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = _one_error_line(err)
    assert "missing.toml does not exist" in line
    assert "fixtures/targets/*.example.toml" in line


def test_cli_run_with_tags_matching_nothing_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--tags", "NO-SUCH-TAG", "--out", str(tmp_path)]) == 2
    _, err = capsys.readouterr()
    assert "NO-SUCH-TAG" in _one_error_line(err)


def test_cli_clean_run_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--sut", "ucsp", "--scenario", PASSING, "--out", str(tmp_path)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"PASS  [ucsp] {FEATURE}: {PASSING}" in out
    assert "FAIL" not in out
    records = read_results(tmp_path / "results.json").scenarios
    assert [(r["scenario"], r["verdict"]) for r in records] == [(PASSING, "pass")]
    assert verify_pack(tmp_path / "evidence.zip").ok
