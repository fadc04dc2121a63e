"""The console script: exit 0 success, 1 invalid message, 2 usage or configuration error."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from ucsp import __version__, cli, sandbox
from ucsp.cli import main
from ucsp.crypto import TEST_KEYSET_FILES
from ucsp.keys import Keyset
from ucsp.profile import default_profile
from ucsp.sim.options import ServeOptions

ROOT = Path(__file__).resolve().parent.parent
KAT_DIR = ROOT / "fixtures" / "kat"
MESSAGES_DIR = ROOT / "fixtures" / "messages"
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"

KAT_SIGNED = KAT_DIR / "submit_payment_order.sha256withrsa.json"
KAT_RAW_DIGEST = KAT_DIR / "submit_payment_order.raw-digest.json"
ORDER = MESSAGES_DIR / "SUBMIT_PAYMENT_ORDER.request.json"
KEY = {stem: str(TEST_KEYS / f"{stem}.key") for stem in ("ucsp-sign", "industry-sign")}
CERT = {
    stem: str(TEST_KEYS / f"{stem}.crt") for stem in ("ucsp-sign", "industry-sign", "industry-enc")
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *parts: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith("ucsp-conformance: error: ")
    assert "Traceback" not in err
    for part in parts:
        assert part in err


def write(tmp_path: Path, name: str, data: bytes | str | dict[str, Any]) -> str:
    path = tmp_path / name
    if isinstance(data, dict):
        data = json.dumps(data, indent=2)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return str(path)


def load(path: Path | str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


# --- the parser -------------------------------------------------------------------------------


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("keys", "message", "serve"):
        assert command in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["keys"],
        ["keys", "init"],
        ["message"],
        ["message", "sign", "x.json"],
        ["message", "verify", "x.json"],
        ["message", "sign", "x.json", "--key", "k", "--cert", "c", "--as", "bank"],
        ["serve"],
        ["serve", "ucsp"],
        ["serve", "industry", "--keys", "k"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: ucsp-conformance" in err
    assert "Traceback" not in err


def test_each_command_is_registered_by_one_function() -> None:
    names = [register.__name__ for register in cli.REGISTRARS]
    assert names[:3] == ["register_keys", "register_message", "register_serve"]
    assert all(name.startswith("register_") for name in names)


def test_the_console_script_is_declared() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts["ucsp-conformance"] == "ucsp.cli:main"


# --- keys init --------------------------------------------------------------------------------


def test_keys_init_writes_the_test_keyset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "new" / "keys"
    code, out, err = run(capsys, "keys", "init", str(target))
    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == sorted(TEST_KEYSET_FILES)
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == [str(target / f) for f in TEST_KEYSET_FILES]
    assert all(line.startswith("wrote ") for line in lines)
    keyset = Keyset.load(target)
    assert f"(cert ID {keyset.industry_sign.cert_id})" in out
    assert "TEST-ONLY" in err and "never use them for anything real" in err


def test_keys_init_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "keys", "init", str(tmp_path))[0] == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, out, err = run(capsys, "keys", "init", str(tmp_path))
    assert (code, out) == (2, "")
    assert_one_line_error(err, "already exists")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_keys_init_into_a_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = write(tmp_path, "file", "x")
    code, _, err = run(capsys, "keys", "init", target)
    assert code == 2
    assert_one_line_error(err)


# --- message validate ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(MESSAGES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_validate_accepts_every_sample(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    msg_type, kind = path.stem.rsplit(".", 1)
    code, out, err = run(capsys, "message", "validate", str(path))
    assert (code, err) == (0, "")
    assert out == f"{path}: valid {msg_type} {kind}\n"


def test_validate_lists_each_error_with_path_and_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    message = load(ORDER)
    del message["trxInfo"]["merId"]
    message["trxInfo"]["txnAmt"] = 12800
    message["trxInfo"]["currencyCode"] = "15X"
    path = write(tmp_path, "bad.json", message)
    code, out, err = run(capsys, "message", "validate", path)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{path}: $.trxInfo.") for line in lines)
    assert any("$.trxInfo.merId: required" in line for line in lines)
    assert any("$.trxInfo.txnAmt: type" in line for line in lines)
    assert any("$.trxInfo.currencyCode: pattern" in line for line in lines)


def test_validate_takes_the_kind_from_msg_response(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    message = load(ORDER)
    message["msgResponse"] = {"responseCode": "00", "responseMsg": "Approved"}
    code, out, _ = run(capsys, "message", "validate", write(tmp_path, "m.json", message))
    assert code == 1  # a response must carry orderId, tn and paymentUrl, and ucspSignCertID
    assert "$.certificateSignature.ucspSignCertID: required" in out


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"},"msgInfo":{}}', "duplicate key"),
        (b"\xef\xbb\xbf{}", "byte order mark"),
        (b'{"a":"\xff"}', "not valid UTF-8"),
        (b'{"a":NaN}', "NaN is not allowed"),
        (b"[1]", "not a JSON object"),
        (b'{"a":' * 33 + b"1" + b"}" * 33, "nesting deeper than 32"),
        (b'{"msgInfo":{"msgType":"REFUND"}}', "unknown msgInfo.msgType 'REFUND'"),
        (b'{"msgInfo":"x"}', "unknown msgInfo.msgType None"),
        (
            b'{"msgInfo":{"msgType":"INDUSTRY_LOGIN_INFO"},"msgResponse":{}}',
            "INDUSTRY_LOGIN_INFO has no response",
        ),
    ],
)
def test_validate_reports_a_parse_error_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: bytes, reason: str
) -> None:
    path = write(tmp_path, "m.json", body)
    code, out, err = run(capsys, "message", "validate", path)
    assert (code, err) == (1, "")
    assert out == f"{path}: malformed message: {out.split(': ', 2)[2]}"
    assert out.count("\n") == 1
    assert reason in out


def test_validate_applies_the_profile_limits(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = write(tmp_path, "p.toml", "[limits]\nmax_body_bytes = 100\n")
    code, out, _ = run(capsys, "message", "validate", str(ORDER), "--profile", profile)
    assert code == 1
    assert "exceeds the limit of 100" in out


def test_validate_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    fake = io.TextIOWrapper(io.BytesIO(ORDER.read_bytes()))
    monkeypatch.setattr(sys, "stdin", fake)
    code, out, _ = run(capsys, "message", "validate", "-")
    assert code == 0
    assert out == "-: valid SUBMIT_PAYMENT_ORDER request\n"


def test_validate_of_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "message", "validate", str(tmp_path / "none.json"))
    assert (code, out) == (2, "")
    assert_one_line_error(err, "cannot read", "none.json", "No such file")


def test_a_bad_profile_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = write(tmp_path, "p.toml", "[signature]\nmode = 'md5'\n")
    code, out, err = run(capsys, "--profile", profile, "message", "validate", str(ORDER))
    assert (code, out) == (2, "")
    assert_one_line_error(err, "signature.mode", "'md5' is not one of")
    code, _, err = run(capsys, "message", "validate", str(ORDER), "--profile", "/no/such.toml")
    assert code == 2
    assert_one_line_error(err, "cannot read profile /no/such.toml")


# --- message sign -------------------------------------------------------------------------------


def sign_argv(path: str | Path, stem: str) -> list[str]:
    """``message sign`` of ``path`` with the key and certificate ``stem``."""
    return ["message", "sign", str(path), "--key", KEY[stem], "--cert", CERT[stem]]


def sign(
    capsys: pytest.CaptureFixture[str], path: str | Path, stem: str, *extra: str
) -> tuple[int, bytes, str]:
    code = main([*sign_argv(path, stem), *extra])
    out, err = capsys.readouterr()
    return code, out.encode(), err


@pytest.mark.parametrize(
    ("sample", "stem", "field"),
    [
        ("SUBMIT_PAYMENT_ORDER.request", "industry-sign", "appSignCertID"),
        ("REFUND_RESULT_INQUIRY.request", "industry-sign", "appSignCertID"),
        ("SUBMIT_PAYMENT_ORDER.response", "ucsp-sign", "ucspSignCertID"),
        ("CLOSE_AUTO_DEBIT.response", "ucsp-sign", "ucspSignCertID"),
        ("PAYMENT_RESULT_NOTICE.request", "ucsp-sign", "ucspSignCertID"),
        ("SIGN_AUTO_DEBIT_NOTICE.request", "ucsp-sign", "ucspSignCertID"),
        ("INDUSTRY_LOGIN_INFO.request", "ucsp-sign", "ucspSignCertID"),
        ("PAYMENT_RESULT_NOTICE.response", "industry-sign", "appSignCertID"),
        ("SIGN_AUTO_DEBIT_NOTICE.response", "industry-sign", "appSignCertID"),
    ],
)
def test_sign_infers_the_signing_party(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample: str, stem: str, field: str
) -> None:
    code, signed, err = sign(capsys, MESSAGES_DIR / f"{sample}.json", stem)
    assert (code, err) == (0, "")
    fields = json.loads(signed)["certificateSignature"]
    assert fields[field] == Keyset.load(TEST_KEYS).__getattribute__(stem.replace("-", "_")).cert_id
    assert (
        fields["signature"]
        != load(MESSAGES_DIR / f"{sample}.json")["certificateSignature"]["signature"]
    )
    path = write(tmp_path, "signed.json", signed)
    code, out, _ = run(capsys, "message", "verify", path, "--cert", CERT[stem])
    assert code == 0, out
    assert (run(capsys, "message", "validate", path)[0]) == 0


def test_sign_prints_exactly_the_signed_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    unsigned = KAT_DIR / "submit_payment_order.signed-bytes.json"
    code, signed, _ = sign(capsys, unsigned, "industry-sign")
    assert code == 0
    assert signed == KAT_SIGNED.read_bytes()  # the known answer; no newline after it


def test_sign_keeps_other_cert_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, signed, _ = sign(capsys, MESSAGES_DIR / "INDUSTRY_LOGIN_INFO.request.json", "ucsp-sign")
    assert code == 0
    fields = json.loads(signed)["certificateSignature"]
    assert list(fields) == ["ucspSignCertID", "appEncCertID", "signature"]
    assert fields["appEncCertID"] == "69026276697265"


def test_sign_as_overrides_the_party(capsys: pytest.CaptureFixture[str]) -> None:
    code, signed, _ = sign(capsys, ORDER, "ucsp-sign", "--as", "ucsp")
    assert code == 0
    fields = json.loads(signed)["certificateSignature"]
    assert fields["ucspSignCertID"] == Keyset.load(TEST_KEYS).ucsp_sign.cert_id
    assert fields["appSignCertID"] == "69026276697264"  # kept; the other party's is ignored


def test_sign_as_works_for_an_unknown_type(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "m.json", {"msgInfo": {"msgType": "FUTURE_TYPE"}})
    assert sign(capsys, path, "industry-sign")[0] == 1
    code, signed, _ = sign(capsys, path, "industry-sign", "--as", "industry")
    assert code == 0
    assert "appSignCertID" in json.loads(signed)["certificateSignature"]


def test_sign_with_the_raw_digest_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = write(tmp_path, "p.toml", "[signature]\nmode = 'raw-digest'\n")
    unsigned = KAT_DIR / "submit_payment_order.signed-bytes.json"
    code, signed, _ = sign(capsys, unsigned, "industry-sign", "--profile", profile)
    assert code == 0
    assert signed == KAT_RAW_DIGEST.read_bytes()
    code = main(["--profile", profile, *sign_argv(unsigned, "industry-sign")])  # global too
    assert code == 0
    assert capsys.readouterr().out.encode() == KAT_RAW_DIGEST.read_bytes()


def test_sign_a_malformed_file_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for body in (
        b'{"a":1,"a":2}',
        b"[]",
        b'{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"},"certificateSignature":"x"}',
    ):
        code, out, err = sign(capsys, write(tmp_path, "m.json", body), "industry-sign")
        assert (code, err) == (1, "")
        assert b"malformed message" in out


def test_sign_with_a_key_not_matching_the_cert_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["message", "sign", str(ORDER), "--key", KEY["ucsp-sign"], "--cert", CERT["industry-sign"]]
    )
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert_one_line_error(err, "does not match the certificate")


def test_sign_with_unreadable_or_bad_key_files_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "none.key")
    code = main(["message", "sign", str(ORDER), "--key", missing, "--cert", CERT["ucsp-sign"]])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err, "cannot read", "none.key")
    garbage = write(tmp_path, "bad.crt", "not a certificate")
    code = main(["message", "sign", str(ORDER), "--key", KEY["ucsp-sign"], "--cert", garbage])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err, "bad.crt: not a PEM certificate")


# --- message verify -------------------------------------------------------------------------------


def verify(capsys: pytest.CaptureFixture[str], path: str | Path, stem: str, *extra: str) -> Any:
    return run(capsys, "message", "verify", str(path), "--cert", CERT[stem], *extra)


def test_verify_a_valid_signature(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, KAT_SIGNED, "industry-sign")
    assert (code, err) == (0, "")
    cert_id = Keyset.load(TEST_KEYS).industry_sign.cert_id
    assert out == f"{KAT_SIGNED}: valid signature by industry (appSignCertID {cert_id})\n"


def test_verify_in_raw_digest_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    profile = write(tmp_path, "p.toml", "[signature]\nmode = 'raw-digest'\n")
    assert verify(capsys, KAT_RAW_DIGEST, "industry-sign", "--profile", profile)[0] == 0
    code, out, _ = verify(capsys, KAT_RAW_DIGEST, "industry-sign")
    assert code == 1
    assert "bad signature: signature does not verify" in out


def test_verify_a_changed_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tampered = KAT_SIGNED.read_bytes().replace(b'"12800"', b'"12801"')
    code, out, err = verify(capsys, write(tmp_path, "m.json", tampered), "industry-sign")
    assert (code, err) == (1, "")
    assert out.endswith(": bad signature: signature does not verify\n")


def test_verify_a_signature_that_is_not_base64(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    message = load(KAT_SIGNED)
    message["certificateSignature"]["signature"] = "%%%"
    code, out, _ = verify(capsys, write(tmp_path, "m.json", message), "industry-sign")
    assert code == 1
    assert "bad signature: signature is not valid Base64" in out


def test_verify_with_another_certificate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = verify(capsys, KAT_SIGNED, "ucsp-sign")
    assert code == 1
    keyset = Keyset.load(TEST_KEYS)
    assert out == (
        f"{KAT_SIGNED}: certificate ID mismatch: appSignCertID is {keyset.industry_sign.cert_id}, "
        f"the certificate's serial is {keyset.ucsp_sign.cert_id}\n"
    )


def test_verify_reads_the_cert_id_of_the_signing_party(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The KAT request is the Industry Service's: --as ucsp looks for ucspSignCertID."""
    code, out, _ = verify(capsys, KAT_SIGNED, "industry-sign", "--as", "ucsp")
    assert code == 1
    assert "malformed message: certificateSignature.ucspSignCertID is missing" in out


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"a":1,"a":2}', "duplicate key"),
        (b'{"msgInfo":{"msgType":"NOPE"}}', "unknown msgInfo.msgType"),
        (b'{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"}}', "appSignCertID is missing"),
        (
            b'{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"},"certificateSignature":'
            b'{"appSignCertID":"CERT","signature":7}}',
            "signature is not a string",
        ),
    ],
)
def test_verify_a_malformed_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: bytes, reason: str
) -> None:
    cert_id = Keyset.load(TEST_KEYS).industry_sign.cert_id
    path = write(tmp_path, "m.json", body.replace(b"CERT", cert_id.encode()))
    code, out, err = verify(capsys, path, "industry-sign")
    assert (code, err) == (1, "")
    assert f"{path}: malformed message: " in out
    assert reason in out


