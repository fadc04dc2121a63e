"""Every fault of the catalogue changes what a UCSP-side observer sees.

Each observer plays UCSP against the IS through its HTTP routes, the harness and what it
sends on the wire, and returns what it saw; the test runs it against a clean IS and against
the IS with the fault switched on, and requires the clean observation and a different one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import pytest

from sim_industry.conftest import World, WorldFactory
from ucsp.crypto import sign_message
from ucsp.envelope import build_request
from ucsp.errors import ConfigError, UcspError
from ucsp.mutation.signature import flip_signature
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry import CATALOGUE

pytestmark = pytest.mark.anyio

SCHEDULE = [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
Observer = Callable[[World], Awaitable[Any]]
OBSERVERS: dict[str, tuple[Observer, Any]] = {}


def observes(name: str, clean: Any) -> Callable[[Observer], Observer]:
    def register(observer: Observer) -> Observer:
        OBSERVERS[name] = (observer, clean)
        return observer

    return register


# --- helpers ---------------------------------------------------------------------------------


def _foreign_cert_id(world: World, msg_type: str, trx: dict[str, Any], **cert: str) -> bytes:
    """Signed with the UCSP key but naming an unknown ucspSignCertID."""
    peer = world.peer
    message = build_request(peer.codec.msg_info(msg_type, "TRAVEL01"), trx)
    message["certificateSignature"] = {
        "ucspSignCertID": "424242",
        **cert,
        "signature": peer.target.profile.placeholder,
    }
    key = world.sim.keys.ucsp_sign.identity("ucsp").key
    return sign_message(
        message, key, peer.target.profile.signature_mode, peer.target.profile.placeholder
    )


async def _login_status(world: World, query: str) -> int:
    return (await world.client.get(f"/index?{query}")).status_code


async def _logged_in(world: World, user_id: str) -> bool:
    answer = await world.client.get(f"/harness/users/{user_id}/session")
    return bool(answer.json()["loggedIn"])


async def _pending_payment(world: World) -> str:
    answer = await world.call("/harness/payments", {"txnAmt": "10000", "currencyCode": "156"})
    return str(answer["orderId"])


async def _payment_notice_code(world: World, **change: str) -> tuple[str | None, str]:
    order_id = await _pending_payment(world)
    result = await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id, **change))
    return result.code, (await world.order(order_id))["status"]


async def _charge(world: World, amount: str) -> str:
    contract_id = await world.active_contract()
    body = {"contractId": contract_id, "txnAmt": amount, "currencyCode": "156"}
    return str((await world.call("/harness/auto-debit/charge", body))["orderId"])


def _inquiry_offsets(world: World) -> list[float]:
    return world.inquiries()


# --- login -----------------------------------------------------------------------------------


@observes("login-accepts-bad-signature", 403)
async def _(world: World) -> Any:
    return await _login_status(world, world.login_query().replace("user0001", "user0009"))


@observes("login-accepts-unknown-cert", 403)
async def _(world: World) -> Any:
    from ucsp.crypto import encrypt_field

    trx = {
        "channelCode": "CHANNEL1",
        "mobile": encrypt_field(
            world.sim.keys.industry_enc.cert,
            "13800138000",
            world.peer.target.profile.encryption_mode,
        ),
        "userId": "user0001",
    }
    raw = _foreign_cert_id(
        world, "INDUSTRY_LOGIN_INFO", trx, appEncCertID=world.sim.keys.industry_enc.cert_id
    )
    return await _login_status(world, "request_data=" + quote(raw.decode(), safe=""))


@observes("login-accepts-unknown-enc-cert", 403)
async def _(world: World) -> Any:
    return await _login_status(world, world.login_query(enc_cert_id="987654321"))


@observes("login-skips-decrypt-length-check", 400)
async def _(world: World) -> Any:
    return await _login_status(world, world.login_query(mobile="1" * 65))


@observes("login-accepts-replay", (200, 409))
async def _(world: World) -> Any:
    query = world.login_query()
    return await _login_status(world, query), await _login_status(world, query)


@observes("login-max-length-off-by-one", (200, 200))
async def _(world: World) -> Any:
    return (
        await _login_status(world, world.login_query(user_id="u" * 64)),
        await _login_status(world, world.login_query(user_id="user0002", mobile="1" * 64)),
    )


@observes("login-ends-other-sessions", (200, 200, True))
async def _(world: World) -> Any:
    first = await _login_status(world, world.login_query(user_id="user0001"))
    second = await _login_status(world, world.login_query(user_id="user0002"))
    return first, second, await _logged_in(world, "user0001")


@observes("skew-window-past-only", 200)
async def _(world: World) -> Any:
    from datetime import timedelta

    from ucsp.envelope import format_time

    profile = world.peer.target.profile
    ahead = world.peer.codec.clock.now() + timedelta(seconds=profile.skew_seconds - 1)

    def stamped_ahead(message: dict[str, Any]) -> dict[str, Any]:
        message["msgInfo"]["timeStamp"] = format_time(ahead, profile)
        return message

    return await _login_status(world, world.login_query(mutate=stamped_ahead))


@observes("close-records-every-contract", "ACTIVE")
async def _(world: World) -> Any:
    first = await world.active_contract("user0001")
    other = await world.active_contract("user0002")
    await world.call("/harness/auto-debit/close", {"contractId": first})
    return (await world.contract(other))["status"]


@observes("login-session-on-failure", (403, False))
async def _(world: World) -> Any:
    query = world.login_query().replace("user0001", "user0009")
    return await _login_status(world, query), await _logged_in(world, "user0009")


# --- notice checks ---------------------------------------------------------------------------


@observes("notice-skips-verification", ("11", "PENDING"))
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    body = world.build("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id, "01"))
    result = await world.post_notice(body.replace(b'"01"}', b'"00"}'))
    return result.code, (await world.order(order_id))["status"]


@observes("notice-ignores-cert-id", "11")
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    body = _foreign_cert_id(world, "PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    return (await world.post_notice(body)).code


@observes("notice-skips-format-check", "10")
async def _(world: World) -> Any:
    return (await _payment_notice_code(world, txnAmt="100.00"))[0]


@observes("notice-ignores-other-industry", "99")
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    trx = world.payment_notice(order_id)
    return (await world.notice("PAYMENT_RESULT_NOTICE", trx, industry_code="OTHER001")).code


@observes("notice-ignores-unknown-order", "34")
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    trx = {**world.payment_notice(order_id), "orderId": "NOSUCHORDER0001"}
    return (await world.notice("PAYMENT_RESULT_NOTICE", trx)).code


@observes("notice-ignores-amount-mismatch", ("36", "PENDING"))
async def _(world: World) -> Any:
    return await _payment_notice_code(world, txnAmt="10001")


@observes("notice-ignores-currency-mismatch", ("36", "PENDING"))
async def _(world: World) -> Any:
    return await _payment_notice_code(world, currencyCode="840")


@observes("notice-ignores-txn-type", ("36", "PENDING"))
async def _(world: World) -> Any:
    return await _payment_notice_code(world, txnType="AUTO_DEBIT", contractId="CT0001")


@observes("notice-ignores-orig-qry-id", "36")
async def _(world: World) -> Any:
    order_id = await world.paid_order()
    refund = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "105"})
    trx = world.payment_notice(refund["orderId"], origQryId="QNOTTHEORIGINAL")
    code = (await world.notice("PAYMENT_RESULT_NOTICE", trx)).code
    await world.sim.background.cancel_all()
    return code


@observes("notice-ignores-contract-id", "36")
async def _(world: World) -> Any:
    order_id = await _charge(world, "2005")
    trx = world.payment_notice(order_id, contractId="CTOTHER")
    code = (await world.notice("PAYMENT_RESULT_NOTICE", trx)).code
    await world.sim.background.cancel_all()
    return code


@observes("notice-duplicate-processed-twice", ("3000", "PARTIALLY_REFUNDED"))
async def _(world: World) -> Any:
    order_id = await world.paid_order("10000")
    refund = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3000"})
    assert refund["responseCode"] == "00"
    await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(refund["orderId"]))
    order = await world.order(order_id)
    return order["refundedAmt"], order["status"]


@observes("notice-overrides-final-status", "SUCCEEDED")
async def _(world: World) -> Any:
    order_id = await world.paid_order()
    await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id, "01"))
    return (await world.order(order_id))["status"]


@observes("sign-notice-accepts-unsolicited", "34")
async def _(world: World) -> Any:
    trx = {"contractId": "CT0001", "userId": "stranger", "signStatus": "00"}
    return (await world.notice("SIGN_AUTO_DEBIT_NOTICE", trx)).code


@observes("sign-notice-ignores-contract-owner", ("36", "user0001"))
async def _(world: World) -> Any:
    contract_id = await world.active_contract("user0001")
    await world.call("/harness/auto-debit/sign", {"userId": "user0002"})
    trx = {"contractId": contract_id, "userId": "user0002", "signStatus": "00"}
    code = (await world.notice("SIGN_AUTO_DEBIT_NOTICE", trx)).code
    return code, (await world.contract(contract_id))["userId"]


async def _signed_on_page(world: World, user_id: str = "user0001") -> str:
    """A contract the user signed on the peer's page, its notice not yet delivered."""
    answer = await world.call("/harness/auto-debit/sign", {"userId": user_id})
    return await world.sign_at(str(answer["signUrl"]))


