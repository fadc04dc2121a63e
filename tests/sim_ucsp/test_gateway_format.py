"""HTTP checks (405, 415, 413) and format errors (10) at the gateway, hostile input included."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ucsp.envelope import format_time
from ucsp.profile import default_profile

from .support import Rig, run


def _valid(rig: Rig) -> tuple[dict[str, Any], bytes]:
    message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
    return message, rig.sign(message)


def test_http_checks_in_order(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _, body = _valid(rig)
        before = rig.state()
        for method in ("GET", "PUT", "DELETE"):
            assert (await rig.post(body, method=method)).status == 405
        assert (await rig.post(body, method="GET", content_type="text/plain")).status == 405
        assert (await rig.post(body, content_type="text/plain")).status == 415
        assert (await rig.post(body, content_type="application/jsonx")).status == 415
        big = b" " * 65537
        assert (await rig.post(big, content_type="text/plain")).status == 415
        assert (await rig.post(big)).status == 413
        assert rig.state() == before
        ok = await rig.post(body, content_type="Application/JSON")
        assert (ok.status, ok.code) == (200, "00")
        entries = rig.sim.journal.select(direction="in")
        assert [e.status for e in entries] == [405, 405, 405, 405, 415, 415, 415, 413, 200]

    run(keys_dir, scenario)


def _duplicate_key(rig: Rig) -> bytes:
    _message, body = _valid(rig)
    text = body.decode().replace('"trxInfo":{', '"trxInfo":{"orderId":"DUPLICATE01",', 1)
    return text.encode()


def _deep(depth: int) -> bytes:
    inner = "1"
    for _ in range(depth - 2):
        inner = f"[{inner}]"
    return ('{"msgInfo":{"msgType":"X"},"a":' + inner + "}").encode()


HOSTILE: dict[str, Any] = {
    "empty": lambda rig: b"",
    "truncated": lambda rig: _valid(rig)[1][:-5],
    "bom": lambda rig: b"\xef\xbb\xbf" + _valid(rig)[1],
    "bad-utf8": lambda rig: _valid(rig)[1].replace(b"TRAVEL01", b"TRAVEL\xff1", 1),
    "array": lambda rig: b"[1, 2]",
    "string": lambda rig: b'"SUBMIT_PAYMENT_ORDER"',
    "number": lambda rig: b"42",
    "duplicate-key": _duplicate_key,
    "depth-33": lambda rig: _deep(33),
    "depth-100000": lambda rig: b"[" * 60000,
    "nan": lambda rig: _valid(rig)[1].replace(b'"trxInfo":{', b'"trxInfo":{"x":NaN,', 1),
    "infinity": lambda rig: _valid(rig)[1].replace(b'"trxInfo":{', b'"trxInfo":{"x":-Infinity,', 1),
    "overflow": lambda rig: _valid(rig)[1].replace(b'"trxInfo":{', b'"trxInfo":{"x":1e999,', 1),
    "huge-int": lambda rig: _valid(rig)[1].replace(
        b'"trxInfo":{', b'"trxInfo":{"x":' + b"9" * 5000 + b",", 1
    ),
    "lone-surrogate": lambda rig: _valid(rig)[1].replace(
        b'"trxInfo":{', b'"trxInfo":{"x":"\\ud800",', 1
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_body_is_answered_10_without_state_change(keys_dir: Path, name: str) -> None:
    async def scenario(rig: Rig) -> None:
        body = HOSTILE[name](rig)
        before = rig.state()
        reply = await rig.post(body)
        assert reply.status == 200
        assert reply.signature_ok
        assert reply.code == "10"
        assert reply.trx == {}
        assert rig.state() == before

    run(keys_dir, scenario)


def test_depth_32_is_accepted_by_the_parser(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        nested: Any = "x"
        for _ in range(30):  # the top-level object is depth 1, trxInfo 2: 32 in all
            nested = [nested]
        message["trxInfo"]["extra"] = nested
        reply = await rig.post(rig.sign(message))
        assert reply.code == "00"
        deeper = rig.message("SUBMIT_PAYMENT_ORDER", {**rig.order(), "extra": [nested]})
        assert (await rig.post(rig.sign(deeper))).code == "10"

    run(keys_dir, scenario)


def test_code_10_echoes_msginfo_of_an_object_body(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        schema_bad = rig.message("SUBMIT_PAYMENT_ORDER", rig.order(orderId="X" * 41))
        reply = await rig.post(rig.sign(schema_bad))
        assert reply.code == "10"
        assert reply.msg_info == schema_bad["msgInfo"]
        body = _duplicate_key(rig)
        dup_reply = await rig.post(body)
        assert dup_reply.code == "10"
        assert dup_reply.msg_info == json.loads(body)["msgInfo"]
        message, body = _valid(rig)
        bom_reply = await rig.post(b"\xef\xbb\xbf" + body)
        assert (bom_reply.code, bom_reply.msg_info) == ("10", message["msgInfo"])

    run(keys_dir, scenario)


def test_code_10_on_a_non_object_carries_a_fresh_msginfo(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        reply = await rig.post(b"[]")
        assert reply.msg_info["msgType"] == "UNKNOWN"
        assert reply.msg_info["msgID"].startswith("U")
        deep = await rig.post(_deep(40))
        assert deep.code == "10"
        assert deep.msg_info["msgType"] == "X"  # msgInfo {"msgType": "X"} echoed

    run(keys_dir, scenario)


def _mutations() -> dict[str, Any]:
    def set_trx(name: str, value: Any) -> Any:
        return lambda m: m["trxInfo"].__setitem__(name, value)

    def drop_trx(name: str) -> Any:
        return lambda m: m["trxInfo"].pop(name)

    def set_info(name: str, value: Any) -> Any:
        return lambda m: m["msgInfo"].__setitem__(name, value)

    return {
        "orderId-41": set_trx("orderId", "A" * 41),
        "orderId-7": set_trx("orderId", "A" * 7),
        "orderId-not-AN": set_trx("orderId", "ORDER-0001"),
        "merId-missing": drop_trx("merId"),
        "txnAmt-number": set_trx("txnAmt", 100),
        "txnAmt-zero": set_trx("txnAmt", "000"),
        "txnAmt-13-digits": set_trx("txnAmt", "1" * 13),
        "txnAmt-decimal": set_trx("txnAmt", "10.00"),
        "currency-letters": set_trx("currencyCode", "CNY"),
        "txnTime-not-a-date": set_trx("txnTime", "20260230120000"),
        "orderDesc-non-ascii": set_trx("orderDesc", "caf\u00e9"),
        "versionNo": set_info("versionNo", "1.0.1"),
        "msgID-other-industry": set_info("msgID", "AOTHER001" + "20260115103000" + "123456"),
        "msgID-prefix-U": lambda m: m["msgInfo"].__setitem__(
            "msgID", "U" + m["msgInfo"]["msgID"][1:]
        ),
        "msgType-unknown": set_info("msgType", "NO_SUCH_TYPE"),
        "msgType-notice": set_info("msgType", "PAYMENT_RESULT_NOTICE"),
        "trxInfo-missing": lambda m: m.pop("trxInfo"),
        "msgInfo-string": lambda m: m.__setitem__("msgInfo", "x"),
    }


MUTATIONS = _mutations()


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_schema_violation_behind_a_valid_signature_is_10(keys_dir: Path, name: str) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        MUTATIONS[name](message)
        before = rig.state()
        reply = await rig.post(rig.sign(message))
        assert (reply.status, reply.code, reply.trx) == (200, "10", {})
        assert rig.state() == before

    run(keys_dir, scenario)


def test_app_enc_cert_id_without_an_encrypted_field_is_10(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        reply = await rig.post(rig.sign(message, appEncCertID=rig.keys.industry_enc.cert_id))
        assert reply.code == "10"

    run(keys_dir, scenario)


def test_missing_app_sign_cert_id_is_10(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        _message, body = _valid(rig)
        cert_id = rig.keys.industry_sign.cert_id
        reply = await rig.post(body.replace(f'"appSignCertID":"{cert_id}",'.encode(), b""))
        assert reply.code == "10"

    run(keys_dir, scenario)


@pytest.mark.parametrize(("offset", "code"), [(-301, "10"), (301, "10"), (-299, "00"), (299, "00")])
def test_clock_skew(keys_dir: Path, offset: int, code: str) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        moment = rig.clock.now() + timedelta(seconds=offset)
        message["msgInfo"]["timeStamp"] = format_time(moment, rig.profile)
        assert (await rig.post(rig.sign(message))).code == code

    run(keys_dir, scenario)


def test_skew_check_off_in_the_profile(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        message = rig.message("SUBMIT_PAYMENT_ORDER", rig.order())
        message["msgInfo"]["timeStamp"] = "20200101000000"
        assert (await rig.post(rig.sign(message))).code == "00"

    run(keys_dir, scenario, profile=replace(default_profile(), check_skew=False))


def test_oversize_chunked_body_without_content_length_is_413(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        async def chunks() -> Any:
            for _ in range(70):
                yield b" " * 1024

        answer = await rig.client.post(
            "/gateway", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 413
        assert "content-length" not in answer.request.headers

    run(keys_dir, scenario)


def test_a_request_that_breaks_the_implementation_is_answered_99(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("bug")

        rig.sim.business.handle = broken  # type: ignore[method-assign]
        message, body = _valid(rig)
        reply = await rig.post(body)
        assert (reply.status, reply.code, reply.signature_ok) == (200, "99", True)
        assert reply.msg_info == message["msgInfo"]
        assert [str(e) for e in rig.sim.errors] == ["bug"]
        rig.sim.errors.clear()

    run(keys_dir, scenario)
