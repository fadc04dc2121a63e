"""Checks of message security: signatures of what the SUT sends, and that a rejected message
had no business effect (PROTOCOL.md sections 3, 4, 6 and 8).

State is compared as *observations*: small ``{what: value}`` maps a flow takes from outside
the SUT (harness answers, inquiry answers, notices received), never from its internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509

from ucsp.checks import ensure
from ucsp.checks.messages import check_signature, parse_sent
from ucsp.messages import Party
from ucsp.profile import Profile

Observation = Mapping[str, str]


def _differences(before: Observation, after: Observation) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    return [
        f"{key}: {before.get(key, '-')} -> {after.get(key, '-')}"
        for key in keys
        if before.get(key) != after.get(key)
    ]


def check_unchanged(
    before: Observation, after: Observation, what: str, requirement: str = "SEC-06"
) -> None:
    """Nothing observable changed: the rejected message had no business effect."""
    changed = _differences(before, after)
    ensure(not changed, requirement, f"{what} changed the transaction: " + "; ".join(changed))


def check_processed(before: Observation, after: Observation, what: str, requirement: str) -> None:
    """Something observable changed: the accepted message took effect."""
    ensure(
        bool(_differences(before, after)),
        requirement,
        f"{what} was answered as accepted but had no effect "
        f"(still {', '.join(f'{k}: {v}' for k, v in after.items()) or 'nothing observable'})",
    )


def check_signed_by(
    raw: bytes | None,
    signer: Party,
    certs: Mapping[str, x509.Certificate],
    profile: Profile,
    requirement: str = "SEC-01",
) -> dict[str, Any]:
    """A message the SUT sent verifies over its raw bytes with the SUT's named certificate."""
    text, message = parse_sent(raw, "FMT-06", profile)
    check_signature(text, message, signer, certs, profile, requirement)
    return message


# Rules whose own text says the rejected message has no effect; any other rejection is SEC-06.
NO_EFFECT_RULES = ("SEC-07", "SEC-10")


def no_effect_rule(rejected_by: str | None) -> str:
    """The rule that a rejected message had no effect falls under: the rule it was rejected by
    when that rule's own text says so, else SEC-06 (also when no single message was sent)."""
    return rejected_by if rejected_by is not None and rejected_by in NO_EFFECT_RULES else "SEC-06"
