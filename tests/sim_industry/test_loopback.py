"""Both reference implementations over real loopback HTTP (uvicorn, port 0, time scale 0.01)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from ucsp.clock import SystemClock
from ucsp.keys import Keyset
from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback, url_of
from ucsp.profile import default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry import IndustrySimulator, build_simulator
from ucsp.sim.options import ServeOptions
from ucsp.sim.ucsp import CATALOGUE as UCSP_CATALOGUE
from ucsp.sim.ucsp import UcspSimulator, default_registry

KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "test-only"
SCALE = 0.01
SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]


def _wait(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str, str, IndustrySimulator, IndustrySimulator]]:
    keys = Keyset.load(KEYS)
    loop = LoopThread("loopback-test")
    ucsp_sock, is_sock, lost_sock = bind_loopback(), bind_loopback(), bind_loopback()
    ucsp_url, is_url, lost_url = url_of(ucsp_sock), url_of(is_sock), url_of(lost_sock)
    registry = default_registry(KEYS)
    registry = replace(
        registry,
        industries={
            code: replace(ind, notice_url=f"{is_url}/notify", index_url=f"{is_url}/index")
            for code, ind in registry.industries.items()
        },
    )
    ucsp = UcspSimulator(
        keys=keys,
        registry=registry,
        db=Database(),
        clock=SystemClock(SCALE),
        profile=default_profile(),
        faults=FaultSet(UCSP_CATALOGUE),
        base_url=ucsp_url,
    )
    settings = tmp_path / "industry.toml"
    settings.write_text("[industry]\ntimeout_seconds = 5.0\n")  # real seconds: no flaky time-outs

    def industry(port: int, gateway: str) -> IndustrySimulator:
        options = ServeOptions(
            keys=KEYS, port=port, config=settings, time_scale=SCALE, ucsp_url=gateway
        )
        return build_simulator(options)

    main = industry(int(is_url.rsplit(":", 1)[1]), f"{ucsp_url}/gateway")
    lost = industry(int(lost_url.rsplit(":", 1)[1]), f"{ucsp_url}/nowhere")  # answers 404
    running = [
        LoopbackServer(app, sock, loop).start()
        for app, sock in ((ucsp.app, ucsp_sock), (main.app, is_sock), (lost.app, lost_sock))
    ]
    try:
        yield ucsp_url, is_url, lost_url, main, lost
    finally:
        for server in running:
            server.stop()
        loop.stop()


def test_reference_pair_over_loopback(
    servers: tuple[str, str, str, IndustrySimulator, IndustrySimulator],
) -> None:
    ucsp_url, is_url, lost_url, main, lost = servers
    with httpx.Client(timeout=10) as http:
        # login through the authorization URL
        query = "industryCode=TRAVEL01&channelCode=CHANNEL1&userId=user0001&mobile=13800138000"
        redirect = http.get(f"{ucsp_url}/authorize?{query}")
        assert redirect.status_code == 302
        assert redirect.headers["location"].startswith(f"{is_url}/index?request_data=")
        assert http.get(redirect.headers["location"]).status_code == 200
        session = http.get(f"{is_url}/harness/users/user0001/session").json()
        assert session["loggedIn"] is True

        # a payment, paid at the cashier
        pay = http.post(f"{is_url}/harness/payments", json={"txnAmt": "100", "currencyCode": "156"})
        assert pay.status_code == 200 and pay.json()["responseCode"] == "00"
        hook = http.post(pay.json()["paymentUrl"], data={"result": "00"})
        assert hook.json()["noticeAcknowledged"] is True
        order = http.get(f"{is_url}/harness/orders/{pay.json()['orderId']}").json()
        assert order["status"] == "SUCCEEDED"

        # auto-debit: sign, then a 05 charge settled by inquiry or notice
        sign = http.post(f"{is_url}/harness/auto-debit/sign", json={"userId": "user0001"})
        signed = http.post(sign.json()["signUrl"], data={"result": "00"})
        assert signed.status_code == 302
        front = urlsplit(signed.headers["location"])
        assert f"{front.scheme}://{front.netloc}{front.path}" == f"{is_url}/front"
        contract_id = dict(p.split("=") for p in front.query.split("&"))["contractId"]
        charge = http.post(
            f"{is_url}/harness/auto-debit/charge",
            json={"contractId": contract_id, "txnAmt": "2005", "currencyCode": "156"},
        )
        assert charge.json()["responseCode"] == "05"
        charge_id = charge.json()["orderId"]
        _wait(
            lambda: http.get(f"{is_url}/harness/orders/{charge_id}").json()["status"] == "SUCCEEDED"
        )
        assert main.journal.select("PAYMENT_RESULT_INQUIRY", "out")

        # no valid answer at all: seven inquiries at the scaled schedule, then PENDING
        started = time.monotonic()
        lost_pay = http.post(
            f"{lost_url}/harness/payments", json={"txnAmt": "100", "currencyCode": "156"}
        )
        assert lost_pay.status_code == 424
        _wait(lambda: len(lost.journal.select("PAYMENT_RESULT_INQUIRY", "out")) == 7)
        elapsed = time.monotonic() - started
        assert elapsed < 3.0  # 63 protocol seconds in well under a second or two
        entries = lost.journal.select("PAYMENT_RESULT_INQUIRY", "out")
        # offsets are from the schedule's stored origin (the answer that started it, PROTOCOL.md
        # 7), in protocol seconds: the wall clock is not scaled, so divide by the time scale
        run = lost.store.inquiry_run(lost_pay.json()["orderId"])
        assert run is not None
        offsets = [(e.wall.timestamp() - run.started_at) / SCALE for e in entries]
        for offset, slot in zip(offsets, SCHEDULE, strict=True):
            assert slot - 0.5 <= offset <= slot * 1.2 + 10, offsets
        assert {e.status for e in entries} == {404}
        time.sleep(0.1)
        assert len(lost.journal.select("PAYMENT_RESULT_INQUIRY", "out")) == 7
        lost_id = lost_pay.json()["orderId"]
        assert http.get(f"{lost_url}/harness/orders/{lost_id}").json()["status"] == "PENDING"
