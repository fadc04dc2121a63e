"""Result inquiries of an Industry Service under test: the suite, as UCSP, scripts its answer to
the request that creates an order and its answers to the inquiries about that order (bound to
the order before it exists, so that inquiries about other orders never take them), makes the
IS create the order through the harness (through the other areas), and observes on the wire
the inquiries that follow; it also holds back, releases or sends itself the order's result
notice. The order's status is read through the harness."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ucsp.checks.inquiry import (
    INQUIRY_TYPE,
    check_forwarded_as_asked,
    check_goes_on_after,
    check_harness_forwarded,
    check_inquired,
    check_inquiries_due,
    check_inquiry_request,
    check_no_inquiry,
    check_query_id_recorded,
    check_schedule,
    requirement_for_answer,
)
from ucsp.checks.messages import check_code, check_fresh_msg_ids, check_sent_message
from ucsp.codes import REFUSALS
from ucsp.envelope import format_time
from ucsp.journal import JournalEntry, about, described, exchange_of, msg_id_of
from ucsp.messages import MsgType, Party, TxnType
from ucsp.money import Money
from ucsp.sides.auto_debit import Charge, Contract
from ucsp.sides.inquiry import NOTICE, PAYMENT, Inquiry, kind_of
from ucsp.sides.inquiry_answers import Answer, order_answer, parse_answers
from ucsp.sides.inquiry_schedule import InquiryWatch, Observation, Tracked
from ucsp.sides.result import Mirrored, Order
from ucsp.sides.reversal import ReversalOrder
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest

SUBMIT = MsgType.SUBMIT_PAYMENT_ORDER
# the rules an order's answer falls under when that answer starts no inquiry
NOT_INQUIRED = ("RC-01", "RC-02", "RC-03")


@dataclass(frozen=True)
class SentNotice:
    """A result notice the suite, as UCSP, sent itself, and when its exchange was over."""

    exchange: Exchange
    answered_at: float  # protocol time


class IndustryInquiry(Inquiry):
    """The Industry Service under test creates orders through its harness and inquires about
    them; the suite answers as UCSP, as scripted."""

    # the rule an IS breaks when its harness will not send the creating request asked for: a
    # payment is PAY-07's; charges, cancellations and refunds must be forwarded unchecked
    forward_rules: ClassVar[Mapping[TxnType, str]] = {PAYMENT: "PAY-07"}
    forward_rule: ClassVar[str] = "RC-06"
    request_rule = "INQ-04"  # an inquiry's type, orderId and txnTime
    schedule_rule = "INQ-05"  # how many inquiries, and when
    stop_rule = "INQ-06"  # no inquiry after a final answer or the result notice
    failed_rule = "RC-03"  # a refused order is FAILED, with no inquiry
    go_on_rule = "INQ-07"  # inquiries go on after an answer without a final status
    msg_id_rule = "FMT-11"  # every inquiry a msgID of its own
    notice_answer_rule = "NOT-07"  # the IS answers the notice of an order already final
    side: IndustryUnderTest

    def __init__(self, side: IndustryUnderTest) -> None:
        super().__init__(side)
        self.watch = InquiryWatch(side)
        self.answers: list[Answer] = []  # the answers scripted for the next order's inquiries
        self._tracked: dict[str, Tracked] = {}

    # --- the suite playing UCSP scripts its answers -----------------------------------------

    def script_inquiries(self, text: str, kind: TxnType = PAYMENT) -> None:
        """Answer the inquiries about the next order the IS creates as ``text`` says, in turn
        (see :mod:`ucsp.sides.inquiry_answers`)."""
        self.answers = parse_answers(text)
        self.side.peer.override_order(INQUIRY_TYPE[kind], [a.override for a in self.answers])

    # --- the IS creates orders through its harness ------------------------------------------

    def tracked(self, order: Order) -> Tracked:
        """The order as the inquiry area follows it; an order another area made the IS create
        is followed from its creating request, as journaled."""
        if order.order_id not in self._tracked:
            sent = self.forwarded(order)
            if not sent:
                raise TypeError(
                    f"the IS sent no {kind_of(order).creating_type} of {order.order_id}: this "
                    "step needs an order the Industry Service created"
                )
            self._track(order, 200)
        return self._tracked[order.order_id]

    def forwarded(self, order: Order) -> list[JournalEntry]:
        """The creating requests of ``order`` that reached the suite."""
        msg_type = kind_of(order).creating_type
        return [
            e
            for e in self.side.journal.select(msg_type, "in")
            if e.trx.get("orderId") == order.order_id
        ]

    def _track(
        self,
        order: Order,
        harness_status: int,
        answer: Answer | None = None,
    ) -> None:
        sent = self.forwarded(order)
        grace = 0.0
        unanswered = bool(sent) and sent[-1].status is None  # the suite, as UCSP, kept silent
        if unanswered or (answer is not None and answer.silent):
            # a request left unanswered: the IS gives up after its own time-out (the target's
            # sut_timeout_seconds, else the profile's), then starts inquiring
            target = self.side.target
            grace = target.sut_timeout * (1 + target.profile.late_tolerance)
        anchor = sent[-1].settled if sent else self.watch.now()
        self._tracked[order.order_id] = Tracked(
            order, kind_of(order), anchor, grace, harness_status
        )

    def _check_forwarded(
        self,
        kind: TxnType,
        status: int,
        report: Mapping[str, Any],
        original: Order | None = None,
    ) -> None:
        """The harness had the IS send the creating request of a ``kind`` transaction; when it
        would not, the rule that breaks: the original's queryId not recorded (PAY-08), else the
        IS deciding for itself (PAY-07 for a payment, else RC-06)."""
        msg_type = kind.creating_type
        if status in (200, 424):  # 424: the IS got no valid answer
            return
        if original is not None:
            record = self.side.call(self.side.harness.order(original.order_id))
            check_query_id_recorded(record, original.order_id, msg_type, status)
        rule = self.forward_rules.get(kind, self.forward_rule)
        check_harness_forwarded(status, report, msg_type, rule)

    def _submit(self, amount: Money, answer: Answer) -> Order:
        self.side.peer.override(SUBMIT, answer.override)
        payment = self.side.payment
        reply = payment.harness_pay(amount.txn_amt, amount.currency)
        self._check_forwarded(PAYMENT, reply.status, reply.data)
        order = payment.reported(amount, reply.data)
        if reply.status != 200:
            order.code = None
        self._track(order, reply.status, answer)
        return order

    def submit(self, amount: Money, text: str) -> Order:
        """The IS submits an order of ``amount`` that UCSP answers as ``text`` says; its status
        falls under the rule of that answer."""
        answer = order_answer(text)
        order = self._submit(amount, answer)
        self.decided_by(order, requirement_for_answer(PAYMENT, answer.code))
        return order

    def submit_each(self, amount: Money, text: str) -> list[Order]:
        """Orders of ``amount``, one answered with each of the answers ``text`` names; each
        order's code is its scripted one."""
        orders = []
        for answer in parse_answers(text):
            order = self._submit(amount, answer)
            order.code = answer.code  # as scripted, not as reported
            self.decided_by_answer(order)
            orders.append(order)
        return orders

    def _reverse(self, kind: TxnType, original: Order, amount: Money | None) -> ReversalOrder:
        reversal, reply = self.side.reversal.forward(kind, original, amount)
        self._check_forwarded(kind, reply.status, reply.data, original)
        if reply.status != 200:
            reversal.code = None
        self._track(reversal, reply.status)
        return reversal

    def contract(self, closed: bool = False) -> Contract:
        """A contract a new user signed, recorded ACTIVE (AD-11); closed too when ``closed``,
        then recorded CLOSED (AD-13)."""
        auto_debit = self.side.auto_debit
        contract = auto_debit.signed()
        auto_debit.check_contract_recorded(contract, "ACTIVE")
        if closed:
            auto_debit.closed(contract)
            auto_debit.check_contract_recorded(contract, "CLOSED")
        return contract

    def _charge(self, contract: Contract, amount: Money) -> Charge:
        charge = self.side.auto_debit.charge_contract(contract, amount)
        evidence = charge.evidence
        assert isinstance(evidence, Mirrored)
        self._check_forwarded(TxnType.AUTO_DEBIT, evidence.status, evidence.report)
        if evidence.status != 200:
            charge.code = None
        self._track(charge, evidence.status)
        return charge

    def check_forwarded_as_asked(self, order: Order, msg_type: str) -> None:
        """The IS sent ``msg_type`` for ``order`` with the amount asked for, the original's
        queryId as it records it, and the contract charged (RC-06)."""
        tracked = self.tracked(order)
        sent = self.forwarded(order)
        trx = sent[-1].trx if sent and sent[-1].msg_type == msg_type else None
        expected = {"txnAmt": order.txn_amt}
        if isinstance(order, ReversalOrder) and order.original is not None:
            record = self.side.call(self.side.harness.order(order.original.order_id))
            expected["origQryId"] = str(record.get("queryId"))
        if isinstance(order, Charge):
            expected["contractId"] = order.contract_id
        check_forwarded_as_asked(trx, msg_type, expected, tracked.harness_status)

    # --- the order's status -----------------------------------------------------------------

    def status(self, order: Order) -> str:
        return str(self.side.call(self.side.harness.order(order.order_id)).get("status"))

    # --- the IS's inquiries, observed on the wire -------------------------------------------

    def _sent_inquiry(self, entry: JournalEntry) -> dict[str, Any]:
        target = self.side.target
        certs = target.keys.certs_of(Party.INDUSTRY)
        return check_sent_message(
            entry.request, entry.msg_type, "request", Party.INDUSTRY, certs, target.profile
        )

    def check_first_inquiry(self, order: Order, msg_type: str) -> None:
        """The IS inquires about ``order`` with ``msg_type`` at once, naming the order's orderId
        and txnTime (INQ-04); none at all breaks the rule of what should have started it. A
        request left unanswered starts the schedule once the IS's own time-out has run out."""
        self._first_inquiry(order, msg_type, self.status_rule(order))

    def _first_inquiry(self, order: Order, msg_type: str, rule: str) -> JournalEntry:
        """The first inquiry about ``order``, a ``msg_type`` naming its orderId and txnTime
        (INQ-04); none within the first slot's window breaks ``rule``. A ``msg_type`` other
        than the one INQ-04 gives the order's kind is the scenario's mistake, never the SUT's."""
        expected = INQUIRY_TYPE[kind_of(order)]
        if msg_type != expected:
            raise ValueError(
                f"{kind_of(order).creating_type} {order.order_id} is inquired about with "
                f"{expected} (INQ-04), not {msg_type}: the scenario names the wrong message type"
            )
        tracked = self.tracked(order)
        first = self.watch.first_inquiry(tracked)
        within = self.watch.latest(0) + tracked.grace
        check_inquired(first is not None, order.order_id, within, rule)
        assert first is not None
        message = self._sent_inquiry(first)
        check_inquiry_request(message, msg_type, order.order_id, order.txn_time, self.request_rule)
        return first

    def answer_rule(self, order: Order) -> str:
        """The rule of what last decided ``order``'s status, else of its answer (RC-01 to
        RC-05)."""
        decided = self._rules.get(order.order_id)
        return decided or requirement_for_answer(kind_of(order), order.code)

    def inquire_about(self, order: Order, msg_type: str | None = None) -> JournalEntry:
        """The IS's own first inquiry about ``order``, which its 05 answer (RC-04) or the lack
        of a valid answer (RC-05) started: of the order's family (``msg_type``, when the
        scenario names it), naming its orderId and txnTime (INQ-04)."""
        rule = self.answer_rule(order)
        if rule in NOT_INQUIRED:
            raise ValueError(
                f"{kind_of(order).creating_type} {order.order_id} was answered {order.code}: "
                "no inquiry about it is due (only a 05 or no valid answer starts them)"
            )
        return self._first_inquiry(order, msg_type or INQUIRY_TYPE[kind_of(order)], rule)

    def check_no_inquiry_due(self, order: Order) -> None:
        """No inquiry about ``order`` from the moment none is due: refused by UCSP, it is
        FAILED and never inquired about (RC-03); else once the IS has acknowledged its result
        notice, waited for as long as a pending transaction may take (INQ-06)."""
        tracked = self.tracked(order)
        if order.code in REFUSALS:
            later = self.watch.inquiries_after(tracked, float("-inf"), 1)
            check_no_inquiry(
                later,
                f"{kind_of(order).creating_type} {order.order_id} was refused with code "
                f"{order.code} and is FAILED: it must not be inquired about",
                self.failed_rule,
            )
            return
        notice_of = about(NOTICE, "out", orderId=order.order_id)
        if self.side.wait_entry(notice_of, self._pending_limit()) is None:
            raise ValueError(
                f"no rule says the IS sends no inquiry about {order.order_id} (answered "
                f"{order.code}): none is due after a refusal, or after the result notice, and "
                "no result notice of it was delivered"
            )
        notice = self._acknowledged_notice(order)
        if notice is None:
            sent = [e for e in self.side.journal.entries if notice_of(e)]
            check_code(
                sent[-1].code,
                "00",
                self.notice_answer_rule
                if order.code == "00"
                else self.notice_rules[kind_of(order)],
                f"the IS's answer to the {NOTICE} of {order.order_id} (none answered 00)",
            )
        assert notice is not None
        later = self.watch.inquiries_after(tracked, notice.settled)
        check_no_inquiry(
            later,
            "the inquiries must stop once the result notice has arrived",
            self.stop_rule,
            since="the result notice was acknowledged",
        )

    def _acknowledged_notice(self, order: Order) -> JournalEntry | None:
        """The first result notice of ``order`` the IS answered 00, waited for as long as a
        pending transaction may take to succeed."""
        notice = about(NOTICE, "out", orderId=order.order_id)
        match = described(
            lambda e: notice(e) and e.code == "00", f"the acknowledged {NOTICE} of {order.order_id}"
        )
        return self.side.wait_entry(match, self._pending_limit())

    def _pending_limit(self) -> float:
        """How long (protocol seconds) a pending transaction may take to succeed."""
        profile = self.side.target.profile
        return (profile.schedule[-1] if profile.schedule else 0.0) * (1 + profile.late_tolerance)

    def _inquiries_due(self, order: Order, count: int, rule: str, why: str) -> list[JournalEntry]:
        """Wait until the window of the ``count``-th inquiry has closed; all ``count`` must have
        come (``rule`` names the rule, or the order's status rule when none came at all)."""
        seen = self.watch.due(self.tracked(order), count)
        check_inquiries_due(len(seen), count, order.order_id, rule, self.status_rule(order), why)
        return seen

    def inquired(self, order: Order, count: int) -> None:
        """The IS has inquired ``count`` times about ``order`` by now (INQ-05)."""
        self._inquiries_due(order, count, self.schedule_rule, "by now")

    def check_stops_after(self, order: Order, count: int) -> None:
        """``count`` inquiries came (INQ-07), the last answered finally, and none after it
        (INQ-06); from now on the order's status falls under INQ-06."""
        why = "the inquiries must go on after an answer without a final status"
        seen = self._inquiries_due(order, count, self.go_on_rule, why)
        later = self.watch.inquiries_after(self.tracked(order), seen[count - 1].elapsed, count)
        check_no_inquiry(
            later,
            "the inquiries must stop at a final status (txnStatus 00 or 01) or 34",
            self.stop_rule,
            since=f"inquiry #{count} got its final answer",
        )
        self.decided_by(order, self.stop_rule)

    def check_no_inquiry_about(self, orders: list[Order]) -> None:
        """No inquiry about any of ``orders`` (refused: FAILED), by each one's answer's rule."""
        for order in orders:
            # wait out the windows of the first two slots: a late first inquiry is caught too
            later = self.watch.inquiries_after(self.tracked(order), float("-inf"), 1)
            check_no_inquiry(
                later,
                f"order {order.order_id} was refused with code {order.code} and is FAILED: "
                "it must not be inquired about",
                self.status_rule(order),
            )

    def check_quiet_since(self, order: Order, notice: SentNotice) -> None:
        """No inquiry about ``order`` after its result ``notice`` was answered (INQ-06)."""
        later = self.watch.inquiries_after(self.tracked(order), notice.answered_at)
        check_no_inquiry(
            later,
            "the inquiries must stop once the result notice has arrived",
            self.stop_rule,
            since="the result notice was answered",
        )

    def observe_course(self, order: Order) -> Observation:
        """Every inquiry about ``order`` once its schedule has run its course; from now on the
        order's status falls under INQ-05."""
        observation = self.watch.observe_course(self.tracked(order), self.answers)
        self.decided_by(order, self.schedule_rule)
        return observation

    def check_every_inquiry(self, observation: Observation, order: Order, msg_type: str) -> None:
        """Every inquiry observed was a ``msg_type`` naming the order's orderId and txnTime."""
        for entry in observation.entries:
            message = self._sent_inquiry(entry)
            check_inquiry_request(
                message, msg_type, order.order_id, order.txn_time, self.request_rule
            )

    def check_fresh_msg_ids(self, observation: Observation) -> None:
        check_fresh_msg_ids(observation.messages, self.msg_id_rule)

    def check_went_on(self, observation: Observation) -> None:
        """After each scripted answer without a final status, another inquiry went out."""
        answers = observation.answers
        check_goes_on_after(
            [a.text for a in answers],
            [a.final for a in answers],
            len(observation.offsets),
            len(self.watch.schedule),
        )

    def check_on_schedule(self, observation: Observation) -> None:
        """The inquiries went out on the back-off schedule, as many as the answers allow."""
        watch = self.watch
        finals = [n for n, a in enumerate(observation.answers, 1) if a.final]
        check_schedule(
            observation.offsets,
            watch.schedule,
            watch.tolerance,
            watch.slack,
            busy_until=observation.busy_until,
            count=min([*finals, len(watch.schedule)]),
        )

    # --- the suite playing UCSP: the result notice ------------------------------------------

    def hold_next_notice(self) -> None:
        self.side.notices.hold_notices(1)

    def deliver_held_notice(self, order: Order) -> None:
        """Let the held notices of ``order`` go; the IS answers the last 00 (NOT-07)."""
        self.side.release_held(self.notice_answer_rule, orderId=order.order_id)

    def send_notice(self, order: Order, status: str) -> SentNotice:
        """A PAYMENT_RESULT_NOTICE of ``order`` with ``status``, sent by the suite itself; from
        now on the order's status falls under the notice's rule (inquiries count as "after the
        notice" from the moment it was answered)."""
        trx = {
            "orderId": order.order_id,
            "txnType": kind_of(order).value,
            "queryId": self._known_query_id(order),
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
            "txnTime": order.txn_time,
            "txnStatus": status,
        }
        if isinstance(order, Charge) and order.contract_id:
            trx["contractId"] = order.contract_id
        exchange = self.side.call(self.side.peer.send_notice(trx))
        self.decided_by(order, self.notice_rules[kind_of(order)])
        return SentNotice(exchange, self._answered_at(exchange))

    def _answered_at(self, exchange: Exchange) -> float:
        """Protocol time the suite's own notice ``exchange`` was over (as journaled)."""
        msg_id = msg_id_of(exchange.request)
        entry = self.side.journal.find(exchange_of(msg_id, "out")) if msg_id else None
        return entry.settled if entry is not None else self.watch.now()

    def _known_query_id(self, order: Order) -> str:
        """The queryId the suite's UCSP gave the order (in an inquiry answer), or a new one."""
        for item in reversed(self.watch.inquiries(order)):
            value = item.answer_trx.get("queryId")
            if isinstance(value, str) and value:
                return value
        profile = self.side.target.profile
        return format_time(self.side.d.clock.now(), profile) + secrets.token_hex(4)
