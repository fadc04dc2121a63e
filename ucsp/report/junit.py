"""junit.xml as CI tools read it, rendered from a run's final scenario records.

One ``<testsuite>`` per feature and role (``"<feature> [<role>]"``) inside
``<testsuites name="ucsp-conformance">``, each with its counts and the run's result as
properties. One ``<testcase>`` per scenario record, named by its rendered title and role,
classed ``<feature file stem>.<role>``:

- FAILURE: ``<failure message="REQ-ID: message" type="REQ-ID">``, its body the violated
  requirements with their registry text, the messages, and a summary of the exchanges
  (direction, msgType, HTTP status, code): never a Python traceback;
- ERROR: ``<error message="<kind>: <cause>" type="<kind>">``;
- WARNING (a SHOULD violated): the test case passes, with a ``warning`` property per
  requirement and a ``WARNING REQ-ID: message`` line in ``<system-out>``;
- skipped: ``<skipped message=...>``;
- a FAILURE a baseline waives (the record's ``waived``): the test case passes, with a
  ``waived`` property per requirement and a ``WAIVED REQ-ID: message`` line in
  ``<system-out>``, so that a CI gate agrees with the run's exit code.

The records are those of ``results.json`` (:mod:`ucsp.results`), already masked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ucsp.requirements import Requirement
from ucsp.results import record_title
from ucsp.verdict import Verdict, verdict_for_violation

__all__ = [
    "EXCHANGES_SHOWN",
    "exchange_summary",
    "failing_violations",
    "feature_stems",
    "verdict_text",
    "warning_violations",
    "write_junit",
]

EXCHANGES_SHOWN = 20  # exchange lines in a failure body; the rest are counted
# Characters XML 1.0 cannot carry at all, even escaped: shown as Python escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def write_junit(
    path: Path,
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    meta: Mapping[str, Any],
    features: Iterable[Path] = (),
) -> None:
    """Write ``path`` from the run's ``records``; ``meta`` is the run's (result, badge,
    suiteVersion, targetName, profileSha256, runId, started, selection); ``features`` the
    feature files the run collected, for each test case's class name."""
    stems = feature_stems(features)
    strict = bool((meta.get("selection") or {}).get("strict"))
    root = ET.Element("testsuites", name="ucsp-conformance")
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for record in records:
        key = (str(record.get("feature") or "(collection)"), str(record.get("role") or "suite"))
        groups.setdefault(key, []).append(record)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    duration = 0.0
    for (feature, role), members in groups.items():
        suite = _suite(root, feature, role, members, meta)
        for record in members:
            _case(suite, record, role, registry, stems, strict)
        for name in totals:
            totals[name] += int(suite.get(name, "0"))
        duration += sum(float(r.get("duration") or 0) for r in members)
    for name, value in totals.items():
        root.set(name, str(value))
    root.set("time", f"{duration:.3f}")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    ET.fromstring(text)  # noqa: S314 - our own text: proves it parses before it is written
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n", encoding="utf-8")


def feature_stems(paths: Iterable[Path]) -> dict[str, str]:
    """Each feature's name (its ``Feature:`` line) -> the stem of its file."""
    stems: dict[str, str] = {}
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            if line.strip().startswith("Feature:"):
                stems.setdefault(line.strip()[len("Feature:") :].strip(), Path(path).stem)
                break
    return stems


def failing_violations(record: Mapping[str, Any], strict: bool) -> list[Mapping[str, Any]]:
    """The violations that made a FAILURE: of MUST requirements (and SHOULD ones in a strict
    run); all of them when none is graded so (the record says FAILURE all the same)."""
    violations = list(record.get("violations") or [])
    graded = [v for v in violations if _graded(v, strict) is Verdict.FAILURE]
    return graded or violations


def warning_violations(record: Mapping[str, Any], strict: bool) -> list[Mapping[str, Any]]:
    """The violations graded WARNING: of SHOULD requirements, in a run that is not strict."""
    return [v for v in record.get("violations") or [] if _graded(v, strict) is Verdict.WARNING]


def verdict_text(
    record: Mapping[str, Any], registry: Mapping[str, Requirement], strict: bool
) -> str:
    """What a CI reader needs of a scenario that did not pass: each violated requirement with
    its registry text and the message, the error if any, and the exchanges in short."""
    lines: list[str] = []
    error = record.get("error")
    if error:
        lines.append(f"ERROR ({error.get('kind')}): {error.get('cause')}")
    violations = list(record.get("violations") or [])
    if violations:
        if error:
            lines += ["", "violations seen (kept as evidence, grading nothing):"]
        for violation in violations:
            rid = str(violation.get("requirement"))
            requirement = registry.get(rid)
            level = violation.get("level") or (requirement.level if requirement else "")
            graded = None if error else _graded(violation, strict)
            label = f"{level}, {graded.upper()}" if graded else str(level)
            text = requirement.text if requirement else "(not in the registry)"
            lines.append(f"{rid} ({label}): {text}")
            lines.append(f"  {rid}: {violation.get('message')}")
    elif not error and record.get("message"):
        lines.append(str(record["message"]))
    lines += ["", *exchange_summary(record.get("exchanges") or [])]
    return "\n".join(lines).strip()


