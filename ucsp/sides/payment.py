"""Frontend payment: submit an order, pay at the cashier, follow the result.

UCSP under test: the suite submits as the Industry Service and reads the UCSP's answers,
notices and PAYMENT_RESULT_INQUIRY. Industry Service under test: the IS submits through its
harness; the suite (as UCSP) answers and reads what the harness records.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ucsp.checks import RequirementViolation, ensure
from ucsp.checks.messages import check_code
from ucsp.checks.notices import check_notice_answered_by_industry, check_notice_sent_by_ucsp
from ucsp.checks.payment import (
    check_harness_mirrors,
    check_harness_reports_or_refuses,
    check_not_created,
    check_one_new_order,
    check_order_as_first_submitted,
    check_same_answer,
    check_submission,
)
from ucsp.drivers.harness import HarnessAnswer
from ucsp.errors import AuthoringError
from ucsp.journal import JournalEntry, json_object
from ucsp.messages import MsgType, TxnStatus, TxnType
from ucsp.money import Money
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.sides.result import Answered, Order, Reported
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side

NOTICE = MsgType.PAYMENT_RESULT_NOTICE
SUBMIT = MsgType.SUBMIT_PAYMENT_ORDER
INQUIRY = MsgType.PAYMENT_RESULT_INQUIRY


@dataclass(frozen=True)
class HookAnswer:
    """What a sandbox hook (or the cashier page) answered the browser."""

    status: int
    content_type: str
    text: str
    data: dict[str, Any]

    @classmethod
    def of(cls, status: int, content_type: str, text: str) -> HookAnswer:
        data = json_object(text) if content_type.startswith("application/json") else {}
        return cls(status, content_type, text, data)


class Payment(ABC):
    """Orders and the cashier, for either side."""

    submit_rule: ClassVar[str]  # an order submission's outcome (code, tn, paymentUrl)
    cashier_rule: ClassVar[str]  # a cashier POST refused
    recorded_rule: ClassVar[str]  # how the order is recorded

    def __init__(self, side: Side) -> None:
        self.side = side

    # --- submitting -------------------------------------------------------------------------

    @abstractmethod
    def submit(self, amount: Money) -> Order:
        """The Industry Service submits an order of ``amount``."""

    def submitted(self, amount: Money) -> Order:
        """An order of ``amount``, submitted and answered 00."""
        order = self.submit(amount)
        order.check_answered("00", self.submit_rule, f"the answer to {SUBMIT}")
        return order

    def check_answered(self, order: Order, code: str) -> None:
        order.check_answered(code, self.submit_rule, f"the answer to {SUBMIT}")

    def check_tn_and_payment_url(self, order: Order) -> None:
        ensure(
            bool(order.trx_info.get("tn")) and bool(order.payment_url),
            self.submit_rule,
            f"a 00 answer must carry tn and paymentUrl, got {order.trx_info}",
        )

    def paid(self, amount: Money) -> Order:
        """An order submitted, paid at the cashier, and its result notice delivered."""
        order = self.submitted(amount)
        self.pay(order, "00")
        self.side.first_notice(
            self.notices(order), "PAY-05", f"{NOTICE} for order {order.order_id}"
        )
        return order

    # --- the cashier ------------------------------------------------------------------------

    def pay(self, order: Order, result: str = "00") -> dict[str, Any]:
        """The user pays (00) or fails to pay (01) at the cashier behind the paymentUrl."""
        answer = self.post_cashier(order, result)
        ensure(
            answer.status == 200,
            self.cashier_rule,
            f"the cashier answered HTTP {answer.status} to result={result}",
        )
        return answer.data

    def pay_notified(self, order: Order, result: str = "00") -> dict[str, Any]:
        """The user pays at the cashier; back once the order's first result notice has been
        exchanged (or the wait ran out: what follows judges that). The cashier answers after
        the notice's first transmission at the latest, which may have timed out on a loaded
        machine before the notice was answered: what follows must still see it."""
        answer = self.pay(order, result)
        self.notices(order)
        return answer

    def cashier_url(self, order: Order, unknown_tn: bool = False) -> str:
        url = order.payment_url
        ensure(bool(url), self.submit_rule, f"order {order.order_id} has no paymentUrl")
        assert url is not None
        if not unknown_tn:
            return url
        tn = str(order.trx_info.get("tn", ""))
        if not tn or tn not in url:
            raise ValueError("the paymentUrl does not contain the tn: cannot make an unknown one")
        return url.replace(tn, secrets.token_hex(max(len(tn), 2) // 2 + 1)[: len(tn)])

    def post_cashier(self, order: Order, result: str, unknown_tn: bool = False) -> HookAnswer:
        """POST the form field ``result`` to the cashier of ``order`` (or of an unknown tn)."""
        return self.browse("POST", self.cashier_url(order, unknown_tn), {"result": result})

    def open_cashier(self, order: Order) -> HookAnswer:
        """GET the cashier page of ``order``."""
        return self.browse("GET", self.cashier_url(order))

    def browse(self, method: str, url: str, form: dict[str, str] | None = None) -> HookAnswer:
        """What the user's browser gets from ``url``."""
        http = self.side.d.http
        assert http is not None
        answer = self.side.call(http.request(method, url, data=form))
        return HookAnswer.of(
            answer.status_code, answer.headers.get("content-type", ""), answer.text
        )

    # --- what happened ----------------------------------------------------------------------

    def notices(self, order: Order) -> list[JournalEntry]:
        """PAYMENT_RESULT_NOTICE transmissions of ``order`` by the side playing UCSP, once the
        first has been exchanged."""
        return self.side.wait_notices(NOTICE, orderId=order.order_id)

    def notices_now(self, order: Order) -> list[JournalEntry]:
        """The same, without waiting."""
        return self.side.notices_of(NOTICE, orderId=order.order_id)

    def quiet_period(self) -> None:
        """Wait past the first retry slot of the schedule (late bound plus timing slack)."""
        target = self.side.target
        profile = target.profile
        slot = profile.schedule[1] if len(profile.schedule) > 1 else 0.0
        self.side.sleep(
            slot * (1 + profile.late_tolerance) + target.timing_slack / target.time_scale
        )

    def check_notified_once(self, order: Order) -> None:
        """No further result notice of ``order`` comes after its first (PAY-02)."""
        self.quiet_period()
        count = len(self.notices_now(order))
        ensure(
            count == 1, "PAY-02", f"order {order.order_id} was notified {count} times, expected 1"
        )

    @abstractmethod
    def status(self, order: Order) -> str:
        """How the SUT records ``order``."""

    def check_recorded(self, order: Order, status: str) -> None:
        recorded = self.status(order)
        ensure(
            recorded == status,
            self.recorded_rule,
            f"order {order.order_id} is recorded as {recorded}, expected {status}",
        )

    @abstractmethod
    def check_result_notice(self, order: Order, status: str) -> None:
        """The order's result notice was delivered with txnStatus ``status``."""


