"""The two sides, and the one place the role under test chooses between them."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ucsp.checks import ensure
from ucsp.deployment import Deployment
from ucsp.drivers.harness import HarnessDriver
from ucsp.errors import ConfigError, SuiteError
from ucsp.journal import JournalEntry
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import UcspPeer
from ucsp.sides.payment import IndustryPayment, UcspPayment
from ucsp.sides.side import Side
from ucsp.transport import Exchange


class UcspUnderTest(Side):
    """A UCSP is under test: the suite plays the Industry Service through its peer, and
    observes the SUT through its answers, its notices and its answers to inquiries."""

    role = "ucsp"
    notice_direction = "in"
    wording = "--sut ucsp (a UCSP under test)"

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        if deployment.industry_peer is None:
            raise ConfigError("a UCSP under test needs the suite's Industry Service peer")
        self.peer: IndustryPeer = deployment.industry_peer

    def request(self, msg_type: str, trx: dict[str, Any]) -> Exchange:
        """The suite, as the Industry Service, sends ``msg_type`` with ``trx`` to the UCSP."""
        return self.call(self.peer.request(msg_type, trx))

    def first_notice(
        self, entries: list[JournalEntry], requirement: str, what: str
    ) -> JournalEntry:
        ensure(bool(entries), requirement, f"no {what} was delivered")
        return entries[0]

    @cached_property
    def payment(self) -> UcspPayment:
        return UcspPayment(self)


class IndustryUnderTest(Side):
    """An Industry Service is under test: the suite plays UCSP through its peer, makes the SUT
    act through its harness (or an operator), and observes it through the harness and the
    wire."""

    role = "industry"
    notice_direction = "out"
    wording = "--sut industry (an Industry Service under test)"

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        if deployment.ucsp_peer is None:
            raise ConfigError("an Industry Service under test needs the suite's UCSP peer")
        self.peer: UcspPeer = deployment.ucsp_peer

    @property
    def harness(self) -> HarnessDriver:
        if self.d.harness is None:
            raise ConfigError(
                "the Industry Service has no harness_url in the target file; "
                "this scenario needs the harness (see docs/harness.md)"
            )
        return self.d.harness

    def first_notice(
        self, entries: list[JournalEntry], requirement: str, what: str
    ) -> JournalEntry:
        if not entries:
            raise SuiteError(f"the suite playing UCSP sent no {what}")
        return entries[0]

    @cached_property
    def payment(self) -> IndustryPayment:
        return IndustryPayment(self)


SIDES: dict[str, type[Side]] = {"ucsp": UcspUnderTest, "industry": IndustryUnderTest}


def side_for(deployment: Deployment) -> Side:
    """The side of the suite for ``deployment``'s role under test."""
    return SIDES[deployment.role](deployment)
