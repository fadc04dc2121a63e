"""Baselines: known deviations a run accepts until a date (``run --baseline FILE``).

A baseline is a TOML list of waivers, one ``[[waiver]]`` table each::

    [[waiver]]
    requirement = "NOT-03"      # or: scenario = "<title as run and list print it>"
    role = "industry"           # the role under test: industry | ucsp
    reason = "known: notice answered late, fix in 2.4"
    owner = "payments-team"
    expires = 2027-03-31        # a TOML date; the waiver holds through that day

Rules (:func:`judge`):

- A scenario record of a role that deviates (verdict FAILURE, or WARNING) is *waived* when a
  live waiver of that role names its title, or when live waivers of that role name every
  requirement its violations name. A waived FAILURE no longer fails the run; its verdict,
  and the requirement matrix, stay as they are.
- A waiver is live through its ``expires`` date (the run's start date, UTC). An expired
  waiver waives nothing and fails the run (NOT CONFORMANT, exit 1), matched or not.
- A waiver's status: ``applied`` (a deviation it names is still there), ``can be removed``
  (what it names ran and no longer deviates), ``not run`` (no selected scenario of its role
  carries what it names: the run says nothing about it), or ``expired``.

With waivers applied and no other failure, the run is CONFORMANT with the number of waived
failures in its badge: ``CONFORMANT (2 failures waived)``. A certification run (``--certify``)
refuses a baseline.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from ucsp.errors import ConfigError
from ucsp.outcome import Result, exit_code, overall_result
from ucsp.requirements import Requirement
from ucsp.results import record_title

__all__ = [
    "CERTIFY_REFUSES",
    "Judgement",
    "Status",
    "Waiver",
    "WaiverStatus",
    "apply_judgement",
    "check_baseline",
    "evidence_fields",
    "judge",
    "load_baseline",
    "mark_cells",
    "mark_records",
    "parse_baseline",
]

ROLES = ("industry", "ucsp")
KEYS = ("requirement", "scenario", "role", "reason", "owner", "expires")
REQUIRED = ("role", "reason", "owner", "expires")
DEVIATING = ("failure", "warning")
CERTIFY_REFUSES = (
    "--certify refuses waivers: a certification reports every deviation; drop --baseline"
)
Kind = Literal["requirement", "scenario"]
Status = Literal["applied", "can be removed", "not run", "expired"]
_FIXES = {
    "role": 'role = "industry" or "ucsp" (the role under test)',
    "reason": 'reason = "..." (why the deviation is accepted)',
    "owner": 'owner = "..." (who answers for it)',
    "expires": "expires = 2027-03-31 (a TOML date, no quotes)",
}


@dataclass(frozen=True)
class Waiver:
    """One ``[[waiver]]`` table; ``number`` is its position in the file, from 1."""

    number: int
    kind: Kind
    id: str  # a requirement ID, or a scenario's rendered title
    role: str
    reason: str
    owner: str
    expires: date

    @property
    def name(self) -> str:
        what = self.id if self.kind == "requirement" else repr(self.id)
        return f"waiver #{self.number} ({self.kind} {what} [{self.role}])"

    def live(self, today: date) -> bool:
        return today <= self.expires


# --- loading -------------------------------------------------------------------------------


def load_baseline(path: Path, registry: Mapping[str, Requirement] | None = None) -> list[Waiver]:
    """Read and check a baseline file; every problem is a one-line ConfigError."""
    where = f"--baseline {path}"
    if not path.is_file():
        raise ConfigError(f"{where}: no such file; name a TOML file of [[waiver]] tables")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read it ({exc}); name a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc}); fix the file") from None
    return parse_baseline(data, where, registry)


def parse_baseline(
    data: Mapping[str, Any], where: str, registry: Mapping[str, Requirement] | None = None
) -> list[Waiver]:
    """The waivers of a parsed baseline; ``registry``, when given, checks requirement IDs."""
    unknown = sorted(set(data) - {"waiver"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown top-level key {unknown[0]!r}; the file holds only [[waiver]] tables"
        )
    tables = data.get("waiver", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: 'waiver' must be [[waiver]] tables, one per waiver")
    waivers: list[Waiver] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, table in enumerate(tables, start=1):
        waiver = _waiver(table, number, f"{where}: waiver #{number}", registry)
        key = (waiver.kind, waiver.id, waiver.role)
        if key in seen:
            raise ConfigError(
                f"{where}: waiver #{number} repeats waiver #{seen[key]} ({waiver.kind} "
                f"{waiver.id!r}, role {waiver.role}); keep one of them"
            )
        seen[key] = number
        waivers.append(waiver)
    return waivers


def _waiver(
    table: Mapping[str, Any], number: int, where: str, registry: Mapping[str, Requirement] | None
) -> Waiver:
    for key in table:
        if key not in KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r}; a waiver has requirement or scenario, "
                "role, reason, owner and expires"
            )
    named = [key for key in ("requirement", "scenario") if key in table]
    if len(named) != 1:
        both = "both requirement and scenario" if named else "neither requirement nor scenario"
        raise ConfigError(
            f'{where}: it names {both}; give exactly one: requirement = "PAY-05" or '
            'scenario = "<title as run and list print it>"'
        )
    for key in REQUIRED:
        if key not in table:
            raise ConfigError(f"{where}: missing key {key!r}; add {_FIXES[key]}")
    kind: Kind = "requirement" if named[0] == "requirement" else "scenario"
    ident = _text(table, kind, where)
    role = _text(table, "role", where)
    if role not in ROLES:
        raise ConfigError(f"{where}: key 'role' is {role!r}; use {_FIXES['role']}")
    if kind == "requirement" and registry is not None:
        _check_requirement(ident, role, where, registry)
    return Waiver(
        number=number,
        kind=kind,
        id=ident,
        role=role,
        reason=_text(table, "reason", where),
        owner=_text(table, "owner", where),
        expires=_date(table["expires"], where),
    )


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: key {key!r} must be a non-empty string, not {value!r}")
    return value.strip()


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
        raise ConfigError(
            f"{where}: key 'expires' is {shown}; use {_FIXES['expires']}, not a string "
            "or a date-time"
        )
    return value


def _check_requirement(
    ident: str, role: str, where: str, registry: Mapping[str, Requirement]
) -> None:
    requirement = registry.get(ident)
    if requirement is None:
        raise ConfigError(
            f"{where}: key 'requirement' is {ident!r}, which the registry does not hold; "
            "use an ID of features/requirements.toml"
        )
    roles = [str(r) for r in requirement.roles]
    if role not in roles:
        raise ConfigError(
            f"{where}: requirement {ident} does not apply to role {role} (only "
            f"{', '.join(roles)}); fix key 'role' or 'requirement'"
        )


def check_baseline(
    path: Path | None, certify: bool, registry: Mapping[str, Requirement] | None = None
) -> list[Waiver]:
    """What ``run`` checks before its child starts: ``--certify`` refuses a baseline, and
    the baseline (if any) loads clean."""
    if path is None:
        return []
    if certify:
        raise ConfigError(CERTIFY_REFUSES)
    return load_baseline(path, registry)


# --- judging a run -------------------------------------------------------------------------


@dataclass(frozen=True)
class WaiverStatus:
    waiver: Waiver
    status: Status
    scenarios: tuple[str, ...] = ()  # titles of the deviating scenarios it names

    def as_dict(self) -> dict[str, Any]:
        """The waiver as ``meta["waivers"]`` holds it (report.html, results.json, manifest)."""
        waiver = self.waiver
        return {
            "number": waiver.number,
            "kind": waiver.kind,
            "id": waiver.id,
            "role": waiver.role,
            "reason": waiver.reason,
            "owner": waiver.owner,
            "expires": waiver.expires.isoformat(),
            "status": self.status,
            "scenarios": list(self.scenarios),
        }


@dataclass(frozen=True)
class Judgement:
    """The waivers' statuses and which scenario records (by index) they waive."""

    statuses: tuple[WaiverStatus, ...] = ()
    waived: frozenset[int] = frozenset()
    not_waived: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # index -> rest

    @property
    def expired(self) -> list[Waiver]:
        return [s.waiver for s in self.statuses if s.status == "expired"]

    def as_meta(self) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self.statuses]

    def lines(self, records: Sequence[Mapping[str, Any]]) -> list[str]:
        """What ``run`` prints about the baseline, one line per waiver and per scenario
        a requirement waiver could not waive alone."""
        lines = []
        for item in self.statuses:
            waiver = item.waiver
            text = f"{waiver.name}, owner {waiver.owner}, expires {waiver.expires.isoformat()}: "
            if item.status == "expired":
                text += (
                    f"EXPIRED on {waiver.expires.isoformat()}: the run fails; renew or remove it"
                )
            elif item.status == "applied":
                shown = "; ".join(item.scenarios[:3]) + (" ..." if len(item.scenarios) > 3 else "")
                text += f"applied to {_count(len(item.scenarios), 'scenario')}: {shown}"
            elif item.status == "can be removed":
                text += "can be removed: what it names ran and no longer deviates"
            else:
                text += "not run: no selected scenario of its role carries what it names"
            lines.append(f"baseline: {text}")
        for index, rest in sorted(self.not_waived.items()):
            lines.append(
                f"baseline: not waived: {record_title(records[index])} "
                f"[{records[index].get('role')}]"
                f" also violates {', '.join(rest)}, which no live waiver names"
            )
        return lines


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _violated(record: Mapping[str, Any]) -> list[str]:
    """The requirements a deviating record's violations name, in order, once each."""
    ids: list[str] = []
    for violation in record.get("violations") or []:
        rid = str(violation.get("requirement", ""))
        if rid and rid not in ids:
            ids.append(rid)
    return ids


