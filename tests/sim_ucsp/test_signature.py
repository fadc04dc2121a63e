"""Signature (11) and replay (99) at the gateway, and the signature of every answer."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

from ucsp.crypto import cert_id, make_test_identity
from ucsp.profile import default_profile

from .support import Rig, registry_for, run


def test_tampered_request_is_11_with_echo_and_no_state_change(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order("100"))
        body = rig.sign(message).replace(b'"txnAmt":"100"', b'"txnAmt":"900"', 1)
        before = rig.state()
        reply = await rig.post(body)
        assert (reply.status, reply.code) == (200, "11")
        assert reply.signature_ok
        assert reply.msg_info == message["msgInfo"]
        assert reply.trx == {"orderId": message["trxInfo"]["orderId"]}
        assert rig.state() == before

    run(keys_dir, scenario)


def test_signature_failures_are_11(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        before = rig.state()
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        unknown_id = await rig.post(
            rig.codec.sign(message).replace(rig.keys.industry_sign.cert_id.encode(), b"12345", 1)
        )
        assert unknown_id.code == "11"
        not_base64 = rig.sign(message)
        start = not_base64.index(b'"signature":"') + len(b'"signature":"')
        end = not_base64.index(b'"', start)
        assert (await rig.post(not_base64[:start] + b"!!!!" + not_base64[end:])).code == "11"
        other_key, _ = make_test_identity("stranger")
        raw = base64.b64encode(other_key.sign(b"x", *_pkcs1())).decode().encode()
        assert (await rig.post(not_base64[:start] + raw + not_base64[end:])).code == "11"
        ucsp_signed = rig.sim.codec.sign(message)  # signed by UCSP's key: wrong party
        assert (await rig.post(ucsp_signed)).code == "10"  # appSignCertID missing
        assert rig.state() == before

    run(keys_dir, scenario)


def _pkcs1() -> tuple[object, object]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return padding.PKCS1v15(), hashes.SHA256()


def test_unregistered_industry_code_is_11(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order(), industry_code="OTHER001")
        reply = await rig.post(rig.sign(message))
        assert reply.code == "11"
        assert reply.msg_info == message["msgInfo"]

    run(keys_dir, scenario)


def test_any_registered_signing_certificate_verifies(keys_dir: Path) -> None:
    key, cert = make_test_identity("rotated industry key")
    registry = registry_for(keys_dir)
    industry = next(iter(registry.industries.values()))
    industry = replace(industry, sign_certs={**industry.sign_certs, cert_id(cert): cert})
    registry = replace(registry, industries={industry.code: industry})

    async def scenario(rig: Rig) -> None:
        from ucsp.crypto import Identity

        rig.codec.identity = Identity(key, cert)
        reply = await rig.post(rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order())))
        assert reply.code == "00"

    run(keys_dir, scenario, registry=registry)


def test_replayed_msgid_is_99(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        body = rig.sign(message)
        assert (await rig.post(body)).code == "00"
        before = rig.state()
        replay = await rig.post(body)
        assert (replay.code, replay.trx) == ("99", {"orderId": message["trxInfo"]["orderId"]})
        assert replay.msg_info == message["msgInfo"]
        inquiry = rig.message(
            "PAYMENT_RESULT_INQUIRY", {"orderId": "ORDER0001", "txnTime": rig.now()}
        )
        inquiry["msgInfo"]["msgID"] = message["msgInfo"]["msgID"]
        assert (await rig.post(rig.sign(inquiry))).code == "99"
        assert rig.state()["txns_digest"] == before["txns_digest"]

    run(keys_dir, scenario)


def test_forged_messages_do_not_poison_the_replay_record(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order("100"))
        body = rig.sign(message)
        forged = body.replace(b'"txnAmt":"100"', b'"txnAmt":"900"', 1)
        assert (await rig.post(forged)).code == "11"
        assert (await rig.post(body)).code == "00"

    run(keys_dir, scenario)


def test_replay_window_expires(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message(
            "PAYMENT_RESULT_INQUIRY", {"orderId": "ORDER0001", "txnTime": rig.now()}
        )
        body = rig.sign(message)
        assert (await rig.post(body)).code == "34"
        assert (await rig.post(body)).code == "99"
        rig.clock.advance(86401)
        assert (await rig.post(body)).code == "34"

    run(keys_dir, scenario, profile=replace(default_profile(), check_skew=False))


def test_replay_check_off_in_the_profile(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        body = rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order()))
        first, second = await rig.post(body), await rig.post(body)
        assert (first.code, second.code) == ("00", "00")
        assert first.trx == second.trx

    run(keys_dir, scenario, profile=replace(default_profile(), check_replay=False))


def test_every_answer_is_signed_by_ucsp_over_the_sent_bytes(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        for body in (b"{", rig.sign(rig.message("SUBMIT_PAYMENT_ORDER", rig.order()))):
            reply = await rig.post(body)
            assert reply.signature_ok
            cert_fields = reply.message["certificateSignature"]
            assert cert_fields["ucspSignCertID"] == rig.keys.ucsp_sign.cert_id
            assert "appSignCertID" not in cert_fields

    run(keys_dir, scenario)
