"""What a run amounts to: its overall result, whether it is partial, and the requirement matrix.

Pure functions over the scenario records of ``results.json`` (see :mod:`ucsp.results`).

Overall result (:func:`overall_result`):

- CONFORMANT (exit 0): every selected scenario ran to its end, no FAILURE, no ERROR;
- NOT CONFORMANT (exit 1): at least one FAILURE, errors or not;
- INCOMPLETE (exit 2): no FAILURE, and at least one ERROR, a skipped scenario, a stopped
  run, or a configuration error; and any run interrupted (Ctrl-C), failures or not: its
  ``stopped`` reason is :data:`INTERRUPTED`.

Requirement matrix (:func:`requirement_matrix`), one cell per requirement and role under
test (a role the requirement does not list has no cell):

- ``failure`` / ``warning``: a violation raised in that role names the requirement (and the
  requirement is among that scenario's tags), in a scenario graded FAILURE or WARNING (the
  violations of a scenario graded ERROR, e.g. one whose SUT went away, are kept as evidence
  and grade nothing);
- ``pass``: no violation names it, and at least one scenario tagged with it ran to its end;
- ``error``: scenarios tagged with it were selected, none reached its end, one ended in ERROR;
- ``unjudged``: scenarios tagged with it were selected, none reached its end (they stopped at
  a violation of another requirement, or were skipped), none ended in ERROR;
- ``not-run``: the suite has scenarios for it, none was selected;
- ``uncovered``: no scenario of the suite covers it.

A run is PARTIAL (:func:`partial_reasons`) when it selects scenarios, switches faults on,
includes feature files or test modules outside the suite's own set, leaves feature files of
the suite out, or leaves requirements of a role under test not run or not judged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ucsp.requirements import Requirement
from ucsp.verdict import Verdict, verdict_for_violation

__all__ = [
    "CELL_LEGEND",
    "CELL_ORDER",
    "Cell",
    "RequirementRow",
    "Result",
    "Selection",
    "badge",
    "counts_line",
    "exit_code",
    "matrix_counts",
    "overall_result",
    "partial_reasons",
    "requirement_matrix",
    "requirements_json",
]


class Result(StrEnum):
    """The overall result of a run."""

    CONFORMANT = "CONFORMANT"
    NOT_CONFORMANT = "NOT CONFORMANT"
    INCOMPLETE = "INCOMPLETE"


EXIT_CODES = {Result.CONFORMANT: 0, Result.NOT_CONFORMANT: 1, Result.INCOMPLETE: 2}
INTERRUPTED = "interrupted"  # the stopped reason of a run interrupted before its end


class Cell(StrEnum):
    """The grade of one requirement for one role under test."""

    FAILURE = "failure"
    WARNING = "warning"
    ERROR = "error"
    UNJUDGED = "unjudged"
    PASS = "pass"  # noqa: S105 (a grade, not a password)
    NOT_RUN = "not-run"
    UNCOVERED = "uncovered"


CELL_ORDER = tuple(Cell)
CELL_LEGEND: Mapping[Cell, str] = {
    Cell.FAILURE: "a violation of this MUST requirement (or of a SHOULD in a strict run) was seen",
    Cell.WARNING: "a violation of this SHOULD requirement was seen",
    Cell.ERROR: "its scenarios were selected, none reached its end, at least one ended in ERROR",
    Cell.UNJUDGED: "its scenarios were selected, none reached its end (stopped at a violation "
    "of another requirement, or skipped)",
    Cell.PASS: "no violation names it and at least one scenario tagged with it ran to its end",
    Cell.NOT_RUN: "the suite covers it, but no selected scenario did",
    Cell.UNCOVERED: "no scenario of the suite covers it",
}


def overall_result(
    records: Iterable[Mapping[str, Any]],
    *,
    stopped: bool = False,
    config_error: bool = False,
    interrupted: bool = False,
) -> Result:
    """The run's result from its scenario records (see the module docstring)."""
    if interrupted:
        return Result.INCOMPLETE
    verdicts = Counter(str(r.get("verdict", "")) for r in records)
    if verdicts["failure"]:
        return Result.NOT_CONFORMANT
    if config_error or stopped or not verdicts or set(verdicts) - {"pass", "warning"}:
        return Result.INCOMPLETE
    return Result.CONFORMANT


def exit_code(result: Result) -> int:
    return EXIT_CODES[result]


