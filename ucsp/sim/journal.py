"""A journal of every message a reference implementation received or sent, as raw bytes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Direction = Literal["in", "out"]


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


@dataclass
class Journal:
    entries: list[JournalEntry] = field(default_factory=list)
    _changed: asyncio.Event | None = None
    listeners: list[Callable[[JournalEntry], None]] = field(default_factory=list)

    def record(self, entry: JournalEntry) -> None:
        self.entries.append(entry)
        for listener in self.listeners:
            listener(entry)
        if self._changed is not None:
            self._changed.set()

    def select(
        self, msg_type: str | None = None, direction: Direction | None = None
    ) -> list[JournalEntry]:
        return [
            e
            for e in self.entries
            if (msg_type is None or e.msg_type == msg_type)
            and (direction is None or e.direction == direction)
        ]

    async def wait_for(
        self, predicate: Callable[[list[JournalEntry]], bool], timeout: float
    ) -> bool:
        """Wait (real seconds) until ``predicate(entries)`` holds; False on time-out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self.entries):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed = asyncio.Event()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate(self.entries)
        return True

    def clear(self) -> None:
        self.entries.clear()
