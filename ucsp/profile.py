"""The [profile] choices of the wire profile, loaded from a TOML file."""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from ucsp import suite_files
from ucsp.errors import ConfigError, read_config_text


class SignatureMode(StrEnum):
    SHA256_WITH_RSA = "sha256withrsa"
    RAW_DIGEST = "raw-digest"


class CatchUp(StrEnum):
    """How a schedule resumed after a restart uses the slots that passed meanwhile."""

    LATEST = "latest"  # one attempt at once, counted as the latest passed slot
    EACH = "each"  # every passed slot at once, one after the other


class EncryptionMode(StrEnum):
    PKCS1V15 = "pkcs1v15"
    OAEP_SHA256 = "oaep-sha256"


class RequestDataEncoding(StrEnum):
    PERCENT = "percent"
    BASE64URL = "base64url"


@dataclass(frozen=True)
class Profile:
    name: str = "default"
    version_no: str = "1.0.0"
    signature_mode: SignatureMode = SignatureMode.SHA256_WITH_RSA
    placeholder: str = "00000000"
    encryption_mode: EncryptionMode = EncryptionMode.PKCS1V15
    request_data_encoding: RequestDataEncoding = RequestDataEncoding.PERCENT
    utc_offset_hours: float = 8
    check_skew: bool = True
    skew_seconds: float = 300
    check_replay: bool = True
    replay_window_seconds: float = 86400
    max_body_bytes: int = 65536
    max_depth: int = 32
    schedule: tuple[float, ...] = (0, 1, 3, 7, 15, 31, 63)
    late_tolerance: float = 0.2
    early_tolerance: float = 0.2
    resume_catch_up: CatchUp = CatchUp.EACH
    timeout_seconds: float = 10.0
    # receivers' I/O bounds, in real seconds (the time scale does not shrink them)
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 20.0
    keep_alive_seconds: int = 5
    max_connections: int = 256
    max_head_bytes: int = 262144
    source_text: str = field(default="", repr=False, compare=False)

    @property
    def clock_tolerance(self) -> float:
        """How far apart (seconds) the suite's and the SUT's clocks may be: half the allowed
        skew. Preflight refuses a SUT whose clock is further off, and every stamp the suite
        makes about the skew window keeps this far from its edge, so that a SUT's clock
        within it never changes a verdict."""
        return self.skew_seconds / 2

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    @property
    def digest(self) -> str:
        """SHA-256 of the profile file's text, for evidence manifests."""
        return hashlib.sha256(self.source_text.encode()).hexdigest()


_KEYS: dict[tuple[str, ...], tuple[str, Any]] = {
    ("name",): ("name", str),
    ("version_no",): ("version_no", str),
    ("signature", "mode"): ("signature_mode", SignatureMode),
    ("signature", "placeholder"): ("placeholder", str),
    ("encryption", "mode"): ("encryption_mode", EncryptionMode),
    ("login", "request_data_encoding"): ("request_data_encoding", RequestDataEncoding),
    ("time", "utc_offset_hours"): ("utc_offset_hours", float),
    ("time", "check_skew"): ("check_skew", bool),
    ("time", "skew_seconds"): ("skew_seconds", float),
    ("replay", "check"): ("check_replay", bool),
    ("replay", "window_seconds"): ("replay_window_seconds", float),
    ("limits", "max_body_bytes"): ("max_body_bytes", int),
    ("limits", "max_depth"): ("max_depth", int),
    ("schedule", "offsets"): ("schedule", tuple),
    ("schedule", "late_tolerance"): ("late_tolerance", float),
    ("schedule", "early_tolerance"): ("early_tolerance", float),
    ("schedule", "resume_catch_up"): ("resume_catch_up", CatchUp),
    ("transport", "timeout_seconds"): ("timeout_seconds", float),
    ("server", "header_timeout_seconds"): ("header_timeout_seconds", float),
    ("server", "body_timeout_seconds"): ("body_timeout_seconds", float),
    ("server", "keep_alive_seconds"): ("keep_alive_seconds", int),
    ("server", "max_connections"): ("max_connections", int),
    ("server", "max_head_bytes"): ("max_head_bytes", int),
}


