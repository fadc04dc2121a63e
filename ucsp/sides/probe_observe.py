"""Observation: what can be seen of a probe's transaction from outside the SUT, so that a
scenario compares it before and after the probe (did the SUT act on the message or not).

A UCSP under test is observed through inquiries (or a declined charge on a contract) and the
notices it sends about the transaction (:class:`UcspObserver`); an Industry Service under
test through its harness and the requests it sends about the transaction
(:class:`IndustryObserver`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ucsp.drivers.harness import HarnessAnswer
from ucsp.envelope import format_time
from ucsp.journal import JournalEntry
from ucsp.messages import GATEWAY_TYPES, NOTICE_TYPES, MsgType
from ucsp.sides.probe_setup import DECLINED_AMOUNT, ProbeMessage, Watch, base_trx

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side


def mentions(trx: Mapping[str, Any], watch: Watch) -> bool:
    """Whether ``trx`` names the watched order, contract or user."""
    pairs = (
        ("orderId", watch.order_id),
        ("contractId", watch.contract_id),
        ("userId", watch.user_id),
    )
    return any(value and trx.get(name) == value for name, value in pairs)


class Observer(ABC):
    """Observes a probe's transaction, without changing it."""

    received: ClassVar[str]  # the name of the count of messages received about it
    received_types: ClassVar[tuple[str, ...]]  # the messages the SUT sends about it

    def __init__(self, side: Side) -> None:
        self.side = side

    def observe(self, probe: ProbeMessage) -> dict[str, str]:
        """What can be seen of the probe's transaction from outside the SUT, now."""
        seen = self.look(probe.watch)
        seen[self.received] = str(len(self._received_about(probe.watch)))
        return seen

    @abstractmethod
    def look(self, watch: Watch) -> dict[str, str]:
        """The SUT's own account of the watched transaction."""

    def _received_about(self, watch: Watch) -> list[JournalEntry]:
        """Messages the suite received from the SUT that name the watched transaction."""
        return [
            e
            for e in self.side.journal.select(direction="in")
            if e.msg_type in self.received_types and mentions(e.trx, watch)
        ]


class UcspObserver(Observer):
    """A UCSP under test, through inquiries, a declined charge, and the notices it sends."""

    received = "notices"
    received_types = NOTICE_TYPES
    side: UcspUnderTest

    def look(self, watch: Watch) -> dict[str, str]:
        if watch.kind == "inquiry":
            return {"inquiry": self._inquire(MsgType.PAYMENT_RESULT_INQUIRY, watch)}
        if watch.kind == "reversal-inquiry":
            return {"inquiry": self._inquire(MsgType.REFUND_RESULT_INQUIRY, watch)}
        if watch.kind == "contract-charge":
            return {"charge": self._charge(watch.contract_id)}
        return {}

    def _inquire(self, msg_type: str, watch: Watch) -> str:
        exchange = self.side.request(
            msg_type, {"orderId": watch.order_id, "txnTime": watch.txn_time}
        )
        if not exchange.ok:
            return f"no valid answer ({exchange.error_kind})"
        status = exchange.trx_info.get("txnStatus")
        return f"code {exchange.code}" + (f", txnStatus {status}" if status else "")

    def _charge(self, contract_id: str) -> str:
        """A declined charge (sandbox amount 01): 01 while the contract is active, 36 once
        closed; it changes nothing else."""
        target = self.side.target
        trx = {
            "contractId": contract_id,
            "orderId": self.side.peer.new_order_id(),
            **base_trx(
                target, format_time(self.side.d.clock.now(), target.profile), DECLINED_AMOUNT
            ),
        }
        exchange = self.side.request(MsgType.SUBMIT_AUTO_DEBIT, trx)
        return (
            f"code {exchange.code}" if exchange.ok else f"no valid answer ({exchange.error_kind})"
        )


class IndustryObserver(Observer):
    """An Industry Service under test, through its harness and the requests it sends."""

    received = "requests"
    received_types = GATEWAY_TYPES
    side: IndustryUnderTest

    def look(self, watch: Watch) -> dict[str, str]:
        if watch.kind == "order":
            return {"order": self._order_status(watch.order_id)}
        if watch.kind == "contract":
            return {"contract": self._contract_status(watch.contract_id)}
        return {}

    def _order_status(self, order_id: str) -> str:
        return self._status(
            self.side.call(self.side.harness.order_record(order_id, expect_ok=False))
        )

    def _contract_status(self, contract_id: str) -> str:
        record = self.side.harness.contract_record(contract_id, expect_ok=False)
        return self._status(self.side.call(record))

    @staticmethod
    def _status(answer: HarnessAnswer) -> str:
        if answer.status != 200:
            return f"HTTP {answer.status}"
        return str(answer.data.get("status"))
