"""The suite playing the Industry Service, to test a UCSP.

It sends signed (or deliberately broken) requests to the UCSP gateway, receives notices at
its notice URL and logins at its index URL, answers notices as scripted (00 by default), and
journals every exchange.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ucsp.clock import Clock, SystemClock
from ucsp.codec import Codec
from ucsp.codes import ResponseCode
from ucsp.envelope import build_response, format_time
from ucsp.errors import UcspError
from ucsp.journal import Journal
from ucsp.messages import Party
from ucsp.mutation.signature import flip_signature
from ucsp.peers.recording import entry, sent_entry
from ucsp.target import Target
from ucsp.transport import (
    JSON_CONTENT_TYPE,
    Exchange,
    SignedClient,
    get_only,
    http_client,
    parsed_url,
    protocol_response,
    read_protocol_body,
)

Mutation = Callable[[dict[str, Any]], dict[str, Any]]
BACK_NOTICE_PATH = "/notify-back"  # a second notice URL, for orders that name a backUrl
ANSWER_CORRUPTIONS = ("signature", "echo")


@dataclass
class NoticeAnswer:
    """How the peer answers the next notice: a code, an HTTP status, or silence."""

    code: str = "00"
    http_status: int = 200
    hang: bool = False  # never answer (the UCSP's request times out)
    corrupt: str | None = None  # one of ANSWER_CORRUPTIONS: a bad signature, or no echo


@dataclass(frozen=True)
class Received:
    """How one request reached the suite's notice URL (transport facts the journal lacks)."""

    method: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Answered:
    """How the UCSP answered one request the peer sent: status and Content-Type."""

    request: bytes
    status: int
    content_type: str


TRANSPORT_HISTORY = 2000  # transport facts kept (received and answered requests)


