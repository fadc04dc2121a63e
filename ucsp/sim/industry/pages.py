"""Browser-facing pages: the home page and the front URL (frontUrl of orders and signing)."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.store import Store
from ucsp.sim.store_base import ContractStatus

_CONTRACT_ID = re.compile(r"[A-Za-z0-9]{1,64}")


def home_page(industry_code: str) -> Response:
    return HTMLResponse(
        "<!doctype html><title>Industry Service</title>"
        f"<h1>Reference Industry Service {html.escape(industry_code)}</h1>"
        "<p>TEST ONLY. Login: <code>GET /index?request_data=...</code>; notices: "
        "<code>POST /notify</code>; harness: <code>/harness/...</code>.</p>"
    )


def front_page(request: Request, store: Store, faults: FaultSet) -> Response:
    """Where UCSP sends the browser back (frontUrl).

    After signing, UCSP adds ``contractId`` and ``signStatus``. The browser is not a signed
    channel, so a contract first seen here is only recorded as PENDING, for a user this IS
    asked to sign; the SIGN_AUTO_DEBIT_NOTICE settles it.
    """
    params = request.query_params
    user_id = params.get("userId", "")
    contract_id = params.get("contractId", "")
    order_id = params.get("orderId", "")
    lines = []
    if user_id and _CONTRACT_ID.fullmatch(contract_id) and store.signing_requested(user_id):
        store.record_contract(contract_id, user_id, ContractStatus.PENDING)
        if "front-url-demotes-contract" in faults:
            store.set_contract_status(contract_id, ContractStatus.PENDING)
        contract = store.contract(contract_id)
        status = contract.status.value if contract is not None else "PENDING"
        lines.append(f"Contract {contract_id}: {status}")
    if order_id:
        order = store.order(order_id)
        lines.append(f"Order {order_id}: {order.status.value if order else 'unknown'}")
    if not lines:
        lines.append("Nothing to show.")
    items = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return HTMLResponse(f"<!doctype html><title>Industry Service</title><h1>Result</h1>{items}")
