"""Result inquiries and the handling of UCSP's answers, for whichever side is under test.

Industry Service under test: the suite plays UCSP. It scripts its answer to an
order-creating request (a code, or no valid answer) and its answers to the inquiries about
that order (:class:`Answer`, bound to the order before it exists so that inquiries about
other orders never take them), makes the IS create the order through the harness, and
observes on the wire the inquiries that follow: their type, fields and msgIDs, and their
times in protocol seconds from the suite's answer to the request that created the order (the
suite's own processing time is not charged to the IS; a request left unanswered counts from
its arrival, and the schedule starts at the IS's time-out). The order's status is read
through the harness.

UCSP under test: the suite plays the Industry Service: it creates payments, auto-debit
charges, cancellations and refunds itself and sends PAYMENT_RESULT_INQUIRY or
REFUND_RESULT_INQUIRY about them, as they are or with one field wrong.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ucsp.checks import RequirementViolation, ensure
from ucsp.checks.inquiry import INQUIRY_TYPE
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.checks.schedule import slot_window
from ucsp.deployment import Deployment
from ucsp.drivers.harness import HarnessAnswer
from ucsp.envelope import format_time, parse_time
from ucsp.flows.base import BaseFlow, Order, message_of, trx_of, trx_of_message
from ucsp.flows.payment import NOTICE, PaymentFlow
from ucsp.journal import JournalEntry, exchange_of, msg_id_of
from ucsp.messages import INQUIRY_TYPES
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.transport import Exchange

CREATING_TYPE = {
    "payment": "SUBMIT_PAYMENT_ORDER",
    "auto-debit": "SUBMIT_AUTO_DEBIT",
    "cancellation": "PAYMENT_CANCELLATION",
    "refund": "PAYMENT_REFUND",
}
TXN_TYPE = {
    "payment": "PAYMENT",
    "auto-debit": "AUTO_DEBIT",
    "cancellation": "CANCELLATION",
    "refund": "REFUND",
}
KIND_WORDS = {
    "payment": "payment",
    "charge": "auto-debit",
    "auto-debit": "auto-debit",
    "cancellation": "cancellation",
    "refund": "refund",
}
RECORDED = {"00": "SUCCEEDED", "01": "FAILED", "05": "PENDING"}
# the rules a signing precondition checks: the signUrl (the UCSP's answer, or the IS relaying
# it) and the signing hook behind it (the UCSP's, or the one whose URL the IS relayed)
SIGN_URL_RULE = {"ucsp": "AD-01", "industry": "AD-10"}
SIGN_HOOK_RULE = {"ucsp": "AD-04", "industry": "AD-10"}
# the rule an IS breaks when its harness will not send the creating request asked for: a
# payment is PAY-07's; charges, cancellations and refunds must be forwarded unchecked (RC-06)
FORWARD_RULE = {"SUBMIT_PAYMENT_ORDER": "PAY-07"}
NOTICE_RULE = {
    "payment": "PAY-08",
    "auto-debit": "PAY-08",
    "cancellation": "CAN-05",
    "refund": "REF-07",
}
SIGN = "SIGN_AUTO_DEBIT"
CLOSE = "CLOSE_AUTO_DEBIT"


def kind_of(word_or_order: str | Order) -> str:
    """The order kind (payment, auto-debit, cancellation, refund) of a word or an order."""
    if isinstance(word_or_order, Order):
        return str(getattr(word_or_order, "kind", "payment"))
    try:
        return KIND_WORDS[word_or_order]
    except KeyError:
        known = ", ".join(sorted(KIND_WORDS))
        raise ValueError(f"unknown kind of order {word_or_order!r}; use one of {known}") from None


# --- scripted answers of the suite playing UCSP ---------------------------------------------

_CORRUPTIONS = {
    "a bad signature": GatewayOverride(corrupt="signature"),
    "a malformed answer": GatewayOverride(corrupt="format"),
    "an answer that does not echo msgInfo": GatewayOverride(corrupt="echo"),
    "HTTP 500": GatewayOverride(corrupt="http-500"),
    "no answer": GatewayOverride(silent=True),
}
_CODE = re.compile(r"code (\d\d)")
_STATUS = re.compile(r"txnStatus (\d\d)")
_WITH_CODE = re.compile(r"(.+) with code (\d\d)")


@dataclass(frozen=True)
class Answer:
    """One answer of the suite playing UCSP, as a scenario words it.

    ``code N`` (a valid answer with that code), ``txnStatus N`` (the reference UCSP's own
    answer with that txnStatus when it answers 00), or no valid answer: ``a bad signature``,
    ``a malformed answer``, ``an answer that does not echo msgInfo``, ``HTTP 500``,
    ``no answer`` (the first four optionally ``with code N`` inside).
    """

    text: str
    override: GatewayOverride

    @property
    def valid(self) -> bool:
        o = self.override
        return o.corrupt is None and not o.silent

    @property
    def code(self) -> str | None:
        """The code of a valid answer (None: the reference UCSP's, or no valid answer)."""
        return self.override.code if self.valid else None

    @property
    def final(self) -> bool:
        """Whether this answer to an inquiry ends the inquiries (00/01 status, or 34)."""
        status = (self.override.trx or {}).get("txnStatus")
        return self.valid and (self.code == "34" or status in ("00", "01"))


def parse_answer(text: str) -> Answer:
    words = text.strip()
    if match := _CODE.fullmatch(words):
        return Answer(words, GatewayOverride(code=match[1]))
    if match := _STATUS.fullmatch(words):
        return Answer(words, GatewayOverride(trx={"txnStatus": match[1]}))
    base, code = words, None
    if match := _WITH_CODE.fullmatch(words):
        base, code = match[1], match[2]
    if base in _CORRUPTIONS:
        template = _CORRUPTIONS[base]
        return Answer(words, GatewayOverride(**{**vars(template), "code": code}))
    known = ", ".join(["code NN", "txnStatus NN", *_CORRUPTIONS])
    raise ValueError(f"unknown answer {text!r}; say one of: {known}")


def parse_answers(text: str) -> list[Answer]:
    """``txnStatus 05, code 10 and no answer`` -> three answers, in order."""
    return [parse_answer(part) for part in re.split(r", | and ", text) if part.strip()]


# --- what the scenario knows ------------------------------------------------------------------


@dataclass
class TrackedOrder(Order):
    """An order whose creating request the scenario made happen and watched."""

    kind: str = "payment"
    anchor: float = 0.0  # protocol time the suite answered the creating request (or got it)
    grace: float = 0.0  # protocol seconds between that and the start of the schedule
    harness_status: int = 200  # what the IS harness answered (industry under test)
    original: Order | None = None  # the payment a cancellation or refund reverses
    contract_id: str | None = None  # the contract an auto-debit charges


@dataclass(frozen=True)
class Contract:
    contract_id: str
    user_id: str


@dataclass(frozen=True)
class Observation:
    """The inquiries about one order, as they reached the suite."""

    entries: list[JournalEntry]
    offsets: list[float]  # protocol seconds from the start of the schedule
    busy_until: list[float]  # when each inquiry's exchange was over (same origin)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [message_of(e) for e in self.entries]


@dataclass
class InquiryScene:
    """What the steps of one scenario share beyond the order itself."""

    requirement: str = "INQ-05"  # the rule the next status check of the order enforces
    answers: list[Answer] = field(default_factory=list)  # scripted answers to inquiries
    observation: Observation | None = None
    quiet_since: float | None = None  # protocol time after which no inquiry is expected
    original: Order | None = None
    contract: Contract | None = None
    exchange: Exchange | None = None  # the suite's own inquiry (UCSP under test)
    orders: list[TrackedOrder] = field(default_factory=list)  # several orders of one step


class InquiryFlow(BaseFlow):
    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.payment = PaymentFlow(deployment)

    # --- time ------------------------------------------------------------------------------

    @property
    def slack(self) -> float:
        """The target's timing slack (real seconds) in protocol seconds."""
        return self.d.target.timing_slack / self.d.target.time_scale

    @property
    def tolerance(self) -> tuple[float, float]:
        profile = self.d.target.profile
        return profile.early_tolerance, profile.late_tolerance

    @property
    def schedule(self) -> tuple[float, ...]:
        return self.d.target.profile.schedule

    def latest(self, index: int) -> float:
        """The latest offset slot ``index`` allows (one slack past the last slot beyond it)."""
        if index < len(self.schedule):
            return slot_window(self.schedule[index], self.tolerance, self.slack)[1]
        return slot_window(self.schedule[-1], self.tolerance, self.slack)[1] + self.slack

    def now(self) -> float:
        return self.d.clock.elapsed()

    async def sleep_until(self, moment: float) -> None:
        await self.d.clock.sleep(moment - self.now())

    # --- the suite playing UCSP: scripting -------------------------------------------------

    def script_inquiries(self, answers: list[Answer], kind: str = "payment") -> None:
        """Answer the inquiries about the next order the IS creates with ``answers``, in turn."""
        self.ucsp_peer.override_order(INQUIRY_TYPE[kind], [a.override for a in answers])

    def hold_next_notice(self) -> None:
        self.ucsp_peer.gate_notices(NOTICE, "hold", 1)

    async def release_notices(self, order: Order) -> list[JournalEntry]:
        """Let the held notices of ``order`` go (once UCSP has produced one); their exchanges,
        once each was answered (waited for by msgID: a notice the suite crafted about the
        order does not count)."""
        peer = self.ucsp_peer
        held = await peer.wait_held_notices(
            lambda n: trx_of_message(n).get("orderId") == order.order_id,
            self.real_seconds(self.schedule[-1]),
        )
        if not held:
            raise RuntimeError(f"no result notice of {order.order_id} was held back")
        return await self.wait_exchanges(peer.release_held(held), "out")

    # --- the IS creates orders through its harness -----------------------------------------

    async def create(
        self,
        kind: str,
        txn_amt: str,
        currency: str,
        answer: Answer | None = None,
        original: Order | None = None,
        contract: Contract | None = None,
    ) -> TrackedOrder:
        """Make the IS send the creating request of an order, answered as ``answer`` says."""
        msg_type = CREATING_TYPE[kind]
        if answer is not None:
            self.ucsp_peer.override(msg_type, answer.override)
        reply = await self._harness_create(kind, txn_amt, currency, original, contract)
        if reply.status not in (200, 424):  # 424: the IS got no valid answer
            await self._refused_by_harness(msg_type, reply, original)
        order_id = str(reply.data.get("orderId", ""))
        sent = [
            e
            for e in self.d.peer_journal.select(msg_type, "in")
            if trx_of(e).get("orderId") == order_id
        ]
        silent = answer is not None and answer.override.silent
        profile = self.d.target.profile
        code = reply.data.get("responseCode") if reply.status == 200 else None
        return TrackedOrder(
            order_id,
            txn_amt,
            currency,
            txn_time=str(trx_of(sent[-1]).get("txnTime", "")) if sent else "",
            code=code if isinstance(code, str) else None,
            trx_info={k: v for k, v in reply.data.items() if k in ("tn", "paymentUrl")},
            kind=kind,
            anchor=sent[-1].settled if sent else self.now(),
            # a request left unanswered: the IS gives up after its own time-out (the target's
            # sut_timeout_seconds, else the profile's), then starts inquiring
            grace=self.d.target.sut_timeout * (1 + profile.late_tolerance) if silent else 0.0,
            harness_status=reply.status,
            original=original,
            contract_id=contract.contract_id if contract else None,
        )

    async def _harness_create(
        self,
        kind: str,
        txn_amt: str,
        currency: str,
        original: Order | None,
        contract: Contract | None,
    ) -> HarnessAnswer:
        body: dict[str, str]
        if kind == "payment":
            path, body = "/harness/payments", {"txnAmt": txn_amt, "currencyCode": currency}
        elif kind == "auto-debit":
            assert contract is not None
            path = "/harness/auto-debit/charge"
            body = {"contractId": contract.contract_id, "txnAmt": txn_amt, "currencyCode": currency}
        elif kind == "cancellation":
            assert original is not None
            path, body = "/harness/cancellations", {"origOrderId": original.order_id}
        else:
            assert original is not None
            path, body = "/harness/refunds", {"origOrderId": original.order_id, "txnAmt": txn_amt}
        return await self.harness.call("POST", path, body, expect_ok=False)

    async def _refused_by_harness(
        self, msg_type: str, reply: HarnessAnswer, original: Order | None
    ) -> None:
        """The IS would not send ``msg_type``: say which rule that breaks."""
        if original is not None:
            recorded = await self.harness.order(original.order_id)
            if not recorded.get("queryId"):
                raise RequirementViolation(
                    "PAY-08",
                    f"order {original.order_id} is {recorded.get('status')} but has no "
                    f"queryId, so the IS cannot send a {msg_type} (harness answered HTTP "
                    f"{reply.status}): the queryId of the success notice was not recorded",
                )
        raise RequirementViolation(
            FORWARD_RULE.get(msg_type, "RC-06"),
            f"the IS did not forward the {msg_type} the harness asked for: HTTP "
            f"{reply.status} {reply.data.get('error', '')!r}; it must leave the decision to "
            "UCSP",
        )

    def forwarded(self, order: TrackedOrder) -> list[JournalEntry]:
        """The creating requests of ``order`` that reached the suite."""
        return [
            e
            for e in self.d.peer_journal.select(CREATING_TYPE[order.kind], "in")
            if trx_of(e).get("orderId") == order.order_id
        ]

    # --- both roles: orders that exist, contracts ------------------------------------------

    async def succeeded(self, kind: str, txn_amt: str, currency: str) -> TrackedOrder:
        """A transaction of ``kind`` that has succeeded (a reversal: of a paid payment)."""
        if kind == "auto-debit":
            order = await self.charge(await self.contract(), txn_amt, currency)
        else:
            paid = await self.payment.paid_order(txn_amt, currency)
            if kind == "payment":
                return _tracked(paid, "payment")
            order = await self.reverse(kind, paid, txn_amt)
        if order.exchange is not None:
            check_valid_answer(order.exchange)
        rule = {"auto-debit": "AD-07", "cancellation": "CAN-01", "refund": "REF-01"}[kind]
        check_code(order.code, "00", rule, f"the answer to {CREATING_TYPE[kind]}")
        return order

    async def reverse(self, kind: str, original: Order, txn_amt: str) -> TrackedOrder:
        """A cancellation (of the full amount) or a refund of ``txn_amt`` of ``original``."""
        amount = original.txn_amt if kind == "cancellation" else txn_amt
        if self.role == "industry":
            return await self.create(kind, amount, original.currency, original=original)
        peer = self.industry_peer
        order = TrackedOrder(
            peer.new_order_id(), amount, original.currency, peer.txn_time(), kind=kind
        )
        order.original = original
        exchange = await peer.request(
            CREATING_TYPE[kind],
            {
                "orderId": order.order_id,
                "txnTime": order.txn_time,
                "origQryId": self.payment.query_id(original),
                "txnAmt": amount,
            },
        )
        order.exchange, order.code, order.trx_info = exchange, exchange.code, exchange.trx_info
        return order

    async def charge(self, contract: Contract, txn_amt: str, currency: str) -> TrackedOrder:
        """An auto-debit charge on ``contract``."""
        if self.role == "industry":
            return await self.create("auto-debit", txn_amt, currency, contract=contract)
        peer, info = self.industry_peer, self.d.target.industry
        order = TrackedOrder(peer.new_order_id(), txn_amt, currency, peer.txn_time())
        order.kind, order.contract_id = "auto-debit", contract.contract_id
        exchange = await peer.request(
            CREATING_TYPE["auto-debit"],
            {
                "contractId": contract.contract_id,
                "orderId": order.order_id,
                "merId": info.mer_id,
                "acqIIN": info.acq_iin,
                "txnAmt": txn_amt,
                "currencyCode": currency,
                "txnTime": order.txn_time,
            },
        )
        order.exchange, order.code, order.trx_info = exchange, exchange.code, exchange.trx_info
        return order

    async def contract(self, closed: bool = False) -> Contract:
        """An auto-debit contract the user signed (and, when ``closed``, that was closed)."""
        user_id = "u" + secrets.token_hex(6)
        if self.role == "industry":
            answer = await self.harness.sign(user_id)
            sign_url = answer.data.get("signUrl")
        else:
            exchange = await self.industry_peer.request(SIGN, self._sign_trx(user_id))
            check_valid_answer(exchange)
            sign_url = exchange.trx_info.get("signUrl")
        ensure(
            isinstance(sign_url, str) and bool(sign_url),
            SIGN_URL_RULE[self.role],
            f"no signUrl: {sign_url!r}",
        )
        assert self.d.http is not None and isinstance(sign_url, str)
        hook = await self.d.http.post(sign_url, data={"result": "00"})
        location = hook.headers.get("location", "")
        found = parse_qs(urlsplit(location).query).get("contractId", [""])[0]
        ensure(
            hook.status_code == 302 and bool(found),
            SIGN_HOOK_RULE[self.role],
            f"signing hook: {location!r}",
        )
        contract = Contract(found, user_id)
        if self.role == "industry":
            stored = await self.harness.contract(found)
            ensure(stored.get("status") == "ACTIVE", "AD-11", f"contract {found}: {stored}")
        if closed:
            await self._close(contract)
        return contract

    def _sign_trx(self, user_id: str) -> dict[str, str]:
        info = self.d.target.industry
        base = info.notice_url.rsplit("/", 1)[0]
        return {
            "merId": info.mer_id,
            "userId": user_id,
            "frontUrl": f"{base}/front",
            "backUrl": info.notice_url,
        }

    async def _close(self, contract: Contract) -> None:
        if self.role == "industry":
            await self.harness.close(contract.contract_id)
            stored = await self.harness.contract(contract.contract_id)
            ensure(stored.get("status") == "CLOSED", "AD-13", f"contract: {stored}")
            return
        exchange = await self.industry_peer.request(
            CLOSE, {"contractId": contract.contract_id, "userId": contract.user_id}
        )
        check_valid_answer(exchange)
        check_code(exchange.code, "00", "AD-05", "the answer to CLOSE_AUTO_DEBIT")

    # --- order status ----------------------------------------------------------------------

    async def status(self, order: Order) -> str:
        """How the SUT records the order: harness status (IS) or inquiry txnStatus (UCSP)."""
        if self.role == "industry":
            return str((await self.harness.order(order.order_id)).get("status"))
        exchange = await self.inquire(order, INQUIRY_TYPE[kind_of(order)])
        status = exchange.trx_info.get("txnStatus")
        return RECORDED.get(str(status), str(status))

    async def status_once_notified(self, order: Order) -> str:
        """The order's status once its result notice has been delivered and answered."""
        await self.wait_notices(NOTICE, self.schedule[-1], orderId=order.order_id)
        return await self.status(order)

    # --- the IS's inquiries, observed on the wire -------------------------------------------

    def inquiries(self, order: Order) -> list[JournalEntry]:
        """Inquiries (of either type) about ``order`` that reached the suite, in order."""
        return [
            e
            for e in self.d.peer_journal.entries
            if e.direction == "in"
            and e.msg_type in INQUIRY_TYPES
            and trx_of(e).get("orderId") == order.order_id
        ]

    def start_of(self, order: TrackedOrder) -> float:
        """Protocol time the inquiry schedule of ``order`` starts at (at the latest)."""
        return order.anchor + order.grace

    async def wait_inquiries(self, order: Order, count: int, until: float) -> list[JournalEntry]:
        """Inquiries about ``order``, once ``count`` arrived or at protocol time ``until``."""
        real = max(0.0, (until - self.now()) * self.d.target.time_scale)
        await self.d.peer_journal.wait_for(lambda _: len(self.inquiries(order)) >= count, real)
        return self.inquiries(order)

    async def first_inquiry(self, order: TrackedOrder) -> JournalEntry | None:
        """The first inquiry about ``order``, waited for until its slot's window closes."""
        found = await self.wait_inquiries(order, 1, self.start_of(order) + self.latest(0))
        return found[0] if found else None

    async def observe_course(self, order: TrackedOrder, answers: list[Answer]) -> Observation:
        """Every inquiry about ``order`` until the last slot's window has closed (later when
        answers that never come push the last inquiry past its slot)."""
        timeout = self.d.target.sut_timeout  # how long the IS waits for an answer
        due = done = 0.0
        for index, slot in enumerate(self.schedule):
            due = max(slot, done)  # a slot already passed is used at once
            silent = index < len(answers) and answers[index].override.silent
            done = due + (timeout if silent else 0.0)
        last = self.latest(len(self.schedule) - 1)
        await self.sleep_until(self.start_of(order) + max(last, done + self.slack))
        return self.observation(order)

    def observation(self, order: TrackedOrder) -> Observation:
        timeout = self.d.target.sut_timeout  # how long the IS waits for an answer
        start = order.anchor
        entries = self.inquiries(order)
        offsets = [e.elapsed - start for e in entries]
        # an exchange is over when the suite's answer went out (its own processing time is not
        # the IS's delay), or, unanswered, when the IS's time-out ran out
        busy = [(e.elapsed + timeout if e.status is None else e.settled) - start for e in entries]
        return Observation(entries, offsets, busy)

    def inquiries_until(self, order: Order, moment: float) -> int:
        """How many inquiries about ``order`` reached the suite at or before ``moment``."""
        return sum(1 for e in self.inquiries(order) if e.elapsed <= moment)

    async def inquiries_after(
        self, order: TrackedOrder, since: float, seen: int = 0
    ) -> list[float]:
        """Offsets of the inquiries after protocol time ``since``, waited for until the window
        of the next slot has closed: the ``seen``-th (counting from 0), or later when more
        inquiries than that came by ``since`` (one of that time journaled late extends the
        wait), so the count does not depend on when the caller looked."""
        waited = -1
        while waited != (slot := max(seen, self.inquiries_until(order, since))):
            waited = slot
            await self.sleep_until(self.start_of(order) + self.latest(slot))
        start = order.anchor
        return [e.elapsed - start for e in self.inquiries(order) if e.elapsed > since]

    # --- the suite playing UCSP: the result notice -----------------------------------------

    async def send_notice(self, order: TrackedOrder, status: str) -> Exchange:
        """A PAYMENT_RESULT_NOTICE of ``order`` with ``status``, sent by the suite itself."""
        trx = {
            "orderId": order.order_id,
            "txnType": TXN_TYPE[order.kind],
            "queryId": self._known_query_id(order),
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
            "txnTime": order.txn_time,
            "txnStatus": status,
        }
        if order.contract_id:
            trx["contractId"] = order.contract_id
        return await self.ucsp_peer.send_notice(trx)

    def answered_at(self, exchange: Exchange) -> float:
        """Protocol time the suite's own notice ``exchange`` was over (as journaled)."""
        msg_id = msg_id_of(exchange.request)
        entry = self.d.peer_journal.find(exchange_of(msg_id, "out")) if msg_id else None
        return entry.settled if entry is not None else self.now()

    def _known_query_id(self, order: Order) -> str:
        """The queryId the suite's UCSP gave the order (in an inquiry answer), or a new one."""
        for item in reversed(self.inquiries(order)):
            answer = _json_trx(item.response)
            value = answer.get("queryId")
            if isinstance(value, str) and value:
                return value
        return format_time(self.d.clock.now(), self.d.target.profile) + secrets.token_hex(4)

    # --- the suite playing the IS: inquiries ----------------------------------------------

    async def inquire(self, order: Order, msg_type: str, other_txn_time: bool = False) -> Exchange:
        """``msg_type`` about ``order``, with its txnTime or (one hour earlier) another."""
        txn_time = order.txn_time
        if other_txn_time:
            profile = self.d.target.profile
            txn_time = format_time(parse_time(txn_time, profile) - timedelta(hours=1), profile)
        trx = {"orderId": order.order_id, "txnTime": txn_time}
        return await self.industry_peer.request(msg_type, trx)

    async def inquire_unknown(self, msg_type: str) -> Exchange:
        """``msg_type`` about an orderId nobody used, with the current time as txnTime."""
        peer = self.industry_peer
        trx = {"orderId": peer.new_order_id(), "txnTime": peer.txn_time()}
        return await peer.request(msg_type, trx)


def inquiry_rule(order: Order, msg_type: str, *, wrong: bool = False) -> str:
    """The requirement an inquiry about ``order`` checks: INQ-03 for an inquiry that must be
    answered 34 (``wrong`` field, or the other family), else INQ-01 or INQ-02 by family."""
    if wrong or INQUIRY_TYPE[kind_of(order)] != msg_type:
        return "INQ-03"
    return "INQ-01" if msg_type == INQUIRY_TYPES[0] else "INQ-02"


def _tracked(order: Order, kind: str) -> TrackedOrder:
    return TrackedOrder(
        order.order_id,
        order.txn_amt,
        order.currency,
        order.txn_time,
        order.code,
        dict(order.trx_info),
        order.evidence,
        kind=kind,
    )


def _json_trx(raw: bytes | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"")
    except ValueError:
        return {}
    trx = value.get("trxInfo") if isinstance(value, dict) else None
    return trx if isinstance(trx, dict) else {}
