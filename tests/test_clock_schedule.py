"""Injected time (ucsp.clock) and the retry/inquiry schedule (ucsp.sim.schedule, PROTOCOL.md §7).

pytest-asyncio is not installed: async code runs under asyncio.run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from ucsp.clock import Clock, FakeClock, SystemClock
from ucsp.profile import CatchUp, default_profile
from ucsp.sim.schedule import (
    Background,
    protocol_seconds_since,
    resume_point,
    resume_slot,
    run_schedule,
    wall_seconds,
)

OFFSETS = (0, 1, 3, 7, 15, 31, 63)


# --- clocks ---------------------------------------------------------------------------------


def test_fake_clock_starts_at_a_fixed_moment() -> None:
    clock = FakeClock()
    assert clock.now() == datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
    assert clock.now().tzinfo is not None
    assert clock.elapsed() == 0.0
    start = datetime(2030, 6, 1, tzinfo=UTC)
    assert FakeClock(start).now() == start


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    first = clock.now()
    assert clock.now() == first
    clock.advance(1.5)
    assert clock.now() - first == timedelta(seconds=1.5)
    assert clock.elapsed() == 1.5


def test_fake_clock_sleep_advances_and_records() -> None:
    clock = FakeClock()

    async def sleeper() -> None:
        await clock.sleep(2)
        await clock.sleep(0)
        await clock.sleep(-1)

    started = time.monotonic()
    asyncio.run(sleeper())
    assert time.monotonic() - started < 1
    assert clock.sleeps == [2, 0, -1]
    assert clock.elapsed() == 2


def test_fake_clock_sleep_yields_to_other_tasks() -> None:
    clock = FakeClock()
    order: list[str] = []

    async def a() -> None:
        order.append("a1")
        await clock.sleep(0)
        order.append("a2")

    async def b() -> None:
        order.append("b1")

    async def both() -> None:
        await asyncio.gather(a(), b())

    asyncio.run(both())
    assert order == ["a1", "b1", "a2"]


def test_both_clocks_meet_the_protocol() -> None:
    clocks: list[Clock] = [FakeClock(), SystemClock()]
    assert all(clock.now().tzinfo is not None for clock in clocks)


def test_system_clock_now_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5


@pytest.mark.parametrize("scale", [0, -1])
def test_system_clock_refuses_a_scale_that_is_not_positive(scale: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        SystemClock(scale)


def test_system_clock_scales_protocol_time() -> None:
    clock = SystemClock(time_scale=0.001)  # one protocol second lasts 1 ms

    async def nap() -> float:
        before = clock.elapsed()
        await clock.sleep(20)  # 20 ms of real time
        return clock.elapsed() - before

    started = time.monotonic()
    protocol_seconds = asyncio.run(nap())
    assert time.monotonic() - started < 2  # never 20 real seconds
    assert protocol_seconds >= 19  # asyncio.sleep never wakes early (beyond clock rounding)


def test_system_clock_does_not_scale_the_wall_clock() -> None:
    fast = SystemClock(time_scale=0.001)
    assert abs((fast.now() - datetime.now(UTC)).total_seconds()) < 5


def test_system_clock_sleep_of_nothing_returns_at_once() -> None:
    started = time.monotonic()
    asyncio.run(SystemClock().sleep(0))
    asyncio.run(SystemClock().sleep(-5))
    assert time.monotonic() - started < 1


# --- run_schedule ---------------------------------------------------------------------------


def run(
    clock: FakeClock,
    attempt: Callable[[int], bool],
    stop: Callable[[], bool] = lambda: False,
    offsets: tuple[float, ...] = OFFSETS,
) -> list[float]:
    async def attempt_async(number: int) -> bool:
        return attempt(number)

    return asyncio.run(run_schedule(offsets, clock, attempt_async, stop))


def failing(calls: list[int]) -> Callable[[int], bool]:
    """An attempt that records its number and never succeeds."""

    def attempt(number: int) -> bool:
        calls.append(number)
        return False

    return attempt


def test_the_profile_schedule_is_the_protocol_schedule() -> None:
    assert default_profile().schedule == OFFSETS


def test_without_success_all_seven_slots_are_used() -> None:
    clock = FakeClock()
    calls: list[int] = []
    made = run(clock, failing(calls))
    assert made == [0, 1, 3, 7, 15, 31, 63]
    assert calls == list(range(7))
    assert clock.sleeps == [1, 2, 4, 8, 16, 32]  # the intervals of PROTOCOL.md section 7
    assert clock.elapsed() == 63


def test_the_schedule_stops_at_the_first_success() -> None:
    clock = FakeClock()
    made = run(clock, lambda n: n == 2)
    assert made == [0, 1, 3]
    assert clock.elapsed() == 3


def test_success_at_once_makes_one_attempt() -> None:
    clock = FakeClock()
    assert run(clock, lambda n: True) == [0]
    assert clock.sleeps == []


def test_stop_is_consulted_before_each_attempt() -> None:
    clock = FakeClock()
    calls: list[int] = []
    made = run(clock, failing(calls), stop=lambda: clock.elapsed() >= 7)
    assert made == [0, 1, 3]  # the notice arrived before the slot at 7 s
    assert calls == [0, 1, 2]


def test_stop_before_the_first_attempt_makes_none() -> None:
    assert run(FakeClock(), lambda n: True, stop=lambda: True) == []


def test_offsets_are_absolute_and_a_passed_slot_is_used_at_once() -> None:
    clock = FakeClock()

    def slow_attempt(number: int) -> bool:
        clock.advance(5 if number == 1 else 0.25)  # attempt 1 overruns the slots at 3 and 7 s
        return False

    made = run(clock, slow_attempt)
    assert made == [0, 1, 6, 7, 15, 31, 63]  # the slot at 3 s, passed, is used at once
    assert clock.sleeps == [0.75, 0.75, 7.75, 15.75, 31.75]  # to 1, 7, 15, 31, 63


def test_the_schedule_starts_from_the_current_protocol_time() -> None:
    clock = FakeClock()
    clock.advance(1000)
    assert run(clock, lambda n: False, offsets=(0, 2)) == [0, 2]
    assert clock.elapsed() == 1002


def test_a_schedule_runs_from_a_given_origin_and_slot() -> None:
    clock = FakeClock()
    clock.advance(20)
    calls: list[int] = []

    async def attempt(slot: int) -> bool:
        calls.append(slot)
        return False

    made = asyncio.run(run_schedule(OFFSETS, clock, attempt, origin=0.0, first_slot=4))
    assert made == [20, 31, 63]  # the slot at 15 s, passed, at once; then 31 and 63 s
    assert calls == [4, 5, 6]
    assert clock.sleeps == [11, 32]


def test_a_schedule_past_its_last_slot_makes_no_attempt() -> None:
    async def attempt(slot: int) -> bool:
        raise AssertionError("no slot is left")

    clock = FakeClock()
    assert asyncio.run(run_schedule(OFFSETS, clock, attempt, origin=0.0, first_slot=7)) == []


# --- resuming after a restart -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "next_slot", "slot"),
    [
        (0.0, 0, 0),  # never attempted: slot 0, at once
        (5.0, 3, 3),  # nothing passed: wait for the slot at 7 s
        (7.0, 3, 3),  # the slot at 7 s is due now
        (15.0, 3, 4),  # the slot at 15 s is due exactly now: it is taken, 7 s dropped
        (20.0, 3, 4),  # 7 and 15 s passed: one attempt, taking the slot at 15 s
        (62.9, 3, 5),
        (100.0, 3, 6),  # every slot passed: the last one, once
        (100.0, 6, 6),
        (100.0, 7, 7),  # none left
        (3.0, 9, 7),
    ],
)
def test_resume_slot_collapses_the_passed_slots_into_one(
    since: float, next_slot: int, slot: int
) -> None:
    assert resume_slot(OFFSETS, since, next_slot) == slot


@pytest.mark.parametrize(("since", "next_slot"), [(20.0, 3), (100.0, 3), (5.0, 3), (3.0, 9)])
def test_resume_slot_with_each_uses_every_passed_slot(since: float, next_slot: int) -> None:
    assert resume_slot(OFFSETS, since, next_slot, CatchUp.EACH) == min(next_slot, 7)


def test_a_schedule_resumed_with_each_sends_every_passed_slot_at_once_in_turn() -> None:
    clock, calls = FakeClock(), []
    clock.advance(20)  # down from 3 s to 20 s: the slots at 7 and 15 s passed
    slot = resume_slot(OFFSETS, 20.0, 3, CatchUp.EACH)

    async def attempt(number: int) -> bool:
        calls.append(number)
        return False

    made = asyncio.run(run_schedule(OFFSETS, clock, attempt, origin=0.0, first_slot=slot))
    assert made == [20, 20, 31, 63]
    assert calls == [3, 4, 5, 6]  # still at most seven in all: three before, four now


class _ScaledClock:
    """A wall clock only, with protocol time scaled like SystemClock's."""

    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self.wall = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
        self.monotonic = 500.0

    def now(self) -> datetime:
        return self.wall

    def elapsed(self) -> float:
        return self.monotonic

    async def sleep(self, seconds: float) -> None:
        raise AssertionError("not used")


