"""Broken INDUSTRY_LOGIN_INFO: a valid login with one named corruption, re-signed unless the
signature is the point, as the query string it travels in, with the rule it probes; and the
accepted boundary values of a login's user fields (their declared maximum lengths)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from ucsp import schemas
from ucsp.crypto import SIGNATURE_PATH
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD, build_msg_info
from ucsp.errors import ConfigError
from ucsp.login_encoding import PLAIN_MOBILE_MAX, LoginBuilder, LoginUser
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.strictjson import member_span


def with_signature(signed: bytes, value: str) -> bytes:
    """``signed`` with its signature value replaced by ``value`` (nothing else changes)."""
    text = signed.decode("utf-8")
    span = member_span(text, SIGNATURE_PATH)
    if span is None:
        raise ValueError("the message has no certificateSignature.signature")
    start, end = span
    return (text[:start] + json.dumps(value) + text[end:]).encode("utf-8")


def signature_of(signed: bytes) -> str:
    value = json.loads(signed)["certificateSignature"]["signature"]
    return str(value)


def unknown_cert_id(known: str) -> str:
    """A decimal certificate ID that differs from ``known`` (and names no certificate)."""
    return str(int(known) + 1) if known.isdigit() else "1" + known


@dataclass(frozen=True)
class Corruption:
    """A broken INDUSTRY_LOGIN_INFO: the query string it travels as, and the rule it probes."""

    requirement: str
    query: Callable[[LoginBuilder], str]


def _other_signature(b: LoginBuilder) -> str:
    signed = b.sign(b.message())
    other = b.sign(b.message(user_id=b.user.user_id + "0"))  # same key, other content
    return b.query(with_signature(signed, signature_of(other)))


def _not_base64(b: LoginBuilder) -> str:
    return b.query(with_signature(b.sign(b.message()), "not Base64!"))


def _unknown_sign_cert(b: LoginBuilder) -> str:
    field_name = CERT_ID_FIELD[Party.UCSP]
    return b.query(b.sign(b.message(), **{field_name: unknown_cert_id(b.codec.identity.cert_id)}))


def _unknown_enc_cert(b: LoginBuilder) -> str:
    return b.query(b.sign(b.message(), **{ENC_CERT_ID_FIELD: unknown_cert_id(b.enc_cert_id)}))


def _set_mobile(value: Callable[[LoginBuilder], str]) -> Callable[[LoginBuilder], str]:
    return lambda b: b.query(b.sign(b.message(mobile=value(b))))


def _without_user_id(b: LoginBuilder) -> str:
    message = b.message()
    del message["trxInfo"]["userId"]
    return b.query(b.sign(message))  # re-signed: only the schema is broken


def _skewed(b: LoginBuilder) -> str:
    moment = b.codec.clock.now() - timedelta(seconds=2 * b.profile.skew_seconds + 60)
    b.msg_info = build_msg_info(LOGIN_TYPE, b.target.industry.code, Party.UCSP, moment, b.profile)
    return b.valid()


def _bad_escape(b: LoginBuilder) -> str:
    valid = b.valid()
    head, _, value = valid.partition("=")
    return f"{head}=%G{value}"


LOGIN_CORRUPTIONS: dict[str, Corruption] = {
    # signature and certificates: 403 (SEC-09)
    "a signature that does not verify": Corruption("SEC-09", _other_signature),
    "a signature that is not Base64": Corruption("SEC-09", _not_base64),
    "an unknown ucspSignCertID": Corruption("SEC-09", _unknown_sign_cert),
    "an unknown appEncCertID": Corruption("SEC-09", _unknown_enc_cert),
    # request_data, format and decryption: 400 (LOGIN-05)
    "no request_data": Corruption("LOGIN-05", lambda b: ""),
    "a malformed percent escape in request_data": Corruption("LOGIN-05", _bad_escape),
    "request_data that is not UTF-8": Corruption(
        "LOGIN-05", lambda b: b.query(b"\xff\xfe" + b.sign(b.message()))
    ),
    "request_data that is not JSON": Corruption("LOGIN-05", lambda b: b.query(b"not JSON")),
    "a login message without userId": Corruption("LOGIN-05", _without_user_id),
    "a mobile in clear": Corruption("LOGIN-05", _set_mobile(lambda b: b.user.mobile)),
    "a mobile encrypted to the wrong key": Corruption(
        "LOGIN-05", _set_mobile(LoginBuilder.wrong_key_mobile)
    ),
    "a mobile that decrypts to 65 characters": Corruption(
        "LOGIN-05",
        _set_mobile(lambda b: b.encrypt((b.user.mobile * 65)[: PLAIN_MOBILE_MAX + 1])),
    ),
    # clock skew: 400 (FMT-13, SHOULD)
    "a timeStamp outside the allowed clock skew": Corruption("FMT-13", _skewed),
}


# --- accepted boundary values ---------------------------------------------------------------

# The login's user fields a scenario may stretch to their declared maximum length.
LONGEST_FIELDS: dict[str, str] = {"userId": "user_id", "mobile": "mobile"}


def max_length(field: str) -> int:
    """The declared maximum length of INDUSTRY_LOGIN_INFO's ``trxInfo.field`` (schemas/; for
    the encrypted mobile, of its decrypted value)."""
    for rule in schemas.field_rules(LOGIN_TYPE, "request"):
        if rule.path == ("trxInfo", field) and rule.max_length is not None:
            return rule.max_length
    raise ConfigError(f"the {LOGIN_TYPE} schema declares no maximum length for trxInfo.{field}")


def at_maximum_length(user: LoginUser, field: str) -> LoginUser:
    """``user`` with ``field`` (userId or mobile) repeated to its declared maximum length."""
    if field not in LONGEST_FIELDS:
        raise ConfigError(f"no maximum-length login field {field!r}; known: userId, mobile")
    attribute = LONGEST_FIELDS[field]
    value, length = getattr(user, attribute), max_length(field)
    return replace(user, **{attribute: (value * length)[:length]})
