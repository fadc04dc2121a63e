"""Preflight: a target pointing at a live SUT passes; a target mistake is a problem naming
its fix (exit 2); a SUT that answers wrongly is a warning naming the requirement that will
grade it (exit 0)."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ucsp import doctor
from ucsp.cli import main
from ucsp.crypto import init_test_keyset, sign_message
from ucsp.deployment import Deployment, embedded
from ucsp.doctor import Check, diagnose, field_rule, preflight, rule_text, run_checks
from ucsp.errors import ConfigError
from ucsp.keys import Keyset
from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback
from ucsp.profile import default_profile
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
    identifiers: dict[str, str] | None = None,
) -> Path:
    """A target file for the embedded SUT of ``sut.role``; ``urls`` override its URLs (an
    empty value drops the key), ``identifiers`` set [industry] identifiers."""
    embedded_target = sut.target
    lines = [f'sut = "{sut.role}"', "[suite]", f'keys = "{keys.resolve()}"', f'listen = "{listen}"']
    industry = {
        # a UCSP under test redirects to, and notifies, the URLs it has registered
        "index_url": embedded_target.industry.index_url,
        "notice_url": embedded_target.industry.notice_url,
    }
    ucsp: dict[str, str] = {}
    if sut.role == "ucsp":
        ucsp = {
            "gateway_url": embedded_target.ucsp.gateway_url,
            "authorize_url": embedded_target.ucsp.authorize_url,
        }
    else:
        assert embedded_target.industry.harness_url is not None
        industry["harness_url"] = embedded_target.industry.harness_url
    for key, value in (urls or {}).items():
        (ucsp if key in ("gateway_url", "authorize_url") else industry)[key] = value
    industry.update(identifiers or {})
    for section, values in (("industry", industry), ("ucsp", ucsp)):
        lines.append(f"[{section}]")
        lines += [f'{key} = "{value}"' for key, value in values.items() if value]
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


def the_one_failure(
    directory: Path, sut: Deployment, stem: str, name: str, keep_key: bool = False
) -> Check:
    """The check ``name`` failing against ``sut`` when the target holds another ``stem``
    certificate (see keys_with_fresh), after asserting no other check fails."""
    keys = keys_with_fresh(directory, stem, keep_key=keep_key)
    failed = failing(checks_of(write_target(directory, sut, keys=keys)))
    assert list(failed) == [name]
    return failed[name]


def problems(checks: dict[str, Check]) -> dict[str, Check]:
    return {name: check for name, check in checks.items() if check.problem}


def warnings(checks: dict[str, Check]) -> dict[str, Check]:
    return {name: check for name, check in checks.items() if check.warning}


def keys_with_fresh(directory: Path, *stems: str, keep_key: bool = False) -> Path:
    """The test keyset with the certificates ``stems`` replaced by other ones (a target
    holding the wrong certificate); their keys kept only when ``keep_key``."""
    keys = directory / "keys"
    shutil.copytree(TEST_KEYS, keys)
    fresh = directory / "fresh"
    init_test_keyset(fresh)
    for stem in stems:
        shutil.copy(fresh / f"{stem}.crt", keys / f"{stem}.crt")
        if keep_key:
            shutil.copy(fresh / f"{stem}.key", keys / f"{stem}.key")
        else:
            (keys / f"{stem}.key").unlink(missing_ok=True)
    return keys


# --- a SUT that passes -------------------------------------------------------------------


def test_embedded_ucsp_passes_every_check(tmp_path: Path, suts: dict[str, Deployment]) -> None:
    target_file = write_target(tmp_path, suts["ucsp"])
    assert "/gateway" in target_file.read_text() and "/authorize" in target_file.read_text()
    checks = checks_of(target_file)
    assert failing(checks) == {}
    assert {
        "industry.code is industryCode AN 8",
        "industry.mer_id is merId AN 15",
        "industry.acq_iin is acqIIN AN 8",
        "industry.channel_code is channelCode AN 8",
        "suite signing key (industry-sign.key)",
        "suite encryption key (industry-enc.key)",
        "certificate ucsp-sign.crt",
        "certificate industry-sign.crt",
        "certificate industry-enc.crt",
        "signing round trip",
        "industry.index_url set",
        "industry.notice_url set",
        "the suite's notice URL and index URL can listen",
        "UCSP gateway answers",
        "UCSP gateway certificate ID",
        "UCSP gateway accepts the suite's signature",
        "UCSP gateway echoes msgInfo",
        "AUTHORIZATION_URL login round trip",
        "UCSP encrypts to industry-enc.crt",
        "clocks agree",
    } <= set(checks)
    assert diagnose(load_target(target_file)) == []


def test_embedded_industry_passes_every_check(tmp_path: Path, suts: dict[str, Deployment]) -> None:
    checks = checks_of(write_target(tmp_path, suts["industry"]))
    assert failing(checks) == {}
    assert {
        "industry.code is industryCode AN 8",
        "suite signing key (ucsp-sign.key)",
        "signing round trip",
        "the suite's endpoints (UCSP gateway) can listen",
        "IS notice URL answers",
        "IS notice URL certificate ID",
        "INDUSTRY_INDEX_URL login round trip",
        "IS harness reachable",
    } <= set(checks)


def test_the_mobile_is_never_shown(tmp_path: Path, suts: dict[str, Deployment]) -> None:
    target = load_target(write_target(tmp_path, suts["ucsp"]))
    lines = "\n".join(check.line() for check in run_checks(target))
    assert target.ucsp.mobile not in lines


# --- target mistakes: problems -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "stem", "check"),
    [
        ("ucsp", "ucsp-sign", "UCSP gateway certificate ID"),
        ("industry", "industry-sign", "IS notice URL certificate ID"),
    ],
)
def test_another_signing_certificate_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment], role: Role, stem: str, check: str
) -> None:
    """The target holds another certificate than the one the SUT signs with."""
    failure = the_one_failure(tmp_path, suts[role], stem, check)
    assert failure.problem
    sut = suts[role].target.keys
    expected = sut.ucsp_sign if role == "ucsp" else sut.industry_sign
    assert f"SUT signs with '{expected.cert_id}'" in failure.detail
    assert failure.fix == "copy the SUT's current signing certificate into suite.keys"
    line = failure.line()
    assert line.startswith(f"FAIL {check}: ") and line.endswith(f"(fix: {failure.fix})")


def test_the_wrong_is_encryption_certificate_fails_the_login_round_trip(
    tmp_path: Path, suts: dict[str, Deployment]
) -> None:
    """The suite encrypts the login mobile to industry-enc.crt; the IS cannot take it."""
    name = "INDUSTRY_INDEX_URL login round trip"
    failure = the_one_failure(tmp_path, suts["industry"], "industry-enc", name)
    assert failure.problem
    assert "refused a valid login with HTTP 403" in failure.detail
    assert "industry-enc.crt" in failure.fix


def test_the_wrong_suite_encryption_certificate_at_a_ucsp_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment]
) -> None:
    """The UCSP encrypts the login mobile to the certificate it registered, not the target's."""
    name = "UCSP encrypts to industry-enc.crt"
    failure = the_one_failure(tmp_path, suts["ucsp"], "industry-enc", name, keep_key=True)
    registered = suts["ucsp"].target.keys.industry_enc.cert_id
    assert failure.problem
    assert f"appEncCertID '{registered}'" in failure.detail
    assert "register the suite's industry-enc.crt at the UCSP" in failure.fix


