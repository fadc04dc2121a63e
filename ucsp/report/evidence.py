"""Evidence packs: every report file of a run, a manifest of hashes, and its signature.

``evidence.zip`` holds the run's files, ``manifest.json`` (SHA-256 of each file, suite
version, profile hash, the target with secrets removed), ``manifest.sig`` (Base64 signature
of the manifest's exact bytes, SHA256withRSA) and ``signer.crt`` (the certificate to verify
it with). :func:`verify_pack` checks a pack offline and names every altered, missing or
added file. It refuses, before reading any member, a pack whose entries could make an unzip
tool extract something other than what was verified: two entries of one name (a reader keeps
one copy, an unzip tool another), directory entries that carry data, and names that climb out
of the extraction directory (``..``, absolute paths, drive letters, backslashes). It also
refuses a pack that can be read in more than one way (:func:`layout_problems`): bytes before
the first entry (a zip reader finds the real entries, a streaming extractor the prepended
ones), between entries, after the end record (a comment included), or local headers that
disagree with the central directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ucsp import __version__
from ucsp.crypto import Identity, cert_id, load_certificate
from ucsp.errors import ConfigError

MANIFEST, SIGNATURE, SIGNER = "manifest.json", "manifest.sig", "signer.crt"
RESERVED = {MANIFEST, SIGNATURE, SIGNER}
_MSDOS_DIRECTORY = 0x10
# Zip records (APPNOTE 4.3): local header, central record, end records, data descriptor.
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_LOCAL_SIG, _CENTRAL_SIG, _DESCRIPTOR_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x07\x08"
_END_SIG, _END64_SIG, _LOCATOR64_SIG = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_ENCRYPTED, _DESCRIPTOR = 0x01, 0x08
_ZIP64_EXTRA, _FULL = 0x0001, 0xFFFFFFFF
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


def unsafe_name(name: str) -> str | None:
    """Why an entry name is not a plain relative path inside the pack, or None."""
    if not name or "\x00" in name:
        return "is empty or holds a NUL character"
    if "\\" in name:
        return "holds a backslash (a path separator to some unzip tools)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return "holds a '..', '.' or empty path component"
    return None


def is_directory(info: zipfile.ZipInfo) -> bool:
    """A directory entry by its name or by its Unix or MS-DOS attributes."""
    unix_mode = info.external_attr >> 16
    return (
        info.filename.endswith("/")
        or stat.S_ISDIR(unix_mode)
        or bool(info.external_attr & _MSDOS_DIRECTORY)
    )


def entry_problems(infos: list[zipfile.ZipInfo]) -> list[str]:
    """What in the zip's own list of entries makes the pack unsafe to verify or extract."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for info in infos:
        name = info.filename
        why = unsafe_name(name)
        if why is not None:
            problems.append(f"entry {name!r} {why}")
        key = name.rstrip("/").casefold()
        if key in seen:
            same = "" if seen[key] == name else f" (as {seen[key]!r})"
            problems.append(f"entry {name!r} appears more than once{same}")
        else:
            seen[key] = name
        if is_directory(info) and (info.file_size or info.compress_size):
            problems.append(f"directory entry {name!r} carries data")
    return problems


def _read(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    return handle.read(size)


def _central_directory(handle: BinaryIO, size: int) -> tuple[int, int, int] | str:
    """Offset, size and entry count of the central directory, read from the end record(s)
    that must close the file; or why they do not."""
    if size < _END.size:
        return "the pack is too short to hold a zip end record"
    sig, disk, cd_disk, on_disk, count, cd_size, cd_offset, comment = _END.unpack(
        _read(handle, size - _END.size, _END.size)
    )
    if sig != _END_SIG or comment:
        return (
            "the pack does not end with its end-of-central-directory record "
            "(a comment or other bytes follow it)"
        )
    if disk or cd_disk or on_disk != count:
        return "the pack's end record claims more than one disk"
    cd_end = size - _END.size
    locator_at = cd_end - _LOCATOR64.size
    if locator_at >= 0 and _read(handle, locator_at, 4) == _LOCATOR64_SIG:
        _, _, end64_at, _ = _LOCATOR64.unpack(_read(handle, locator_at, _LOCATOR64.size))
        record = _read(handle, end64_at, _END64.size)
        if end64_at + _END64.size != locator_at or len(record) != _END64.size:
            return "the pack's ZIP64 end record is not right before its locator"
        sig, _, _, _, disk, cd_disk, on_disk, count, cd_size, cd_offset = _END64.unpack(record)
        if sig != _END64_SIG or disk or cd_disk or on_disk != count:
            return "the pack's ZIP64 end record is unreadable or claims more than one disk"
        cd_end = end64_at
    if cd_offset + cd_size != cd_end:
        return (
            f"the central directory ends at byte {cd_offset + cd_size}, not at byte {cd_end} "
            "where the end record begins (bytes were added before or inside the pack)"
        )
    return cd_offset, cd_size, count


def _central_names(data: bytes) -> list[bytes] | str:
    """Each central record's raw entry name, in order; or why the records do not exactly
    fill the central directory."""
    names, at = [], 0
    while at < len(data):
        record = data[at : at + _CENTRAL.size]
        if len(record) != _CENTRAL.size or record[:4] != _CENTRAL_SIG:
            return f"the central directory holds other bytes at its byte {at}"
        fields = _CENTRAL.unpack(record)
        name_len, extra_len, comment_len = fields[10:13]
        names.append(data[at + _CENTRAL.size : at + _CENTRAL.size + name_len])
        at += _CENTRAL.size + name_len + extra_len + comment_len
    if at != len(data):
        return "the central directory's last record runs past its end"
    return names


def _zip64_sizes(extra: bytes, compressed: int, size: int) -> tuple[int, int]:
    """A local header's sizes, its ZIP64 extra field's where the header has 0xFFFFFFFF."""
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[at : at + 4])
        if tag == _ZIP64_EXTRA and length >= 16:
            size, compressed = struct.unpack("<QQ", extra[at + 4 : at + 20])
            break
        at += 4 + length
    return compressed, size


