"""A file database survives a restart: orders, refunds, msgIDs, pending work."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ucsp.clock import FakeClock

from .support import Policy, Rig


class StuckClock(FakeClock):
    """A clock on which every sleep lasts until the process stops."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.Event().wait()


def test_state_survives_a_restart(keys_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "ucsp.db"

    async def main() -> None:
        first = Rig(keys_dir, db_path=db_path)
        trx, query_id = await first.paid("1000")
        resubmit = await first.send("SUBMIT_PAYMENT_ORDER", trx)
        refund = first.reversal(query_id, "600")
        assert (await first.send("PAYMENT_REFUND", refund)).code == "00"
        seen = first.sign(
            first.message("PAYMENT_RESULT_INQUIRY", {"orderId": "X0000001", "txnTime": first.now()})
        )
        assert (await first.post(seen)).code == "34"
        contract_id = await first.contract()
        await first.drain()
        await first.close()

        second = Rig(keys_dir, db_path=db_path, clock=first.clock)
        await second.sim.start()
        inquire = {"orderId": trx["orderId"], "txnTime": trx["txnTime"]}
        assert (await second.send("PAYMENT_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "00"
        again = await second.send("SUBMIT_PAYMENT_ORDER", trx)
        assert again.trx == resubmit.trx
        assert (await second.send("PAYMENT_REFUND", refund)).code == "00"  # idempotent
        assert (await second.send("PAYMENT_REFUND", second.reversal(query_id, "401"))).code == "36"
        assert (await second.send("PAYMENT_REFUND", second.reversal(query_id, "400"))).code == "00"
        assert (await second.post(seen)).code == "99"
        assert (await second.send("SUBMIT_AUTO_DEBIT", second.charge(contract_id))).code == "00"
        await second.drain()
        assert second.industry.failures == []
        await second.close()

    asyncio.run(main())


def test_pending_success_and_unacknowledged_notices_resume(keys_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "ucsp.db"

    async def main() -> None:
        first = Rig(keys_dir, db_path=db_path, clock=StuckClock())
        contract_id = await first.contract()
        charge = first.charge(contract_id, "705")
        assert (await first.send("SUBMIT_AUTO_DEBIT", charge)).code == "05"
        first.industry.default = Policy(code="99")
        _, order = await first.submitted()
        assert (await first.hook(order.trx["paymentUrl"])).json()["noticeAcknowledged"] is False
        await asyncio.sleep(0.01)
        assert first.sim.background.busy
        await first.close()  # cancels the stuck sleeps; the database keeps the work

        second = Rig(keys_dir, db_path=db_path)
        await second.sim.start()
        await second.drain()
        notices = second.industry.notices()
        assert sorted(n["txnType"] for n in notices) == ["AUTO_DEBIT", "PAYMENT"]
        rows = second.db.conn.execute("SELECT attempts, acknowledged FROM notices ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 1), (2, 1), (1, 1)]  # sign, payment, charge
        inquire = {"orderId": charge["orderId"], "txnTime": charge["txnTime"]}
        assert (await second.send("PAYMENT_RESULT_INQUIRY", inquire)).trx["txnStatus"] == "00"
        await second.close()

    asyncio.run(main())
