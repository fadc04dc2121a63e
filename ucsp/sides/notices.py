"""Result notices: where they go, how they are retried, and how an Industry Service takes them.

UCSP under test: the UCSP sends the notices; the suite (as the Industry Service) answers them
as scripted and watches the transmissions. Industry Service under test: the IS receives them;
the suite (as UCSP) holds, reorders or crafts them and reads the outcome through the harness.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ucsp.checks.notices import (
    check_fresh_envelopes,
    check_no_record,
    check_notice_answered_by_industry,
    check_notice_sent_by_ucsp,
    check_notice_target,
    check_record_unchanged,
    check_recorded,
    check_retry_schedule,
    check_same_trx,
    check_sent_again,
    check_transmission_count,
)
from ucsp.drivers.harness import HarnessAnswer
from ucsp.journal import JournalEntry, answer_to, json_object
from ucsp.messages import MsgType, TxnType
from ucsp.money import Money
from ucsp.peers.industry_peer import BACK_NOTICE_PATH, NoticeAnswer
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.sides.payment import unknown_order_id
from ucsp.sides.result import Order
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side

T = TypeVar("T")
NOTICE = MsgType.PAYMENT_RESULT_NOTICE
SUBMIT = MsgType.SUBMIT_PAYMENT_ORDER
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
    """A notice the suite (as UCSP) sent itself, the rule the IS's handling of it falls
    under, and the IS's record of the order before it."""

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


class Notices:
    """Result notices, for either side."""

    def __init__(self, side: Side) -> None:
        self.side = side

    @property
    def slack(self) -> float:
        """The target's timing slack in protocol seconds."""
        target = self.side.target
        return target.timing_slack / target.time_scale

    def latest(self, offset: float) -> float:
        """The latest acceptable time (protocol seconds) of the slot at ``offset``."""
        return offset * (1 + self.side.target.profile.late_tolerance) + self.slack


class UcspNotices(Notices):
    """The UCSP under test sends the notices; the suite answers them as the Industry Service."""

    side: UcspUnderTest

    # --- where they go (NOT-01) -------------------------------------------------------------

    @property
    def second_notice_url(self) -> str:
        """A notice URL of the suite other than the registered one, for backUrl."""
        target = self.side.target
        base = target.suite_url
        if not base:
            parts = urlsplit(target.industry.notice_url)
            base = f"{parts.scheme}://{parts.netloc}"
        return base.rstrip("/") + BACK_NOTICE_PATH

    def submitted_with_back_url(self, amount: Money) -> Order:
        """An order of ``amount`` whose backUrl is the suite's second notice URL, answered 00."""
        payment = self.side.payment
        order = payment.submit(amount, back_url=self.second_notice_url)
        payment.check_answered(order, "00")
        return order

    def _arrived(self, order: Order) -> JournalEntry:
        entries = self.side.payment.notices(order)
        return self.side.first_notice(entries, "NOT-01", f"{NOTICE} for order {order.order_id}")

    def check_arrives_at_back_url(self, order: Order) -> None:
        back_url = str(self.side.payment.sent_trx(order)["backUrl"])
        check_notice_target(self._arrived(order).url, back_url)

    def check_arrives_at_registered_url(self, order: Order) -> None:
        check_notice_target(self._arrived(order).url, self.side.target.industry.notice_url)

    # --- retries (NOT-03, NOT-04, NOT-05, FMT-11) -------------------------------------------

    def answer_notices(self, text: str, count: int = 1) -> None:
        """Answer the next ``count`` notices as ``text`` says (later ones: 00)."""
        answer = notice_answer(text)
        self.side.peer.answers.extend(answer for _ in range(count))

    def transmissions(self, order: Order, expected: int) -> list[JournalEntry]:
        """Every transmission of the order's notice until the slot after the ``expected``-th
        has passed (the last slot of the schedule when ``expected`` uses them all)."""
        first = self.side.payment.notices(order)
        if not first:
            return []
        side = self.side
        schedule = side.target.profile.schedule
        horizon = schedule[min(expected, len(schedule) - 1)]
        deadline = first[0].elapsed + self.latest(horizon)

        def received() -> list[JournalEntry]:
            return side.notices_of(NOTICE, orderId=order.order_id)

        # An observation window, not a wait for an exchange: every transmission until the
        # deadline counts; it ends early only once more than ``expected`` came, which no
        # later transmission can undo.
        remaining = (deadline - side.d.clock.elapsed()) * side.target.time_scale
        if remaining > 0:
            what = f"{NOTICE} transmissions until the retry window closes"
            side.call(side.journal.wait_for(lambda _: len(received()) > expected, remaining, what))
        return received()

    def check_on_schedule(self, order: Order, count: int) -> list[JournalEntry]:
        """The order's notice is transmitted ``count`` times, on the retry schedule; the
        transmissions."""
        entries = self.transmissions(order, count)
        profile = self.side.target.profile
        check_transmission_count(len(entries), count, len(profile.schedule))
        check_retry_schedule(
            [e.elapsed for e in entries],
            profile.schedule,
            profile.early_tolerance,
            profile.late_tolerance,
            self.slack,
        )
        return entries

    def check_transmitted(self, order: Order, count: int) -> None:
        """The order's notice is transmitted ``count`` times and no more."""
        entries = self.transmissions(order, count)
        check_transmission_count(len(entries), count, len(self.side.target.profile.schedule))

    def _sent_messages(self, order: Order, entries: list[JournalEntry]) -> list[dict[str, Any]]:
        target, expected = self.side.target, {"orderId": order.order_id}
        return [check_notice_sent_by_ucsp(e, target, NOTICE, expected, "NOT-03") for e in entries]

    def check_fresh_retransmissions(self, order: Order, entries: list[JournalEntry]) -> None:
        """Every transmission carries the same trxInfo in an envelope of its own."""
        messages = self._sent_messages(order, entries)
        check_same_trx(messages)
        check_fresh_envelopes(messages, entries, self.side.target.profile)

    def check_sent_again(self, order: Order) -> None:
        """The order's notice, not acknowledged, comes again with the same trxInfo."""
        entries = self.transmissions(order, 1)
        check_sent_again(len(entries), order.order_id)
        check_same_trx(self._sent_messages(order, entries[:2]))


