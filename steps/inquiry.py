"""Steps of result inquiries and of the handling of response codes.

Used by features/inquiry and features/response_codes. An Industry Service under test is made
to create orders through its harness while the suite, playing UCSP, scripts its answers and
watches the inquiries that follow; a UCSP under test is asked about orders by the suite,
playing the Industry Service.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.messages import TxnType
from ucsp.sides.auto_debit import Charge, Contract
from ucsp.sides.inquiry_industry import SentNotice
from ucsp.sides.inquiry_schedule import Observation
from ucsp.sides.inquiry_ucsp import AskedInquiry
from ucsp.sides.result import Order
from ucsp.sides.reversal import ReversalOrder
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
from ucsp.sides.side import Side

# --- the suite playing UCSP scripts its answers ---------------------------------------------


@given(parse("UCSP answers the inquiries about the next order with {answers:Text}"))
def _(industry_under_test: IndustryUnderTest, answers: str) -> None:
    """The suite, playing UCSP, answers the Industry Service's inquiries about the next order it
    creates with these answers, one per inquiry, in order.
    Example: Given UCSP answers the inquiries about the next order with txnStatus 05, code
        99 and txnStatus 00
    """
    industry_under_test.inquiry.script_inquiries(answers)


@given("UCSP holds back its next result notice")
def _(industry_under_test: IndustryUnderTest) -> None:
    """The suite, playing UCSP, keeps the next result notice (of an order, cancellation, refund
    or charge) until "When UCSP delivers the held result notice".
    """
    industry_under_test.inquiry.hold_next_notice()


@when("UCSP delivers the held result notice")
def _(industry_under_test: IndustryUnderTest, order: Order) -> None:
    """Delivers what "Given UCSP holds back its next result notice" kept."""
    industry_under_test.inquiry.deliver_held_notice(order)


@when(
    parse("UCSP sends the result notice of the order with txnStatus {status:Code}"),
    target_fixture="result_notice",
)
def _(industry_under_test: IndustryUnderTest, order: Order, status: str) -> SentNotice:
    return industry_under_test.inquiry.send_notice(order, status)


# --- the Industry Service creates orders --------------------------------------------------------


@when(
    parse(
        "the Industry Service submits an order of {amount:Money} "
        "that UCSP answers with {answer:Text}"
    ),
    target_fixture="order",
)
def _(industry_under_test: IndustryUnderTest, amount: Money, answer: str) -> Order:
    """The harness creates an order and the suite, playing UCSP, answers its SUBMIT_PAYMENT_ORDER
    as told; the order's status then follows the response-code rules (RC-01 to RC-05).
    Example: When the Industry Service submits an order of 100.00 CNY that UCSP answers with
        code 05
    """
    return industry_under_test.inquiry.submit(amount, answer)


@when(
    parse(
        "the Industry Service submits orders of {amount:Money} "
        "that UCSP answers with {answers:Text}, one each"
    ),
    target_fixture="orders",
)
def _(industry_under_test: IndustryUnderTest, amount: Money, answers: str) -> list[Order]:
    """One order per answer, each answered as told.
    Example: When the Industry Service submits orders of 100.00 CNY that UCSP answers with code
        01, code 36 and no answer, one each
    """
    return industry_under_test.inquiry.submit_each(amount, answers)


@when(
    "the Industry Service forwards a cancellation of the order to the UCSP", target_fixture="order"
)
def _(side: Side, order: Order) -> Order:
    """The harness asks for a cancellation of the order, which the Industry Service forwards to the
    UCSP. From here on "the order" is that cancellation, its status following the UCSP's
    answer; to follow the cancellation's own answer, notice and record, say "When the Industry
    Service cancels the order" instead.
    """
    return side.inquiry.reverse(TxnType.CANCELLATION, order)


@when(
    parse("the Industry Service forwards a refund of {amount:Money} of the order to the UCSP"),
    target_fixture="order",
)
def _(side: Side, order: Order, amount: Money) -> Order:
    """As the forwarded cancellation: from here on "the order" is that refund, its status
    following the UCSP's answer; "When the Industry Service refunds ... of the order" follows the
    refund itself.
    Example: When the Industry Service forwards a refund of 40.00 CNY of the order to the UCSP
    """
    return side.inquiry.reverse(TxnType.REFUND, order, amount)


@given("the user holds an active auto-debit contract", target_fixture="contract")
def _(side: Side) -> Contract:
    """A contract a new user signed, which an Industry Service under test is checked to record
    as ACTIVE first ("a new user has signed an auto-debit agreement" makes one without that
    check).
    """
    return side.inquiry.contract()


@given("the user holds a closed auto-debit contract", target_fixture="contract")
def _(side: Side) -> Contract:
    """As an active one, then closed (an Industry Service under test checked to record it
    CLOSED).
    """
    return side.inquiry.contract(closed=True)


@when(
    parse("the Industry Service forwards a charge of {amount:Money} on the contract to the UCSP"),
    target_fixture="order",
)
def _(side: Side, contract: Contract, amount: Money) -> Order:
    """From here on "the order" is that charge, its status following the UCSP's answer; "When the
    Industry Service charges ... on the contract" follows the charge itself.
    Example: When the Industry Service forwards a charge of 10.00 CNY on the contract to the UCSP
    """
    return side.inquiry.charge(contract, amount)


@then(parse("the Industry Service forwarded the {msg_type:MsgType} to the UCSP as asked"))
def _(industry_under_test: IndustryUnderTest, order: Order, msg_type: str) -> None:
    """Example: Then the Industry Service forwarded the PAYMENT_REFUND to the UCSP as asked"""
    industry_under_test.inquiry.check_forwarded_as_asked(order, msg_type)


# --- the order's status ---------------------------------------------------------------------


@then(parse("the status of the order is now {status:Status}"))
def _(side: Side, order: Order, status: str) -> None:
    """The status the system under test gives the order (or the cancellation, refund or charge
    forwarded last) now, as the UCSP's latest answer, inquiry answer or notice decides it
    (the response-code and inquiry rules). The record a payment leaves is "the order is
    recorded as ...".
    Example: Then the status of the order is now PENDING
    """
    side.inquiry.check_status(order, status)


@then(parse("the status of each of those orders is now {status:Status}"))
def _(side: Side, orders: list[Order], status: str) -> None:
    """Example: Then the status of each of those orders is now FAILED"""
    side.inquiry.check_each_status(orders, status)


@then(parse("the status of the order is {status:Status} once its result notice has arrived"))
def _(side: Side, order: Order, status: str) -> None:
    """Waits until the order's result notice has been delivered, then reads its status."""
    side.inquiry.check_status_once_notified(order, status)


