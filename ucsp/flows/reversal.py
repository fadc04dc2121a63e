"""Cancellations and refunds: reverse a paid order and follow the result, whichever side is
under test.

UCSP under test: the suite plays the Industry Service. It sends PAYMENT_CANCELLATION and
PAYMENT_REFUND itself, naming the original by the queryId of its result notice (or of an
inquiry when it had none), asks REFUND_RESULT_INQUIRY, and probes what is left to refund with a
refund it expects refused.

Industry Service under test: the suite plays UCSP. The IS reverses through its harness; the
suite reads the request the IS sent and what the harness records, and crafts notices.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from ucsp.checks import ensure
from ucsp.deployment import Deployment
from ucsp.errors import ConfigError
from ucsp.flows.base import BaseFlow, Order, trx_of
from ucsp.flows.notices import CraftedNotice, NoticeFlow
from ucsp.flows.payment import NOTICE, PaymentFlow, answer_of
from ucsp.journal import JournalEntry
from ucsp.transport import Exchange

CANCELLATION = "CANCELLATION"
REFUND = "REFUND"
REQUEST_TYPE = {CANCELLATION: "PAYMENT_CANCELLATION", REFUND: "PAYMENT_REFUND"}
HARNESS_PATH = {CANCELLATION: "/harness/cancellations", REFUND: "/harness/refunds"}
REFUND_INQUIRY = "REFUND_RESULT_INQUIRY"
MAGIC_ENDINGS = (1, 5)  # sandbox amounts: ...01 declined, ...05 pending

# The rule each side breaks, per kind: the answer (UCSP) / what the harness sent and reported
# (IS), and the recorded outcome.
ANSWER_RULE = {
    ("ucsp", CANCELLATION): "CAN-01",
    ("ucsp", REFUND): "REF-01",
    ("industry", CANCELLATION): "CAN-04",
    ("industry", REFUND): "REF-06",
}
OUTCOME_RULE = {CANCELLATION: "CAN-05", REFUND: "REF-07"}


@dataclass
class Reversal(Order):
    """A cancellation or refund as the scenario knows it (``Order`` fields: its own)."""

    kind: str = REFUND
    orig_qry_id: str = ""  # the original's queryId, as sent (or, IS under test, as recorded)
    original: Order | None = None
    harness: dict[str, Any] = field(default_factory=dict)  # IS under test: the harness's answer
    ucsp_code: str | None = None  # IS under test: the code UCSP answered the IS with

    @property
    def msg_type(self) -> str:
        return REQUEST_TYPE[self.kind]

    @property
    def word(self) -> str:
        return self.kind.lower()

    @property
    def query_id(self) -> str | None:
        value = self.trx_info.get("queryId")
        return value if isinstance(value, str) and value else None


def probe_amount(left: int) -> str:
    """The smallest amount above ``left`` that is no sandbox magic amount."""
    amount = left + 1
    while amount % 100 in MAGIC_ENDINGS:
        amount += 1
    return str(amount)


def other_value(value: str) -> str:
    """``value`` with its last character changed (same length and alphabet)."""
    if not value:
        return "Q" + secrets.token_hex(8).upper()
    last = value[-1]
    if last.isdigit():
        return value[:-1] + str((int(last) + 1) % 10)
    return value[:-1] + ("B" if last != "B" else "C")


class ReversalFlow(BaseFlow):
    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.payment = PaymentFlow(deployment)
        self.made: list[Reversal] = []  # the reversals the scenario asked for, in order

    # --- reversing ------------------------------------------------------------------------

    async def reverse(self, kind: str, original: Order, txn_amt: str | None = None) -> Reversal:
        """A cancellation (of the full amount unless ``txn_amt`` says otherwise) or a refund of
        ``original``: sent by the suite, or by the Industry Service under test via its harness."""
        amount = txn_amt if txn_amt is not None else original.txn_amt
        if self.role == "industry":
            if kind == CANCELLATION and amount != original.txn_amt:
                raise ConfigError(
                    "the harness cancels the full amount only: this step needs --sut ucsp"
                )
            reversal = await self._through_harness(kind, original, amount)
        else:
            reversal = await self._send(kind, original, amount, await self.query_id_of(original))
        self.made.append(reversal)
        return reversal

    async def reverse_unknown(self, kind: str, txn_amt: str, currency: str) -> Reversal:
        """(UCSP under test) a cancellation or refund naming an origQryId nobody issued."""
        stand_in = Order(self.industry_peer.new_order_id(), txn_amt, currency)
        unknown = "NOSUCH" + secrets.token_hex(10).upper()
        reversal = await self._send(kind, stand_in, txn_amt, unknown)
        self.made.append(reversal)
        return reversal

    async def probe_refund(self, original: Order, left: int) -> Reversal:
        """(UCSP under test) a refund of just more than ``left`` of ``original``."""
        return await self._send(
            REFUND, original, probe_amount(left), await self.query_id_of(original)
        )

    async def _send(self, kind: str, original: Order, txn_amt: str, orig_qry_id: str) -> Reversal:
        peer = self.industry_peer
        reversal = Reversal(
            peer.new_order_id(),
            txn_amt,
            original.currency,
            peer.txn_time(),
            kind=kind,
            orig_qry_id=orig_qry_id,
            original=original,
        )
        exchange = await peer.request(
            reversal.msg_type,
            {
                "orderId": reversal.order_id,
                "txnTime": reversal.txn_time,
                "origQryId": orig_qry_id,
                "txnAmt": txn_amt,
            },
        )
        reversal.exchange, reversal.code = exchange, exchange.code
        reversal.trx_info = exchange.trx_info
        return reversal

    async def _through_harness(self, kind: str, original: Order, txn_amt: str) -> Reversal:
        orig_qry_id = await self.query_id_of(original)
        body = {"origOrderId": original.order_id}
        if kind == REFUND:
            body["txnAmt"] = txn_amt
        answer = await self.harness.call("POST", HARNESS_PATH[kind], body, expect_ok=False)
        ensure(
            answer.status == 200,
            ANSWER_RULE[("industry", kind)],
            f"the harness answered HTTP {answer.status} {answer.data!r} to a "
            f"{kind.lower()} of {original.order_id}, expected {{orderId, responseCode}}",
        )
        code = answer.data.get("responseCode")
        reversal = Reversal(
            str(answer.data.get("orderId", "")),
            txn_amt,
            original.currency,
            code=code if isinstance(code, str) else None,
            kind=kind,
            orig_qry_id=orig_qry_id,
            original=original,
            harness=dict(answer.data),
        )
        sent = self.sent(reversal)
        if sent:
            reversal.txn_time = str(trx_of(sent[-1]).get("txnTime", ""))
            ucsp_answer = answer_of(sent[-1])
            trx, response = ucsp_answer.get("trxInfo"), ucsp_answer.get("msgResponse")
            reversal.trx_info = dict(trx) if isinstance(trx, dict) else {}
            if isinstance(response, dict):
                reversal.ucsp_code = response.get("responseCode")
        return reversal

    async def query_id_of(self, original: Order) -> str:
        """The queryId UCSP gave ``original``: in its answer or result notice; else as an
        inquiry (UCSP under test) or the harness (Industry Service under test) tells."""
        if isinstance(original, Reversal) and original.query_id:
            return original.query_id
        for entry in self.notices_of(NOTICE, orderId=original.order_id):
            value = trx_of(entry).get("queryId")
            if isinstance(value, str) and value:
                return value
        if self.role == "industry":
            return str((await self.harness.order(original.order_id)).get("queryId", ""))
        if isinstance(original, Reversal):
            exchange, rule = await self.inquire(original), "INQ-02"
        else:
            exchange, rule = await self.payment.inquire(original), "INQ-01"
        value = exchange.trx_info.get("queryId")
        ensure(
            exchange.code == "00" and isinstance(value, str) and bool(value),
            rule,
            f"{exchange.msg_type} about {original.order_id} is answered {exchange.code!r} "
            "without a queryId",
        )
        assert isinstance(value, str)
        return value

    # --- what came of it ------------------------------------------------------------------

    async def inquire(self, reversal: Order) -> Exchange:
        """(UCSP under test) REFUND_RESULT_INQUIRY about ``reversal``."""
        return await self.industry_peer.request(
            REFUND_INQUIRY, {"orderId": reversal.order_id, "txnTime": reversal.txn_time}
        )

    async def record(self, order_id: str) -> dict[str, Any]:
        """(IS under test) the harness's record of ``order_id``."""
        return await self.harness.order(order_id)

    def sent(self, reversal: Reversal) -> list[JournalEntry]:
        """(IS under test) the requests of ``reversal``'s type and orderId the IS sent."""
        return [
            e
            for e in self.d.peer_journal.select(reversal.msg_type, "in")
            if trx_of(e).get("orderId") == reversal.order_id
        ]

    def order_ids_sent(self, but: str) -> set[str]:
        """(IS under test) orderIds of every order-creating request the IS sent, but ``but``."""
        types = ("SUBMIT_PAYMENT_ORDER", "SUBMIT_AUTO_DEBIT", *REQUEST_TYPE.values())
        found = {
            str(trx_of(e).get("orderId"))
            for msg_type in types
            for e in self.d.peer_journal.select(msg_type, "in")
        }
        found.discard(but)
        return found

    @property
    def settle_limit(self) -> float:
        """Protocol seconds a transaction answered 05 may take to succeed: the schedule's span,
        with the late tolerance."""
        profile = self.d.target.profile
        last = profile.schedule[-1] if profile.schedule else 0.0
        return last * (1 + profile.late_tolerance)

    async def notices(self, reversal: Reversal) -> list[JournalEntry]:
        """The result notices of ``reversal`` that reached the Industry Service side."""
        timeout = self.settle_limit if reversal.code == "05" else None
        return await self.wait_notices(NOTICE, timeout, orderId=reversal.order_id)

    def notices_now(self, reversal: Reversal) -> list[JournalEntry]:
        return self.notices_of(NOTICE, orderId=reversal.order_id)

    async def notified_success(self, reversal: Reversal) -> bool:
        """Whether a success notice of ``reversal`` arrives (within the notice time-out)."""
        entries = await self.wait_notices(NOTICE, orderId=reversal.order_id)
        return any(trx_of(e).get("txnStatus") == "00" for e in entries)

    def result_told(self, reversal: Reversal) -> bool:
        """(IS under test) whether the suite, as UCSP, has told the IS that ``reversal``
        succeeded: a correct success notice delivered, or an inquiry answered txnStatus 00."""
        notices = [
            e
            for e in self.entries(NOTICE, orderId=reversal.order_id, origQryId=reversal.orig_qry_id)
            if e.status is not None and trx_of(e).get("txnStatus") == "00"
        ]
        answers = [
            answer_of(e).get("trxInfo")
            for e in self.entries(REFUND_INQUIRY, orderId=reversal.order_id)
        ]
        return bool(notices) or any(
            isinstance(a, dict) and a.get("txnStatus") == "00" for a in answers
        )

    async def quiet_period(self) -> None:
        await self.payment.quiet_period()

    # --- crafted notices (IS under test) ----------------------------------------------------

    async def repeat_notice(self, reversal: Reversal) -> CraftedNotice:
        """UCSP's result notice of ``reversal`` once more, in a fresh envelope."""
        notices = NoticeFlow(self.d)
        trx = notices.delivered_trx(reversal)
        return await notices.send_crafted(self._original_id(reversal), trx, "NOT-06")

    async def notice_naming_other_original(self, reversal: Reversal) -> CraftedNotice:
        """A success notice of ``reversal``, right but for an origQryId not the original's."""
        trx = {
            "orderId": reversal.order_id,
            "txnType": reversal.kind,
            "queryId": reversal.query_id or "Q" + secrets.token_hex(10).upper(),
            "origQryId": other_value(reversal.orig_qry_id),
            "txnAmt": reversal.txn_amt,
            "currencyCode": reversal.currency,
            "txnTime": reversal.txn_time,
            "txnStatus": "00",
        }
        notices = NoticeFlow(self.d)
        return await notices.send_crafted(self._original_id(reversal), trx, "NOT-09")

    @staticmethod
    def _original_id(reversal: Reversal) -> str:
        if reversal.original is None:
            raise ValueError(f"{reversal.order_id} reverses no order of this scenario")
        return reversal.original.order_id
