"""The inquiry area of the Sides: the scripted answers' grammar, the kinds of order, and the
rules each side names."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from tests.sides.fakes import FakeUcspPeer, fake_deployment
from ucsp.errors import RequirementViolation
from ucsp.journal import Journal, JournalEntry
from ucsp.messages import MsgType, TxnType
from ucsp.money import Money
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.sides.auto_debit import Charge
from ucsp.sides.inquiry import OUTCOMES, half_of, kind_named, kind_of, original_of
from ucsp.sides.inquiry_answers import order_answer, parse_answer, parse_answers
from ucsp.sides.inquiry_industry import IndustryInquiry
from ucsp.sides.inquiry_ucsp import UcspInquiry
from ucsp.sides.result import Order
from ucsp.sides.reversal import ReversalOrder
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

PAYMENT = Order("ORD1", "10000", "156", "20260115103000")
REFUND = ReversalOrder("REF1", "500", "156", "20260115103100", original=PAYMENT)
CANCELLATION = ReversalOrder("CAN1", "10000", "156", kind=TxnType.CANCELLATION)
CHARGE = Charge("CHG1", "1000", "156", contract_id="C1")


def ucsp_area() -> UcspInquiry:
    return UcspUnderTest(fake_deployment("ucsp")).inquiry


def industry_area() -> IndustryInquiry:
    return IndustryUnderTest(fake_deployment("industry")).inquiry


# --- the scripted answers -------------------------------------------------------------------


def test_a_code_is_a_valid_answer_with_that_code() -> None:
    answer = parse_answer("code 34")
    assert answer.override == GatewayOverride(code="34")
    assert (answer.valid, answer.code, answer.final, answer.silent) == (True, "34", True, False)
    assert not parse_answer("code 10").final


@pytest.mark.parametrize(("status", "final"), [("00", True), ("01", True), ("05", False)])
def test_a_txn_status_is_the_reference_answer_with_it(status: str, final: bool) -> None:
    answer = parse_answer(f"txnStatus {status}")
    assert answer.override == GatewayOverride(trx={"txnStatus": status})
    assert answer.valid and answer.code is None
    assert answer.final is final


@pytest.mark.parametrize(
    ("text", "override"),
    [
        ("a bad signature", GatewayOverride(corrupt="signature")),
        ("a malformed answer with code 01", GatewayOverride(corrupt="format", code="01")),
        ("an answer that does not echo msgInfo", GatewayOverride(corrupt="echo")),
        ("HTTP 500", GatewayOverride(corrupt="http-500")),
        ("no answer", GatewayOverride(silent=True)),
    ],
)
def test_no_valid_answer_has_no_code(text: str, override: GatewayOverride) -> None:
    answer = parse_answer(text)
    assert answer.override == override
    assert not answer.valid and answer.code is None and not answer.final
    assert answer.silent is override.silent


def test_answers_are_read_in_turn() -> None:
    answers = parse_answers("txnStatus 05, code 10, no answer and HTTP 500")
    assert [a.text for a in answers] == ["txnStatus 05", "code 10", "no answer", "HTTP 500"]


def test_an_unknown_answer_names_the_grammar() -> None:
    with pytest.raises(ValueError) as caught:
        parse_answer("a shrug")
    assert str(caught.value) == (
        "unknown answer 'a shrug'; say one of: code NN, txnStatus NN, a bad signature, "
        "a malformed answer, an answer that does not echo msgInfo, HTTP 500, no answer"
    )


def test_an_order_answer_must_say_its_code() -> None:
    assert order_answer("code 05").code == "05"
    assert order_answer("no answer").code is None
    with pytest.raises(ValueError, match="say which code UCSP answers the order with"):
        order_answer("txnStatus 00")


# --- kinds of order -----------------------------------------------------------------------


def test_the_words_of_a_scenario_name_transaction_types() -> None:
    assert kind_named("charge") is kind_named("auto-debit") is TxnType.AUTO_DEBIT
    assert kind_named("payment") is TxnType.PAYMENT
    with pytest.raises(ValueError, match="unknown kind of order 'loan'"):
        kind_named("loan")


def test_each_order_has_its_transaction_type() -> None:
    assert [kind_of(o) for o in (PAYMENT, REFUND, CANCELLATION, CHARGE)] == [
        TxnType.PAYMENT,
        TxnType.REFUND,
        TxnType.CANCELLATION,
        TxnType.AUTO_DEBIT,
    ]


def test_a_reversal_knows_its_original() -> None:
    assert original_of(REFUND) is PAYMENT
    for order in (PAYMENT, CANCELLATION):
        with pytest.raises(ValueError, match="reverses no payment"):
            original_of(order)


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "msg_type", "rule"),
    [
        (PAYMENT, MsgType.PAYMENT_RESULT_INQUIRY, "INQ-01"),
        (CHARGE, MsgType.PAYMENT_RESULT_INQUIRY, "INQ-01"),
        (REFUND, MsgType.REFUND_RESULT_INQUIRY, "INQ-02"),
        (CANCELLATION, MsgType.REFUND_RESULT_INQUIRY, "INQ-02"),
        (PAYMENT, MsgType.REFUND_RESULT_INQUIRY, "INQ-03"),
        (CHARGE, MsgType.REFUND_RESULT_INQUIRY, "INQ-03"),
        (REFUND, MsgType.PAYMENT_RESULT_INQUIRY, "INQ-03"),
    ],
)
def test_an_inquiry_to_a_ucsp_is_judged_by_its_family(
    order: Order, msg_type: str, rule: str
) -> None:
    assert ucsp_area().inquiry_rule(order, msg_type) == rule


def test_an_orders_status_falls_under_what_last_happened_to_it() -> None:
    area = industry_area()
    order = Order("ORD9", "10000", "156", code="05")
    assert area.status_rule(order) == "INQ-05"
    area.decided_by_answer(order)
    assert area.status_rule(order) == "RC-04"
    area.decided_by(order, area.stop_rule)
    assert area.status_rule(order) == "INQ-06"
    assert area.status_rule(PAYMENT) == "INQ-05"  # another order is not concerned


def test_each_side_names_its_rules() -> None:
    assert IndustryInquiry.forward_rules[TxnType.PAYMENT] == "PAY-07"
    assert IndustryInquiry.forward_rule == "RC-06"
    industry = (IndustryInquiry.request_rule, IndustryInquiry.schedule_rule)
    assert industry == ("INQ-04", "INQ-05")
    assert (IndustryInquiry.stop_rule, IndustryInquiry.go_on_rule) == ("INQ-06", "INQ-07")
    assert (UcspInquiry.not_found_rule, UcspInquiry.redirect_rule) == ("INQ-03", "AD-04")
    assert dict(UcspInquiry.notice_rules) == {
        TxnType.PAYMENT: "PAY-08",
        TxnType.AUTO_DEBIT: "PAY-08",
        TxnType.CANCELLATION: "CAN-05",
        TxnType.REFUND: "REF-07",
    }


def test_an_order_the_industry_service_never_sent_cannot_be_watched() -> None:
    with pytest.raises(TypeError, match="the IS sent no SUBMIT_PAYMENT_ORDER of ORD1"):
        industry_area().tracked(PAYMENT)


@pytest.mark.parametrize(("code", "rule"), [("05", "RC-04"), (None, "RC-05"), ("36", "RC-03")])
def test_an_orders_answer_decides_the_rule_until_something_else_does(
    code: str | None, rule: str
) -> None:
    area = industry_area()
    refund = ReversalOrder("REF2", "500", "156", code=code, original=PAYMENT)
    assert area.answer_rule(refund) == rule
    area.decided_by(refund, area.stop_rule)
    assert area.answer_rule(refund) == "INQ-06"


@pytest.mark.parametrize("code", ["00", "01", "36"])
def test_no_inquiry_is_awaited_about_a_transaction_its_answer_decided(code: str) -> None:
    charge = Charge("CHG2", "1000", "156", code=code, contract_id="C1")
    with pytest.raises(ValueError, match=f"SUBMIT_AUTO_DEBIT CHG2 was answered {code}"):
        industry_area().inquire_about(charge)


@pytest.mark.parametrize(
    ("order", "named"),
    [
        (
            ReversalOrder("REF3", "500", "156", code="05", original=PAYMENT),
            "PAYMENT_RESULT_INQUIRY",
        ),
        (Charge("CHG3", "1000", "156", code="05", contract_id="C1"), "REFUND_RESULT_INQUIRY"),
    ],
)
def test_an_inquiry_type_inq_04_does_not_give_the_kind_is_the_scenarios_mistake(
    order: Order, named: str
) -> None:
    """Before any wait: a correct IS inquiring with the right type is never failed for it."""
    with pytest.raises(ValueError, match=f"not {named}: the scenario names the wrong message"):
        industry_area().inquire_about(order, named)


def test_an_inquiry_reports_a_transaction_by_the_words_of_a_scenario() -> None:
    assert dict(OUTCOMES) == {"succeeded": "00", "failed": "01", "pending": "05"}
    assert IndustryInquiry.failed_rule == "RC-03"


def test_a_part_refund_is_half_the_order() -> None:
    assert half_of(PAYMENT) == Money("5000", "156")
    assert half_of(Order("O", "1", "156")) == Money("1", "156")


def _journaled(direction: Any, msg_type: str, order_id: str, code: str) -> JournalEntry:
    body = json.dumps({"msgInfo": {"msgType": msg_type}, "trxInfo": {"orderId": order_id}})
    answer = json.dumps({"msgResponse": {"responseCode": code}}).encode()
    wall = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    return JournalEntry(
        direction, msg_type, "http://x/", body.encode(), 200, answer, 0.0, wall, code
    )


def _no_inquiry_area(monkeypatch: pytest.MonkeyPatch, journal: Journal) -> IndustryInquiry:
    monkeypatch.setattr("ucsp.sides.side.WAIT_SLACK", 0.0)
    profile = SimpleNamespace(schedule=(0.0,), late_tolerance=0.0)
    deployment = fake_deployment("industry", FakeUcspPeer(journal), profile=profile)
    deployment.call = lambda coro, timeout=None: asyncio.run(coro)  # type: ignore[method-assign]
    return IndustryUnderTest(deployment).inquiry


@pytest.mark.parametrize(("code", "rule"), [("00", "NOT-07"), ("05", "PAY-08")])
def test_a_result_notice_not_acknowledged_breaks_the_rule_of_its_answer(
    monkeypatch: pytest.MonkeyPatch, code: str, rule: str
) -> None:
    journal = Journal()
    journal.record(_journaled("in", "SUBMIT_PAYMENT_ORDER", "ORD3", code))
    journal.record(_journaled("out", "PAYMENT_RESULT_NOTICE", "ORD3", "99"))
    order = Order("ORD3", "10000", "156", "20260115103000", code=code)
    with pytest.raises(RequirementViolation) as raised:
        _no_inquiry_area(monkeypatch, journal).check_no_inquiry_due(order)
    assert raised.value.requirement == rule
    assert "'99', expected 00" in str(raised.value)


def test_no_inquiry_is_due_without_a_result_notice_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal()
    journal.record(_journaled("in", "SUBMIT_PAYMENT_ORDER", "ORD4", "05"))
    order = Order("ORD4", "10000", "156", "20260115103000", code="05")
    with pytest.raises(ValueError, match="no result notice of it was delivered"):
        _no_inquiry_area(monkeypatch, journal).check_no_inquiry_due(order)
