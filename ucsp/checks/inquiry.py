"""Checks on result inquiries: their schedule, their content, and the answers to them.

Times are protocol seconds (the time PROTOCOL.md section 7 is written in), measured from the
answer (or failure) that started the inquiries. A window is the profile's tolerance around a
slot (no earlier than ``1 - early`` of it, no later than ``1 + late`` of it) widened by the
measuring slack on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.checks import ensure
from ucsp.checks.schedule import slot_window
from ucsp.codes import REFUSALS
from ucsp.errors import RequirementViolation
from ucsp.messages import MsgType, TxnType

# the inquiry an Industry Service asks about a transaction of each type
INQUIRY_TYPE: dict[TxnType, MsgType] = {
    TxnType.PAYMENT: MsgType.PAYMENT_RESULT_INQUIRY,
    TxnType.AUTO_DEBIT: MsgType.PAYMENT_RESULT_INQUIRY,
    TxnType.CANCELLATION: MsgType.REFUND_RESULT_INQUIRY,
    TxnType.REFUND: MsgType.REFUND_RESULT_INQUIRY,
}
FINAL_TXN_STATUSES = ("00", "01")


def requirement_for_answer(kind: TxnType, code: str | None) -> str:
    """The rule that decides an IS order's status after UCSP answered its creating request.

    ``code`` None means no valid answer (time-out, non-200, malformed, badly signed, no echo).
    """
    if kind not in INQUIRY_TYPE:
        raise ValueError(f"unknown order kind {kind!r}")
    if code is None:
        return "RC-05"
    if code == "05":
        return "RC-04"
    if code == "00":
        return "RC-01" if kind is TxnType.PAYMENT else "RC-02"
    if code in REFUSALS:
        return "RC-03"
    raise ValueError(f"{code!r} is not a code UCSP answers an order-creating request with")


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def check_schedule(
    offsets: Sequence[float],
    expected: Sequence[float],
    tolerance: tuple[float, float],
    slack: float,
    *,
    busy_until: Sequence[float] | None = None,
    count: int | None = None,
    requirement: str = "INQ-05",
    what: str = "inquiry",
) -> None:
    """Attempts observed at ``offsets`` follow the ``expected`` schedule.

    - at most ``len(expected)`` attempts, and exactly ``count`` when given;
    - attempt *i* no earlier than its slot's window opens and no later than it closes, or,
      when attempt *i - 1* was still busy after the slot (``busy_until[i - 1]``, e.g. an
      exchange that timed out), no later than ``slack`` after that: a slot already passed
      is used at once.

    ``tolerance`` is ``(early, late)`` as fractions of each offset (0.2, 0.2 for 80%..120%);
    ``slack`` widens every window by that many protocol seconds on both sides.
    """
    if busy_until is not None and len(busy_until) != len(offsets):
        raise ValueError("busy_until needs one end time per observed attempt")
    shown = ", ".join(_seconds(o) for o in offsets) or "none"
    slots = ", ".join(f"{o:g}" for o in expected)
    ensure(
        len(offsets) <= len(expected),
        requirement,
        f"{len(offsets)} {what} attempts went out, at most {len(expected)} are allowed "
        f"(offsets {slots} s); observed at {shown}",
    )
    if count is not None:
        ensure(
            len(offsets) == count,
            requirement,
            f"expected {count} {what} attempts on the schedule ({slots} s), observed "
            f"{len(offsets)} at {shown}",
        )
    for index, (offset, slot) in enumerate(zip(offsets, expected, strict=False)):
        earliest, latest = slot_window(slot, tolerance, slack)
        if index > 0 and busy_until is not None:
            latest = max(latest, busy_until[index - 1] + slack)
        ensure(
            offset >= earliest,
            requirement,
            f"{what} #{index + 1} went out at {_seconds(offset)}, before its slot of "
            f"{slot:g} s allows ({_seconds(earliest)} at the earliest); observed at {shown}",
        )
        ensure(
            offset <= latest,
            requirement,
            f"{what} #{index + 1} went out at {_seconds(offset)}, after its slot of "
            f"{slot:g} s allows ({_seconds(latest)} at the latest); observed at {shown}",
        )


def check_inquiry_request(
    message: Mapping[str, Any],
    msg_type: str,
    order_id: str,
    txn_time: str,
    requirement: str = "INQ-04",
) -> None:
    """An inquiry the IS sent is of ``msg_type`` and names the order's orderId and txnTime."""
    info = message.get("msgInfo")
    trx = message.get("trxInfo")
    sent_type = info.get("msgType") if isinstance(info, Mapping) else None
    ensure(
        sent_type == msg_type,
        requirement,
        f"the IS inquired about order {order_id} with {sent_type}, expected {msg_type}",
    )
    fields = trx if isinstance(trx, Mapping) else {}
    ensure(
        fields.get("orderId") == order_id,
        requirement,
        f"the {msg_type} names orderId {fields.get('orderId')!r}, expected {order_id}",
    )
    ensure(
        fields.get("txnTime") == txn_time,
        requirement,
        f"the {msg_type} about order {order_id} gives txnTime {fields.get('txnTime')!r}, "
        f"expected the order's txnTime {txn_time}",
    )


