"""Deliberate corruptions of signed bodies, for peers and probes that test a receiver.

They work on raw bytes, so they also apply to bodies that are not valid UTF-8 or JSON.
"""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp.crypto import sign_bytes
from ucsp.profile import Profile

_SIGNATURE_MEMBER = re.compile(rb'"signature"\s*:\s*"([^"\\]*)"')


def sign_raw(raw: bytes, key: rsa.RSAPrivateKey, profile: Profile) -> bytes:
    """Sign bytes that hold the placeholder as the signature value: the signed-bytes rule
    applied to any serialisation, even one that is not valid UTF-8 or JSON."""
    matches = list(_SIGNATURE_MEMBER.finditer(raw))
    if not matches or matches[-1].group(1) != profile.placeholder.encode():
        raise ValueError("the body holds no signature placeholder to sign over")
    start, end = matches[-1].span(1)
    signature = sign_bytes(key, raw, profile.signature_mode)
    return raw[:start] + signature.encode("ascii") + raw[end:]


def signature_span(raw: bytes) -> tuple[int, int]:
    """Byte span of the signature value (without quotes) in a signed body."""
    matches = list(_SIGNATURE_MEMBER.finditer(raw))
    if not matches:
        raise ValueError("the body holds no signature")
    return matches[-1].span(1)


def replace_signature(raw: bytes, value: str) -> bytes:
    start, end = signature_span(raw)
    return raw[:start] + value.encode("ascii") + raw[end:]


def flip_signature(raw: bytes) -> bytes:
    """Still standard Base64, but no longer the signature of these bytes."""
    start, _ = signature_span(raw)
    first = raw[start : start + 1]
    return raw[:start] + (b"B" if first == b"A" else b"A") + raw[start + 1 :]
