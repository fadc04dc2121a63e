"""Result inquiries and the handling of UCSP's answers, whichever side is under test.

Industry Service under test (:class:`~ucsp.sides.inquiry_industry.IndustryInquiry`): the suite
plays UCSP. It scripts its answer to an order-creating request and its answers to the
inquiries about that order, makes the IS create the order through the harness, and observes
on the wire the inquiries that follow (:mod:`ucsp.sides.inquiry_schedule`). The order's status
is read through the harness.

UCSP under test (:class:`~ucsp.sides.inquiry_ucsp.UcspInquiry`): the suite plays the Industry
Service: it creates payments, auto-debit charges, cancellations and refunds itself and sends
PAYMENT_RESULT_INQUIRY or REFUND_RESULT_INQUIRY about them, as they are or with one field
wrong.

Orders, reversals, contracts and charges come from the other areas (``side.payment``,
``side.reversal``, ``side.auto_debit``); this area follows them. The rule an order's status
falls under depends on what last happened to it (the answer to its creating request, the
inquiries, the result notice): :meth:`Inquiry.status_rule`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from ucsp.checks.inquiry import check_order_status, requirement_for_answer
from ucsp.checks.messages import check_code
from ucsp.messages import MsgType, TxnType
from ucsp.money import Money
from ucsp.sides.auto_debit import Charge, Contract
from ucsp.sides.result import Order
from ucsp.sides.reversal import ReversalOrder

if TYPE_CHECKING:
    from ucsp.sides.side import Side

NOTICE = MsgType.PAYMENT_RESULT_NOTICE
PAYMENT, AUTO_DEBIT = TxnType.PAYMENT, TxnType.AUTO_DEBIT
CANCELLATION, REFUND = TxnType.CANCELLATION, TxnType.REFUND
# the words a scenario names a transaction with
KINDS: Mapping[str, TxnType] = {
    "payment": PAYMENT,
    "charge": AUTO_DEBIT,
    "auto-debit": AUTO_DEBIT,
    "cancellation": CANCELLATION,
    "refund": REFUND,
}


# what became of a transaction, as a scenario words it, and the txnStatus an inquiry reports
OUTCOMES: Mapping[str, str] = {"succeeded": "00", "failed": "01", "pending": "05"}


def kind_named(word: str) -> TxnType:
    """The transaction type a scenario's word names."""
    try:
        return KINDS[word]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"unknown kind of order {word!r}; use one of {known}") from None


def kind_of(order: Order) -> TxnType:
    """The transaction type of an order of the scenario."""
    if isinstance(order, ReversalOrder):
        return order.kind
    if isinstance(order, Charge):
        return AUTO_DEBIT
    return PAYMENT


def original_of(order: Order) -> Order:
    """The payment a cancellation or refund reverses."""
    if not isinstance(order, ReversalOrder) or order.original is None:
        raise ValueError(f"{order.order_id} reverses no payment of this scenario")
    return order.original