def test_protocol_seconds_since_a_stored_wall_time() -> None:
    clock = FakeClock()
    stored = wall_seconds(clock)
    clock.advance(12.5)
    assert protocol_seconds_since(clock, stored) == 12.5
    assert protocol_seconds_since(clock, stored + 100) == 0.0  # a wall time ahead: none


def test_protocol_seconds_since_divides_the_wall_interval_by_the_time_scale() -> None:
    clock = _ScaledClock(time_scale=0.01)  # one protocol second lasts 10 ms
    stored = wall_seconds(clock)
    clock.wall += timedelta(seconds=0.2)
    assert protocol_seconds_since(clock, stored) == pytest.approx(20.0)


def test_resume_point_puts_the_origin_on_the_elapsed_time_line() -> None:
    clock = FakeClock()
    stored = wall_seconds(clock)
    clock.advance(20)
    origin, slot = resume_point(OFFSETS, clock, stored, 3)
    assert (origin, slot) == (clock.elapsed() - 20, 4)
    scaled = _ScaledClock(time_scale=0.5)
    stored = wall_seconds(scaled)
    scaled.wall += timedelta(seconds=3)  # 6 protocol seconds
    assert resume_point(OFFSETS, scaled, stored, 2) == (494.0, 2)


# --- Background -----------------------------------------------------------------------------


def test_background_drain_waits_for_tasks_spawned_meanwhile() -> None:
    clock = FakeClock()
    done: list[str] = []

    async def child() -> None:
        await clock.sleep(5)
        done.append("child")

    async def main() -> None:
        background = Background()

        async def parent() -> None:
            await clock.sleep(1)
            background.spawn(child())
            done.append("parent")

        background.spawn(parent())
        assert background.busy
        await background.drain()
        assert not background.busy
        assert background.errors == []

    asyncio.run(main())
    assert done == ["parent", "child"]


def test_background_keeps_task_errors() -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    async def main() -> list[BaseException]:
        background = Background()
        background.spawn(broken())
        await background.drain()
        return background.errors

    errors = asyncio.run(main())
    assert [str(e) for e in errors] == ["boom"]


def test_background_cancel_all() -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    async def main() -> tuple[bool, list[BaseException]]:
        background = Background()
        task = background.spawn(forever())
        await asyncio.sleep(0)
        await background.cancel_all()
        await asyncio.sleep(0)
        return task.cancelled(), background.errors

    cancelled, errors = asyncio.run(main())
    assert cancelled
    assert errors == []
