"""Steps of frontend payments: orders, the cashier, result notices, recorded status."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks import ensure
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.checks.notices import check_notice_answered_by_industry, check_notice_sent_by_ucsp
from ucsp.checks.payment import (
    check_cashier_answer,
    check_harness_error,
    check_harness_mirrors,
    check_hook_status,
    check_html_form,
    check_not_created,
    check_nothing_sent,
    check_one_new_order,
    check_order_as_first_submitted,
    check_same_answer,
    check_submission,
)
from ucsp.deployment import Deployment
from ucsp.drivers.harness import HarnessAnswer
from ucsp.flows.base import Order, trx_of
from ucsp.flows.payment import NOTICE, SUBMIT_RULE, HookAnswer, PaymentFlow, answer_of
from ucsp.transport import Exchange


@pytest.fixture
def payment(deployment: Deployment) -> PaymentFlow:
    return PaymentFlow(deployment)


# --- orders -------------------------------------------------------------------------------


@given(parse("an order of {amount:Money} has been submitted"), target_fixture="order")
def _(payment: PaymentFlow, deployment: Deployment, amount: Money) -> Order:
    order = deployment.call(payment.submit_order(amount.txn_amt, amount.currency))
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, "00", SUBMIT_RULE[deployment.role], "the answer to SUBMIT_PAYMENT_ORDER")
    return order


@given(parse("an order of {amount:Money} has been paid"), target_fixture="order")
def _(payment: PaymentFlow, deployment: Deployment, amount: Money) -> Order:
    return deployment.call(payment.paid_order(amount.txn_amt, amount.currency))


@when(parse("the Industry Service submits an order of {amount:Money}"), target_fixture="order")
def _(payment: PaymentFlow, deployment: Deployment, amount: Money) -> Order:
    return deployment.call(payment.submit_order(amount.txn_amt, amount.currency))


@then(parse("the order is answered with code {code:Code}"))
def _(deployment: Deployment, order: Order, code: str) -> None:
    requirement = SUBMIT_RULE[deployment.role]
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, code, requirement, "the answer to SUBMIT_PAYMENT_ORDER")


@then("the answer carries a tn and a paymentUrl")
def _(deployment: Deployment, order: Order) -> None:
    ensure(
        bool(order.trx_info.get("tn")) and bool(order.payment_url),
        SUBMIT_RULE[deployment.role],
        f"a 00 answer must carry tn and paymentUrl, got {order.trx_info}",
    )


# --- idempotency (PAY-02, PAY-03) and merchants (PAY-04) ------------------------------------


@when("the Industry Service submits the same order again", target_fixture="resubmission")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> Exchange:
    return deployment.call(payment.resubmit(order))


@then("the resubmission is answered with the first answer's code and trxInfo")
def _(resubmission: Exchange, order: Order) -> None:
    check_valid_answer(resubmission)
    check_same_answer(order.code, order.trx_info, resubmission.code, resubmission.trx_info)


@then("no further result notice of the order is delivered")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> None:
    deployment.call(payment.quiet_period())
    count = len(payment.notices_now(order))
    ensure(count == 1, "PAY-02", f"order {order.order_id} was notified {count} times, expected 1")


@when(
    parse("the Industry Service submits an order of {amount:Money} under the same orderId"),
    target_fixture="reuse",
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order, amount: Money) -> Exchange:
    changes = {"txnAmt": amount.txn_amt, "currencyCode": amount.currency}
    return deployment.call(payment.resubmit(order, **changes))


@when(
    parse(
        "the Industry Service requests a refund of {amount:Money} of the order "
        "under the order's own orderId"
    ),
    target_fixture="reuse",
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order, amount: Money) -> Exchange:
    return deployment.call(payment.refund_request(order, amount.txn_amt, order.order_id))


@then(parse("the reused orderId is rejected with code {code:Code}"))
def _(reuse: Exchange, code: str) -> None:
    check_valid_answer(reuse)
    check_code(reuse.code, code, "PAY-03", f"the answer to {reuse.msg_type} reusing an orderId")


@then("the first order is unchanged")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> None:
    inquiry = deployment.call(payment.inquire(order))
    check_valid_answer(inquiry)
    check_order_as_first_submitted(
        inquiry.code, inquiry.trx_info, order.txn_amt, order.currency, "05"
    )


@then("the order can still be refunded in full")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> None:
    refund = deployment.call(payment.refund_request(order, order.txn_amt, payment.new_order_id()))
    check_valid_answer(refund)
    check_code(refund.code, "00", "PAY-03", "a full refund after the rejected reuse")


@when(
    parse("the Industry Service submits an order of {amount:Money} with an unknown {field:Word}"),
    target_fixture="order",
)
def _(payment: PaymentFlow, deployment: Deployment, amount: Money, field: str) -> Order:
    return deployment.call(payment.submit_with_unknown(amount.txn_amt, amount.currency, field))


@then(parse("the order is rejected with code {code:Code} and not created"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, code: str) -> None:
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, code, "PAY-04", "the answer to SUBMIT_PAYMENT_ORDER")
    inquiry = deployment.call(payment.inquire(order))
    check_valid_answer(inquiry)
    check_not_created(inquiry.code, order.order_id, "PAY-04")


# --- the cashier (PAY-05, PAY-06) -----------------------------------------------------------


@when(
    parse("the user pays the order at the cashier with result {result:Code}"),
    target_fixture="cashier",
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order, result: str) -> dict[str, Any]:
    return deployment.call(payment.pay_notified(order, result))


@then(
    parse("the cashier answers with the orderId, result {result:Code} and an acknowledged notice")
)
def _(order: Order, cashier: dict[str, Any], result: str) -> None:
    check_cashier_answer(cashier, order.order_id, result, True)


@when(
    parse('the result "{result:Text}" is posted to the cashier of the order'),
    target_fixture="hook",
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order, result: str) -> HookAnswer:
    return deployment.call(payment.post_cashier(order, result))


@when(
    parse('the result "{result:Text}" is posted to the cashier of an unknown tn'),
    target_fixture="hook",
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order, result: str) -> HookAnswer:
    return deployment.call(payment.post_cashier(order, result, unknown_tn=True))


@when("the user opens the cashier page of the order", target_fixture="hook")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> HookAnswer:
    return deployment.call(payment.open_cashier(order))


@then(parse("the cashier answers HTTP {status:Count}"))
def _(hook: HookAnswer, status: int) -> None:
    check_hook_status(hook.status, status, "the cashier")


@then("the cashier page is an HTML form")
def _(hook: HookAnswer) -> None:
    check_html_form(hook.status, hook.content_type, hook.text, "the cashier page")


@then(parse("the result notice of the order is delivered with txnStatus {status:Code}"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, status: str) -> None:
    entries = deployment.call(payment.notices(order))
    notice = payment.first_notice(entries, "PAY-05", f"{NOTICE} for order {order.order_id}")
    if deployment.role == "ucsp":
        check_notice_sent_by_ucsp(
            notice,
            deployment.target,
            NOTICE,
            {
                "orderId": order.order_id,
                "txnType": "PAYMENT",
                "txnAmt": order.txn_amt,
                "currencyCode": order.currency,
                "txnTime": order.txn_time,
                "txnStatus": status,
            },
            "PAY-05",
        )
    else:
        check_notice_answered_by_industry(notice, deployment.target, "00", "PAY-08")


@then(parse("the order is recorded as {status:Status}"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, status: str) -> None:
    requirement = "PAY-08" if deployment.role == "industry" else "INQ-01"
    recorded = deployment.call(payment.status(order))
    ensure(
        recorded == status,
        requirement,
        f"order {order.order_id} is recorded as {recorded}, expected {status}",
    )


# --- the Industry Service's harness (PAY-07, PAY-09) -------------------------------------------


@then(
    "the Industry Service sent one SUBMIT_PAYMENT_ORDER for the order "
    "with a new orderId, its merchant and the requested amount"
)
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> None:
    sent = payment.submissions()
    check_one_new_order([str(trx_of(e).get("orderId")) for e in sent], order.order_id)
    info = deployment.target.industry
    mine = next(e for e in sent if trx_of(e).get("orderId") == order.order_id)
    check_submission(
        trx_of(mine),
        {
            "merId": info.mer_id,
            "acqIIN": info.acq_iin,
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
        },
    )


@then("the harness reports the UCSP's answer to the order")
def _(payment: PaymentFlow, order: Order) -> None:
    mine = [e for e in payment.submissions() if trx_of(e).get("orderId") == order.order_id]
    ensure(bool(mine), "PAY-07", f"no SUBMIT_PAYMENT_ORDER for {order.order_id} was sent")
    check_harness_mirrors({"responseCode": order.code, **order.trx_info}, answer_of(mine[-1]))


@given("UCSP answers the next order with a bad signature")
def _(payment: PaymentFlow) -> None:
    payment.answer_badly_next_order()


@when(
    parse('the harness is asked to pay an amount of "{amount:Text}"'),
    target_fixture="harness_answer",
)
def _(payment: PaymentFlow, deployment: Deployment, amount: str) -> HarnessAnswer:
    return deployment.call(payment.harness_pay_raw(amount))


@when(
    "the harness is asked to refund an order that does not exist", target_fixture="harness_answer"
)
def _(payment: PaymentFlow, deployment: Deployment) -> HarnessAnswer:
    return deployment.call(payment.harness_refund_raw(payment.unknown_order_id(), "100"))


@when("the harness is asked to refund the order", target_fixture="harness_answer")
def _(payment: PaymentFlow, deployment: Deployment, order: Order) -> HarnessAnswer:
    return deployment.call(payment.harness_refund_raw(order.order_id, order.txn_amt))


@then(parse("the harness answers HTTP {status:Count} with an error"))
def _(harness_answer: HarnessAnswer, status: int) -> None:
    check_harness_error(harness_answer.status, harness_answer.data, status)


@then(parse("the harness answers HTTP {status:Count} with an error and the orderId"))
def _(harness_answer: HarnessAnswer, status: int) -> None:
    check_harness_error(harness_answer.status, harness_answer.data, status, with_order_id=True)


@then(parse("the Industry Service sent no {msg_type:MsgType}"))
def _(payment: PaymentFlow, msg_type: str) -> None:
    check_nothing_sent(len(payment.sent(msg_type)), msg_type)
