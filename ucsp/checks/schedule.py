"""The one window rule for attempts on the PROTOCOL.md section 7 schedule."""

from __future__ import annotations

# Measurement jitter can make an attempt look a little early; it is allowed at most this
# fraction of the slot's offset, so a burst of attempts at once never fits an early slot.
EARLY_JITTER_FRACTION = 0.1


def slot_window(offset: float, tolerance: tuple[float, float], slack: float) -> tuple[float, float]:
    """(earliest, latest) protocol time at which the attempt of slot ``offset`` may go out.

    ``tolerance`` is (early, late) as fractions of the offset (0.2, 0.2: 80% to 120%).
    ``slack`` (protocol seconds) absorbs transport and scheduling delay: in full on the late
    side, and on the early side only up to ``EARLY_JITTER_FRACTION`` of the offset.
    """
    early, late = tolerance
    early_slack = min(slack, offset * EARLY_JITTER_FRACTION)
    return offset * (1 - early) - early_slack, offset * (1 + late) + slack
