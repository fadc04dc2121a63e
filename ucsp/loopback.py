"""Serving ASGI apps on pre-bound sockets from a background event loop (embedded runs, tests).

Sockets are bound first (port 0: any free port), so every URL is known before any app is
built and a bad address fails before anything is served; servers are polled for readiness
instead of slept on.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import uvicorn

from ucsp.errors import ConfigError
from ucsp.profile import Profile, default_profile
from ucsp.serving import server_config

T = TypeVar("T")
MAX_PORT = 65535

_BIND_HINTS = {
    errno.EADDRINUSE: "the port is already in use (another server is running there?); "
    "stop it or choose another port",
    errno.EACCES: "permission denied (ports below 1024 need privileges); choose another port",
    errno.EADDRNOTAVAIL: "no interface of this machine has that address; "
    "use 127.0.0.1, 0.0.0.0 or an address of this machine",
}


class BindError(ConfigError):
    """A listening socket cannot be opened where asked: one line naming the address."""


def bind_socket(host: str, port: int, backlog: int = 128) -> socket.socket:
    """A non-blocking TCP socket listening on ``host:port`` (port 0: any free port).

    Every failure (port out of range, unknown host, port in use, no such address) is a
    :class:`BindError` naming the address and the fix, raised before anything is served.
    """
    where = f"{host}:{port}"
    if not 0 <= port <= MAX_PORT:
        raise BindError(f"cannot listen on {where}: {port} is not a port number (0-{MAX_PORT})")
    try:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when
        # the listening socket says it is TCP; without it every keep-alive exchange waits ~40 ms.
        infos = socket.getaddrinfo(
            host or None,
            port,
            type=socket.SOCK_STREAM,
            proto=socket.IPPROTO_TCP,
            flags=socket.AI_PASSIVE,
        )
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BindError(
            f"cannot listen on {where}: unknown host {host!r} ({reason}); "
            "give an IP address or a name this machine resolves"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        reason = _BIND_HINTS.get(exc.errno or 0, exc.strerror or str(exc))
        raise BindError(f"cannot listen on {where}: {reason}") from None
    sock.setblocking(False)
    return sock


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    return bind_socket(host, port)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


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
    """One uvicorn server for ``app`` on a pre-bound socket, inside a LoopThread.

    The server's I/O bounds (header and body time-outs, connections) come from ``profile``.
    """

    def __init__(
        self, app: Any, sock: socket.socket, loop: LoopThread, profile: Profile | None = None
    ) -> None:
        self.sock, self.loop = sock, loop
        self.server = uvicorn.Server(server_config(app, profile or default_profile()))
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