def test_a_suite_unknown_to_the_ucsp_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment]
) -> None:
    """The UCSP answers 11 to the suite's correctly signed request: not registered there."""
    name = "UCSP gateway accepts the suite's signature"
    failure = the_one_failure(tmp_path, suts["ucsp"], "industry-sign", name, keep_key=True)
    assert failure.detail == "response code '11'"
    assert "register industry code TRAVEL01 with the suite's industry-sign.crt" in failure.fix


@pytest.mark.parametrize("role", ["ucsp", "industry"])
@pytest.mark.parametrize(
    ("key", "value", "check", "why"),
    [
        ("code", "TRAVEL1", "industry.code is industryCode AN 8", "7 characters, fewer than 8"),
        ("mer_id", "77729005811004", "industry.mer_id is merId AN 15", "fewer than 15"),
        ("other_mer_id", "7772900581100560", "industry.other_mer_id is merId AN 15", "more"),
        ("acq_iin", "0001-344", "industry.acq_iin is acqIIN AN 8", "not AN"),
        ("channel_code", "CHANNEL", "industry.channel_code is channelCode AN 8", "fewer than 8"),
    ],
)
def test_an_identifier_breaking_its_field_rule_is_a_problem(
    tmp_path: Path,
    suts: dict[str, Deployment],
    role: Role,
    key: str,
    value: str,
    check: str,
    why: str,
) -> None:
    file = write_target(tmp_path, suts[role], identifiers={key: value})
    found = problems(checks_of(file))
    assert check in found
    assert found[check].detail.startswith(f"{value!r}: ") and why in found[check].detail
    assert (
        found[check].fix
        == f"correct industry.{key} in the target file to what the SUT has registered"
    )
    assert found[check].line() in diagnose(load_target(file))


