"""Exact inquiry accounting across a kill and a restart (PROTOCOL.md sections 7, 8).

The schedule's origin (the receipt of the 05 answer) is stored with the order and each
inquiry is counted before it is sent, so a restarted Industry Service resumes at the absolute
offsets from that origin and never inquires more than seven times.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from sim_industry.conftest import World, WorldFactory
from ucsp.clock import FakeClock, HaltingClock
from ucsp.profile import CatchUp, default_profile
from ucsp.sim.db import Database

pytestmark = pytest.mark.anyio


SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
INQUIRY = "PAYMENT_RESULT_INQUIRY"


async def _pending_charge(world: World) -> str:
    """An auto-debit answered 05: the IS starts inquiring; its orderId."""
    contract_id = await world.active_contract()
    body = {"contractId": contract_id, "txnAmt": "2005", "currencyCode": "156"}
    data = await world.call("/harness/auto-debit/charge", body)
    assert data["responseCode"] == "05"
    return str(data["orderId"])


def _sent_at(world: World, origin: float) -> list[float]:
    return [r.elapsed - origin for r in world.requests(INQUIRY)]


def _counts(world: World, order_id: str) -> tuple[int, int]:
    run = world.sim.store.inquiry_run(order_id)
    assert run is not None
    return run.attempts, run.next_slot


@pytest.mark.parametrize("hang_at", [1, 4, 7])
async def test_an_inquiry_in_flight_when_the_process_dies_is_counted(
    make_world: WorldFactory, tmp_path: Path, hang_at: int
) -> None:
    path, clock = tmp_path / "industry.sqlite", FakeClock()
    first = make_world(db=Database(path), clock=clock)
    first.hold_answer(INQUIRY, nth=hang_at)  # never answered: the process dies meanwhile
    origin = clock.elapsed()
    order_id = await _pending_charge(first)
    assert await first.peer.wait_delayed(INQUIRY, 0, timeout=10.0) is not None
    await first.aclose()
    assert _counts(first, order_id) == (hang_at, hang_at)
    first.sim.db.close()

    second = make_world(db=Database(path), ucsp_db=first.peer.sim.db, clock=clock)
    assert second.sim.flows.resume_inquiries() == (1 if hang_at < 7 else 0)  # 7: none left
    await second.drain()
    hung = len(first.peer.delayed)  # on the wire when the process died, never answered
    assert len(first.requests(INQUIRY)) + hung + len(second.requests(INQUIRY)) == 7
    assert _counts(second, order_id) == (7, 7)
    assert _sent_at(second, origin) == SCHEDULE[hang_at:]
    assert (await second.order(order_id))["status"] == "PENDING"
    assert second.sim.flows.resume_inquiries() == 0
    second.sim.db.close()


@pytest.mark.parametrize(
    ("catch_up", "restart_at", "after"),
    [
        (CatchUp.EACH, 5.0, [7.0, 15.0, 31.0, 63.0]),  # no slot passed while down
        (CatchUp.EACH, 20.0, [20.0, 20.0, 31.0, 63.0]),  # 7 and 15 s passed: both at once
        (CatchUp.EACH, 100.0, [100.0] * 4),  # every remaining slot at once: seven in all
        (CatchUp.LATEST, 20.0, [20.0, 31.0, 63.0]),  # 7 and 15 s passed: one inquiry at once
        (CatchUp.LATEST, 100.0, [100.0]),  # every slot passed: one last inquiry, then no more
    ],
)
async def test_a_restart_resumes_at_the_absolute_offsets_from_the_05_answer(
    make_world: WorldFactory,
    tmp_path: Path,
    catch_up: CatchUp,
    restart_at: float,
    after: list[float],
) -> None:
    path, clock = tmp_path / "industry.sqlite", HaltingClock(halt_at=5.0)
    profile = replace(default_profile(), resume_catch_up=catch_up)
    first = make_world(db=Database(path), clock=clock, profile=profile)
    origin = clock.elapsed()
    order_id = await _pending_charge(first)
    await clock.halted.wait()  # between the slots at 3 and 7 s
    assert _sent_at(first, origin) == [0.0, 1.0, 3.0]
    await first.aclose()
    first.sim.db.close()

    clock.halt_at = math.inf
    clock.advance(origin + restart_at - clock.elapsed())  # the time the process was down
    second = make_world(db=Database(path), ucsp_db=first.peer.sim.db, clock=clock, profile=profile)
    assert second.sim.flows.resume_inquiries() == 1
    await second.drain()
    assert _sent_at(second, origin) == after
    attempts, _ = _counts(second, order_id)
    assert attempts == 3 + len(after)
    second.sim.db.close()


async def test_a_resumed_schedule_of_an_order_settled_meanwhile_sends_nothing(
    make_world: WorldFactory, tmp_path: Path
) -> None:
    path, clock = tmp_path / "industry.sqlite", HaltingClock(halt_at=2.0)
    first = make_world(db=Database(path), clock=clock)
    order_id = await _pending_charge(first)
    await clock.halted.wait()
    await first.aclose()
    first.sim.db.close()

    clock.halt_at = math.inf
    second = make_world(db=Database(path), ucsp_db=first.peer.sim.db, clock=clock)
    result = await second.notice("PAYMENT_RESULT_NOTICE", second.payment_notice(order_id))
    assert result.code == "00"
    assert second.sim.flows.resume_inquiries() == 1
    await second.drain()
    assert second.requests(INQUIRY) == []
    assert second.sim.flows.resume_inquiries() == 0  # the schedule is over
    second.sim.db.close()


async def test_claims_respect_slots_and_the_limit(make_world: WorldFactory) -> None:
    store = make_world().sim.store
    store.start_inquiries("O1", 1000.0)
    store.start_inquiries("O1", 2000.0)  # one schedule per order: the origin stays
    assert store.claim_inquiry("O1", 0, 2)
    assert not store.claim_inquiry("O1", 0, 2)  # the same slot twice
    assert store.claim_inquiry("O1", 4, 2)
    assert not store.claim_inquiry("O1", 5, 2)  # the limit is reached
    run = store.inquiry_run("O1")
    assert run is not None
    assert (run.started_at, run.attempts, run.next_slot, run.done) == (1000.0, 2, 5, False)
    assert store.open_inquiries(7) == [run]
    store.finish_inquiries("O1")
    assert store.open_inquiries(7) == []
    assert not store.claim_inquiry("O1", 6, 7)  # a finished schedule sends nothing
    assert store.inquiry_run("missing") is None


async def test_starting_the_app_resumes_the_open_schedules(
    make_world: WorldFactory, tmp_path: Path
) -> None:
    """The app's start-up (its lifespan) resumes what a killed process left open."""
    path, clock = tmp_path / "industry.sqlite", HaltingClock(halt_at=2.0)
    first = make_world(db=Database(path), clock=clock)
    origin = clock.elapsed()
    order_id = await _pending_charge(first)
    await clock.halted.wait()  # after the inquiries at 0 and 1 s
    await first.aclose()
    first.sim.db.close()

    clock.halt_at = math.inf
    second = make_world(db=Database(path), ucsp_db=first.peer.sim.db, clock=clock)
    async with second.sim.app.router.lifespan_context(second.sim.app):
        await second.drain()
        assert _sent_at(second, origin) == SCHEDULE[2:]
    assert _counts(second, order_id) == (7, 7)
    second.sim.db.close()