def badge(result: Result, partial: bool) -> str:
    """``CONFORMANT``, ``PARTIAL CONFORMANT``, ``PARTIAL NOT CONFORMANT``, ..."""
    return f"PARTIAL {result}" if partial else str(result)


@dataclass
class RequirementRow:
    requirement: Requirement
    verdicts: dict[str, str] = field(default_factory=dict)  # role under test -> Cell
    scenarios: dict[str, list[str]] = field(default_factory=dict)  # role -> selected scenarios


def _applies(requirement: Requirement, role: str) -> bool:
    return role in {str(r) for r in requirement.roles}


def requirement_matrix(
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    roles: Iterable[str],
    coverage: Mapping[str, Collection[str]] | None = None,
    *,
    strict: bool = False,
) -> list[RequirementRow]:
    """One row per requirement (registry order), one cell per role under test it lists.

    ``coverage`` maps a requirement ID to the roles for which some scenario of the whole
    suite (selected or not) is tagged with it; None: only the selected records count.
    """
    roles = list(roles)
    violated: dict[tuple[str, str], set[Cell]] = {}
    ran: dict[tuple[str, str], set[str]] = {}
    rows = {rid: RequirementRow(req) for rid, req in registry.items()}
    for record in records:
        role = str(record.get("role", ""))
        tags = [str(t) for t in record.get("requirements", [])]
        claims = str(record.get("verdict", "")) in (Verdict.FAILURE, Verdict.WARNING)
        for violation in (record.get("violations", []) or []) if claims else []:
            rid = str(violation.get("requirement", ""))
            if rid in rows and rid in tags:  # a misattributed violation grades nothing
                level = rows[rid].requirement.level
                cell = Cell(str(verdict_for_violation(level, strict=strict)))
                violated.setdefault((rid, role), set()).add(cell)
        for rid in tags:
            row = rows.get(rid)
            if row is None or not _applies(row.requirement, role):
                continue
            ran.setdefault((rid, role), set()).add(str(record.get("verdict", "")))
            names = row.scenarios.setdefault(role, [])
            name = str(record.get("scenario", ""))
            if name not in names:
                names.append(name)
    for rid, row in rows.items():
        for role in roles:
            if not _applies(row.requirement, role):
                continue
            row.verdicts[role] = _cell(
                violated.get((rid, role), set()),
                ran.get((rid, role)),
                covered=coverage is not None and role in coverage.get(rid, ()),
            )
    return list(rows.values())


def _cell(violations: set[Cell], verdicts: set[str] | None, *, covered: bool) -> Cell:
    if Cell.FAILURE in violations:
        return Cell.FAILURE
    if violations:
        return Cell.WARNING
    if verdicts is None:
        return Cell.NOT_RUN if covered else Cell.UNCOVERED
    if "pass" in verdicts:
        return Cell.PASS
    if "error" in verdicts:
        return Cell.ERROR
    return Cell.UNJUDGED


def matrix_counts(rows: Iterable[RequirementRow], roles: Iterable[str]) -> Counter[str]:
    """How many requirement × role cells of the run's roles end in each grade."""
    roles = list(roles)
    counts: Counter[str] = Counter()
    for row in rows:
        for role in roles:
            if role in row.verdicts:
                counts[row.verdicts[role]] += 1
    return counts


def counts_line(rows: Sequence[RequirementRow], roles: Sequence[str]) -> str:
    """The counts the ``run`` command prints, saying what it counts."""
    counts = matrix_counts(rows, roles)
    grades = ", ".join(f"{counts[c]} {c}" for c in CELL_ORDER)
    return (
        f"requirement × role cells: {sum(counts.values())} ({len(rows)} requirements, "
        f"role(s) {', '.join(roles)}): {grades}"
    )


def requirements_json(rows: Iterable[RequirementRow], roles: Iterable[str]) -> list[dict[str, Any]]:
    """``requirements.json``: one ``{id, level, role, verdict, scenarios}`` per cell."""
    roles = list(roles)
    return [
        {
            "id": row.requirement.id,
            "level": str(row.requirement.level),
            "role": role,
            "verdict": row.verdicts[role],
            "scenarios": row.scenarios.get(role, []),
        }
        for row in rows
        for role in roles
        if role in row.verdicts
    ]


