"""Observation: what can be seen of a probe's transaction from outside the SUT, so that a
scenario compares it before and after the probe (did the SUT act on the message or not).

A UCSP under test is observed through inquiries (or a declined charge on a contract) and the
notices it sends about the transaction; an Industry Service under test through its harness
and the requests it sends about the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ucsp.envelope import format_time
from ucsp.flows.base import BaseFlow, trx_of
from ucsp.flows.probe_setup import DECLINED_AMOUNT, Probe, Watch, base_trx
from ucsp.journal import JournalEntry
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES


def mentions(trx: Mapping[str, Any], watch: Watch) -> bool:
    """Whether ``trx`` names the watched order, contract or user."""
    pairs = (
        ("orderId", watch.order_id),
        ("contractId", watch.contract_id),
        ("userId", watch.user_id),
    )
    return any(value and trx.get(name) == value for name, value in pairs)


class ProbeObserver(BaseFlow):
    """Observes a probe's transaction, without changing it."""

    async def observe(self, probe: Probe) -> dict[str, str]:
        """What can be seen of the probe's transaction from outside the SUT, now."""
        watch, seen = probe.watch, {}
        if watch.kind == "inquiry":
            seen["inquiry"] = await self._inquire("PAYMENT_RESULT_INQUIRY", watch)
        elif watch.kind == "reversal-inquiry":
            seen["inquiry"] = await self._inquire("REFUND_RESULT_INQUIRY", watch)
        elif watch.kind == "contract-charge":
            seen["charge"] = await self._charge(watch.contract_id)
        elif watch.kind == "order":
            seen["order"] = await self._harness_status(f"/harness/orders/{watch.order_id}")
        elif watch.kind == "contract":
            seen["contract"] = await self._harness_status(f"/harness/contracts/{watch.contract_id}")
        if self.role == "ucsp":
            seen["notices"] = str(len(self._received_about(NOTICE_TYPES, watch)))
        else:
            seen["requests"] = str(len(self._received_about(GATEWAY_TYPES, watch)))
        return seen

    async def _inquire(self, msg_type: str, watch: Watch) -> str:
        exchange = await self.industry_peer.request(
            msg_type, {"orderId": watch.order_id, "txnTime": watch.txn_time}
        )
        if not exchange.ok:
            return f"no valid answer ({exchange.error_kind})"
        status = exchange.trx_info.get("txnStatus")
        return f"code {exchange.code}" + (f", txnStatus {status}" if status else "")

    async def _charge(self, contract_id: str) -> str:
        """A declined charge (sandbox amount 01): 01 while the contract is active, 36 once
        closed; it changes nothing else."""
        trx = {
            "contractId": contract_id,
            "orderId": self.industry_peer.new_order_id(),
            **base_trx(self.d.target, self._txn_time(), DECLINED_AMOUNT),
        }
        exchange = await self.industry_peer.request("SUBMIT_AUTO_DEBIT", trx)
        return (
            f"code {exchange.code}" if exchange.ok else f"no valid answer ({exchange.error_kind})"
        )

    def _txn_time(self) -> str:
        return format_time(self.d.clock.now(), self.d.target.profile)

    async def _harness_status(self, path: str) -> str:
        answer = await self.harness.call("GET", path, expect_ok=False)
        if answer.status != 200:
            return f"HTTP {answer.status}"
        return str(answer.data.get("status"))

    def _received_about(self, types: tuple[str, ...], watch: Watch) -> list[JournalEntry]:
        """Messages of ``types`` the suite received that name the watched transaction."""
        return [
            e
            for e in self.d.peer_journal.select(direction="in")
            if e.msg_type in types and mentions(trx_of(e), watch)
        ]