@then(parse("the payment is still {status:Status}"))
def _(side: Side, order: Order, status: str) -> None:
    """The payment that the order (the cancellation or refund forwarded last) reverses is still
    recorded as this status.
    """
    side.inquiry.check_original_status(order, status)


# --- the Industry Service's inquiries, observed -------------------------------------------------


@then(parse("the Industry Service inquires about the order at once with {msg_type:MsgType}"))
def _(industry_under_test: IndustryUnderTest, order: Order, msg_type: str) -> None:
    """Example: Then the Industry Service inquires about the order at once with
    PAYMENT_RESULT_INQUIRY
    """
    industry_under_test.inquiry.check_first_inquiry(order, msg_type)


@when(parse("the Industry Service has inquired {count:Times} about the order"))
def _(industry_under_test: IndustryUnderTest, order: Order, count: int) -> None:
    """Example: When the Industry Service has inquired three times about the order"""
    industry_under_test.inquiry.inquired(order, count)


@then(parse("the Industry Service inquires {count:Times} about the order and then stops"))
def _(industry_under_test: IndustryUnderTest, order: Order, count: int) -> None:
    """Example: Then the Industry Service inquires twice about the order and then stops"""
    industry_under_test.inquiry.check_stops_after(order, count)


@then("the Industry Service sends no inquiry about any of those orders")
def _(industry_under_test: IndustryUnderTest, orders: list[Order]) -> None:
    industry_under_test.inquiry.check_no_inquiry_about(orders)