def test_identifier_rules_come_from_the_schemas() -> None:
    """The rule text is read from schemas/, not written in the doctor."""
    assert rule_text(field_rule("SUBMIT_PAYMENT_ORDER", ("trxInfo", "merId"))) == "AN 15"
    assert rule_text(field_rule("INDUSTRY_LOGIN_INFO", ("trxInfo", "userId"))) == "ANS 1-64"
    assert rule_text(field_rule("INDUSTRY_LOGIN_INFO", ("trxInfo", "mobile"))) == "ANS 1-64"


@pytest.mark.parametrize(
    ("role", "url_key", "check", "fix"),
    [
        ("ucsp", "gateway_url", "UCSP gateway answers", "start the SUT, or correct the URL"),
        (
            "ucsp",
            "authorize_url",
            "AUTHORIZATION_URL login round trip",
            "correct ucsp.authorize_url",
        ),
        ("industry", "notice_url", "IS notice URL answers", "start the SUT, or correct the URL"),
        (
            "industry",
            "index_url",
            "INDUSTRY_INDEX_URL login round trip",
            "correct industry.index_url",
        ),
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
    assert failed[check].problem
    assert "ConnectError" in failed[check].detail
    assert f"127.0.0.1:{unused_port}" in failed[check].detail
    assert fix in failed[check].fix


def test_a_url_where_nothing_is_served_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment]
) -> None:
    gateway = suts["ucsp"].target.ucsp.gateway_url.replace("/gateway", "/gateway-typo")
    failed = failing(checks_of(write_target(tmp_path, suts["ucsp"], urls={"gateway_url": gateway})))
    assert list(failed) == ["UCSP gateway answers"]
    assert failed["UCSP gateway answers"].problem
    assert "HTTP 404, nothing is served there" in failed["UCSP gateway answers"].detail


@pytest.mark.parametrize("key", ["index_url", "notice_url"])
def test_a_ucsp_target_without_the_suites_urls_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment], key: str
) -> None:
    """No public_url and no fixed listen port: nothing to register at the UCSP."""
    failed = problems(checks_of(write_target(tmp_path, suts["ucsp"], urls={key: ""})))
    assert f"industry.{key} set" in failed
    assert "set suite.public_url" in failed[f"industry.{key} set"].fix


def test_a_redirect_to_another_index_url_is_a_problem(
    tmp_path: Path, suts: dict[str, Deployment]
) -> None:
    """The UCSP registered another INDUSTRY_INDEX_URL than the target's (public_url)."""
    file = write_target(
        tmp_path, suts["ucsp"], urls={"index_url": "http://127.0.0.1:9/elsewhere/index"}
    )
    failed = failing(checks_of(file))
    name = "AUTHORIZATION_URL login round trip"
    assert list(failed) == [name]
    assert failed[name].problem
    assert suts["ucsp"].target.industry.index_url in failed[name].detail
    assert "register http://127.0.0.1:9/elsewhere/index as INDUSTRY_INDEX_URL" in failed[name].fix


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
    found = diagnose(load_target(target_file))
    assert found == [check.line()]
    assert "(fix: free the port or change suite.listen)" in found[0]