class UcspPayment(Payment):
    """The suite submits as the Industry Service; the UCSP under test answers."""

    submit_rule = "PAY-01"
    cashier_rule = "PAY-06"
    recorded_rule = "INQ-01"
    side: UcspUnderTest

    def submit(
        self, amount: Money, back_url: str | None = None, changes: dict[str, str] | None = None
    ) -> Order:
        """The suite submits an order; ``back_url`` and ``changes`` (other trxInfo values)
        alter its trxInfo."""
        peer, info = self.side.peer, self.target_industry
        order = Order(peer.new_order_id(), amount.txn_amt, amount.currency, peer.txn_time())
        trx = {
            "orderId": order.order_id,
            "merId": info.mer_id,
            "acqIIN": info.acq_iin,
            "txnAmt": amount.txn_amt,
            "currencyCode": amount.currency,
            "txnTime": order.txn_time,
        }
        if back_url is not None:
            trx["backUrl"] = back_url
        trx.update(changes or {})
        exchange = self.side.request(SUBMIT, trx)
        order.evidence, order.code, order.trx_info = (
            Answered(exchange),
            exchange.code,
            exchange.trx_info,
        )
        return order

    @property
    def target_industry(self) -> Any:
        return self.side.target.industry

    def submit_with_unknown(self, amount: Money, field: str) -> Order:
        """An order whose merId or acqIIN the UCSP does not know."""
        info = self.target_industry
        known = {"merId": info.mer_id, "acqIIN": info.acq_iin}
        if field not in known:
            raise ValueError(f"no unknown {field} can be made: use merId or acqIIN")
        value = known[field]
        other = "9" * len(value) if "9" * len(value) != value else "8" * len(value)
        return self.submit(amount, changes={field: other})

    def sent_trx(self, order: Order) -> dict[str, Any]:
        """The trxInfo the suite sent for ``order``."""
        if not isinstance(order.evidence, Answered):
            raise ValueError("the order was not sent by the suite")
        trx = order.evidence.exchange.request_message.get("trxInfo")
        return dict(trx) if isinstance(trx, dict) else {}

    def resubmit(self, order: Order, **changes: str) -> Exchange:
        """The same order again (same orderId), with ``changes``, in a fresh envelope."""
        return self.side.request(SUBMIT, {**self.sent_trx(order), **changes})

    def resubmit_with_unknown_field(self, order: Order, name: str) -> Exchange:
        """The same order again with one more trxInfo field ``name``, one the request does not
        have (receivers ignore unknown fields, PROTOCOL.md §2)."""
        sent = self.sent_trx(order)
        if name in sent:
            raise AuthoringError(f"{name} is a field of the order already: name an unknown one")
        return self.resubmit(order, **{name: "unknown1"})

    def refund_request(self, original: Order, txn_amt: str, order_id: str) -> Exchange:
        """PAYMENT_REFUND of ``original`` under ``order_id``."""
        return self.side.request(
            MsgType.PAYMENT_REFUND,
            {
                "orderId": order_id,
                "txnTime": self.side.peer.txn_time(),
                "origQryId": self.query_id(original),
                "txnAmt": txn_amt,
            },
        )

    def query_id(self, order: Order) -> str:
        """The queryId the UCSP gave ``order`` in its result notice."""
        for item in self.notices_now(order):
            value = item.trx.get("queryId")
            if isinstance(value, str) and value:
                return value
        raise RequirementViolation("PAY-05", f"no result notice of {order.order_id} has a queryId")

    def inquire(self, order: Order) -> Exchange:
        """PAYMENT_RESULT_INQUIRY for ``order``."""
        return self.side.request(INQUIRY, {"orderId": order.order_id, "txnTime": order.txn_time})

    def status(self, order: Order) -> str:
        status = self.inquire(order).trx_info.get("txnStatus")
        return TxnStatus.of_code(status)

    def check_result_notice(self, order: Order, status: str) -> None:
        notice = self.side.first_notice(
            self.notices(order), "PAY-05", f"{NOTICE} for order {order.order_id}"
        )
        expected = {
            "orderId": order.order_id,
            "txnType": TxnType.PAYMENT.value,
            "txnAmt": order.txn_amt,
            "currencyCode": order.currency,
            "txnTime": order.txn_time,
            "txnStatus": status,
        }
        check_notice_sent_by_ucsp(notice, self.side.target, NOTICE, expected, "PAY-05")

    def check_answered_as_first(self, order: Order, resubmission: Exchange) -> None:
        """The same order again is answered with the first answer's code and trxInfo."""
        Answered(resubmission).check("PAY-02")
        check_same_answer(order.code, order.trx_info, resubmission.code, resubmission.trx_info)

    def check_first_unchanged(self, order: Order) -> None:
        """An inquiry still reports the order as first submitted (PAY-03)."""
        inquiry = self.inquire(order)
        Answered(inquiry).check("PAY-03")
        check_order_as_first_submitted(
            inquiry.code, inquiry.trx_info, order.txn_amt, order.currency, "05"
        )

    def check_reuse_rejected(self, reuse: Exchange, code: str) -> None:
        Answered(reuse).check("PAY-03")
        check_code(reuse.code, code, "PAY-03", f"the answer to {reuse.msg_type} reusing an orderId")

    def check_refundable_in_full(self, order: Order) -> None:
        refund = self.refund_request(order, order.txn_amt, self.side.peer.new_order_id())
        Answered(refund).check("PAY-03")
        check_code(refund.code, "00", "PAY-03", "a full refund after the rejected reuse")

    def check_rejected_not_created(self, order: Order, code: str) -> None:
        order.check_answered(code, "PAY-04", f"the answer to {SUBMIT}")
        inquiry = self.inquire(order)
        Answered(inquiry).check("PAY-04")
        check_not_created(inquiry.code, order.order_id, "PAY-04")


