"""Result notices: where they go, how they are retried, and how an Industry Service takes them.

A UCSP under test sends the notices; the suite (as the Industry Service) answers them as
scripted and watches the transmissions. An Industry Service under test receives them; the
suite (as UCSP) duplicates, holds, reorders or crafts them and reads the outcome through the
harness.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from ucsp.drivers.harness import HarnessAnswer
from ucsp.flows.base import Order, trx_of, trx_of_message
from ucsp.flows.payment import NOTICE, SUBMIT, PaymentFlow
from ucsp.journal import JournalEntry, answer_to
from ucsp.peers.industry_peer import BACK_NOTICE_PATH, NoticeAnswer
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.transport import Exchange

REFUND_INQUIRY = "REFUND_RESULT_INQUIRY"
# NOT-10: the order's answer is held until the notice was answered, at most this fraction of
# the time-out of the IS (under load the notice may take that long: the answer then goes out
# anyway, before the IS gives up)
EARLY_NOTICE_HOLD = 0.75
TIME_FORMAT = "%Y%m%d%H%M%S"


def notice_answer(text: str) -> NoticeAnswer:
    """The scripted answer a scenario names: "code 34", "HTTP 500", "a bad signature",
    "no echo"."""
    kind, _, value = text.partition(" ")
    if kind == "code" and len(value) == 2 and value.isdigit():
        return NoticeAnswer(code=value)
    if kind == "HTTP" and value.isdigit():
        return NoticeAnswer(http_status=int(value))
    if text == "a bad signature":
        return NoticeAnswer(corrupt="signature")
    if text == "no echo":
        return NoticeAnswer(corrupt="echo")
    raise ValueError(
        f"unknown notice answer {text!r}: write code NN, HTTP NNN, a bad signature or no echo"
    )


@dataclass
class CraftedNotice:
    """A notice the suite (as UCSP) sent itself, and the IS's record of the order before it."""

    order_id: str
    exchange: Exchange
    entry: JournalEntry
    requirement: str
    before: dict[str, Any] | None


@dataclass
class EarlyNotice:
    """An order whose result notice was delivered while its answer was held back."""

    order: Order
    notice_first: bool


