"""Target files: the examples load; every configuration error names the key and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ucsp import sandbox
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.target import load_target, parse_target

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
EXAMPLES = ROOT / "fixtures" / "targets"

UCSP_TARGET = f"""
sut = "ucsp"
[suite]
keys = "{TEST_KEYS}"
[ucsp]
gateway_url = "http://127.0.0.1:8080/gateway"
authorize_url = "http://127.0.0.1:8080/authorize"
"""
INDUSTRY_TARGET = f"""
sut = "industry"
[suite]
keys = "{TEST_KEYS}"
[industry]
index_url = "http://127.0.0.1:8081/index"
notice_url = "http://127.0.0.1:8081/notify"
"""


def parse(text: str, base_dir: Path = ROOT) -> object:
    return parse_target(text, "my-target.toml", base_dir)


def test_ucsp_example_loads() -> None:
    target = load_target(EXAMPLES / "ucsp.example.toml")
    assert target.sut == "ucsp"
    assert target.ucsp.gateway_url == "http://127.0.0.1:8080/gateway"
    assert target.ucsp.authorize_url == "http://127.0.0.1:8080/authorize"
    assert (target.ucsp.user_id, target.ucsp.mobile) == sandbox.SANDBOX_USERS[0]
    assert (target.listen_host, target.listen_port) == ("127.0.0.1", 9081)
    assert target.suite_url == "http://127.0.0.1:9081"
    assert (target.time_scale, target.timing_slack) == (1.0, 0.5)
    assert target.industry.code == sandbox.INDUSTRY_CODE
    # keys = "../keys/test-only" is relative to the target file
    assert target.keys.ucsp_sign.cert_id == Keyset.load(TEST_KEYS).ucsp_sign.cert_id
    assert target.source == str(EXAMPLES / "ucsp.example.toml")


def test_the_second_sandbox_user_is_the_targets_or_another_built_in_one() -> None:
    named: Any = parse(UCSP_TARGET + 'user_id = "user0002"\nmobile = "85291234567"\n')
    assert (named.ucsp.second_user_id, named.ucsp.second_mobile) == sandbox.SANDBOX_USERS[0]
    given: Any = parse(UCSP_TARGET + 'second_user_id = "user7777"\nsecond_mobile = "13912345678"\n')
    assert (given.ucsp.second_user_id, given.ucsp.second_mobile) == ("user7777", "13912345678")
    assert "13912345678" in given.private_values()  # masked in every report and log


def test_industry_example_loads() -> None:
    target = load_target(EXAMPLES / "industry.example.toml")
    assert target.sut == "industry"
    assert target.industry.index_url == "http://127.0.0.1:8081/index"
    assert target.industry.notice_url == "http://127.0.0.1:8081/notify"
    assert target.industry.harness_url == "http://127.0.0.1:8081"
    assert target.industry.mer_id == sandbox.MER_ID
    assert (target.listen_host, target.listen_port) == ("127.0.0.1", 9080)
    assert target.suite_url == "http://127.0.0.1:9080"
    assert target.ucsp.gateway_url == ""
    assert target.keys.ucsp_sign.key is not None  # the suite plays UCSP and signs as it


def test_minimal_targets_get_the_defaults() -> None:
    target = parse_target(UCSP_TARGET, "t.toml", ROOT)
    assert (target.listen_host, target.listen_port) == ("127.0.0.1", 0)
    assert target.suite_url is None
    assert target.industry.harness_url is None
    assert target.time_scale == 1.0
    industry = parse_target(INDUSTRY_TARGET + 'harness_url = "http://h:1/"\n', "t.toml", ROOT)
    assert industry.industry.harness_url == "http://h:1"  # a bare trailing slash dropped


def test_relative_keys_dir_is_relative_to_the_target_file(tmp_path: Path) -> None:
    shutil.copytree(TEST_KEYS, tmp_path / "keys")
    (tmp_path / "targets").mkdir()
    file = tmp_path / "targets" / "t.toml"
    file.write_text(UCSP_TARGET.replace(str(TEST_KEYS), "../keys"), encoding="utf-8")
    assert load_target(file).keys.industry_sign.key is not None


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


GATEWAY = 'gateway_url = "http://127.0.0.1:8080/gateway"\n'
AUTHORIZE = 'authorize_url = "http://127.0.0.1:8080/authorize"\n'
KEYS_LINE = f'keys = "{TEST_KEYS}"\n'


def _in_suite(line: str) -> str:
    """UCSP_TARGET with ``line`` added to its [suite] table."""
    return _replace(UCSP_TARGET, KEYS_LINE, KEYS_LINE + line + "\n")


# (case, target text, what the message must say: the key, then the fix)
ERRORS = [
    (
        "bad sut",
        _replace(UCSP_TARGET, 'sut = "ucsp"', 'sut = "bank"'),
        ["sut = 'bank'", 'set sut = "industry"', 'sut = "ucsp"'],
    ),
    ("no sut", _replace(UCSP_TARGET, 'sut = "ucsp"', ""), ["sut = None", 'set sut = "industry"']),
    (
        "ucsp without gateway_url",
        _replace(UCSP_TARGET, GATEWAY, ""),
        ['ucsp.gateway_url is required when sut = "ucsp"', "add gateway_url = ", "under [ucsp]"],
    ),
    (
        "ucsp without authorize_url",
        _replace(UCSP_TARGET, AUTHORIZE, ""),
        ["ucsp.authorize_url is required", "add authorize_url = "],
    ),
    (
        "ucsp with an empty gateway_url",
        _replace(UCSP_TARGET, GATEWAY, 'gateway_url = ""\n'),
        ["ucsp.gateway_url is required", "add gateway_url = "],
    ),
    (
        "industry without index_url",
        _replace(INDUSTRY_TARGET, 'index_url = "http://127.0.0.1:8081/index"\n', ""),
        [
            'industry.index_url is required when sut = "industry"',
            "add index_url = ",
            "under [industry]",
        ],
    ),
    (
        "industry without notice_url",
        _replace(INDUSTRY_TARGET, 'notice_url = "http://127.0.0.1:8081/notify"\n', ""),
        ["industry.notice_url is required", "add notice_url = "],
    ),
    (
        "unknown top-level key",
        "timescale = 2\n" + UCSP_TARGET,
        ["unknown key timescale", "allowed here:", "time_scale"],
    ),
    (
        "unknown key in [suite]",
        _in_suite('listn = "127.0.0.1:1"'),
        ["unknown key suite.listn", "allowed here: keys, listen, public_url"],
    ),
    (
        "unknown key in [ucsp]",
        UCSP_TARGET + 'gateway = "http://x/g"\n',
        ["unknown key ucsp.gateway", "gateway_url"],
    ),
    (
        "section not a table",
        'suite = "keys"\n' + INDUSTRY_TARGET.replace("[suite]\n" + KEYS_LINE, ""),
        ["[suite] must be a table"],
    ),
    (
        "URL without a scheme",
        _replace(UCSP_TARGET, GATEWAY, 'gateway_url = "127.0.0.1:8080/gateway"\n'),
        [
            "ucsp.gateway_url = '127.0.0.1:8080/gateway' is not an http(s) URL",
            "write e.g. 'http://",
        ],
    ),
    (
        "ftp URL",
        _replace(UCSP_TARGET, AUTHORIZE, 'authorize_url = "ftp://127.0.0.1/authorize"\n'),
        ["ucsp.authorize_url", "is not an http(s) URL", "write e.g."],
    ),
    (
        "bad harness_url",
        INDUSTRY_TARGET + 'harness_url = "localhost"\n',
        ["industry.harness_url = 'localhost'", "write e.g."],
    ),
    (
        "bad notice_url",
        _replace(INDUSTRY_TARGET, "http://127.0.0.1:8081/notify", "http://"),
        ["industry.notice_url = 'http://'", "write e.g."],
    ),
    (
        "bad public_url",
        _in_suite('public_url = "9081"'),
        ["suite.public_url = '9081'", "write e.g."],
    ),
    (
        "URL not a string",
        _replace(UCSP_TARGET, GATEWAY, "gateway_url = 8080\n"),
        ["ucsp.gateway_url must be a string URL", "8080"],
    ),
    (
        "listen without a port",
        _in_suite('listen = "127.0.0.1"'),
        ["suite.listen = '127.0.0.1'", "write HOST:PORT, e.g. '127.0.0.1:9080'"],
    ),
    (
        "listen without a host",
        _in_suite('listen = "9080"'),
        ["suite.listen = '9080'", "HOST:PORT"],
    ),
    (
        "listen with a bad port",
        _in_suite('listen = "host:port"'),
        ["suite.listen = 'host:port'", "HOST:PORT"],
    ),
    (
        "listen not a string",
        _in_suite("listen = 9080"),
        ["suite.listen must be a string", "9080"],
    ),
    (
        "no keys dir",
        _replace(UCSP_TARGET, KEYS_LINE, ""),
        ["suite.keys must name the suite's key directory", "ucsp-conformance keys init DIR"],
    ),
    (
        "keys dir not a string",
        _replace(UCSP_TARGET, KEYS_LINE, "keys = 1\n"),
        ["suite.keys must name", "keys init"],
    ),
    (
        "keys dir that does not exist",
        _replace(UCSP_TARGET, KEYS_LINE, 'keys = "no/such/keys"\n'),
        ["suite.keys = 'no/such/keys'", "is not a directory", "keys init"],
    ),
    (
        "negative time_scale",
        "time_scale = -1.0\n" + UCSP_TARGET,
        ["time_scale must be a positive number, got -1.0"],
    ),
    (
        "zero time_scale",
        "time_scale = 0\n" + UCSP_TARGET,
        ["time_scale must be positive (1.0 for a real system)"],
    ),
    (
        "time_scale not a number",
        'time_scale = "fast"\n' + UCSP_TARGET,
        ["time_scale must be a positive number, got 'fast'"],
    ),
    (
        "time_scale a boolean",
        "time_scale = true\n" + UCSP_TARGET,
        ["time_scale must be a positive number, got True"],
    ),
    (
        "negative timing slack",
        "timing_slack_seconds = -0.5\n" + UCSP_TARGET,
        ["timing_slack_seconds must be a positive number"],
    ),
    (
        "industry code not a string",
        UCSP_TARGET + "[industry]\ncode = 5\n",
        ["industry.code must be a string, got 5"],
    ),
    (
        "profile not a string",
        "profile = 5\n" + UCSP_TARGET,
        ["profile = 5", "name a profile TOML file"],
    ),
    ("profile file missing", 'profile = "nope.toml"\n' + UCSP_TARGET, ["nope.toml"]),
    (
        "zero sut_timeout_seconds",
        "sut_timeout_seconds = 0\n" + UCSP_TARGET,
        ["sut_timeout_seconds must be a positive number of seconds", "got 0"],
    ),
    (
        "sut_timeout_seconds not a number",
        'sut_timeout_seconds = "10s"\n' + INDUSTRY_TARGET,
        ["sut_timeout_seconds must be a positive number", "how long the SUT waits"],
    ),
    (
        "sut_timeout_seconds a boolean",
        "sut_timeout_seconds = true\n" + INDUSTRY_TARGET,
        ["sut_timeout_seconds must be a positive number", "got True"],
    ),
    ("not TOML", UCSP_TARGET + "[ucsp\n", ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_config_errors_name_the_key_and_the_fix(text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    message = str(caught.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "\n" not in message  # one line on stderr


def test_keys_dir_missing_a_certificate_names_the_file(tmp_path: Path) -> None:
    shutil.copytree(TEST_KEYS, tmp_path / "keys")
    (tmp_path / "keys" / "ucsp-sign.crt").unlink()
    text = _replace(UCSP_TARGET, KEYS_LINE, 'keys = "keys"\n')
    with pytest.raises(ConfigError, match=r"ucsp-sign\.crt is missing; run 'ucsp-conformance keys"):
        parse_target(text, "t.toml", tmp_path)


def test_key_not_matching_its_certificate_is_named(tmp_path: Path) -> None:
    shutil.copytree(TEST_KEYS, tmp_path / "keys")
    shutil.copy(TEST_KEYS / "ucsp-sign.key", tmp_path / "keys" / "industry-sign.key")
    text = _replace(UCSP_TARGET, KEYS_LINE, 'keys = "keys"\n')
    with pytest.raises(
        ConfigError, match=r"industry-sign\.key does not match .*industry-sign\.crt"
    ):
        parse_target(text, "t.toml", tmp_path)


def test_unreadable_target_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read target file .*missing\.toml"):
        load_target(tmp_path / "missing.toml")


def test_errors_name_the_file(tmp_path: Path) -> None:
    file = tmp_path / "certify-me.toml"
    file.write_text('sut = "both"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^.*certify-me\.toml: sut = 'both'"):
        load_target(file)


# --- defaults that follow from other keys ------------------------------------------------


def test_a_ucsp_targets_index_and_notice_urls_default_to_the_public_url() -> None:
    text = _in_suite('public_url = "http://suite.test:9081/"')
    target = parse_target(text, "t.toml", ROOT)
    assert target.industry.index_url == "http://suite.test:9081/index"
    assert target.industry.notice_url == "http://suite.test:9081/notify"


def test_without_a_public_url_a_fixed_listen_address_is_the_base() -> None:
    text = _in_suite('listen = "127.0.0.1:9081"')
    target = parse_target(text, "t.toml", ROOT)
    assert target.industry.index_url == "http://127.0.0.1:9081/index"
    assert target.industry.notice_url == "http://127.0.0.1:9081/notify"


@pytest.mark.parametrize("listen", ["127.0.0.1:0", "0.0.0.0:9081"])
def test_no_base_for_the_suites_urls_leaves_them_unset(listen: str) -> None:
    """An unknown port, or a wildcard address: the doctor asks for suite.public_url."""
    text = _in_suite(f'listen = "{listen}"')
    target = parse_target(text, "t.toml", ROOT)
    assert (target.industry.index_url, target.industry.notice_url) == ("", "")


def test_explicit_urls_win_over_the_defaults() -> None:
    text = (
        _in_suite('public_url = "http://suite.test:9081"')
        + '[industry]\nindex_url = "http://proxy.test/login"\n'
    )
    target = parse_target(text, "t.toml", ROOT)
    assert target.industry.index_url == "http://proxy.test/login"
    assert target.industry.notice_url == "http://suite.test:9081/notify"


def test_an_industry_target_gets_no_default_urls() -> None:
    """An IS under test serves its own URLs: they are required, never derived."""
    text = _replace(INDUSTRY_TARGET, KEYS_LINE, KEYS_LINE + 'public_url = "http://suite.test:1"\n')
    target = parse_target(text, "t.toml", ROOT)
    assert target.industry.notice_url == "http://127.0.0.1:8081/notify"


def test_sut_timeout_defaults_to_the_profiles_time_out() -> None:
    target = parse_target(INDUSTRY_TARGET, "t.toml", ROOT)
    assert target.sut_timeout_seconds is None
    assert target.sut_timeout == target.profile.timeout_seconds == 10.0
    stated = parse_target("sut_timeout_seconds = 30\n" + INDUSTRY_TARGET, "t.toml", ROOT)
    assert stated.sut_timeout == 30.0 and isinstance(stated.sut_timeout, float)


def test_a_profile_given_to_load_target_overrides_the_targets(tmp_path: Path) -> None:
    default = (ROOT / "fixtures" / "profiles" / "default.toml").read_text(encoding="utf-8")
    (tmp_path / "own.toml").write_text(
        default.replace("\ntimeout_seconds = 10.0", "\ntimeout_seconds = 4.0")
    )
    (tmp_path / "cli.toml").write_text(
        default.replace("\ntimeout_seconds = 10.0", "\ntimeout_seconds = 6.0")
    )
    file = tmp_path / "t.toml"
    file.write_text('profile = "own.toml"\n' + INDUSTRY_TARGET, encoding="utf-8")
    assert load_target(file).profile.timeout_seconds == 4.0
    overridden = load_target(file, tmp_path / "cli.toml")
    assert overridden.profile.timeout_seconds == 6.0
    assert overridden.sut_timeout == 6.0
