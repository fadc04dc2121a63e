"""Meeting an Industry Service under test: its notice URL, its login URL and its harness."""

from __future__ import annotations

import secrets

import httpx

from ucsp.codec import Codec
from ucsp.doctor.check import LOGIN_ACCEPTED, NOT_SERVED, TIMEOUT, Check, graded
from ucsp.doctor.signers import signer_cert
from ucsp.doctor.wire import answer_check, clock_check, post
from ucsp.drivers.manual import has_terminal
from ucsp.envelope import ENC_CERT_ID_FIELD
from ucsp.errors import RequirementViolation
from ucsp.login_encoding import LoginBuilder, LoginUser
from ucsp.messages import Party
from ucsp.target import Target


def notice_url_checks(target: Target) -> list[Check]:
    url = target.industry.notice_url
    outcome = post(url, b"{}")
    checks = [answer_check("IS notice URL", url, outcome)]
    if isinstance(outcome, httpx.Response) and outcome.status_code == 200:
        cert, _ = signer_cert(
            "IS notice URL", outcome.content, Party.INDUSTRY, target.keys.industry_sign, target
        )
        checks.append(cert)
    if isinstance(outcome, httpx.Response):
        clock = clock_check(outcome, target)
        if clock is not None:
            checks.append(clock)
    return checks


def industry_login_check(target: Target, codec: Codec) -> Check:
    """An INDUSTRY_LOGIN_INFO encrypted to the target's industry-enc.crt, for a fresh user:
    the IS must accept it (it decrypts with its own key, verifies the suite's signature)."""
    name = "INDUSTRY_INDEX_URL login round trip"
    user = LoginUser(
        "doctor" + secrets.token_hex(6), target.ucsp.mobile, target.industry.channel_code
    )
    query = LoginBuilder(codec, target, user).valid()
    index = target.industry.index_url
    url = index + ("&" if "?" in index else "?") + query
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return Check(name, False, f"{index}: {type(exc).__name__}", "correct industry.index_url")
    status = response.status_code
    enc, ours = target.keys.industry_enc.cert_id, target.keys.ucsp_sign.cert_id
    if status in LOGIN_ACCEPTED:
        return Check(name, True, f"HTTP {status}, mobile encrypted to {ENC_CERT_ID_FIELD} {enc}")
    if status in NOT_SERVED:
        return Check(name, False, f"{index}: HTTP {status}", "correct industry.index_url")
    if status in (400, 403):
        return Check(
            name,
            False,
            f"the IS refused a valid login with HTTP {status}",
            f"put the IS's encryption certificate in suite.keys as industry-enc.crt (now ID "
            f"{enc}), configure the IS with the suite's ucsp-sign.crt (ID {ours}), and check "
            "industry.code and industry.channel_code",
        )
    return graded(
        name,
        RequirementViolation(
            "LOGIN-04", f"the IS answered a valid login with HTTP {status}, expected 200 or 302"
        ),
    )


def reachable(url: str, what: str, fix: str) -> Check:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return Check(f"{what} reachable", False, f"{url}: {type(exc).__name__}", fix)
    return Check(f"{what} reachable", True, f"{url}: HTTP {response.status_code}")


def industry_checks(target: Target, codec: Codec) -> list[Check]:
    """The notice URL, the login URL, and the harness when the target names it."""
    checks = notice_url_checks(target)
    checks.append(industry_login_check(target, codec))
    if target.industry.harness_url:
        checks.append(
            reachable(
                target.industry.harness_url.rstrip("/") + "/harness/orders/doctor",
                "IS harness",
                "correct industry.harness_url or start the harness",
            )
        )
    else:
        checks.append(operator_check(has_terminal()))
    return checks


def operator_check(attended: bool) -> Check:
    """Without a harness the manual driver prompts an operator: warn when no terminal is
    there, as in CI, where every scenario that needs the Industry Service to act fails at
    once as a driver ERROR."""
    if attended:
        return Check("operator terminal", True, "the manual driver will prompt here")
    return Check(
        "operator terminal",
        False,
        "no harness_url and no terminal: scenarios that need the Industry Service to act "
        "will be driver ERRORs",
        fix="give the target an industry.harness_url, or run at a terminal",
        advice=True,
    )
