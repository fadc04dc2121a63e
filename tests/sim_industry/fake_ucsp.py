"""A small scriptable UCSP for unit-testing the reference Industry Service.

It answers the gateway requests the IS sends (by default like the sandbox: magic amounts for
auto-debits, cancellations and refunds, txnStatus 05 for inquiries until told otherwise),
can be scripted per message type to answer any code or misbehave (time-out, HTTP 500,
garbage, bad signature, no echo), and builds the notices and logins UCSP sends to the IS.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp import sandbox
from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.crypto import encrypt_field, sign_message
from ucsp.envelope import build_request, build_response
from ucsp.errors import UcspError
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.transport import JSON_CONTENT_TYPE, protocol_response

GATEWAY = "http://ucsp.test/gateway"
Mutation = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Spec:
    """How the fake answers one request."""

    code: str = "00"
    trx: dict[str, Any] | None = None  # replaces the default trxInfo fields given
    mode: str = "ok"  # ok | timeout | http500 | garbage | bad-signature | no-echo | wrong-order


@dataclass
class Received:
    msg_type: str
    msg_info: dict[str, Any]
    trx: dict[str, Any]
    elapsed: float
    raw: bytes
    valid: bool


@dataclass
class NoticeResult:
    status: int
    raw: bytes
    message: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        response = self.message.get("msgResponse", {})
        return response.get("responseCode") if isinstance(response, dict) else None


class FakeUcsp:
    def __init__(self, keys: Keyset, clock: Clock, profile: Profile) -> None:
        self.keys = keys
        self.clock = clock
        self.profile = profile
        self.codec = Codec(
            Party.UCSP,
            keys.ucsp_sign.identity("ucsp-sign"),
            trusted=keys.certs_of(Party.INDUSTRY),
            profile=profile,
            clock=clock,
        )
        self.received: list[Received] = []
        self.scripts: dict[str, deque[Spec]] = defaultdict(deque)
        self.txn_status: dict[str, str] = {}  # orderId -> txnStatus inquiries report
        self.orders: dict[str, dict[str, Any]] = {}  # orderId -> request trxInfo
        self.query_ids: dict[str, str] = {}
        self.app = Starlette(routes=[Route("/gateway", self.gateway, methods=["POST"])])
        self.is_client: httpx.AsyncClient | None = None  # set by the test world
        # called with each request received, before it is answered (e.g. to send a notice)
        self.hooks: list[Callable[[Received], Awaitable[None]]] = []

    # --- scripting -----------------------------------------------------------------------

    def script(self, msg_type: str, *specs: Spec) -> None:
        self.scripts[msg_type].extend(specs)

    def requests(self, msg_type: str) -> list[Received]:
        return [r for r in self.received if r.msg_type == msg_type]

    def _next(self, msg_type: str) -> Spec | None:
        queue = self.scripts.get(msg_type)
        return queue.popleft() if queue else None

    def transport(self) -> httpx.AsyncBaseTransport:
        return _Transport(self)

    # --- the gateway ---------------------------------------------------------------------

    async def gateway(self, request: Request) -> Response:
        raw = await request.body()
        try:
            decoded = self.codec.decode(raw, "request")
            valid = True
        except UcspError:
            decoded = self.codec.parse(raw, "request")
            valid = False
        received = Received(
            decoded.msg_type, decoded.msg_info, decoded.trx_info, self.clock.elapsed(), raw, valid
        )
        self.received.append(received)
        for hook in self.hooks:
            await hook(received)
        spec = self._next(decoded.msg_type) or self._default(decoded)
        return self._answer(decoded, spec)

    def _query_id(self, order_id: str) -> str:
        return self.query_ids.setdefault(order_id, "Q" + secrets.token_hex(8))

    def _default(self, decoded: Decoded) -> Spec:
        trx, msg_type = decoded.trx_info, decoded.msg_type
        order_id = str(trx.get("orderId", ""))
        if "txnAmt" in trx and msg_type not in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY"):
            self.orders[order_id] = dict(trx)
        if msg_type in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY"):
            return Spec("00", {"txnStatus": self.txn_status.get(order_id, "05")})
        if msg_type in ("SUBMIT_AUTO_DEBIT", "PAYMENT_CANCELLATION", "PAYMENT_REFUND"):
            magic = int(str(trx.get("txnAmt", "0")) or "0") % 100
            return Spec({5: "05", 1: "01"}.get(magic, "00"))
        return Spec("00")

    def _trx(self, decoded: Decoded, spec: Spec) -> dict[str, Any]:
        trx, msg_type = decoded.trx_info, decoded.msg_type
        order_id = str(trx.get("orderId", ""))
        out: dict[str, Any] = {}
        if msg_type == "SUBMIT_PAYMENT_ORDER":
            out = {"orderId": order_id}
            if spec.code == "00":
                out |= {
                    "tn": "TN" + order_id[-10:],
                    "paymentUrl": f"http://ucsp.test/pay/{order_id}",
                }
        elif msg_type == "SIGN_AUTO_DEBIT":
            if spec.code == "00":
                out = {"signUrl": "http://ucsp.test/sign/abc"}
        elif msg_type == "CLOSE_AUTO_DEBIT":
            out = {"contractId": trx.get("contractId", "")}
        elif msg_type in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY"):
            order = self.orders.get(order_id, {})
            out = {"orderId": order_id}
            if spec.code == "00":
                out |= {
                    "queryId": self._query_id(order_id),
                    "txnAmt": order.get("txnAmt", "100"),
                    "currencyCode": order.get("currencyCode", sandbox.CURRENCY_CODE),
                }
                if msg_type == "REFUND_RESULT_INQUIRY":
                    out["origQryId"] = order.get("origQryId", "QORIG")
        else:
            out = {"orderId": order_id}
            if spec.code in ("00", "05"):
                out["queryId"] = self._query_id(order_id)
        if spec.mode == "wrong-order":
            out["orderId"] = "WRONG0000000000001"
        out.update(spec.trx or {})
        return out

    def _answer(self, decoded: Decoded, spec: Spec) -> Response:
        if spec.mode == "http500":
            return Response(b"oops", status_code=500)
        if spec.mode == "garbage":
            return Response(b"{not json", media_type=JSON_CONTENT_TYPE)
        msg_info: Any = decoded.msg_info
        if spec.mode == "no-echo":
            msg_info = self.codec.msg_info(decoded.msg_type, sandbox.INDUSTRY_CODE)
            msg_info["msgID"] = "A" + msg_info["msgID"][1:]
        message = build_response(msg_info, self._trx(decoded, spec), spec.code)
        if spec.mode == "bad-signature":
            message["certificateSignature"] = {
                "ucspSignCertID": self.keys.ucsp_sign.cert_id,
                "signature": self.profile.placeholder,
            }
            key = self.keys.industry_enc.identity("enc").key
            body = sign_message(message, key, self.profile.signature_mode, self.profile.placeholder)
            return protocol_response(body)
        return protocol_response(self.codec.sign(message))

    # --- what UCSP sends to the IS -------------------------------------------------------

    def build(
        self,
        msg_type: str,
        trx: dict[str, Any],
        *,
        industry_code: str = sandbox.INDUSTRY_CODE,
        mutate: Mutation | None = None,
        extra_cert_fields: dict[str, str] | None = None,
    ) -> bytes:
        message = build_request(self.codec.msg_info(msg_type, industry_code), dict(trx))
        if mutate is not None:
            message = mutate(message)
        return self.codec.sign(message, extra_cert_fields or {})

    async def post_notice(self, body: bytes, content_type: str = JSON_CONTENT_TYPE) -> NoticeResult:
        assert self.is_client is not None
        answer = await self.is_client.post(
            "/notify", content=body, headers={"Content-Type": content_type}
        )
        try:
            message = json.loads(answer.content) if answer.content else {}
        except ValueError:
            message = {}
        return NoticeResult(answer.status_code, answer.content, message)

    async def notice(self, msg_type: str, trx: dict[str, Any], **options: Any) -> NoticeResult:
        return await self.post_notice(self.build(msg_type, trx, **options))

    def login_query(
        self,
        *,
        user_id: str = "user0001",
        mobile: str = "13800138000",
        channel_code: str = sandbox.CHANNEL_CODE,
        enc_cert_id: str | None = None,
        mutate: Mutation | None = None,
        encrypt_to: Any = None,
        raw_body: bytes | None = None,
    ) -> str:
        """The query string ``request_data=...`` of an INDUSTRY_LOGIN_INFO redirect."""
        if raw_body is None:
            cert = encrypt_to or self.keys.industry_enc.cert
            trx = {
                "channelCode": channel_code,
                "mobile": encrypt_field(cert, mobile, self.profile.encryption_mode),
                "userId": user_id,
            }
            enc_id = enc_cert_id or self.keys.industry_enc.cert_id
            raw_body = self.build(
                "INDUSTRY_LOGIN_INFO",
                trx,
                mutate=mutate,
                extra_cert_fields={"appEncCertID": enc_id},
            )
        return "request_data=" + quote(raw_body.decode("utf-8"), safe="")


class _Transport(httpx.AsyncBaseTransport):
    """ASGI transport to the fake that can also time out on request."""

    def __init__(self, fake: FakeUcsp) -> None:
        self.fake = fake
        self.inner = httpx.ASGITransport(app=fake.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        message = json.loads(body)
        msg_type = message["msgInfo"]["msgType"]
        queue = self.fake.scripts.get(msg_type)
        if queue and queue[0].mode == "timeout":
            queue.popleft()
            self.fake.received.append(
                Received(
                    msg_type,
                    message["msgInfo"],
                    message["trxInfo"],
                    self.fake.clock.elapsed(),
                    body,
                    False,
                )
            )
            raise httpx.ReadTimeout("timed out (scripted)", request=request)
        return await self.inner.handle_async_request(request)