def test_run_checks_turns_a_config_error_into_a_failed_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check that raises ConfigError is reported, not raised."""

    def check_broken(target: Target) -> Check:
        raise ConfigError("the profile says no")

    monkeypatch.setattr(doctor, "CHECKS", (check_broken,))
    target = load_target(ROOT / "fixtures" / "targets" / "ucsp.example.toml")
    assert run_checks(target) == [Check("broken", False, "the profile says no")]


# --- a SUT that answers wrongly: warnings naming the requirement -------------------------


class Servers:
    """Small ASGI SUT stand-ins on loopback, each in front of a reference implementation."""

    def __init__(self) -> None:
        self.loop = LoopThread("doctor-tests")
        self.servers: list[LoopbackServer] = []

    def serve(self, app: Starlette) -> str:
        server = LoopbackServer(app, bind_loopback(), self.loop).start()
        self.servers.append(server)
        return server.url

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.loop.stop()


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    pool = Servers()
    yield pool
    pool.close()


def hex_id_gateway(upstream: str) -> Starlette:
    """The reference UCSP's gateway, answers re-signed with the cert ID written in hex."""
    keys, profile = Keyset.load(TEST_KEYS), default_profile()
    assert keys.ucsp_sign.key is not None

    async def gateway(request: Request) -> Response:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                upstream,
                content=await request.body(),
                headers={"Content-Type": "application/json"},
            )
        message = json.loads(answer.content)
        message["certificateSignature"] = {
            "ucspSignCertID": format(keys.ucsp_sign.cert.serial_number, "x"),
            "signature": profile.placeholder,
        }
        assert keys.ucsp_sign.key is not None
        signed = sign_message(
            message, keys.ucsp_sign.key, profile.signature_mode, profile.placeholder
        )
        return Response(signed, media_type="application/json; charset=UTF-8")

    return Starlette(routes=[Route("/gateway", gateway, methods=["POST"])])


def status_app(path: str, status: int) -> Starlette:
    async def answer(request: Request) -> Response:
        return Response(b'{"error": "bad request"}', status_code=status)

    return Starlette(routes=[Route(path, answer, methods=["POST"])])


