"""A rig for testing the reference UCSP over HTTP, acting as the Industry Service.

Everything runs in one event loop under ``asyncio.run``: the simulator app and a fake IS
notice endpoint are reached through ``httpx.ASGITransport``; time is a FakeClock, so notice
retries and delayed successes complete at once when the background is drained.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp import sandbox, schemas
from ucsp.clock import Clock, FakeClock
from ucsp.codec import Codec, Decoded
from ucsp.envelope import build_request, build_response, format_time
from ucsp.errors import UcspError
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import Profile, default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp import CATALOGUE, UcspSimulator
from ucsp.sim.ucsp.registry import Registry, default_registry
from ucsp.transport import JSON_CONTENT_TYPE, protocol_response

UCSP_URL = "http://ucsp.test"
IS_URL = "http://is.test"
NOTICE_URL = f"{IS_URL}/notify"
INDEX_URL = f"{IS_URL}/index"
_orders = itertools.count(1)


@cache
def load_keys(keys_dir: Path) -> Keyset:
    """Loading RSA private keys is slow (key checks): once per session."""
    return Keyset.load(keys_dir)


def new_order_id() -> str:
    return f"ORD{next(_orders):010d}"


def registry_for(keys_dir: Path) -> Registry:
    """The default registry, with the industry's URLs on the fake IS."""
    registry = default_registry(keys_dir)
    industries = {
        code: replace(ind, notice_url=NOTICE_URL, index_url=INDEX_URL)
        for code, ind in registry.industries.items()
    }
    return replace(registry, industries=industries)


# --- the fake Industry Service (notice receiver) --------------------------------------------


@dataclass
class Policy:
    """How the fake IS answers one notice."""

    code: str = "00"
    http_status: int = 200
    bad_signature: bool = False
    no_echo: bool = False


class FakeIndustry:
    def __init__(self, keys: Keyset, clock: Clock, profile: Profile) -> None:
        self.codec = Codec(
            Party.INDUSTRY,
            keys.industry_sign.identity("industry"),
            keys.certs_of(Party.UCSP),
            profile,
            clock,
        )
        self.clock = clock
        self.received: list[Decoded] = []
        self.failures: list[str] = []  # notices the IS could not decode (a test failure)
        self.paths: list[str] = []
        self.policies: list[Policy] = []  # consumed in order; then the default
        self.default = Policy()
        self.app = Starlette(
            routes=[
                Route("/notify", self._notice, methods=["POST"]),
                Route("/other-notify", self._notice, methods=["POST"]),
            ]
        )

    async def _notice(self, request: Request) -> Response:
        raw = await request.body()
        try:
            decoded = self.codec.decode(raw, "request")
        except UcspError as exc:
            self.failures.append(exc.reason)
            return Response(b"bad notice", status_code=400)
        self.received.append(decoded)
        self.paths.append(request.url.path)
        policy = self.policies.pop(0) if self.policies else self.default
        if policy.http_status != 200:
            return Response(b"no", status_code=policy.http_status)
        msg_info = dict(decoded.msg_info)
        if policy.no_echo:
            msg_info["msgID"] = msg_info["msgID"][:-6] + "999999"
        body = self.codec.sign(build_response(msg_info, {}, policy.code))
        if policy.bad_signature:
            body = body.replace(b'"signature":"', b'"signature":"AAAA', 1)
        return protocol_response(body)

    def notices(self, msg_type: str = "PAYMENT_RESULT_NOTICE") -> list[dict[str, Any]]:
        return [d.trx_info for d in self.received if d.msg_type == msg_type]


# --- answers -----------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    raw: bytes
    message: dict[str, Any] = field(default_factory=dict)
    signature_ok: bool = False

    @property
    def code(self) -> str | None:
        response = self.message.get("msgResponse", {})
        return response.get("responseCode") if isinstance(response, dict) else None

    @property
    def trx(self) -> dict[str, Any]:
        value = self.message.get("trxInfo", {})
        return value if isinstance(value, dict) else {}

    @property
    def msg_info(self) -> dict[str, Any]:
        value = self.message.get("msgInfo", {})
        return value if isinstance(value, dict) else {}


# --- the rig -------------------------------------------------------------------------------


