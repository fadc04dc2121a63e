"""Browser-facing routes: AUTHORIZATION_URL, the cashier page and the signing page.

The sandbox hooks follow PROTOCOL.md section 8: ``POST /pay/{tn}`` and ``POST /sign/{token}``
take the form field ``result`` (00 or 01), wait for the first notice attempt, and answer
200 JSON (cashier) or 302 to frontUrl (signing); a repeated hook is 409, an unknown tn or
token 404, another result 400. A GET shows a small HTML form.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ucsp.clock import Clock
from ucsp.codec import Codec
from ucsp.journal import Journal, JournalEntry
from ucsp.login_encoding import encode_request_data, login_url
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp.login import LOGIN_TYPE, login_message
from ucsp.sim.ucsp.notices import Notifier
from ucsp.sim.ucsp.registry import Registry
from ucsp.sim.ucsp.service import Business, HookResult

_AN8 = re.compile(r"[A-Za-z0-9]{8}")
_ANS64 = re.compile(r"[ -~]{1,64}")
_ANS63 = re.compile(r"[ -~]{1,63}")  # the fault authorize-max-length-off-by-one

_FORM = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{detail}</p>
<form method="post"><button name="result" value="00">{yes}</button>
<button name="result" value="01">{no}</button></form></body></html>
"""


def _error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


def _form_page(title: str, detail: str, yes: str, no: str) -> HTMLResponse:
    return HTMLResponse(
        _FORM.format(title=html.escape(title), detail=html.escape(detail), yes=yes, no=no)
    )


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query string."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _result_field(request: Request) -> str | None:
    try:
        form = await request.form()
    except Exception:  # a body python-multipart cannot read: no result given
        return None
    value = form.get("result")
    return value if isinstance(value, str) else None


class Pages:
    def __init__(
        self,
        *,
        codec: Codec,
        registry: Registry,
        business: Business,
        notifier: Notifier,
        journal: Journal,
        clock: Clock,
        faults: FaultSet,
    ) -> None:
        self.codec = codec
        self.registry = registry
        self.business = business
        self.notifier = notifier
        self.journal = journal
        self.clock = clock
        self.faults = faults

    # --- AUTHORIZATION_URL --------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        values = {
            name: params.get(name) for name in ("industryCode", "channelCode", "userId", "mobile")
        }
        ans = _ANS63 if "authorize-max-length-off-by-one" in self.faults else _ANS64
        for name, pattern in (
            ("industryCode", _AN8),
            ("channelCode", _AN8),
            ("userId", ans),
            ("mobile", ans),
        ):
            value = values[name]
            if value is None or not pattern.fullmatch(value):
                return _error(400, f"query parameter {name} is missing or malformed")
        industry = self.registry.industries.get(str(values["industryCode"]))
        if industry is None:
            return _error(400, "unknown industryCode")
        user_id, mobile = str(values["userId"]), str(values["mobile"])
        if "logs-in-first-sandbox-user" in self.faults and self.registry.users:
            first = self.registry.users[0]
            user_id, mobile = first.user_id, first.mobile
        signed = login_message(
            self.codec, industry, str(values["channelCode"]), user_id, mobile, self.faults
        )
        url = login_url(
            industry.index_url,
            encode_request_data(signed, self.codec.profile.request_data_encoding),
        )
        self.journal.record(
            JournalEntry(
                direction="out",
                msg_type=LOGIN_TYPE,
                url=industry.index_url,
                request=signed,
                status=None,
                response=None,
                elapsed=self.clock.elapsed(),
                wall=self.clock.now(),
            )
        )
        return RedirectResponse(url, status_code=302)

    # --- cashier page (paymentUrl) ------------------------------------------------------

    async def cashier(self, request: Request) -> Response:
        tn = request.path_params["tn"]
        if request.method == "GET":
            with self.business.store.tx() as tx:
                txn = tx.txn_by_tn(tn)
            if txn is None:
                return _error(404, "unknown tn")
            detail = f"Order {txn.order_id}: {txn.txn_amt} (currency {txn.currency})"
            return _form_page("UCSP sandbox cashier", detail, "Pay", "Fail")
        hook = self.business.pay(tn, await _result_field(request))
        if hook.status != 200:
            return _error(hook.status, hook.error)
        acknowledged = await self._first_attempt(hook)
        assert hook.txn is not None
        return JSONResponse(
            {
                "orderId": hook.txn.order_id,
                "result": hook.txn.status.value,
                "noticeAcknowledged": acknowledged,
            }
        )

    # --- signing page (signUrl) -----------------------------------------------------------

    async def signing(self, request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":
            with self.business.store.tx() as tx:
                contract = tx.contract_by_token(token)
            if contract is None:
                return _error(404, "unknown signing token")
            detail = f"Auto-debit agreement for user {contract.user_id}"
            return _form_page("UCSP sandbox signing", detail, "Sign", "Decline")
        result = await _result_field(request)
        hook = self.business.sign(token, result)
        if hook.status != 200:
            return _error(hook.status, hook.error)
        await self._first_attempt(hook)
        assert hook.contract is not None and result is not None
        target = with_query(
            hook.contract.front_url, contractId=hook.contract.contract_id, signStatus=result
        )
        return RedirectResponse(target, status_code=302)

    async def _first_attempt(self, hook: HookResult) -> bool:
        assert hook.notice_id is not None
        return await self.notifier.launch(hook.notice_id)
