"""PAYMENT_CANCELLATION, PAYMENT_REFUND and REFUND_RESULT_INQUIRY."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .support import Rig, run


def test_cancellation_of_full_amount_with_notice(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, query_id = await rig.paid("5000")
        cancel = rig.reversal(query_id, "5000")
        reply = await rig.send("PAYMENT_CANCELLATION", cancel)
        assert reply.code == "00"
        await rig.drain()
        notice = rig.industry.notices()[-1]
        assert notice == {
            "orderId": cancel["orderId"],
            "txnType": "CANCELLATION",
            "queryId": reply.trx["queryId"],
            "origQryId": query_id,
            "txnAmt": "5000",
            "currencyCode": trx["currencyCode"],
            "txnTime": cancel["txnTime"],
            "txnStatus": "00",
        }
        inquiry = await rig.send(
            "REFUND_RESULT_INQUIRY", {"orderId": cancel["orderId"], "txnTime": cancel["txnTime"]}
        )
        assert inquiry.trx["origQryId"] == query_id
        assert inquiry.trx["txnStatus"] == "00"
        original = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        assert original.trx["txnStatus"] == "00"  # a cancelled payment still reports 00
        assert (await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "5000"))).code == "36"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "10"))).code == "36"

    run(keys_dir, scenario)


def test_cancellation_refusals(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("5000")
        partial = await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "4999"))
        assert partial.code == "36"
        unknown = rig.reversal("999", "5000")
        reply = await rig.send("PAYMENT_CANCELLATION", unknown)
        assert (reply.code, reply.trx) == ("34", {"orderId": unknown["orderId"]})
        trx, submitted = await rig.submitted("5000")
        pending = await rig.send(
            "PAYMENT_RESULT_INQUIRY", {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        )
        unpaid = rig.reversal(pending.trx["queryId"], "5000")
        assert (await rig.send("PAYMENT_CANCELLATION", unpaid)).code == "36"
        assert (await rig.send("PAYMENT_REFUND", unpaid)).code == "36"
        assert submitted.code == "00"
        cancel = await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "5000"))
        of_cancel = rig.reversal(cancel.trx["queryId"], "5000")
        assert (await rig.send("PAYMENT_CANCELLATION", of_cancel)).code == "36"
        assert (await rig.send("PAYMENT_REFUND", of_cancel)).code == "36"

    run(keys_dir, scenario)


def test_cancellation_after_a_refund_is_36(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("5000")
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "100"))).code == "00"
        assert (await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "5000"))).code == "36"
        _, pending_id = await rig.paid("5000")
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(pending_id, "105"))).code == "05"
        assert (
            await rig.send("PAYMENT_CANCELLATION", rig.reversal(pending_id, "5000"))
        ).code == "36"

    run(keys_dir, scenario)


def test_partial_refunds_up_to_the_original_amount(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        first = rig.reversal(query_id, "300", backUrl="http://is.test/other-notify")
        assert (await rig.send("PAYMENT_REFUND", first)).code == "00"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "701"))).code == "36"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "700"))).code == "00"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "2"))).code == "36"
        await rig.drain()
        refunds = [n for n in rig.industry.notices() if n["txnType"] == "REFUND"]
        assert [n["txnAmt"] for n in refunds] == ["300", "700"]
        assert rig.industry.paths.count("/other-notify") == 1

    run(keys_dir, scenario)


def test_pending_refunds_count_against_the_refundable_amount(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        pending = rig.reversal(query_id, "505")
        assert (await rig.send("PAYMENT_REFUND", pending)).code == "05"
        inquire = {"orderId": pending["orderId"], "txnTime": pending["txnTime"]}
        assert (await rig.send("REFUND_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "05"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "496"))).code == "36"
        declined = rig.reversal(query_id, "401")
        assert (await rig.send("PAYMENT_REFUND", declined)).code == "01"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "495"))).code == "00"
        await rig.drain()
        assert (await rig.send("REFUND_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "00"
        declined_inquiry = {"orderId": declined["orderId"], "txnTime": declined["txnTime"]}
        assert (await rig.send("REFUND_RESULT_INQUIRY", declined_inquiry)).trx["txnStatus"] == "01"
        statuses = sorted(n["txnAmt"] for n in rig.industry.notices() if n["txnType"] == "REFUND")
        assert statuses == ["495", "505"]

    run(keys_dir, scenario)


def test_cancellation_magic_05_notice_follows(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("2205")
        reply = await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "2205"))
        assert reply.code == "05"
        assert "queryId" in reply.trx
        await rig.drain()
        notice = rig.industry.notices()[-1]
        assert (notice["txnType"], notice["txnStatus"]) == ("CANCELLATION", "00")

    run(keys_dir, scenario)


def test_parallel_refunds_never_exceed_the_original(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        refunds = [rig.reversal(query_id, "70") for _ in range(30)]
        replies = await asyncio.gather(*(rig.send("PAYMENT_REFUND", r) for r in refunds))
        codes = [r.code for r in replies]
        assert codes.count("00") == 14  # 14 * 70 = 980 <= 1000 < 15 * 70
        assert codes.count("36") == 16
        total = rig.db.conn.execute(
            "SELECT SUM(amount) FROM txns WHERE kind = 'REFUND' AND status = '00'"
        ).fetchone()[0]
        assert total == 980

    run(keys_dir, scenario)
