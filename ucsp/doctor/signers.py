"""Whose certificate signed what a SUT sent, and whether a field was encrypted to the
right certificate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ucsp.crypto import decrypt_field, signed_bytes, verify_bytes
from ucsp.doctor.check import Check, graded
from ucsp.envelope import CERT_ID_FIELD, ENC_CERT_ID_FIELD
from ucsp.errors import RequirementViolation, UcspError
from ucsp.keys import KeyPair
from ucsp.messages import Party
from ucsp.strictjson import decode_text, parse_text
from ucsp.target import Target


def signer_cert(
    what: str, raw: bytes, signer: Party, expected: KeyPair, target: Target
) -> tuple[Check, dict[str, Any] | None]:
    """Which certificate signed the SUT's answer.

    Signed with the certificate of the target but named otherwise (hex, leading zeros, no
    ID) or badly signed under the right name: the SUT's (SEC-01). Signed with another key
    and named another ID: the target holds the wrong certificate, a problem.
    """
    name = f"{what} certificate ID"
    try:
        text = decode_text(raw, max_bytes=target.profile.max_body_bytes)
        message = parse_text(text, max_depth=target.profile.max_depth)
    except UcspError as exc:
        return graded(name, RequirementViolation("FMT-06", f"the answer is not JSON: {exc}")), None
    fields = message.get("certificateSignature")
    named = fields.get(CERT_ID_FIELD[signer]) if isinstance(fields, dict) else None
    try:
        data, signature = signed_bytes(text, target.profile.placeholder, message)
        verify_bytes(expected.cert, data, signature, target.profile.signature_mode)
        verifies = True
    except UcspError:
        verifies = False
    field = CERT_ID_FIELD[signer]
    if named == expected.cert_id and verifies:
        return Check(name, True, f"SUT signs with {named}"), message
    if verifies:
        return graded(
            name,
            RequirementViolation(
                "SEC-01",
                f"the SUT signs with the target's certificate but names it {field} {named!r}; "
                f"PROTOCOL.md section 2 writes the serial in decimal: {expected.cert_id}",
            ),
        ), message
    if named == expected.cert_id:
        return graded(
            name,
            RequirementViolation(
                "SEC-01",
                f"{field} {named} names the target's certificate, but the signature does not "
                f"verify with it ({target.profile.signature_mode})",
            ),
        ), message
    return Check(
        name,
        False,
        f"SUT signs with {named!r}, the target's certificate is {expected.cert_id}",
        "copy the SUT's current signing certificate into suite.keys",
    ), message


def encryption_check(target: Target, message: Mapping[str, Any]) -> Check:
    """The login's mobile is encrypted to the suite's industry-enc certificate."""
    name = "UCSP encrypts to industry-enc.crt"
    enc = target.keys.industry_enc
    fields = message.get("certificateSignature")
    named = fields.get(ENC_CERT_ID_FIELD) if isinstance(fields, dict) else None
    trx = message.get("trxInfo")
    value = trx.get("mobile") if isinstance(trx, dict) else None
    decrypts = False
    if enc.key is not None and isinstance(value, str):
        try:
            decrypts = decrypt_field(enc.key, value, target.profile.encryption_mode) == (
                target.ucsp.mobile
            )
        except UcspError:
            decrypts = False
    if named == enc.cert_id and decrypts:
        return Check(name, True, f"{ENC_CERT_ID_FIELD} {named}")
    if named == enc.cert_id or decrypts:
        return graded(
            name,
            RequirementViolation(
                "SEC-08",
                f"{ENC_CERT_ID_FIELD} {named!r} and the mobile do not agree with the suite's "
                f"encryption certificate (ID {enc.cert_id})",
            ),
        )
    return Check(
        name,
        False,
        f"the UCSP encrypts to {ENC_CERT_ID_FIELD} {named!r}, the suite's industry-enc.crt "
        f"is {enc.cert_id}",
        "register the suite's industry-enc.crt at the UCSP for industry "
        f"{target.industry.code}, or put the matching industry-enc.key/.crt in suite.keys",
    )
