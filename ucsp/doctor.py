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

import json
import re
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ucsp import schemas
from ucsp.checks.login import check_login_redirect
from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.crypto import Identity, decrypt_field, signed_bytes, verify_bytes
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD, build_request
from ucsp.errors import ConfigError, UcspError
from ucsp.flows.login import LoginBuilder, LoginUser
from ucsp.keys import KeyPair
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.strictjson import decode_text, parse_text
from ucsp.target import Target
from ucsp.verdict import RequirementViolation

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

    @property
    def problem(self) -> bool:
        return not self.ok and not self.graded_by

    @property
    def warning(self) -> bool:
        return not self.ok and bool(self.graded_by)

    def line(self) -> str:
        mark = "ok  " if self.ok else ("WARN" if self.graded_by else "FAIL")
        text = f"{mark} {self.name}"
        if self.detail:
            text += f": {self.detail}"
        if self.warning:
            text += f" (this will be graded by {self.graded_by})"
        elif self.problem and self.fix:
            text += f" (fix: {self.fix})"
        return text


def graded(name: str, violation: RequirementViolation) -> Check:
    """A warning: the SUT broke ``violation.requirement``, which the scenarios grade."""
    return Check(name, False, violation.message, graded_by=violation.requirement)


def _own(target: Target) -> tuple[Party, KeyPair]:
    """The party the suite plays and its signing key pair."""
    if target.sut == "industry":
        return Party.UCSP, target.keys.ucsp_sign
    return Party.INDUSTRY, target.keys.industry_sign


def _codec(target: Target) -> Codec | None:
    party, pair = _own(target)
    if pair.key is None:
        return None
    return Codec(party, Identity(pair.key, pair.cert), {}, target.profile, SystemClock())


# --- identifiers: the field rules of schemas/ ----------------------------------------------

# target key -> (message type, field path) whose rule the value must follow
IDENTIFIERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "industry.code": ("SUBMIT_PAYMENT_ORDER", ("msgInfo", "industryCode")),
    "industry.mer_id": ("SUBMIT_PAYMENT_ORDER", ("trxInfo", "merId")),
    "industry.other_mer_id": ("SUBMIT_PAYMENT_ORDER", ("trxInfo", "merId")),
    "industry.acq_iin": ("SUBMIT_PAYMENT_ORDER", ("trxInfo", "acqIIN")),
    "industry.channel_code": (LOGIN_TYPE, ("trxInfo", "channelCode")),
    "ucsp.user_id": (LOGIN_TYPE, ("trxInfo", "userId")),
    "ucsp.mobile": (LOGIN_TYPE, ("trxInfo", "mobile")),
}


@cache
def _class_pattern(value_class: str) -> re.Pattern[str]:
    """The pattern of a value class (AN, ANS, N), from ``schemas/common.json``."""
    common = json.loads((schemas.schema_dir() / "common.json").read_text(encoding="utf-8"))
    return re.compile(str(common["$defs"][value_class]["pattern"]))


@cache
def field_rule(msg_type: str, path: tuple[str, ...]) -> schemas.FieldRule:
    for rule in schemas.field_rules(msg_type, "request"):
        if rule.path == path:
            return rule
    raise KeyError(f"{msg_type} request has no field {'.'.join(path)}")


def rule_text(rule: schemas.FieldRule) -> str:
    low, high = rule.min_length, rule.max_length
    size = f"{low}" if low == high else f"{low or 0}-{high}" if high else f"{low or 0}+"
    return f"{rule.value_class} {size}".strip()


def breaks_rule(value: str, rule: schemas.FieldRule) -> str | None:
    """Why ``value`` breaks ``rule`` (None when it follows it)."""
    if rule.value_class and not _class_pattern(rule.value_class).search(value):
        return f"not {rule.value_class} (characters outside the class)"
    if rule.min_length is not None and len(value) < rule.min_length:
        return f"{len(value)} characters, fewer than {rule.min_length}"
    if rule.max_length is not None and len(value) > rule.max_length:
        return f"{len(value)} characters, more than {rule.max_length}"
    return None


