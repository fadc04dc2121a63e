"""Frontend payment: submit an order, pay at the cashier, follow the result."""

from __future__ import annotations

from typing import Any

from ucsp.checks import RequirementViolation
from ucsp.flows.base import BaseFlow, Order, trx_of
from ucsp.sim.journal import JournalEntry

NOTICE = "PAYMENT_RESULT_NOTICE"


class PaymentFlow(BaseFlow):
    async def submit_order(self, txn_amt: str, currency: str) -> Order:
        """The Industry Service submits an order (the suite itself, or the SUT via harness)."""
        if self.role == "ucsp":
            peer = self.industry_peer
            info = self.d.target.industry
            order = Order(peer.new_order_id(), txn_amt, currency, peer.txn_time())
            exchange = await peer.request(
                "SUBMIT_PAYMENT_ORDER",
                {
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
        answer = await self.harness.pay(txn_amt, currency)
        data = answer.data
        order = Order(
            str(data.get("orderId", "")),
            txn_amt,
            currency,
            code=data.get("responseCode"),
            trx_info={k: v for k, v in data.items() if k in ("tn", "paymentUrl")},
        )
        sent = self.entries("SUBMIT_PAYMENT_ORDER", orderId=order.order_id)
        if sent:
            order.txn_time = str(trx_of(sent[-1]).get("txnTime", ""))
        return order

    async def pay(self, order: Order, result: str = "00") -> dict[str, Any]:
        """The user pays (00) or fails to pay (01) at the cashier behind the paymentUrl."""
        if not order.payment_url:
            raise RequirementViolation("PAY-01", f"order {order.order_id} has no paymentUrl")
        assert self.d.http is not None
        answer = await self.d.http.post(order.payment_url, data={"result": result})
        if answer.status_code != 200:
            raise RequirementViolation(
                "PAY-06", f"the cashier answered HTTP {answer.status_code} to result={result}"
            )
        body: dict[str, Any] = answer.json()
        return body

    async def notices(self, order: Order, count: int = 1) -> list[JournalEntry]:
        """PAYMENT_RESULT_NOTICE transmissions of ``order``, waiting for ``count`` of them."""
        entries = await self.wait_entries(NOTICE, count, orderId=order.order_id)
        return [e for e in entries if e.direction == ("in" if self.role == "ucsp" else "out")]

    async def status(self, order: Order) -> str:
        """How the SUT records the order: harness status (IS) or inquiry txnStatus (UCSP)."""
        if self.role == "industry":
            return str((await self.harness.order(order.order_id)).get("status"))
        exchange = await self.industry_peer.request(
            "PAYMENT_RESULT_INQUIRY", {"orderId": order.order_id, "txnTime": order.txn_time}
        )
        status = exchange.trx_info.get("txnStatus")
        return {"00": "SUCCEEDED", "01": "FAILED", "05": "PENDING"}.get(str(status), str(status))
