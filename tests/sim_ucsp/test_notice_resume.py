"""Exact notice retry accounting across a kill and a restart (PROTOCOL.md sections 7, 8).

Each attempt is counted in the file database before it is sent, with the time of the first
attempt; a restarted UCSP resumes at the absolute offsets from that first attempt and never
sends a notice more than seven times.
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from ucsp.clock import FakeClock, HaltingClock
from ucsp.profile import CatchUp, default_profile
from ucsp.sim.db import Database
from ucsp.sim.ucsp.store import Store

from .halting import HangingTransport
from .support import IS_URL, Policy, Rig

SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]


def _wire(rig: Rig, hang_at: int = 0) -> HangingTransport:
    """Route the rig's notices through a counting transport (hanging on request ``hang_at``)."""
    wire = HangingTransport(httpx.ASGITransport(app=rig.industry.app), hang_at)
    rig.sim.notifier.http = httpx.AsyncClient(transport=wire, base_url=IS_URL)
    return wire


def _sent_at(rig: Rig, origin: float) -> list[float]:
    """Offsets from ``origin`` of the notice attempts the rig's UCSP completed."""
    return [e.elapsed - origin for e in rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")]


def _counts(rig: Rig) -> tuple[int, int]:
    row = rig.db.conn.execute("SELECT attempts, acknowledged FROM notices").fetchone()
    return row[0], row[1]


async def _close(rig: Rig) -> None:
    await rig.sim.notifier.http.aclose()
    await rig.close()


@pytest.mark.parametrize("hang_at", [1, 4, 7])
def test_an_attempt_in_flight_when_the_process_dies_is_counted(
    keys_dir: Path, tmp_path: Path, hang_at: int
) -> None:
    db_path, clock = tmp_path / "ucsp.db", FakeClock()

    async def main() -> None:
        first = Rig(keys_dir, db_path=db_path, clock=clock)
        first.industry.default = Policy(code="99")
        wire = _wire(first, hang_at)
        _, reply = await first.submitted()
        origin = clock.elapsed()
        hook = asyncio.create_task(first.hook(reply.trx["paymentUrl"]))
        await wire.hung.wait()  # attempt number hang_at is on the wire: the process dies
        await first.sim.stop()
        await hook
        assert _counts(first) == (hang_at, 0)
        await _close(first)

        second = Rig(keys_dir, db_path=db_path, clock=clock)
        second.industry.default = Policy(code="99")
        rewire = _wire(second)
        await second.sim.start()
        await second.drain()
        assert wire.sent + rewire.sent == 7  # the attempt cut short included
        assert _counts(second) == (7, 0)
        assert _sent_at(second, origin) == SCHEDULE[hang_at:]
        assert second.sim.background.errors == []
        await _close(second)

    asyncio.run(main())


@pytest.mark.parametrize(
    ("catch_up", "restart_at", "after"),
    [
        (CatchUp.LATEST, 5.0, [7.0, 15.0, 31.0, 63.0]),  # no slot passed while down
        (CatchUp.LATEST, 20.0, [20.0, 31.0, 63.0]),  # 7 and 15 s passed: one attempt at once
        (CatchUp.LATEST, 100.0, [100.0]),  # every slot passed: one last attempt, then no more
        (CatchUp.EACH, 20.0, [20.0, 20.0, 31.0, 63.0]),  # 7 and 15 s passed: both at once
        (CatchUp.EACH, 100.0, [100.0] * 4),  # every remaining slot at once, seven in all
    ],
)
def test_a_restart_resumes_at_the_absolute_offsets_from_the_first_attempt(
    keys_dir: Path, tmp_path: Path, catch_up: CatchUp, restart_at: float, after: list[float]
) -> None:
    db_path, clock = tmp_path / "ucsp.db", HaltingClock(halt_at=5.0)
    profile = replace(default_profile(), resume_catch_up=catch_up)

    async def main() -> None:
        first = Rig(keys_dir, db_path=db_path, clock=clock, profile=profile)
        first.industry.default = Policy(code="99")
        _, reply = await first.submitted()
        origin = clock.elapsed()
        await first.hook(reply.trx["paymentUrl"])
        await clock.halted.wait()  # between the slots at 3 and 7 s
        assert _sent_at(first, origin) == [0.0, 1.0, 3.0]
        await first.close()

        clock.halt_at = math.inf
        clock.advance(origin + restart_at - clock.elapsed())  # the time the process was down
        second = Rig(keys_dir, db_path=db_path, clock=clock, profile=profile)
        second.industry.default = Policy(code="99")
        await second.sim.start()
        await second.drain()
        assert _sent_at(second, origin) == after
        assert len(second.industry.received) == len(after)
        assert _counts(second) == (3 + len(after), 0)
        await second.close()

    asyncio.run(main())


def test_a_restart_after_the_last_attempt_sends_nothing(keys_dir: Path, tmp_path: Path) -> None:
    db_path, clock = tmp_path / "ucsp.db", FakeClock()

    async def main() -> None:
        first = Rig(keys_dir, db_path=db_path, clock=clock)
        first.industry.default = Policy(code="99")
        _, reply = await first.submitted()
        await first.hook(reply.trx["paymentUrl"])
        await first.drain()
        assert _counts(first) == (7, 0)
        await first.close()

        clock.advance(1000)
        second = Rig(keys_dir, db_path=db_path, clock=clock)
        await second.sim.start()
        await second.drain()
        assert second.industry.received == []
        assert not second.sim.background.busy
        await second.close()

    asyncio.run(main())


def test_a_file_from_before_stored_slots_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE notices (id INTEGER PRIMARY KEY AUTOINCREMENT, industry_code TEXT NOT NULL,"
        " msg_type TEXT NOT NULL, url TEXT NOT NULL, trx TEXT NOT NULL,"
        " acknowledged INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO notices (industry_code, msg_type, url, trx, attempts)"
        " VALUES ('X', 'PAYMENT_RESULT_NOTICE', 'http://is.test/notify', '{}', 3);"
    )
    old.commit()
    old.close()
    db = Database(path)
    store = Store(db)
    with store.tx() as tx:
        notice = tx.notice(1)
        assert notice is not None
        assert (notice.attempts, notice.next_slot, notice.first_attempt_at) == (3, 3, None)
        assert tx.claim_attempt(1, 2, 0.0, 7) is False  # slot 2 was used
        assert tx.claim_attempt(1, 3, 0.0, 7) is True
    Store(db)  # opening again changes nothing
    with store.tx() as tx:
        notice = tx.notice(1)
        assert notice is not None and (notice.attempts, notice.next_slot) == (4, 4)
    db.close()


def test_an_attempt_is_claimed_at_most_once_per_slot_and_within_the_limit() -> None:
    store = Store(Database())
    with store.tx() as tx:
        notice_id = tx.insert_notice("X", "PAYMENT_RESULT_NOTICE", "http://is.test/n", {})
        assert tx.claim_attempt(notice_id, 0, 1000.0, 2)
        assert not tx.claim_attempt(notice_id, 0, 2000.0, 2)  # the same slot twice
        assert tx.claim_attempt(notice_id, 5, 2000.0, 2)  # later slots may be skipped to
        assert not tx.claim_attempt(notice_id, 6, 3000.0, 2)  # the limit is reached
        notice = tx.notice(notice_id)
        assert notice is not None
        assert (notice.attempts, notice.next_slot, notice.first_attempt_at) == (2, 6, 1000.0)
        other = tx.insert_notice("X", "PAYMENT_RESULT_NOTICE", "http://is.test/n", {})
        tx.acknowledge(other)
        assert not tx.claim_attempt(other, 0, 1000.0, 7)  # acknowledged: never sent again
        assert tx.open_notices(7) == [tx.notice(notice_id)]
        assert tx.open_notices(2) == []
