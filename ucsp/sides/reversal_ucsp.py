"""Cancellations and refunds of a UCSP under test: the suite sends them as the Industry Service,
naming the original by the queryId of its result notice (or of an inquiry when it had none),
asks REFUND_RESULT_INQUIRY, and probes what is left to refund with a refund it expects refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from ucsp.checks.notices import check_notice_sent_by_ucsp
from ucsp.checks.reversal import (
    TXN_STATUS,
    amount_of,
    check_not_created,
    check_query_id,
    check_refund_inquiry,
    check_reversal_answer,
    check_reversal_notice,
)
from ucsp.journal import JournalEntry
from ucsp.messages import TxnType
from ucsp.money import Money
from ucsp.sides.result import Answered, Order
from ucsp.sides.reversal import (
    CANCELLATION,
    NOTICE,
    REFUND,
    REFUND_INQUIRY,
    TAKEN,
    Reversal,
    ReversalOrder,
    probe_amount,
)
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import UcspUnderTest


class UcspReversal(Reversal):
    """The suite reverses as the Industry Service; the UCSP under test answers."""

    answer_rules: ClassVar[Mapping[TxnType, str]] = {CANCELLATION: "CAN-01", REFUND: "REF-01"}
    partial_refunds_rule = "REF-03"
    # a refusal: of an unknown original (34); of an original not to be reversed so (36)
    unknown_original_rules: ClassVar[Mapping[TxnType, str]] = {
        CANCELLATION: "CAN-02",
        REFUND: "REF-02",
    }
    not_reversible_rules: ClassVar[Mapping[TxnType, str]] = {
        CANCELLATION: "CAN-03",
        REFUND: "REF-05",
    }
    above_left_rule = "REF-04"  # a refund of more than is left to refund
    side: UcspUnderTest

    # --- reversing --------------------------------------------------------------------------

    def _reverse(self, kind: TxnType, original: Order, txn_amt: str) -> ReversalOrder:
        return self._send(kind, original, txn_amt, self.query_id_of(original))

    def reverse_unknown(self, kind: TxnType, amount: Money) -> ReversalOrder:
        """A cancellation or refund naming an origQryId nobody issued."""
        stand_in = Order(self.side.peer.new_order_id(), amount.txn_amt, amount.currency)
        unknown = "NOSUCH" + secrets.token_hex(10).upper()
        reversal = self._send(kind, stand_in, amount.txn_amt, unknown)
        self.made.append(reversal)
        return reversal

    def _send(
        self, kind: TxnType, original: Order, txn_amt: str, orig_qry_id: str
    ) -> ReversalOrder:
        peer = self.side.peer
        reversal = ReversalOrder(
            peer.new_order_id(),
            txn_amt,
            original.currency,
            peer.txn_time(),
            kind=kind,
            orig_qry_id=orig_qry_id,
            original=original,
        )
        trx = {
            "orderId": reversal.order_id,
            "txnTime": reversal.txn_time,
            "origQryId": orig_qry_id,
            "txnAmt": txn_amt,
        }
        exchange = self.side.request(reversal.msg_type, trx)
        reversal.evidence, reversal.code = Answered(exchange), exchange.code
        reversal.trx_info = exchange.trx_info
        return reversal

    def _check_pending(self, reversal: ReversalOrder) -> None:
        """Nothing to see at once: its inquiry and its notice tell what became of it."""

    def _query_id_told(self, original: Order) -> str:
        """As an inquiry tells: REFUND_RESULT_INQUIRY of a reversal (INQ-02), else
        PAYMENT_RESULT_INQUIRY (INQ-01)."""
        if isinstance(original, ReversalOrder):
            exchange, rule = self.inquire(original), "INQ-02"
        else:
            exchange, rule = self.side.payment.inquire(original), "INQ-01"
        return check_query_id(
            exchange.code, exchange.trx_info, exchange.msg_type, original.order_id, rule
        )

    def inquire(self, reversal: Order) -> Exchange:
        """REFUND_RESULT_INQUIRY about ``reversal``."""
        trx = {"orderId": reversal.order_id, "txnTime": reversal.txn_time}
        return self.side.request(REFUND_INQUIRY, trx)

    # --- answers ----------------------------------------------------------------------------

    def check_answered(self, reversal: ReversalOrder, code: str, rule: str | None = None) -> None:
        """The UCSP's own answer: valid, ``code``, the request's orderId, a queryId with 00."""
        rule = rule or self.answer_rules[reversal.kind]
        if reversal.evidence is not None:
            reversal.evidence.check(rule)
        check_reversal_answer(
            reversal.code, reversal.trx_info, code, reversal.order_id, reversal.msg_type, rule
        )

    def refusal_rule(self, reversal: ReversalOrder, code: str) -> str:
        """The rule the UCSP breaks by not refusing ``reversal`` with ``code``: 34 for an
        unknown original; 36 for a refund of more than is left to refund (REF-04), else for an
        original not to be reversed so (CAN-03, REF-05)."""
        if code == "34":
            return self.unknown_original_rules[reversal.kind]
        if code != "36":
            raise ValueError(f"a {reversal.word} is not refused with code {code}")
        if reversal.kind is REFUND and self._above_left(reversal):
            return self.above_left_rule
        return self.not_reversible_rules[reversal.kind]

    def _above_left(self, refund: ReversalOrder) -> bool:
        """Whether ``refund`` asks for more than is left to refund of its original, the
        refunds taken before it (succeeded or pending) counted."""
        original = refund.original
        if original is None:
            return False
        taken = sum(
            amount_of(r.txn_amt) or 0
            for r in self.made
            if r is not refund
            and r.kind is REFUND
            and r.original_id == original.order_id
            and r.code in TAKEN
        )
        return (amount_of(refund.txn_amt) or 0) > (amount_of(original.txn_amt) or 0) - taken

    def check_rejected(self, reversal: ReversalOrder, code: str) -> None:
        """Refused with ``code`` and not recorded."""
        rule = self.refusal_rule(reversal, code)
        self.check_answered(reversal, code, rule)
        self.check_not_recorded(reversal, rule)

    def check_not_recorded(self, reversal: ReversalOrder, rule: str) -> None:
        """A refund inquiry shows the refused ``reversal`` was not recorded."""
        inquiry = self.inquire(reversal)
        Answered(inquiry).check(rule)
        refused = {
            "orderId": reversal.order_id,
            "txnAmt": reversal.txn_amt,
            "origQryId": reversal.orig_qry_id,
        }
        check_not_created(inquiry.code, inquiry.trx_info, refused, rule)

    # --- notices ----------------------------------------------------------------------------

    def _check_notice(self, reversal: ReversalOrder, notice: JournalEntry, status: str) -> None:
        """As the UCSP sent it: kind and status (the kind's rule), then NOT-02's fields."""
        kind = reversal.kind.value
        expected = {"orderId": reversal.order_id, "txnType": kind, "txnStatus": status}
        rule = self.notice_rules[reversal.kind]
        message = check_notice_sent_by_ucsp(notice, self.side.target, NOTICE, expected, rule)
        assert reversal.original is not None
        fields = {
            "orderId": reversal.order_id,
            "txnAmt": reversal.txn_amt,
            "txnTime": reversal.txn_time,
            "origQryId": reversal.orig_qry_id,
            "currencyCode": reversal.original.currency,
        }
        if reversal.query_id:
            fields["queryId"] = reversal.query_id
        check_reversal_notice(message["trxInfo"], fields)

    def notified_success(self, reversal: ReversalOrder) -> bool:
        """Whether a success notice of ``reversal`` arrives (within the notice time-out)."""
        entries = self.side.wait_notices(NOTICE, orderId=reversal.order_id)
        return any(e.trx.get("txnStatus") == "00" for e in entries)

    # --- what is recorded -------------------------------------------------------------------

    def check_recorded(self, reversal: ReversalOrder, status: str) -> None:
        """As REFUND_RESULT_INQUIRY reports it (INQ-02); a pending reversal whose success
        notice has come since may be reported succeeded."""
        inquiry = self.inquire(reversal)
        Answered(inquiry).check("INQ-02")
        expected = {
            "orderId": reversal.order_id,
            "origQryId": reversal.orig_qry_id,
            "txnAmt": reversal.txn_amt,
            "txnStatus": TXN_STATUS[status],
        }
        if reversal.query_id:
            expected["queryId"] = reversal.query_id
        settled = (
            status == "PENDING"
            and inquiry.trx_info.get("txnStatus") == "00"
            and self.notified_success(reversal)
        )
        check_refund_inquiry(inquiry.code, inquiry.trx_info, expected, settled)

    def _check_left(self, original: Order, left: int) -> None:
        self._check_refused_above(original, left, self.above_left_rule)

    def check_cancellation_effected(self, original: Order) -> None:
        self._check_refused_above(original, 0, self.not_reversible_rules[REFUND])

    def _check_refused_above(self, original: Order, left: int, rule: str) -> None:
        """A refund of just more than ``left`` of ``original`` is refused (36) and not
        recorded."""
        probe = self._send(REFUND, original, probe_amount(left), self.query_id_of(original))
        self.check_answered(probe, "36", rule)
        self.check_not_recorded(probe, rule)
