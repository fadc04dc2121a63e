"""Notices at POST /notify (PROTOCOL.md 5, 6, 8): checks, business rules, answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sim_industry.world import NoticeResult, World
from ucsp.codec import Codec
from ucsp.messages import Party
from ucsp.schemas import validate

pytestmark = pytest.mark.anyio


def _assert_answer(world: World, result: NoticeResult, code: str, sent: bytes | None) -> None:
    """HTTP 200, the code, signed by the industry key, echoing the notice's msgInfo."""
    assert result.status == 200, result.raw
    assert result.code == code, result.message.get("msgResponse")
    decoded = world.peer.codec.parse(result.raw, "response")
    world.peer.codec.check_signature(decoded)
    msg_type = result.message["msgInfo"].get("msgType", "")
    if sent is not None:
        assert result.message["msgInfo"] == json.loads(sent)["msgInfo"]
        assert validate(decoded.message, msg_type, "response") == []


async def _send(world: World, trx: dict[str, Any], **options: Any) -> tuple[bytes, NoticeResult]:
    body = world.build("PAYMENT_RESULT_NOTICE", trx, **options)
    return body, await world.post_notice(body)


async def _pending_payment(world: World, amount: str = "10000") -> str:
    answer = await world.call("/harness/payments", {"txnAmt": amount, "currencyCode": "156"})
    return str(answer["orderId"])


async def test_success_notice_is_acknowledged_and_recorded(world: World) -> None:
    order_id = await _pending_payment(world)
    trx = world.payment_notice(order_id)
    body, result = await _send(world, trx)
    _assert_answer(world, result, "00", body)
    order = await world.order(order_id)
    assert order["status"] == "SUCCEEDED" and order["queryId"] == trx["queryId"]
    entry = world.sim.journal.select("PAYMENT_RESULT_NOTICE", "in")[-1]
    assert entry.request == body and entry.response == result.raw and entry.code == "00"


async def test_failed_notice_makes_the_order_failed(world: World) -> None:
    order_id = await _pending_payment(world)
    _, result = await _send(world, world.payment_notice(order_id, "01"))
    assert result.code == "00"
    assert (await world.order(order_id))["status"] == "FAILED"


async def test_leading_zeros_in_the_amount_are_the_same_amount(world: World) -> None:
    order_id = await _pending_payment(world)
    _, result = await _send(world, world.payment_notice(order_id, txnAmt="0010000"))
    assert result.code == "00"


async def test_duplicate_and_contradicting_notices_change_nothing(world: World) -> None:
    order_id = await _pending_payment(world)
    trx = world.payment_notice(order_id)
    await _send(world, trx)
    for again in (trx, {**trx, "txnStatus": "01"}, {**trx, "txnAmt": "1"}):
        body, result = await _send(world, again)
        _assert_answer(world, result, "00", body)
    assert (await world.order(order_id))["status"] == "SUCCEEDED"


async def test_unknown_order_is_34(world: World) -> None:
    await _pending_payment(world)
    trx = {
        "orderId": "NOSUCHORDER0001",
        "txnType": "PAYMENT",
        "queryId": "Q1",
        "txnAmt": "100",
        "currencyCode": "156",
        "txnTime": "20260115103000",
        "txnStatus": "00",
    }
    body, result = await _send(world, trx)
    _assert_answer(world, result, "34", body)


@pytest.mark.parametrize(
    "change",
    [
        {"txnAmt": "10001"},
        {"currencyCode": "344"},
        {"txnType": "AUTO_DEBIT", "contractId": "CT0001"},
    ],
)
async def test_mismatching_payment_notice_is_36_and_changes_nothing(
    world: World, change: dict[str, str]
) -> None:
    order_id = await _pending_payment(world)
    body, result = await _send(world, world.payment_notice(order_id, **change))
    _assert_answer(world, result, "36", body)
    assert (await world.order(order_id))["status"] == "PENDING"


async def test_txn_time_is_not_compared(world: World) -> None:
    order_id = await _pending_payment(world)
    _, result = await _send(world, world.payment_notice(order_id, txnTime="20250101000000"))
    assert result.code == "00"


async def test_refund_notice_with_wrong_orig_qry_id_is_36(world: World) -> None:
    order_id = await world.paid_order()
    answer = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3005"})
    assert answer["responseCode"] == "05"
    refund_id = answer["orderId"]
    _, result = await _send(world, world.payment_notice(refund_id, origQryId="QOTHER"))
    assert result.code == "36"
    _, result = await _send(world, world.payment_notice(refund_id))
    assert result.code == "00"
    assert (await world.order(order_id))["refundedAmt"] == "3005"
    await world.drain()


