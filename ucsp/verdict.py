"""Conformance verdicts, the exception a check raises when a requirement is broken, and the
grading of whatever a scenario raised.

Check functions raise :class:`RequirementViolation` naming the requirement (an ID of
``features/requirements.toml``). :func:`grade` turns what a scenario raised into a verdict:

- FAILURE: a check saw the SUT break a MUST requirement among the scenario's tags (or a
  SHOULD requirement in a strict run) that applies to the role under test; WARNING: the
  same for a SHOULD requirement.
- ERROR, with an :class:`ErrorKind` and a one-line cause, for everything else: the suite
  could not judge, and makes no claim about the SUT.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from ucsp.drivers.harness import HarnessError
from ucsp.errors import ConfigError, RequirementViolation, SuiteError, UnknownFault
from ucsp.requirements import Level

__all__ = [
    "ErrorCause",
    "ErrorKind",
    "Grade",
    "RequirementViolation",
    "Verdict",
    "classify_error",
    "failed_request_url",
    "grade",
    "verdict_for_violation",
]

CAUSE_LENGTH = 300


class Verdict(StrEnum):
    """The graded outcome of one scenario."""

    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    FAILURE = "failure"  # the system under test broke a MUST (or a SHOULD in a strict run)
    WARNING = "warning"  # the system under test broke a SHOULD
    SKIPPED = "skipped"
    ERROR = "error"  # the suite could not judge; see ErrorKind


class ErrorKind(StrEnum):
    """Why the suite could not judge a scenario (an ERROR verdict)."""

    AUTHORING = "authoring"  # undefined step, value outside its vocabulary, step not for the role
    MISATTRIBUTION = "misattribution"  # a violation names a requirement the scenario lacks
    SUITE = "suite-exception"  # any other exception of the suite's own code
    SUT_UNREACHABLE = "sut-unreachable"  # connection refused: the SUT cannot be connected to
    SUT_NO_ANSWER = "sut-no-answer"  # connected, but no (complete) answer: read time-out, ...
    DRIVER_TIMEOUT = "driver-timeout"  # the driver waited for the SUT to act, nothing came
    DRIVER = "driver"  # the harness answered an error, or the driver cannot make the SUT act
    UNKNOWN_FAULT = "unknown-fault"  # a fault name no catalogue holds
    CONFIGURATION = "configuration"  # the target or keys are unusable (setup)


@dataclass(frozen=True)
class ErrorCause:
    """The kind and the one-line cause of an ERROR verdict."""

    kind: ErrorKind
    cause: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": str(self.kind), "cause": self.cause}


@dataclass(frozen=True)
class Grade:
    """A scenario's verdict, the violations it raised, and the cause when it is an ERROR."""

    verdict: Verdict
    violations: tuple[RequirementViolation, ...] = ()
    error: ErrorCause | None = None


def verdict_for_violation(level: Level | str, *, strict: bool) -> Verdict:
    """The verdict of a scenario that raised a violation of a requirement of ``level``."""
    if Level(level) is Level.SHOULD and not strict:
        return Verdict.WARNING
    return Verdict.FAILURE


def grade(
    exc: BaseException | None,
    levels: Mapping[str, Level | str],
    tags: Collection[str],
    *,
    strict: bool,
    authoring: tuple[type[BaseException], ...] = (),
    phase: str = "call",
    role: str | None = None,
    roles: Mapping[str, Collection[str]] | None = None,
) -> Grade:
    """Grade what a scenario raised (None: it ran to its end).

    ``levels`` maps every requirement ID of the registry to its level, ``tags`` are the
    scenario's requirement IDs, ``authoring`` the exception types of the test runner that
    mean a feature or step is written wrongly (undefined step, unparsable feature),
    ``role`` the role under test and ``roles`` each requirement's roles (the registry's).
    A violation naming an ID outside ``tags`` (or outside the registry), or one whose
    requirement does not apply to ``role``, is a misattribution: an ERROR, never a verdict
    on the SUT.
    """
    if exc is None:
        return Grade(Verdict.PASS)
    violations: list[RequirementViolation] = []
    others: list[BaseException] = []
    for leaf in _leaves(exc):
        if isinstance(leaf, RequirementViolation):
            violations.append(leaf)
        else:
            others.append(leaf)
    attributed = [
        v
        for v in violations
        if v.requirement in levels
        and v.requirement in tags
        and _applies(v.requirement, role, roles)
    ]
    misattributed = [v for v in violations if v not in attributed]
    verdicts = {verdict_for_violation(levels[v.requirement], strict=strict) for v in attributed}
    found = tuple(violations)
    if Verdict.FAILURE in verdicts:
        return Grade(Verdict.FAILURE, found)
    if others:
        return Grade(Verdict.ERROR, found, classify_error(others[0], authoring, phase))
    if misattributed:
        cause = _misattribution(misattributed[0], levels, tags, role, roles)
        return Grade(Verdict.ERROR, found, cause)
    return Grade(Verdict.WARNING, found)


