"""The Sides: the one role choice, role-only steps, first notices and each side's rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ucsp.checks import RequirementViolation
from ucsp.deployment import Deployment
from ucsp.errors import AuthoringError, SuiteError
from ucsp.journal import Journal, JournalEntry
from ucsp.sides.payment import IndustryPayment, UcspPayment
from ucsp.sides.result import Order, Reported
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest, side_for

WALL = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
NOTICE = "PAYMENT_RESULT_NOTICE"


def deployment(role: str, journal: Journal | None = None) -> Deployment:
    """Just what a side reads at construction: the role, the target and the peer."""
    peer = SimpleNamespace(journal=journal or Journal())
    fake = SimpleNamespace(
        role=role,
        target=SimpleNamespace(time_scale=1.0),
        peer_journal=peer.journal,
        industry_peer=peer if role == "ucsp" else None,
        ucsp_peer=peer if role == "industry" else None,
        harness=None,
    )
    return cast(Deployment, fake)


def notice(direction: Any, order_id: str) -> JournalEntry:
    body = json.dumps({"msgInfo": {"msgType": NOTICE}, "trxInfo": {"orderId": order_id}})
    return JournalEntry(direction, NOTICE, "http://x/notify", body.encode(), 200, b"{}", 0.0, WALL)


@pytest.mark.parametrize(
    ("role", "kind"), [("ucsp", UcspUnderTest), ("industry", IndustryUnderTest)]
)
def test_the_role_chooses_the_side_once(role: str, kind: type) -> None:
    side = side_for(deployment(role))
    assert type(side) is kind
    assert side.role == role


def test_a_step_for_the_other_role_is_an_authoring_error() -> None:
    side = side_for(deployment("industry"))
    assert side.only(IndustryUnderTest) is side
    with pytest.raises(AuthoringError, match="only with --sut ucsp"):
        side.only(UcspUnderTest)


def test_no_notice_from_a_ucsp_under_test_breaks_the_rule_named() -> None:
    side = side_for(deployment("ucsp"))
    with pytest.raises(RequirementViolation) as caught:
        side.first_notice([], "PAY-05", "PAYMENT_RESULT_NOTICE for order X")
    assert caught.value.requirement == "PAY-05"


def test_no_notice_from_the_suite_playing_ucsp_is_the_suites_error() -> None:
    side = side_for(deployment("industry"))
    with pytest.raises(SuiteError) as caught:
        side.first_notice([], "PAY-05", "PAYMENT_RESULT_NOTICE for order X")
    assert not isinstance(caught.value, RequirementViolation)


def test_the_first_notice_is_the_earliest_entry() -> None:
    first, second = notice("in", "A"), notice("in", "A")
    assert side_for(deployment("ucsp")).first_notice([first, second], "PAY-05", "n") is first


@pytest.mark.parametrize(("role", "direction"), [("ucsp", "in"), ("industry", "out")])
def test_notices_are_those_of_the_side_playing_ucsp(role: str, direction: str) -> None:
    journal = Journal()
    mine, other_way, other_order = notice(direction, "A"), notice("x", "A"), notice(direction, "B")
    for entry in (mine, other_way, other_order):
        journal.record(entry)
    assert side_for(deployment(role, journal)).notices_of(NOTICE, orderId="A") == [mine]


def test_each_side_names_its_own_payment_rules() -> None:
    assert (UcspPayment.submit_rule, UcspPayment.cashier_rule, UcspPayment.recorded_rule) == (
        "PAY-01",
        "PAY-06",
        "INQ-01",
    )
    assert (
        IndustryPayment.submit_rule,
        IndustryPayment.cashier_rule,
        IndustryPayment.recorded_rule,
    ) == ("PAY-07", "PAY-07", "PAY-08")


def test_a_harness_report_without_an_order_id_is_not_believed() -> None:
    order = Order("", "100", "156", code="00", evidence=Reported({"responseCode": "00"}))
    with pytest.raises(RequirementViolation) as caught:
        order.check_answered("00", "PAY-07", "the answer")
    assert caught.value.requirement == "PAY-07"


def test_a_believable_report_is_judged_by_its_code() -> None:
    order = Order("O1", "100", "156", code="01", evidence=Reported({"orderId": "O1"}))
    order.check_answered("01", "PAY-07", "the answer")
    with pytest.raises(RequirementViolation, match="PAY-07"):
        order.check_answered("00", "PAY-07", "the answer")
