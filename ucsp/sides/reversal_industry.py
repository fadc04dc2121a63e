"""Cancellations and refunds of an Industry Service under test: the IS reverses through its
harness; the suite, as UCSP, answers, reads the request the IS sent and what the harness
records, and crafts notices.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ucsp.checks.messages import check_sent_message, check_timestamp
from ucsp.checks.notices import check_notice_answered_by_industry
from ucsp.checks.reversal import (
    check_cancelled,
    check_harness_accepted,
    check_recorded,
    check_refunded,
    check_sent_reversal,
)
from ucsp.drivers.harness import HarnessAnswer
from ucsp.errors import ConfigError
from ucsp.journal import JournalEntry
from ucsp.messages import ORDER_CREATING, Party, TxnType
from ucsp.money import Money
from ucsp.sides.notices import CraftedNotice
from ucsp.sides.result import Order, Relayed
from ucsp.sides.reversal import (
    CANCELLATION,
    NOTICE,
    REFUND,
    REFUND_INQUIRY,
    Reversal,
    ReversalOrder,
    other_value,
)
from ucsp.sides.scripted_answers import (
    UNANSWERED,
    check_reported_unanswered,
)

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest

REFUSED = ("34", "36")  # the UCSP's refusals, which decide a forwarded reversal's outcome


class IndustryReversal(Reversal):
    """The Industry Service under test reverses through its harness; the suite answers."""

    answer_rules: ClassVar[Mapping[TxnType, str]] = {CANCELLATION: "CAN-04", REFUND: "REF-06"}
    partial_refunds_rule = "REF-06"
    # a reversal's outcome recorded once UCSP's notice has told it
    outcome_rules: ClassVar[Mapping[TxnType, str]] = {CANCELLATION: "CAN-05", REFUND: "REF-07"}
    on_answer_rule = "RC-02"  # a 00 answer recorded at once, before any notice
    failed_rule = "RC-03"  # a refusing answer recorded FAILED
    pending_rule = "RC-04"  # a 05 answer recorded PENDING
    unanswered_rule = "RC-05"  # no valid answer: PENDING, and inquiries
    harness_error_rule = "PAY-09"  # no valid answer reported as HTTP 424 with the orderId
    forwarded_rule = "RC-06"  # a reversal forwarded unchecked, its refusal changing nothing
    misnamed_rule = "NOT-09"  # a notice naming another original refused, changing nothing
    side: IndustryUnderTest

    def __init__(self, side: IndustryUnderTest) -> None:
        super().__init__(side)
        self.misnamed: set[str] = set()  # reversals sent a notice naming another original
        self.harness_status: dict[str, int] = {}  # orderId -> the harness's HTTP status

    # --- the suite playing UCSP scripts its answer ------------------------------------------

    # --- reversing --------------------------------------------------------------------------

    def _reverse(self, kind: TxnType, original: Order, txn_amt: str) -> ReversalOrder:
        reversal, answer = self._asked(kind, original, txn_amt)
        if answer.status == UNANSWERED:  # no valid answer from UCSP: judged by its own steps
            return reversal
        word, rule = kind.lower(), self.answer_rules[kind]
        check_harness_accepted(answer.status, answer.data, word, original.order_id, rule)
        return reversal

    def forward(
        self, kind: TxnType, original: Order, amount: Money | None = None
    ) -> tuple[ReversalOrder, HarnessAnswer]:
        """A cancellation or refund of ``original`` the harness is asked for, to be forwarded to
        UCSP unchecked (RC-06), and what the harness answered, whatever it answered."""
        reversal, answer = self._asked(kind, original, self.txn_amt(original, amount))
        self.made.append(reversal)
        return reversal, answer

    def _asked(
        self, kind: TxnType, original: Order, txn_amt: str
    ) -> tuple[ReversalOrder, HarnessAnswer]:
        """The harness asked to reverse ``original``: the reversal as the IS sent it, beside
        the harness's answer."""
        if kind is CANCELLATION and txn_amt != original.txn_amt:
            raise ConfigError(
                "the harness cancels the full amount only: this step needs --sut ucsp"
            )
        orig_qry_id = self.query_id_of(original)
        harness = self.side.harness
        if kind is REFUND:
            coro = harness.refund(original.order_id, txn_amt, expect_ok=False)
        else:
            coro = harness.cancel(original.order_id, expect_ok=False)
        answer = self.side.call(coro)
        code = answer.data.get("responseCode")
        reversal = ReversalOrder(
            str(answer.data.get("orderId", "")),
            txn_amt,
            original.currency,
            code=code if isinstance(code, str) else None,
            kind=kind,
            orig_qry_id=orig_qry_id,
            original=original,
        )
        ucsp_code = None
        sent = self.sent(reversal)
        if sent:
            reversal.txn_time = str(sent[-1].trx.get("txnTime", ""))
            ucsp_answer = sent[-1].answer
            trx, response = ucsp_answer.get("trxInfo"), ucsp_answer.get("msgResponse")
            reversal.trx_info = dict(trx) if isinstance(trx, dict) else {}
            if isinstance(response, dict):
                ucsp_code = response.get("responseCode")
        reversal.evidence = Relayed(dict(answer.data), ucsp_code, reversal.msg_type)
        self.harness_status[reversal.order_id] = answer.status
        return reversal, answer

    def _query_id_told(self, original: Order) -> str:
        """As the harness records it."""
        return str(self.record(original.order_id).get("queryId", ""))

    def record(self, order_id: str) -> dict[str, Any]:
        """The harness's record of ``order_id``."""
        return self.side.call(self.side.harness.order(order_id))

    def sent(self, reversal: ReversalOrder) -> list[JournalEntry]:
        """The requests of ``reversal``'s type and orderId the IS sent."""
        return [
            e
            for e in self.side.journal.select(reversal.msg_type, "in")
            if e.trx.get("orderId") == reversal.order_id
        ]

    def order_ids_sent(self, but: str) -> set[str]:
        """orderIds of every order-creating request the IS sent, but ``but``."""
        journal = self.side.journal
        found = {str(e.trx.get("orderId")) for t in ORDER_CREATING for e in journal.select(t, "in")}
        found.discard(but)
        return found

    def result_told(self, reversal: ReversalOrder) -> bool:
        """Whether the suite, as UCSP, has told the IS that ``reversal`` succeeded: a correct
        success notice delivered, or an inquiry answered txnStatus 00."""
        side = self.side
        notices = [
            e
            for e in side.entries(NOTICE, orderId=reversal.order_id, origQryId=reversal.orig_qry_id)
            if e.status is not None and e.trx.get("txnStatus") == "00"
        ]
        answers = [
            e.answer.get("trxInfo") for e in side.entries(REFUND_INQUIRY, orderId=reversal.order_id)
        ]
        return bool(notices) or any(
            isinstance(a, dict) and a.get("txnStatus") == "00" for a in answers
        )

    def _check_pending(self, reversal: ReversalOrder) -> None:
        """Answered 05, the IS records the reversal PENDING (RC-04)."""
        record = self.record(reversal.order_id)
        settled = self.result_told(reversal)
        check_recorded(record, "PENDING", self.pending_rule, settled=settled)

    # --- answers ----------------------------------------------------------------------------

    def check_answered(self, reversal: ReversalOrder, code: str, rule: str | None = None) -> None:
        """The harness's report: mirroring the code UCSP answered, and that code ``code``."""
        rule = rule or self.answer_rules[reversal.kind]
        reversal.check_answered(code, rule, f"the harness's report of {reversal.order_id}")

    def check_harness_mirrors(self, reversal: ReversalOrder) -> None:
        """The harness reported the UCSP's answer to ``reversal``."""
        if reversal.evidence is not None:
            reversal.evidence.check(self.answer_rules[reversal.kind])

    def check_reported_unanswered(self, reversal: ReversalOrder) -> None:
        """The harness answered the reversal HTTP 424 with an error and its orderId (PAY-09)."""
        evidence = reversal.evidence
        report = evidence.report if isinstance(evidence, Relayed) else {}
        status = self.harness_status.get(reversal.order_id, 200)
        check_reported_unanswered(status, report, self.harness_error_rule)

    def check_rejected(self, reversal: ReversalOrder, code: str) -> None:
        """Forwarded as asked (RC-06), the code reported, the reversal recorded FAILED."""
        rule = self.forwarded_rule
        self.check_sent_as_asked(reversal, rule)
        self.check_answered(reversal, code, rule)
        check_recorded(self.record(reversal.order_id), "FAILED", rule)

    def check_sent_as_asked(self, reversal: ReversalOrder, rule: str | None = None) -> None:
        """The IS sent ``reversal`` once, signed and schema-valid, under a new orderId, with the
        origQryId UCSP gave the original, the amount asked for and its current time as
        txnTime."""
        rule = rule or self.answer_rules[reversal.kind]
        entries = self.sent(reversal)
        expected = {
            "orderId": reversal.order_id,
            "origQryId": reversal.orig_qry_id,
            "txnAmt": reversal.txn_amt,
        }
        others = self.order_ids_sent(but=reversal.order_id)
        msg_type = reversal.msg_type
        check_sent_reversal([e.trx for e in entries], msg_type, expected, others, rule)
        target = self.side.target
        keys = target.keys.certs_of(Party.INDUSTRY)
        message = check_sent_message(
            entries[0].request, msg_type, "request", Party.INDUSTRY, keys, target.profile
        )
        txn_time = str(message["trxInfo"].get("txnTime"))
        check_timestamp(txn_time, entries[0].wall, target.profile, rule, "txnTime")

    # --- notices ----------------------------------------------------------------------------

    def _check_notice(self, reversal: ReversalOrder, notice: JournalEntry, status: str) -> None:
        """As the IS acknowledged it: the kind's outcome rule."""
        rule = self.outcome_rules[reversal.kind]
        check_notice_answered_by_industry(notice, self.side.target, "00", rule)

    def repeat_notice(self, reversal: ReversalOrder) -> CraftedNotice:
        """UCSP's result notice of ``reversal`` once more, in a fresh envelope (NOT-06); the
        record compared is the original's."""
        notices = self.side.notices
        trx = notices.delivered_trx(reversal)
        return notices.send_crafted(reversal.original_id, trx, "NOT-06")

    def notice_naming_other_original(self, reversal: ReversalOrder) -> CraftedNotice:
        """A success notice of ``reversal``, right but for an origQryId not the original's
        (NOT-09)."""
        trx = {
            "orderId": reversal.order_id,
            "txnType": reversal.kind.value,
            "queryId": reversal.query_id or "Q" + secrets.token_hex(10).upper(),
            "origQryId": other_value(reversal.orig_qry_id),
            "txnAmt": reversal.txn_amt,
            "currencyCode": reversal.currency,
            "txnTime": reversal.txn_time,
            "txnStatus": "00",
        }
        self.misnamed.add(reversal.order_id)
        return self.side.notices.send_crafted(reversal.original_id, trx, self.misnamed_rule)

    # --- what is recorded -------------------------------------------------------------------

    def record_rule(self, reversal: ReversalOrder, status: str) -> str:
        """The rule a record of ``reversal`` as ``status`` falls under: PENDING after a 05
        answer (RC-04), or after a notice naming another original (NOT-09); FAILED after a
        refusal (RC-03); SUCCEEDED before any notice of it reached the IS (RC-02), else the
        kind's outcome rule."""
        if status == "PENDING":
            if reversal.order_id in self.misnamed:
                return self.misnamed_rule
            return self.pending_rule if reversal.code is not None else self.unanswered_rule
        if status == "FAILED":
            return self.failed_rule
        if not self.notices_now(reversal):
            return self.on_answer_rule
        return self.outcome_rules[reversal.kind]

    def check_recorded(self, reversal: ReversalOrder, status: str) -> None:
        """As the harness records it; SUCCEEDED is as right as PENDING once UCSP told the IS."""
        rule = self.record_rule(reversal, status)
        record = self.record(reversal.order_id)
        check_recorded(record, status, rule, settled=self.result_told(reversal))

    def effect_rule(self, original: Order) -> str:
        """The rule the record of ``original`` falls under, by its latest reversal: one the
        UCSP refused changes nothing (RC-06); a cancellation's outcome (CAN-05); else the
        refunds' (REF-07)."""
        last = self.last_of(original)
        if last is not None and last.code in REFUSED:
            return self.forwarded_rule
        return self.outcome_rules[last.kind if last is not None else REFUND]

    def _check_left(self, original: Order, left: int) -> None:
        record = self.record(original.order_id)
        check_refunded(record, original.txn_amt, left, self.effect_rule(original))

    def check_cancellation_effected(self, original: Order) -> None:
        check_cancelled(self.record(original.order_id))
