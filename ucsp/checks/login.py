"""Checks of the authorized login: the UCSP's redirect and message, the IS's verdict.

UCSP under test: the answer to AUTHORIZATION_URL (302 to INDUSTRY_INDEX_URL, request_data
encoded per the profile), and the INDUSTRY_LOGIN_INFO it carries (schema, UCSP signature
over the decoded JSON bytes, U msgID, timeStamp, appEncCertID and the encrypted mobile).
Industry Service under test: the status of its login page and the session the harness
reports. Clear mobile numbers never appear in a failure message.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp import schemas
from ucsp.checks import ensure
from ucsp.checks.messages import check_msg_id, check_signature, check_timestamp, parse_sent
from ucsp.crypto import decode_base64, decrypt_field
from ucsp.envelope import ENC_CERT_ID_FIELD
from ucsp.errors import RequirementViolation, UcspError
from ucsp.mask import hide_mobile
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.profile import EncryptionMode, Profile, RequestDataEncoding

REDIRECT_STATUS = 302
ACCEPTED_STATUSES = (200, 302)  # the service page, or a redirect to it
_ESCAPED = re.compile(r"(?:[A-Za-z0-9_.~-]|%[0-9A-Fa-f]{2})*")  # quote(text, safe="")
_UNESCAPED = re.compile(r"[^A-Za-z0-9_.~%-]|%(?![0-9A-Fa-f]{2})")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_MOBILE_PATH = "$.trxInfo.mobile"


def mask(value: str) -> str:
    """A mobile as it may appear in a report (the one mask, :func:`hide_mobile`)."""
    return hide_mobile(value)


# --- UCSP under test ----------------------------------------------------------------------


def _base(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"


def check_login_redirect(
    status: int, location: str | None, index_url: str, profile: Profile
) -> tuple[str, dict[str, Any]]:
    """AUTHORIZATION_URL answered 302 to the index URL with request_data holding a JSON object.

    Returns the decoded JSON text (the signed bytes) and the parsed message.
    """
    ensure(
        status == REDIRECT_STATUS,
        "LOGIN-01",
        f"AUTHORIZATION_URL answered HTTP {status}, expected 302 to INDUSTRY_INDEX_URL",
    )
    ensure(bool(location), "LOGIN-01", "the 302 answer to AUTHORIZATION_URL has no Location")
    assert location is not None
    base, _, query = location.partition("?")
    index_base, _, index_query = index_url.partition("?")
    ensure(
        _base(base) == _base(index_base),
        "LOGIN-01",
        f"redirected to {base!r}, expected the industry's INDUSTRY_INDEX_URL {index_base!r}",
    )
    pairs = [p for p in query.split("&") if p]
    missing = [p for p in index_query.split("&") if p and p not in pairs]
    ensure(
        not missing,
        "LOGIN-01",
        f"the redirect drops the query parameters of INDUSTRY_INDEX_URL: {', '.join(missing)}",
    )
    values = [
        value for name, _, value in (p.partition("=") for p in pairs) if name == "request_data"
    ]
    ensure(
        len(values) == 1,
        "LOGIN-01",
        f"the redirect carries {len(values)} request_data parameters, expected exactly one",
    )
    raw = decode_request_data(values[0], profile.request_data_encoding)
    text, message = parse_sent(raw, "LOGIN-02", profile)
    return text, message


def decode_request_data(value: str, encoding: RequestDataEncoding) -> bytes:
    """The JSON bytes of a request_data value, decoded strictly per the profile (LOGIN-02)."""
    ensure(bool(value), "LOGIN-02", "request_data is empty")
    unescaped = _UNESCAPED.search(value)
    ensure(
        unescaped is None and _ESCAPED.fullmatch(value) is not None,
        "LOGIN-02",
        "request_data is not percent-encoded with nothing left unescaped "
        "(quote(json, safe='')): "
        + (f"{unescaped.group()!r} at offset {unescaped.start()}" if unescaped else "bad escape"),
    )
    raw = unquote_to_bytes(value)
    if encoding is RequestDataEncoding.BASE64URL:
        text = raw.decode("ascii", errors="replace")
        ensure(
            _BASE64URL.fullmatch(text) is not None,
            "LOGIN-02",
            "request_data is not base64url (profile login.request_data_encoding)",
        )
        bare = text.rstrip("=")
        try:
            raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
        except (binascii.Error, ValueError):
            raise RequirementViolation("LOGIN-02", "request_data is not base64url") from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequirementViolation("LOGIN-02", "request_data does not decode to UTF-8") from None
    return raw


def check_encrypted_mobile(
    message: Mapping[str, Any],
    enc_cert_id: str,
    enc_key: rsa.RSAPrivateKey,
    mobile: str,
    mode: EncryptionMode,
) -> None:
    """appEncCertID names the IS encryption certificate and mobile decrypts to the user's."""
    fields = message.get("certificateSignature")
    named = fields.get(ENC_CERT_ID_FIELD) if isinstance(fields, dict) else None
    ensure(
        named == enc_cert_id,
        "SEC-08",
        f"{ENC_CERT_ID_FIELD} is {named!r}, expected {enc_cert_id} "
        "(the industry encryption certificate)",
    )
    trx = message.get("trxInfo")
    value = trx.get("mobile") if isinstance(trx, dict) else None
    ensure(isinstance(value, str), "SEC-08", "trxInfo.mobile is missing or not a string")
    assert isinstance(value, str)
    ensure(
        decode_base64(value) is not None,
        "SEC-08",
        "trxInfo.mobile is not standard Base64: the mobile is not encrypted",
    )
    try:
        plain = decrypt_field(enc_key, value, mode)
    except UcspError as exc:
        raise RequirementViolation(
            "SEC-08",
            f"trxInfo.mobile does not decrypt with the industry encryption key ({exc.reason}); "
            "was it encrypted to another certificate?",
        ) from None
    ensure(
        hmac.compare_digest(plain.encode(), mobile.encode()),
        "SEC-08",
        f"trxInfo.mobile decrypts to {mask(plain)}, not the user's mobile {mask(mobile)}",
    )


