"""A test transport that stops a process in the middle of its schedules (the clock that
does the same is ``ucsp.clock.HaltingClock``)."""

from __future__ import annotations

import asyncio

import httpx


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
