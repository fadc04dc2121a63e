"""Key directories: the six files of `keys init`, loaded as certificates and optional keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp.crypto import Identity, cert_id, key_matches_cert, load_certificate, load_private_key
from ucsp.errors import ConfigError
from ucsp.messages import Party

STEMS = ("ucsp-sign", "industry-sign", "industry-enc")


@dataclass(frozen=True)
class KeyPair:
    """A certificate and, when this side holds it, its private key."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey | None = field(default=None, repr=False)

    @property
    def cert_id(self) -> str:
        return cert_id(self.cert)

    def identity(self, what: str) -> Identity:
        if self.key is None:
            raise ConfigError(f"the private key of {what} is needed here but was not given")
        return Identity(self.key, self.cert)


@dataclass(frozen=True)
class Keyset:
    ucsp_sign: KeyPair
    industry_sign: KeyPair
    industry_enc: KeyPair

    @classmethod
    def load(cls, directory: str | Path) -> Keyset:
        """Load ``<stem>.crt`` (required) and ``<stem>.key`` (when present) for each stem."""
        root = Path(directory)
        if not root.is_dir():
            raise ConfigError(
                f"key directory {root} does not exist; create one with "
                f"'ucsp-conformance keys init {root}'"
            )
        pairs: dict[str, KeyPair] = {}
        for stem in STEMS:
            cert_path, key_path = root / f"{stem}.crt", root / f"{stem}.key"
            if not cert_path.exists():
                raise ConfigError(
                    f"{cert_path} is missing; run 'ucsp-conformance keys init' "
                    "or copy the certificate there"
                )
            cert = load_certificate(cert_path)
            key = load_private_key(key_path) if key_path.exists() else None
            if key is not None and not key_matches_cert(key, cert):
                raise ConfigError(f"{key_path} does not match {cert_path}")
            pairs[stem.replace("-", "_")] = KeyPair(cert, key)
        return cls(**pairs)

    def signing(self, party: Party) -> KeyPair:
        """The signing pair of ``party``."""
        return self.ucsp_sign if party is Party.UCSP else self.industry_sign

    def certs_of(self, party: Party) -> dict[str, x509.Certificate]:
        """``party``'s signing certificate by its cert ID: what its peer verifies it with."""
        pair = self.signing(party)
        return {pair.cert_id: pair.cert}
