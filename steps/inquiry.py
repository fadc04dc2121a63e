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
from ucsp.checks import ensure
from ucsp.checks.inquiry import (
    INQUIRY_TYPE,
    check_goes_on_after,
    check_inquiry_answer,
    check_inquiry_request,
    check_no_inquiry,
    check_order_status,
    check_schedule,
    requirement_for_answer,
)
from ucsp.checks.messages import (
    check_code,
    check_fresh_msg_ids,
    check_sent_message,
    check_valid_answer,
)
from ucsp.checks.notices import check_notice_answered_by_industry
from ucsp.deployment import Deployment
from ucsp.errors import SuiteError
from ucsp.flows.base import Order, trx_of
from ucsp.flows.inquiry import (
    NOTICE_RULE,
    InquiryFlow,
    InquiryScene,
    TrackedOrder,
    inquiry_rule,
    kind_of,
    parse_answer,
    parse_answers,
)
from ucsp.journal import JournalEntry
from ucsp.messages import Party


@pytest.fixture
def inquiry_flow(deployment: Deployment) -> InquiryFlow:
    return InquiryFlow(deployment)


@pytest.fixture
def inquiry_scene() -> InquiryScene:
    return InquiryScene()


def _tracked(order: Order) -> TrackedOrder:
    if not isinstance(order, TrackedOrder):
        raise TypeError("this step needs an order created by the steps of the inquiry area")
    return order


def _sent_inquiry(deployment: Deployment, raw: bytes, msg_type: str) -> dict[str, object]:
    keys = deployment.target.keys
    certs = {keys.industry_sign.cert_id: keys.industry_sign.cert}
    return check_sent_message(
        raw, msg_type, "request", Party.INDUSTRY, certs, deployment.target.profile
    )


# --- the suite playing UCSP scripts its answers ---------------------------------------------


@given(parse("the UCSP will answer the inquiries about the next order with {answers:Text}"))
def _(inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, answers: str) -> None:
    inquiry_scene.answers = parse_answers(answers)
    inquiry_flow.script_inquiries(inquiry_scene.answers)


@given("the UCSP holds back its next result notice")
def _(inquiry_flow: InquiryFlow) -> None:
    inquiry_flow.hold_next_notice()


@when("the UCSP delivers the held result notice")
def _(inquiry_flow: InquiryFlow, deployment: Deployment, order: Order) -> None:
    delivered = deployment.call(inquiry_flow.release_notices(order))
    if not delivered:
        raise SuiteError(
            f"the suite playing UCSP did not deliver its held notice of {order.order_id}"
        )
    check_notice_answered_by_industry(delivered[-1], deployment.target, "00", "NOT-07")


@when(parse("the UCSP sends the result notice of the order with txnStatus {status:Code}"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    status: str,
) -> None:
    tracked = _tracked(order)
    exchange = deployment.call(inquiry_flow.send_notice(tracked, status))
    # inquiries count as "after the notice" from the moment it was answered; those that came
    # while it was in flight are counted from the journal when the check runs
    inquiry_scene.quiet_since = inquiry_flow.answered_at(exchange)
    inquiry_scene.requirement = NOTICE_RULE[tracked.kind]


# --- the Industry Service creates orders --------------------------------------------------------


@when(
    parse(
        "the Industry Service submits an order of {amount:Money} "
        "that the UCSP answers with {answer:Text}"
    ),
    target_fixture="order",
)
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    amount: Money,
    answer: str,
) -> Order:
    scripted = parse_answer(answer)
    if scripted.valid and scripted.code is None:
        raise ValueError(f"say which code UCSP answers the order with, not {answer!r}")
    order = deployment.call(
        inquiry_flow.create("payment", amount.txn_amt, amount.currency, scripted)
    )
    code = scripted.code if scripted.valid else None
    inquiry_scene.requirement = requirement_for_answer("payment", code)
    return order


@when(
    parse(
        "the Industry Service submits orders of {amount:Money} "
        "that the UCSP answers with {answers:Text}, one each"
    )
)
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    amount: Money,
    answers: str,
) -> None:
    for scripted in parse_answers(answers):
        order = deployment.call(
            inquiry_flow.create("payment", amount.txn_amt, amount.currency, scripted)
        )
        order.code = scripted.code if scripted.valid else None  # as scripted, not as reported
        inquiry_scene.orders.append(order)


