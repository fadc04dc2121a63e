"""INDUSTRY_INDEX_URL: the INDUSTRY_LOGIN_INFO login (PROTOCOL.md 3, 5, 8).

``GET /index?request_data=...``: strict form decoding of the query (or base64url, per the
profile), then the receive pipeline of :mod:`ucsp.sim.pipeline`, each stage refusing with
its status: strict JSON, schema (400); signature with the UCSP certificate named by
ucspSignCertID (403); appEncCertID must name this IS's encryption certificate (403); the
mobile decrypts to printable ASCII of the declared length (400); industryCode and
channelCode are this IS's (403); a msgID already used -> 409; success: 200 page and a
session cookie. Only a masked mobile is ever stored or shown. The login faults that are
about a stage change it (:mod:`ucsp.sim.industry.stage_faults`).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ucsp import schemas
from ucsp.crypto import decrypt_field
from ucsp.envelope import ENC_CERT_ID_FIELD
from ucsp.errors import DecryptionFailed, MalformedMessage, UcspError
from ucsp.journal import JournalEntry
from ucsp.mask import hide_mobile
from ucsp.messages import LOGIN_TYPE
from ucsp.profile import RequestDataEncoding
from ucsp.sim.industry.config import IndustryConfig
from ucsp.sim.industry.receiver import Receiver
from ucsp.sim.industry.receiver import text_field as _s
from ucsp.sim.industry.stage_faults import (
    CHANNEL,
    EARLY_SESSION,
    ENC_CERT,
    INDUSTRY,
    MOBILE,
    MOBILE_LENGTH,
    login_faults,
)
from ucsp.sim.pipeline import (
    CERTIFICATES,
    FORMAT,
    PARSE,
    REPLAY,
    SIGNATURE,
    Message,
    Pipeline,
    Refused,
    nothing,
    signature_stage,
)

SESSION_COOKIE = "is_session"
# the HTTP status of a refusal by each stage (a signature that cannot be read at all: 400)
_STATUS = {
    PARSE: 400,
    FORMAT: 400,
    CERTIFICATES: 403,
    SIGNATURE: 403,
    ENC_CERT: 403,
    MOBILE: 400,
    MOBILE_LENGTH: 400,
    INDUSTRY: 403,
    CHANNEL: 403,
    REPLAY: 409,
}
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


@dataclass(eq=False, kw_only=True)
class LoginHandler(Receiver):
    config: IndustryConfig

    def __post_init__(self) -> None:
        super().__post_init__()
        replay = self.replay_stage("this login (msgID) has already been used")
        self.pipeline = Pipeline(
            self._parse,
            [
                (FORMAT, self._check_format),
                (CERTIFICATES, nothing),
                (SIGNATURE, signature_stage(self.codec)),
                (ENC_CERT, self._check_enc_cert),
                (MOBILE, self._decrypt_mobile),
                (MOBILE_LENGTH, self._check_mobile_length),
                (INDUSTRY, self._check_industry),
                (CHANNEL, self._check_channel),
            ],
            replay,
        ).apply(self.faults, login_faults(self))

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
        try:
            raw = decode_request_data(
                query, self.profile.request_data_encoding, self.profile.max_body_bytes
            )
        except LoginRefused as refused:
            return LoginResult(refused.status, refused.reason)
        try:
            return self.pipeline.run(raw, self._login)
        except Refused as refused:
            status = _STATUS[refused.stage]
            if refused.stage == SIGNATURE and isinstance(refused.error, MalformedMessage):
                status = 400
            facts = refused.message.facts if refused.message is not None else {}
            early: LoginResult | None = facts.get(EARLY_SESSION)
            if early is None:
                return LoginResult(status, refused.error.reason)
            return LoginResult(status, refused.error.reason, early.user_id, early.token)

    def _login(self, message: Message) -> LoginResult:
        early: LoginResult | None = message.facts.get(EARLY_SESSION)
        if early is not None:
            return early
        trx = message.decoded.trx_info
        return self.open_session(_s(trx, "userId"), _s(trx, "channelCode"), message.facts[MOBILE])

    # --- stages ----------------------------------------------------------------------

    def _check_format(self, message: Message) -> None:
        self.codec.check_format(message.decoded, LOGIN_TYPE)

    def _check_enc_cert(self, message: Message) -> None:
        if message.decoded.cert_fields.get(ENC_CERT_ID_FIELD) != self.enc_identity.cert_id:
            raise UcspError("appEncCertID does not name this IS's encryption certificate")

    def _decrypt_mobile(self, message: Message) -> None:
        try:
            message.facts[MOBILE] = decrypt_field(
                self.enc_identity.key,
                _s(message.decoded.trx_info, "mobile"),
                self.profile.encryption_mode,
            )
        except UcspError:
            raise DecryptionFailed("mobile does not decrypt with this IS's key") from None

    def _check_mobile_length(self, message: Message) -> None:
        if schemas.validate_plain(LOGIN_TYPE, ("trxInfo", "mobile"), message.facts[MOBILE]):
            # the schema's message would quote the clear value: keep it out of pages and logs
            raise DecryptionFailed("decrypted mobile breaks its declared type or length")

    def _check_industry(self, message: Message) -> None:
        if _s(message.decoded.msg_info, "industryCode") != self.config.industry_code:
            raise UcspError("industryCode is not this Industry Service's")

    def _check_channel(self, message: Message) -> None:
        channel = _s(message.decoded.trx_info, "channelCode")
        if channel not in self.config.channel_codes:
            raise UcspError(f"channelCode {channel} is not accepted here")

    def open_session(self, user_id: str, channel: str, mobile: str) -> LoginResult:
        token = secrets.token_urlsafe(24)
        masked = hide_mobile(mobile)
        self.store.open_session(token, user_id, channel, masked, self.clock.now().timestamp())
        if "login-ends-other-sessions" in self.faults:
            self.store.end_other_sessions(token)
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
