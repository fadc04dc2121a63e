"""The receive pipeline of the UCSP gateway (PROTOCOL.md sections 1, 6 and 8).

Checks in order: HTTP (405, 415, 413; done by the caller), format (10: strict parsing,
msgType, schema, clock skew), signature (11: unregistered industryCode, unknown cert ID,
invalid signature), replay (99, after the signature), then the business rules. Every
message that reaches protocol processing is answered HTTP 200 with a response signed by UCSP.
:meth:`Gateway.process` has no ``await``: a request is handled atomically.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ucsp import schemas
from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.codes import ResponseCode
from ucsp.crypto import serialise_with_placeholder, sign_bytes
from ucsp.envelope import (
    CERT_ID_FIELD,
    build_msg_info,
    build_response,
    lenient_object,
    within_echo_limits,
)
from ucsp.errors import MalformedMessage, SchemaViolation, SignatureInvalid, UcspError
from ucsp.messages import GATEWAY_TYPES, Party
from ucsp.profile import Profile
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp import rules
from ucsp.sim.ucsp.registry import Industry, Registry
from ucsp.sim.ucsp.service import Business, Outcome
from ucsp.sim.ucsp.store import Store, Tx
from ucsp.strictjson import decode_text

UNKNOWN_INDUSTRY = "00000000"
_INDUSTRY_CODE = re.compile(r"[A-Za-z0-9]{8}")
_MSG_TYPE = re.compile(r"[ -~]{1,50}")
_PURGE_EVERY = 1000  # seen msgIDs older than the replay window are dropped this often


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
        self._recorded = 0

    # --- the pipeline ---------------------------------------------------------------------

    def process(self, raw: bytes, base_url: str) -> Answer:
        """Answer one request body (HTTP checks already passed)."""
        try:
            decoded = self._parse(raw)
        except MalformedMessage as exc:
            answer = self._malformed(lenient_object(raw, self.profile.max_body_bytes), exc)
            answer.parsed = False
            return answer
        try:
            self._check_format(decoded)
        except MalformedMessage as exc:
            return self._malformed(decoded.message, exc)
        msg_type, trx = decoded.msg_type, decoded.trx_info
        industry = self.registry.industries.get(decoded.msg_info["industryCode"])
        try:
            industry = self._check_signature(decoded, industry)
        except UcspError as exc:
            echo = rules.echoed(msg_type, trx)
            return self._answer(decoded, ResponseCode.SIGNATURE_FAILS, echo, exc.reason)

        def replay_guard(tx: Tx) -> Outcome | None:
            if self._replayed(tx, decoded, industry):
                echo = rules.echoed(msg_type, trx)
                return Outcome(ResponseCode.COMMON_ERROR, echo, "msgID already seen")
            return None

        outcome = self.business.handle(msg_type, industry, trx, base_url, replay_guard)
        return self._answer(decoded, outcome.code, outcome.trx, outcome.reason, outcome)

    def _parse(self, raw: bytes) -> Decoded:
        try:
            return self.codec.parse(raw, "request")
        except MalformedMessage as exc:
            if "accepts-duplicate-keys" not in self.faults or "duplicate key" not in exc.reason:
                raise
        text = decode_text(raw, max_bytes=self.profile.max_body_bytes)
        message = json.loads(text)  # last key wins: the fault
        if not isinstance(message, dict):
            raise MalformedMessage("message is not a JSON object")
        return Decoded(raw, text, message, "request")

    def _check_format(self, decoded: Decoded) -> None:
        msg_type = decoded.msg_type
        if msg_type not in GATEWAY_TYPES:
            raise MalformedMessage(f"msgType {msg_type!r} is not a gateway request")
        errors = schemas.validate(decoded.message, msg_type, "request")
        if "skips-schema-check" in self.faults:
            errors = [e for e in errors if not _is_trx_length(e)]
        if errors:
            raise SchemaViolation(errors)
        if self.profile.check_skew and "skew-not-checked" not in self.faults:
            self.codec.check_skew(decoded.msg_info["timeStamp"])

    def _check_signature(self, decoded: Decoded, industry: Industry | None) -> Industry:
        if industry is None:
            raise SignatureInvalid("unknown-cert", "industryCode is not registered")
        certs = industry.sign_certs
        cert_id = decoded.cert_fields.get(CERT_ID_FIELD[Party.INDUSTRY])
        if "accepts-unknown-cert-id" in self.faults and cert_id not in certs:
            certs = {str(cert_id): next(iter(certs.values()))}
        if "accepts-bad-signature" in self.faults:
            if cert_id not in certs:
                raise SignatureInvalid("unknown-cert", f"appSignCertID {cert_id} is unknown")
            return industry
        self.codec.check_signature(decoded, certs)
        return industry

    def _replayed(self, tx: Tx, decoded: Decoded, industry: Industry) -> bool:
        """msgID seen from this industry within the window (checked after the signature)."""
        if not self.profile.check_replay or "replay-accepted" in self.faults:
            return False
        now = self.clock.now().timestamp()
        window = self.profile.replay_window_seconds
        seen = tx.seen_before(industry.code, decoded.msg_info["msgID"], now, window)
        self._recorded += 1
        if self._recorded % _PURGE_EVERY == 0:
            tx.forget_msgids(now - window)
        return seen

    # --- answers --------------------------------------------------------------------------

    def _answer(
        self,
        decoded: Decoded,
        code: ResponseCode,
        trx: dict[str, Any],
        reason: str,
        outcome: Outcome | None = None,
    ) -> Answer:
        msg_info: dict[str, Any] = decoded.msg_info
        if "no-echo-msginfo" in self.faults:
            msg_info = self.codec.msg_info(decoded.msg_type, msg_info["industryCode"])
        message = build_response(msg_info, trx, code, reason or None)
        return Answer(self.sign(message), code, decoded.msg_type, outcome)

    def _malformed(self, body: Any, exc: MalformedMessage) -> Answer:
        """A code-10 answer: echo msgInfo when the body was an object with one."""
        code = ResponseCode.FORMAT_INVALID
        if "wrong-code-for-bad-format" in self.faults:
            code = ResponseCode.COMMON_ERROR
        msg_info = self._echo_or_fresh(body)
        message = build_response(msg_info, {}, code, exc.reason)
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
        if "signs-responses-badly" not in self.faults:
            return self.codec.sign(message)
        body = {k: v for k, v in message.items() if k != "certificateSignature"}
        body["certificateSignature"] = {
            CERT_ID_FIELD[Party.UCSP]: self.codec.identity.cert_id,
            "signature": self.profile.placeholder,
        }
        loose = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
        signature = sign_bytes(
            self.codec.identity.key, loose.encode("utf-8"), self.profile.signature_mode
        )
        return serialise_with_placeholder(body, signature).encode("utf-8")

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


def _is_trx_length(error: schemas.FieldError) -> bool:
    return error.path.startswith("$.trxInfo.") and error.rule in ("maxLength", "minLength")