def test_verify_explains_a_trailing_newline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "m.json", KAT_SIGNED.read_bytes() + b"\n")
    code, out, _ = verify(capsys, path, "industry-sign")
    assert code == 1
    assert "bad signature" in out
    assert "whitespace at the end of the file, which was not signed" in out


def test_verify_with_an_unreadable_certificate_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "message", "verify", str(KAT_SIGNED), "--cert", str(tmp_path / "none.crt")
    )
    assert (code, out) == (2, "")
    assert_one_line_error(err, "cannot read", "none.crt")


def test_sign_then_verify(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, signed, _ = sign(capsys, ORDER, "industry-sign")
    assert code == 0
    path = write(tmp_path, "m.json", signed)
    assert verify(capsys, path, "industry-sign")[0] == 0
    assert verify(capsys, path, "industry-enc")[0] == 1


# --- serve ----------------------------------------------------------------------------------


class Served:
    def __init__(self) -> None:
        self.options: list[ServeOptions] = []
        self.runs: list[tuple[Any, dict[str, Any]]] = []


def _fake_serve_socket(monkeypatch: pytest.MonkeyPatch, runs: list[Any]) -> None:
    """Record what `serve` would serve (app, bound address, profile) instead of serving."""
    from ucsp import serving

    def record(app: Any, sock: Any, profile: Any) -> None:
        host, port = sock.getsockname()[:2]
        runs.append((app, {"host": host, "port": port, "profile": profile}))

    monkeypatch.setattr(serving, "serve_socket", record)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    """Fake reference implementations and a fake serving, recording what they got."""
    record = Served()
    for side in ("ucsp", "industry"):
        module = types.ModuleType(f"ucsp.sim.{side}")

        def build_app(options: ServeOptions, side: str = side) -> str:
            record.options.append(options)
            return f"app:{side}"

        module.build_app = build_app  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, f"ucsp.sim.{side}", module)
    _fake_serve_socket(monkeypatch, record.runs)
    return record


