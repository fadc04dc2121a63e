"""INDUSTRY_LOGIN_INFO at GET /index (PROTOCOL.md 3, 5, 8 Industry Service rules)."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pytest

from sim_industry.conftest import World, WorldFactory
from ucsp.crypto import make_test_identity
from ucsp.mask import hide_mobile as mask_mobile
from ucsp.profile import RequestDataEncoding, default_profile
from ucsp.sim.industry.login import SESSION_COOKIE

pytestmark = pytest.mark.anyio


async def _login(world: World, query: str) -> Any:
    return await world.client.get(f"/index?{query}")


async def _logged_in(world: World, user_id: str = "user0001") -> bool:
    answer = await world.client.get(f"/harness/users/{user_id}/session")
    assert answer.status_code == 200
    assert answer.json()["userId"] == user_id
    return bool(answer.json()["loggedIn"])


async def test_login_succeeds_with_a_session_and_only_a_masked_mobile(world: World) -> None:
    assert not await _logged_in(world)
    answer = await _login(world, world.login_query(mobile="13800138000"))
    assert answer.status_code == 200
    assert SESSION_COOKIE in answer.cookies
    assert "13800138000" not in answer.text and "*******8000" in answer.text
    assert await _logged_in(world)
    assert world.sim.store.masked_mobiles() == ["*******8000"]
    entry = world.sim.journal.select("INDUSTRY_LOGIN_INFO")[-1]
    assert entry.direction == "in" and entry.status == 200
    assert b"13800138000" not in entry.request


async def test_user_ids_with_slashes_and_spaces_reach_the_session_route(world: World) -> None:
    user = "open id/with space"
    assert (await _login(world, world.login_query(user_id=user))).status_code == 200
    answer = await world.client.get(f"/harness/users/{quote(user, safe='')}/session")
    assert answer.json() == {"userId": user, "loggedIn": True}


async def test_login_with_base64url_request_data(make_world: WorldFactory) -> None:
    profile = replace(default_profile(), request_data_encoding=RequestDataEncoding.BASE64URL)
    world = make_world(profile=profile)
    raw = world.build(
        "INDUSTRY_LOGIN_INFO",
        {
            "channelCode": "CHANNEL1",
            "mobile": _encrypted(world, "85291234567"),
            "userId": "user0002",
        },
        extra_cert_fields={"appEncCertID": world.sim.keys.industry_enc.cert_id},
    )
    value = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert (await _login(world, f"request_data={value}")).status_code == 200
    assert await _logged_in(world, "user0002")
    assert (await _login(world, "request_data=not*base64")).status_code == 400


def _encrypted(world: World, mobile: str) -> str:
    from ucsp.crypto import encrypt_field

    return encrypt_field(
        world.sim.keys.industry_enc.cert, mobile, world.peer.target.profile.encryption_mode
    )


async def test_bad_signature_is_refused_with_403_and_no_session(world: World) -> None:
    query = world.login_query()
    tampered = query.replace("user0001", "user0009")  # signed bytes no longer match
    answer = await _login(world, tampered)
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies
    assert not await _logged_in(world, "user0009")


async def test_unknown_ucsp_cert_id_is_refused_with_403(world: World) -> None:
    raw = _login_bytes(world, cert_id="123456789")
    answer = await _login(world, "request_data=" + quote(raw.decode(), safe=""))
    assert answer.status_code == 403
    assert not await _logged_in(world)


def _login_bytes(world: World, cert_id: str) -> bytes:
    """A login signed by the UCSP key but naming another ucspSignCertID."""
    from ucsp.crypto import sign_message
    from ucsp.envelope import build_request

    peer = world.peer
    message = build_request(
        peer.codec.msg_info("INDUSTRY_LOGIN_INFO", "TRAVEL01"),
        {
            "channelCode": "CHANNEL1",
            "mobile": _encrypted(world, "13800138000"),
            "userId": "user0001",
        },
    )
    message["certificateSignature"] = {
        "ucspSignCertID": cert_id,
        "appEncCertID": world.sim.keys.industry_enc.cert_id,
        "signature": peer.target.profile.placeholder,
    }
    key = world.sim.keys.ucsp_sign.identity("ucsp").key
    return sign_message(
        message, key, peer.target.profile.signature_mode, peer.target.profile.placeholder
    )


async def test_unknown_enc_cert_id_is_refused_with_403(world: World) -> None:
    answer = await _login(world, world.login_query(enc_cert_id="987654321"))
    assert answer.status_code == 403


async def test_mobile_encrypted_to_another_key_is_refused_with_400(world: World) -> None:
    _, other = make_test_identity("TEST ONLY other", key_size=2048)
    answer = await _login(world, world.login_query(encrypt_to=other))
    assert answer.status_code == 400
    assert not await _logged_in(world)


@pytest.mark.parametrize("mobile", ["1" * 65, "1380013800\u00e9"])
async def test_decrypted_mobile_of_wrong_length_or_class_is_refused(
    world: World, mobile: str
) -> None:
    answer = await _login(world, world.login_query(mobile=mobile))
    assert answer.status_code == 400
    assert mobile not in answer.text


async def test_replayed_login_is_refused_with_409(world: World) -> None:
    query = world.login_query()
    assert (await _login(world, query)).status_code == 200
    answer = await _login(world, query)
    assert answer.status_code == 409
    assert SESSION_COOKIE not in answer.cookies


async def test_channel_and_industry_must_be_this_industry_s(world: World) -> None:
    answer = await _login(world, world.login_query(channel_code="OTHERCH1"))
    assert answer.status_code == 403

    def other_industry(message: dict[str, Any]) -> dict[str, Any]:
        message["msgInfo"]["industryCode"] = "OTHER001"
        message["msgInfo"]["msgID"] = "UOTHER001" + message["msgInfo"]["msgID"][9:]
        return message

    assert (await _login(world, world.login_query(mutate=other_industry))).status_code == 403


async def test_stale_timestamp_is_a_format_error(world: World) -> None:
    query = world.login_query()
    world.clock.advance(301)
    assert (await _login(world, query)).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "",
        "other=1",
        "request_data=",
        "request_data=%7B",
        "request_data=%zz",
        "request_data=%ff%fe",
        "request_data=%EF%BB%BF%7B%7D",
        "request_data=%5B%5D",
        "request_data=%7B%22a%22%3A1%2C%22a%22%3A2%7D",
        "request_data=%7B%22a%22%3ANaN%7D",
        "request_data=" + "%5B" * 40 + "%5D" * 40,
        "request_data=%7B%22a%22%3A%22%5Cud800%22%7D",
        "request_data=%7B%7D&request_data=%7B%7D",
    ],
)
async def test_hostile_request_data_is_refused_with_400(world: World, query: str) -> None:
    answer = await _login(world, query)
    assert answer.status_code == 400
    assert SESSION_COOKIE not in answer.cookies


async def test_an_overlong_query_is_refused_before_decoding(world: World) -> None:
    assert world.sim.login.process(b"request_data=" + b"A" * 300_000).status == 400


async def test_schema_violation_is_400(world: World) -> None:
    def no_user(message: dict[str, Any]) -> dict[str, Any]:
        del message["trxInfo"]["userId"]
        return message

    assert (await _login(world, world.login_query(mutate=no_user))).status_code == 400


async def test_login_needs_a_get(world: World) -> None:
    assert (await world.client.post("/index")).status_code == 405


def test_mask_mobile_keeps_only_the_last_four_digits() -> None:
    assert mask_mobile("13800138000") == "*******8000"
    assert mask_mobile("123456") == "******"
    assert mask_mobile("") == ""


@pytest.mark.parametrize("method", ["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])
async def test_only_a_get_logs_in(world: World, method: str) -> None:
    """Any other method on the login URL (HEAD included, which Starlette adds to every GET
    route) creates no session and leaves the msgID for the user's real GET."""
    query = world.login_query()
    other = await world.client.request(method, f"/index?{query}")
    assert other.status_code == 405
    assert SESSION_COOKIE not in other.cookies
    assert not await _logged_in(world)
    assert world.sim.journal.select("INDUSTRY_LOGIN_INFO") == []
    answer = await _login(world, query)
    assert answer.status_code == 200
    assert await _logged_in(world)
