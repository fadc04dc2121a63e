"""SignedClient against a tiny Starlette app (httpx.ASGITransport); read_protocol_body's checks.

pytest-asyncio is not installed: each test drives its coroutine with asyncio.run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp import sandbox
from ucsp.codec import Codec, error_code
from ucsp.codes import ResponseCode
from ucsp.envelope import build_response, fallback_msg_info
from ucsp.errors import UcspError
from ucsp.messages import Party
from ucsp.transport import (
    JSON_CONTENT_TYPE,
    Exchange,
    SignedClient,
    _known_absent,
    http_client,
    parsed_url,
    protocol_response,
    read_protocol_body,
    tls_context,
)

LIMIT = 65536
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
BASE = "http://ucsp.test"


# --- read_protocol_body ---------------------------------------------------------------------


async def echo_length(request: Request) -> Response:
    body = await read_protocol_body(request, LIMIT)
    if isinstance(body, Response):
        return body
    return Response(str(len(body)), media_type="text/plain")


BODY_APP = Starlette(routes=[Route("/in", echo_length, methods=METHODS)])


def post(
    method: str = "POST",
    content: bytes | AsyncIterator[bytes] = b"{}",
    content_type: str | None = "application/json; charset=UTF-8",
) -> httpx.Response:
    headers = {} if content_type is None else {"Content-Type": content_type}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=BODY_APP)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            return await http.request(method, "/in", content=content, headers=headers)

    result: httpx.Response = asyncio.run(go())
    return result


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_a_method_other_than_post_is_405(method: str) -> None:
    answer = post(method)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=UTF-8",
        "application/json;charset=utf-8",
        "APPLICATION/JSON",
        "Application/Json; Charset=UTF-8",
        "  application/json ; charset=UTF-8",
    ],
)
def test_json_content_types_are_accepted(content_type: str) -> None:
    answer = post(content=b'{"a":"b"}', content_type=content_type)
    assert (answer.status_code, answer.text) == (200, "9")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "text/json",
        "application/jsonx",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/problem+json",
    ],
)
def test_other_content_types_are_415(content_type: str | None) -> None:
    assert post(content_type=content_type).status_code == 415


def test_a_body_of_exactly_the_limit_is_read() -> None:
    answer = post(content=b"x" * LIMIT)
    assert (answer.status_code, answer.text) == (200, str(LIMIT))


def test_a_declared_length_over_the_limit_is_413() -> None:
    assert post(content=b"x" * (LIMIT + 1)).status_code == 413


def test_a_streamed_body_over_the_limit_is_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 4096  # 80 KiB, no Content-Length

    assert post(content=chunks()).status_code == 413


def test_a_streamed_body_within_the_limit_is_read() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(16):
            yield b"x" * 4096

    answer = post(content=chunks())
    assert (answer.status_code, answer.text) == (200, str(LIMIT))


def test_the_checks_come_in_order_405_415_413() -> None:
    huge = b"x" * (LIMIT + 1)
    assert post("GET", huge, "text/plain").status_code == 405
    assert post("POST", huge, "text/plain").status_code == 415
    assert post("POST", huge, "application/json").status_code == 413


def test_protocol_response_is_200_json_utf8() -> None:
    response = protocol_response(b'{"a":"b"}')
    assert response.status_code == 200
    assert response.body == b'{"a":"b"}'
    content_types = [v for k, v in response.raw_headers if k == b"content-type"]
    assert content_types == [JSON_CONTENT_TYPE.encode()]


# --- SignedClient against a tiny reference gateway --------------------------------------------

Mangle = Callable[[bytes], bytes]


def gateway_app(codec: Codec, behaviour: str = "ok") -> Starlette:
    """A minimal UCSP gateway: checks, answers 00 with a signed response (or misbehaves)."""

    async def gateway(request: Request) -> Response:
        body = await read_protocol_body(request, codec.profile.max_body_bytes)
        if isinstance(body, Response):
            return body
        if behaviour == "http-500":
            return Response(status_code=500)
        try:
            decoded = codec.decode(body, "request")
        except UcspError as exc:
            try:
                parsed: Any = codec.parse(body, "request").message
            except UcspError:
                parsed = None
            now, profile = codec.clock.now(), codec.profile
            info = fallback_msg_info(parsed, Party.UCSP, sandbox.INDUSTRY_CODE, now, profile)
            answer = build_response(info, {}, error_code(exc), exc.reason)
            return protocol_response(codec.sign(answer))
        msg_info = dict(decoded.msg_info)
        if behaviour == "no-echo":
            msg_id = msg_info["msgID"]
            msg_info["msgID"] = msg_id[:-1] + ("8" if msg_id.endswith("9") else "9")
        trx = {"orderId": decoded.trx_info["orderId"], "tn": "TN0001", "paymentUrl": BASE + "/p"}
        signed = codec.sign(build_response(msg_info, trx, ResponseCode.APPROVED))
        if behaviour == "bad-signature":
            signed = signed.replace(b'"TN0001"', b'"TN0002"')
        if behaviour == "not-json":
            signed = b"<html>busy</html>"
        return protocol_response(signed)

    return Starlette(routes=[Route("/gateway", gateway, methods=METHODS)])


def exchange_with(
    industry_codec: Codec,
    ucsp_codec: Codec,
    trx_info: dict[str, Any],
    behaviour: str = "ok",
) -> tuple[Exchange, list[Exchange]]:
    seen: list[Exchange] = []

    async def go() -> Exchange:
        transport = httpx.ASGITransport(app=gateway_app(ucsp_codec, behaviour))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            client = SignedClient(industry_codec, http=http)
            client.observers.append(seen.append)
            return await client.send(
                BASE + "/gateway",
                "SUBMIT_PAYMENT_ORDER",
                sandbox.INDUSTRY_CODE,
                trx_info,
            )

    exchange: Exchange = asyncio.run(go())
    return exchange, seen


def test_a_signed_exchange_succeeds(
    industry_codec: Codec, ucsp_codec: Codec, order_trx_info: dict[str, str]
) -> None:
    exchange, seen = exchange_with(industry_codec, ucsp_codec, order_trx_info)
    assert exchange.error is None
    assert exchange.ok
    assert exchange.status == 200
    assert exchange.code == "00"
    assert exchange.trx_info["tn"] == "TN0001"
    assert exchange.url == BASE + "/gateway"
    assert exchange.msg_type == "SUBMIT_PAYMENT_ORDER"
    assert exchange.finished is not None and exchange.finished >= exchange.started
    assert seen == [exchange]
    # the raw bytes both ways are kept, and are what was signed
    sent = ucsp_codec.decode(exchange.request, "request")
    assert sent.msg_info == exchange.request_message["msgInfo"]
    assert exchange.decoded is not None and exchange.decoded.raw == exchange.response
    assert json.loads(exchange.response or b"{}")["msgInfo"] == sent.msg_info


def test_a_format_error_is_answered_with_code_10(
    industry_codec: Codec, ucsp_codec: Codec, order_trx_info: dict[str, str]
) -> None:
    order_trx_info["txnAmt"] = "12.80"
    exchange, _ = exchange_with(industry_codec, ucsp_codec, order_trx_info)
    assert exchange.status == 200
    assert exchange.ok  # a valid, signed answer echoing the request: the protocol worked
    assert exchange.code == "10"
    assert exchange.decoded is not None
    assert "$.trxInfo.txnAmt" in exchange.decoded.message["msgResponse"]["responseMsg"]


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("bad-signature", "invalid answer: signature does not verify"),
        ("not-json", "invalid answer: not valid JSON"),
        ("no-echo", "the answer does not echo the request's msgInfo"),
        ("http-500", "HTTP 500"),
    ],
)
def test_an_invalid_answer_is_recorded_not_raised(
    industry_codec: Codec,
    ucsp_codec: Codec,
    order_trx_info: dict[str, str],
    behaviour: str,
    error: str,
) -> None:
    exchange, seen = exchange_with(industry_codec, ucsp_codec, order_trx_info, behaviour)
    assert exchange.error is not None and exchange.error.startswith(error)
    assert not exchange.ok
    assert exchange.code is None
    assert exchange.trx_info == {}
    assert seen == [exchange]


def test_an_answer_signed_by_an_unknown_key_is_invalid(
    industry_codec: Codec, ucsp_codec: Codec, order_trx_info: dict[str, str]
) -> None:
    stranger = dataclasses.replace(industry_codec, trusted={})
    exchange, _ = exchange_with(stranger, ucsp_codec, order_trx_info)
    assert exchange.error is not None and "names no known certificate" in exchange.error


def test_no_answer_is_recorded(industry_codec: Codec) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def go() -> Exchange:
        async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
            client = SignedClient(industry_codec, http=http)
            return await client.send(
                BASE + "/gateway",
                "PAYMENT_RESULT_INQUIRY",
                sandbox.INDUSTRY_CODE,
                {"orderId": "O1"},
            )

    exchange = asyncio.run(go())
    assert exchange.error == "no answer: ConnectError"
    assert exchange.status is None and exchange.response is None
    assert not exchange.ok


def test_post_sends_the_given_bytes_unchanged(industry_codec: Codec) -> None:
    received: list[bytes] = []

    def capture(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        assert request.headers["content-type"] == JSON_CONTENT_TYPE
        return httpx.Response(415)

    async def go() -> Exchange:
        async with httpx.AsyncClient(transport=httpx.MockTransport(capture)) as http:
            client = SignedClient(industry_codec, http=http)
            message = client.build("SUBMIT_PAYMENT_ORDER", sandbox.INDUSTRY_CODE, {"x": "y"})
            body = industry_codec.sign(message)
            return await client.post(BASE + "/gateway", message, body + b" ")

    exchange = asyncio.run(go())
    assert received == [exchange.request]
    assert exchange.request.endswith(b"} ")
    assert exchange.error == "HTTP 415"


def test_the_timeout_comes_from_the_profile(industry_codec: Codec) -> None:
    assert SignedClient(industry_codec).timeout == industry_codec.profile.timeout_seconds
    assert SignedClient(industry_codec, timeout=0.5).timeout == 0.5


def test_build_uses_the_codec_party(industry_codec: Codec) -> None:
    message = SignedClient(industry_codec).build("SIGN_AUTO_DEBIT", "TRAVEL01", {"a": "b"})
    assert message["msgInfo"]["msgID"].startswith("ATRAVEL01")
    assert message["trxInfo"] == {"a": "b"}


def test_a_client_made_on_demand_is_closed(industry_codec: Codec) -> None:
    async def go() -> bool:
        client = SignedClient(industry_codec)
        http = await client._client()
        assert await client._client() is http
        await client.aclose()
        return http.is_closed

    assert asyncio.run(go())


# --- client set-up done once -------------------------------------------------------------


def test_a_url_is_parsed_once() -> None:
    url = "http://127.0.0.1:8123/gateway?x=1"
    assert parsed_url(url) is parsed_url(url)
    assert parsed_url(url) == httpx.URL(url)


def test_an_invalid_url_raises_as_httpx_does() -> None:
    with pytest.raises(httpx.InvalidURL):
        parsed_url("http://[::1/gateway")


def test_clients_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    tls_context.cache_clear()

    async def go() -> None:
        first, second = http_client(timeout=1.0), http_client(timeout=2.0)
        assert first.timeout.read == 1.0 and second.timeout.read == 2.0
        await first.aclose()
        await second.aclose()

    asyncio.run(go())
    assert len(built) == 1
    assert tls_context() is built[0]


def test_a_module_that_cannot_be_imported_is_marked_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "ucsp_no_such_module_anywhere"
    monkeypatch.delitem(sys.modules, name, raising=False)
    _known_absent(name)
    assert sys.modules[name] is None
    with pytest.raises(ImportError):
        importlib.import_module(name)
    monkeypatch.delitem(sys.modules, name)


def test_a_module_that_imports_is_left_alone() -> None:
    _known_absent("json")
    assert sys.modules["json"] is json
