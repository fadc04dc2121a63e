"""User flows for an Industry Service under test, the suite playing UCSP.

Each flow has the Industry Service create an order through its harness (HARNESS.md A; the
order goes to the suite's UCSP, which answers it), then sends notices to the IS's notice
URL: the result, duplicates of it (at the same time in burst mode), a late notice that
contradicts the final result, or a notice for an order the IS never made. Every answer is
judged by the kit, and the flow then checks the order's final state through the harness.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from ucsp.checks import ensure
from ucsp.checks.notices import check_no_record
from ucsp.load.judge import Expect
from ucsp.load.session import JSON_TYPE, HttpAnswer, Session
from ucsp.load.tally import Finding
from ucsp.verdict import RequirementViolation

NOTICE = "PAYMENT_RESULT_NOTICE"
RECORDED = {"00": "SUCCEEDED", "01": "FAILED"}


def _amount() -> str:
    return str(random.randint(10, 999) * 100)


def _harness_json(answer: HttpAnswer, requirement: str, what: str) -> dict[str, Any]:
    ensure(answer.status == 200, requirement, f"the harness answered {what} with {answer.status}")
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise RequirementViolation(requirement, f"the harness's {what} answer is no JSON") from None
    ensure(isinstance(data, dict), requirement, f"the harness's {what} answer is no object")
    return dict(data)


def _call(
    s: Session,
    path: str,
    body: Mapping[str, Any] | None,
    name: str,
    check: Callable[[HttpAnswer], Any],
) -> Any:
    """One harness call; ``check`` reads the answer (raising a violation when it is wrong)."""
    found: list[Finding] = []
    result: list[Any] = []

    def judge(answer: HttpAnswer) -> list[Finding]:
        try:
            result.append(check(answer))
        except RequirementViolation as exc:
            found.append(Finding(exc.requirement, "harness", exc.message))
        return found

    raw = json.dumps(body).encode() if body is not None else b""
    url = s.plan.harness_url.rstrip("/") + path
    answer = s.post(url, raw, JSON_TYPE, name, judge, method="GET" if body is None else "POST")
    if answer is None:
        return None
    s.record(name, answer, found, raw)
    return result[0] if result else None


def _order(s: Session) -> dict[str, str] | None:
    """The IS submits an order (to the suite's UCSP, which answers 00)."""
    amount = _amount()

    def check(answer: HttpAnswer) -> dict[str, str]:
        data = _harness_json(answer, "PAY-07", "POST /harness/payments")
        ensure(data.get("responseCode") == "00", "PAY-07", f"the harness reports {data}")
        ensure(isinstance(data.get("orderId"), str), "PAY-07", f"no orderId in {data}")
        return {"orderId": str(data["orderId"]), "txnAmt": amount}

    order: dict[str, str] | None = _call(
        s, "/harness/payments", {"txnAmt": amount, "currencyCode": s.plan.currency},
        "harness payments", check,
    )  # fmt: skip
    return order


def _notice_trx(s: Session, order: Mapping[str, str], status: str) -> dict[str, str]:
    return {
        "orderId": order["orderId"],
        "txnType": "PAYMENT",
        "queryId": order.get("queryId") or s.txn_time() + secrets.token_hex(8),
        "txnAmt": order["txnAmt"],
        "currencyCode": s.plan.currency,
        "txnTime": s.txn_time(),
        "txnStatus": status,
    }


def _notify(s: Session, trx: Mapping[str, str], expect: Expect) -> str | None:
    verdict = s.send(NOTICE, trx, expect, url=s.plan.notice_url)
    return None if verdict is None else verdict.code


def _final(s: Session, order: Mapping[str, str], status: str, requirement: str) -> None:
    """After the flow: the harness shows the order in ``status`` (a failed post-condition
    otherwise)."""

    def check(answer: HttpAnswer) -> dict[str, Any]:
        return _harness_json(answer, requirement, "GET /harness/orders")

    record = _call(s, f"/harness/orders/{order['orderId']}", None, "harness order", check)
    if record is not None and record.get("status") != status:
        s.fail(
            Finding(requirement, "final-state",
                    f"order {order['orderId']} is {record.get('status')!r}, expected {status}"),
            name="harness order", record=record,
        )  # fmt: skip


def notices(s: Session) -> None:
    """The result notice of a pending order: 00, and the order SUCCEEDED."""
    order = _order(s)
    if order is None:
        return
    _notify(s, _notice_trx(s, order, "00"), Expect("00", "PAY-08"))
    _final(s, order, "SUCCEEDED", "PAY-08")


def duplicates(s: Session) -> None:
    """The same notice again and again (fresh envelopes; at the same time in burst mode):
    every one answered 00, the order applied once."""
    order = _order(s)
    if order is None:
        return
    trx = _notice_trx(s, order, "00")
    copies = max(s.plan.burst, 2)
    s.parallel([lambda: _notify(s, trx, Expect("00", "NOT-06"))] * copies)
    _final(s, order, "SUCCEEDED", "NOT-06")


def unordered(s: Session) -> None:
    """A success, then a late failure notice of the same order: both 00, the order stays
    SUCCEEDED."""
    order = _order(s)
    if order is None:
        return
    first = _notice_trx(s, order, "00")
    _notify(s, first, Expect("00", "PAY-08"))
    _notify(s, {**first, "txnStatus": "01", "txnTime": s.txn_time()}, Expect("00", "NOT-07"))
    _final(s, order, "SUCCEEDED", "NOT-07")


def unknown(s: Session) -> None:
    """A notice for an order the IS never made: 34, and nothing recorded."""
    order = {"orderId": s.new_id("UNK"), "txnAmt": _amount()}
    _notify(s, _notice_trx(s, order, "00"), Expect("34", "NOT-08"))

    def check(answer: HttpAnswer) -> None:
        check_no_record(answer.status, order["orderId"])

    _call(s, f"/harness/orders/{order['orderId']}", None, "harness order", check)


FLOWS: dict[str, Callable[[Session], Any]] = {
    "notices": notices,
    "duplicates": duplicates,
    "unordered": unordered,
    "unknown": unknown,
}
