"""Unit tests of the cancellation and refund checks (ucsp/checks/reversal.py): pure inputs,
each check shown to pass on a good input and to raise the right requirement on a bad one."""

from __future__ import annotations

from typing import Any

import pytest

from ucsp.checks.reversal import (
    amount_of,
    check_cancelled,
    check_harness_accepted,
    check_harness_mirrors,
    check_no_notice,
    check_not_created,
    check_query_id,
    check_recorded,
    check_refund_inquiry,
    check_refunded,
    check_refunds_made,
    check_reversal_answer,
    check_reversal_notice,
    check_sent_reversal,
    refunded_state,
)
from ucsp.sides.reversal import other_value, probe_amount
from ucsp.verdict import RequirementViolation

NOTICE = {
    "orderId": "ORDREFUND0001",
    "txnType": "REFUND",
    "queryId": "Q200",
    "origQryId": "Q100",
    "txnAmt": "3000",
    "currencyCode": "156",
    "txnTime": "20260115103000",
    "txnStatus": "00",
}
NOTICE_FIELDS = {
    "orderId": "ORDREFUND0001",
    "queryId": "Q200",
    "origQryId": "Q100",
    "txnAmt": "3000",
    "currencyCode": "156",
    "txnTime": "20260115103000",
}
INQUIRY = {
    "orderId": "ORDREFUND0001",
    "origQryId": "Q100",
    "queryId": "Q200",
    "txnAmt": "3000",
    "txnStatus": "05",
}
INQUIRY_EXPECTED = {
    "orderId": "ORDREFUND0001",
    "origQryId": "Q100",
    "queryId": "Q200",
    "txnAmt": "3000",
    "txnStatus": "05",
}
SENT = {
    "orderId": "R0001",
    "txnTime": "20260115103000",
    "origQryId": "Q100",
    "txnAmt": "10000",
}


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def test_amount_of() -> None:
    assert amount_of("0100") == 100
    assert amount_of("1e3") is None
    assert amount_of(100) is None
    assert amount_of("١٢") is None  # non-ASCII digits are not an amount


def test_reversal_answer() -> None:
    check_reversal_answer(
        "00", {"orderId": "O1", "queryId": "Q1"}, "00", "O1", "PAYMENT_REFUND", "REF-01"
    )
    check_reversal_answer("36", {"orderId": "O1"}, "36", "O1", "PAYMENT_REFUND", "REF-04")
    check_reversal_answer("05", {"orderId": "O1"}, "05", "O1", "PAYMENT_REFUND", "REF-01")
    with violation("CAN-03"):
        check_reversal_answer("00", {"orderId": "O1", "queryId": "Q"}, "36", "O1", "X", "CAN-03")
    with violation("CAN-01"):
        check_reversal_answer("00", {"orderId": "O1"}, "00", "O1", "X", "CAN-01")  # no queryId
    with violation("CAN-01"):
        check_reversal_answer("00", {"orderId": "O1", "queryId": ""}, "00", "O1", "X", "CAN-01")
    with violation("REF-02"):
        check_reversal_answer("34", {"orderId": "O2"}, "34", "O1", "X", "REF-02")
    with violation("REF-02"):
        check_reversal_answer(None, {}, "34", "O1", "X", "REF-02")


def test_reversal_notice() -> None:
    check_reversal_notice(NOTICE, NOTICE_FIELDS)
    check_reversal_notice({**NOTICE, "txnAmt": "03000"}, NOTICE_FIELDS)
    without_query_id = {k: v for k, v in NOTICE_FIELDS.items() if k != "queryId"}
    check_reversal_notice(NOTICE, without_query_id)  # the answer had no queryId to compare
    for key, wrong in [
        ("orderId", "ORDPAYMENT0001"),
        ("queryId", "Q999"),
        ("origQryId", "Q999"),
        ("txnAmt", "10000"),
        ("currencyCode", "344"),
        ("txnTime", "20260115103001"),
    ]:
        with violation("NOT-02"):
            check_reversal_notice({**NOTICE, key: wrong}, NOTICE_FIELDS)
    with violation("NOT-02"):
        check_reversal_notice({k: v for k, v in NOTICE.items() if k != "queryId"}, without_query_id)
    with violation("NOT-02"):  # the original's queryId given as the transaction's own
        check_reversal_notice({**NOTICE, "queryId": "Q100"}, without_query_id)


