"""Signing any bytes, and deliberate corruptions of signed bodies.

They work on raw bytes, so they also apply to bodies that are not valid UTF-8 or JSON.
A :data:`Signer` signs bytes that hold the profile's placeholder as the signature value.
"""

from __future__ import annotations

import copy
import functools
import re
import secrets
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp.crypto import make_test_identity, sign_bytes
from ucsp.mutation.serialisation import compact
from ucsp.profile import Profile
from ucsp.strictjson import member_span

_SIGNATURE_MEMBER = re.compile(rb'"signature"\s*:\s*"([^"\\]*)"')

Signer = Callable[[bytes], bytes]

# The ways of SEC-02 in which :func:`corrupt_signature` breaks a signature.
SIGNATURE_CORRUPTIONS = ("content-changed", "foreign-key", "not-base64", "unknown-cert-id")


def sign_raw(raw: bytes, key: rsa.RSAPrivateKey, profile: Profile) -> bytes:
    """Sign bytes that hold the placeholder as the signature value: the signed-bytes rule
    applied to any serialisation, even one that is not valid UTF-8 or JSON."""
    matches = list(_SIGNATURE_MEMBER.finditer(raw))
    if not matches or matches[-1].group(1) != profile.placeholder.encode():
        raise ValueError("the body holds no signature placeholder to sign over")
    start, end = matches[-1].span(1)
    signature = sign_bytes(key, raw, profile.signature_mode)
    return raw[:start] + signature.encode("ascii") + raw[end:]


def signer(key: rsa.RSAPrivateKey, profile: Profile) -> Signer:
    """A :data:`Signer` with ``key`` under the profile's signature mode."""
    return lambda raw: sign_raw(raw, key, profile)


def sign_message(message: Mapping[str, Any], sign: Signer, placeholder: str) -> bytes:
    """Signed compact bytes; a message whose signature is not the placeholder (a broken
    signature field) or that has no certificateSignature is returned compact, unsigned."""
    fields = message.get("certificateSignature")
    if not isinstance(fields, dict) or fields.get("signature") != placeholder:
        return compact(message)
    return sign(compact(message))


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


def change_msg_id(raw: bytes) -> bytes:
    """The signed content changed after signing: the last digit of msgID altered."""
    text = raw.decode("utf-8")
    span = member_span(text, ("msgInfo", "msgID"))
    if span is None:
        raise ValueError("the body has no msgInfo.msgID")
    last = span[1] - 2  # the last character inside the quotes
    digit = text[last]
    changed = str((int(digit) + 1) % 10) if digit.isdigit() else "0"
    return (text[:last] + changed + text[last + 1 :]).encode("utf-8")


def with_cert_fields(
    message: Mapping[str, Any], cert_fields: Mapping[str, Any], placeholder: str
) -> dict[str, Any]:
    """The message with certificateSignature set to ``cert_fields`` and the placeholder."""
    body = {k: copy.deepcopy(v) for k, v in message.items() if k != "certificateSignature"}
    body["certificateSignature"] = {**cert_fields, "signature": placeholder}
    return body


@cache
@functools.cache
def stranger_key() -> rsa.RSAPrivateKey:
    """A key no party knows (TEST ONLY), to sign with 'another key': made once per process
    (a 2048-bit key takes tens of milliseconds), never written anywhere."""
    key, _ = make_test_identity("ucsp-conformance stranger")
    return key


def random_cert_id() -> str:
    """A 31-digit decimal certificate ID that names no certificate of the test PKI."""
    return f"9{secrets.randbelow(10**30):030d}"


def corrupt_signature(
    message: Mapping[str, Any],
    corruption: str,
    key: rsa.RSAPrivateKey,
    profile: Profile,
    cert_field: str,
    unknown_cert_id: str,
) -> bytes:
    """``message`` (holding the placeholder) signed with ``key``, then broken as
    ``corruption`` (one of :data:`SIGNATURE_CORRUPTIONS`): its content changed after signing,
    signed with a key no party knows, a signature that is not Base64, or signed under
    ``unknown_cert_id`` as its ``cert_field``."""
    placeholder = profile.placeholder
    if corruption == "content-changed":
        return change_msg_id(sign_message(message, signer(key, profile), placeholder))
    if corruption == "foreign-key":
        return sign_message(message, signer(stranger_key(), profile), placeholder)
    if corruption == "not-base64":
        signed = sign_message(message, signer(key, profile), placeholder)
        start, end = signature_span(signed)
        return replace_signature(signed, "*" + signed[start + 1 : end].decode("ascii"))
    if corruption == "unknown-cert-id":
        unknown = with_cert_fields(message, {cert_field: unknown_cert_id}, placeholder)
        return sign_message(unknown, signer(key, profile), placeholder)
    raise KeyError(f"unknown signature corruption {corruption!r}")
