"""The inquiry schedule, as the suite watches it, names each wait for the live progress."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from ucsp.clock import FakeClock
from ucsp.journal import Journal
from ucsp.messages import TxnType
from ucsp.sides.inquiry_schedule import InquiryWatch, Tracked
from ucsp.sides.result import Order

SCHEDULE = (0.0, 15.0, 45.0, 105.0, 225.0, 465.0, 945.0)


def _watch(clock: FakeClock) -> InquiryWatch:
    profile = SimpleNamespace(schedule=SCHEDULE, early_tolerance=0.0, late_tolerance=0.0)
    target = SimpleNamespace(time_scale=0.01, timing_slack=0.05, profile=profile, sut_timeout=10.0)
    side = SimpleNamespace(
        target=target,
        d=SimpleNamespace(clock=clock),
        sleep=clock.advance,
        journal=Journal(),
    )
    return InquiryWatch(cast(Any, side))


def test_watching_the_schedule_announces_each_inquiry_and_the_end_of_each_wait(
    announced: list[tuple[str | None, float | None]],
) -> None:
    clock = FakeClock()
    watch = _watch(clock)
    order = Order("ORD1", "10000", "156", "20260115103000", code="05")
    watch.observe_course(Tracked(order, TxnType.PAYMENT, 0.0, 0.0, 200), [])
    phrases = [what for what, _ in announced]
    assert phrases[:4] == ["inquiry 1 of 7", None, "inquiry 2 of 7", None]
    assert phrases[-2:] == ["inquiry 7 of 7", None]
    within = dict(a for a in announced if a[0] is not None)
    # real seconds from the close of slot 1's window (+5 s) to that of slot 2's (+20 s)
    assert within["inquiry 2 of 7"] == pytest.approx(0.15)
    assert clock.elapsed() >= SCHEDULE[-1]
