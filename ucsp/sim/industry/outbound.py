"""Requests the Industry Service sends to the UCSP gateway, journaled as raw bytes.

Every transmission gets a fresh msgID (never one this process sent before), timeStamp and
signature, unless a fault says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ucsp.clock import Clock
from ucsp.codec import Codec
from ucsp.envelope import build_request
from ucsp.journal import Journal, JournalEntry
from ucsp.sim.faults import FaultSet
from ucsp.transport import Exchange, SignedClient


class Outbound:
    """Signs and posts IS requests; checks and journals the answers."""

    def __init__(
        self,
        codec: Codec,
        gateway_url: str,
        industry_code: str,
        clock: Clock,
        faults: FaultSet,
        journal: Journal,
        http: httpx.AsyncClient | None,
        timeout: float,
    ) -> None:
        self.codec = codec
        self.gateway_url = gateway_url
        self.industry_code = industry_code
        self.clock = clock
        self.faults = faults
        self.journal = journal
        self.client = SignedClient(codec, http, timeout=timeout)
        self._owns_http = http is None
        self._first: dict[str, dict[str, str]] = {}

    def _msg_info(self, msg_type: str, reuse_key: str | None) -> dict[str, str]:
        if reuse_key is not None and "reuses-msgid" in self.faults and reuse_key in self._first:
            return dict(self._first[reuse_key])
        info = self.codec.msg_info(msg_type, self.industry_code)  # msgIDs unique by construction
        if "msgid-wrong-prefix" in self.faults:
            info["msgID"] = "U" + info["msgID"][1:]
        if reuse_key is not None:
            self._first.setdefault(reuse_key, dict(info))
        return info

    async def send(
        self, msg_type: str, trx_info: Mapping[str, Any], reuse_key: str | None = None
    ) -> Exchange:
        """Build, sign, post; the Exchange says whether a valid answer came back."""
        message = build_request(self._msg_info(msg_type, reuse_key), dict(trx_info))
        body = self.codec.sign(message)
        elapsed, wall = self.clock.elapsed(), self.clock.now()
        exchange = await self.client.post(self.gateway_url, message, body)
        decoded = exchange.decoded
        self.journal.record(
            JournalEntry(
                direction="out",
                msg_type=msg_type,
                url=self.gateway_url,
                request=body,
                status=exchange.status,
                response=exchange.response,
                elapsed=elapsed,
                wall=wall,
                code=decoded.response_code if decoded is not None else None,
            )
        )
        return exchange

    def unverified(self, exchange: Exchange) -> Exchange:
        """``exchange`` with an answer refused only for its signature taken as valid (only the
        fault ``charge-accepts-bad-signature`` does this)."""
        if exchange.error_kind != "signature" or exchange.response is None:
            return exchange
        decoded = self.codec.parse(exchange.response, "response")
        exchange.decoded, exchange.error, exchange.error_kind = decoded, None, None
        return exchange

    async def aclose(self) -> None:
        if self._owns_http:
            await self.client.aclose()
