"""Unit tests of the checks of everything the SUT sent (ucsp/checks/sent.py): pure inputs,
each check shown to pass on good messages and to raise the right requirements on bad ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ucsp.checks.format import violations_of
from ucsp.checks.sent import (
    SutMessage,
    check_answer_of,
    check_originated_messages,
    check_sent_messages,
    check_sent_travel,
)
from ucsp.codec import Codec
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import build_msg_info, build_request, build_response, format_time
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.mutation.signature import flip_signature, with_cert_fields
from ucsp.profile import default_profile
from ucsp.verdict import RequirementViolation

PROFILE = default_profile()
KEYS = Keyset.load(TEST_KEYS)
NOW = datetime.now(UTC)
INDUSTRY = "TRAVEL01"
SUBMIT = "SUBMIT_PAYMENT_ORDER"
JSON_UTF8 = "application/json; charset=UTF-8"


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def codec(party: Party) -> Codec:
    own = KEYS.signing(party)
    return Codec(party, own.identity("test"), KEYS.certs_of(party.peer))


def order_request() -> bytes:
    """A SUBMIT_PAYMENT_ORDER the Industry Service signed just now."""
    trx = {
        "orderId": "ORD" + format_time(NOW, PROFILE) + "ABCDEF",
        "merId": "777290058110048",
        "acqIIN": "00010344",
        "txnAmt": "10000",
        "currencyCode": "156",
        "txnTime": format_time(NOW, PROFILE),
    }
    message = build_request(build_msg_info(SUBMIT, INDUSTRY, Party.INDUSTRY, NOW, PROFILE), trx)
    cert = {"appSignCertID": KEYS.industry_sign.cert_id}
    return codec(Party.INDUSTRY).sign(with_cert_fields(message, cert, PROFILE.placeholder))


def ucsp_answer(request: bytes, msg_info: Any = None) -> bytes:
    info = json.loads(request)["msgInfo"] if msg_info is None else msg_info
    trx = {"orderId": json.loads(request)["trxInfo"]["orderId"], "tn": "abc"}
    trx["paymentUrl"] = "http://x/pay/abc"
    return codec(Party.UCSP).sign(build_response(info, trx, "00"))


def answer(request: bytes, raw: bytes | None = None, status: int = 200) -> SutMessage:
    body = ucsp_answer(request) if raw is None else raw
    return SutMessage("response", SUBMIT, body, NOW, request, status, "POST", JSON_UTF8)


def originated(raw: bytes, status: int = 200, method: str = "POST") -> SutMessage:
    return SutMessage("request", SUBMIT, raw, NOW, status=status, method=method)


UCSP_CERTS = KEYS.certs_of(Party.UCSP)
INDUSTRY_CERTS = KEYS.certs_of(Party.INDUSTRY)


# --- every message sent ----------------------------------------------------------------------


def test_valid_signed_echoing_answers_pass() -> None:
    check_sent_messages([answer(order_request())], Party.UCSP, UCSP_CERTS, PROFILE)
    check_sent_messages([originated(order_request())], Party.INDUSTRY, INDUSTRY_CERTS, PROFILE)


def test_nothing_sent_breaks_fmt_06() -> None:
    with violation("FMT-06"):
        check_sent_messages([], Party.UCSP, UCSP_CERTS, PROFILE)


def test_an_answer_that_is_not_http_200_breaks_trn_04() -> None:
    with violation("TRN-04"):
        check_answer_of(answer(order_request(), status=500), PROFILE)
    check_answer_of(originated(order_request(), status=415), PROFILE)  # requests: not judged


def test_an_answer_that_does_not_echo_breaks_fmt_07() -> None:
    request = order_request()
    other = dict(json.loads(request)["msgInfo"], msgID="I" + "0" * 28)
    with violation("FMT-07"):
        check_answer_of(answer(request, ucsp_answer(request, other)), PROFILE)


def test_a_message_not_signed_by_the_sut_breaks_sec_01() -> None:
    request = order_request()
    forged = answer(request, flip_signature(ucsp_answer(request)))
    with violation("SEC-01"):
        check_sent_messages([forged], Party.UCSP, UCSP_CERTS, PROFILE)


def test_every_bad_message_is_reported() -> None:
    request = order_request()
    bad = [answer(request, status=500), answer(request, flip_signature(ucsp_answer(request)))]
    with pytest.raises(ExceptionGroup) as group:
        check_sent_messages(bad, Party.UCSP, UCSP_CERTS, PROFILE)
    assert sorted(v.requirement for v in violations_of(group.value)) == ["SEC-01", "TRN-04"]


# --- every message originated ----------------------------------------------------------------


def test_fresh_originated_messages_pass() -> None:
    sent = [originated(order_request()), originated(order_request()), answer(order_request())]
    check_originated_messages(sent, Party.INDUSTRY, INDUSTRY, PROFILE)


def test_nothing_originated_breaks_fmt_11() -> None:
    refused = originated(order_request(), status=415)  # the suite did not take it
    with violation("FMT-11"):
        check_originated_messages(
            [answer(order_request()), refused], Party.INDUSTRY, INDUSTRY, PROFILE
        )


def test_an_originated_message_that_is_not_json_breaks_fmt_06() -> None:
    with violation("FMT-06"):
        check_originated_messages([originated(b"not JSON")], Party.INDUSTRY, INDUSTRY, PROFILE)


def test_a_message_sent_twice_breaks_fmt_11() -> None:
    raw = order_request()
    with violation("FMT-11"):
        check_originated_messages(
            [originated(raw), originated(raw)], Party.INDUSTRY, INDUSTRY, PROFILE
        )


def test_a_message_of_the_other_party_breaks_the_msg_id_rule() -> None:
    with pytest.raises((RequirementViolation, ExceptionGroup)) as caught:
        check_originated_messages([originated(order_request())], Party.UCSP, INDUSTRY, PROFILE)
    assert "FMT-10" in {v.requirement for v in violations_of(caught.value)}


# --- how they travelled ----------------------------------------------------------------------


def test_posts_of_utf8_json_pass() -> None:
    check_sent_travel([answer(order_request()), originated(order_request())])


def test_nothing_sent_breaks_trn_05() -> None:
    with violation("TRN-05"):
        check_sent_travel([])


@pytest.mark.parametrize("status", [405, 415])
def test_a_request_refused_as_no_json_post_breaks_trn_05(status: int) -> None:
    with violation("TRN-05"):
        check_sent_travel([originated(order_request(), status=status, method="POST")])


def test_every_transport_problem_is_reported() -> None:
    sent = [originated(order_request(), method="PUT"), originated(b"\xef\xbb\xbf{}")]
    with pytest.raises(ExceptionGroup) as group:
        check_sent_travel(sent)
    assert [v.requirement for v in violations_of(group.value)] == ["TRN-05", "TRN-05"]
