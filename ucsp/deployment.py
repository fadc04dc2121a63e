"""A deployment: the system under test and the suite's peer, wired together for one role.

``embedded(role)`` starts the reference implementation of the role under test and the
suite's peer on loopback (the default run); ``from_target(target)`` starts only the peer and
points it at a real SUT described by a target file. Everything runs on one background event
loop; synchronous callers (step definitions) submit coroutines with :meth:`Deployment.call`.
"""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx

from ucsp.clock import Clock, SystemClock
from ucsp.drivers.harness import HarnessDriver
from ucsp.drivers.manual import ManualDriver
from ucsp.errors import ConfigError, UnknownFault
from ucsp.journal import Journal
from ucsp.keys import Keyset
from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback, url_of
from ucsp.peers.industry_peer import IndustryPeer
from ucsp.peers.ucsp_peer import UcspPeer
from ucsp.sim import industry as industry_sim
from ucsp.sim import ucsp as ucsp_sim
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp.registry import Industry, Registry
from ucsp.target import IndustryInfo, Role, Target, UcspInfo

T = TypeVar("T")
TEST_KEYS = Path(__file__).resolve().parent.parent / "fixtures" / "keys" / "test-only"
EMBEDDED_TIME_SCALE = 0.02
# Real seconds added to the 80%..120% schedule tolerance for loopback servers: enough for
# event-loop and HTTP latency on a loaded 2-core machine, small enough to keep the windows
# close to the rule (0.15 s is 7.5 protocol seconds at the embedded time scale).
EMBEDDED_TIMING_SLACK = 0.15


