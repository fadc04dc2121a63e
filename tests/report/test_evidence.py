"""Evidence packs: written, verified offline, and every kind of tampering named."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from ucsp.cli import main
from ucsp.crypto import Identity, make_test_identity
from ucsp.keys import Keyset
from ucsp.report.evidence import MANIFEST, SIGNATURE, SIGNER, verify_pack, write_pack

ROOT = Path(__file__).resolve().parents[2]
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
SIGNER_CERT = TEST_KEYS / "ucsp-sign.crt"
FOREIGN_CERT = TEST_KEYS / "industry-sign.crt"
RUN_FILES = {
    "results.json": b'[{"nodeid": "a", "verdict": "failure"}]\n',
    "junit.xml": b'<?xml version="1.0"?><testsuites failures="1"/>\n',
    "report.html": "<!DOCTYPE html><p>Bericht \u00fcber den Lauf</p>\n".encode(),
    "allure-results/1-result.json": b'{"status": "failed"}',
    "allure-results/2-attachment.json": b'{"direction": "suite to SUT"}',
}
EXTRA = {"runId": "20260115T103000Z-abcdef", "profileSha256": "00" * 32, "roles": ["ucsp"]}


@pytest.fixture(scope="module")
def signer() -> Identity:
    return Keyset.load(TEST_KEYS).ucsp_sign.identity("the suite's test-only key")


@pytest.fixture
def pack(tmp_path: Path, signer: Identity) -> Path:
    root = tmp_path / "run"
    for name, data in RUN_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return write_pack(root, root / "evidence.zip", signer, EXTRA)


def rewrite(
    pack: Path,
    change: Callable[[str, bytes], bytes | None] = lambda _name, data: data,
    add: dict[str, bytes] | None = None,
) -> Path:
    """A copy of ``pack`` with members changed (None drops one) or added; valid zip CRCs."""
    out = pack.with_name("tampered.zip")
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out


def flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def test_written_pack_verifies(pack: Path) -> None:
    check = verify_pack(pack)
    assert check.ok, check.problems
    assert check.problems == []
    assert check.files == len(RUN_FILES)
    assert set(check.manifest["files"]) == set(RUN_FILES)  # not the pack itself
    assert check.manifest["runId"] == EXTRA["runId"]
    assert check.manifest["roles"] == ["ucsp"]
    assert check.manifest["suite"] == "ucsp-conformance"
    with zipfile.ZipFile(pack) as archive:
        assert set(archive.namelist()) == set(RUN_FILES) | {MANIFEST, SIGNATURE, SIGNER}
        for name, data in RUN_FILES.items():
            assert archive.read(name) == data


def test_pack_verifies_with_the_signer_certificate_given(pack: Path) -> None:
    assert verify_pack(pack, Keyset.load(TEST_KEYS).ucsp_sign.cert).ok


@pytest.mark.parametrize("name", sorted(RUN_FILES))
def test_one_altered_byte_names_exactly_that_file(pack: Path, name: str) -> None:
    tampered = rewrite(pack, lambda n, data: flip_one_byte(data) if n == name else data)
    check = verify_pack(tampered)
    assert not check.ok
    assert check.problems == [f"{name} is altered (SHA-256 differs from the manifest)"]


def test_a_byte_altered_inside_the_zip_itself_is_named_not_raised(pack: Path) -> None:
    """Editing the archive's bytes breaks the member's deflate stream or CRC."""
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo("results.json")
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x01
    broken = pack.with_name("broken.zip")
    broken.write_bytes(bytes(data))
    check = verify_pack(broken)
    assert len(check.problems) == 1, check.problems
    assert check.problems[0].startswith("results.json is altered")


def test_deleted_file_is_named(pack: Path) -> None:
    tampered = rewrite(pack, lambda n, data: None if n == "junit.xml" else data)
    assert verify_pack(tampered).problems == ["junit.xml is missing"]


def test_added_file_is_named(pack: Path) -> None:
    tampered = rewrite(pack, add={"allure-results/3-result.json": b"{}"})
    assert verify_pack(tampered).problems == [
        "allure-results/3-result.json was added after signing"
    ]


def test_tampered_manifest_fails_its_signature(pack: Path) -> None:
    """Altering a file and writing its new hash into the manifest: the signature catches it."""
    altered = flip_one_byte(RUN_FILES["results.json"])

    def change(name: str, data: bytes) -> bytes:
        if name == "results.json":
            return altered
        if name == MANIFEST:
            manifest = json.loads(data)
            manifest["files"]["results.json"] = hashlib.sha256(altered).hexdigest()
            return json.dumps(manifest, indent=1, sort_keys=True).encode()
        return data

    check = verify_pack(rewrite(pack, change))
    assert check.problems == [f"{MANIFEST} is altered or not signed by the expected key"]
    assert check.manifest == {}  # nothing of an unsigned manifest is reported as fact


def test_one_byte_of_the_manifest_or_signature_fails(pack: Path) -> None:
    for member in (MANIFEST, SIGNATURE):

        def change(name: str, data: bytes, member: str = member) -> bytes:
            return flip_one_byte(data) if name == member else data

        tampered = rewrite(pack, change)
        assert verify_pack(tampered).problems == [
            f"{MANIFEST} is altered or not signed by the expected key"
        ], member


def test_foreign_certificate_fails(pack: Path) -> None:
    foreign = Keyset.load(TEST_KEYS).industry_sign.cert
    check = verify_pack(pack, foreign)
    assert check.problems == [f"{MANIFEST} is altered or not signed by the expected key"]


def test_pack_resigned_by_someone_else_passes_alone_but_not_with_the_trusted_cert(
    pack: Path,
) -> None:
    """The pack's own signer.crt only proves integrity; --cert proves who signed it."""
    key, cert = make_test_identity("someone else")
    altered = flip_one_byte(RUN_FILES["results.json"])
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    manifest["files"]["results.json"] = hashlib.sha256(altered).hexdigest()
    manifest_bytes = json.dumps(manifest).encode()
    signature = base64.b64encode(key.sign(manifest_bytes, padding.PKCS1v15(), hashes.SHA256()))
    replaced = {
        "results.json": altered,
        MANIFEST: manifest_bytes,
        SIGNATURE: signature,
        SIGNER: cert.public_bytes(serialization.Encoding.PEM),
    }
    forged = rewrite(pack, lambda n, data: replaced.get(n, data))
    assert verify_pack(forged).ok
    trusted = Keyset.load(TEST_KEYS).ucsp_sign.cert
    assert verify_pack(forged, trusted).problems == [
        f"{MANIFEST} is altered or not signed by the expected key"
    ]


