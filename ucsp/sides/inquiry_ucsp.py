"""Result inquiries to a UCSP under test: the suite, as the Industry Service, makes payments,
charges, cancellations and refunds (through the other areas) and asks PAYMENT_RESULT_INQUIRY
or REFUND_RESULT_INQUIRY about them, as they are, with another txnTime, or about an orderId
nobody used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs, urlsplit

from ucsp.checks.inquiry import INQUIRY_TYPE, check_inquiry_answer, check_signing_redirect
from ucsp.checks.messages import check_code
from ucsp.envelope import format_time, parse_time
from ucsp.messages import MsgType, TxnStatus, TxnType
from ucsp.money import Money
from ucsp.sides.auto_debit import SIGNED, Charge, Contract
from ucsp.sides.inquiry import NOTICE, OUTCOMES, Inquiry, kind_of
from ucsp.sides.result import Answered, Order
from ucsp.sides.reversal import ReversalOrder
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import UcspUnderTest


@dataclass(frozen=True)
class AskedInquiry:
    """An inquiry the suite sent, the UCSP's answer, and the rule that answer falls under."""

    exchange: Exchange
    rule: str


class UcspInquiry(Inquiry):
    """The suite asks as the Industry Service; the UCSP under test answers."""

    # an inquiry of the family of the order it names
    family_rules: ClassVar[Mapping[str, str]] = {
        MsgType.PAYMENT_RESULT_INQUIRY: "INQ-01",
        MsgType.REFUND_RESULT_INQUIRY: "INQ-02",
    }
    not_found_rule = "INQ-03"  # an inquiry that must be answered 34
    redirect_rule = "AD-04"  # the signing page sends the user back naming the contract
    side: UcspUnderTest

    # --- orders, contracts and charges ------------------------------------------------------

    def contract(self, closed: bool = False) -> Contract:
        """A contract a new user signed, named by the signing page's redirect; closed too when
        ``closed`` (the closing answered 00)."""
        auto_debit = self.side.auto_debit
        signing = auto_debit.asked_to_sign()
        page = auto_debit.answer_signing_page(signing, SIGNED)
        location = page.location or ""
        found = parse_qs(urlsplit(location).query).get("contractId", [""])[0]
        check_signing_redirect(page.status, location, found, self.redirect_rule)
        contract = Contract(found, signing.user_id)
        if closed:
            auto_debit.closed(contract)
        return contract

    def _charge(self, contract: Contract, amount: Money) -> Charge:
        return self.side.auto_debit.charge_contract(contract, amount)

    def _reverse(self, kind: TxnType, original: Order, amount: Money | None) -> ReversalOrder:
        return self.side.reversal.reverse(kind, original, amount)

    # --- inquiries --------------------------------------------------------------------------

    def ask(self, order: Order, msg_type: str, other_txn_time: bool = False) -> Exchange:
        """``msg_type`` about ``order``, with its txnTime or (one hour earlier) another."""
        txn_time = order.txn_time
        if other_txn_time:
            profile = self.side.target.profile
            txn_time = format_time(parse_time(txn_time, profile) - timedelta(hours=1), profile)
        return self.side.request(msg_type, {"orderId": order.order_id, "txnTime": txn_time})

    def inquiry_rule(self, order: Order, msg_type: str) -> str:
        """INQ-01 or INQ-02 by family for an inquiry of the order's family, else INQ-03."""
        if INQUIRY_TYPE[kind_of(order)] != msg_type:
            return self.not_found_rule
        return self.family_rules[msg_type]

    def inquire(self, order: Order, msg_type: str) -> AskedInquiry:
        return AskedInquiry(self.ask(order, msg_type), self.inquiry_rule(order, msg_type))

    def inquire_about(self, order: Order) -> AskedInquiry:
        """The inquiry of ``order``'s family about it (INQ-01 or INQ-02)."""
        return self.inquire(order, INQUIRY_TYPE[kind_of(order)])

    def inquire_other_time(self, order: Order, msg_type: str) -> AskedInquiry:
        """``msg_type`` about ``order`` with a txnTime not the order's: to be answered 34."""
        return AskedInquiry(self.ask(order, msg_type, other_txn_time=True), self.not_found_rule)

    def inquire_unknown(self, msg_type: str) -> AskedInquiry:
        """``msg_type`` about an orderId nobody used, with the current time as txnTime."""
        peer = self.side.peer
        trx = {"orderId": peer.new_order_id(), "txnTime": peer.txn_time()}
        return AskedInquiry(self.side.request(msg_type, trx), self.not_found_rule)

    def check_answered(self, inquiry: AskedInquiry, code: str) -> None:
        exchange = inquiry.exchange
        Answered(exchange).check(inquiry.rule)
        check_code(exchange.code, code, inquiry.rule, f"the answer to {exchange.msg_type}")

    def check_reports(self, inquiry: AskedInquiry, order: Order, status: str) -> None:
        """The answer reports txnStatus ``status`` with the order's orderId and amount (and,
        to a PAYMENT_RESULT_INQUIRY, its currency)."""
        exchange = inquiry.exchange
        Answered(exchange).check(inquiry.rule)
        expected = {"orderId": order.order_id, "txnAmt": order.txn_amt, "txnStatus": status}
        if exchange.msg_type == MsgType.PAYMENT_RESULT_INQUIRY:
            expected["currencyCode"] = order.currency
        check_inquiry_answer(
            exchange.code, exchange.trx_info, exchange.msg_type, expected, inquiry.rule
        )

    def check_reported_as(self, inquiry: AskedInquiry, order: Order, outcome: str) -> None:
        """The answer reports ``order`` as ``outcome`` (a word of :data:`OUTCOMES`) with its own
        details: its orderId and amount, and the queryId it was given; the currency of a payment
        or charge, the origQryId a cancellation or refund named. A transaction expected pending
        may be reported succeeded once its success notice has come."""
        exchange = inquiry.exchange
        Answered(exchange).check(inquiry.rule)
        expected = {"orderId": order.order_id, "txnAmt": order.txn_amt}
        expected["txnStatus"] = OUTCOMES[outcome]
        if exchange.msg_type == MsgType.PAYMENT_RESULT_INQUIRY:
            expected["currencyCode"] = order.currency
        if isinstance(order, ReversalOrder):
            expected["origQryId"] = order.orig_qry_id
        query_id = order.trx_info.get("queryId")
        if isinstance(query_id, str) and query_id:
            expected["queryId"] = query_id
        settled = (
            expected["txnStatus"] == "05"
            and exchange.trx_info.get("txnStatus") == "00"
            and self.notified_success(order)
        )
        check_inquiry_answer(
            exchange.code,
            exchange.trx_info,
            exchange.msg_type,
            expected,
            inquiry.rule,
            settled=settled,
        )

    def notified_success(self, order: Order) -> bool:
        """Whether a success notice of ``order`` arrives (within the notice time-out)."""
        entries = self.side.wait_notices(NOTICE, orderId=order.order_id)
        return any(e.trx.get("txnStatus") == "00" for e in entries)

    # --- the order's status -----------------------------------------------------------------

    def status(self, order: Order) -> str:
        """The txnStatus the inquiry of the order's family answers, as a status."""
        exchange = self.ask(order, INQUIRY_TYPE[kind_of(order)])
        return TxnStatus.of_code(exchange.trx_info.get("txnStatus"))
