"""Flows the IS initiates, every answer code, and the inquiry schedule (PROTOCOL.md 5, 7, 8)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sim_industry.world import Received, World
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.schemas import validate

pytestmark = pytest.mark.anyio

SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
FAILING_CODES = ["01", "10", "11", "34", "36", "99"]
INVALID_ANSWERS = {
    "timeout": GatewayOverride(timeout=True),
    "http500": GatewayOverride(corrupt="http-500"),
    "garbage": GatewayOverride(corrupt="not-json"),
    "bad-signature": GatewayOverride(corrupt="signature"),
    "no-echo": GatewayOverride(corrupt="echo"),
    "wrong-order": GatewayOverride(trx={"orderId": "WRONG0000000000001"}),
}
INQUIRY = "PAYMENT_RESULT_INQUIRY"


def _status(status: str, **trx: str) -> GatewayOverride:
    """An approved inquiry answer with this txnStatus."""
    return GatewayOverride(trx={"txnStatus": status, **trx})


async def _pay(world: World, amount: str = "10000", **extra: str) -> Any:
    return await world.post("/harness/payments", {"txnAmt": amount, "currencyCode": "156", **extra})


def _valid_request(received: Received) -> None:
    assert received.valid
    assert validate_request(received) == []


def validate_request(received: Received) -> list[Any]:
    import json

    return validate(json.loads(received.raw), received.msg_type, "request")


# --- SUBMIT_PAYMENT_ORDER ---------------------------------------------------------------------


async def test_payment_00_leaves_the_order_pending_until_the_notice(world: World) -> None:
    answer = await _pay(world, orderDesc="Parking, January")
    assert answer.status_code == 200
    data = answer.json()
    order_id = data["orderId"]
    assert data["responseCode"] == "00" and data["tn"] and data["paymentUrl"]
    sent = world.requests("SUBMIT_PAYMENT_ORDER")[-1]
    _valid_request(sent)
    assert sent.msg_info["msgID"].startswith("ATRAVEL0120260115103000")
    assert sent.msg_info["timeStamp"] == "20260115103000"
    assert sent.trx == {
        "orderId": order_id,
        "merId": "777290058110048",
        "acqIIN": "00010344",
        "txnAmt": "10000",
        "currencyCode": "156",
        "txnTime": "20260115103000",
        "orderDesc": "Parking, January",
        "backUrl": "http://is.test/notify",
        "frontUrl": f"http://is.test/front?orderId={order_id}",
    }
    assert await world.order(order_id) == {
        "orderId": order_id,
        "status": "PENDING",
        "txnAmt": "10000",
        "currencyCode": "156",
        "refundedAmt": "0",
    }
    await world.drain()
    assert world.inquiries() == []
    await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    order = await world.order(order_id)
    assert order["status"] == "SUCCEEDED" and order["queryId"]
    page = await world.client.get(f"/front?orderId={order_id}")
    assert "SUCCEEDED" in page.text
    out = world.sim.journal.select("SUBMIT_PAYMENT_ORDER", "out")[-1]
    assert out.request == sent.raw and out.code == "00" and out.status == 200


@pytest.mark.parametrize("code", FAILING_CODES)
async def test_payment_refused_makes_the_order_failed(world: World, code: str) -> None:
    world.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(code=code))
    data = (await _pay(world)).json()
    assert data["responseCode"] == code and "tn" not in data
    assert (await world.order(data["orderId"]))["status"] == "FAILED"
    await world.drain()
    assert world.inquiries() == []


@pytest.mark.parametrize("mode", INVALID_ANSWERS)
async def test_no_valid_answer_is_424_pending_and_inquiries(world: World, mode: str) -> None:
    world.peer.override("SUBMIT_PAYMENT_ORDER", INVALID_ANSWERS[mode])
    answer = await _pay(world)
    assert answer.status_code == 424
    data = answer.json()
    assert set(data) == {"error", "orderId"} and data["error"]
    assert (await world.order(data["orderId"]))["status"] == "PENDING"
    world.peer.override(INQUIRY, _status("00"))
    await world.drain()
    assert world.inquiries() == [0.0]
    inquiry = world.requests("PAYMENT_RESULT_INQUIRY")[0]
    _valid_request(inquiry)
    assert inquiry.trx == {"orderId": data["orderId"], "txnTime": "20260115103000"}
    assert (await world.order(data["orderId"]))["status"] == "SUCCEEDED"


async def test_payment_05_is_pending_with_inquiries(world: World) -> None:
    world.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(code="05"))
    data = (await _pay(world)).json()
    assert data["responseCode"] == "05"
    world.peer.override(INQUIRY, _status("01"))
    await world.drain()
    assert (await world.order(data["orderId"]))["status"] == "FAILED"


# --- the inquiry schedule ---------------------------------------------------------------------


async def _charge(world: World, amount: str, contract_id: str) -> Any:
    body = {"contractId": contract_id, "txnAmt": amount, "currencyCode": "156"}
    return await world.post("/harness/auto-debit/charge", body)


async def test_seven_inquiries_at_the_schedule_then_pending(world: World) -> None:
    contract_id = await world.active_contract()
    data = (await _charge(world, "2005", contract_id)).json()
    assert data["responseCode"] == "05"
    await world.drain()
    assert world.inquiries() == SCHEDULE
    assert world.clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    inquiries = world.requests("PAYMENT_RESULT_INQUIRY")
    ids = [r.msg_info["msgID"] for r in inquiries]
    assert len(set(ids)) == 7
    assert {r.trx["txnTime"] for r in inquiries} == {
        world.sim.store.order(data["orderId"]).txn_time
    }  # type: ignore[union-attr]
    assert (await world.order(data["orderId"]))["status"] == "PENDING"
    outs = world.sim.journal.select("PAYMENT_RESULT_INQUIRY", "out")
    assert [e.elapsed - outs[0].elapsed for e in outs] == SCHEDULE


async def test_inquiry_stops_on_a_final_status(world: World) -> None:
    contract_id = await world.active_contract()
    for answer in (_status("05"), _status("05"), _status("00", queryId="QFINAL")):
        world.peer.override(INQUIRY, answer)
    data = (await _charge(world, "2005", contract_id)).json()
    await world.drain()
    assert world.inquiries() == [0.0, 1.0, 3.0]
    order = await world.order(data["orderId"])
    assert order["status"] == "SUCCEEDED"
    assert order["queryId"]  # from the 05 answer, kept


async def test_inquiry_34_fails_the_order(world: World) -> None:
    contract_id = await world.active_contract()
    world.peer.override(INQUIRY, _status("05"))
    world.peer.override(INQUIRY, GatewayOverride(code="34"))
    data = (await _charge(world, "2005", contract_id)).json()
    await world.drain()
    assert world.inquiries() == [0.0, 1.0]
    assert (await world.order(data["orderId"]))["status"] == "FAILED"


async def test_errors_and_invalid_inquiry_answers_keep_to_the_schedule(world: World) -> None:
    contract_id = await world.active_contract()
    for answer in (
        GatewayOverride(code="99"),
        GatewayOverride(code="10"),
        GatewayOverride(code="11"),
        GatewayOverride(corrupt="http-500"),
        GatewayOverride(timeout=True),
        GatewayOverride(corrupt="signature"),
        _status("00"),
    ):
        world.peer.override(INQUIRY, answer)
    data = (await _charge(world, "2005", contract_id)).json()
    await world.drain()
    assert world.inquiries() == SCHEDULE
    assert (await world.order(data["orderId"]))["status"] == "SUCCEEDED"


async def test_the_notice_stops_the_inquiries(world: World) -> None:
    contract_id = await world.active_contract()
    world.hold_answer(INQUIRY, nth=2)
    data = (await _charge(world, "2005", contract_id)).json()
    order_id = data["orderId"]
    drained = asyncio.ensure_future(world.drain())
    held = await world.peer.wait_delayed(INQUIRY, 0, timeout=10.0)
    assert held is not None  # the second inquiry, not answered yet
    result = await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    assert result.code == "00"
    world.peer.release_delayed(held[0])
    await drained
    assert world.inquiries() == [0.0, 1.0]
    assert (await world.order(order_id))["status"] == "SUCCEEDED"


async def test_custom_schedule_from_the_profile(make_world: Any) -> None:
    from dataclasses import replace

    from ucsp.profile import default_profile

    world = make_world(profile=replace(default_profile(), schedule=(0.0, 5.0, 6.0)))
    world.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(timeout=True))
    await _pay(world)
    await world.drain()
    assert world.inquiries() == [0.0, 5.0, 6.0]


# --- auto-debit ------------------------------------------------------------------------------


async def test_sign_close_and_charge(world: World) -> None:
    answer = await world.call("/harness/auto-debit/sign", {"userId": "user0001"})
    sign_url = world.peer.journal.entries[-1].answer_trx["signUrl"]
    assert answer == {"responseCode": "00", "signUrl": sign_url}
    _valid_request(world.requests("SIGN_AUTO_DEBIT")[-1])
    contract_id = await world.sign_at(sign_url)
    await world.notice(
        "SIGN_AUTO_DEBIT_NOTICE",
        {"contractId": contract_id, "userId": "user0001", "signStatus": "00"},
    )
    data = await world.call(
        "/harness/auto-debit/charge",
        {"contractId": contract_id, "txnAmt": "2000", "currencyCode": "156"},
    )
    assert data["responseCode"] == "00"
    charge = world.requests("SUBMIT_AUTO_DEBIT")[-1]
    _valid_request(charge)
    assert charge.trx["contractId"] == contract_id
    assert charge.trx["backUrl"] == "http://is.test/notify"
    order = await world.order(data["orderId"])
    assert order["status"] == "SUCCEEDED" and order["queryId"]
    dup = await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(data["orderId"]))
    assert dup.code == "00"
    assert await world.call("/harness/auto-debit/close", {"contractId": contract_id}) == {
        "responseCode": "00"
    }
    close = world.requests("CLOSE_AUTO_DEBIT")[-1]
    _valid_request(close)
    assert close.trx == {"contractId": contract_id, "userId": "user0001"}
    assert (await world.contract(contract_id))["status"] == "CLOSED"
    world.peer.override("SUBMIT_AUTO_DEBIT", GatewayOverride(code="36"))
    data = await world.call(
        "/harness/auto-debit/charge",
        {"contractId": contract_id, "txnAmt": "2000", "currencyCode": "156"},
    )
    assert data["responseCode"] == "36"
    assert (await world.order(data["orderId"]))["status"] == "FAILED"


@pytest.mark.parametrize("code", ["01", "34", "99"])
async def test_close_refused_leaves_the_contract(world: World, code: str) -> None:
    contract_id = await world.active_contract()
    world.peer.override("CLOSE_AUTO_DEBIT", GatewayOverride(code=code))
    assert await world.call("/harness/auto-debit/close", {"contractId": contract_id}) == {
        "responseCode": code
    }
    assert (await world.contract(contract_id))["status"] == "ACTIVE"


async def test_sign_and_close_without_valid_answer_are_424(world: World) -> None:
    world.peer.override("SIGN_AUTO_DEBIT", GatewayOverride(timeout=True))
    answer = await world.post("/harness/auto-debit/sign", {"userId": "user0001"})
    assert answer.status_code == 424 and set(answer.json()) == {"error"}
    world.peer.override("SIGN_AUTO_DEBIT", GatewayOverride(code="36"))
    assert await world.call("/harness/auto-debit/sign", {"userId": "user0001"}) == {
        "responseCode": "36"
    }
    contract_id = await world.active_contract()
    world.peer.override("CLOSE_AUTO_DEBIT", GatewayOverride(corrupt="echo"))
    answer = await world.post("/harness/auto-debit/close", {"contractId": contract_id})
    assert answer.status_code == 424


@pytest.mark.parametrize("code", FAILING_CODES)
async def test_charge_refused_is_failed(world: World, code: str) -> None:
    contract_id = await world.active_contract()
    world.peer.override("SUBMIT_AUTO_DEBIT", GatewayOverride(code=code))
    data = (await _charge(world, "2000", contract_id)).json()
    assert data["responseCode"] == code
    assert (await world.order(data["orderId"]))["status"] == "FAILED"


# --- cancellations and refunds ---------------------------------------------------------------


async def test_partial_and_full_refunds(world: World) -> None:
    order_id = await world.paid_order("10000")
    original = await world.order(order_id)
    first = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3000"})
    assert first["responseCode"] == "00"
    sent = world.requests("PAYMENT_REFUND")[-1]
    _valid_request(sent)
    assert sent.trx == {
        "orderId": first["orderId"],
        "txnTime": "20260115103000",
        "origQryId": original["queryId"],
        "txnAmt": "3000",
        "backUrl": "http://is.test/notify",
    }
    assert (await world.order(first["orderId"]))["status"] == "SUCCEEDED"
    order = await world.order(order_id)
    assert order["status"] == "PARTIALLY_REFUNDED" and order["refundedAmt"] == "3000"
    dup = await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(first["orderId"]))
    assert dup.code == "00"
    assert (await world.order(order_id))["refundedAmt"] == "3000"
    declined = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3001"})
    assert declined["responseCode"] == "01"
    assert (await world.order(declined["orderId"]))["status"] == "FAILED"
    second = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "7000"})
    assert second["responseCode"] == "00"
    order = await world.order(order_id)
    assert order["status"] == "REFUNDED" and order["refundedAmt"] == "10000"
    refund = await world.order(second["orderId"])
    assert refund["refundedAmt"] == "0" and refund["txnAmt"] == "7000"


async def test_refund_05_then_inquiry_then_notice(world: World) -> None:
    order_id = await world.paid_order("10000")
    data = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "105"})
    assert data["responseCode"] == "05"
    world.peer.override("REFUND_RESULT_INQUIRY", _status("05"))
    world.peer.override("REFUND_RESULT_INQUIRY", _status("00"))
    await world.drain()
    assert [r.msg_type for r in world.received[-2:]] == ["REFUND_RESULT_INQUIRY"] * 2
    _valid_request(world.requests("REFUND_RESULT_INQUIRY")[-1])
    assert (await world.order(order_id))["refundedAmt"] == "105"
    assert (await world.order(order_id))["status"] == "PARTIALLY_REFUNDED"


async def test_cancellation_for_the_full_amount(world: World) -> None:
    order_id = await world.paid_order("12345")
    data = await world.call("/harness/cancellations", {"origOrderId": order_id})
    assert data["responseCode"] == "00"
    sent = world.requests("PAYMENT_CANCELLATION")[-1]
    _valid_request(sent)
    assert sent.trx["txnAmt"] == "12345" and "backUrl" not in sent.trx
    assert (await world.order(order_id))["status"] == "CANCELLED"
    assert (await world.order(data["orderId"]))["status"] == "SUCCEEDED"
    notice = world.payment_notice(data["orderId"])
    assert notice["txnType"] == "CANCELLATION"
    assert (await world.notice("PAYMENT_RESULT_NOTICE", notice)).code == "00"
    assert (await world.order(order_id))["status"] == "CANCELLED"


@pytest.mark.parametrize("code", FAILING_CODES)
async def test_cancellation_refused_is_failed_and_the_original_unchanged(
    world: World, code: str
) -> None:
    order_id = await world.paid_order()
    world.peer.override("PAYMENT_CANCELLATION", GatewayOverride(code=code))
    data = await world.call("/harness/cancellations", {"origOrderId": order_id})
    assert data["responseCode"] == code
    assert (await world.order(data["orderId"]))["status"] == "FAILED"
    assert (await world.order(order_id))["status"] == "SUCCEEDED"


async def test_cancellation_timeout_inquires_with_refund_result_inquiry(world: World) -> None:
    order_id = await world.paid_order()
    world.peer.override("PAYMENT_CANCELLATION", GatewayOverride(timeout=True))
    answer = await world.post("/harness/cancellations", {"origOrderId": order_id})
    assert answer.status_code == 424
    world.peer.override("REFUND_RESULT_INQUIRY", _status("00"))
    await world.drain()
    assert (await world.order(order_id))["status"] == "CANCELLED"


# --- harness errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/harness/payments", {"txnAmt": "0", "currencyCode": "156"}),
        ("/harness/payments", {"txnAmt": 100, "currencyCode": "156"}),
        ("/harness/payments", {"txnAmt": "1234567890123", "currencyCode": "156"}),
        ("/harness/payments", {"txnAmt": "100", "currencyCode": "15"}),
        ("/harness/payments", {"txnAmt": "100", "currencyCode": "156", "orderDesc": "é"}),
        ("/harness/payments", {"txnAmt": "100"}),
        ("/harness/payments", []),
        ("/harness/auto-debit/sign", {}),
        ("/harness/auto-debit/sign", {"userId": "x" * 65}),
        ("/harness/auto-debit/close", {"contractId": 5}),
        (
            "/harness/auto-debit/charge",
            {"contractId": "CT0001", "txnAmt": "1.00", "currencyCode": "156"},
        ),
        ("/harness/refunds", {"origOrderId": "P1", "txnAmt": "-1"}),
        ("/harness/cancellations", {}),
    ],
)
async def test_invalid_harness_input_is_400(world: World, path: str, body: Any) -> None:
    await world.active_contract()
    answer = await world.post(path, body)
    assert answer.status_code == 400
    assert isinstance(answer.json()["error"], str)


async def test_harness_bodies_must_be_json(world: World) -> None:
    answer = await world.client.post("/harness/payments", content=b'{"txnAmt": "1", "txnAmt": "2"}')
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/harness/orders/NOSUCH000", None),
        ("GET", "/harness/contracts/NOSUCH", None),
        ("POST", "/harness/auto-debit/close", {"contractId": "NOSUCH"}),
        (
            "POST",
            "/harness/auto-debit/charge",
            {"contractId": "NOSUCH", "txnAmt": "1", "currencyCode": "156"},
        ),
        ("POST", "/harness/cancellations", {"origOrderId": "NOSUCH000"}),
        ("POST", "/harness/refunds", {"origOrderId": "NOSUCH000", "txnAmt": "1"}),
    ],
)
async def test_unknown_ids_are_404(world: World, method: str, path: str, body: Any) -> None:
    answer = await world.client.request(method, path, json=body)
    assert answer.status_code == 404 and "error" in answer.json()
    assert world.received == []


async def test_reversal_of_an_order_without_query_id_is_409(world: World) -> None:
    data = (await _pay(world)).json()
    for path, body in (
        ("/harness/cancellations", {"origOrderId": data["orderId"]}),
        ("/harness/refunds", {"origOrderId": data["orderId"], "txnAmt": "1"}),
    ):
        answer = await world.post(path, body)
        assert answer.status_code == 409 and "error" in answer.json()
    assert world.requests("PAYMENT_CANCELLATION") == []


async def test_refunds_are_forwarded_without_second_guessing(world: World) -> None:
    order_id = await world.paid_order("1000")
    world.peer.override("PAYMENT_REFUND", GatewayOverride(code="36"))
    data = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "99999"})
    assert data["responseCode"] == "36"
    assert (await world.order(order_id))["status"] == "SUCCEEDED"


async def test_a_reversal_of_a_reversal_never_changes_the_reversal_s_status(world: World) -> None:
    order_id = await world.paid_order("10000")
    refund = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3000"})
    # a UCSP that does not refuse it (the reference says 36)
    world.peer.override("PAYMENT_REFUND", GatewayOverride(code="00", trx={"queryId": "QREV"}))
    data = await world.call("/harness/refunds", {"origOrderId": refund["orderId"], "txnAmt": "2"})
    assert data["responseCode"] == "00"
    assert (await world.order(refund["orderId"]))["status"] == "SUCCEEDED"
    assert (await world.order(refund["orderId"]))["refundedAmt"] == "0"


async def test_an_answer_naming_another_order_is_explained(world: World) -> None:
    world.peer.override("SUBMIT_PAYMENT_ORDER", INVALID_ANSWERS["wrong-order"])
    answer = await _pay(world)
    assert answer.status_code == 424
    assert "another orderId" in answer.json()["error"]
    await world.sim.background.cancel_all()


async def test_home_page(world: World) -> None:
    page = await world.client.get("/")
    assert page.status_code == 200 and "TRAVEL01" in page.text
