"""Test clocks and transports that stop a process in the middle of its schedules."""

from __future__ import annotations

import asyncio
import math

import httpx

from ucsp.clock import FakeClock


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


class HangingTransport(httpx.AsyncBaseTransport):
    """Counts the requests that reach the wire; request number ``hang_at`` never gets an
    answer (``hung`` is set when it is on its way): an attempt in flight when the process dies."""

    def __init__(self, inner: httpx.AsyncBaseTransport, hang_at: int = 0) -> None:
        self.inner = inner
        self.hang_at = hang_at
        self.sent = 0
        self.hung = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.sent == self.hang_at:
            self.hung.set()
            await asyncio.Event().wait()
        return await self.inner.handle_async_request(request)
