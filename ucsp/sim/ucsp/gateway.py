"""The UCSP gateway: the receive pipeline of :mod:`ucsp.sim.pipeline` (PROTOCOL.md 1, 6, 8).

Stages in order: HTTP (405, 415, 413; done by the caller), ``parse`` and ``format`` (10:
strict parsing, msgType, schema), ``skew`` (10: clock skew), ``certificates`` and
``signature`` (11: unregistered industryCode, unknown cert ID, invalid signature),
``replay`` (99, after the signature), then the business rules in the same transaction. The
gateway's faults change these stages (:mod:`ucsp.sim.ucsp.gateway_faults`). Every message that
reaches protocol processing is answered HTTP 200 with a response signed by UCSP.
:meth:`Gateway.process` has no ``await``: a request is handled atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ucsp import schemas
from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.codes import ResponseCode
from ucsp.envelope import build_msg_info, build_response, lenient_object, within_echo_limits
from ucsp.errors import MalformedMessage, SchemaViolation, SignatureInvalid
from ucsp.messages import GATEWAY_TYPES, Party
from ucsp.profile import Profile
from ucsp.sim.faults import FaultSet
from ucsp.sim.pipeline import (
    CERTIFICATES,
    FORMAT,
    SIGNATURE,
    Answers,
    Message,
    Pipeline,
    Refused,
    replay_stage,
    signature_stage,
)
from ucsp.sim.ucsp import rules
from ucsp.sim.ucsp.gateway_faults import INDUSTRY, SKEW, stage_faults
from ucsp.sim.ucsp.registry import Industry, Registry
from ucsp.sim.ucsp.service import Business, Outcome
from ucsp.sim.ucsp.store import Store

UNKNOWN_INDUSTRY = "00000000"
_INDUSTRY_CODE = re.compile(r"[A-Za-z0-9]{8}")
_MSG_TYPE = re.compile(r"[ -~]{1,50}")
_SIGNING = (CERTIFICATES, SIGNATURE)


@dataclass
class Answer:
    """What the gateway answers: signed bytes, and what must follow once they are sent."""

    body: bytes
    code: ResponseCode
    msg_type: str
    outcome: Outcome | None = None
    parsed: bool = True  # False: the body was not a strictly parseable JSON object


class Gateway:
    def __init__(
        self,
        *,
        codec: Codec,
        registry: Registry,
        store: Store,
        business: Business,
        profile: Profile,
        clock: Clock,
        faults: FaultSet,
    ) -> None:
        self.codec = codec
        self.registry = registry
        self.store = store
        self.business = business
        self.profile = profile
        self.clock = clock
        self.faults = faults
        replay = replay_stage(store.replay_guard(profile), clock, _replay_key, "msgID already seen")
        self.pipeline = Pipeline(
            self._parse,
            [
                (FORMAT, self._check_format),
                (SKEW, self._check_skew),
                (CERTIFICATES, self._certificates),
                (SIGNATURE, signature_stage(codec)),
            ],
            replay,
            store.tx,
            Answers(sign=codec.sign),
        ).apply(faults, stage_faults(self))

    # --- the pipeline ---------------------------------------------------------------------

    def process(self, raw: bytes, base_url: str) -> Answer:
        """Answer one request body (HTTP checks already passed)."""

        def business(message: Message) -> tuple[Message, Outcome]:
            decoded = message.decoded
            industry: Industry = message.facts[INDUSTRY]
            trx = decoded.trx_info
            return message, self.business.handle(decoded.msg_type, industry, trx, base_url)

        try:
            message, outcome = self.pipeline.run(raw, business)
        except Refused as refused:
            return self._refusal(raw, refused)
        return self._answer(message, outcome.code, outcome.trx, outcome.reason, outcome)

    def _refusal(self, raw: bytes, refused: Refused) -> Answer:
        message = refused.message
        if message is None:
            answer = self._malformed(lenient_object(raw, self.profile.max_body_bytes), refused)
            answer.parsed = False
            return answer
        if refused.stage in (FORMAT, SKEW):
            return self._malformed(message.decoded.message, refused)
        # anything the signature stages refuse is 11, an unreadable signature field included
        code = ResponseCode.SIGNATURE_FAILS if refused.stage in _SIGNING else refused.error.code
        echo = rules.echoed(message.decoded.msg_type, message.decoded.trx_info)
        return self._answer(message, code, echo, refused.error.reason)

    def _parse(self, raw: bytes) -> Decoded:
        return self.codec.parse(raw, "request")

    def _check_format(self, message: Message) -> None:
        msg_type = message.decoded.msg_type
        if msg_type not in GATEWAY_TYPES:
            raise MalformedMessage(f"msgType {msg_type!r} is not a gateway request")
        errors = schemas.validate(message.decoded.message, msg_type, "request")
        if errors:
            raise SchemaViolation(errors)

    def _check_skew(self, message: Message) -> None:
        if self.profile.check_skew:
            self.codec.check_skew(message.decoded.msg_info["timeStamp"])

    def _certificates(self, message: Message) -> None:
        """The industry named and its signing certificates (an unregistered industry: 11)."""
        industry = self.registry.industries.get(message.decoded.msg_info["industryCode"])
        if industry is None:
            raise SignatureInvalid("unknown-cert", "industryCode is not registered")
        message.facts[INDUSTRY] = industry
        message.facts[CERTIFICATES] = industry.sign_certs

    # --- answers --------------------------------------------------------------------------

    def _answer(
        self,
        message: Message,
        code: ResponseCode,
        trx: dict[str, Any],
        reason: str,
        outcome: Outcome | None = None,
    ) -> Answer:
        msg_type = message.decoded.msg_type
        msg_info = self.pipeline.answers.echo(message.decoded.msg_info, msg_type)
        answer = build_response(msg_info, trx, code, reason or None)
        return Answer(self.sign(answer), code, msg_type, outcome)

    def _malformed(self, body: Any, refused: Refused) -> Answer:
        """A code-10 answer: echo msgInfo when the body was an object with one."""
        code = self.pipeline.answers.code(ResponseCode.FORMAT_INVALID)
        msg_info = self._echo_or_fresh(body)
        message = build_response(msg_info, {}, code, refused.error.reason)
        msg_type = msg_info.get("msgType")
        return Answer(self.sign(message), code, msg_type if isinstance(msg_type, str) else "")

    def _echo_or_fresh(self, body: Any) -> dict[str, Any]:
        info = body.get("msgInfo") if isinstance(body, dict) else None
        if isinstance(info, dict) and within_echo_limits(info, self.profile):
            return info
        industry = info.get("industryCode") if isinstance(info, dict) else None
        msg_type = info.get("msgType") if isinstance(info, dict) else None
        return build_msg_info(
            msg_type if isinstance(msg_type, str) and _MSG_TYPE.fullmatch(msg_type) else "UNKNOWN",
            industry
            if isinstance(industry, str) and _INDUSTRY_CODE.fullmatch(industry)
            else UNKNOWN_INDUSTRY,
            Party.UCSP,
            self.clock.now(),
            self.profile,
        )

    def sign(self, message: dict[str, Any]) -> bytes:
        return self.pipeline.answers.sign(message)

    def internal_error(self, raw: bytes, exc: Exception) -> Answer:
        """Code 99 for a request that broke the implementation (never a 5xx)."""
        body = lenient_object(raw, self.profile.max_body_bytes)
        msg_info = self._echo_or_fresh(body)
        message = build_response(msg_info, {}, ResponseCode.COMMON_ERROR, "internal error")
        msg_type = msg_info.get("msgType")
        return Answer(
            self.sign(message),
            ResponseCode.COMMON_ERROR,
            msg_type if isinstance(msg_type, str) else "",
        )


def _replay_key(message: Message) -> tuple[str, str]:
    """The originator (the industry) and the msgID."""
    industry: Industry = message.facts[INDUSTRY]
    return industry.code, message.decoded.msg_info["msgID"]
