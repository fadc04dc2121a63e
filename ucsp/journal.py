"""A journal of every message a reference implementation received or sent, as raw bytes.

Waiting on a journal is waiting for one specific exchange: :meth:`Journal.wait_entry` takes a
predicate on a single entry (built with :func:`exchange_of`, :func:`answer_to` or
:func:`about`) and returns the first entry that satisfies it, never "any new entry" or "the
N-th entry of an order", which a crafted or an earlier message would satisfy too early.
A wait that has to wait is announced (:mod:`ucsp.activity`) with what it waits for: the
phrase a predicate carries (:func:`described`), or the one the caller gives.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ucsp import activity

Direction = Literal["in", "out"]
Match = Callable[["JournalEntry"], bool]


@dataclass(frozen=True)
class JournalEntry:
    direction: Direction  # "in": received by this implementation; "out": sent by it
    msg_type: str  # msgInfo.msgType as far as it could be read ("" when unreadable)
    url: str
    request: bytes
    status: int | None  # HTTP status of the answer (None: no answer)
    response: bytes | None
    elapsed: float  # protocol-time (clock.elapsed()) when the request was sent/received
    wall: datetime
    code: str | None = None  # responseCode of the answer, when there was one
    answered: float | None = None  # protocol time the answer was sent (received), when known

    @property
    def settled(self) -> float:
        """Protocol time the exchange was over for its sender: when the answer went out (when
        known), else when the request came."""
        return self.answered if self.answered is not None else self.elapsed

    @property
    def msg_id(self) -> str | None:
        """msgInfo.msgID of the request, when it can be read."""
        return msg_id_of(self.request)

    @property
    def message(self) -> dict[str, Any]:
        """The request as a JSON object ({} when it is not one)."""
        return _object(self.request) or {}

    @property
    def trx(self) -> dict[str, Any]:
        """trxInfo of the request ({} when unreadable)."""
        trx = self.message.get("trxInfo")
        return trx if isinstance(trx, dict) else {}

    @property
    def answer(self) -> dict[str, Any]:
        """The answer as a JSON object ({} when there was none or it is not one)."""
        return _object(self.response) or {}

    @property
    def answer_trx(self) -> dict[str, Any]:
        """trxInfo of the answer ({} when unreadable)."""
        trx = self.answer.get("trxInfo")
        return trx if isinstance(trx, dict) else {}


def json_object(body: bytes | str | None) -> dict[str, Any]:
    """``body`` parsed as a JSON object ({} when it is empty, not JSON or not an object)."""
    return _object(body) or {}


def _object(body: bytes | str | None) -> dict[str, Any] | None:
    if not body:
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def msg_id_of(body: bytes | None) -> str | None:
    """msgInfo.msgID of a message's raw bytes (None when it has none)."""
    message = _object(body)
    info = message.get("msgInfo") if message is not None else None
    value = info.get("msgID") if isinstance(info, dict) else None
    return value if isinstance(value, str) else None


WHAT = "__what__"  # the attribute of a predicate naming what it accepts


def described(match: Match, what: str) -> Match:
    """``match``, naming what it accepts for the live progress ("PAYMENT_RESULT_NOTICE from
    the SUT")."""
    setattr(match, WHAT, what)
    return match


def what_of(match: Match, default: str = "an exchange") -> str:
    """The phrase a predicate carries (``default`` when it carries none)."""
    what = getattr(match, WHAT, None)
    return what if isinstance(what, str) else default


def _seen_from(direction: Direction | None) -> str:
    """A direction as the suite's own journal sees it: "in" came from the SUT."""
    return {"in": " from the SUT", "out": " to the SUT"}.get(direction or "", "")


def exchange_of(msg_id: str, direction: Direction | None = None) -> Match:
    """The exchange of the message with this msgID (optionally: in this direction)."""

    def match(entry: JournalEntry) -> bool:
        return (direction is None or entry.direction == direction) and entry.msg_id == msg_id

    return described(match, f"message {msg_id}{_seen_from(direction)}")


