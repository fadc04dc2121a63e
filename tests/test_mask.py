"""Masking: clear mobiles never reach a report; ciphertexts stay as evidence."""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest
from allure_commons import model2 as allure_model
from attr import asdict

from tests.support import registry_at, run_with_one_known_failure
from ucsp.clock import SystemClock
from ucsp.crypto import encrypt_field
from ucsp.deployment import EMBEDDED_TIME_SCALE
from ucsp.keys import Keyset
from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback, url_of
from ucsp.mask import (
    BUILT_IN_VALUES,
    DEFAULT,
    MAX_BODY,
    Masker,
    MaskingFilter,
    body_text,
    hide_mobile,
    mask_mobile,
    mask_text,
    masked,
    private_fields,
    private_fields_of,
)
from ucsp.messages import MESSAGE_TYPES
from ucsp.profile import RequestDataEncoding, default_profile, load_profile
from ucsp.results import read_results
from ucsp.runner import RunOptions, RunResult, run
from ucsp.sandbox import SANDBOX_USERS
from ucsp.schemas import encrypted_fields
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.ucsp import CATALOGUE as UCSP_CATALOGUE
from ucsp.sim.ucsp import UcspSimulator

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
MOBILES = [mobile for _, mobile in SANDBOX_USERS]
MOBILE = MOBILES[0]  # 13800138000


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


def test_other_numbers_are_kept_and_a_mobile_inside_a_longer_one_is_not() -> None:
    text = "certificate ID 91380013801, order ORD2026120300001"
    assert mask_text(text) == text
    prefixed = mask_text(f"call 86{MOBILE} or 0086-{MOBILE}")
    assert _clear(prefixed) == []
    assert prefixed == f"call 86{mask_mobile(MOBILE)} or 0086-{mask_mobile(MOBILE)}"


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


# --- by field: the schemas decide which fields -----------------------------------------


def test_private_fields_come_from_the_schemas() -> None:
    encrypted = {
        path[-1]
        for name in MESSAGE_TYPES
        for kind in ("request", "response")
        if (ROOT / "schemas" / f"{name}.{kind}.json").is_file()
        for path in encrypted_fields(name, kind)  # type: ignore[arg-type]
    }
    assert encrypted == {"mobile"}
    assert set(private_fields()) >= encrypted
    login = json.loads((ROOT / "schemas" / "INDUSTRY_LOGIN_INFO.request.json").read_text())
    assert login["properties"]["trxInfo"]["properties"]["mobile"]["x-personal"] is True


def test_a_field_marked_personal_or_encrypted_at_any_depth_is_private() -> None:
    schema = {
        "properties": {
            "trxInfo": {
                "properties": {
                    "cardNo": {"type": "string", "x-personal": True},
                    "pin": {"x-encrypted": True},
                    "orderId": {"type": "string"},
                }
            }
        },
        "$defs": {"holder": {"properties": {"holderName": {"x-personal": True}}}},
    }
    assert private_fields_of(schema) == {"cardNo", "pin", "holderName"}
    masker = Masker(fields=sorted(private_fields_of(schema)))
    text = json.dumps({"trxInfo": {"cardNo": "6222020200112233", "orderId": "ORD1"}})
    assert mask_text(text) == text  # the built-in masker knows only the schemas' fields
    assert json.loads(masker.text(text))["trxInfo"] == {
        "cardNo": "************2233",
        "orderId": "ORD1",
    }


