"""Building envelopes: msgID, timeStamp, msgInfo, responses (PROTOCOL.md sections 2 and 4)."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
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


SERIALS_PER_SECOND = 1_000_000  # the six digits that end a msgID


class MsgIdSource:
    """The last six digits of msgIDs: unique per originator by construction.

    A msgID is the originator's letter, the industry code, YYYYMMDDhhmmss and six digits, and
    a receiver refuses (99) a msgID it has seen in the last 24 hours. So a repeat matters only
    between two IDs with the same originator, industry code and second, and the six digits
    are the only part an originator chooses.

    Within one process the digits are ``(seed + n) mod 10**6``, where ``n`` counts the IDs
    already made with the same prefix (originator, industry code and second). Two IDs with the
    same prefix therefore differ unless 10**6 of them were asked for in that one second: the
    10**6 + 1st raises instead of repeating. This holds whatever the clock does (a fake clock
    that returns to a second already used goes on counting where it left off), as long as the
    counter of that second is remembered: counters are dropped only for seconds further
    before the latest one seen than the profile's replay window (24 hours by default), when
    no receiver remembers their IDs any more.

    Between processes, ``seed`` is drawn once per process from the operating system's
    randomness (and drawn again in a child after ``fork``, which would otherwise inherit the
    parent's seed and counters). In a given second, two processes with seeds ``s1`` and ``s2``
    use the runs ``s1 .. s1 + b1 - 1`` and ``s2 .. s2 + b2 - 1`` (mod 10**6), where ``b`` is
    how many IDs each made in that second. The runs overlap only if the seeds lie within
    ``max(b1, b2)`` of each other, so the chance that two concurrent processes ever collide is
    at most ``(B1 + B2) / 10**6``, where ``B`` is a process's largest number of IDs in any
    one second with one prefix: a few in 10**5 for the suite's bursts of a dozen or so, over
    the whole of both runs, against near-certainty with random digits drawn per ID (the
    birthday bound over all IDs of one second). Inside one process there is no chance at all:
    the suite's peers and the reference implementations running in it share this source.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._latest: datetime | None = None
        self._memory = timedelta(0)  # the longest replay window asked for
        self.seed = secrets.randbelow(SERIALS_PER_SECOND) if seed is None else seed
        if not 0 <= self.seed < SERIALS_PER_SECOND:
            raise ValueError(f"a msgID seed is 0..{SERIALS_PER_SECOND - 1}, not {self.seed}")

    def reseed(self, seed: int | None = None) -> None:
        """A fresh seed and no counters (a new process)."""
        with self._lock:
            self._counts.clear()
            self._latest = None
            self._memory = timedelta(0)
            self.seed = secrets.randbelow(SERIALS_PER_SECOND) if seed is None else seed

    def digits(self, prefix: str, memory: timedelta) -> str:
        """The six digits of the next msgID that starts with ``prefix`` (ending YYYYMMDDhhmmss),
        for receivers that remember msgIDs for ``memory``."""
        with self._lock:
            used = self._counts.pop(prefix, 0)
            self._counts[prefix] = used + 1  # last used, last in order
            if used >= SERIALS_PER_SECOND:
                raise RuntimeError(f"more than {SERIALS_PER_SECOND} msgIDs in one second")
            if not used:  # a new second: time to forget the ones no receiver remembers
                self._memory = max(self._memory, memory)
                self._forget_before(_second_of(prefix))
        return f"{(self.seed + used) % SERIALS_PER_SECOND:06d}"

    def _forget_before(self, second: datetime) -> None:
        """Drop the counters of seconds further than the replay window before the latest
        second seen, oldest use first; stop at the first one still within the window (a
        clock that went back keeps more counters, never fewer)."""
        if self._latest is None or second > self._latest:
            self._latest = second
        horizon = self._latest - self._memory - timedelta(seconds=1)
        while self._counts:
            oldest = next(iter(self._counts))
            if _second_of(oldest) >= horizon:
                return
            del self._counts[oldest]

    def __len__(self) -> int:
        """Counters currently kept."""
        return len(self._counts)


def _second_of(prefix: str) -> datetime:
    """The second a msgID prefix ends with, as written (naive: prefixes written in another
    profile's zone only move the moment their counter is dropped by the zones' difference)."""
    return datetime.strptime(prefix[-len("YYYYmmddHHMMSS") :], TIME_FORMAT)


MSG_IDS = MsgIdSource()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=MSG_IDS.reseed)


def new_msg_id(
    originator: Party,
    industry_code: str,
    moment: datetime,
    profile: Profile,
    source: MsgIdSource | None = None,
) -> str:
    """29 characters: A|U, the industry code, YYYYMMDDhhmmss, six digits from ``source``
    (the process's :data:`MSG_IDS`), never the same twice in one process and second."""
    prefix = f"{originator.msgid_prefix}{industry_code}{format_time(moment, profile)}"
    memory = timedelta(seconds=profile.replay_window_seconds)
    return prefix + (MSG_IDS if source is None else source).digits(prefix, memory)


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
