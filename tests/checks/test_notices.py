"""Unit tests of the notice checks (ucsp/checks/notices.py): pure inputs, each check shown to
pass on a good input and to raise the right requirement on a bad one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ucsp import sandbox
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
    check_sent_again,
    check_transmission_count,
    notice_trx,
)
from ucsp.clock import FakeClock
from ucsp.codec import Codec
from ucsp.codes import ResponseCode
from ucsp.envelope import build_request, build_response
from ucsp.journal import JournalEntry
from ucsp.keys import Keyset
from ucsp.profile import Profile
from ucsp.target import IndustryInfo, Target
from ucsp.verdict import RequirementViolation

NOTICE = "PAYMENT_RESULT_NOTICE"
SCHEDULE = (0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0)
TRX = {
    "orderId": "ORD2026011500000001",
    "txnType": "PAYMENT",
    "queryId": "Q20260115103000000001",
    "txnAmt": "10000",
    "currencyCode": "156",
    "txnTime": "20260115102955",
    "txnStatus": "00",
}


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


@pytest.fixture
def target(keyset: Keyset) -> Target:
    return Target(
        sut="ucsp", keys=keyset, industry=IndustryInfo(notice_url="http://is.test/notify")
    )


def notice(codec: Codec, trx: dict[str, Any] | None = None) -> bytes:
    message = build_request(codec.msg_info(NOTICE, sandbox.INDUSTRY_CODE), dict(trx or TRX))
    return codec.sign(message)


def journal_entry(
    clock: FakeClock,
    request: bytes,
    response: bytes | None = None,
    status: int | None = 200,
    elapsed: float = 0.0,
) -> JournalEntry:
    return JournalEntry(
        "in", NOTICE, "http://is.test/notify", request, status, response, elapsed, clock.now()
    )


# --- a UCSP under test sends -------------------------------------------------------------------


def test_notice_sent_by_ucsp(ucsp_codec: Codec, clock: FakeClock, target: Target) -> None:
    entry = journal_entry(clock, notice(ucsp_codec))
    message = check_notice_sent_by_ucsp(entry, target, NOTICE, {"txnAmt": "10000"}, "PAY-05")
    assert message["trxInfo"] == TRX
    with violation("PAY-05"):
        check_notice_sent_by_ucsp(entry, target, NOTICE, {"txnAmt": "10001"}, "PAY-05")


def test_notice_signed_by_the_industry_key_is_not_a_ucsp_notice(
    industry_codec: Codec, clock: FakeClock, target: Target
) -> None:
    entry = journal_entry(clock, notice(industry_codec))
    with pytest.raises(RequirementViolation):
        check_notice_sent_by_ucsp(entry, target, NOTICE, {}, "PAY-05")


def test_notice_target_compares_paths() -> None:
    check_notice_target("http://127.0.0.1:5000/notify-back", "http://suite.test/notify-back")
    with violation("NOT-01"):
        check_notice_target("http://127.0.0.1:5000/notify", "http://suite.test/notify-back")


def test_transmission_count() -> None:
    check_transmission_count(7, 7, 7)
    check_transmission_count(3, 3, 7)
    with violation("NOT-03"):
        check_transmission_count(1, 7, 7)  # never retried
    with violation("NOT-03"):
        check_transmission_count(4, 3, 7)  # sent again after the acknowledgement
    with violation("NOT-04"):
        check_transmission_count(8, 7, 7)  # more than the schedule allows


def test_retry_schedule_on_time() -> None:
    start = 1000.0
    check_retry_schedule([start + s for s in SCHEDULE], SCHEDULE, 0.2, 0.2, 0.0)
    late = [start + s * 1.19 for s in SCHEDULE]
    check_retry_schedule(late, SCHEDULE, 0.2, 0.2, 0.0)
    check_retry_schedule([start], SCHEDULE, 0.2, 0.2, 0.0)


@pytest.mark.parametrize(
    "offsets",
    [
        [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],  # no back-off
        [0.0, 1.0, 3.0, 9.0],  # too late
        [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0, 127.0],  # an eighth transmission
    ],
)
def test_retry_schedule_violations(offsets: list[float]) -> None:
    with violation("NOT-04"):
        check_retry_schedule(offsets, SCHEDULE, 0.2, 0.2, 0.0)


def test_retry_schedule_slack_widens_the_window() -> None:
    offsets = [0.0, 1.0, 3.0, 9.0]
    check_retry_schedule(offsets, SCHEDULE, 0.2, 0.2, 1.0)


def test_same_trx() -> None:
    first = {"msgInfo": {"msgID": "1"}, "trxInfo": dict(TRX)}
    again = {"msgInfo": {"msgID": "2"}, "trxInfo": dict(TRX)}
    check_same_trx([first, again])
    check_same_trx([])
    changed = {"msgInfo": {"msgID": "3"}, "trxInfo": {**TRX, "txnAmt": "10001"}}
    with violation("NOT-03"):
        check_same_trx([first, changed])


def test_fresh_envelopes(ucsp_codec: Codec, clock: FakeClock, profile: Profile) -> None:
    bodies = [notice(ucsp_codec) for _ in range(2)]
    while json.loads(bodies[0])["msgInfo"]["msgID"] == json.loads(bodies[1])["msgInfo"]["msgID"]:
        bodies[1] = notice(ucsp_codec)  # six random digits may collide (1 in 10**6)
    messages = [json.loads(b) for b in bodies]
    entries = [journal_entry(clock, b) for b in bodies]
    check_fresh_envelopes(messages, entries, profile)


def test_reused_envelope_is_not_fresh(
    ucsp_codec: Codec, clock: FakeClock, profile: Profile
) -> None:
    body = notice(ucsp_codec)
    with violation("FMT-11"):
        check_fresh_envelopes([json.loads(body)] * 2, [journal_entry(clock, body)] * 2, profile)


def test_stale_timestamp_is_not_fresh(
    ucsp_codec: Codec, clock: FakeClock, profile: Profile
) -> None:
    body = notice(ucsp_codec)
    clock.advance(3600)  # the retry is received an hour after the envelope was built
    with violation("FMT-11"):
        check_fresh_envelopes([json.loads(body)], [journal_entry(clock, body)], profile)


# --- an Industry Service under test receives -----------------------------------------------------


def answer(codec: Codec, request: bytes, code: str, echo: bool = True) -> bytes:
    msg_info = json.loads(request)["msgInfo"]
    if not echo:
        last = msg_info["msgID"][-1]
        msg_info = {**msg_info, "msgID": msg_info["msgID"][:-1] + ("1" if last == "0" else "0")}
    return codec.sign(build_response(msg_info, {}, ResponseCode(code)))


def test_notice_answered_by_industry(
    ucsp_codec: Codec, industry_codec: Codec, clock: FakeClock, target: Target
) -> None:
    request = notice(ucsp_codec)
    entry = journal_entry(clock, request, answer(industry_codec, request, "00"))
    check_notice_answered_by_industry(entry, target, "00", "NOT-06")
    with violation("NOT-08"):
        check_notice_answered_by_industry(entry, target, "34", "NOT-08")


def test_notice_answer_problems(
    ucsp_codec: Codec, industry_codec: Codec, clock: FakeClock, target: Target
) -> None:
    request = notice(ucsp_codec)
    good = answer(industry_codec, request, "36")
    with violation("TRN-04"):
        check_notice_answered_by_industry(
            journal_entry(clock, request, good, status=400), target, "36", "NOT-09"
        )
    with violation("FMT-07"):
        check_notice_answered_by_industry(
            journal_entry(clock, request, answer(industry_codec, request, "36", echo=False)),
            target,
            "36",
            "NOT-09",
        )
    text = good.decode()
    start = text.rindex('"signature":"') + len('"signature":"')
    forged = (text[:start] + ("A" if text[start] != "A" else "B") + text[start + 1 :]).encode()
    with violation("SEC-01"):
        check_notice_answered_by_industry(
            journal_entry(clock, request, forged), target, "36", "NOT-09"
        )


def test_record_unchanged() -> None:
    before = {"orderId": "P1", "status": "SUCCEEDED", "queryId": "Q1", "refundedAmt": "0"}
    check_record_unchanged(before, dict(before), "NOT-07")
    with violation("NOT-07"):
        check_record_unchanged(before, {**before, "status": "FAILED"}, "NOT-07")
    with violation("NOT-09"):
        check_record_unchanged({**before, "status": "PENDING"}, before, "NOT-09")


def test_no_record() -> None:
    check_no_record(404, "NOSUCH1")
    with violation("NOT-08"):
        check_no_record(200, "NOSUCH1")


def test_recorded() -> None:
    record = {"orderId": "P1", "status": "PARTIALLY_REFUNDED", "refundedAmt": "5010"}
    check_recorded(record, "PARTIALLY_REFUNDED", "NOT-11", refunded_amt="5010")
    check_recorded(record, "PARTIALLY_REFUNDED", "NOT-11")
    with violation("NOT-11"):
        check_recorded(record, "PARTIALLY_REFUNDED", "NOT-11", refunded_amt="8015")
    with violation("NOT-10"):
        check_recorded(record, "SUCCEEDED", "NOT-10")


def test_notice_trx(ucsp_codec: Codec, clock: FakeClock) -> None:
    assert notice_trx(journal_entry(clock, notice(ucsp_codec))) == TRX


def test_sent_again() -> None:
    check_sent_again(2, "P1")
    check_sent_again(7, "P1")
    with violation("NOT-05"):
        check_sent_again(1, "P1")
    with violation("NOT-05"):
        check_sent_again(0, "P1")
