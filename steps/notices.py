"""Steps of result notices: where they go, their retries, and how an Industry Service takes them."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks import ensure
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.checks.notices import (
    check_fresh_envelopes,
    check_no_record,
    check_notice_answered_by_industry,
    check_notice_sent_by_ucsp,
    check_notice_target,
    check_record_unchanged,
    check_recorded,
    check_retry_schedule,
    check_same_trx,
    check_transmission_count,
)
from ucsp.deployment import Deployment
from ucsp.flows.base import Order
from ucsp.flows.notices import CraftedNotice, EarlyNotice, NoticeFlow
from ucsp.flows.payment import NOTICE, SUBMIT_RULE
from ucsp.journal import JournalEntry


@pytest.fixture
def notices(deployment: Deployment) -> NoticeFlow:
    return NoticeFlow(deployment)


# --- where a UCSP under test sends notices (NOT-01) -------------------------------------------


@given(
    parse("an order of {amount:Money} has been submitted with a second notice URL as backUrl"),
    target_fixture="order",
)
def _(notices: NoticeFlow, deployment: Deployment, amount: Money) -> Order:
    url = notices.second_notice_url
    order = deployment.call(notices.submit_order(amount.txn_amt, amount.currency, back_url=url))
    if order.exchange is not None:
        check_valid_answer(order.exchange)
    check_code(order.code, "00", SUBMIT_RULE[deployment.role], "the answer to SUBMIT_PAYMENT_ORDER")
    return order


@then("the result notice of the order arrives at the order's backUrl")
def _(notices: NoticeFlow, deployment: Deployment, order: Order) -> None:
    entries = deployment.call(notices.notices(order))
    ensure(bool(entries), "NOT-01", f"no {NOTICE} for order {order.order_id} arrived")
    check_notice_target(entries[0].url, str(notices.sent_trx(order)["backUrl"]))


@then("the result notice of the order arrives at the registered notice URL")
def _(notices: NoticeFlow, deployment: Deployment, order: Order) -> None:
    entries = deployment.call(notices.notices(order))
    ensure(bool(entries), "NOT-01", f"no {NOTICE} for order {order.order_id} arrived")
    check_notice_target(entries[0].url, deployment.target.industry.notice_url)


# --- retries of a UCSP under test (NOT-03, NOT-04, NOT-05, FMT-11) ------------------------------


@given(parse("the Industry Service answers the next result notice with {answer:Text}"))
def _(notices: NoticeFlow, answer: str) -> None:
    notices.answer_notices(answer)


@given(
    parse("the Industry Service answers the next {count:Count} result notices with {answer:Text}")
)
def _(notices: NoticeFlow, count: int, answer: str) -> None:
    notices.answer_notices(answer, count)


@then(
    parse(
        "the result notice of the order is transmitted {count:Count} times on the retry schedule"
    ),
    target_fixture="transmissions",
)
def _(notices: NoticeFlow, deployment: Deployment, order: Order, count: int) -> list[JournalEntry]:
    entries = deployment.call(notices.transmissions(order, count))
    profile = deployment.target.profile
    check_transmission_count(len(entries), count, len(profile.schedule))
    check_retry_schedule(
        [e.elapsed for e in entries],
        profile.schedule,
        profile.early_tolerance,
        profile.late_tolerance,
        notices.slack,
    )
    return entries


@then("every transmission carries the same trxInfo in a fresh envelope")
def _(deployment: Deployment, order: Order, transmissions: list[JournalEntry]) -> None:
    messages = [
        check_notice_sent_by_ucsp(
            e, deployment.target, NOTICE, {"orderId": order.order_id}, "NOT-03"
        )
        for e in transmissions
    ]
    check_same_trx(messages)
    check_fresh_envelopes(messages, transmissions, deployment.target.profile)


@then(parse("the result notice of the order is transmitted {count:Count} times and no more"))
def _(notices: NoticeFlow, deployment: Deployment, order: Order, count: int) -> None:
    entries = deployment.call(notices.transmissions(order, count))
    check_transmission_count(len(entries), count, len(deployment.target.profile.schedule))


@then("the result notice of the order is sent again with the same trxInfo")
def _(notices: NoticeFlow, deployment: Deployment, order: Order) -> None:
    entries = deployment.call(notices.retransmissions(order))
    ensure(
        len(entries) >= 2,
        "NOT-05",
        f"the notice of {order.order_id} was not sent again after an answer other than a "
        "valid, signed, echoing 00",
    )
    messages = [
        check_notice_sent_by_ucsp(
            e, deployment.target, NOTICE, {"orderId": order.order_id}, "NOT-03"
        )
        for e in entries[:2]
    ]
    check_same_trx(messages)


# --- an Industry Service under test receives (NOT-06 to NOT-09) ---------------------------------


@when(
    "UCSP sends the result notice of the order again in a fresh envelope", target_fixture="crafted"
)
def _(notices: NoticeFlow, deployment: Deployment, order: Order) -> CraftedNotice:
    return deployment.call(notices.repeat_notice(order))


@when(
    parse("UCSP sends a result notice for the order with txnStatus {status:Code}"),
    target_fixture="crafted",
)
def _(notices: NoticeFlow, deployment: Deployment, order: Order, status: str) -> CraftedNotice:
    return deployment.call(notices.late_notice(order, status))


@when(
    "UCSP sends a result notice for an orderId the Industry Service never created",
    target_fixture="crafted",
)
def _(notices: NoticeFlow, deployment: Deployment) -> CraftedNotice:
    return deployment.call(notices.unknown_order_notice())


@when(
    parse("UCSP sends a result notice for the order with a different {field:Word}"),
    target_fixture="crafted",
)
def _(notices: NoticeFlow, deployment: Deployment, order: Order, field: str) -> CraftedNotice:
    return deployment.call(notices.differing_notice(order, field))


@then(parse("the notice is answered with code {code:Code}"))
def _(deployment: Deployment, crafted: CraftedNotice, code: str) -> None:
    check_notice_answered_by_industry(crafted.entry, deployment.target, code, crafted.requirement)


@then("nothing recorded of the order has changed")
def _(notices: NoticeFlow, deployment: Deployment, crafted: CraftedNotice) -> None:
    assert crafted.before is not None
    after = deployment.call(notices.record(crafted.order_id))
    check_record_unchanged(crafted.before, after.data, crafted.requirement)


@then("the Industry Service has no record of that orderId")
def _(notices: NoticeFlow, deployment: Deployment, crafted: CraftedNotice) -> None:
    record = deployment.call(notices.record(crafted.order_id))
    check_no_record(record.status, crafted.order_id, crafted.requirement)


# --- a notice before the answer (NOT-10) ----------------------------------------------------------


@given("UCSP holds back its answer to the next order")
def _(notices: NoticeFlow) -> None:
    notices.answer_next_order_late()


@when(
    parse(
        "the Industry Service submits an order of {amount:Money} "
        "and the user pays it before the answer arrives"
    ),
    target_fixture="early",
)
def _(notices: NoticeFlow, deployment: Deployment, amount: Money) -> EarlyNotice:
    return deployment.call(notices.pay_before_answer(amount.txn_amt, amount.currency))


@then("the result notice of the order is answered 00 before the answer to the order")
def _(notices: NoticeFlow, deployment: Deployment, early: EarlyNotice) -> None:
    if not early.notice_first:
        raise RuntimeError("the answer to the order went out before the notice: nothing checked")
    entries = deployment.call(notices.notices(early.order))
    notice = notices.first_notice(entries, "NOT-10", f"{NOTICE} of {early.order.order_id}")
    check_notice_answered_by_industry(notice, deployment.target, "00", "NOT-10")


@then(parse("the early-notified order is recorded as {status:Status}"))
def _(notices: NoticeFlow, deployment: Deployment, early: EarlyNotice, status: str) -> None:
    record = deployment.call(notices.record(early.order.order_id))
    check_recorded(record.data, status, "NOT-10")


# --- notices out of order (NOT-11) ---------------------------------------------------------------


@given(parse("UCSP answers the Industry Service's refund inquiries with code {code:Code}"))
def _(notices: NoticeFlow, code: str) -> None:
    notices.answer_refund_inquiries(code)


@given(parse("UCSP holds the next {count:Count} result notices"))
def _(notices: NoticeFlow, count: int) -> None:
    notices.hold_notices(count)


@when(
    parse("the Industry Service refunds {first:Money} and then {second:Money} of the order"),
    target_fixture="refunds",
)
def _(
    notices: NoticeFlow, deployment: Deployment, order: Order, first: Money, second: Money
) -> list[str]:
    return [
        deployment.call(notices.refund(order, first.txn_amt)),
        deployment.call(notices.refund(order, second.txn_amt)),
    ]


@when("UCSP delivers the held notices in reverse order")
def _(notices: NoticeFlow, deployment: Deployment, refunds: list[str]) -> None:
    for entry in deployment.call(notices.release_in_reverse(refunds)):
        check_notice_answered_by_industry(entry, deployment.target, "00", "NOT-11")


@then(parse("each refund of the order is recorded as {status:Status}"))
def _(notices: NoticeFlow, deployment: Deployment, refunds: list[str], status: str) -> None:
    for refund_id in refunds:
        check_recorded(deployment.call(notices.record(refund_id)).data, status, "NOT-11")


@then(parse("the order is recorded as {status:Status} with {amount:Money} refunded"))
def _(
    notices: NoticeFlow, deployment: Deployment, order: Order, status: str, amount: Money
) -> None:
    record = deployment.call(notices.record(order.order_id)).data
    check_recorded(record, status, "NOT-11", refunded_amt=amount.txn_amt)