def check_login_schema(message: Any) -> None:
    """INDUSTRY_LOGIN_INFO validates against its schema (mobile values kept out of reports)."""
    errors = schemas.validate(message, LOGIN_TYPE, "request")
    shown = [
        f"{e.path}: {e.rule} [{e.provenance}]" if e.path == _MOBILE_PATH else str(e)
        for e in errors[:5]
    ]
    ensure(not errors, "FMT-06", f"{LOGIN_TYPE} breaks its schema: " + "; ".join(shown))


def check_login_message(
    text: str,
    message: dict[str, Any],
    ucsp_certs: Mapping[str, x509.Certificate],
    industry_code: str,
    now: datetime,
    profile: Profile,
) -> None:
    """U msgID, schema, UCSP signature over the decoded bytes, and timeStamp of the login.

    The msgID rule (FMT-10) is checked before the schema, which also demands the U prefix,
    so that a wrong prefix is reported against the rule that states it.
    """
    msg_info = message.get("msgInfo")
    if isinstance(msg_info, dict):
        check_msg_id(msg_info, Party.UCSP, industry_code, "FMT-10")
        check_timestamp(str(msg_info["msgID"])[9:23], now, profile, "FMT-10", "the time in msgID")
    check_login_schema(message)
    check_signature(text, message, Party.UCSP, ucsp_certs, profile)
    check_timestamp(str(message["msgInfo"]["timeStamp"]), now, profile, "FMT-12")


def check_login_names(
    message: Mapping[str, Any], industry_code: str, channel_code: str, user_id: str
) -> None:
    """The login names INDUSTRY_LOGIN_INFO, the industry, and the channel and user authorized."""
    info = message.get("msgInfo")
    trx = message.get("trxInfo")
    info = info if isinstance(info, dict) else {}
    trx = trx if isinstance(trx, dict) else {}
    expected = {
        "msgInfo.msgType": (info.get("msgType"), LOGIN_TYPE),
        "msgInfo.industryCode": (info.get("industryCode"), industry_code),
        "trxInfo.channelCode": (trx.get("channelCode"), channel_code),
        "trxInfo.userId": (trx.get("userId"), user_id),
    }
    wrong = [
        f"{k} is {got!r}, expected {want!r}" for k, (got, want) in expected.items() if got != want
    ]
    ensure(
        not wrong, "LOGIN-02", "the login does not carry what was authorized: " + "; ".join(wrong)
    )


def check_authorization_refused(status: int, location: str | None) -> None:
    """A defective AUTHORIZATION_URL request is answered 400 without a redirect."""
    ensure(
        status == 400 and not location,
        "LOGIN-03",
        f"AUTHORIZATION_URL answered HTTP {status}"
        + (" with a redirect" if location else "")
        + ", expected 400 without a redirect",
    )


# --- Industry Service under test ---------------------------------------------------------------


def check_login_accepted(status: int, sets_cookie: bool, requirement: str = "LOGIN-04") -> None:
    """The IS answered the login with its service page (200, or 302 to it) and a session cookie."""
    ensure(
        status in ACCEPTED_STATUSES,
        requirement,
        f"the Industry Service answered a valid login with HTTP {status}, "
        "expected 200 (or 302 to its service page)",
    )
    ensure(
        sets_cookie,
        requirement,
        "the Industry Service's answer to a valid login sets no session cookie",
    )


def check_login_refused(status: int, expected: int, requirement: str) -> None:
    """The IS refused the login with exactly the expected status."""
    ensure(
        status == expected,
        requirement,
        f"the Industry Service answered the login with HTTP {status}, expected {expected}",
    )


def check_session(logged_in: bool, expected: bool, user_id: str, requirement: str) -> None:
    """The harness reports (or not) a session for the user."""
    ensure(
        logged_in == expected,
        requirement,
        f"the harness reports loggedIn {str(logged_in).lower()} for user {user_id}, "
        f"expected {str(expected).lower()}"
        + ("" if expected else ": a refused login must create no session"),
    )