def check_goes_on_after(
    answers: Sequence[str],
    finals: Sequence[bool],
    observed: int,
    limit: int,
    requirement: str = "INQ-07",
) -> None:
    """After each inquiry answered without a final result another inquiry went out.

    ``answers[i]`` describes the answer to inquiry *i + 1* and ``finals[i]`` says whether it
    ends the loop (txnStatus 00 or 01, or code 34); ``observed`` inquiries were seen and at
    most ``limit`` are allowed.
    """
    if len(answers) != len(finals):
        raise ValueError("answers and finals must have the same length")
    for index, (answer, final) in enumerate(zip(answers, finals, strict=True)):
        number = index + 1
        if final or number >= limit or number > observed:
            return
        ensure(
            observed > number,
            requirement,
            f"inquiry #{number} was answered with {answer} and no further inquiry went "
            f"out: the inquiries must go on at their scheduled slots",
        )


def check_no_inquiry(
    offsets: Sequence[float], what: str, requirement: str, since: str = "the answer"
) -> None:
    """No inquiry went out (``offsets``: those observed after the event ``since``)."""
    ensure(
        not offsets,
        requirement,
        f"{len(offsets)} inquiry(ies) went out after {since} (at "
        + ", ".join(_seconds(o) for o in offsets)
        + f"): {what}",
    )


def check_order_status(
    recorded: str | None, expected: str, order_id: str, requirement: str
) -> None:
    """The SUT records the order with the expected status."""
    ensure(
        recorded == expected,
        requirement,
        f"order {order_id} is recorded as {recorded}, expected {expected}",
    )


def check_inquiry_answer(
    code: str | None,
    trx: Mapping[str, Any],
    msg_type: str,
    expected: Mapping[str, str],
    requirement: str = "INQ-01",
    *,
    settled: bool = False,
) -> None:
    """A UCSP's 00 answer to an inquiry: the order's fields, a queryId, the expected status.

    ``expected`` maps field names to values (orderId, txnAmt, currencyCode, txnStatus, ...);
    txnAmt is compared as an amount (leading zeros tolerated). ``settled``: a transaction
    expected pending (txnStatus 05) has succeeded since (its success notice came), so 00 is
    as right as 05.
    """
    if settled and expected.get("txnStatus") == "05" and trx.get("txnStatus") == "00":
        expected = {**expected, "txnStatus": "00"}
    ensure(
        code == "00",
        requirement,
        f"the answer to {msg_type} carries response code {code!r}, expected 00",
    )
    query_id = trx.get("queryId")
    ensure(
        isinstance(query_id, str) and bool(query_id),
        requirement,
        f"the answer to {msg_type} carries no queryId",
    )
    wrong = []
    for name, want in expected.items():
        got = trx.get(name)
        if name == "txnAmt" and isinstance(got, str) and got.isdigit() and want.isdigit():
            same = int(got) == int(want)
        else:
            same = got == want
        if not same:
            wrong.append(f"{name} is {got!r}, expected {want!r}")
    if wrong:
        raise RequirementViolation(
            requirement, f"the answer to {msg_type} differs from the order: " + "; ".join(wrong)
        )


# --- an Industry Service's inquiries and the requests it forwards -----------------------------


def check_inquired(came: bool, order_id: str, within: float, requirement: str) -> None:
    """An inquiry about ``order_id`` came within ``within`` protocol seconds of the answer."""
    ensure(
        came,
        requirement,
        f"no inquiry about order {order_id} came within {within:.1f} protocol s of the answer",
    )


def check_inquiries_due(
    seen: int, count: int, order_id: str, requirement: str, none_rule: str, why: str
) -> None:
    """``count`` inquiries about ``order_id`` came: fewer break ``requirement``, none at all
    ``none_rule`` (the rule of what should have started them)."""
    ensure(
        seen >= count,
        requirement if seen else none_rule,
        f"{seen} inquiries about order {order_id} came, {count} were due: {why}",
    )


def check_harness_forwarded(
    status: int, report: Mapping[str, Any], msg_type: str, requirement: str
) -> None:
    """The harness had the IS send ``msg_type``: HTTP 200, or 424 (UCSP gave no valid answer)."""
    ensure(
        status in (200, 424),
        requirement,
        f"the IS did not forward the {msg_type} the harness asked for: HTTP "
        f"{status} {report.get('error', '')!r}; it must leave the decision to UCSP",
    )


def check_query_id_recorded(
    record: Mapping[str, Any], order_id: str, msg_type: str, status: int
) -> None:
    """The IS recorded the queryId of ``order_id``'s success notice (PAY-08), without which it
    cannot send ``msg_type`` (the harness answered HTTP ``status``)."""
    ensure(
        bool(record.get("queryId")),
        "PAY-08",
        f"order {order_id} is {record.get('status')} but has no queryId, so the IS cannot send "
        f"a {msg_type} (harness answered HTTP {status}): the queryId of the success notice was "
        "not recorded",
    )


def check_forwarded_as_asked(
    sent: Mapping[str, Any] | None,
    msg_type: str,
    expected: Mapping[str, str],
    harness_status: int,
    requirement: str = "RC-06",
) -> None:
    """The IS forwarded ``msg_type`` (``sent``: the trxInfo of the last such request, None when
    none came) with the ``expected`` values."""
    ensure(
        sent is not None,
        requirement,
        f"the IS did not forward the {msg_type} the harness asked for (harness answered "
        f"HTTP {harness_status})",
    )
    assert sent is not None
    wrong = {k: sent.get(k) for k, v in expected.items() if sent.get(k) != v}
    ensure(not wrong, requirement, f"the {msg_type} is not as the harness asked: {wrong}")


def check_signing_redirect(status: int, location: str, contract_id: str, requirement: str) -> None:
    """The signing page answered the user's signature with a redirect (HTTP 302) naming the
    contract (``contract_id``: the contractId of its ``location``)."""
    ensure(status == 302 and bool(contract_id), requirement, f"signing hook: {location!r}")
