"""The reference UCSP: a Starlette app wiring gateway, pages, notices and the store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp.clock import Clock, SystemClock
from ucsp.codec import Codec
from ucsp.journal import Journal, JournalEntry
from ucsp.keys import Keyset
from ucsp.mask import MaskingFilter
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.options import ServeOptions
from ucsp.sim.schedule import Background
from ucsp.sim.ucsp.faults import CATALOGUE
from ucsp.sim.ucsp.gateway import Answer, Gateway
from ucsp.sim.ucsp.notices import Notifier
from ucsp.sim.ucsp.pages import Pages
from ucsp.sim.ucsp.registry import Registry, load_registry
from ucsp.sim.ucsp.rules import MAGIC_DELAY_SECONDS
from ucsp.sim.ucsp.service import Business, Outcome
from ucsp.sim.ucsp.store import Store
from ucsp.transport import get_only, http_client, protocol_response, read_protocol_body

log = logging.getLogger(__name__)
log.addFilter(MaskingFilter())  # a traceback may quote a request's personal fields

_URLS_KEPT = 256  # distinct request URLs remembered by _url_of
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class UcspSimulator:
    """The reference UCSP (platform side) as an ASGI app: ``.app``."""

    def __init__(
        self,
        *,
        keys: Keyset,
        registry: Registry,
        db: Database,
        clock: Clock,
        profile: Profile,
        faults: FaultSet,
        http: httpx.AsyncClient | None = None,
        base_url: str | None = None,
    ) -> None:
        self.keys = keys
        self.registry = registry
        self.db = db
        self.clock = clock
        self.profile = profile
        self.faults = faults
        self.base_url = base_url.rstrip("/") if base_url else None
        self.journal = Journal()
        self.background = Background()
        self.errors: list[BaseException] = []  # exceptions answered 99 instead of crashing
        self.owns_db = False  # build_app: close the database at shutdown
        self._urls: dict[tuple[Any, ...], str] = {}  # see _url_of
        self._owns_http = http is None
        # the profile's time-out is in protocol seconds
        scale = getattr(clock, "time_scale", 1.0)
        self.http = http or http_client(timeout=profile.timeout_seconds * scale)
        identity = keys.ucsp_sign.identity("the UCSP signing key (ucsp-sign.key)")
        self.codec = Codec(Party.UCSP, identity, {}, profile, clock)
        self.store = Store(db)
        self.business = Business(self.store, registry, clock, profile, faults)
        self.notifier = Notifier(
            store=self.store,
            registry=registry,
            identity=identity,
            clock=clock,
            profile=profile,
            faults=faults,
            journal=self.journal,
            background=self.background,
            http=self.http,
        )
        self.gateway = Gateway(
            codec=self.codec,
            registry=registry,
            store=self.store,
            business=self.business,
            profile=profile,
            clock=clock,
            faults=faults,
        )
        self.pages = Pages(
            codec=self.codec,
            registry=registry,
            business=self.business,
            notifier=self.notifier,
            journal=self.journal,
            clock=clock,
            faults=faults,
        )
        self.app = Starlette(
            routes=[
                Route("/gateway", self._gateway, methods=ALL_METHODS),
                Route("/authorize", get_only(self.pages.authorize), methods=["GET"]),
                Route("/pay/{tn}", self.pages.cashier, methods=["GET", "POST"]),
                Route("/sign/{token}", self.pages.signing, methods=["GET", "POST"]),
            ],
            lifespan=self._lifespan,
        )
        self.app.state.simulator = self

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Resume what a previous run left open: pending 05 transactions, unacked notices."""
        for industry_code, order_id in self.business.settling():
            self.background.spawn(self._settle_later(industry_code, order_id))
        resumed = self.notifier.resume()
        if resumed:
            log.info("resumed %d unacknowledged notices", resumed)

    async def stop(self) -> None:
        """Cancel background work (the store keeps it for the next start) and close."""
        await self.background.cancel_all()
        if self._owns_http:
            await self.http.aclose()
        if self.owns_db:
            self.db.close()

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    # --- the gateway ----------------------------------------------------------------------

    async def _gateway(self, request: Request) -> Response:
        elapsed, wall = self.clock.elapsed(), self.clock.now()
        body = await read_protocol_body(request, self.profile.max_body_bytes)
        if isinstance(body, Response):
            self._record_in(request, b"", elapsed, wall, body.status_code, None, None)
            return body
        base_url = self.base_url or self._url_of(request, base=True)
        try:
            answer = self.gateway.process(body, base_url)
        except Exception as exc:
            log.exception("gateway request broke the implementation")
            self.errors.append(exc)
            answer = self.gateway.internal_error(body, exc)
        if not answer.parsed and "http-500-on-bad-json" in self.faults:
            self._record_in(request, body, elapsed, wall, 500, b"", None)
            return Response(b"Internal Server Error", status_code=500)
        self._record_in(request, body, elapsed, wall, 200, answer.body, answer)
        response = protocol_response(answer.body)
        if answer.outcome is not None and (answer.outcome.notices or answer.outcome.settle):
            response.background = BackgroundTask(self._follow_up, answer.outcome)
        return response

    def _record_in(
        self,
        request: Request,
        raw: bytes,
        elapsed: float,
        wall: datetime,
        status: int,
        response: bytes | None,
        answer: Answer | None,
    ) -> None:
        self.journal.record(
            JournalEntry(
                direction="in",
                msg_type=answer.msg_type if answer else "",
                url=self._url_of(request),
                request=raw,
                status=status,
                response=response,
                elapsed=elapsed,
                wall=wall,
                code=answer.code.value if answer else None,
            )
        )

    def _url_of(self, request: Request, base: bool = False) -> str:
        """``str(request.url)`` (``base``: ``str(request.base_url)`` without its final "/"),
        remembered per the scope parts Starlette makes it of (one client spelling of the
        gateway URL, in practice)."""
        scope = request.scope
        host = next((value for key, value in scope["headers"] if key == b"host"), None)
        key = (
            base,
            scope.get("scheme", "http"),
            scope.get("server"),
            scope.get("root_path"),
            scope.get("app_root_path"),
            None if base else scope["path"],
            None if base else scope.get("query_string", b""),
            host,
        )
        url = self._urls.get(key)
        if url is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            url = str(request.base_url).rstrip("/") if base else str(request.url)
            self._urls[key] = url
        return url

    async def _follow_up(self, outcome: Outcome) -> None:
        """After the answer is sent: deliver notices, schedule delayed successes."""
        for notice_id in outcome.notices:
            self.notifier.launch(notice_id)
        for industry_code, order_id in outcome.settle:
            self.background.spawn(self._settle_later(industry_code, order_id))

    async def _settle_later(self, industry_code: str, order_id: str) -> None:
        await self.clock.sleep(MAGIC_DELAY_SECONDS)
        notice_id = self.business.settle(industry_code, order_id)
        if notice_id is not None:
            await self.notifier.deliver(notice_id)


# --- building from CLI options -----------------------------------------------------------


def public_url(host: str, port: int) -> str | None:
    """The base URL clients reach us at, when the options tell; else None (per request)."""
    if port == 0 or host in ("", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        return None
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def build_app(options: ServeOptions) -> Starlette:
    """The reference UCSP from ``serve ucsp`` options (the CLI runs it with uvicorn)."""
    keys = Keyset.load(options.keys)
    registry = load_registry(options.config, options.keys)
    faults = FaultSet(CATALOGUE, options.faults)
    db = Database(options.db)
    simulator = UcspSimulator(
        keys=keys,
        registry=registry,
        db=db,
        clock=SystemClock(options.time_scale),
        profile=options.profile,
        faults=faults,
        base_url=public_url(options.host, options.port),
    )
    simulator.owns_db = True
    return simulator.app