def test_serve_ucsp(capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path) -> None:
    config = write(tmp_path, "registry.toml", "")
    code, out, err = run(
        capsys,
        "serve",
        "ucsp",
        "--keys",
        str(TEST_KEYS),
        "--port",
        "0",
        "--config",
        config,
        "--db",
        str(tmp_path / "u.db"),
        "--time-scale",
        "0.01",
        "--fault",
        "accepts-bad-signature",
        "--fault",
        "skips-amount-check",
    )
    assert (code, out) == (0, "")
    [(app, bound)] = served.runs
    assert (app, bound["host"], bound["profile"]) == ("app:ucsp", "127.0.0.1", default_profile())
    assert bound["port"] != 0  # port 0: the port actually bound is served and printed
    assert f"serving the reference ucsp at http://127.0.0.1:{bound['port']}" in err
    assert served.options == [
        ServeOptions(
            keys=TEST_KEYS,
            host="127.0.0.1",
            port=0,
            config=Path(config),
            db=tmp_path / "u.db",
            time_scale=0.01,
            faults=["accepts-bad-signature", "skips-amount-check"],
            ucsp_url=None,
            profile=default_profile(),
        )
    ]


def test_serve_industry_defaults(
    capsys: pytest.CaptureFixture[str], served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucsp import loopback

    asked: list[tuple[str, int]] = []
    bind = loopback.bind_socket

    def bind_any(host: str, port: int) -> Any:  # the default port may be busy on this machine
        asked.append((host, port))
        return bind(host, 0)

    monkeypatch.setattr(loopback, "bind_socket", bind_any)
    code, _, _ = run(
        capsys,
        "serve",
        "industry",
        "--keys",
        str(TEST_KEYS),
        "--ucsp-url",
        "http://127.0.0.1:8080/gateway",
    )
    assert code == 0
    (options,) = served.options
    assert options.ucsp_url == "http://127.0.0.1:8080/gateway"
    assert (options.host, options.port) == ("127.0.0.1", sandbox.INDUSTRY_PORT)
    assert (options.config, options.db, options.time_scale, options.faults) == (None, None, 1, [])
    assert asked == [("127.0.0.1", sandbox.INDUSTRY_PORT)]


def test_serve_takes_the_profile(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    profile = write(tmp_path, "p.toml", "[signature]\nmode = 'raw-digest'\n")
    keys = ["--keys", str(TEST_KEYS), "--port", "0"]
    assert run(capsys, "--profile", profile, "serve", "ucsp", *keys)[0] == 0
    assert run(capsys, "serve", "ucsp", *keys, "--profile", profile)[0] == 0
    assert [o.profile.signature_mode.value for o in served.options] == ["raw-digest"] * 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "not a port number"),
        (["--port", "-1"], "not a port number"),
        (["--time-scale", "0"], "must be a positive number"),
        (["--time-scale", "fast"], "is not a number"),
        (["--time-scale", "inf"], "must be a positive number"),
    ],
)
def test_serve_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], served: Served, argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "serve", "ucsp", "--keys", str(TEST_KEYS), *argv)
    assert code == 2
    assert message in err
    assert served.runs == []


