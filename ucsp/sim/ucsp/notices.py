"""Outbound notices: PAYMENT_RESULT_NOTICE and SIGN_AUTO_DEBIT_NOTICE, retried until acknowledged.

A notice is stored first (so a restart resumes it), then delivered on the profile's schedule
(PROTOCOL.md section 7: absolute offsets 0, 1, 3, 7, 15, 31, 63 s from the first attempt,
at most seven transmissions), each attempt with a fresh msgID, timeStamp and signature. It is
acknowledged only by HTTP 200 with a well-formed response signed by a known certificate of
the industry, echoing the notice's msgInfo, with code 00 (section 8).

Each attempt is claimed in the store (counted, its slot used, the first one's time kept as
the schedule's origin) before its bytes go out, so a process killed mid-attempt has counted
it, and a restarted one goes on at the absolute offsets from the first attempt, the slots
passed meanwhile collapsed into one attempt at once (:mod:`ucsp.sim.schedule`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from ucsp.clock import Clock
from ucsp.codec import Codec
from ucsp.crypto import Identity
from ucsp.journal import Journal, JournalEntry
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.sim.faults import FaultSet
from ucsp.sim.schedule import Background, resume_point, run_schedule
from ucsp.sim.ucsp.registry import Industry, Registry
from ucsp.sim.ucsp.store import Notice, Store
from ucsp.transport import Exchange, SignedClient

log = logging.getLogger(__name__)

FAST_RETRY_SECONDS = 0.5  # fault notice-retry-too-fast


@dataclass(frozen=True)
class _Attempt:
    message: dict[str, Any]
    body: bytes


class Notifier:
    def __init__(
        self,
        *,
        store: Store,
        registry: Registry,
        identity: Identity,
        clock: Clock,
        profile: Profile,
        faults: FaultSet,
        journal: Journal,
        background: Background,
        http: httpx.AsyncClient,
    ) -> None:
        self.store = store
        self.registry = registry
        self.identity = identity
        self.clock = clock
        self.profile = profile
        self.faults = faults
        self.journal = journal
        self.background = background
        self.http = http
        self._clients: dict[str, SignedClient] = {}

    @property
    def offsets(self) -> tuple[float, ...]:
        """The retry schedule in force (the profile's, unless a timing fault is on)."""
        schedule = self.profile.schedule
        if "notice-no-retry" in self.faults:
            return schedule[:1]
        if "notice-retry-too-fast" in self.faults:
            return tuple(FAST_RETRY_SECONDS * n for n in range(len(schedule)))
        return schedule

    def client(self, industry: Industry) -> SignedClient:
        """A signed client trusting exactly the industry's signing certificates."""
        client = self._clients.get(industry.code)
        if client is None:
            codec = Codec(Party.UCSP, self.identity, industry.sign_certs, self.profile, self.clock)
            client = self._clients[industry.code] = SignedClient(codec, self.http)
        return client

    # --- launching ----------------------------------------------------------------------

    def launch(self, notice_id: int) -> asyncio.Future[bool]:
        """Deliver a stored notice in the background; the future resolves after attempt one
        with whether that attempt was acknowledged."""
        first: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.background.spawn(self.deliver(notice_id, first))
        return first

    def resume(self) -> int:
        """Relaunch every stored notice that is neither acknowledged nor out of attempts."""
        with self.store.tx() as tx:
            notices = tx.open_notices(len(self.offsets))
        for notice in notices:
            self.launch(notice.id)
        return len(notices)

    # --- delivering ---------------------------------------------------------------------

    async def deliver(self, notice_id: int, first: asyncio.Future[bool] | None = None) -> None:
        try:
            with self.store.tx() as tx:
                notice = tx.notice(notice_id)
            industry = self.registry.industries.get(notice.industry_code) if notice else None
            if notice is None or notice.acknowledged or industry is None:
                return
            offsets = self.offsets
            origin, slot = self._resume_point(notice, offsets)
            if slot >= len(offsets) or notice.attempts >= len(offsets):
                return
            sender = _Sender(self, notice, self.client(industry), first)
            await run_schedule(offsets, self.clock, sender.attempt, origin=origin, first_slot=slot)
        finally:
            if first is not None and not first.done():
                first.set_result(False)

    def _resume_point(self, notice: Notice, offsets: tuple[float, ...]) -> tuple[float | None, int]:
        """The schedule's origin on ``clock.elapsed()`` (None: the coming first attempt) and
        the slot to use first."""
        if notice.first_attempt_at is not None:
            return resume_point(
                offsets,
                self.clock,
                notice.first_attempt_at,
                notice.next_slot,
                self.profile.resume_catch_up,
            )
        if notice.next_slot == 0:
            return None, 0
        # stored before origins were: time the rest from the last attempt, taken to be now
        last = offsets[min(notice.next_slot, len(offsets)) - 1]
        return self.clock.elapsed() - last, notice.next_slot

    def acknowledged(self, exchange: Exchange) -> bool:
        if "notice-stops-on-any-answer" in self.faults:
            return exchange.status == 200
        return exchange.ok and exchange.code == "00"


class _Sender:
    """The attempts of one notice."""

    def __init__(
        self,
        notifier: Notifier,
        notice: Notice,
        client: SignedClient,
        first: asyncio.Future[bool] | None,
    ) -> None:
        self.notifier = notifier
        self.notice = notice
        self.client = client
        self.first = first
        self._reused: _Attempt | None = None

    def _build(self) -> _Attempt:
        if self._reused is not None:
            return self._reused
        notice = self.notice
        message = self.client.build(notice.msg_type, notice.industry_code, notice.trx)
        attempt = _Attempt(message, self.client.codec.sign(message))
        if "notice-reuses-msgid" in self.notifier.faults:
            self._reused = attempt
        return attempt

    async def attempt(self, slot: int) -> bool:
        """One transmission at ``slot``, claimed in the store first; True when it is over."""
        notifier, notice = self.notifier, self.notice
        elapsed, wall = notifier.clock.elapsed(), notifier.clock.now()
        with notifier.store.tx() as tx:
            claimed = tx.claim_attempt(notice.id, slot, wall.timestamp(), len(notifier.offsets))
        if not claimed:  # acknowledged, out of attempts, or the slot used by another run
            return True
        built = self._build()
        try:
            exchange = await self.client.post(notice.url, built.message, built.body)
        except Exception as exc:  # an unusable backUrl, or a crashing in-process peer
            log.warning(
                "notice %s attempt at slot %d to %s failed: %r", notice.id, slot, notice.url, exc
            )
            exchange = Exchange(notice.url, notice.msg_type, built.body, 0.0, error=repr(exc))
        acknowledged = notifier.acknowledged(exchange)
        if acknowledged:
            with notifier.store.tx() as tx:
                tx.acknowledge(notice.id)
        decoded = exchange.decoded
        notifier.journal.record(
            JournalEntry(
                direction="out",
                msg_type=notice.msg_type,
                url=notice.url,
                request=built.body,
                status=exchange.status,
                response=exchange.response,
                elapsed=elapsed,
                wall=wall,
                code=decoded.response_code if decoded is not None else None,
            )
        )
        if self.first is not None and not self.first.done():
            self.first.set_result(acknowledged)
        return acknowledged