async def _sign_notice(world: World, contract_id: str, status: str = "00") -> str | None:
    trx = {"contractId": contract_id, "userId": "user0001", "signStatus": status}
    return (await world.notice("SIGN_AUTO_DEBIT_NOTICE", trx)).code


async def _browser_returns(world: World, contract_id: str) -> None:
    """The browser back at the IS's frontUrl after signing, as UCSP redirects it."""
    query = {"userId": "user0001", "contractId": contract_id, "signStatus": "00"}
    answer = await world.client.get("/front", params=query)
    assert answer.status_code == 200, answer.text


@observes("sign-notice-reopens-closed", ("00", "CLOSED"))
async def _(world: World) -> Any:
    contract_id = await world.active_contract()
    await world.call("/harness/auto-debit/close", {"contractId": contract_id})
    code = await _sign_notice(world, contract_id)
    return code, (await world.contract(contract_id))["status"]


@observes("sign-notice-overwrites-status", ("00", "ACTIVE"))
async def _(world: World) -> Any:
    contract_id = await world.active_contract()
    code = await _sign_notice(world, contract_id, "01")
    return code, (await world.contract(contract_id))["status"]


@observes("sign-notice-ignores-front-url-contract", ("00", "ACTIVE"))
async def _(world: World) -> Any:
    contract_id = await _signed_on_page(world)
    await _browser_returns(world, contract_id)
    code = await _sign_notice(world, contract_id)
    return code, (await world.contract(contract_id))["status"]


