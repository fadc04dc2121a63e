"""ucsp.mutation.signature: signing any bytes, and each way of breaking a signature."""

from __future__ import annotations

import json

import pytest

from ucsp.crypto import signed_bytes
from ucsp.errors import SignatureInvalid
from ucsp.mutation.serialisation import compact
from ucsp.mutation.signature import (
    SIGNATURE_CORRUPTIONS,
    change_msg_id,
    corrupt_signature,
    flip_signature,
    random_cert_id,
    replace_signature,
    sign_message,
    sign_raw,
    signature_span,
    with_cert_fields,
)

from .support import KEYS, PROFILE, industry_key, order_message, sign, verify

UNKNOWN_CERT_ID = "9" + "1" * 30


def test_sign_raw_signs_the_bytes_as_they_are_and_is_deterministic() -> None:
    raw = compact(order_message())
    body = sign_raw(raw, industry_key(), PROFILE)
    assert body == sign_raw(raw, industry_key(), PROFILE)
    data, _ = signed_bytes(body.decode(), PROFILE.placeholder)
    assert data == raw
    verify(body)


def test_sign_raw_needs_the_placeholder() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        sign_raw(b'{"a":1}', industry_key(), PROFILE)
    signed = sign()(compact(order_message()))
    with pytest.raises(ValueError):
        sign_raw(signed, industry_key(), PROFILE)  # already signed: no placeholder left


def test_sign_message_signs_only_a_message_holding_the_placeholder() -> None:
    message = order_message()
    assert sign_message(message, sign(), PROFILE.placeholder) == sign()(compact(message))
    broken = {**message, "certificateSignature": {"appSignCertID": "1", "signature": "x"}}
    assert sign_message(broken, sign(), PROFILE.placeholder) == compact(broken)
    bare = {k: v for k, v in message.items() if k != "certificateSignature"}
    assert sign_message(bare, sign(), PROFILE.placeholder) == compact(bare)


def test_with_cert_fields_replaces_the_signature_object_and_leaves_the_input() -> None:
    message = order_message()
    before = json.dumps(message)
    changed = with_cert_fields(message, {"appSignCertID": "42"}, PROFILE.placeholder)
    assert changed["certificateSignature"] == {
        "appSignCertID": "42",
        "signature": PROFILE.placeholder,
    }
    assert list(changed)[-1] == "certificateSignature"
    assert json.dumps(message) == before


def test_signature_span_replace_and_flip() -> None:
    body = sign()(compact(order_message()))
    start, end = signature_span(body)
    value = body[start:end].decode()
    assert json.loads(body)["certificateSignature"]["signature"] == value
    assert replace_signature(body, "abc")[start : start + 3] == b"abc"
    flipped = flip_signature(body)
    assert flipped != body and len(flipped) == len(body)
    assert flip_signature(body) == flipped
    with pytest.raises(SignatureInvalid) as caught:
        verify(flipped)
    assert caught.value.kind == "bad-signature"
    with pytest.raises(ValueError):
        signature_span(b"{}")


def test_change_msg_id_alters_only_the_last_digit_of_the_msg_id() -> None:
    body = sign()(compact(order_message()))
    changed = change_msg_id(body)
    assert change_msg_id(body) == changed
    before, after = json.loads(body), json.loads(changed)
    assert after["msgInfo"]["msgID"] == before["msgInfo"]["msgID"][:-1] + "2"
    assert {**after, "msgInfo": before["msgInfo"]} == before
    with pytest.raises(SignatureInvalid):
        verify(changed)
    with pytest.raises(ValueError):
        change_msg_id(b'{"msgInfo":{}}')


@pytest.mark.parametrize("corruption", SIGNATURE_CORRUPTIONS)
def test_each_signature_corruption_fails_verification(corruption: str) -> None:
    body = corrupt_signature(
        order_message(), corruption, industry_key(), PROFILE, "appSignCertID", UNKNOWN_CERT_ID
    )
    again = corrupt_signature(
        order_message(), corruption, industry_key(), PROFILE, "appSignCertID", UNKNOWN_CERT_ID
    )
    assert body == again
    verify(sign_message(order_message(), sign(), PROFILE.placeholder))  # the intact one passes
    with pytest.raises(SignatureInvalid) as caught:
        verify(body)
    expected = {
        "content-changed": "bad-signature",
        "foreign-key": "bad-signature",
        "not-base64": "not-base64",
        "unknown-cert-id": "unknown-cert",
    }[corruption]
    assert caught.value.kind == expected


def test_unknown_cert_id_corruption_names_the_given_id() -> None:
    body = corrupt_signature(
        order_message(), "unknown-cert-id", industry_key(), PROFILE, "appSignCertID", "77"
    )
    assert json.loads(body)["certificateSignature"]["appSignCertID"] == "77"


def test_unknown_corruption_is_refused() -> None:
    with pytest.raises(KeyError):
        corrupt_signature(order_message(), "nope", industry_key(), PROFILE, "appSignCertID", "7")


def test_random_cert_ids_are_decimal_and_name_no_test_certificate() -> None:
    known = {KEYS.industry_sign.cert_id, KEYS.ucsp_sign.cert_id}
    for _ in range(5):
        value = random_cert_id()
        assert value.isdigit() and len(value) == 31 and value not in known
