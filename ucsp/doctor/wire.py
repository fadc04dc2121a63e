"""Meeting the SUT once: a POST, what its answer says, whether it can be reached."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ucsp.doctor.check import NOT_SERVED, TIMEOUT, Check, graded
from ucsp.errors import RequirementViolation
from ucsp.target import Target


def post(url: str, body: bytes) -> httpx.Response | Check:
    try:
        return httpx.post(
            url,
            content=body,
            timeout=TIMEOUT,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
    except httpx.HTTPError as exc:
        return unreachable(url, exc)


def unreachable(url: str, exc: httpx.HTTPError) -> Check:
    return Check(
        f"{url} answers",
        False,
        f"{url}: {type(exc).__name__}",
        "start the SUT, or correct the URL in the target file",
    )


def clock_check(response: httpx.Response, target: Target) -> Check | None:
    date = response.headers.get("date")
    if not date:
        return None
    try:
        skew = abs((parsedate_to_datetime(date) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
    limit = target.profile.clock_tolerance
    return Check(
        "clocks agree",
        skew <= limit,
        f"SUT clock {skew:.0f} s from the suite's",
        "synchronise both machines with NTP",
    )


def answer_check(what: str, url: str, outcome: httpx.Response | Check) -> Check:
    """Whether a protocol endpoint answered: unreachable or not served is a problem; an
    answer other than HTTP 200 is the SUT's (TRN-04)."""
    name = f"{what} answers"
    if isinstance(outcome, Check):
        return Check(name, False, outcome.detail, outcome.fix)
    status = outcome.status_code
    if status in NOT_SERVED:
        return Check(
            name,
            False,
            f"{url}: HTTP {status}, nothing is served there",
            "the URL must be the SUT's protocol endpoint; correct it in the target file",
        )
    if status != 200:
        return graded(
            name,
            RequirementViolation(
                "TRN-04", f"{url}: HTTP {status}, expected 200 with a signed protocol response"
            ),
        )
    return Check(name, True, f"{url}: HTTP 200")