def test_refund_inquiry() -> None:
    check_refund_inquiry("00", INQUIRY, INQUIRY_EXPECTED)
    check_refund_inquiry("00", {**INQUIRY, "txnAmt": "003000"}, INQUIRY_EXPECTED)
    settled = {**INQUIRY, "txnStatus": "00"}
    check_refund_inquiry("00", settled, INQUIRY_EXPECTED, settled=True)
    with violation("INQ-02"):
        check_refund_inquiry("00", settled, INQUIRY_EXPECTED)  # 00 while no notice told so
    with violation("INQ-02"):
        check_refund_inquiry("00", {**INQUIRY, "txnStatus": "01"}, INQUIRY_EXPECTED, settled=True)
    with violation("INQ-02"):
        check_refund_inquiry("34", {"orderId": "ORDREFUND0001"}, INQUIRY_EXPECTED)
    for key in ("orderId", "origQryId", "queryId", "txnAmt", "txnStatus"):
        with violation("INQ-02"):
            check_refund_inquiry(
                "00", {k: v for k, v in INQUIRY.items() if k != key}, INQUIRY_EXPECTED
            )
    with violation("INQ-02"):  # no queryId at all, even when none is known to compare
        expected = {k: v for k, v in INQUIRY_EXPECTED.items() if k != "queryId"}
        check_refund_inquiry("00", {k: v for k, v in INQUIRY.items() if k != "queryId"}, expected)


def test_not_created() -> None:
    refused = {"orderId": "O1", "txnAmt": "4002", "origQryId": "Q100"}
    check_not_created("34", {"orderId": "O1"}, refused, "REF-04")
    recorded = {"orderId": "O1", "origQryId": "Q100", "queryId": "Q7", "txnAmt": "4002"}
    with violation("REF-04"):
        check_not_created("00", {**recorded, "txnStatus": "00"}, refused, "REF-04")
    with violation("CAN-03"):
        check_not_created("00", {**recorded, "txnAmt": "04002"}, refused, "CAN-03")
    made_up = {"orderId": "O1", "origQryId": "0", "queryId": "0", "txnAmt": "1"}
    with violation("INQ-03"):  # an inquiry that answers 00 about anything unknown
        check_not_created("00", made_up, refused, "REF-04")
    with violation("INQ-03"):
        check_not_created("99", {"orderId": "O1"}, refused, "REF-04")
    with violation("INQ-03"):
        check_not_created(None, {}, refused, "REF-04")


def test_sent_reversal() -> None:
    expected = {"orderId": "R0001", "origQryId": "Q100", "txnAmt": "10000"}
    check_sent_reversal([SENT], "PAYMENT_CANCELLATION", expected, {"P0001"}, "CAN-04")
    check_sent_reversal([{**SENT, "txnAmt": "010000"}], "X", expected, set(), "CAN-04")
    with violation("CAN-04"):
        check_sent_reversal([], "PAYMENT_CANCELLATION", expected, set(), "CAN-04")
    with violation("CAN-04"):
        check_sent_reversal([SENT, SENT], "PAYMENT_CANCELLATION", expected, set(), "CAN-04")
    with violation("REF-06"):  # the orderId of another order
        check_sent_reversal([SENT], "PAYMENT_REFUND", expected, {"R0001"}, "REF-06")
    with violation("REF-06"):
        check_sent_reversal([{**SENT, "origQryId": "Q101"}], "X", expected, set(), "REF-06")
    with violation("REF-06"):
        check_sent_reversal([{**SENT, "txnAmt": "9999"}], "X", expected, set(), "REF-06")


def test_harness_mirrors() -> None:
    check_harness_mirrors({"orderId": "R1", "responseCode": "36"}, "36", "PAYMENT_REFUND", "RC-06")
    with violation("RC-06"):
        check_harness_mirrors({"orderId": "R1", "responseCode": "00"}, "36", "X", "RC-06")
    with violation("REF-06"):
        check_harness_mirrors({"responseCode": "00"}, "00", "X", "REF-06")
    with violation("REF-06"):
        check_harness_mirrors({"orderId": "R1"}, "00", "X", "REF-06")


