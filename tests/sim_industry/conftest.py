"""A test world: the reference Industry Service wired in-process to a fake UCSP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from sim_industry.fake_ucsp import GATEWAY, FakeUcsp
from ucsp.clock import FakeClock
from ucsp.keys import Keyset
from ucsp.profile import Profile, default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry import CATALOGUE, IndustryConfig, IndustrySimulator

IS_BASE = "http://is.test"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class World:
    sim: IndustrySimulator
    fake: FakeUcsp
    clock: FakeClock
    client: httpx.AsyncClient  # the browser / suite side, talking to the IS app

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def call(self, path: str, body: Any, status: int = 200) -> dict[str, Any]:
        answer = await self.post(path, body)
        assert answer.status_code == status, answer.text
        data: dict[str, Any] = answer.json()
        return data

    async def order(self, order_id: str) -> dict[str, Any]:
        answer = await self.client.get(f"/harness/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        return data

    async def contract(self, contract_id: str) -> dict[str, Any]:
        answer = await self.client.get(f"/harness/contracts/{contract_id}")
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()
        return data

    async def drain(self) -> None:
        await self.sim.background.drain()
        assert not self.sim.background.errors

    def inquiries(self) -> list[float]:
        """Protocol-time offsets (from the first) of the inquiries the fake received."""
        times = [
            r.elapsed
            for r in self.fake.received
            if r.msg_type in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY")
        ]
        return [t - times[0] for t in times] if times else []

    def payment_notice(self, order_id: str, status: str = "00", **over: str) -> dict[str, str]:
        """The trxInfo of a correct PAYMENT_RESULT_NOTICE for one of the IS's orders."""
        order = self.sim.store.order(order_id)
        assert order is not None
        trx = {
            "orderId": order.order_id,
            "txnType": order.kind.value,
            "queryId": order.query_id or self.fake._query_id(order.order_id),
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency_code,
            "txnTime": order.txn_time,
            "txnStatus": status,
        }
        if order.orig_order_id:
            original = self.sim.store.order(order.orig_order_id)
            assert original is not None and original.query_id
            trx["origQryId"] = original.query_id
        if order.contract_id:
            trx["contractId"] = order.contract_id
        trx.update(over)
        return trx

    async def paid_order(self, amount: str = "10000") -> str:
        """A payment order that has succeeded (00 answer, then the notice)."""
        answer = await self.call("/harness/payments", {"txnAmt": amount, "currencyCode": "156"})
        order_id = str(answer["orderId"])
        result = await self.fake.notice("PAYMENT_RESULT_NOTICE", self.payment_notice(order_id))
        assert result.code == "00"
        return order_id

    async def active_contract(self, user_id: str = "user0001", contract_id: str = "CT0001") -> str:
        await self.call("/harness/auto-debit/sign", {"userId": user_id})
        result = await self.fake.notice(
            "SIGN_AUTO_DEBIT_NOTICE",
            {"contractId": contract_id, "userId": user_id, "signStatus": "00"},
        )
        assert result.code == "00"
        return contract_id

    async def aclose(self) -> None:
        await self.sim.background.cancel_all()
        await self.client.aclose()
        if self.fake.is_client is not None:
            await self.fake.is_client.aclose()
        await self.sim.outbound.client.aclose()


WorldFactory = Callable[..., World]


@pytest.fixture
async def make_world(keyset: Keyset) -> AsyncIterator[WorldFactory]:
    worlds: list[World] = []

    def make(
        *faults: str,
        db: Database | None = None,
        profile: Profile | None = None,
        clock: FakeClock | None = None,
        config: IndustryConfig | None = None,
    ) -> World:
        clock = clock or FakeClock()
        profile = profile or default_profile()
        fake = FakeUcsp(keyset, clock, profile)
        http = httpx.AsyncClient(transport=fake.transport())
        config = config or replace(IndustryConfig(), base_url=IS_BASE, ucsp_url=GATEWAY)
        sim = IndustrySimulator(
            keys=keyset,
            config=config,
            db=db or Database(),
            clock=clock,
            profile=profile,
            faults=FaultSet(CATALOGUE, faults),
            http=http,
        )
        transport = httpx.ASGITransport(app=sim.app)
        fake.is_client = httpx.AsyncClient(transport=transport, base_url=IS_BASE)
        client = httpx.AsyncClient(transport=transport, base_url=IS_BASE)
        world = World(sim, fake, clock, client)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        await world.aclose()


@pytest.fixture
async def world(make_world: WorldFactory) -> World:
    return make_world()
