"""Codec: one party's view of the wire, checking format (10) before signature (11)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from ucsp import sandbox
from ucsp.clock import FakeClock
from ucsp.codec import Codec, Decoded, error_code, has_encrypted_field
from ucsp.codes import ResponseCode
from ucsp.envelope import build_response
from ucsp.errors import (
    ConfigError,
    DecryptionFailed,
    MalformedMessage,
    SchemaViolation,
    SignatureInvalid,
)
from ucsp.messages import MESSAGE_TYPES, Kind, Party

MESSAGES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "messages"

ORDER = "SUBMIT_PAYMENT_ORDER"


def resigned(signed: bytes, codec: Codec, change: Any) -> bytes:
    """Happy path + one corruption, re-signed so that the signature itself is valid."""
    message = json.loads(signed)
    change(message)
    return codec.sign(message)


def corrupted(signed: bytes, old: bytes, new: bytes) -> bytes:
    """A change of the signed bytes, not re-signed (so the signature is bad too)."""
    assert signed.count(old) == 1
    return signed.replace(old, new)


def with_profile(codec: Codec, **changes: Any) -> Codec:
    """``codec`` under its profile with ``changes``."""
    return dataclasses.replace(codec, profile=dataclasses.replace(codec.profile, **changes))


# --- sending ------------------------------------------------------------------------------


def test_sign_adds_the_own_cert_id_and_the_signature(
    industry_codec: Codec, keyset: Any, signed_order: bytes
) -> None:
    fields = json.loads(signed_order)["certificateSignature"]
    assert list(fields) == ["appSignCertID", "signature"]
    assert fields["appSignCertID"] == keyset.industry_sign.cert_id
    assert fields["signature"] != industry_codec.profile.placeholder


def test_sign_replaces_an_existing_certificate_signature(
    ucsp_codec: Codec, keyset: Any, order_request: dict[str, Any]
) -> None:
    order_request["certificateSignature"] = {"appSignCertID": "1", "signature": "old"}
    signed = ucsp_codec.sign(order_request, {"appEncCertID": keyset.industry_enc.cert_id})
    fields = json.loads(signed)["certificateSignature"]
    assert list(fields) == ["ucspSignCertID", "appEncCertID", "signature"]
    assert fields["ucspSignCertID"] == keyset.ucsp_sign.cert_id


def test_sign_does_not_change_the_message_given(
    industry_codec: Codec, order_request: dict[str, Any]
) -> None:
    before = json.dumps(order_request)
    industry_codec.sign(order_request)
    assert json.dumps(order_request) == before


def test_signed_bytes_are_compact_utf8(
    industry_codec: Codec, order_request: dict[str, Any]
) -> None:
    order_request["trxInfo"]["memo"] = "银联"
    signed = industry_codec.sign(order_request)
    assert b" " not in signed.replace(b"Parking fee, January 2026", b"")
    assert "银联".encode() in signed


@pytest.mark.parametrize(("party", "prefix"), [(Party.INDUSTRY, "A"), (Party.UCSP, "U")])
def test_msg_info_of_each_party(industry_codec: Codec, party: Party, prefix: str) -> None:
    codec = dataclasses.replace(industry_codec, party=party)
    info = codec.msg_info(ORDER, sandbox.INDUSTRY_CODE)
    assert info["msgID"].startswith(prefix + sandbox.INDUSTRY_CODE + "20260115103000")
    assert info["timeStamp"] == "20260115103000"


# --- receiving: the happy paths -------------------------------------------------------------


def test_a_request_decodes(ucsp_codec: Codec, signed_order: bytes) -> None:
    decoded = ucsp_codec.decode(signed_order, "request", expected_type=ORDER)
    assert isinstance(decoded, Decoded)
    assert decoded.raw == signed_order
    assert decoded.text == signed_order.decode()
    assert decoded.msg_type == ORDER
    assert decoded.kind == "request"
    assert decoded.trx_info["txnAmt"] == "12800"
    assert decoded.response_code is None
    assert decoded.cert_fields["appSignCertID"]


def test_a_response_decodes(industry_codec: Codec, ucsp_codec: Codec, signed_order: bytes) -> None:
    request = ucsp_codec.decode(signed_order, "request")
    trx = {"orderId": request.trx_info["orderId"], "tn": "TN0001", "paymentUrl": "https://u.test/p"}
    answer = ucsp_codec.sign(build_response(request.msg_info, trx, ResponseCode.APPROVED))
    decoded = industry_codec.decode(answer, "response", expected_type=ORDER)
    assert decoded.response_code == "00"
    assert decoded.msg_info == request.msg_info
    assert decoded.trx_info["tn"] == "TN0001"


def sample_files() -> list[Path]:
    return sorted(MESSAGES_DIR.glob("*.json"))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_every_sample_message_resigned_decodes(
    path: Path, industry_codec: Codec, ucsp_codec: Codec, keyset: Any
) -> None:
    message = json.loads(path.read_text(encoding="utf-8"))
    msg_type = message["msgInfo"]["msgType"]
    kind: Kind = "response" if path.stem.endswith(".response") else "request"
    spec = MESSAGE_TYPES[msg_type]
    signer = spec.sender if kind == "request" else spec.receiver
    sender, receiver = (
        (industry_codec, ucsp_codec) if signer is Party.INDUSTRY else (ucsp_codec, industry_codec)
    )
    message["msgInfo"]["timeStamp"] = "20260115103000"  # the FakeClock's time, for the skew rule
    extra = {}
    if "appEncCertID" in message.get("certificateSignature", {}):
        extra = {"appEncCertID": keyset.industry_enc.cert_id}
    decoded = receiver.decode(sender.sign(message, extra), kind, expected_type=msg_type)
    assert decoded.trx_info == message["trxInfo"]
    assert has_encrypted_field(decoded.message) == bool(extra)


# --- receiving: format first ----------------------------------------------------------------


def test_a_schema_violation_is_format_invalid(
    ucsp_codec: Codec, industry_codec: Codec, signed_order: bytes
) -> None:
    bad = resigned(signed_order, industry_codec, lambda m: m["trxInfo"].pop("merId"))
    with pytest.raises(SchemaViolation) as caught:
        ucsp_codec.decode(bad, "request")
    assert caught.value.code is ResponseCode.FORMAT_INVALID
    assert [e.path for e in caught.value.errors] == ["$.trxInfo.merId"]
    assert "$.trxInfo.merId" in caught.value.reason


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (b'"txnAmt":"12800"', b'"txnAmt":12800', SchemaViolation),  # and the signature breaks
        (b'"SUBMIT_PAYMENT_ORDER"', b'"SUBMIT_PAYMENT_ORDEX"', MalformedMessage),
        (b'"msgInfo":{', b'"msgInfo":{"a":' + b"[" * 31 + b"]" * 31 + b",", MalformedMessage),
        (b'"versionNo"', b'"versionNo":"1.0.0","versionNo"', MalformedMessage),
        (b'"timeStamp":"20260115103000"', b'"timeStamp":"20260115110000"', MalformedMessage),
    ],
    ids=["schema", "unknown-type", "depth", "duplicate", "skew"],
)
def test_format_is_checked_before_the_signature(
    ucsp_codec: Codec, signed_order: bytes, old: bytes, new: bytes, error: type[Exception]
) -> None:
    """Each of these bodies also has a broken signature; the answer must still be 10."""
    bad = corrupted(signed_order, old, new)
    with pytest.raises(error) as caught:
        ucsp_codec.decode(bad, "request")
    assert error_code(caught.value) is ResponseCode.FORMAT_INVALID
    assert not isinstance(caught.value, SignatureInvalid)


def test_the_signature_is_checked_when_the_format_is_right(
    ucsp_codec: Codec, signed_order: bytes
) -> None:
    bad = corrupted(signed_order, b'"txnAmt":"12800"', b'"txnAmt":"12801"')
    with pytest.raises(SignatureInvalid) as caught:
        ucsp_codec.decode(bad, "request")
    assert caught.value.kind == "bad-signature"
    assert error_code(caught.value) is ResponseCode.SIGNATURE_FAILS


def test_the_profile_limits_apply(ucsp_codec: Codec, signed_order: bytes) -> None:
    small = with_profile(ucsp_codec, max_body_bytes=100)
    with pytest.raises(MalformedMessage, match="exceeds the limit of 100"):
        small.decode(signed_order, "request")
    shallow = with_profile(ucsp_codec, max_depth=1)
    with pytest.raises(MalformedMessage, match="deeper than 1"):
        shallow.decode(signed_order, "request")


def test_an_unexpected_type_is_format_invalid(ucsp_codec: Codec, signed_order: bytes) -> None:
    with pytest.raises(MalformedMessage, match="where PAYMENT_REFUND was expected"):
        ucsp_codec.decode(signed_order, "request", expected_type="PAYMENT_REFUND")


def test_a_response_to_login_does_not_exist(
    industry_codec: Codec, ucsp_codec: Codec, signed_order: bytes
) -> None:
    def to_login(message: dict[str, Any]) -> None:
        message["msgInfo"]["msgType"] = "INDUSTRY_LOGIN_INFO"
        message["msgResponse"] = {"responseCode": "00", "responseMsg": "Approved"}

    with pytest.raises(MalformedMessage, match="INDUSTRY_LOGIN_INFO has no response"):
        industry_codec.decode(resigned(signed_order, ucsp_codec, to_login), "response")


@pytest.mark.parametrize("msg_type", [None, 7, "", "UNKNOWN", "submit_payment_order"])
def test_an_unknown_msg_type_is_format_invalid(
    ucsp_codec: Codec, industry_codec: Codec, signed_order: bytes, msg_type: Any
) -> None:
    bad = resigned(signed_order, industry_codec, lambda m: m["msgInfo"].update(msgType=msg_type))
    with pytest.raises(MalformedMessage, match="unknown msgType"):
        ucsp_codec.decode(bad, "request")


# --- the clock-skew rule --------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 1, 299, 300, -300])
def test_a_timestamp_within_the_skew_is_accepted(
    ucsp_codec: Codec, clock: FakeClock, signed_order: bytes, seconds: int
) -> None:
    clock.advance(seconds)
    ucsp_codec.decode(signed_order, "request")


@pytest.mark.parametrize("seconds", [301, -301, 86400])
def test_a_timestamp_beyond_the_skew_is_format_invalid(
    ucsp_codec: Codec, clock: FakeClock, signed_order: bytes, seconds: int
) -> None:
    clock.advance(seconds)
    with pytest.raises(MalformedMessage, match="s from the receiver's clock"):
        ucsp_codec.decode(signed_order, "request")


def test_the_skew_rule_can_be_switched_off(
    ucsp_codec: Codec, clock: FakeClock, signed_order: bytes
) -> None:
    clock.advance(3600)
    relaxed = with_profile(ucsp_codec, check_skew=False)
    relaxed.decode(signed_order, "request")


def test_the_skew_limit_comes_from_the_profile(
    ucsp_codec: Codec, clock: FakeClock, signed_order: bytes
) -> None:
    clock.advance(11)
    strict = with_profile(ucsp_codec, skew_seconds=10)
    with pytest.raises(MalformedMessage, match=r"11 s from the receiver's clock \(limit 10 s\)"):
        strict.decode(signed_order, "request")


def test_responses_are_not_checked_for_skew(
    industry_codec: Codec, ucsp_codec: Codec, clock: FakeClock, signed_order: bytes
) -> None:
    request = ucsp_codec.decode(signed_order, "request")
    trx = {"orderId": request.trx_info["orderId"]}
    answer = ucsp_codec.sign(build_response(request.msg_info, trx, ResponseCode.FAILED))
    clock.advance(7200)
    assert industry_codec.decode(answer, "response").response_code == "01"


# --- signature failures ---------------------------------------------------------------------


def test_an_unknown_cert_id_fails_like_a_bad_signature(
    ucsp_codec: Codec, signed_order: bytes
) -> None:
    stranger = dataclasses.replace(ucsp_codec, trusted={})
    with pytest.raises(SignatureInvalid) as caught:
        stranger.decode(signed_order, "request")
    assert caught.value.kind == "unknown-cert"
    assert caught.value.code is ResponseCode.SIGNATURE_FAILS


def test_a_cert_id_of_another_known_certificate_fails(
    ucsp_codec: Codec, keyset: Any, signed_order: bytes
) -> None:
    """The ID names a trusted certificate, but not the one whose key signed."""
    enc = keyset.industry_enc
    trusted = {**ucsp_codec.trusted, enc.cert_id: enc.cert}
    text = signed_order.replace(keyset.industry_sign.cert_id.encode(), enc.cert_id.encode())
    with pytest.raises(SignatureInvalid) as caught:
        ucsp_codec.decode(text, "request", trusted=trusted)
    assert caught.value.kind == "bad-signature"


def test_trusted_certificates_can_be_given_per_call(
    ucsp_codec: Codec, keyset: Any, signed_order: bytes
) -> None:
    with pytest.raises(SignatureInvalid):
        ucsp_codec.decode(signed_order, "request", trusted={})
    pair = keyset.industry_sign
    stranger = dataclasses.replace(ucsp_codec, trusted={})
    stranger.decode(signed_order, "request", trusted={pair.cert_id: pair.cert})


def test_the_peer_cert_id_field_is_the_one_read(
    ucsp_codec: Codec, industry_codec: Codec, order_request: dict[str, Any]
) -> None:
    """A request signed by UCSP's own codec names ucspSignCertID: no appSignCertID, code 10."""
    with pytest.raises(SchemaViolation, match="appSignCertID"):
        ucsp_codec.decode(ucsp_codec.sign(order_request), "request")
    decoded = ucsp_codec.parse(ucsp_codec.sign(order_request), "request")
    with pytest.raises(SignatureInvalid) as caught:
        ucsp_codec.check_signature(decoded)
    assert caught.value.kind == "missing-cert-id"


