"""Checks on result notices, from whichever side is under test."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ucsp.checks import ensure
from ucsp.checks.messages import (
    check_code,
    check_echo,
    check_fresh_msg_ids,
    check_msg_id,
    check_sent_message,
    check_timestamp,
)
from ucsp.checks.schedule import slot_window
from ucsp.journal import JournalEntry
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.target import Target

# --- a UCSP under test sends ---------------------------------------------------------------------


def check_notice_sent_by_ucsp(
    entry: JournalEntry,
    target: Target,
    msg_type: str,
    expected: Mapping[str, str],
    requirement: str,
) -> dict[str, Any]:
    """A notice the UCSP under test sent: valid, signed by UCSP, U-prefixed, with ``expected``."""
    keys = target.keys
    message = check_sent_message(
        entry.request,
        msg_type,
        "request",
        Party.UCSP,
        keys.certs_of(Party.UCSP),
        target.profile,
    )
    check_msg_id(message["msgInfo"], Party.UCSP, target.industry.code, "FMT-10")
    trx = message["trxInfo"]
    wrong = {k: (trx.get(k), v) for k, v in expected.items() if trx.get(k) != v}
    ensure(
        not wrong,
        requirement,
        f"{msg_type} fields differ from the transaction: "
        + ", ".join(f"{k} is {got!r}, expected {want!r}" for k, (got, want) in wrong.items()),
    )
    return message


def check_notice_target(url: str, expected: str, requirement: str = "NOT-01") -> None:
    """The notice reached the URL it should have been sent to (compared by path)."""
    got, want = urlsplit(url).path or "/", urlsplit(expected).path or "/"
    ensure(
        got == want,
        requirement,
        f"the notice was sent to {got!r}, expected {want!r} ({expected})",
    )


def check_transmission_count(
    count: int, expected: int, maximum: int, what: str = "the notice"
) -> None:
    """``what`` was transmitted ``expected`` times: fewer is a missing retry (NOT-03), more
    than the schedule allows breaks NOT-04, more after an acknowledgement NOT-03."""
    ensure(
        count <= maximum,
        "NOT-04",
        f"{what} was transmitted {count} times, at most {maximum} are allowed",
    )
    ensure(
        count >= expected,
        "NOT-03",
        f"{what} was transmitted {count} times, expected {expected}: an unacknowledged "
        "notice was not retransmitted",
    )
    ensure(
        count == expected,
        "NOT-03",
        f"{what} was transmitted {count} times, expected {expected}: it was sent again "
        "after it had been acknowledged",
    )


def check_retry_schedule(
    elapsed: Sequence[float],
    schedule: Sequence[float],
    early_tolerance: float,
    late_tolerance: float,
    slack: float,
    requirement: str = "NOT-04",
) -> None:
    """Transmissions (protocol seconds) keep to the schedule's absolute offsets from the
    first, each within its slot's window (:func:`ucsp.checks.schedule.slot_window`)."""
    ensure(
        len(elapsed) <= len(schedule),
        requirement,
        f"{len(elapsed)} transmissions, at most {len(schedule)} are allowed",
    )
    if not elapsed:
        return
    offsets = [moment - elapsed[0] for moment in elapsed]
    for number, (got, slot) in enumerate(zip(offsets, schedule, strict=False), start=1):
        low, high = slot_window(slot, (early_tolerance, late_tolerance), slack)
        ensure(
            low <= got <= high,
            requirement,
            f"transmission {number} came at {got:.2f} s after the first, outside "
            f"[{max(low, 0):.2f}, {high:.2f}] s for the slot at {slot:g} s "
            f"(all: {', '.join(f'{o:.2f}' for o in offsets)})",
        )


