"""Fakes the unit tests of the Sides share: a deployment reduced to what a side reads, and the
suite's UCSP peer reduced to its journal and its held notices."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from ucsp.deployment import Deployment
from ucsp.journal import Journal, Waiters


class FakeUcspPeer:
    """The suite's UCSP peer, reduced to its journal, its held notices and the notices on
    their way."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.held: list[dict[str, Any]] = []
        self.holding = Waiters()
        self.released: list[str] = []
        self.gate = SimpleNamespace(sending=[])  # notices gone out, their answers not journaled

    def hold(self, notice: dict[str, Any]) -> None:
        self.held.append(notice)
        self.holding.notify()

    def held_notice_ids(self, match: Callable[[dict[str, Any]], bool]) -> list[str]:
        return [str(n["msgInfo"]["msgID"]) for n in self.held if match(n)]

    async def wait_held_notices(
        self, match: Callable[[dict[str, Any]], bool], timeout: float
    ) -> list[str]:
        await self.holding.wait(lambda: bool(self.held_notice_ids(match)), timeout)
        return self.held_notice_ids(match)

    def release_held(self, msg_ids: list[str]) -> list[str]:
        self.released.extend(msg_ids)
        self.held = [n for n in self.held if n["msgInfo"]["msgID"] not in msg_ids]
        return msg_ids


def fake_deployment(role: str, peer: FakeUcspPeer | None = None, **target: Any) -> Deployment:
    """A deployment for ``role`` whose peer (either role's) is ``peer``; the target has a time
    scale of 0.01 and a schedule of 0, 15 and 60 s unless ``target`` says otherwise."""
    peer = peer or FakeUcspPeer(Journal())
    values = {"time_scale": 0.01, "profile": SimpleNamespace(schedule=(0.0, 15.0, 60.0))}
    fake = SimpleNamespace(
        role=role,
        target=SimpleNamespace(**{**values, **target}),
        peer_journal=peer.journal,
        industry_peer=peer if role == "ucsp" else None,
        ucsp_peer=peer if role == "industry" else None,
        harness=None,
    )
    return cast(Deployment, fake)
