"""Probe set-up: for each message type the SUT receives, how to obtain a valid message of
that type from a live transaction, what can be watched of that transaction from outside the
SUT, and who receives it (a UCSP at its gateway URL, an Industry Service at its notice URL).

:data:`SETUPS` is the table, keyed by message type; :class:`UcspSetup` (the eight gateway
requests) and :class:`IndustrySetup` (the two notices) run its entries.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qs, urljoin, urlsplit

from ucsp.checks import ensure
from ucsp.envelope import format_time
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES, MsgType, Party
from ucsp.money import Money
from ucsp.sides.result import Answered, Evidence
from ucsp.sides.side import Side
from ucsp.target import Target

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

# Sandbox amounts (HARNESS.md B): any amount not ending in 01 or 05 succeeds at once (00);
# one ending in 01 is declined (01) with no notice, which makes it a harmless state probe.
PROBE_AMOUNT = "10000"
REFUND_AMOUNT = "100"
DECLINED_AMOUNT = "101"
PROBE_CURRENCY = "156"
DEFAULT_PROBE = {Party.UCSP: "SUBMIT_PAYMENT_ORDER", Party.INDUSTRY: "PAYMENT_RESULT_NOTICE"}


def received_types(party: Party) -> tuple[str, ...]:
    """The message types ``party`` receives as back-end POSTs (not the login)."""
    return GATEWAY_TYPES if party is Party.UCSP else NOTICE_TYPES


def receiving_url(target: Target, party: Party) -> str:
    """Where ``party`` receives its back-end POSTs: the gateway or the notice URL."""
    return target.ucsp.gateway_url if party is Party.UCSP else target.industry.notice_url


@dataclass(frozen=True)
class Watch:
    """What can be observed about a probe's transaction from outside the SUT."""

    kind: str  # inquiry | reversal-inquiry | contract-charge | signing | order | contract
    order_id: str = ""
    txn_time: str = ""
    contract_id: str = ""
    user_id: str = ""


@dataclass
class ProbeMessage:
    """A valid message the SUT would accept, from a live transaction."""

    msg_type: str
    trx: dict[str, Any]
    watch: Watch
    requirement: str = "TRN-06"  # what a plain send of it checks
    before: dict[str, str] = field(default_factory=dict)  # observations before the scenario
    held: dict[str, Any] | None = None  # a message kept for a later step (replay scenarios)
    accepted: bytes | None = None  # the bytes of the message once accepted


def base_trx(target: Target, txn_time: str, amount: str = PROBE_AMOUNT) -> dict[str, str]:
    """The merchant, amount and time fields of an order the suite submits."""
    info = target.industry
    return {
        "merId": info.mer_id,
        "acqIIN": info.acq_iin,
        "txnAmt": amount,
        "currencyCode": PROBE_CURRENCY,
        "txnTime": txn_time,
    }


def probe_money() -> Money:
    return Money(PROBE_AMOUNT, PROBE_CURRENCY)


def require(ok: bool, what: str, code: Any, evidence: Evidence | None = None) -> None:
    """Setting up the probe needs ``what`` accepted (and, when given, its ``evidence``
    believable): a SUT that refuses it fails here."""
    if evidence is not None:
        evidence.check("TRN-06")
    ensure(ok, "TRN-06", f"setting up the probe: a valid {what} was answered {code!r}, not 00")


class ProbeSetup(ABC):
    """What both set-ups share: the side and the protocol time."""

    def __init__(self, side: Side) -> None:
        self.side = side

    def txn_time(self) -> str:
        return format_time(self.side.d.clock.now(), self.side.target.profile)

    @abstractmethod
    def unknown_transaction(self) -> ProbeMessage:
        """A valid message about a transaction the SUT does not know (answered 34)."""


