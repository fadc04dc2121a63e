"""Unit tests of the security checks (ucsp/checks/security.py) and of the signature
corruptions of ucsp/mutation/signature.py: pure inputs, each check shown to pass on a good
input and to raise the right requirement on a bad one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ucsp.checks.security import (
    check_processed,
    check_signed_by,
    check_unchanged,
    no_effect_rule,
)
from ucsp.codec import Codec
from ucsp.crypto import signed_bytes
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import build_msg_info, build_request
from ucsp.errors import SignatureInvalid
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.mutation.serialisation import NON_CANONICAL
from ucsp.mutation.signature import (
    change_msg_id,
    flip_signature,
    replace_signature,
    sign_raw,
    signature_span,
    with_cert_fields,
)
from ucsp.profile import default_profile
from ucsp.verdict import RequirementViolation

PROFILE = default_profile()
KEYS = Keyset.load(TEST_KEYS)
CERTS = KEYS.certs_of(Party.INDUSTRY)


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def receiver() -> Codec:
    """The UCSP's view: it verifies what the industry signs."""
    return Codec(Party.UCSP, KEYS.ucsp_sign.identity("test"), CERTS, PROFILE)


def message() -> dict[str, Any]:
    info = build_msg_info(
        "PAYMENT_RESULT_INQUIRY", "TRAVEL01", Party.INDUSTRY, datetime.now(UTC), PROFILE
    )
    body = build_request(info, {"orderId": "ORD12345678", "txnTime": "20260101120000"})
    cert = {"appSignCertID": KEYS.industry_sign.cert_id}
    return with_cert_fields(body, cert, PROFILE.placeholder)


def signed() -> bytes:
    raw = json.dumps(message(), separators=(",", ":")).encode()
    return sign_raw(raw, KEYS.industry_sign.identity("test").key, PROFILE)


def verify(raw: bytes) -> None:
    codec = receiver()
    codec.check_signature(codec.parse(raw, "request"))


# --- observations ------------------------------------------------------------------------


def test_unchanged() -> None:
    check_unchanged(
        {"order": "PENDING", "requests": "1"}, {"order": "PENDING", "requests": "1"}, "a bad notice"
    )
    with violation("SEC-06") as caught:
        check_unchanged({"order": "PENDING"}, {"order": "SUCCEEDED"}, "a bad notice")
    assert "PENDING -> SUCCEEDED" in str(caught.value)
    with violation("SEC-06"):
        check_unchanged({"notices": "0"}, {"notices": "0", "inquiry": "code 00"}, "a request")


def test_no_effect_falls_under_the_rejecting_rule_only_when_it_says_so() -> None:
    assert no_effect_rule("SEC-07") == "SEC-07"
    assert no_effect_rule("SEC-10") == "SEC-10"
    assert no_effect_rule("FMT-04") == "SEC-06"
    assert no_effect_rule(None) == "SEC-06"


def test_processed() -> None:
    check_processed({"inquiry": "code 34"}, {"inquiry": "code 00, txnStatus 05"}, "x", "SEC-04")
    with violation("SEC-04"):
        check_processed({"inquiry": "code 34"}, {"inquiry": "code 34"}, "x", "SEC-04")


def test_signed_by() -> None:
    body = signed()
    assert check_signed_by(body, Party.INDUSTRY, CERTS, PROFILE)["msgInfo"]
    with violation("SEC-01"):
        check_signed_by(flip_signature(body), Party.INDUSTRY, CERTS, PROFILE)
    with violation("SEC-01"):  # signed by the industry, claimed by no known UCSP certificate
        check_signed_by(body, Party.UCSP, CERTS, PROFILE)
    with violation("FMT-06"):
        check_signed_by(b"not json", Party.INDUSTRY, CERTS, PROFILE)


# --- signature corruptions -------------------------------------------------------------------


def test_a_signed_message_verifies() -> None:
    verify(signed())


def test_content_changed_after_signing_no_longer_verifies() -> None:
    body = signed()
    changed = change_msg_id(body)
    assert json.loads(changed)["msgInfo"]["msgID"] != json.loads(body)["msgInfo"]["msgID"]
    with pytest.raises(SignatureInvalid):
        verify(changed)


def test_flipped_signature_is_base64_but_does_not_verify() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify(flip_signature(signed()))
    assert caught.value.kind == "bad-signature"


def test_signature_that_is_not_base64() -> None:
    body = signed()
    start, end = signature_span(body)
    broken = replace_signature(body, "*" + body[start + 1 : end].decode())
    with pytest.raises(SignatureInvalid) as caught:
        verify(broken)
    assert caught.value.kind == "not-base64"


@pytest.mark.parametrize("style", sorted(NON_CANONICAL))
def test_non_canonical_bytes_signed_as_sent_verify(style: str) -> None:
    text = NON_CANONICAL[style](message())
    body = sign_raw(text.encode(), KEYS.industry_sign.identity("test").key, PROFILE)
    verify(body)
    data, _ = signed_bytes(body.decode(), PROFILE.placeholder)
    assert data == text.encode()
