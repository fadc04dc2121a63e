"""Orders, payments and notices: the building blocks every area's flows share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ucsp.deployment import Deployment
from ucsp.drivers.harness import HarnessDriver
from ucsp.errors import ConfigError
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import UcspPeer
from ucsp.sim.journal import JournalEntry
from ucsp.transport import Exchange


@dataclass
class Order:
    """An order (payment, auto-debit, cancellation or refund) as the scenario knows it."""

    order_id: str
    txn_amt: str
    currency: str
    txn_time: str = ""
    code: str | None = None  # code of the synchronous answer
    trx_info: dict[str, Any] = field(default_factory=dict)  # answer's trxInfo
    exchange: Exchange | None = None  # the suite's own request (UCSP under test)

    @property
    def payment_url(self) -> str | None:
        value = self.trx_info.get("paymentUrl")
        return value if isinstance(value, str) else None


def message_of(entry: JournalEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.request)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def trx_of(entry: JournalEntry) -> dict[str, Any]:
    trx = message_of(entry).get("trxInfo")
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

    async def wait_entries(
        self, msg_type: str, count: int = 1, timeout: float | None = None, **trx: str
    ) -> list[JournalEntry]:
        """Wait (protocol time, scaled) until ``count`` matching entries are journaled."""
        limit = timeout if timeout is not None else 10.0
        await self.d.peer_journal.wait_for(
            lambda _: len(self.entries(msg_type, **trx)) >= count,
            limit * self.d.target.time_scale + 2.0,
        )
        return self.entries(msg_type, **trx)
