"""Steps of frontend payments: orders, the cashier, result notices, recorded status."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks.payment import (
    check_cashier_answer,
    check_harness_error,
    check_hook_status,
    check_html_form,
    check_nothing_sent,
)
from ucsp.drivers.harness import HarnessAnswer
from ucsp.sides.payment import HookAnswer, unknown_order_id
from ucsp.sides.result import Order
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
from ucsp.sides.side import Side
from ucsp.transport import Exchange

# --- orders -------------------------------------------------------------------------------


@given(parse("an order of {amount:Money} has been submitted"), target_fixture="order")
def _(side: Side, amount: Money) -> Order:
    return side.payment.submitted(amount)


@given(parse("an order of {amount:Money} has been paid"), target_fixture="order")
def _(side: Side, amount: Money) -> Order:
    return side.payment.paid(amount)


@when(parse("the Industry Service submits an order of {amount:Money}"), target_fixture="order")
def _(side: Side, amount: Money) -> Order:
    return side.payment.submit(amount)


@then(parse("the order is answered with code {code:Code}"))
def _(side: Side, order: Order, code: str) -> None:
    side.payment.check_answered(order, code)


@then("the answer carries a tn and a paymentUrl")
def _(side: Side, order: Order) -> None:
    side.payment.check_tn_and_payment_url(order)


# --- idempotency (PAY-02, PAY-03) and merchants (PAY-04) ------------------------------------


@when("the Industry Service submits the same order again", target_fixture="resubmission")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> Exchange:
    return ucsp_under_test.payment.resubmit(order)


@when(
    parse(
        "the Industry Service submits the same order again "
        "with an unknown trxInfo field {name:Word}"
    ),
    target_fixture="resubmission",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, name: str) -> Exchange:
    """The same order with one more trxInfo field, of any name the order does not have.
    Example: When the Industry Service submits the same order again with an unknown trxInfo field
        memo
    """
    return ucsp_under_test.payment.resubmit_with_unknown_field(order, name)


@then("the resubmission is answered with the first answer's code and trxInfo")
def _(ucsp_under_test: UcspUnderTest, resubmission: Exchange, order: Order) -> None:
    ucsp_under_test.payment.check_answered_as_first(order, resubmission)


@then("no further result notice of the order is delivered")
def _(side: Side, order: Order) -> None:
    side.payment.check_notified_once(order)


@when(
    parse("the Industry Service submits an order of {amount:Money} under the same orderId"),
    target_fixture="reuse",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, amount: Money) -> Exchange:
    """Example: When the Industry Service submits an order of 200.00 CNY under the same orderId"""
    changes = {"txnAmt": amount.txn_amt, "currencyCode": amount.currency}
    return ucsp_under_test.payment.resubmit(order, **changes)


@when(
    parse(
        "the Industry Service requests a refund of {amount:Money} of the order "
        "under the order's own orderId"
    ),
    target_fixture="reuse",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, amount: Money) -> Exchange:
    return ucsp_under_test.payment.refund_request(order, amount.txn_amt, order.order_id)


@then(parse("the reused orderId is rejected with code {code:Code}"))
def _(ucsp_under_test: UcspUnderTest, reuse: Exchange, code: str) -> None:
    """Example: Then the reused orderId is rejected with code 36"""
    ucsp_under_test.payment.check_reuse_rejected(reuse, code)


@then("the first order is unchanged")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> None:
    ucsp_under_test.payment.check_first_unchanged(order)


@then("the order can still be refunded in full")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> None:
    ucsp_under_test.payment.check_refundable_in_full(order)


@when(
    parse("the Industry Service submits an order of {amount:Money} with an unknown {field:Word}"),
    target_fixture="order",
)
def _(ucsp_under_test: UcspUnderTest, amount: Money, field: str) -> Order:
    """An order naming a merId or an acqIIN the UCSP does not know ({field}: merId or acqIIN).
    Example: When the Industry Service submits an order of 100.00 CNY with an unknown merId
    """
    return ucsp_under_test.payment.submit_with_unknown(amount, field)


@then(parse("the order is rejected with code {code:Code} and not created"))
def _(ucsp_under_test: UcspUnderTest, order: Order, code: str) -> None:
    """Example: Then the order is rejected with code 36 and not created"""
    ucsp_under_test.payment.check_rejected_not_created(order, code)


# --- the cashier (PAY-05, PAY-06) -----------------------------------------------------------


@when(
    parse("the user pays the order at the cashier with result {result:Code}"),
    target_fixture="cashier",
)
def _(side: Side, order: Order, result: str) -> dict[str, Any]:
    return side.payment.pay_notified(order, result)


@then(
    parse("the cashier answers with the orderId, result {result:Code} and an acknowledged notice")
)
def _(order: Order, cashier: dict[str, Any], result: str) -> None:
    check_cashier_answer(cashier, order.order_id, result, True)


@when(
    parse('the result "{result:Text}" is posted to the cashier of the order'),
    target_fixture="hook",
)
def _(side: Side, order: Order, result: str) -> HookAnswer:
    """Any form value, result codes included, posted as the cashier's result field.
    Example: When the result "01" is posted to the cashier of the order
    """
    return side.payment.post_cashier(order, result)


@when(
    parse('the result "{result:Text}" is posted to the cashier of an unknown tn'),
    target_fixture="hook",
)
def _(side: Side, order: Order, result: str) -> HookAnswer:
    """Example: When the result "00" is posted to the cashier of an unknown tn"""
    return side.payment.post_cashier(order, result, unknown_tn=True)


@when("the user opens the cashier page of the order", target_fixture="hook")
def _(side: Side, order: Order) -> HookAnswer:
    return side.payment.open_cashier(order)


@then(parse("the cashier answers HTTP {status:Count}"))
def _(hook: HookAnswer, status: int) -> None:
    """Example: Then the cashier answers HTTP 409"""
    check_hook_status(hook.status, status, "the cashier")


@then("the cashier page is an HTML form")
def _(hook: HookAnswer) -> None:
    check_html_form(hook.status, hook.content_type, hook.text, "the cashier page")


@then(parse("the result notice of the order is delivered with txnStatus {status:Code}"))
def _(side: Side, order: Order, status: str) -> None:
    side.payment.check_result_notice(order, status)


@then(parse("the order is recorded as {status:Status}"))
def _(side: Side, order: Order, status: str) -> None:
    """The order's record after a payment (an Industry Service's as its harness reports it, a
    UCSP's as PAYMENT_RESULT_INQUIRY reports it). The status the UCSP's answer to the order
    leaves is "the status of the order is now ...".
    """
    side.payment.check_recorded(order, status)


# --- the Industry Service's harness (PAY-07, PAY-09) -------------------------------------------


@then(
    "the Industry Service sent one SUBMIT_PAYMENT_ORDER for the order "
    "with a new orderId, its merchant and the requested amount"
)
def _(industry_under_test: IndustryUnderTest, order: Order) -> None:
    industry_under_test.payment.check_one_new_submission(order)


@then("the harness reports the UCSP's answer to the order")
def _(industry_under_test: IndustryUnderTest, order: Order) -> None:
    industry_under_test.payment.check_harness_mirrors(order)


@given("UCSP answers the next order naming another orderId")
def _(industry_under_test: IndustryUnderTest) -> None:
    industry_under_test.payment.answer_next_order_naming_another()


@then("the harness reports the UCSP's answer, or answers HTTP 424 with an error and the orderId")
def _(industry_under_test: IndustryUnderTest, harness_answer: HarnessAnswer) -> None:
    industry_under_test.payment.check_reported_or_refused(harness_answer)


@given("UCSP answers the next order with a bad signature")
def _(industry_under_test: IndustryUnderTest) -> None:
    industry_under_test.payment.answer_badly_next_order()


@when(
    parse('the harness is asked to pay an amount of "{amount:Text}"'),
    target_fixture="harness_answer",
)
def _(industry_under_test: IndustryUnderTest, amount: str) -> HarnessAnswer:
    """Any text as the harness's amount, in minor units.
    Example: When the harness is asked to pay an amount of "0"
    """
    return industry_under_test.payment.harness_pay(amount)


@when(
    "the harness is asked to refund an order that does not exist", target_fixture="harness_answer"
)
def _(industry_under_test: IndustryUnderTest) -> HarnessAnswer:
    return industry_under_test.payment.harness_refund(unknown_order_id(), "100")


@when("the harness is asked to refund the order", target_fixture="harness_answer")
def _(industry_under_test: IndustryUnderTest, order: Order) -> HarnessAnswer:
    return industry_under_test.payment.harness_refund(order.order_id, order.txn_amt)


@then(parse("the harness answers HTTP {status:Count} with an error"))
def _(harness_answer: HarnessAnswer, status: int) -> None:
    """Example: Then the harness answers HTTP 400 with an error"""
    check_harness_error(harness_answer.status, harness_answer.data, status)


@then(parse("the harness answers HTTP {status:Count} with an error and the orderId"))
def _(harness_answer: HarnessAnswer, status: int) -> None:
    """Example: Then the harness answers HTTP 424 with an error and the orderId"""
    check_harness_error(harness_answer.status, harness_answer.data, status, with_order_id=True)


@then(parse("the Industry Service sent no {msg_type:MsgType}"))
def _(industry_under_test: IndustryUnderTest, msg_type: str) -> None:
    check_nothing_sent(len(industry_under_test.payment.sent(msg_type)), msg_type)
