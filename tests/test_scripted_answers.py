"""The suite's UCSP peer: scripted answers, and the reference UCSP behind them agreeing.

Whatever the reference UCSP behind the peer makes of an inquiry (34 to another txnTime, for
instance), an answer scripted as "txnStatus NN" reaches the Industry Service under test as a
00 answer whose trxInfo meets the response schema (C fields are mandatory with 00, PROTOCOL.md
section 8); about an order the suite does not know, the reference's answer stands.

The answer to the next cancellation, refund or charge (``UcspPeer.answer_next``): a refusal
leaves the reference UCSP out (nothing recorded, no notice); a 05 or an answer the IS cannot
take leaves the result to the inquiries (the reference takes the request, its result notice
is held back).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ucsp.deployment import Deployment, embedded
from ucsp.drivers.harness import HarnessAnswer
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import GatewayOverride, UcspPeer
from ucsp.schemas import validate
from ucsp.target import UcspInfo
from ucsp.transport import JSON_CONTENT_TYPE

INQUIRY = "PAYMENT_RESULT_INQUIRY"


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    current = embedded("industry")
    yield current
    current.close()


def _inquire(deployment: Deployment, order_id: str, txn_time: str) -> dict[str, object]:
    """An inquiry signed as the Industry Service, sent to the suite's UCSP gateway."""
    target = replace(
        deployment.target,
        ucsp=UcspInfo(gateway_url=f"{deployment.target.suite_url}/gateway", authorize_url=""),
    )

    async def send() -> dict[str, object]:
        industry = IndustryPeer(target, deployment.clock)
        try:
            exchange = await industry.request(INQUIRY, {"orderId": order_id, "txnTime": txn_time})
        finally:
            await industry.client.aclose()
        assert exchange.response is not None
        answer: dict[str, object] = json.loads(exchange.response)
        return answer

    return deployment.call(send())


def test_a_scripted_status_is_a_complete_approved_answer_whatever_the_reference_says(
    deployment: Deployment,
) -> None:
    harness, peer = deployment.harness, deployment.ucsp_peer
    assert harness is not None and peer is not None
    order = deployment.call(
        harness.call("POST", "/harness/payments", {"txnAmt": "10000", "currencyCode": "156"})
    )
    order_id = str(order.data["orderId"])
    peer.override(INQUIRY, GatewayOverride(trx={"txnStatus": "05"}))
    answer = _inquire(deployment, order_id, "20000101000000")  # not the order's txnTime: 34
    assert answer["msgResponse"]["responseCode"] == "00"  # type: ignore[index]
    assert answer["trxInfo"]["txnStatus"] == "05"  # type: ignore[index]
    assert answer["trxInfo"]["orderId"] == order_id  # type: ignore[index]
    assert validate(answer, INQUIRY, "response") == []


def test_a_scripted_status_about_an_unknown_order_leaves_the_refusal(
    deployment: Deployment,
) -> None:
    peer = deployment.ucsp_peer
    assert peer is not None
    peer.override(INQUIRY, GatewayOverride(trx={"txnStatus": "05"}))
    answer = _inquire(deployment, "UNKNOWN0000000000001", "20000101000000")
    assert answer["msgResponse"]["responseCode"] == "34"  # type: ignore[index]


REFUND = "PAYMENT_REFUND"


@pytest.fixture
def peer(deployment: Deployment) -> Iterator[UcspPeer]:
    """The deployment's UCSP peer, its scripts and held notices cleared afterwards."""
    current = deployment.ucsp_peer
    assert current is not None
    yield current
    current.reset()


def _paid_order(deployment: Deployment) -> str:
    """The orderId of a payment the IS created and the user paid (its notice acknowledged)."""
    harness, http = deployment.harness, deployment.http
    assert harness is not None and http is not None
    order = deployment.call(
        harness.call("POST", "/harness/payments", {"txnAmt": "10000", "currencyCode": "156"})
    )
    paid = deployment.call(http.post(str(order.data["paymentUrl"]), data={"result": "00"}))
    assert paid.status_code == 200 and paid.json()["noticeAcknowledged"] is True
    return str(order.data["orderId"])


def _refund(deployment: Deployment, order_id: str) -> HarnessAnswer:
    harness = deployment.harness
    assert harness is not None
    body = {"origOrderId": order_id, "txnAmt": "3000"}
    return deployment.call(harness.call("POST", "/harness/refunds", body, expect_ok=False))


def _known_to_reference(deployment: Deployment, peer: UcspPeer, order_id: str) -> bool:
    with peer.sim.store.tx() as tx:
        return tx.txn(deployment.target.industry.code, order_id) is not None


def _held_notices(deployment: Deployment, peer: UcspPeer, order_id: str) -> list[str]:
    """The held result notices of ``order_id``, once one was held (10 s at most)."""
    return deployment.call(
        peer.wait_held_notices(lambda m: m["trxInfo"].get("orderId") == order_id, 10.0)
    )


def test_a_scripted_refusal_leaves_the_reference_ucsp_out(
    deployment: Deployment, peer: UcspPeer
) -> None:
    original = _paid_order(deployment)
    peer.answer_next(REFUND, GatewayOverride(code="99"))
    answer = _refund(deployment, original)
    assert (answer.status, answer.data["responseCode"]) == (200, "99")
    assert not _known_to_reference(deployment, peer, str(answer.data["orderId"]))


def test_a_scripted_05_is_taken_by_the_reference_ucsp_its_notice_held(
    deployment: Deployment, peer: UcspPeer
) -> None:
    original = _paid_order(deployment)
    peer.answer_next(REFUND, GatewayOverride(code="05"))
    answer = _refund(deployment, original)
    refund_id = str(answer.data["orderId"])
    assert (answer.status, answer.data["responseCode"]) == (200, "05")
    assert _known_to_reference(deployment, peer, refund_id)
    assert len(_held_notices(deployment, peer, refund_id)) == 1


def test_a_scripted_bad_signature_is_no_answer_for_the_harness_and_holds_the_notice(
    deployment: Deployment, peer: UcspPeer
) -> None:
    original = _paid_order(deployment)
    peer.answer_next(REFUND, GatewayOverride(corrupt="signature", code="00"))
    answer = _refund(deployment, original)
    refund_id = str(answer.data["orderId"])
    assert answer.status == 424 and refund_id
    assert _known_to_reference(deployment, peer, refund_id)
    assert len(_held_notices(deployment, peer, refund_id)) == 1


def test_a_scripted_05_holds_only_the_notice_of_its_own_order(
    deployment: Deployment, peer: UcspPeer
) -> None:
    original = _paid_order(deployment)
    peer.answer_next(REFUND, GatewayOverride(code="05"))
    earlier = peer.codec.sign(
        peer.client.build(
            "PAYMENT_RESULT_NOTICE",
            deployment.target.industry.code,
            {"orderId": original, "txnStatus": "00"},
        )
    )

    async def another_orders_notice() -> int:
        headers = {"Content-Type": JSON_CONTENT_TYPE}
        post = peer.sim.http.post(
            deployment.target.industry.notice_url, content=earlier, headers=headers
        )
        return (await asyncio.wait_for(post, 5.0)).status_code

    assert deployment.call(another_orders_notice()) == 200  # went out, not held
    answer = _refund(deployment, original)
    refund_id = str(answer.data["orderId"])
    assert (answer.status, answer.data["responseCode"]) == (200, "05")
    assert len(_held_notices(deployment, peer, refund_id)) == 1
