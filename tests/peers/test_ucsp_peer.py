"""The suite's UCSP peer: an injected transport, raw notices, an immediate time-out, and a
shared reference database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from ucsp import sandbox
from ucsp.clock import FakeClock
from ucsp.codec import Codec
from ucsp.envelope import build_request
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.peers.ucsp_peer import GatewayOverride, UcspPeer
from ucsp.sim.db import Database
from ucsp.target import IndustryInfo, Target

NOTICE_URL = "http://is.test/notify"
GATEWAY = "http://ucsp.test/gateway"
Seen = list[tuple[str, bytes, str | None]]


def _industry(seen: Seen) -> Callable[..., Awaitable[None]]:
    """An ASGI app standing for the Industry Service: it records each request, answers 200."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        seen.append((str(request.url), await request.body(), request.headers.get("content-type")))
        await Response(b"answer", status_code=200)(scope, receive, send)

    return app


def _peer(keyset: Keyset, seen: Seen, db: Database | None = None) -> UcspPeer:
    target = Target(sut="industry", keys=keyset, industry=IndustryInfo(notice_url=NOTICE_URL))
    transport = httpx.ASGITransport(app=_industry(seen))
    return UcspPeer(target, "http://ucsp.test", FakeClock(), transport=transport, db=db)


def _sign_request(peer: UcspPeer) -> bytes:
    """SIGN_AUTO_DEBIT signed by the Industry Service."""
    keys = peer.target.keys
    codec = Codec(
        Party.INDUSTRY,
        keys.industry_sign.identity("industry-sign"),
        trusted=keys.certs_of(Party.UCSP),
        profile=peer.target.profile,
        clock=peer.clock,
    )
    trx = {
        "merId": sandbox.MER_ID,
        "userId": "user0001",
        "frontUrl": "http://is.test/front",
        "backUrl": NOTICE_URL,
    }
    return codec.sign(build_request(codec.msg_info("SIGN_AUTO_DEBIT", sandbox.INDUSTRY_CODE), trx))


async def _post(peer: UcspPeer, body: bytes) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=peer)) as client:
        headers = {"Content-Type": "application/json"}
        return await asyncio.wait_for(client.post(GATEWAY, content=body, headers=headers), 10.0)


def _run(peers: list[UcspPeer], work: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        try:
            return await work()
        finally:
            for peer in peers:
                await peer.aclose()

    return asyncio.run(main())


def test_the_notices_go_over_the_injected_transport(keyset: Keyset) -> None:
    seen: Seen = []
    peer = _peer(keyset, seen)
    trx = {"orderId": "P0000000001", "txnStatus": "00"}
    exchange = _run([peer], lambda: peer.send_notice(trx))
    assert [url for url, _, _ in seen] == [NOTICE_URL]
    assert exchange.status == 200 and exchange.response == b"answer"


def test_a_raw_notice_goes_out_exactly_as_given_and_is_journaled(keyset: Keyset) -> None:
    seen: Seen = []
    peer = _peer(keyset, seen)
    body = b'{"not": "signed"'
    exchange = _run([peer], lambda: peer.send_raw_notice(body, "text/plain"))
    assert seen == [(NOTICE_URL, body, "text/plain")]
    assert exchange.request == body and exchange.status == 200
    assert exchange.response == b"answer" and exchange.error is None
    (item,) = peer.journal.entries
    assert (item.direction, item.url, item.request, item.status) == ("out", NOTICE_URL, body, 200)


def test_a_timeout_override_answers_504_at_once_and_journals_no_answer(keyset: Keyset) -> None:
    peer = _peer(keyset, [])
    peer.override("SIGN_AUTO_DEBIT", GatewayOverride(timeout=True))
    body = _sign_request(peer)
    answer = _run([peer], lambda: _post(peer, body))
    assert answer.status_code == 504 and answer.content == b""
    entries = [(e.url, e.request, e.status, e.response) for e in peer.journal.entries]
    assert entries == [("/gateway", body, None, None)]


def test_two_peers_on_one_database_share_the_reference_state(keyset: Keyset) -> None:
    db = Database()
    first, second = _peer(keyset, [], db), _peer(keyset, [], db)
    answer = _run([first, second], lambda: _post(first, _sign_request(first)))
    assert answer.status_code == 200
    sign_url = json.loads(answer.content)["trxInfo"]["signUrl"]
    token = sign_url.rsplit("/", 1)[-1]
    with second.sim.store.tx() as tx:
        contract = tx.contract_by_token(token)
    assert contract is not None and contract.user_id == "user0001"


def test_a_not_json_corruption_answers_200_with_a_body_that_is_no_json(keyset: Keyset) -> None:
    peer = _peer(keyset, [])
    peer.override("SIGN_AUTO_DEBIT", GatewayOverride(corrupt="not-json"))
    answer = _run([peer], lambda: _post(peer, _sign_request(peer)))
    assert answer.status_code == 200 and answer.content
    with pytest.raises(ValueError):
        json.loads(answer.content)