@then("the Industry Service sends no further inquiry about the order")
def _(industry_under_test: IndustryUnderTest, order: Order, result_notice: SentNotice) -> None:
    industry_under_test.inquiry.check_quiet_since(order, result_notice)


@when("the inquiry schedule of the order has run its course", target_fixture="observation")
def _(industry_under_test: IndustryUnderTest, order: Order) -> Observation:
    return industry_under_test.inquiry.observe_course(order)


@then(parse("every inquiry was a {msg_type:MsgType} with the order's orderId and txnTime"))
def _(
    industry_under_test: IndustryUnderTest, observation: Observation, order: Order, msg_type: str
) -> None:
    """Example: Then every inquiry was a PAYMENT_RESULT_INQUIRY with the order's orderId and
    txnTime
    """
    industry_under_test.inquiry.check_every_inquiry(observation, order, msg_type)


@then("every inquiry carried a msgID of its own")
def _(industry_under_test: IndustryUnderTest, observation: Observation) -> None:
    industry_under_test.inquiry.check_fresh_msg_ids(observation)


@then("the Industry Service went on inquiring after each of those answers")
def _(industry_under_test: IndustryUnderTest, observation: Observation) -> None:
    industry_under_test.inquiry.check_went_on(observation)


@then("the inquiries went out on the back-off schedule")
def _(industry_under_test: IndustryUnderTest, observation: Observation) -> None:
    industry_under_test.inquiry.check_on_schedule(observation)


# --- the suite playing the Industry Service asks a UCSP -----------------------------------------


@given(parse("a {kind:Word} of {amount:Money} has succeeded at the UCSP"), target_fixture="order")
def _(side: Side, kind: str, amount: Money) -> Order:
    """A transaction of that kind, answered 00 (a cancellation or refund: of a payment made for it).
    Example: Given a refund of 10.00 CNY has succeeded at the UCSP
    """
    return side.inquiry.succeeded(kind, amount)


@given("the order has since been cancelled")
def _(side: Side, order: Order) -> None:
    """The order cancelled in full and the cancellation answered 00, without waiting for its
    notice; "the order" stays the payment. "Given the order has been cancelled" also
    waits for the notice and makes the cancellation the scenario's.
    """
    side.inquiry.cancelled_since(order)


@given("the order has since been refunded in part")
def _(side: Side, order: Order) -> None:
    """Half of the order refunded and the refund answered 00, without waiting for its notice;
    "the order" stays the payment.
    """
    side.inquiry.refunded_in_part(order)


@when(
    parse("the Industry Service inquires about the order with {msg_type:MsgType}"),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, msg_type: str) -> AskedInquiry:
    """Example: When the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY"""
    return ucsp_under_test.inquiry.inquire(order, msg_type)


@when(
    parse(
        "the Industry Service inquires about the order with {msg_type:MsgType} and another txnTime"
    ),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, msg_type: str) -> AskedInquiry:
    """Example: When the Industry Service inquires about the order with PAYMENT_RESULT_INQUIRY and
    another txnTime
    """
    return ucsp_under_test.inquiry.inquire_other_time(order, msg_type)


@when(
    parse("the Industry Service inquires about an unknown orderId with {msg_type:MsgType}"),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, msg_type: str) -> AskedInquiry:
    """Example: When the Industry Service inquires about an unknown orderId with
    REFUND_RESULT_INQUIRY
    """
    return ucsp_under_test.inquiry.inquire_unknown(msg_type)


