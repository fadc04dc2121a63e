"""Envelope building: msgID, UTC+8 timestamps, msgInfo, responses (PROTOCOL.md sections 2, 4, 8)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ucsp.clock import FakeClock
from ucsp.codes import ResponseCode
from ucsp.envelope import (
    CERT_ID_FIELD,
    MSG_IDS,
    SERIALS_PER_SECOND,
    MsgIdSource,
    build_msg_info,
    build_request,
    build_response,
    fallback_msg_info,
    format_time,
    new_msg_id,
    parse_time,
    response_message,
)
from ucsp.messages import Party
from ucsp.profile import Profile

CODE = "TRAVEL01"


@pytest.mark.parametrize(("party", "prefix"), [(Party.INDUSTRY, "A"), (Party.UCSP, "U")])
def test_msg_id_format_per_party(profile: Profile, party: Party, prefix: str) -> None:
    msg_id = new_msg_id(party, CODE, FakeClock().now(), profile)
    assert len(msg_id) == 29
    assert re.fullmatch(rf"{prefix}{CODE}20260115103000[0-9]{{6}}", msg_id)


def test_msg_ids_of_one_second_count_on_from_the_seed(profile: Profile) -> None:
    source, moment = MsgIdSource(seed=999_998), FakeClock().now()
    ids = [new_msg_id(Party.INDUSTRY, CODE, moment, profile, source) for _ in range(4)]
    assert [i[-6:] for i in ids] == ["999998", "999999", "000000", "000001"]
    assert {i[:23] for i in ids} == {"A" + CODE + "20260115103000"}


def test_a_burst_of_a_million_in_one_second_has_no_repeat(profile: Profile) -> None:
    source, moment = MsgIdSource(seed=123_456), FakeClock().now()
    prefix, memory = "U" + CODE + format_time(moment, profile), timedelta(hours=24)
    digits = {source.digits(prefix, memory) for _ in range(SERIALS_PER_SECOND)}
    assert len(digits) == SERIALS_PER_SECOND
    with pytest.raises(RuntimeError, match="msgIDs in one second"):
        new_msg_id(Party.UCSP, CODE, moment, profile, source)
    # the next second, another originator or another industry code start afresh
    later = moment + timedelta(seconds=1)
    assert new_msg_id(Party.UCSP, CODE, later, profile, source).endswith("123456")
    assert new_msg_id(Party.INDUSTRY, CODE, moment, profile, source).endswith("123456")
    assert new_msg_id(Party.UCSP, "OTHER001", moment, profile, source).endswith("123456")


def test_a_clock_that_goes_back_does_not_repeat_an_id(profile: Profile) -> None:
    clock, source = FakeClock(), MsgIdSource(seed=7)
    first = [new_msg_id(Party.UCSP, CODE, clock.now(), profile, source) for _ in range(3)]
    clock.advance(5)
    new_msg_id(Party.UCSP, CODE, clock.now(), profile, source)
    again = [new_msg_id(Party.UCSP, CODE, clock.now() - timedelta(seconds=5), profile, source)]
    assert not set(first) & set(again)
    assert again[0].endswith("000010")


def test_counters_outside_the_replay_window_are_forgotten(profile: Profile) -> None:
    clock, source = FakeClock(), MsgIdSource(seed=0)
    window = profile.replay_window_seconds
    for _ in range(3):
        new_msg_id(Party.UCSP, CODE, clock.now(), profile, source)
        clock.advance(1)
    clock.advance(window - 1)  # the first second is now older than any receiver remembers
    new_msg_id(Party.UCSP, CODE, clock.now(), profile, source)
    assert len(source) == 3  # the oldest second's counter dropped, the rest kept
    clock.advance(window + 10)
    new_msg_id(Party.UCSP, CODE, clock.now(), profile, source)
    assert len(source) == 1


def test_two_processes_with_different_seeds_do_not_collide(profile: Profile) -> None:
    """Two concurrent originators (seeds 500 apart) each make a burst of 400 IDs in every
    one of 30 seconds: no ID is made by both."""
    clock, one, two = FakeClock(), MsgIdSource(seed=10_000), MsgIdSource(seed=10_500)
    made: list[set[str]] = [set(), set()]
    for _ in range(30):
        for source, ids in zip((one, two), made, strict=True):
            ids.update(
                new_msg_id(Party.UCSP, CODE, clock.now(), profile, source) for _ in range(400)
            )
        clock.advance(1)
    assert len(made[0]) == len(made[1]) == 30 * 400
    assert not made[0] & made[1]


def test_seeds_overlap_only_within_a_burst_of_each_other(profile: Profile) -> None:
    moment = FakeClock().now()
    one, two = MsgIdSource(seed=999_990), MsgIdSource(seed=5)  # 15 apart, across the wrap
    ids = [
        {new_msg_id(Party.UCSP, CODE, moment, profile, s) for _ in range(15)} for s in (one, two)
    ]
    assert not ids[0] & ids[1]
    extra = new_msg_id(Party.UCSP, CODE, moment, profile, one)  # the 16th reaches two's seed
    assert extra in ids[1]


def test_every_msg_info_draws_on_the_process_source(profile: Profile) -> None:
    """The suite's peers and both reference implementations build msgInfo here: one
    counter per process, so consecutive IDs of a second differ by one."""
    moment = FakeClock().now() + timedelta(days=3)
    first = build_msg_info("SUBMIT_PAYMENT_ORDER", CODE, Party.INDUSTRY, moment, profile)
    second = build_msg_info("PAYMENT_REFUND", CODE, Party.INDUSTRY, moment, profile)
    step = (int(second["msgID"][-6:]) - int(first["msgID"][-6:])) % SERIALS_PER_SECOND
    assert step == 1
    assert 0 <= MSG_IDS.seed < SERIALS_PER_SECOND


def test_a_new_process_gets_a_new_seed() -> None:
    source = MsgIdSource(seed=42)
    source.digits("U" + CODE + "20260115103000", timedelta(hours=24))
    seeds = set()
    for _ in range(5):
        source.reseed()
        seeds.add(source.seed)
        assert len(source) == 0
    assert len(seeds) > 1  # drawn from the OS: five equal draws of 10**6 do not happen
    with pytest.raises(ValueError, match="seed"):
        MsgIdSource(seed=SERIALS_PER_SECOND)


@pytest.mark.parametrize(
    ("utc", "beijing"),
    [
        (datetime(2026, 1, 15, 2, 30, tzinfo=UTC), "20260115103000"),
        (datetime(2026, 1, 15, 16, 0, 0, tzinfo=UTC), "20260116000000"),  # next day in Beijing
        (datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC), "20251231235959"),
        (datetime(2025, 12, 31, 16, 0, 0, tzinfo=UTC), "20260101000000"),  # new year
        (datetime(2028, 2, 28, 20, 0, 0, tzinfo=UTC), "20280229040000"),  # leap day
        (datetime(2026, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=8))), "20260115103000"),
    ],
)
def test_timestamps_are_beijing_time(profile: Profile, utc: datetime, beijing: str) -> None:
    assert format_time(utc, profile) == beijing


def test_timestamps_follow_a_fake_clock(profile: Profile) -> None:
    clock = FakeClock()
    info = build_msg_info("SUBMIT_PAYMENT_ORDER", CODE, Party.INDUSTRY, clock.now(), profile)
    assert info["timeStamp"] == "20260115103000"
    clock.advance(13.5 * 3600 + 59)
    info = build_msg_info("PAYMENT_RESULT_NOTICE", CODE, Party.UCSP, clock.now(), profile)
    assert info["timeStamp"] == "20260116000059"
    assert info["msgID"][1 + len(CODE) : 23] == "20260116000059"


def test_the_zone_comes_from_the_profile(profile: Profile) -> None:
    import dataclasses

    utc_profile = dataclasses.replace(profile, utc_offset_hours=0)
    assert format_time(FakeClock().now(), utc_profile) == "20260115023000"
    assert parse_time("20260115023000", utc_profile) == FakeClock().now()


def test_parse_time_round_trips(profile: Profile) -> None:
    moment = parse_time("20260115103000", profile)
    assert moment == datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=8)
    assert format_time(moment, profile) == "20260115103000"


@pytest.mark.parametrize(
    "text",
    [
        "20260230103000",  # 30 February
        "20260115243000",
        "20260115106000",
        "20261315103000",
        "2026011510300",
        "202601151030000",
        "2026-01-15T10:3",
        "2026011510300x",
        "",
        "２０２６０１１５１０３０００",  # full-width digits pass isdigit()
    ],
)
def test_parse_time_refuses_what_is_not_a_real_time(profile: Profile, text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text, profile)


def test_build_msg_info(profile: Profile) -> None:
    info = build_msg_info("SIGN_AUTO_DEBIT", CODE, Party.INDUSTRY, FakeClock().now(), profile)
    assert list(info) == ["versionNo", "msgID", "timeStamp", "msgType", "industryCode"]
    assert info["versionNo"] == "1.0.0"
    assert info["msgType"] == "SIGN_AUTO_DEBIT"
    assert info["industryCode"] == CODE


def test_build_request() -> None:
    assert build_request({"m": "i"}, {"t": "x"}) == {"msgInfo": {"m": "i"}, "trxInfo": {"t": "x"}}


def test_build_response_echoes_the_request_msg_info(profile: Profile) -> None:
    info = build_msg_info("PAYMENT_REFUND", CODE, Party.INDUSTRY, FakeClock().now(), profile)
    response = build_response(info, {"orderId": "R1"}, ResponseCode.INCORRECT, "already refunded")
    assert response["msgInfo"] is info
    assert response["msgResponse"] == {
        "responseCode": "36",
        "responseMsg": "Order Info is Incorrect: already refunded",
    }
    assert "certificateSignature" not in response


@pytest.mark.parametrize("code", list(ResponseCode))
def test_response_message_is_the_code_description(code: ResponseCode) -> None:
    assert response_message(code.value) == {
        "responseCode": code.value,
        "responseMsg": code.description,
    }


def test_response_message_keeps_to_printable_ascii_and_256_characters() -> None:
    message = response_message("99", "bad\nvalue 银联 " + "x" * 400)
    text = message["responseMsg"]
    assert len(text) == 256
    assert text.startswith("Common Error: bad?value ?? x")
    assert all(" " <= ch <= "~" for ch in text)


def test_response_message_refuses_an_unknown_code() -> None:
    with pytest.raises(ValueError):
        response_message("42")


def test_fallback_msg_info_echoes_an_object_body(profile: Profile) -> None:
    body = {"msgInfo": {"msgID": "x", "msgType": "PAYMENT_REFUND"}, "trxInfo": {}}
    info = fallback_msg_info(body, Party.UCSP, CODE, FakeClock().now(), profile)
    assert info == body["msgInfo"]
    assert info is not body["msgInfo"]


@pytest.mark.parametrize("body", [None, [], "text", {"msgInfo": "x"}, {"trxInfo": {}}])
def test_fallback_msg_info_is_fresh_otherwise(profile: Profile, body: object) -> None:
    info = fallback_msg_info(body, Party.UCSP, CODE, FakeClock().now(), profile)
    assert info["msgType"] == "UNKNOWN"
    assert info["msgID"].startswith("U" + CODE + "20260115103000")


def test_cert_id_fields() -> None:
    assert CERT_ID_FIELD == {Party.INDUSTRY: "appSignCertID", Party.UCSP: "ucspSignCertID"}


def test_a_code_10_answer_echoes_msg_info_read_leniently() -> None:
    from ucsp.envelope import echoable_msg_info
    from ucsp.profile import default_profile

    profile = default_profile()
    info = {"msgType": "PAYMENT_RESULT_NOTICE", "msgID": "x"}
    body = json.dumps({"msgInfo": info, "a": 1, "a ": 2}).encode()
    assert echoable_msg_info(body, profile) == info
    assert echoable_msg_info(b"\xef\xbb\xbf" + body, profile) == info  # BOM: still an object
    assert echoable_msg_info(b'{"msgInfo": {"a": 1}, "a": 1, "a": 2}', profile) == {"a": 1}
    assert echoable_msg_info(b"[1, 2]", profile) is None
    assert echoable_msg_info(b'{"msgInfo": "text"}', profile) is None
    assert echoable_msg_info(b"\xff\xfe", profile) is None
    deep: object = {}
    for _ in range(profile.max_depth):
        deep = {"d": deep}
    assert echoable_msg_info(json.dumps({"msgInfo": deep}).encode(), profile) is None
    big = {"msgType": "x" * (profile.max_body_bytes - 100)}
    assert echoable_msg_info(json.dumps({"msgInfo": big}).encode(), profile) is None
