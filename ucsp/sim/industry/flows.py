"""The exchanges the Industry Service initiates, and the inquiry loop (PROTOCOL.md 5, 7, 8).

Answer handling for an order-creating request (SUBMIT_PAYMENT_ORDER, SUBMIT_AUTO_DEBIT,
PAYMENT_CANCELLATION, PAYMENT_REFUND):

- 00: final success, except SUBMIT_PAYMENT_ORDER, which stays PENDING until the notice;
- 05, or no valid answer (network error, time-out, non-200, bad format, bad signature, no
  echo): PENDING, and inquiries at the profile's schedule in the background;
- 01, 10, 11, 34, 36, 99: FAILED.

The inquiry loop stops on txnStatus 00 or 01, on the notice (the order is no longer
PENDING), or on 34 (FAILED); 10, 11, 99 and invalid answers keep to the schedule. Its
origin is the receipt of the answer that started it, stored with the order; each inquiry is
claimed in the store before it is sent, and :meth:`Flows.resume_inquiries` goes on with the
schedules a previous run left open, at their absolute offsets (:mod:`ucsp.sim.schedule`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ucsp.clock import Clock
from ucsp.codes import ResponseCode
from ucsp.envelope import format_time
from ucsp.profile import Profile
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.config import IndustryConfig
from ucsp.sim.industry.outbound import Outbound
from ucsp.sim.industry.store import Contract, Order, Status, Store
from ucsp.sim.schedule import Background, resume_point, run_schedule, wall_seconds
from ucsp.sim.store_base import TxnKind
from ucsp.transport import Exchange

_PREFIX = {
    TxnKind.PAYMENT: "P",
    TxnKind.AUTO_DEBIT: "D",
    TxnKind.CANCELLATION: "C",
    TxnKind.REFUND: "R",
}


@dataclass(frozen=True)
class Outcome:
    """The synchronous result of one harness-triggered exchange."""

    exchange: Exchange
    valid: bool
    order_id: str | None = None

    @property
    def code(self) -> str | None:
        return self.exchange.code if self.valid else None

    @property
    def trx_info(self) -> dict[str, Any]:
        return self.exchange.trx_info if self.valid else {}

    @property
    def error(self) -> str:
        if self.exchange.error:
            return self.exchange.error
        return "invalid answer: it names another orderId or contractId than the request"


def _echoes(exchange: Exchange, key: str, value: str) -> bool:
    """A valid answer that, when it names ``key``, names ``value``."""
    if not exchange.ok:
        return False
    named = exchange.trx_info.get(key)
    return named is None or named == value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class Flows:
    def __init__(
        self,
        *,
        store: Store,
        outbound: Outbound,
        config: IndustryConfig,
        base_url: Callable[[], str],
        profile: Profile,
        clock: Clock,
        faults: FaultSet,
        background: Background,
    ) -> None:
        self.store = store
        self.out = outbound
        self.config = config
        self.base_url = base_url
        self.profile = profile  # the profile of what this IS writes (faults may skew it)
        self.clock = clock
        self.faults = faults
        self.background = background

    # --- URLs and identifiers ----------------------------------------------------------

    @property
    def notice_url(self) -> str:
        return f"{self.base_url()}/notify"

    def front_url(self, **params: str) -> str:
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return f"{self.base_url()}/front?{query}"

    def now_text(self) -> str:
        return format_time(self.clock.now(), self.profile)

    def new_order_id(self, kind: TxnKind) -> str:
        while True:
            order_id = f"{_PREFIX[kind]}{self.now_text()}{secrets.randbelow(10**10):010d}"
            if kind is TxnKind.PAYMENT and "sends-wrong-length-field" in self.faults:
                order_id = order_id.ljust(41, "0")
            if not self.store.order_exists(order_id):
                return order_id

    def _new_order(
        self,
        kind: TxnKind,
        amount: str,
        currency: str,
        *,
        orig_order_id: str | None = None,
        contract_id: str | None = None,
    ) -> Order:
        order = Order(
            order_id=self.new_order_id(kind),
            kind=kind,
            status=Status.PENDING,
            txn_amt=amount,
            currency_code=currency,
            txn_time=self.now_text(),
            orig_order_id=orig_order_id,
            contract_id=contract_id,
        )
        self.store.add_order(order)
        return order

    def _order_fields(self, order: Order) -> dict[str, str]:
        """The trxInfo fields a payment order and an auto-debit charge share, in order."""
        return {
            "orderId": order.order_id,
            "merId": self.config.mer_id,
            "acqIIN": self.config.acq_iin,
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency_code,
            "txnTime": order.txn_time,
        }

    # --- the flows ---------------------------------------------------------------------

    async def submit_payment(self, amount: str, currency: str, desc: str | None) -> Outcome:
        order = self._new_order(TxnKind.PAYMENT, amount, currency)
        trx = self._order_fields(order)
        if desc is not None:
            trx["orderDesc"] = desc
        trx["backUrl"] = self.notice_url
        trx["frontUrl"] = self.front_url(orderId=order.order_id)
        return await self._order_exchange(order, "SUBMIT_PAYMENT_ORDER", trx)

    async def charge(self, contract: Contract, amount: str, currency: str) -> Outcome:
        order = self._new_order(
            TxnKind.AUTO_DEBIT, amount, currency, contract_id=contract.contract_id
        )
        trx = {
            "contractId": contract.contract_id,
            **self._order_fields(order),
            "backUrl": self.notice_url,
        }
        return await self._order_exchange(order, "SUBMIT_AUTO_DEBIT", trx)

    async def cancel(self, original: Order) -> Outcome:
        return await self._reversal(TxnKind.CANCELLATION, original, original.txn_amt)

    async def refund(self, original: Order, amount: str) -> Outcome:
        return await self._reversal(TxnKind.REFUND, original, amount)

    async def _reversal(self, kind: TxnKind, original: Order, amount: str) -> Outcome:
        order = self._new_order(
            kind, amount, original.currency_code, orig_order_id=original.order_id
        )
        trx = {
            "orderId": order.order_id,
            "txnTime": order.txn_time,
            "origQryId": original.query_id or "",
            "txnAmt": amount,
        }
        if kind is TxnKind.REFUND:
            trx["backUrl"] = self.notice_url
        elif "cancellation-cancels-before-answer" in self.faults:
            self.store.mark_cancelled(original.order_id)
        msg_type = "PAYMENT_REFUND" if kind is TxnKind.REFUND else "PAYMENT_CANCELLATION"
        return await self._order_exchange(order, msg_type, trx)

    async def sign(self, user_id: str) -> Outcome:
        self.store.request_signing(user_id, self.clock.now().timestamp())
        trx = {
            "merId": self.config.mer_id,
            "userId": user_id,
            "frontUrl": self.front_url(userId=user_id),
        }
        if "omits-back-url" not in self.faults:
            trx["backUrl"] = self.notice_url
        exchange = await self.out.send("SIGN_AUTO_DEBIT", trx)
        return Outcome(exchange, exchange.ok)

    async def close(self, contract: Contract) -> Outcome:
        trx = {"contractId": contract.contract_id, "userId": contract.user_id}
        exchange = await self.out.send("CLOSE_AUTO_DEBIT", trx)
        valid = _echoes(exchange, "contractId", contract.contract_id)
        if valid and exchange.code == ResponseCode.APPROVED:
            if "close-records-every-contract" in self.faults:
                self.store.close_every_active_contract()
            else:
                self.store.close_contract(contract.contract_id)
        return Outcome(exchange, valid)

    # --- answers to order-creating requests --------------------------------------------

    async def _order_exchange(self, order: Order, msg_type: str, trx: dict[str, str]) -> Outcome:
        exchange = await self.out.send(msg_type, trx)
        if order.kind is TxnKind.AUTO_DEBIT and "charge-accepts-bad-signature" in self.faults:
            exchange = self.out.unverified(exchange)
        outcome = Outcome(exchange, _echoes(exchange, "orderId", order.order_id), order.order_id)
        if "trusts-answer-order-id" in self.faults and exchange.ok:
            named = _str(exchange.trx_info.get("orderId")) or order.order_id
            outcome = Outcome(exchange, True, named)
        self._apply_answer(order, outcome)
        return outcome

    def _apply_answer(self, order: Order, outcome: Outcome) -> None:
        code, trx = outcome.code, outcome.trx_info
        query_id = _str(trx.get("queryId"))
        if code is None:  # no valid answer
            if "treats-timeout-as-failure" in self.faults or (
                order.kind.is_reversal and "reversal-unanswered-fails" in self.faults
            ):
                self.store.settle(order.order_id, False)
            else:
                self.start_inquiries(order.order_id)
        elif code == ResponseCode.ACCEPTED:
            if "treats-05-as-success" in self.faults or (
                order.kind is TxnKind.REFUND and "refund-05-means-succeeded" in self.faults
            ):
                self.store.settle(order.order_id, True, query_id)
            else:
                self.store.set_query_id(order.order_id, query_id)
                self.start_inquiries(order.order_id)
        elif code == ResponseCode.APPROVED:
            if order.kind is TxnKind.PAYMENT:
                self.store.set_payment_page(
                    order.order_id, _str(trx.get("tn")), _str(trx.get("paymentUrl"))
                )
                if "answer-undoes-notice" in self.faults:
                    self.store.reopen(order.order_id)
                if "submit-00-means-paid" in self.faults:
                    self.store.settle(order.order_id, True)
            else:
                self.store.settle(order.order_id, True, query_id)
        elif "keeps-pending-on-failure" in self.faults:
            self.start_inquiries(order.order_id)
        else:
            self.store.settle(order.order_id, False)
            if "inquires-after-refusal" in self.faults:
                self.background.spawn(self._inquiry(order))

    # --- the inquiry loop ------------------------------------------------------------------

    def offsets(self) -> tuple[float, ...]:
        schedule = self.profile.schedule
        if "inquires-without-backoff" in self.faults:
            return tuple(float(n) for n in range(len(schedule)))
        if "inquires-too-often" in self.faults:
            last = schedule[-1] if schedule else 0.0
            return (*schedule, last + 1, last + 2, last + 3)
        return schedule

    def start_inquiries(self, order_id: str) -> None:
        """Store the schedule's origin (now: the answer has just come), then run it."""
        if "never-inquires" in self.faults:
            return
        self.store.start_inquiries(order_id, wall_seconds(self.clock))
        self.background.spawn(self.inquire(order_id, self.clock.elapsed()))

    def resume_inquiries(self) -> int:
        """Go on with the inquiry schedules a previous run left open; how many."""
        runs = self.store.open_inquiries(len(self.offsets()))
        for run in runs:
            self.background.spawn(self.inquire(run.order_id))
        return len(runs)

    async def inquire(self, order_id: str, origin: float | None = None) -> list[float]:
        """Run the stored inquiry schedule of one order; the offsets of the inquiries made.

        ``origin`` (on ``clock.elapsed()``) is given by the run that started the schedule;
        without it the schedule is resumed from its stored origin.
        """
        order = self.store.order(order_id)
        run = self.store.inquiry_run(order_id)
        if order is None or run is None or run.done:
            return []
        offsets = self.offsets()
        if origin is None:
            origin, first_slot = resume_point(
                offsets, self.clock, run.started_at, run.next_slot, self.profile.resume_catch_up
            )
        else:
            first_slot = run.next_slot

        def stop() -> bool:
            if "inquires-after-notice" in self.faults:
                return False
            current = self.store.order(order_id)
            return current is None or current.status is not Status.PENDING

        async def attempt(slot: int) -> bool:
            if not self.store.claim_inquiry(order_id, slot, len(offsets)):
                return True
            return await self._inquiry(order)

        made: list[float] = []
        if not stop():
            made = await run_schedule(
                offsets, self.clock, attempt, stop, origin=origin, first_slot=first_slot
            )
        self.store.finish_inquiries(order_id)
        return made

    async def _inquiry(self, order: Order) -> bool:
        """One inquiry; True when the loop is over."""
        txn_time = self.now_text() if "inquiry-wrong-txntime" in self.faults else order.txn_time
        trx = {"orderId": order.order_id, "txnTime": txn_time}
        exchange = await self.out.send(
            order.kind.inquiry_type, trx, reuse_key=f"inquiry:{order.order_id}"
        )
        if not _echoes(exchange, "orderId", order.order_id):
            return "stops-inquiring-on-error" in self.faults
        code, answer = exchange.code, exchange.trx_info
        if code == ResponseCode.NOT_FOUND:
            self.store.settle(order.order_id, False)
            return True
        if code != ResponseCode.APPROVED:
            return "stops-inquiring-on-error" in self.faults
        status = answer.get("txnStatus")
        if status in (ResponseCode.APPROVED, ResponseCode.FAILED):
            succeeded = status == ResponseCode.APPROVED
            self.store.settle(order.order_id, succeeded, _str(answer.get("queryId")))
            return True
        return False
