"""Steps of frontend payments: orders, the cashier, result notices, recorded status."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks import ensure
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.checks.notices import check_notice_answered_by_industry, check_notice_sent_by_ucsp
from ucsp.deployment import Deployment
from ucsp.flows.base import Order
from ucsp.flows.payment import NOTICE, PaymentFlow

TXN_STATUS = {"SUCCEEDED": "00", "FAILED": "01"}


@pytest.fixture
def payment(deployment: Deployment) -> PaymentFlow:
    return PaymentFlow(deployment)


@given(parse("an order of {amount:Money} has been submitted"), target_fixture="order")
def _(payment: PaymentFlow, deployment: Deployment, amount: Money) -> Order:
    order = deployment.call(payment.submit_order(amount.txn_amt, amount.currency))
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, "00", "PAY-01", "the answer to SUBMIT_PAYMENT_ORDER")
    return order


@when(parse("the Industry Service submits an order of {amount:Money}"), target_fixture="order")
def _(payment: PaymentFlow, deployment: Deployment, amount: Money) -> Order:
    return deployment.call(payment.submit_order(amount.txn_amt, amount.currency))


@then(parse("the order is answered with code {code:Code}"))
def _(order: Order, code: str) -> None:
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, code, "PAY-01", "the answer to SUBMIT_PAYMENT_ORDER")


@then("the answer carries a tn and a paymentUrl")
def _(order: Order) -> None:
    ensure(
        bool(order.trx_info.get("tn")) and bool(order.payment_url),
        "PAY-01",
        f"a 00 answer must carry tn and paymentUrl, got {order.trx_info}",
    )


@when(parse("the user pays the order at the cashier with result {result:Code}"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, result: str) -> None:
    deployment.call(payment.pay(order, result))


@then(parse("the result notice of the order is delivered with txnStatus {status:Code}"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, status: str) -> None:
    entries = deployment.call(payment.notices(order))
    ensure(bool(entries), "PAY-05", f"no {NOTICE} for order {order.order_id} was delivered")
    if deployment.role == "ucsp":
        check_notice_sent_by_ucsp(
            entries[0],
            deployment.target,
            NOTICE,
            {
                "orderId": order.order_id,
                "txnType": "PAYMENT",
                "txnAmt": order.txn_amt,
                "currencyCode": order.currency,
                "txnStatus": status,
            },
            "PAY-05",
        )
    else:
        check_notice_answered_by_industry(entries[0], deployment.target, "00", "PAY-08")


@then(parse("the order is recorded as {status:Status}"))
def _(payment: PaymentFlow, deployment: Deployment, order: Order, status: str) -> None:
    requirement = "PAY-08" if deployment.role == "industry" else "INQ-01"
    recorded = deployment.call(payment.status(order))
    ensure(
        recorded == status,
        requirement,
        f"order {order.order_id} is recorded as {recorded}, expected {status}",
    )
