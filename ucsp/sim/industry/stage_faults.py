"""What the Industry Service's receiver faults do to its receive pipelines, by fault name.

A fault about a stage of the notice URL or the login URL replaces, wraps or skips that stage
of :class:`~ucsp.sim.pipeline.Pipeline` (or a part of the signed answer); the stages
themselves never test a fault's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ucsp import schemas
from ucsp.codes import ResponseCode
from ucsp.crypto import serialise_with_placeholder, sign_message
from ucsp.envelope import CERT_ID_FIELD
from ucsp.errors import DecryptionFailed
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.sim.faults import check_not_ahead
from ucsp.sim.pipeline import (
    CERTIFICATES,
    FORMAT,
    REPLAY,
    SIGNATURE,
    Message,
    Patch,
    Stage,
    answering,
    skipping,
    trust_any_cert_id,
    wrapping,
)

if TYPE_CHECKING:
    from ucsp.codec import Codec
    from ucsp.sim.industry.login import LoginHandler
    from ucsp.sim.industry.notices import NoticeReceiver

TYPE = "type"  # the msgType is a notice's
INDUSTRY = "industry"  # the industryCode is this Industry Service's
ENC_CERT = "enc-cert"  # appEncCertID names this IS's encryption certificate
MOBILE = "mobile"  # the mobile decrypts (the clear value is kept as a fact)
MOBILE_LENGTH = "mobile-length"  # the clear mobile keeps its declared type and length
CHANNEL = "channel"  # the channelCode is one this IS accepts
EARLY_SESSION = "early-session"  # the fact a session opened before the checks leaves


def _max_length(field: str) -> int | None:
    """The declared maximum length of INDUSTRY_LOGIN_INFO's ``trxInfo.field``."""
    for rule in schemas.field_rules(LOGIN_TYPE, "request"):
        if rule.path == ("trxInfo", field):
            return rule.max_length
    return None


def _past_only(codec: Codec) -> Callable[[Stage], Stage]:
    """The format stage, then the fault's past-only clock-skew window."""

    def wrapper(inner: Stage) -> Stage:
        def check_format(message: Message) -> None:
            inner(message)
            timestamp = message.decoded.msg_info["timeStamp"]
            check_not_ahead(timestamp, codec.clock.now(), codec.profile)

        return check_format

    return wrapper


def notice_faults(receiver: NoticeReceiver) -> dict[str, Patch]:
    """The notice URL's faults that change a stage, each with what it does."""
    codec, profile = receiver.codec, receiver.profile

    def no_echo(msg_info: dict[str, Any], msg_type: str) -> dict[str, Any]:
        return receiver.fresh_msg_info(msg_type or "UNKNOWN")

    def unsigned(message: dict[str, Any]) -> bytes:
        message["certificateSignature"] = {CERT_ID_FIELD[Party.INDUSTRY]: codec.identity.cert_id}
        return serialise_with_placeholder(message, profile.placeholder).encode("utf-8")

    def wrong_key(message: dict[str, Any]) -> bytes:
        message["certificateSignature"] = {
            CERT_ID_FIELD[Party.INDUSTRY]: codec.identity.cert_id,
            "signature": profile.placeholder,
        }
        key = receiver.enc_identity.key
        return sign_message(message, key, profile.signature_mode, profile.placeholder)

    def http_error(code: ResponseCode) -> int:
        return 200 if code is ResponseCode.APPROVED else 400

    return {
        "notice-skips-format-check": skipping(FORMAT),
        "notice-skips-verification": skipping(SIGNATURE),
        "notice-ignores-other-industry": skipping(INDUSTRY),
        "notice-ignores-cert-id": wrapping(CERTIFICATES, trust_any_cert_id(codec)),
        "notice-answer-no-echo": answering(echo=no_echo),
        "notice-answer-unsigned": answering(sign=unsigned),
        "notice-answer-wrong-key": answering(sign=wrong_key),
        "notice-answer-http-error": answering(status=http_error),
        "skew-window-past-only": wrapping(FORMAT, _past_only(codec)),
    }


def login_faults(handler: LoginHandler) -> dict[str, Patch]:
    """The login URL's faults that change a stage, each with what it does."""

    def session_first(inner: Stage) -> Stage:
        def check_format(message: Message) -> None:
            trx = message.decoded.trx_info
            user_id = trx.get("userId")
            if isinstance(user_id, str) and user_id:
                channel = trx.get("channelCode")
                channel = channel if isinstance(channel, str) else ""
                message.facts[EARLY_SESSION] = handler.open_session(user_id, channel, "")
            inner(message)

        return check_format

    def shorter_limit(inner: Stage) -> Stage:
        def check_mobile_length(message: Message) -> None:
            inner(message)
            values = {
                "userId": message.decoded.trx_info.get("userId"),
                "mobile": message.facts.get(MOBILE),
            }
            for name, value in values.items():
                limit = _max_length(name)
                if isinstance(value, str) and limit is not None and len(value) >= limit:
                    raise DecryptionFailed(f"{name} is too long")

        return check_mobile_length

    return {
        "login-max-length-off-by-one": wrapping(MOBILE_LENGTH, shorter_limit),
        "login-accepts-bad-signature": skipping(SIGNATURE),
        "login-accepts-unknown-cert": wrapping(CERTIFICATES, trust_any_cert_id(handler.codec)),
        "login-accepts-unknown-enc-cert": skipping(ENC_CERT),
        "login-skips-decrypt-length-check": skipping(MOBILE_LENGTH),
        "login-accepts-replay": skipping(REPLAY),
        "login-session-on-failure": wrapping(FORMAT, session_first),
        "skew-window-past-only": wrapping(FORMAT, _past_only(handler.codec)),
    }
