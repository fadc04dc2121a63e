"""Evidence packs: written, verified offline, and every kind of tampering named."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
_COPIES = itertools.count(1)
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
    out = pack.with_name(f"tampered-{next(_COPIES)}.zip")
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


def _resigned(
    pack: Path, identity: tuple[Any, Any], extra_files: dict[str, bytes] | None = None
) -> Path:
    """``pack`` with results.json altered (or files added) and the manifest re-signed."""
    key, cert = identity
    altered = flip_one_byte(RUN_FILES["results.json"])
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    manifest["files"]["results.json"] = hashlib.sha256(altered).hexdigest()
    for name, data in (extra_files or {}).items():
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
    manifest_bytes = json.dumps(manifest).encode()
    signature = base64.b64encode(key.sign(manifest_bytes, padding.PKCS1v15(), hashes.SHA256()))
    replaced = {
        "results.json": altered,
        MANIFEST: manifest_bytes,
        SIGNATURE: signature,
        SIGNER: cert.public_bytes(serialization.Encoding.PEM),
    }
    return rewrite(pack, lambda n, data: replaced.get(n, data), add=extra_files)


def test_pack_resigned_by_someone_else_passes_alone_but_not_with_the_trusted_cert(
    pack: Path,
) -> None:
    """The pack's own signer.crt only proves integrity; --cert proves who signed it."""
    forged = _resigned(pack, make_test_identity("someone else"))
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


def test_cli_intact_pack_needs_cert_or_trust_pack_signer(
    pack: Path, signer: Identity, capsys: pytest.CaptureFixture[str]
) -> None:
    intact = (
        f"evidence pack intact: {len(RUN_FILES)} files, run {EXTRA['runId']}, suite 0.1.0, "
        f"signed by certificate {signer.cert_id}"
    )
    code, out, err = _cli(capsys, str(pack), "--cert", str(SIGNER_CERT))
    assert (code, err) == (0, "")
    assert out == intact + "\n"
    code, out, err = _cli(capsys, str(pack))
    assert (code, err) == (1, "")
    (refusal,) = out.splitlines()
    assert "intact" not in out  # a script looking for that word is not misled
    assert refusal.startswith(
        f"NOT TRUSTED: the files match the manifest ({len(RUN_FILES)} files, run "
        f"{EXTRA['runId']}, suite 0.1.0), but its signer (certificate {signer.cert_id}) "
        "is not trusted: "
    )
    assert "--cert" in refusal and "--trust-pack-signer" in refusal
    code, out, err = _cli(capsys, str(pack), "--trust-pack-signer")
    assert (code, err) == (0, "")
    first, note = out.splitlines()
    assert first == intact
    assert f"signer {signer.cert_id} was taken from the pack itself" in note


