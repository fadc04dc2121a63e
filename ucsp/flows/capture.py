"""Outbound capture: every message the SUT sent during a scenario, from the suite's journal,
with what is known of how it travelled (HTTP method, Content-Type, status).

A UCSP under test sends its answers to the suite's requests and its notices; an Industry
Service under test its answers to the suite's notices and its gateway requests (including
the ones the suite's UCSP refused as a non-POST, 405, or a non-JSON body, 415).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ucsp.deployment import Deployment
from ucsp.flows.base import BaseFlow
from ucsp.journal import JournalEntry
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES, Kind


@dataclass(frozen=True)
class SutMessage:
    """A message the SUT sent during the scenario, with what is known of its transport."""

    kind: Kind  # "request": the SUT originated it; "response": its answer to the suite
    msg_type: str
    raw: bytes
    wall: datetime
    request: bytes | None = None  # for a response: the message it answers
    status: int | None = 200  # HTTP status: of the SUT's answer, or the suite's to its request
    method: str | None = None  # None: not observed
    content_type: str | None = None  # None: not observed


class OutboundCapture(BaseFlow):
    """What the SUT sent, as the suite's side saw it arrive."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.answer_types: dict[bytes, str] = {}  # Content-Type of answers, by body sent

    def record_answer(self, body: bytes, content_type: str | None) -> None:
        """The Content-Type of the SUT's answer to a body the suite sent itself."""
        self.answer_types[body] = content_type or ""

    def sent_by_sut(self) -> list[SutMessage]:
        """Every message the SUT sent in this scenario, from the suite's journal."""
        found: list[SutMessage] = []
        for item in self.d.peer_journal.entries:
            message = self._of_ucsp(item) if self.role == "ucsp" else self._of_industry(item)
            if message is not None:
                found.append(message)
        return found

    def _of_ucsp(self, item: JournalEntry) -> SutMessage | None:
        if item.direction == "out" and item.response:
            return SutMessage(
                "response",
                item.msg_type,
                item.response,
                item.wall,
                item.request,
                item.status,
                content_type=self.answer_types.get(item.request)
                or self.industry_peer.answer_content_type(item.request),
            )
        if item.direction == "in" and item.msg_type in NOTICE_TYPES:
            seen = self.industry_peer.received_as(item.request)
            return SutMessage(
                "request",
                item.msg_type,
                item.request,
                item.wall,
                method=seen.method if seen else None,
                content_type=seen.content_type if seen else None,
            )
        return None

    def _of_industry(self, item: JournalEntry) -> SutMessage | None:
        if item.direction == "in" and (item.msg_type in GATEWAY_TYPES or item.status != 200):
            # the suite's UCSP refuses a non-POST (405) or a non-JSON body (415)
            method, content_type = self.ucsp_peer.received_as(item.request) or (None, None)
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
            return SutMessage(
                "response",
                item.msg_type,
                item.response,
                item.wall,
                item.request,
                item.status,
                content_type=self.answer_types.get(item.request)
                or self.ucsp_peer.answer_content_type(item.request),
            )
        return None
