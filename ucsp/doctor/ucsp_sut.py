"""Meeting a UCSP under test: its gateway and its authorization page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ucsp.checks.login import check_login_redirect
from ucsp.codec import Codec
from ucsp.doctor.check import NOT_SERVED, PROBE_ORDER, TIMEOUT, Check, graded
from ucsp.doctor.signers import encryption_check, signer_cert
from ucsp.doctor.wire import answer_check, clock_check, post
from ucsp.envelope import build_request
from ucsp.errors import RequirementViolation
from ucsp.messages import Party
from ucsp.target import Target


def gateway_checks(target: Target, codec: Codec) -> list[Check]:
    url = target.ucsp.gateway_url
    sent = build_request(
        codec.msg_info("PAYMENT_RESULT_INQUIRY", target.industry.code), dict(PROBE_ORDER)
    )
    outcome = post(url, codec.sign(sent))
    checks = [answer_check("UCSP gateway", url, outcome)]
    if not isinstance(outcome, httpx.Response) or outcome.status_code != 200:
        return checks
    cert, message = signer_cert(
        "UCSP gateway", outcome.content, Party.UCSP, target.keys.ucsp_sign, target
    )
    checks.append(cert)
    if message is not None:
        checks += _gateway_answer(target, sent, message)
    clock = clock_check(outcome, target)
    if clock is not None:
        checks.append(clock)
    return checks


def _gateway_answer(
    target: Target, sent: Mapping[str, Any], message: Mapping[str, Any]
) -> list[Check]:
    """Code 11 to the suite's correctly signed request: the UCSP does not know the suite."""
    answer = message.get("msgResponse")
    code = answer.get("responseCode") if isinstance(answer, dict) else None
    ours = target.keys.industry_sign.cert_id
    checks = [
        Check(
            "UCSP gateway accepts the suite's signature",
            code != "11",
            f"response code {code!r}",
            f"register industry code {target.industry.code} with the suite's "
            f"industry-sign.crt (ID {ours}) at the UCSP, or correct industry.code",
        )
    ]
    echo = message.get("msgInfo")
    if echo == sent["msgInfo"]:
        checks.append(Check("UCSP gateway echoes msgInfo", True))
    else:
        checks.append(
            graded(
                "UCSP gateway echoes msgInfo",
                RequirementViolation("FMT-07", "the answer's msgInfo is not the request's"),
            )
        )
    return checks


def authorization_checks(target: Target) -> list[Check]:
    """GET AUTHORIZATION_URL as the sandbox user: the UCSP must redirect to the target's
    index URL with a login encrypted to the suite's encryption certificate."""
    name = "AUTHORIZATION_URL login round trip"
    params = {
        "industryCode": target.industry.code,
        "channelCode": target.industry.channel_code,
        "userId": target.ucsp.user_id,
        "mobile": target.ucsp.mobile,
    }
    base = target.ucsp.authorize_url
    url = base + ("&" if "?" in base else "?") + urlencode(params)
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return [Check(name, False, f"{base}: {type(exc).__name__}", "correct ucsp.authorize_url")]
    status, location = response.status_code, response.headers.get("location")
    if status in NOT_SERVED:
        return [Check(name, False, f"{base}: HTTP {status}", "correct ucsp.authorize_url")]
    if status == 400:
        return [
            Check(
                name,
                False,
                f"{base}: HTTP 400 to the target's industry code, channel code and user",
                f"register industry {target.industry.code}, channel "
                f"{target.industry.channel_code} and sandbox user {target.ucsp.user_id} at the "
                "UCSP, or correct industry.code, industry.channel_code, ucsp.user_id, ucsp.mobile",
            )
        ]
    index = target.industry.index_url
    if status == 302 and location and index and not _same_base(location, index):
        return [
            Check(
                name,
                False,
                f"the UCSP redirects to {location.partition('?')[0]}, the target's index URL "
                f"is {index}",
                f"register {index} as INDUSTRY_INDEX_URL at the UCSP, or correct "
                "industry.index_url (suite.public_url)",
            )
        ]
    try:
        _, message = check_login_redirect(status, location, index or location or "", target.profile)
    except RequirementViolation as violation:
        return [graded(name, violation)]
    return [Check(name, True, f"HTTP 302 to {index}"), encryption_check(target, message)]


def _same_base(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other.partition("?")[0])
    return (a.scheme, a.netloc.lower(), a.path or "/") == (
        b.scheme,
        b.netloc.lower(),
        b.path or "/",
    )


def ucsp_checks(target: Target, codec: Codec) -> list[Check]:
    """The gateway, and the authorization page when the target names it."""
    checks = gateway_checks(target, codec)
    if target.ucsp.authorize_url:
        checks += authorization_checks(target)
    return checks