@then(parse("the inquiry is answered with code {code:Code}"))
def _(ucsp_under_test: UcspUnderTest, inquiry: AskedInquiry, code: str) -> None:
    """Example: Then the inquiry is answered with code 34"""
    ucsp_under_test.inquiry.check_answered(inquiry, code)


@then(parse("the inquiry reports txnStatus {status:Code} with the order's details"))
def _(ucsp_under_test: UcspUnderTest, inquiry: AskedInquiry, order: Order, status: str) -> None:
    """Example: Then the inquiry reports txnStatus 05 with the order's details"""
    ucsp_under_test.inquiry.check_reports(inquiry, order, status)


# --- an inquiry about the scenario's cancellation, refund or charge, either side ------------


def _reversal(request: pytest.FixtureRequest, which: str) -> ReversalOrder:
    """The latest cancellation or refund of the scenario, by its noun."""
    reversal: ReversalOrder = request.getfixturevalue(which)
    return reversal


@when(parse("the Industry Service inquires about the {which:Reversal}"), target_fixture="inquiry")
def _(side: Side, request: pytest.FixtureRequest, which: str) -> object:
    """A REFUND_RESULT_INQUIRY about it, giving its own orderId and txnTime: the suite asks a
    UCSP under test; an Industry Service under test, whose cancellation or refund was answered
    05 or not validly answered, must send it by itself at once (the suite waits for it).
    Example: When the Industry Service inquires about the refund
    """
    return side.inquiry.inquire_about(_reversal(request, which))


@when("the Industry Service inquires about the charge", target_fixture="inquiry")
def _(side: Side, charge: Charge) -> object:
    """As about a cancellation or refund, with PAYMENT_RESULT_INQUIRY."""
    return side.inquiry.inquire_about(charge)


@then(parse("the inquiry reports the {which:Reversal} as {outcome:Outcome} with its details"))
def _(
    ucsp_under_test: UcspUnderTest,
    inquiry: AskedInquiry,
    request: pytest.FixtureRequest,
    which: str,
    outcome: str,
) -> None:
    """The UCSP answers 00 with the txnStatus of that outcome and the cancellation's or
    refund's own details: its orderId, amount and queryId, and the origQryId it named.
    Example: Then the inquiry reports the refund as succeeded with its details
    """
    ucsp_under_test.inquiry.check_reported_as(inquiry, _reversal(request, which), outcome)


@then(parse("the inquiry reports the charge as {outcome:Outcome} with its details"))
def _(ucsp_under_test: UcspUnderTest, inquiry: AskedInquiry, charge: Charge, outcome: str) -> None:
    """The charge's own orderId, amount, currency and queryId.
    Example: Then the inquiry reports the charge as pending with its details
    """
    ucsp_under_test.inquiry.check_reported_as(inquiry, charge, outcome)


# --- no inquiry is due ----------------------------------------------------------------------


@then(parse("the Industry Service sends no inquiry about the {which:Reversal}"))
def _(industry_under_test: IndustryUnderTest, request: pytest.FixtureRequest, which: str) -> None:
    """None from the moment none is due: a cancellation or refund the UCSP refused is never
    inquired about; one whose result notice the Industry Service acknowledged, not after it.
    Example: Then the Industry Service sends no inquiry about the cancellation
    """
    industry_under_test.inquiry.check_no_inquiry_due(_reversal(request, which))


@then("the Industry Service sends no inquiry about the charge")
def _(industry_under_test: IndustryUnderTest, charge: Charge) -> None:
    """As about a cancellation or refund."""
    industry_under_test.inquiry.check_no_inquiry_due(charge)


@then("the Industry Service sends no inquiry about the order")
def _(industry_under_test: IndustryUnderTest, order: Order) -> None:
    """As about a cancellation or refund: the order (or the cancellation, refund or charge
    forwarded last) refused, or its result notice acknowledged."""
    industry_under_test.inquiry.check_no_inquiry_due(order)