class UcspSetup(ProbeSetup):
    """Obtains the live transactions behind the eight gateway requests of a UCSP under test."""

    side: UcspUnderTest

    def new_order_id(self) -> str:
        return self.side.peer.new_order_id()

    def base_trx(self) -> dict[str, str]:
        return base_trx(self.side.target, self.txn_time())

    def unknown_transaction(self) -> ProbeMessage:
        """A valid inquiry about an order the UCSP does not know (answered 34)."""
        order_id, txn_time = self.new_order_id(), self.txn_time()
        return ProbeMessage(
            "PAYMENT_RESULT_INQUIRY",
            {"orderId": order_id, "txnTime": txn_time},
            Watch("inquiry", order_id, txn_time),
            requirement="TRN-04",
        )

    def submit_payment_order(self) -> ProbeMessage:
        trx = {"orderId": self.new_order_id(), **self.base_trx()}
        return ProbeMessage(
            "SUBMIT_PAYMENT_ORDER", trx, Watch("inquiry", trx["orderId"], trx["txnTime"])
        )

    def payment_result_inquiry(self) -> ProbeMessage:
        order = self.side.payment.submit(probe_money())
        require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.evidence)
        trx = {"orderId": order.order_id, "txnTime": order.txn_time}
        return ProbeMessage(
            "PAYMENT_RESULT_INQUIRY", trx, Watch("inquiry", order.order_id, order.txn_time)
        )

    def sign_auto_debit(self) -> ProbeMessage:
        user = self.side.target.ucsp.user_id
        return ProbeMessage(
            "SIGN_AUTO_DEBIT", self.signing_trx(user), Watch("signing", user_id=user)
        )

    def close_auto_debit(self) -> ProbeMessage:
        contract_id, user = self.active_contract()
        trx = {"contractId": contract_id, "userId": user}
        return ProbeMessage(
            "CLOSE_AUTO_DEBIT", trx, Watch("contract-charge", contract_id=contract_id)
        )

    def submit_auto_debit(self) -> ProbeMessage:
        contract_id, _ = self.active_contract()
        trx = {"contractId": contract_id, "orderId": self.new_order_id(), **self.base_trx()}
        return ProbeMessage(
            "SUBMIT_AUTO_DEBIT", trx, Watch("inquiry", trx["orderId"], trx["txnTime"])
        )

    def payment_cancellation(self) -> ProbeMessage:
        query_id, amount = self.paid_payment()
        trx = self.reversal_trx(query_id, amount)
        watch = Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        return ProbeMessage("PAYMENT_CANCELLATION", trx, watch)

    def payment_refund(self) -> ProbeMessage:
        query_id, _ = self.paid_payment()
        trx = self.reversal_trx(query_id, REFUND_AMOUNT)
        watch = Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        return ProbeMessage("PAYMENT_REFUND", trx, watch)

    def refund_result_inquiry(self) -> ProbeMessage:
        refund = self.payment_refund()
        exchange = self.side.request("PAYMENT_REFUND", refund.trx)
        require(exchange.code == "00", "PAYMENT_REFUND", exchange.code, Answered(exchange))
        # A refund answered 00 is notified right after its answer (PROTOCOL.md section 8):
        # that notice belongs to the set-up, so the "before" observation must include it.
        self.side.wait_notices(MsgType.PAYMENT_RESULT_NOTICE, orderId=refund.trx["orderId"])
        trx = {"orderId": refund.trx["orderId"], "txnTime": refund.trx["txnTime"]}
        return ProbeMessage("REFUND_RESULT_INQUIRY", trx, refund.watch)

    def reversal_trx(self, query_id: str, amount: str) -> dict[str, str]:
        return {
            "orderId": self.new_order_id(),
            "txnTime": self.txn_time(),
            "origQryId": query_id,
            "txnAmt": amount,
        }

    def signing_trx(self, user: str) -> dict[str, str]:
        industry = self.side.target.industry
        return {
            "merId": industry.mer_id,
            "userId": user,
            "frontUrl": urljoin(industry.notice_url, "front"),
            "backUrl": industry.notice_url,
        }

    def active_contract(self) -> tuple[str, str]:
        """Sign an auto-debit agreement (SIGN_AUTO_DEBIT, then the signing hook with 00)."""
        user = self.side.target.ucsp.user_id
        exchange = self.side.request("SIGN_AUTO_DEBIT", self.signing_trx(user))
        require(exchange.code == "00", "SIGN_AUTO_DEBIT", exchange.code, Answered(exchange))
        http = self.side.d.http
        assert http is not None
        sign_url = str(exchange.trx_info.get("signUrl"))
        answer = self.side.call(http.post(sign_url, data={"result": "00"}))
        location = answer.headers.get("location", "")
        values = parse_qs(urlsplit(location).query).get("contractId", [])
        ensure(
            answer.status_code == 302 and bool(values),
            "AD-04",
            f"setting up the probe: the signing hook answered HTTP {answer.status_code} "
            "without a contractId",
        )
        return values[0], user

    def paid_payment(self) -> tuple[str, str]:
        """A payment paid at the cashier: its queryId (from the notice) and amount."""
        payment = self.side.payment
        order = payment.submit(probe_money())
        require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.evidence)
        payment.pay(order, "00")
        notices = payment.notices(order)
        query_id = notices[0].trx.get("queryId") if notices else None
        ensure(
            isinstance(query_id, str),
            "PAY-05",
            "setting up the probe: no result notice with a queryId for the order",
        )
        assert isinstance(query_id, str)
        return query_id, order.txn_amt