@when("the Industry Service sends a cancellation of the order", target_fixture="order")
def _(
    inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment, order: Order
) -> Order:
    inquiry_scene.original = order
    new = deployment.call(inquiry_flow.reverse("cancellation", order, order.txn_amt))
    inquiry_scene.requirement = requirement_for_answer("cancellation", new.code)
    return new


@when(
    parse("the Industry Service sends a refund of {amount:Money} of the order"),
    target_fixture="order",
)
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    amount: Money,
) -> Order:
    inquiry_scene.original = order
    new = deployment.call(inquiry_flow.reverse("refund", order, amount.txn_amt))
    inquiry_scene.requirement = requirement_for_answer("refund", new.code)
    return new


@given("the user holds an active auto-debit contract")
def _(inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment) -> None:
    inquiry_scene.contract = deployment.call(inquiry_flow.contract())


@given("the user holds a closed auto-debit contract")
def _(inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment) -> None:
    inquiry_scene.contract = deployment.call(inquiry_flow.contract(closed=True))


@when(
    parse("the Industry Service sends a charge of {amount:Money} on the contract"),
    target_fixture="order",
)
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    amount: Money,
) -> Order:
    assert inquiry_scene.contract is not None, "no contract: use a step that signs one first"
    new = deployment.call(
        inquiry_flow.charge(inquiry_scene.contract, amount.txn_amt, amount.currency)
    )
    inquiry_scene.requirement = requirement_for_answer("auto-debit", new.code)
    return new


@then(parse("the Industry Service forwarded the {msg_type:MsgType} to the UCSP as asked"))
def _(inquiry_flow: InquiryFlow, deployment: Deployment, order: Order, msg_type: str) -> None:
    tracked = _tracked(order)
    sent = inquiry_flow.forwarded(tracked)
    ensure(
        bool(sent) and sent[-1].msg_type == msg_type,
        "RC-06",
        f"the IS did not forward the {msg_type} the harness asked for (harness answered "
        f"HTTP {tracked.harness_status})",
    )
    trx = trx_of(sent[-1])
    expected = {"txnAmt": tracked.txn_amt}
    if tracked.original is not None:
        original = deployment.call(inquiry_flow.harness.order(tracked.original.order_id))
        expected["origQryId"] = str(original.get("queryId"))
    if tracked.contract_id is not None:
        expected["contractId"] = tracked.contract_id
    wrong = {k: trx.get(k) for k, v in expected.items() if trx.get(k) != v}
    ensure(not wrong, "RC-06", f"the {msg_type} is not as the harness asked: {wrong}")


# --- the order's status ---------------------------------------------------------------------