def _descriptor_length(raw: bytes, info: zipfile.ZipInfo) -> int | None:
    """Length of the data descriptor ``raw`` starts with (with its signature, 32- or 64-bit
    sizes) if it matches the central record exactly; else None."""
    expected = (info.CRC, info.compress_size, info.file_size)
    if raw[:4] != _DESCRIPTOR_SIG:
        return None
    if len(raw) >= 16 and struct.unpack("<3L", raw[4:16]) == expected:
        return 16
    if len(raw) >= 24 and struct.unpack("<L2Q", raw[4:24]) == expected:
        return 24
    return None


def _entry_problems(
    handle: BinaryIO, info: zipfile.ZipInfo, header: bytes, raw_name: bytes
) -> list[str]:
    """How an entry's local header disagrees with its central record."""
    name, at = info.filename, info.header_offset
    _, _, flags, method, _, _, crc, compressed, size, name_len, extra_len = _LOCAL.unpack(header)
    problems = []
    if _read(handle, at + _LOCAL.size, name_len) != raw_name:
        problems.append(f"entry {name!r} has another name in its local header")
    if flags != info.flag_bits or method != info.compress_type:
        problems.append(f"entry {name!r} has other flags or method in its local header")
    if flags & _ENCRYPTED or method not in _METHODS:
        problems.append(f"entry {name!r} is encrypted or neither stored nor deflated")
    if flags & _DESCRIPTOR:
        if method == zipfile.ZIP_STORED and info.compress_size:
            problems.append(f"entry {name!r} is stored with its length in a data descriptor")
        return problems
    if _FULL in (compressed, size):
        extra = _read(handle, at + _LOCAL.size + name_len, extra_len)
        compressed, size = _zip64_sizes(extra, compressed, size)
    if (crc, compressed, size) != (info.CRC, info.compress_size, info.file_size):
        problems.append(f"entry {name!r} has other sizes or CRC in its local header")
    return problems


def layout_problems(handle: BinaryIO, infos: list[zipfile.ZipInfo]) -> list[str]:
    """Why the zip in ``handle`` could be read in more than one way, or nothing.

    There must be exactly one reading: the file starts with the first entry's local header;
    the entries run back to back (each local header, name, extra field, data and data
    descriptor if its flag says so) up to the central directory; the central records fill
    it exactly and their count is the end record's; the end record (and ZIP64 records, if
    any) close the file, with no comment; every local header agrees with its central record.
    ``infos`` is the zip reader's own list of the central records, in their order.
    """
    size = handle.seek(0, 2)
    if _read(handle, 0, 4) != _LOCAL_SIG:
        return ["the pack does not start with a zip entry (other bytes come first)"]
    frame = _central_directory(handle, size)
    if isinstance(frame, str):
        return [frame]
    cd_offset, cd_size, count = frame
    names = _central_names(_read(handle, cd_offset, cd_size))
    if isinstance(names, str):
        return [names]
    if not count == len(names) == len(infos):
        return [f"the end record counts {count} entries, the central directory {len(names)}"]
    problems: list[str] = []
    position = 0
    for info, raw_name in sorted(zip(infos, names, strict=True), key=lambda e: e[0].header_offset):
        header = _read(handle, position, _LOCAL.size)
        if info.header_offset != position or header[:4] != _LOCAL_SIG or len(header) < _LOCAL.size:
            problems.append(
                f"entry {info.filename!r} starts at byte {info.header_offset}, not at byte "
                f"{position} where the entries before it end"
            )
            return problems
        problems.extend(_entry_problems(handle, info, header, raw_name))
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        position += _LOCAL.size + name_len + extra_len + info.compress_size
        if info.flag_bits & _DESCRIPTOR:
            length = _descriptor_length(_read(handle, position, 24), info)
            if length is None:
                problems.append(f"entry {info.filename!r} lacks a matching data descriptor")
                return problems
            position += length
    if position != cd_offset:
        problems.append(
            f"the entries end at byte {position}, the central directory starts at {cd_offset}"
        )
    return problems


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(root: Path, files: list[Path], extra: dict[str, Any]) -> bytes:
    entries = {f.relative_to(root).as_posix(): sha256_file(f) for f in sorted(files)}
    manifest = {
        "suite": "ucsp-conformance",
        "suiteVersion": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
        "files": entries,
    }
    return json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")


