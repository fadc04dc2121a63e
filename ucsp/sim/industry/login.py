"""INDUSTRY_INDEX_URL: the INDUSTRY_LOGIN_INFO login (PROTOCOL.md 3, 5, 8).

``GET /index?request_data=...``: strict form decoding of the query (or base64url, per the
profile), strict JSON, schema (400); signature with the UCSP certificate named by
ucspSignCertID (403); appEncCertID must name this IS's encryption certificate (403); the
mobile decrypts to printable ASCII of the declared length (400); industryCode and
channelCode are this IS's (403); a msgID already used -> 409; success: 200 page and a
session cookie. Only a masked mobile is ever stored or shown.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ucsp import schemas
from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.crypto import Identity, decrypt_field
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD
from ucsp.errors import MalformedMessage, UcspError
from ucsp.journal import Journal, JournalEntry
from ucsp.mask import hide_mobile
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.profile import RequestDataEncoding
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.config import IndustryConfig
from ucsp.sim.industry.store import Store

SESSION_COOKIE = "is_session"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class LoginRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class LoginResult:
    status: int
    reason: str
    user_id: str | None = None
    token: str | None = None
    masked_mobile: str = ""


def _s(info: dict[str, Any], key: str) -> str:
    value = info.get(key)
    return value if isinstance(value, str) else ""


def decode_request_data(query: bytes, encoding: RequestDataEncoding, max_bytes: int) -> bytes:
    """The JSON bytes carried by ``request_data``, decoded strictly; LoginRefused(400)."""
    if len(query) > 4 * max_bytes:
        raise LoginRefused(400, "query string too long")
    try:
        text = query.decode("ascii")
    except UnicodeDecodeError:
        raise LoginRefused(400, "query string is not ASCII") from None
    if _BAD_ESCAPE.search(text):
        raise LoginRefused(400, "malformed percent escape in the query string")
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict"
        )
    except ValueError:  # UnicodeDecodeError included
        raise LoginRefused(400, "query string is not valid UTF-8 form data") from None
    values = [value for key, value in pairs if key == "request_data"]
    if len(values) != 1:
        raise LoginRefused(400, "exactly one request_data parameter is required")
    value = values[0]
    if encoding is RequestDataEncoding.PERCENT:
        return value.encode("utf-8")
    if not _BASE64URL.fullmatch(value):
        raise LoginRefused(400, "request_data is not base64url")
    bare = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        raise LoginRefused(400, "request_data is not base64url") from None


class LoginHandler:
    def __init__(
        self,
        *,
        codec: Codec,
        enc_identity: Identity,
        store: Store,
        config: IndustryConfig,
        clock: Clock,
        faults: FaultSet,
        journal: Journal,
    ) -> None:
        self.codec = codec
        self.enc = enc_identity
        self.store = store
        self.config = config
        self.clock = clock
        self.faults = faults
        self.journal = journal
        self.profile = codec.profile

    async def handle(self, request: Request) -> Response:
        elapsed = self.clock.elapsed()
        query: bytes = request.scope.get("query_string", b"")
        result = self.process(query)
        response = _page(result)
        if result.token is not None:
            response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax")
        self.journal.record(
            JournalEntry(
                "in",
                LOGIN_TYPE,
                str(request.url.remove_query_params("request_data")),
                query,
                result.status,
                bytes(response.body),
                elapsed,
                self.clock.now(),
            )
        )
        return response

    def process(self, query: bytes) -> LoginResult:
        early: list[LoginResult] = []
        try:
            return self._login(query, early)
        except LoginRefused as refused:
            session = early[0] if early else None
            return LoginResult(
                refused.status,
                refused.reason,
                session.user_id if session else None,
                session.token if session else None,
            )

    def _login(self, query: bytes, early: list[LoginResult]) -> LoginResult:
        raw = decode_request_data(
            query, self.profile.request_data_encoding, self.profile.max_body_bytes
        )
        try:
            decoded = self.codec.parse(raw, "request")
        except MalformedMessage as exc:
            raise LoginRefused(400, exc.reason) from None
        user_id = _s(decoded.trx_info, "userId")
        if user_id and "login-session-on-failure" in self.faults:
            early.append(self._open_session(user_id, _s(decoded.trx_info, "channelCode"), ""))
        try:
            self.codec.check_format(decoded, LOGIN_TYPE)
        except UcspError as exc:
            raise LoginRefused(400, exc.reason) from None
        self._verify(decoded)
        mobile = self._mobile(decoded)
        if _s(decoded.msg_info, "industryCode") != self.config.industry_code:
            raise LoginRefused(403, "industryCode is not this Industry Service's")
        channel = _s(decoded.trx_info, "channelCode")
        if channel not in self.config.channel_codes:
            raise LoginRefused(403, f"channelCode {channel} is not accepted here")
        if (
            self.profile.check_replay
            and "login-accepts-replay" not in self.faults
            and not self.store.remember_msg_id(
                _s(decoded.msg_info, "msgID"),
                self.clock.now().timestamp(),
                self.profile.replay_window_seconds,
            )
        ):
            raise LoginRefused(409, "this login (msgID) has already been used")
        if early:
            return early[0]
        return self._open_session(user_id, channel, mobile)

    def _verify(self, decoded: Decoded) -> None:
        if "login-accepts-bad-signature" not in self.faults:
            trusted = None
            if "login-accepts-unknown-cert" in self.faults:
                named = decoded.cert_fields.get(CERT_ID_FIELD[Party.UCSP])
                certs = list(self.codec.trusted.values())
                trusted = {named: certs[0]} if isinstance(named, str) and certs else None
            try:
                self.codec.check_signature(decoded, trusted)
            except MalformedMessage as exc:
                raise LoginRefused(400, exc.reason) from None
            except UcspError as exc:
                raise LoginRefused(403, exc.reason) from None
        enc_id = decoded.cert_fields.get(ENC_CERT_ID_FIELD)
        if enc_id != self.enc.cert_id and "login-accepts-unknown-enc-cert" not in self.faults:
            raise LoginRefused(403, "appEncCertID does not name this IS's encryption certificate")

    def _mobile(self, decoded: Decoded) -> str:
        try:
            mobile = decrypt_field(
                self.enc.key, _s(decoded.trx_info, "mobile"), self.profile.encryption_mode
            )
        except UcspError:
            raise LoginRefused(400, "mobile does not decrypt with this IS's key") from None
        if "login-skips-decrypt-length-check" not in self.faults and schemas.validate_plain(
            LOGIN_TYPE, ("trxInfo", "mobile"), mobile
        ):
            # the schema's message would quote the clear value: keep it out of pages and logs
            raise LoginRefused(400, "decrypted mobile breaks its declared type or length")
        return mobile

    def _open_session(self, user_id: str, channel: str, mobile: str) -> LoginResult:
        token = secrets.token_urlsafe(24)
        masked = hide_mobile(mobile)
        self.store.open_session(token, user_id, channel, masked, self.clock.now().timestamp())
        return LoginResult(200, "logged in", user_id, token, masked)


def _page(result: LoginResult) -> HTMLResponse:
    if result.status == 200:
        body = (
            "<!doctype html><title>Industry Service</title><h1>Welcome</h1>"
            f"<p>Logged in as {html.escape(result.user_id or '')}"
            f" (mobile {html.escape(result.masked_mobile)}).</p>"
        )
    else:
        body = (
            "<!doctype html><title>Login refused</title><h1>Login refused</h1>"
            f"<p>{html.escape(result.reason)}</p>"
        )
    return HTMLResponse(body, status_code=result.status)
