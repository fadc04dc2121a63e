"""Steps of cancellations and refunds (features/reversal).

The latest cancellation and refund of a scenario are the fixtures ``cancellation`` and
``refund`` (``{which:Reversal}`` names one); "the order" is the payment they reverse. UCSP
under test: the suite sends them and reads the answers, notices and REFUND_RESULT_INQUIRY.
Industry Service under test: the IS sends them through its harness; the suite reads what it
sent and what the harness records.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.messages import TxnType
from ucsp.sides.notices import CraftedNotice
from ucsp.sides.result import Order
from ucsp.sides.reversal import ReversalOrder
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
from ucsp.sides.side import Side

CANCELLATION, REFUND = TxnType.CANCELLATION, TxnType.REFUND


def _named(request: pytest.FixtureRequest, which: str) -> ReversalOrder:
    """The latest cancellation or refund of the scenario, by its noun."""
    reversal: ReversalOrder = request.getfixturevalue(which)
    return reversal


# --- what the scenario starts from ------------------------------------------------------------


@given("the order has been cancelled", target_fixture="cancellation")
def _(side: Side, order: Order) -> ReversalOrder:
    """The order cancelled in full, the cancellation answered 00 and its result notice delivered;
    it is the scenario's cancellation from here on.
    """
    return side.reversal.reversed(CANCELLATION, order, "00")


@given("a cancellation of the order is pending", target_fixture="cancellation")
def _(side: Side, order: Order) -> ReversalOrder:
    """The order's cancellation answered 05 and taken as pending."""
    return side.reversal.reversed(CANCELLATION, order, "05")


@given(parse("{amount:Money} of the order has been refunded"), target_fixture="refund")
def _(side: Side, order: Order, amount: Money) -> ReversalOrder:
    """A refund of that amount answered 00 and its result notice delivered; it is the scenario's
    refund from here on.
    Example: Given 30.00 CNY of the order has been refunded
    """
    return side.reversal.reversed(REFUND, order, "00", amount)


@given(parse("a refund of {amount:Money} of the order is pending"), target_fixture="refund")
def _(side: Side, order: Order, amount: Money) -> ReversalOrder:
    return side.reversal.reversed(REFUND, order, "05", amount)


# --- the suite playing UCSP scripts its answer ------------------------------------------------


@given(parse("UCSP answers the next {request:Scripted} with {answer:Text}"))
def _(industry_under_test: IndustryUnderTest, request: str, answer: str) -> None:
    """The suite, playing UCSP, answers the Industry Service's next cancellation, refund or
    charge as told, as it can answer an order. A refusal leaves the UCSP with nothing to
    notify; after a 05 or no valid answer the result is the Industry Service's to inquire
    about (the UCSP holds back its result notice).
    The answer: `code NN`, or one the Industry Service cannot take: `a bad signature`,
    `a malformed answer`, `an answer that does not echo msgInfo` or `HTTP 500` (each
    optionally `with code NN` inside), or `no answer`.
    Example: Given UCSP answers the next refund with code 05
    """
    industry_under_test.answer_next(request, answer)


# --- the Industry Service reverses ----------------------------------------------------------


@when("the Industry Service cancels the order", target_fixture="cancellation")
def _(side: Side, order: Order) -> ReversalOrder:
    """The Industry Service cancels the order in full; the cancellation's own answer, notice and
    record are then "the cancellation ...". To judge how the Industry Service takes the
    UCSP's answer instead, say "the Industry Service forwards a cancellation of the order to
    the UCSP".
    """
    return side.reversal.reverse(CANCELLATION, order)


@when(
    parse("the Industry Service cancels the order for {amount:Money}"),
    target_fixture="cancellation",
)
def _(side: Side, order: Order, amount: Money) -> ReversalOrder:
    return side.reversal.reverse(CANCELLATION, order, amount)


@when(parse("the Industry Service refunds {amount:Money} of the order"), target_fixture="refund")
def _(side: Side, order: Order, amount: Money) -> ReversalOrder:
    """The refund's own answer, notice and record are then "the refund ..."; "the Industry
    Service forwards a refund of ... to the UCSP" judges how the Industry Service takes the
    UCSP's answer instead.
    Example: When the Industry Service refunds 30.00 CNY of the order
    """
    return side.reversal.reverse(REFUND, order, amount)


@when("the Industry Service cancels the refund", target_fixture="cancellation")
def _(side: Side, refund: ReversalOrder) -> ReversalOrder:
    return side.reversal.reverse(CANCELLATION, refund)


@when(parse("the Industry Service refunds {amount:Money} of the refund"), target_fixture="refund")
def _(side: Side, refund: ReversalOrder, amount: Money) -> ReversalOrder:
    return side.reversal.reverse(REFUND, refund, amount)


@when(
    parse("the Industry Service asks for a cancellation of {amount:Money} of an unknown origQryId"),
    target_fixture="cancellation",
)
def _(ucsp_under_test: UcspUnderTest, amount: Money) -> ReversalOrder:
    return ucsp_under_test.reversal.reverse_unknown(CANCELLATION, amount)


