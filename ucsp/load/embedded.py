"""The embedded system under test of a load run: a reference implementation on loopback,
served from a background event loop in the driver's process (never in a load process).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ucsp.clock import SystemClock
from ucsp.deployment import TEST_KEYS, Deployment, faults_for
from ucsp.keys import Keyset
from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback, url_of
from ucsp.profile import Profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.target import Target


@dataclass
class Embedded:
    """A running reference implementation and the URLs a plan needs."""

    urls: dict[str, str]
    keys_dir: Path
    loop: LoopThread
    servers: list[LoopbackServer] = field(default_factory=list)
    stopper: Callable[[], None] | None = None

    def stop(self) -> None:
        if self.stopper is not None:
            self.stopper()
            return
        for server in reversed(self.servers):
            server.stop()
        self.loop.stop()


def _ucsp(faults: list[str], profile: Profile, keys_dir: Path) -> Embedded:
    from ucsp.sim import ucsp as ucsp_sim

    loop = LoopThread("ucsp-load-sut")
    sock = bind_loopback()
    url = url_of(sock)
    simulator = ucsp_sim.UcspSimulator(
        keys=Keyset.load(keys_dir),
        registry=ucsp_sim.default_registry(keys_dir),
        db=Database(),
        clock=SystemClock(1.0),
        profile=profile,
        faults=FaultSet(ucsp_sim.CATALOGUE, faults),
        base_url=url,
    )
    embedded = Embedded({"gateway_url": f"{url}/gateway"}, keys_dir, loop)
    embedded.servers.append(LoopbackServer(simulator.app, sock, loop, profile).start())
    return embedded


def _industry(faults: list[str], profile: Profile, keys_dir: Path) -> Embedded:
    """The reference Industry Service, with the suite's UCSP peer answering its orders."""
    from ucsp.deployment import embedded

    deployment = embedded("industry", faults, time_scale=1.0, keys_dir=keys_dir)
    return _of_deployment(deployment, keys_dir)


def _of_deployment(deployment: Deployment, keys_dir: Path) -> Embedded:
    info = deployment.target.industry
    urls = {"notice_url": info.notice_url, "harness_url": info.harness_url or ""}
    return Embedded(urls, keys_dir, deployment.loop, stopper=deployment.close)


def for_target(target: Target, keys_dir: Path) -> Embedded | None:
    """What a target file's run needs beside the load processes: for an Industry Service
    under test, the suite's UCSP answering the orders its harness makes it send."""
    if target.sut != "industry":
        return None
    from ucsp.deployment import from_target

    return _of_deployment(from_target(target), keys_dir)


STARTERS: dict[str, Callable[[list[str], Profile, Path], Embedded]] = {
    "ucsp": _ucsp,
    "industry": _industry,
}


def check_faults(sut: str, faults: Iterable[str]) -> list[str]:
    """The faults of the reference implementation of ``sut`` (an unknown name: ConfigError)."""
    return faults_for("industry" if sut == "industry" else "ucsp", list(faults))


def start(
    sut: str, faults: Iterable[str], profile: Profile, keys_dir: Path = TEST_KEYS
) -> Embedded:
    """Start the reference implementation of ``sut`` with ``faults`` (unknown: ConfigError)."""
    return STARTERS[sut](check_faults(sut, faults), profile, keys_dir)