@pytest.mark.parametrize("member", [MANIFEST, SIGNATURE, SIGNER])
def test_pack_without_its_manifest_signature_or_certificate(pack: Path, member: str) -> None:
    tampered = rewrite(pack, lambda n, data: None if n == member else data)
    assert verify_pack(tampered).problems == [f"the pack lacks {member}"]


def test_garbage_signer_certificate_is_a_problem_not_an_exception(pack: Path) -> None:
    tampered = rewrite(pack, lambda n, data: b"not a certificate" if n == SIGNER else data)
    problems = verify_pack(tampered).problems
    assert len(problems) == 1 and SIGNER in problems[0], problems


def test_not_a_zip_is_a_clear_problem(tmp_path: Path) -> None:
    fake = tmp_path / "evidence.zip"
    fake.write_text("this is not a zip file\n")
    check = verify_pack(fake)
    assert not check.ok
    assert check.problems == [check.problems[0]]
    assert str(fake) in check.problems[0]
    assert "is not a readable zip file" in check.problems[0]


# --- ucsp-conformance verify-evidence --------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify-evidence", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_intact_pack_exits_0(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, str(pack))
    assert (code, err) == (0, "")
    first, note = out.splitlines()
    assert first.startswith(
        f"evidence pack intact: {len(RUN_FILES)} files, run {EXTRA['runId']}, suite 0.1.0, "
        "signed by certificate "
    )
    assert "pass --cert" in note  # without --cert the signer is the pack's own word
    code, out, err = _cli(capsys, str(pack), "--cert", str(SIGNER_CERT))
    assert (code, err) == (0, "")
    assert out.startswith("evidence pack intact") and "pass --cert" not in out


def test_cli_altered_pack_exits_1_naming_the_file(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = rewrite(pack, lambda n, data: flip_one_byte(data) if n == "report.html" else data)
    code, out, err = _cli(capsys, str(tampered))
    assert (code, err) == (1, "")
    assert out == "ALTERED: report.html is altered (SHA-256 differs from the manifest)\n"


def test_cli_deleted_and_added_files_exit_1(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tampered = rewrite(
        pack, lambda n, data: None if n == "results.json" else data, add={"x.txt": b"x"}
    )
    code, out, _ = _cli(capsys, str(tampered))
    assert code == 1
    assert out.splitlines() == [
        "ALTERED: results.json is missing",
        "ALTERED: x.txt was added after signing",
    ]


def test_cli_foreign_cert_exits_1(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, str(pack), "--cert", str(FOREIGN_CERT))
    assert (code, err) == (1, "")
    assert out == f"ALTERED: {MANIFEST} is altered or not signed by the expected key\n"


def test_cli_not_a_zip_exits_1_with_a_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "evidence.zip"
    fake.write_bytes(b"PK\x03\x04 truncated")
    code, out, err = _cli(capsys, str(fake))
    assert (code, err) == (1, "")
    assert len(out.splitlines()) == 1
    assert "is not a readable zip file" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["{tmp}/missing.zip"], "missing.zip does not exist"),
        (["{pack}", "--cert", "{tmp}/missing.crt"], "missing.crt"),
        (["{pack}", "--cert", "{pack}"], "not a PEM certificate"),
        ([], "the following arguments are required: FILE"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(
    pack: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    args = [a.format(tmp=tmp_path, pack=pack) for a in argv]
    code, out, err = _cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert expected in err
    assert "Traceback" not in err
    if argv:  # argparse's own usage errors print the usage line first
        assert err.count("\n") == 1
        assert err.startswith("ucsp-conformance: error: ")