def check_same_trx(messages: Sequence[Mapping[str, Any]], requirement: str = "NOT-03") -> None:
    """Every transmission carries the first one's trxInfo."""
    if not messages:
        return
    first = messages[0].get("trxInfo")
    for number, message in enumerate(messages[1:], start=2):
        trx = message.get("trxInfo")
        ensure(
            trx == first,
            requirement,
            f"transmission {number} carries trxInfo {trx!r}, the first {first!r}",
        )


def check_fresh_envelopes(
    messages: Sequence[Mapping[str, Any]],
    received: Sequence[JournalEntry],
    profile: Profile,
    requirement: str = "FMT-11",
) -> None:
    """Each transmission has its own msgID and signature and a timeStamp of its own time."""
    check_fresh_msg_ids(list(messages), requirement)
    signatures = [str(m.get("certificateSignature", {}).get("signature")) for m in messages]
    ensure(
        len(set(signatures)) == len(signatures),
        requirement,
        "a signature is repeated across transmissions: the envelope was not rebuilt",
    )
    for message, entry in zip(messages, received, strict=True):
        check_timestamp(
            str(message.get("msgInfo", {}).get("timeStamp", "")),
            entry.wall,
            profile,
            requirement,
            "the timeStamp of a retransmission",
        )


# --- an Industry Service under test receives -----------------------------------------------------


def check_notice_answered_by_industry(
    entry: JournalEntry, target: Target, expected_code: str, requirement: str
) -> dict[str, Any]:
    """The Industry Service under test answered a notice: HTTP 200, valid, signed, echoing."""
    ensure(
        entry.status == 200,
        "TRN-04",
        f"the notice was answered HTTP {entry.status}, expected 200 with a signed response",
    )
    keys = target.keys
    message = check_sent_message(
        entry.response,
        entry.msg_type,
        "response",
        Party.INDUSTRY,
        keys.certs_of(Party.INDUSTRY),
        target.profile,
    )
    assert entry.response is not None  # check_sent_message refuses None
    check_echo(entry.request, entry.response)
    check_code(
        message["msgResponse"]["responseCode"],
        expected_code,
        requirement,
        f"the answer to the {entry.msg_type}",
    )
    return message


def check_record_unchanged(
    before: Mapping[str, Any], after: Mapping[str, Any], requirement: str
) -> None:
    """The Industry Service's record of an order is what it was before the notice."""
    changed = sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
    ensure(
        not changed,
        requirement,
        f"order {before.get('orderId')} changed after the notice: "
        + ", ".join(f"{k} {before.get(k)!r} -> {after.get(k)!r}" for k in changed),
    )


def check_no_record(status: int, order_id: str, requirement: str = "NOT-08") -> None:
    """The harness knows no order ``order_id`` (HTTP 404)."""
    ensure(
        status == 404,
        requirement,
        f"the harness answered HTTP {status} for order {order_id}, expected 404: "
        "the notice for an unknown order was recorded",
    )


def check_recorded(
    record: Mapping[str, Any],
    status: str,
    requirement: str,
    refunded_amt: str | None = None,
) -> None:
    """The harness record has ``status`` (and ``refundedAmt``, in minor units)."""
    wrong = []
    if record.get("status") != status:
        wrong.append(f"status {record.get('status')!r} (expected {status})")
    if refunded_amt is not None and str(record.get("refundedAmt")) != refunded_amt:
        wrong.append(f"refundedAmt {record.get('refundedAmt')!r} (expected {refunded_amt})")
    ensure(not wrong, requirement, f"order {record.get('orderId')} has " + ", ".join(wrong))


def notice_trx(entry: JournalEntry) -> dict[str, Any]:
    value = json.loads(entry.request).get("trxInfo", {})
    return value if isinstance(value, dict) else {}


def check_sent_again(count: int, order_id: str, requirement: str = "NOT-05") -> None:
    """A notice not acknowledged by a valid, signed, echoing 00 was transmitted again."""
    ensure(
        count >= 2,
        requirement,
        f"the notice of {order_id} was not sent again after an answer other than a "
        "valid, signed, echoing 00",
    )