def half_of(order: Order) -> Money:
    """Half the amount of ``order`` (at least one minor unit), in its currency."""
    return Money(str(max(1, int(order.txn_amt) // 2)), order.currency)


class Inquiry(ABC):
    """Orders followed to their final status, for either side."""

    default_rule: ClassVar[str] = "INQ-05"  # an order's status before anything decided it
    # a transaction that has succeeded as a precondition: its creating request answered 00
    succeeded_rules: ClassVar[Mapping[TxnType, str]] = {
        AUTO_DEBIT: "AD-07",
        CANCELLATION: "CAN-01",
        REFUND: "REF-01",
    }
    # the rule that decides an order's status once its result notice has arrived
    notice_rules: ClassVar[Mapping[TxnType, str]] = {
        PAYMENT: "PAY-08",
        AUTO_DEBIT: "PAY-08",
        CANCELLATION: "CAN-05",
        REFUND: "REF-07",
    }
    unchanged_rule: ClassVar[str] = "RC-06"  # a payment whose reversal UCSP refused

    def __init__(self, side: Side) -> None:
        self.side = side
        self._rules: dict[str, str] = {}  # orderId -> the rule its status now falls under

    # --- the rule an order's status falls under ---------------------------------------------

    def status_rule(self, order: Order) -> str:
        return self._rules.get(order.order_id, self.default_rule)

    def decided_by(self, order: Order, rule: str) -> None:
        """From now on, ``order``'s status falls under ``rule``."""
        self._rules[order.order_id] = rule

    def decided_by_answer(self, order: Order) -> None:
        """``order``'s status falls under the rule of its answer (RC-01 to RC-05)."""
        self.decided_by(order, requirement_for_answer(kind_of(order), order.code))

    # --- orders, contracts and charges ------------------------------------------------------

    @abstractmethod
    def contract(self, closed: bool = False) -> Contract:
        """An auto-debit contract the user signed (and, when ``closed``, that was closed)."""

    @abstractmethod
    def _charge(self, contract: Contract, amount: Money) -> Charge: ...

    @abstractmethod
    def _reverse(self, kind: TxnType, original: Order, amount: Money | None) -> ReversalOrder: ...

    def charge(self, contract: Contract, amount: Money) -> Charge:
        """A charge of ``amount`` on ``contract``; its status falls under its answer's rule."""
        charge = self._charge(contract, amount)
        self.decided_by_answer(charge)
        return charge

    def reverse(self, kind: TxnType, original: Order, amount: Money | None = None) -> ReversalOrder:
        """A cancellation (in full) or a refund of ``amount`` of ``original``; its status falls
        under its answer's rule."""
        reversal = self._reverse(kind, original, amount)
        self.decided_by_answer(reversal)
        return reversal

    def succeeded(self, word: str, amount: Money) -> Order:
        """A transaction of the kind ``word`` names that has succeeded (a reversal: of a paid
        payment)."""
        kind = kind_named(word)
        if kind is AUTO_DEBIT:
            order: Order = self._charge(self.contract(), amount)
        else:
            paid = self.side.payment.paid(amount)
            if kind is PAYMENT:
                return paid
            order = self._reverse(kind, paid, amount)
        what = f"the answer to {kind.creating_type}"
        order.check_answered("00", self.succeeded_rules[kind], what)
        return order

    def cancelled_since(self, order: Order) -> None:
        """``order`` cancelled, the cancellation answered 00 (CAN-01)."""
        reversal = self._reverse(CANCELLATION, order, None)
        check_code(reversal.code, "00", "CAN-01", "the answer to PAYMENT_CANCELLATION")

    def refunded_in_part(self, order: Order) -> None:
        """Half of ``order`` refunded, the refund answered 00 (REF-01)."""
        reversal = self._reverse(REFUND, order, half_of(order))
        check_code(reversal.code, "00", "REF-01", "the answer to PAYMENT_REFUND")

    # --- an inquiry about a transaction of the scenario -------------------------------------

    @abstractmethod
    def inquire_about(self, order: Order) -> object:
        """An inquiry of ``order``'s own family about it (PAYMENT_RESULT_INQUIRY for a payment
        or charge, REFUND_RESULT_INQUIRY for a cancellation or refund): the suite's, to a UCSP
        under test; an Industry Service under test's own, observed on the wire."""

    # --- the order's status -----------------------------------------------------------------

    @abstractmethod
    def status(self, order: Order) -> str:
        """How the SUT records the order."""

    def check_status(self, order: Order, status: str) -> None:
        """The order is recorded as ``status`` (under the rule of what last happened to it)."""
        check_order_status(self.status(order), status, order.order_id, self.status_rule(order))

    def check_each_status(self, orders: list[Order], status: str) -> None:
        for order in orders:
            what = f"{order.order_id} (answered {order.code})"
            check_order_status(self.status(order), status, what, self.status_rule(order))

    def check_status_once_notified(self, order: Order, status: str) -> None:
        """The order's status once its result notice has been delivered and answered."""
        schedule = self.side.target.profile.schedule
        self.side.wait_notices(NOTICE, schedule[-1], orderId=order.order_id)
        rule = self.notice_rules[kind_of(order)]
        check_order_status(self.status(order), status, order.order_id, rule)

    def check_original_status(self, reversal: Order, status: str) -> None:
        """The payment ``reversal`` reverses is still recorded as ``status`` (RC-06)."""
        original = original_of(reversal)
        check_order_status(self.status(original), status, original.order_id, self.unchanged_rule)