@then(parse("the order is {status:Status}"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    status: str,
) -> None:
    recorded = deployment.call(inquiry_flow.status(order))
    check_order_status(recorded, status, order.order_id, inquiry_scene.requirement)


@then(parse("each of those orders is {status:Status}"))
def _(
    inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment, status: str
) -> None:
    for order in inquiry_scene.orders:
        recorded = deployment.call(inquiry_flow.status(order))
        rule = requirement_for_answer(order.kind, order.code)
        check_order_status(recorded, status, f"{order.order_id} (answered {order.code})", rule)


@then(parse("the order is {status:Status} once its result notice has arrived"))
def _(inquiry_flow: InquiryFlow, deployment: Deployment, order: Order, status: str) -> None:
    recorded = deployment.call(inquiry_flow.status_once_notified(order))
    check_order_status(recorded, status, order.order_id, NOTICE_RULE[kind_of(order)])


@then(parse("the payment is still {status:Status}"))
def _(
    inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment, status: str
) -> None:
    original = inquiry_scene.original
    assert original is not None, "no original payment in this scenario"
    recorded = deployment.call(inquiry_flow.status(original))
    check_order_status(recorded, status, original.order_id, "RC-06")


# --- the Industry Service's inquiries, observed -------------------------------------------------


@then(parse("the Industry Service inquires about the order at once with {msg_type:MsgType}"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    msg_type: str,
) -> None:
    tracked = _tracked(order)
    first = deployment.call(inquiry_flow.first_inquiry(tracked))
    ensure(
        first is not None,
        inquiry_scene.requirement,
        f"no inquiry about order {order.order_id} came within "
        f"{inquiry_flow.latest(0) + tracked.grace:.1f} protocol s of the answer",
    )
    assert first is not None
    message = _sent_inquiry(deployment, first.request, first.msg_type)
    check_inquiry_request(message, msg_type, order.order_id, order.txn_time)


def _inquiries_due(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    count: int,
    requirement: str,
    why: str,
) -> list[JournalEntry]:
    """Wait until the window of the ``count``-th inquiry has closed; all ``count`` must have
    come (``requirement`` names the rule, or the scene's when none came at all)."""
    tracked = _tracked(order)
    until = inquiry_flow.start_of(tracked) + inquiry_flow.latest(count - 1)
    seen = deployment.call(inquiry_flow.wait_inquiries(tracked, count, until))
    ensure(
        len(seen) >= count,
        requirement if seen else inquiry_scene.requirement,
        f"{len(seen)} inquiries about order {order.order_id} came, {count} were due: {why}",
    )
    return seen


@when(parse("the Industry Service has inquired {count:Count} times about the order"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    count: int,
) -> None:
    _inquiries_due(inquiry_flow, inquiry_scene, deployment, order, count, "INQ-05", "by now")


@then(parse("the Industry Service inquires {count:Count} times about the order and then stops"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    count: int,
) -> None:
    tracked = _tracked(order)
    seen = _inquiries_due(
        inquiry_flow,
        inquiry_scene,
        deployment,
        order,
        count,
        "INQ-07",
        "the inquiries must go on after an answer without a final status",
    )
    later = deployment.call(inquiry_flow.inquiries_after(tracked, seen[count - 1].elapsed, count))
    check_no_inquiry(
        later,
        "the inquiries must stop at a final status (txnStatus 00 or 01) or 34",
        "INQ-06",
        since=f"inquiry #{count} got its final answer",
    )
    inquiry_scene.requirement = "INQ-06"


@then("the Industry Service sends no inquiry about any of those orders")
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
) -> None:
    for order in inquiry_scene.orders:
        # wait out the windows of the first two slots: a late first inquiry is caught too
        later = deployment.call(inquiry_flow.inquiries_after(order, float("-inf"), 1))
        check_no_inquiry(
            later,
            f"order {order.order_id} was refused with code {order.code} and is FAILED: "
            "it must not be inquired about",
            requirement_for_answer(order.kind, order.code),
        )


@then("the Industry Service sends no further inquiry about the order")
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
) -> None:
    assert inquiry_scene.quiet_since is not None, "no result notice was sent in this scenario"
    tracked = _tracked(order)
    later = deployment.call(inquiry_flow.inquiries_after(tracked, inquiry_scene.quiet_since))
    check_no_inquiry(
        later,
        "the inquiries must stop once the result notice has arrived",
        "INQ-06",
        since="the result notice was answered",
    )


@when("the inquiry schedule of the order has run its course")
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
) -> None:
    inquiry_scene.observation = deployment.call(
        inquiry_flow.observe_course(_tracked(order), inquiry_scene.answers)
    )
    inquiry_scene.requirement = "INQ-05"


@then(parse("every inquiry was a {msg_type:MsgType} with the order's orderId and txnTime"))
def _(inquiry_scene: InquiryScene, deployment: Deployment, order: Order, msg_type: str) -> None:
    assert inquiry_scene.observation is not None
    for entry in inquiry_scene.observation.entries:
        message = _sent_inquiry(deployment, entry.request, entry.msg_type)
        check_inquiry_request(message, msg_type, order.order_id, order.txn_time)


@then("every inquiry carried a msgID of its own")
def _(inquiry_scene: InquiryScene) -> None:
    assert inquiry_scene.observation is not None
    check_fresh_msg_ids(inquiry_scene.observation.messages, "FMT-11")


@then("the Industry Service went on inquiring after each of those answers")
def _(inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene) -> None:
    assert inquiry_scene.observation is not None
    check_goes_on_after(
        [a.text for a in inquiry_scene.answers],
        [a.final for a in inquiry_scene.answers],
        len(inquiry_scene.observation.offsets),
        len(inquiry_flow.schedule),
    )


@then("the inquiries went out on the back-off schedule")
def _(inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene) -> None:
    observed = inquiry_scene.observation
    assert observed is not None
    limit = len(inquiry_flow.schedule)
    finals = [n for n, a in enumerate(inquiry_scene.answers, 1) if a.final]
    check_schedule(
        observed.offsets,
        inquiry_flow.schedule,
        inquiry_flow.tolerance,
        inquiry_flow.slack,
        busy_until=observed.busy_until,
        count=min([*finals, limit]),
    )


# --- the suite playing the Industry Service asks a UCSP -----------------------------------------


@given(parse("a {kind:Word} of {amount:Money} has succeeded at the UCSP"), target_fixture="order")
def _(inquiry_flow: InquiryFlow, deployment: Deployment, kind: str, amount: Money) -> Order:
    return deployment.call(inquiry_flow.succeeded(kind_of(kind), amount.txn_amt, amount.currency))


@given("the order has since been cancelled")
def _(inquiry_flow: InquiryFlow, deployment: Deployment, order: Order) -> None:
    reversal = deployment.call(inquiry_flow.reverse("cancellation", order, order.txn_amt))
    check_code(reversal.code, "00", "CAN-01", "the answer to PAYMENT_CANCELLATION")


@given("the order has since been refunded in part")
def _(inquiry_flow: InquiryFlow, deployment: Deployment, order: Order) -> None:
    part = str(max(1, int(order.txn_amt) // 2))
    reversal = deployment.call(inquiry_flow.reverse("refund", order, part))
    check_code(reversal.code, "00", "REF-01", "the answer to PAYMENT_REFUND")


@when(parse("the Industry Service inquires about the order with {msg_type:MsgType}"))
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    msg_type: str,
) -> None:
    inquiry_scene.exchange = deployment.call(inquiry_flow.inquire(order, msg_type))
    inquiry_scene.requirement = inquiry_rule(order, msg_type)


@when(
    parse(
        "the Industry Service inquires about the order with {msg_type:MsgType} and another txnTime"
    )
)
def _(
    inquiry_flow: InquiryFlow,
    inquiry_scene: InquiryScene,
    deployment: Deployment,
    order: Order,
    msg_type: str,
) -> None:
    inquiry_scene.exchange = deployment.call(
        inquiry_flow.inquire(order, msg_type, other_txn_time=True)
    )
    inquiry_scene.requirement = inquiry_rule(order, msg_type, wrong=True)


@when(parse("the Industry Service inquires about an unknown orderId with {msg_type:MsgType}"))
def _(
    inquiry_flow: InquiryFlow, inquiry_scene: InquiryScene, deployment: Deployment, msg_type: str
) -> None:
    inquiry_scene.exchange = deployment.call(inquiry_flow.inquire_unknown(msg_type))
    inquiry_scene.requirement = "INQ-03"


@then(parse("the inquiry is answered with code {code:Code}"))
def _(inquiry_scene: InquiryScene, code: str) -> None:
    exchange = inquiry_scene.exchange
    assert exchange is not None, "no inquiry was sent in this scenario"
    check_valid_answer(exchange)
    check_code(exchange.code, code, inquiry_scene.requirement, f"the answer to {exchange.msg_type}")


@then(parse("the inquiry reports txnStatus {status:Code} with the order's details"))
def _(inquiry_scene: InquiryScene, order: Order, status: str) -> None:
    exchange = inquiry_scene.exchange
    assert exchange is not None, "no inquiry was sent in this scenario"
    check_valid_answer(exchange)
    expected = {"orderId": order.order_id, "txnAmt": order.txn_amt, "txnStatus": status}
    if exchange.msg_type == INQUIRY_TYPE["payment"]:
        expected["currencyCode"] = order.currency
    check_inquiry_answer(
        exchange.code, exchange.trx_info, exchange.msg_type, expected, inquiry_scene.requirement
    )