@pytest.mark.parametrize("signature", ["", "not base64", "c2lnbg=", "c2lnbh=="])
def test_a_signature_that_is_not_base64_fails(
    ucsp_codec: Codec, signed_order: bytes, signature: str
) -> None:
    message = json.loads(signed_order)
    start = signed_order.index(message["certificateSignature"]["signature"].encode())
    bad = signed_order[:start] + signature.encode() + signed_order[start + 344 :]
    with pytest.raises((SignatureInvalid, SchemaViolation)) as caught:
        ucsp_codec.decode(bad, "request")
    if isinstance(caught.value, SignatureInvalid):
        assert caught.value.kind == "not-base64"


# --- small helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (MalformedMessage("x"), "10"),
        (SchemaViolation([]), "10"),
        (SignatureInvalid("bad-signature", "x"), "11"),
        (DecryptionFailed("x"), "10"),
        (ConfigError("x"), "99"),
        (ValueError("x"), "99"),
    ],
)
def test_error_code(exc: Exception, code: str) -> None:
    assert error_code(exc) == code


def test_decoded_copes_with_odd_shapes() -> None:
    odd = Decoded(
        b"", "", {"msgInfo": [], "trxInfo": "x", "msgResponse": {"responseCode": 0}}, "response"
    )
    assert (odd.msg_info, odd.trx_info, odd.msg_type, odd.response_code, odd.cert_fields) == (
        {},
        {},
        "",
        None,
        {},
    )


def test_has_encrypted_field() -> None:
    assert has_encrypted_field({"certificateSignature": {"appEncCertID": "1"}})
    assert not has_encrypted_field({"certificateSignature": {"appSignCertID": "1"}})
    assert not has_encrypted_field({"certificateSignature": "x"})
