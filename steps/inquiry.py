"""Steps of result inquiries and of the handling of response codes.

Used by features/inquiry and features/response_codes. An Industry Service under test is made
to create orders through its harness while the suite, playing UCSP, scripts its answers and
watches the inquiries that follow; a UCSP under test is asked about orders by the suite,
playing the Industry Service.
"""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.messages import TxnType
from ucsp.sides.auto_debit import Contract
from ucsp.sides.inquiry_industry import SentNotice
from ucsp.sides.inquiry_schedule import Observation
from ucsp.sides.inquiry_ucsp import AskedInquiry
from ucsp.sides.result import Order
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
from ucsp.sides.side import Side

# --- the suite playing UCSP scripts its answers ---------------------------------------------


@given(parse("the UCSP will answer the inquiries about the next order with {answers:Text}"))
def _(industry_under_test: IndustryUnderTest, answers: str) -> None:
    industry_under_test.inquiry.script_inquiries(answers)


@given("the UCSP holds back its next result notice")
def _(industry_under_test: IndustryUnderTest) -> None:
    industry_under_test.inquiry.hold_next_notice()


@when("the UCSP delivers the held result notice")
def _(industry_under_test: IndustryUnderTest, order: Order) -> None:
    industry_under_test.inquiry.deliver_held_notice(order)


@when(
    parse("the UCSP sends the result notice of the order with txnStatus {status:Code}"),
    target_fixture="result_notice",
)
def _(industry_under_test: IndustryUnderTest, order: Order, status: str) -> SentNotice:
    return industry_under_test.inquiry.send_notice(order, status)


# --- the Industry Service creates orders --------------------------------------------------------


@when(
    parse(
        "the Industry Service submits an order of {amount:Money} "
        "that the UCSP answers with {answer:Text}"
    ),
    target_fixture="order",
)
def _(industry_under_test: IndustryUnderTest, amount: Money, answer: str) -> Order:
    return industry_under_test.inquiry.submit(amount, answer)


@when(
    parse(
        "the Industry Service submits orders of {amount:Money} "
        "that the UCSP answers with {answers:Text}, one each"
    ),
    target_fixture="orders",
)
def _(industry_under_test: IndustryUnderTest, amount: Money, answers: str) -> list[Order]:
    return industry_under_test.inquiry.submit_each(amount, answers)


@when("the Industry Service sends a cancellation of the order", target_fixture="order")
def _(side: Side, order: Order) -> Order:
    return side.inquiry.reverse(TxnType.CANCELLATION, order)


@when(
    parse("the Industry Service sends a refund of {amount:Money} of the order"),
    target_fixture="order",
)
def _(side: Side, order: Order, amount: Money) -> Order:
    return side.inquiry.reverse(TxnType.REFUND, order, amount)


@given("the user holds an active auto-debit contract", target_fixture="contract")
def _(side: Side) -> Contract:
    return side.inquiry.contract()


@given("the user holds a closed auto-debit contract", target_fixture="contract")
def _(side: Side) -> Contract:
    return side.inquiry.contract(closed=True)


@when(
    parse("the Industry Service sends a charge of {amount:Money} on the contract"),
    target_fixture="order",
)
def _(side: Side, contract: Contract, amount: Money) -> Order:
    return side.inquiry.charge(contract, amount)


@then(parse("the Industry Service forwarded the {msg_type:MsgType} to the UCSP as asked"))
def _(industry_under_test: IndustryUnderTest, order: Order, msg_type: str) -> None:
    industry_under_test.inquiry.check_forwarded_as_asked(order, msg_type)


# --- the order's status ---------------------------------------------------------------------


@then(parse("the order is {status:Status}"))
def _(side: Side, order: Order, status: str) -> None:
    side.inquiry.check_status(order, status)


@then(parse("each of those orders is {status:Status}"))
def _(side: Side, orders: list[Order], status: str) -> None:
    side.inquiry.check_each_status(orders, status)


@then(parse("the order is {status:Status} once its result notice has arrived"))
def _(side: Side, order: Order, status: str) -> None:
    side.inquiry.check_status_once_notified(order, status)


@then(parse("the payment is still {status:Status}"))
def _(side: Side, order: Order, status: str) -> None:
    side.inquiry.check_original_status(order, status)


# --- the Industry Service's inquiries, observed -------------------------------------------------


@then(parse("the Industry Service inquires about the order at once with {msg_type:MsgType}"))
def _(industry_under_test: IndustryUnderTest, order: Order, msg_type: str) -> None:
    industry_under_test.inquiry.check_first_inquiry(order, msg_type)


@when(parse("the Industry Service has inquired {count:Count} times about the order"))
def _(industry_under_test: IndustryUnderTest, order: Order, count: int) -> None:
    industry_under_test.inquiry.inquired(order, count)


@then(parse("the Industry Service inquires {count:Count} times about the order and then stops"))
def _(industry_under_test: IndustryUnderTest, order: Order, count: int) -> None:
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
    return side.inquiry.succeeded(kind, amount)


@given("the order has since been cancelled")
def _(side: Side, order: Order) -> None:
    side.inquiry.cancelled_since(order)


@given("the order has since been refunded in part")
def _(side: Side, order: Order) -> None:
    side.inquiry.refunded_in_part(order)


@when(
    parse("the Industry Service inquires about the order with {msg_type:MsgType}"),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, msg_type: str) -> AskedInquiry:
    return ucsp_under_test.inquiry.inquire(order, msg_type)


@when(
    parse(
        "the Industry Service inquires about the order with {msg_type:MsgType} and another txnTime"
    ),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, msg_type: str) -> AskedInquiry:
    return ucsp_under_test.inquiry.inquire_other_time(order, msg_type)


@when(
    parse("the Industry Service inquires about an unknown orderId with {msg_type:MsgType}"),
    target_fixture="inquiry",
)
def _(ucsp_under_test: UcspUnderTest, msg_type: str) -> AskedInquiry:
    return ucsp_under_test.inquiry.inquire_unknown(msg_type)


@then(parse("the inquiry is answered with code {code:Code}"))
def _(ucsp_under_test: UcspUnderTest, inquiry: AskedInquiry, code: str) -> None:
    ucsp_under_test.inquiry.check_answered(inquiry, code)


@then(parse("the inquiry reports txnStatus {status:Code} with the order's details"))
def _(ucsp_under_test: UcspUnderTest, inquiry: AskedInquiry, order: Order, status: str) -> None:
    ucsp_under_test.inquiry.check_reports(inquiry, order, status)
