"""AUTHORIZATION_URL: the 302 to INDUSTRY_INDEX_URL with INDUSTRY_LOGIN_INFO in request_data."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from ucsp import schemas
from ucsp.crypto import decrypt_field
from ucsp.profile import RequestDataEncoding, default_profile

from .support import INDEX_URL, Rig, load_keys, registry_for, run

PARAMS = {
    "industryCode": "TRAVEL01",
    "channelCode": "CHANNEL1",
    "userId": "user0001",
    "mobile": "13800138000",
}


def decode_login(rig: Rig, location: str) -> tuple[bytes, dict[str, Any]]:
    """What an IS does with request_data: decode, verify, check the schema."""
    query = parse_qs(urlsplit(location).query, strict_parsing=True)
    [value] = query["request_data"]
    if rig.profile.request_data_encoding is RequestDataEncoding.BASE64URL:
        raw = base64.urlsafe_b64decode(value)
    else:
        raw = value.encode("utf-8")
    decoded = rig.codec.decode(raw, "request", expected_type="INDUSTRY_LOGIN_INFO")
    return raw, decoded.message


def test_authorize_redirects_with_signed_login_info(keys_dir: Path) -> None:
    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith(f"{INDEX_URL}?request_data=")
        encoded = location.split("request_data=", 1)[1]
        assert set(encoded) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%-._~"
        )
        raw, message = decode_login(rig, location)
        assert schemas.validate(message, "INDUSTRY_LOGIN_INFO", "request") == []
        assert message["msgInfo"]["msgID"].startswith("UTRAVEL01")
        cert_fields = message["certificateSignature"]
        assert cert_fields["appEncCertID"] == rig.keys.industry_enc.cert_id
        assert cert_fields["ucspSignCertID"] == rig.keys.ucsp_sign.cert_id
        trx = message["trxInfo"]
        assert (trx["channelCode"], trx["userId"]) == ("CHANNEL1", "user0001")
        assert trx["mobile"] != "13800138000"
        key = load_keys(keys_dir).industry_enc.key
        assert key is not None
        assert decrypt_field(key, trx["mobile"], rig.profile.encryption_mode) == "13800138000"
        [entry] = rig.sim.journal.select("INDUSTRY_LOGIN_INFO", "out")
        assert entry.request == raw

    run(keys_dir, scenario)


def test_authorize_base64url_encoding(keys_dir: Path) -> None:
    profile = replace(default_profile(), request_data_encoding=RequestDataEncoding.BASE64URL)

    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        _, message = decode_login(rig, answer.headers["location"])
        assert message["trxInfo"]["userId"] == "user0001"

    run(keys_dir, scenario, profile=profile)


def test_authorize_appends_to_an_index_url_with_a_query(keys_dir: Path) -> None:
    registry = registry_for(keys_dir)
    industries = {
        code: replace(ind, index_url=f"{INDEX_URL}?lang=en")
        for code, ind in registry.industries.items()
    }

    async def scenario(rig: Rig) -> None:
        answer = await rig.client.get("/authorize", params=PARAMS)
        location = answer.headers["location"]
        assert location.startswith(f"{INDEX_URL}?lang=en&request_data=")
        decode_login(rig, location)

    run(keys_dir, scenario, registry=replace(registry, industries=industries))


@pytest.mark.parametrize(
    "change",
    [
        {"industryCode": None},
        {"channelCode": None},
        {"userId": None},
        {"mobile": None},
        {"industryCode": "OTHER001"},
        {"industryCode": "TRAVEL1"},
        {"channelCode": "CHANNEL"},
        {"channelCode": "CHANNEL-"},
        {"mobile": "1" * 65},
        {"userId": "caf\u00e9"},
        {"mobile": ""},
    ],
    ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()),
)
def test_authorize_bad_parameters_are_400(keys_dir: Path, change: dict[str, Any]) -> None:
    async def scenario(rig: Rig) -> None:
        params = {k: v for k, v in {**PARAMS, **change}.items() if v is not None}
        answer = await rig.client.get("/authorize", params=params)
        assert answer.status_code == 400
        assert "error" in answer.json()
        assert rig.sim.journal.entries == []

    run(keys_dir, scenario)
