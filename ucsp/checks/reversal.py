"""Checks on cancellations and refunds: answers, notices, refund inquiries, recorded state.

Amounts are compared by value (``"0100"`` is ``"100"``); every other field exactly. The
requirement each check enforces is a parameter where a scenario may check the same fact for
different rules (e.g. CAN-03 or REF-05 for a 36 answer).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ucsp.checks import RequirementViolation, ensure

TXN_STATUS = {"SUCCEEDED": "00", "FAILED": "01", "PENDING": "05"}


def amount_of(value: Any) -> int | None:
    """The value of a minor-unit amount string, None when it is not one."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _differences(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    wrong = []
    for key, want in expected.items():
        got = actual.get(key)
        same = amount_of(got) == amount_of(want) if key == "txnAmt" else got == want
        if not same:
            wrong.append(f"{key} is {got!r}, expected {want!r}")
    return wrong


def check_reversal_answer(
    code: str | None,
    trx: Mapping[str, Any],
    expected_code: str,
    order_id: str,
    msg_type: str,
    requirement: str,
) -> None:
    """UCSP's answer to a cancellation or refund: the expected code, the request's orderId,
    and a queryId when the code is 00."""
    ensure(
        code == expected_code,
        requirement,
        f"the answer to {msg_type} {order_id} carries code {code!r}, expected {expected_code}",
    )
    ensure(
        trx.get("orderId") == order_id,
        requirement,
        f"the answer to {msg_type} names orderId {trx.get('orderId')!r}, expected {order_id!r}",
    )
    if code == "00":
        query_id = trx.get("queryId")
        ensure(
            isinstance(query_id, str) and bool(query_id),
            requirement,
            f"the 00 answer to {msg_type} {order_id} carries no queryId",
        )


def check_reversal_notice(
    trx: Mapping[str, Any], expected: Mapping[str, str], requirement: str = "NOT-02"
) -> None:
    """A cancellation's or refund's notice: its own orderId, queryId, txnAmt and txnTime, the
    original's queryId as origQryId and the original's currency (``expected``)."""
    wrong = _differences(trx, expected)
    query_id = trx.get("queryId")
    if not (isinstance(query_id, str) and query_id):
        wrong.append("queryId is missing")
    elif query_id == trx.get("origQryId"):
        wrong.append(f"queryId {query_id!r} is the original's, not the transaction's own")
    ensure(
        not wrong,
        requirement,
        f"the PAYMENT_RESULT_NOTICE of {trx.get('txnType')} {expected.get('orderId')}: "
        + "; ".join(wrong),
    )


def check_refund_inquiry(
    code: str | None,
    trx: Mapping[str, Any],
    expected: Mapping[str, str],
    settled: bool = False,
    requirement: str = "INQ-02",
) -> None:
    """REFUND_RESULT_INQUIRY answered 00 with orderId, origQryId, queryId, txnAmt and
    txnStatus as ``expected``. ``settled``: the transaction was pending but its success notice
    has arrived since, so txnStatus 00 is as right as the expected 05."""
    order_id = expected.get("orderId")
    ensure(
        code == "00",
        requirement,
        f"REFUND_RESULT_INQUIRY about {order_id} is answered {code!r}, expected 00",
    )
    wanted = dict(expected)
    if settled and trx.get("txnStatus") == "00" and wanted.get("txnStatus") == "05":
        wanted["txnStatus"] = "00"
    wrong = _differences(trx, wanted)
    if not (isinstance(trx.get("queryId"), str) and trx.get("queryId")):
        wrong.append("queryId is missing")
    ensure(not wrong, requirement, f"REFUND_RESULT_INQUIRY about {order_id}: " + "; ".join(wrong))


def check_not_created(
    inquiry_code: str | None,
    answer: Mapping[str, Any],
    refused: Mapping[str, str],
    requirement: str,
) -> None:
    """A refund inquiry about a refused cancellation or refund is answered 34. A 00 answer
    showing the refused request (its txnAmt and origQryId) means it was recorded after all
    (``requirement``); any other answer is the inquiry's own fault (INQ-03)."""
    if inquiry_code == "34":
        return
    order_id = refused.get("orderId")
    recorded = inquiry_code == "00" and not _differences(
        answer, {k: v for k, v in refused.items() if k in ("txnAmt", "origQryId")}
    )
    ensure(
        not recorded,
        requirement,
        f"REFUND_RESULT_INQUIRY about the refused {order_id} shows it recorded "
        f"(txnStatus {answer.get('txnStatus')!r}), expected 34",
    )
    raise RequirementViolation(
        "INQ-03",
        f"REFUND_RESULT_INQUIRY about the refused, never recorded {order_id} is answered "
        f"{inquiry_code!r}, expected 34",
    )