def _identifier_values(target: Target) -> dict[str, str]:
    values = {
        "industry.code": target.industry.code,
        "industry.mer_id": target.industry.mer_id,
        "industry.other_mer_id": target.industry.other_mer_id,
        "industry.acq_iin": target.industry.acq_iin,
        "industry.channel_code": target.industry.channel_code,
        "ucsp.user_id": target.ucsp.user_id,
        "ucsp.mobile": target.ucsp.mobile,
    }
    return values


def check_identifiers(target: Target) -> list[Check]:
    checks = []
    for key, value in _identifier_values(target).items():
        msg_type, path = IDENTIFIERS[key]
        rule = field_rule(msg_type, path)
        why = breaks_rule(value, rule)
        shown = "(not shown)" if key == "ucsp.mobile" else repr(value)
        checks.append(
            Check(
                f"{key} is {'.'.join(path[1:])} {rule_text(rule)}",
                why is None,
                shown if why is None else f"{shown}: {why}",
                f"correct {key} in the target file to what the SUT has registered",
            )
        )
    return checks


# --- keys ----------------------------------------------------------------------------------


def check_keys(target: Target) -> list[Check]:
    checks: list[Check] = []
    party, pair = _own(target)
    stem = "ucsp-sign" if party is Party.UCSP else "industry-sign"
    checks.append(
        Check(
            f"suite signing key ({stem}.key)",
            pair.key is not None,
            "present and matching its certificate" if pair.key else "missing",
            f"put the suite's {stem}.key next to {stem}.crt in suite.keys",
        )
    )
    if target.sut == "ucsp":
        enc = target.keys.industry_enc
        checks.append(
            Check(
                "suite encryption key (industry-enc.key)",
                enc.key is not None,
                "present" if enc.key else "missing",
                "put industry-enc.key in suite.keys: it decrypts the login mobile",
            )
        )
    now = datetime.now(UTC)
    for name, item in (
        ("ucsp-sign.crt", target.keys.ucsp_sign),
        ("industry-sign.crt", target.keys.industry_sign),
        ("industry-enc.crt", target.keys.industry_enc),
    ):
        cert = item.cert
        valid = cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
        checks.append(
            Check(
                f"certificate {name}",
                valid,
                f"ID {item.cert_id}, valid until {cert.not_valid_after_utc:%Y-%m-%d}",
                f"{name} is outside its validity period; issue a current one",
            )
        )
    return checks


def check_round_trip(target: Target) -> Check:
    party, pair = _own(target)
    if pair.key is None:
        return Check("signing round trip", False, "no suite key", "see the key check above")
    codec = Codec(
        party,
        Identity(pair.key, pair.cert),
        {pair.cert_id: pair.cert},
        target.profile,
        SystemClock(),
    )
    loopback = Codec(
        party.peer,
        Identity(pair.key, pair.cert),
        {pair.cert_id: pair.cert},
        target.profile,
        SystemClock(),
    )
    message = build_request(
        codec.msg_info("PAYMENT_RESULT_INQUIRY", target.industry.code),
        {"orderId": "DOCTOR0000000001", "txnTime": "20260101000000"},
    )
    try:
        loopback.check_signature(loopback.parse(codec.sign(message), "request"))
    except UcspError as exc:
        return Check("signing round trip", False, exc.reason, "check the profile's signature mode")
    return Check("signing round trip", True, f"{target.profile.signature_mode} with {pair.cert_id}")


# --- URLs ----------------------------------------------------------------------------------


def _url_keys(target: Target) -> dict[str, str]:
    """The URLs the run needs, by target key."""
    if target.sut == "ucsp":
        return {
            "ucsp.gateway_url": target.ucsp.gateway_url,
            "ucsp.authorize_url": target.ucsp.authorize_url,
            "industry.index_url": target.industry.index_url,
            "industry.notice_url": target.industry.notice_url,
        }
    return {
        "industry.index_url": target.industry.index_url,
        "industry.notice_url": target.industry.notice_url,
    }


