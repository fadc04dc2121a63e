"""Preflight: is the target usable before any scenario runs?

Most failures in certification are configuration errors. ``diagnose`` checks keys and
certificates, certificate IDs, a signing round trip, that the SUT and its harness answer,
that the suite's own endpoints can be served, and that the clocks agree; each problem comes
with its fix.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.crypto import Identity
from ucsp.envelope import CERT_ID_FIELD, build_request
from ucsp.errors import ConfigError, UcspError
from ucsp.keys import KeyPair
from ucsp.messages import Party
from ucsp.target import Target

TIMEOUT = 10.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = f"{mark} {self.name}"
        if self.detail:
            text += f": {self.detail}"
        if not self.ok and self.fix:
            text += f" (fix: {self.fix})"
        return text


def _own(target: Target) -> tuple[Party, KeyPair]:
    """The party the suite plays and its signing key pair."""
    if target.sut == "industry":
        return Party.UCSP, target.keys.ucsp_sign
    return Party.INDUSTRY, target.keys.industry_sign


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


def _signed_answer(
    target: Target, url: str, body: bytes, signer: Party, expected: KeyPair, what: str
) -> list[Check]:
    try:
        response = httpx.post(
            url,
            content=body,
            timeout=TIMEOUT,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
    except httpx.HTTPError as exc:
        return [
            Check(
                f"{what} answers",
                False,
                f"{url}: {type(exc).__name__}",
                "start the SUT, or correct the URL in the target file",
            )
        ]
    checks = [
        Check(
            f"{what} answers",
            response.status_code == 200,
            f"{url}: HTTP {response.status_code}",
            "the URL must be the SUT's protocol endpoint (POST, answers HTTP 200)",
        )
    ]
    if response.status_code == 200:
        try:
            fields = json.loads(response.content).get("certificateSignature", {})
        except (ValueError, AttributeError):
            fields = {}
        named = fields.get(CERT_ID_FIELD[signer]) if isinstance(fields, dict) else None
        checks.append(
            Check(
                f"{what} certificate ID",
                named == expected.cert_id,
                f"SUT signs with {named!r}, the target's certificate is {expected.cert_id}",
                "copy the SUT's current signing certificate into suite.keys",
            )
        )
    clock = _clock(response, target)
    if clock is not None:
        checks.append(clock)
    return checks


def _get(url: str, what: str, fix: str) -> Check:
    try:
        response = httpx.get(url, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return Check(f"{what} reachable", False, f"{url}: {type(exc).__name__}", fix)
    return Check(f"{what} reachable", True, f"{url}: HTTP {response.status_code}")


def check_sut(target: Target) -> list[Check]:
    party, pair = _own(target)
    if pair.key is None:
        return []
    codec = Codec(party, Identity(pair.key, pair.cert), {}, target.profile, SystemClock())
    if target.sut == "ucsp":
        message = build_request(
            codec.msg_info("PAYMENT_RESULT_INQUIRY", target.industry.code),
            {"orderId": "DOCTORPROBE00001", "txnTime": "20260101000000"},
        )
        checks = _signed_answer(
            target,
            target.ucsp.gateway_url,
            codec.sign(message),
            Party.UCSP,
            target.keys.ucsp_sign,
            "UCSP gateway",
        )
        checks.append(
            _get(target.ucsp.authorize_url, "AUTHORIZATION_URL", "correct ucsp.authorize_url")
        )
        return checks
    checks = _signed_answer(
        target,
        target.industry.notice_url,
        b"{}",
        Party.INDUSTRY,
        target.keys.industry_sign,
        "IS notice URL",
    )
    checks.append(
        _get(target.industry.index_url, "INDUSTRY_INDEX_URL", "correct industry.index_url")
    )
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
    check_keys,
    check_round_trip,
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


def diagnose(target: Target) -> list[str]:
    """The problems found, one line each (empty when the target is ready)."""
    return [c.line() for c in run_checks(target) if not c.ok]
