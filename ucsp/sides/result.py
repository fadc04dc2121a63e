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
from ucsp.checks.auto_debit import check_harness_reports, check_harness_status
from ucsp.checks.messages import check_code, check_valid_answer
from ucsp.checks.reversal import check_harness_mirrors
from ucsp.transport import Exchange


class Evidence(ABC):
    @abstractmethod
    def check(self, requirement: str) -> None:
        """Raise a violation when this evidence cannot be believed; ``requirement`` is the
        rule a report of it falls under."""

    def told(self, what: str) -> str:
        """How a violation names where ``what`` (e.g. "the answer to X") was read."""
        return what


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


@dataclass(frozen=True)
class Relayed(Evidence):
    """The harness's report of a request the Industry Service under test sent, beside the
    code UCSP answered that request with: the report must name its orderId and mirror that
    code."""

    report: Mapping[str, Any]
    ucsp_code: str | None
    msg_type: str

    def check(self, requirement: str) -> None:
        check_harness_mirrors(self.report, self.ucsp_code, self.msg_type, requirement)


@dataclass(frozen=True)
class Mirrored(Evidence):
    """The harness's answer (HTTP ``status``, ``report``) when it had the Industry Service
    under test send ``msg_type``, beside UCSP's answer to that request (``ucsp_answer``, {}
    when none was journaled): the harness must answer 200 and report UCSP's responseCode and
    the trxInfo values ``keys`` of its answer."""

    msg_type: str
    status: int
    report: Mapping[str, Any]
    ucsp_answer: Mapping[str, Any]
    keys: tuple[str, ...] = ()

    def check(self, requirement: str) -> None:
        check_harness_status(self.status, f"the answer to {self.msg_type}", requirement)
        check_harness_reports(self.report, self.ucsp_answer, self.keys, requirement)

    @property
    def ucsp_said(self) -> str | None:
        """The responseMsg of UCSP's answer."""
        response = self.ucsp_answer.get("msgResponse")
        said = response.get("responseMsg") if isinstance(response, dict) else None
        return said if isinstance(said, str) else None

    def told(self, what: str) -> str:
        return f"the harness report ({what}: {self.ucsp_said!r})"


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

    def check_answered(self, code: str, requirement: str, what: str) -> None:
        """Believable, and answered ``code``: else a violation of ``requirement``."""
        if self.evidence is not None:
            self.evidence.check(requirement)
            what = self.evidence.told(what)
        check_code(self.code, code, requirement, what)
