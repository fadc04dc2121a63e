"""The servers the throughput benches measure, each run in a child process of its own.

- the reference UCSP, as ``ucsp-conformance serve ucsp`` builds it, and
- a floor app: a bare Starlette app that does the least any UCSP must (strict parsing,
  signature verification and a signed response).

Imports are deferred to the calls: the parent process of a bench never pays for them.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any


def reference_app(keys_dir: Path) -> Any:
    from ucsp.sim.options import ServeOptions
    from ucsp.sim.ucsp import build_app

    return build_app(ServeOptions(keys=keys_dir))


def floor_app(
    keys_dir: Path, answer: Callable[[dict[str, Any]], dict[str, Any]], refused: dict[str, Any]
) -> Any:
    """The floor app's /gateway: the answer's trxInfo is ``answer(request trxInfo)`` for a
    verified request, ``refused`` for one it answers with an error code."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from ucsp.codec import Codec
    from ucsp.envelope import build_response
    from ucsp.errors import UcspError
    from ucsp.keys import Keyset
    from ucsp.messages import Party
    from ucsp.transport import protocol_response, read_protocol_body

    keys = Keyset.load(keys_dir)
    trusted = keys.certs_of(Party.INDUSTRY)
    codec = Codec(Party.UCSP, keys.ucsp_sign.identity("ucsp"), trusted)

    async def gateway(request: Request) -> Response:
        body = await read_protocol_body(request, 65536)
        if isinstance(body, Response):
            return body
        trx = refused
        try:
            decoded = codec.parse(body, "request")
            codec.check_signature(decoded)
            trx = answer(decoded.trx_info)
            code = "00"
        except UcspError as exc:
            code = exc.code.value
        return protocol_response(codec.sign(build_response(decoded.msg_info, trx, code)))

    return Starlette(routes=[Route("/gateway", gateway, methods=["POST"])])


def loopback_server(app: Any) -> tuple[Any, socket.socket]:
    """A one-worker uvicorn server for ``app`` and the loopback socket it is to serve on (an
    ephemeral port, printed on stdout for the parent process)."""
    import uvicorn

    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it Nagle + delayed ACK add ~40 ms to every exchange.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", ws="none")
    return uvicorn.Server(config), sock
