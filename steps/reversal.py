"""Steps of cancellations and refunds (features/reversal).

The latest cancellation and refund of a scenario are the fixtures ``cancellation`` and
``refund``; "the order" is the payment they reverse. UCSP under test: the suite sends them and
reads the answers, notices and REFUND_RESULT_INQUIRY. Industry Service under test: the IS
sends them through its harness; the suite reads what it sent and what the harness records.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks import ensure
from ucsp.checks.messages import (
    check_code,
    check_sent_message,
    check_timestamp,
    check_valid_answer,
)
from ucsp.checks.notices import check_notice_answered_by_industry, check_notice_sent_by_ucsp
from ucsp.checks.reversal import (
    TXN_STATUS,
    amount_of,
    check_cancelled,
    check_harness_mirrors,
    check_no_notice,
    check_not_created,
    check_recorded,
    check_refund_inquiry,
    check_refunded,
    check_reversal_answer,
    check_reversal_notice,
    check_sent_reversal,
)
from ucsp.deployment import Deployment
from ucsp.flows.base import Order, trx_of
from ucsp.flows.notices import CraftedNotice
from ucsp.flows.payment import NOTICE
from ucsp.flows.reversal import (
    ANSWER_RULE,
    CANCELLATION,
    OUTCOME_RULE,
    REFUND,
    Reversal,
    ReversalFlow,
)
from ucsp.messages import Party

# The rule a UCSP under test breaks by not refusing, by kind and code; for a refund's 36,
# REF-04 (amount) when the scenario is tagged so, else REF-05 (the original).
REFUSAL_RULES = {
    (CANCELLATION, "34"): "CAN-02",
    (CANCELLATION, "36"): "CAN-03",
    (REFUND, "34"): "REF-02",
    (REFUND, "36"): "REF-05",
}


@pytest.fixture
def reversals(deployment: Deployment) -> ReversalFlow:
    return ReversalFlow(deployment)


def _tagged(request: pytest.FixtureRequest, candidates: tuple[str, ...], default: str) -> str:
    """The first of ``candidates`` the scenario is tagged with, else ``default``: where one
    step checks a fact for several rules, the violation names the rule the scenario checks."""
    tags = {mark.name for mark in request.node.iter_markers()}
    return next((rule for rule in candidates if rule in tags), default)


def _same_currency(order: Order, amount: Money) -> str:
    if amount.currency != order.currency:
        raise ValueError(f"a reversal of {order.order_id} is in its currency {order.currency}")
    return amount.txn_amt


# --- what the scenario starts from ------------------------------------------------------------


def _reversed(
    reversals: ReversalFlow, deployment: Deployment, reversal: Reversal, code: str
) -> Reversal:
    """``reversal`` as a precondition: answered ``code``; when 00, its notice delivered;
    when 05, PENDING at the Industry Service under test."""
    _answered(deployment, reversal, code)
    if code == "05" and deployment.role == "industry":
        record = deployment.call(reversals.record(reversal.order_id))
        check_recorded(record, "PENDING", "RC-04", settled=reversals.result_told(reversal))
    if code == "00":
        delivered = deployment.call(reversals.notices(reversal))
        rule = ANSWER_RULE[(deployment.role, reversal.kind)]
        reversals.first_notice(delivered, rule, f"{NOTICE} of {reversal.order_id}")
    return reversal


@given("the order has been cancelled", target_fixture="cancellation")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order) -> Reversal:
    cancellation = deployment.call(reversals.reverse(CANCELLATION, order))
    return _reversed(reversals, deployment, cancellation, "00")


@given("a cancellation of the order is pending", target_fixture="cancellation")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order) -> Reversal:
    cancellation = deployment.call(reversals.reverse(CANCELLATION, order))
    return _reversed(reversals, deployment, cancellation, "05")


@given(parse("{amount:Money} of the order has been refunded"), target_fixture="refund")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order, amount: Money) -> Reversal:
    refund = deployment.call(reversals.reverse(REFUND, order, _same_currency(order, amount)))
    return _reversed(reversals, deployment, refund, "00")


@given(parse("a refund of {amount:Money} of the order is pending"), target_fixture="refund")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order, amount: Money) -> Reversal:
    refund = deployment.call(reversals.reverse(REFUND, order, _same_currency(order, amount)))
    return _reversed(reversals, deployment, refund, "05")


# --- the Industry Service reverses ----------------------------------------------------------


@when("the Industry Service cancels the order", target_fixture="cancellation")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order) -> Reversal:
    return deployment.call(reversals.reverse(CANCELLATION, order))


@when(
    parse("the Industry Service cancels the order for {amount:Money}"),
    target_fixture="cancellation",
)
def _(reversals: ReversalFlow, deployment: Deployment, order: Order, amount: Money) -> Reversal:
    amount_text = _same_currency(order, amount)
    return deployment.call(reversals.reverse(CANCELLATION, order, amount_text))


@when(parse("the Industry Service refunds {amount:Money} of the order"), target_fixture="refund")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order, amount: Money) -> Reversal:
    return deployment.call(reversals.reverse(REFUND, order, _same_currency(order, amount)))


@when("the Industry Service cancels the refund", target_fixture="cancellation")
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal) -> Reversal:
    return deployment.call(reversals.reverse(CANCELLATION, refund))


@when(parse("the Industry Service refunds {amount:Money} of the refund"), target_fixture="refund")
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal, amount: Money) -> Reversal:
    return deployment.call(reversals.reverse(REFUND, refund, _same_currency(refund, amount)))


@when(
    parse("the Industry Service asks for a cancellation of {amount:Money} of an unknown origQryId"),
    target_fixture="cancellation",
)
def _(reversals: ReversalFlow, deployment: Deployment, amount: Money) -> Reversal:
    return deployment.call(reversals.reverse_unknown(CANCELLATION, amount.txn_amt, amount.currency))


@when(
    parse("the Industry Service asks for a refund of {amount:Money} of an unknown origQryId"),
    target_fixture="refund",
)
def _(reversals: ReversalFlow, deployment: Deployment, amount: Money) -> Reversal:
    return deployment.call(reversals.reverse_unknown(REFUND, amount.txn_amt, amount.currency))


# --- answers --------------------------------------------------------------------------------


def _answered(
    deployment: Deployment, reversal: Reversal, code: str, rule: str | None = None
) -> None:
    """UCSP's answer (UCSP under test), or the harness's report of it (IS under test)."""
    rule = rule or ANSWER_RULE[(deployment.role, reversal.kind)]
    if reversal.exchange is None:
        check_harness_mirrors(reversal.harness, reversal.ucsp_code, reversal.msg_type, rule)
        check_code(reversal.code, code, rule, f"the harness's report of {reversal.order_id}")
        return
    check_valid_answer(reversal.exchange)
    check_reversal_answer(
        reversal.code, reversal.trx_info, code, reversal.order_id, reversal.msg_type, rule
    )


@then(parse("the cancellation is answered with code {code:Code}"))
def _(deployment: Deployment, cancellation: Reversal, code: str) -> None:
    _answered(deployment, cancellation, code)


@then(parse("the refund is answered with code {code:Code}"))
def _(deployment: Deployment, refund: Reversal, code: str) -> None:
    _answered(deployment, refund, code)


@then(parse("every refund is answered with code {code:Code}"))
def _(reversals: ReversalFlow, deployment: Deployment, code: str) -> None:
    made = [r for r in reversals.made if r.kind == REFUND]
    rule = "REF-03" if deployment.role == "ucsp" else "REF-06"
    ensure(bool(made), rule, "no refund was asked for in this scenario")
    for refund in made:
        _answered(deployment, refund, code, rule)


def _rejected(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    reversal: Reversal,
    code: str,
) -> None:
    """Refused with ``code`` and without effect: not recorded by the UCSP under test; forwarded
    by the IS under test, which reports the code and records the reversal FAILED."""
    if deployment.role == "industry":
        _sent_as_asked(reversals, deployment, reversal, "RC-06")
        _answered(deployment, reversal, code, "RC-06")
        check_recorded(deployment.call(reversals.record(reversal.order_id)), "FAILED", "RC-06")
        return
    rule = REFUSAL_RULES[(reversal.kind, code)]
    if (reversal.kind, code) == (REFUND, "36"):
        rule = _tagged(request, ("REF-04",), rule)
    _answered(deployment, reversal, code, rule)
    _not_recorded(reversals, deployment, reversal, rule)


def _not_recorded(
    reversals: ReversalFlow, deployment: Deployment, reversal: Reversal, rule: str
) -> None:
    """(UCSP under test) a refund inquiry shows the refused ``reversal`` was not recorded."""
    inquiry = deployment.call(reversals.inquire(reversal))
    check_valid_answer(inquiry)
    refused = {
        "orderId": reversal.order_id,
        "txnAmt": reversal.txn_amt,
        "origQryId": reversal.orig_qry_id,
    }
    check_not_created(inquiry.code, inquiry.trx_info, refused, rule)


@then(parse("the cancellation is rejected with code {code:Code}"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    cancellation: Reversal,
    code: str,
) -> None:
    _rejected(reversals, deployment, request, cancellation, code)


@then(parse("the refund is rejected with code {code:Code}"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    refund: Reversal,
    code: str,
) -> None:
    _rejected(reversals, deployment, request, refund, code)


# --- notices --------------------------------------------------------------------------------


def _notified(
    reversals: ReversalFlow, deployment: Deployment, reversal: Reversal, status: str
) -> None:
    """The result notice of ``reversal``: as sent by the UCSP under test (kind, status, then
    NOT-02's fields), or as acknowledged by the IS under test."""
    entries = deployment.call(reversals.notices(reversal))
    rule = ANSWER_RULE[("ucsp", reversal.kind)]
    notice = reversals.first_notice(entries, rule, f"{NOTICE} of {reversal.order_id}")
    if deployment.role == "industry":
        check_notice_answered_by_industry(
            notice, deployment.target, "00", OUTCOME_RULE[reversal.kind]
        )
        return
    expected = {"orderId": reversal.order_id, "txnType": reversal.kind, "txnStatus": status}
    message = check_notice_sent_by_ucsp(notice, deployment.target, NOTICE, expected, rule)
    assert reversal.original is not None
    fields = {
        "orderId": reversal.order_id,
        "txnAmt": reversal.txn_amt,
        "txnTime": reversal.txn_time,
        "origQryId": reversal.orig_qry_id,
        "currencyCode": reversal.original.currency,
    }
    if reversal.query_id:
        fields["queryId"] = reversal.query_id
    check_reversal_notice(message["trxInfo"], fields)


@then(parse("the result notice of the cancellation is delivered with txnStatus {status:Code}"))
def _(reversals: ReversalFlow, deployment: Deployment, cancellation: Reversal, status: str) -> None:
    _notified(reversals, deployment, cancellation, status)


@then(parse("the result notice of the refund is delivered with txnStatus {status:Code}"))
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal, status: str) -> None:
    _notified(reversals, deployment, refund, status)


