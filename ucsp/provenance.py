"""Which suite ran: its version, its git commit, and digests of what it judged by.

A certification body compares these with the published release: the SHA-256 of the feature
set, of the requirement registry, of the schemas and of the profile; and whether the evidence
was signed with the published test-only key (which anyone can sign with).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ucsp import suite_files
from ucsp.crypto import load_certificate
from ucsp.errors import ConfigError

__all__ = [
    "ROOT",
    "digest_files",
    "git_commit",
    "is_test_only_certificate",
    "suite_features",
    "suite_modules",
    "untracked_features",
]

ROOT = suite_files.ROOT
FEATURES = suite_files.FEATURES
SCHEMAS = suite_files.SCHEMAS
TEST_KEYS = suite_files.TEST_KEYS
GIT_TIMEOUT = 10.0


def _git(root: Path, *args: str) -> str | None:
    """A git command's output in ``root``, or None without git or outside a checkout."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(  # noqa: S603 - git with fixed arguments
            [git, "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_commit(root: Path = ROOT) -> dict[str, Any] | None:
    """``{"commit", "dirty", "modifiedFeatures"}`` of a checkout; None without git."""
    head = _git(root, "rev-parse", "HEAD")
    if head is None:
        return None
    status = _git(root, "status", "--porcelain", "--untracked-files=no") or ""
    modified = _git(root, "diff", "--name-only", "HEAD", "--", "features") or ""
    return {
        "commit": head.strip(),
        "dirty": bool(status.strip()),
        "modifiedFeatures": sorted(
            line for line in modified.splitlines() if line.endswith(".feature")
        ),
    }


def untracked_features(root: Path = ROOT, suffix: str = ".feature") -> set[Path]:
    """Files ending in ``suffix`` under ``features/`` that the checkout does not track (none
    without git)."""
    listed = _git(root, "ls-files", "--others", "--exclude-standard", "--", "features")
    if listed is None:
        return set()
    return {(root / line).resolve() for line in listed.splitlines() if line.endswith(suffix)}


def suite_features(root: Path = ROOT) -> list[Path]:
    """The suite's own feature files: ``features/**/*.feature`` tracked by the checkout."""
    return _tracked(root, ".feature")


def suite_modules(root: Path = ROOT) -> list[Path]:
    """The suite's own test modules: ``features/**/*.py`` tracked by the checkout."""
    return _tracked(root, ".py")


def _tracked(root: Path, suffix: str) -> list[Path]:
    extra = untracked_features(root, suffix)
    return sorted(
        p.resolve() for p in (root / "features").rglob(f"*{suffix}") if p.resolve() not in extra
    )


def digest_files(files: Iterable[Path], base: Path) -> str:
    """SHA-256 over the sorted relative paths and contents of ``files``."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda p: _relative(p, base)):
        digest.update(_relative(file, base).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).hexdigest().encode("ascii") + b"\n")
    return digest.hexdigest()


def schema_files(root: Path = SCHEMAS) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def is_test_only_certificate(cert: x509.Certificate, keys_dir: Path = TEST_KEYS) -> bool:
    """True when ``cert`` is one of the published test-only certificates."""
    fingerprint = cert.fingerprint(hashes.SHA256())
    for file in keys_dir.glob("*.crt"):
        try:
            if load_certificate(file).fingerprint(hashes.SHA256()) == fingerprint:
                return True
        except (OSError, ConfigError):
            continue
    return False
