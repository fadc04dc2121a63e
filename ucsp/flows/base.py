"""Orders, payments and notices: the building blocks every area's flows share."""

from __future__ import annotations

import json
from typing import Any

from ucsp.checks import ensure
from ucsp.deployment import Deployment
from ucsp.drivers.harness import HarnessDriver
from ucsp.errors import ConfigError, SuiteError
from ucsp.journal import Direction, JournalEntry, Match, about, exchange_of
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import UcspPeer
from ucsp.sides.result import Order

__all__ = ["Order"]

DEFAULT_WAIT = 10.0  # protocol seconds a flow waits for an exchange unless told otherwise
WAIT_SLACK = 2.0  # real seconds added to every wait, for loopback latency on a loaded machine


def message_of(entry: JournalEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.request)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def trx_of(entry: JournalEntry) -> dict[str, Any]:
    return trx_of_message(message_of(entry))


def trx_of_message(message: dict[str, Any]) -> dict[str, Any]:
    trx = message.get("trxInfo")
    return trx if isinstance(trx, dict) else {}


class BaseFlow:
    """Access to the deployment's parts, with clear errors when one is missing."""

    def __init__(self, deployment: Deployment) -> None:
        self.d = deployment

    @property
    def role(self) -> str:
        return self.d.role

    @property
    def industry_peer(self) -> IndustryPeer:
        if self.d.industry_peer is None:
            raise ConfigError("this step needs the suite to play the Industry Service (--sut ucsp)")
        return self.d.industry_peer

    @property
    def ucsp_peer(self) -> UcspPeer:
        if self.d.ucsp_peer is None:
            raise ConfigError("this step needs the suite to play UCSP (--sut industry)")
        return self.d.ucsp_peer

    @property
    def harness(self) -> HarnessDriver:
        if self.d.harness is None:
            raise ConfigError(
                "the Industry Service has no harness_url in the target file; "
                "this scenario needs the harness (see docs/harness.md)"
            )
        return self.d.harness

    def entries(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Journal entries of ``msg_type`` whose trxInfo has the given values."""
        return [
            e
            for e in self.d.peer_journal.select(msg_type)
            if all(trx_of(e).get(k) == v for k, v in trx.items())
        ]

    def real_seconds(self, protocol: float | None = None) -> float:
        """A wait of ``protocol`` seconds (default 10) in real seconds, with loopback slack."""
        limit = protocol if protocol is not None else DEFAULT_WAIT
        return limit * self.d.target.time_scale + WAIT_SLACK

    # --- notices: sent by the side playing UCSP ----------------------------------------------

    @property
    def notice_direction(self) -> Direction:
        """Notices are received by the suite (UCSP under test) or sent by it (IS under test)."""
        return "in" if self.role == "ucsp" else "out"

    def _notice(self, msg_type: str, trx: dict[str, str]) -> Match:
        return about(msg_type, self.notice_direction, **trx)

    def notices_of(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Transmissions of ``msg_type`` notices with these trxInfo values by the side playing
        UCSP: the UCSP under test, or the suite as UCSP (its reference UCSP's notices and the
        ones it crafts). To wait for one of them in particular, use :meth:`wait_exchanges`
        with its msgID."""
        match = self._notice(msg_type, trx)
        return [e for e in self.d.peer_journal.entries if match(e)]

    def first_notice(
        self, entries: list[JournalEntry], requirement: str, what: str
    ) -> JournalEntry:
        """The first of ``entries`` (notices of the side playing UCSP). None at all is the UCSP
        under test breaking ``requirement``, or the suite playing UCSP failing to send its own
        notice (a suite error: no claim about the Industry Service under test)."""
        if self.role == "ucsp":
            ensure(bool(entries), requirement, f"no {what} was delivered")
        if not entries:
            raise SuiteError(f"the suite playing UCSP sent no {what}")
        return entries[0]

    async def wait_notices(
        self, msg_type: str, timeout: float | None = None, **trx: str
    ) -> list[JournalEntry]:
        """Wait (``timeout`` protocol seconds, scaled) for the first such notice, exchanged
        and answered; then every such notice so far ([] when none came)."""
        await self.d.peer_journal.wait_entry(
            self._notice(msg_type, trx), self.real_seconds(timeout)
        )
        return self.notices_of(msg_type, **trx)

    async def wait_exchanges(
        self, msg_ids: list[str], direction: Direction, timeout: float | None = None
    ) -> list[JournalEntry]:
        """Wait for the exchange of each message of ``msg_ids`` (sent or received as
        ``direction``) to be journaled; the entries, in that order (missing ones left out)."""
        journal, limit = self.d.peer_journal, self.real_seconds(timeout)
        found = []
        for msg_id in msg_ids:
            entry = await journal.wait_entry(exchange_of(msg_id, direction), limit)
            if entry is not None:
                found.append(entry)
        return found
