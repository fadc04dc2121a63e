"""Baselines (``run --baseline``): loading and checking a waiver list, each matching rule,
expiry against an injected date, ``--certify``; and real runs with the fault
notice-wrong-amount (PAY-05 fails) waived, and waived by an expired waiver."""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest

from ucsp.baseline import (
    CERTIFY_REFUSES,
    Waiver,
    apply_judgement,
    check_baseline,
    evidence_fields,
    judge,
    load_baseline,
    mark_cells,
    mark_records,
    parse_baseline,
)
from ucsp.cli import main
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.report.evidence import verify_pack
from ucsp.requirements import load_registry
from ucsp.results import read_results
from ucsp.runner import RunOptions, RunResult, run

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
PASSING = "A valid order is answered 00 with a tn and a paymentUrl"
FAILING = "A paid order is notified with txnStatus 00 and recorded as succeeded"
TODAY = date(2026, 12, 4)

ENTRY = """
[[waiver]]
requirement = "PAY-05"
role = "ucsp"
reason = "known: notice amount off by one cent, fix in 2.4"
owner = "payments-team"
expires = 2027-03-31
"""


def parsed(text: str) -> list[Waiver]:
    return parse_baseline(tomllib.loads(text), "--baseline b.toml", load_registry())


def waiver(
    ident: str = "PAY-05",
    role: str = "ucsp",
    *,
    kind: Literal["requirement", "scenario"] = "requirement",
    expires: date = date(2027, 3, 31),
    number: int = 1,
) -> Waiver:
    return Waiver(number, kind, ident, role, "a reason", "an owner", expires)


def record(
    title: str, verdict: str, violated: tuple[str, ...] = (), role: str = "ucsp", **extra: Any
) -> dict[str, Any]:
    tags = extra.pop("requirements", list(violated) or ["PAY-01"])
    return {
        "scenario": title,
        "title": title,
        "role": role,
        "verdict": verdict,
        "requirements": tags,
        "violations": [{"requirement": r, "level": "MUST", "message": "m"} for r in violated],
        **extra,
    }


OUTCOME = {"result": "NOT CONFORMANT", "exitCode": 1, "badge": "x", "partial": False}


def applied(
    waivers: list[Waiver], records: list[dict[str, Any]], today: date = TODAY, **outcome: Any
) -> dict[str, Any]:
    return apply_judgement({**OUTCOME, **outcome}, records, judge(waivers, records, today))


# --- loading and checking ------------------------------------------------------------------


