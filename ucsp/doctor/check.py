"""One preflight result, and the settings every preflight check shares."""

from __future__ import annotations

from dataclasses import dataclass

from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.crypto import Identity
from ucsp.errors import RequirementViolation
from ucsp.keys import KeyPair
from ucsp.messages import Party
from ucsp.target import Target

TIMEOUT = 10.0
PROBE_ORDER = {"orderId": "DOCTORPROBE00001", "txnTime": "20260101000000"}
# Answers that mean "nothing is served here": a wrong URL, not a SUT behaviour.
NOT_SERVED = (404,)
LOGIN_ACCEPTED = (200, 302)


@dataclass
class Check:
    """One preflight result: ok, a problem (with its fix), or a warning (``graded_by``)."""

    name: str
    ok: bool
    detail: str = ""
    fix: str = ""
    graded_by: str = ""  # the requirement whose scenarios grade what the SUT did
    advice: bool = False  # a warning about the run itself (with its fix), not a problem

    @property
    def problem(self) -> bool:
        return not self.ok and not self.graded_by and not self.advice

    @property
    def warning(self) -> bool:
        return not self.ok and (bool(self.graded_by) or self.advice)

    def line(self) -> str:
        mark = "ok  " if self.ok else ("WARN" if self.warning else "FAIL")
        text = f"{mark} {self.name}"
        if self.detail:
            text += f": {self.detail}"
        if self.graded_by and not self.ok:
            text += f" (this will be graded by {self.graded_by})"
        elif not self.ok and self.fix:
            text += f" (fix: {self.fix})"
        return text


def graded(name: str, violation: RequirementViolation) -> Check:
    """A warning: the SUT broke ``violation.requirement``, which the scenarios grade."""
    return Check(name, False, violation.message, graded_by=violation.requirement)


def own_side(target: Target) -> tuple[Party, KeyPair]:
    """The party the suite plays and its signing key pair."""
    party = target.suite_party
    return party, target.keys.signing(party)


def own_codec(target: Target) -> Codec | None:
    party, pair = own_side(target)
    if pair.key is None:
        return None
    return Codec(party, Identity(pair.key, pair.cert), {}, target.profile, SystemClock())