def test_a_hex_certificate_id_is_a_warning_graded_by_sec_01(
    tmp_path: Path,
    suts: dict[str, Deployment],
    servers: Servers,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = servers.serve(hex_id_gateway(suts["ucsp"].target.ucsp.gateway_url)) + "/gateway"
    file = write_target(tmp_path, suts["ucsp"], urls={"gateway_url": url})
    checks = checks_of(file)
    assert problems(checks) == {}
    found = warnings(checks)
    assert list(found) == ["UCSP gateway certificate ID"]
    check = found["UCSP gateway certificate ID"]
    assert check.graded_by == "SEC-01"
    serial = suts["ucsp"].target.keys.ucsp_sign.cert.serial_number
    assert f"{format(serial, 'x')!r}" in check.detail and str(serial) in check.detail
    assert check.line().startswith("WARN UCSP gateway certificate ID: ")
    assert check.line().endswith("(this will be graded by SEC-01)")
    assert "copy the SUT's" not in check.line()
    assert main(["doctor", "--target", str(file)]) == 0
    out = capsys.readouterr().out
    assert "WARN UCSP gateway certificate ID" in out
    assert out.splitlines()[-1].endswith(", 1 warning(s), 0 problem(s)")


def test_a_non_200_answer_to_a_bad_notice_is_a_warning_graded_by_trn_04(
    tmp_path: Path, suts: dict[str, Deployment], servers: Servers
) -> None:
    url = servers.serve(status_app("/notify", 400)) + "/notify"
    checks = checks_of(write_target(tmp_path, suts["industry"], urls={"notice_url": url}))
    assert problems(checks) == {}
    found = warnings(checks)
    assert list(found) == ["IS notice URL answers"]
    assert found["IS notice URL answers"].graded_by == "TRN-04"
    assert "HTTP 400" in found["IS notice URL answers"].detail
    assert preflight(
        load_target(write_target(tmp_path, suts["industry"], urls={"notice_url": url}))
    ) == (
        [],
        [found["IS notice URL answers"].line()],
    )


@pytest.mark.parametrize(
    ("fault", "check", "requirement"),
    [
        ("no-echo-msginfo", "UCSP gateway echoes msgInfo", "FMT-07"),
        ("signs-responses-badly", "UCSP gateway certificate ID", "SEC-01"),
    ],
)
def test_a_ucsp_answering_wrongly_is_a_warning(
    tmp_path: Path, fault: str, check: str, requirement: str
) -> None:
    faulty = embedded("ucsp", [fault])
    try:
        checks = checks_of(write_target(tmp_path, faulty))
    finally:
        faulty.close()
    assert problems(checks) == {}
    found = warnings(checks)
    assert list(found) == [check]
    assert found[check].graded_by == requirement


# --- ucsp-conformance doctor -----------------------------------------------------------


def test_cli_doctor_exit_0_when_all_checks_pass(
    tmp_path: Path, suts: dict[str, Deployment], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--target", str(write_target(tmp_path, suts["ucsp"]))]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert all(line.startswith("ok   ") for line in lines[:-1]), out
    assert lines[-1] == f"{len(lines) - 1} ok, 0 warning(s), 0 problem(s)"


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
    assert out.splitlines()[-1].endswith(", 0 warning(s), 1 problem(s)")


def test_cli_doctor_applies_the_global_profile(
    tmp_path: Path, suts: dict[str, Deployment], capsys: pytest.CaptureFixture[str]
) -> None:
    """--profile (before or after the subcommand) reaches the checks: under raw-digest the
    suite signs so, and the reference UCSP (SHA256withRSA) refuses it."""
    profile = tmp_path / "raw.toml"
    text = (ROOT / "fixtures" / "profiles" / "default.toml").read_text(encoding="utf-8")
    profile.write_text(text.replace('mode = "sha256withrsa"', 'mode = "raw-digest"'), "utf-8")
    file = str(write_target(tmp_path, suts["ucsp"]))
    for argv in (
        ["--profile", str(profile), "doctor", "--target", file],
        ["doctor", "--target", file, "--profile", str(profile)],
    ):
        assert main(argv) == 2
        out = capsys.readouterr().out
        assert "ok   signing round trip: raw-digest with" in out
        assert "FAIL UCSP gateway accepts the suite's signature: response code '11'" in out
    assert main(["doctor", "--target", file]) == 0
    assert "ok   signing round trip: sha256withrsa with" in capsys.readouterr().out


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


# --- run's preflight -----------------------------------------------------------------------


def test_run_goes_on_after_warnings_and_stops_on_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from ucsp.runner import RunOptions, run

    example = ROOT / "fixtures" / "targets" / "ucsp.example.toml"
    warning = Check("UCSP gateway certificate ID", False, "hex", graded_by="SEC-01")
    monkeypatch.setattr(doctor, "run_checks", lambda target: [warning])
    stream = io.StringIO()
    options = RunOptions(target=example, scenarios=["no such scenario"], out=tmp_path / "a")
    with pytest.raises(ConfigError) as went_on:
        run(options, stream)
    assert "preflight" not in str(went_on.value)  # it got as far as the scenarios
    assert f"preflight: {warning.line()}\n" in stream.getvalue()
    problem = Check("UCSP gateway answers", False, "ConnectError", "start the SUT")
    monkeypatch.setattr(doctor, "run_checks", lambda target: [warning, problem])
    with pytest.raises(ConfigError, match=r"^preflight failed: FAIL UCSP gateway answers"):
        run(RunOptions(target=example, out=tmp_path / "b"), io.StringIO())


def test_without_a_harness_or_a_terminal_the_operator_check_warns_with_its_fix() -> None:
    from ucsp.doctor.industry_sut import operator_check

    alone = operator_check(False)
    assert alone.warning and not alone.problem
    assert alone.line().startswith("WARN operator terminal") and "harness_url" in alone.line()
    present = operator_check(True)
    assert present.ok and not present.warning and present.line().startswith("ok  ")
