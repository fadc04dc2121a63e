"""`ucsp-conformance run`: one real run with one known failure, its reports, and the CLI;
an undefined step and a SUT that goes away (ERROR, INCOMPLETE); --out and --force."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import ucsp.runner as runner
from tests.support import TEAM_CONFTEST, TEAM_TESTS
from ucsp.cli import main
from ucsp.deployment import Deployment, embedded
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.outcome import counts_line, requirement_matrix
from ucsp.report.evidence import verify_pack
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


def _cells(records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The ucsp cells the failing run must grade, from the two scenarios' own tags (which
    the features may extend): PAY-05 failed, the passing scenario's pass, the failing
    scenario's other tags unjudged, every other ucsp requirement not run."""
    by_name = {r["scenario"]: r for r in records}
    ucsp = {rid for rid, req in load_registry().items() if "ucsp" in req.roles}
    passed = set(by_name[PASSING]["requirements"]) & ucsp
    failed = set(by_name[FAILING]["requirements"]) & ucsp
    return {
        "failure": {"PAY-05"},
        "pass": passed - {"PAY-05"},
        "unjudged": failed - passed - {"PAY-05"},
        "not-run": ucsp - passed - failed,
    }


@pytest.fixture(scope="module")
def records(failing_run: tuple[RunResult, str]) -> list[dict[str, Any]]:
    result, _ = failing_run
    return read_results(result.out / "results.json").scenarios


def test_run_with_a_failure_is_partial_not_conformant_exit_1(
    failing_run: tuple[RunResult, str],
) -> None:
    result, text = failing_run
    assert result.exit_code == 1
    run_part = read_results(result.out / "results.json").run
    assert (run_part["result"], run_part["badge"]) == ("NOT CONFORMANT", "PARTIAL NOT CONFORMANT")
    assert run_part["partialReasons"][:2] == [
        "scenarios selected by name: 2",
        "faults switched on: notice-wrong-amount",
    ]
    cells = _cells(read_results(result.out / "results.json").scenarios)
    not_run = f"{len(cells['not-run'])} requirement(s) of role ucsp not run: "
    assert run_part["partialReasons"][2].startswith(not_run)
    assert run_part == result.summary
    assert text.splitlines()[-1] == "result: PARTIAL NOT CONFORMANT (exit 1)"


def test_run_writes_every_report(failing_run: tuple[RunResult, str]) -> None:
    out = failing_run[0].out
    for name in ("report.html", "junit.xml", "results.json", "requirements.json", "evidence.zip"):
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
    assert {"SEC-01", "PAY-01"} <= set(passed["requirements"])
    assert (passed["error"], failed["error"]) == (None, None)
    assert [v["requirement"] for v in failed["violations"]] == ["PAY-05"]
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
    manifest = check.manifest
    assert manifest["roles"] == ["ucsp"]
    assert manifest["target"] == {"name": "embedded reference implementations"}
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["profileSha256"])
    assert (manifest["result"], manifest["badge"]) == ("NOT CONFORMANT", "PARTIAL NOT CONFORMANT")
    assert manifest["partial"] is True and len(manifest["partialReasons"]) == 4
    # The failing scenario stopped at PAY-05: INQ-01, checked after it, was not judged.
    unjudged = _cells(failing_run[0].records)["unjudged"]
    last = manifest["partialReasons"][-1]
    assert last.startswith(f"{len(unjudged)} requirement(s) of role ucsp not judged: ")
    assert "INQ-01" in last.split(": ", 1)[1].split()
    assert manifest["selection"] == {
        "roles": ["ucsp"],
        "tags": None,
        "keywords": None,
        "scenarios": [PASSING, FAILING],
        "faults": ["notice-wrong-amount"],
        "strict": False,
    }
    assert set(manifest["sha256"]) == {"features", "registry", "schemas", "profile"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in manifest["sha256"].values())
    assert manifest["sha256"]["profile"] == manifest["profileSha256"]
    assert manifest["signingKey"]["testOnly"] is True
    assert manifest["signingKey"]["certificateId"] == check.signer_id
    commit = manifest["suiteCommit"]  # the suite runs from a git checkout here
    assert re.fullmatch(r"[0-9a-f]{40}", commit["commit"]) and isinstance(commit["dirty"], bool)
    assert "features/payment/frontend_payment.feature" in manifest["features"]


