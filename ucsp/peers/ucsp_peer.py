"""The suite playing UCSP, to test an Industry Service.

A clean reference UCSP does the platform's work (tn, cashier, signing page, notices,
inquiries); around it the peer can answer a gateway request with a chosen code, late or not
at all, corrupt an answer, hold, drop, duplicate or tamper with outbound notices, and send crafted
notices of its own. Every exchange lands in one journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ucsp.clock import Clock
from ucsp.codec import Codec
from ucsp.codes import ALL_CODES, REFUSALS
from ucsp.envelope import response_message
from ucsp.journal import Waiters, json_object, msg_id_of
from ucsp.messages import INQUIRY_TYPES, ORDER_CREATING, MsgType, Party
from ucsp.mutation.signature import flip_signature
from ucsp.peers.recording import GateRule, RecordingTransport, entry, peek_msg_type, sent_entry
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp import CATALOGUE, Registry, UcspSimulator
from ucsp.sim.ucsp.registry import Industry, Merchant, SandboxUser
from ucsp.sim.ucsp.rules import inquiry_answer
from ucsp.target import Target
from ucsp.transport import (
    JSON_CONTENT_TYPE,
    Exchange,
    SignedClient,
    http_client,
    parsed_url,
    protocol_response,
    read_capped,
    tls_context,
)

Mutation = Callable[[dict[str, Any]], dict[str, Any]]
CORRUPTIONS = ("signature", "echo", "format", "not-json", "http-500")
SILENCE_LIMIT = 3600.0  # real seconds a silent answer waits for the client to give up
RESULT_NOTICE = MsgType.PAYMENT_RESULT_NOTICE


@dataclass
class GatewayOverride:
    """How the peer answers the next gateway request of one message type."""

    code: str | None = None  # replace the answer's responseCode (None: keep)
    delay: float = 0.0  # protocol seconds before answering (at most, with release_delayed)
    silent: bool = False  # never answer (the client times out)
    timeout: bool = False  # time out at once: HTTP 504 now, journaled as unanswered
    process: bool = True  # let the reference UCSP process the request first
    corrupt: str | None = None  # one of CORRUPTIONS
    trx: Mapping[str, str] | None = None  # merged into the trxInfo; the answer is coded 00
    hold_notice: bool = False  # hold the result notice about the order of this request

    @property
    def readable(self) -> bool:
        """Whether the requester gets a valid answer it can act on (no corruption, no
        silence)."""
        return self.corrupt is None and not self.silent and not self.timeout


def registry_for(target: Target) -> Registry:
    """A one-industry registry describing the Industry Service of ``target``."""
    keys, info = target.keys, target.industry
    industry = Industry(
        code=info.code,
        sign_certs=keys.certs_of(Party.INDUSTRY),
        enc_cert=keys.industry_enc.cert,
        index_url=info.index_url,
        notice_url=info.notice_url,
    )
    return Registry(
        industries={info.code: industry},
        merchants={
            mer_id: Merchant(mer_id, info.acq_iin, info.code)
            for mer_id in (info.mer_id, info.other_mer_id)
        },
        channels=(info.channel_code,),
        users=(SandboxUser(target.ucsp.user_id, target.ucsp.mobile),),
    )


class UcspPeer:
    """The suite's UCSP. ``transport`` (default: the network) carries everything it sends
    to the Industry Service, its own notices and those of the reference UCSP (an
    ``httpx.ASGITransport`` runs the pair in one process); ``db`` holds the reference UCSP's
    state (default: a fresh in-memory database; one shared database lets a new peer carry on
    where another stopped)."""

    def __init__(
        self,
        target: Target,
        base_url: str,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        db: Database | None = None,
    ) -> None:
        self.target, self.base_url, self.clock = target, base_url.rstrip("/"), clock
        outbound = (
            transport if transport is not None else httpx.AsyncHTTPTransport(verify=tls_context())
        )
        self.gate = RecordingTransport(None, clock, outbound)
        self.sim = UcspSimulator(
            keys=target.keys,
            registry=registry_for(target),
            db=db if db is not None else Database(),
            clock=clock,
            profile=target.profile,
            faults=FaultSet(CATALOGUE),
            http=http_client(
                transport=self.gate, timeout=target.profile.timeout_seconds * target.time_scale
            ),
            base_url=self.base_url,
        )
        self.journal = self.sim.journal
        self.codec: Codec = self.sim.codec
        self.codec.trusted = target.keys.certs_of(Party.INDUSTRY)
        self.http = http_client(
            transport=transport, timeout=target.profile.timeout_seconds * target.time_scale
        )  # to the Industry Service
        self.client = SignedClient(self.codec, self.http)
        self.overrides: dict[str, deque[GatewayOverride]] = {}
        # transport facts the journal does not keep (TRN-05), for this scenario
        self.received: dict[bytes, tuple[str, str | None]] = {}
        # gateway answers being held back by a delay override: (request, processed answer)
        self.delayed: list[tuple[bytes, bytes]] = []
        self.delaying = Waiters()  # woken whenever an answer is held back by a delay
        self._let_go: set[bytes] = set()  # delayed answers (by request) to send at once
        self.letting_go = Waiters()
        self.order_overrides: dict[tuple[str, str], deque[GatewayOverride]] = {}
        self._next_order: list[tuple[str, GatewayOverride]] = []

    # --- controls --------------------------------------------------------------------------

    def override(self, msg_type: str, override: GatewayOverride, times: int = 1) -> None:
        queue = self.overrides.setdefault(msg_type, deque())
        queue.extend(GatewayOverride(**vars(override)) for _ in range(times))

    def answer_next(self, msg_type: str, override: GatewayOverride) -> None:
        """Answer the next ``msg_type`` request (an order-creating one) as ``override`` says,
        the rest of the suite's UCSP agreeing with that answer.

        A readable refusal (:data:`REFUSALS`) leaves the reference UCSP out: it records
        nothing and sends no notice. A 05, or an answer the Industry Service cannot take (none,
        badly signed, malformed, not echoing), leaves the result to its inquiries: the
        reference UCSP takes the request and its next result notice is held back (until let
        go, or the scenario ends); only the notice about the order of that request is held,
        never an earlier order's. Any other answer is the reference UCSP's, with its code.
        """
        scripted = GatewayOverride(**vars(override))
        if override.readable and override.code in REFUSALS:
            scripted.process = False
        elif not override.readable or override.code == "05":
            scripted.hold_notice = True
        self.override(msg_type, scripted)

    def override_order(
        self,
        msg_type: str,
        overrides: Iterable[GatewayOverride],
        order_id: str | None = None,
    ) -> None:
        """Script the answers to the next requests of ``msg_type`` about one order, in turn.

        The order is ``order_id``, or, when None, the next order the Industry Service creates:
        the overrides are bound to the orderId of the next order-creating request
        (:data:`ORDER_CREATING`) that reaches the gateway, so that requests about other orders
        (an earlier order's inquiries still running) never consume them. Overrides bound to an
        order take precedence over those of :meth:`override`.
        """
        copies = [GatewayOverride(**vars(o)) for o in overrides]
        if order_id is None:
            self._next_order.extend((msg_type, o) for o in copies)
        else:
            self.order_overrides.setdefault((msg_type, order_id), deque()).extend(copies)

    def gate_notices(
        self, msg_type: str, action: str, count: int = 1, order_id: str | None = None
    ) -> None:
        """``hold``, ``drop``, ``duplicate`` or ``tamper`` with (break the signature of) the next
        ``count`` outbound notices (about the order ``order_id`` only, when given)."""
        match = None if order_id is None else _about_order(order_id)
        self.gate.add_rule(msg_type, GateRule(action, count, match))

    def held_notice_ids(self, match: Callable[[dict[str, Any]], bool]) -> list[str]:
        """msgIDs of the held notices that ``match`` accepts, in the order they were held."""
        found = []
        for request, _ in self.gate.held:
            message = json.loads(request.content)
            msg_id = msg_id_of(request.content)
            if msg_id is not None and msg_id not in found and match(message):
                found.append(msg_id)
        return found

    async def wait_held_notices(
        self, match: Callable[[dict[str, Any]], bool], timeout: float
    ) -> list[str]:
        """Wait (real seconds) until a notice that ``match`` accepts is held; the msgIDs of
        all such held notices ([] on time-out)."""
        await self.gate.holding.wait(lambda: bool(self.held_notice_ids(match)), timeout)
        return self.held_notice_ids(match)

    def release_held(self, msg_ids: list[str]) -> list[str]:
        """Let the held notices with these msgIDs go, in this order; the msgIDs let go."""
        return self.gate.release_ids(msg_ids)

    def _delayed(self, msg_type: str, after: int) -> tuple[bytes, bytes] | None:
        later = self.delayed[after:]
        return next((d for d in later if peek_msg_type(d[0]) == msg_type), None)

    async def wait_delayed(
        self, msg_type: str, after: int, timeout: float
    ) -> tuple[bytes, bytes] | None:
        """Wait (real seconds) for the first ``msg_type`` request whose answer is held back by
        a delay, at or after position ``after`` of :attr:`delayed` (taken before making the
        SUT send it); its (request, processed answer), None on time-out."""
        await self.delaying.wait(lambda: self._delayed(msg_type, after) is not None, timeout)
        return self._delayed(msg_type, after)

    def release_delayed(self, request: bytes) -> None:
        """Send the answer to ``request`` now instead of when its delay is over."""
        self._let_go.add(request)
        self.letting_go.notify()

    async def _hold(self, body: bytes, delay: float) -> None:
        """Hold the answer to ``body`` for ``delay`` protocol seconds, or until it is let go."""
        sleeping = asyncio.ensure_future(self.clock.sleep(delay))
        released = asyncio.ensure_future(self.letting_go.wait(lambda: body in self._let_go, 3600))
        try:
            await asyncio.wait({sleeping, released}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            released.cancel()
            self._let_go.discard(body)

    def reset(self) -> None:
        self.received.clear()
        self.delayed.clear()
        self._let_go.clear()
        self.gate.answer_types.clear()
        self.overrides.clear()
        self.order_overrides.clear()
        self._next_order.clear()
        self.gate.rules.clear()
        self.gate.release()

    async def send_notice(
        self,
        trx_info: Mapping[str, Any],
        msg_type: str = "PAYMENT_RESULT_NOTICE",
        mutate: Mutation | None = None,
        url: str | None = None,
    ) -> Exchange:
        """A crafted notice, signed by the peer (after ``mutate``), to the IS's notice URL."""
        message = self.client.build(msg_type, self.target.industry.code, trx_info)
        if mutate is not None:
            message = mutate(message)
        exchange = await self.client.post(
            url or self.target.industry.notice_url, message, self.codec.sign(message)
        )
        self.journal.record(sent_entry(exchange, self.clock))
        return exchange

    async def send_raw_notice(
        self,
        body: bytes,
        content_type: str = JSON_CONTENT_TYPE,
        url: str | None = None,
    ) -> Exchange:
        """Post ``body`` exactly as given (tampered after signing, not JSON at all) with this
        Content-Type to the IS's notice URL; the answer is journaled but not checked."""
        url = url or self.target.industry.notice_url
        exchange = Exchange(url, peek_msg_type(body), body, time.monotonic())
        try:
            answer = await self.http.post(
                parsed_url(exchange.url), content=body, headers={"Content-Type": content_type}
            )
        except httpx.HTTPError as exc:
            exchange.error, exchange.error_kind = f"no answer: {type(exc).__name__}", "transport"
        else:
            exchange.status, exchange.response = answer.status_code, answer.content
        exchange.finished = time.monotonic()
        self.journal.record(sent_entry(exchange, self.clock))
        return exchange

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.sim.http.aclose()

    # --- the ASGI app ----------------------------------------------------------------------

    def received_as(self, body: bytes) -> tuple[str, str | None] | None:
        """(method, Content-Type) of the gateway request with these bytes, if seen."""
        return self.received.get(body)

    def answer_content_type(self, request: bytes) -> str | None:
        """Content-Type of the IS's answer to the notice with these bytes, if seen."""
        return self.gate.answer_types.get(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/gateway":
            request = Request(scope, receive)
            # one byte past the limit is enough for the reference UCSP behind to answer 413
            body = await read_capped(request, self.target.profile.max_body_bytes + 1)
            self.received[body] = (str(scope["method"]), request.headers.get("content-type"))
            override = self._take(body) if scope["method"] == "POST" else None
            if override is not None:
                response = await self._overridden(scope, body, override, receive)
                await response(scope, receive, send)
                return
            receive = _replay(body)
        await self.sim.app(scope, receive, send)

    def _approved_inquiry(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        """The trxInfo of a 00 answer to this inquiry about a known order (None: no such
        order, or not an inquiry)."""
        info, trx = request.get("msgInfo"), request.get("trxInfo")
        if not (isinstance(info, dict) and isinstance(trx, dict)):
            return None
        msg_type = info.get("msgType")
        if msg_type not in INQUIRY_TYPES:
            return None
        with self.sim.store.tx() as tx:
            txn = tx.txn(str(info.get("industryCode")), str(trx.get("orderId")))
        return inquiry_answer(str(msg_type), txn) if txn is not None else None

    def _take(self, body: bytes) -> GatewayOverride | None:
        try:
            message = json.loads(body)
            msg_type = message["msgInfo"]["msgType"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(msg_type, str):
            return None
        trx = message.get("trxInfo")
        order_id = trx.get("orderId") if isinstance(trx, dict) else None
        if isinstance(order_id, str):
            if msg_type in ORDER_CREATING and self._next_order:
                for kind, bound in self._next_order:
                    self.order_overrides.setdefault((kind, order_id), deque()).append(bound)
                self._next_order.clear()
            queue = self.order_overrides.get((msg_type, order_id))
            if queue:
                return self._taken(queue.popleft(), order_id)
        queue = self.overrides.get(msg_type)
        return self._taken(queue.popleft(), order_id) if queue else None

    def _taken(self, override: GatewayOverride, order_id: object) -> GatewayOverride:
        """``override``, about to answer a request about ``order_id``; its result notice
        held when the override says so."""
        if override.hold_notice and isinstance(order_id, str):
            self.gate_notices(RESULT_NOTICE, "hold", 1, order_id=order_id)
        return override

    def _forget_inner_record(self, body: bytes) -> None:
        """Drop the reference UCSP's own journal entry of an overridden request: the SUT never
        saw that answer, and each transmission must appear once."""
        for index in range(len(self.journal.entries) - 1, -1, -1):
            item = self.journal.entries[index]
            if item.direction == "in" and item.url != "/gateway" and item.request == body:
                del self.journal.entries[index]
                return

    async def _overridden(
        self, scope: Scope, body: bytes, override: GatewayOverride, receive: Receive
    ) -> Response:
        started = self.clock.elapsed()
        answer = b""
        if override.process:
            answer = await _call_app(self.sim.app, scope, body)
            self._forget_inner_record(body)
        if override.delay:
            self.delayed.append((body, answer))
            self.delaying.notify()
            await self._hold(body, override.delay)
        if override.silent or override.timeout:
            self.journal.record(entry("in", "/gateway", body, None, None, self.clock, started))
            if override.silent:
                await _client_gone(receive, SILENCE_LIMIT)
            return Response(b"", status_code=504)  # nobody is listening (any more)
        request = json.loads(body)
        message = (
            json.loads(answer)
            if answer
            else {"msgInfo": request.get("msgInfo"), "trxInfo": {}, "msgResponse": {}}
        )
        if override.code is not None:
            message["msgResponse"] = (
                response_message(override.code, "scripted by the conformance suite")
                if override.code in ALL_CODES
                else {
                    "responseCode": override.code,
                    "responseMsg": "scripted by the conformance suite",
                }
            )
            if override.code != "00":
                message["trxInfo"] = {
                    k: v
                    for k, v in request.get("trxInfo", {}).items()
                    if k in ("orderId", "contractId")
                }
        if override.trx and message.get("msgResponse", {}).get("responseCode") != "00":
            # A scripted status is an approved answer about the order, whatever the reference
            # UCSP made of the request (e.g. 34 to an inquiry with another txnTime): the
            # scenario decides what the SUT hears, and the answer is complete (section 8).
            approved = self._approved_inquiry(request)
            if approved is not None:
                message["msgResponse"] = response_message("00", "scripted by the conformance suite")
                message["trxInfo"] = approved
        code = message.get("msgResponse", {}).get("responseCode")
        if override.trx and code == "00" and isinstance(message.get("trxInfo"), dict):
            message["trxInfo"] = {**message["trxInfo"], **override.trx}
        if override.corrupt == "echo":
            message["msgInfo"] = {
                **message["msgInfo"],
                "msgID": message["msgInfo"]["msgID"][:-1]
                + ("0" if message["msgInfo"]["msgID"][-1] != "0" else "1"),
            }
        raw = self.codec.sign(message)
        if override.corrupt == "signature":
            raw = flip_signature(raw)
        elif override.corrupt == "format":
            raw = raw.replace(b'"msgInfo"', b'"msgInfo_"', 1)
        elif override.corrupt == "not-json":
            raw = raw[: len(raw) // 2]  # cut off mid-message: not a JSON document
        status = 500 if override.corrupt == "http-500" else 200
        answered = replace(
            entry("in", "/gateway", body, status, raw, self.clock, started),
            answered=self.clock.elapsed(),
        )
        self.journal.record(answered)
        if status != 200:
            return Response(b"internal error", status_code=status)
        return protocol_response(raw)


def _about_order(order_id: str) -> Callable[[bytes], bool]:
    """Whether a message's trxInfo.orderId is ``order_id``."""

    def about(body: bytes) -> bool:
        trx = json_object(body).get("trxInfo")
        return isinstance(trx, dict) and trx.get("orderId") == order_id

    return about


async def _client_gone(receive: Receive, limit: float) -> None:
    """Wait (at most ``limit`` real seconds) until the client closes the connection."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), limit)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _call_app(app: Any, scope: Scope, body: bytes) -> bytes:
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(dict(scope), _replay(body), send)
    return b"".join(chunks)
