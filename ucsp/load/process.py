"""What one load process holds: the plan, the kit's codec and checks, its tally, its notices.

Built from the plan alone (:func:`build_process`), with no Locust and no event loop, so that
the same pieces serve a Locust worker and a unit test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ucsp.codec import Codec
from ucsp.keys import Keyset
from ucsp.load.judge import Wire
from ucsp.load.notices import NoticeApp, NoticeBook
from ucsp.load.plan import Plan
from ucsp.load.session import Parallel, Session, Transport
from ucsp.load.tally import Tally
from ucsp.messages import Party
from ucsp.profile import load_profile

Flow = Callable[[Session], Any]


def _flows(sut: str) -> dict[str, Flow]:
    if sut == "industry":
        from ucsp.load.industry_flows import FLOWS as industry

        return industry
    from ucsp.load.ucsp_flows import FLOWS as ucsp

    return ucsp


class LoadProcess:
    def __init__(self, plan: Plan, wire: Wire) -> None:
        self.plan, self.wire = plan, wire
        self.tally = Tally()
        self.book = NoticeBook()
        self.notice_app = NoticeApp(wire, self.book, self.tally, plan.industry_code)
        self.notice_url = ""
        self.flows = _flows(plan.sut)
        self._cpu = time.process_time()
        self._crypto = 0.0

    def session(
        self, transport: Transport, parallel: Parallel[Any], clock: Callable[[], float]
    ) -> Session:
        return Session(
            self.plan, self.wire, transport, self.tally, self.book, self.notice_url, parallel, clock
        )

    def weighted_tasks(self) -> list[Callable[[Any], None]]:
        """One task per unit of weight, each running its flow on the user's session."""
        tasks: list[Callable[[Any], None]] = []
        for name, weight in self.plan.mix.items():
            flow = self.flows[name]
            tasks.extend([_task(flow)] * weight)
        return tasks

    def drain(self) -> dict[str, Any]:
        """The tally since the last drain, with the CPU seconds spent (all, and crypto)."""
        cpu = time.process_time()
        self.tally.cpu += cpu - self._cpu
        self.tally.crypto_cpu += self.wire.meter.seconds - self._crypto
        self._cpu, self._crypto = cpu, self.wire.meter.seconds
        return self.tally.drain()


def _task(flow: Flow) -> Callable[[Any], None]:
    def run(user: Any) -> None:
        flow(user.session)

    run.__name__ = getattr(flow, "__name__", "flow")
    return run


def _warm() -> None:
    """Compile every schema now, before the run's clock starts, not on the first answers."""
    from ucsp import schemas
    from ucsp.messages import MESSAGE_TYPES

    for spec in MESSAGE_TYPES.values():
        schemas.validate({}, spec.name, "request")
        if spec.has_response:
            schemas.validate({}, spec.name, "response")


def build_process(plan: Plan) -> LoadProcess:
    keys = Keyset.load(plan.keys_dir)
    profile = load_profile(plan.profile)
    if plan.sut == "industry":
        identity = keys.ucsp_sign.identity("the suite's UCSP signing key")
        peer = keys.certs_of(Party.INDUSTRY)
        party = Party.UCSP
    else:
        identity = keys.industry_sign.identity("the suite's industry signing key")
        peer = keys.certs_of(Party.UCSP)
        party = Party.INDUSTRY
    codec = Codec(party, identity, peer, profile)
    _warm()
    process = LoadProcess(plan, Wire(codec, peer))
    _flows(plan.sut)  # imported now too
    return process
