"""Injected time: wall clock, protocol-time sleeping with a time scale, and a fake clock.

Protocol time is the time the schedules of PROTOCOL.md section 7 are written in. With a
time scale of 0.01 one protocol second lasts 10 ms of real time; the wall clock (used for
timeStamp and txnTime) is never scaled.
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current wall time, timezone-aware."""
        ...

    def elapsed(self) -> float:
        """Protocol seconds elapsed since an arbitrary fixed origin."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of protocol time."""
        ...


class SystemClock:
    """The real clock, with protocol time scaled by ``time_scale``."""

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("time scale must be positive")
        self.time_scale = time_scale

    def now(self) -> datetime:
        return datetime.now(UTC)

    def elapsed(self) -> float:
        return time.monotonic() / self.time_scale

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds * self.time_scale)


class FakeClock:
    """A clock that only moves when told to, or when something sleeps on it.

    ``sleep`` advances the clock at once and yields to the event loop, so schedules run to
    completion in microseconds and remain exactly checkable.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._now

    def elapsed(self) -> float:
        return self._elapsed

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._elapsed += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)


class HaltingClock(FakeClock):
    """A fake clock on which a sleep that would pass ``halt_at`` (protocol seconds) lasts
    until the process stops, as if it had been killed there; ``halted`` is set when one does.
    Set ``halt_at`` back to infinity before the restarted process runs on the same clock."""

    def __init__(self, halt_at: float = math.inf) -> None:
        super().__init__()
        self.halt_at = halt_at
        self.halted = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        if self.elapsed() + max(seconds, 0.0) > self.halt_at:
            self.halted.set()
            await asyncio.Event().wait()
        await super().sleep(seconds)