def test_serve_industry_needs_an_http_url(
    capsys: pytest.CaptureFixture[str], served: Served
) -> None:
    code, _, err = run(
        capsys, "serve", "industry", "--keys", str(TEST_KEYS), "--ucsp-url", "ftp://x"
    )
    assert code == 2
    assert "is not an http(s) URL" in err


def test_serve_missing_paths_exit_2(
    capsys: pytest.CaptureFixture[str], served: Served, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "serve", "ucsp", "--keys", str(tmp_path / "none"))
    assert code == 2
    assert_one_line_error(err, "--keys", "is not a directory")
    code, _, err = run(
        capsys, "serve", "ucsp", "--keys", str(TEST_KEYS), "--config", str(tmp_path / "none.toml")
    )
    assert code == 2
    assert_one_line_error(err, "--config", "none.toml")
    assert served.runs == []


def test_serve_config_errors_exit_2(
    capsys: pytest.CaptureFixture[str], served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ucsp.errors import ConfigError

    def broken(options: ServeOptions) -> None:
        raise ConfigError("registry.toml: industry TRAVEL01 has no certificate")

    monkeypatch.setattr(sys.modules["ucsp.sim.ucsp"], "build_app", broken)
    code, _, err = run(capsys, "serve", "ucsp", "--keys", str(TEST_KEYS))
    assert code == 2
    assert_one_line_error(err, "registry.toml: industry TRAVEL01 has no certificate")
    assert served.runs == []


@pytest.mark.parametrize("side", ["ucsp", "industry"])
def test_serve_builds_the_real_reference_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, side: str
) -> None:
    runs: list[Any] = []
    _fake_serve_socket(monkeypatch, runs)
    extra = ["--ucsp-url", "http://127.0.0.1:8080/"] if side == "industry" else []
    code, _, err = run(capsys, "serve", side, "--keys", str(TEST_KEYS), "--port", "0", *extra)
    assert code == 0, err
    assert len(runs) == 1 and callable(runs[0][0])


