"""Probe set-up: for each message type the SUT receives, how to obtain a valid message of
that type from a live transaction, what can be watched of that transaction from outside the
SUT, and who receives it (a UCSP at its gateway URL, an Industry Service at its notice URL).

:data:`SETUPS` is the table, keyed by message type; :class:`ProbeSetup` runs its entries.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from ucsp.checks import ensure
from ucsp.checks.messages import check_valid_answer
from ucsp.deployment import Deployment
from ucsp.envelope import format_time
from ucsp.flows.base import BaseFlow, trx_of
from ucsp.flows.payment import PaymentFlow
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES, Party
from ucsp.target import Target
from ucsp.transport import Exchange

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
class Probe:
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


class ProbeSetup(BaseFlow):
    """Obtains the live transactions the probes are made of."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.payments = PaymentFlow(deployment)

    def txn_time(self) -> str:
        return format_time(self.d.clock.now(), self.d.target.profile)

    def order_id(self) -> str:
        return "P" + self.txn_time() + secrets.token_hex(6).upper()

    def base_trx(self) -> dict[str, str]:
        return base_trx(self.d.target, self.txn_time())

    @staticmethod
    def require(ok: bool, what: str, code: Any, exchange: Exchange | None = None) -> None:
        """Setting up the probe needs ``what`` accepted: a SUT that refuses it fails here."""
        if exchange is not None:
            check_valid_answer(exchange)
        ensure(ok, "TRN-06", f"setting up the probe: a valid {what} was answered {code!r}, not 00")

    async def unknown_transaction(self) -> Probe:
        """A valid message about a transaction the SUT does not know (answered 34)."""
        if self.role == "ucsp":
            order_id, txn_time = self.industry_peer.new_order_id(), self.txn_time()
            probe = Probe(
                "PAYMENT_RESULT_INQUIRY",
                {"orderId": order_id, "txnTime": txn_time},
                Watch("inquiry", order_id, txn_time),
            )
        else:
            order_id = self.order_id()
            trx = self.payment_notice_trx(order_id, PROBE_AMOUNT, PROBE_CURRENCY, self.txn_time())
            probe = Probe("PAYMENT_RESULT_NOTICE", trx, Watch("order", order_id))
        probe.requirement = "TRN-04"
        return probe

    # --- UCSP under test: the eight gateway requests -------------------------------------

    async def submit_payment_order(self) -> Probe:
        trx = {"orderId": self.industry_peer.new_order_id(), **self.base_trx()}
        return Probe("SUBMIT_PAYMENT_ORDER", trx, Watch("inquiry", trx["orderId"], trx["txnTime"]))

    async def payment_result_inquiry(self) -> Probe:
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self.require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.exchange)
        trx = {"orderId": order.order_id, "txnTime": order.txn_time}
        return Probe(
            "PAYMENT_RESULT_INQUIRY", trx, Watch("inquiry", order.order_id, order.txn_time)
        )

    async def sign_auto_debit(self) -> Probe:
        user = self.d.target.ucsp.user_id
        return Probe("SIGN_AUTO_DEBIT", self.signing_trx(user), Watch("signing", user_id=user))

    async def close_auto_debit(self) -> Probe:
        contract_id, user = await self.active_contract()
        trx = {"contractId": contract_id, "userId": user}
        return Probe("CLOSE_AUTO_DEBIT", trx, Watch("contract-charge", contract_id=contract_id))

    async def submit_auto_debit(self) -> Probe:
        contract_id, _ = await self.active_contract()
        trx = {
            "contractId": contract_id,
            "orderId": self.industry_peer.new_order_id(),
            **self.base_trx(),
        }
        return Probe("SUBMIT_AUTO_DEBIT", trx, Watch("inquiry", trx["orderId"], trx["txnTime"]))

    async def payment_cancellation(self) -> Probe:
        query_id, amount = await self.paid_payment()
        trx = {
            "orderId": self.industry_peer.new_order_id(),
            "txnTime": self.txn_time(),
            "origQryId": query_id,
            "txnAmt": amount,
        }
        watch = Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        return Probe("PAYMENT_CANCELLATION", trx, watch)

    async def payment_refund(self) -> Probe:
        query_id, _ = await self.paid_payment()
        trx = {
            "orderId": self.industry_peer.new_order_id(),
            "txnTime": self.txn_time(),
            "origQryId": query_id,
            "txnAmt": REFUND_AMOUNT,
        }
        return Probe(
            "PAYMENT_REFUND", trx, Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        )

    async def refund_result_inquiry(self) -> Probe:
        refund = await self.payment_refund()
        exchange = await self.industry_peer.request("PAYMENT_REFUND", refund.trx)
        self.require(exchange.code == "00", "PAYMENT_REFUND", exchange.code, exchange)
        # A refund answered 00 is notified right after its answer (PROTOCOL.md section 8):
        # that notice belongs to the set-up, so the "before" observation must include it.
        await self.payments.wait_notices("PAYMENT_RESULT_NOTICE", orderId=refund.trx["orderId"])
        trx = {"orderId": refund.trx["orderId"], "txnTime": refund.trx["txnTime"]}
        return Probe("REFUND_RESULT_INQUIRY", trx, refund.watch)

    def signing_trx(self, user: str) -> dict[str, str]:
        notice_url = self.d.target.industry.notice_url
        return {
            "merId": self.d.target.industry.mer_id,
            "userId": user,
            "frontUrl": urljoin(notice_url, "front"),
            "backUrl": notice_url,
        }

    async def active_contract(self) -> tuple[str, str]:
        """Sign an auto-debit agreement (SIGN_AUTO_DEBIT, then the signing hook with 00)."""
        user = self.d.target.ucsp.user_id
        exchange = await self.industry_peer.request("SIGN_AUTO_DEBIT", self.signing_trx(user))
        self.require(exchange.code == "00", "SIGN_AUTO_DEBIT", exchange.code, exchange)
        assert self.d.http is not None
        answer = await self.d.http.post(
            str(exchange.trx_info.get("signUrl")), data={"result": "00"}
        )
        location = answer.headers.get("location", "")
        values = parse_qs(urlsplit(location).query).get("contractId", [])
        ensure(
            answer.status_code == 302 and bool(values),
            "AD-04",
            f"setting up the probe: the signing hook answered HTTP {answer.status_code} "
            "without a contractId",
        )
        return values[0], user

    async def paid_payment(self) -> tuple[str, str]:
        """A payment paid at the cashier: its queryId (from the notice) and amount."""
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self.require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.exchange)
        await self.payments.pay(order, "00")
        notices = await self.payments.notices(order)
        query_id = trx_of(notices[0]).get("queryId") if notices else None
        ensure(
            isinstance(query_id, str),
            "PAY-05",
            "setting up the probe: no result notice with a queryId for the order",
        )
        assert isinstance(query_id, str)
        return query_id, order.txn_amt

    # --- Industry Service under test: the two notices --------------------------------------

    def payment_notice_trx(
        self, order_id: str, amount: str, currency: str, txn_time: str
    ) -> dict[str, str]:
        return {
            "orderId": order_id,
            "txnType": "PAYMENT",
            "queryId": "Q" + secrets.token_hex(12).upper(),
            "txnAmt": amount,
            "currencyCode": currency,
            "txnTime": txn_time,
            "txnStatus": "00",
        }

    async def payment_result_notice(self) -> Probe:
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self.require(
            order.code == "00" and bool(order.order_id), "SUBMIT_PAYMENT_ORDER", order.code
        )
        trx = self.payment_notice_trx(
            order.order_id, PROBE_AMOUNT, PROBE_CURRENCY, order.txn_time or self.txn_time()
        )
        return Probe("PAYMENT_RESULT_NOTICE", trx, Watch("order", order.order_id))

    async def sign_auto_debit_notice(self) -> Probe:
        user = "U" + secrets.token_hex(8).upper()
        answer = await self.harness.sign(user)
        self.require(
            answer.data.get("responseCode") == "00",
            "SIGN_AUTO_DEBIT",
            answer.data.get("responseCode"),
        )
        contract_id = "C" + secrets.token_hex(12).upper()
        trx = {"contractId": contract_id, "userId": user, "signStatus": "00"}
        return Probe(
            "SIGN_AUTO_DEBIT_NOTICE", trx, Watch("contract", contract_id=contract_id, user_id=user)
        )


