"""Signed HTTP exchanges: an httpx client for senders and request helpers for Starlette.

Every exchange is recorded as an :class:`Exchange` (raw bytes both ways), handed to the
observers registered on the client, so that peers and reports see exactly what crossed the
wire.
"""

from __future__ import annotations

import importlib
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response

from ucsp.codec import Codec, Decoded
from ucsp.envelope import build_request
from ucsp.errors import UcspError

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
Endpoint = Callable[[Request], Awaitable[Response]]


def _known_absent(module: str) -> None:
    """Mark ``module`` absent in ``sys.modules`` when it cannot be imported.

    httpcore asks for ``sniffio`` each time it makes a lock, an event or a cancellation
    shield, several times per request; when the package is not installed, each ask is a
    failed import that searches the whole path again (about 40 us, 0.6 s of a full embedded
    run). ``None`` in ``sys.modules`` is Python's marker for a module known to be absent:
    the import then fails at once, with the same ImportError.
    """
    if module in sys.modules:
        return
    try:
        importlib.import_module(module)
    except ImportError:
        sys.modules[module] = None  # type: ignore[assignment]


_known_absent("sniffio")


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), built
    once: loading the CA bundle costs ~20 ms per client, and the suite makes several."""
    return httpx.create_ssl_context()


def http_client(**options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with ``options``, verifying TLS with :func:`tls_context`."""
    return httpx.AsyncClient(verify=tls_context(), **options)


@lru_cache(maxsize=1024)
def parsed_url(url: str) -> httpx.URL:
    """``url`` as an ``httpx.URL``, parsed once: httpx parses a URL given as a string twice
    per request (~0.1 ms each), and the suite sends to a handful of URLs thousands of times.
    An invalid URL raises ``httpx.InvalidURL`` as a request with it would."""
    return httpx.URL(url)


@dataclass
class Exchange:
    """One request and its answer as they crossed the wire."""

    url: str
    msg_type: str
    request: bytes
    started: float
    status: int | None = None
    response: bytes | None = None
    finished: float | None = None
    error: str | None = None  # transport error, or why the answer is not a valid response
    error_kind: str | None = None  # "transport", "http", "format", "signature" or "echo"
    decoded: Decoded | None = None  # the answer, when it passed format and signature checks
    request_message: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A valid, signed, echoing response was received."""
        return self.decoded is not None and self.error is None

    @property
    def code(self) -> str | None:
        return self.decoded.response_code if self.ok and self.decoded else None

    @property
    def trx_info(self) -> dict[str, Any]:
        return self.decoded.trx_info if self.ok and self.decoded else {}


Observer = Callable[[Exchange], None]


class SignedClient:
    """Sends signed requests with ``codec`` and checks the answers."""

    def __init__(
        self,
        codec: Codec,
        http: httpx.AsyncClient | None = None,
        timeout: float | None = None,
    ) -> None:
        self.codec = codec
        # The profile's time-out is in protocol seconds: scale it like every other wait.
        scale = getattr(codec.clock, "time_scale", 1.0)
        self.timeout = timeout if timeout is not None else codec.profile.timeout_seconds * scale
        # An injected client keeps its own time-out unless one is given here explicitly.
        self._per_request_timeout = timeout is not None or http is None
        self._http = http
        self.observers: list[Observer] = []

    async def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = http_client(timeout=self.timeout)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def build(
        self, msg_type: str, industry_code: str, trx_info: Mapping[str, Any]
    ) -> dict[str, Any]:
        return build_request(self.codec.msg_info(msg_type, industry_code), dict(trx_info))

    async def send(
        self,
        url: str,
        msg_type: str,
        industry_code: str,
        trx_info: Mapping[str, Any],
        extra_cert_fields: Mapping[str, str] = {},
    ) -> Exchange:
        """Build, sign and post a request; verify the answer (format, signature, echo)."""
        message = self.build(msg_type, industry_code, trx_info)
        return await self.post(url, message, self.codec.sign(message, extra_cert_fields))

    async def post(self, url: str, message: dict[str, Any], body: bytes) -> Exchange:
        """Post already-signed bytes of ``message`` and check the answer."""
        msg_type = str(message.get("msgInfo", {}).get("msgType", ""))
        exchange = Exchange(url, msg_type, body, time.monotonic(), request_message=message)
        http = await self._client()
        try:
            extra: dict[str, Any] = {"timeout": self.timeout} if self._per_request_timeout else {}
            answer = await http.post(
                parsed_url(url), content=body, headers={"Content-Type": JSON_CONTENT_TYPE}, **extra
            )
        except httpx.HTTPError as exc:
            exchange.error = f"no answer: {type(exc).__name__}"
            exchange.error_kind = "transport"
        else:
            exchange.status, exchange.response = answer.status_code, answer.content
            exchange.error_kind, exchange.error = self._check_answer(exchange, message) or (
                None,
                None,
            )
        exchange.finished = time.monotonic()
        for observer in self.observers:
            observer(exchange)
        return exchange

    def _check_answer(self, exchange: Exchange, message: dict[str, Any]) -> tuple[str, str] | None:
        """(kind, reason) when the answer is not a valid response to ``message``."""
        if exchange.status != 200:
            return "http", f"HTTP {exchange.status}"
        assert exchange.response is not None
        try:
            decoded = self.codec.parse(exchange.response, "response")
            self.codec.check_format(decoded, exchange.msg_type)
        except UcspError as exc:
            return "format", f"invalid answer: {exc.reason}"
        try:
            self.codec.check_signature(decoded)
        except UcspError as exc:
            return "signature", f"invalid answer: {exc.reason}"
        exchange.decoded = decoded
        if decoded.msg_info != message.get("msgInfo"):
            return "echo", "the answer does not echo the request's msgInfo"
        return None


# --- receiving side (Starlette) -------------------------------------------------------


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


async def read_protocol_body(request: Request, max_bytes: int) -> bytes | Response:
    """HTTP checks of PROTOCOL.md section 8 in order (405, 415, 413); the body or an error."""
    if request.method != "POST":
        return Response(status_code=405, headers={"Allow": "POST"})
    if _media_type(request.headers.get("content-type", "")) != "application/json":
        return Response(status_code=415)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        return Response(status_code=413)
    body = await read_capped(request, max_bytes + 1)
    if len(body) > max_bytes:
        return Response(status_code=413)
    return body


async def read_capped(request: Request, cap: int) -> bytes:
    """The body, but no more than ``cap`` bytes of it: reading stops there, so nothing
    beyond it is held in memory."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) >= cap:
            return bytes(body[:cap])
    return bytes(body)


def get_only(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` for GET alone: a page whose GET acts (a login, a redirect carrying a fresh
    signed message) must not act on the HEAD that Starlette adds to every GET route; 405."""

    async def guarded(request: Request) -> Response:
        if request.method != "GET":
            return Response(status_code=405, headers={"Allow": "GET"})
        return await endpoint(request)

    return guarded


def protocol_response(body: bytes) -> Response:
    """HTTP 200 with a signed protocol message."""
    return Response(
        body,
        status_code=200,
        media_type="application/json",
        headers={"Content-Type": JSON_CONTENT_TYPE},
    )
