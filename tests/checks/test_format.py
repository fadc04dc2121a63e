"""Unit tests of the format and transport checks (ucsp/checks/format.py) and of the pure
builders of ucsp/mutation/ that make broken messages: pure inputs, each check shown to
pass on a good input and to raise the right requirement on a bad one."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ucsp import schemas
from ucsp.checks.format import (
    Receiver,
    Reply,
    check_content_type,
    check_each_answered,
    check_fresh_msg_info,
    check_fresh_transmissions,
    check_http_status,
    check_msg_info_echo,
    check_originated,
    check_protocol_answer,
    check_response_msg,
    check_rules_answered,
    check_sent_transport,
    check_utf8,
    echo_rule,
    raise_all,
    violations_of,
)
from ucsp.codec import Codec
from ucsp.crypto import signed_bytes, verify_bytes
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import CERT_ID_FIELD, build_msg_info, build_request, build_response
from ucsp.errors import UcspError
from ucsp.keys import Keyset
from ucsp.messages import GATEWAY_TYPES, Party
from ucsp.mutation.fields import field_mutations
from ucsp.mutation.hostile import HOSTILE
from ucsp.mutation.serialisation import NON_CANONICAL, compact
from ucsp.mutation.signature import flip_signature, sign_raw, with_cert_fields
from ucsp.profile import default_profile
from ucsp.strictjson import parse_object
from ucsp.verdict import RequirementViolation

PROFILE = default_profile()
KEYS = Keyset.load(TEST_KEYS)
NOW = datetime.now(UTC)
INDUSTRY = "TRAVEL01"
ORDER = {
    "orderId": "ORD20260101120000ABCDEF",
    "merId": "777290058110048",
    "acqIIN": "00010344",
    "txnAmt": "10000",
    "currencyCode": "156",
    "txnTime": "20260101120000",
}


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def ucsp_codec() -> Codec:
    identity = KEYS.ucsp_sign.identity("test")
    return Codec(Party.UCSP, identity, KEYS.certs_of(Party.INDUSTRY))


def industry_codec() -> Codec:
    identity = KEYS.industry_sign.identity("test")
    return Codec(Party.INDUSTRY, identity, KEYS.certs_of(Party.UCSP))


def request_message(msg_type: str = "SUBMIT_PAYMENT_ORDER", **trx: str) -> dict[str, Any]:
    info = build_msg_info(msg_type, INDUSTRY, Party.INDUSTRY, NOW, PROFILE)
    message = build_request(info, {**ORDER, **trx})
    cert = {"appSignCertID": KEYS.industry_sign.cert_id}
    return with_cert_fields(message, cert, PROFILE.placeholder)


def signed_request(**trx: str) -> bytes:
    return industry_codec().sign(request_message(**trx))


UCSP = Receiver(Party.UCSP, KEYS.certs_of(Party.UCSP), PROFILE)


def answer_to(sent: bytes, code: str = "00", msg_info: Any = None) -> bytes:
    request = json.loads(sent)
    info = request["msgInfo"] if msg_info is None else msg_info
    trx = {"orderId": ORDER["orderId"], "tn": "abc", "paymentUrl": "http://x/pay/abc"}
    return ucsp_codec().sign(build_response(info, trx if code == "00" else {}, code))


def reply(sent: bytes, body: bytes | None, **extra: Any) -> Reply:
    fields: dict[str, Any] = {"status": 200, "content_type": "application/json; charset=UTF-8"}
    fields.update(extra)
    return Reply(sent, body=body, **fields)


# --- transport -------------------------------------------------------------------------------


def test_http_status() -> None:
    check_http_status(405, 405, "TRN-01")
    with violation("TRN-01"):
        check_http_status(200, 405, "TRN-01")


@pytest.mark.parametrize(
    "value",
    [
        "application/json; charset=UTF-8",
        "APPLICATION/JSON;charset=utf-8",
        'application/json; charset="utf-8"',
    ],
)
def test_content_type_accepts_json_utf8(value: str) -> None:
    check_content_type(value, "the answer")


@pytest.mark.parametrize("value", ["application/json", "text/plain; charset=UTF-8", "", None])
def test_content_type_refuses_others(value: str | None) -> None:
    with violation("TRN-05"):
        check_content_type(value, "the answer")


def test_sent_transport() -> None:
    check_sent_transport("POST", "application/json; charset=UTF-8", b"{}", "a notice")
    check_sent_transport(None, None, b"{}", "a request whose transport was not observed")
    with violation("TRN-05"):
        check_sent_transport("PUT", "application/json; charset=UTF-8", b"{}", "a notice")
    with violation("TRN-05"):
        check_sent_transport("POST", "text/plain", b"{}", "a notice")
    with pytest.raises(ExceptionGroup) as group:
        check_sent_transport("GET", "text/plain", b"\xef\xbb\xbf{}", "a notice")
    assert [v.requirement for v in violations_of(group.value)] == ["TRN-05"] * 3


def test_utf8() -> None:
    check_utf8('{"a":"é"}'.encode(), "the answer")
    with violation("TRN-05"):
        check_utf8(b'{"a":"\xe9"}', "the answer")


# --- echo and fresh msgInfo --------------------------------------------------------------------


def test_echo_rule() -> None:
    body = signed_request()
    rule, info = echo_rule(body, PROFILE)
    assert rule == "echo" and info == json.loads(body)["msgInfo"]
    assert (
        echo_rule(HOSTILE["duplicate-key"].build(request_message(), _sign), PROFILE)[0] == "either"
    )
    assert echo_rule(b"\xef\xbb\xbf" + body, PROFILE)[0] == "either"
    assert echo_rule(b"[" + body + b"]", PROFILE) == ("fresh", None)
    assert echo_rule(b'{"trxInfo":{}}', PROFILE) == ("fresh", None)
    assert echo_rule(body[:-5], PROFILE) == ("fresh", None)


def test_msg_info_echo() -> None:
    info = {"msgID": "A1", "msgType": "X"}
    check_msg_info_echo(info, dict(info))
    with violation("FMT-07"):
        check_msg_info_echo(info, {**info, "msgID": "A2"})


def fresh(**changes: Any) -> dict[str, Any]:
    info: dict[str, Any] = build_msg_info("UNKNOWN", INDUSTRY, Party.UCSP, NOW, PROFILE)
    info.update(changes)
    return info


def test_fresh_msg_info() -> None:
    check_fresh_msg_info(fresh(), Party.UCSP, "A" + "1" * 28, None, NOW, PROFILE)
    check_fresh_msg_info(
        fresh(msgType="SUBMIT_PAYMENT_ORDER"),
        Party.UCSP,
        None,
        "SUBMIT_PAYMENT_ORDER",
        NOW,
        PROFILE,
    )
    ucsp_id = fresh()["msgID"]
    bad = [
        "not an object",
        fresh(msgID="A" + ucsp_id[1:]),  # the requester's prefix
        fresh(msgType="PAYMENT_RESULT_NOTICE"),  # neither as sent nor UNKNOWN
        fresh(versionNo="1.0.1"),
        fresh(msgID=ucsp_id[:1] + "OTHER001" + ucsp_id[9:]),  # not msgInfo.industryCode
        build_msg_info("UNKNOWN", INDUSTRY, Party.UCSP, NOW - timedelta(hours=1), PROFILE),
    ]
    for info in bad:
        with violation("FMT-08"):
            check_fresh_msg_info(info, Party.UCSP, None, None, NOW, PROFILE)
    reused = fresh()
    with violation("FMT-08"):
        check_fresh_msg_info(reused, Party.UCSP, reused["msgID"], None, NOW, PROFILE)


# --- the answer to one message ----------------------------------------------------------------


def test_protocol_answer_passes_on_a_valid_signed_echoing_answer() -> None:
    sent = signed_request()
    answer = check_protocol_answer(reply(sent, answer_to(sent)), "00", "TRN-06", UCSP, NOW)
    assert answer["msgResponse"]["responseCode"] == "00"


def test_protocol_answer_code_10_to_a_non_object_carries_a_fresh_msg_info() -> None:
    sent = b"[1, 2]"
    body = answer_to(signed_request(), "10", fresh())
    check_protocol_answer(reply(sent, body), "10", "FMT-01", UCSP, NOW)
    echoed = answer_to(signed_request(), "10")  # a msgInfo the body never had
    with violation("FMT-08"):
        check_protocol_answer(reply(sent, echoed), "10", "FMT-01", UCSP, NOW)


def test_protocol_answer_violations() -> None:
    sent = signed_request()
    good = answer_to(sent)
    cases = [
        ("TRN-04", Reply(sent, None, error="ConnectError")),
        ("TRN-04", reply(sent, good, status=500)),
        ("TRN-04", reply(sent, b"")),
        ("FMT-06", reply(sent, b"<html>error</html>")),
        ("PAY-01", reply(sent, answer_to(sent, "99"))),
        ("FMT-07", reply(sent, answer_to(sent, "00", fresh(msgType="SUBMIT_PAYMENT_ORDER")))),
        ("SEC-01", reply(sent, flip_signature(good))),
        ("TRN-05", reply(sent, good, content_type="text/plain")),
        ("FMT-06", reply(sent, industry_codec().sign(json.loads(answer_to(sent))))),
    ]
    for requirement, case in cases:
        with pytest.raises((RequirementViolation, ExceptionGroup)) as caught:
            check_protocol_answer(case, "00", "PAY-01", UCSP, NOW)
        found = [v.requirement for v in violations_of(caught.value)]
        assert requirement in found, (requirement, found)


def test_protocol_answer_with_a_wrong_code_skips_the_schema() -> None:
    sent = signed_request(orderId="X" * 41)
    with pytest.raises(RequirementViolation) as caught:
        check_protocol_answer(reply(sent, answer_to(sent, "00")), "10", "FMT-04", UCSP, NOW)
    assert caught.value.requirement == "FMT-04"


def test_response_msg() -> None:
    check_response_msg({"msgResponse": {"responseCode": "00"}})
    check_response_msg({"msgResponse": {"responseCode": "00", "responseMsg": "Approved"}})
    check_response_msg(
        {"msgResponse": {"responseCode": "10", "responseMsg": "Message Format Invalid: orderId"}}
    )
    with violation("FMT-06"):
        check_response_msg({"msgResponse": {"responseCode": "00", "responseMsg": "OK"}})
    with violation("FMT-06"):
        check_response_msg({"msgResponse": {"responseCode": "11", "responseMsg": "Approved"}})


def test_rules_answered() -> None:
    check_rules_answered({"$.a (type)": [], "$.b (required)": []})
    with violation("FMT-04") as caught:
        check_rules_answered(
            {"$.a (type)": [], "$.b (required)": [RequirementViolation("FMT-04", "code 00")]}
        )
    assert "1 of 2" in str(caught.value) and "$.b (required)" in str(caught.value)
    with pytest.raises(ExceptionGroup) as group:
        check_rules_answered(
            {
                "$.a (type)": [RequirementViolation("TRN-04", "HTTP 400")],
                "$.b (class)": [RequirementViolation("FMT-04", "code 99")],
            }
        )
    assert [v.requirement for v in violations_of(group.value)] == ["FMT-04", "TRN-04"]


def test_each_answered_reports_every_message_answered_otherwise() -> None:
    first, second = signed_request(), signed_request()
    good = [("$.a (type)", reply(first, answer_to(first, "10")), "FMT-04")]
    check_each_answered(good, "10", UCSP, NOW)
    bad = [*good, ("$.b (class)", reply(second, answer_to(second, "00")), "FMT-04")]
    with violation("FMT-04") as caught:
        check_each_answered(bad, "10", UCSP, NOW)
    assert "1 of 2" in str(caught.value) and "$.b (class)" in str(caught.value)


def test_raise_all_and_violations_of() -> None:
    raise_all([])
    with violation("SEC-01"):
        raise_all([RequirementViolation("SEC-01", "x")])
    with pytest.raises(ValueError):
        violations_of(ValueError("a crash is not a violation"))


# --- what the SUT originates -------------------------------------------------------------------


def test_originated_by_the_industry_service() -> None:
    check_originated(request_message(txnTime=_now_text()), Party.INDUSTRY, INDUSTRY, NOW, PROFILE)
    ucsp_prefixed = request_message(txnTime=_now_text())
    ucsp_prefixed["msgInfo"]["msgID"] = "U" + ucsp_prefixed["msgInfo"]["msgID"][1:]
    with violation("FMT-09"):
        check_originated(ucsp_prefixed, Party.INDUSTRY, INDUSTRY, NOW, PROFILE)
    with violation("FMT-12"):  # the order was created an hour ago, says txnTime
        check_originated(request_message(), Party.INDUSTRY, INDUSTRY, NOW, PROFILE)


def test_originated_in_utc_breaks_the_time_rules() -> None:
    in_utc = replace(PROFILE, utc_offset_hours=0)
    utc = build_msg_info("SUBMIT_PAYMENT_ORDER", INDUSTRY, Party.INDUSTRY, NOW, in_utc)
    message = {**request_message(txnTime=_now_text()), "msgInfo": utc}
    with pytest.raises(ExceptionGroup) as group:
        check_originated(message, Party.INDUSTRY, INDUSTRY, NOW, PROFILE)
    assert sorted(v.requirement for v in violations_of(group.value)) == ["FMT-09", "FMT-12"]


def test_originated_by_ucsp() -> None:
    info = build_msg_info("PAYMENT_RESULT_NOTICE", INDUSTRY, Party.UCSP, NOW, PROFILE)
    check_originated({"msgInfo": info}, Party.UCSP, INDUSTRY, NOW, PROFILE)
    with violation("FMT-10"):
        check_originated({"msgInfo": info}, Party.UCSP, "OTHER001", NOW, PROFILE)


def test_fresh_transmissions() -> None:
    first, second = json.loads(signed_request()), json.loads(signed_request(orderId="B" * 10))
    check_fresh_transmissions([first, second])
    with violation("FMT-11"):
        check_fresh_transmissions([first, first])
    same_signature = {**second, "certificateSignature": first["certificateSignature"]}
    with violation("FMT-11"):
        check_fresh_transmissions([first, same_signature])


def _now_text() -> str:
    return NOW.astimezone(PROFILE.tz).strftime("%Y%m%d%H%M%S")


# --- the builders of broken messages -------------------------------------------------------


def _sign(raw: bytes) -> bytes:
    return sign_raw(raw, KEYS.industry_sign.identity("test").key, PROFILE)


def test_sign_raw_signs_the_bytes_as_sent() -> None:
    body = _sign(compact(request_message()))
    data, signature = signed_bytes(body.decode(), PROFILE.placeholder)
    verify_bytes(KEYS.industry_sign.cert, data, signature, PROFILE.signature_mode)
    with pytest.raises(ValueError):
        sign_raw(b'{"a":1}', KEYS.industry_sign.identity("test").key, PROFILE)


def test_every_field_mutation_breaks_the_schema_once_per_rule_kind() -> None:
    message = request_message()
    assert schemas.validate(message, "SUBMIT_PAYMENT_ORDER", "request") == []
    mutations = field_mutations(message, "SUBMIT_PAYMENT_ORDER")
    for mutation in mutations:
        assert schemas.validate(mutation.apply(message), "SUBMIT_PAYMENT_ORDER", "request")
    labels = [m.label for m in mutations]
    assert len(labels) == len(set(labels))
    order_id = {m.rule for m in mutations if m.path == ("trxInfo", "orderId")}
    assert order_id == {"type", "minLength", "maxLength", "class", "required"}
    msg_id = {m.rule for m in mutations if m.path == ("msgInfo", "msgID")}
    assert {"calendar", "prefix", "industry"} <= msg_id
    rules = {(m.path[-1], m.rule) for m in mutations}
    assert {
        ("txnAmt", "zero"),
        ("txnTime", "calendar"),
        ("versionNo", "enum"),
        ("appEncCertID", "forbidden"),
        ("trxInfo", "required"),
    } <= rules
    assert ("currencyCode", "zero") not in rules  # "000" is a valid currency code


TIME = "20260101120000"
VALID_TRX: dict[str, dict[str, str]] = {
    "SUBMIT_PAYMENT_ORDER": ORDER,
    "PAYMENT_RESULT_INQUIRY": {"orderId": "ORD12345678", "txnTime": TIME},
    "SIGN_AUTO_DEBIT": {
        "merId": ORDER["merId"],
        "userId": "user 1",
        "frontUrl": "http://is/front",
        "backUrl": "http://is/notify",
    },
    "CLOSE_AUTO_DEBIT": {"contractId": "C1", "userId": "user 1"},
    "SUBMIT_AUTO_DEBIT": {**ORDER, "contractId": "C1"},
    "PAYMENT_CANCELLATION": {
        "orderId": "CAN12345678",
        "txnTime": TIME,
        "origQryId": "Q1",
        "txnAmt": "10000",
    },
    "PAYMENT_REFUND": {
        "orderId": "REF12345678",
        "txnTime": TIME,
        "origQryId": "Q1",
        "txnAmt": "100",
    },
    "REFUND_RESULT_INQUIRY": {"orderId": "REF12345678", "txnTime": TIME},
    "PAYMENT_RESULT_NOTICE": {
        "orderId": "ORD12345678",
        "txnType": "PAYMENT",
        "queryId": "Q1",
        "txnAmt": "100",
        "currencyCode": "156",
        "txnTime": TIME,
        "txnStatus": "00",
    },
    "SIGN_AUTO_DEBIT_NOTICE": {"contractId": "C1", "userId": "user 1", "signStatus": "00"},
}


@pytest.mark.parametrize("msg_type", sorted(VALID_TRX))
def test_mutations_of_every_received_type_all_break_its_schema(msg_type: str) -> None:
    sender = Party.INDUSTRY if msg_type in GATEWAY_TYPES else Party.UCSP
    info = build_msg_info(msg_type, INDUSTRY, sender, NOW, PROFILE)
    cert = {CERT_ID_FIELD[sender]: "12345"}
    message = with_cert_fields(build_request(info, VALID_TRX[msg_type]), cert, "00000000")
    assert schemas.validate(message, msg_type, "request") == []
    mutations = field_mutations(message, msg_type)
    for mutation in mutations:
        errors = schemas.validate(mutation.apply(message), msg_type, "request")
        assert errors, f"{mutation.label} = {mutation.value!r} is valid"
    rules = {(m.path[-1], m.rule) for m in mutations}
    for rule in schemas.field_rules(msg_type, "request"):
        name = rule.path[-1]
        assert (name, "type") in rules
        if rule.presence == "M":
            assert (name, "required") in rules
        if rule.enum and len(rule.enum) > 0 and name != "msgType":
            assert (name, "enum") in rules


def test_mutations_of_a_notice_cover_its_enumerations() -> None:
    info = build_msg_info("PAYMENT_RESULT_NOTICE", INDUSTRY, Party.UCSP, NOW, PROFILE)
    trx = VALID_TRX["PAYMENT_RESULT_NOTICE"]
    message = with_cert_fields(build_request(info, trx), {"ucspSignCertID": "1"}, "00000000")
    rules = {(m.path[-1], m.rule) for m in field_mutations(message, "PAYMENT_RESULT_NOTICE")}
    assert {("txnType", "enum"), ("txnStatus", "enum"), ("origQryId", "type")} <= rules


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bodies_are_refused_by_strict_parsing_or_the_schema(name: str) -> None:
    body = HOSTILE[name].build(request_message(), _sign)
    try:
        message = parse_object(body, max_depth=PROFILE.max_depth)
    except UcspError:
        return
    assert schemas.validate(message, "SUBMIT_PAYMENT_ORDER", "request")


def test_lenient_hostile_bodies_are_signed_over_their_raw_bytes() -> None:
    for name in ("duplicate-key", "nan", "overflow-1e999", "lone-surrogate"):
        body = HOSTILE[name].build(request_message(), _sign)
        data, signature = signed_bytes(body.decode(), PROFILE.placeholder)
        verify_bytes(KEYS.industry_sign.cert, data, signature, PROFILE.signature_mode)


@pytest.mark.parametrize("style", sorted(NON_CANONICAL))
def test_non_canonical_serialisations_mean_the_same_message(style: str) -> None:
    message = request_message()
    text = NON_CANONICAL[style](message)
    assert text != compact(message).decode()
    assert json.loads(text) == message
