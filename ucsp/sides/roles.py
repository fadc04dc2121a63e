"""The two sides, and the one place the role under test chooses between them."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ucsp.checks import ensure
from ucsp.checks.notices import check_notice_answered_by_industry
from ucsp.deployment import Deployment, IndustryDeployment, UcspDeployment
from ucsp.drivers.harness import HarnessDriver
from ucsp.errors import SuiteError
from ucsp.journal import JournalEntry, exchange_of
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import UcspPeer
from ucsp.sides import scripted_answers
from ucsp.sides.auto_debit_industry import IndustryAutoDebit
from ucsp.sides.auto_debit_ucsp import UcspAutoDebit
from ucsp.sides.inquiry_industry import IndustryInquiry
from ucsp.sides.inquiry_ucsp import UcspInquiry
from ucsp.sides.login import IndustryLogin, UcspLogin
from ucsp.sides.notices import IndustryNotices, UcspNotices
from ucsp.sides.payment import IndustryPayment, UcspPayment
from ucsp.sides.probe import IndustryProbe, UcspProbe
from ucsp.sides.reversal_industry import IndustryReversal
from ucsp.sides.reversal_ucsp import UcspReversal
from ucsp.sides.side import DEFAULT_WAIT, Side
from ucsp.transport import Exchange


class UcspUnderTest(Side):
    """A UCSP is under test: the suite plays the Industry Service through its peer, and
    observes the SUT through its answers, its notices and its answers to inquiries."""

    role = "ucsp"
    notice_direction = "in"
    wording = "--sut ucsp (a UCSP under test)"

    def __init__(self, deployment: UcspDeployment) -> None:
        super().__init__(deployment)
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

    @cached_property
    def auto_debit(self) -> UcspAutoDebit:
        return UcspAutoDebit(self)

    @cached_property
    def notices(self) -> UcspNotices:
        return UcspNotices(self)

    @cached_property
    def reversal(self) -> UcspReversal:
        return UcspReversal(self)

    @cached_property
    def login(self) -> UcspLogin:
        return UcspLogin(self)

    @cached_property
    def probe(self) -> UcspProbe:
        return UcspProbe(self)

    @cached_property
    def inquiry(self) -> UcspInquiry:
        return UcspInquiry(self)


class IndustryUnderTest(Side):
    """An Industry Service is under test: the suite plays UCSP through its peer, makes the SUT
    act through its harness (or an operator), and observes it through the harness and the
    wire."""

    role = "industry"
    notice_direction = "out"
    wording = "--sut industry (an Industry Service under test)"

    def __init__(self, deployment: IndustryDeployment) -> None:
        super().__init__(deployment)
        self.peer: UcspPeer = deployment.ucsp_peer
        self.harness: HarnessDriver = deployment.harness

    def first_notice(
        self, entries: list[JournalEntry], requirement: str, what: str
    ) -> JournalEntry:
        if not entries:
            raise SuiteError(f"the suite playing UCSP sent no {what}")
        return entries[0]

    # --- notices the suite, as UCSP, held back ----------------------------------------------

    async def held_notices(self, within: float | None = None, **trx: str) -> list[str]:
        """The msgIDs of the held notices whose trxInfo has these values (``orderId=...``,
        ``userId=...``), once UCSP has produced one (waiting ``within`` protocol seconds, by
        default the schedule's last slot)."""
        limit = self.target.profile.schedule[-1] if within is None else within
        held = await self.peer.wait_held_notices(
            lambda notice: _has_values(notice, trx), self.real_seconds(limit)
        )
        if not held:
            named = ", ".join(f"{k} {v}" for k, v in trx.items())
            raise SuiteError(f"UCSP produced no notice of {named} to hold")
        return held

    async def delivered(
        self, msg_ids: list[str], within: float | None = None
    ) -> list[JournalEntry]:
        """Release the held notices ``msg_ids``; their exchanges, each waited for by its
        msgID until the Industry Service answered it (a notice the suite crafted about the
        same order does not count). Other held notices stay held."""
        limit = self.real_seconds(within)
        released = self.peer.release_held(msg_ids)
        found = [await self.journal.wait_entry(exchange_of(m, "out"), limit) for m in released]
        delivered = [entry for entry in found if entry is not None]
        if len(delivered) < len(released):
            raise SuiteError(f"a released notice ({', '.join(released)}) never went out")
        return delivered

    def release_held(self, rule: str | None, **trx: str) -> list[JournalEntry]:
        """Let the held notices whose trxInfo has these values go, once UCSP has produced
        one, each waited for until the Industry Service answered it (at most the schedule's
        last slot); the last must be answered 00, under ``rule`` (None: judged elsewhere)."""
        within = max(self.target.profile.schedule[-1], DEFAULT_WAIT)
        delivered = self.call(self.delivered(self.call(self.held_notices(within, **trx)), within))
        if rule is not None:
            check_notice_answered_by_industry(delivered[-1], self.target, "00", rule)
        return delivered

    @cached_property
    def payment(self) -> IndustryPayment:
        return IndustryPayment(self)

    @cached_property
    def auto_debit(self) -> IndustryAutoDebit:
        return IndustryAutoDebit(self)

    @cached_property
    def notices(self) -> IndustryNotices:
        return IndustryNotices(self)

    @cached_property
    def reversal(self) -> IndustryReversal:
        return IndustryReversal(self)

    @cached_property
    def login(self) -> IndustryLogin:
        return IndustryLogin(self)

    @cached_property
    def probe(self) -> IndustryProbe:
        return IndustryProbe(self)

    @cached_property
    def inquiry(self) -> IndustryInquiry:
        return IndustryInquiry(self)

    def answer_next(self, request: str, text: str) -> None:
        """The suite, as UCSP, answers the IS's next ``request`` (cancellation, refund or
        charge) as ``text`` says (:mod:`ucsp.sides.scripted_answers`)."""
        scripted_answers.answer_next(self, request, text)


SIDES: dict[str, type[Side]] = {"ucsp": UcspUnderTest, "industry": IndustryUnderTest}


def side_for(deployment: Deployment) -> Side:
    """The side of the suite for ``deployment``'s role under test."""
    return SIDES[deployment.role](deployment)


def _has_values(message: dict[str, Any], values: dict[str, str]) -> bool:
    trx = message.get("trxInfo")
    return isinstance(trx, dict) and all(trx.get(k) == v for k, v in values.items())
