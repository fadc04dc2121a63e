"""Checks on frontend payments: order rules, the sandbox cashier, the Industry Service harness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.checks import ensure


def _amount(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def check_same_answer(
    first_code: str | None,
    first_trx: Mapping[str, Any],
    code: str | None,
    trx: Mapping[str, Any],
    requirement: str = "PAY-02",
) -> None:
    """A resubmission is answered with the first answer's code and trxInfo."""
    ensure(
        code == first_code,
        requirement,
        f"the resubmission is answered {code!r}, the first submission {first_code!r}",
    )
    differs = sorted(k for k in {*first_trx, *trx} if first_trx.get(k) != trx.get(k))
    ensure(
        not differs,
        requirement,
        "the resubmission's trxInfo differs from the first answer's in "
        + ", ".join(f"{k} ({first_trx.get(k)!r} then {trx.get(k)!r})" for k in differs),
    )


def check_not_created(inquiry_code: str | None, order_id: str, requirement: str) -> None:
    """An inquiry about an order that must not exist is answered 34."""
    ensure(
        inquiry_code == "34",
        requirement,
        f"an inquiry about the rejected order {order_id} is answered {inquiry_code!r}, "
        "expected 34: the order was created",
    )


def check_order_as_first_submitted(
    inquiry_code: str | None,
    answer: Mapping[str, Any],
    txn_amt: str,
    currency: str,
    txn_status: str,
    requirement: str = "PAY-03",
) -> None:
    """An inquiry shows the order with its first content and the expected status."""
    ensure(
        inquiry_code == "00",
        requirement,
        f"an inquiry about the first order is answered {inquiry_code!r}, expected 00",
    )
    wrong = []
    if _amount(answer.get("txnAmt")) != _amount(txn_amt):
        wrong.append(f"txnAmt {answer.get('txnAmt')!r} (first submitted {txn_amt})")
    if "currencyCode" in answer and answer.get("currencyCode") != currency:
        wrong.append(f"currencyCode {answer.get('currencyCode')!r} (first submitted {currency})")
    if answer.get("txnStatus") != txn_status:
        wrong.append(f"txnStatus {answer.get('txnStatus')!r} (expected {txn_status})")
    ensure(not wrong, requirement, "the first order has changed: " + ", ".join(wrong))


def check_hook_status(status: int, expected: int, what: str, requirement: str = "PAY-06") -> None:
    """A sandbox hook answered the expected HTTP status."""
    ensure(status == expected, requirement, f"{what} answered HTTP {status}, expected {expected}")


def check_cashier_answer(
    data: Mapping[str, Any],
    order_id: str,
    result: str,
    acknowledged: bool,
    requirement: str = "PAY-06",
) -> None:
    """The cashier's 200 JSON: {orderId, result, noticeAcknowledged} of this payment."""
    expected = {"orderId": order_id, "result": result, "noticeAcknowledged": acknowledged}
    wrong = {k: data.get(k) for k, v in expected.items() if data.get(k) != v}
    ensure(
        not wrong,
        requirement,
        f"the cashier answered {dict(data)!r}, expected {expected!r}",
    )


def check_html_form(
    status: int, content_type: str, text: str, what: str, requirement: str = "PAY-06"
) -> None:
    """A GET on a sandbox hook shows a small HTML form."""
    check_hook_status(status, 200, what, requirement)
    ensure(
        content_type.split(";", 1)[0].strip().lower() == "text/html",
        requirement,
        f"{what} has content type {content_type!r}, expected text/html",
    )
    ensure("<form" in text.lower(), requirement, f"{what} holds no HTML form")


def check_submission(
    trx: Mapping[str, Any], expected: Mapping[str, str], requirement: str = "PAY-07"
) -> None:
    """The SUBMIT_PAYMENT_ORDER the Industry Service sent carries the expected values."""
    wrong = {
        k: trx.get(k)
        for k, v in expected.items()
        if (_amount(trx.get(k)) != _amount(v) if k == "txnAmt" else trx.get(k) != v)
    }
    ensure(
        not wrong,
        requirement,
        "SUBMIT_PAYMENT_ORDER carries "
        + ", ".join(f"{k} {got!r} (expected {expected[k]!r})" for k, got in wrong.items()),
    )


def check_one_new_order(
    order_ids: Sequence[str], order_id: str, requirement: str = "PAY-07"
) -> None:
    """``order_id`` was sent exactly once and no two submissions share an orderId."""
    count = order_ids.count(order_id)
    ensure(
        count == 1,
        requirement,
        f"{count} SUBMIT_PAYMENT_ORDER requests carry the orderId {order_id!r} the harness "
        "reported, expected exactly 1",
    )
    repeated = sorted({i for i in order_ids if order_ids.count(i) > 1})
    ensure(not repeated, requirement, f"orderId reused across orders: {', '.join(repeated)}")


def check_harness_mirrors(
    harness: Mapping[str, Any], ucsp_answer: Mapping[str, Any], requirement: str = "PAY-07"
) -> None:
    """The harness reports the UCSP's answer: responseCode, and tn and paymentUrl when given."""
    response = ucsp_answer.get("msgResponse")
    trx = ucsp_answer.get("trxInfo")
    expected: dict[str, Any] = {
        "responseCode": response.get("responseCode") if isinstance(response, dict) else None
    }
    for key in ("tn", "paymentUrl"):
        if isinstance(trx, dict) and key in trx:
            expected[key] = trx[key]
    wrong = {k: harness.get(k) for k, v in expected.items() if harness.get(k) != v}
    ensure(
        not wrong,
        requirement,
        "the harness reports "
        + ", ".join(f"{k} {got!r} where UCSP answered {expected[k]!r}" for k, got in wrong.items()),
    )


def check_harness_error(
    status: int,
    data: Mapping[str, Any],
    expected_status: int,
    with_order_id: bool = False,
    requirement: str = "PAY-09",
) -> None:
    """A harness error: the expected HTTP status and {"error": ...} (plus orderId on 424)."""
    ensure(
        status == expected_status,
        requirement,
        f"the harness answered HTTP {status}, expected {expected_status}",
    )
    ensure(
        isinstance(data.get("error"), str) and bool(data.get("error")),
        requirement,
        f'the harness error body {dict(data)!r} has no "error" text',
    )
    if with_order_id:
        order_id = data.get("orderId")
        ensure(
            isinstance(order_id, str) and bool(order_id),
            requirement,
            f"the harness's {expected_status} body {dict(data)!r} does not name the orderId "
            "of the order it created",
        )


def check_harness_reports_or_refuses(
    status: int,
    data: Mapping[str, Any],
    ucsp_answer: Mapping[str, Any],
    requirement: str = "PAY-09",
) -> None:
    """An answer the IS may take for a valid one or not (one naming another orderId): the
    harness either reports it (HTTP 200 mirroring it) or answers 424 with an error and the
    orderId; both are right, anything else is not."""
    if status == 200:
        check_harness_mirrors(data, ucsp_answer, requirement)
    else:
        check_harness_error(status, data, 424, with_order_id=True, requirement=requirement)


def check_nothing_sent(count: int, msg_type: str, requirement: str = "PAY-09") -> None:
    """The Industry Service sent no message of ``msg_type``."""
    ensure(
        count == 0,
        requirement,
        f"the Industry Service sent {count} {msg_type} after a refused harness call",
    )