def check_urls(target: Target) -> list[Check]:
    """Every URL the run needs is set (the SUT's own are then met by ``check_sut``)."""
    checks = []
    for key, url in _url_keys(target).items():
        section, _, name = key.partition(".")
        fix = f"add {name} = 'http://...' under [{section}]"
        if target.sut == "ucsp" and section == "industry":
            fix = (
                "set suite.public_url (the suite's address as the UCSP reaches it; "
                f"{name} defaults to it) or {name} under [industry]"
            )
        checks.append(Check(f"{key} set", bool(url), url or "missing", fix))
    return checks


def _post(url: str, body: bytes) -> httpx.Response | Check:
    try:
        return httpx.post(
            url,
            content=body,
            timeout=TIMEOUT,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
    except httpx.HTTPError as exc:
        return _unreachable(url, exc)


def _unreachable(url: str, exc: httpx.HTTPError) -> Check:
    return Check(
        f"{url} answers",
        False,
        f"{url}: {type(exc).__name__}",
        "start the SUT, or correct the URL in the target file",
    )


def _clock(response: httpx.Response, target: Target) -> Check | None:
    date = response.headers.get("date")
    if not date:
        return None
    try:
        skew = abs((parsedate_to_datetime(date) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
    limit = target.profile.skew_seconds / 2
    return Check(
        "clocks agree",
        skew <= limit,
        f"SUT clock {skew:.0f} s from the suite's",
        "synchronise both machines with NTP",
    )


def _answers(what: str, url: str, outcome: httpx.Response | Check) -> Check:
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


def _signer_cert(
    what: str, raw: bytes, signer: Party, expected: KeyPair, target: Target
) -> tuple[Check, dict[str, Any] | None]:
    """Which certificate signed the SUT's answer.

    Signed with the certificate of the target but named otherwise (hex, leading zeros, no
    ID) or badly signed under the right name: the SUT's (SEC-01). Signed with another key
    and named another ID: the target holds the wrong certificate, a problem.
    """
    name = f"{what} certificate ID"
    try:
        text = decode_text(raw, max_bytes=target.profile.max_body_bytes)
        message = parse_text(text, max_depth=target.profile.max_depth)
    except UcspError as exc:
        return graded(name, RequirementViolation("FMT-06", f"the answer is not JSON: {exc}")), None
    fields = message.get("certificateSignature")
    named = fields.get(CERT_ID_FIELD[signer]) if isinstance(fields, dict) else None
    try:
        data, signature = signed_bytes(text, target.profile.placeholder, message)
        verify_bytes(expected.cert, data, signature, target.profile.signature_mode)
        verifies = True
    except UcspError:
        verifies = False
    field = CERT_ID_FIELD[signer]
    if named == expected.cert_id and verifies:
        return Check(name, True, f"SUT signs with {named}"), message
    if verifies:
        return graded(
            name,
            RequirementViolation(
                "SEC-01",
                f"the SUT signs with the target's certificate but names it {field} {named!r}; "
                f"PROTOCOL.md section 2 writes the serial in decimal: {expected.cert_id}",
            ),
        ), message
    if named == expected.cert_id:
        return graded(
            name,
            RequirementViolation(
                "SEC-01",
                f"{field} {named} names the target's certificate, but the signature does not "
                f"verify with it ({target.profile.signature_mode})",
            ),
        ), message
    return Check(
        name,
        False,
        f"SUT signs with {named!r}, the target's certificate is {expected.cert_id}",
        "copy the SUT's current signing certificate into suite.keys",
    ), message


def _gateway(target: Target, codec: Codec) -> list[Check]:
    url = target.ucsp.gateway_url
    sent = build_request(
        codec.msg_info("PAYMENT_RESULT_INQUIRY", target.industry.code), dict(PROBE_ORDER)
    )
    outcome = _post(url, codec.sign(sent))
    checks = [_answers("UCSP gateway", url, outcome)]
    if not isinstance(outcome, httpx.Response) or outcome.status_code != 200:
        return checks
    cert, message = _signer_cert(
        "UCSP gateway", outcome.content, Party.UCSP, target.keys.ucsp_sign, target
    )
    checks.append(cert)
    if message is not None:
        checks += _gateway_answer(target, sent, message)
    clock = _clock(outcome, target)
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


def _authorization(target: Target) -> list[Check]:
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
    return [Check(name, True, f"HTTP 302 to {index}"), _encryption(target, message)]


def _same_base(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other.partition("?")[0])
    return (a.scheme, a.netloc.lower(), a.path or "/") == (
        b.scheme,
        b.netloc.lower(),
        b.path or "/",
    )


def _encryption(target: Target, message: Mapping[str, Any]) -> Check:
    """The login's mobile is encrypted to the suite's industry-enc certificate."""
    name = "UCSP encrypts to industry-enc.crt"
    enc = target.keys.industry_enc
    fields = message.get("certificateSignature")
    named = fields.get(ENC_CERT_ID_FIELD) if isinstance(fields, dict) else None
    trx = message.get("trxInfo")
    value = trx.get("mobile") if isinstance(trx, dict) else None
    decrypts = False
    if enc.key is not None and isinstance(value, str):
        try:
            decrypts = decrypt_field(enc.key, value, target.profile.encryption_mode) == (
                target.ucsp.mobile
            )
        except UcspError:
            decrypts = False
    if named == enc.cert_id and decrypts:
        return Check(name, True, f"{ENC_CERT_ID_FIELD} {named}")
    if named == enc.cert_id or decrypts:
        return graded(
            name,
            RequirementViolation(
                "SEC-08",
                f"{ENC_CERT_ID_FIELD} {named!r} and the mobile do not agree with the suite's "
                f"encryption certificate (ID {enc.cert_id})",
            ),
        )
    return Check(
        name,
        False,
        f"the UCSP encrypts to {ENC_CERT_ID_FIELD} {named!r}, the suite's industry-enc.crt "
        f"is {enc.cert_id}",
        "register the suite's industry-enc.crt at the UCSP for industry "
        f"{target.industry.code}, or put the matching industry-enc.key/.crt in suite.keys",
    )


def _notice_url(target: Target) -> list[Check]:
    url = target.industry.notice_url
    outcome = _post(url, b"{}")
    checks = [_answers("IS notice URL", url, outcome)]
    if isinstance(outcome, httpx.Response) and outcome.status_code == 200:
        cert, _ = _signer_cert(
            "IS notice URL", outcome.content, Party.INDUSTRY, target.keys.industry_sign, target
        )
        checks.append(cert)
    if isinstance(outcome, httpx.Response):
        clock = _clock(outcome, target)
        if clock is not None:
            checks.append(clock)
    return checks


def _industry_login(target: Target, codec: Codec) -> Check:
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


def _get(url: str, what: str, fix: str) -> Check:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return Check(f"{what} reachable", False, f"{url}: {type(exc).__name__}", fix)
    return Check(f"{what} reachable", True, f"{url}: HTTP {response.status_code}")


def check_sut(target: Target) -> list[Check]:
    codec = _codec(target)
    if codec is None:
        return []
    if target.sut == "ucsp":
        checks = _gateway(target, codec)
        if target.ucsp.authorize_url:
            checks += _authorization(target)
        return checks
    checks = _notice_url(target)
    checks.append(_industry_login(target, codec))
    if target.industry.harness_url:
        checks.append(
            _get(
                target.industry.harness_url.rstrip("/") + "/harness/orders/doctor",
                "IS harness",
                "correct industry.harness_url or start the harness",
            )
        )
    return checks


def check_listen(target: Target) -> Check:
    what = (
        "the suite's endpoints (UCSP gateway)"
        if target.sut == "industry"
        else ("the suite's notice URL and index URL")
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((target.listen_host, target.listen_port))
    except OSError as exc:
        return Check(
            f"{what} can listen",
            False,
            f"{target.listen_host}:{target.listen_port}: {exc.strerror}",
            "free the port or change suite.listen",
        )
    finally:
        sock.close()
    return Check(f"{what} can listen", True, f"{target.listen_host}:{target.listen_port}")


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
