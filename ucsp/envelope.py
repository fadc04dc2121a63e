"""Building envelopes: msgID, timeStamp, msgInfo, responses (PROTOCOL.md sections 2 and 4)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from ucsp.codes import ResponseCode
from ucsp.errors import MalformedMessage
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.strictjson import parse_text

TIME_FORMAT = "%Y%m%d%H%M%S"
CERT_ID_FIELD = {Party.INDUSTRY: "appSignCertID", Party.UCSP: "ucspSignCertID"}
ENC_CERT_ID_FIELD = "appEncCertID"


def format_time(moment: datetime, profile: Profile) -> str:
    """YYYYMMDDhhmmss in the profile's zone (Beijing time by default)."""
    return moment.astimezone(profile.tz).strftime(TIME_FORMAT)


def parse_time(text: str, profile: Profile) -> datetime:
    """Parse a YYYYMMDDhhmmss value of the profile's zone; ValueError when not a real time."""
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        raise ValueError(f"{text!r} is not YYYYMMDDhhmmss")
    # Slicing is several times cheaper than strptime on the receive path; datetime() still
    # refuses impossible dates and times.
    parts = (text[0:4], text[4:6], text[6:8], text[8:10], text[10:12], text[12:14])
    year, month, day, hour, minute, second = (int(p) for p in parts)
    return datetime(year, month, day, hour, minute, second, tzinfo=profile.tz)


def new_msg_id(originator: Party, industry_code: str, moment: datetime, profile: Profile) -> str:
    """29 characters: A|U, the industry code, YYYYMMDDhhmmss, six random digits."""
    digits = f"{secrets.randbelow(1_000_000):06d}"
    return f"{originator.msgid_prefix}{industry_code}{format_time(moment, profile)}{digits}"


def build_msg_info(
    msg_type: str, industry_code: str, originator: Party, moment: datetime, profile: Profile
) -> dict[str, str]:
    return {
        "versionNo": profile.version_no,
        "msgID": new_msg_id(originator, industry_code, moment, profile),
        "timeStamp": format_time(moment, profile),
        "msgType": msg_type,
        "industryCode": industry_code,
    }


def build_request(msg_info: dict[str, str], trx_info: dict[str, Any]) -> dict[str, Any]:
    return {"msgInfo": msg_info, "trxInfo": trx_info}


def response_message(code: ResponseCode | str, detail: str | None = None) -> dict[str, str]:
    code = ResponseCode(code)
    text = code.description if not detail else f"{code.description}: {detail}"
    printable = "".join(ch if " " <= ch <= "~" else "?" for ch in text)
    return {"responseCode": code.value, "responseMsg": printable[:256]}


def build_response(
    request_msg_info: Any,
    trx_info: dict[str, Any],
    code: ResponseCode | str,
    detail: str | None = None,
) -> dict[str, Any]:
    """A response echoing the request's msgInfo."""
    return {
        "msgInfo": request_msg_info,
        "trxInfo": trx_info,
        "msgResponse": response_message(code, detail),
    }


def fallback_msg_info(
    body: Any, responder: Party, industry_code: str, moment: datetime, profile: Profile
) -> dict[str, Any]:
    """msgInfo for a code-10 answer: the request's when it had one, else a fresh one."""
    if isinstance(body, dict) and isinstance(body.get("msgInfo"), dict):
        return dict(body["msgInfo"])
    return build_msg_info("UNKNOWN", industry_code, responder, moment, profile)


# --- echoing msgInfo in a code-10 answer --------------------------------------------------

ECHO_SLACK = 2048  # bytes kept free for the rest of a code-10 answer echoing msgInfo


def lenient_object(raw: bytes, max_bytes: int) -> Any:
    """Best-effort reading of a body strict parsing refused, only to echo its msgInfo
    (a BOM-prefixed object still counts as an object); None when unreadable."""
    if len(raw) > max_bytes:
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None


def within_echo_limits(info: Any, profile: Profile) -> bool:
    """An echoed msgInfo keeps the answer within the limits a strict receiver enforces."""
    if not isinstance(info, dict):
        return False
    try:
        text = json.dumps(info, ensure_ascii=False, allow_nan=False)
        size = len(text.encode("utf-8"))
        parse_text(text, max_depth=profile.max_depth - 1)
    except (ValueError, UnicodeError, RecursionError, MalformedMessage):
        return False
    return size + ECHO_SLACK <= profile.max_body_bytes


def echoable_msg_info(raw: bytes, profile: Profile) -> dict[str, Any] | None:
    """The msgInfo a code-10 answer to ``raw`` echoes, or None when it must be fresh."""
    body = lenient_object(raw, profile.max_body_bytes)
    info = body.get("msgInfo") if isinstance(body, dict) else None
    return info if isinstance(info, dict) and within_echo_limits(info, profile) else None