def test_a_waiver_loads_with_every_key() -> None:
    (only,) = parsed(ENTRY)
    assert only == Waiver(
        1,
        "requirement",
        "PAY-05",
        "ucsp",
        "known: notice amount off by one cent, fix in 2.4",
        "payments-team",
        date(2027, 3, 31),
    )
    (by_title,) = parsed(ENTRY.replace('requirement = "PAY-05"', f'scenario = "{FAILING}"'))
    assert (by_title.kind, by_title.id) == ("scenario", FAILING)
    assert parsed("") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('owner = "payments-team"', 'owner = "x"\nexpiry = 2027-01-01'), "unknown key 'expiry'"),
        (('owner = "payments-team"', ""), "missing key 'owner'; add owner = "),
        (('reason = "known', 'reasons = "known'), "unknown key 'reasons'"),
        (("expires = 2027-03-31", ""), "missing key 'expires'; add expires = 2027-03-31"),
        (('role = "ucsp"', ""), "missing key 'role'"),
        (('role = "ucsp"', 'role = "UCSP"'), "key 'role' is 'UCSP'; use role = \"industry\""),
        (("2027-03-31", '"2027-03-31"'), "key 'expires' is the string '2027-03-31'; use"),
        (("2027-03-31", "2027-03-31T00:00:00"), "not a string or a date-time"),
        (("2027-03-31", "2027-02-30"), "not valid TOML"),
        (('owner = "payments-team"', 'owner = ""'), "key 'owner' must be a non-empty string"),
        (('owner = "payments-team"', "owner = 3"), "key 'owner' must be a non-empty string"),
        (
            ('requirement = "PAY-05"', f'requirement = "PAY-05"\nscenario = "{FAILING}"'),
            "it names both requirement and scenario; give exactly one",
        ),
        (('requirement = "PAY-05"', ""), "it names neither requirement nor scenario"),
        (('"PAY-05"', '"PAY-99"'), "'PAY-99', which the registry does not hold"),
        (('"PAY-05"', '"PAY-07"'), "requirement PAY-07 does not apply to role ucsp"),
    ],
)
def test_a_bad_waiver_is_one_line_naming_its_number_and_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    file = tmp_path / "b.toml"
    second = ENTRY.replace(*change)
    file.write_text(ENTRY.replace("PAY-05", "PAY-01") + second, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_baseline(file, load_registry())
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message
    assert message.startswith(f"--baseline {file}: ")
    if "TOML" not in expected:
        assert message.startswith(f"--baseline {file}: waiver #2: ")


def test_a_bad_file_shape_is_one_line() -> None:
    with pytest.raises(ConfigError, match="unknown top-level key 'waivers'; the file holds"):
        parsed(ENTRY.replace("[[waiver]]", "[[waivers]]"))
    with pytest.raises(ConfigError, match="'waiver' must be \\[\\[waiver\\]\\] tables"):
        parsed('waiver = "PAY-05"')
    with pytest.raises(ConfigError, match=r"waiver #2 repeats waiver #1 .*keep one of them"):
        parsed(ENTRY + ENTRY.replace("payments-team", "someone else"))


def test_a_missing_baseline_and_certify_are_refused_before_the_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file; name a TOML file of"):
        check_baseline(tmp_path / "none.toml", certify=False)
    file = tmp_path / "b.toml"
    file.write_text(ENTRY, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        check_baseline(file, certify=True)
    assert str(caught.value) == CERTIFY_REFUSES
    assert CERTIFY_REFUSES == (
        "--certify refuses waivers: a certification reports every deviation; drop --baseline"
    )
    assert check_baseline(None, certify=True) == []
    assert len(check_baseline(file, certify=False, registry=load_registry())) == 1


# --- the rules -----------------------------------------------------------------------------


def test_a_requirement_waiver_waives_that_roles_failure_only() -> None:
    records = [
        record("notice", "failure", ("PAY-05",)),
        record("notice", "failure", ("PAY-05",), role="industry"),
        record("order", "pass"),
    ]
    judgement = judge([waiver("PAY-05")], records, TODAY)
    assert judgement.waived == {0}
    outcome = apply_judgement(OUTCOME, records, judgement)
    assert (outcome["result"], outcome["exitCode"]) == ("NOT CONFORMANT", 1)
    assert outcome["badge"] == "NOT CONFORMANT (1 failure waived)"
    assert judgement.as_meta()[0]["status"] == "applied"
    assert judgement.as_meta()[0]["scenarios"] == ["notice"]


def test_every_violated_requirement_must_be_waived() -> None:
    records = [record("notice", "failure", ("PAY-05", "PAY-06"))]
    judgement = judge([waiver("PAY-05")], records, TODAY)
    assert judgement.waived == frozenset()
    assert judgement.not_waived == {0: ("PAY-06",)}
    assert apply_judgement(OUTCOME, records, judgement)["exitCode"] == 1
    assert "notice [ucsp] also violates PAY-06, which no live waiver names" in "\n".join(
        judgement.lines(records)
    )
    both = judge([waiver("PAY-05"), waiver("PAY-06", number=2)], records, TODAY)
    assert both.waived == {0}


def test_a_scenario_waiver_waives_by_title_and_role() -> None:
    records = [
        record("notice", "failure", ("PAY-05", "PAY-06")),
        record("notice", "failure", ("PAY-05",), role="industry"),
    ]
    judgement = judge([waiver("notice", kind="scenario")], records, TODAY)
    assert judgement.waived == {0}
    assert judgement.as_meta()[0]["kind"] == "scenario"


def test_all_waived_is_conformant_with_the_count_in_the_badge() -> None:
    records = [
        record("a", "failure", ("PAY-05",)),
        record("b", "failure", ("PAY-05",)),
        record("c", "pass"),
    ]
    outcome = applied([waiver("PAY-05")], records)
    assert (outcome["result"], outcome["exitCode"], outcome["waived"]) == ("CONFORMANT", 0, 2)
    assert outcome["badge"] == "CONFORMANT (2 failures waived)"
    assert applied([waiver("PAY-05")], records, partial=True)["badge"] == (
        "PARTIAL CONFORMANT (2 failures waived)"
    )


def test_partly_waived_is_not_conformant() -> None:
    records = [record("a", "failure", ("PAY-05",)), record("b", "failure", ("PAY-02",))]
    outcome = applied([waiver("PAY-05")], records)
    assert (outcome["result"], outcome["exitCode"]) == ("NOT CONFORMANT", 1)
    assert outcome["badge"] == "NOT CONFORMANT (1 failure waived)"


def test_waived_failures_leave_errors_and_stops_incomplete() -> None:
    records = [record("a", "failure", ("PAY-05",)), record("b", "error")]
    assert applied([waiver("PAY-05")], records)["result"] == "INCOMPLETE"
    stopped = applied([waiver("PAY-05")], records[:1], stopped="5 unreachable in a row")
    assert stopped["exitCode"] == 2


def test_an_expired_waiver_waives_nothing_and_fails_the_run() -> None:
    records = [record("a", "failure", ("PAY-05",))]
    old = waiver("PAY-05", expires=date(2026, 12, 3))
    judgement = judge([old], records, TODAY)
    assert judgement.waived == frozenset()
    assert judgement.as_meta()[0]["status"] == "expired"
    outcome = apply_judgement(OUTCOME, records, judgement)
    assert outcome["exitCode"] == 1
    assert outcome["expiredWaivers"] == [
        "waiver #1 (requirement PAY-05 [ucsp]) expired on 2026-12-03; renew or remove it"
    ]
    assert "EXPIRED on 2026-12-03: the run fails" in judgement.lines(records)[0]
    # It holds through its own day.
    assert judge([waiver("PAY-05", expires=TODAY)], records, TODAY).waived == {0}


def test_an_expired_waiver_fails_a_passing_run_too() -> None:
    records = [record("a", "pass", requirements=["PAY-05"])]
    outcome = applied([waiver("PAY-05", expires=date(2020, 1, 1))], records, result="CONFORMANT")
    assert (outcome["result"], outcome["exitCode"]) == ("NOT CONFORMANT", 1)


def test_a_waiver_without_a_failure_can_be_removed_or_was_not_run() -> None:
    records = [record("a", "pass", requirements=["PAY-05"]), record("b", "pass")]
    waivers = [
        waiver("PAY-05"),
        waiver("b", kind="scenario", number=2),
        waiver("PAY-07", "industry", number=3),
        waiver("no such title", kind="scenario", number=4),
    ]
    judgement = judge(waivers, records, TODAY)
    statuses = [s["status"] for s in judgement.as_meta()]
    assert statuses == ["can be removed", "can be removed", "not run", "not run"]
    assert "can be removed: what it names ran and no longer deviates" in judgement.lines(records)[0]
    outcome = apply_judgement({**OUTCOME, "result": "CONFORMANT"}, records, judgement)
    assert (outcome["exitCode"], outcome["badge"]) == (0, "CONFORMANT")


def test_a_waived_warning_keeps_its_verdict_and_counts_no_failure() -> None:
    records = [record("a", "warning", ("NOT-03",))]
    outcome = applied([waiver("NOT-03")], records, result="CONFORMANT")
    assert (outcome["badge"], outcome["waived"]) == ("CONFORMANT", 0)


def test_verdicts_and_cells_stay_with_a_waived_flag() -> None:
    records = [record("a", "failure", ("PAY-05",)), record("b", "failure", ("PAY-02",))]
    marked = mark_records(records, judge([waiver("PAY-05")], records, TODAY))
    assert [(r["verdict"], r.get("waived")) for r in marked] == [
        ("failure", True),
        ("failure", None),
    ]
    cells = [
        {"id": "PAY-05", "role": "ucsp", "verdict": "failure"},
        {"id": "PAY-02", "role": "ucsp", "verdict": "failure"},
        {"id": "PAY-01", "role": "ucsp", "verdict": "pass"},
    ]
    assert [c.get("waived") for c in mark_cells(cells, marked)] == [True, None, None]


def test_what_the_evidence_records() -> None:
    judgement = judge([waiver("PAY-05")], [], TODAY)
    assert evidence_fields(judgement, certify=True) == {
        "certification": True,
        "waivers": "refused",
    }
    fields = evidence_fields(judgement, certify=False)
    assert fields["certification"] is False
    assert fields["waivers"] == [
        {
            "number": 1,
            "kind": "requirement",
            "id": "PAY-05",
            "role": "ucsp",
            "reason": "a reason",
            "owner": "an owner",
            "expires": "2027-03-31",
            "status": "not run",
            "scenarios": [],
        }
    ]


# --- real runs -----------------------------------------------------------------------------


def _options(out: Path, baseline: Path | None = None, **more: Any) -> RunOptions:
    return RunOptions(
        sut="ucsp",
        faults=["notice-wrong-amount"],
        scenarios=[PASSING, FAILING],
        out=out,
        baseline=baseline,
        **more,
    )


@pytest.fixture(scope="module")
def waived_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, str]:
    """The PAY-05 failure waived; a stale waiver on the passing scenario."""
    directory = tmp_path_factory.mktemp("waived")
    baseline = directory / "baseline.toml"
    stale = ENTRY.replace('requirement = "PAY-05"', f'scenario = "{PASSING}"')
    baseline.write_text(ENTRY + stale, encoding="utf-8")
    stream = io.StringIO()
    return run(_options(directory / "out", baseline), stream), stream.getvalue()


def test_a_run_with_its_failure_waived_exits_0(waived_run: tuple[RunResult, str]) -> None:
    result, text = waived_run
    assert result.exit_code == 0
    lines = text.splitlines()
    assert lines[-1] == "result: PARTIAL CONFORMANT (1 failure waived) (exit 0)"
    assert (
        "baseline: waiver #1 (requirement PAY-05 [ucsp]), owner payments-team, expires "
        f"2027-03-31: applied to 1 scenario: {FAILING}"
    ) in lines
    assert any("waiver #2" in line and "can be removed" in line for line in lines)


def test_the_waived_run_keeps_its_verdicts_and_records_its_waivers(
    waived_run: tuple[RunResult, str],
) -> None:
    out = waived_run[0].out
    results = read_results(out / "results.json")
    assert results.run["badge"] == "PARTIAL CONFORMANT (1 failure waived)"
    assert (results.run["result"], results.run["waived"]) == ("CONFORMANT", 1)
    assert results.run["certification"] is False
    assert [(w["id"], w["status"]) for w in results.run["waivers"]] == [
        ("PAY-05", "applied"),
        (PASSING, "can be removed"),
    ]
    assert results.run["waivers"][0]["scenarios"] == [FAILING]
    by_title = {r["title"]: r for r in results.scenarios}
    assert (by_title[FAILING]["verdict"], by_title[FAILING]["waived"]) == ("failure", True)
    assert "waived" not in by_title[PASSING]
    cells = json.loads((out / "requirements.json").read_text(encoding="utf-8"))
    (pay_05,) = [c for c in cells if (c["id"], c["role"]) == ("PAY-05", "ucsp")]
    assert (pay_05["verdict"], pay_05["waived"]) == ("failure", True)


def test_the_waived_runs_manifest_holds_the_waivers_and_the_baseline(
    waived_run: tuple[RunResult, str],
) -> None:
    pack = waived_run[0].out / "evidence.zip"
    check = verify_pack(pack, Keyset.load(TEST_KEYS).ucsp_sign.cert)
    assert check.ok, check.problems
    assert check.manifest["certification"] is False
    assert [w["status"] for w in check.manifest["waivers"]] == ["applied", "can be removed"]
    assert "baseline.toml" in check.manifest["files"]
    with zipfile.ZipFile(pack) as archive:
        assert b'requirement = "PAY-05"' in archive.read("baseline.toml")


def test_an_expired_waiver_fails_the_run_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.toml"
    baseline.write_text(ENTRY.replace("2027-03-31", "2026-01-31"), encoding="utf-8")
    argv = ["run", "--sut", "ucsp", "--fault", "notice-wrong-amount", "--scenario", FAILING]
    assert main([*argv, "--out", str(tmp_path / "out"), "--baseline", str(baseline)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert "EXPIRED on 2026-01-31: the run fails; renew or remove it" in out
    assert out.splitlines()[-1] == "result: PARTIAL NOT CONFORMANT (exit 1)"
    run_part = read_results(tmp_path / "out" / "results.json").run
    assert run_part["expiredWaivers"] == [
        "waiver #1 (requirement PAY-05 [ucsp]) expired on 2026-01-31; renew or remove it"
    ]
    assert run_part["waivers"][0]["status"] == "expired"


def test_certify_refuses_a_baseline_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.toml"
    baseline.write_text(ENTRY, encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(["run", "--sut", "ucsp", "--certify", "--baseline", str(baseline), "--out", str(out)])
        == 2
    )
    _, err = capsys.readouterr()
    assert err == f"ucsp-conformance: error: {CERTIFY_REFUSES}\n"
    assert not out.exists()


def test_a_bad_baseline_exits_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.toml"
    baseline.write_text(ENTRY.replace('role = "ucsp"', 'role = "both"'), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--sut", "ucsp", "--baseline", str(baseline), "--out", str(out)]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1 and "waiver #1: key 'role' is 'both'" in err
    assert not out.exists()


def test_a_certification_run_records_that_it_refuses_waivers(tmp_path: Path) -> None:
    options = RunOptions(sut="ucsp", scenarios=[PASSING], out=tmp_path, certify=True)
    result = run(options, io.StringIO())
    assert result.exit_code == 0
    check = verify_pack(tmp_path / "evidence.zip", Keyset.load(TEST_KEYS).ucsp_sign.cert)
    assert check.ok, check.problems
    assert (check.manifest["certification"], check.manifest["waivers"]) == (True, "refused")
    run_part = read_results(tmp_path / "results.json").run
    assert (run_part["certification"], run_part["waivers"]) == (True, "refused")