async def test_auto_debit_notice_with_another_contract_is_36(world: World) -> None:
    contract_id = await world.active_contract()
    body = {"contractId": contract_id, "txnAmt": "2005", "currencyCode": "156"}
    answer = await world.call("/harness/auto-debit/charge", body)
    _, result = await _send(world, world.payment_notice(answer["orderId"], contractId="CT9999"))
    assert result.code == "36"
    _, result = await _send(world, world.payment_notice(answer["orderId"]))
    assert result.code == "00"
    assert (await world.order(answer["orderId"]))["status"] == "SUCCEEDED"
    await world.drain()


async def test_bad_signature_is_11_and_changes_nothing(world: World) -> None:
    order_id = await _pending_payment(world)
    body = world.build("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    tampered = body.replace(b'"txnStatus":"00"', b'"txnStatus":"01"')
    assert tampered != body
    result = await world.post_notice(tampered)
    _assert_answer(world, result, "11", tampered)
    assert (await world.order(order_id))["status"] == "PENDING"


async def test_unknown_cert_id_is_11(world: World) -> None:
    order_id = await _pending_payment(world)
    body = _signed_with_cert_id(world, world.payment_notice(order_id), "424242")
    result = await world.post_notice(body)
    _assert_answer(world, result, "11", body)


def _signed_with_cert_id(world: World, trx: dict[str, Any], cert_id: str) -> bytes:
    """Signed by the UCSP key, naming a certificate ID the IS does not know."""
    from ucsp.crypto import sign_message

    peer = world.peer
    message = {
        "msgInfo": peer.codec.msg_info("PAYMENT_RESULT_NOTICE", "TRAVEL01"),
        "trxInfo": trx,
        "certificateSignature": {"ucspSignCertID": cert_id, "signature": "00000000"},
    }
    key = world.sim.keys.ucsp_sign.identity("ucsp").key
    return sign_message(
        message, key, peer.target.profile.signature_mode, peer.target.profile.placeholder
    )


async def test_schema_violation_is_10_with_echo(world: World) -> None:
    order_id = await _pending_payment(world)
    body, result = await _send(world, world.payment_notice(order_id, txnAmt="100.00"))
    _assert_answer(world, result, "10", body)
    assert (await world.order(order_id))["status"] == "PENDING"


async def test_other_industry_is_99(world: World) -> None:
    order_id = await _pending_payment(world)
    body, result = await _send(world, world.payment_notice(order_id), industry_code="OTHER001")
    assert result.code == "99"
    assert result.message["msgInfo"] == json.loads(body)["msgInfo"]
    assert (await world.order(order_id))["status"] == "PENDING"


async def test_replayed_msgid_is_99(world: World) -> None:
    order_id = await _pending_payment(world)
    body, result = await _send(world, world.payment_notice(order_id, "01"))
    assert result.code == "00"
    again = await world.post_notice(body)
    _assert_answer(world, again, "99", body)


async def test_stale_timestamp_is_10(world: World) -> None:
    order_id = await _pending_payment(world)
    body = world.build("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    world.clock.advance(400)
    _assert_answer(world, await world.post_notice(body), "10", body)


async def test_gateway_message_at_the_notice_url_is_10(world: World) -> None:
    body = world.build("PAYMENT_RESULT_INQUIRY", {"orderId": "X1234567", "txnTime": "x"})
    result = await world.post_notice(body)
    assert result.status == 200 and result.code == "10"


# --- sign notices ---------------------------------------------------------------------------


async def test_sign_notice_stores_the_contract(world: World) -> None:
    await world.call("/harness/auto-debit/sign", {"userId": "user0001"})
    trx = {"contractId": "CT0001", "userId": "user0001", "signStatus": "00"}
    body = world.build("SIGN_AUTO_DEBIT_NOTICE", trx)
    _assert_answer(world, await world.post_notice(body), "00", body)
    assert await world.contract("CT0001") == {
        "contractId": "CT0001",
        "userId": "user0001",
        "status": "ACTIVE",
    }
    declined = {**trx, "signStatus": "01"}
    assert (await world.notice("SIGN_AUTO_DEBIT_NOTICE", declined)).code == "00"
    assert (await world.contract("CT0001"))["status"] == "ACTIVE"


async def test_declined_signature_is_recorded(world: World) -> None:
    await world.call("/harness/auto-debit/sign", {"userId": "user0001"})
    trx = {"contractId": "CT0002", "userId": "user0001", "signStatus": "01"}
    assert (await world.notice("SIGN_AUTO_DEBIT_NOTICE", trx)).code == "00"
    assert (await world.contract("CT0002"))["status"] == "DECLINED"


async def test_unsolicited_sign_notice_is_34(world: World) -> None:
    trx = {"contractId": "CT0001", "userId": "stranger", "signStatus": "00"}
    body = world.build("SIGN_AUTO_DEBIT_NOTICE", trx)
    _assert_answer(world, await world.post_notice(body), "34", body)
    assert (await world.client.get("/harness/contracts/CT0001")).status_code == 404


async def test_contract_of_another_user_is_36(world: World) -> None:
    contract_id = await world.active_contract("user0001")
    await world.call("/harness/auto-debit/sign", {"userId": "user0002"})
    trx = {"contractId": contract_id, "userId": "user0002", "signStatus": "00"}
    body = world.build("SIGN_AUTO_DEBIT_NOTICE", trx)
    _assert_answer(world, await world.post_notice(body), "36", body)
    assert (await world.contract(contract_id))["userId"] == "user0001"


async def test_front_url_records_a_pending_contract_until_the_notice(world: World) -> None:
    await world.call("/harness/auto-debit/sign", {"userId": "user 1"})
    sent = world.requests("SIGN_AUTO_DEBIT")[-1].trx
    assert sent["frontUrl"] == "http://is.test/front?userId=user%201"
    assert sent["backUrl"] == "http://is.test/notify"
    page = await world.client.get(sent["frontUrl"] + "&contractId=CT7&signStatus=00")
    assert page.status_code == 200 and "PENDING" in page.text
    assert (await world.contract("CT7"))["status"] == "PENDING"
    trx = {"contractId": "CT7", "userId": "user 1", "signStatus": "00"}
    assert (await world.notice("SIGN_AUTO_DEBIT_NOTICE", trx)).code == "00"
    assert (await world.contract("CT7"))["status"] == "ACTIVE"
    stranger = await world.client.get("/front?userId=nobody&contractId=CT8&signStatus=00")
    assert stranger.status_code == 200
    assert (await world.client.get("/harness/contracts/CT8")).status_code == 404


# --- HTTP and hostile input -----------------------------------------------------------------


async def test_http_checks_come_first(world: World) -> None:
    assert (await world.client.get("/notify")).status_code == 405
    answer = await world.client.post(
        "/notify", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415
    big = b"{" + b" " * 70_000 + b"}"
    answer = await world.client.post(
        "/notify", content=big, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    charset = await world.post_notice(b"{}", "Application/JSON;Charset=utf-8")
    assert charset.status == 200 and charset.code == "10"


HOSTILE = [
    b"",
    b"not json",
    b"\xef\xbb\xbf{}",
    b"\xff\xfe",
    b"[1, 2]",
    b'"text"',
    b"{" * 5000,
    b'{"a": ' * 40 + b"1" + b"}" * 40,
    b'{"a": NaN}',
    b'{"a": 1e999}',
    b'{"a": "\\ud800"}',
    b'{"msgInfo": {"msgType": "PAYMENT_RESULT_NOTICE"}, "msgInfo": {}}',
    b'{"msgInfo": "x", "trxInfo": 3}',
    b'{"msgInfo": {"msgType": 5}}',
]


@pytest.mark.parametrize("body", HOSTILE)
async def test_hostile_bodies_are_answered_10_signed(world: World, body: bytes) -> None:
    result = await world.post_notice(body)
    assert result.status == 200 and result.code == "10"
    decoded = world.peer.codec.parse(result.raw, "response")
    world.peer.codec.check_signature(decoded)
    info = result.message["msgInfo"]
    assert isinstance(info, dict)
    assert info.get("msgID") or info == {"msgType": 5}  # fresh, or the echo of a JSON object


async def test_a_code_10_answer_echoes_a_json_object_s_msg_info(world: World) -> None:
    info = world.peer.codec.msg_info("PAYMENT_RESULT_NOTICE", "TRAVEL01")
    body = json.dumps({"msgInfo": info, "trxInfo": {}, "x": 1}).encode()[:-1] + b',"x":2}'
    result = await world.post_notice(body)
    assert result.code == "10" and result.message["msgInfo"] == info
    fresh = await world.post_notice(b"[]")
    assert fresh.message["msgInfo"]["msgType"] == "UNKNOWN"
    assert fresh.message["msgInfo"]["msgID"].startswith("ATRAVEL01")


async def test_answer_codec_round_trip(world: World) -> None:
    """The IS's answers verify with a plain industry-side codec too."""
    order_id = await _pending_payment(world)
    body, result = await _send(world, world.payment_notice(order_id))
    codec = Codec(
        Party.UCSP,
        world.sim.keys.ucsp_sign.identity("ucsp"),
        world.sim.keys.certs_of(Party.INDUSTRY),
        world.peer.target.profile,
        world.clock,
    )
    decoded = codec.parse(result.raw, "response")
    codec.check_format(decoded, "PAYMENT_RESULT_NOTICE")
    codec.check_signature(decoded)
    assert body
