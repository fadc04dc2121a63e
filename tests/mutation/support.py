"""Inputs of the mutation builder tests: a fixed valid message, the test keys, a verifier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ucsp.codec import Codec
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import build_msg_info, build_request
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.mutation.signature import Signer, signer, with_cert_fields
from ucsp.profile import default_profile

PROFILE = default_profile()
KEYS = Keyset.load(TEST_KEYS)
MOMENT = datetime(2026, 1, 1, 4, 0, tzinfo=UTC)
ORDER = {
    "orderId": "ORD20260101120000ABCDEF",
    "merId": "777290058110048",
    "acqIIN": "00010344",
    "txnAmt": "10000",
    "currencyCode": "156",
    "txnTime": "20260101120000",
}


def order_message() -> dict[str, Any]:
    """A valid SUBMIT_PAYMENT_ORDER from the industry, holding the signature placeholder."""
    info = build_msg_info("SUBMIT_PAYMENT_ORDER", "TRAVEL01", Party.INDUSTRY, MOMENT, PROFILE)
    info["msgID"] = "ATRAVEL0120260101120000000001"
    cert = {"appSignCertID": KEYS.industry_sign.cert_id}
    return with_cert_fields(build_request(info, dict(ORDER)), cert, PROFILE.placeholder)


def industry_key() -> Any:
    return KEYS.industry_sign.identity("test").key


def receiver() -> Codec:
    """The UCSP's view: it verifies what the industry signs."""
    return Codec(
        Party.UCSP, KEYS.ucsp_sign.identity("test"), KEYS.certs_of(Party.INDUSTRY), PROFILE
    )


def verify(raw: bytes) -> dict[str, Any]:
    """The message, once ``raw`` passes the UCSP's signature check (else SignatureInvalid)."""
    codec = receiver()
    parsed = codec.parse(raw, "request")
    codec.check_signature(parsed)
    return parsed.message


def sign() -> Signer:
    return signer(industry_key(), PROFILE)
