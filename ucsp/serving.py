"""Serving a receiver with bounded I/O: what one slow or hostile client can hold.

Every server of the project (both reference implementations under ``serve``, and the suite's
own listeners on loopback) is built by :func:`server_config`, with the bounds of the
profile's ``[server]`` table:

- ``max_connections``: uvicorn's ``limit_concurrency`` (503 once that many are open);
- ``keep_alive_seconds``: uvicorn's ``timeout_keep_alive`` (an idle connection is closed);
- ``max_head_bytes``: uvicorn's ``h11_max_incomplete_event_size`` (an unfinished request head
  larger than this is answered 400);
- ``header_timeout_seconds`` and ``body_timeout_seconds``: uvicorn has neither (its only timer
  is the keep-alive one, armed after an answer), so :class:`BoundedH11Protocol` adds them on
  the HTTP protocol itself, where a connection that never completes its head is visible (an
  ASGI app is only called once the head is complete).

The time-outs are real seconds: they guard the network, not the protocol's schedules, and
the time scale does not shrink them.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, ClassVar, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ucsp.asgi_guard import DisconnectGuard
from ucsp.profile import Profile

log = logging.getLogger(__name__)

Phase = Literal["head", "body"]


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request head and one for the body.

    - The head deadline runs from the moment the connection opens, or from the first byte of
      a later request on a kept-alive connection (idle waiting between requests is the
      keep-alive timer's). At the deadline the connection is closed.
    - The body deadline runs from the complete head until the body's last byte. At the
      deadline the request is answered 408 (if it has no answer yet) and the connection is
      closed; the application, if it is reading, sees the client as gone.
    - A client that disconnects before its request is answered is logged as one line.
    """

    profile: ClassVar[Profile]  # set by :func:`bounded_protocol`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.profile
        self._limits = {
            "head": profile.header_timeout_seconds,
            "body": profile.body_timeout_seconds,
        }
        self._timer: asyncio.TimerHandle | None = None
        self._phase: tuple[Phase, object] | None = None  # (what is awaited, for which cycle)
        self._closed_here = False

    # --- uvicorn's hooks ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch(bytes_pending=True)  # a new connection owes its request head

    def data_received(self, data: bytes) -> None:
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._watch(bytes_pending=True)  # the first byte of a later request
        super().data_received(data)
        self._watch(bytes_pending=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._watch(bytes_pending=bool(self.conn.trailing_data[0]))

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        cycle = self.cycle
        if not self._closed_here and cycle is not None and not cycle.response_complete:
            if self.conn.their_state is h11.SEND_BODY:
                log.warning(
                    "%s: client disconnected before its request body was complete",
                    self._request_name(),
                )
            else:
                log.info("%s: client disconnected before the answer", self._request_name())
        super().connection_lost(exc)

    # --- deadlines ----------------------------------------------------------------------

    def _watch(self, *, bytes_pending: bool) -> None:
        """Arm, keep or cancel the deadline for what the connection is waiting for now."""
        state = self.conn.their_state
        wanted: tuple[Phase, object] | None = None
        if state is h11.SEND_BODY:
            wanted = ("body", self.cycle)
        elif state is h11.IDLE and bytes_pending:
            wanted = ("head", self.cycle)
        current = self._phase
        if wanted and current and wanted[0] == current[0] and wanted[1] is current[1]:
            return  # the same wait goes on: its deadline stands
        self._cancel()
        if wanted is not None:
            self._phase = wanted
            self._timer = self.loop.call_later(self._limits[wanted[0]], self._expired)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._phase = None, None

    def _expired(self) -> None:
        phase = self._phase[0] if self._phase else "head"
        self._timer, self._phase = None, None
        if self.transport.is_closing():
            return
        self._closed_here = True
        limit = self._limits[phase]
        if phase == "head":
            log.info(
                "%s: no complete request head within %g s; connection closed", self._peer(), limit
            )
        else:
            done = "answered 408 and closed" if self._answer_408() else "connection closed"
            log.warning(
                "%s: request body not complete within %g s; %s", self._request_name(), limit, done
            )
            if self.cycle is not None:
                self.cycle.disconnected = True  # what the application sends now is dropped
                self.cycle.message_event.set()  # and a pending receive() sees the client gone
        self.transport.close()

    def _answer_408(self) -> bool:
        cycle = self.cycle
        if cycle is None or cycle.response_started or self.conn.our_state is not h11.SEND_RESPONSE:
            return False
        headers = [(b"content-length", b"0"), (b"connection", b"close")]
        try:
            data = self.conn.send(
                h11.Response(status_code=408, headers=headers, reason=b"Request Timeout")
            )
            data = (data or b"") + (self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            return False
        cycle.response_started = True
        self.transport.write(data)
        return True

    # --- log lines ------------------------------------------------------------------------

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "client"

    def _request_name(self) -> str:
        scope = self.cycle.scope if self.cycle is not None else None
        if scope is None:
            return self._peer()
        return f"{self._peer()} {scope['method']} {scope['path']}"


def bounded_protocol(profile: Profile) -> type[BoundedH11Protocol]:
    """The protocol class uvicorn builds for each connection, bound to ``profile``."""

    class Bounded(BoundedH11Protocol):
        pass

    Bounded.profile = profile
    return Bounded


def server_config(app: Any, profile: Profile, *, log_level: str = "warning") -> uvicorn.Config:
    """The uvicorn configuration of every receiver: the app guarded, the I/O bounded."""
    return uvicorn.Config(
        DisconnectGuard(app),
        http=bounded_protocol(profile),
        ws="none",
        lifespan="on",
        access_log=False,
        log_level=log_level,
        limit_concurrency=profile.max_connections,
        timeout_keep_alive=profile.keep_alive_seconds,
        h11_max_incomplete_event_size=profile.max_head_bytes,
    )


def serve_socket(app: Any, sock: socket.socket, profile: Profile) -> None:
    """Serve ``app`` on the already bound ``sock`` until interrupted (the ``serve`` command)."""
    uvicorn.Server(server_config(app, profile)).run(sockets=[sock])
