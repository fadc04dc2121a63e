"""Notice delivery: schedule, fresh envelopes, and what counts as an acknowledgement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support import Policy, Rig, run

SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]


def _attempts(rig: Rig) -> list[dict[str, object]]:
    return [json.loads(e.request) for e in rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")]


def _offsets(rig: Rig) -> list[float]:
    entries = rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")
    return [e.elapsed - entries[0].elapsed for e in entries]


def test_unacknowledged_notice_is_retried_on_the_schedule_with_fresh_envelopes(
    keys_dir: Path,
) -> None:
    async def scenario(rig: Rig) -> None:
        rig.industry.default = Policy(code="99")
        _, reply = await rig.submitted()
        answer = await rig.hook(reply.trx["paymentUrl"])
        assert answer.json()["noticeAcknowledged"] is False
        await rig.drain()
        assert _offsets(rig) == SCHEDULE
        attempts = _attempts(rig)
        msg_ids = {a["msgInfo"]["msgID"] for a in attempts}  # type: ignore[index]
        signatures = {a["certificateSignature"]["signature"] for a in attempts}  # type: ignore[index]
        assert len(msg_ids) == len(signatures) == 7
        assert all(m.startswith("U") for m in msg_ids)
        assert len({a["msgInfo"]["timeStamp"] for a in attempts}) == 7  # type: ignore[index]
        assert {json.dumps(a["trxInfo"]) for a in attempts} == {json.dumps(attempts[0]["trxInfo"])}
        assert [e.code for e in rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")] == [
            "99"
        ] * 7
        count = rig.db.conn.execute("SELECT attempts, acknowledged FROM notices").fetchone()
        assert tuple(count) == (7, 0)

    run(keys_dir, scenario)


def test_retries_stop_on_00(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        rig.industry.policies = [Policy(code="99"), Policy(code="36")]
        _, reply = await rig.submitted()
        await rig.hook(reply.trx["paymentUrl"])
        await rig.drain()
        assert _offsets(rig) == [0.0, 1.0, 3.0]
        count = rig.db.conn.execute("SELECT attempts, acknowledged FROM notices").fetchone()
        assert tuple(count) == (3, 1)

    run(keys_dir, scenario)


@pytest.mark.parametrize(
    "policy",
    [
        Policy(code="34"),
        Policy(code="10"),
        Policy(http_status=500),
        Policy(http_status=404),
        Policy(bad_signature=True),
        Policy(no_echo=True),
    ],
    ids=["code-34", "code-10", "http-500", "http-404", "bad-signature", "no-echo"],
)
def test_only_a_valid_00_acknowledges(keys_dir: Path, policy: Policy) -> None:
    async def scenario(rig: Rig) -> None:
        rig.industry.policies = [policy]
        _, reply = await rig.submitted()
        answer = await rig.hook(reply.trx["paymentUrl"])
        assert answer.json()["noticeAcknowledged"] is False
        await rig.drain()
        assert _offsets(rig) == [0.0, 1.0]

    run(keys_dir, scenario)


def test_unknown_signing_certificate_in_the_answer_does_not_acknowledge(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        from ucsp.crypto import Identity, make_test_identity

        key, cert = make_test_identity("not registered")
        rig.industry.codec.identity = Identity(key, cert)
        _, reply = await rig.submitted()
        assert (await rig.hook(reply.trx["paymentUrl"])).json()["noticeAcknowledged"] is False
        await rig.drain()
        assert len(_offsets(rig)) == 7

    run(keys_dir, scenario)


def test_unreachable_back_url_is_retried_and_journalled(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, reply = await rig.submitted(backUrl="http://[::1/nowhere")
        answer = await rig.hook(reply.trx["paymentUrl"])
        assert answer.json()["noticeAcknowledged"] is False
        await rig.drain()
        entries = rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")
        assert len(entries) == 7
        assert all(e.status is None for e in entries)

    run(keys_dir, scenario)


def test_journal_records_inbound_exchanges_and_notice_attempts(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, reply = await rig.submitted()
        await rig.hook(reply.trx["paymentUrl"])
        [inbound] = rig.sim.journal.select("SUBMIT_PAYMENT_ORDER", "in")
        assert (inbound.status, inbound.code) == (200, "00")
        assert json.loads(inbound.request)["trxInfo"]["orderId"] == trx["orderId"]
        assert inbound.response is not None
        [notice] = rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")
        assert (notice.status, notice.code, notice.url) == (200, "00", "http://is.test/notify")

    run(keys_dir, scenario)