class IndustryPeer:
    def __init__(
        self, target: Target, clock: Clock | None = None, http: httpx.AsyncClient | None = None
    ) -> None:
        self.target = target
        self.clock = clock or SystemClock(target.time_scale)
        keys = target.keys
        self.codec = Codec(
            party=Party.INDUSTRY,
            identity=keys.industry_sign.identity("the suite's industry signing key"),
            trusted=keys.certs_of(Party.UCSP),
            profile=target.profile,
            clock=self.clock,
        )
        self.enc = keys.industry_enc
        self.received: deque[Received] = deque(maxlen=TRANSPORT_HISTORY)
        self.answered: deque[Answered] = deque(maxlen=TRANSPORT_HISTORY)
        if http is None:
            http = http_client(timeout=self.codec.profile.timeout_seconds)
        http.event_hooks = {
            **http.event_hooks,
            "response": [*http.event_hooks.get("response", []), self._note_answer],
        }
        self.client = SignedClient(self.codec, http)
        self.journal = Journal()
        self.client.observers.append(self._record_exchange)
        self.answers: deque[NoticeAnswer] = deque()
        self.logins: list[str] = []  # raw request_data values received at the index URL
        self.app = Starlette(
            routes=[
                Route("/notify", self._notify, methods=["GET", "POST", "PUT"]),
                Route(BACK_NOTICE_PATH, self._notify, methods=["GET", "POST", "PUT"]),
                Route("/index", get_only(self._index), methods=["GET"]),
                Route("/front", self._front, methods=["GET"]),
            ]
        )

    # --- identity --------------------------------------------------------------------

    @property
    def industry_code(self) -> str:
        return self.target.industry.code

    def new_order_id(self) -> str:
        return "ORD" + format_time(self.clock.now(), self.target.profile) + secrets.token_hex(6)

    def txn_time(self) -> str:
        return format_time(self.clock.now(), self.target.profile)

    # --- sending -----------------------------------------------------------------------

    def _record_exchange(self, exchange: Exchange) -> None:
        self.journal.record(sent_entry(exchange, self.clock))

    async def request(
        self, msg_type: str, trx_info: Mapping[str, Any], mutate: Mutation | None = None
    ) -> Exchange:
        """Send a signed request; ``mutate`` changes the message before it is signed."""
        message = self.client.build(msg_type, self.industry_code, trx_info)
        if mutate is not None:
            message = mutate(message)
        return await self.client.post(
            self.target.ucsp.gateway_url, message, self.codec.sign(message)
        )

    async def post_bytes(
        self,
        body: bytes,
        message: dict[str, Any] | None = None,
        content_type: str = "application/json; charset=UTF-8",
        method: str = "POST",
    ) -> Exchange:
        """Send raw bytes (hostile input, corrupted signatures) and record the answer."""
        if method == "POST" and content_type.startswith("application/json"):
            return await self.client.post(self.target.ucsp.gateway_url, message or {}, body)
        http = await self.client._client()
        answer = await http.request(
            method,
            parsed_url(self.target.ucsp.gateway_url),
            content=body,
            headers={"Content-Type": content_type},
        )
        exchange = Exchange(
            self.target.ucsp.gateway_url, "", body, 0.0, answer.status_code, answer.content
        )
        self._record_exchange(exchange)
        return exchange

    async def send_raw(
        self,
        body: bytes,
        content_type: str | None = JSON_CONTENT_TYPE,
        method: str = "POST",
        url: str | None = None,
    ) -> httpx.Response:
        """Send ``body`` as it is (any method and Content-Type, or none) and journal it.

        Nothing is checked: the caller judges the answer. Transport errors propagate.
        """
        target = url or self.target.ucsp.gateway_url
        http = await self.client._client()
        headers = {"Content-Type": content_type} if content_type is not None else {}
        started = self.clock.elapsed()
        try:
            answer = await http.request(
                method,
                parsed_url(target),
                content=body,
                headers=headers,
                timeout=self.client.timeout,
            )
        except httpx.HTTPError:
            self.journal.record(entry("out", target, body, None, None, self.clock, started))
            raise
        self.journal.record(
            entry("out", target, body, answer.status_code, answer.content, self.clock, started)
        )
        return answer

    def answer_content_type(self, request: bytes) -> str | None:
        """Content-Type of the UCSP's answer to the request with these bytes, if seen."""
        for item in reversed(self.answered):
            if item.request == request:
                return str(item.content_type)
        return None

    def received_as(self, body: bytes) -> Received | None:
        """Method and Content-Type of the request with these bytes received at /notify."""
        for item in reversed(self.received):
            if item.body == body:
                return item
        return None

    async def _note_answer(self, response: httpx.Response) -> None:
        request = response.request
        try:
            content = request.content
        except httpx.RequestNotRead:
            return
        self.answered.append(
            Answered(content, response.status_code, response.headers.get("content-type", ""))
        )

    # --- receiving -----------------------------------------------------------------------

    async def _notify(self, request: Request) -> Response:
        started = self.clock.elapsed()
        body = await read_protocol_body(request, self.target.profile.max_body_bytes)
        content_type = request.headers.get("content-type", "")
        self.received.append(
            Received(request.method, content_type, body if isinstance(body, bytes) else b"")
        )
        if isinstance(body, Response):
            return body
        answer = self.answers.popleft() if self.answers else NoticeAnswer()
        if answer.hang:
            self.journal.record(
                entry("in", str(request.url), body, None, None, self.clock, started)
            )
            await asyncio.sleep(3600)
        code: str = answer.code
        try:
            decoded = self.codec.decode(body, "request")
            msg_info: Any = decoded.msg_info
        except UcspError as exc:
            code, msg_info = exc.code.value, {}
        if answer.corrupt == "echo" and isinstance(msg_info.get("msgID"), str):
            msg_id = msg_info["msgID"]
            msg_info = {**msg_info, "msgID": msg_id[:-1] + ("1" if msg_id[-1:] == "0" else "0")}
        reply = self.codec.sign(build_response(msg_info, {}, ResponseCode(code)))
        if answer.corrupt == "signature":
            reply = flip_signature(reply)
        response = (
            protocol_response(reply)
            if answer.http_status == 200
            else Response(b"unavailable", status_code=answer.http_status)
        )
        self.journal.record(
            entry(
                "in",
                str(request.url),
                body,
                response.status_code,
                reply if answer.http_status == 200 else None,
                self.clock,
                started,
            )
        )
        return response

    async def _index(self, request: Request) -> Response:
        query = urlsplit(str(request.url)).query
        values = parse_qs(query, keep_blank_values=True).get("request_data", [])
        self.logins.append(values[0] if values else "")
        self.journal.record(
            entry(
                "in", str(request.url), query.encode(), 200, None, self.clock, self.clock.elapsed()
            )
        )
        return HTMLResponse("<html><body>suite index page</body></html>")

    async def _front(self, request: Request) -> Response:
        return HTMLResponse("<html><body>suite front page</body></html>")
