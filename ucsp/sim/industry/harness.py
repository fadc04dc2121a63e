"""The /harness routes of HARNESS.md A, with the error answers of PROTOCOL.md 8.

Errors: invalid input 400; unknown orderId, origOrderId or contractId 404; a cancellation or
refund of an order without queryId 409; no valid answer from UCSP 424
``{"error", "orderId"?}``. Every error body is ``{"error": "..."}``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ucsp.codes import ResponseCode
from ucsp.errors import MalformedMessage
from ucsp.sim.industry.flows import Flows, Outcome
from ucsp.sim.industry.store import Contract, Order, Store
from ucsp.strictjson import parse_object

_AMOUNT = re.compile(r"[0-9]{1,12}")
_CURRENCY = re.compile(r"[0-9]{3}")
_ANS = re.compile(r"[ -~]+")
MAX_BODY = 65536


class BadInput(Exception):
    pass


def error(status: int, message: str, **extra: str) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def amount_of(body: dict[str, Any], key: str = "txnAmt") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value) or int(value) == 0:
        raise BadInput(f"{key} must be a string of 1-12 digits with a value above zero")
    return value


def currency_of(body: dict[str, Any]) -> str:
    value = body.get("currencyCode")
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise BadInput("currencyCode must be a string of 3 digits")
    return value


def text_of(body: dict[str, Any], key: str, max_length: int, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _ANS.fullmatch(value) or len(value) > max_length:
        raise BadInput(f"{key} must be printable ASCII of 1-{max_length} characters")
    return value


def order_json(order: Order) -> dict[str, str]:
    answer = {
        "orderId": order.order_id,
        "status": order.status.value,
        "txnAmt": order.txn_amt,
        "currencyCode": order.currency_code,
        "refundedAmt": str(order.refunded_amt),
    }
    if order.query_id:
        answer["queryId"] = order.query_id
    return answer


Handler = Callable[[Request], Awaitable[Response]]


class Harness:
    def __init__(self, flows: Flows, store: Store, learn: Callable[[Request], None]) -> None:
        self.flows = flows
        self.store = store
        self.learn = learn

    def routes(self) -> list[Route]:
        return [
            Route("/harness/payments", self._post(self.payments), methods=["POST"]),
            Route("/harness/auto-debit/sign", self._post(self.sign), methods=["POST"]),
            Route("/harness/auto-debit/close", self._post(self.close), methods=["POST"]),
            Route("/harness/auto-debit/charge", self._post(self.charge), methods=["POST"]),
            Route("/harness/cancellations", self._post(self.cancel), methods=["POST"]),
            Route("/harness/refunds", self._post(self.refund), methods=["POST"]),
            Route("/harness/orders/{orderId}", self.get_order, methods=["GET"]),
            Route("/harness/contracts/{contractId}", self.get_contract, methods=["GET"]),
            Route("/harness/users/{userId:path}/session", self.get_session, methods=["GET"]),
        ]

    def _post(self, call: Callable[[dict[str, Any]], Awaitable[Response]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            self.learn(request)
            raw = await request.body()
            try:
                body = parse_object(raw, max_bytes=MAX_BODY)
            except MalformedMessage as exc:
                return error(400, f"the body must be a JSON object ({exc.reason})")
            try:
                return await call(body)
            except BadInput as exc:
                return error(400, str(exc))

        return endpoint

    # --- calls that send -------------------------------------------------------------

    @property
    def _refusals_as(self) -> str | None:
        """The code the harness reports a refused charge, cancellation or refund with, when
        not the UCSP's own (only the fault ``harness-reports-refusal-as-01``)."""
        return ResponseCode.FAILED if "harness-reports-refusal-as-01" in self.flows.faults else None

    @staticmethod
    def _order_answer(outcome: Outcome, *keys: str, refusals_as: str | None = None) -> Response:
        """``{orderId, responseCode, keys...}`` as UCSP answered (a refusal reported as
        ``refusals_as`` when given), or 424 without a valid answer."""
        order_id = outcome.order_id or ""
        if not outcome.valid or outcome.code is None:
            return error(424, outcome.error, orderId=order_id)
        code = outcome.code
        if refusals_as is not None and code not in (ResponseCode.APPROVED, ResponseCode.ACCEPTED):
            code = refusals_as
        answer = {"orderId": order_id, "responseCode": code}
        for key in keys:
            value = outcome.trx_info.get(key)
            if isinstance(value, str):
                answer[key] = value
        return JSONResponse(answer)

    async def payments(self, body: dict[str, Any]) -> Response:
        amount, currency = amount_of(body), currency_of(body)
        desc = text_of(body, "orderDesc", 128, required=False)
        outcome = await self.flows.submit_payment(amount, currency, desc)
        return self._order_answer(outcome, "tn", "paymentUrl")

    async def sign(self, body: dict[str, Any]) -> Response:
        user_id = text_of(body, "userId", 64) or ""
        outcome = await self.flows.sign(user_id)
        if not outcome.valid or outcome.code is None:
            return error(424, outcome.error)
        answer = {"responseCode": outcome.code}
        sign_url = outcome.trx_info.get("signUrl")
        if isinstance(sign_url, str):
            answer["signUrl"] = sign_url
        return JSONResponse(answer)

    def _contract(self, body: dict[str, Any]) -> Contract | None:
        contract_id = text_of(body, "contractId", 64) or ""
        return self.store.contract(contract_id)

    async def close(self, body: dict[str, Any]) -> Response:
        contract = self._contract(body)
        if contract is None:
            return error(404, "unknown contractId")
        outcome = await self.flows.close(contract)
        if not outcome.valid or outcome.code is None:
            return error(424, outcome.error)
        return JSONResponse({"responseCode": outcome.code})

    async def charge(self, body: dict[str, Any]) -> Response:
        contract = self._contract(body)
        amount, currency = amount_of(body), currency_of(body)
        if contract is None:
            return error(404, "unknown contractId")
        outcome = await self.flows.charge(contract, amount, currency)
        return self._order_answer(outcome, refusals_as=self._refusals_as)

    def _original(self, body: dict[str, Any]) -> Order | Response:
        order_id = text_of(body, "origOrderId", 64) or ""
        original = self.store.order(order_id)
        if original is None:
            return error(404, "unknown origOrderId")
        if not original.query_id:
            return error(409, "the original order has no queryId yet")
        return original

    async def cancel(self, body: dict[str, Any]) -> Response:
        original = self._original(body)
        if isinstance(original, Response):
            return original
        return self._order_answer(await self.flows.cancel(original), refusals_as=self._refusals_as)

    async def refund(self, body: dict[str, Any]) -> Response:
        amount = amount_of(body)
        original = self._original(body)
        if isinstance(original, Response):
            return original
        outcome = await self.flows.refund(original, amount)
        return self._order_answer(outcome, refusals_as=self._refusals_as)

    # --- read-only calls -------------------------------------------------------------

    async def get_order(self, request: Request) -> Response:
        order = self.store.order(request.path_params["orderId"])
        if order is None:
            return error(404, "unknown orderId")
        return JSONResponse(order_json(order))

    async def get_contract(self, request: Request) -> Response:
        contract = self.store.contract(request.path_params["contractId"])
        if contract is None:
            return error(404, "unknown contractId")
        return JSONResponse(
            {
                "contractId": contract.contract_id,
                "userId": contract.user_id,
                "status": contract.status.value,
            }
        )

    async def get_session(self, request: Request) -> Response:
        user_id = request.path_params["userId"]
        return JSONResponse({"userId": user_id, "loggedIn": self.store.logged_in(user_id)})