def _not_notified(reversals: ReversalFlow, deployment: Deployment, reversal: Reversal) -> None:
    deployment.call(reversals.quiet_period())
    count = len(reversals.notices_now(reversal))
    check_no_notice(count, reversal.order_id, ANSWER_RULE[("ucsp", reversal.kind)])


@then("no result notice of the cancellation is delivered")
def _(reversals: ReversalFlow, deployment: Deployment, cancellation: Reversal) -> None:
    _not_notified(reversals, deployment, cancellation)


@then("no result notice of the refund is delivered")
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal) -> None:
    _not_notified(reversals, deployment, refund)


@when(
    "UCSP sends a success notice of the refund naming another origQryId", target_fixture="crafted"
)
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal) -> CraftedNotice:
    return deployment.call(reversals.notice_naming_other_original(refund))


@when(
    "UCSP sends the result notice of the refund again in a fresh envelope",
    target_fixture="crafted",
)
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal) -> CraftedNotice:
    return deployment.call(reversals.repeat_notice(refund))


# --- what is recorded -------------------------------------------------------------------------


def _recorded(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    reversal: Reversal,
    status: str,
) -> None:
    """UCSP under test: REFUND_RESULT_INQUIRY (INQ-02); IS under test: the harness (PENDING
    after a 05 is RC-04, or NOT-09 after a refused notice; FAILED is RC-03; SUCCEEDED is RC-02
    where the scenario holds the notice back, else CAN-05 or REF-07)."""
    if deployment.role == "industry":
        rule = {
            "PENDING": _tagged(request, ("NOT-09",), "RC-04"),
            "FAILED": "RC-03",
        }.get(status) or _tagged(request, ("RC-02",), OUTCOME_RULE[reversal.kind])
        record = deployment.call(reversals.record(reversal.order_id))
        check_recorded(record, status, rule, settled=reversals.result_told(reversal))
        return
    inquiry = deployment.call(reversals.inquire(reversal))
    check_valid_answer(inquiry)
    expected = {
        "orderId": reversal.order_id,
        "origQryId": reversal.orig_qry_id,
        "txnAmt": reversal.txn_amt,
        "txnStatus": TXN_STATUS[status],
    }
    if reversal.query_id:
        expected["queryId"] = reversal.query_id
    settled = (
        status == "PENDING"
        and inquiry.trx_info.get("txnStatus") == "00"
        and deployment.call(reversals.notified_success(reversal))
    )
    check_refund_inquiry(inquiry.code, inquiry.trx_info, expected, settled)


