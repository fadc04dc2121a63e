"""Checks on single messages: codes, schema, signature, echo, envelope."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography import x509

from ucsp import schemas
from ucsp.checks import ensure
from ucsp.crypto import signed_bytes, verify_bytes
from ucsp.envelope import CERT_ID_FIELD, parse_time
from ucsp.errors import RequirementViolation, UcspError
from ucsp.messages import Kind, Party
from ucsp.profile import Profile
from ucsp.strictjson import decode_text, parse_text
from ucsp.transport import Exchange


def check_code(
    actual: str | None, expected: str, requirement: str, what: str = "the answer"
) -> None:
    """The response code is the expected one."""
    ensure(
        actual == expected,
        requirement,
        f"{what} carries response code {actual!r}, expected {expected}",
    )


def parse_sent(raw: bytes | None, requirement: str, profile: Profile) -> tuple[str, dict[str, Any]]:
    """A message the SUT sent parses strictly (else a violation of ``requirement``)."""
    if not raw:
        raise RequirementViolation(requirement, "no message body was sent")
    try:
        text = decode_text(raw, max_bytes=profile.max_body_bytes)
        return text, parse_text(text, max_depth=profile.max_depth)
    except UcspError as exc:
        raise RequirementViolation(
            requirement, f"the message is not acceptable JSON: {exc}"
        ) from None


def check_schema(message: Any, msg_type: str, kind: Kind, requirement: str = "FMT-06") -> None:
    """A message the SUT sent validates against its schema."""
    errors = schemas.validate(message, msg_type, kind)
    ensure(
        not errors,
        requirement,
        f"{msg_type} {kind} breaks its schema: " + "; ".join(str(e) for e in errors[:5]),
    )


def check_signature(
    text: str,
    message: dict[str, Any],
    signer: Party,
    certs: Mapping[str, x509.Certificate],
    profile: Profile,
    requirement: str = "SEC-01",
) -> None:
    """The message is signed by ``signer`` over its raw bytes with a known certificate."""
    fields = message.get("certificateSignature")
    cert_field = CERT_ID_FIELD[signer]
    cert_id = fields.get(cert_field) if isinstance(fields, dict) else None
    ensure(
        isinstance(cert_id, str) and cert_id in certs,
        requirement,
        f"{cert_field} {cert_id!r} does not name the signer's certificate "
        f"(known: {', '.join(certs) or 'none'})",
    )
    assert isinstance(cert_id, str)
    try:
        data, signature = signed_bytes(text, profile.placeholder, message)
        verify_bytes(certs[cert_id], data, signature, profile.signature_mode)
    except UcspError as exc:
        raise RequirementViolation(requirement, f"signature does not verify: {exc}") from None


def check_sent_message(
    raw: bytes | None,
    msg_type: str,
    kind: Kind,
    signer: Party,
    certs: Mapping[str, x509.Certificate],
    profile: Profile,
) -> dict[str, Any]:
    """Everything a message sent by the SUT must be: JSON, schema-valid, signed."""
    text, message = parse_sent(raw, "FMT-06", profile)
    check_schema(message, msg_type, kind)
    check_signature(text, message, signer, certs, profile)
    return message


def check_echo(request: bytes, response: bytes, requirement: str = "FMT-07") -> None:
    """The response's msgInfo is an exact copy of the request's."""
    sent = json.loads(request).get("msgInfo")
    got = json.loads(response).get("msgInfo")
    ensure(sent == got, requirement, f"response msgInfo {got!r} does not echo {sent!r}")


def check_msg_id(
    msg_info: Mapping[str, Any], originator: Party, industry_code: str, requirement: str
) -> None:
    """msgID: prefix of the originator, the industry code, the timeStamp's digits, 6 digits."""
    msg_id = str(msg_info.get("msgID", ""))
    expected_prefix = originator.msgid_prefix + industry_code
    ensure(
        len(msg_id) == 29 and msg_id.startswith(expected_prefix) and msg_id[9:].isdigit(),
        requirement,
        f"msgID {msg_id!r} is not {expected_prefix}+YYYYMMDDhhmmss+6 digits",
    )


def check_timestamp(
    value: str, now: datetime, profile: Profile, requirement: str, what: str = "timeStamp"
) -> None:
    """A time the SUT wrote is its current Beijing time (within the skew window)."""
    try:
        moment = parse_time(value, profile)
    except ValueError:
        raise RequirementViolation(
            requirement, f"{what} {value!r} is not a real YYYYMMDDhhmmss"
        ) from None
    skew = abs((moment - now).total_seconds())
    ensure(
        skew <= profile.skew_seconds,
        requirement,
        f"{what} {value} is {skew:.0f} s from the suite's clock in UTC"
        f"{profile.utc_offset_hours:+g} (allowed {profile.skew_seconds:.0f} s)",
    )


def check_fresh_msg_ids(messages: list[Mapping[str, Any]], requirement: str = "FMT-11") -> None:
    """No two transmissions share a msgID."""
    ids = [str(m.get("msgInfo", {}).get("msgID")) for m in messages]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    ensure(not repeated, requirement, f"msgID reused across transmissions: {', '.join(repeated)}")


ANSWER_REQUIREMENTS = {
    "transport": "TRN-04",
    "http": "TRN-04",
    "format": "FMT-06",
    "signature": "SEC-01",
    "echo": "FMT-07",
}


def check_valid_answer(exchange: Exchange) -> None:
    """The SUT's answer to the suite's request was a valid, signed, echoing response."""
    if exchange.error_kind is not None:
        raise RequirementViolation(
            ANSWER_REQUIREMENTS.get(exchange.error_kind, "TRN-04"),
            f"the answer to {exchange.msg_type or 'the request'} is not a valid response: "
            f"{exchange.error}",
        )
