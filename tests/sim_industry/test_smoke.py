from __future__ import annotations

import pytest

from sim_industry.conftest import World

pytestmark = pytest.mark.anyio


async def test_payment_then_notice(world: World) -> None:
    answer = await world.call("/harness/payments", {"txnAmt": "10000", "currencyCode": "156"})
    assert answer["responseCode"] == "00"
    order = await world.order(answer["orderId"])
    assert order["status"] == "PENDING"
    result = await world.fake.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(answer["orderId"]))
    assert result.status == 200 and result.code == "00", result.raw
    order = await world.order(answer["orderId"])
    assert order["status"] == "SUCCEEDED"
