"""ucsp.outcome: the overall result, the requirement matrix, partial runs, requirements.json."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import seed_registry
from ucsp.outcome import (
    CELL_LEGEND,
    Cell,
    Result,
    Selection,
    badge,
    counts_line,
    exit_code,
    matrix_counts,
    overall_result,
    partial_reasons,
    requirement_matrix,
    requirements_json,
    run_summary,
    summary_of,
)
from ucsp.requirements import Requirement

REGISTRY: dict[str, Requirement] = seed_registry(
    [
        ("PAY-01", ["ucsp"]),
        ("PAY-05", ["industry", "ucsp"]),
        ("SEC-06", ["industry", "ucsp"]),
        ("FMT-13", ["industry", "ucsp"], "SHOULD"),
        ("LOGIN-01", ["industry"]),
        ("NOT-01", ["industry", "ucsp"]),
        ("INQ-01", ["industry", "ucsp"]),
    ]
)
BOTH = ("industry", "ucsp")


def _record(
    scenario: str,
    role: str,
    verdict: str,
    requirements: list[str],
    violations: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "role": role,
        "verdict": verdict,
        "requirements": requirements,
        "violations": [{"requirement": v, "level": "", "message": "m"} for v in violations],
    }


# --- overall result ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdicts", "result"),
    [
        (["pass", "pass"], Result.CONFORMANT),
        (["pass", "warning"], Result.CONFORMANT),  # SHOULD violations do not fail a run
        (["pass", "failure"], Result.NOT_CONFORMANT),
        (["failure", "error"], Result.NOT_CONFORMANT),  # a failure, errors or not
        (["pass", "error"], Result.INCOMPLETE),
        (["pass", "skipped"], Result.INCOMPLETE),  # not every selected scenario ran
        ([], Result.INCOMPLETE),  # nothing ran
    ],
)
def test_overall_result(verdicts: list[str], result: Result) -> None:
    records = [_record(f"s{i}", "ucsp", v, []) for i, v in enumerate(verdicts)]
    assert overall_result(records) is result


def test_a_stopped_run_or_a_configuration_error_is_incomplete_unless_it_failed() -> None:
    passed = [_record("a", "ucsp", "pass", [])]
    assert overall_result(passed, stopped=True) is Result.INCOMPLETE
    assert overall_result(passed, config_error=True) is Result.INCOMPLETE
    failed = [_record("a", "ucsp", "failure", [])]
    assert overall_result(failed, stopped=True) is Result.NOT_CONFORMANT


def test_exit_codes_and_badges() -> None:
    assert [exit_code(r) for r in Result] == [0, 1, 2]
    assert badge(Result.CONFORMANT, False) == "CONFORMANT"
    assert badge(Result.CONFORMANT, True) == "PARTIAL CONFORMANT"
    assert badge(Result.NOT_CONFORMANT, True) == "PARTIAL NOT CONFORMANT"
    assert badge(Result.INCOMPLETE, False) == "INCOMPLETE"


# --- the matrix ----------------------------------------------------------------------------

COVERAGE = {
    "PAY-01": {"ucsp"},
    "PAY-05": {"industry", "ucsp"},
    "SEC-06": {"industry", "ucsp"},
    "FMT-13": {"industry", "ucsp"},
    "LOGIN-01": {"industry"},
    "INQ-01": {"industry", "ucsp"},
    # NOT-01: no scenario of the suite
}
RECORDS = [
    # One LOGIN-01 violation in a scenario tagged with 3 requirements fails LOGIN-01 only.
    _record("login", "industry", "failure", ["LOGIN-01", "PAY-05", "INQ-01"], ["LOGIN-01"]),
    # A SHOULD violation: a warning cell.
    _record("skew", "ucsp", "warning", ["FMT-13", "SEC-06"], ["FMT-13"]),
    # A violation naming a requirement missing from the tags grades nothing.
    _record("replay", "ucsp", "error", ["PAY-01"], ["SEC-06"]),
    _record("order", "ucsp", "pass", ["PAY-01", "PAY-05"]),
    _record("broken", "industry", "error", ["SEC-06"]),
    _record("skipped", "industry", "skipped", ["FMT-13"]),
]


def _rows(strict: bool = False) -> dict[str, dict[str, str]]:
    rows = requirement_matrix(RECORDS, REGISTRY, BOTH, COVERAGE, strict=strict)
    return {row.requirement.id: row.verdicts for row in rows}


def test_the_matrix_grades_the_requirement_a_violation_names() -> None:
    rows = _rows()
    assert rows["LOGIN-01"] == {"industry": "failure"}
    assert rows["PAY-05"] == {"industry": "unjudged", "ucsp": "pass"}
    assert rows["INQ-01"] == {"industry": "unjudged", "ucsp": "not-run"}
    assert rows["FMT-13"] == {"industry": "unjudged", "ucsp": "warning"}
    assert _rows(strict=True)["FMT-13"]["ucsp"] == "failure"


def test_a_misattributed_violation_grades_nothing() -> None:
    rows = _rows()
    # SEC-06 was named in "replay" (not tagged with it): no failure; "skew" stopped at FMT-13.
    assert rows["SEC-06"] == {"industry": "error", "ucsp": "unjudged"}
    assert rows["PAY-01"] == {"ucsp": "pass"}  # "order" passed; "replay" errored


def test_not_run_and_uncovered_cells() -> None:
    rows = _rows()
    assert rows["NOT-01"] == {"industry": "uncovered", "ucsp": "uncovered"}
    without_coverage = requirement_matrix([], REGISTRY, BOTH)
    assert {c for row in without_coverage for c in row.verdicts.values()} == {"uncovered"}
    none_selected = requirement_matrix([], REGISTRY, BOTH, COVERAGE)
    cells = {row.requirement.id: row.verdicts for row in none_selected}
    assert cells["PAY-01"] == {"ucsp": "not-run"}
    assert cells["NOT-01"]["ucsp"] == "uncovered"


def test_a_role_not_under_test_has_no_cells() -> None:
    rows = requirement_matrix(RECORDS, REGISTRY, ["ucsp"], COVERAGE)
    by_id = {row.requirement.id: row.verdicts for row in rows}
    assert by_id["LOGIN-01"] == {}  # an industry-only requirement
    assert by_id["PAY-05"] == {"ucsp": "pass"}
    assert sum(matrix_counts(rows, ["ucsp"]).values()) == 6  # every requirement but LOGIN-01


def test_counts_and_counts_line_say_what_they_count() -> None:
    rows = requirement_matrix(RECORDS, REGISTRY, BOTH, COVERAGE)
    counts = matrix_counts(rows, BOTH)
    assert dict(counts) == {
        "failure": 1,  # LOGIN-01/industry
        "warning": 1,  # FMT-13/ucsp
        "error": 1,  # SEC-06/industry
        "unjudged": 4,  # PAY-05, INQ-01, FMT-13 (industry), SEC-06 (ucsp)
        "pass": 2,  # PAY-01, PAY-05 (ucsp)
        "not-run": 1,  # INQ-01/ucsp
        "uncovered": 2,  # NOT-01 for both roles
    }
    line = counts_line(rows, list(BOTH))
    assert line == (
        "requirement × role cells: 12 (7 requirements, role(s) industry, ucsp): 1 failure, "
        "1 warning, 1 error, 4 unjudged, 2 pass, 1 not-run, 2 uncovered"
    )
    assert set(CELL_LEGEND) == set(Cell)


def test_requirements_json_lists_every_cell() -> None:
    rows = requirement_matrix(RECORDS, REGISTRY, BOTH, COVERAGE)
    listed = requirements_json(rows, BOTH)
    assert len(listed) == 12
    assert listed[0] == {
        "id": "PAY-01",
        "level": "MUST",
        "role": "ucsp",
        "verdict": "pass",
        "scenarios": ["replay", "order"],
    }
    login = next(c for c in listed if c["id"] == "LOGIN-01")
    assert login == {
        "id": "LOGIN-01",
        "level": "MUST",
        "role": "industry",
        "verdict": "failure",
        "scenarios": ["login"],
    }
    assert {c["verdict"] for c in listed if c["id"] == "NOT-01"} == {"uncovered"}


# --- partial runs --------------------------------------------------------------------------


def _complete_rows() -> list[Any]:
    records = [
        _record(rid, role, "pass", [rid]) for rid, roles in COVERAGE.items() for role in roles
    ]
    return requirement_matrix(records, REGISTRY, BOTH, COVERAGE)


def test_a_complete_run_is_not_partial() -> None:
    assert partial_reasons(Selection(roles=BOTH), _complete_rows()) == []


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        (Selection(roles=BOTH, tags="SEC-02"), "scenarios selected by tags: SEC-02"),
        (Selection(roles=BOTH, keywords="order"), "scenarios selected by keywords: order"),
        (Selection(roles=BOTH, scenarios=("a", "b")), "scenarios selected by name: 2"),
        (Selection(roles=BOTH, faults=("replay-accepted",)), "faults switched on: replay-accepted"),
    ],
)
def test_selecting_or_faults_make_a_run_partial(selection: Selection, reason: str) -> None:
    assert partial_reasons(selection, _complete_rows()) == [reason]


def test_feature_files_outside_or_missing_make_a_run_partial() -> None:
    reasons = partial_reasons(
        Selection(roles=BOTH),
        _complete_rows(),
        outside_features=["local/mine.feature"],
        missing_features=["features/x.feature"],
    )
    assert reasons == [
        "feature files outside the suite's own set: local/mine.feature",
        "feature files of the suite not run: features/x.feature",
    ]


def test_requirements_not_run_for_a_role_under_test_make_a_run_partial() -> None:
    rows = requirement_matrix(RECORDS, REGISTRY, BOTH, COVERAGE)
    assert partial_reasons(Selection(roles=BOTH), rows) == [
        "3 requirement(s) of role industry not judged: PAY-05 FMT-13 INQ-01",
        "1 requirement(s) of role ucsp not run: INQ-01",
        "1 requirement(s) of role ucsp not judged: SEC-06",
    ]
    # A one-role run certifies that role: the other role's requirements are not part of it.
    ucsp_only = [r for r in RECORDS if r["role"] == "ucsp"]
    rows = requirement_matrix(
        [*ucsp_only, *(_record(r, "ucsp", "pass", [r]) for r in ("INQ-01", "SEC-06"))],
        REGISTRY,
        ["ucsp"],
        COVERAGE,
    )
    assert partial_reasons(Selection(roles=("ucsp",)), rows) == []


def test_a_should_violation_leaves_later_musts_unjudged_and_the_run_partial() -> None:
    # The SHOULD violation stops the scenario: SEC-06, checked after it, was never judged.
    records = [
        _record("skew", "ucsp", "warning", ["FMT-13", "SEC-06"], ["FMT-13"]),
        *(_record(rid, "ucsp", "pass", [rid]) for rid in ("PAY-01", "PAY-05", "INQ-01")),
    ]
    coverage = {rid: {"ucsp"} for rid in ("PAY-01", "PAY-05", "SEC-06", "FMT-13", "INQ-01")}
    run = run_summary(records, REGISTRY, Selection(roles=("ucsp",)), coverage)
    assert run["cells"]["unjudged"] == 1
    assert run["partialReasons"] == ["1 requirement(s) of role ucsp not judged: SEC-06"]
    assert (run["result"], run["badge"]) == ("CONFORMANT", "PARTIAL CONFORMANT")
    assert run["exitCode"] == 0


def test_the_violations_of_an_error_scenario_are_evidence_and_grade_nothing() -> None:
    # A scenario graded ERROR (its SUT went away) keeps its violations but fails no cell.
    records = [_record("gone", "ucsp", "error", ["PAY-01"], ["PAY-01"])]
    rows = requirement_matrix(records, REGISTRY, ["ucsp"], COVERAGE)
    assert {row.requirement.id: row.verdicts.get("ucsp") for row in rows}["PAY-01"] == Cell.ERROR


def test_test_modules_outside_the_suite_make_a_run_partial_and_round_trip() -> None:
    records = [
        _record(rid, role, "pass", [rid]) for rid, roles in COVERAGE.items() for role in roles
    ]
    run = run_summary(
        records, REGISTRY, Selection(roles=BOTH), COVERAGE, outside_tests=["local/test_x.py"]
    )
    assert run["partialReasons"] == ["test modules outside the suite's own set: local/test_x.py"]
    assert run["badge"] == "PARTIAL CONFORMANT" and run["outsideTests"] == ["local/test_x.py"]
    assert summary_of(run, records, REGISTRY, list(BOTH)) == run


def test_run_summary_round_trips_through_its_own_dict() -> None:
    selection = Selection(roles=BOTH, tags="PAY-01", strict=True)
    run = run_summary(RECORDS, REGISTRY, selection, COVERAGE, stopped="stopped: 5 in a row")
    assert run["result"] == "NOT CONFORMANT" and run["exitCode"] == 1
    assert run["badge"] == "PARTIAL NOT CONFORMANT" and run["partial"] is True
    assert run["selection"]["tags"] == "PAY-01" and run["selection"]["strict"] is True
    assert run["stopped"] == "stopped: 5 in a row"
    assert run["verdicts"] == {"failure": 1, "warning": 1, "error": 2, "pass": 1, "skipped": 1}
    assert run["coverage"]["LOGIN-01"] == ["industry"]
    again = summary_of(run, RECORDS, REGISTRY, ["ucsp"])
    assert again == run
    # Without a run dict (an older results file): the given roles, only the records.
    bare = summary_of({}, [_record("order", "ucsp", "pass", ["PAY-01"])], REGISTRY, ["ucsp"])
    assert (bare["result"], bare["partial"]) == ("CONFORMANT", False)
    assert bare["selection"]["roles"] == ["ucsp"]
