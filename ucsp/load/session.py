"""One load user's means: send a signed request, have the answer judged and recorded.

A :class:`Session` knows nothing of Locust or gevent: it is given a :class:`Transport` (one
HTTP call, synchronous) and a ``parallel`` function (run thunks at the same time), so the
flows that use it are plain functions over it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ucsp.envelope import format_time
from ucsp.load.judge import Expect, Reply, Verdict, Wire
from ucsp.load.notices import NoticeBook
from ucsp.load.plan import Plan
from ucsp.load.tally import Finding, Tally
from ucsp.mask import body_text

T = TypeVar("T")
JSON_TYPE = "application/json; charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
NOTICE_WAIT_SECONDS = 10.0  # real seconds a flow waits for a notice that must come


class TransportError(Exception):
    """No HTTP answer: connection refused or reset, time-out."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str | None
    body: bytes
    location: str | None
    ms: float


Judge = Callable[[HttpAnswer], Sequence[Finding]]


class Transport(Protocol):
    def post(
        self,
        url: str,
        body: bytes,
        content_type: str,
        name: str,
        follow: bool = False,
        judge: Judge | None = None,
        method: str = "POST",
    ) -> HttpAnswer:
        """Send ``body`` (POST; GET sends none), have ``judge`` judge the answer before it is
        reported; raises :class:`TransportError` when no answer came."""
        ...


Parallel = Callable[[Sequence[Callable[[], T]]], list[T]]


def serial(thunks: Sequence[Callable[[], T]]) -> list[T]:
    return [thunk() for thunk in thunks]


class Session:
    def __init__(
        self,
        plan: Plan,
        wire: Wire,
        transport: Transport,
        tally: Tally,
        book: NoticeBook | None = None,
        notice_url: str = "",
        parallel: Parallel[Any] = serial,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.plan, self.wire, self.transport, self.tally = plan, wire, transport, tally
        self.book = book or NoticeBook()
        self.notice_url = notice_url
        self.parallel = parallel
        self.clock = clock

    # --- identifiers ------------------------------------------------------------------------

    def new_id(self, prefix: str = "LD") -> str:
        return prefix + secrets.token_hex(9).upper()

    def txn_time(self) -> str:
        return format_time(self.wire.codec.clock.now(), self.wire.profile)

    # --- one exchange ---------------------------------------------------------------------

    def send(
        self, msg_type: str, trx: Mapping[str, Any], expect: Expect, url: str | None = None
    ) -> Verdict | None:
        """Sign ``trx`` as ``msg_type``, send it, judge the answer; None: no answer came."""
        info, body = self.wire.request(msg_type, self.plan.industry_code, trx)
        return self.send_bytes(msg_type, info, body, expect, url)

    def send_bytes(
        self,
        msg_type: str,
        info: Mapping[str, Any],
        body: bytes,
        expect: Expect,
        url: str | None = None,
    ) -> Verdict | None:
        """Send signed bytes (a replay sends the same bytes again) and judge the answer."""
        verdicts: list[Verdict] = []

        def judge(answer: HttpAnswer) -> list[Finding]:
            reply = Reply(answer.status, answer.content_type, answer.body)
            verdicts.append(self.wire.answer(msg_type, info, reply, expect))
            return verdicts[-1].findings

        answer = self.post(url or self.plan.gateway_url, body, JSON_TYPE, msg_type, judge)
        if answer is None or not verdicts:
            return None
        self.record(msg_type, answer, verdicts[-1].findings, body)
        return verdicts[-1]

    def post(
        self,
        url: str,
        body: bytes,
        content_type: str,
        name: str,
        judge: Judge | None = None,
        follow: bool = False,
        method: str = "POST",
    ) -> HttpAnswer | None:
        """One HTTP call; None (and a transport error counted) when no answer came."""
        try:
            return self.transport.post(url, body, content_type, name, follow, judge, method)
        except TransportError as exc:
            self.tally.transport_error(name, exc.kind, int(self.clock()))
            return None

    def record(
        self, name: str, answer: HttpAnswer, findings: Sequence[Finding], request: bytes
    ) -> None:
        evidence = None
        if findings:
            evidence = {
                "name": name,
                "request": body_text(request),
                "status": answer.status,
                "response": body_text(answer.body),
            }
        self.tally.exchange(name, answer.ms, int(self.clock()), findings, evidence)

    def fail(self, finding: Finding, **evidence: Any) -> None:
        """A fact the flow checked after its exchanges that did not hold."""
        self.tally.postcondition(finding, evidence)

    # --- notices --------------------------------------------------------------------------

    def notice(
        self, key: str, msg_type: str, requirement: str, what: str, **fields: str
    ) -> dict[str, Any] | None:
        """Wait for the ``msg_type`` notice filed under ``key``; a finding when none came."""
        trx = self.book.wait(key, lambda t: t.get("msgType") == msg_type and _has(t, fields),
                             NOTICE_WAIT_SECONDS)  # fmt: skip
        if trx is None:
            seen = self.book.wait(key, lambda t: t.get("msgType") == msg_type, 0)
            detail = f"; the one received carries {_subset(seen, fields)}" if seen else ""
            self.fail(
                Finding(requirement, "notice", f"no {msg_type} {what} with {fields}{detail}"),
                name=msg_type,
            )
        return trx


def _has(trx: Mapping[str, Any], fields: Mapping[str, str]) -> bool:
    for key, want in fields.items():
        got = trx.get(key)
        if key.endswith("Amt") and isinstance(got, str) and got.isdigit():
            if int(got) != int(want):
                return False
        elif got != want:
            return False
    return True


def _subset(trx: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    return {k: trx.get(k) for k in fields}
