"""Steps of result notices: where they go, their retries, and how an Industry Service takes them."""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.journal import JournalEntry
from ucsp.sides.notices import CraftedNotice, EarlyNotice
from ucsp.sides.result import Order
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

# --- where a UCSP under test sends notices (NOT-01) -------------------------------------------


@given(
    parse("an order of {amount:Money} has been submitted with a second notice URL as backUrl"),
    target_fixture="order",
)
def _(ucsp_under_test: UcspUnderTest, amount: Money) -> Order:
    return ucsp_under_test.notices.submitted_with_back_url(amount)


@then("the result notice of the order arrives at the order's backUrl")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> None:
    ucsp_under_test.notices.check_arrives_at_back_url(order)


@then("the result notice of the order arrives at the registered notice URL")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> None:
    ucsp_under_test.notices.check_arrives_at_registered_url(order)


# --- retries of a UCSP under test (NOT-03, NOT-04, NOT-05, FMT-11) ------------------------------


@given(parse("the Industry Service answers the next result notice with {answer:Text}"))
def _(ucsp_under_test: UcspUnderTest, answer: str) -> None:
    """The suite, playing the Industry Service, answers the next result notice as told.
    Example: Given the Industry Service answers the next result notice with code 34
    """
    ucsp_under_test.notices.answer_notices(answer)


@given(
    parse("the Industry Service answers the next {count:Number} result notices with {answer:Text}")
)
def _(ucsp_under_test: UcspUnderTest, count: int, answer: str) -> None:
    """Example: Given the Industry Service answers the next 8 result notices with code 99"""
    ucsp_under_test.notices.answer_notices(answer, count)


@then(
    parse("the result notice of the order is transmitted {count:Times} on the retry schedule"),
    target_fixture="transmissions",
)
def _(ucsp_under_test: UcspUnderTest, order: Order, count: int) -> list[JournalEntry]:
    """Example: Then the result notice of the order is transmitted 7 times on the retry schedule"""
    return ucsp_under_test.notices.check_on_schedule(order, count)


@then("every transmission carries the same trxInfo in a fresh envelope")
def _(ucsp_under_test: UcspUnderTest, order: Order, transmissions: list[JournalEntry]) -> None:
    ucsp_under_test.notices.check_fresh_retransmissions(order, transmissions)


@then(parse("the result notice of the order is transmitted {count:Times} and no more"))
def _(ucsp_under_test: UcspUnderTest, order: Order, count: int) -> None:
    """Example: Then the result notice of the order is transmitted three times and no more"""
    ucsp_under_test.notices.check_transmitted(order, count)


@then("the result notice of the order is sent again with the same trxInfo")
def _(ucsp_under_test: UcspUnderTest, order: Order) -> None:
    ucsp_under_test.notices.check_sent_again(order)


# --- an Industry Service under test receives (NOT-06 to NOT-09) ---------------------------------


@when(
    "UCSP sends the result notice of the order again in a fresh envelope", target_fixture="crafted"
)
def _(industry_under_test: IndustryUnderTest, order: Order) -> CraftedNotice:
    return industry_under_test.notices.repeat_notice(order)


@when(
    parse("UCSP sends another result notice for the order with txnStatus {status:Code}"),
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest, order: Order, status: str) -> CraftedNotice:
    """After the order's result notice was delivered, the suite, playing UCSP, sends another one
    with this txnStatus.
    Example: When UCSP sends another result notice for the order with txnStatus 01
    """
    return industry_under_test.notices.late_notice(order, status)


@when(
    "UCSP sends a result notice for an orderId the Industry Service never created",
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest) -> CraftedNotice:
    return industry_under_test.notices.unknown_order_notice()


@when(
    parse("UCSP sends a result notice for the order with a different {field:Word}"),
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest, order: Order, field: str) -> CraftedNotice:
    """A notice of the order differing in one field ({field}: txnAmt, currencyCode, txnType or
    txnTime).
    Example: When UCSP sends a result notice for the order with a different txnAmt
    """
    return industry_under_test.notices.differing_notice(order, field)


@then(parse("the notice is answered with code {code:Code}"))
def _(industry_under_test: IndustryUnderTest, crafted: CraftedNotice, code: str) -> None:
    """Example: Then the notice is answered with code 36"""
    industry_under_test.notices.check_answered(crafted, code)


@then("nothing recorded of the order has changed")
def _(industry_under_test: IndustryUnderTest, crafted: CraftedNotice) -> None:
    industry_under_test.notices.check_nothing_changed(crafted)


@then("the Industry Service has no record of that orderId")
def _(industry_under_test: IndustryUnderTest, crafted: CraftedNotice) -> None:
    industry_under_test.notices.check_no_record(crafted)


# --- a notice before the answer (NOT-10) ----------------------------------------------------------


@given("UCSP holds back its answer to the next order")
def _(industry_under_test: IndustryUnderTest) -> None:
    industry_under_test.notices.answer_next_order_late()


@when(
    parse(
        "the Industry Service submits an order of {amount:Money} "
        "and the user pays it before the answer arrives"
    ),
    target_fixture="early",
)
def _(industry_under_test: IndustryUnderTest, amount: Money) -> EarlyNotice:
    return industry_under_test.notices.pay_before_answer(amount)


@then("the result notice of the order is answered 00 before the answer to the order")
def _(industry_under_test: IndustryUnderTest, early: EarlyNotice) -> None:
    industry_under_test.notices.check_early_notice_answered(early)


@then(parse("the early-notified order is recorded as {status:Status}"))
def _(industry_under_test: IndustryUnderTest, early: EarlyNotice, status: str) -> None:
    industry_under_test.notices.check_early_recorded(early, status)


# --- notices out of order (NOT-11) ---------------------------------------------------------------


@given(parse("UCSP answers the Industry Service's refund inquiries with code {code:Code}"))
def _(industry_under_test: IndustryUnderTest, code: str) -> None:
    """Example: Given UCSP answers the Industry Service's refund inquiries with code 99"""
    industry_under_test.notices.answer_refund_inquiries(code)


@given(parse("UCSP holds the next {count:Number} result notices"))
def _(industry_under_test: IndustryUnderTest, count: int) -> None:
    """The suite, playing UCSP, keeps that many result notices until "When UCSP delivers the
    held notices in reverse order".
    Example: Given UCSP holds the next two result notices
    """
    industry_under_test.notices.hold_notices(count)


@when(
    parse("the Industry Service refunds {first:Money} and then {second:Money} of the order"),
    target_fixture="refunds",
)
def _(
    industry_under_test: IndustryUnderTest, order: Order, first: Money, second: Money
) -> list[str]:
    """Example: When the Industry Service refunds 30.05 CNY and then 20.05 CNY of the order"""
    notices = industry_under_test.notices
    return [notices.refund(order, first), notices.refund(order, second)]


@when("UCSP delivers the held notices in reverse order")
def _(industry_under_test: IndustryUnderTest, refunds: list[str]) -> None:
    industry_under_test.notices.check_delivered_in_reverse(refunds)


@then(parse("each refund of the order is recorded as {status:Status}"))
def _(industry_under_test: IndustryUnderTest, refunds: list[str], status: str) -> None:
    industry_under_test.notices.check_each_recorded(refunds, status)


@then(parse("the order is recorded as {status:Status} with {amount:Money} refunded"))
def _(industry_under_test: IndustryUnderTest, order: Order, status: str, amount: Money) -> None:
    """Example: Then the order is recorded as PARTIALLY_REFUNDED with 50.10 CNY refunded"""
    industry_under_test.notices.check_refunded(order, status, amount)
