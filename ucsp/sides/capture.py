"""Outbound capture: every message the SUT sent during a scenario, from the suite's journal,
with what is known of how it travelled (HTTP method, Content-Type, status).

A UCSP under test sends its answers to the suite's requests and its notices
(:class:`UcspCapture`); an Industry Service under test its answers to the suite's notices and
its gateway requests, including the ones the suite's UCSP refused as a non-POST, 405, or a
non-JSON body, 415 (:class:`IndustryCapture`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

from ucsp.checks.sent import SutMessage
from ucsp.journal import JournalEntry
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side

__all__ = ["Capture", "IndustryCapture", "SutMessage", "UcspCapture"]


class Capture(ABC):
    """What the SUT sent, as the suite's side saw it arrive."""

    def __init__(self, side: Side) -> None:
        self.side = side
        self.answer_types: dict[bytes, str] = {}  # Content-Type of answers, by body sent

    def record_answer(self, body: bytes, content_type: str | None) -> None:
        """The Content-Type of the SUT's answer to a body the suite sent itself."""
        self.answer_types[body] = content_type or ""

    def sent_by_sut(self) -> list[SutMessage]:
        """Every message the SUT sent in this scenario, from the suite's journal."""
        found = (self.of(item) for item in self.side.journal.entries)
        return [message for message in found if message is not None]

    def answer(
        self, item: JournalEntry, body: bytes, seen_as: Callable[[bytes], str | None]
    ) -> SutMessage:
        """The SUT's answer ``body`` to the suite's request in ``item``, with the Content-Type
        recorded when the suite sent that body itself, else as its peer ``seen_as`` it."""
        content_type = self.answer_types.get(item.request) or seen_as(item.request)
        return SutMessage(
            "response",
            item.msg_type,
            body,
            item.wall,
            item.request,
            item.status,
            content_type=content_type,
        )

    @abstractmethod
    def of(self, item: JournalEntry) -> SutMessage | None:
        """The message of the SUT ``item`` records, if it records one."""


class UcspCapture(Capture):
    side: UcspUnderTest

    def of(self, item: JournalEntry) -> SutMessage | None:
        peer = self.side.peer
        if item.direction == "out" and item.response:
            return self.answer(item, item.response, peer.answer_content_type)
        if item.direction == "in" and item.msg_type in NOTICE_TYPES:
            seen = peer.received_as(item.request)
            return SutMessage(
                "request",
                item.msg_type,
                item.request,
                item.wall,
                method=seen.method if seen else None,
                content_type=seen.content_type if seen else None,
            )
        return None


class IndustryCapture(Capture):
    side: IndustryUnderTest

    def of(self, item: JournalEntry) -> SutMessage | None:
        peer = self.side.peer
        if item.direction == "in" and (item.msg_type in GATEWAY_TYPES or item.status != 200):
            # the suite's UCSP refuses a non-POST (405) or a non-JSON body (415)
            method, content_type = peer.received_as(item.request) or (None, None)
            return SutMessage(
                "request",
                item.msg_type,
                item.request,
                item.wall,
                status=item.status,
                method=method,
                content_type=content_type,
            )
        if item.direction == "out" and item.response is not None:
            return self.answer(item, item.response, peer.answer_content_type)
        return None