class Rig:
    def __init__(
        self,
        keys_dir: Path,
        *,
        faults: Iterable[str] = (),
        db_path: Path | None = None,
        profile: Profile | None = None,
        registry: Registry | None = None,
        clock: FakeClock | None = None,
    ) -> None:
        self.keys_dir = keys_dir
        self.keys = load_keys(keys_dir)
        self.profile = profile or default_profile()
        self.clock = clock or FakeClock()
        self.industry = FakeIndustry(self.keys, self.clock, self.profile)
        self.notice_http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.industry.app), base_url=IS_URL
        )
        self.db = Database(db_path)
        self.sim = UcspSimulator(
            keys=self.keys,
            registry=registry or registry_for(keys_dir),
            db=self.db,
            clock=self.clock,
            profile=self.profile,
            faults=FaultSet(CATALOGUE, faults),
            http=self.notice_http,
            base_url=UCSP_URL,
        )
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.sim.app), base_url=UCSP_URL
        )
        self.codec = Codec(
            Party.INDUSTRY,
            self.keys.industry_sign.identity("industry"),
            self.keys.certs_of(Party.UCSP),
            self.profile,
            self.clock,
        )

    async def close(self) -> None:
        await self.sim.stop()
        await self.client.aclose()
        await self.notice_http.aclose()
        self.db.close()

    # --- building requests ----------------------------------------------------------------

    def now(self) -> str:
        return format_time(self.clock.now(), self.profile)

    def order(self, amount: str = "10000", **extra: str) -> dict[str, Any]:
        return {
            "orderId": new_order_id(),
            "merId": sandbox.MER_ID,
            "acqIIN": sandbox.ACQ_IIN,
            "txnAmt": amount,
            "currencyCode": sandbox.CURRENCY_CODE,
            "txnTime": self.now(),
            **extra,
        }

    def message(
        self, msg_type: str, trx: dict[str, Any], industry_code: str = sandbox.INDUSTRY_CODE
    ) -> dict[str, Any]:
        return build_request(self.codec.msg_info(msg_type, industry_code), dict(trx))

    def sign(self, message: dict[str, Any], **cert_fields: str) -> bytes:
        return self.codec.sign(message, cert_fields)

    # --- exchanges ------------------------------------------------------------------------

    async def post(
        self, body: bytes, content_type: str = JSON_CONTENT_TYPE, method: str = "POST"
    ) -> Reply:
        answer = await self.client.request(
            method, "/gateway", content=body, headers={"Content-Type": content_type}
        )
        reply = Reply(answer.status_code, answer.content)
        if answer.status_code == 200:
            decoded = self.codec.parse(answer.content, "response")
            reply.message = decoded.message
            try:
                self.codec.check_signature(decoded)
            except UcspError:
                reply.signature_ok = False
            else:
                reply.signature_ok = True
        return reply

    async def send(self, msg_type: str, trx: dict[str, Any]) -> Reply:
        """Sign and send a request; check the answer is signed, echoes and is schema-valid."""
        message = self.message(msg_type, trx)
        reply = await self.post(self.sign(message))
        assert reply.status == 200
        assert reply.signature_ok
        assert reply.msg_info == message["msgInfo"]
        assert schemas.validate(reply.message, msg_type, "response") == []
        return reply

    async def drain(self) -> None:
        await self.sim.background.drain()

    # --- flows ----------------------------------------------------------------------------

    async def submitted(self, amount: str = "10000", **extra: str) -> tuple[dict[str, Any], Reply]:
        trx = self.order(amount, **extra)
        reply = await self.send("SUBMIT_PAYMENT_ORDER", trx)
        assert reply.code == "00", reply.message
        return trx, reply

    async def hook(self, url: str, result: str = "00") -> httpx.Response:
        return await self.client.post(urlsplit(url).path, data={"result": result})

    async def paid(self, amount: str = "10000") -> tuple[dict[str, Any], str]:
        """An order paid at the cashier: its request trxInfo and its queryId."""
        trx, reply = await self.submitted(amount)
        answer = await self.hook(reply.trx["paymentUrl"])
        assert answer.status_code == 200, answer.text
        inquiry = await self.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert inquiry.trx["txnStatus"] == "00"
        return trx, inquiry.trx["queryId"]

    def sign_request(self, user_id: str = "user0001", **extra: str) -> dict[str, Any]:
        return {
            "merId": sandbox.MER_ID,
            "userId": user_id,
            "frontUrl": f"{IS_URL}/front?x=1",
            "backUrl": NOTICE_URL,
            **extra,
        }

    async def contract(self, user_id: str = "user0001", result: str = "00") -> str:
        """A contract signed (or declined) by ``user_id``; its contractId."""
        reply = await self.send("SIGN_AUTO_DEBIT", self.sign_request(user_id))
        assert reply.code == "00"
        answer = await self.hook(reply.trx["signUrl"], result)
        assert answer.status_code == 302
        query = dict(httpx.URL(answer.headers["location"]).params)
        return query["contractId"]

    def charge(self, contract_id: str, amount: str = "10000", **extra: str) -> dict[str, Any]:
        return {**self.order(amount), "contractId": contract_id, **extra}

    def reversal(self, orig_query_id: str, amount: str, **extra: str) -> dict[str, Any]:
        return {
            "orderId": new_order_id(),
            "txnTime": self.now(),
            "origQryId": orig_query_id,
            "txnAmt": amount,
            **extra,
        }

    # --- state ----------------------------------------------------------------------------

    def state(self) -> dict[str, int]:
        """Row counts of every table: equal before and after means no state change."""
        counts = {}
        for table in ("txns", "contracts", "notices", "seen_msgids"):
            row = self.db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
            counts[table] = row[0]
        dump = self.db.conn.execute("SELECT * FROM txns ORDER BY order_id").fetchall()
        counts["txns_digest"] = hash(json.dumps([list(r) for r in dump]))
        return counts


def run(
    keys_dir: Path,
    scenario: Callable[[Rig], Awaitable[None]],
    **rig_options: Any,
) -> None:
    """Run ``scenario`` against a fresh rig in a fresh event loop; fail on hidden errors."""

    async def main() -> None:
        rig = Rig(keys_dir, **rig_options)
        try:
            await scenario(rig)
            await rig.drain()
            assert rig.sim.errors == [], rig.sim.errors
            assert rig.sim.background.errors == [], rig.sim.background.errors
            assert rig.industry.failures == [], rig.industry.failures
        finally:
            await rig.close()

    asyncio.run(main())