class NoticeFlow(PaymentFlow):
    # --- timing -------------------------------------------------------------------------------

    @property
    def slack(self) -> float:
        """The target's timing slack in protocol seconds."""
        return self.d.target.timing_slack / self.d.target.time_scale

    def latest(self, offset: float) -> float:
        """The latest acceptable time (protocol seconds) of the slot at ``offset``."""
        return offset * (1 + self.d.target.profile.late_tolerance) + self.slack

    # --- a UCSP under test sends -----------------------------------------------------------------

    @property
    def second_notice_url(self) -> str:
        """A notice URL of the suite other than the registered one, for backUrl."""
        target = self.d.target
        base = target.suite_url
        if not base:
            parts = urlsplit(target.industry.notice_url)
            base = f"{parts.scheme}://{parts.netloc}"
        return base.rstrip("/") + BACK_NOTICE_PATH

    def answer_notices(self, text: str, count: int = 1) -> None:
        """Answer the next ``count`` notices as ``text`` says (later ones: 00)."""
        answer = notice_answer(text)
        self.industry_peer.answers.extend(answer for _ in range(count))

    async def transmissions(self, order: Order, expected: int) -> list[JournalEntry]:
        """Every transmission of the order's notice until the slot after the ``expected``-th
        has passed (the last slot of the schedule when ``expected`` uses them all)."""
        first = await self.notices(order)
        if not first:
            return []
        schedule = self.d.target.profile.schedule
        horizon = schedule[min(expected, len(schedule) - 1)]
        deadline = first[0].elapsed + self.latest(horizon)

        def received() -> list[JournalEntry]:
            return self.notices_of(NOTICE, orderId=order.order_id)

        # An observation window, not a wait for an exchange: every transmission until the
        # deadline counts; it ends early only once more than ``expected`` came, which no
        # later transmission can undo.
        remaining = (deadline - self.d.clock.elapsed()) * self.d.target.time_scale
        if remaining > 0:
            await self.d.peer_journal.wait_for(lambda _: len(received()) > expected, remaining)
        return received()

    async def retransmissions(self, order: Order) -> list[JournalEntry]:
        """The first transmission of the order's notice and, if it comes in time, the second."""
        return await self.transmissions(order, 1)

    # --- an Industry Service under test receives -------------------------------------------------

    def delivered_trx(self, order: Order) -> dict[str, Any]:
        """trxInfo of the notice UCSP delivered for ``order``."""
        sent = self.notices_of(NOTICE, orderId=order.order_id)
        if not sent:
            raise RuntimeError(f"no {NOTICE} of order {order.order_id} was delivered")
        return trx_of(sent[0])

    def pending_trx(self, order: Order) -> dict[str, str]:
        """trxInfo of a correct success notice for a pending payment ``order``."""
        return {
            "orderId": order.order_id,
            "txnType": "PAYMENT",
            "queryId": "Q" + secrets.token_hex(10).upper(),
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
            "txnTime": order.txn_time,
            "txnStatus": "00",
        }

    async def send_crafted(
        self, order_id: str, trx: dict[str, Any], requirement: str, known: bool = True
    ) -> CraftedNotice:
        """Send ``trx`` as a fresh notice; keep the IS's record of the order from before."""
        before = await self.harness.order(order_id) if known else None
        exchange = await self.ucsp_peer.send_notice(trx)
        entry = next(
            e for e in reversed(self.d.peer_journal.entries) if e.request == exchange.request
        )
        return CraftedNotice(order_id, exchange, entry, requirement, before)

    async def repeat_notice(self, order: Order) -> CraftedNotice:
        return await self.send_crafted(order.order_id, self.delivered_trx(order), "NOT-06")

    async def late_notice(self, order: Order, status: str) -> CraftedNotice:
        trx = {**self.delivered_trx(order), "txnStatus": status}
        return await self.send_crafted(order.order_id, trx, "NOT-07")

    async def unknown_order_notice(self) -> CraftedNotice:
        order = Order(self.unknown_order_id(), "10000", "156", _shifted(None))
        return await self.send_crafted(order.order_id, self.pending_trx(order), "NOT-08", False)

    async def differing_notice(self, order: Order, field: str) -> CraftedNotice:
        trx: dict[str, Any] = self.pending_trx(order)
        if field == "txnAmt":
            trx["txnAmt"] = str(int(order.txn_amt) + 100)
        elif field == "currencyCode":
            trx["currencyCode"] = "840" if order.currency != "840" else "156"
        elif field == "txnType":
            trx.update(txnType="AUTO_DEBIT", contractId="C" + secrets.token_hex(8).upper())
        elif field == "txnTime":
            trx["txnTime"] = _shifted(order.txn_time)
        else:
            raise ValueError(
                f"no differing {field} can be made: txnAmt, currencyCode, txnType or txnTime"
            )
        return await self.send_crafted(order.order_id, trx, "NOT-09")

    async def record(self, order_id: str) -> HarnessAnswer:
        """The harness's record of ``order_id`` (any HTTP status)."""
        return await self.harness.call("GET", f"/harness/orders/{order_id}", expect_ok=False)

    # --- the notice before the answer (NOT-10) -----------------------------------------------

    def answer_next_order_late(self) -> None:
        hold = self.d.target.sut_timeout * EARLY_NOTICE_HOLD  # the IS's own time-out
        self.ucsp_peer.override(SUBMIT, GatewayOverride(delay=hold))

    async def pay_before_answer(self, txn_amt: str, currency: str) -> EarlyNotice:
        """The IS submits an order; the user pays it while UCSP still holds the answer."""
        journal, peer = self.d.peer_journal, self.ucsp_peer
        body = {"txnAmt": txn_amt, "currencyCode": currency}
        after = len(peer.delayed)  # the answer to this request is the next one held back
        task = asyncio.ensure_future(self.harness.call("POST", "/harness/payments", body, False))
        held = await peer.wait_delayed(SUBMIT, after, self.real_seconds(self.d.target.sut_timeout))
        if held is None:
            task.cancel()
            raise RuntimeError("the Industry Service sent no SUBMIT_PAYMENT_ORDER")
        request, processed = held
        trx = json.loads(request).get("trxInfo", {})
        answer = json.loads(processed).get("trxInfo", {}) if processed else {}
        order = Order(
            str(trx.get("orderId", "")),
            txn_amt,
            currency,
            str(trx.get("txnTime", "")),
            trx_info={k: v for k, v in answer.items() if k in ("tn", "paymentUrl")},
        )
        await self.pay(order, "00")  # the cashier answers once the notice was answered
        # the held answer is journaled only when it is finally sent
        notice_first = journal.find(answer_to(request)) is None
        peer.release_delayed(request)
        answer = await task  # 424 when the IS gave up waiting: the notice still counts
        order.code = answer.data.get("responseCode")
        return EarlyNotice(order, notice_first)

    # --- notices out of order (NOT-11) -----------------------------------------------------------

    def answer_refund_inquiries(self, code: str) -> None:
        """Answer the IS's refund inquiries with ``code`` (99: the result stays unknown)."""
        times = 2 * len(self.d.target.profile.schedule)
        self.ucsp_peer.override(
            REFUND_INQUIRY, GatewayOverride(code=code, process=False), times=times
        )

    def hold_notices(self, count: int) -> None:
        self.ucsp_peer.gate_notices(NOTICE, "hold", count)

    async def refund(self, order: Order, txn_amt: str) -> str:
        """The IS refunds ``txn_amt`` of ``order`` through its harness; the refund's orderId."""
        answer = await self.harness.refund(order.order_id, txn_amt)
        code, refund_id = answer.data.get("responseCode"), answer.data.get("orderId")
        if code not in ("00", "05") or not isinstance(refund_id, str):
            raise RuntimeError(f"the refund of {txn_amt} was answered {answer.data!r}")
        return refund_id

    async def release_in_reverse(self, order_ids: list[str]) -> list[JournalEntry]:
        """Wait until the notices of ``order_ids`` are held, then deliver them last first,
        each after the previous one was answered."""
        peer = self.ucsp_peer
        limit = self.real_seconds(self.latest(self.d.target.profile.schedule[-1]))

        def held_of(order_id: str) -> Callable[[dict[str, Any]], bool]:
            return lambda notice: trx_of_message(notice).get("orderId") == order_id

        ids = {}
        for order_id in order_ids:  # each waited for in turn
            ids[order_id] = await peer.wait_held_notices(held_of(order_id), limit)
            if not ids[order_id]:
                raise RuntimeError(f"the notice of {order_id} never came to be held")
        delivered = []
        for order_id in reversed(order_ids):
            released = peer.release_held(ids[order_id][:1])
            answered = await self.wait_exchanges(released, "out")
            if not answered:
                raise RuntimeError(f"the released notice of {order_id} never went out")
            delivered.append(answered[0])
        return delivered


def _shifted(txn_time: str | None) -> str:
    """A real date-time five minutes before ``txn_time`` (or a fixed one)."""
    if not txn_time:
        return "20260101120000"
    moment = datetime.strptime(txn_time, TIME_FORMAT) - timedelta(minutes=5)
    return moment.strftime(TIME_FORMAT)
