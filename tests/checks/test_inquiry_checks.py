"""Unit tests of ucsp.checks.inquiry: each check passes on good input and names its rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ucsp.checks.inquiry import (
    check_forwarded_as_asked,
    check_goes_on_after,
    check_harness_forwarded,
    check_inquired,
    check_inquiries_due,
    check_inquiry_answer,
    check_inquiry_request,
    check_no_inquiry,
    check_order_status,
    check_query_id_recorded,
    check_schedule,
    check_signing_redirect,
    requirement_for_answer,
    slot_window,
)
from ucsp.messages import TxnType
from ucsp.verdict import RequirementViolation

SCHEDULE = (0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0)
TOLERANCE = (0.2, 0.2)


def violation(call: Callable[[], Any], requirement: str) -> str:
    with pytest.raises(RequirementViolation) as caught:
        call()
    assert caught.value.requirement == requirement
    return str(caught.value)


# --- the schedule ------------------------------------------------------------------------


def test_slot_window_is_80_to_120_percent_widened_by_the_slack() -> None:
    assert slot_window(10.0, TOLERANCE, 0.0) == pytest.approx((8.0, 12.0))
    assert slot_window(10.0, TOLERANCE, 0.5) == pytest.approx((7.5, 12.5))
    # early, the slack counts for at most a tenth of the slot: no burst fits an early slot
    assert slot_window(0.0, TOLERANCE, 0.5) == pytest.approx((0.0, 0.5))
    assert slot_window(1.0, TOLERANCE, 7.5) == pytest.approx((0.7, 8.7))


def test_a_burst_then_back_off_is_refused_even_with_a_wide_slack() -> None:
    with pytest.raises(RequirementViolation):
        check_schedule([0, 0, 0, 0, 15, 31, 63], SCHEDULE, TOLERANCE, 7.5)
    assert slot_window(10.0, (0.1, 0.3), 0.0) == pytest.approx((9.0, 13.0))


def test_the_exact_schedule_passes() -> None:
    check_schedule(SCHEDULE, SCHEDULE, TOLERANCE, 0.0, count=7)


def test_attempts_at_the_edges_of_their_windows_pass() -> None:
    early = [o * 0.8 for o in SCHEDULE]
    late = [o * 1.2 for o in SCHEDULE]
    check_schedule(early, SCHEDULE, TOLERANCE, 0.0, count=7)
    check_schedule(late, SCHEDULE, TOLERANCE, 0.0, count=7)


def test_a_partial_schedule_passes_without_a_count() -> None:
    check_schedule([0.0, 1.1, 3.2], SCHEDULE, TOLERANCE, 0.0)
    check_schedule([], SCHEDULE, TOLERANCE, 0.0)


def test_no_backoff_is_an_early_attempt() -> None:
    message = violation(
        lambda: check_schedule([0, 1, 2, 3, 4, 5, 6], SCHEDULE, TOLERANCE, 0.0), "INQ-05"
    )
    assert "#3" in message and "before its slot of 3 s" in message


def test_an_attempt_before_80_percent_of_its_slot_fails() -> None:
    offsets = [0.0, 1.0, 3.0, 5.5]  # 7 s slot opens at 5.6 s
    message = violation(lambda: check_schedule(offsets, SCHEDULE, TOLERANCE, 0.0), "INQ-05")
    assert "#4" in message and "5.60 s at the earliest" in message


def test_an_attempt_after_120_percent_of_its_slot_fails() -> None:
    offsets = [0.0, 1.0, 3.0, 7.0, 18.1]  # 15 s slot closes at 18 s
    message = violation(lambda: check_schedule(offsets, SCHEDULE, TOLERANCE, 0.0), "INQ-05")
    assert "#5" in message and "after its slot of 15 s" in message


def test_the_slack_widens_both_sides_of_every_window() -> None:
    check_schedule([0.0, 1.0, 3.0, 5.5, 18.1], SCHEDULE, TOLERANCE, 0.2)
    violation(lambda: check_schedule([0.0, 1.0, 3.0, 5.3], SCHEDULE, TOLERANCE, 0.2), "INQ-05")


def test_the_first_attempt_must_go_out_at_once() -> None:
    violation(lambda: check_schedule([0.6], SCHEDULE, TOLERANCE, 0.5), "INQ-05")
    check_schedule([0.5], SCHEDULE, TOLERANCE, 0.5)


def test_more_attempts_than_slots_fail() -> None:
    offsets = [*SCHEDULE, 64.0, 65.0, 66.0]
    message = violation(lambda: check_schedule(offsets, SCHEDULE, TOLERANCE, 0.0), "INQ-05")
    assert "10 inquiry attempts" in message and "at most 7" in message


def test_a_count_other_than_the_one_expected_fails() -> None:
    violation(lambda: check_schedule(SCHEDULE[:2], SCHEDULE, TOLERANCE, 0.0, count=7), "INQ-05")
    violation(lambda: check_schedule([], SCHEDULE, TOLERANCE, 0.0, count=1), "INQ-05")
    check_schedule(SCHEDULE[:2], SCHEDULE, TOLERANCE, 0.0, count=2)


def test_a_slot_already_passed_is_used_at_once() -> None:
    # inquiry #2 (slot 1 s) times out after 10 s: slots 3 and 7 s have passed by 11 s
    offsets = [0.0, 1.0, 11.0, 11.05, 15.0]
    busy = [0.0, 11.0, 11.05, 11.1, 15.0]
    check_schedule(offsets, SCHEDULE, TOLERANCE, 0.0, busy_until=busy)
    # without knowing the exchange was busy, the 3 s slot closed at 3.6 s
    violation(lambda: check_schedule(offsets, SCHEDULE, TOLERANCE, 0.0), "INQ-05")


def test_a_passed_slot_must_still_be_used_at_once() -> None:
    offsets = [0.0, 1.0, 14.0]  # busy until 11 s, yet the 3 s slot waited until 14 s
    busy = [0.0, 11.0, 14.0]
    message = violation(
        lambda: check_schedule(offsets, SCHEDULE, TOLERANCE, 0.5, busy_until=busy), "INQ-05"
    )
    assert "11.50 s at the latest" in message


def test_busy_until_needs_one_value_per_attempt() -> None:
    with pytest.raises(ValueError, match="busy_until"):
        check_schedule([0.0, 1.0], SCHEDULE, TOLERANCE, 0.0, busy_until=[0.0])


def test_the_requirement_and_wording_can_be_chosen() -> None:
    message = violation(
        lambda: check_schedule(
            [0.0, 0.1], SCHEDULE, TOLERANCE, 0.0, requirement="NOT-04", what="notice"
        ),
        "NOT-04",
    )
    assert "notice #2" in message


# --- the inquiry's content -----------------------------------------------------------------


def inquiry(msg_type: str = "PAYMENT_RESULT_INQUIRY", **trx: str) -> dict[str, Any]:
    fields = {"orderId": "P1234567890", "txnTime": "20260115103000", **trx}
    return {"msgInfo": {"msgType": msg_type}, "trxInfo": fields}


def test_an_inquiry_with_the_orders_type_orderid_and_txntime_passes() -> None:
    check_inquiry_request(inquiry(), "PAYMENT_RESULT_INQUIRY", "P1234567890", "20260115103000")


def test_an_inquiry_of_the_wrong_type_fails() -> None:
    message = violation(
        lambda: check_inquiry_request(
            inquiry("REFUND_RESULT_INQUIRY"),
            "PAYMENT_RESULT_INQUIRY",
            "P1234567890",
            "20260115103000",
        ),
        "INQ-04",
    )
    assert "REFUND_RESULT_INQUIRY" in message


def test_an_inquiry_with_another_orderid_fails() -> None:
    violation(
        lambda: check_inquiry_request(
            inquiry(orderId="P0"), "PAYMENT_RESULT_INQUIRY", "P1234567890", "20260115103000"
        ),
        "INQ-04",
    )


def test_an_inquiry_with_the_time_of_the_inquiry_as_txntime_fails() -> None:
    message = violation(
        lambda: check_inquiry_request(
            inquiry(txnTime="20260115103107"),
            "PAYMENT_RESULT_INQUIRY",
            "P1234567890",
            "20260115103000",
        ),
        "INQ-04",
    )
    assert "20260115103107" in message and "20260115103000" in message


def test_an_inquiry_without_trxinfo_fails() -> None:
    violation(
        lambda: check_inquiry_request(
            {"msgInfo": {"msgType": "PAYMENT_RESULT_INQUIRY"}},
            "PAYMENT_RESULT_INQUIRY",
            "P1",
            "20260115103000",
        ),
        "INQ-04",
    )


# --- going on and stopping -------------------------------------------------------------------


def test_inquiries_going_on_after_every_error_pass() -> None:
    answers = ["txnStatus 05", "code 10", "code 11", "code 99", "a bad signature"]
    check_goes_on_after(answers, [False] * 5, 6, 7)
    check_goes_on_after(answers, [False] * 5, 7, 7)


def test_stopping_after_an_error_fails() -> None:
    answers = ["txnStatus 05", "code 10", "code 11"]
    message = violation(lambda: check_goes_on_after(answers, [False] * 3, 2, 7), "INQ-07")
    assert "inquiry #2 was answered with code 10" in message


def test_stopping_after_a_final_answer_is_not_a_violation() -> None:
    check_goes_on_after(["txnStatus 05", "txnStatus 00", "code 10"], [False, True, False], 2, 7)


def test_no_further_inquiry_is_due_after_the_last_slot() -> None:
    check_goes_on_after(["code 10"] * 7, [False] * 7, 7, 7)


def test_going_on_is_not_judged_when_no_inquiry_came_at_all() -> None:
    check_goes_on_after(["code 10"], [False], 0, 7)  # the schedule check reports that


def test_answers_and_finals_must_match() -> None:
    with pytest.raises(ValueError, match="same length"):
        check_goes_on_after(["code 10"], [], 1, 7)


def test_no_inquiry_passes_when_none_came() -> None:
    check_no_inquiry([], "a refused order is not inquired about", "RC-03")


def test_an_inquiry_where_none_is_due_fails() -> None:
    message = violation(
        lambda: check_no_inquiry([0.02, 1.1], "stop on the notice", "INQ-06", since="the notice"),
        "INQ-06",
    )
    assert "2 inquiry(ies) went out after the notice" in message and "1.10 s" in message


# --- statuses and the rules behind them ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "rule"),
    [
        (TxnType.PAYMENT, "00", "RC-01"),
        (TxnType.AUTO_DEBIT, "00", "RC-02"),
        (TxnType.CANCELLATION, "00", "RC-02"),
        (TxnType.REFUND, "00", "RC-02"),
        (TxnType.PAYMENT, "05", "RC-04"),
        (TxnType.REFUND, "05", "RC-04"),
        (TxnType.PAYMENT, None, "RC-05"),
        (TxnType.CANCELLATION, None, "RC-05"),
        (TxnType.PAYMENT, "01", "RC-03"),
        (TxnType.AUTO_DEBIT, "10", "RC-03"),
        (TxnType.REFUND, "11", "RC-03"),
        (TxnType.CANCELLATION, "34", "RC-03"),
        (TxnType.REFUND, "36", "RC-03"),
        (TxnType.PAYMENT, "99", "RC-03"),
    ],
)
def test_the_rule_deciding_the_status_after_each_answer(
    kind: TxnType, code: str | None, rule: str
) -> None:
    assert requirement_for_answer(kind, code) == rule


def test_unknown_kinds_and_codes_are_errors_of_the_suite() -> None:
    with pytest.raises(ValueError, match="kind"):
        requirement_for_answer("loan", "00")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="77"):
        requirement_for_answer(TxnType.PAYMENT, "77")


def test_the_expected_status_passes() -> None:
    check_order_status("PENDING", "PENDING", "P1", "RC-04")


def test_another_status_fails_naming_the_rule() -> None:
    message = violation(lambda: check_order_status("SUCCEEDED", "PENDING", "P1", "RC-04"), "RC-04")
    assert "P1 is recorded as SUCCEEDED, expected PENDING" in message


# --- a UCSP's answer to an inquiry -----------------------------------------------------------

ANSWER = {
    "orderId": "ORD1",
    "queryId": "Q1",
    "txnAmt": "10000",
    "currencyCode": "156",
    "txnStatus": "05",
}
EXPECTED = {"orderId": "ORD1", "txnAmt": "10000", "currencyCode": "156", "txnStatus": "05"}


def test_a_complete_answer_passes() -> None:
    check_inquiry_answer("00", ANSWER, "PAYMENT_RESULT_INQUIRY", EXPECTED)


def test_txnamt_is_compared_as_an_amount() -> None:
    check_inquiry_answer("00", {**ANSWER, "txnAmt": "010000"}, "PAYMENT_RESULT_INQUIRY", EXPECTED)


def test_an_answer_with_another_code_fails() -> None:
    violation(lambda: check_inquiry_answer("34", {}, "PAYMENT_RESULT_INQUIRY", EXPECTED), "INQ-01")


def test_an_answer_without_queryid_fails() -> None:
    answer = {k: v for k, v in ANSWER.items() if k != "queryId"}
    message = violation(
        lambda: check_inquiry_answer("00", answer, "PAYMENT_RESULT_INQUIRY", EXPECTED), "INQ-01"
    )
    assert "queryId" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("txnStatus", "00"), ("txnAmt", "10001"), ("currencyCode", "344"), ("orderId", "ORD2")],
)
def test_an_answer_with_a_wrong_field_fails(name: str, value: str) -> None:
    message = violation(
        lambda: check_inquiry_answer(
            "00", {**ANSWER, name: value}, "PAYMENT_RESULT_INQUIRY", EXPECTED
        ),
        "INQ-01",
    )
    assert f"{name} is {value!r}" in message


def test_a_pending_transaction_that_has_settled_since_may_be_reported_succeeded() -> None:
    succeeded = {**ANSWER, "txnStatus": "00"}
    check_inquiry_answer("00", succeeded, "PAYMENT_RESULT_INQUIRY", EXPECTED, settled=True)
    violation(
        lambda: check_inquiry_answer("00", succeeded, "PAYMENT_RESULT_INQUIRY", EXPECTED),
        "INQ-01",
    )
    failed = {**ANSWER, "txnStatus": "01"}  # settling is succeeding: 01 stays wrong
    violation(
        lambda: check_inquiry_answer(
            "00", failed, "PAYMENT_RESULT_INQUIRY", EXPECTED, settled=True
        ),
        "INQ-01",
    )


def test_the_requirement_of_an_inquiry_answer_can_be_chosen() -> None:
    violation(
        lambda: check_inquiry_answer("00", {}, "REFUND_RESULT_INQUIRY", EXPECTED, "INQ-02"),
        "INQ-02",
    )


# --- what an Industry Service forwards, and when it inquires --------------------------------


def test_an_inquiry_that_came_passes_and_none_names_the_rule() -> None:
    check_inquired(True, "O1", 1.5, "RC-04")
    message = violation(lambda: check_inquired(False, "O1", 1.5, "RC-04"), "RC-04")
    assert "no inquiry about order O1 came within 1.5 protocol s" in message


def test_too_few_inquiries_name_the_rule_and_none_at_all_the_rule_that_starts_them() -> None:
    check_inquiries_due(3, 3, "O1", "INQ-05", "RC-04", "by now")
    message = violation(
        lambda: check_inquiries_due(2, 3, "O1", "INQ-05", "RC-04", "by now"), "INQ-05"
    )
    assert "2 inquiries about order O1 came, 3 were due: by now" in message
    violation(lambda: check_inquiries_due(0, 3, "O1", "INQ-07", "RC-04", "why"), "RC-04")


@pytest.mark.parametrize("status", [200, 424])
def test_a_request_the_harness_had_sent_passes(status: int) -> None:
    check_harness_forwarded(status, {}, "PAYMENT_REFUND", "RC-06")


def test_a_request_the_harness_refused_breaks_the_rule_given() -> None:
    refused = {"error": "too much"}
    message = violation(
        lambda: check_harness_forwarded(409, refused, "PAYMENT_REFUND", "RC-06"), "RC-06"
    )
    assert "HTTP 409 'too much'" in message
    violation(lambda: check_harness_forwarded(400, {}, "SUBMIT_PAYMENT_ORDER", "PAY-07"), "PAY-07")


def test_an_original_without_a_recorded_query_id_is_pay_08() -> None:
    check_query_id_recorded({"queryId": "Q1"}, "O1", "PAYMENT_REFUND", 409)
    record = {"status": "SUCCEEDED"}
    message = violation(
        lambda: check_query_id_recorded(record, "O1", "PAYMENT_REFUND", 409), "PAY-08"
    )
    assert "order O1 is SUCCEEDED but has no queryId" in message


def test_a_request_forwarded_as_asked_passes() -> None:
    sent = {"txnAmt": "100", "origQryId": "Q1", "orderId": "R1"}
    check_forwarded_as_asked(sent, "PAYMENT_REFUND", {"txnAmt": "100", "origQryId": "Q1"}, 200)


def test_a_request_not_forwarded_or_changed_is_rc_06() -> None:
    message = violation(lambda: check_forwarded_as_asked(None, "PAYMENT_REFUND", {}, 409), "RC-06")
    assert "harness answered HTTP 409" in message
    message = violation(
        lambda: check_forwarded_as_asked(
            {"txnAmt": "50"}, "PAYMENT_REFUND", {"txnAmt": "100"}, 200
        ),
        "RC-06",
    )
    assert "{'txnAmt': '50'}" in message


def test_the_signing_redirect_must_name_the_contract() -> None:
    check_signing_redirect(302, "http://is/front?contractId=C1", "C1", "AD-04")
    violation(lambda: check_signing_redirect(200, "", "", "AD-04"), "AD-04")
    violation(lambda: check_signing_redirect(302, "http://is/front", "", "AD-04"), "AD-04")