def check_sent_reversal(
    sent: Collection[Mapping[str, Any]],
    msg_type: str,
    expected: Mapping[str, str],
    other_order_ids: Collection[str],
    requirement: str,
) -> None:
    """The IS sent exactly one ``msg_type`` with the harness's orderId, that orderId new, and
    the expected origQryId and txnAmt (``sent``: the trxInfo of each request with it)."""
    order_id = expected.get("orderId", "")
    ensure(
        len(sent) == 1,
        requirement,
        f"the Industry Service sent {len(sent)} {msg_type} with the orderId {order_id!r} its "
        "harness reported, expected 1",
    )
    ensure(
        order_id not in other_order_ids,
        requirement,
        f"the {msg_type} reuses orderId {order_id!r} of another order instead of a new one",
    )
    trx = next(iter(sent))
    wrong = _differences(trx, expected)
    ensure(not wrong, requirement, f"the {msg_type} {order_id}: " + "; ".join(wrong))


def check_harness_mirrors(
    harness: Mapping[str, Any], ucsp_code: str | None, msg_type: str, requirement: str
) -> None:
    """The harness answers {orderId, responseCode} with the code UCSP answered."""
    ensure(
        isinstance(harness.get("orderId"), str) and bool(harness.get("orderId")),
        requirement,
        f"the harness's answer {dict(harness)!r} names no orderId",
    )
    ensure(
        harness.get("responseCode") == ucsp_code,
        requirement,
        f"the harness reports responseCode {harness.get('responseCode')!r} where UCSP answered "
        f"the {msg_type} with {ucsp_code!r}",
    )


def check_recorded(
    record: Mapping[str, Any], status: str, requirement: str, settled: bool = False
) -> None:
    """The IS records the order (harness GET /harness/orders) with ``status``. ``settled``:
    UCSP had already told the IS of the order's success (notice, or inquiry answered 00), so
    SUCCEEDED is as right as an expected PENDING."""
    got = record.get("status")
    ensure(
        got == status or (settled and status == "PENDING" and got == "SUCCEEDED"),
        requirement,
        f"order {record.get('orderId')!r} is recorded as {got!r}, expected {status}",
    )


def refunded_state(txn_amt: str, left: int) -> tuple[str, str]:
    """(status, refundedAmt) of a payment of ``txn_amt`` with ``left`` not yet refunded."""
    total = amount_of(txn_amt) or 0
    refunded = total - left
    if refunded <= 0:
        return "SUCCEEDED", "0"
    return ("REFUNDED" if left <= 0 else "PARTIALLY_REFUNDED"), str(refunded)


def check_refunded(record: Mapping[str, Any], txn_amt: str, left: int, requirement: str) -> None:
    """The IS records a payment with ``left`` not yet refunded: refundedAmt is the rest, the
    status SUCCEEDED (nothing refunded), PARTIALLY_REFUNDED or REFUNDED (all refunded)."""
    status, refunded = refunded_state(txn_amt, left)
    got = (record.get("status"), record.get("refundedAmt"))
    ensure(
        got == (status, refunded),
        requirement,
        f"payment {record.get('orderId')!r} of {txn_amt} is recorded as {got[0]!r} with "
        f"refundedAmt {got[1]!r}, expected {status} with {refunded!r}",
    )


def check_cancelled(record: Mapping[str, Any], requirement: str = "CAN-05") -> None:
    """The IS records a cancelled payment: CANCELLED, nothing refunded."""
    got = (record.get("status"), record.get("refundedAmt"))
    ensure(
        got == ("CANCELLED", "0"),
        requirement,
        f"payment {record.get('orderId')!r} is recorded as {got[0]!r} with refundedAmt "
        f"{got[1]!r} after its cancellation succeeded, expected CANCELLED with '0'",
    )


def check_no_notice(count: int, order_id: str, requirement: str) -> None:
    """No result notice of a declined transaction."""
    ensure(
        count == 0,
        requirement,
        f"{count} PAYMENT_RESULT_NOTICE of the declined {order_id} arrived, expected none",
    )


def check_refunds_made(count: int, requirement: str) -> None:
    """The scenario asked for at least one refund."""
    ensure(count > 0, requirement, "no refund was asked for in this scenario")


def check_harness_accepted(
    status: int, data: Mapping[str, Any], word: str, order_id: str, requirement: str
) -> None:
    """The harness took a cancellation or refund of ``order_id``: HTTP 200."""
    ensure(
        status == 200,
        requirement,
        f"the harness answered HTTP {status} {dict(data)!r} to a {word} of {order_id}, "
        "expected {orderId, responseCode}",
    )


def check_query_id(
    code: str | None, trx: Mapping[str, Any], msg_type: str, order_id: str, requirement: str
) -> str:
    """An inquiry about ``order_id`` is answered 00 with a queryId; that queryId."""
    value = trx.get("queryId")
    ensure(
        code == "00" and isinstance(value, str) and bool(value),
        requirement,
        f"{msg_type} about {order_id} is answered {code!r} without a queryId",
    )
    return str(value)
