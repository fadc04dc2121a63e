"""The [profile] choices, loaded from TOML; every bad key or value is a ConfigError naming it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ucsp.errors import ConfigError
from ucsp.profile import (
    EncryptionMode,
    Profile,
    RequestDataEncoding,
    SignatureMode,
    default_profile,
    load_profile,
    parse_profile,
    profiles_dir,
)

FULL = """
name = "certification"
version_no = "1.0.1"

[signature]
mode = "raw-digest"
placeholder = "SIGNATURE"

[encryption]
mode = "oaep-sha256"

[login]
request_data_encoding = "base64url"

[time]
utc_offset_hours = 0
check_skew = false
skew_seconds = 60

[replay]
check = false
window_seconds = 3600

[limits]
max_body_bytes = 1024
max_depth = 8

[schedule]
offsets = [0, 0.5, 2]
late_tolerance = 0.5
early_tolerance = 0.1

[transport]
timeout_seconds = 2
"""


def test_the_default_profile_holds_the_protocol_defaults() -> None:
    profile = default_profile()
    assert profile == Profile()  # the file and the dataclass agree
    assert profile.name == "default"
    assert profile.version_no == "1.0.0"
    assert profile.signature_mode is SignatureMode.SHA256_WITH_RSA
    assert profile.placeholder == "00000000"
    assert profile.encryption_mode is EncryptionMode.PKCS1V15
    assert profile.request_data_encoding is RequestDataEncoding.PERCENT
    assert profile.tz.utcoffset(None) == timedelta(hours=8)
    assert (profile.check_skew, profile.skew_seconds) == (True, 300)
    assert (profile.check_replay, profile.replay_window_seconds) == (True, 86400)
    assert (profile.max_body_bytes, profile.max_depth) == (65536, 32)
    assert profile.schedule == (0, 1, 3, 7, 15, 31, 63)
    assert (profile.late_tolerance, profile.early_tolerance) == (0.2, 0.2)
    assert profile.source_text.startswith("# The default UCSP wire profile")


def test_load_profile_without_a_path_is_the_default() -> None:
    assert load_profile() is default_profile()
    assert load_profile(profiles_dir() / "default.toml") == default_profile()


def test_every_key_is_read() -> None:
    profile = parse_profile(FULL)
    assert profile == Profile(
        name="certification",
        version_no="1.0.1",
        signature_mode=SignatureMode.RAW_DIGEST,
        placeholder="SIGNATURE",
        encryption_mode=EncryptionMode.OAEP_SHA256,
        request_data_encoding=RequestDataEncoding.BASE64URL,
        utc_offset_hours=0,
        check_skew=False,
        skew_seconds=60,
        check_replay=False,
        replay_window_seconds=3600,
        max_body_bytes=1024,
        max_depth=8,
        schedule=(0, 0.5, 2),
        late_tolerance=0.5,
        early_tolerance=0.1,
        timeout_seconds=2,
    )
    assert isinstance(profile.max_body_bytes, int)
    assert isinstance(profile.timeout_seconds, float)


def test_missing_keys_keep_their_defaults() -> None:
    profile = parse_profile("[time]\nskew_seconds = 30\n")
    assert profile.skew_seconds == 30
    assert profile.max_depth == 32
    assert profile.signature_mode is SignatureMode.SHA256_WITH_RSA


def test_the_digest_is_of_the_file_text(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(FULL, encoding="utf-8")
    assert load_profile(path).digest == parse_profile(FULL).digest
    assert parse_profile(FULL + "\n# comment\n").digest != parse_profile(FULL).digest
    assert len(default_profile().digest) == 64


def test_a_half_hour_zone() -> None:
    assert parse_profile("[time]\nutc_offset_hours = 5.5").tz.utcoffset(None) == timedelta(
        hours=5, minutes=30
    )


# --- bad files, keys and values -------------------------------------------------------------


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read profile .*nope\.toml"):
        load_profile(tmp_path / "nope.toml")


def test_invalid_toml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[time\nskew_seconds = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_profile(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("nmae = 'x'", "nmae"),
        ("[signature]\nmodes = 'raw-digest'", "signature.modes"),
        ("[sigature]\nmode = 'raw-digest'", "sigature.mode"),
        ("[time.zone]\nhours = 8", "time.zone.hours"),
        ("signature = 'raw-digest'", "signature"),
    ],
)
def test_an_unknown_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert f"unknown profile key {key} " in message
    assert str(path) in message
    assert "known keys: name, version_no, signature.mode" in message


@pytest.mark.parametrize(
    ("text", "key", "detail"),
    [
        ("[signature]\nmode = 'rsa-sha1'", "signature.mode", "'sha256withrsa', 'raw-digest'"),
        ("[encryption]\nmode = 'oaep'", "encryption.mode", "not one of 'pkcs1v15', 'oaep-sha256'"),
        ("[login]\nrequest_data_encoding = 'hex'", "login.request_data_encoding", "not one of"),
        ("[time]\ncheck_skew = 'yes'", "time.check_skew", "expected true or false"),
        ("[replay]\ncheck = 1", "replay.check", "expected true or false"),
        ("[time]\nskew_seconds = '300'", "time.skew_seconds", "expected a number"),
        ("[time]\nskew_seconds = true", "time.skew_seconds", "expected a number"),
        ("[limits]\nmax_body_bytes = 1.5", "limits.max_body_bytes", "expected a whole number"),
        ("[limits]\nmax_depth = 0", "limits.max_depth", "> 0"),
        ("[limits]\nmax_body_bytes = -1", "limits.max_body_bytes", "> 0"),
        ("[schedule]\noffsets = 'fast'", "schedule.offsets", "expected a list of numbers"),
        ("[schedule]\noffsets = [0, '1']", "schedule.offsets", "expected a list of numbers"),
        ("[schedule]\noffsets = [0, true]", "schedule.offsets", "expected a list of numbers"),
        ("[schedule]\noffsets = []", "schedule.offsets", "non-empty"),
        ("[schedule]\noffsets = [0, 3, 1]", "schedule.offsets", "non-decreasing"),
        ("[schedule]\noffsets = [-1, 0]", "schedule.offsets", ">= 0"),
        ("[schedule]\noffsets = [0, inf]", "schedule.offsets", ">= 0"),
        ("[schedule]\nearly_tolerance = 1.0", "schedule.early_tolerance", "< 1"),
        ("[schedule]\nlate_tolerance = -0.1", "schedule.late_tolerance", ">= 0"),
        ("[time]\nutc_offset_hours = 30", "time.utc_offset_hours", "between -24 and 24"),
        ("[time]\nskew_seconds = nan", "time.skew_seconds", ">= 0"),
        ("[time]\nskew_seconds = -1", "time.skew_seconds", ">= 0"),
        ("[replay]\nwindow_seconds = inf", "replay.window_seconds", ">= 0"),
        ("[transport]\ntimeout_seconds = 0", "transport.timeout_seconds", "> 0"),
        ("name = 3", "name", "expected a string"),
        ("version_no = ['1']", "version_no", "expected a string"),
        ("[signature]\nplaceholder = ''", "signature.placeholder", "must not be empty"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_key(text: str, key: str, detail: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_profile(text)
    message = str(caught.value)
    assert key in message
    assert detail in message


def test_a_profile_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_profile(bad)
