"""Recording pieces shared by the peers: an httpx transport and a Starlette middleware that
write every exchange to a Journal, and scripted answers."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ucsp.clock import Clock
from ucsp.journal import Direction, Journal, JournalEntry, Waiters, json_object, msg_id_of
from ucsp.mutation.signature import flip_signature
from ucsp.transport import Exchange


def peek_msg_type(body: bytes) -> str:
    """msgInfo.msgType of a body ("" when it has none or is no JSON object)."""
    info = json_object(body).get("msgInfo")
    kind = info.get("msgType") if isinstance(info, dict) else None
    return kind if isinstance(kind, str) else ""


def peek_code(body: bytes | None) -> str | None:
    """msgResponse.responseCode of an answer (None when it has none)."""
    response = json_object(body).get("msgResponse")
    code = response.get("responseCode") if isinstance(response, dict) else None
    return code if isinstance(code, str) else None


def sent_entry(exchange: Exchange, clock: Clock) -> JournalEntry:
    """The journal entry of a request the suite sent and its answer, once it is over."""
    return entry(
        "out",
        exchange.url,
        exchange.request,
        exchange.status,
        exchange.response,
        clock,
        clock.elapsed(),
    )


def entry(
    direction: Direction,
    url: str,
    request: bytes,
    status: int | None,
    response: bytes | None,
    clock: Clock,
    elapsed: float,
) -> JournalEntry:
    return JournalEntry(
        direction=direction,
        msg_type=peek_msg_type(request),
        url=url,
        request=request,
        status=status,
        response=response,
        elapsed=elapsed,
        wall=clock.now(),
        code=peek_code(response),
    )


@dataclass
class GateRule:
    """What to do with the next outbound message of one type (that ``match`` accepts, when
    given: messages it refuses pass the rule by)."""

    action: str  # "hold" | "duplicate" | "drop" | "tamper" (signature broken, then sent)
    count: int = 1
    match: Callable[[bytes], bool] | None = None


class RecordingTransport(httpx.AsyncBaseTransport):
    """Outbound transport that journals every request and can hold, drop, duplicate or
    tamper with them (a tampered request goes out with its signature broken).

    Held requests wait until :meth:`release` (then go out in the order asked for).
    """

    def __init__(
        self, journal: Journal | None, clock: Clock, inner: httpx.AsyncBaseTransport
    ) -> None:
        self.journal, self.clock, self.inner = journal, clock, inner
        self.rules: dict[str, deque[GateRule]] = {}
        self.held: list[tuple[httpx.Request, asyncio.Future[None]]] = []
        self.holding = Waiters()  # woken whenever a request is held
        self.answer_types: dict[bytes, str | None] = {}  # request bytes -> answer Content-Type
        self.sending: list[bytes] = []  # requests gone out, their answers not journaled yet

    def _record(self, item: JournalEntry) -> None:
        if self.journal is not None:
            self.journal.record(item)

    def add_rule(self, msg_type: str, rule: GateRule) -> None:
        self.rules.setdefault(msg_type, deque()).append(rule)

    def _take_rule(self, body: bytes) -> GateRule | None:
        """The first rule of this message's type that applies to it, used once."""
        queue = self.rules.get(peek_msg_type(body))
        rule = next((r for r in queue or () if r.match is None or r.match(body)), None)
        if rule is None or queue is None:
            return None
        rule.count -= 1
        if rule.count <= 0:
            queue.remove(rule)
        return rule

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        rule = self._take_rule(body)
        if rule is not None and rule.action == "drop":
            self._record(
                entry("out", str(request.url), body, None, None, self.clock, self.clock.elapsed())
            )
            raise httpx.ConnectError("dropped by the peer", request=request)
        if rule is not None and rule.action == "tamper":
            body = flip_signature(body)
            headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
            request = httpx.Request(
                request.method,
                request.url,
                headers=headers,
                content=body,
                extensions=request.extensions,
            )
        if rule is not None and rule.action == "hold":
            released: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.held.append((request, released))
            self.holding.notify()
            await released
        response = await self._send(request, body)
        if rule is not None and rule.action == "duplicate":
            await self._send(request, body)
        return response

    async def _send(self, request: httpx.Request, body: bytes) -> httpx.Response:
        started = self.clock.elapsed()
        self.sending.append(body)
        try:
            try:
                response = await self.inner.handle_async_request(request)
                content = await response.aread()
            except httpx.HTTPError:
                self._record(entry("out", str(request.url), body, None, None, self.clock, started))
                raise
            self.answer_types[body] = response.headers.get("content-type")
            self._record(
                entry(
                    "out",
                    str(request.url),
                    body,
                    response.status_code,
                    content,
                    self.clock,
                    started,
                )
            )
        finally:
            self.sending.remove(body)  # journaled by now (or cancelled)
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )

    def held_ids(self) -> list[str | None]:
        """msgIDs of the held requests, in the order they were held."""
        return [msg_id_of(request.content) for request, _ in self.held]

    def release_ids(self, msg_ids: list[str]) -> list[str]:
        """Let the held requests with these msgIDs go, in this order; the msgIDs let go."""
        held = self.held_ids()
        indexes = [held.index(i) for i in msg_ids if i in held]
        self.release(indexes)
        return [i for i in msg_ids if i in held]

    def release(self, order: list[int] | None = None) -> int:
        """Let held requests go, in ``order`` (indexes into the held list) or as queued."""
        held, self.held = self.held, []
        indexes = order if order is not None else list(range(len(held)))
        for index in indexes:
            held[index][1].set_result(None)
        for index, (request, future) in enumerate(held):
            if index not in indexes:
                self.held.append((request, future))
        return len(indexes)

    async def aclose(self) -> None:
        await self.inner.aclose()