class IndustryPayment(Payment):
    """The Industry Service under test submits through its harness; the suite answers."""

    submit_rule = "PAY-07"
    cashier_rule = "PAY-07"
    recorded_rule = "PAY-08"
    side: IndustryUnderTest

    def submit(self, amount: Money) -> Order:
        data = self.side.call(self.side.harness.pay(amount.txn_amt, amount.currency)).data
        return self.reported(amount, data)

    def reported(self, amount: Money, data: dict[str, Any]) -> Order:
        """The order of ``amount`` the harness reported ``data`` of (its txnTime as sent)."""
        order = Order(
            str(data.get("orderId", "")),
            amount.txn_amt,
            amount.currency,
            code=data.get("responseCode"),
            trx_info={k: v for k, v in data.items() if k in ("tn", "paymentUrl")},
            evidence=Reported(data),
        )
        sent = self.side.entries(SUBMIT, orderId=order.order_id)
        if sent:
            order.txn_time = str(sent[-1].trx.get("txnTime", ""))
        return order

    def status(self, order: Order) -> str:
        return str(self.side.call(self.side.harness.order(order.order_id)).get("status"))

    def check_result_notice(self, order: Order, status: str) -> None:
        notice = self.side.first_notice(
            self.notices(order), "PAY-05", f"{NOTICE} for order {order.order_id}"
        )
        check_notice_answered_by_industry(notice, self.side.target, "00", "PAY-08")

    def submissions(self) -> list[JournalEntry]:
        """SUBMIT_PAYMENT_ORDER requests the Industry Service under test sent to the suite."""
        return [e for e in self.side.journal.select(SUBMIT, "in") if e.status is not None]

    def sent(self, msg_type: str) -> list[JournalEntry]:
        """Requests of ``msg_type`` the Industry Service under test sent to the suite."""
        return self.side.journal.select(msg_type, "in")

    def submission_of(self, order: Order) -> JournalEntry:
        mine = [e for e in self.submissions() if e.trx.get("orderId") == order.order_id]
        ensure(bool(mine), "PAY-07", f"no {SUBMIT} for {order.order_id} was sent")
        return mine[-1]

    def check_one_new_submission(self, order: Order) -> None:
        """One SUBMIT_PAYMENT_ORDER for ``order``, with a new orderId, the IS's merchant and
        the requested amount (PAY-07)."""
        sent = self.submissions()
        check_one_new_order([str(e.trx.get("orderId")) for e in sent], order.order_id)
        info = self.side.target.industry
        mine = next(e for e in sent if e.trx.get("orderId") == order.order_id)
        expected = {"merId": info.mer_id, "acqIIN": info.acq_iin}
        amount = {"txnAmt": order.txn_amt, "currencyCode": order.currency}
        check_submission(mine.trx, {**expected, **amount})

    def check_harness_mirrors(self, order: Order) -> None:
        """The harness reported the UCSP's answer to the order (PAY-07)."""
        answer = self.submission_of(order).answer
        check_harness_mirrors({"responseCode": order.code, **order.trx_info}, answer)

    def harness_pay(self, txn_amt: str, currency: str = "156") -> HarnessAnswer:
        """The harness asked to pay ``txn_amt`` (any text) in ``currency`` (default CNY),
        whatever it answers."""
        return self.side.call(self.side.harness.pay(txn_amt, currency, expect_ok=False))

    def harness_refund(self, orig_order_id: str, txn_amt: str) -> HarnessAnswer:
        """The harness asked to refund ``orig_order_id``, whatever it answers."""
        return self.side.call(self.side.harness.refund(orig_order_id, txn_amt, expect_ok=False))

    def answer_next_order_naming_another(self) -> None:
        """The next SUBMIT_PAYMENT_ORDER is answered 00, signed and echoing its msgInfo, but
        naming an orderId the Industry Service never sent."""
        self.side.peer.override(SUBMIT, GatewayOverride(trx={"orderId": unknown_order_id()}))

    def check_reported_or_refused(self, answer: HarnessAnswer) -> None:
        """The harness reported UCSP's answer to the order it sent, or answered 424 with an
        error and the orderId (PAY-09: either reading of that answer is right)."""
        order_id = answer.data.get("orderId")
        mine = [e for e in self.submissions() if e.trx.get("orderId") == order_id]
        ensure(bool(mine), "PAY-09", f"the harness names no {SUBMIT} it sent ({order_id!r})")
        check_harness_reports_or_refuses(answer.status, answer.data, mine[-1].answer)

    def answer_badly_next_order(self) -> None:
        """The next SUBMIT_PAYMENT_ORDER gets an answer whose signature does not verify."""
        self.side.peer.override(
            SUBMIT, GatewayOverride(code="36", process=False, corrupt="signature")
        )


def unknown_order_id() -> str:
    return "NOSUCH" + secrets.token_hex(8).upper()
