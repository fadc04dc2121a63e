"""Unit tests of the auto-debit checks (ucsp/checks/auto_debit.py): pure inputs, both ways."""

from __future__ import annotations

from typing import Any

import pytest

from ucsp.checks import RequirementViolation
from ucsp.checks.auto_debit import (
    check_charge_answer,
    check_close_answer,
    check_contract_id,
    check_contract_record,
    check_delivered_to,
    check_harness_reports,
    check_harness_status,
    check_new_order_id,
    check_no_contract,
    check_no_more_notices,
    check_sent_fields,
    check_sent_once,
    check_sign_answer,
    check_sign_redirect,
    check_sign_url_given,
    check_signing_page_status,
    check_url_field,
)
from ucsp.checks.inquiry import check_order_status

FRONT = "http://is.example:8081/front?ref=ab12"
SIGN_URL = "http://ucsp.example/sign/0123abcd"


def _violates(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def _ucsp_answer(code: str, **trx: str) -> dict[str, Any]:
    return {
        "msgInfo": {"msgType": "SIGN_AUTO_DEBIT"},
        "trxInfo": dict(trx),
        "msgResponse": {"responseCode": code, "responseMsg": "Approved"},
    }


# --- answers --------------------------------------------------------------------------------


def test_harness_status_200_passes_anything_else_violates() -> None:
    check_harness_status(200, "the charge", "AD-14")
    with _violates("AD-14"):
        check_harness_status(424, "the charge", "AD-14")


def test_sign_answer_00_needs_an_http_sign_url() -> None:
    check_sign_answer("00", {"signUrl": SIGN_URL}, "00", "AD-01")
    with _violates("AD-01"):
        check_sign_answer("00", {}, "00", "AD-01")
    with _violates("AD-01"):
        check_sign_answer("00", {"signUrl": "/sign/relative"}, "00", "AD-01")
    with _violates("AD-01"):
        check_sign_answer("36", {"signUrl": SIGN_URL}, "00", "AD-01")


def test_sign_answer_refusal_is_judged_by_its_code() -> None:
    check_sign_answer("36", {}, "36", "AD-02")
    with _violates("AD-02"):
        check_sign_answer("00", {"signUrl": SIGN_URL}, "36", "AD-02")


def test_close_answer_names_the_contract() -> None:
    check_close_answer("00", {"contractId": "C1"}, "C1", "00", "AD-05")
    check_close_answer("34", {"contractId": "C1"}, "C1", "34", "AD-06")
    with _violates("AD-05"):
        check_close_answer("00", {"contractId": "C2"}, "C1", "00", "AD-05")
    with _violates("AD-06"):
        check_close_answer("00", {"contractId": "C1"}, "C1", "34", "AD-06")


def test_charge_answer_00_carries_the_order_id_and_a_query_id() -> None:
    check_charge_answer("00", {"orderId": "O1", "queryId": "Q1"}, "O1", "00", "AD-07")
    check_charge_answer("05", {"orderId": "O1"}, "O1", "05", "AD-07")
    check_charge_answer("36", {"orderId": "O1"}, "O1", "36", "AD-09")
    with _violates("AD-07"):
        check_charge_answer("00", {"orderId": "O1"}, "O1", "00", "AD-07")
    with _violates("AD-07"):
        check_charge_answer("00", {"orderId": "O2", "queryId": "Q1"}, "O1", "00", "AD-07")
    with _violates("AD-09"):
        check_charge_answer("00", {"orderId": "O1", "queryId": "Q1"}, "O1", "36", "AD-09")


def test_harness_reports_what_ucsp_answered() -> None:
    answer = _ucsp_answer("00", signUrl=SIGN_URL)
    check_harness_reports(
        {"responseCode": "00", "signUrl": SIGN_URL}, answer, ("signUrl",), "AD-10"
    )
    with _violates("AD-10"):
        check_harness_reports({"responseCode": "00"}, answer, ("signUrl",), "AD-10")
    with _violates("AD-10"):
        check_harness_reports(
            {"responseCode": "36", "signUrl": SIGN_URL}, answer, ("signUrl",), "AD-10"
        )
    with _violates("AD-10"):
        check_harness_reports({"responseCode": "00"}, {}, (), "AD-10")


def test_harness_reports_only_values_ucsp_gave() -> None:
    refused = _ucsp_answer("36")
    check_harness_reports({"responseCode": "36"}, refused, ("signUrl",), "AD-10")


# --- what the Industry Service sent --------------------------------------------------------


def test_sent_once() -> None:
    check_sent_once(1, "SIGN_AUTO_DEBIT", "user u1", "AD-10")
    for count in (0, 2):
        with _violates("AD-10"):
            check_sent_once(count, "SIGN_AUTO_DEBIT", "user u1", "AD-10")


def test_sent_fields_compare_values_and_amounts() -> None:
    trx = {"merId": "777290058110048", "txnAmt": "001000", "currencyCode": "156"}
    check_sent_fields(
        "SUBMIT_AUTO_DEBIT", trx, {"merId": "777290058110048", "txnAmt": "1000"}, "AD-14"
    )
    with _violates("AD-14"):
        check_sent_fields("SUBMIT_AUTO_DEBIT", trx, {"txnAmt": "1001"}, "AD-14")
    with _violates("AD-10"):
        check_sent_fields(
            "SIGN_AUTO_DEBIT", {"merId": "1"}, {"backUrl": "http://x/notify"}, "AD-10"
        )


def test_url_field_must_be_an_absolute_http_url() -> None:
    check_url_field("SIGN_AUTO_DEBIT", {"frontUrl": FRONT}, "frontUrl", "AD-10")
    for value in (None, "", "front", "ftp://x/front", "http:///front"):
        with _violates("AD-10"):
            check_url_field("SIGN_AUTO_DEBIT", {"frontUrl": value}, "frontUrl", "AD-10")


def test_new_order_id_is_used_once() -> None:
    check_new_order_id(["D1", "D2"], "D2", "AD-14")
    with _violates("AD-14"):
        check_new_order_id(["D2", "D2"], "D2", "AD-14")
    with _violates("AD-14"):
        check_new_order_id(["D1"], "D2", "AD-14")
    with _violates("AD-14"):
        check_new_order_id([""], "", "AD-14")


# --- the signing page and notices -----------------------------------------------------------


def test_delivered_to_compares_paths() -> None:
    check_delivered_to("http://127.0.0.1:1/notify-back", "http://suite:1/notify-back", "n", "AD-03")
    with _violates("AD-03"):
        check_delivered_to("http://127.0.0.1:1/notify", "http://suite:1/notify-back", "n", "AD-03")


def test_sign_redirect_to_front_url_with_contract_and_status() -> None:
    location = FRONT + "&contractId=C1&signStatus=00"
    check_sign_redirect(302, location, FRONT, "C1", "00", 1)


@pytest.mark.parametrize(
    ("status", "location", "notices"),
    [
        (200, FRONT + "&contractId=C1&signStatus=00", 1),
        (302, None, 1),
        (302, "http://elsewhere/front?ref=ab12&contractId=C1&signStatus=00", 1),
        (302, "http://is.example:8081/front?contractId=C1&signStatus=00", 1),
        (302, FRONT + "&contractId=C2&signStatus=00", 1),
        (302, FRONT + "&contractId=C1&signStatus=01", 1),
        (302, FRONT + "&contractId=C1", 1),
        (302, FRONT + "&contractId=C1&contractId=C1&signStatus=00", 1),
        (302, FRONT + "&contractId=C1&signStatus=00", 0),
    ],
    ids=[
        "not-302",
        "no-location",
        "other-page",
        "front-query-dropped",
        "other-contract",
        "other-status",
        "no-status",
        "repeated-contract",
        "before-the-notice",
    ],
)
def test_sign_redirect_violations(status: int, location: str | None, notices: int) -> None:
    with _violates("AD-04"):
        check_sign_redirect(status, location, FRONT, "C1", "00", notices)


def test_contract_id_is_returned_when_present() -> None:
    assert check_contract_id({"contractId": "C1"}, "AD-03") == "C1"
    for trx in ({}, {"contractId": ""}, {"contractId": 7}):
        with _violates("AD-03"):
            check_contract_id(trx, "AD-03")


def test_no_more_notices() -> None:
    check_no_more_notices(0, 0, "notices", "AD-07")
    with _violates("AD-07"):
        check_no_more_notices(1, 0, "notices", "AD-07")
    with _violates("PAY-06"):
        check_no_more_notices(2, 1, "notices", "PAY-06")


def test_a_user_without_a_sign_url_cannot_sign() -> None:
    check_sign_url_given(SIGN_URL, "u1", "AD-01")
    with _violates("AD-10"):
        check_sign_url_given(None, "u1", "AD-10")
    with _violates("AD-01"):
        check_sign_url_given("", "u1", "AD-01")


def test_signing_page_status_is_pay_06_by_default() -> None:
    check_signing_page_status(409, 409)
    with _violates("PAY-06"):
        check_signing_page_status(302, 409)
    with _violates("AD-04"):
        check_signing_page_status(200, 302, "AD-04")


# --- records ----------------------------------------------------------------------------------


def test_contract_record_has_the_user_and_status() -> None:
    record = {"contractId": "C1", "userId": "u1", "status": "ACTIVE"}
    check_contract_record(200, record, "C1", "u1", "ACTIVE", "AD-11")
    with _violates("AD-11"):
        check_contract_record(404, {"error": "unknown contractId"}, "C1", "u1", "ACTIVE", "AD-11")
    with _violates("AD-11"):
        check_contract_record(200, record, "C1", "u1", "DECLINED", "AD-11")
    with _violates("AD-12"):
        check_contract_record(200, {**record, "userId": "u2"}, "C1", "u1", "ACTIVE", "AD-12")


def test_no_contract_means_404() -> None:
    check_no_contract(404, "C1", "AD-12")
    with _violates("AD-12"):
        check_no_contract(200, "C1", "AD-12")


def test_order_status() -> None:
    check_order_status("SUCCEEDED", "SUCCEEDED", "D1", "RC-02")
    with _violates("RC-02"):
        check_order_status("PENDING", "SUCCEEDED", "D1", "RC-02")
    with _violates("AD-07"):
        check_order_status(None, "FAILED", "D1", "AD-07")
