"""What Allure reads beside the test results: the environment, the executor, the categories,
and each scenario's status as the suite graded it.

- ``environment.properties``: suite version, role(s), target name, profile SHA-256, result;
- ``executor.json``: ``ucsp-conformance``, the run ID as build name, the report's name;
- ``categories.json``: SUT failure (``failed``, a message naming a requirement), suite or
  configuration error (``broken``), SHOULD warning (``passed``, a message starting
  :data:`WARNING_MARK`). Allure matches a category's ``messageRegex`` against the whole
  status message (Java ``Pattern.DOTALL``, ``matches()``), and takes the first category
  whose ``matchedStatuses`` hold the result's status;
- :func:`allure_status`: a scenario's Allure status and status details from its graded
  record, so that a WARNING is passed (its message starting :data:`WARNING_MARK`), an ERROR
  broken and a FAILURE failed with the requirement in its message, whatever pytest's outcome.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ucsp.report.html_text import requirement_anchor
from ucsp.report.junit import failing_violations, verdict_text, warning_violations
from ucsp.requirements import Requirement
from ucsp.verdict import Verdict

__all__ = [
    "CATEGORIES",
    "WARNING_MARK",
    "allure_status",
    "environment_properties",
    "requirement_link",
    "write_allure_extras",
]

WARNING_MARK = "WARNING "
REQUIREMENT_MESSAGE = r"[A-Z]+-[0-9]{2}: .*"  # "PAY-05: ..." (several joined by "; ")
CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "name": "SUT failure (requirement violated)",
        "matchedStatuses": ["failed"],
        "messageRegex": REQUIREMENT_MESSAGE,
    },
    {"name": "Suite or configuration error", "matchedStatuses": ["broken"]},
    {
        "name": "SHOULD warning",
        "matchedStatuses": ["passed"],
        "messageRegex": WARNING_MARK + REQUIREMENT_MESSAGE,
    },
)
LINK_NAME_TEXT = 80  # characters of a requirement's text in its Allure link's name


def write_allure_extras(
    directory: Path, meta: Mapping[str, Any], executor_type: str = "ucsp-conformance"
) -> None:
    """Write environment.properties, executor.json and categories.json into ``directory``
    (the run's allure-results); ``meta`` is the run's (runId, suiteVersion, roles,
    targetName, profileSha256, result, badge)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "environment.properties").write_text(
        environment_properties(meta), encoding="utf-8"
    )
    executor = {
        "name": "ucsp-conformance",
        "type": executor_type,
        "buildName": str(meta.get("runId") or ""),
        "reportName": f"UCSP conformance: {meta.get('badge') or meta.get('result') or ''}",
    }
    (directory / "executor.json").write_text(json.dumps(executor, indent=1), encoding="utf-8")
    (directory / "categories.json").write_text(
        json.dumps(list(CATEGORIES), indent=1), encoding="utf-8"
    )


def environment_properties(meta: Mapping[str, Any]) -> str:
    """The run as Java properties (one ``key=value`` a line, escaped as Properties.load
    reads it)."""
    pairs = (
        ("suite.version", meta.get("suiteVersion")),
        ("role", ", ".join(str(r) for r in meta.get("roles") or [])),
        ("target", meta.get("targetName")),
        ("profile.sha256", meta.get("profileSha256")),
        ("result", meta.get("badge") or meta.get("result")),
        ("run.id", meta.get("runId")),
    )
    return "".join(f"{_escape(k, key=True)}={_escape(str(v or ''))}\n" for k, v in pairs)


def requirement_link(requirement: Requirement) -> tuple[str, str]:
    """The URL (report.html's row of the requirement, beside allure-report/) and the name
    of a requirement's Allure link."""
    text = requirement.text
    if len(text) > LINK_NAME_TEXT:
        text = text[: LINK_NAME_TEXT - 1] + "\u2026"
    return f"../report.html#{requirement_anchor(requirement.id)}", f"{requirement.id}: {text}"


def allure_status(
    record: Mapping[str, Any],
    registry: Mapping[str, Requirement],
    strict: bool = False,
    trace: str | None = None,
) -> dict[str, Any] | None:
    """A scenario's Allure ``status``, ``message`` and ``trace`` from its graded record, or
    None to leave what Allure recorded (a pass, a skip). ``trace`` is what Allure recorded,
    kept for an ERROR (the suite's own fault is found there)."""
    verdict = str(record.get("verdict") or "")
    if verdict == Verdict.FAILURE:
        violated = failing_violations(record, strict)
        message = _joined(violated) or str(record.get("message") or "FAILURE")
        return {
            "status": "failed",
            "message": message,
            "trace": verdict_text(record, registry, strict),
        }
    if verdict == Verdict.WARNING:
        warned = warning_violations(record, strict) or list(record.get("violations") or [])
        return {
            "status": "passed",
            "message": WARNING_MARK + (_joined(warned) or str(record.get("message") or "")),
            "trace": verdict_text(record, registry, strict),
        }
    if verdict == Verdict.ERROR:
        error = record.get("error") or {}
        summary = verdict_text(record, registry, strict)
        return {
            "status": "broken",
            "message": f"{error.get('kind') or 'error'}: {error.get('cause') or ''}",
            "trace": f"{summary}\n\n{trace}" if trace else summary,
        }
    return None


def _joined(violations: Iterable[Mapping[str, Any]]) -> str:
    return "; ".join(f"{v.get('requirement')}: {v.get('message')}" for v in violations)


def _escape(text: str, key: bool = False) -> str:
    """``text`` as a Java properties key or value: backslash escapes, and ``\\uXXXX`` for
    every character outside printable ASCII (Properties.load reads ISO 8859-1)."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[char])
        elif char in "=:#!" or (char == " " and (key or index == 0)):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) > 0x7E:
            out.extend(f"\\u{unit:04x}" for unit in _utf16(char))
        else:
            out.append(char)
    return "".join(out)


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