def exchange_summary(exchanges: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per exchange: direction, msgType, HTTP status, response code."""
    if not exchanges:
        return ["exchanges: none"]
    lines = [f"exchanges ({len(exchanges)}):"]
    for index, exchange in enumerate(exchanges[:EXCHANGES_SHOWN], 1):
        status = exchange.get("status")
        code = exchange.get("code")
        lines.append(
            f"  {index}. {exchange.get('direction') or '?'}: {exchange.get('msgType') or 'raw'}, "
            f"{f'HTTP {status}' if status is not None else 'no answer'}"
            f"{f', code {code}' if code else ''}"
        )
    if len(exchanges) > EXCHANGES_SHOWN:
        lines.append(f"  ... and {len(exchanges) - EXCHANGES_SHOWN} more (see results.json)")
    return lines


def _graded(violation: Mapping[str, Any], strict: bool) -> Verdict | None:
    level = violation.get("level")
    if level not in ("MUST", "SHOULD"):
        return None
    return verdict_for_violation(str(level), strict=strict)


def _suite(
    root: ET.Element,
    feature: str,
    role: str,
    members: Sequence[Mapping[str, Any]],
    meta: Mapping[str, Any],
) -> ET.Element:
    verdicts = [str(r.get("verdict") or "") for r in members]
    pairs = list(zip(verdicts, members, strict=True))
    suite = ET.SubElement(
        root,
        "testsuite",
        name=_safe(f"{feature} [{role}]"),
        tests=str(len(members)),
        failures=str(sum(v == Verdict.FAILURE and not r.get("waived") for v, r in pairs)),
        errors=str(verdicts.count(Verdict.ERROR)),
        skipped=str(verdicts.count(Verdict.SKIPPED)),
        time=f"{sum(float(r.get('duration') or 0) for r in members):.3f}",
    )
    if meta.get("started"):
        suite.set("timestamp", _safe(str(meta["started"])))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("ucsp-result", meta.get("result")),
        ("ucsp-badge", meta.get("badge")),
        ("ucsp-suite-version", meta.get("suiteVersion")),
        ("ucsp-role", role),
        ("ucsp-target", meta.get("targetName")),
        ("ucsp-profile-sha256", meta.get("profileSha256")),
        ("ucsp-run-id", meta.get("runId")),
    ):
        ET.SubElement(properties, "property", name=name, value=_safe(str(value or "")))
    return suite


def _case(
    suite: ET.Element,
    record: Mapping[str, Any],
    role: str,
    registry: Mapping[str, Requirement],
    stems: Mapping[str, str],
    strict: bool,
) -> None:
    title = record_title(record) or "?"
    feature = str(record.get("feature") or "")
    stem = stems.get(feature) or _module_stem(str(record.get("nodeid") or "")) or "suite"
    case = ET.SubElement(
        suite,
        "testcase",
        name=_safe(f"{title} [{role}]"),
        classname=_safe(f"{stem}.{role}"),
        time=f"{float(record.get('duration') or 0):.3f}",
    )
    verdict = str(record.get("verdict") or "")
    if verdict == Verdict.FAILURE and record.get("waived"):
        _noted(case, "waived", "WAIVED", failing_violations(record, strict))
    elif verdict == Verdict.FAILURE:
        violated = failing_violations(record, strict)
        message = "; ".join(f"{v.get('requirement')}: {v.get('message')}" for v in violated)
        kind = " ".join(dict.fromkeys(str(v.get("requirement")) for v in violated))
        element = ET.SubElement(
            case,
            "failure",
            message=_safe(message or str(record.get("message") or "FAILURE")),
            type=_safe(kind or "FAILURE"),
        )
        element.text = _safe(verdict_text(record, registry, strict))
    elif verdict == Verdict.ERROR:
        error = record.get("error") or {}
        kind = str(error.get("kind") or "error")
        element = ET.SubElement(
            case,
            "error",
            message=_safe(f"{kind}: {error.get('cause') or record.get('message') or ''}"),
            type=_safe(kind),
        )
        element.text = _safe(verdict_text(record, registry, strict))
    elif verdict == Verdict.SKIPPED:
        ET.SubElement(case, "skipped", message=_safe(str(record.get("message") or "skipped")))
    elif verdict == Verdict.WARNING:
        warned = warning_violations(record, strict) or list(record.get("violations") or [])
        _noted(case, "warning", "WARNING", warned)


def _noted(case: ET.Element, name: str, mark: str, violations: Sequence[Mapping[str, Any]]) -> None:
    """A passing test case that names violations: a property per requirement, a line each."""
    properties = ET.SubElement(case, "properties")
    for rid in dict.fromkeys(str(v.get("requirement")) for v in violations):
        ET.SubElement(properties, "property", name=name, value=_safe(rid))
    out = ET.SubElement(case, "system-out")
    out.text = _safe(
        "\n".join(f"{mark} {v.get('requirement')}: {v.get('message')}" for v in violations)
    )


def _module_stem(nodeid: str) -> str:
    return Path(nodeid.split("::", 1)[0]).stem if nodeid else ""


def _safe(text: str) -> str:
    """``text`` with the characters XML cannot hold written as ``\\xNN`` or ``\\uNNNN``."""
    return _NOT_XML.sub(lambda m: ascii(m[0])[1:-1], text)