def answer_to(request: bytes) -> Match:
    """The exchange of the request with exactly these bytes."""

    def match(entry: JournalEntry) -> bool:
        return entry.request == request

    return described(match, "the answer to a request")


def about(msg_type: str, direction: Direction | None = None, **trx: str) -> Match:
    """A message of ``msg_type`` whose trxInfo has the given values (e.g. the first notice of
    one order from one side)."""

    def match(entry: JournalEntry) -> bool:
        if entry.msg_type != msg_type or (direction is not None and entry.direction != direction):
            return False
        values = entry.trx
        return all(values.get(k) == v for k, v in trx.items())

    return described(match, f"{msg_type}{_seen_from(direction)}")


class Waiters:
    """Coroutines waiting until a condition on some shared state holds.

    Whoever changes the state calls :meth:`notify`; each waiter's condition is then checked
    and the waiters whose condition holds are woken. Nothing polls and nothing sleeps, and
    any number of waiters can wait at once. ``notify`` may be called from any thread.
    """

    def __init__(self) -> None:
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def __len__(self) -> int:
        return len(self._waiting)

    def notify(self) -> None:
        for check, future in list(self._waiting):
            if not future.done() and check():
                _wake(future)

    async def wait(self, check: Callable[[], bool], timeout: float) -> bool:
        """Wait (at most ``timeout`` real seconds) until ``check()`` holds; its last value."""
        if check():
            return True
        if timeout <= 0:
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (check, future)
        self._waiting.append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiting.remove(waiter)
        return check()


def _wake(future: asyncio.Future[None]) -> None:
    loop = future.get_loop()
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        future.set_result(None)
    else:
        loop.call_soon_threadsafe(_set_if_pending, future)


def _set_if_pending(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass
class Journal:
    entries: list[JournalEntry] = field(default_factory=list)
    listeners: list[Callable[[JournalEntry], None]] = field(default_factory=list)
    waiters: Waiters = field(default_factory=Waiters, repr=False)

    def record(self, entry: JournalEntry) -> None:
        self.entries.append(entry)
        for listener in self.listeners:
            listener(entry)
        self.waiters.notify()

    def select(
        self, msg_type: str | None = None, direction: Direction | None = None
    ) -> list[JournalEntry]:
        return [
            e
            for e in self.entries
            if (msg_type is None or e.msg_type == msg_type)
            and (direction is None or e.direction == direction)
        ]

    def mark(self) -> int:
        """A position in the journal: entries recorded from now on come after it."""
        return len(self.entries)

    def find(self, match: Match, after: int = 0) -> JournalEntry | None:
        """The first entry (at or after position ``after``) that ``match`` accepts."""
        return next((e for e in self.entries[after:] if match(e)), None)

    async def wait_entry(
        self, match: Match, timeout: float, after: int = 0, what: str | None = None
    ) -> JournalEntry | None:
        """Wait (real seconds) for the first entry that ``match`` accepts; None on time-out.

        ``what`` names it for the live progress (default: the phrase ``match`` carries)."""
        found = self.find(match, after)
        if found is not None or timeout <= 0:
            return found
        announced = activity.listening()
        if announced:
            activity.waiting(what or what_of(match), timeout)
        try:
            await self.waiters.wait(lambda: self.find(match, after) is not None, timeout)
        finally:
            if announced:
                activity.done()
        return self.find(match, after)

    async def wait_for(
        self,
        predicate: Callable[[list[JournalEntry]], bool],
        timeout: float,
        what: str = "the end of an observation window",
    ) -> bool:
        """Wait (real seconds) until ``predicate(entries)`` holds; False on time-out.

        For observation windows (how many transmissions came before a deadline); to wait for
        one exchange use :meth:`wait_entry`. ``what`` names the wait for the live progress
        ("inquiry 5 of 7").
        """
        announced = timeout > 0 and activity.listening() and not predicate(self.entries)
        if announced:
            activity.waiting(what, timeout)
        try:
            return await self.waiters.wait(lambda: predicate(self.entries), timeout)
        finally:
            if announced:
                activity.done()

    def clear(self) -> None:
        self.entries.clear()
