"""The suite's counterpart of the system under test, as one object per role.

A scenario drives a :class:`Side`: :class:`~ucsp.sides.roles.UcspUnderTest` (the suite plays
the Industry Service) or :class:`~ucsp.sides.roles.IndustryUnderTest` (the suite plays UCSP).
Both offer the same domain actions and observations, grouped by area (``side.payment``,
``side.reversal``, ...), and each owns the requirement that each of its observations checks.
The role is chosen once (:func:`ucsp.sides.roles.side_for`); nothing else branches on it.

Every method is synchronous: the side is the one place that runs coroutines on the
deployment's event loop (:meth:`Side.call`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ucsp.deployment import Deployment
from ucsp.errors import AuthoringError
from ucsp.journal import Direction, Journal, JournalEntry, Match, about
from ucsp.target import Role, Target

if TYPE_CHECKING:
    from ucsp.sides.auto_debit import AutoDebit
    from ucsp.sides.inquiry import Inquiry
    from ucsp.sides.login import Login
    from ucsp.sides.notices import Notices
    from ucsp.sides.payment import Payment
    from ucsp.sides.probe import Probe
    from ucsp.sides.reversal import Reversal

T = TypeVar("T")
S = TypeVar("S", bound="Side")
DEFAULT_WAIT = 10.0  # protocol seconds a side waits for an exchange unless told otherwise
WAIT_SLACK = 2.0  # real seconds added to every wait, for loopback latency on a loaded machine


class Side(ABC):
    """What the suite can make happen and observe, whichever side is under test."""

    role: ClassVar[Role]
    notice_direction: ClassVar[Direction]  # notices are received ("in") or sent ("out")
    wording: ClassVar[str]  # how a step needing this side says so: "--sut ucsp"

    def __init__(self, deployment: Deployment) -> None:
        self.d = deployment
        self.target: Target = deployment.target
        self.journal: Journal = deployment.peer_journal

    def only(self, kind: type[S]) -> S:
        """This side as ``kind``; an authoring error when a step for the other role is used."""
        if not isinstance(self, kind):
            raise AuthoringError(f"this step applies only with {kind.wording}, not {self.wording}")
        return self

    # --- the event-loop bridge --------------------------------------------------------------

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        """Run ``coro`` on the deployment's loop and wait for its result."""
        return self.d.call(coro, timeout)

    def real_seconds(self, protocol: float | None = None) -> float:
        """A wait of ``protocol`` seconds (default 10) in real seconds, with loopback slack."""
        limit = protocol if protocol is not None else DEFAULT_WAIT
        return limit * self.target.time_scale + WAIT_SLACK

    def sleep(self, protocol_seconds: float) -> None:
        """Let ``protocol_seconds`` of protocol time pass (scaled by the deployment's clock)."""
        self.call(self.d.clock.sleep(protocol_seconds))

    # --- the journal ------------------------------------------------------------------------

    def entries(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Journal entries of ``msg_type`` whose trxInfo has the given values."""
        return [
            e
            for e in self.journal.select(msg_type)
            if all(e.trx.get(k) == v for k, v in trx.items())
        ]

    def wait_entry(self, match: Match, timeout: float | None = None) -> JournalEntry | None:
        """The first entry ``match`` accepts, once journaled (None when the wait ran out)."""
        return self.call(self.journal.wait_entry(match, self.real_seconds(timeout)))

    # --- notices: sent by the side playing UCSP ---------------------------------------------

    def _notice(self, msg_type: str, trx: dict[str, str]) -> Match:
        return about(msg_type, self.notice_direction, **trx)

    def notices_of(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Transmissions of ``msg_type`` notices with these trxInfo values by the side playing
        UCSP: the UCSP under test, or the suite as UCSP (its reference UCSP's notices and the
        ones it crafts)."""
        match = self._notice(msg_type, trx)
        return [e for e in self.journal.entries if match(e)]

    def wait_notices(
        self, msg_type: str, timeout: float | None = None, **trx: str
    ) -> list[JournalEntry]:
        """Wait for the first such notice, exchanged and answered; then every such notice so
        far ([] when none came)."""
        self.wait_entry(self._notice(msg_type, trx), timeout)
        return self.notices_of(msg_type, **trx)

    @abstractmethod
    def first_notice(
        self, entries: list[JournalEntry], requirement: str, what: str
    ) -> JournalEntry:
        """The first of ``entries`` (notices of the side playing UCSP). None at all is the UCSP
        under test breaking ``requirement``, or the suite playing UCSP failing to send its own
        notice (a suite error: no claim about the Industry Service under test)."""

    # --- the areas --------------------------------------------------------------------------

    @property
    @abstractmethod
    def payment(self) -> Payment: ...

    @property
    @abstractmethod
    def auto_debit(self) -> AutoDebit: ...

    @property
    @abstractmethod
    def notices(self) -> Notices: ...

    @property
    @abstractmethod
    def reversal(self) -> Reversal: ...

    @property
    @abstractmethod
    def login(self) -> Login: ...

    @property
    @abstractmethod
    def probe(self) -> Probe: ...

    @property
    @abstractmethod
    def inquiry(self) -> Inquiry: ...
