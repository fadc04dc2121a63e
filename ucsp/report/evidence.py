"""Evidence packs: every report file of a run, a manifest of hashes, and its signature.

``evidence.zip`` holds the run's files, ``manifest.json`` (SHA-256 of each file, suite
version, profile hash, the target with secrets removed), ``manifest.sig`` (Base64 signature
of the manifest's exact bytes, SHA256withRSA) and ``signer.crt`` (the certificate to verify
it with). :func:`verify_pack` checks a pack offline and names every altered, missing or
added file. It refuses, before reading any member, a pack whose entries could make an unzip
tool extract something other than what was verified: two entries of one name (a reader keeps
one copy, an unzip tool another), directory entries that carry data, and names that climb out
of the extraction directory (``..``, absolute paths, drive letters, backslashes).
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    except (OSError, zipfile.BadZipFile) as exc:
        check.problems.append(f"{pack} is not a readable zip file ({exc})")
        return check
    with archive:
        infos = archive.infolist()
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
