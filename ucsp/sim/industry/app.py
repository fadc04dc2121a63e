"""The reference Industry Service: wiring of login, notices, flows and the harness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp.clock import Clock, SystemClock
from ucsp.codec import Codec
from ucsp.journal import Journal
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import Profile, default_profile
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.config import IndustryConfig, config_from_mapping, read_config_table
from ucsp.sim.industry.faults import CATALOGUE
from ucsp.sim.industry.flows import Flows
from ucsp.sim.industry.harness import Harness
from ucsp.sim.industry.login import LoginHandler
from ucsp.sim.industry.notices import NoticeReceiver
from ucsp.sim.industry.outbound import Outbound
from ucsp.sim.industry.pages import front_page, home_page
from ucsp.sim.industry.store import Store
from ucsp.sim.options import ServeOptions
from ucsp.sim.schedule import Background
from ucsp.transport import get_only

_PROTOCOL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class IndustrySimulator:
    """A complete reference Industry Service as one Starlette app.

    ``http`` is the outbound client to UCSP (tests inject one over ASGITransport); without
    it the IS opens its own. ``.journal`` holds every message received or sent as raw
    bytes; ``.background`` the running inquiry loops.
    """

    def __init__(
        self,
        *,
        keys: Keyset,
        config: IndustryConfig | None = None,
        db: Database | None = None,
        clock: Clock | None = None,
        profile: Profile | None = None,
        faults: FaultSet | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.keys = keys
        self.config = config or IndustryConfig()
        self.db = db or Database()
        self.clock = clock or SystemClock()
        self.profile = profile or default_profile()
        self.faults = faults or FaultSet(CATALOGUE)
        self.journal = Journal()
        self.background = Background()
        self.store = Store(self.db)
        self.close_db_on_exit = False
        self._base_url = self.config.base_url.rstrip("/")

        sign = keys.industry_sign.identity("the industry signing key")
        enc = keys.industry_enc.identity("the industry encryption key")
        trusted = keys.certs_of(Party.UCSP)
        self.codec = Codec(Party.INDUSTRY, sign, trusted, self.profile, self.clock)
        sending = self.profile
        if "wrong-timezone-timestamp" in self.faults:
            sending = replace(self.profile, utc_offset_hours=0)
        send_codec = Codec(Party.INDUSTRY, sign, trusted, sending, self.clock)
        self.outbound = Outbound(
            send_codec,
            self.config.ucsp_url,
            self.config.industry_code,
            self.clock,
            self.faults,
            self.journal,
            http,
            self.timeout,
        )
        self.flows = Flows(
            store=self.store,
            outbound=self.outbound,
            config=self.config,
            base_url=lambda: self._base_url,
            profile=sending,
            clock=self.clock,
            faults=self.faults,
            background=self.background,
        )
        self.login = LoginHandler(
            codec=self.codec,
            enc_identity=enc,
            store=self.store,
            config=self.config,
            clock=self.clock,
            faults=self.faults,
            journal=self.journal,
        )
        self.notices = NoticeReceiver(
            codec=self.codec,
            enc_identity=enc,
            store=self.store,
            industry_code=self.config.industry_code,
            clock=self.clock,
            faults=self.faults,
            journal=self.journal,
        )
        self.harness = Harness(self.flows, self.store, self.learn_base_url)
        self.app = Starlette(routes=self._routes(), lifespan=self._lifespan)

    # --- URLs ------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        """Real seconds to wait for UCSP's answer before treating it as a time-out."""
        if self.config.timeout_seconds is not None:
            return self.config.timeout_seconds
        scale = getattr(self.clock, "time_scale", 1.0)
        return self.profile.timeout_seconds * (scale if isinstance(scale, float | int) else 1.0)

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def notice_url(self) -> str:
        return f"{self._base_url}/notify"

    @property
    def index_url(self) -> str:
        return f"{self._base_url}/index"

    def learn_base_url(self, request: Request) -> None:
        """Without a configured base URL (port 0), use the address the IS was reached at."""
        if not self._base_url:
            self._base_url = str(request.base_url).rstrip("/")

    # --- the app ---------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        async def home(request: Request) -> Response:
            return home_page(self.config.industry_code)

        async def front(request: Request) -> Response:
            return front_page(request, self.store, self.faults)

        return [
            Route("/", home, methods=["GET"]),
            Route("/index", get_only(self.login.handle), methods=["GET"]),
            Route("/notify", self.notices.handle, methods=_PROTOCOL_METHODS),
            Route("/front", front, methods=["GET"]),
            *self.harness.routes(),
        ]

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # Inquiry schedules a previous run left open go on at their stored offsets.
        self.flows.resume_inquiries()
        try:
            yield
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Stop the inquiry loops and close what the IS opened itself."""
        await self.background.cancel_all()
        await self.outbound.aclose()
        if self.close_db_on_exit:
            self.db.close()


def build_simulator(options: ServeOptions) -> IndustrySimulator:
    """An IndustrySimulator from the options of `serve industry`."""
    table = dict(read_config_table(options.config)) if options.config is not None else {}
    if "base_url" not in table:
        wildcard = options.host in ("0.0.0.0", "::", "")  # noqa: S104 - a comparison only
        table["base_url"] = (
            "" if wildcard or options.port == 0 else (f"http://{options.host}:{options.port}")
        )
    if options.ucsp_url:
        table["ucsp_url"] = options.ucsp_url
    config = config_from_mapping(table, str(options.config or "<options>"))
    keys = Keyset.load(options.keys)
    faults = FaultSet(CATALOGUE, options.faults)
    sim = IndustrySimulator(
        keys=keys,
        config=config,
        db=Database(options.db),
        clock=SystemClock(options.time_scale),
        profile=options.profile,
        faults=faults,
    )
    sim.close_db_on_exit = True
    return sim


def build_app(options: ServeOptions) -> Starlette:
    """The Starlette app for `uvicorn.run(build_app(options))`."""
    return build_simulator(options).app
