"""Encoding and decoding signed messages: one party's view of the wire.

A :class:`Codec` signs what its party sends and checks what it receives, in the order of
PROTOCOL.md section 6: format (10), then signature (11). Business rules (and replay, which
needs a store) are the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509

from ucsp import schemas
from ucsp.clock import Clock, SystemClock
from ucsp.codes import ResponseCode
from ucsp.crypto import Identity, sign_message, signed_bytes, verify_bytes
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD, build_msg_info, parse_time
from ucsp.errors import MalformedMessage, SchemaViolation, SignatureInvalid
from ucsp.messages import MESSAGE_TYPES, Kind, Party
from ucsp.profile import Profile, default_profile
from ucsp.strictjson import decode_text, parse_text

_MOMENTS_KEPT = 64  # parsed timeStamps a Codec remembers (see Codec._moment)


@dataclass(frozen=True)
class Decoded:
    """A received message that passed strict parsing (and what else was checked)."""

    raw: bytes
    text: str
    message: dict[str, Any]
    kind: Kind

    @property
    def msg_info(self) -> dict[str, Any]:
        info = self.message.get("msgInfo")
        return info if isinstance(info, dict) else {}

    @property
    def trx_info(self) -> dict[str, Any]:
        info = self.message.get("trxInfo")
        return info if isinstance(info, dict) else {}

    @property
    def msg_type(self) -> str:
        value = self.msg_info.get("msgType")
        return value if isinstance(value, str) else ""

    @property
    def response_code(self) -> str | None:
        response = self.message.get("msgResponse")
        code = response.get("responseCode") if isinstance(response, dict) else None
        return code if isinstance(code, str) else None

    @property
    def cert_fields(self) -> dict[str, Any]:
        fields = self.message.get("certificateSignature")
        return fields if isinstance(fields, dict) else {}


@dataclass
class Codec:
    """Signs as ``party`` with ``identity``; verifies the peer against ``trusted`` certs."""

    party: Party
    identity: Identity
    trusted: Mapping[str, x509.Certificate] = field(default_factory=dict)
    profile: Profile = field(default_factory=default_profile)
    clock: Clock = field(default_factory=SystemClock)
    _moments: dict[str, tuple[Profile, datetime]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # --- sending ---------------------------------------------------------------------

    def msg_info(self, msg_type: str, industry_code: str) -> dict[str, str]:
        """A fresh msgInfo for an exchange this party originates."""
        return build_msg_info(msg_type, industry_code, self.party, self.clock.now(), self.profile)

    def sign(self, message: dict[str, Any], extra_cert_fields: Mapping[str, str] = {}) -> bytes:
        """Add certificateSignature (own cert ID, placeholder) and apply the signed-bytes rule."""
        body = {k: v for k, v in message.items() if k != "certificateSignature"}
        body["certificateSignature"] = {
            CERT_ID_FIELD[self.party]: self.identity.cert_id,
            **extra_cert_fields,
            "signature": self.profile.placeholder,
        }
        return sign_message(
            body, self.identity.key, self.profile.signature_mode, self.profile.placeholder
        )

    # --- receiving -------------------------------------------------------------------

    def parse(self, raw: bytes, kind: Kind) -> Decoded:
        """Strict parsing under the profile's limits (raises MalformedMessage)."""
        text = decode_text(raw, max_bytes=self.profile.max_body_bytes)
        return Decoded(raw, text, parse_text(text, max_depth=self.profile.max_depth), kind)

    def check_format(self, decoded: Decoded, expected_type: str | None = None) -> None:
        """Message type and schema, and (requests) the clock-skew rule; raises code 10."""
        msg_type = decoded.msg_type
        if expected_type is not None and msg_type != expected_type:
            raise MalformedMessage(f"msgType {msg_type!r} where {expected_type} was expected")
        spec = MESSAGE_TYPES.get(msg_type)
        if spec is None:
            raise MalformedMessage(f"unknown msgType {msg_type!r}")
        if decoded.kind == "response" and not spec.has_response:
            raise MalformedMessage(f"{msg_type} has no response")
        errors = schemas.validate(decoded.message, msg_type, decoded.kind)
        if errors:
            raise SchemaViolation(errors)
        if decoded.kind == "request" and self.profile.check_skew:
            self.check_skew(decoded.msg_info["timeStamp"])

    def check_skew(self, timestamp: str, now: datetime | None = None) -> None:
        moment = self._moment(timestamp)
        skew = abs((moment - (now or self.clock.now())).total_seconds())
        if skew > self.profile.skew_seconds:
            raise MalformedMessage(
                f"timeStamp {timestamp} is {skew:.0f} s from the receiver's clock "
                f"(limit {self.profile.skew_seconds:.0f} s)"
            )

    def _moment(self, timestamp: str) -> datetime:
        """``parse_time(timestamp, profile)``; the last few answers are kept (a sender's
        timeStamps repeat within each second)."""
        kept = self._moments.get(timestamp)
        if kept is not None and kept[0] is self.profile:
            return kept[1]
        moment = parse_time(timestamp, self.profile)  # ValueError: not kept
        if len(self._moments) >= _MOMENTS_KEPT:
            self._moments.clear()
        self._moments[timestamp] = (self.profile, moment)
        return moment

    def check_signature(
        self, decoded: Decoded, trusted: Mapping[str, x509.Certificate] | None = None
    ) -> x509.Certificate:
        """Verify the peer's signature over the raw bytes; return the certificate used."""
        cert_field = CERT_ID_FIELD[self.party.peer]
        cert_id = decoded.cert_fields.get(cert_field)
        if not isinstance(cert_id, str) or not cert_id:
            raise SignatureInvalid("missing-cert-id", f"{cert_field} is missing")
        cert = (self.trusted if trusted is None else trusted).get(cert_id)
        if cert is None:
            raise SignatureInvalid(
                "unknown-cert", f"{cert_field} {cert_id} names no known certificate"
            )
        data, signature = signed_bytes(decoded.text, self.profile.placeholder, decoded.message)
        verify_bytes(cert, data, signature, self.profile.signature_mode)
        return cert

    def decode(
        self,
        raw: bytes,
        kind: Kind,
        expected_type: str | None = None,
        trusted: Mapping[str, x509.Certificate] | None = None,
    ) -> Decoded:
        """Parse, check format, verify signature: the receiving pipeline up to business rules."""
        decoded = self.parse(raw, kind)
        self.check_format(decoded, expected_type)
        self.check_signature(decoded, trusted)
        return decoded


def error_code(exc: Exception) -> ResponseCode:
    """The response code a receiver answers for a kit exception."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, ResponseCode) else ResponseCode.COMMON_ERROR


def has_encrypted_field(message: Mapping[str, Any]) -> bool:
    fields = message.get("certificateSignature")
    return isinstance(fields, dict) and ENC_CERT_ID_FIELD in fields
