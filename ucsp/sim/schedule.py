"""The retry and inquiry schedule of PROTOCOL.md section 7, and background task keeping."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from ucsp.clock import Clock


async def run_schedule(
    offsets: Sequence[float],
    clock: Clock,
    attempt: Callable[[int], Awaitable[bool]],
    stop: Callable[[], bool] = lambda: False,
) -> list[float]:
    """Call ``attempt(n)`` at absolute offsets from now until it returns True.

    A slot already passed is used at once. ``stop()`` is consulted before each attempt
    (e.g. "the notice has arrived"). Returns the protocol-time offsets of the attempts made.
    """
    start = clock.elapsed()
    made: list[float] = []
    for number, offset in enumerate(offsets):
        wait = start + offset - clock.elapsed()
        if wait > 0:
            await clock.sleep(wait)
        if stop():
            break
        made.append(clock.elapsed() - start)
        if await attempt(number):
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
