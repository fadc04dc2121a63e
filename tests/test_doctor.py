"""Preflight: a target pointing at a live SUT passes; each broken part names its check and fix."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ucsp import doctor
from ucsp.cli import main
from ucsp.crypto import init_test_keyset
from ucsp.deployment import Deployment, embedded
from ucsp.doctor import Check, diagnose, run_checks
from ucsp.errors import ConfigError
from ucsp.target import Role, Target, load_target

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
SUITE_KEY = {"ucsp": "industry-sign.key", "industry": "ucsp-sign.key"}  # what the suite signs with


@pytest.fixture(scope="module")
def suts() -> Iterator[dict[str, Deployment]]:
    started: dict[str, Deployment] = {}
    try:
        roles: tuple[Role, ...] = ("ucsp", "industry")
        for role in roles:
            started[role] = embedded(role)
        yield started
    finally:
        for deployment in started.values():
            deployment.close()


@pytest.fixture
def unused_port() -> Iterator[int]:
    """A loopback port bound but never listening: connections are refused, nobody takes it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield int(sock.getsockname()[1])
    sock.close()


@pytest.fixture
def busy_port() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield int(sock.getsockname()[1])
    sock.close()


def write_target(
    directory: Path,
    sut: Deployment,
    keys: Path = TEST_KEYS,
    listen: str = "127.0.0.1:0",
    urls: dict[str, str] | None = None,
) -> Path:
    """A target file for the embedded SUT of ``sut.role``; ``urls`` override its URLs."""
    embedded_target = sut.target
    lines = [f'sut = "{sut.role}"', "[suite]", f'keys = "{keys.resolve()}"', f'listen = "{listen}"']
    if sut.role == "ucsp":
        values = {
            "gateway_url": embedded_target.ucsp.gateway_url,
            "authorize_url": embedded_target.ucsp.authorize_url,
        }
        lines.append("[ucsp]")
    else:
        assert embedded_target.industry.harness_url is not None
        values = {
            "index_url": embedded_target.industry.index_url,
            "notice_url": embedded_target.industry.notice_url,
            "harness_url": embedded_target.industry.harness_url,
        }
        lines.append("[industry]")
    values.update(urls or {})
    lines += [f'{key} = "{value}"' for key, value in values.items()]
    file = directory / f"{sut.role}-target.toml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file


def checks_of(file: Path) -> dict[str, Check]:
    checks = run_checks(load_target(file))
    by_name = {check.name: check for check in checks}
    assert len(by_name) == len(checks), [c.name for c in checks]
    return by_name


def failing(checks: dict[str, Check]) -> dict[str, Check]:
    return {name: check for name, check in checks.items() if not check.ok}


def test_embedded_ucsp_passes_every_check(tmp_path: Path, suts: dict[str, Deployment]) -> None:
    target_file = write_target(tmp_path, suts["ucsp"])
    assert "/gateway" in target_file.read_text() and "/authorize" in target_file.read_text()
    checks = checks_of(target_file)
    assert failing(checks) == {}
    assert {
        "suite signing key (industry-sign.key)",
        "suite encryption key (industry-enc.key)",
        "certificate ucsp-sign.crt",
        "certificate industry-sign.crt",
        "certificate industry-enc.crt",
        "signing round trip",
        "the suite's notice URL and index URL can listen",
        "UCSP gateway answers",
        "UCSP gateway certificate ID",
        "AUTHORIZATION_URL reachable",
        "clocks agree",
    } <= set(checks)
    assert diagnose(load_target(target_file)) == []


def test_embedded_industry_passes_every_check(tmp_path: Path, suts: dict[str, Deployment]) -> None:
    checks = checks_of(write_target(tmp_path, suts["industry"]))
    assert failing(checks) == {}
    assert {
        "suite signing key (ucsp-sign.key)",
        "signing round trip",
        "the suite's endpoints (UCSP gateway) can listen",
        "IS notice URL answers",
        "IS notice URL certificate ID",
        "INDUSTRY_INDEX_URL reachable",
        "IS harness reachable",
    } <= set(checks)


@pytest.mark.parametrize(
    ("role", "check"),
    [("ucsp", "UCSP gateway certificate ID"), ("industry", "IS notice URL certificate ID")],
)
def test_wrong_certificate_is_a_certificate_id_mismatch(
    tmp_path: Path, suts: dict[str, Deployment], role: Role, check: str
) -> None:
    fresh = tmp_path / "fresh-keys"
    init_test_keyset(fresh)
    failed = failing(checks_of(write_target(tmp_path, suts[role], keys=fresh)))
    assert list(failed) == [check]
    sut = suts[role].target.keys
    expected = sut.ucsp_sign if role == "ucsp" else sut.industry_sign
    assert f"SUT signs with '{expected.cert_id}'" in failed[check].detail
    assert failed[check].fix == "copy the SUT's current signing certificate into suite.keys"
    line = failed[check].line()
    assert line.startswith(f"FAIL {check}: ") and line.endswith(f"(fix: {failed[check].fix})")