def write_pack(root: Path, pack: Path, signer: Identity, extra: dict[str, Any]) -> Path:
    """Zip every file under ``root`` (except the pack itself) with a signed manifest."""
    files = [p for p in root.rglob("*") if p.is_file() and p.resolve() != pack.resolve()]
    manifest = build_manifest(root, files, extra)
    signature = signer.key.sign(manifest, padding.PKCS1v15(), hashes.SHA256())
    with zipfile.ZipFile(pack, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(files):
            archive.write(file, file.relative_to(root).as_posix())
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, base64.b64encode(signature))
        archive.writestr(SIGNER, signer.cert.public_bytes(serialization.Encoding.PEM))
    return pack


@dataclass
class PackCheck:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    manifest: dict[str, Any] = field(default_factory=dict)
    signer_id: str = ""  # certificate ID (decimal serial) of the key that signed the manifest

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(pack: Path, trusted_cert: x509.Certificate | None = None) -> PackCheck:
    """Check a pack offline: manifest signature, then every file's hash."""
    check = PackCheck()
    try:
        archive = zipfile.ZipFile(pack)
    except (OSError, zipfile.BadZipFile, NotImplementedError) as exc:
        check.problems.append(f"{pack} is not a readable zip file ({exc})")
        return check
    with archive, pack.open("rb") as handle:
        infos = archive.infolist()
        check.problems.extend(layout_problems(handle, infos))
        if check.problems:
            return check
        check.problems.extend(entry_problems(infos))
        if check.problems:
            return check
        names = {i.filename for i in infos if not is_directory(i)}
        directories = {i.filename for i in infos if is_directory(i)}
        missing = RESERVED - names
        if missing:
            check.problems.append(f"the pack lacks {', '.join(sorted(missing))}")
            return check
        try:
            manifest_bytes = archive.read(MANIFEST)
            cert = trusted_cert or load_certificate(archive.read(SIGNER))
            check.signer_id = cert_id(cert)
        except (ConfigError, zipfile.BadZipFile, zlib.error) as exc:
            check.problems.append(f"{MANIFEST} or {SIGNER} is altered or unreadable ({exc})")
            return check
        public = cert.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        try:
            signature = base64.b64decode(archive.read(SIGNATURE), validate=True)
            public.verify(signature, manifest_bytes, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            check.problems.append(f"{MANIFEST} is altered or not signed by the expected key")
            return check
        check.manifest = json.loads(manifest_bytes)
        listed: dict[str, str] = check.manifest.get("files", {})
        for name in sorted(listed):
            why = unsafe_name(name)
            if why is not None:
                check.problems.append(f"the manifest lists {name!r}, which {why}")
        if check.problems:
            return check
        for name, expected in sorted(listed.items()):
            if name not in names:
                check.problems.append(f"{name} is missing")
                continue
            try:
                actual = hashlib.sha256(archive.read(name)).hexdigest()
            except (zipfile.BadZipFile, zlib.error) as exc:
                check.problems.append(f"{name} is altered (unreadable: {exc})")
                continue
            if actual != expected:
                check.problems.append(f"{name} is altered (SHA-256 differs from the manifest)")
        for name in sorted(names - RESERVED - set(listed)):
            check.problems.append(f"{name} was added after signing")
        parents = {
            "/".join(parts[:end]) + "/"
            for parts in (name.split("/") for name in listed)
            for end in range(1, len(parts))
        }
        for name in sorted(directories - parents):
            check.problems.append(f"directory entry {name} was added after signing")
        check.files = len(listed)
    return check
