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
from ucsp.profile import default_profile
from ucsp.sim.schedule import Background, run_schedule

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
