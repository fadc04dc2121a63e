"""A test world: the reference Industry Service wired in-process to the suite's UcspPeer.

The peer's reference UCSP keeps its own records of orders and contracts; it never acts on
its own here (its clock never lets a wait end, and the notices it would send are dropped):
the tests send each notice themselves, and script answers with peer overrides.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx
from cryptography import x509

from ucsp.clock import Clock, FakeClock
from ucsp.envelope import ENC_CERT_ID_FIELD, build_request
from ucsp.errors import UcspError
from ucsp.journal import JournalEntry
from ucsp.keys import Keyset
from ucsp.login_encoding import LoginBuilder, LoginUser, encode_request_data
from ucsp.peers.recording import peek_code
from ucsp.peers.ucsp_peer import GatewayOverride, UcspPeer
from ucsp.profile import Profile, default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry import CATALOGUE, IndustryConfig, IndustrySimulator
from ucsp.target import IndustryInfo, Target, UcspInfo
from ucsp.transport import JSON_CONTENT_TYPE, Exchange

IS_BASE = "http://is.test"
UCSP_BASE = "http://ucsp.test"
GATEWAY = f"{UCSP_BASE}/gateway"
NOTICE_TYPES = ("PAYMENT_RESULT_NOTICE", "SIGN_AUTO_DEBIT_NOTICE")
Mutation = Callable[[dict[str, Any]], dict[str, Any]]


class IdleClock:
    """Reads the world's clock; a wait on it never ends, so the reference UCSP behind the
    peer neither settles a 05 later nor retries a notice (and moves no shared time)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    def elapsed(self) -> float:
        return self.clock.elapsed()

    async def sleep(self, seconds: float) -> None:
        await asyncio.Event().wait()


@dataclass(frozen=True)
class Received:
    """A gateway request as the peer received it."""

    msg_type: str
    msg_info: dict[str, Any]
    trx: dict[str, Any]
    elapsed: float
    raw: bytes
    valid: bool  # well-formed and signed by the Industry Service


@dataclass(frozen=True)
class NoticeResult:
    """The IS's answer to a notice the peer sent, read whether or not it is valid."""

    exchange: Exchange

    @property
    def status(self) -> int | None:
        return self.exchange.status

    @property
    def raw(self) -> bytes:
        return self.exchange.response or b""

    @property
    def message(self) -> dict[str, Any]:
        try:
            value = json.loads(self.raw) if self.raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def code(self) -> str | None:
        return peek_code(self.exchange.response)