def test_each_place_a_private_field_travels_in_is_masked() -> None:
    mobile = "13912345678"  # no configured value: only the field name can catch it
    hidden = mask_mobile(mobile)
    inner = json.dumps({"mobile": mobile}, separators=(",", ":"))
    cases = {
        "JSON number": ('{"trxInfo": {"mobile": 13912345678}}', '"mobile": "' + hidden + '"'),
        "JSON inside a JSON string": (json.dumps({"detail": inner}), f'\\"mobile\\":\\"{hidden}'),
        "JSON in an HTML page": (html.escape(inner), f"&quot;mobile&quot;:&quot;{hidden}"),
        "form body": (f"userId=u1&mobile={mobile}", f"mobile={hidden}"),
        "query in HTML": (f'<a href="/authorize?userId=u1&amp;mobile={mobile}">', hidden),
        "HTML input": (f'<input name="mobile" type="text" value="{mobile}">', hidden),
        "percent JSON": ("request_data=" + quote(inner, safe=""), f"%22{hidden}%22"),
    }
    for place, (text, expected) in cases.items():
        result = mask_text(text)
        assert mobile not in result, (place, result)
        assert expected in result, (place, result)


def _b64url(text: str, padded: bool = True) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


def _login(mobile: str) -> str:
    trx = {"channelCode": "CHANNEL1", "mobile": mobile, "userId": "user0001"}
    return json.dumps({"msgInfo": {"msgType": "INDUSTRY_LOGIN_INFO"}, "trxInfo": trx})


@pytest.mark.parametrize("form", ["padded", "unpadded", "percent-escaped padding"])
def test_base64url_request_data_is_masked_inside(form: str) -> None:
    """Profile login.request_data_encoding = base64url: the JSON travels encoded."""
    mobile = "13912345678"
    encoded = _b64url(_login(mobile), padded=form != "unpadded")
    assert encoded.endswith("=") or form == "unpadded"
    if form == "percent-escaped padding":
        encoded = encoded.replace("=", "%3D")
    url = f"http://127.0.0.1:8081/index?request_data={encoded}&x=1"
    result = mask_text(url)
    value = re.search(r"request_data=([^&]+)", result)
    assert value is not None and value[1] != encoded
    decoded = base64.urlsafe_b64decode(unquote(value[1]) + "=" * (-len(value[1]) % 4)).decode()
    assert mobile not in decoded and mobile not in result
    assert json.loads(decoded)["trxInfo"] == {
        "channelCode": "CHANNEL1",
        "mobile": mask_mobile(mobile),
        "userId": "user0001",
    }
    assert result.endswith("&x=1")
    assert ("=" in value[1]) == (form == "padded")
    assert ("%3D" in value[1]) == (form == "percent-escaped padding")


def test_base64url_request_data_with_a_ciphertext_is_kept_byte_for_byte(ciphertext: str) -> None:
    for encoded in (_b64url(_login(ciphertext)), _b64url(_login(ciphertext), padded=False)):
        url = f"http://h/index?request_data={encoded}"
        assert mask_text(url) == url
    not_json = "request_data=" + _b64url("plain words, not a message")
    assert mask_text(not_json) == not_json


# --- by value: what the target configures ------------------------------------------------

TARGET_MOBILE = "+44 7700 900123"  # a target's own sandbox user: no built-in knows it


def test_a_configured_value_is_masked_in_every_escaping() -> None:
    masker = Masker([TARGET_MOBILE])
    hidden = hide_mobile(TARGET_MOBILE)
    page = (
        f"<p>user {html.escape(TARGET_MOBILE)} refused</p> "
        f"GET /x?m={quote(TARGET_MOBILE, safe='')}&n={quote_plus(TARGET_MOBILE)} "
        f"{json.dumps({'echo': 'value ' + TARGET_MOBILE})}"
    )
    result = masker.text(page)
    for form in (TARGET_MOBILE, quote(TARGET_MOBILE, safe=""), quote_plus(TARGET_MOBILE)):
        assert form not in result, result
    assert hidden in result
    assert mask_text(page) == page  # not a built-in value: only the target's masker knows it
    assert masker.text(result) == result


def test_values_too_short_to_mask_everywhere_are_still_masked_by_field() -> None:
    masker = Masker(["12345"])
    assert masker.values == tuple(sorted(BUILT_IN_VALUES))
    assert masker.text("order 12345 of 123456") == "order 12345 of 123456"
    assert masker.text('{"mobile": "12345"}') == '{"mobile": "*****"}'