@dataclass(frozen=True)
class Selection:
    """What a run selected: what a certification body needs to know to judge its scope."""

    roles: tuple[str, ...] = ()
    tags: str | None = None  # the marker expression (--tags / -m)
    keywords: str | None = None  # pytest's -k expression
    scenarios: tuple[str, ...] = ()
    faults: tuple[str, ...] = ()
    strict: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles),
            "tags": self.tags,
            "keywords": self.keywords,
            "scenarios": list(self.scenarios),
            "faults": list(self.faults),
            "strict": self.strict,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Selection:
        return cls(
            roles=tuple(data.get("roles") or ()),
            tags=data.get("tags") or None,
            keywords=data.get("keywords") or None,
            scenarios=tuple(data.get("scenarios") or ()),
            faults=tuple(data.get("faults") or ()),
            strict=bool(data.get("strict")),
        )


def partial_reasons(
    selection: Selection,
    rows: Sequence[RequirementRow],
    *,
    outside_features: Sequence[str] = (),
    missing_features: Sequence[str] = (),
    outside_tests: Sequence[str] = (),
) -> list[str]:
    """Why a run certifies less than its roles (empty: the run is not partial)."""
    reasons = []
    if selection.tags:
        reasons.append(f"scenarios selected by tags: {selection.tags}")
    if selection.keywords:
        reasons.append(f"scenarios selected by keywords: {selection.keywords}")
    if selection.scenarios:
        reasons.append(f"scenarios selected by name: {len(selection.scenarios)}")
    if selection.faults:
        reasons.append(f"faults switched on: {', '.join(selection.faults)}")
    if outside_features:
        reasons.append(f"feature files outside the suite's own set: {', '.join(outside_features)}")
    if outside_tests:
        reasons.append(f"test modules outside the suite's own set: {', '.join(outside_tests)}")
    if missing_features:
        reasons.append(f"feature files of the suite not run: {', '.join(missing_features)}")
    for role in selection.roles:
        for cell, what in ((Cell.NOT_RUN, "not run"), (Cell.UNJUDGED, "not judged")):
            ids = [r.requirement.id for r in rows if r.verdicts.get(role) == cell]
            if ids:
                shown = " ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
                reasons.append(f"{len(ids)} requirement(s) of role {role} {what}: {shown}")
    return reasons


def run_summary(
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    selection: Selection,
    coverage: Mapping[str, Collection[str]] | None,
    *,
    stopped: str | None = None,
    outside_features: Sequence[str] = (),
    missing_features: Sequence[str] = (),
    outside_tests: Sequence[str] = (),
    interrupted: bool = False,
) -> dict[str, Any]:
    """The ``run`` part of ``results.json``: result, partial marking, selection, counts.

    Holds everything needed to compute it again (:func:`summary_of`).
    """
    rows = requirement_matrix(records, registry, selection.roles, coverage, strict=selection.strict)
    reasons = partial_reasons(
        selection,
        rows,
        outside_features=outside_features,
        missing_features=missing_features,
        outside_tests=outside_tests,
    )
    result = overall_result(records, stopped=bool(stopped), interrupted=interrupted)
    if interrupted:
        stopped = INTERRUPTED
    return {
        "result": str(result),
        "exitCode": exit_code(result),
        "partial": bool(reasons),
        "partialReasons": reasons,
        "badge": badge(result, bool(reasons)),
        "stopped": stopped or None,
        "interrupted": interrupted,
        "selection": selection.as_dict(),
        "verdicts": dict(Counter(str(r.get("verdict", "")) for r in records)),
        "cells": dict(matrix_counts(rows, selection.roles)),
        "coverage": {rid: sorted(roles) for rid, roles in (coverage or {}).items()},
        "outsideFeatures": list(outside_features),
        "missingFeatures": list(missing_features),
        "outsideTests": list(outside_tests),
    }


def summary_of(
    run: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    roles: Sequence[str],
) -> dict[str, Any]:
    """:func:`run_summary` again from a ``run`` dict (``roles`` when it names none)."""
    selection = Selection.from_dict(run.get("selection") or {"roles": list(roles)})
    if not selection.roles:
        selection = Selection.from_dict({**selection.as_dict(), "roles": list(roles)})
    coverage = run.get("coverage")
    return run_summary(
        records,
        registry,
        selection,
        coverage if isinstance(coverage, Mapping) and coverage else None,
        stopped=run.get("stopped") or None,
        outside_features=list(run.get("outsideFeatures") or ()),
        missing_features=list(run.get("missingFeatures") or ()),
        outside_tests=list(run.get("outsideTests") or ()),
        interrupted=bool(run.get("interrupted")),
    )
