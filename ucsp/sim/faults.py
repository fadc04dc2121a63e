"""Fault catalogues: named, deliberate deviations a reference implementation can switch on.

Each reference implementation declares its catalogue as a tuple of :class:`Fault`; the
self-tests run the conformance features against each fault and require it to be caught.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ucsp.envelope import parse_time
from ucsp.errors import ConfigError, MalformedMessage
from ucsp.profile import Profile

# How far ahead of its clock a timeStamp may be under the fault ``skew-window-past-only``.
PAST_ONLY_TOLERANCE_SECONDS = 1.0


@dataclass(frozen=True)
class Fault:
    name: str  # kebab-case, e.g. "accepts-bad-signature"
    category: str  # signature | format | business | idempotency | timing | encryption
    description: str  # what the faulty implementation does
    breaks: str  # the rule it breaks, with its PROTOCOL.md section


class FaultSet:
    """The faults switched on in one running implementation."""

    def __init__(self, catalogue: Iterable[Fault], enabled: Iterable[str] = ()) -> None:
        self.catalogue = {fault.name: fault for fault in catalogue}
        names = list(enabled)
        unknown = [n for n in names if n not in self.catalogue]
        if unknown:
            known = ", ".join(sorted(self.catalogue))
            raise ConfigError(f"unknown fault {unknown[0]!r}; known faults: {known}")
        self.enabled = frozenset(names)

    def __contains__(self, name: str) -> bool:
        if name not in self.catalogue:  # a typo in the implementation must not pass silently
            raise KeyError(f"fault {name!r} is not in the catalogue")
        return name in self.enabled

    def __bool__(self) -> bool:
        return bool(self.enabled)


def check_not_ahead(timestamp: str, now: datetime, profile: Profile) -> None:
    """The clock-skew window of the fault ``skew-window-past-only``: a timeStamp may lag the
    receiver's clock by the allowed skew but run ahead of it by at most a second (code 10)."""
    ahead = (parse_time(timestamp, profile) - now).total_seconds()
    if ahead > PAST_ONLY_TOLERANCE_SECONDS:
        raise MalformedMessage(f"timeStamp {timestamp} is {ahead:.0f} s ahead of the clock")