class IndustrySetup(ProbeSetup):
    """Obtains the live transactions behind the two notices of an Industry Service under test."""

    side: IndustryUnderTest

    def order_id(self) -> str:
        return "P" + self.txn_time() + secrets.token_hex(6).upper()

    def unknown_transaction(self) -> ProbeMessage:
        """A valid result notice of an order the Industry Service does not know (answered 34)."""
        order_id = self.order_id()
        trx = self.payment_notice_trx(order_id, self.txn_time())
        return ProbeMessage(
            "PAYMENT_RESULT_NOTICE", trx, Watch("order", order_id), requirement="TRN-04"
        )

    def payment_notice_trx(self, order_id: str, txn_time: str) -> dict[str, str]:
        return {
            "orderId": order_id,
            "txnType": "PAYMENT",
            "queryId": "Q" + secrets.token_hex(12).upper(),
            "txnAmt": PROBE_AMOUNT,
            "currencyCode": PROBE_CURRENCY,
            "txnTime": txn_time,
            "txnStatus": "00",
        }

    def payment_result_notice(self) -> ProbeMessage:
        order = self.side.payment.submit(probe_money())
        require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.evidence)
        trx = self.payment_notice_trx(order.order_id, order.txn_time or self.txn_time())
        return ProbeMessage("PAYMENT_RESULT_NOTICE", trx, Watch("order", order.order_id))

    def sign_auto_debit_notice(self) -> ProbeMessage:
        user = "U" + secrets.token_hex(8).upper()
        answer = self.side.call(self.side.harness.sign(user))
        code = answer.data.get("responseCode")
        require(code == "00", "SIGN_AUTO_DEBIT", code)
        contract_id = "C" + secrets.token_hex(12).upper()
        trx = {"contractId": contract_id, "userId": user, "signStatus": "00"}
        watch = Watch("contract", contract_id=contract_id, user_id=user)
        return ProbeMessage("SIGN_AUTO_DEBIT_NOTICE", trx, watch)


S = TypeVar("S", UcspSetup, IndustrySetup)


@dataclass(frozen=True)
class Setup(Generic[S]):
    """How a probe of one message type is obtained, and the party that receives it."""

    receiver: Party
    obtain: Callable[[S], ProbeMessage]


SETUPS: dict[str, Setup[Any]] = {
    "SUBMIT_PAYMENT_ORDER": Setup(Party.UCSP, UcspSetup.submit_payment_order),
    "PAYMENT_RESULT_INQUIRY": Setup(Party.UCSP, UcspSetup.payment_result_inquiry),
    "SIGN_AUTO_DEBIT": Setup(Party.UCSP, UcspSetup.sign_auto_debit),
    "CLOSE_AUTO_DEBIT": Setup(Party.UCSP, UcspSetup.close_auto_debit),
    "SUBMIT_AUTO_DEBIT": Setup(Party.UCSP, UcspSetup.submit_auto_debit),
    "PAYMENT_CANCELLATION": Setup(Party.UCSP, UcspSetup.payment_cancellation),
    "PAYMENT_REFUND": Setup(Party.UCSP, UcspSetup.payment_refund),
    "REFUND_RESULT_INQUIRY": Setup(Party.UCSP, UcspSetup.refund_result_inquiry),
    "PAYMENT_RESULT_NOTICE": Setup(Party.INDUSTRY, IndustrySetup.payment_result_notice),
    "SIGN_AUTO_DEBIT_NOTICE": Setup(Party.INDUSTRY, IndustrySetup.sign_auto_debit_notice),
}


def setup_for(msg_type: str, receiver: Party) -> Setup[Any] | None:
    """The set-up of ``msg_type`` when ``receiver`` receives it, else None."""
    setup = SETUPS.get(msg_type)
    return setup if setup is not None and setup.receiver is receiver else None
