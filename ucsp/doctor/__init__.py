"""Preflight: is the target usable before any scenario runs?

``run_checks`` looks at what the user configures: the target's identifiers (against their
field rules in ``schemas/``), keys and certificates, a signing round trip, the URLs, that
the suite's own endpoints can be served, and that the clocks agree. It also meets the SUT
once per endpoint: a signed request to the UCSP gateway or the IS notice URL, and a login
round trip (an AUTHORIZATION_URL redirect from a UCSP, an INDUSTRY_LOGIN_INFO encrypted to
the configured IS encryption certificate for an Industry Service).

Each result is one of three kinds:

- ok;
- a *problem*: something the user must fix in the target file, the keys or the network
  (exit 2, and ``run`` stops before any scenario), always with its fix;
- a *warning*: the SUT answered, but not as the protocol says. That is the SUT's
  behaviour, which the scenarios grade; the line names the requirement that will grade it,
  and ``run`` goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from ucsp.codec import Codec
from ucsp.doctor.check import Check, own_codec
from ucsp.doctor.industry_sut import industry_checks
from ucsp.doctor.local import (
    check_identifiers,
    check_keys,
    check_listen,
    check_round_trip,
    check_urls,
    field_rule,
    rule_text,
)
from ucsp.doctor.ucsp_sut import ucsp_checks
from ucsp.errors import ConfigError
from ucsp.target import Target

# the checks that meet the SUT, by the role under test
SUT_CHECKS: dict[str, Callable[[Target, Codec], list[Check]]] = {
    "ucsp": ucsp_checks,
    "industry": industry_checks,
}

__all__ = [
    "CHECKS",
    "Check",
    "check_sut",
    "diagnose",
    "field_rule",
    "preflight",
    "rule_text",
    "run_checks",
]


def check_sut(target: Target) -> list[Check]:
    """Meet the SUT once per endpoint (nothing without the suite's own signing key)."""
    codec = own_codec(target)
    return [] if codec is None else SUT_CHECKS[target.sut](target, codec)


CHECKS: tuple[Callable[[Target], list[Check] | Check], ...] = (
    check_identifiers,
    check_keys,
    check_round_trip,
    check_urls,
    check_listen,
    check_sut,
)


def run_checks(target: Target) -> list[Check]:
    results: list[Check] = []
    for check in CHECKS:
        try:
            outcome = check(target)
        except ConfigError as exc:
            outcome = Check(check.__name__.removeprefix("check_"), False, str(exc))
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def preflight(target: Target) -> tuple[list[str], list[str]]:
    """The problems (to fix before a run) and the warnings (SUT behaviour the scenarios
    will grade), one line each."""
    checks = run_checks(target)
    return [c.line() for c in checks if c.problem], [c.line() for c in checks if c.warning]


def diagnose(target: Target) -> list[str]:
    """The problems found, one line each (empty when the target is ready)."""
    return preflight(target)[0]
