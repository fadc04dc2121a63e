"""Signatures, field encryption, certificates and the test PKI (PROTOCOL.md section 3).

The signed-bytes rule: the signer serialises the message with the signature set to the
placeholder, signs those exact bytes and sends them with the placeholder replaced by the
signature; the verifier takes the raw received bytes, puts the placeholder back in place of
the signature's string value, and verifies. Nothing is ever re-serialised.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.x509.oid import NameOID

from ucsp.errors import ConfigError, DecryptionFailed, MalformedMessage, SignatureInvalid
from ucsp.profile import EncryptionMode, SignatureMode
from ucsp.strictjson import member_span

SIGNATURE_PATH = ("certificateSignature", "signature")
_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


# --- keys and certificates -------------------------------------------------------------


def load_private_key(source: str | Path | bytes) -> rsa.RSAPrivateKey:
    """Load an unencrypted PEM RSA private key from a path or from PEM bytes.

    The same PEM bytes are parsed (and the key checked) once per process: the check of an RSA
    key costs tens of milliseconds, and every deployment of a run loads the same key files.
    """
    data, origin = _read(source)
    try:
        key = _parsed_private_key(data)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{origin}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(f"{origin}: the key is not an RSA key")
    return key


@lru_cache(maxsize=64)
def _parsed_private_key(data: bytes) -> PrivateKeyTypes:
    """The key in ``data`` (cryptography's keys are immutable: one object serves everyone)."""
    return serialization.load_pem_private_key(data, password=None)


def load_certificate(source: str | Path | bytes) -> x509.Certificate:
    """Load a PEM X.509 certificate with an RSA public key from a path or PEM bytes."""
    data, origin = _read(source)
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise ConfigError(f"{origin}: not a PEM certificate ({exc})") from None
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise ConfigError(f"{origin}: the certificate does not hold an RSA public key")
    return cert


def _read(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<PEM bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def cert_id(cert: x509.Certificate) -> str:
    """A certificate ID is the certificate's serial number written in decimal."""
    return str(cert.serial_number)


def key_matches_cert(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bool:
    public = cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    return key.public_key().public_numbers() == public.public_numbers()


# --- signatures ---------------------------------------------------------------------


def sign_bytes(key: rsa.RSAPrivateKey, data: bytes, mode: SignatureMode) -> str:
    """Sign ``data``; return the signature in standard Base64."""
    if mode is SignatureMode.RAW_DIGEST:
        digest = hashes.Hash(hashes.SHA256())
        digest.update(data)
        raw = key.sign(digest.finalize(), padding.PKCS1v15(), utils.NoDigestInfo())
    else:
        raw = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def verify_bytes(cert: x509.Certificate, data: bytes, signature: str, mode: SignatureMode) -> None:
    """Verify a Base64 signature over ``data``; raise SignatureInvalid when it does not hold."""
    raw = decode_base64(signature)
    if raw is None:
        raise SignatureInvalid("not-base64", "signature is not valid Base64")
    public = cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    try:
        if mode is SignatureMode.RAW_DIGEST:
            digest = hashes.Hash(hashes.SHA256())
            digest.update(data)
            # cryptography accepts NoDigestInfo here at run time; its stubs omit it.
            no_digest_info: Any = utils.NoDigestInfo()
            public.verify(raw, digest.finalize(), padding.PKCS1v15(), no_digest_info)
        else:
            public.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureInvalid("bad-signature", "signature does not verify") from None


def decode_base64(text: str) -> bytes | None:
    """Strict standard Base64 (padding required); None when the text is not Base64.

    Only the canonical encoding is accepted: the unused bits of the last character before
    padding must be zero, or several texts (e.g. a signature ending ``g==`` or ``h==``)
    would decode to the same bytes and a changed byte of a message would still verify.
    """
    data = text.encode("ascii", errors="replace")
    if not data or len(data) % 4 or not set(data) <= _B64_ALPHABET:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except binascii.Error:
        return None
    return raw if base64.b64encode(raw) == data else None


def serialise_with_placeholder(message: dict[str, Any], placeholder: str) -> str:
    """Compact JSON text of ``message`` with the signature set to the placeholder."""
    body = dict(message)
    body["certificateSignature"] = {
        **body.get("certificateSignature", {}),
        "signature": placeholder,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def sign_message(
    message: dict[str, Any],
    key: rsa.RSAPrivateKey,
    mode: SignatureMode,
    placeholder: str = "00000000",
) -> bytes:
    """Serialise, sign and return the bytes to transmit (the signed-bytes rule)."""
    text = serialise_with_placeholder(message, placeholder)
    signature = sign_bytes(key, text.encode("utf-8"), mode)
    # By construction the serialised body has certificateSignature.signature.
    parsed = {"certificateSignature": {"signature": placeholder}}
    return _replace_signature(text, signature, parsed).encode("utf-8")


_SIGNATURE_KEY = re.compile(r'"signature"\s*:\s*')


def signature_span(text: str, message: dict[str, Any] | None = None) -> tuple[int, int] | None:
    """Span of certificateSignature.signature's value in a strictly parsed JSON object text.

    Fast path, when ``message`` (the parsed text) has that member: a quote-delimited
    ``"signature"`` followed by a colon can only be a key (a string value never precedes a
    colon, and quotes inside strings are escaped), so when the text holds exactly one such key
    it is that member's. Otherwise the members are walked.
    """
    fields = message.get("certificateSignature") if message is not None else None
    keys = list(_SIGNATURE_KEY.finditer(text)) if isinstance(fields, dict) else []
    if len(keys) == 1 and isinstance(fields, dict) and "signature" in fields:
        start = keys[0].end()
        if text.startswith('"', start):
            _, end = json.decoder.scanstring(text, start + 1)  # type: ignore[attr-defined]
            return start, end
    return member_span(text, SIGNATURE_PATH)


def _replace_signature(text: str, value: str, message: dict[str, Any]) -> str:
    span = signature_span(text, message)
    if span is None:
        raise MalformedMessage("certificateSignature.signature is missing")
    start, end = span
    return text[:start] + json.dumps(value) + text[end:]


def signed_bytes(
    text: str, placeholder: str = "00000000", message: dict[str, Any] | None = None
) -> tuple[bytes, str]:
    """From the received text of a message, the bytes that were signed and the signature.

    ``text`` must already have passed strict parsing.
    """
    span = signature_span(text, message)
    if span is None:
        raise MalformedMessage("certificateSignature.signature is missing")
    start, end = span
    signature = json.loads(text[start:end])
    if not isinstance(signature, str):
        raise MalformedMessage("certificateSignature.signature is not a string")
    written = json.dumps(placeholder, ensure_ascii=False)  # as serialise_with_placeholder does
    return (text[:start] + written + text[end:]).encode("utf-8"), signature


# --- field encryption ---------------------------------------------------------------


def _padding(mode: EncryptionMode) -> padding.AsymmetricPadding:
    if mode is EncryptionMode.OAEP_SHA256:
        return padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
    return padding.PKCS1v15()


def encrypt_field(cert: x509.Certificate, plaintext: str, mode: EncryptionMode) -> str:
    """Encrypt a field value to ``cert``'s public key; Base64 of the ciphertext."""
    public = cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    return base64.b64encode(public.encrypt(plaintext.encode("utf-8"), _padding(mode))).decode()


def decrypt_field(key: rsa.RSAPrivateKey, ciphertext: str, mode: EncryptionMode) -> str:
    """Decrypt a Base64 field value. The plaintext must be printable ASCII.

    OpenSSL 3.2+ answers a PKCS#1 v1.5 ciphertext made for another key with random bytes
    (implicit rejection) instead of an error, so the plaintext itself is checked.
    """
    raw = decode_base64(ciphertext)
    if raw is None:
        raise DecryptionFailed("encrypted field is not valid Base64")
    if len(raw) != key.key_size // 8:
        raise DecryptionFailed("ciphertext length does not match the decryption key")
    try:
        plain = key.decrypt(raw, _padding(mode))
    except ValueError:
        raise DecryptionFailed("encrypted field does not decrypt with this key") from None
    if not plain or not all(0x20 <= b <= 0x7E for b in plain):
        raise DecryptionFailed("decrypted value is not printable ASCII (wrong key?)")
    return plain.decode("ascii")


# --- test PKI ----------------------------------------------------------------------------

TEST_KEYSET_FILES = (
    "ucsp-sign.key",
    "ucsp-sign.crt",
    "industry-sign.key",
    "industry-sign.crt",
    "industry-enc.key",
    "industry-enc.crt",
)


def make_test_identity(
    common_name: str, serial: int | None = None, key_size: int = 2048
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A TEST-ONLY RSA key and self-signed certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    return key, self_signed_certificate(key, common_name, serial)


def self_signed_certificate(
    key: CertificateIssuerPrivateKeyTypes, common_name: str, serial: int | None = None
) -> x509.Certificate:
    """A TEST-ONLY certificate of ``key``'s public key, signed by ``key`` itself."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ucsp-conformance TEST ONLY"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def write_pem(
    key: rsa.RSAPrivateKey, cert: x509.Certificate, key_path: Path, cert_path: Path
) -> None:
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def init_test_keyset(directory: Path) -> list[Path]:
    """Write the TEST-ONLY keyset of `keys init`; refuses to overwrite existing files."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = [directory / f for f in TEST_KEYSET_FILES if (directory / f).exists()]
    if existing:
        raise ConfigError(f"{existing[0]} already exists; choose an empty directory")
    written: list[Path] = []
    for stem in ("ucsp-sign", "industry-sign", "industry-enc"):
        key, cert = make_test_identity(f"TEST ONLY {stem}")
        key_path, cert_path = directory / f"{stem}.key", directory / f"{stem}.crt"
        write_pem(key, cert, key_path, cert_path)
        written += [key_path, cert_path]
    return written


@dataclass(frozen=True)
class Identity:
    """One signing (or encryption) key with its certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_id(self) -> str:
        return cert_id(self.cert)

    @classmethod
    def load(cls, key_path: str | Path, cert_path: str | Path) -> Identity:
        key, cert = load_private_key(key_path), load_certificate(cert_path)
        if not key_matches_cert(key, cert):
            raise ConfigError(f"{key_path} does not match the certificate {cert_path}")
        return cls(key, cert)
