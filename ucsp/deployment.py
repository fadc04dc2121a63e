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

from ucsp import suite_files
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
from ucsp.transport import http_client

T = TypeVar("T")
TEST_KEYS = suite_files.TEST_KEYS
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

    @property
    @abstractmethod
    def peer_app(self) -> Any:
        """The ASGI app the suite's peer serves."""

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
        close_all([self])

    def _tell_servers_to_exit(self) -> None:
        for server in self.servers:
            server.server.should_exit = True

    def _finish_close(self) -> None:
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

    @property
    def peer_app(self) -> Any:
        return self.industry_peer.app

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

    @property
    def peer_app(self) -> Any:
        return self.ucsp_peer

    def _reset_peer(self) -> None:
        self.call(_async(self.ucsp_peer.reset))

    async def _close_peer(self) -> None:
        await self.harness.aclose()
        await self.ucsp_peer.aclose()


async def _async(func: Any) -> None:
    func()


def close_all(deployments: Iterable[Deployment]) -> None:
    """Close ``deployments``: every server is told to exit before any is waited for (each
    notices within uvicorn's 0.1 s tick, so the waits overlap), then each deployment's
    servers stop, its clients close and its loop ends."""
    closing = list(deployments)
    for deployment in closing:
        deployment._tell_servers_to_exit()
    for deployment in closing:
        deployment._finish_close()


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
    return http_client(timeout=60.0, follow_redirects=False)


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


@dataclass(frozen=True)
class _Loopback:
    """What an embedded deployment is built from: keys, the loop, two loopback addresses."""

    keys: Keyset
    keys_dir: Path
    loop: LoopThread
    clock: Clock
    time_scale: float
    faults: list[str]
    sut_url: str
    peer_url: str


def _embedded_industry(w: _Loopback) -> tuple[Deployment, Any]:
    """The reference Industry Service under test; the suite's UCSP peer."""
    target = Target(
        sut="industry",
        keys=w.keys,
        industry=IndustryInfo(
            index_url=f"{w.sut_url}/index",
            notice_url=f"{w.sut_url}/notify",
            harness_url=w.sut_url,
        ),
        time_scale=w.time_scale,
        timing_slack=EMBEDDED_TIMING_SLACK,
        suite_url=w.peer_url,
    )
    sut = industry_sim.IndustrySimulator(
        keys=w.keys,
        config=industry_sim.IndustryConfig(base_url=w.sut_url, ucsp_url=f"{w.peer_url}/gateway"),
        db=Database(),
        clock=SystemClock(w.time_scale),
        profile=target.profile,
        faults=FaultSet(industry_sim.CATALOGUE, w.faults),
    )
    peer = UcspPeer(target, w.peer_url, w.clock)
    deployment = IndustryDeployment(
        target=target,
        loop=w.loop,
        clock=w.clock,
        ucsp_peer=peer,
        harness=HarnessDriver(w.sut_url),
        sut_journal=sut.journal,
        embedded=True,
    )
    return deployment, sut.app


def _embedded_ucsp(w: _Loopback) -> tuple[Deployment, Any]:
    """The reference UCSP under test; the suite's Industry Service peer."""
    target = Target(
        sut="ucsp",
        keys=w.keys,
        industry=IndustryInfo(index_url=f"{w.peer_url}/index", notice_url=f"{w.peer_url}/notify"),
        ucsp=UcspInfo(gateway_url=f"{w.sut_url}/gateway", authorize_url=f"{w.sut_url}/authorize"),
        time_scale=w.time_scale,
        timing_slack=EMBEDDED_TIMING_SLACK,
        suite_url=w.peer_url,
    )
    sut = ucsp_sim.UcspSimulator(
        keys=w.keys,
        registry=_pointing_at(ucsp_sim.default_registry(w.keys_dir), target),
        db=Database(),
        clock=SystemClock(w.time_scale),
        profile=target.profile,
        faults=FaultSet(ucsp_sim.CATALOGUE, w.faults),
        base_url=w.sut_url,
    )
    peer = IndustryPeer(target, w.clock)
    deployment = UcspDeployment(
        target=target,
        loop=w.loop,
        clock=w.clock,
        industry_peer=peer,
        sut_journal=sut.journal,
        embedded=True,
    )
    return deployment, sut.app


# How each role's embedded deployment is built: the deployment and the SUT's app.
EMBEDDED: dict[Role, Callable[[_Loopback], tuple[Deployment, Any]]] = {
    "industry": _embedded_industry,
    "ucsp": _embedded_ucsp,
}


def embedded(
    role: Role,
    faults: Iterable[str] = (),
    time_scale: float = EMBEDDED_TIME_SCALE,
    keys_dir: Path = TEST_KEYS,
) -> Deployment:
    """The reference implementation of ``role`` under test, with the suite's peer, on loopback."""
    sut_sock, peer_sock = bind_loopback(), bind_loopback()
    wiring = _Loopback(
        keys=Keyset.load(keys_dir),
        keys_dir=keys_dir,
        loop=LoopThread(f"ucsp-{role}"),
        clock=SystemClock(time_scale),
        time_scale=time_scale,
        faults=list(faults),
        sut_url=url_of(sut_sock),
        peer_url=url_of(peer_sock),
    )
    deployment, sut_app = EMBEDDED[role](wiring)
    deployment.http = wiring.loop.call(_make_browser())
    for app, sock in ((sut_app, sut_sock), (deployment.peer_app, peer_sock)):
        server = LoopbackServer(app, sock, wiring.loop, deployment.target.profile)
        deployment.servers.append(server.start())
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


def _peer_for_industry(target: Target, url: str, loop: LoopThread, clock: Clock) -> Deployment:
    """The suite's UCSP peer, and the harness (or an operator) making the IS act."""
    peer = UcspPeer(target, url, clock)
    harness: HarnessDriver = (
        HarnessDriver(target.industry.harness_url)
        if target.industry.harness_url
        else ManualDriver(peer.journal)
    )
    return IndustryDeployment(
        target=target, loop=loop, clock=clock, ucsp_peer=peer, harness=harness
    )


def _peer_for_ucsp(target: Target, url: str, loop: LoopThread, clock: Clock) -> Deployment:
    """The suite's Industry Service peer."""
    peer = IndustryPeer(target, clock)
    return UcspDeployment(target=target, loop=loop, clock=clock, industry_peer=peer)


FROM_TARGET: dict[Role, Callable[[Target, str, LoopThread, Clock], Deployment]] = {
    "industry": _peer_for_industry,
    "ucsp": _peer_for_ucsp,
}


def from_target(target: Target) -> Deployment:
    """The suite's peer for a real SUT, listening where the target file says."""
    loop = LoopThread(f"ucsp-{target.sut}")
    sock = bind_loopback(target.listen_host, target.listen_port)
    clock = SystemClock(target.time_scale)
    deployment = FROM_TARGET[target.sut](target, target.suite_url or url_of(sock), loop, clock)
    deployment.http = loop.call(_make_browser())
    server = LoopbackServer(deployment.peer_app, sock, loop, target.profile)
    deployment.servers.append(server.start())
    return deployment
