"""The registry: defaults, the example file, and errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ucsp import sandbox
from ucsp.errors import ConfigError
from ucsp.sim.options import ServeOptions
from ucsp.sim.ucsp import build_app
from ucsp.sim.ucsp.registry import default_registry, load_registry, parse_registry

EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "registry" / "ucsp-default.toml"

GOOD = """
[[industries]]
code = "TRAVEL01"
sign_certs = ["industry-sign.crt"]
enc_cert = "industry-enc.crt"
index_url = "http://127.0.0.1:8081/index"
notice_url = "http://127.0.0.1:8081/notify"

[[merchants]]
mer_id = "777290058110048"
acq_iin = "00010344"
industry_code = "TRAVEL01"
"""


def test_defaults(keys_dir: Path) -> None:
    registry = default_registry(keys_dir)
    industry = registry.industries[sandbox.INDUSTRY_CODE]
    assert industry.index_url == "http://127.0.0.1:8081/index"
    assert industry.notice_url == "http://127.0.0.1:8081/notify"
    sign = (keys_dir / "industry-sign.crt").read_bytes()
    assert [c.public_bytes(Encoding.PEM) for c in industry.sign_certs.values()] == [sign]
    assert (
        industry.enc_cert.public_bytes(Encoding.PEM) == (keys_dir / "industry-enc.crt").read_bytes()
    )
    assert registry.merchant_of(sandbox.INDUSTRY_CODE, sandbox.MER_ID) is not None
    assert registry.merchant_of("OTHER001", sandbox.MER_ID) is None
    assert registry.channels == (sandbox.CHANNEL_CODE,)
    assert [u.user_id for u in registry.users] == ["user0001", "user0002"]


def test_example_file_equals_the_defaults(keys_dir: Path) -> None:
    assert load_registry(EXAMPLE, keys_dir) == default_registry(keys_dir)


def test_absolute_certificate_paths(keys_dir: Path) -> None:
    text = GOOD.replace('"industry-sign.crt"', f'"{keys_dir / "industry-sign.crt"}"').replace(
        '"industry-enc.crt"', f'"{keys_dir / "industry-enc.crt"}"'
    )
    registry = parse_registry(text, "/nonexistent")
    assert registry.industries["TRAVEL01"].sign_certs
    assert registry.users == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not = [toml", "not valid TOML"),
        ("", "no industry defined; add an [[industries]] table"),
        ("[[shops]]\nx = 1\n" + GOOD, "unknown section 'shops'"),
        (GOOD.replace('code = "TRAVEL01"', 'code = "TRAVEL1"'), "industries[0].code: 'TRAVEL1'"),
        (GOOD.replace('\ncode = "TRAVEL01"', ""), "missing key 'code'; set code to"),
        (GOOD.replace("index_url", "index"), "unknown key 'index' (known keys:"),
        (GOOD.replace('"http://127.0.0.1:8081/index"', '"ftp://x"'), "index_url: 'ftp://x'"),
        (GOOD.replace('["industry-sign.crt"]', "[]"), "sign_certs must be a non-empty list"),
        (GOOD.replace('"industry-enc.crt"', '"nope.crt"'), "industries[0].enc_cert: cannot read"),
        (
            GOOD.replace('industry_code = "TRAVEL01"', 'industry_code = "OTHER001"'),
            "merchants[0].industry_code: 'OTHER001' is not defined",
        ),
        (GOOD.replace('acq_iin = "00010344"', "acq_iin = 10344"), "merchants[0].acq_iin"),
        (GOOD + GOOD.split("[[merchants]]")[0], "defined twice"),
        ("industries = 3", "must be an array of tables"),
        (GOOD + '[[users]]\nuser_id = "u1"\n', "users[0]: missing key 'mobile'"),
        (GOOD + '[[channels]]\ncode = "C1"\n', "channels[0].code: 'C1' is not valid; set code"),
    ],
)
def test_bad_registry_names_the_key_and_the_fix(keys_dir: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, keys_dir, "reg.toml")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("reg.toml")


def test_missing_registry_file(keys_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read registry .*--config"):
        load_registry(tmp_path / "missing.toml", keys_dir)


def test_build_app_from_options(keys_dir: Path, tmp_path: Path) -> None:
    app = build_app(ServeOptions(keys=keys_dir, config=EXAMPLE, db=tmp_path / "u.db", port=8080))
    simulator = app.state.simulator
    assert simulator.base_url == "http://127.0.0.1:8080"
    assert simulator.registry == default_registry(keys_dir)
    simulator.db.close()
    with pytest.raises(ConfigError, match="unknown fault 'no-such-fault'"):
        build_app(ServeOptions(keys=keys_dir, faults=["no-such-fault"]))
    with pytest.raises(ConfigError, match="does not exist"):
        build_app(ServeOptions(keys=tmp_path / "nokeys"))
