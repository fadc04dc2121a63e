"""Cancellations and refunds: reverse a paid order and follow the result, whichever side is
under test.

UCSP under test (:class:`~ucsp.sides.reversal_ucsp.UcspReversal`): the suite plays the Industry
Service and sends PAYMENT_CANCELLATION and PAYMENT_REFUND itself. Industry Service under test
(:class:`~ucsp.sides.reversal_industry.IndustryReversal`): the IS reverses through its harness
and the suite, as UCSP, answers and reads what the harness records.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ucsp.checks.reversal import amount_of, check_no_notice, check_refunds_made
from ucsp.journal import JournalEntry
from ucsp.messages import MsgType, TxnType
from ucsp.money import Money
from ucsp.sides.result import Order

if TYPE_CHECKING:
    from ucsp.sides.side import Side

NOTICE = MsgType.PAYMENT_RESULT_NOTICE
REFUND_INQUIRY = MsgType.REFUND_RESULT_INQUIRY
CANCELLATION, REFUND = TxnType.CANCELLATION, TxnType.REFUND
MAGIC_ENDINGS = (1, 5)  # sandbox amounts: ...01 declined, ...05 pending
TAKEN = ("00", "05")  # codes of a reversal the UCSP took (succeeded, or pending)


@dataclass
class ReversalOrder(Order):
    """A cancellation or refund as the scenario knows it (``Order`` fields: its own)."""

    kind: TxnType = REFUND
    orig_qry_id: str = ""  # the original's queryId, as sent (or, IS under test, as recorded)
    original: Order | None = None

    @property
    def msg_type(self) -> str:
        return self.kind.creating_type

    @property
    def word(self) -> str:
        return self.kind.lower()

    @property
    def query_id(self) -> str | None:
        value = self.trx_info.get("queryId")
        return value if isinstance(value, str) and value else None

    @property
    def original_id(self) -> str:
        if self.original is None:
            raise ValueError(f"{self.order_id} reverses no order of this scenario")
        return self.original.order_id


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


class Reversal(ABC):
    """Cancellations and refunds, for either side. The reversals a scenario asked for are kept,
    in order, in :attr:`made`."""

    # the rule a reversal's result notice falls under (UCSP sends it, whichever side is tested)
    notice_rules: ClassVar[Mapping[TxnType, str]] = {CANCELLATION: "CAN-01", REFUND: "REF-01"}
    answer_rules: ClassVar[Mapping[TxnType, str]]  # a reversal's outcome as answered/reported
    partial_refunds_rule: ClassVar[str]  # several refunds of one order all answered

    def __init__(self, side: Side) -> None:
        self.side = side
        self.made: list[ReversalOrder] = []

    # --- reversing --------------------------------------------------------------------------

    def reverse(self, kind: TxnType, original: Order, amount: Money | None = None) -> ReversalOrder:
        """A cancellation or refund of ``original``, of ``amount`` (default: all of it)."""
        reversal = self._reverse(kind, original, self.txn_amt(original, amount))
        self.made.append(reversal)
        return reversal

    @abstractmethod
    def _reverse(self, kind: TxnType, original: Order, txn_amt: str) -> ReversalOrder: ...

    @staticmethod
    def txn_amt(original: Order, amount: Money | None) -> str:
        """``amount`` in minor units, in the original's currency (default: its own amount)."""
        if amount is None:
            return original.txn_amt
        if amount.currency != original.currency:
            raise ValueError(
                f"a reversal of {original.order_id} is in its currency {original.currency}"
            )
        return amount.txn_amt

    def reversed(
        self, kind: TxnType, original: Order, code: str, amount: Money | None = None
    ) -> ReversalOrder:
        """A reversal as a precondition: answered ``code``; when 00, its notice delivered;
        when 05, taken as pending."""
        reversal = self.reverse(kind, original, amount)
        self.check_answered(reversal, code)
        if code == "05":
            self._check_pending(reversal)
        if code == "00":
            self.side.first_notice(
                self.notices(reversal), self.answer_rules[kind], f"{NOTICE} of {reversal.order_id}"
            )
        return reversal

    @abstractmethod
    def _check_pending(self, reversal: ReversalOrder) -> None:
        """What a reversal answered 05 must have started, where the side can see it."""

    def query_id_of(self, original: Order) -> str:
        """The queryId UCSP gave ``original``: in its answer or result notice, else as the
        side under test otherwise tells."""
        if isinstance(original, ReversalOrder) and original.query_id:
            return original.query_id
        for entry in self.side.notices_of(NOTICE, orderId=original.order_id):
            value = entry.trx.get("queryId")
            if isinstance(value, str) and value:
                return value
        return self._query_id_told(original)

    @abstractmethod
    def _query_id_told(self, original: Order) -> str: ...

    def last_of(self, original: Order) -> ReversalOrder | None:
        """The latest reversal of ``original`` the scenario asked for."""
        mine = [r for r in self.made if r.original_id == original.order_id]
        return mine[-1] if mine else None

    # --- answers ----------------------------------------------------------------------------

    @abstractmethod
    def check_answered(self, reversal: ReversalOrder, code: str, rule: str | None = None) -> None:
        """``reversal`` was answered ``code`` (else a violation of ``rule``, by default the
        kind's answer rule)."""

    def check_every_refund_answered(self, code: str) -> None:
        refunds = [r for r in self.made if r.kind is REFUND]
        check_refunds_made(len(refunds), self.partial_refunds_rule)
        for refund in refunds:
            self.check_answered(refund, code, self.partial_refunds_rule)

    @abstractmethod
    def check_rejected(self, reversal: ReversalOrder, code: str) -> None:
        """``reversal`` was refused with ``code`` and had no effect."""

    def check_still_cancellable(self, original: Order) -> None:
        """A full cancellation of ``original`` is answered 00 (CAN-03: nothing before it
        changed the order)."""
        self.check_answered(self.reverse(CANCELLATION, original), "00", "CAN-03")

    def check_still_refundable(self, original: Order, amount: Money) -> None:
        """A refund of ``amount`` of ``original`` is answered 00: the reversal before it (a
        declined cancellation) had no effect, by that reversal's rule."""
        last = self.last_of(original)
        rule = self.answer_rules[last.kind if last is not None else REFUND]
        self.check_answered(self.reverse(REFUND, original, amount), "00", rule)

    # --- notices ----------------------------------------------------------------------------

    @property
    def settle_limit(self) -> float:
        """Protocol seconds a transaction answered 05 may take to succeed: the schedule's span,
        with the late tolerance."""
        profile = self.side.target.profile
        last = profile.schedule[-1] if profile.schedule else 0.0
        return last * (1 + profile.late_tolerance)

    def notices(self, reversal: ReversalOrder) -> list[JournalEntry]:
        """The result notices of ``reversal`` that reached the Industry Service side."""
        timeout = self.settle_limit if reversal.code == "05" else None
        return self.side.wait_notices(NOTICE, timeout, orderId=reversal.order_id)

    def notices_now(self, reversal: ReversalOrder) -> list[JournalEntry]:
        return self.side.notices_of(NOTICE, orderId=reversal.order_id)

    def check_notified(self, reversal: ReversalOrder, status: str) -> None:
        """The result notice of ``reversal`` was delivered, with txnStatus ``status``."""
        rule = self.notice_rules[reversal.kind]
        notice = self.side.first_notice(
            self.notices(reversal), rule, f"{NOTICE} of {reversal.order_id}"
        )
        self._check_notice(reversal, notice, status)

    @abstractmethod
    def _check_notice(self, reversal: ReversalOrder, notice: JournalEntry, status: str) -> None: ...

    def check_not_notified(self, reversal: ReversalOrder) -> None:
        """No result notice of the declined ``reversal`` comes."""
        self.side.payment.quiet_period()
        count = len(self.notices_now(reversal))
        check_no_notice(count, reversal.order_id, self.notice_rules[reversal.kind])

    # --- what is recorded -------------------------------------------------------------------

    @abstractmethod
    def check_recorded(self, reversal: ReversalOrder, status: str) -> None:
        """``reversal`` is recorded as ``status``."""

    def check_left_to_refund(self, original: Order, amount: Money) -> None:
        """``amount`` of ``original`` is left to refund."""
        self._check_left(original, amount_of(self.txn_amt(original, amount)) or 0)

    @abstractmethod
    def _check_left(self, original: Order, left: int) -> None: ...

    @abstractmethod
    def check_cancellation_effected(self, original: Order) -> None:
        """``original`` is cancelled: nothing is left to refund."""
