"""The UCSP flows over a scripted in-memory UCSP: what each flow judges and concludes.

The scripted UCSP answers with the kit's codec (signed, echoing) and files its notices in
the session's notice book at once, so no HTTP and no waiting is involved; its switches make
it deviate the way the reference UCSP's faults do.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

import pytest

from ucsp.codec import Codec
from ucsp.deployment import TEST_KEYS
from ucsp.envelope import build_response
from ucsp.keys import Keyset
from ucsp.load import session as session_module
from ucsp.load import ucsp_flows
from ucsp.load.plan import Plan
from ucsp.load.process import build_process
from ucsp.load.session import HttpAnswer, Judge, Session
from ucsp.load.tally import Tally
from ucsp.messages import Party

JSON = "application/json; charset=UTF-8"
GATEWAY = "http://ucsp.test/gateway"


class ScriptedUcsp:
    """Gateway, cashier and notices of a UCSP, answering in memory."""

    def __init__(self, codec: Codec, new_tn_each_time: bool = False, refund_limit: bool = True):
        self.codec = codec
        self.new_tn_each_time, self.refund_limit = new_tn_each_time, refund_limit
        self.orders: dict[str, dict[str, Any]] = {}
        self.by_query: dict[str, dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.session: Session | None = None

    def post(self, url: str, body: bytes, content_type: str, name: str, follow: bool = False,
             judge: Judge | None = None, method: str = "POST") -> HttpAnswer:  # fmt: skip
        if url.startswith("http://ucsp.test/pay/"):
            answer = self._cashier(url.rsplit("/", 1)[1])
        else:
            answer = self._gateway(json.loads(body))
        if judge is not None:
            judge(answer)
        return answer

    def _notify(self, trx: dict[str, Any]) -> None:
        assert self.session is not None
        self.session.book.file(trx["orderId"], {"msgType": "PAYMENT_RESULT_NOTICE", **trx})

    def _cashier(self, tn: str) -> HttpAnswer:
        order = next((o for o in self.orders.values() if o.get("tn") == tn), None)
        if order is None:
            return HttpAnswer(404, "application/json", b'{"error": "unknown tn"}', None, 1.0)
        self._notify({**order["notice"], "txnStatus": "00"})
        data = {"orderId": order["orderId"], "result": "00", "noticeAcknowledged": True}
        return HttpAnswer(200, "application/json", json.dumps(data).encode(), None, 1.0)

    def _gateway(self, message: dict[str, Any]) -> HttpAnswer:
        info, trx = message["msgInfo"], message["trxInfo"]
        if info["msgID"] in self.seen:
            return self._answer(info, "99", {"orderId": trx["orderId"]})
        self.seen.add(info["msgID"])
        handler = getattr(self, "_" + info["msgType"].lower())
        code, answer = handler(trx)
        return self._answer(info, code, answer)

    def _answer(self, info: Any, code: str, trx: dict[str, Any]) -> HttpAnswer:
        body = self.codec.sign(build_response(info, trx, code))
        return HttpAnswer(200, JSON, body, None, 1.0)

    def _submit_payment_order(self, trx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        order = self.orders.get(trx["orderId"])
        if order is None or self.new_tn_each_time:
            tn = secrets.token_hex(8)
            query = "Q" + secrets.token_hex(8)
            order = {"orderId": trx["orderId"], "tn": tn, "amount": int(trx["txnAmt"]),
                     "refunded": 0, "notice": {
                         "orderId": trx["orderId"], "txnType": "PAYMENT", "queryId": query,
                         "txnAmt": trx["txnAmt"], "currencyCode": trx["currencyCode"],
                         "txnTime": trx["txnTime"]}}  # fmt: skip
            self.orders[trx["orderId"]] = order
            self.by_query[query] = order
        tn = order["tn"]
        return "00", {
            "orderId": trx["orderId"],
            "tn": tn,
            "paymentUrl": f"http://ucsp.test/pay/{tn}",
        }

    def _payment_refund(self, trx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        original = self.by_query[trx["origQryId"]]
        amount = int(trx["txnAmt"])
        if self.refund_limit and original["refunded"] + amount > original["amount"]:
            return "36", {"orderId": trx["orderId"]}
        original["refunded"] += amount
        query = "R" + secrets.token_hex(8)
        notice = {"orderId": trx["orderId"], "txnType": "REFUND", "queryId": query,
                  "origQryId": trx["origQryId"], "txnAmt": trx["txnAmt"],
                  "currencyCode": "156", "txnTime": trx["txnTime"], "txnStatus": "00"}  # fmt: skip
        self._notify(notice)
        return "00", {"orderId": trx["orderId"], "queryId": query}


@pytest.fixture(scope="module")
def ucsp_codec() -> Codec:
    return Codec(Party.UCSP, Keyset.load(TEST_KEYS).ucsp_sign.identity("ucsp"))


def _session(ucsp: ScriptedUcsp, burst: int = 0) -> Session:
    plan = Plan(sut="ucsp", mix={"payment": 1}, keys_dir=str(TEST_KEYS), gateway_url=GATEWAY,
                burst=burst)  # fmt: skip
    process = build_process(plan)
    process.notice_url = "http://suite.test/notify"

    def parallel(thunks: Sequence[Any]) -> list[Any]:
        return [thunk() for thunk in thunks]

    session = process.session(ucsp, parallel, lambda: 1000.0)
    ucsp.session = session
    return session


def _found(tally: Tally) -> set[str]:
    return set(tally.findings) | set(tally.postconditions)


def test_a_conformant_payment_refund_and_burst(ucsp_codec: Codec) -> None:
    session = _session(ScriptedUcsp(ucsp_codec), burst=3)
    paid = ucsp_flows.payment(session)
    assert paid is not None and paid.query_id.startswith("Q")
    ucsp_flows.refund(session)
    tally = session.tally
    assert _found(tally) == set(), tally.evidence
    # 1 order + 3 resubmissions + 3 replays (99), then the refund flow's order, 3 refunds
    # and the refund over the rest
    assert tally.exchanges["SUBMIT_PAYMENT_ORDER"] == 1 + 3 + 3 + 1
    assert tally.exchanges["PAYMENT_REFUND"] == 3 + 1
    assert tally.exchanges["cashier"] == 2


def test_a_new_tn_for_a_resubmission_breaks_one_tn_per_order(ucsp_codec: Codec) -> None:
    session = _session(ScriptedUcsp(ucsp_codec, new_tn_each_time=True), burst=2)
    ucsp_flows.payment(session)
    # the resubmissions' answers differ, the order has several tns, the first one is gone
    assert _found(session.tally) == {"PAY-02|content", "PAY-02|one-tn", "PAY-06|cashier"}


def test_refunds_above_the_original_are_caught_in_turn_and_in_a_race(ucsp_codec: Codec) -> None:
    in_turn = _session(ScriptedUcsp(ucsp_codec, refund_limit=False))
    ucsp_flows.refund(in_turn)
    assert _found(in_turn.tally) == {"REF-04|code"}
    race = _session(ScriptedUcsp(ucsp_codec, refund_limit=False), burst=4)
    ucsp_flows.refund(race)  # 4 x 40 % accepted: 160 % of the original
    assert {"REF-04|over-refund", "REF-04|code"} <= _found(race.tally)


def test_a_missing_notice_is_a_failed_postcondition(
    ucsp_codec: Codec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "NOTICE_WAIT_SECONDS", 0.0)
    ucsp = ScriptedUcsp(ucsp_codec)
    session = _session(ucsp)
    ucsp._notify = lambda trx: None  # type: ignore[method-assign]
    assert ucsp_flows.payment(session) is None
    assert _found(session.tally) == {"PAY-05|notice"}
