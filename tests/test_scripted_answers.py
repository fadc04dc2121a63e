"""The suite's UCSP peer: a scripted inquiry status is a complete approved answer.

Whatever the reference UCSP behind the peer makes of an inquiry (34 to another txnTime, for
instance), an answer scripted as "txnStatus NN" reaches the Industry Service under test as a
00 answer whose trxInfo meets the response schema (C fields are mandatory with 00, PROTOCOL.md
section 8); about an order the suite does not know, the reference's answer stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ucsp.deployment import Deployment, embedded
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.schemas import validate
from ucsp.target import UcspInfo

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