def test_scrub_masks_an_allure_result_in_place() -> None:
    parameter = allure_model.Parameter(name="x", value=f"m={MOBILE}")
    step = allure_model.TestStepResult(name="a step", parameters=[parameter])
    result = allure_model.TestResult(
        name=f"login of {MOBILE}",
        steps=[step],
        statusDetails=allure_model.StatusDetails(
            message=f"failed: {MOBILE}", trace=f"  mobile = {MOBILE}"
        ),
        parameters=[allure_model.Parameter(name="mobile", value=MOBILE)],
    )
    DEFAULT.scrub(result)
    assert _clear(json.dumps(asdict(result))) == []
    assert result.steps[0] is step and step.parameters[0].value == f"m={mask_mobile(MOBILE)}"
    assert result.statusDetails.message == f"failed: {mask_mobile(MOBILE)}"


def test_logging_filter_masks_message_arguments_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.mask")
    logger.addHandler(handler)
    logger.addFilter(MaskingFilter(Masker([TARGET_MOBILE])))
    logger.propagate = False
    try:
        logger.warning("login for %s failed: %s", TARGET_MOBILE, "request_data=x")
        try:
            raise ValueError(json.dumps({"trxInfo": {"mobile": MOBILE}}))
        except ValueError:
            logger.exception("gateway broke")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert TARGET_MOBILE not in text and _clear(text) == []
    assert f"login for {hide_mobile(TARGET_MOBILE)} failed" in text
    assert "ValueError" in text and mask_mobile(MOBILE) in text


# --- a real run ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The run with one known failure (the UCSP fault notice-wrong-amount)."""
    return run_with_one_known_failure(tmp_path_factory.mktemp("masked-run"))


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


# --- a run against a target file with its own sandbox user -------------------------------

OWN_MOBILE = "13912345678"  # the target's sandbox user: neither built-in number


@pytest.fixture(scope="module")
def target_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunResult]:
    """A reference UCSP as a real SUT (its own process' point of view: a target file), with
    base64url request_data and a fault that sends the login's mobile in clear."""
    directory = tmp_path_factory.mktemp("target-run")
    profile_text = (ROOT / "fixtures" / "profiles" / "default.toml").read_text()
    profile_file = directory / "base64url.toml"
    profile_file.write_text(profile_text.replace('= "percent"', '= "base64url"', 1))
    profile = load_profile(profile_file)
    assert profile.request_data_encoding is RequestDataEncoding.BASE64URL
    probe = bind_loopback()
    suite_url = url_of(probe)
    probe.close()  # the run's suite listens here; the SUT is told before it starts
    registry = registry_at(suite_url)
    loop, sock = LoopThread("masked-target-sut"), bind_loopback()
    sut = UcspSimulator(
        keys=Keyset.load(TEST_KEYS),
        registry=registry,
        db=Database(),
        clock=SystemClock(EMBEDDED_TIME_SCALE),
        profile=profile,
        faults=FaultSet(UCSP_CATALOGUE, ["mobile-not-encrypted"]),
        base_url=url_of(sock),
    )
    server = LoopbackServer(sut.app, sock, loop).start()
    target = directory / "ucsp-target.toml"
    target.write_text(
        "\n".join(
            [
                'sut = "ucsp"',
                f"time_scale = {EMBEDDED_TIME_SCALE}",
                'profile = "base64url.toml"',
                "[suite]",
                f'listen = "{suite_url.removeprefix("http://")}"',
                f'public_url = "{suite_url}"',
                f'keys = "{TEST_KEYS}"',
                "[industry]",
                f'index_url = "{suite_url}/index"',
                f'notice_url = "{suite_url}/notify"',
                "[ucsp]",
                f'gateway_url = "{url_of(sock)}/gateway"',
                f'authorize_url = "{url_of(sock)}/authorize"',
                'user_id = "user0042"',
                f'mobile = "{OWN_MOBILE}"',
            ]
        )
        + "\n"
    )
    try:
        yield run(
            RunOptions(target=target, scenarios=TARGET_SCENARIOS, out=directory / "out"),
            io.StringIO(),
        )
    finally:
        server.stop()
        loop.stop()


