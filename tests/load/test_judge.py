"""Judging answers and notices with the kit's checks, and the notice URL's WSGI app."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from ucsp import sandbox
from ucsp.codec import Codec
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import build_request, build_response
from ucsp.keys import Keyset
from ucsp.load.judge import Expect, Reply, Wire
from ucsp.load.notices import NoticeApp, NoticeBook
from ucsp.load.plan import Plan
from ucsp.load.process import build_process
from ucsp.load.tally import Tally
from ucsp.messages import Party
from ucsp.verdict import RequirementViolation

JSON = "application/json; charset=UTF-8"


@pytest.fixture(scope="module")
def wire() -> Wire:
    return build_process(Plan(sut="ucsp", mix={"payment": 1}, keys_dir=str(TEST_KEYS))).wire


@pytest.fixture(scope="module")
def ucsp() -> Codec:
    keys = Keyset.load(TEST_KEYS)
    return Codec(Party.UCSP, keys.ucsp_sign.identity("ucsp"))


def _answer(ucsp: Codec, info: Any, code: str = "00", **trx: str) -> bytes:
    return ucsp.sign(build_response(info, dict(trx), code))


def _rules(verdict: Any) -> set[tuple[str, str]]:
    return {(f.requirement, f.rule) for f in verdict.findings}


def test_a_conformant_answer_has_no_finding(wire: Wire, ucsp: Codec) -> None:
    info, _ = wire.request("PAYMENT_RESULT_INQUIRY", sandbox.INDUSTRY_CODE, {})
    body = _answer(ucsp, info, "34", orderId="LD1234567")
    verdict = wire.answer(
        "PAYMENT_RESULT_INQUIRY", info, Reply(200, JSON, body), Expect("34", "INQ-03")
    )
    assert verdict.findings == []
    assert verdict.code == "34" and verdict.trx == {"orderId": "LD1234567"}
    assert wire.meter.seconds > 0  # signing and verifying are metered


def test_each_broken_rule_is_one_finding(wire: Wire, ucsp: Codec) -> None:
    info, _ = wire.request("PAYMENT_RESULT_INQUIRY", sandbox.INDUSTRY_CODE, {})
    other = {**info, "msgID": info["msgID"][:-1] + ("0" if info["msgID"][-1] != "0" else "1")}
    body = _answer(ucsp, other, "36", orderId="LD1234567")
    tampered = body.replace(b"LD1234567", b"LD7654321")
    verdict = wire.answer(
        "PAYMENT_RESULT_INQUIRY", info, Reply(200, "text/plain", tampered), Expect("34", "INQ-03")
    )
    assert _rules(verdict) == {
        ("TRN-05", "content-type"),
        ("SEC-01", "signature"),
        ("FMT-07", "echo"),
        ("INQ-03", "code"),
    }


def test_http_errors_unreadable_bodies_and_schema(wire: Wire, ucsp: Codec) -> None:
    info, _ = wire.request("SUBMIT_PAYMENT_ORDER", sandbox.INDUSTRY_CODE, {})
    expect = Expect("00", "PAY-01")
    assert _rules(wire.answer("SUBMIT_PAYMENT_ORDER", info, Reply(500, JSON, b""), expect)) == {
        ("TRN-04", "http")
    }
    assert _rules(wire.answer("SUBMIT_PAYMENT_ORDER", info, Reply(200, JSON, b"{"), expect)) == {
        ("FMT-06", "json")
    }
    no_tn = _answer(ucsp, info, "00", orderId="LD1234567")  # tn and paymentUrl are M on 00
    assert ("FMT-06", "schema") in _rules(
        wire.answer("SUBMIT_PAYMENT_ORDER", info, Reply(200, JSON, no_tn), expect)
    )


def test_codes_a_race_allows_and_the_flow_content_check(wire: Wire, ucsp: Codec) -> None:
    info, _ = wire.request("PAYMENT_REFUND", sandbox.INDUSTRY_CODE, {})
    body = _answer(ucsp, info, "36", orderId="LD1234567")

    def content(code: str | None, trx: Any) -> None:
        raise RequirementViolation("REF-04", f"{code} {trx['orderId']}")

    verdict = wire.answer("PAYMENT_REFUND", info, Reply(200, JSON, body),
                          Expect("00", "REF-04", content, also=("36",)))  # fmt: skip
    assert [(f.requirement, f.rule, f.message) for f in verdict.findings] == [
        ("REF-04", "content", "36 LD1234567")
    ]


def _notice(ucsp: Codec, **changes: Any) -> bytes:
    trx = {
        "orderId": "LD1234567",
        "txnType": "PAYMENT",
        "queryId": "Q1",
        "txnAmt": "100",
        "currencyCode": "156",
        "txnTime": "20260101120000",
        "txnStatus": "00",
    }
    message = build_request(ucsp.msg_info("PAYMENT_RESULT_NOTICE", sandbox.INDUSTRY_CODE), trx)
    message.update(changes)
    return ucsp.sign(message)


def _call(app: NoticeApp, body: bytes) -> tuple[str, dict[str, Any]]:
    seen: list[str] = []
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": JSON,
        "wsgi.input": io.BytesIO(body),
    }
    answer = b"".join(app(environ, lambda status, headers: seen.append(status)))
    return seen[0], json.loads(answer)


def test_the_notice_url_judges_files_and_answers(wire: Wire, ucsp: Codec) -> None:
    book, tally = NoticeBook(), Tally()
    app = NoticeApp(wire, book, tally, sandbox.INDUSTRY_CODE, clock=lambda: 1000.0)
    status, answer = _call(app, _notice(ucsp))
    assert status == "200 OK" and answer["msgResponse"]["responseCode"] == "00"
    assert book.wait("LD1234567", lambda t: t["txnStatus"] == "00", 0) is not None
    assert tally.exchanges["notice PAYMENT_RESULT_NOTICE"] == 1 and not tally.findings
    _, answer = _call(app, _notice(ucsp).replace(b'"Q1"', b'"Q2"'))  # signature broken
    assert answer["msgResponse"]["responseCode"] == "11"
    assert tally.findings["SEC-01|signature"] == 1
    assert tally.evidence["SEC-01|signature"][0]["name"] == "notice PAYMENT_RESULT_NOTICE"
    info = ucsp.msg_info("PAYMENT_RESULT_NOTICE", sandbox.INDUSTRY_CODE)
    _, answer = _call(app, _notice(ucsp, msgInfo={**info, "msgID": "A" + info["msgID"][1:]}))
    assert tally.findings["FMT-10|msgid"] == 1
    assert book.wait("nothing", lambda t: True, 0) is None
    status, answer = _call(app, b"not json")
    assert answer["msgResponse"]["responseCode"] == "10"
    assert answer["msgInfo"]["msgID"].startswith("A" + sandbox.INDUSTRY_CODE)  # a fresh one
    assert tally.findings["FMT-06|json"] == 1
