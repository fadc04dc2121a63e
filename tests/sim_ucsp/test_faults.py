"""Each fault of the catalogue changes what the Industry Service side observes.

One test per fault, named ``test_fault_<name>``; each asserts the faulty behaviour where the
clean implementation (tested in the other modules) behaves as the spec says.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ucsp import sandbox
from ucsp.crypto import decrypt_field, sign_bytes, sign_message
from ucsp.envelope import format_time
from ucsp.errors import DecryptionFailed, SchemaViolation, SignatureInvalid
from ucsp.sim.ucsp import CATALOGUE

from .support import Policy, Rig, load_keys, run
from .test_authorize import PARAMS, decode_login


def _run(keys_dir: Path, fault: str, scenario: Any) -> None:
    run(keys_dir, scenario, faults=[fault])


def _offsets(rig: Rig) -> list[float]:
    entries = rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")
    return [e.elapsed - entries[0].elapsed for e in entries]


async def _paid_with_failing_notices(rig: Rig) -> None:
    rig.industry.default = Policy(code="99")
    _, reply = await rig.submitted()
    await rig.hook(reply.trx["paymentUrl"])
    await rig.drain()


def test_every_fault_has_a_test() -> None:
    module = sys.modules[__name__]
    missing = [
        f.name for f in CATALOGUE if not hasattr(module, "test_fault_" + f.name.replace("-", "_"))
    ]
    assert missing == []
    assert len(CATALOGUE) >= 15
    assert {f.category for f in CATALOGUE} == {
        "signature",
        "format",
        "business",
        "idempotency",
        "timing",
        "encryption",
    }


# --- signature ------------------------------------------------------------------------------


def test_fault_accepts_bad_signature(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        body = rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order("100")))
        tampered = body.replace(b'"txnAmt":"100"', b'"txnAmt":"900"', 1)
        assert (await rig.post(tampered)).code == "00"

    _run(keys_dir, "accepts-bad-signature", scenario)


def test_fault_accepts_unknown_cert_id(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        message["certificateSignature"] = {"appSignCertID": "12345"}
        key = load_keys(keys_dir).industry_sign.key
        assert key is not None
        body = sign_message(message, key, rig.profile.signature_mode, rig.profile.placeholder)
        assert (await rig.post(body)).code == "00"

    _run(keys_dir, "accepts-unknown-cert-id", scenario)


def test_fault_signs_responses_badly(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.post(rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order())))
        assert reply.code == "00"
        assert reply.signature_ok is False

    _run(keys_dir, "signs-responses-badly", scenario)


def test_fault_login_unsigned_fields(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        with pytest.raises(SignatureInvalid):
            decode_login(rig, answer.headers["location"])

    _run(keys_dir, "login-unsigned-fields", scenario)


# --- format ---------------------------------------------------------------------------------


def test_fault_no_echo_msginfo(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        reply = await rig.post(rig.sign(message))
        assert reply.code == "00"
        assert reply.msg_info != message["msgInfo"]

    _run(keys_dir, "no-echo-msginfo", scenario)


def test_fault_skips_schema_check(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order(orderId="A" * 41))
        assert (await rig.post(rig.sign(message))).code == "00"

    _run(keys_dir, "skips-schema-check", scenario)


def test_fault_wrong_code_for_bad_format(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        assert (await rig.post(b"{")).code == "99"
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order(orderId="A" * 41))
        assert (await rig.post(rig.sign(message))).code == "99"

    _run(keys_dir, "wrong-code-for-bad-format", scenario)


def test_fault_http_500_on_bad_json(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        assert (await rig.post(b"{")).status == 500
        assert (await rig.post(b"\xef\xbb\xbf{}")).status == 500

    _run(keys_dir, "http-500-on-bad-json", scenario)


def test_fault_accepts_duplicate_keys(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        message["certificateSignature"] = {
            "appSignCertID": rig.keys.industry_sign.cert_id,
            "signature": "00000000",
        }
        text = json.dumps(message, separators=(",", ":"))
        text = text.replace('"trxInfo":{', '"trxInfo":{"orderId":"DUPLICATE01",', 1)
        key = load_keys(keys_dir).industry_sign.key
        assert key is not None
        signature = sign_bytes(key, text.encode(), rig.profile.signature_mode)
        body = text.replace('"00000000"', json.dumps(signature)).encode()
        assert (await rig.post(body)).code == "00"

    _run(keys_dir, "accepts-duplicate-keys", scenario)


# --- business -------------------------------------------------------------------------------


def test_fault_refund_exceeds_original(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "1000"))).code == "00"
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "500"))).code == "00"

    _run(keys_dir, "refund-exceeds-original", scenario)


def test_fault_cancels_after_refund(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        assert (await rig.send("PAYMENT_REFUND", rig.reversal(query_id, "100"))).code == "00"
        assert (await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "1000"))).code == "00"

    _run(keys_dir, "cancels-after-refund", scenario)


def test_fault_cancels_partial_amount(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, query_id = await rig.paid("1000")
        assert (await rig.send("PAYMENT_CANCELLATION", rig.reversal(query_id, "400"))).code == "00"

    _run(keys_dir, "cancels-partial-amount", scenario)


def test_fault_accepts_unknown_acqiin(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SUBMIT_PAYMENT_ORDER", rig.order(acqIIN="99999999"))
        assert reply.code == "00"

    _run(keys_dir, "accepts-unknown-acqiin", scenario)


def test_fault_charges_closed_contract(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        close = {"contractId": contract_id, "userId": "user0001"}
        assert (await rig.send("CLOSE_AUTO_DEBIT", close)).code == "00"
        assert (await rig.send("SUBMIT_AUTO_DEBIT", rig.charge(contract_id))).code == "00"

    _run(keys_dir, "charges-closed-contract", scenario)


def test_fault_close_closes_merchant_contracts(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        first = await rig.contract("user0001")
        other = await rig.contract("user0002")
        close = {"contractId": first, "userId": "user0001"}
        assert (await rig.send("CLOSE_AUTO_DEBIT", close)).code == "00"
        assert (await rig.send("SUBMIT_AUTO_DEBIT", rig.charge(other))).code == "36"

    _run(keys_dir, "close-closes-merchant-contracts", scenario)


def test_fault_charges_any_merchant(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        contract_id = await rig.contract()
        charge = {**rig.charge(contract_id), "merId": sandbox.OTHER_MER_ID}
        assert (await rig.send("SUBMIT_AUTO_DEBIT", charge)).code == "00"

    _run(keys_dir, "charges-any-merchant", scenario)


def test_fault_sign_hook_accepts_any_result(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SIGN_AUTO_DEBIT", rig.sign_request())
        assert reply.code == "00"
        assert (await rig.hook(reply.trx["signUrl"], "02")).status_code == 302
        await rig.drain()
        rig.industry.failures.clear()  # the notice's signStatus 02 is malformed, as expected

    _run(keys_dir, "sign-hook-accepts-any-result", scenario)


def test_fault_sign_hook_unknown_token_400(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.send("SIGN_AUTO_DEBIT", rig.sign_request())
        assert reply.code == "00"
        assert (await rig.hook(reply.trx["signUrl"] + "0")).status_code == 400

    _run(keys_dir, "sign-hook-unknown-token-400", scenario)


def test_fault_inquiry_unknown_order_00(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        for msg_type in ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY"):
            inquiry = {"orderId": "NOSUCH0001", "txnTime": rig.now()}
            reply = await rig.send(msg_type, inquiry)
            assert (reply.code, reply.trx["txnStatus"]) == ("00", "01")

    _run(keys_dir, "inquiry-unknown-order-00", scenario)


def test_fault_inquiry_ignores_txntime(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, _ = await rig.submitted()
        inquiry = {"orderId": trx["orderId"], "txnTime": "20200101000000"}
        assert (await rig.send("PAYMENT_RESULT_INQUIRY", inquiry)).code == "00"

    _run(keys_dir, "inquiry-ignores-txntime", scenario)


async def _refund_inquired(rig: Rig, amount: str) -> dict[str, Any]:
    """The answer to REFUND_RESULT_INQUIRY about a refund of ``amount`` of a paid 1000."""
    _, query_id = await rig.paid("1000")
    refund = rig.reversal(query_id, amount)
    await rig.send("PAYMENT_REFUND", refund)
    inquiry = {"orderId": refund["orderId"], "txnTime": refund["txnTime"]}
    reply = await rig.send("REFUND_RESULT_INQUIRY", inquiry)
    assert reply.code == "00"
    return dict(reply.trx)


def test_fault_refund_inquiry_original_status(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        declined = await _refund_inquired(rig, "401")  # sandbox: ...01 is declined
        assert (declined["txnStatus"], declined["txnAmt"]) == ("00", "401")

    _run(keys_dir, "refund-inquiry-original-status", scenario)


def test_fault_refund_inquiry_original_amount(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        refund = await _refund_inquired(rig, "400")
        assert (refund["txnStatus"], refund["txnAmt"]) == ("00", "1000")

    _run(keys_dir, "refund-inquiry-original-amount", scenario)


def test_fault_notice_wrong_amount(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, reply = await rig.submitted("12345")
        await rig.hook(reply.trx["paymentUrl"])
        assert [n["txnAmt"] for n in rig.industry.notices()] == ["12346"]

    _run(keys_dir, "notice-wrong-amount", scenario)


# --- idempotency ----------------------------------------------------------------------------


def test_fault_duplicate_order_new_tn(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, first = await rig.submitted()
        again = await rig.send("SUBMIT_PAYMENT_ORDER", trx)
        assert again.code == "00"
        assert again.trx["tn"] != first.trx["tn"]

    _run(keys_dir, "duplicate-order-new-tn", scenario)


def test_fault_order_id_reuse_accepted(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, _ = await rig.submitted("100")
        assert (await rig.send("SUBMIT_PAYMENT_ORDER", {**trx, "txnAmt": "200"})).code == "00"

    _run(keys_dir, "order-id-reuse-accepted", scenario)


def test_fault_resubmission_compares_unknown_fields(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        trx, _ = await rig.submitted("100")
        again = await rig.send("SUBMIT_PAYMENT_ORDER", {**trx, "memo": "unknown1"})
        assert again.code == "36"

    _run(keys_dir, "resubmission-compares-unknown-fields", scenario)


def test_fault_replay_accepted(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        body = rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order()))
        assert [(await rig.post(body)).code for _ in range(2)] == ["00", "00"]

    _run(keys_dir, "replay-accepted", scenario)


def test_fault_notice_reuses_msgid(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        await _paid_with_failing_notices(rig)
        ids = {n.msg_info["msgID"] for n in rig.industry.received}
        assert len(rig.industry.received) == 7
        assert len(ids) == 1

    _run(keys_dir, "notice-reuses-msgid", scenario)


# --- timing ---------------------------------------------------------------------------------


def test_fault_skew_not_checked(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        stale = rig.clock.now() - timedelta(hours=1)
        message["msgInfo"]["timeStamp"] = format_time(stale, rig.profile)
        assert (await rig.post(rig.sign(message))).code == "00"

    _run(keys_dir, "skew-not-checked", scenario)


def test_fault_skew_window_past_only(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        ahead = rig.clock.now() + timedelta(seconds=rig.profile.skew_seconds - 1)
        message["msgInfo"]["timeStamp"] = format_time(ahead, rig.profile)
        assert (await rig.post(rig.sign(message))).code == "10"

    _run(keys_dir, "skew-window-past-only", scenario)


def test_fault_notice_no_retry(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        await _paid_with_failing_notices(rig)
        assert _offsets(rig) == [0.0]

    _run(keys_dir, "notice-no-retry", scenario)


def test_fault_notice_retry_too_fast(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        await _paid_with_failing_notices(rig)
        assert _offsets(rig) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]

    _run(keys_dir, "notice-retry-too-fast", scenario)


def test_fault_notice_stops_on_any_answer(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        await _paid_with_failing_notices(rig)
        assert _offsets(rig) == [0.0]
        assert [e.code for e in rig.sim.journal.select("PAYMENT_RESULT_NOTICE", "out")] == ["99"]

    _run(keys_dir, "notice-stops-on-any-answer", scenario)


# --- encryption -----------------------------------------------------------------------------


def _login_mobile(rig: Rig, location: str) -> str:
    _, message = decode_login(rig, location)
    mobile = message["trxInfo"]["mobile"]
    assert isinstance(mobile, str)
    return mobile


def test_fault_mobile_not_encrypted(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        location = answer.headers["location"]
        with pytest.raises(SchemaViolation, match="mobile"):
            decode_login(rig, location)
        [entry] = rig.sim.journal.select("INDUSTRY_LOGIN_INFO", "out")
        assert json.loads(entry.request)["trxInfo"]["mobile"] == PARAMS["mobile"]

    _run(keys_dir, "mobile-not-encrypted", scenario)


def test_fault_encrypts_with_wrong_key(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        mobile = _login_mobile(rig, answer.headers["location"])
        key = load_keys(keys_dir).industry_enc.key
        assert key is not None
        with pytest.raises(DecryptionFailed):
            decrypt_field(key, mobile, rig.profile.encryption_mode)

    _run(keys_dir, "encrypts-with-wrong-key", scenario)


# --- login ----------------------------------------------------------------------------------


def test_fault_logs_in_first_sandbox_user(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        user_id, mobile = sandbox.SANDBOX_USERS[1]
        params = {**PARAMS, "userId": user_id, "mobile": mobile}
        answer = await rig.client.get("/authorize", params=params)
        _, message = decode_login(rig, answer.headers["location"])
        assert message["trxInfo"]["userId"] == sandbox.SANDBOX_USERS[0][0]

    _run(keys_dir, "logs-in-first-sandbox-user", scenario)


def test_fault_authorize_max_length_off_by_one(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        for name in ("userId", "mobile"):
            params = {**PARAMS, name: (PARAMS[name] * 64)[:64]}
            answer = await rig.client.get("/authorize", params=params)
            assert answer.status_code == 400, name

    _run(keys_dir, "authorize-max-length-off-by-one", scenario)
