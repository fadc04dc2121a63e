"""Unit tests of the login checks (ucsp/checks/login.py): pure inputs, each check shown to
pass on a good input and to raise the right requirement on a bad one."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest

from ucsp import sandbox
from ucsp.checks.login import (
    check_authorization_refused,
    check_encrypted_mobile,
    check_login_accepted,
    check_login_message,
    check_login_names,
    check_login_redirect,
    check_login_refused,
    check_login_schema,
    check_session,
    decode_request_data,
    mask,
)
from ucsp.clock import FakeClock
from ucsp.codec import Codec
from ucsp.crypto import encrypt_field
from ucsp.envelope import build_msg_info
from ucsp.keys import Keyset
from ucsp.login_encoding import LoginBuilder, LoginUser
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.mutation.login import LOGIN_CORRUPTIONS, with_signature
from ucsp.profile import Profile, RequestDataEncoding
from ucsp.target import IndustryInfo, Target
from ucsp.verdict import RequirementViolation

INDEX = "http://is.test:8081/index"
MOBILE = "13800138000"
USER = LoginUser("user0001", MOBILE, sandbox.CHANNEL_CODE)


@pytest.fixture
def target(keyset: Keyset, profile: Profile) -> Target:
    return Target(
        sut="industry", keys=keyset, industry=IndustryInfo(index_url=INDEX), profile=profile
    )


@pytest.fixture
def builder(ucsp_codec: Codec, target: Target) -> LoginBuilder:
    return LoginBuilder(ucsp_codec, target, USER)


@pytest.fixture
def signed(builder: LoginBuilder) -> bytes:
    return builder.sign(builder.message())


def violation(requirement: str) -> Any:
    return pytest.raises(RequirementViolation, match=f"^{requirement}: ")


def location(raw: bytes, base: str = INDEX) -> str:
    return f"{base}?request_data={quote(raw, safe='')}"


def check_message(
    text: str, message: dict[str, Any], keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    certs = keyset.certs_of(Party.UCSP)
    check_login_message(text, message, certs, sandbox.INDUSTRY_CODE, clock.now(), profile)


def test_mask_hides_all_but_the_last_four_characters() -> None:
    assert mask(MOBILE) == "*******8000"
    assert mask("12345") == "*****"


# --- check_login_redirect / decode_request_data --------------------------------------------


def test_redirect_to_the_index_url_yields_the_signed_text(signed: bytes, profile: Profile) -> None:
    text, message = check_login_redirect(302, location(signed), INDEX, profile)
    assert text.encode() == signed
    assert message["msgInfo"]["msgType"] == LOGIN_TYPE


def test_redirect_keeps_the_query_of_the_index_url(signed: bytes, profile: Profile) -> None:
    index = INDEX + "?lang=en"
    good = f"{index}&request_data={quote(signed, safe='')}"
    check_login_redirect(302, good, index, profile)
    with violation("LOGIN-01"):
        check_login_redirect(302, location(signed), index, profile)


@pytest.mark.parametrize(
    ("status", "where"),
    [
        (200, "index"),
        (302, None),
        (302, "http://elsewhere.test:8081/index"),
        (302, "http://is.test:8081/other"),
    ],
)
def test_redirect_elsewhere_or_without_location_breaks_login_01(
    signed: bytes, profile: Profile, status: int, where: str | None
) -> None:
    loc = None if where is None else location(signed, INDEX if where == "index" else where)
    with violation("LOGIN-01"):
        check_login_redirect(status, loc, INDEX, profile)


def test_request_data_must_appear_exactly_once(signed: bytes, profile: Profile) -> None:
    with violation("LOGIN-01"):
        check_login_redirect(302, INDEX + "?other=1", INDEX, profile)
    twice = location(signed) + "&request_data=" + quote(signed, safe="")
    with violation("LOGIN-01"):
        check_login_redirect(302, twice, INDEX, profile)


@pytest.mark.parametrize(
    "value",
    [
        "%7B%22a%22:1%7D",  # ':' left unescaped (quote(..., safe="/") style)
        "%7B%22a%22%3A1%7D+",  # '+' (form encoding of a space)
        "%7B%22a%22%3A1%7",  # truncated escape
        "",
    ],
)
def test_request_data_left_unescaped_breaks_login_02(profile: Profile, value: str) -> None:
    with violation("LOGIN-02"):
        check_login_redirect(302, f"{INDEX}?request_data={value}", INDEX, profile)


def test_request_data_that_is_not_utf8_or_not_json_breaks_login_02(profile: Profile) -> None:
    with violation("LOGIN-02"):
        decode_request_data("%FF%FE%7B%7D", RequestDataEncoding.PERCENT)
    with violation("LOGIN-02"):
        check_login_redirect(302, location(b"[1, 2]"), INDEX, profile)


def test_base64url_request_data(signed: bytes, profile: Profile) -> None:
    encoded = quote(base64.urlsafe_b64encode(signed).decode(), safe="")
    assert decode_request_data(encoded, RequestDataEncoding.BASE64URL) == signed
    with violation("LOGIN-02"):
        decode_request_data(quote(signed, safe=""), RequestDataEncoding.BASE64URL)


# --- check_encrypted_mobile ---------------------------------------------------------------------


def enc_args(keyset: Keyset, profile: Profile) -> tuple[Any, ...]:
    enc = keyset.industry_enc.identity("industry-enc")
    return enc.cert_id, enc.key, MOBILE, profile.encryption_mode


def test_mobile_encrypted_to_the_industry_certificate_passes(
    signed: bytes, keyset: Keyset, profile: Profile
) -> None:
    check_encrypted_mobile(json.loads(signed), *enc_args(keyset, profile))


def test_wrong_app_enc_cert_id_breaks_sec_08(
    builder: LoginBuilder, keyset: Keyset, profile: Profile
) -> None:
    message = json.loads(builder.sign(builder.message(), appEncCertID="12345"))
    with violation("SEC-08"):
        check_encrypted_mobile(message, *enc_args(keyset, profile))


@pytest.mark.parametrize("case", ["clear", "wrong-key", "other-mobile", "missing"])
def test_mobile_not_encrypted_to_the_industry_key_breaks_sec_08(
    builder: LoginBuilder, keyset: Keyset, profile: Profile, case: str
) -> None:
    mobile = {
        "clear": MOBILE,
        "wrong-key": builder.encrypt(MOBILE, keyset.ucsp_sign.cert),
        "other-mobile": builder.encrypt("13900139000"),
        "missing": "",
    }[case]
    message = builder.message(mobile=mobile)
    if case == "missing":
        del message["trxInfo"]["mobile"]
    message = json.loads(builder.sign(message))
    with pytest.raises(RequirementViolation) as raised:
        check_encrypted_mobile(message, *enc_args(keyset, profile))
    assert raised.value.requirement == "SEC-08"
    assert MOBILE not in str(raised.value)
    assert "13900139000" not in str(raised.value)


# --- check_login_schema / check_login_message ----------------------------------------------


def test_valid_login_message_passes(
    signed: bytes, keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    text = signed.decode()
    check_message(text, json.loads(text), keyset, clock, profile)


def test_schema_violation_breaks_fmt_06_without_showing_the_mobile(
    builder: LoginBuilder, profile: Profile
) -> None:
    message = builder.message(mobile=MOBILE + "0")  # 12 characters: not Base64
    del message["trxInfo"]["userId"]
    with pytest.raises(RequirementViolation) as raised:
        check_login_schema(json.loads(builder.sign(message)))
    assert raised.value.requirement == "FMT-06"
    assert "userId" in str(raised.value)
    assert MOBILE not in str(raised.value)


def test_fields_outside_the_signature_break_sec_01(
    builder: LoginBuilder, keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    text = builder.sign(builder.message()).decode().replace(USER.user_id, "user0002")
    with violation("SEC-01"):
        check_message(text, json.loads(text), keyset, clock, profile)


def test_signature_by_another_key_breaks_sec_01(
    builder: LoginBuilder, industry_codec: Codec, keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    other = json.loads(industry_codec.sign(builder.message()))["certificateSignature"]
    text = with_signature(builder.sign(builder.message()), other["signature"]).decode()
    with violation("SEC-01"):
        check_message(text, json.loads(text), keyset, clock, profile)


@pytest.mark.parametrize("case", ["A-prefix", "other-industry", "old-time"])
def test_msg_id_not_u_industry_now_breaks_fmt_10(
    ucsp_codec: Codec, target: Target, keyset: Keyset, clock: FakeClock, profile: Profile, case: str
) -> None:
    info = build_msg_info(LOGIN_TYPE, sandbox.INDUSTRY_CODE, Party.UCSP, clock.now(), profile)
    if case == "A-prefix":
        info["msgID"] = "A" + info["msgID"][1:]
    elif case == "other-industry":
        info["msgID"] = info["msgID"][0] + "OTHER001" + info["msgID"][9:]
    else:
        old = clock.now() - timedelta(hours=2)
        info["msgID"] = build_msg_info(LOGIN_TYPE, sandbox.INDUSTRY_CODE, Party.UCSP, old, profile)[
            "msgID"
        ]
    b = LoginBuilder(ucsp_codec, target, USER, info)
    text = b.sign(b.message()).decode()
    with violation("FMT-10"):
        check_message(text, json.loads(text), keyset, clock, profile)


def test_timestamp_far_from_the_clock_breaks_fmt_12(
    builder: LoginBuilder, keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    old = clock.now() - timedelta(seconds=profile.skew_seconds + 60)
    builder.msg_info["timeStamp"] = build_msg_info(
        LOGIN_TYPE, sandbox.INDUSTRY_CODE, Party.UCSP, old, profile
    )["timeStamp"]
    text = builder.sign(builder.message()).decode()
    with violation("FMT-12"):
        check_message(text, json.loads(text), keyset, clock, profile)


# --- check_login_names / check_authorization_refused ------------------------------------------


def test_login_names_what_was_authorized(signed: bytes) -> None:
    message = json.loads(signed)
    check_login_names(message, sandbox.INDUSTRY_CODE, sandbox.CHANNEL_CODE, USER.user_id)
    with violation("LOGIN-02"):
        check_login_names(message, sandbox.INDUSTRY_CODE, sandbox.CHANNEL_CODE, "user0002")
    with violation("LOGIN-02"):
        check_login_names(message, "OTHER001", sandbox.CHANNEL_CODE, USER.user_id)
    with violation("LOGIN-02"):
        check_login_names({}, sandbox.INDUSTRY_CODE, sandbox.CHANNEL_CODE, USER.user_id)


def test_authorization_refused_with_400_and_no_redirect() -> None:
    check_authorization_refused(400, None)
    for status, where in ((302, INDEX), (400, INDEX), (200, None), (403, None)):
        with violation("LOGIN-03"):
            check_authorization_refused(status, where)


# --- Industry Service under test ------------------------------------------------------------------


def test_login_accepted_with_page_and_cookie() -> None:
    check_login_accepted(200, True)
    check_login_accepted(302, True)
    with violation("LOGIN-04"):
        check_login_accepted(200, False)
    with violation("SEC-07"):
        check_login_accepted(409, True, "SEC-07")


def test_login_refused_with_the_exact_status() -> None:
    check_login_refused(403, 403, "SEC-09")
    with violation("SEC-09"):
        check_login_refused(200, 403, "SEC-09")
    with violation("LOGIN-05"):
        check_login_refused(403, 400, "LOGIN-05")


def test_session_as_expected() -> None:
    check_session(True, True, "u1", "LOGIN-04")
    check_session(False, False, "u1", "SEC-09")
    with violation("LOGIN-04"):
        check_session(False, True, "u1", "LOGIN-04")
    with violation("SEC-09"):
        check_session(True, False, "u1", "SEC-09")


# --- the suite's own logins (flows) meet the checks --------------------------------------------


def test_the_suites_valid_login_passes_every_ucsp_side_check(
    builder: LoginBuilder, keyset: Keyset, clock: FakeClock, profile: Profile
) -> None:
    text, message = check_login_redirect(302, f"{INDEX}?{builder.valid()}", INDEX, profile)
    check_encrypted_mobile(message, *enc_args(keyset, profile))
    check_message(text, message, keyset, clock, profile)
    check_login_names(message, sandbox.INDUSTRY_CODE, sandbox.CHANNEL_CODE, USER.user_id)


def test_every_corruption_builds(builder: LoginBuilder) -> None:
    for name, corruption in LOGIN_CORRUPTIONS.items():
        query = corruption.query(builder)
        assert query == "" or query.startswith("request_data="), name
        assert corruption.requirement in {"SEC-09", "LOGIN-05", "FMT-13"}


def test_wrong_key_mobile_does_not_decrypt_with_the_industry_key(
    builder: LoginBuilder, keyset: Keyset, profile: Profile
) -> None:
    value = builder.wrong_key_mobile()
    assert value != encrypt_field(keyset.industry_enc.cert, MOBILE, profile.encryption_mode)
    message = builder.message(mobile=value)
    with violation("SEC-08"):
        check_encrypted_mobile(message, *enc_args(keyset, profile))