@dataclass(frozen=True)
class Setup:
    """How a probe of one message type is obtained, and the party that receives it."""

    receiver: Party
    obtain: Callable[[ProbeSetup], Awaitable[Probe]]


SETUPS: dict[str, Setup] = {
    "SUBMIT_PAYMENT_ORDER": Setup(Party.UCSP, ProbeSetup.submit_payment_order),
    "PAYMENT_RESULT_INQUIRY": Setup(Party.UCSP, ProbeSetup.payment_result_inquiry),
    "SIGN_AUTO_DEBIT": Setup(Party.UCSP, ProbeSetup.sign_auto_debit),
    "CLOSE_AUTO_DEBIT": Setup(Party.UCSP, ProbeSetup.close_auto_debit),
    "SUBMIT_AUTO_DEBIT": Setup(Party.UCSP, ProbeSetup.submit_auto_debit),
    "PAYMENT_CANCELLATION": Setup(Party.UCSP, ProbeSetup.payment_cancellation),
    "PAYMENT_REFUND": Setup(Party.UCSP, ProbeSetup.payment_refund),
    "REFUND_RESULT_INQUIRY": Setup(Party.UCSP, ProbeSetup.refund_result_inquiry),
    "PAYMENT_RESULT_NOTICE": Setup(Party.INDUSTRY, ProbeSetup.payment_result_notice),
    "SIGN_AUTO_DEBIT_NOTICE": Setup(Party.INDUSTRY, ProbeSetup.sign_auto_debit_notice),
}


def setup_for(msg_type: str, receiver: Party) -> Setup | None:
    """The set-up of ``msg_type`` when ``receiver`` receives it, else None."""
    setup = SETUPS.get(msg_type)
    return setup if setup is not None and setup.receiver is receiver else None