@pytest.mark.parametrize(
    ("role", "url_key", "check", "fix"),
    [
        ("ucsp", "gateway_url", "UCSP gateway answers", "start the SUT, or correct the URL"),
        ("ucsp", "authorize_url", "AUTHORIZATION_URL reachable", "correct ucsp.authorize_url"),
        ("industry", "notice_url", "IS notice URL answers", "start the SUT, or correct the URL"),
        ("industry", "index_url", "INDUSTRY_INDEX_URL reachable", "correct industry.index_url"),
        ("industry", "harness_url", "IS harness reachable", "correct industry.harness_url"),
    ],
)
def test_unreachable_url_names_the_check(
    tmp_path: Path,
    suts: dict[str, Deployment],
    unused_port: int,
    role: Role,
    url_key: str,
    check: str,
    fix: str,
) -> None:
    url = f"http://127.0.0.1:{unused_port}/{url_key}"
    failed = failing(checks_of(write_target(tmp_path, suts[role], urls={url_key: url})))
    assert list(failed) == [check]
    assert "ConnectError" in failed[check].detail
    assert f"127.0.0.1:{unused_port}" in failed[check].detail
    assert fix in failed[check].fix


@pytest.mark.parametrize("role", ["ucsp", "industry"])
def test_missing_suite_key_names_the_file(
    tmp_path: Path, suts: dict[str, Deployment], role: Role
) -> None:
    keys = tmp_path / "keys"
    shutil.copytree(TEST_KEYS, keys)
    for name in SUITE_KEY.values():
        (keys / name).unlink()
    failed = failing(checks_of(write_target(tmp_path, suts[role], keys=keys)))
    name = f"suite signing key ({SUITE_KEY[role]})"
    assert list(failed) == [name, "signing round trip"]
    assert failed[name].detail == "missing"
    stem = SUITE_KEY[role].removesuffix(".key")
    assert failed[name].fix == f"put the suite's {stem}.key next to {stem}.crt in suite.keys"
    assert failed["signing round trip"].fix == "see the key check above"


@pytest.mark.parametrize("role", ["ucsp", "industry"])
def test_busy_listen_port_names_the_check(
    tmp_path: Path, suts: dict[str, Deployment], busy_port: int, role: Role
) -> None:
    target_file = write_target(tmp_path, suts[role], listen=f"127.0.0.1:{busy_port}")
    failed = failing(checks_of(target_file))
    assert len(failed) == 1
    ((name, check),) = failed.items()
    assert name.endswith("can listen")
    assert check.detail.startswith(f"127.0.0.1:{busy_port}: ")
    assert check.fix == "free the port or change suite.listen"
    problems = diagnose(load_target(target_file))
    assert problems == [check.line()]
    assert "(fix: free the port or change suite.listen)" in problems[0]


def test_run_checks_turns_a_config_error_into_a_failed_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check that raises ConfigError is reported, not raised."""

    def check_broken(target: Target) -> Check:
        raise ConfigError("the profile says no")

    monkeypatch.setattr(doctor, "CHECKS", (check_broken,))
    target = load_target(ROOT / "fixtures" / "targets" / "ucsp.example.toml")
    assert run_checks(target) == [Check("broken", False, "the profile says no")]


# --- ucsp-conformance doctor -----------------------------------------------------------


def test_cli_doctor_exit_0_when_all_checks_pass(
    tmp_path: Path, suts: dict[str, Deployment], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--target", str(write_target(tmp_path, suts["ucsp"]))]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert all(line.startswith("ok   ") for line in lines[:-1]), out
    assert lines[-1] == f"{len(lines) - 1} ok, 0 problem(s)"


def test_cli_doctor_exit_2_when_a_check_fails(
    tmp_path: Path,
    suts: dict[str, Deployment],
    unused_port: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{unused_port}/gateway"
    assert (
        main(
            [
                "doctor",
                "--target",
                str(write_target(tmp_path, suts["ucsp"], urls={"gateway_url": url})),
            ]
        )
        == 2
    )
    out, _ = capsys.readouterr()
    assert "FAIL UCSP gateway answers: " in out
    assert "(fix: start the SUT, or correct the URL in the target file)" in out
    assert out.splitlines()[-1].endswith(", 1 problem(s)")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read target file"),
        ('sut = "bank"\n', "sut = 'bank'; set sut = \"industry\""),
    ],
    ids=["missing file", "bad sut"],
)
def test_cli_doctor_exit_2_on_an_unusable_target_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    file = tmp_path / "target.toml"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    assert main(["doctor", "--target", str(file)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("ucsp-conformance: error: ") and err.count("\n") == 1
    assert expected in err