def _convert(dotted: str, value: Any, kind: Any) -> Any:
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            raise ConfigError(f"profile key {dotted}: {value!r} is not one of {allowed}") from None
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"profile key {dotted}: expected true or false, got {value!r}")
        return value
    if kind is tuple:
        if not isinstance(value, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"profile key {dotted}: expected a list of numbers")
        return tuple(float(v) for v in value)
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"profile key {dotted}: expected a number, got {value!r}")
        if kind is int and not isinstance(value, int):
            raise ConfigError(f"profile key {dotted}: expected a whole number, got {value!r}")
        return kind(value)
    if not isinstance(value, str):
        raise ConfigError(f"profile key {dotted}: expected a string, got {value!r}")
    return value


def _flatten(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        path = (*prefix, key)
        if isinstance(value, dict):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def parse_profile(text: str, origin: str = "<profile>") -> Profile:
    """Build a Profile from TOML text; unknown or ill-typed keys raise ConfigError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML ({exc})") from None
    values: dict[str, Any] = {}
    for path, value in _flatten(data).items():
        dotted = ".".join(path)
        if path not in _KEYS:
            known = ", ".join(".".join(k) for k in _KEYS)
            raise ConfigError(f"{origin}: unknown profile key {dotted} (known keys: {known})")
        attr, kind = _KEYS[path]
        values[attr] = _convert(dotted, value, kind)
    profile = Profile(**values, source_text=text)
    if len(profile.placeholder) == 0:
        raise ConfigError(f"{origin}: signature.placeholder must not be empty")
    for dotted, ok, wanted in _range_checks(profile):
        if not ok:
            raise ConfigError(f"{origin}: profile key {dotted}: expected {wanted}")
    return profile


def _range_checks(p: Profile) -> list[tuple[str, bool, str]]:
    """Values of the right type can still be unusable (NaN, a zone of 30 h, a zero limit)."""
    offsets = p.schedule

    def finite(*values: float) -> bool:
        return all(math.isfinite(v) for v in values)

    return [
        ("time.utc_offset_hours", finite(p.utc_offset_hours) and -24 < p.utc_offset_hours < 24,
         "an offset strictly between -24 and 24"),
        ("time.skew_seconds", finite(p.skew_seconds) and p.skew_seconds >= 0, "a number >= 0"),
        ("replay.window_seconds", finite(p.replay_window_seconds) and p.replay_window_seconds >= 0,
         "a number >= 0"),
        ("limits.max_body_bytes", p.max_body_bytes > 0, "a whole number > 0"),
        ("limits.max_depth", p.max_depth > 0, "a whole number > 0"),
        ("schedule.offsets", bool(offsets) and finite(*offsets) and offsets[0] >= 0
         and list(offsets) == sorted(offsets), "a non-empty, non-decreasing list of numbers >= 0"),
        ("schedule.late_tolerance", finite(p.late_tolerance) and p.late_tolerance >= 0,
         "a number >= 0"),
        ("schedule.early_tolerance", finite(p.early_tolerance) and 0 <= p.early_tolerance < 1,
         "a number >= 0 and < 1"),
        ("transport.timeout_seconds", finite(p.timeout_seconds) and p.timeout_seconds > 0,
         "a number > 0"),
        *((f"server.{name}", finite(value) and value > 0, "a number > 0") for name, value in (
            ("header_timeout_seconds", p.header_timeout_seconds),
            ("body_timeout_seconds", p.body_timeout_seconds))),
        ("server.keep_alive_seconds", p.keep_alive_seconds > 0, "a whole number > 0"),
        ("server.max_connections", p.max_connections > 0, "a whole number > 0"),
        ("server.max_head_bytes", p.max_head_bytes >= 1024, "a whole number >= 1024"),
    ]  # fmt: skip


def profiles_dir() -> Path:
    """The suite's ``fixtures/profiles/``: the checkout's, or the copy its wheel installs."""
    return suite_files.PROFILES


def load_profile(path: str | Path | None = None) -> Profile:
    """Load a profile file; without a path, the default profile."""
    if path is None:
        return default_profile()
    file = Path(path)
    return parse_profile(read_config_text(file, "profile"), str(file))


@cache
def default_profile() -> Profile:
    return load_profile(profiles_dir() / "default.toml")