@dataclass(repr=False, kw_only=True)
class Deployment(ABC):
    """One role under test: the SUT's target, the suite's peer, one background event loop."""

    role: ClassVar[Role]
    target: Target
    loop: LoopThread
    clock: Clock
    sut_journal: Journal | None = None  # embedded only: the SUT's own record
    embedded: bool = False
    servers: list[LoopbackServer] = field(default_factory=list)
    http: httpx.AsyncClient | None = None  # the "browser": sandbox hooks, authorize, index

    def __repr__(self) -> str:
        kind = "embedded" if self.embedded else self.target.source
        return f"Deployment(role={self.role!r}, {kind})"

    @property
    @abstractmethod
    def peer_journal(self) -> Journal:
        """Every exchange of the suite's peer."""

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        return self.loop.call(coro, timeout)

    def reset(self) -> None:
        """Forget scripted behaviour and recorded exchanges before a scenario."""
        self._reset_peer()
        self.peer_journal.clear()

    @abstractmethod
    def _reset_peer(self) -> None: ...

    def sut_unreachable(self, failed_url: str | None = None) -> str | None:
        """Why the SUT cannot be reached (a TCP connection to it fails), or None.

        Asked after a scenario that did not pass: a SUT that went away is no verdict on it.
        Probes the host of ``failed_url`` (the request that failed) when that is one of the
        SUT's own, else the SUT's main receiving URLs (:data:`RECEIVING_URLS`). Waits as long
        as the suite's own clients wait for the SUT (the profile's
        ``transport.timeout_seconds``, time-scaled).
        """
        info = self.target
        own = [url for url in SUT_URLS[self.role](info) if url]
        if failed_url and _origin(failed_url) in {_origin(url) for url in own}:
            urls = [failed_url]
        else:
            urls = [url for url in RECEIVING_URLS[self.role](info) if url]
        timeout = info.profile.timeout_seconds * info.time_scale
        for url in dict.fromkeys(urls):
            cause = _connect_failure(url, timeout)
            if cause is not None:
                return cause
        return None

    def close(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        self.call(self._close_clients())
        self.loop.stop()

    async def _close_clients(self) -> None:
        if self.http is not None:
            await self.http.aclose()
        await self._close_peer()

    @abstractmethod
    async def _close_peer(self) -> None: ...


@dataclass(repr=False, kw_only=True)
class UcspDeployment(Deployment):
    """A UCSP under test; the suite plays the Industry Service through ``industry_peer``."""

    role: ClassVar[Role] = "ucsp"
    industry_peer: IndustryPeer

    @property
    def peer_journal(self) -> Journal:
        return self.industry_peer.journal

    def _reset_peer(self) -> None:
        self.industry_peer.answers.clear()
        self.industry_peer.logins.clear()

    async def _close_peer(self) -> None:
        await self.industry_peer.client.aclose()


@dataclass(repr=False, kw_only=True)
class IndustryDeployment(Deployment):
    """An Industry Service under test, made to act through ``harness`` (its harness, or an
    operator); the suite plays UCSP through ``ucsp_peer``."""

    role: ClassVar[Role] = "industry"
    ucsp_peer: UcspPeer
    harness: HarnessDriver

    @property
    def peer_journal(self) -> Journal:
        return self.ucsp_peer.journal

    def _reset_peer(self) -> None:
        self.call(_async(self.ucsp_peer.reset))

    async def _close_peer(self) -> None:
        await self.harness.aclose()
        await self.ucsp_peer.aclose()


async def _async(func: Any) -> None:
    func()


# The URLs where the SUT of each role receives what the suite sends: a UCSP its gateway, an
# Industry Service its notice URL and the harness that drives it.
RECEIVING_URLS: dict[Role, Callable[[Target], tuple[str | None, ...]]] = {
    "ucsp": lambda t: (t.ucsp.gateway_url,),
    "industry": lambda t: (t.industry.notice_url, t.industry.harness_url),
}
# Every URL the SUT of each role serves (a failed request toward one of them is probed there).
SUT_URLS: dict[Role, Callable[[Target], tuple[str | None, ...]]] = {
    "ucsp": lambda t: (t.ucsp.gateway_url, t.ucsp.authorize_url),
    "industry": lambda t: (t.industry.notice_url, t.industry.harness_url, t.industry.index_url),
}


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return (
        parts.scheme,
        parts.hostname or "",
        parts.port or (443 if parts.scheme == "https" else 80),
    )


def _connect_failure(url: str, timeout: float) -> str | None:
    """Why a TCP connection to ``url``'s host and port fails, or None when it opens."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return None
    except OSError as exc:
        return f"the SUT cannot be reached: {url}: {exc.strerror or type(exc).__name__}"


def _browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=60.0, follow_redirects=False)


def refuse_profile_without_target(profile: object, target: object) -> None:
    """A wire profile (``--profile``) applies to a real SUT only: ConfigError without a target."""
    if profile and not target:
        raise ConfigError(
            "--profile applies to a run against a target file (--target); the embedded "
            "reference implementations run with the default profile"
        )


def faults_for(role: Role, names: Iterable[str], roles: Iterable[Role] = ()) -> list[str]:
    """The faults of ``names`` that the reference implementation of ``role`` holds.

    A name that no catalogue of ``role`` or of ``roles`` (the other roles under test) holds
    raises :class:`UnknownFault`; a name of another role's catalogue is left to that role.
    """
    catalogues = {"industry": industry_sim.CATALOGUE, "ucsp": ucsp_sim.CATALOGUE}
    known = {r: {fault.name for fault in catalogues[r]} for r in {role, *roles}}
    for name in names:
        if not any(name in faults for faults in known.values()):
            listed = ", ".join(sorted(set().union(*known.values())))
            raise UnknownFault(f"unknown fault {name!r}; known faults: {listed}")
    return [name for name in names if name in known[role]]


def embedded(
    role: Role,
    faults: Iterable[str] = (),
    time_scale: float = EMBEDDED_TIME_SCALE,
    keys_dir: Path = TEST_KEYS,
) -> Deployment:
    """The reference implementation of ``role`` under test, with the suite's peer, on loopback."""
    keys = Keyset.load(keys_dir)
    loop = LoopThread(f"ucsp-{role}")
    sut_sock, peer_sock = bind_loopback(), bind_loopback()
    sut_url, peer_url = url_of(sut_sock), url_of(peer_sock)
    clock = SystemClock(time_scale)
    enabled = list(faults)
    if role == "industry":
        target = Target(
            sut="industry",
            keys=keys,
            industry=IndustryInfo(
                index_url=f"{sut_url}/index", notice_url=f"{sut_url}/notify", harness_url=sut_url
            ),
            time_scale=time_scale,
            timing_slack=EMBEDDED_TIMING_SLACK,
            suite_url=peer_url,
        )
        sut_config = industry_sim.IndustryConfig(base_url=sut_url, ucsp_url=f"{peer_url}/gateway")
        sut = industry_sim.IndustrySimulator(
            keys=keys,
            config=sut_config,
            db=Database(),
            clock=SystemClock(time_scale),
            profile=target.profile,
            faults=FaultSet(industry_sim.CATALOGUE, enabled),
        )
        peer = UcspPeer(target, peer_url, clock)
        deployment: Deployment = IndustryDeployment(
            target=target,
            loop=loop,
            clock=clock,
            ucsp_peer=peer,
            harness=HarnessDriver(sut_url),
            sut_journal=sut.journal,
            embedded=True,
        )
        apps = [(sut.app, sut_sock), (peer, peer_sock)]
    else:
        target = Target(
            sut="ucsp",
            keys=keys,
            industry=IndustryInfo(index_url=f"{peer_url}/index", notice_url=f"{peer_url}/notify"),
            ucsp=UcspInfo(gateway_url=f"{sut_url}/gateway", authorize_url=f"{sut_url}/authorize"),
            time_scale=time_scale,
            timing_slack=EMBEDDED_TIMING_SLACK,
            suite_url=peer_url,
        )
        registry = ucsp_sim.default_registry(keys_dir)
        registry = _pointing_at(registry, target)
        sut_ucsp = ucsp_sim.UcspSimulator(
            keys=keys,
            registry=registry,
            db=Database(),
            clock=SystemClock(time_scale),
            profile=target.profile,
            faults=FaultSet(ucsp_sim.CATALOGUE, enabled),
            base_url=sut_url,
        )
        ipeer = IndustryPeer(target, clock)
        deployment = UcspDeployment(
            target=target,
            loop=loop,
            clock=clock,
            industry_peer=ipeer,
            sut_journal=sut_ucsp.journal,
            embedded=True,
        )
        apps = [(sut_ucsp.app, sut_sock), (ipeer.app, peer_sock)]
    deployment.http = loop.call(_make_browser())
    for app, sock in apps:
        deployment.servers.append(LoopbackServer(app, sock, loop, target.profile).start())
    return deployment


async def _make_browser() -> httpx.AsyncClient:
    return _browser()


def _pointing_at(registry: Registry, target: Target) -> Registry:
    industries = {
        code: Industry(
            code=ind.code,
            sign_certs=ind.sign_certs,
            enc_cert=ind.enc_cert,
            index_url=target.industry.index_url,
            notice_url=target.industry.notice_url,
        )
        for code, ind in registry.industries.items()
    }
    return replace(registry, industries=industries)


def from_target(target: Target) -> Deployment:
    """The suite's peer for a real SUT, listening where the target file says."""
    loop = LoopThread(f"ucsp-{target.sut}")
    sock = bind_loopback(target.listen_host, target.listen_port)
    url = target.suite_url or url_of(sock)
    clock = SystemClock(target.time_scale)
    if target.sut == "industry":
        peer = UcspPeer(target, url, clock)
        harness: HarnessDriver = (
            HarnessDriver(target.industry.harness_url)
            if target.industry.harness_url
            else ManualDriver(peer.journal)
        )
        deployment: Deployment = IndustryDeployment(
            target=target, loop=loop, clock=clock, ucsp_peer=peer, harness=harness
        )
        app: Any = peer
    else:
        ipeer = IndustryPeer(target, clock)
        deployment = UcspDeployment(target=target, loop=loop, clock=clock, industry_peer=ipeer)
        app = ipeer.app
    deployment.http = loop.call(_make_browser())
    deployment.servers.append(LoopbackServer(app, sock, loop, target.profile).start())
    return deployment
