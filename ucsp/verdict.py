"""Conformance verdicts and the exception a check raises when a requirement is broken.

Check functions raise :class:`RequirementViolation` naming the requirement (an ID of
``features/requirements.toml``); the pytest plugin ``plugins.requirements`` turns it into a
verdict by the requirement's level: a MUST violation is a FAILURE, a SHOULD violation a
WARNING (or a FAILURE when the run is strict).
"""

from __future__ import annotations

from enum import StrEnum

from ucsp.requirements import Level

__all__ = ["RequirementViolation", "Verdict", "verdict_for_violation"]


class Verdict(StrEnum):
    """The graded outcome of one scenario."""

    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    FAILURE = "failure"  # the system under test broke a MUST (or a SHOULD in a strict run)
    WARNING = "warning"  # the system under test broke a SHOULD
    SKIPPED = "skipped"
    ERROR = "error"  # the suite could not judge: broken setup, or a check naming no requirement


class RequirementViolation(AssertionError):
    """The system under test broke the requirement ``requirement`` (e.g. ``"SEC-02"``).

    >>> raise RequirementViolation("SEC-02", "expected code 11, got 00")
    """

    def __init__(self, requirement: str, message: str) -> None:
        super().__init__(f"{requirement}: {message}")
        self.requirement = requirement
        self.message = message

    def __reduce__(self) -> tuple[type[RequirementViolation], tuple[str, str]]:
        # The default pickling would call __init__ with the single formatted argument.
        return (type(self), (self.requirement, self.message))


def verdict_for_violation(level: Level | str, *, strict: bool) -> Verdict:
    """The verdict of a scenario that raised a violation of a requirement of ``level``."""
    if Level(level) is Level.SHOULD and not strict:
        return Verdict.WARNING
    return Verdict.FAILURE