@observes("sign-notice-declines-on-error", ("11", "00", "ACTIVE"))
async def _(world: World) -> Any:
    contract_id = await _signed_on_page(world)
    trx = {"contractId": contract_id, "userId": "user0001", "signStatus": "00"}
    broken = flip_signature(world.build("SIGN_AUTO_DEBIT_NOTICE", trx))
    first = (await world.post_notice(broken)).code
    code = await _sign_notice(world, contract_id)
    return first, code, (await world.contract(contract_id))["status"]


@observes("front-url-demotes-contract", "ACTIVE")
async def _(world: World) -> Any:
    contract_id = await world.active_contract()
    await _browser_returns(world, contract_id)
    return (await world.contract(contract_id))["status"]


@observes("trusts-answer-order-id", (424, True))
async def _(world: World) -> Any:
    world.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(trx={"orderId": "OTHER0001"}))
    answer = await world.post("/harness/payments", {"txnAmt": "10000", "currencyCode": "156"})
    return answer.status_code, answer.json().get("orderId") != "OTHER0001"


# --- notice answers --------------------------------------------------------------------------


async def _answer_verifies(world: World) -> bool:
    order_id = await _pending_payment(world)
    result = await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    try:
        world.peer.codec.check_signature(world.peer.codec.parse(result.raw, "response"))
    except UcspError:
        return False
    return True


@observes("notice-answer-unsigned", True)
async def _(world: World) -> Any:
    return await _answer_verifies(world)


@observes("notice-answer-wrong-key", True)
async def _(world: World) -> Any:
    return await _answer_verifies(world)