def judge(
    waivers: Sequence[Waiver], records: Sequence[Mapping[str, Any]], today: date
) -> Judgement:
    """Match the waivers against the run's scenario records (see the module docstring)."""
    live = [w for w in waivers if w.live(today)]
    by_scenario = {(w.id, w.role) for w in live if w.kind == "scenario"}
    by_requirement = {(w.id, w.role) for w in live if w.kind == "requirement"}
    waived: set[int] = set()
    not_waived: dict[int, tuple[str, ...]] = {}
    for index, record in enumerate(records):
        if str(record.get("verdict", "")) not in DEVIATING:
            continue
        role = str(record.get("role", ""))
        ids = _violated(record)
        rest = tuple(rid for rid in ids if (rid, role) not in by_requirement)
        if (record_title(record), role) in by_scenario or (ids and not rest):
            waived.add(index)
        elif len(rest) < len(ids):  # some of its requirements waived, not all
            not_waived[index] = rest
    statuses = tuple(_status(w, records, today) for w in waivers)
    return Judgement(statuses, frozenset(waived), not_waived)


def _status(waiver: Waiver, records: Sequence[Mapping[str, Any]], today: date) -> WaiverStatus:
    mine = [r for r in records if str(r.get("role", "")) == waiver.role]
    if waiver.kind == "scenario":
        ran = [r for r in mine if record_title(r) == waiver.id]
        deviating = [r for r in ran if str(r.get("verdict", "")) in DEVIATING]
    else:
        ran = [r for r in mine if waiver.id in [str(t) for t in r.get("requirements") or []]]
        deviating = [
            r for r in ran if str(r.get("verdict", "")) in DEVIATING and waiver.id in _violated(r)
        ]
    titles = tuple(record_title(r) for r in deviating)
    if not waiver.live(today):
        return WaiverStatus(waiver, "expired", titles)
    if deviating:
        return WaiverStatus(waiver, "applied", titles)
    return WaiverStatus(waiver, "can be removed" if ran else "not run")


