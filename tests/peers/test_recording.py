"""The suite's outbound gate: a tampered notice goes out with its signature broken, and the
journal keeps the bytes that went out."""

from __future__ import annotations

import asyncio
import json

import httpx

from ucsp.clock import FakeClock
from ucsp.journal import Journal
from ucsp.peers.recording import GateRule, RecordingTransport

SIGNED = json.dumps(
    {
        "msgInfo": {"msgType": "SIGN_AUTO_DEBIT_NOTICE", "msgID": "U1"},
        "trxInfo": {"contractId": "C1", "userId": "u1", "signStatus": "00"},
        "certificateSignature": {"ucspSignCertID": "1", "signature": "QUJD"},
    }
).encode()


def _send(rules: list[GateRule]) -> tuple[list[bytes], Journal]:
    received: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        assert request.headers["content-length"] == str(len(request.content))
        return httpx.Response(200, content=b"{}")

    journal = Journal()
    gate = RecordingTransport(journal, FakeClock(), httpx.MockTransport(answer))
    for rule in rules:
        gate.add_rule("SIGN_AUTO_DEBIT_NOTICE", rule)

    async def post_twice() -> None:
        async with httpx.AsyncClient(transport=gate) as client:
            for _ in range(2):
                await client.post("http://is.test/notify", content=SIGNED)

    asyncio.run(post_twice())
    return received, journal


def test_a_tampered_notice_goes_out_once_with_only_its_signature_changed() -> None:
    received, journal = _send([GateRule("tamper")])
    tampered, untouched = received
    assert untouched == SIGNED
    assert tampered != SIGNED and len(tampered) == len(SIGNED)
    assert json.loads(tampered)["trxInfo"] == json.loads(SIGNED)["trxInfo"]
    signature = json.loads(tampered)["certificateSignature"]["signature"]
    assert signature != "QUJD"
    assert [e.request for e in journal.entries] == [tampered, SIGNED]


def test_a_dropped_notice_never_reaches_the_receiver_and_is_journaled_unanswered() -> None:
    received: list[bytes] = []
    journal = Journal()

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200, content=b"{}")

    gate = RecordingTransport(journal, FakeClock(), httpx.MockTransport(answer))
    gate.add_rule("SIGN_AUTO_DEBIT_NOTICE", GateRule("drop"))

    async def post() -> list[str]:
        outcomes = []
        async with httpx.AsyncClient(transport=gate) as client:
            for _ in range(2):
                try:
                    await client.post("http://is.test/notify", content=SIGNED)
                    outcomes.append("answered")
                except httpx.ConnectError:
                    outcomes.append("dropped")
        return outcomes

    assert asyncio.run(post()) == ["dropped", "answered"]
    assert received == [SIGNED]
    assert [e.status for e in journal.entries] == [None, 200]
