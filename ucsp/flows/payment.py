"""Frontend payment: submit an order, pay at the cashier, follow the result."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from ucsp.checks import RequirementViolation, ensure
from ucsp.checks.messages import check_valid_answer
from ucsp.drivers.harness import HarnessAnswer
from ucsp.flows.base import BaseFlow, Order, trx_of
from ucsp.journal import JournalEntry
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.transport import Exchange

NOTICE = "PAYMENT_RESULT_NOTICE"
SUBMIT = "SUBMIT_PAYMENT_ORDER"
INQUIRY = "PAYMENT_RESULT_INQUIRY"
REFUND = "PAYMENT_REFUND"
RECORDED = {"00": "SUCCEEDED", "01": "FAILED", "05": "PENDING"}
# the rule an order submission's outcome (its code, tn and paymentUrl) checks, per role under
# test: the UCSP's answer, or the Industry Service relaying it through its harness
SUBMIT_RULE = {"ucsp": "PAY-01", "industry": "PAY-07"}
# the rule a refused cashier POST breaks: the UCSP's hook, or the paymentUrl the IS relayed
CASHIER_RULE = {"ucsp": "PAY-06", "industry": "PAY-07"}


@dataclass(frozen=True)
class HookAnswer:
    """What a sandbox hook (or the cashier page) answered the browser."""

    status: int
    content_type: str
    text: str
    data: dict[str, Any]


def _unlike(value: str, length: int) -> str:
    """A value of ``length`` digits that is not ``value``."""
    candidate = "9" * length
    return candidate if candidate != value else "8" * length


class PaymentFlow(BaseFlow):
    # --- the Industry Service submits -------------------------------------------------------

    async def submit_order(
        self,
        txn_amt: str,
        currency: str,
        back_url: str | None = None,
        changes: dict[str, str] | None = None,
    ) -> Order:
        """The Industry Service submits an order (the suite itself, or the SUT via harness).

        ``back_url`` and ``changes`` (other trxInfo values) only apply when the suite plays the
        Industry Service.
        """
        if self.role == "ucsp":
            peer = self.industry_peer
            info = self.d.target.industry
            order = Order(peer.new_order_id(), txn_amt, currency, peer.txn_time())
            trx = {
                "orderId": order.order_id,
                "merId": info.mer_id,
                "acqIIN": info.acq_iin,
                "txnAmt": txn_amt,
                "currencyCode": currency,
                "txnTime": order.txn_time,
            }
            if back_url is not None:
                trx["backUrl"] = back_url
            trx.update(changes or {})
            exchange = await peer.request(SUBMIT, trx)
            order.exchange, order.code, order.trx_info = exchange, exchange.code, exchange.trx_info
            return order
        answer = await self.harness.pay(txn_amt, currency)
        data = answer.data
        order = Order(
            str(data.get("orderId", "")),
            txn_amt,
            currency,
            code=data.get("responseCode"),
            trx_info={k: v for k, v in data.items() if k in ("tn", "paymentUrl")},
        )
        sent = self.entries(SUBMIT, orderId=order.order_id)
        if sent:
            order.txn_time = str(trx_of(sent[-1]).get("txnTime", ""))
        return order

    async def submit_with_unknown(self, txn_amt: str, currency: str, field: str) -> Order:
        """An order whose merId or acqIIN the UCSP does not know (suite as Industry Service)."""
        info = self.d.target.industry
        known = {"merId": info.mer_id, "acqIIN": info.acq_iin}
        if field not in known:
            raise ValueError(f"no unknown {field} can be made: use merId or acqIIN")
        value = _unlike(known[field], len(known[field]))
        return await self.submit_order(txn_amt, currency, changes={field: value})

    async def paid_order(self, txn_amt: str, currency: str) -> Order:
        """An order submitted, paid at the cashier, and its result notice delivered."""
        order = await self.submit_order(txn_amt, currency)
        if order.exchange is not None:
            check_valid_answer(order.exchange)
        ensure(
            order.code == "00",
            SUBMIT_RULE[self.role],
            f"the order was answered {order.code!r}, expected 00",
        )
        await self.pay(order, "00")
        delivered = await self.notices(order)
        self.first_notice(delivered, "PAY-05", f"{NOTICE} for order {order.order_id}")
        return order

    def sent_trx(self, order: Order) -> dict[str, Any]:
        """The trxInfo the suite sent for ``order`` (suite as Industry Service)."""
        if order.exchange is None:
            raise ValueError("the order was not sent by the suite")
        trx = order.exchange.request_message.get("trxInfo")
        return dict(trx) if isinstance(trx, dict) else {}

    async def resubmit(self, order: Order, **changes: str) -> Exchange:
        """The same order again (same orderId), with ``changes``, in a fresh envelope."""
        return await self.industry_peer.request(SUBMIT, {**self.sent_trx(order), **changes})

    async def refund_request(self, original: Order, txn_amt: str, order_id: str) -> Exchange:
        """PAYMENT_REFUND of ``original`` under ``order_id`` (suite as Industry Service)."""
        peer = self.industry_peer
        return await peer.request(
            REFUND,
            {
                "orderId": order_id,
                "txnTime": peer.txn_time(),
                "origQryId": self.query_id(original),
                "txnAmt": txn_amt,
            },
        )

    def new_order_id(self) -> str:
        return self.industry_peer.new_order_id()

    def query_id(self, order: Order) -> str:
        """The queryId the UCSP gave ``order`` in its result notice."""
        for item in self.notices_of(NOTICE, orderId=order.order_id):
            value = trx_of(item).get("queryId")
            if isinstance(value, str) and value:
                return value
        raise RequirementViolation("PAY-05", f"no result notice of {order.order_id} has a queryId")

    async def inquire(self, order: Order) -> Exchange:
        """PAYMENT_RESULT_INQUIRY for ``order`` (suite as Industry Service)."""
        return await self.industry_peer.request(
            INQUIRY, {"orderId": order.order_id, "txnTime": order.txn_time}
        )

    # --- the cashier --------------------------------------------------------------------------

    async def pay(self, order: Order, result: str = "00") -> dict[str, Any]:
        """The user pays (00) or fails to pay (01) at the cashier behind the paymentUrl."""
        answer = await self.post_cashier(order, result)
        ensure(
            answer.status == 200,
            CASHIER_RULE[self.role],
            f"the cashier answered HTTP {answer.status} to result={result}",
        )
        return answer.data

    async def pay_notified(self, order: Order, result: str = "00") -> dict[str, Any]:
        """The user pays at the cashier; back once the order's first result notice has been
        exchanged (or the wait ran out: what follows judges that). The cashier answers after
        the notice's first transmission at the latest, which may have timed out on a loaded
        machine before the notice was answered: what follows must still see it."""
        answer = await self.pay(order, result)
        await self.notices(order)
        return answer

    def cashier_url(self, order: Order, unknown_tn: bool = False) -> str:
        ensure(
            bool(order.payment_url),
            SUBMIT_RULE[self.role],
            f"order {order.order_id} has no paymentUrl",
        )
        assert order.payment_url is not None
        if not unknown_tn:
            return order.payment_url
        tn = str(order.trx_info.get("tn", ""))
        if not tn or tn not in order.payment_url:
            raise ValueError("the paymentUrl does not contain the tn: cannot make an unknown one")
        other = secrets.token_hex(max(len(tn), 2) // 2 + 1)[: len(tn)]
        return order.payment_url.replace(tn, other)

    async def post_cashier(self, order: Order, result: str, unknown_tn: bool = False) -> HookAnswer:
        """POST the form field ``result`` to the cashier of ``order`` (or of an unknown tn)."""
        assert self.d.http is not None
        answer = await self.d.http.post(
            self.cashier_url(order, unknown_tn), data={"result": result}
        )
        return _hook_answer(answer.status_code, answer.headers.get("content-type", ""), answer.text)

    async def open_cashier(self, order: Order) -> HookAnswer:
        """GET the cashier page of ``order``."""
        assert self.d.http is not None
        answer = await self.d.http.get(self.cashier_url(order))
        return _hook_answer(answer.status_code, answer.headers.get("content-type", ""), answer.text)

    # --- what happened ------------------------------------------------------------------------

    async def notices(self, order: Order) -> list[JournalEntry]:
        """PAYMENT_RESULT_NOTICE transmissions of ``order`` by the side playing UCSP, once the
        first has been exchanged."""
        return await self.wait_notices(NOTICE, orderId=order.order_id)

    def notices_now(self, order: Order) -> list[JournalEntry]:
        """The same, without waiting."""
        return self.notices_of(NOTICE, orderId=order.order_id)

    async def quiet_period(self) -> None:
        """Wait past the first retry slot of the schedule (late bound plus timing slack)."""
        target, profile = self.d.target, self.d.target.profile
        slot = profile.schedule[1] if len(profile.schedule) > 1 else 0.0
        await self.d.clock.sleep(
            slot * (1 + profile.late_tolerance) + target.timing_slack / target.time_scale
        )

    async def status(self, order: Order) -> str:
        """How the SUT records the order: harness status (IS) or inquiry txnStatus (UCSP)."""
        if self.role == "industry":
            return str((await self.harness.order(order.order_id)).get("status"))
        exchange = await self.inquire(order)
        status = exchange.trx_info.get("txnStatus")
        return RECORDED.get(str(status), str(status))

    def submissions(self) -> list[JournalEntry]:
        """SUBMIT_PAYMENT_ORDER requests the Industry Service under test sent to the suite."""
        return [e for e in self.d.peer_journal.select(SUBMIT, "in") if e.status is not None]

    def sent(self, msg_type: str) -> list[JournalEntry]:
        """Requests of ``msg_type`` the Industry Service under test sent to the suite."""
        return self.d.peer_journal.select(msg_type, "in")

    # --- the Industry Service's harness -------------------------------------------------------

    async def harness_pay_raw(self, txn_amt: str) -> HarnessAnswer:
        return await self.harness.call(
            "POST", "/harness/payments", {"txnAmt": txn_amt, "currencyCode": "156"}, False
        )

    async def harness_refund_raw(self, orig_order_id: str, txn_amt: str) -> HarnessAnswer:
        return await self.harness.call(
            "POST",
            "/harness/refunds",
            {"origOrderId": orig_order_id, "txnAmt": txn_amt},
            False,
        )

    def unknown_order_id(self) -> str:
        return "NOSUCH" + secrets.token_hex(8).upper()

    def answer_badly_next_order(self) -> None:
        """The next SUBMIT_PAYMENT_ORDER gets an answer whose signature does not verify."""
        self.ucsp_peer.override(
            SUBMIT, GatewayOverride(code="36", process=False, corrupt="signature")
        )


def answer_of(entry: JournalEntry) -> dict[str, Any]:
    """The parsed answer recorded in ``entry`` ({} when there is none or it is not JSON)."""
    return _json_object(entry.response.decode("utf-8", "replace") if entry.response else "")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _hook_answer(status: int, content_type: str, text: str) -> HookAnswer:
    data = _json_object(text) if content_type.startswith("application/json") else {}
    return HookAnswer(status, content_type, text, data)