def test_recorded() -> None:
    check_recorded({"orderId": "R1", "status": "FAILED"}, "FAILED", "RC-06")
    with violation("RC-06"):
        check_recorded({"orderId": "R1", "status": "PENDING"}, "FAILED", "RC-06")
    with violation("CAN-05"):
        check_recorded({"orderId": "R1"}, "SUCCEEDED", "CAN-05")
    # pending: SUCCEEDED is right only once UCSP has told the IS so
    check_recorded({"orderId": "R1", "status": "SUCCEEDED"}, "PENDING", "RC-04", settled=True)
    with violation("RC-04"):
        check_recorded({"orderId": "R1", "status": "SUCCEEDED"}, "PENDING", "RC-04")
    with violation("RC-04"):
        check_recorded({"orderId": "R1", "status": "FAILED"}, "PENDING", "RC-04", settled=True)
    with violation("CAN-05"):
        check_recorded({"orderId": "R1", "status": "PENDING"}, "SUCCEEDED", "CAN-05", settled=True)


def test_refunded_state() -> None:
    assert refunded_state("10000", 10000) == ("SUCCEEDED", "0")
    assert refunded_state("10000", 7000) == ("PARTIALLY_REFUNDED", "3000")
    assert refunded_state("10000", 0) == ("REFUNDED", "10000")


def test_refunded() -> None:
    check_refunded({"status": "PARTIALLY_REFUNDED", "refundedAmt": "3000"}, "10000", 7000, "REF-07")
    check_refunded({"status": "REFUNDED", "refundedAmt": "10000"}, "10000", 0, "REF-07")
    check_refunded({"status": "SUCCEEDED", "refundedAmt": "0"}, "10000", 10000, "REF-07")
    for record in [
        {"status": "PARTIALLY_REFUNDED", "refundedAmt": "6000"},  # counted twice
        {"status": "REFUNDED", "refundedAmt": "3000"},
        {"status": "PARTIALLY_REFUNDED", "refundedAmt": 3000},  # not a string
        {"status": "PARTIALLY_REFUNDED"},
    ]:
        with violation("REF-07"):
            check_refunded(record, "10000", 7000, "REF-07")
    with violation("REF-07"):  # nothing refunded is "0", not ""
        check_refunded({"status": "SUCCEEDED", "refundedAmt": ""}, "10000", 10000, "REF-07")


def test_cancelled() -> None:
    check_cancelled({"status": "CANCELLED", "refundedAmt": "0"})
    with violation("CAN-05"):
        check_cancelled({"status": "SUCCEEDED", "refundedAmt": "0"})
    with violation("CAN-05"):
        check_cancelled({"status": "CANCELLED", "refundedAmt": "10000"})


def test_no_notice() -> None:
    check_no_notice(0, "O1", "CAN-01")
    with violation("CAN-01"):
        check_no_notice(1, "O1", "CAN-01")


def test_probe_amount_avoids_the_sandbox_magic_amounts() -> None:
    assert probe_amount(0) == "2"
    assert probe_amount(4000) == "4002"
    assert probe_amount(10003) == "10004"
    assert probe_amount(10004) == "10006"
    assert all(int(probe_amount(n)) % 100 not in (1, 5) for n in range(300))


def test_other_value_changes_the_last_character_only() -> None:
    assert other_value("2026011510300012") == "2026011510300013"
    assert other_value("Q9") == "Q0"
    assert other_value("QA") == "QB"
    assert other_value("QB") == "QC"
    assert other_value("")  # a made-up value when there was none


def test_refunds_made() -> None:
    check_refunds_made(2, "REF-03")
    with violation("REF-06"):
        check_refunds_made(0, "REF-06")


def test_harness_accepted() -> None:
    check_harness_accepted(200, {"orderId": "R1", "responseCode": "00"}, "refund", "P1", "REF-06")
    with violation("CAN-04"):
        check_harness_accepted(409, {"error": "no queryId"}, "cancellation", "P1", "CAN-04")


def test_query_id() -> None:
    trx = {"orderId": "P1", "queryId": "Q100"}
    assert check_query_id("00", trx, "PAYMENT_RESULT_INQUIRY", "P1", "INQ-01") == "Q100"
    with violation("INQ-01"):
        check_query_id("34", trx, "PAYMENT_RESULT_INQUIRY", "P1", "INQ-01")
    with violation("INQ-02"):
        check_query_id("00", {"orderId": "R1"}, "REFUND_RESULT_INQUIRY", "R1", "INQ-02")
    with violation("INQ-02"):
        check_query_id("00", {"queryId": ""}, "REFUND_RESULT_INQUIRY", "R1", "INQ-02")
