"""What an action of the suite or of the SUT produced, with the evidence to believe it.

One result type, :class:`Order`, carries the code, the trxInfo and the evidence it came from:
the SUT's own answer to the suite's request (:class:`Answered`), or the Industry Service
harness's report of the answer UCSP gave it (:class:`Reported`). Each evidence type knows the
checks that make it believable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ucsp.checks import ensure
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.transport import Exchange


class Evidence(ABC):
    @abstractmethod
    def check(self, requirement: str) -> None:
        """Raise a violation when this evidence cannot be believed; ``requirement`` is the
        rule a report of it falls under."""


@dataclass(frozen=True)
class Answered(Evidence):
    """The SUT's own answer to the suite's request."""

    exchange: Exchange

    def check(self, requirement: str) -> None:
        check_valid_answer(self.exchange)


@dataclass(frozen=True)
class Reported(Evidence):
    """The harness's report of what the Industry Service under test did."""

    report: Mapping[str, Any]

    def check(self, requirement: str) -> None:
        order_id = self.report.get("orderId")
        ensure(
            isinstance(order_id, str) and bool(order_id),
            requirement,
            f"the harness's report {dict(self.report)!r} names no orderId",
        )


@dataclass
class Order:
    """An order (payment, auto-debit, cancellation or refund) as the scenario knows it."""

    order_id: str
    txn_amt: str
    currency: str
    txn_time: str = ""
    code: str | None = None  # code of the synchronous answer
    trx_info: dict[str, Any] = field(default_factory=dict)  # answer's trxInfo
    evidence: Evidence | None = None

    @property
    def payment_url(self) -> str | None:
        value = self.trx_info.get("paymentUrl")
        return value if isinstance(value, str) else None

    @property
    def exchange(self) -> Exchange | None:
        """The suite's own request and the SUT's answer, when the suite sent it."""
        return self.evidence.exchange if isinstance(self.evidence, Answered) else None

    @exchange.setter
    def exchange(self, exchange: Exchange) -> None:
        self.evidence = Answered(exchange)

    def check_answered(self, code: str, requirement: str, what: str) -> None:
        """Believable, and answered ``code``: else a violation of ``requirement``."""
        if self.evidence is not None:
            self.evidence.check(requirement)
        check_code(self.code, code, requirement, what)
