"""``ucsp-conformance compare OLD NEW``: two synthetic report directories and an evidence
pack; a changed cell, a changed scenario, added and removed ones, the overall result, an
unchanged pair (exit 0), and runs that cannot be read (exit 2)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ucsp.cli import main
from ucsp.compare import Change, compare, load_run
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.report.evidence import write_pack

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
ORDER = "A valid order is answered 00 with a tn and a paymentUrl"
NOTICE = "A paid order is notified with txnStatus 00 and recorded as succeeded"


def scenario(
    title: str, verdict: str, role: str = "ucsp", feature: str = "Frontend payment"
) -> dict[str, Any]:
    return {"title": title, "scenario": title, "role": role, "feature": feature, "verdict": verdict}


def cell(rid: str, verdict: str, role: str = "ucsp") -> dict[str, Any]:
    return {"id": rid, "level": "MUST", "role": role, "verdict": verdict, "scenarios": []}


SCENARIOS = [scenario(ORDER, "pass"), scenario(NOTICE, "pass")]
CELLS = [cell("PAY-01", "pass"), cell("PAY-05", "pass")]


def report(
    directory: Path,
    scenarios: list[dict[str, Any]] = SCENARIOS,
    cells: list[dict[str, Any]] = CELLS,
    result: str = "CONFORMANT",
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    run = {"runId": directory.name, "result": result, "badge": result}
    results = {"run": run, "scenarios": scenarios}
    (directory / "results.json").write_text(json.dumps(results), encoding="utf-8")
    (directory / "requirements.json").write_text(json.dumps(cells), encoding="utf-8")
    return directory


def changes(old: Path, new: Path) -> list[str]:
    return [c.line() for c in compare(load_run(old), load_run(new))]


def test_an_unchanged_pair_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = report(tmp_path / "old"), report(tmp_path / "new")
    assert main(["compare", str(old), str(new)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"old: {old} (run old, CONFORMANT)",
        f"new: {new} (run new, CONFORMANT)",
        "no verdict changed",
    ]


def test_a_changed_cell_and_scenario_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = report(tmp_path / "old")
    new = report(
        tmp_path / "new",
        [scenario(ORDER, "pass"), scenario(NOTICE, "failure")],
        [cell("PAY-01", "pass"), cell("PAY-05", "failure")],
        result="NOT CONFORMANT",
    )
    assert main(["compare", str(old), str(new)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == [
        "overall result: 1 changed",
        "  result: CONFORMANT -> NOT CONFORMANT",
        "requirement × role cells: 1 changed",
        "  PAY-05 [ucsp]: pass -> failure",
        "scenarios (title [role]): 1 changed",
        f"  Frontend payment: {NOTICE} [ucsp]: pass -> failure",
        "3 change(s)",
    ]


def test_added_and_removed_cells_and_scenarios(tmp_path: Path) -> None:
    old = report(tmp_path / "old")
    new = report(
        tmp_path / "new",
        [scenario(ORDER, "pass"), scenario(ORDER, "warning", role="industry")],
        [cell("PAY-01", "pass"), cell("PAY-07", "pass", role="industry")],
    )
    assert changes(old, new) == [
        "PAY-05 [ucsp]: removed (was pass)",
        "PAY-07 [industry]: added (pass)",
        f"Frontend payment: {NOTICE} [ucsp]: removed (was pass)",
        f"Frontend payment: {ORDER} [industry]: added (warning)",
    ]


def test_one_title_in_two_features_is_told_apart_by_feature(tmp_path: Path) -> None:
    twice = [scenario(ORDER, "pass", feature="A"), scenario(ORDER, "pass", feature="B")]
    old = report(tmp_path / "old", twice)
    new = report(tmp_path / "new", [twice[0], {**twice[1], "verdict": "failure"}])
    assert changes(old, new) == [f"B: {ORDER} [ucsp]: pass -> failure"]


def test_a_title_another_feature_comes_to_share_is_no_change(tmp_path: Path) -> None:
    """NEW adds a second feature with a title the old run had once: only the addition shows."""
    first = scenario(ORDER, "pass", feature="A")
    old = report(tmp_path / "old", [first])
    new = report(tmp_path / "new", [first, scenario(ORDER, "pass", feature="B")])
    assert changes(old, new) == [f"B: {ORDER} [ucsp]: added (pass)"]


def test_an_evidence_pack_reads_like_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = report(tmp_path / "old")
    signer = Keyset.load(TEST_KEYS).ucsp_sign.identity("the suite's test-only key")
    pack = write_pack(old, tmp_path / "evidence.zip", signer, {"runId": "old"})
    assert main(["compare", str(pack), str(old)]) == 0
    assert capsys.readouterr().out.endswith("no verdict changed\n")
    new = report(tmp_path / "new", cells=[cell("PAY-01", "failure"), CELLS[1]])
    assert main(["compare", str(pack), str(new), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == {
        "source": str(pack),
        "runId": "old",
        "result": "CONFORMANT",
        "badge": "CONFORMANT",
        "exitCode": None,
    }
    assert data["changes"] == [
        {"kind": "cell", "name": "PAY-01", "role": "ucsp", "old": "pass", "new": "failure"}
    ]


def test_change_lines() -> None:
    assert (
        Change("cell", "SEC-02", "ucsp", "pass", "error").line() == "SEC-02 [ucsp]: pass -> error"
    )
    assert Change("result", "result", None, "A", "B").line() == "result: A -> B"


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("ucsp-conformance: error: ")
    return err


def test_a_pack_without_the_results_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = report(tmp_path / "good")
    pack = tmp_path / "partial.zip"
    with zipfile.ZipFile(pack, "w") as archive:
        archive.writestr("results.json", (good / "results.json").read_text(encoding="utf-8"))
    assert main(["compare", str(good), str(pack)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"{pack}: the pack holds no requirements.json" in line


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p, "no such report; name a report directory or an evidence.zip"),
        (lambda p: (p.mkdir(), p)[1], "holds no results.json; name the directory"),
        (lambda p: (p.write_text("not a zip"), p)[1], "not a readable evidence pack"),
        (
            lambda p: (report(p), (p / "results.json").write_text("{"), p)[2],
            "results.json: not JSON",
        ),
        (
            lambda p: (report(p), (p / "results.json").write_text("[]"), p)[2],
            "results.json is not a results file",
        ),
        (
            lambda p: (report(p), (p / "requirements.json").write_text('[{"id": 1}]'), p)[2],
            "requirements.json is not a requirement matrix",
        ),
    ],
)
def test_an_unreadable_run_exits_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, expected: str
) -> None:
    bad = make(tmp_path / "bad")
    with pytest.raises(ConfigError, match=expected):
        load_run(bad)
    assert main(["compare", str(report(tmp_path / "good")), str(bad)]) == 2
    assert expected in _one_error_line(capsys.readouterr().err)