def test_cli_pack_resigned_by_anyone_is_not_trusted_without_cert(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = _resigned(pack, make_test_identity("someone else"))
    code, out, _ = _cli(capsys, str(forged))
    assert code == 1
    assert out.startswith("NOT TRUSTED: the files match the manifest") and "intact" not in out
    code, out, _ = _cli(capsys, str(forged), "--cert", str(SIGNER_CERT))
    assert code == 1
    assert out == f"ALTERED: {MANIFEST} is altered or not signed by the expected key\n"


def test_cli_cert_and_trust_pack_signer_exclude_each_other(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, str(pack), "--cert", str(SIGNER_CERT), "--trust-pack-signer")
    assert (code, out) == (2, "")
    assert "not allowed with argument" in err and "Traceback" not in err


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


# --- entries that could unzip to something other than what was verified ----------------


def _entries(pack: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    """A copy of ``pack`` with raw entries appended (zipfile warns on a duplicate name)."""
    out = rewrite(pack)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(out, "a") as archive:
            for info, data in entries:
                archive.writestr(info, data)
    return out


def _first(pack: Path, name: str, data: bytes) -> Path:
    """``pack`` with an entry ``name`` holding ``data`` placed before every other entry."""
    out = pack.with_name(f"first-{next(_COPIES)}.zip")
    with zipfile.ZipFile(pack) as source, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(out, "w") as target:
            target.writestr(name, data)
            for info in source.infolist():
                target.writestr(info.filename, source.read(info))
    return out


def test_duplicate_entry_altered_copy_first_original_last_is_refused(
    pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """unzip extracts the first copy; a reader that keeps the last one sees the original."""
    altered = b'[{"nodeid": "a", "verdict": "pass"}]\n'
    tampered = _first(pack, "results.json", altered)
    with zipfile.ZipFile(tampered) as archive:
        names = archive.namelist()
        assert names.count("results.json") == 2
        assert archive.read("results.json") == RUN_FILES["results.json"]  # the last copy
        first = archive.infolist()[0]
        assert first.filename == "results.json" and archive.read(first) == altered
    check = verify_pack(tampered)
    assert check.problems == ["entry 'results.json' appears more than once"]
    assert check.manifest == {}
    code, out, _ = _cli(capsys, str(tampered), "--cert", str(SIGNER_CERT))
    assert (code, out) == (1, "ALTERED: entry 'results.json' appears more than once\n")


def test_duplicate_reserved_entry_and_case_only_duplicate_are_refused(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        signature = archive.read(SIGNATURE)
    doubled = _entries(pack, [(SIGNATURE, signature)])
    assert verify_pack(doubled).problems == [f"entry '{SIGNATURE}' appears more than once"]
    cased = _entries(pack, [("Results.JSON", b"{}")])
    assert verify_pack(cased).problems == [
        "entry 'Results.JSON' appears more than once (as 'results.json')"
    ]


def test_directory_entry_carrying_data_is_refused(pack: Path) -> None:
    by_name = _entries(pack, [("allure-results/", b"hidden bytes")])
    assert verify_pack(by_name).problems == ["directory entry 'allure-results/' carries data"]
    info = zipfile.ZipInfo("notes")
    info.external_attr = (stat.S_IFDIR | 0o755) << 16
    by_mode = _entries(pack, [(info, b"more hidden bytes")])
    assert verify_pack(by_mode).problems == ["directory entry 'notes' carries data"]
    dos = zipfile.ZipInfo("results.json")  # a listed file marked as an MS-DOS directory
    dos.external_attr = 0x10
    marked = rewrite(pack, lambda n, data: None if n == "results.json" else data)
    marked = _entries(marked, [(dos, RUN_FILES["results.json"])])
    assert verify_pack(marked).problems == ["directory entry 'results.json' carries data"]


def test_empty_directory_entries_pass_only_as_parents_of_listed_files(pack: Path) -> None:
    parent = _entries(pack, [("allure-results/", b"")])
    assert verify_pack(parent).ok, verify_pack(parent).problems
    stray = _entries(pack, [("extra/", b"")])
    assert verify_pack(stray).problems == ["directory entry extra/ was added after signing"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.txt", "holds a '..', '.' or empty path component"),
        ("allure-results/../../evil.txt", "holds a '..', '.' or empty path component"),
        ("./results.json", "holds a '..', '.' or empty path component"),
        ("allure-results//1-result.json", "holds a '..', '.' or empty path component"),
        ("/etc/cron.d/evil", "is an absolute path"),
        ("C:/Windows/evil.txt", "is an absolute path"),
        (
            "allure-results\\1-result.json",
            "holds a backslash (a path separator to some unzip tools)",
        ),
        ("..\\evil.txt", "holds a backslash (a path separator to some unzip tools)"),
    ],
)
def test_path_tricks_are_refused(
    pack: Path, name: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # as stored in the archive, unnormalised
    tampered = _entries(pack, [(info, b"payload")])
    with zipfile.ZipFile(tampered) as archive:
        assert name in archive.namelist()
    assert verify_pack(tampered).problems == [f"entry {name!r} {why}"]
    code, out, _ = _cli(capsys, str(tampered), "--cert", str(SIGNER_CERT))
    assert (code, out) == (1, f"ALTERED: entry {name!r} {why}\n")


def test_a_signed_manifest_listing_a_path_trick_is_refused(pack: Path, signer: Identity) -> None:
    """Even signed by the trusted key, a manifest may not name a file outside the pack."""
    forged = _resigned(pack, (signer.key, signer.cert))
    with zipfile.ZipFile(forged) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    manifest["files"]["../evil.txt"] = "00" * 32
    manifest_bytes = json.dumps(manifest).encode()
    signature = base64.b64encode(
        signer.key.sign(manifest_bytes, padding.PKCS1v15(), hashes.SHA256())
    )
    replaced = {MANIFEST: manifest_bytes, SIGNATURE: signature}
    listed = rewrite(forged, lambda n, data: replaced.get(n, data))
    problems = verify_pack(listed, signer.cert).problems
    assert problems == [
        "the manifest lists '../evil.txt', which holds a '..', '.' or empty path component"
    ]


def test_entry_outside_the_manifest_is_refused_by_the_cli(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = rewrite(pack, add={"allure-results/9-attachment.json": b"{}"})
    code, out, _ = _cli(capsys, str(tampered), "--trust-pack-signer")
    assert (code, out) == (1, "ALTERED: allure-results/9-attachment.json was added after signing\n")


# --- one way to read the pack: no bytes before, between or after the entries ------------


def _foreign_zip(altered: bytes) -> bytes:
    """A zip of its own holding an altered results.json (what a streaming extractor, which
    reads local headers from the start of the file, would extract)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as foreign:
        foreign.writestr("results.json", altered)
    return buffer.getvalue()


def test_a_zip_prepended_to_the_pack_is_refused(
    pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    altered = b'[{"nodeid": "a", "verdict": "pass"}]\n'
    tampered = pack.with_name("prepended.zip")
    tampered.write_bytes(_foreign_zip(altered) + pack.read_bytes())
    with zipfile.ZipFile(tampered) as archive:  # a zip reader still finds the signed files
        assert archive.read("results.json") == RUN_FILES["results.json"]
    first = tampered.read_bytes()
    assert first.startswith(b"PK\x03\x04") and altered in first[:200]
    check = verify_pack(tampered)
    assert len(check.problems) == 1, check.problems
    assert check.problems[0].startswith("the central directory ends at byte ")
    assert "bytes were added before or inside the pack" in check.problems[0]
    code, out, _ = _cli(capsys, str(tampered), "--cert", str(SIGNER_CERT))
    assert (code, out) == (1, f"ALTERED: {check.problems[0]}\n")


def test_junk_before_the_pack_is_refused(pack: Path) -> None:
    tampered = pack.with_name("junk-first.zip")
    tampered.write_bytes(b"#!/bin/sh\nexit 0\n" + pack.read_bytes())
    with zipfile.ZipFile(tampered) as archive:
        assert archive.testzip() is None  # the zip reader shrugs the prefix off
    assert verify_pack(tampered).problems == [
        "the pack does not start with a zip entry (other bytes come first)"
    ]


@pytest.mark.parametrize("tail", ["appended bytes", "a zip comment"])
def test_bytes_after_the_end_record_are_refused(pack: Path, tail: str) -> None:
    tampered = rewrite(pack)
    if tail == "a zip comment":
        with zipfile.ZipFile(tampered, "a") as archive:
            archive.comment = b"a comment no extractor shows"
    else:
        tampered.write_bytes(tampered.read_bytes() + b"trailing bytes")
    with zipfile.ZipFile(tampered) as archive:  # both pass a zip reader
        assert archive.read("results.json") == RUN_FILES["results.json"]
    assert verify_pack(tampered).problems == [
        "the pack does not end with its end-of-central-directory record "
        "(a comment or other bytes follow it)"
    ]


def _with_gap(pack: Path, after: str | None, gap: bytes) -> Path:
    """A copy of ``pack`` with ``gap`` written after the entry ``after`` (None: after the
    last), every offset in the central directory consistent with it."""
    out = pack.with_name(f"gap-{next(_COPIES)}.zip")
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(out, "w") as target:
        infos = source.infolist()
        for info in infos:
            target.writestr(info.filename, source.read(info))
            if info.filename == after or (after is None and info is infos[-1]):
                target.fp.write(gap)  # type: ignore[union-attr]
                target.start_dir = target.fp.tell()  # type: ignore[union-attr]
    return out


def test_a_gap_between_entries_or_before_the_central_directory_is_refused(pack: Path) -> None:
    gap = b"hidden bytes"
    between = _with_gap(pack, "junit.xml", gap)
    with zipfile.ZipFile(between) as archive:
        assert archive.testzip() is None  # a zip reader follows the offsets and is content
        report = archive.infolist()[3]
    assert report.filename == "report.html"
    assert verify_pack(between).problems == [
        f"entry 'report.html' starts at byte {report.header_offset}, not at byte "
        f"{report.header_offset - len(gap)} where the entries before it end"
    ]
    last = _with_gap(pack, None, b"PK\x03\x04 a header no one lists")
    assert verify_pack(last).problems[0].startswith("the entries end at byte ")


def test_a_local_header_that_disagrees_with_the_central_directory_is_refused(
    pack: Path,
) -> None:
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo("junit.xml")
    data[info.header_offset + 30] ^= ord("j") ^ ord("J")  # Junit.xml in the local header
    renamed = pack.with_name("renamed.zip")
    renamed.write_bytes(bytes(data))
    assert verify_pack(renamed).problems == [
        "entry 'junit.xml' has another name in its local header"
    ]
    data = bytearray(pack.read_bytes())
    data[info.header_offset + 18 : info.header_offset + 22] = struct.pack("<L", 1)
    resized = pack.with_name("resized.zip")
    resized.write_bytes(bytes(data))
    assert verify_pack(resized).problems == [
        "entry 'junit.xml' has other sizes or CRC in its local header"
    ]


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile writes each entry with a data descriptor to it."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self.buffer.write(data)

    def flush(self) -> None:
        pass


def test_entries_with_data_descriptors_verify_and_a_wrong_descriptor_is_refused(
    pack: Path,
) -> None:
    stream = _Unseekable()
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(stream, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED)
    streamed = pack.with_name("streamed.zip")
    streamed.write_bytes(stream.buffer.getvalue())
    with zipfile.ZipFile(streamed) as archive:
        assert all(i.flag_bits & 0x08 for i in archive.infolist())
        info = archive.getinfo("results.json")
    assert verify_pack(streamed).ok, verify_pack(streamed).problems
    data = bytearray(streamed.read_bytes())
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    descriptor = info.header_offset + 30 + name_len + extra_len + info.compress_size
    assert data[descriptor : descriptor + 4] == b"PK\x07\x08"
    data[descriptor + 4] ^= 0x01  # its CRC
    wrong = pack.with_name("wrong-descriptor.zip")
    wrong.write_bytes(bytes(data))
    assert verify_pack(wrong).problems == ["entry 'results.json' lacks a matching data descriptor"]


def test_a_zip64_pack_verifies_and_a_prefix_to_it_is_refused(
    pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ZIP64 end records (many entries) and ZIP64 sizes in local headers are read too."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)  # a ZIP64 end record for 8 entries
    big = pack.with_name("zip64.zip")
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(big, "w") as target:
        for info in source.infolist():
            with target.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as member:
                member.write(source.read(info))
    assert b"PK\x06\x06" in big.read_bytes()
    assert verify_pack(big).ok, verify_pack(big).problems
    prefixed = pack.with_name("zip64-prefixed.zip")
    prefixed.write_bytes(_foreign_zip(b"[]") + big.read_bytes())
    assert verify_pack(prefixed).problems == [
        "the pack's ZIP64 end record is not right before its locator"
    ]
