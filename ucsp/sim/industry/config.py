"""Settings of the reference Industry Service, with defaults from ucsp.sandbox.

The TOML form (``--config FILE``) holds one ``[industry]`` table; every key is optional::

    [industry]
    industry_code = "TRAVEL01"
    mer_id = "777290058110048"
    acq_iin = "00010344"
    channel_codes = ["CHANNEL1"]
    base_url = "http://127.0.0.1:8081"
    ucsp_url = "http://127.0.0.1:8080/gateway"
    # timeout_seconds = 10.0   (real seconds; default: the profile's, scaled by --time-scale)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ucsp import sandbox
from ucsp.errors import ConfigError, read_config_text

DEFAULT_BASE_URL = f"http://127.0.0.1:{sandbox.INDUSTRY_PORT}"
DEFAULT_UCSP_URL = f"http://127.0.0.1:{sandbox.UCSP_PORT}/gateway"

_AN = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class IndustryConfig:
    """Who the IS is and where it and UCSP are.

    ``base_url`` is the IS's own public base URL: the notice URL is ``{base_url}/notify``,
    INDUSTRY_INDEX_URL ``{base_url}/index`` and front URLs ``{base_url}/front?...``. An
    empty ``base_url`` is learned from the first request the IS receives (port 0).
    """

    industry_code: str = sandbox.INDUSTRY_CODE
    mer_id: str = sandbox.MER_ID
    acq_iin: str = sandbox.ACQ_IIN
    channel_codes: tuple[str, ...] = (sandbox.CHANNEL_CODE,)
    base_url: str = DEFAULT_BASE_URL
    ucsp_url: str = DEFAULT_UCSP_URL
    timeout_seconds: float | None = None  # real seconds; None: profile's, time-scaled

    def __post_init__(self) -> None:
        _check_an("industry_code", self.industry_code, 8)
        _check_an("mer_id", self.mer_id, 15)
        _check_an("acq_iin", self.acq_iin, 8)
        if not self.channel_codes:
            raise ConfigError("industry.channel_codes must name at least one channel code")
        for code in self.channel_codes:
            _check_an("channel_codes", code, 8)
        if self.base_url:
            _check_url("base_url", self.base_url)
        _check_url("ucsp_url", self.ucsp_url)
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ConfigError("industry.timeout_seconds must be positive")


def _check_an(key: str, value: object, length: int) -> None:
    if not isinstance(value, str) or len(value) != length or not _AN.fullmatch(value):
        raise ConfigError(f"industry.{key} = {value!r}: expected {length} ASCII letters or digits")


def _check_url(key: str, value: object) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"industry.{key} = {value!r} is not an http(s) URL; write e.g. '{DEFAULT_BASE_URL}'"
        )


_STRING_KEYS = ("industry_code", "mer_id", "acq_iin", "base_url", "ucsp_url")
KNOWN_KEYS = (*_STRING_KEYS, "channel_codes", "timeout_seconds")


def config_from_mapping(data: Mapping[str, Any], origin: str = "<config>") -> IndustryConfig:
    """An IndustryConfig from the ``[industry]`` table (unknown keys are an error)."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KNOWN_KEYS:
            raise ConfigError(
                f"{origin}: unknown key industry.{key}; known keys: {', '.join(KNOWN_KEYS)}"
            )
        if key in _STRING_KEYS:
            if not isinstance(value, str):
                raise ConfigError(f"{origin}: industry.{key} must be a string, got {value!r}")
            values[key] = value.rstrip("/") if key == "base_url" else value
        elif key == "channel_codes":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{origin}: industry.channel_codes must be a list of strings")
            values[key] = tuple(value)
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{origin}: industry.timeout_seconds must be a number")
            values[key] = float(value)
    return IndustryConfig(**values)


def read_config_table(path: str | Path) -> dict[str, Any]:
    """The ``[industry]`` table of a settings file (other top-level tables are ignored)."""
    file = Path(path)
    try:
        data = tomllib.loads(read_config_text(file, "settings file (--config)"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from None
    table = data.get("industry", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [industry] must be a table")
    return table


def load_config(path: str | Path) -> IndustryConfig:
    return config_from_mapping(read_config_table(path), str(path))