@when(
    parse("the Industry Service asks for a refund of {amount:Money} of an unknown origQryId"),
    target_fixture="refund",
)
def _(ucsp_under_test: UcspUnderTest, amount: Money) -> ReversalOrder:
    return ucsp_under_test.reversal.reverse_unknown(REFUND, amount)


# --- answers --------------------------------------------------------------------------------


@then(parse("the {which:Reversal} is answered with code {code:Code}"))
def _(side: Side, request: pytest.FixtureRequest, which: str, code: str) -> None:
    side.reversal.check_answered(_named(request, which), code)


@then(parse("every refund is answered with code {code:Code}"))
def _(side: Side, code: str) -> None:
    side.reversal.check_every_refund_answered(code)


@then(parse("the {which:Reversal} is rejected with code {code:Code}"))
def _(side: Side, request: pytest.FixtureRequest, which: str, code: str) -> None:
    """Example: Then the refund is rejected with code 36"""
    side.reversal.check_rejected(_named(request, which), code)


@then(parse("the harness reports that the {which:Reversal} got no valid answer"))
def _(industry_under_test: IndustryUnderTest, request: pytest.FixtureRequest, which: str) -> None:
    """The harness answered HTTP 424 with an error and the orderId it created.
    Example: Then the harness reports that the refund got no valid answer
    """
    industry_under_test.reversal.check_reported_unanswered(_named(request, which))


@then(
    parse(
        "the Industry Service inquires about the {which:Reversal} at once with {msg_type:MsgType}"
    )
)
def _(
    industry_under_test: IndustryUnderTest,
    request: pytest.FixtureRequest,
    which: str,
    msg_type: str,
) -> None:
    """After a 05 or no valid answer (once its own time-out has run out), naming the
    cancellation's or refund's own orderId and txnTime.
    Example: Then the Industry Service inquires about the refund at once with
        REFUND_RESULT_INQUIRY
    """
    industry_under_test.inquiry.inquire_about(_named(request, which), msg_type)


# --- notices --------------------------------------------------------------------------------


@then(parse("the result notice of the {which:Reversal} is delivered with txnStatus {status:Code}"))
def _(side: Side, request: pytest.FixtureRequest, which: str, status: str) -> None:
    side.reversal.check_notified(_named(request, which), status)


@then(parse("no result notice of the {which:Reversal} is delivered"))
def _(side: Side, request: pytest.FixtureRequest, which: str) -> None:
    side.reversal.check_not_notified(_named(request, which))


@when(
    "UCSP sends a success notice of the refund naming another origQryId", target_fixture="crafted"
)
def _(industry_under_test: IndustryUnderTest, refund: ReversalOrder) -> CraftedNotice:
    return industry_under_test.reversal.notice_naming_other_original(refund)


@when(
    "UCSP sends the result notice of the refund again in a fresh envelope",
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest, refund: ReversalOrder) -> CraftedNotice:
    return industry_under_test.reversal.repeat_notice(refund)


# --- what is recorded -------------------------------------------------------------------------


@then(parse("the {which:Reversal} is recorded as {status:Status}"))
def _(side: Side, request: pytest.FixtureRequest, which: str, status: str) -> None:
    """Example: Then the refund is recorded as PENDING"""
    side.reversal.check_recorded(_named(request, which), status)


@then(parse("the order has {amount:Money} left to refund"))
def _(side: Side, order: Order, amount: Money) -> None:
    side.reversal.check_left_to_refund(order, amount)


@then("the cancellation has taken effect on the order")
def _(side: Side, order: Order) -> None:
    side.reversal.check_cancellation_effected(order)


@then("the order can still be cancelled")
def _(side: Side, order: Order) -> None:
    side.reversal.check_still_cancellable(order)


@then(parse("the order can still be refunded by {amount:Money}"))
def _(side: Side, order: Order, amount: Money) -> None:
    side.reversal.check_still_refundable(order, amount)


# --- what the Industry Service sent -----------------------------------------------------------


@then(
    "the Industry Service sent one PAYMENT_CANCELLATION for the cancellation with a new orderId, "
    "a txnTime, the order's queryId as origQryId and the full amount"
)
def _(industry_under_test: IndustryUnderTest, cancellation: ReversalOrder) -> None:
    industry_under_test.reversal.check_sent_as_asked(cancellation)


@then(
    "the Industry Service sent one PAYMENT_REFUND for the refund with a new orderId, "
    "a txnTime, the order's queryId as origQryId and the requested amount"
)
def _(industry_under_test: IndustryUnderTest, refund: ReversalOrder) -> None:
    industry_under_test.reversal.check_sent_as_asked(refund)


@then(parse("the harness reports the UCSP's answer to the {which:Reversal}"))
def _(industry_under_test: IndustryUnderTest, request: pytest.FixtureRequest, which: str) -> None:
    industry_under_test.reversal.check_harness_mirrors(_named(request, which))