class IndustryNotices(Notices):
    """The Industry Service under test receives the notices the suite sends as UCSP."""

    side: IndustryUnderTest

    # --- crafted notices (NOT-06 to NOT-09) -------------------------------------------------

    def delivered_trx(self, order: Order) -> dict[str, Any]:
        """trxInfo of the notice UCSP delivered for ``order``."""
        sent = self.side.notices_of(NOTICE, orderId=order.order_id)
        if not sent:
            raise RuntimeError(f"no {NOTICE} of order {order.order_id} was delivered")
        return sent[0].trx

    def pending_trx(self, order: Order) -> dict[str, str]:
        """trxInfo of a correct success notice for a pending payment ``order``."""
        return {
            "orderId": order.order_id,
            "txnType": TxnType.PAYMENT.value,
            "queryId": "Q" + secrets.token_hex(10).upper(),
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
            "txnTime": order.txn_time,
            "txnStatus": "00",
        }

    def send_crafted(
        self, order_id: str, trx: dict[str, Any], requirement: str, known: bool = True
    ) -> CraftedNotice:
        """Send ``trx`` as a fresh notice; keep the IS's record of ``order_id`` from before."""
        side = self.side
        before = side.call(side.harness.order(order_id)) if known else None
        exchange = side.call(side.peer.send_notice(trx))
        entry = next(e for e in reversed(side.journal.entries) if e.request == exchange.request)
        return CraftedNotice(order_id, exchange, entry, requirement, before)

    def repeat_notice(self, order: Order) -> CraftedNotice:
        return self.send_crafted(order.order_id, self.delivered_trx(order), "NOT-06")

    def late_notice(self, order: Order, status: str) -> CraftedNotice:
        trx = {**self.delivered_trx(order), "txnStatus": status}
        return self.send_crafted(order.order_id, trx, "NOT-07")

    def unknown_order_notice(self) -> CraftedNotice:
        order = Order(unknown_order_id(), "10000", "156", _shifted(None))
        return self.send_crafted(order.order_id, self.pending_trx(order), "NOT-08", False)

    def differing_notice(self, order: Order, field: str) -> CraftedNotice:
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
        return self.send_crafted(order.order_id, trx, "NOT-09")

    def record(self, order_id: str) -> HarnessAnswer:
        """The harness's record of ``order_id`` (any HTTP status)."""
        return self.side.call(self.side.harness.order_record(order_id, expect_ok=False))

    def check_answered(self, crafted: CraftedNotice, code: str) -> None:
        """The IS answered the crafted notice with ``code``."""
        target = self.side.target
        check_notice_answered_by_industry(crafted.entry, target, code, crafted.requirement)

    def check_nothing_changed(self, crafted: CraftedNotice) -> None:
        """The IS's record of the order is what it was before the crafted notice."""
        assert crafted.before is not None
        after = self.record(crafted.order_id)
        check_record_unchanged(crafted.before, after.data, crafted.requirement)

    def check_no_record(self, crafted: CraftedNotice) -> None:
        """The IS has no record of the crafted notice's order."""
        record = self.record(crafted.order_id)
        check_no_record(record.status, crafted.order_id, crafted.requirement)

    # --- the notice before the answer (NOT-10) ----------------------------------------------

    def answer_next_order_late(self) -> None:
        hold = self.side.target.sut_timeout * EARLY_NOTICE_HOLD  # the IS's own time-out
        self.side.peer.override(SUBMIT, GatewayOverride(delay=hold))

    def pay_before_answer(self, amount: Money) -> EarlyNotice:
        """The IS submits an order; the user pays it while UCSP still holds the answer."""
        side, peer = self.side, self.side.peer
        after = len(peer.delayed)  # the answer to this request is the next one held back
        task = side.call(
            _started(side.harness.pay(amount.txn_amt, amount.currency, expect_ok=False))
        )
        held = side.call(
            peer.wait_delayed(SUBMIT, after, side.real_seconds(side.target.sut_timeout))
        )
        if held is None:
            side.call(_on_loop(task.cancel))
            raise RuntimeError("the Industry Service sent no SUBMIT_PAYMENT_ORDER")
        request, processed = held
        trx = json_object(request).get("trxInfo", {})
        answer = json_object(processed).get("trxInfo", {}) if processed else {}
        order = Order(
            str(trx.get("orderId", "")),
            amount.txn_amt,
            amount.currency,
            str(trx.get("txnTime", "")),
            trx_info={k: v for k, v in answer.items() if k in ("tn", "paymentUrl")},
        )
        side.payment.pay(order, "00")  # the cashier answers once the notice was answered
        # the held answer is journaled only when it is finally sent
        notice_first = side.journal.find(answer_to(request)) is None
        side.call(_on_loop(lambda: peer.release_delayed(request)))
        reply = side.call(_result(task))  # 424 when the IS gave up waiting: the notice counts
        order.code = reply.data.get("responseCode")
        return EarlyNotice(order, notice_first)

    def check_early_notice_answered(self, early: EarlyNotice) -> None:
        """The early notice was answered 00 by the IS, before the answer to its order."""
        if not early.notice_first:
            raise RuntimeError(
                "the answer to the order went out before the notice: nothing checked"
            )
        order_id = early.order.order_id
        entries = self.side.payment.notices(early.order)
        notice = self.side.first_notice(entries, "NOT-10", f"{NOTICE} of {order_id}")
        check_notice_answered_by_industry(notice, self.side.target, "00", "NOT-10")

    def check_early_recorded(self, early: EarlyNotice, status: str) -> None:
        check_recorded(self.record(early.order.order_id).data, status, "NOT-10")

    # --- notices out of order (NOT-11) ------------------------------------------------------

    def answer_refund_inquiries(self, code: str) -> None:
        """Answer the IS's refund inquiries with ``code`` (99: the result stays unknown)."""
        times = 2 * len(self.side.target.profile.schedule)
        override = GatewayOverride(code=code, process=False)
        self.side.peer.override(MsgType.REFUND_RESULT_INQUIRY, override, times=times)

    def hold_notices(self, count: int) -> None:
        self.side.peer.gate_notices(NOTICE, "hold", count)

    def refund(self, order: Order, amount: Money) -> str:
        """The IS refunds ``amount`` of ``order`` through its harness; the refund's orderId."""
        refund = self.side.reversal.reverse(TxnType.REFUND, order, amount)
        if refund.code not in ("00", "05") or not refund.order_id:
            raise RuntimeError(f"the refund of {amount} was answered {refund.code!r}")
        return refund.order_id

    def release_in_reverse(self, order_ids: list[str]) -> list[JournalEntry]:
        """Wait until the notices of ``order_ids`` are held, then deliver them last first,
        each after the previous one was answered."""
        side = self.side
        within = self.latest(side.target.profile.schedule[-1])
        held = {o: side.call(side.held_notices(within, orderId=o)) for o in order_ids}
        return [side.call(side.delivered(held[o][:1]))[0] for o in reversed(order_ids)]

    def check_delivered_in_reverse(self, order_ids: list[str]) -> None:
        """The held notices of ``order_ids``, delivered last first, are each answered 00."""
        for entry in self.release_in_reverse(order_ids):
            check_notice_answered_by_industry(entry, self.side.target, "00", "NOT-11")

    def check_each_recorded(self, order_ids: list[str], status: str) -> None:
        for order_id in order_ids:
            check_recorded(self.record(order_id).data, status, "NOT-11")

    def check_refunded(self, order: Order, status: str, amount: Money) -> None:
        """The order is recorded with ``status`` and ``amount`` refunded."""
        record = self.record(order.order_id).data
        check_recorded(record, status, "NOT-11", refunded_amt=amount.txn_amt)


def _trx(message: dict[str, Any]) -> dict[str, Any]:
    trx = message.get("trxInfo")
    return trx if isinstance(trx, dict) else {}


def _shifted(txn_time: str | None) -> str:
    """A real date-time five minutes before ``txn_time`` (or a fixed one)."""
    if not txn_time:
        return "20260101120000"
    moment = datetime.strptime(txn_time, TIME_FORMAT) - timedelta(minutes=5)
    return moment.strftime(TIME_FORMAT)


async def _started(coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """``coro`` running on the loop in the background."""
    return asyncio.ensure_future(coro)


async def _result(future: asyncio.Future[T]) -> T:
    return await future


async def _on_loop(func: Callable[[], T]) -> T:
    """``func`` called on the loop (peer state that wakes waiters on it)."""
    return func()
