"""Unit tests of the payment checks (ucsp/checks/payment.py): pure inputs, each check shown to
pass on a good input and to raise the right requirement on a bad one."""

from __future__ import annotations

from typing import Any

import pytest

from ucsp.checks.payment import (
    check_cashier_answer,
    check_harness_error,
    check_harness_mirrors,
    check_harness_reports_or_refuses,
    check_hook_status,
    check_html_form,
    check_not_created,
    check_nothing_sent,
    check_one_new_order,
    check_order_as_first_submitted,
    check_same_answer,
    check_submission,
)
from ucsp.verdict import RequirementViolation

FIRST = {"orderId": "ORD1", "tn": "abc", "paymentUrl": "http://ucsp.test/pay/abc"}


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def test_same_answer() -> None:
    check_same_answer("00", FIRST, "00", dict(FIRST))
    with violation("PAY-02"):
        check_same_answer("00", FIRST, "36", {"orderId": "ORD1"})
    with violation("PAY-02"):
        check_same_answer("00", FIRST, "00", {**FIRST, "tn": "def"})
    with violation("PAY-02"):
        check_same_answer("00", FIRST, "00", {**FIRST, "extra": "x"})


def test_not_created() -> None:
    check_not_created("34", "ORD1", "PAY-04")
    with violation("PAY-04"):
        check_not_created("00", "ORD1", "PAY-04")


def test_order_as_first_submitted() -> None:
    answer = {"orderId": "ORD1", "txnAmt": "10000", "currencyCode": "156", "txnStatus": "05"}
    check_order_as_first_submitted("00", answer, "10000", "156", "05")
    check_order_as_first_submitted("00", {**answer, "txnAmt": "010000"}, "10000", "156", "05")
    with violation("PAY-03"):
        check_order_as_first_submitted("00", {**answer, "txnAmt": "20000"}, "10000", "156", "05")
    with violation("PAY-03"):
        check_order_as_first_submitted("00", {**answer, "txnStatus": "00"}, "10000", "156", "05")
    with violation("PAY-03"):
        check_order_as_first_submitted("34", {}, "10000", "156", "05")


def test_hook_status() -> None:
    check_hook_status(409, 409, "the cashier")
    with violation("PAY-06"):
        check_hook_status(200, 409, "the cashier")


def test_cashier_answer() -> None:
    data = {"orderId": "ORD1", "result": "00", "noticeAcknowledged": True}
    check_cashier_answer(data, "ORD1", "00", True)
    with violation("PAY-06"):
        check_cashier_answer({**data, "noticeAcknowledged": False}, "ORD1", "00", True)
    with violation("PAY-06"):
        check_cashier_answer({**data, "result": "01"}, "ORD1", "00", True)
    with violation("PAY-06"):
        check_cashier_answer({}, "ORD1", "00", True)


def test_html_form() -> None:
    page = "<html><body><form method='post'></form></body></html>"
    check_html_form(200, "text/html; charset=utf-8", page, "the cashier page")
    with violation("PAY-06"):
        check_html_form(200, "application/json", page, "the cashier page")
    with violation("PAY-06"):
        check_html_form(200, "text/html", "<html>no form</html>", "the cashier page")
    with violation("PAY-06"):
        check_html_form(404, "text/html", page, "the cashier page")


def test_submission() -> None:
    trx = {"merId": "M1", "acqIIN": "12345678", "txnAmt": "00100", "currencyCode": "156"}
    expected = {"merId": "M1", "acqIIN": "12345678", "txnAmt": "100", "currencyCode": "156"}
    check_submission(trx, expected)
    with violation("PAY-07"):
        check_submission({**trx, "txnAmt": "101"}, expected)
    with violation("PAY-07"):
        check_submission({**trx, "acqIIN": "87654321"}, expected)


def test_one_new_order() -> None:
    check_one_new_order(["P1", "P2"], "P2")
    with violation("PAY-07"):
        check_one_new_order(["P1"], "P2")
    with violation("PAY-07"):
        check_one_new_order(["P2", "P2"], "P2")
    with violation("PAY-07"):
        check_one_new_order(["P1", "P1", "P2"], "P2")


def test_harness_mirrors() -> None:
    ucsp = {"msgResponse": {"responseCode": "00"}, "trxInfo": FIRST}
    check_harness_mirrors({"responseCode": "00", **FIRST}, ucsp)
    check_harness_mirrors(
        {"responseCode": "36"}, {"msgResponse": {"responseCode": "36"}, "trxInfo": {}}
    )
    with violation("PAY-07"):
        check_harness_mirrors({"responseCode": "00", "orderId": "ORD1"}, ucsp)
    with violation("PAY-07"):
        check_harness_mirrors({"responseCode": "36", **FIRST}, ucsp)


def test_harness_error() -> None:
    check_harness_error(400, {"error": "txnAmt must be ..."}, 400)
    check_harness_error(424, {"error": "no valid answer", "orderId": "P1"}, 424, True)
    with violation("PAY-09"):
        check_harness_error(200, {"orderId": "P1"}, 400)
    with violation("PAY-09"):
        check_harness_error(404, {}, 404)
    with violation("PAY-09"):
        check_harness_error(424, {"error": "no valid answer"}, 424, True)


def test_harness_reports_or_refuses() -> None:
    ucsp = {"msgResponse": {"responseCode": "00"}, "trxInfo": {**FIRST, "orderId": "OTHER1"}}
    check_harness_reports_or_refuses(200, {"responseCode": "00", **FIRST}, ucsp)
    check_harness_reports_or_refuses(424, {"error": "names another orderId", "orderId": "P1"}, ucsp)
    with violation("PAY-09"):
        check_harness_reports_or_refuses(200, {"responseCode": "36"}, ucsp)
    with violation("PAY-09"):
        check_harness_reports_or_refuses(424, {"error": None, "orderId": "P1"}, ucsp)
    with violation("PAY-09"):
        check_harness_reports_or_refuses(500, {"error": "boom", "orderId": "P1"}, ucsp)


def test_nothing_sent() -> None:
    check_nothing_sent(0, "PAYMENT_REFUND")
    with violation("PAY-09"):
        check_nothing_sent(1, "PAYMENT_REFUND")