def classify_error(
    exc: BaseException, authoring: tuple[type[BaseException], ...] = (), phase: str = "call"
) -> ErrorCause:
    """The kind and one-line cause of an exception that is not a requirement violation."""
    text = _one_line(exc)
    if isinstance(exc, UnknownFault):
        return _error(ErrorKind.UNKNOWN_FAULT, text)
    if isinstance(exc, SuiteError):
        return _error(ErrorKind(exc.kind), text)
    if isinstance(exc, authoring):
        return _error(ErrorKind.AUTHORING, f"{type(exc).__name__}: {text}")
    if isinstance(exc, ConfigError):
        # Raised by a step: a value outside its vocabulary, a step used in a role it does
        # not support. Raised while setting up: the target or its keys.
        kind = ErrorKind.AUTHORING if phase == "call" else ErrorKind.CONFIGURATION
        return _error(kind, text)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return _error(ErrorKind.SUT_UNREACHABLE, _transport_cause(exc, "cannot be reached"))
    if isinstance(exc, httpx.TransportError):  # connected (or sent), then no full answer
        return _error(ErrorKind.SUT_NO_ANSWER, _transport_cause(exc, "did not answer"))
    if isinstance(exc, HarnessError):
        kind = ErrorKind.DRIVER_TIMEOUT if exc.status == 408 else ErrorKind.DRIVER
        return _error(kind, text)
    return _error(ErrorKind.SUITE, f"{type(exc).__name__}: {text}")


def failed_request_url(exc: BaseException | None) -> str | None:
    """The URL of the HTTP request whose failure ``exc`` is (or holds), or None."""
    if exc is None:
        return None
    for leaf in _leaves(exc):
        if isinstance(leaf, httpx.RequestError):
            try:
                return str(leaf.request.url)
            except RuntimeError:  # an error raised without its request
                continue
    return None


def _applies(
    requirement: str, role: str | None, roles: Mapping[str, Collection[str]] | None
) -> bool:
    """True when ``requirement`` applies to ``role`` (unknown role or roles: it does)."""
    if role is None or roles is None or requirement not in roles:
        return True
    return role in {str(r) for r in roles[requirement]}


def _misattribution(
    violation: RequirementViolation,
    levels: Mapping[str, Any],
    tags: Collection[str],
    role: str | None,
    roles: Mapping[str, Collection[str]] | None,
) -> ErrorCause:
    if violation.requirement not in levels:
        where = "which the requirement registry does not hold"
    elif violation.requirement not in tags:
        where = f"which is not among the scenario's tags ({' '.join(tags) or 'none'})"
    else:
        listed = " ".join(str(r) for r in (roles or {}).get(violation.requirement, ()))
        where = f"which does not apply to the role under test {role} (roles: {listed})"
    return ErrorCause(
        ErrorKind.MISATTRIBUTION,
        _cut(f"a check names {violation.requirement}, {where}: {violation.message}"),
    )


def _transport_cause(exc: httpx.TransportError, what: str) -> str:
    try:
        url = f" ({exc.request.method} {exc.request.url})"
    except RuntimeError:  # an error raised without its request
        url = ""
    return _cut(f"the SUT {what}: {type(exc).__name__} {_one_line(exc)}{url}")


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return _cut(lines[0] if lines else type(exc).__name__)


def _error(kind: ErrorKind, cause: str) -> ErrorCause:
    return ErrorCause(kind, _cut(cause))


def _cut(text: str) -> str:
    return text if len(text) <= CAUSE_LENGTH else text[: CAUSE_LENGTH - 3] + "..."
