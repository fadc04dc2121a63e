"""Masking: clear mobiles never reach a report; ciphertexts stay as evidence."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from ucsp.crypto import encrypt_field
from ucsp.keys import Keyset
from ucsp.profile import default_profile
from ucsp.report.mask import MAX_BODY, body_text, mask_mobile, mask_text, masked
from ucsp.results import read_results
from ucsp.runner import RunOptions, RunResult, run
from ucsp.sim.defaults import SANDBOX_USERS

ROOT = Path(__file__).resolve().parents[2]
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
MOBILES = [mobile for _, mobile in SANDBOX_USERS]
MOBILE = MOBILES[0]  # 13800138000
SCENARIOS = [
    "A valid order is answered 00 with a tn and a paymentUrl",
    "A paid order is notified with txnStatus 00 and recorded as succeeded",
]


@pytest.fixture(scope="module")
def ciphertext() -> str:
    """The sandbox mobile as a login carries it: RSA-encrypted to the IS, Base64."""
    cert = Keyset.load(TEST_KEYS).industry_enc.cert
    return encrypt_field(cert, MOBILE, default_profile().encryption_mode)


def _clear(text: str) -> list[str]:
    return [m for m in MOBILES if m in text]


def test_mask_mobile_keeps_only_the_last_four_characters() -> None:
    assert mask_mobile("13800138000") == "*******8000"
    assert mask_mobile("+85291234567") == "********4567"
    assert mask_mobile("12345") == "*****"
    assert mask_mobile("") == ""


def test_mask_mobile_keeps_a_ciphertext(ciphertext: str) -> None:
    assert len(ciphertext) > 40
    assert mask_mobile(ciphertext) == ciphertext


@pytest.mark.parametrize("mobile", MOBILES)
def test_clear_mobile_in_json_is_masked(mobile: str) -> None:
    for text in (
        json.dumps({"trxInfo": {"userId": "user0001", "mobile": mobile}}),
        json.dumps({"trxInfo": {"mobile": mobile}}, separators=(",", ":")),
        '{"mobile" :  "' + mobile + '", "note": "x"}',
        json.dumps({"a": [{"mobile": mobile}, {"mobile": mobile}]}, indent=2),
    ):
        result = mask_text(text)
        assert _clear(result) == [], result
        assert mask_mobile(mobile) in result
        assert json.loads(result) is not None  # still the same JSON shape


@pytest.mark.parametrize("mobile", MOBILES)
def test_clear_mobile_in_query_strings_is_masked(mobile: str) -> None:
    for text in (
        f"http://127.0.0.1:8081/index?mobile={mobile}&userId=user0001",
        f"http://127.0.0.1:8081/index?userId=user0001&mobile={mobile}",
        f"mobile={mobile}",
        f"POST /login mobile={mobile}#frag",
        f"http://h/x?mobile={quote('+86' + mobile, safe='')}&a=1",
    ):
        result = mask_text(text)
        assert _clear(result) == [], (text, result)
        assert "userId=user0001" in result or "userId" not in text


@pytest.mark.parametrize("mobile", MOBILES)
def test_login_message_percent_encoded_in_request_data_is_masked(mobile: str) -> None:
    """The login travels as request_data=<percent-encoded JSON> (a mobile in clear as well)."""
    message = json.dumps(
        {"trxInfo": {"channelCode": "CHANNEL1", "mobile": mobile, "userId": "u1"}},
        separators=(",", ":"),
    )
    url = "http://127.0.0.1:8081/index?request_data=" + quote(message, safe="")
    result = mask_text(url)
    assert _clear(result) == [], result
    assert "%22mobile%22%3A%22" + mask_mobile(mobile) + "%22" in result
    assert "%22userId%22%3A%22u1%22" in result  # the rest as it was
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), url)  # %3a, %7b, ...
    assert lower != url
    assert _clear(mask_text(lower)) == []


def test_sandbox_mobile_echoed_anywhere_is_masked() -> None:
    """A SUT's error page may echo the value it refused."""
    page = f"<h1>login refused</h1><p>$.trxInfo.mobile: pattern - '{MOBILE}' does not match</p>"
    result = mask_text(page)
    assert _clear(result) == []
    assert f"'{mask_mobile(MOBILE)}'" in result
    assert _clear(mask_text(f"call +{MOBILES[1]} now")) == []


def test_longer_numbers_that_contain_a_mobile_are_kept() -> None:
    text = f"certificate ID 9{MOBILE}1, order ORD{MOBILE}77"
    assert mask_text(text) == text


def test_ciphertexts_are_kept_in_json_and_query_strings(ciphertext: str) -> None:
    body = json.dumps({"trxInfo": {"mobile": ciphertext, "userId": "u"}})
    assert mask_text(body) == body
    raw_query = f"http://h/index?mobile={ciphertext}&x=1"
    assert mask_text(raw_query) == raw_query
    encoded_query = f"http://h/index?mobile={quote(ciphertext, safe='')}&x=1"
    assert mask_text(encoded_query) == encoded_query
    login = json.dumps({"trxInfo": {"mobile": ciphertext}}, separators=(",", ":"))
    request_data = "request_data=" + quote(login, safe="")
    assert mask_text(request_data) == request_data


def test_masking_is_idempotent(ciphertext: str) -> None:
    text = json.dumps({"mobile": MOBILE, "other": {"mobile": ciphertext}}) + f" mobile={MOBILE}"
    once = mask_text(text)
    assert mask_text(once) == once


def test_body_text_masks_bounds_and_replaces_bad_bytes() -> None:
    assert body_text(None) is None
    assert body_text(b"") == ""
    raw = json.dumps({"mobile": MOBILE}).encode() + b"\xff"
    text = body_text(raw)
    assert text is not None
    assert _clear(text) == [] and text.endswith("\ufffd")
    big = b"x" * (MAX_BODY + 10)
    text = body_text(big)
    assert text is not None
    assert text == "x" * MAX_BODY + "\n[... 10 more bytes]"


def test_masked_walks_nested_values(ciphertext: str) -> None:
    value = {
        "request": json.dumps({"mobile": MOBILE}),
        "list": [f"mobile={MOBILES[1]}", 3, None, {"deep": json.dumps({"mobile": ciphertext})}],
        "n": 1.5,
    }
    result = masked(value)
    assert _clear(json.dumps(result)) == []
    assert result["list"][1:3] == [3, None]
    assert result["n"] == 1.5
    assert ciphertext in result["list"][3]["deep"]


# --- a real run ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The run with one known failure (the UCSP fault notice-wrong-amount)."""
    options = RunOptions(
        sut="ucsp",
        faults=["notice-wrong-amount"],
        scenarios=list(SCENARIOS),
        out=tmp_path_factory.mktemp("masked-run"),
    )
    return run(options, io.StringIO())


def test_no_clear_mobile_anywhere_in_a_real_run(failing_run: RunResult) -> None:
    out = failing_run.out
    records = read_results(out / "results.json").scenarios
    assert sum(len(r["exchanges"]) for r in records) >= 3  # the reports carry real bodies
    files = [out / "report.html", out / "results.json", out / "junit.xml"]
    files += sorted((out / "allure-results").iterdir())
    assert len(files) > 3
    for file in files:
        text = file.read_text(encoding="utf-8", errors="replace")
        assert _clear(text) == [], f"clear sandbox mobile in {file.relative_to(out)}"
    with zipfile.ZipFile(out / "evidence.zip") as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            assert _clear(text) == [], f"clear sandbox mobile in evidence.zip:{name}"