def test_serve_an_unknown_fault_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_serve_socket(monkeypatch, [])
    code, _, err = run(
        capsys, "serve", "ucsp", "--keys", str(TEST_KEYS), "--port", "0", "--fault", "no-such"
    )
    assert code == 2
    assert_one_line_error(err, "unknown fault 'no-such'")


# --- as a process ---------------------------------------------------------------------------------


def cli_process(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucsp.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_process_exit_codes(tmp_path: Path) -> None:
    ok = cli_process("message", "verify", str(KAT_SIGNED), "--cert", CERT["industry-sign"])
    assert (ok.returncode, ok.stderr) == (0, "")
    bad = cli_process("message", "verify", str(KAT_SIGNED), "--cert", CERT["ucsp-sign"])
    assert bad.returncode == 1
    assert "certificate ID mismatch" in bad.stdout
    usage = cli_process("keys", "init", str(TEST_KEYS))
    assert usage.returncode == 2
    assert usage.stderr.startswith("ucsp-conformance: error: ")
    assert "Traceback" not in usage.stderr


def test_process_sign_output_is_byte_exact(tmp_path: Path) -> None:
    unsigned = KAT_DIR / "submit_payment_order.signed-bytes.json"
    result = subprocess.run(
        [sys.executable, "-m", "ucsp.cli", *sign_argv(unsigned, "industry-sign")],
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == KAT_SIGNED.read_bytes()


def test_version_names_the_program_and_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"ucsp-conformance {__version__}\n"


def test_steps_work_from_any_directory(tmp_path: Path) -> None:
    done = cli_process("steps", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("#") and len(done.stdout.splitlines()) > 50
