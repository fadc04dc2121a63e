"""The auto-debit area of the Sides: each side's rules, the harness's mirrored report, and the
delivery of a held charge notice."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.sides.fakes import FakeUcspPeer, fake_deployment
from ucsp.checks import RequirementViolation
from ucsp.deployment import Deployment
from ucsp.journal import Journal, JournalEntry
from ucsp.sides.auto_debit import Charge, Signing
from ucsp.sides.auto_debit_industry import IndustryAutoDebit
from ucsp.sides.auto_debit_ucsp import UcspAutoDebit
from ucsp.sides.result import Mirrored
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

WALL = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
ORDER = "ORD20260115103000abcdef"
NOTICE = "PAYMENT_RESULT_NOTICE"


def deployment(role: str, peer: FakeUcspPeer | None = None) -> Deployment:
    return fake_deployment(role, peer)


def ucsp_area() -> UcspAutoDebit:
    return UcspUnderTest(deployment("ucsp")).auto_debit


def industry_area(peer: FakeUcspPeer | None = None) -> IndustryAutoDebit:
    return IndustryUnderTest(deployment("industry", peer)).auto_debit


def message(msg_id: str, order_id: str = ORDER) -> dict[str, Any]:
    return {
        "msgInfo": {"msgID": msg_id, "msgType": NOTICE},
        "trxInfo": {"orderId": order_id, "txnStatus": "00"},
    }


def entry(msg_id: str) -> JournalEntry:
    body = json.dumps(message(msg_id)).encode()
    return JournalEntry("out", NOTICE, "http://is/notify", body, 200, b"{}", 0.0, WALL)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def charge(code: str = "05") -> Charge:
    return Charge(ORDER, "1000", "156", code=code, contract_id="C1")


# --- the rules ------------------------------------------------------------------------------


def test_a_ucsp_under_test_is_judged_by_the_rule_of_each_outcome() -> None:
    area = ucsp_area()
    assert (area.sign_rule("00"), area.sign_rule("36")) == ("AD-01", "AD-02")
    assert (area.close_rule("00"), area.close_rule("34")) == ("AD-05", "AD-06")
    codes = ("00", "05", "01", "34", "36")
    assert [area.charge_rule(c) for c in codes] == ["AD-07", "AD-07", "AD-07", "AD-08", "AD-09"]
    assert area.sign_notice_rule == "AD-03"
    assert area.charge_notice_rule(charge()) == area.recorded_rule(charge()) == "AD-07"


def test_an_industry_service_under_test_is_judged_by_what_its_harness_relays() -> None:
    area = industry_area()
    assert {area.sign_rule(c) for c in ("00", "36")} == {"AD-10"}
    assert {area.close_rule(c) for c in ("00", "34")} == {"AD-13"}
    assert {area.charge_rule(c) for c in ("00", "05", "36")} == {"AD-14"}
    assert area.sign_notice_rule == "AD-11"
    assert (area.charge_notice_rule(charge("05")), area.charge_notice_rule(charge("00"))) == (
        "PAY-08",
        "NOT-07",
    )
    assert (area.recorded_rule(charge("00")), area.recorded_rule(charge("05"))) == (
        "RC-02",
        "PAY-08",
    )


# --- the harness's report -------------------------------------------------------------------


def ucsp_answer(code: str, **trx: str) -> dict[str, Any]:
    return {"trxInfo": dict(trx), "msgResponse": {"responseCode": code, "responseMsg": "Fine"}}


def signing(status: int, report: dict[str, Any], answer: dict[str, Any]) -> Signing:
    code = report.get("responseCode")
    evidence = Mirrored("SIGN_AUTO_DEBIT", status, report, answer, ("signUrl",))
    return Signing(code=code, trx_info=report, evidence=evidence, user_id="u1")


def test_a_mirrored_report_of_the_ucsp_answer_is_judged_by_its_code() -> None:
    url = "http://ucsp.example/sign/1"
    report = {"responseCode": "00", "signUrl": url}
    signed = signing(200, report, ucsp_answer("00", signUrl=url))
    signed.check_answered("00", "AD-10", "the answer to SIGN_AUTO_DEBIT")
    with pytest.raises(RequirementViolation, match=r"the harness report .*'Fine'"):
        signed.check_answered("36", "AD-10", "the answer to SIGN_AUTO_DEBIT")


@pytest.mark.parametrize(
    ("status", "report", "answer"),
    [
        (424, {"error": "no answer"}, ucsp_answer("00", signUrl="http://u/s")),
        (
            200,
            {"responseCode": "00", "signUrl": "http://u/other"},
            ucsp_answer("00", signUrl="http://u/s"),
        ),
        (200, {"responseCode": "00", "signUrl": "http://u/s"}, {}),
    ],
    ids=["harness-not-200", "report-differs", "no-ucsp-answer"],
)
def test_a_report_that_does_not_mirror_the_ucsp_answer_is_not_believed(
    status: int, report: dict[str, Any], answer: dict[str, Any]
) -> None:
    with pytest.raises(RequirementViolation) as caught:
        signing(status, report, answer).check_answered("00", "AD-10", "the answer")
    assert caught.value.requirement == "AD-10"


def test_a_success_notice_sent_tells_the_result_answered_or_not() -> None:
    peer = FakeUcspPeer(Journal())
    area = industry_area(peer)
    assert not area.result_told(charge())
    peer.gate.sending.append(json.dumps(message("U1")).encode())  # its answer still to come
    assert area.result_told(charge())
    peer.gate.sending.clear()
    unanswered = json.dumps(message("U1")).encode()
    peer.journal.record(
        JournalEntry("out", NOTICE, "http://is/notify", unanswered, None, None, 0.0, WALL)
    )
    assert area.result_told(charge())
    assert not area.result_told(Charge("ORD2", "1000", "156", code="05", contract_id="C1"))
