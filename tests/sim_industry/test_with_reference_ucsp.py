"""The reference IS against the reference UCSP, both in-process over ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ucsp.clock import FakeClock
from ucsp.keys import Keyset
from ucsp.profile import default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry import CATALOGUE, IndustryConfig, IndustrySimulator
from ucsp.sim.ucsp import CATALOGUE as UCSP_CATALOGUE
from ucsp.sim.ucsp import UcspSimulator, default_registry

pytestmark = pytest.mark.anyio

KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "test-only"
UCSP = "http://ucsp.test"
IS = "http://is.test"


class Forward:
    """An ASGI app that forwards to another one set later (the two apps call each other)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class DropAnswers(httpx.AsyncBaseTransport):
    """Delivers requests to UCSP but loses the next ``drop`` answers (a time-out)."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.drop = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.drop:
            self.drop -= 1
            await response.aread()
            raise httpx.ReadTimeout("answer lost (test)", request=request)
        return response


@dataclass
class Pair:
    sim: IndustrySimulator
    ucsp: UcspSimulator
    link: DropAnswers
    browser_is: httpx.AsyncClient
    browser_ucsp: httpx.AsyncClient

    async def harness(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        answer = await self.browser_is.post(path, json=body)
        assert answer.status_code == status, answer.text
        return answer.json()

    async def order(self, order_id: str) -> dict[str, Any]:
        data: dict[str, Any] = (await self.browser_is.get(f"/harness/orders/{order_id}")).json()
        return data

    async def drain(self) -> None:
        for _ in range(5):
            await self.sim.background.drain()
            await self.ucsp.background.drain()
        assert not self.sim.background.errors and not self.ucsp.errors

    async def pay(self, amount: str = "10000", result: str = "00") -> str:
        data = await self.harness("/harness/payments", {"txnAmt": amount, "currencyCode": "156"})
        assert data["responseCode"] == "00"
        hook = await self.browser_ucsp.post(data["paymentUrl"], data={"result": result})
        assert hook.status_code == 200, hook.text
        assert hook.json()["noticeAcknowledged"] is True
        return str(data["orderId"])

    async def sign(self, user_id: str = "user0001", result: str = "00") -> str:
        data = await self.harness("/harness/auto-debit/sign", {"userId": user_id})
        assert data["responseCode"] == "00"
        hook = await self.browser_ucsp.post(data["signUrl"], data={"result": result})
        assert hook.status_code == 302
        front = urlsplit(hook.headers["location"])
        page = await self.browser_is.get(f"{front.path}?{front.query}")
        assert page.status_code == 200
        contract_id = dict(p.split("=") for p in front.query.split("&"))["contractId"]
        return contract_id


@pytest.fixture
async def pair(keyset: Keyset) -> AsyncIterator[Pair]:
    clock = FakeClock()
    profile = default_profile()
    to_is, to_ucsp = Forward(), Forward()
    registry = default_registry(KEYS)
    registry = replace(
        registry,
        industries={
            code: replace(ind, notice_url=f"{IS}/notify", index_url=f"{IS}/index")
            for code, ind in registry.industries.items()
        },
    )
    ucsp_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=to_is))
    ucsp = UcspSimulator(
        keys=keyset,
        registry=registry,
        db=Database(),
        clock=clock,
        profile=profile,
        faults=FaultSet(UCSP_CATALOGUE),
        http=ucsp_http,
        base_url=UCSP,
    )
    link = DropAnswers(to_ucsp)
    sim = IndustrySimulator(
        keys=keyset,
        config=replace(IndustryConfig(), base_url=IS, ucsp_url=f"{UCSP}/gateway"),
        db=Database(),
        clock=clock,
        profile=profile,
        faults=FaultSet(CATALOGUE),
        http=httpx.AsyncClient(transport=link),
    )
    to_is.app, to_ucsp.app = sim.app, ucsp.app
    browser_is = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=IS)
    browser_ucsp = httpx.AsyncClient(transport=httpx.ASGITransport(app=ucsp.app), base_url=UCSP)
    yield Pair(sim, ucsp, link, browser_is, browser_ucsp)
    await sim.background.cancel_all()
    await ucsp.background.cancel_all()
    for client in (browser_is, browser_ucsp, ucsp_http, sim.outbound.client):
        await client.aclose()


async def test_login_through_the_authorization_url(pair: Pair) -> None:
    query = "industryCode=TRAVEL01&channelCode=CHANNEL1&userId=user0001&mobile=13800138000"
    redirect = await pair.browser_ucsp.get(f"/authorize?{query}")
    assert redirect.status_code == 302
    target = urlsplit(redirect.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{IS}/index"
    page = await pair.browser_is.get(f"/index?{target.query}")
    assert page.status_code == 200 and "*******8000" in page.text
    session = await pair.browser_is.get("/harness/users/user0001/session")
    assert session.json() == {"userId": "user0001", "loggedIn": True}
    again = await pair.browser_is.get(f"/index?{target.query}")
    assert again.status_code == 409


async def test_payment_paid_refunded_and_cancelled(pair: Pair) -> None:
    order_id = await pair.pay("10000")
    order = await pair.order(order_id)
    assert order["status"] == "SUCCEEDED" and order["queryId"]
    refund = await pair.harness("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3000"})
    assert refund["responseCode"] == "00"
    assert (await pair.order(order_id))["status"] == "PARTIALLY_REFUNDED"
    late = await pair.harness("/harness/refunds", {"origOrderId": order_id, "txnAmt": "6905"})
    assert late["responseCode"] == "05"
    assert (await pair.order(late["orderId"]))["status"] == "PENDING"
    await pair.drain()
    assert (await pair.order(late["orderId"]))["status"] == "SUCCEEDED"
    order = await pair.order(order_id)
    assert order["status"] == "PARTIALLY_REFUNDED" and order["refundedAmt"] == "9905"
    over = await pair.harness("/harness/refunds", {"origOrderId": order_id, "txnAmt": "96"})
    assert over["responseCode"] == "36"  # forwarded: UCSP refuses more than the rest
    rest = await pair.harness("/harness/refunds", {"origOrderId": order_id, "txnAmt": "95"})
    assert rest["responseCode"] == "00"
    order = await pair.order(order_id)
    assert order["status"] == "REFUNDED" and order["refundedAmt"] == "10000"
    cancel = await pair.harness("/harness/cancellations", {"origOrderId": order_id})
    assert cancel["responseCode"] == "36"  # UCSP refuses: already refunded
    assert (await pair.order(cancel["orderId"]))["status"] == "FAILED"

    other = await pair.pay("4321")
    cancel = await pair.harness("/harness/cancellations", {"origOrderId": other})
    assert cancel["responseCode"] == "00"
    assert (await pair.order(other))["status"] == "CANCELLED"
    await pair.drain()
    assert (await pair.order(other))["status"] == "CANCELLED"


async def test_failed_payment(pair: Pair) -> None:
    order_id = await pair.pay("10000", result="01")
    assert (await pair.order(order_id))["status"] == "FAILED"


async def test_refund_declined_by_magic_amount(pair: Pair) -> None:
    order_id = await pair.pay("10000")
    refund = await pair.harness("/harness/refunds", {"origOrderId": order_id, "txnAmt": "101"})
    assert refund["responseCode"] == "01"
    assert (await pair.order(refund["orderId"]))["status"] == "FAILED"
    assert (await pair.order(order_id))["status"] == "SUCCEEDED"


async def test_auto_debit_sign_charge_and_close(pair: Pair) -> None:
    contract_id = await pair.sign()
    contract = (await pair.browser_is.get(f"/harness/contracts/{contract_id}")).json()
    assert contract == {"contractId": contract_id, "userId": "user0001", "status": "ACTIVE"}
    body = {"contractId": contract_id, "currencyCode": "156"}
    now = await pair.harness("/harness/auto-debit/charge", {**body, "txnAmt": "2000"})
    assert now["responseCode"] == "00"
    assert (await pair.order(now["orderId"]))["status"] == "SUCCEEDED"
    later = await pair.harness("/harness/auto-debit/charge", {**body, "txnAmt": "2005"})
    assert later["responseCode"] == "05"
    declined = await pair.harness("/harness/auto-debit/charge", {**body, "txnAmt": "2001"})
    assert declined["responseCode"] == "01"
    assert (await pair.order(declined["orderId"]))["status"] == "FAILED"
    await pair.drain()
    assert (await pair.order(later["orderId"]))["status"] == "SUCCEEDED"
    assert await pair.harness("/harness/auto-debit/close", {"contractId": contract_id}) == {
        "responseCode": "00"
    }
    closed = (await pair.browser_is.get(f"/harness/contracts/{contract_id}")).json()
    assert closed["status"] == "CLOSED"
    refused = await pair.harness("/harness/auto-debit/charge", {**body, "txnAmt": "2000"})
    assert refused["responseCode"] == "36"
    assert (await pair.order(refused["orderId"]))["status"] == "FAILED"


async def test_declined_signature(pair: Pair) -> None:
    contract_id = await pair.sign(result="01")
    contract = (await pair.browser_is.get(f"/harness/contracts/{contract_id}")).json()
    assert contract["status"] == "DECLINED"


async def test_lost_answer_is_resolved_by_inquiry_and_notice(pair: Pair) -> None:
    pair.link.drop = 1
    answer = await pair.browser_is.post(
        "/harness/payments", json={"txnAmt": "500", "currencyCode": "156"}
    )
    assert answer.status_code == 424
    order_id = answer.json()["orderId"]
    await pair.drain()  # seven inquiries, each answered txnStatus 05: still PENDING
    inquiries = pair.sim.journal.select("PAYMENT_RESULT_INQUIRY", "out")
    assert len(inquiries) == 7 and {e.code for e in inquiries} == {"00"}
    assert (await pair.order(order_id))["status"] == "PENDING"


async def test_lost_charge_answer_then_inquiry_finds_the_result(pair: Pair) -> None:
    contract_id = await pair.sign()
    pair.link.drop = 1
    body = {"contractId": contract_id, "txnAmt": "3000", "currencyCode": "156"}
    answer = await pair.browser_is.post("/harness/auto-debit/charge", json=body)
    assert answer.status_code == 424
    order_id = answer.json()["orderId"]
    await pair.drain()
    assert (await pair.order(order_id))["status"] == "SUCCEEDED"
    assert len(pair.sim.journal.select("PAYMENT_RESULT_INQUIRY", "out")) <= 1


async def test_lost_request_ends_in_34_failed(pair: Pair) -> None:
    contract_id = await pair.sign()
    body = {"contractId": contract_id, "txnAmt": "3000", "currencyCode": "156"}

    class Unreachable(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner, self.first = inner, True

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.first:
                self.first = False
                raise httpx.ConnectError("refused (test)", request=request)
            return await self.inner.handle_async_request(request)

    pair.sim.outbound.client._http = httpx.AsyncClient(transport=Unreachable(pair.link))
    answer = await pair.browser_is.post("/harness/auto-debit/charge", json=body)
    assert answer.status_code == 424
    await pair.drain()
    assert (await pair.order(answer.json()["orderId"]))["status"] == "FAILED"
    inquiries = pair.sim.journal.select("PAYMENT_RESULT_INQUIRY", "out")
    assert [e.code for e in inquiries] == ["34"]
    await pair.sim.outbound.client.aclose()
