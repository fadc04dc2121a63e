"""An ASGI wrapper for every receiver: a client that went away is not an application error.

Starlette raises ``ClientDisconnect`` from ``request.stream()`` when the client closes the
connection before its body is complete (or when the server gives up on a slow body, see
:mod:`ucsp.serving`). Unguarded, uvicorn logs that as "Exception in ASGI application" with a
long traceback for every such request. The guard ends the request quietly instead; the
server's protocol (:class:`ucsp.serving.BoundedH11Protocol`) logs the one line that says
what happened.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)


class DisconnectGuard:
    """Wraps ``app``; a ``ClientDisconnect`` ends the request without a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            log.debug("%s %s: the client went away", scope.get("method"), scope.get("path"))