TARGET_SCENARIOS = [
    "An authorized user is redirected to the index URL with a signed login message",
    "A valid order is answered 00 with a tn and a paymentUrl",
]


def _request_data(text: str) -> list[str]:
    """Every base64url request_data in ``text``, decoded."""
    found = []
    for value in re.findall(r"request_data=([A-Za-z0-9_\-+/]+(?:=|%3D)*)", text):
        plain = unquote(value).rstrip("=")
        found.append(base64.urlsafe_b64decode(plain + "=" * (-len(plain) % 4)).decode())
    return found


def _leaks(text: str) -> list[str]:
    """Where the target's mobile shows: in clear, or inside a base64url request_data."""
    found = [OWN_MOBILE] if OWN_MOBILE in text else []
    return found + [data[:40] for data in _request_data(text) if OWN_MOBILE in data]


def test_the_targets_own_mobile_never_shows_in_a_report(target_run: RunResult) -> None:
    out = target_run.out
    records = read_results(out / "results.json").scenarios
    verdicts = {r["title"]: r["verdict"] for r in records}
    assert verdicts[TARGET_SCENARIOS[0]] == "failure", verdicts  # the clear mobile travelled
    timeline = json.dumps([r["exchanges"] for r in records])
    assert "request_data=eyJ" in timeline  # the login's base64url request_data, kept readable
    logins = [json.loads(data) for data in _request_data(timeline)]
    assert logins, "the login's request_data is in the timeline"
    for login in logins:  # masked where it travelled, the rest of the message kept
        assert login["trxInfo"]["mobile"] == hide_mobile(OWN_MOBILE)
        assert login["trxInfo"]["userId"] == "user0042"
    files = [out / "report.html", out / "results.json", out / "junit.xml"]
    attachments = sorted((out / "allure-results").iterdir())
    assert any(f.name.endswith("-attachment.json") for f in attachments)
    for file in files + attachments:
        text = file.read_text(encoding="utf-8", errors="replace")
        assert _leaks(text) == [], f"the target's mobile in {file.relative_to(out)}"
    with zipfile.ZipFile(out / "evidence.zip") as archive:
        names = archive.namelist()
        assert "results.json" in names and "report.html" in names
        for name in names:
            text = archive.read(name).decode("utf-8", errors="replace")
            assert _leaks(text) == [], f"the target's mobile in evidence.zip:{name}"


# --- the pytest side: failure text, captured output and Allure files ---------------------

PLUGIN_INI = """
[pytest]
addopts = -p plugins.requirements -p plugins.deployment -p plugins.results
    -p no:cacheprovider -p no:hypothesispytest
ucsp_requirements = requirements.toml
junit_logging = all
"""

LEAKY_FEATURE = """
Feature: Leaks
  Scenario: A scenario that shows the mobile everywhere
    Given a login whose location holds the mobile
    Then the mobile is refused
"""

LEAKY_TEST = f"""
import logging
from dataclasses import dataclass

from pytest_bdd import given, scenarios, then

scenarios("leaky.feature")


@dataclass
class Login:
    location: str


@given("a login whose location holds the mobile", target_fixture="login")
def _():
    return Login("http://is/index?mobile={MOBILE}")


@then("the mobile is refused")
def _(login):
    logging.getLogger("sut").warning("login of %s refused", "{MOBILE}")
    print("stdout: mobile={MOBILE}")
    mobile = "{MOBILE}"
    assert mobile == "other", "decrypted to " + mobile
"""