@then(parse("the cancellation is recorded as {status:Status}"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    cancellation: Reversal,
    status: str,
) -> None:
    _recorded(reversals, deployment, request, cancellation, status)


@then(parse("the refund is recorded as {status:Status}"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    refund: Reversal,
    status: str,
) -> None:
    _recorded(reversals, deployment, request, refund, status)


def _left_to_refund(
    reversals: ReversalFlow, deployment: Deployment, order: Order, left: int, rule: str
) -> None:
    """UCSP under test: a refund of just more than ``left`` is refused (36, not recorded);
    IS under test: the harness records refundedAmt and status accordingly."""
    if deployment.role == "industry":
        record = deployment.call(reversals.record(order.order_id))
        check_refunded(record, order.txn_amt, left, rule)
        return
    probe = deployment.call(reversals.probe_refund(order, left))
    _answered(deployment, probe, "36", rule)
    _not_recorded(reversals, deployment, probe, rule)


@then(parse("the order has {amount:Money} left to refund"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    order: Order,
    amount: Money,
) -> None:
    left = amount_of(_same_currency(order, amount)) or 0
    rule = "REF-04"  # UCSP under test: it refuses more than is left
    if deployment.role == "industry":  # unchanged by a failed cancellation or refused reversal
        rule = _tagged(request, ("CAN-05", "RC-06"), "REF-07")
    _left_to_refund(reversals, deployment, order, left, rule)


@then("the cancellation has taken effect on the order")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order) -> None:
    if deployment.role == "industry":
        check_cancelled(deployment.call(reversals.record(order.order_id)))
        return
    _left_to_refund(reversals, deployment, order, 0, "REF-05")


@then("the order can still be cancelled")
def _(reversals: ReversalFlow, deployment: Deployment, order: Order) -> None:
    cancellation = deployment.call(reversals.reverse(CANCELLATION, order))
    _answered(deployment, cancellation, "00", "CAN-03")


@then(parse("the order can still be refunded by {amount:Money}"))
def _(
    reversals: ReversalFlow,
    deployment: Deployment,
    request: pytest.FixtureRequest,
    order: Order,
    amount: Money,
) -> None:
    refund = deployment.call(reversals.reverse(REFUND, order, _same_currency(order, amount)))
    _answered(deployment, refund, "00", _tagged(request, ("CAN-01",), "REF-01"))


# --- what the Industry Service sent -----------------------------------------------------------


def _sent_as_asked(
    reversals: ReversalFlow, deployment: Deployment, reversal: Reversal, rule: str
) -> None:
    """The IS sent ``reversal`` once, signed and schema-valid, under a new orderId, with the
    origQryId UCSP gave the original, the amount asked for and its current time as txnTime."""
    entries = reversals.sent(reversal)
    expected = {
        "orderId": reversal.order_id,
        "origQryId": reversal.orig_qry_id,
        "txnAmt": reversal.txn_amt,
    }
    others = reversals.order_ids_sent(but=reversal.order_id)
    check_sent_reversal([trx_of(e) for e in entries], reversal.msg_type, expected, others, rule)
    target = deployment.target
    keys = {target.keys.industry_sign.cert_id: target.keys.industry_sign.cert}
    message = check_sent_message(
        entries[0].request, reversal.msg_type, "request", Party.INDUSTRY, keys, target.profile
    )
    txn_time = str(message["trxInfo"].get("txnTime"))
    check_timestamp(txn_time, entries[0].wall, target.profile, rule, "txnTime")


@then(
    "the Industry Service sent one PAYMENT_CANCELLATION for the cancellation with a new orderId, "
    "a txnTime, the order's queryId as origQryId and the full amount"
)
def _(reversals: ReversalFlow, deployment: Deployment, cancellation: Reversal) -> None:
    _sent_as_asked(reversals, deployment, cancellation, "CAN-04")


@then(
    "the Industry Service sent one PAYMENT_REFUND for the refund with a new orderId, "
    "a txnTime, the order's queryId as origQryId and the requested amount"
)
def _(reversals: ReversalFlow, deployment: Deployment, refund: Reversal) -> None:
    _sent_as_asked(reversals, deployment, refund, "REF-06")


@then("the harness reports the UCSP's answer to the cancellation")
def _(cancellation: Reversal) -> None:
    check_harness_mirrors(
        cancellation.harness, cancellation.ucsp_code, cancellation.msg_type, "CAN-04"
    )


@then("the harness reports the UCSP's answer to the refund")
def _(refund: Reversal) -> None:
    check_harness_mirrors(refund.harness, refund.ucsp_code, refund.msg_type, "REF-06")
