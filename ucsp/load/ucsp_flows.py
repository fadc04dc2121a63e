"""User flows for a UCSP under test, the suite playing the Industry Service.

Each flow is a function of a :class:`Session`: it sends signed requests, has every answer
judged for the code its state calls for, drives the sandbox hooks, and checks the notices
that follow. In burst mode (``plan.burst`` copies) orders are resubmitted and requests
replayed at the same time, and refunds race each other: one tn per order, and refunds never
above the original amount.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ucsp.checks import ensure
from ucsp.checks.auto_debit import (
    check_charge_answer,
    check_close_answer,
    check_sign_answer,
    check_sign_redirect,
)
from ucsp.checks.inquiry import check_inquiry_answer
from ucsp.checks.payment import check_cashier_answer, check_same_answer
from ucsp.checks.reversal import check_reversal_answer
from ucsp.load.judge import ContentCheck, Expect, Verdict
from ucsp.load.session import FORM_TYPE, HttpAnswer, Session
from ucsp.load.tally import Finding
from ucsp.verdict import RequirementViolation

SUBMIT = "SUBMIT_PAYMENT_ORDER"
INQUIRY = "PAYMENT_RESULT_INQUIRY"
REFUND = "PAYMENT_REFUND"
SIGN = "SIGN_AUTO_DEBIT"
CHARGE = "SUBMIT_AUTO_DEBIT"
CLOSE = "CLOSE_AUTO_DEBIT"
PAYMENT_NOTICE = "PAYMENT_RESULT_NOTICE"
SIGN_NOTICE = "SIGN_AUTO_DEBIT_NOTICE"
REFUND_SHARES = (3, 3, 4)  # tenths of the original, refunded in turn


@dataclass
class Paid:
    order_id: str
    txn_amt: str
    txn_time: str
    query_id: str


def _amount() -> str:
    """An amount in minor units ending 00 (the sandbox's plain success), divisible by 10."""
    return str(random.randint(10, 999) * 1000)


def _checked(func: Callable[[], None], what: str) -> Finding | None:
    try:
        func()
    except RequirementViolation as exc:
        return Finding(exc.requirement, what, exc.message)
    return None


def _order_answer(order_id: str) -> ContentCheck:
    """A 00 answer to SUBMIT_PAYMENT_ORDER: the request's orderId, a tn and a paymentUrl."""

    def check(code: str | None, trx: Mapping[str, Any]) -> None:
        named = trx.get("orderId")
        ensure(named == order_id, "PAY-01", f"the answer names orderId {named!r}, not {order_id}")
        for key in ("tn", "paymentUrl"):
            value = trx.get(key)
            ensure(isinstance(value, str) and bool(value), "PAY-01", f"the 00 answer has no {key}")

    return check


# --- payment -----------------------------------------------------------------------------


def _order_trx(s: Session) -> dict[str, Any]:
    plan = s.plan
    return {
        "orderId": s.new_id(),
        "merId": plan.mer_id,
        "acqIIN": plan.acq_iin,
        "txnAmt": _amount(),
        "currencyCode": plan.currency,
        "txnTime": s.txn_time(),
        "backUrl": s.notice_url,
    }


def order(s: Session) -> None:
    """Submit an order and judge the answer, nothing more (one exchange: a rate baseline)."""
    trx = _order_trx(s)
    s.send(SUBMIT, trx, Expect("00", "PAY-01", _order_answer(trx["orderId"])))


def payment(s: Session, burst: bool = True) -> Paid | None:
    """Submit an order, pay it at the cashier hook, receive its notice (answered 00); in
    burst mode (``burst`` and ``plan.burst``) resubmit and replay the order meanwhile."""
    plan = s.plan
    trx = _order_trx(s)
    order_id, txn_amt, txn_time = trx["orderId"], trx["txnAmt"], trx["txnTime"]
    info, body = s.wire.request(SUBMIT, plan.industry_code, trx)
    first = s.send_bytes(SUBMIT, info, body, Expect("00", "PAY-01", _order_answer(order_id)))
    if first is None or first.code != "00":
        return None
    if plan.burst and burst:
        _burst_order(s, trx, info, body, first)
    if not _pay(s, order_id, str(first.trx.get("paymentUrl"))):
        return None
    notice = s.notice(
        order_id,
        PAYMENT_NOTICE,
        "PAY-05",
        f"for the paid order {order_id}",
        orderId=order_id,
        txnAmt=txn_amt,
        currencyCode=plan.currency,
        txnTime=txn_time,
        txnStatus="00",
    )
    if notice is None:
        return None
    return Paid(order_id, txn_amt, txn_time, str(notice.get("queryId", "")))


def _burst_order(
    s: Session, trx: dict[str, Any], info: Mapping[str, Any], body: bytes, first: Verdict
) -> None:
    """Resubmit the order (fresh envelopes) and replay its bytes, all at the same time."""
    same: ContentCheck = lambda code, answer: check_same_answer(  # noqa: E731
        first.code, first.trx, code, answer, "PAY-02"
    )
    resubmit = [lambda: s.send(SUBMIT, trx, Expect("00", "PAY-02", same))] * s.plan.burst
    replay = [lambda: s.send_bytes(SUBMIT, info, body, Expect("99", "SEC-07"))] * s.plan.burst
    answers = s.parallel([*resubmit, *replay] if s.wire.profile.check_replay else resubmit)
    tns = {first.trx.get("tn")} | {
        a.trx.get("tn") for a in answers[: s.plan.burst] if a is not None and a.code == "00"
    }
    if len(tns) > 1:
        s.fail(
            Finding("PAY-02", "one-tn", f"order {trx['orderId']} was given {len(tns)} tns"),
            name=SUBMIT,
            tns=sorted(str(t) for t in tns),
        )


def _user_agrees(
    s: Session, url: str, name: str, check: Callable[[HttpAnswer], None]
) -> list[Finding] | None:
    """The user's form ``result=00`` posted to ``url`` as ``name`` and its answer judged by
    ``check``: the findings, None when no answer came."""
    findings: list[Finding] = []

    def judge(answer: HttpAnswer) -> list[Finding]:
        finding = _checked(lambda: check(answer), name)
        findings.extend([finding] if finding else [])
        return findings

    answer = s.post(url, b"result=00", FORM_TYPE, name, judge)
    if answer is None:
        return None
    s.record(name, answer, findings, b"result=00")
    return findings


def _pay(s: Session, order_id: str, payment_url: str) -> bool:
    findings = _user_agrees(s, payment_url, "cashier", lambda answer: _cashier(answer, order_id))
    return findings is not None and not findings


def _cashier(answer: HttpAnswer, order_id: str) -> None:
    if answer.status != 200:
        raise RequirementViolation("PAY-06", f"the cashier answered HTTP {answer.status}")
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise RequirementViolation("PAY-06", "the cashier's answer is not JSON") from None
    check_cashier_answer(data if isinstance(data, dict) else {}, order_id, "00", True)


# --- inquiry -----------------------------------------------------------------------------


def inquiry(s: Session) -> None:
    """Inquire about a paid order (00, its fields) and about an unknown one (34)."""
    paid = payment(s)
    if paid is None:
        return
    expected = {
        "orderId": paid.order_id,
        "txnAmt": paid.txn_amt,
        "currencyCode": s.plan.currency,
        "txnStatus": "00",
    }
    check: ContentCheck = lambda code, trx: check_inquiry_answer(  # noqa: E731
        code, trx, INQUIRY, expected
    )
    s.send(
        INQUIRY, {"orderId": paid.order_id, "txnTime": paid.txn_time}, Expect("00", "INQ-01", check)
    )
    s.send(INQUIRY, {"orderId": s.new_id(), "txnTime": paid.txn_time}, Expect("34", "INQ-03"))


# --- refund ------------------------------------------------------------------------------


def _refund_trx(s: Session, paid: Paid, amount: int) -> dict[str, Any]:
    return {
        "orderId": s.new_id(),
        "txnTime": s.txn_time(),
        "origQryId": paid.query_id,
        "txnAmt": str(amount),
        "backUrl": s.notice_url,
    }


def _refund_check(order_id: str, code: str) -> ContentCheck:
    return lambda got, trx: check_reversal_answer(got, trx, code, order_id, REFUND, "REF-03")


def _raced(order_id: str) -> ContentCheck:
    """Either answer a race allows (00 or 36), with the content that code calls for."""
    return lambda got, trx: check_reversal_answer(got, trx, str(got), order_id, REFUND, "REF-04")


def refund(s: Session) -> None:
    """Refund a paid order in parts up to its amount; one more refund is answered 36."""
    paid = payment(s, burst=False)  # the burst of this flow is its own
    if paid is None:
        return
    total = int(paid.txn_amt)
    parts = [total * share // 10 for share in REFUND_SHARES]
    accepted = _race(s, paid, parts[-1]) if s.plan.burst else _in_turn(s, paid, parts)
    over = _refund_trx(s, paid, max(total - accepted, 0) + 100)
    s.send(REFUND, over, Expect("36", "REF-04"))
    if accepted > total:
        s.fail(
            Finding("REF-04", "over-refund", f"{accepted} refunded of {paid.order_id}'s {total}"),
            name=REFUND,
        )


def _in_turn(s: Session, paid: Paid, parts: list[int]) -> int:
    accepted = 0
    for part in parts:
        trx = _refund_trx(s, paid, part)
        verdict = s.send(REFUND, trx, Expect("00", "REF-03", _refund_check(trx["orderId"], "00")))
        if verdict is None or verdict.code != "00":
            return accepted
        accepted += part
        s.notice(
            trx["orderId"],
            PAYMENT_NOTICE,
            "NOT-02",
            f"for the refund {trx['orderId']}",
            txnAmt=trx["txnAmt"],
            origQryId=paid.query_id,
            txnStatus="00",
        )
    return accepted


def _race(s: Session, paid: Paid, part: int) -> int:
    """``burst`` refunds of ``part`` at the same time: each is 00 or 36, the sum of the 00s
    at most the original amount."""

    def one(trx: dict[str, Any]) -> Callable[[], Verdict | None]:
        expect = Expect("00", "REF-04", _raced(trx["orderId"]), also=("36",))
        return lambda: s.send(REFUND, trx, expect)

    trxs = [_refund_trx(s, paid, part) for _ in range(s.plan.burst)]
    answers = s.parallel([one(t) for t in trxs])
    return sum(part for a in answers if a is not None and a.code == "00")


# --- auto-debit --------------------------------------------------------------------------


def autodebit(s: Session) -> None:
    """Sign a contract at the signing hook, charge it, close it; a charge after is 36."""
    plan, user_id = s.plan, s.new_id("LU")
    front = s.notice_url.rsplit("/", 1)[0] + "/front"
    sign_trx = {"merId": plan.mer_id, "userId": user_id, "frontUrl": front, "backUrl": s.notice_url}
    signed = s.send(
        SIGN, sign_trx, Expect("00", "AD-01", lambda c, t: check_sign_answer(c, t, "00", "AD-01"))
    )
    if signed is None or signed.code != "00":
        return
    contract_id = _sign(s, str(signed.trx.get("signUrl")), front)
    if contract_id is None:
        return
    s.notice(contract_id, SIGN_NOTICE, "AD-03", f"for {user_id}", userId=user_id, signStatus="00")
    order_id, txn_amt, txn_time = s.new_id(), _amount(), s.txn_time()
    charge = {
        "contractId": contract_id,
        "orderId": order_id,
        "merId": plan.mer_id,
        "acqIIN": plan.acq_iin,
        "txnAmt": txn_amt,
        "currencyCode": plan.currency,
        "txnTime": txn_time,
        "backUrl": s.notice_url,
    }
    charged: ContentCheck = lambda c, t: check_charge_answer(c, t, order_id, "00", "AD-07")  # noqa: E731
    verdict = s.send(CHARGE, charge, Expect("00", "AD-07", charged))
    if verdict is not None and verdict.code == "00":
        s.notice(order_id, PAYMENT_NOTICE, "AD-07", f"for the charge {order_id}",
                 contractId=contract_id, txnAmt=txn_amt, txnStatus="00")  # fmt: skip
    closed: ContentCheck = lambda c, t: check_close_answer(c, t, contract_id, "00", "AD-05")  # noqa: E731
    s.send(CLOSE, {"contractId": contract_id, "userId": user_id}, Expect("00", "AD-05", closed))
    again = {**charge, "orderId": s.new_id(), "txnTime": s.txn_time()}
    s.send(CHARGE, again, Expect("36", "AD-09"))


def _sign(s: Session, sign_url: str, front: str) -> str | None:
    """The user signs at the signing hook: 302 to frontUrl with the contractId."""
    found: list[str] = []

    def check(answer: HttpAnswer) -> None:
        query = parse_qsl(urlsplit(answer.location or "").query, keep_blank_values=True)
        found.append(dict(query).get("contractId", ""))
        check_sign_redirect(answer.status, answer.location, front, found[0], "00", 1)

    findings = _user_agrees(s, sign_url, "signing", check)
    if findings is None:
        return None
    return found[0] if not findings and found and found[0] else None


FLOWS: dict[str, Callable[[Session], Any]] = {
    "order": order,
    "payment": payment,
    "refund": refund,
    "inquiry": inquiry,
    "autodebit": autodebit,
}