def apply_judgement(
    outcome: Mapping[str, Any], records: Sequence[Mapping[str, Any]], judgement: Judgement
) -> dict[str, Any]:
    """The run's outcome (:func:`ucsp.outcome.run_summary`) with the waivers applied:
    result, exit code and badge; ``waived``, the number of waived FAILURE records; and
    ``expiredWaivers``, one line per expired waiver."""
    failures = sum(1 for i in judgement.waived if records[i].get("verdict") == "failure")
    accepted = [
        {**r, "verdict": "warning"} if i in judgement.waived else r for i, r in enumerate(records)
    ]
    result = overall_result(accepted, stopped=bool(outcome.get("stopped")))
    if outcome.get("interrupted"):  # an interrupted run stays what it was: INCOMPLETE
        result = Result(str(outcome["result"]))
    expired = [
        f"{w.name} expired on {w.expires.isoformat()}; renew or remove it"
        for w in judgement.expired
    ]
    if expired and not outcome.get("interrupted"):
        result = Result.NOT_CONFORMANT
    badge = f"PARTIAL {result}" if outcome.get("partial") else str(result)
    if failures:
        badge += f" ({_count(failures, 'failure')} waived)"
    return {
        **outcome,
        "result": str(result),
        "exitCode": exit_code(result),
        "badge": badge,
        "waived": failures,
        "expiredWaivers": expired,
    }


def mark_records(
    records: Sequence[Mapping[str, Any]], judgement: Judgement
) -> list[dict[str, Any]]:
    """The records, each waived one with ``"waived": true`` (its verdict unchanged)."""
    return [
        {**r, "waived": True} if i in judgement.waived else dict(r) for i, r in enumerate(records)
    ]


def mark_cells(
    cells: Sequence[Mapping[str, Any]], records: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """``requirements.json`` cells, a FAILURE or WARNING cell ``"waived": true`` when every
    scenario record whose violation grades it is waived (its verdict unchanged)."""
    grading: dict[tuple[str, str], list[bool]] = {}
    for record in records:
        if str(record.get("verdict", "")) not in DEVIATING:
            continue
        tags = {str(t) for t in record.get("requirements") or []}
        for rid in _violated(record):
            if rid in tags:
                key = (rid, str(record.get("role", "")))
                grading.setdefault(key, []).append(bool(record.get("waived")))
    marked = []
    for cell in cells:
        flags = grading.get((str(cell.get("id")), str(cell.get("role"))), [])
        waived = cell.get("verdict") in DEVIATING and bool(flags) and all(flags)
        marked.append({**cell, "waived": True} if waived else dict(cell))
    return marked


def evidence_fields(judgement: Judgement, certify: bool) -> dict[str, Any]:
    """What results.json's ``run`` and the evidence manifest record about waivers."""
    if certify:
        return {"certification": True, "waivers": "refused"}
    return {"certification": False, "waivers": judgement.as_meta()}
