"""Checks of what the user configures: identifiers, keys, a signing round trip, URLs, the
suite's own endpoints. No request reaches the SUT."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from ucsp import schemas
from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.crypto import Identity
from ucsp.doctor.check import Check, own_side
from ucsp.envelope import build_request
from ucsp.errors import UcspError
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.target import Target

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


@dataclass(frozen=True)
class Playing:
    """What the suite needs of its own while it plays the peer of the role under test."""

    private_keys: tuple[tuple[str, str], ...]  # key stems besides the signing one, and why
    urls: tuple[str, ...]  # target keys of the URLs the run needs
    public_url_sections: tuple[str, ...]  # sections whose URLs default to suite.public_url
    endpoints: str  # what the suite serves


# by the role under test
PLAYING = {
    "ucsp": Playing(
        private_keys=(("industry-enc", "it decrypts the login mobile"),),
        urls=(
            "ucsp.gateway_url",
            "ucsp.authorize_url",
            "industry.index_url",
            "industry.notice_url",
        ),
        public_url_sections=("industry",),
        endpoints="the suite's notice URL and index URL",
    ),
    "industry": Playing(
        private_keys=(),
        urls=("industry.index_url", "industry.notice_url"),
        public_url_sections=(),
        endpoints="the suite's endpoints (UCSP gateway)",
    ),
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
    party, pair = own_side(target)
    stem = "ucsp-sign" if party is Party.UCSP else "industry-sign"
    checks.append(
        Check(
            f"suite signing key ({stem}.key)",
            pair.key is not None,
            "present and matching its certificate" if pair.key else "missing",
            f"put the suite's {stem}.key next to {stem}.crt in suite.keys",
        )
    )
    for stem, why in PLAYING[target.sut].private_keys:
        key = getattr(target.keys, stem.replace("-", "_")).key
        checks.append(
            Check(
                f"suite encryption key ({stem}.key)",
                key is not None,
                "present" if key else "missing",
                f"put {stem}.key in suite.keys: {why}",
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
    party, pair = own_side(target)
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
    keys = PLAYING[target.sut].urls
    return {key: getattr(getattr(target, key.split(".")[0]), key.split(".")[1]) for key in keys}


def check_urls(target: Target) -> list[Check]:
    """Every URL the run needs is set (the SUT's own are then met by ``check_sut``)."""
    checks = []
    for key, url in _url_keys(target).items():
        section, _, name = key.partition(".")
        fix = f"add {name} = 'http://...' under [{section}]"
        if section in PLAYING[target.sut].public_url_sections:
            fix = (
                "set suite.public_url (the suite's address as the UCSP reaches it; "
                f"{name} defaults to it) or {name} under [industry]"
            )
        checks.append(Check(f"{key} set", bool(url), url or "missing", fix))
    return checks


def check_listen(target: Target) -> Check:
    what = PLAYING[target.sut].endpoints
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
