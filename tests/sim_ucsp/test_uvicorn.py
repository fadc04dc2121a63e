"""The reference UCSP behind a real uvicorn server on loopback, built by build_app."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from ucsp import sandbox
from ucsp.clock import SystemClock
from ucsp.codec import Codec
from ucsp.envelope import build_request, format_time
from ucsp.messages import Party
from ucsp.profile import default_profile
from ucsp.serving import server_config
from ucsp.sim.options import ServeOptions
from ucsp.sim.ucsp import build_app

from .support import FakeIndustry, load_keys, new_order_id

REGISTRY = """
[[industries]]
code = "TRAVEL01"
sign_certs = ["industry-sign.crt"]
enc_cert = "industry-enc.crt"
index_url = "{is_url}/index"
notice_url = "{is_url}/notify"

[[merchants]]
mer_id = "777290058110048"
acq_iin = "00010344"
industry_code = "TRAVEL01"
"""


def _bind() -> tuple[socket.socket, str]:
    # IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say TCP (else ~40 ms stalls)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


async def _serve(app: Any, sock: socket.socket) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(server_config(app, default_profile()))  # what `serve` runs
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            return server, task
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    raise AssertionError("server did not start")


def test_over_real_http(keys_dir: Path, tmp_path: Path) -> None:
    keys = load_keys(keys_dir)
    profile = default_profile()
    clock = SystemClock()
    codec = Codec(
        Party.INDUSTRY,
        keys.industry_sign.identity("industry"),
        keys.certs_of(Party.UCSP),
        profile,
        clock,
    )

    def request(msg_type: str, trx: dict[str, Any]) -> bytes:
        return codec.sign(build_request(codec.msg_info(msg_type, sandbox.INDUSTRY_CODE), trx))

    async def main() -> None:
        is_sock, is_url = _bind()
        ucsp_sock, ucsp_url = _bind()
        registry = tmp_path / "registry.toml"
        registry.write_text(REGISTRY.format(is_url=is_url))
        industry = FakeIndustry(keys, clock, profile)
        options = ServeOptions(keys=keys_dir, config=registry, db=tmp_path / "ucsp.db")
        servers = [await _serve(industry.app, is_sock), await _serve(build_app(options), ucsp_sock)]
        try:
            async with httpx.AsyncClient(base_url=ucsp_url, timeout=10) as client:
                assert (await client.get("/gateway")).status_code == 405
                junk = await client.post(
                    "/gateway", content=b"{", headers={"Content-Type": "application/json"}
                )
                assert junk.status_code == 200
                decoded = codec.parse(junk.content, "response")
                codec.check_signature(decoded)
                assert decoded.response_code == "10"

                async def send(msg_type: str, trx: dict[str, Any]) -> dict[str, Any]:
                    answer = await client.post(
                        "/gateway",
                        content=request(msg_type, trx),
                        headers={"Content-Type": "application/json; charset=UTF-8"},
                    )
                    assert answer.status_code == 200
                    return codec.decode(answer.content, "response").message

                now = format_time(clock.now(), profile)
                order = {
                    "orderId": new_order_id(),
                    "merId": sandbox.MER_ID,
                    "acqIIN": sandbox.ACQ_IIN,
                    "txnAmt": "1000",
                    "currencyCode": "156",
                    "txnTime": now,
                }
                placed = await send("SUBMIT_PAYMENT_ORDER", order)
                payment_url = placed["trxInfo"]["paymentUrl"]
                assert payment_url.startswith(f"{ucsp_url}/pay/")
                paid = await client.post(payment_url, data={"result": "00"})
                assert paid.json()["noticeAcknowledged"] is True
                [notice] = industry.notices()
                inquiry = {"orderId": order["orderId"], "txnTime": now}
                status = await send("PAYMENT_RESULT_INQUIRY", inquiry)
                assert status["trxInfo"]["queryId"] == notice["queryId"]
                refunds = [
                    {
                        "orderId": new_order_id(),
                        "txnTime": now,
                        "origQryId": notice["queryId"],
                        "txnAmt": "100",
                    }
                    for _ in range(16)
                ]
                answers = await asyncio.gather(*(send("PAYMENT_REFUND", r) for r in refunds))
                codes = [a["msgResponse"]["responseCode"] for a in answers]
                assert (codes.count("00"), codes.count("36")) == (10, 6)
        finally:
            for server, task in reversed(servers):
                server.should_exit = True
                await asyncio.wait_for(task, 10)
        assert industry.failures == []

    asyncio.run(main())


def test_head_on_the_authorization_url_has_no_effect(keys_dir: Path, tmp_path: Path) -> None:
    """A HEAD (which Starlette adds to GET routes) neither signs a login nor journals one."""

    async def main() -> None:
        sock, url = _bind()
        registry = tmp_path / "registry.toml"
        registry.write_text(REGISTRY.format(is_url="http://127.0.0.1:9"))
        app = build_app(ServeOptions(keys=keys_dir, config=registry))
        server, task = await _serve(app, sock)
        params = {
            "industryCode": sandbox.INDUSTRY_CODE,
            "channelCode": sandbox.CHANNEL_CODE,
            "userId": "user0001",
            "mobile": "13800138000",
        }
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                head = await client.head("/authorize", params=params)
                assert (head.status_code, head.headers["allow"]) == (405, "GET")
                assert app.state.simulator.journal.select("INDUSTRY_LOGIN_INFO") == []
                get = await client.get("/authorize", params=params)
                assert get.status_code == 302
                assert len(app.state.simulator.journal.select("INDUSTRY_LOGIN_INFO")) == 1
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)

    asyncio.run(main())
