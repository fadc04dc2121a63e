"""The retry and inquiry schedule of PROTOCOL.md sections 7 and 8, and background task keeping.

A schedule is a list of absolute offsets (protocol seconds) from its origin: the first
attempt of a notice, or the receipt of the answer that started the inquiries. Each slot is
used at most once, so a schedule never makes more attempts than it has slots.

Within one run a slot that passed while an earlier attempt was still under way is used at
once, as section 8 says. After a restart the origin is read back from the store, and the
slots that passed while the process was down collapse into one catch-up attempt, made at
once (it takes the latest of the passed slots); the schedule then goes on at the next slot
still to come. Firing every passed slot back to back would send several transmissions within
milliseconds of each other, which gives the receiver no more chance to answer than one, and
would look to the receiver like retrying without back-off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from ucsp.clock import Clock
from ucsp.profile import CatchUp


def wall_seconds(clock: Clock) -> float:
    """The clock's wall time as POSIX seconds: how schedule origins are stored."""
    return clock.now().timestamp()


def protocol_seconds_since(clock: Clock, wall: float) -> float:
    """Protocol seconds from the stored wall time ``wall`` to now (never negative).

    The wall clock is never scaled, protocol time is: a clock with a ``time_scale`` (protocol
    seconds last ``time_scale`` real seconds) divides the real interval by it.
    """
    scale = getattr(clock, "time_scale", 1.0)
    if not isinstance(scale, float | int) or scale <= 0:
        scale = 1.0
    since = clock.now() - datetime.fromtimestamp(wall, UTC)
    return max(0.0, since.total_seconds() / scale)


def resume_slot(
    offsets: Sequence[float], since: float, next_slot: int, catch_up: CatchUp = CatchUp.LATEST
) -> int:
    """The slot a resumed schedule uses first.

    ``since`` is the protocol time elapsed since the origin and ``next_slot`` the first slot
    not used yet. With ``CatchUp.LATEST``, of the remaining slots already passed the latest is
    used (at once) and the earlier ones are dropped; with ``CatchUp.EACH`` every one of them is
    used, at once, in turn. When none has passed, the schedule waits for ``next_slot``.
    Returns ``len(offsets)`` when no slot is left.
    """
    if next_slot >= len(offsets):
        return len(offsets)
    if catch_up is CatchUp.EACH:
        return next_slot
    passed = [slot for slot in range(next_slot, len(offsets)) if offsets[slot] <= since]
    return passed[-1] if passed else next_slot


def resume_point(
    offsets: Sequence[float],
    clock: Clock,
    origin_wall: float,
    next_slot: int,
    catch_up: CatchUp = CatchUp.LATEST,
) -> tuple[float, int]:
    """Where a schedule begun at ``origin_wall`` (stored wall seconds) goes on after a restart:
    its origin on ``clock.elapsed()`` and the slot to use first (:func:`resume_slot`)."""
    since = protocol_seconds_since(clock, origin_wall)
    return clock.elapsed() - since, resume_slot(offsets, since, next_slot, catch_up)


async def run_schedule(
    offsets: Sequence[float],
    clock: Clock,
    attempt: Callable[[int], Awaitable[bool]],
    stop: Callable[[], bool] = lambda: False,
    *,
    origin: float | None = None,
    first_slot: int = 0,
) -> list[float]:
    """Call ``attempt(slot)`` at absolute offsets from ``origin`` until it returns True.

    ``origin`` is a value of ``clock.elapsed()`` (now when None); the slots before
    ``first_slot`` are not used. A slot already passed is used at once. ``stop()`` is
    consulted before each attempt (e.g. "the notice has arrived"). Returns the protocol-time
    offsets from the origin of the attempts made.
    """
    start = clock.elapsed() if origin is None else origin
    made: list[float] = []
    for slot in range(first_slot, len(offsets)):
        wait = start + offsets[slot] - clock.elapsed()
        if wait > 0:
            await clock.sleep(wait)
        if stop():
            break
        made.append(clock.elapsed() - start)
        if await attempt(slot):
            break
    return made


class Background:
    """Keeps references to background tasks; lets tests wait until all are done."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.errors: list[BaseException] = []

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(task.exception())  # type: ignore[arg-type]

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def drain(self) -> None:
        """Wait until every task, including tasks spawned meanwhile, has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
