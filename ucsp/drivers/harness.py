"""Client of the Industry Service harness contract (HARNESS.md section A)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ucsp.transport import http_client


class HarnessError(Exception):
    """The harness answered an error (4xx/5xx) or something that is not JSON."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"harness answered HTTP {status}: {body[:200]}")
        self.status, self.body = status, body


class DriverTimeout(HarnessError):
    """The driver waited for the SUT to act and nothing came (HTTP 408 in harness terms)."""

    def __init__(self, body: str) -> None:
        super().__init__(408, body)


PAYMENTS = "/harness/payments"
SIGN = "/harness/auto-debit/sign"
CLOSE = "/harness/auto-debit/close"
CHARGE = "/harness/auto-debit/charge"
CANCELLATIONS = "/harness/cancellations"
REFUNDS = "/harness/refunds"
ORDERS = "/harness/orders"
CONTRACTS = "/harness/contracts"


@dataclass
class HarnessAnswer:
    status: int
    data: dict[str, Any]


class HarnessDriver:
    """Makes an Industry Service act through its harness base URL."""

    def __init__(
        self, base_url: str, http: httpx.AsyncClient | None = None, timeout: float = 120.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or http_client(timeout=timeout)  # the one TLS setup

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, expect_ok: bool = True
    ) -> HarnessAnswer:
        response = await self._http.request(method, self.base_url + path, json=body)
        try:
            data = response.json()
        except ValueError:
            raise HarnessError(response.status_code, response.text) from None
        if not isinstance(data, dict):
            raise HarnessError(response.status_code, response.text)
        if expect_ok and response.status_code >= 400:
            raise HarnessError(response.status_code, response.text)
        return HarnessAnswer(response.status_code, data)

    async def pay(
        self,
        txn_amt: str,
        currency: str,
        order_desc: str | None = None,
        *,
        expect_ok: bool = True,
    ) -> HarnessAnswer:
        body = {"txnAmt": txn_amt, "currencyCode": currency}
        if order_desc is not None:
            body["orderDesc"] = order_desc
        return await self.call("POST", PAYMENTS, body, expect_ok)

    async def sign(self, user_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        return await self.call("POST", SIGN, {"userId": user_id}, expect_ok)

    async def close(self, contract_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        return await self.call("POST", CLOSE, {"contractId": contract_id}, expect_ok)

    async def charge(
        self, contract_id: str, txn_amt: str, currency: str, *, expect_ok: bool = True
    ) -> HarnessAnswer:
        body = {"contractId": contract_id, "txnAmt": txn_amt, "currencyCode": currency}
        return await self.call("POST", CHARGE, body, expect_ok)

    async def cancel(self, orig_order_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        return await self.call("POST", CANCELLATIONS, {"origOrderId": orig_order_id}, expect_ok)

    async def refund(
        self, orig_order_id: str, txn_amt: str, *, expect_ok: bool = True
    ) -> HarnessAnswer:
        body = {"origOrderId": orig_order_id, "txnAmt": txn_amt}
        return await self.call("POST", REFUNDS, body, expect_ok)

    async def order_record(self, order_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        """GET /harness/orders/{orderId}: the IS's record of a transaction, as answered."""
        return await self.call("GET", f"{ORDERS}/{order_id}", expect_ok=expect_ok)

    async def contract_record(self, contract_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        """GET /harness/contracts/{contractId}: the IS's record of a contract, as answered."""
        return await self.call("GET", f"{CONTRACTS}/{contract_id}", expect_ok=expect_ok)

    async def order(self, order_id: str) -> dict[str, Any]:
        return (await self.order_record(order_id)).data

    async def contract(self, contract_id: str) -> dict[str, Any]:
        return (await self.contract_record(contract_id)).data

    async def session(self, user_id: str) -> bool:
        data = (await self.call("GET", f"/harness/users/{user_id}/session")).data
        return data.get("loggedIn") is True
