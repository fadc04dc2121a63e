"""What the reference UCSP knows about its peers: industries, merchants, channels, users.

Loaded from a TOML registry file (``serve ucsp --config FILE``) or built from the defaults of
:mod:`ucsp.sandbox` and the key directory, so that ``serve ucsp --keys DIR`` alone
works. Relative certificate paths in a registry file are resolved against the key directory.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from ucsp import sandbox
from ucsp.crypto import cert_id, load_certificate
from ucsp.errors import ConfigError, read_config_text

DEFAULT_INDEX_URL = f"http://127.0.0.1:{sandbox.INDUSTRY_PORT}/index"
DEFAULT_NOTICE_URL = f"http://127.0.0.1:{sandbox.INDUSTRY_PORT}/notify"
DEFAULT_SIGN_CERT = "industry-sign.crt"
DEFAULT_ENC_CERT = "industry-enc.crt"

_AN = re.compile(r"[A-Za-z0-9]+")
_ANS = re.compile(r"[ -~]+")


@dataclass(frozen=True)
class Industry:
    code: str
    sign_certs: Mapping[str, x509.Certificate]  # cert ID -> certificate
    enc_cert: x509.Certificate
    index_url: str
    notice_url: str

    @property
    def enc_cert_id(self) -> str:
        return cert_id(self.enc_cert)


@dataclass(frozen=True)
class Merchant:
    mer_id: str
    acq_iin: str
    industry_code: str


@dataclass(frozen=True)
class SandboxUser:
    user_id: str
    mobile: str


@dataclass(frozen=True)
class Registry:
    industries: Mapping[str, Industry]
    merchants: Mapping[str, Merchant] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    users: tuple[SandboxUser, ...] = ()

    def merchant_of(self, industry_code: str, mer_id: str) -> Merchant | None:
        """The merchant ``mer_id`` when it is registered for ``industry_code``."""
        merchant = self.merchants.get(mer_id)
        return merchant if merchant and merchant.industry_code == industry_code else None


# --- defaults --------------------------------------------------------------------------


def default_registry(keys_dir: str | Path) -> Registry:
    """The registry of the embedded setup: one industry, one merchant, the sandbox users."""
    root = Path(keys_dir)
    sign = load_certificate(root / DEFAULT_SIGN_CERT)
    industry = Industry(
        code=sandbox.INDUSTRY_CODE,
        sign_certs={cert_id(sign): sign},
        enc_cert=load_certificate(root / DEFAULT_ENC_CERT),
        index_url=DEFAULT_INDEX_URL,
        notice_url=DEFAULT_NOTICE_URL,
    )
    merchants = [
        Merchant(mer_id, sandbox.ACQ_IIN, sandbox.INDUSTRY_CODE)
        for mer_id in (sandbox.MER_ID, sandbox.OTHER_MER_ID)
    ]
    return Registry(
        industries={industry.code: industry},
        merchants={merchant.mer_id: merchant for merchant in merchants},
        channels=(sandbox.CHANNEL_CODE,),
        users=tuple(SandboxUser(u, m) for u, m in sandbox.SANDBOX_USERS),
    )


# --- registry files ----------------------------------------------------------------------

_SECTIONS: dict[str, dict[str, str]] = {
    "industries": {
        "code": "the industry code, 8 letters or digits",
        "sign_certs": "a list of PEM certificate paths the industry signs with",
        "enc_cert": "the PEM path of the industry's encryption certificate",
        "index_url": "the industry's INDUSTRY_INDEX_URL, an http(s) URL",
        "notice_url": "the industry's registered notice URL, an http(s) URL",
    },
    "merchants": {
        "mer_id": "the merchant ID, 15 letters or digits",
        "acq_iin": "the acquirer IIN, 8 letters or digits",
        "industry_code": "the code of an industry defined in [[industries]]",
    },
    "channels": {"code": "the channel code, 8 letters or digits"},
    "users": {
        "user_id": "the Channel App user ID, 1-64 printable ASCII characters",
        "mobile": "the user's mobile number, 1-64 printable ASCII characters",
    },
}


class _Reader:
    """Typed access to one table of a registry file, with errors naming key and fix."""

    def __init__(self, origin: str, section: str, index: int, table: Any) -> None:
        self.where = f"{origin}: {section}[{index}]"
        self.section = section
        if not isinstance(table, dict):
            raise ConfigError(f"{self.where}: expected a table; write it as [[{section}]]")
        unknown = sorted(set(table) - set(_SECTIONS[section]))
        if unknown:
            known = ", ".join(_SECTIONS[section])
            raise ConfigError(f"{self.where}: unknown key {unknown[0]!r} (known keys: {known})")
        self.table: dict[str, Any] = table

    def _fix(self, key: str) -> str:
        return f"set {key} to {_SECTIONS[self.section][key]}"

    def text(self, key: str, pattern: re.Pattern[str], lengths: tuple[int, int]) -> str:
        if key not in self.table:
            raise ConfigError(f"{self.where}: missing key {key!r}; {self._fix(key)}")
        value = self.table[key]
        low, high = lengths
        if (
            not isinstance(value, str)
            or not pattern.fullmatch(value)
            or not low <= len(value) <= high
        ):
            raise ConfigError(f"{self.where}.{key}: {value!r} is not valid; {self._fix(key)}")
        return value

    def url(self, key: str) -> str:
        value = self.text(key, _ANS, (1, 512))
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"{self.where}.{key}: {value!r} is not valid; {self._fix(key)}")
        return value

    def cert(self, key: str, value: Any, keys_dir: Path) -> x509.Certificate:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self.where}.{key}: {value!r} is not valid; {self._fix(key)}")
        path = Path(value)
        if not path.is_absolute():
            path = keys_dir / path
        try:
            return load_certificate(path)
        except ConfigError as exc:
            raise ConfigError(f"{self.where}.{key}: {exc}; {self._fix(key)}") from None

    def certs(self, key: str, keys_dir: Path) -> dict[str, x509.Certificate]:
        value = self.table.get(key)
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{self.where}: {key} must be a non-empty list; {self._fix(key)}")
        certs = [self.cert(key, item, keys_dir) for item in value]
        return {cert_id(c): c for c in certs}


def _tables(data: dict[str, Any], origin: str, section: str) -> list[Any]:
    value = data.get(section, [])
    if not isinstance(value, list):
        raise ConfigError(f"{origin}: {section} must be an array of tables; write [[{section}]]")
    return value


def _industries(data: dict[str, Any], origin: str, keys_dir: Path) -> dict[str, Industry]:
    industries: dict[str, Industry] = {}
    for index, table in enumerate(_tables(data, origin, "industries")):
        read = _Reader(origin, "industries", index, table)
        code = read.text("code", _AN, (8, 8))
        if code in industries:
            raise ConfigError(f"{read.where}.code: industry {code} is defined twice; keep one")
        industries[code] = Industry(
            code=code,
            sign_certs=read.certs("sign_certs", keys_dir),
            enc_cert=read.cert("enc_cert", table.get("enc_cert"), keys_dir),
            index_url=read.url("index_url"),
            notice_url=read.url("notice_url"),
        )
    if not industries:
        raise ConfigError(f"{origin}: no industry defined; add an [[industries]] table")
    return industries


def _merchants(
    data: dict[str, Any], origin: str, industries: Mapping[str, Industry]
) -> dict[str, Merchant]:
    merchants: dict[str, Merchant] = {}
    for index, table in enumerate(_tables(data, origin, "merchants")):
        read = _Reader(origin, "merchants", index, table)
        mer_id = read.text("mer_id", _AN, (15, 15))
        industry_code = read.text("industry_code", _AN, (8, 8))
        if industry_code not in industries:
            raise ConfigError(
                f"{read.where}.industry_code: {industry_code!r} is not defined; "
                f"use one of {', '.join(industries)} or add it under [[industries]]"
            )
        if mer_id in merchants:
            raise ConfigError(f"{read.where}.mer_id: merchant {mer_id} is defined twice; keep one")
        merchants[mer_id] = Merchant(mer_id, read.text("acq_iin", _AN, (8, 8)), industry_code)
    return merchants


def parse_registry(text: str, keys_dir: str | Path, origin: str = "<registry>") -> Registry:
    """Build a Registry from TOML text; every problem raises ConfigError naming key and fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        known = ", ".join(f"[[{s}]]" for s in _SECTIONS)
        raise ConfigError(f"{origin}: unknown section {unknown[0]!r} (known sections: {known})")
    industries = _industries(data, origin, Path(keys_dir))
    channels = tuple(
        _Reader(origin, "channels", i, t).text("code", _AN, (8, 8))
        for i, t in enumerate(_tables(data, origin, "channels"))
    )
    users = []
    for index, table in enumerate(_tables(data, origin, "users")):
        read = _Reader(origin, "users", index, table)
        users.append(
            SandboxUser(read.text("user_id", _ANS, (1, 64)), read.text("mobile", _ANS, (1, 64)))
        )
    return Registry(
        industries=industries,
        merchants=_merchants(data, origin, industries),
        channels=channels,
        users=tuple(users),
    )


def load_registry(path: str | Path | None, keys_dir: str | Path) -> Registry:
    """The registry file at ``path``, or the defaults when ``path`` is None."""
    if path is None:
        return default_registry(keys_dir)
    file = Path(path)
    return parse_registry(read_config_text(file, "registry (--config)"), keys_dir, str(file))