def test_failure_text_captured_output_and_allure_files_are_masked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(PLUGIN_INI)
    shutil.copy(ROOT / "features" / "requirements.toml", pytester.path / "requirements.toml")
    pytester.makefile(".feature", leaky=LEAKY_FEATURE)
    pytester.makepyfile(test_leaky=LEAKY_TEST)
    results, junit, allure_dir = (
        pytester.path / "results.json",
        pytester.path / "junit.xml",
        pytester.path / "allure",
    )
    outcome = pytester.runpytest_inprocess(
        f"--results-json={results}", f"--junitxml={junit}", f"--alluredir={allure_dir}"
    )
    counts = outcome.parseoutcomes()
    assert counts.get("failed", 0) + counts.get("errors", 0) == 1, counts
    assert _clear(outcome.stdout.str()) == []  # the terminal report too
    (record,) = read_results(results).scenarios
    assert record["outcome"] == "failed"
    assert mask_mobile(MOBILE) in record["message"]
    texts = {"results.json": results.read_text(), "junit.xml": junit.read_text()}
    texts |= {f.name: f.read_text() for f in allure_dir.iterdir()}
    assert any(name.endswith("-result.json") for name in texts)
    for name, text in texts.items():
        assert _clear(text) == [], f"clear mobile in {name}"
    assert f"login of {mask_mobile(MOBILE)} refused" in texts["junit.xml"]
    assert f"stdout: mobile={mask_mobile(MOBILE)}" in texts["junit.xml"]


def test_a_long_clear_value_is_not_taken_for_a_ciphertext(ciphertext: str) -> None:
    """A mobile of 65 characters (a refused authorization) is clear text, not Base64."""
    long_mobile = (OWN_MOBILE * 6)[:65]
    assert mask_mobile(long_mobile) == hide_mobile(long_mobile)
    assert OWN_MOBILE not in mask_text(f"/authorize?userId=u&mobile={long_mobile}")
    assert mask_mobile("Ab1+" * 10) == hide_mobile("Ab1+" * 10)  # 40 characters: too short
    assert mask_mobile(ciphertext) == ciphertext


# --- more places a private field travels in ---------------------------------------------


def test_python_repr_members_are_masked_by_field(ciphertext: str) -> None:
    """A Python dict printed by str() or repr() quotes with ', also inside a string or HTML."""
    mobile = "13912345678"  # no configured value: only the field name can catch it
    hidden = mask_mobile(mobile)
    cases = [
        (str({"trxInfo": {"mobile": mobile}}), f"{{'trxInfo': {{'mobile': '{hidden}'}}}}"),
        (str({"mobile": int(mobile)}), f"{{'mobile': \"{hidden}\"}}"),
        (
            repr({"mobile": "it's " + mobile}),
            "{'mobile': \"" + mask_mobile("it's " + mobile) + '"}',
        ),
        (repr(str({"mobile": mobile})), f"\"{{'mobile': '{hidden}'}}\""),
        (html.escape(str({"mobile": mobile})), f"{{&#x27;mobile&#x27;: &#x27;{hidden}&#x27;}}"),
        (f"sent {{'mobile': '{mobile}', 'userId': 'u1'}}", f"'{hidden}', 'userId': 'u1'"),
    ]
    for text, expected in cases:
        result = mask_text(text)
        assert mobile not in result, (text, result)
        assert expected in result, (text, result)
    kept = str({"mobile": ciphertext, "userId": "u1"})
    assert mask_text(kept) == kept


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_query_inside_a_url_parameter_is_masked(depth: int, ciphertext: str) -> None:
    """A redirect or return URL carried, percent-encoded, as a parameter of another URL."""
    mobile = "13912345678"
    inner = f"http://is.example/index?userId=u1&mobile={mobile}&x=1"
    for _ in range(depth):
        inner = quote(inner, safe="")
    url = f"http://ucsp.example/authorize?next={inner}&y=2"
    result = mask_text(url)
    assert mobile not in result, result
    assert result == url.replace(mobile, mask_mobile(mobile))  # the rest byte for byte
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), url)
    assert mobile not in mask_text(lower)
    kept = f"http://h/a?next={quote('/index?mobile=' + quote(ciphertext, safe=''), safe='')}"
    assert mask_text(kept) == kept


