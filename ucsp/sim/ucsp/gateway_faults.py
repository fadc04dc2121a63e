"""What the gateway's faults do to its receive pipeline: one patch per fault, by name.

A fault about a stage replaces or wraps that stage of :class:`~ucsp.sim.pipeline.Pipeline`
(or a part of the signed answer); the stages themselves never test a fault's name.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ucsp import schemas
from ucsp.codec import Decoded
from ucsp.codes import ResponseCode
from ucsp.crypto import serialise_with_placeholder, sign_bytes
from ucsp.envelope import CERT_ID_FIELD
from ucsp.errors import MalformedMessage, SchemaViolation
from ucsp.messages import Party
from ucsp.sim.faults import check_not_ahead
from ucsp.sim.pipeline import (
    CERTIFICATES,
    FORMAT,
    REPLAY,
    SIGNATURE,
    Message,
    Patch,
    Pipeline,
    Stage,
    answering,
    known_cert_only,
    named_cert_id,
    replacing,
    skipping,
    wrapping,
)
from ucsp.strictjson import decode_text

if TYPE_CHECKING:
    from ucsp.sim.ucsp.gateway import Gateway

SKEW = "skew"
INDUSTRY = "industry"  # the fact the certificates stage finds: the sending industry


def stage_faults(gateway: Gateway) -> dict[str, Patch]:
    """The gateway's faults that change a stage, each with what it does to the pipeline."""
    codec, profile = gateway.codec, gateway.profile

    def last_key_wins(pipeline: Pipeline) -> None:
        strict = pipeline.parse

        def parse(raw: bytes) -> Decoded:
            try:
                return strict(raw)
            except MalformedMessage as exc:
                if "duplicate key" not in exc.reason:
                    raise
            text = decode_text(raw, max_bytes=profile.max_body_bytes)
            message = json.loads(text)  # last key wins: the fault
            if not isinstance(message, dict):
                raise MalformedMessage("message is not a JSON object")
            return Decoded(raw, text, message, "request")

        pipeline.parse = parse

    def first_cert_of_industry(inner: Stage) -> Stage:
        def certificates(message: Message) -> None:
            inner(message)
            certs = message.facts[CERTIFICATES]
            cert_id = named_cert_id(message, codec)
            if cert_id not in certs:
                message.facts[CERTIFICATES] = {str(cert_id): next(iter(certs.values()))}

        return certificates

    def no_echo(msg_info: dict[str, Any], msg_type: str) -> dict[str, Any]:
        return codec.msg_info(msg_type, msg_info["industryCode"])

    def past_only(inner: Stage) -> Stage:
        def skew(message: Message) -> None:
            inner(message)
            check_not_ahead(message.decoded.msg_info["timeStamp"], codec.clock.now(), profile)

        return skew

    def loose_signing(message: dict[str, Any]) -> bytes:
        body = {k: v for k, v in message.items() if k != "certificateSignature"}
        body["certificateSignature"] = {
            CERT_ID_FIELD[Party.UCSP]: codec.identity.cert_id,
            "signature": profile.placeholder,
        }
        loose = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
        signature = sign_bytes(codec.identity.key, loose.encode("utf-8"), profile.signature_mode)
        return serialise_with_placeholder(body, signature).encode("utf-8")

    return {
        "accepts-duplicate-keys": last_key_wins,
        "skips-schema-check": wrapping(FORMAT, _ignoring_trx_lengths),
        "skew-not-checked": skipping(SKEW),
        "skew-window-past-only": wrapping(SKEW, past_only),
        "accepts-unknown-cert-id": wrapping(CERTIFICATES, first_cert_of_industry),
        "accepts-bad-signature": replacing(SIGNATURE, known_cert_only(codec)),
        "replay-accepted": skipping(REPLAY),
        "no-echo-msginfo": answering(echo=no_echo),
        "wrong-code-for-bad-format": answering(code=_common_error),
        "signs-responses-badly": answering(sign=loose_signing),
    }


def _ignoring_trx_lengths(inner: Stage) -> Stage:
    """The format stage, with the length errors of trxInfo fields dropped."""

    def check_format(message: Message) -> None:
        try:
            inner(message)
        except SchemaViolation as exc:
            errors = [e for e in exc.errors if not _is_trx_length(e)]
            if errors:
                raise SchemaViolation(errors) from None

    return check_format


def _is_trx_length(error: schemas.FieldError) -> bool:
    return error.path.startswith("$.trxInfo.") and error.rule in ("maxLength", "minLength")


def _common_error(code: ResponseCode) -> ResponseCode:
    return ResponseCode.COMMON_ERROR if code is ResponseCode.FORMAT_INVALID else code