@dataclass
class World:
    sim: IndustrySimulator
    peer: UcspPeer
    clock: FakeClock
    client: httpx.AsyncClient  # the browser / suite side, talking to the IS app

    # --- the IS, driven through its harness -----------------------------------------------

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

    # --- what the peer received -----------------------------------------------------------

    def _received(self, item: JournalEntry) -> Received:
        codec = self.peer.codec
        try:
            decoded, valid = codec.decode(item.request, "request"), True
        except UcspError:
            decoded, valid = codec.parse(item.request, "request"), False
        return Received(
            decoded.msg_type, decoded.msg_info, decoded.trx_info, item.elapsed, item.request, valid
        )

    @property
    def received(self) -> list[Received]:
        """Every gateway request the peer received, in order."""
        return [
            self._received(item)
            for item in self.peer.journal.entries
            if item.direction == "in" and item.url.endswith("/gateway")
        ]

    def requests(self, msg_type: str) -> list[Received]:
        return [r for r in self.received if r.msg_type == msg_type]

    def inquiries(self) -> list[float]:
        """Protocol-time offsets (from the first) of the inquiries the peer received."""
        times = [
            r.elapsed
            for r in self.received
            if r.msg_type in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY")
        ]
        return [t - times[0] for t in times] if times else []

    # --- what the peer sends ----------------------------------------------------------------

    def build(
        self,
        msg_type: str,
        trx: dict[str, Any],
        *,
        industry_code: str | None = None,
        mutate: Mutation | None = None,
        extra_cert_fields: dict[str, str] | None = None,
    ) -> bytes:
        """A request signed by the peer, as UCSP would send it."""
        code = industry_code or self.peer.target.industry.code
        message = build_request(self.peer.codec.msg_info(msg_type, code), dict(trx))
        if mutate is not None:
            message = mutate(message)
        return self.peer.codec.sign(message, extra_cert_fields or {})

    async def post_notice(self, body: bytes, content_type: str = JSON_CONTENT_TYPE) -> NoticeResult:
        return NoticeResult(await self.peer.send_raw_notice(body, content_type))

    async def notice(self, msg_type: str, trx: dict[str, Any], **options: Any) -> NoticeResult:
        return await self.post_notice(self.build(msg_type, trx, **options))

    def login_query(
        self,
        *,
        user_id: str = "user0001",
        mobile: str = "13800138000",
        channel_code: str | None = None,
        enc_cert_id: str | None = None,
        mutate: Mutation | None = None,
        encrypt_to: x509.Certificate | None = None,
        wrong_key_mobile: bool = False,
        raw_body: bytes | None = None,
    ) -> str:
        """The query string ``request_data=...`` of an INDUSTRY_LOGIN_INFO redirect;
        ``wrong_key_mobile``: the mobile encrypted to another key, drawn so that the IS's
        decryption yields nothing acceptable (see ``LoginBuilder.wrong_key_mobile``)."""
        target = self.peer.target
        if raw_body is None:
            user = LoginUser(user_id, mobile, channel_code or target.industry.channel_code)
            login = LoginBuilder(self.peer.codec, target, user)
            encrypted = (
                login.wrong_key_mobile() if wrong_key_mobile else login.encrypt(mobile, encrypt_to)
            )
            message = login.message(mobile=encrypted)
            if mutate is not None:
                message = mutate(message)
            cert_fields = {ENC_CERT_ID_FIELD: enc_cert_id} if enc_cert_id else {}
            raw_body = login.sign(message, **cert_fields)
        return "request_data=" + encode_request_data(raw_body, target.profile.request_data_encoding)

    # --- states both sides agree on -----------------------------------------------------------

    def query_id(self, order_id: str) -> str:
        """The queryId the peer's reference UCSP gave the order."""
        with self.peer.sim.store.tx() as tx:
            txn = tx.txn(self.peer.target.industry.code, order_id)
        assert txn is not None, f"the peer knows no order {order_id}"
        return txn.query_id

    def payment_notice(self, order_id: str, status: str = "00", **over: str) -> dict[str, str]:
        """The trxInfo of a correct PAYMENT_RESULT_NOTICE for one of the IS's orders."""
        order = self.sim.store.order(order_id)
        assert order is not None
        trx = {
            "orderId": order.order_id,
            "txnType": order.kind.value,
            "queryId": order.query_id or self.query_id(order.order_id),
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

    async def _page(self, url: str, result: str) -> None:
        """The user's choice on a page of the peer (cashier or signing page)."""
        path = url.removeprefix(UCSP_BASE)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.peer)) as browser:
            answer = await browser.post(UCSP_BASE + path, data={"result": result})
        assert answer.status_code in (200, 302), answer.text  # 302: on to the frontUrl

    async def paid_order(self, amount: str = "10000") -> str:
        """A payment order that has succeeded (00 answer, paid at the cashier, the notice)."""
        answer = await self.call("/harness/payments", {"txnAmt": amount, "currencyCode": "156"})
        order_id = str(answer["orderId"])
        order = self.sim.store.order(order_id)
        assert order is not None and order.payment_url
        await self._page(order.payment_url, "00")
        result = await self.notice("PAYMENT_RESULT_NOTICE", self.payment_notice(order_id))
        assert result.code == "00"
        return order_id

    async def sign_at(self, sign_url: str) -> str:
        """The user signs on the peer's signing page; the contractId the peer gave."""
        await self._page(sign_url, "00")
        with self.peer.sim.store.tx() as tx:
            contract = tx.contract_by_token(sign_url.rsplit("/", 1)[-1])
        assert contract is not None
        return contract.contract_id

    async def active_contract(self, user_id: str = "user0001") -> str:
        """A contract the user signed (00 answer, signed on the page, the notice); its ID."""
        answer = await self.call("/harness/auto-debit/sign", {"userId": user_id})
        contract_id = await self.sign_at(str(answer["signUrl"]))
        result = await self.notice(
            "SIGN_AUTO_DEBIT_NOTICE",
            {"contractId": contract_id, "userId": user_id, "signStatus": "00"},
        )
        assert result.code == "00"
        return contract_id

    def hold_answer(self, msg_type: str, nth: int = 1) -> None:
        """Hold back the peer's answer to the ``nth`` next ``msg_type`` request until
        ``peer.release_delayed`` (the peer's clock never ends the delay)."""
        for _ in range(nth - 1):
            self.peer.override(msg_type, GatewayOverride())
        self.peer.override(msg_type, GatewayOverride(delay=3600.0))

    async def aclose(self) -> None:
        await self.sim.background.cancel_all()
        await self.peer.sim.background.cancel_all()
        await self.client.aclose()
        await self.peer.aclose()
        await self.sim.outbound.client.aclose()


WorldFactory = Callable[..., World]


def target_for(keys: Keyset, profile: Profile) -> Target:
    """The Industry Service at IS_BASE, as the peer sees it."""
    industry = IndustryInfo(
        index_url=f"{IS_BASE}/index", notice_url=f"{IS_BASE}/notify", harness_url=IS_BASE
    )
    ucsp = UcspInfo(user_id="user0001", mobile="13800138000")
    return Target(sut="industry", keys=keys, industry=industry, ucsp=ucsp, profile=profile)


def new_world(
    keyset: Keyset,
    *faults: str,
    db: Database | None = None,
    ucsp_db: Database | None = None,
    profile: Profile | None = None,
    clock: FakeClock | None = None,
    config: IndustryConfig | None = None,
) -> World:
    """The reference Industry Service (with these faults) and a UcspPeer, in one process."""
    clock = clock or FakeClock()
    profile = profile or default_profile()
    sims: list[IndustrySimulator] = []

    async def industry_app(scope: Any, receive: Any, send: Any) -> None:
        await sims[0].app(scope, receive, send)

    peer = UcspPeer(
        target_for(keyset, profile),
        UCSP_BASE,
        IdleClock(clock),
        transport=httpx.ASGITransport(app=industry_app),
        db=ucsp_db,
    )
    for notice in NOTICE_TYPES:
        peer.gate_notices(notice, "drop", count=1_000_000)
    config = config or replace(IndustryConfig(), base_url=IS_BASE, ucsp_url=GATEWAY)
    sim = IndustrySimulator(
        keys=keyset,
        config=config,
        db=db or Database(),
        clock=clock,
        profile=profile,
        faults=FaultSet(CATALOGUE, faults),
        http=httpx.AsyncClient(transport=httpx.ASGITransport(app=peer)),
    )
    sims.append(sim)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=IS_BASE)
    return World(sim, peer, clock, client)