def test_html_inputs_are_masked_in_any_attribute_order_and_quoting() -> None:
    mobile = "13912345678"
    hidden = mask_mobile(mobile)
    cases = [
        f'<input type="text" value="{mobile}" name="mobile">',
        f"<input name='mobile' value='{mobile}'>",
        f"<input name=mobile value={mobile}>",
        f'<INPUT NAME="mobile" title="a > b" VALUE="{mobile}" />',
        f'<form><input name="mobile"\n  value="{mobile}"',  # a body cut off inside the tag
    ]
    for text in cases:
        result = mask_text(text)
        assert mobile not in result and hidden in result, (text, result)
    other = f'<input name="userId" value="{mobile}"><input name="mobile">'
    assert mask_text(other) == other  # another field's value, and no value at all


# --- masking stays linear on hostile bodies -----------------------------------------------

_BODY = 65536
HOSTILE_UNITS = [
    '<input name="mobile" ',  # every start once rescanned the rest of the body
    '<input name="mobile" value=',
    '<a "',
    "<",
    '"mobile":"',
    '"mobile":"\\',
    '"mobile"     ',
    '"mobile":1e',
    "{'mobile': '",
    '\\"mobile\\":\\"',
    "&quot;mobile&quot;:&quot;x",
    "&#x27;mobile&#x27;:",
    "%22mobile%22%3A%22",
    "%2522mobile%2522%253A%2522",
    "%22mobile%22%20+",
    "%3Fmobile%3D",
    "%253Fmobile%253D",
    "?mobile=&mobile=",
    "request_data=",
    "request_data=eyJ",
    "\"'",
    "\\",
    "%",
    "%25",
    "%2",
    "&#",
    "+44 7700 ",
]


def _fill(unit: str) -> str:
    return (unit * (_BODY // len(unit) + 1))[:_BODY]


def _fastest(masker: Masker, text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        masker.text(text)
        best = min(best, time.perf_counter() - start)
    return best


def hostile_ratios(runs: int = 3) -> dict[str, float]:
    """Masking time of each 64 KiB hostile body over that of a plain 64 KiB body (fastest of
    ``runs`` runs each, the plain body measured before and after)."""
    masker = Masker([TARGET_MOBILE, "s3cret-token"])
    plain = _fill(json.dumps({"trxInfo": {"userId": "user0001", "orderId": "ORD1"}}) + " ")
    base = _fastest(masker, plain, runs + 2)
    times = {unit: _fastest(masker, _fill(unit), runs) for unit in HOSTILE_UNITS}
    base = min(base, _fastest(masker, plain, runs))
    return {unit: spent / base for unit, spent in times.items()}


def test_masking_time_stays_linear_on_hostile_bodies() -> None:
    """A pattern that rescans from every start takes hundreds of times a plain body's time on
    these bodies; a linear one a few times (a generous bound, fastest of several runs)."""
    ratios = hostile_ratios()
    slow = {unit: round(ratio, 1) for unit, ratio in ratios.items() if ratio > 60}
    assert slow == {}


def test_a_configured_value_is_masked_in_either_case_of_percent_and_at_any_depth() -> None:
    value = "+86 13700001111"  # configured by a target; no field name near it
    masker = Masker([value])
    forms = {
        "lower-case %2b": quote(value, safe="").lower(),
        "lower-case, + for the space": quote_plus(value).lower(),
        "encoded twice": quote(quote(value, safe=""), safe=""),
        "partly encoded": "%2B86 13700001111",
        "JSON \\u escape": json.dumps(value, ensure_ascii=True).replace("+", "\\u002B")[1:-1],
        "HTML entity": value.replace("+", "&#43;").replace(" ", "&#x20;"),
    }
    for kind, form in forms.items():
        assert form != value
        result = masker.text(f"echo {form} end")
        assert "13700001111" not in unquote(unquote(result)), (kind, result)
        assert result.startswith("echo *") and result.endswith("1111 end"), (kind, result)
