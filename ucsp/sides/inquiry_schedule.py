"""An Industry Service's inquiries about one order, as they reach the suite playing UCSP: when
each came on the back-off schedule, and how long the suite waits to see them.

Times are protocol seconds from the suite's answer to the request that created the order (the
suite's own processing time is not charged to the IS; a request left unanswered counts from
its arrival, and the schedule starts at the IS's time-out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ucsp import activity
from ucsp.checks.schedule import slot_window
from ucsp.journal import JournalEntry
from ucsp.messages import INQUIRY_TYPES, TxnType
from ucsp.sides.inquiry_answers import Answer
from ucsp.sides.result import Order

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest


@dataclass(frozen=True)
class Tracked:
    """An order whose creating request the scenario made the IS send, and watched."""

    order: Order
    kind: TxnType
    anchor: float  # protocol time the suite answered the creating request (or got it)
    grace: float  # protocol seconds between that and the start of the schedule
    harness_status: int  # what the IS harness answered

    @property
    def start(self) -> float:
        """Protocol time the inquiry schedule of the order starts at (at the latest)."""
        return self.anchor + self.grace


@dataclass(frozen=True)
class Observation:
    """The inquiries about one order, as they reached the suite, and the answers scripted for
    them."""

    entries: list[JournalEntry]
    offsets: list[float]  # protocol seconds from the start of the schedule
    busy_until: list[float]  # when each inquiry's exchange was over (same origin)
    answers: list[Answer]

    @property
    def messages(self) -> list[Mapping[str, Any]]:
        return [e.message for e in self.entries]


class InquiryWatch:
    """The inquiries the Industry Service under test sends, on the journal of the suite."""

    def __init__(self, side: IndustryUnderTest) -> None:
        self.side = side

    # --- time -------------------------------------------------------------------------------

    @property
    def slack(self) -> float:
        """The target's timing slack (real seconds) in protocol seconds."""
        target = self.side.target
        return target.timing_slack / target.time_scale

    @property
    def tolerance(self) -> tuple[float, float]:
        profile = self.side.target.profile
        return profile.early_tolerance, profile.late_tolerance

    @property
    def schedule(self) -> tuple[float, ...]:
        return tuple(self.side.target.profile.schedule)

    def latest(self, index: int) -> float:
        """The latest offset slot ``index`` allows (one slack past the last slot beyond it)."""
        if index < len(self.schedule):
            return slot_window(self.schedule[index], self.tolerance, self.slack)[1]
        return slot_window(self.schedule[-1], self.tolerance, self.slack)[1] + self.slack

    def now(self) -> float:
        return self.side.d.clock.elapsed()

    def sleep_until(self, moment: float, what: str | None = None) -> None:
        """Let protocol time pass until ``moment``, announcing ``what`` is awaited meanwhile."""
        seconds = moment - self.now()
        if what is None or seconds <= 0 or not activity.listening():
            self.side.sleep(seconds)
            return
        activity.waiting(what, seconds * self.side.target.time_scale)
        try:
            self.side.sleep(seconds)
        finally:
            activity.done()

    def inquiry_phrase(self, index: int) -> str:
        """``inquiry 2 of 7`` for slot ``index`` (counting from 0), for the live progress."""
        if index < len(self.schedule):
            return f"inquiry {index + 1} of {len(self.schedule)}"
        return "the end of the inquiry schedule"

    # --- the inquiries ----------------------------------------------------------------------

    def inquiries(self, order: Order) -> list[JournalEntry]:
        """Inquiries (of either type) about ``order`` that reached the suite, in order."""
        return [
            e
            for e in self.side.journal.entries
            if e.direction == "in"
            and e.msg_type in INQUIRY_TYPES
            and e.trx.get("orderId") == order.order_id
        ]

    def wait_inquiries(self, order: Order, count: int, until: float) -> list[JournalEntry]:
        """Inquiries about ``order``, once ``count`` arrived or at protocol time ``until``."""
        real = max(0.0, (until - self.now()) * self.side.target.time_scale)
        journal = self.side.journal
        what = self.inquiry_phrase(count - 1)
        self.side.call(journal.wait_for(lambda _: len(self.inquiries(order)) >= count, real, what))
        return self.inquiries(order)

    def due(self, tracked: Tracked, count: int) -> list[JournalEntry]:
        """The inquiries about the order once ``count`` came, or the window of the ``count``-th
        has closed."""
        until = tracked.start + self.latest(count - 1)
        return self.wait_inquiries(tracked.order, count, until)

    def first_inquiry(self, tracked: Tracked) -> JournalEntry | None:
        """The first inquiry about the order, waited for until its slot's window closes."""
        found = self.due(tracked, 1)
        return found[0] if found else None

    def observe_course(self, tracked: Tracked, answers: list[Answer]) -> Observation:
        """Every inquiry about the order until the last slot's window has closed (later when
        answers that never come push the last inquiry past its slot)."""
        timeout = self.side.target.sut_timeout  # how long the IS waits for an answer
        due = done = 0.0
        for index, slot in enumerate(self.schedule):
            due = max(slot, done)  # a slot already passed is used at once
            silent = index < len(answers) and answers[index].silent
            done = due + (timeout if silent else 0.0)
        end = tracked.start + max(self.latest(len(self.schedule) - 1), done + self.slack)
        for index in range(len(self.schedule)):
            self.sleep_until(
                min(end, tracked.start + self.latest(index)), self.inquiry_phrase(index)
            )
        self.sleep_until(end, self.inquiry_phrase(len(self.schedule)))
        return self.observation(tracked, answers)

    def observation(self, tracked: Tracked, answers: list[Answer]) -> Observation:
        timeout = self.side.target.sut_timeout  # how long the IS waits for an answer
        start = tracked.anchor
        entries = self.inquiries(tracked.order)
        offsets = [e.elapsed - start for e in entries]
        # an exchange is over when the suite's answer went out (its own processing time is not
        # the IS's delay), or, unanswered, when the IS's time-out ran out
        busy = [(e.elapsed + timeout if e.status is None else e.settled) - start for e in entries]
        return Observation(entries, offsets, busy, list(answers))

    def inquiries_until(self, order: Order, moment: float) -> int:
        """How many inquiries about ``order`` reached the suite at or before ``moment``."""
        return sum(1 for e in self.inquiries(order) if e.elapsed <= moment)

    def inquiries_after(self, tracked: Tracked, since: float, seen: int = 0) -> list[float]:
        """Offsets of the inquiries after protocol time ``since``, waited for until the window
        of the next slot has closed: the ``seen``-th (counting from 0), or later when more
        inquiries than that came by ``since`` (one of that time journaled late extends the
        wait), so the count does not depend on when the caller looked."""
        order, waited = tracked.order, -1
        while waited != (slot := max(seen, self.inquiries_until(order, since))):
            waited = slot
            self.sleep_until(tracked.start + self.latest(slot), self.inquiry_phrase(slot))
        start = tracked.anchor
        return [e.elapsed - start for e in self.inquiries(order) if e.elapsed > since]
