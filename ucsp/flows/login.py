"""Authorized login: AUTHORIZATION_URL at a UCSP, INDUSTRY_LOGIN_INFO at an Industry Service.

UCSP under test: the browser (``deployment.http``) GETs the UCSP's AUTHORIZATION_URL with the
sandbox user's parameters, or with one defect, and keeps the answer (status and Location)
for the checks. Industry Service under test: the suite plays UCSP and sends
INDUSTRY_LOGIN_INFO itself, as a browser GET of INDUSTRY_INDEX_URL with ``request_data``,
built and signed with the UCSP peer's codec: a valid login, or one with a named corruption
(happy path + one corruption, re-signed where the corruption is not the signature itself).
Each login is journaled in the peer's journal as it crossed the wire.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from cryptography import x509

from ucsp.codec import Codec
from ucsp.crypto import SIGNATURE_PATH, decrypt_field, encrypt_field
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD, build_msg_info, build_request
from ucsp.errors import ConfigError, UcspError
from ucsp.flows.base import BaseFlow
from ucsp.journal import JournalEntry
from ucsp.login_encoding import encode_request_data
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.strictjson import member_span
from ucsp.target import Target

PLAIN_MOBILE_MAX = 64  # declared length of the decrypted mobile (schema x-plain, ANS 1-64)


@dataclass(frozen=True)
class LoginUser:
    """A Channel App user as the login carries it (the mobile is never shown)."""

    user_id: str
    mobile: str = field(repr=False)
    channel_code: str


@dataclass
class Authorization:
    """The UCSP's answer to the browser's GET of AUTHORIZATION_URL."""

    user: LoginUser
    status: int
    location: str | None


@dataclass
class LoginAttempt:
    """One INDUSTRY_LOGIN_INFO sent by the suite to the Industry Service's index URL.

    ``requirement`` is the rule the attempt probes (LOGIN-04 for a valid login, the
    corruption's rule otherwise): the checks of its outcome report against it.
    """

    user: LoginUser
    requirement: str
    msg_info: dict[str, Any] | None
    status: int
    sets_cookie: bool


# --- AUTHORIZATION_URL defects (UCSP under test) -------------------------------------------

Params = dict[str, str]


def _drop(name: str) -> Callable[[Params], None]:
    def apply(params: Params) -> None:
        params.pop(name, None)

    return apply


def _change(name: str, change: Callable[[str], str]) -> Callable[[Params], None]:
    def apply(params: Params) -> None:
        params[name] = change(params[name])

    return apply


def _other_industry_code(code: str) -> str:
    return "ZZZZ9999" if code != "ZZZZ9999" else "YYYY9999"


AUTHORIZE_DEFECTS: dict[str, Callable[[Params], None]] = {
    "no industryCode": _drop("industryCode"),
    "an unknown industryCode": _change("industryCode", _other_industry_code),
    "no channelCode": _drop("channelCode"),
    "a channelCode of 7 characters": _change("channelCode", lambda v: (v * 8)[:7]),
    "a channelCode that is not alphanumeric": _change("channelCode", lambda v: v[:7] + "-"),
    "no userId": _drop("userId"),
    "an empty userId": _change("userId", lambda v: ""),
    "a userId of 65 characters": _change("userId", lambda v: (v * 65)[:65]),
    "no mobile": _drop("mobile"),
    "a mobile of 65 characters": _change("mobile", lambda v: (v * 65)[:65]),
    "a mobile with a non-ASCII character": _change("mobile", lambda v: v[:-1] + "\u00e9"),
}


# --- INDUSTRY_LOGIN_INFO as the suite's UCSP builds it (Industry Service under test) --------


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


class LoginBuilder:
    """Builds and signs INDUSTRY_LOGIN_INFO for one user with the UCSP peer's codec."""

    def __init__(
        self,
        codec: Codec,
        target: Target,
        user: LoginUser,
        msg_info: dict[str, Any] | None = None,
    ) -> None:
        self.codec, self.target, self.user = codec, target, user
        self.profile = target.profile
        self.msg_info = dict(msg_info or codec.msg_info(LOGIN_TYPE, target.industry.code))

    @property
    def enc_cert_id(self) -> str:
        return self.target.keys.industry_enc.cert_id

    def encrypt(self, plain: str, cert: x509.Certificate | None = None) -> str:
        """``plain`` encrypted to the IS encryption certificate (or to ``cert``)."""
        to = cert if cert is not None else self.target.keys.industry_enc.cert
        return encrypt_field(to, plain, self.profile.encryption_mode)

    def message(self, mobile: str | None = None, user_id: str | None = None) -> dict[str, Any]:
        trx = {
            "channelCode": self.user.channel_code,
            "mobile": mobile if mobile is not None else self.encrypt(self.user.mobile),
            "userId": user_id if user_id is not None else self.user.user_id,
        }
        return build_request(dict(self.msg_info), trx)

    def sign(self, message: dict[str, Any], **cert_fields: str) -> bytes:
        """Signed bytes; ``cert_fields`` may replace ucspSignCertID or appEncCertID."""
        return self.codec.sign(message, {ENC_CERT_ID_FIELD: self.enc_cert_id, **cert_fields})

    def query(self, raw: bytes) -> str:
        return "request_data=" + encode_request_data(raw, self.profile.request_data_encoding)

    def valid(self) -> str:
        return self.query(self.sign(self.message()))

    def wrong_key_mobile(self) -> str:
        """The mobile encrypted to the IS's signing certificate instead of its encryption one.

        With PKCS#1 v1.5 a wrong-key ciphertext may decrypt to random bytes (implicit
        rejection); when the suite holds the IS encryption key it draws until the IS's
        decryption yields nothing acceptable, so the scenario is deterministic.
        """
        own = self.target.keys.industry_enc.key
        value = ""
        for _ in range(32):
            value = self.encrypt(self.user.mobile, self.target.keys.industry_sign.cert)
            if own is None:
                break
            try:
                plain = decrypt_field(own, value, self.profile.encryption_mode)
            except UcspError:
                break
            if len(plain) > PLAIN_MOBILE_MAX:
                break
        return value


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


def _with_query(url: str, query: str) -> str:
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


class LoginFlow(BaseFlow):
    @property
    def browser(self) -> httpx.AsyncClient:
        if self.d.http is None:
            raise ConfigError("the deployment has no browser client")
        return self.d.http

    # --- users -------------------------------------------------------------------------

    def sandbox_user(self) -> LoginUser:
        """The UCSP's sandbox Channel App user named in the target file."""
        target = self.d.target
        return LoginUser(target.ucsp.user_id, target.ucsp.mobile, target.industry.channel_code)

    def new_user(self) -> LoginUser:
        """A user the Industry Service has never seen (fresh userId, sandbox mobile)."""
        target = self.d.target
        user_id = "user" + secrets.token_hex(8)
        return LoginUser(user_id, target.ucsp.mobile, target.industry.channel_code)

    # --- UCSP under test: AUTHORIZATION_URL -----------------------------------------------

    async def authorize(self, user: LoginUser, defect: str | None = None) -> Authorization:
        """The browser GETs AUTHORIZATION_URL for ``user`` (with one named defect)."""
        target = self.d.target
        params: Params = {
            "industryCode": target.industry.code,
            "channelCode": user.channel_code,
            "userId": user.user_id,
            "mobile": user.mobile,
        }
        if defect is not None:
            if defect not in AUTHORIZE_DEFECTS:
                known = ", ".join(AUTHORIZE_DEFECTS)
                raise ConfigError(f"unknown authorization defect {defect!r}; known: {known}")
            AUTHORIZE_DEFECTS[defect](params)
        started = self.d.clock.elapsed()
        answer = await self.browser.get(target.ucsp.authorize_url, params=params)
        location = answer.headers.get("location")
        self.d.peer_journal.record(
            JournalEntry(
                "in",
                LOGIN_TYPE,
                target.ucsp.authorize_url,
                location.encode() if location else b"",
                answer.status_code,
                None,
                started,
                self.d.clock.now(),
            )
        )
        return Authorization(user, answer.status_code, location)

    # --- Industry Service under test: INDUSTRY_INDEX_URL ------------------------------------

    def builder(self, user: LoginUser, msg_info: dict[str, Any] | None = None) -> LoginBuilder:
        return LoginBuilder(self.ucsp_peer.codec, self.d.target, user, msg_info)

    async def send_login(
        self,
        user: LoginUser,
        corruption: str | None = None,
        msg_info: dict[str, Any] | None = None,
        requirement: str = "LOGIN-04",
    ) -> LoginAttempt:
        """UCSP sends ``user``'s login to the index URL: valid, or with a named corruption.

        ``msg_info`` reuses an earlier login's msgInfo (same msgID), re-signed.
        """
        builder = self.builder(user, msg_info)
        if corruption is None:
            query = builder.valid()
        else:
            if corruption not in LOGIN_CORRUPTIONS:
                raise ConfigError(
                    f"unknown login corruption {corruption!r}; "
                    f"known: {', '.join(LOGIN_CORRUPTIONS)}"
                )
            chosen = LOGIN_CORRUPTIONS[corruption]
            query, requirement = chosen.query(builder), chosen.requirement
        return await self._send(user, requirement, query, builder.msg_info)

    async def _send(
        self, user: LoginUser, requirement: str, query: str, msg_info: dict[str, Any]
    ) -> LoginAttempt:
        index_url = self.d.target.industry.index_url
        started = self.d.clock.elapsed()
        self.browser.cookies.clear()  # a fresh browser for every login
        answer = await self.browser.get(_with_query(index_url, query))
        self.d.peer_journal.record(
            JournalEntry(
                "out",
                LOGIN_TYPE,
                index_url,
                query.encode("ascii", errors="replace"),
                answer.status_code,
                answer.content,
                started,
                self.d.clock.now(),
            )
        )
        return LoginAttempt(
            user,
            requirement,
            msg_info,
            answer.status_code,
            bool(answer.headers.get_list("set-cookie")),
        )

    async def logged_in(self, user: LoginUser) -> bool:
        """Whether the Industry Service's harness reports a session for ``user``."""
        return await self.harness.session(user.user_id)