def test_requirements_json_grades_the_violated_requirement(
    failing_run: tuple[RunResult, str],
) -> None:
    listed = json.loads((failing_run[0].out / "requirements.json").read_text("utf-8"))
    registry = load_registry()
    assert len(listed) == sum("ucsp" in req.roles for req in registry.values())
    assert {c["role"] for c in listed} == {"ucsp"}
    by_id = {c["id"]: c for c in listed}
    assert by_id["PAY-05"] == {
        "id": "PAY-05",
        "level": "MUST",
        "role": "ucsp",
        "verdict": "failure",
        "scenarios": [FAILING],
    }
    assert by_id["PAY-01"]["verdict"] == "pass"
    # Tagged on the failing scenario, but not what its violation named: not judged.
    assert by_id["INQ-01"]["verdict"] == "unjudged"
    graded: dict[str, set[str]] = {}
    for cell in listed:
        graded.setdefault(cell["verdict"], set()).add(cell["id"])
    assert graded == _cells(failing_run[0].records)


def test_junit_reports_one_failure(failing_run: tuple[RunResult, str]) -> None:
    tree = ET.parse(failing_run[0].out / "junit.xml")  # noqa: S314 - our own run's file
    suite = tree.getroot().find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert properties["ucsp-result"] == "NOT CONFORMANT"
    assert properties["ucsp-badge"] == "PARTIAL NOT CONFORMANT"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert len(failed) == 1
    assert failed[0].get("name") == f"{FAILING} [ucsp]"
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
    passed = re.compile(
        rf"^\[[12]/2\] PASS  \[ucsp\] {FEATURE}: {re.escape(PASSING)} \(\d+\.\d\d s\)$"
    )
    failed = re.compile(
        rf"^\[[12]/2\] FAIL  \[ucsp\] {FEATURE}: {re.escape(FAILING)} \(\d+\.\d\d s\)$"
    )
    assert sum(bool(passed.match(line)) for line in lines) == 1, text
    index = next(i for i, line in enumerate(lines) if failed.match(line))
    assert lines[index + 1].startswith("      PAY-05: "), text  # the violation under it
    summary = lines.index(next(line for line in lines if "UCSP conformance summary" in line))
    assert summary > index  # verdicts arrive first, the table after
    row = next(line for line in lines[summary:] if "ucsp" in line and "│" in line)
    assert re.findall(r"\d+", row) == ["1", "1", "0", "0", "0"]  # pass failure warning error skip
    assert "result: PARTIAL NOT CONFORMANT" in [line.strip() for line in lines[summary:]]
    coverage = read_results(result.out / "results.json").run["coverage"]
    rows = requirement_matrix(records, load_registry(), ["ucsp"], coverage)
    assert counts_line(rows, ["ucsp"]) in lines
    counts = next(line for line in lines if line.startswith("requirement × role cells: "))
    cells = _cells(records)
    assert re.fullmatch(
        r"requirement × role cells: \d+ \(\d+ requirements, role\(s\) ucsp\): 1 failure, "
        rf"0 warning, 0 error, {len(cells['unjudged'])} unjudged, {len(cells['pass'])} pass, "
        rf"{len(cells['not-run'])} not-run, 0 uncovered",
        counts,
    ), counts
    end = lines.index(f"report: {result.out / 'report.html'}")
    assert lines[end + 1] == f"evidence: {result.out / 'evidence.zip'}"
    assert lines[end + 2 : end + 4] == [
        "partial: scenarios selected by name: 2",
        "partial: faults switched on: notice-wrong-amount",
    ]
    assert lines[-1] == "result: PARTIAL NOT CONFORMANT (exit 1)"


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
        run(RunOptions(sut="ucsp", out=tmp_path, force=True), io.StringIO())


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
        features=[Path("features/local")],
    )
    command = runner.pytest_command(options, tmp_path, tmp_path / "p.jsonl")
    assert command[:5] == [
        sys.executable,
        "-m",
        "pytest",
        "features",
        str(Path("features/local").resolve()),
    ]
    assert command[5:9] == [
        "-c",
        str(runner.ROOT / "pyproject.toml"),
        "--rootdir",
        str(runner.ROOT),
    ]
    text = " ".join(command)
    for part in (
        f"--results-json {tmp_path / 'results.json'}",
        f"--junitxml {tmp_path / 'junit.xml'}",
        f"--alluredir {tmp_path / 'allure-results'}",
        f"--progress-file {tmp_path / 'p.jsonl'}",
        "--sut ucsp",
        f"--target {Path('t.toml').resolve()}",  # the child runs in the checkout
        "--ucsp-strict",
        "--fault a --fault b",
        "--scenario-title one --scenario-title two",  # a title as printed, or an outline's
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


# --- --out and --force ---------------------------------------------------------------------


def test_a_non_empty_out_is_refused_without_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (
        f"import pathlib\npathlib.Path(r'{{out}}', 'results.json').write_text({ONE_RECORD!r})\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    (tmp_path / "old-run.txt").write_text("from another run", encoding="utf-8")
    (tmp_path / "allure-results").mkdir()
    (tmp_path / "allure-results" / "x-result.json").write_text("{}", encoding="utf-8")

    assert main(["run", "--sut", "ucsp", "--out", str(tmp_path)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"--out {tmp_path} is not empty" in line and "--force" in line
    assert (tmp_path / "old-run.txt").exists()  # nothing touched

    assert main(["run", "--sut", "ucsp", "--out", str(tmp_path), "--force"]) == 0
    assert not (tmp_path / "old-run.txt").exists()
    assert not (tmp_path / "allure-results" / "x-result.json").exists()
    pack = verify_pack(tmp_path / "evidence.zip")
    assert pack.ok, pack.problems
    assert "old-run.txt" not in pack.manifest["files"]


def test_force_will_not_empty_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "pytest_command", _fake_child("raise SystemExit(9)"))
    for directory in (ROOT, ROOT.parent):
        with pytest.raises(ConfigError, match=r"--force will not empty|the suite's checkout"):
            run(RunOptions(sut="ucsp", out=directory, force=True), io.StringIO())
    assert (ROOT / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    "inside", ["features", "features/payment", "steps", "ucsp/new-dir", "reports", "."]
)
def test_out_inside_the_checkout_is_refused_except_under_reports(
    inside: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "pytest_command", _fake_child("raise SystemExit(9)"))
    before = sorted(p.name for p in (ROOT / "features").iterdir())
    out = ROOT / inside
    assert main(["run", "--sut", "ucsp", "--out", str(out), "--force"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"--out {out} is inside the suite's checkout" in line
    assert sorted(p.name for p in (ROOT / "features").iterdir()) == before
    assert not (ROOT / "ucsp" / "new-dir").exists()


def test_out_under_reports_is_accepted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (
        f"import pathlib\npathlib.Path(r'{{out}}', 'results.json').write_text({ONE_RECORD!r})\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    out = ROOT / "reports" / f".out-{threading.get_ident()}-{id(object())}"
    try:
        assert main(["run", "--sut", "ucsp", "--out", str(out)]) == 0
        assert (out / "evidence.zip").is_file()
    finally:
        for file in sorted(out.rglob("*"), reverse=True):
            file.rmdir() if file.is_dir() else file.unlink()
        out.rmdir()


def test_a_profile_without_a_target_is_refused_by_run_and_by_the_plugin(
    tmp_path: Path,
) -> None:
    profile = ROOT / "fixtures" / "profiles" / "default.toml"
    with pytest.raises(ConfigError) as refused:
        run(RunOptions(sut="ucsp", profile=profile, out=tmp_path / "out"), io.StringIO())
    assert not (tmp_path / "out").exists()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--co", "-q", "features", "--ucsp-profile", str(profile)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"ERROR: {refused.value}" in done.stderr


def test_an_unknown_fault_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"unknown fault 'bogus'; known faults: .*replay-accepted"
    ):
        run(RunOptions(sut="ucsp", faults=["bogus"], out=tmp_path / "out"), io.StringIO())
    # A fault of the other role's catalogue is unknown to a one-role run.
    with pytest.raises(ConfigError, match=r"unknown fault 'notice-wrong-amount'"):
        run(RunOptions(sut="industry", faults=["notice-wrong-amount"]), io.StringIO())
    with pytest.raises(ConfigError, match=r"--fault .* embedded reference implementations"):
        run(
            RunOptions(target=ROOT / "fixtures/targets/ucsp.example.toml", faults=["x"]),
            io.StringIO(),
        )
    assert not (tmp_path / "out").exists()


def test_extra_features_must_exist_and_hold_scenarios(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--features .* holds no .feature file"):
        run(RunOptions(sut="ucsp", features=[tmp_path]), io.StringIO())
    with pytest.raises(ConfigError, match=r"--features .* does not exist"):
        run(RunOptions(sut="ucsp", features=[tmp_path / "nowhere"]), io.StringIO())
    assert not (tmp_path / "reports").exists()


def test_a_directory_of_plain_features_is_bound_by_the_suite(tmp_path: Path) -> None:
    """No test module in it: the child binds its .feature files (``--team-features``)."""
    plain, module = tmp_path / "plain", tmp_path / "module"
    for directory in (plain, module):
        directory.mkdir()
        (directory / "team.feature").write_text(TEAM_FEATURE, encoding="utf-8")
    (module / "test_team.py").write_text(TEAM_TESTS, encoding="utf-8")
    options = RunOptions(features=[plain, module, plain / "team.feature"])
    command = " ".join(runner.pytest_command(options, tmp_path, tmp_path / "p.jsonl"))
    assert f"--team-features {plain.resolve()} " in command
    assert f"--team-features {(plain / 'team.feature').resolve()}" in command
    assert f"--team-features {module.resolve()}" not in command


def test_reports_default_to_reports_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        f"import pathlib\npathlib.Path(r'{{out}}', 'results.json').write_text({ONE_RECORD!r})\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(script))
    monkeypatch.chdir(tmp_path)
    result = run(RunOptions(sut="ucsp"), io.StringIO())
    assert result.out.parent == tmp_path.resolve() / "reports"
    assert (result.out / "evidence.zip").is_file()


def test_the_default_reports_directory_is_never_among_the_suites_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner, "pytest_command", _fake_child("raise SystemExit(9)"))
    monkeypatch.chdir(ROOT / "features")
    with pytest.raises(ConfigError, match=r"the reports directory .* is inside the suite's"):
        run(RunOptions(sut="ucsp"), io.StringIO())
    assert not (ROOT / "features" / "reports").exists()


# --- ERROR and INCOMPLETE ------------------------------------------------------------------

TEAM_FEATURE = """\
Feature: Team scenarios

  @PAY-01
  Scenario: A team scenario with a step nobody defined
    Given an order of 1.00 USD has been submitted
    Then the moon is made of cheese
"""


@pytest.fixture
def team_features(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of a team's own scenarios with its own test module, outside the checkout
    (which allure-pytest-bdd's title path alone would refuse)."""
    directory = tmp_path_factory.mktemp("team")
    (directory / "team.feature").write_text(TEAM_FEATURE, encoding="utf-8")
    (directory / "conftest.py").write_text(TEAM_CONFTEST, encoding="utf-8")
    (directory / "test_team.py").write_text(TEAM_TESTS, encoding="utf-8")
    return directory


def test_an_undefined_step_is_an_error_and_the_run_incomplete_exit_2(
    tmp_path: Path, team_features: Path
) -> None:
    stream = io.StringIO()
    options = RunOptions(sut="ucsp", scenarios=[PASSING], features=[team_features], out=tmp_path)
    options.scenarios.append("A team scenario with a step nobody defined")

    result = run(options, stream)

    assert result.exit_code == 2
    by_name = {r["scenario"]: r for r in result.records}
    team = by_name["A team scenario with a step nobody defined"]
    assert (team["verdict"], team["error"]["kind"]) == ("error", "authoring")
    assert team["error"]["cause"].startswith(
        'StepDefinitionNotFoundError: Step definition is not found: Then "the moon is made of '
        'cheese".'
    )
    assert team["message"] == team["error"]["cause"]
    assert by_name[PASSING]["verdict"] == "pass"
    summary = read_results(tmp_path / "results.json").run
    assert (summary["result"], summary["badge"]) == ("INCOMPLETE", "PARTIAL INCOMPLETE")
    shown = (team_features / "team.feature").as_posix()
    assert f"feature files outside the suite's own set: {shown}" in summary["partialReasons"]
    lines = stream.getvalue().splitlines()
    assert any(
        re.match(r"\[\d/2\] ERROR \[ucsp\] Team scenarios: A team scenario", line) for line in lines
    )
    assert lines[-1] == "result: PARTIAL INCOMPLETE (exit 2)"
    html = (tmp_path / "report.html").read_text("utf-8")
    assert 'data-result="INCOMPLETE">PARTIAL INCOMPLETE</span>' in html


class StopsTheSut(io.StringIO):
    """The run's output stream; stops the SUT once ``after`` verdicts have been printed."""

    def __init__(self, sut: Deployment, after: int) -> None:
        super().__init__()
        self.sut, self.after, self.stopped = sut, after, False

    def write(self, text: str) -> int:
        written = super().write(text)
        verdicts = re.findall(r"^\[\d+/\d+\] (?:PASS|FAIL|ERROR|WARN) ", self.getvalue(), re.M)
        if not self.stopped and len(verdicts) >= self.after:
            self.stopped = True
            self.sut.servers[0].stop()  # the SUT's own server: connections are refused now
        return written


GONE_TAGS = "FMT-01 or FMT-02 or FMT-04 or SEC-02"


def test_a_sut_gone_mid_run_is_an_error_and_the_run_stops_incomplete(tmp_path: Path) -> None:
    sut = embedded("ucsp")
    try:
        target = tmp_path / "ucsp.toml"
        target.write_text(
            f'sut = "ucsp"\ntime_scale = {sut.target.time_scale}\n[suite]\n'
            f'keys = "{TEST_KEYS}"\nlisten = "127.0.0.1:0"\n[ucsp]\n'
            f'gateway_url = "{sut.target.ucsp.gateway_url}"\n'
            f'authorize_url = "{sut.target.ucsp.authorize_url}"\n'
            # Where the embedded UCSP sends notices and users: its own peer, still running.
            f'[industry]\nindex_url = "{sut.target.industry.index_url}"\n'
            f'notice_url = "{sut.target.industry.notice_url}"\n',
            encoding="utf-8",
        )
        stream = StopsTheSut(sut, after=2)
        result = run(
            # 30 scenarios: however far the child runs ahead before the SUT stops, at
            # least 5 remain to meet it gone
            RunOptions(target=target, tags=GONE_TAGS, out=tmp_path / "out"),
            stream,
        )
    finally:
        sut.close()

    assert result.exit_code == 2
    verdicts = [r["verdict"] for r in result.records]
    assert verdicts[:2] == ["pass", "pass"], result.records
    errors = [r for r in result.records[2:] if r["verdict"] == "error"]
    assert len(errors) >= 5 and {r["error"]["kind"] for r in errors} == {"sut-unreachable"}
    assert "failure" not in verdicts  # a SUT gone away is no claim about it
    assert errors[-1]["error"]["cause"].startswith(
        f"the SUT cannot be reached: {sut.target.ucsp.gateway_url}"
    )
    summary = result.summary
    assert summary["result"] == "INCOMPLETE"
    assert summary["stopped"].startswith("stopped: 5 scenarios in a row could not reach the SUT")
    text = stream.getvalue()
    assert summary["stopped"] in text.splitlines()
    assert text.splitlines()[-1].endswith("INCOMPLETE (exit 2)")
    manifest = verify_pack(result.out / "evidence.zip").manifest
    assert (manifest["result"], manifest["stopped"]) == ("INCOMPLETE", summary["stopped"])
    # JUnit counts them as errors: no CI dashboard blames the SUT for going away.
    junit = ET.parse(result.out / "junit.xml").find(".//testsuite")  # noqa: S314 - our own file
    assert junit is not None
    assert (junit.get("failures"), junit.get("errors")) == ("0", str(len(errors)))


# --- Ctrl-C ---------------------------------------------------------------------------------


class InterruptsAtTheFirstVerdict(io.StringIO):
    """The run's output stream: a Ctrl-C as the first verdict line is printed."""

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False

    def write(self, text: str) -> int:
        written = super().write(text)
        verdict = re.compile(r"^\[\d+/\d+\] (?:PASS|FAIL|ERROR|WARN) ", re.M)
        if not self.interrupted and text.endswith("\n") and verdict.search(self.getvalue()):
            self.interrupted = True
            raise KeyboardInterrupt
        return written


def test_ctrl_c_stops_the_scenarios_and_still_reports_incomplete_exit_2(tmp_path: Path) -> None:
    stream = InterruptsAtTheFirstVerdict()
    options = RunOptions(sut="ucsp", faults=["notice-wrong-amount"], tags="PAY-05", out=tmp_path)

    result = run(options, stream)

    assert stream.interrupted
    assert result.exit_code == 2  # a failure was seen, but the run did not end: INCOMPLETE
    lines = stream.getvalue().splitlines()
    assert "interrupted: stopping the scenarios" in lines
    assert "interrupted" in lines
    assert lines[-1] == "result: PARTIAL INCOMPLETE (exit 2)"
    summary = read_results(tmp_path / "results.json").run
    assert (summary["result"], summary["stopped"], summary["interrupted"]) == (
        "INCOMPLETE",
        "interrupted",
        True,
    )
    assert len(result.records) >= 1
    assert all(r["verdict"] in ("pass", "failure") for r in result.records)
    assert json.loads((tmp_path / "requirements.json").read_text("utf-8"))
    html = (tmp_path / "report.html").read_text("utf-8")
    assert 'data-result="INCOMPLETE"' in html
    assert '<div class="partial" id="stopped">interrupted</div>' in html
    manifest = verify_pack(tmp_path / "evidence.zip").manifest
    assert (manifest["result"], manifest["stopped"]) == ("INCOMPLETE", "interrupted")
    assert not (tmp_path / ".progress.jsonl").exists()


def _fake_child_with_progress(script: str) -> Any:
    def command(options: RunOptions, out: Path, progress: Path) -> list[str]:
        text = script.replace("{out}", str(out)).replace("{progress}", str(progress))
        return [sys.executable, "-c", text]

    return command


PAYMENT_FEATURE = ROOT / "features" / "payment" / "frontend_payment.feature"
# A child that has finished one scenario and ignores Ctrl-C: it never writes results.json.
DEAF_CHILD = f"""
import json, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
events = [
    {{"event": "collected", "total": 2}},
    {{"event": "collection", "coverage": {{"PAY-05": ["ucsp"]}},
      "features": [{str(PAYMENT_FEATURE)!r}], "modules": []}},
    {{"event": "start", "nodeid": "n1", "title": "s", "role": "ucsp", "feature": "f"}},
    {{"event": "finish", "nodeid": "n1", "scenario": "s", "title": "s", "feature": "f",
      "role": "ucsp", "outcome": "passed", "verdict": "pass", "requirements": ["PAY-05"],
      "violations": [], "error": None, "message": "", "duration": 0.1}},
]
with open(r"{{progress}}", "a", encoding="utf-8") as handle:
    handle.write("".join(json.dumps(e) + "\\n" for e in events))
while True:
    signal.pause()  # until the runner gives up and terminates it
"""


def test_a_child_deaf_to_ctrl_c_still_leaves_a_record_of_what_was_selected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "pytest_command", _fake_child_with_progress(DEAF_CHILD))
    interrupt = runner._interrupt
    monkeypatch.setattr(runner, "_interrupt", lambda process: interrupt(process, grace=0.2))
    options = RunOptions(
        sut="ucsp",
        tags="PAY-05 or PAY-01",
        faults=["notice-wrong-amount"],
        scenarios=[PASSING],
        strict=True,
        out=tmp_path,
    )

    result = run(options, InterruptsAtTheFirstVerdict())

    assert result.exit_code == 2
    summary = read_results(tmp_path / "results.json").run
    assert summary["selection"] == {
        "roles": ["ucsp"],
        "tags": "PAY-05 or PAY-01",
        "keywords": None,
        "scenarios": [PASSING],
        "faults": ["notice-wrong-amount"],
        "strict": True,
    }
    assert (summary["result"], summary["stopped"], summary["interrupted"]) == (
        "INCOMPLETE",
        "interrupted",
        True,
    )
    assert summary["features"] == ["features/payment/frontend_payment.feature"]
    assert summary["coverage"] == {"PAY-05": ["ucsp"]}
    assert [r["nodeid"] for r in result.records] == ["n1"]


def test_a_run_that_cannot_run_leaves_no_unmasked_cucumber_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cucumber = "pathlib.Path(r'{out}', 'cucumber.json').write_text('[]')\n"
    broken = f"import pathlib, sys\n{cucumber}print('ERROR: bad option --x')\nsys.exit(4)\n"
    monkeypatch.setattr(runner, "pytest_command", _fake_child(broken))
    with pytest.raises(ConfigError, match=r"the scenarios could not run: "):
        run(RunOptions(sut="ucsp", out=tmp_path / "broken"), io.StringIO())
    assert not (tmp_path / "broken" / "cucumber.json").exists()

    empty = (
        "pathlib.Path(r'{out}', 'results.json').write_text('{\"run\": {}, \"scenarios\": []}')\n"
    )
    monkeypatch.setattr(runner, "pytest_command", _fake_child(f"import pathlib\n{cucumber}{empty}"))
    with pytest.raises(ConfigError, match=r"no scenario matches --tags 'NOPE'"):
        run(RunOptions(sut="ucsp", tags="NOPE", out=tmp_path / "empty"), io.StringIO())
    assert not (tmp_path / "empty" / "cucumber.json").exists()
