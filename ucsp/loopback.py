"""Serving ASGI apps on loopback from a background event loop (embedded runs, tests, bench).

Sockets are bound to port 0 first, so every URL is known before any app is built, and
servers are polled for readiness instead of slept on.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says it is TCP; without it every keep-alive exchange waits ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class LoopThread:
    """An asyncio event loop running in a daemon thread; synchronous code submits to it."""

    def __init__(self, name: str = "ucsp-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        """Run ``coro`` on the loop and wait (real seconds) for its result."""
        return self.submit(coro).result(timeout)

    def stop(self) -> None:
        if self.loop.is_running():
            self.call(self._cancel_pending(), 30)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
        if not self.loop.is_running():
            self.loop.close()

    async def _cancel_pending(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.loop.shutdown_asyncgens()


class LoopbackServer:
    """One uvicorn server for ``app`` on a pre-bound socket, inside a LoopThread."""

    def __init__(self, app: Any, sock: socket.socket, loop: LoopThread) -> None:
        self.sock, self.loop = sock, loop
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.url = url_of(sock)
        self._task: Future[None] | None = None

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        self._task = self.loop.submit(self.server.serve(sockets=[self.sock]))
        self.loop.call(self._wait_started(timeout), timeout + 1)
        return self

    async def _wait_started(self, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.server.started:
            if self._task is not None and self._task.done():
                self._task.result()  # re-raise the start-up error
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"server at {self.url} did not start within {timeout} s")
            await asyncio.sleep(0.005)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        if self._task is not None:
            try:
                self._task.result(timeout)
            finally:
                self.sock.close()