@observes("notice-answer-no-echo", True)
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    body = world.build("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    result = await world.post_notice(body)
    return result.message["msgInfo"] == json.loads(body)["msgInfo"]


@observes("notice-answer-http-error", (200, "34"))
async def _(world: World) -> Any:
    order_id = await _pending_payment(world)
    trx = {**world.payment_notice(order_id), "orderId": "NOSUCHORDER0001"}
    result = await world.notice("PAYMENT_RESULT_NOTICE", trx)
    return result.status, result.code


# --- flows -----------------------------------------------------------------------------------


@observes("treats-05-as-success", ("PENDING", 7))
async def _(world: World) -> Any:
    order_id = await _charge(world, "2005")
    status = (await world.order(order_id))["status"]
    await world.drain()
    return status, len(_inquiry_offsets(world))


@observes("submit-00-means-paid", "PENDING")
async def _(world: World) -> Any:
    return (await world.order(await _pending_payment(world)))["status"]


@observes("answer-undoes-notice", "SUCCEEDED")
async def _(world: World) -> Any:
    world.hold_answer("SUBMIT_PAYMENT_ORDER")
    paying = asyncio.ensure_future(_pending_payment(world))
    held = await world.peer.wait_delayed("SUBMIT_PAYMENT_ORDER", 0, timeout=10.0)
    assert held is not None  # the order is on the wire, not answered yet: notify first
    order_id = str(json.loads(held[0])["trxInfo"]["orderId"])
    await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    world.peer.release_delayed(held[0])
    return (await world.order(await paying))["status"]


@observes("treats-timeout-as-failure", ("PENDING", 7))
async def _(world: World) -> Any:
    world.peer.override("SUBMIT_PAYMENT_ORDER", GatewayOverride(timeout=True))
    answer = await world.post("/harness/payments", {"txnAmt": "100", "currencyCode": "156"})
    status = (await world.order(answer.json()["orderId"]))["status"]
    await world.drain()
    return status, len(_inquiry_offsets(world))


@observes("keeps-pending-on-failure", ("FAILED", 0))
async def _(world: World) -> Any:
    order_id = await _charge(world, "2001")
    status = (await world.order(order_id))["status"]
    await world.drain()
    return status, len(_inquiry_offsets(world))


@observes("inquires-after-refusal", ("FAILED", 0))
async def _(world: World) -> Any:
    order_id = await _charge(world, "2001")
    status = (await world.order(order_id))["status"]
    await world.drain()
    return status, len(_inquiry_offsets(world))


async def _answered_reversal(
    world: World, path: str, override: GatewayOverride, **body: str
) -> tuple[dict[str, Any], str, str]:
    """A paid order, then a cancellation or refund of it that UCSP answers as ``override``
    says: the harness's answer, the reversal's recorded status and the payment's."""
    order_id = await world.paid_order("10000")
    msg_type = "PAYMENT_CANCELLATION" if "cancellations" in path else "PAYMENT_REFUND"
    world.peer.answer_next(msg_type, override)
    answer = await world.post(path, {"origOrderId": order_id, **body})
    reply: dict[str, Any] = answer.json()
    reversal = await world.order(str(reply["orderId"]))
    payment = await world.order(order_id)
    await world.sim.background.cancel_all()
    return reply, str(reversal["status"]), str(payment["status"])


@observes("refund-05-means-succeeded", ("PENDING", "0"))
async def _(world: World) -> Any:
    order_id = await world.paid_order("10000")
    world.peer.answer_next("PAYMENT_REFUND", GatewayOverride(code="05"))
    refund = await world.call("/harness/refunds", {"origOrderId": order_id, "txnAmt": "3000"})
    status = (await world.order(str(refund["orderId"])))["status"]
    refunded = (await world.order(order_id))["refundedAmt"]
    await world.sim.background.cancel_all()
    return status, str(refunded)


@observes("cancellation-cancels-before-answer", ("FAILED", "SUCCEEDED"))
async def _(world: World) -> Any:
    _, cancellation, payment = await _answered_reversal(
        world, "/harness/cancellations", GatewayOverride(code="11")
    )
    return cancellation, payment


@observes("reversal-unanswered-fails", "PENDING")
async def _(world: World) -> Any:
    override = GatewayOverride(corrupt="signature")
    _, refund, _ = await _answered_reversal(world, "/harness/refunds", override, txnAmt="3000")
    return refund


@observes("harness-reports-refusal-as-01", "99")
async def _(world: World) -> Any:
    reply, _, _ = await _answered_reversal(
        world, "/harness/cancellations", GatewayOverride(code="99")
    )
    return reply.get("responseCode")


@observes("charge-accepts-bad-signature", ("PENDING", 424))
async def _(world: World) -> Any:
    contract_id = await world.active_contract()
    world.peer.answer_next("SUBMIT_AUTO_DEBIT", GatewayOverride(corrupt="signature"))
    body = {"contractId": contract_id, "txnAmt": "2000", "currencyCode": "156"}
    answer = await world.post("/harness/auto-debit/charge", body)
    status = (await world.order(str(answer.json()["orderId"])))["status"]
    await world.sim.background.cancel_all()
    return status, answer.status_code


@observes("never-inquires", SCHEDULE)
async def _(world: World) -> Any:
    await _charge(world, "2005")
    await world.drain()
    return _inquiry_offsets(world)


@observes("inquires-without-backoff", SCHEDULE)
async def _(world: World) -> Any:
    await _charge(world, "2005")
    await world.drain()
    return _inquiry_offsets(world)


@observes("inquires-too-often", SCHEDULE)
async def _(world: World) -> Any:
    await _charge(world, "2005")
    await world.drain()
    return _inquiry_offsets(world)


@observes("inquires-after-notice", [0.0, 1.0])
async def _(world: World) -> Any:
    world.hold_answer("PAYMENT_RESULT_INQUIRY", nth=2)
    order_id = await _charge(world, "2005")
    drained = asyncio.ensure_future(world.drain())
    held = await world.peer.wait_delayed("PAYMENT_RESULT_INQUIRY", 0, timeout=10.0)
    assert held is not None  # the second inquiry, not answered yet
    await world.notice("PAYMENT_RESULT_NOTICE", world.payment_notice(order_id))
    world.peer.release_delayed(held[0])
    await drained
    return _inquiry_offsets(world)


@observes("stops-inquiring-on-error", SCHEDULE)
async def _(world: World) -> Any:
    world.peer.override("PAYMENT_RESULT_INQUIRY", GatewayOverride(code="99"))
    await _charge(world, "2005")
    await world.drain()
    return _inquiry_offsets(world)


@observes("inquiry-wrong-txntime", True)
async def _(world: World) -> Any:
    order_id = await _charge(world, "2005")
    await world.drain()
    order = world.sim.store.order(order_id)
    assert order is not None
    return all(r.trx["txnTime"] == order.txn_time for r in world.requests("PAYMENT_RESULT_INQUIRY"))


@observes("reuses-msgid", 7)
async def _(world: World) -> Any:
    await _charge(world, "2005")
    await world.drain()
    return len({r.msg_info["msgID"] for r in world.requests("PAYMENT_RESULT_INQUIRY")})


@observes("sends-wrong-length-field", (True, True))
async def _(world: World) -> Any:
    await world.post("/harness/payments", {"txnAmt": "100", "currencyCode": "156"})
    sent = world.requests("SUBMIT_PAYMENT_ORDER")[-1]
    return len(sent.trx["orderId"]) <= 40, sent.valid


@observes("wrong-timezone-timestamp", ("20260115103000", "20260115103000"))
async def _(world: World) -> Any:
    await _pending_payment(world)
    sent = world.requests("SUBMIT_PAYMENT_ORDER")[-1]
    return sent.msg_info["timeStamp"], sent.trx["txnTime"]


@observes("msgid-wrong-prefix", "A")
async def _(world: World) -> Any:
    await world.post("/harness/payments", {"txnAmt": "100", "currencyCode": "156"})
    return world.requests("SUBMIT_PAYMENT_ORDER")[-1].msg_info["msgID"][0]


@observes("omits-back-url", True)
async def _(world: World) -> Any:
    await world.call("/harness/auto-debit/sign", {"userId": "user0001"})
    return "backUrl" in world.requests("SIGN_AUTO_DEBIT")[-1].trx


# --- the tests -------------------------------------------------------------------------------


def test_the_catalogue_is_large_unique_and_fully_observed() -> None:
    names = [fault.name for fault in CATALOGUE]
    assert len(names) >= 15 and len(set(names)) == len(names)
    assert set(OBSERVERS) == set(names)
    for fault in CATALOGUE:
        assert fault.description and fault.breaks and fault.category
    with pytest.raises(ConfigError):
        FaultSet(CATALOGUE, ["no-such-fault"])


@pytest.mark.parametrize("name", sorted(OBSERVERS))
async def test_fault_is_observable(make_world: WorldFactory, name: str) -> None:
    observer, clean = OBSERVERS[name]
    assert await observer(make_world()) == clean
    faulty = await observer(make_world(name))
    assert faulty != clean, f"{name}: the fault did not change what UCSP observes"
