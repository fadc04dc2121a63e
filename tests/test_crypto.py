"""Signatures, the signed-bytes rule, field encryption and certificates (PROTOCOL.md section 3)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ucsp.codec import Codec
from ucsp.crypto import (
    TEST_KEYSET_FILES,
    Identity,
    cert_id,
    decode_base64,
    decrypt_field,
    encrypt_field,
    init_test_keyset,
    key_matches_cert,
    load_certificate,
    load_private_key,
    make_test_identity,
    self_signed_certificate,
    serialise_with_placeholder,
    sign_bytes,
    sign_message,
    signed_bytes,
    verify_bytes,
)
from ucsp.errors import ConfigError, DecryptionFailed, MalformedMessage, SignatureInvalid
from ucsp.keys import Keyset
from ucsp.profile import EncryptionMode, SignatureMode
from ucsp.strictjson import member_span

KAT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "kat"
TEST_KEYS = Path(__file__).resolve().parent.parent / "fixtures" / "keys" / "test-only"

MODES = list(SignatureMode)
ENC_MODES = list(EncryptionMode)
BIT_MASKS = tuple(1 << bit for bit in range(8))
MAX_TAMPER_BYTES = 4096  # the tamper loops are bounded by the size of the message


def kat_bytes(kat: dict[str, Any], mode: SignatureMode | None = None) -> bytes:
    name: str = (
        kat["signed_bytes_file"] if mode is None else kat["signed_message_files"][mode.value]
    )
    return (KAT_DIR / name).read_bytes()


def codec_for(codec: Codec, mode: SignatureMode) -> Codec:
    return dataclasses.replace(
        codec, profile=dataclasses.replace(codec.profile, signature_mode=mode)
    )


def sign_text(text: str, identity: Identity, mode: SignatureMode) -> bytes:
    """Sign exactly ``text`` (which holds the placeholder) and put the signature in place."""
    signature = sign_bytes(identity.key, text.encode(), mode)
    start, end = member_span(text, ("certificateSignature", "signature")) or (0, 0)
    assert text[start:end] == '"00000000"'
    return (text[:start] + json.dumps(signature) + text[end:]).encode()


# --- known answers ------------------------------------------------------------------------


def test_kat_signed_bytes_are_the_compact_serialisation(kat: dict[str, Any]) -> None:
    data = kat_bytes(kat)
    assert hashlib.sha256(data).hexdigest() == kat["signed_bytes_sha256"]
    message = json.loads(data)
    assert message["certificateSignature"]["signature"] == "00000000"
    assert serialise_with_placeholder(message, "00000000").encode() == data


@pytest.mark.parametrize("mode", MODES)
def test_kat_signature(kat: dict[str, Any], keyset: Keyset, mode: SignatureMode) -> None:
    identity = keyset.industry_sign.identity("industry-sign")
    assert identity.cert_id == kat["signing_cert_id"]
    data = kat_bytes(kat)
    assert sign_bytes(identity.key, data, mode) == kat["signatures"][mode.value]
    verify_bytes(identity.cert, data, kat["signatures"][mode.value], mode)


@pytest.mark.parametrize("mode", MODES)
def test_kat_signed_message(kat: dict[str, Any], keyset: Keyset, mode: SignatureMode) -> None:
    signed = kat_bytes(kat, mode)
    message = json.loads(kat_bytes(kat))
    assert sign_message(message, keyset.industry_sign.identity("x").key, mode) == signed
    data, signature = signed_bytes(signed.decode())
    assert (data, signature) == (kat_bytes(kat), kat["signatures"][mode.value])


@pytest.mark.parametrize("mode", MODES)
def test_kat_decodes_through_the_codec(
    kat: dict[str, Any], ucsp_codec: Codec, mode: SignatureMode
) -> None:
    decoded = codec_for(ucsp_codec, mode).decode(kat_bytes(kat, mode), "request")
    assert decoded.msg_type == "SUBMIT_PAYMENT_ORDER"
    assert decoded.trx_info["orderId"] == "KAT2026011500000001"


def test_a_signature_of_one_mode_fails_in_the_other(kat: dict[str, Any], keyset: Keyset) -> None:
    data, cert = kat_bytes(kat), keyset.industry_sign.cert
    for made, checked in ((MODES[0], MODES[1]), (MODES[1], MODES[0])):
        with pytest.raises(SignatureInvalid) as caught:
            verify_bytes(cert, data, kat["signatures"][made.value], checked)
        assert caught.value.kind == "bad-signature"


def test_a_signature_by_another_key_fails(kat: dict[str, Any], keyset: Keyset) -> None:
    forged = sign_bytes(keyset.ucsp_sign.identity("x").key, kat_bytes(kat), MODES[0])
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_bytes(keyset.industry_sign.cert, kat_bytes(kat), forged, MODES[0])


# --- tampering ------------------------------------------------------------------------------


def flipped(raw: bytes, position: int, mask: int) -> bytes:
    return raw[:position] + bytes([raw[position] ^ mask]) + raw[position + 1 :]


@pytest.mark.parametrize("mode", MODES)
def test_changing_any_single_byte_breaks_the_message(
    kat: dict[str, Any], ucsp_codec: Codec, mode: SignatureMode
) -> None:
    """Every byte position, each of its 8 bits flipped, and a seeded random mask."""
    codec = codec_for(ucsp_codec, mode)
    raw = kat_bytes(kat, mode)
    codec.decode(raw, "request")  # the untouched message is valid
    assert len(raw) <= MAX_TAMPER_BYTES
    rng = random.Random(20260115)
    survivors = []
    for position in range(len(raw)):
        for mask in (*BIT_MASKS, rng.randrange(1, 256)):
            try:
                codec.decode(flipped(raw, position, mask), "request")
            except (MalformedMessage, SignatureInvalid):
                continue
            survivors.append((position, mask, chr(raw[position])))
    assert survivors == []


def test_a_changed_signature_character_fails_as_malformed_or_bad_signature(
    kat: dict[str, Any], ucsp_codec: Codec
) -> None:
    raw = kat_bytes(kat, MODES[0])
    text = raw.decode()
    start, end = member_span(text, ("certificateSignature", "signature")) or (0, 0)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    rng = random.Random(7)
    for position in range(start + 1, end - 1):  # inside the quotes
        replacement = rng.choice([c for c in alphabet if c != raw[position]])
        tampered = raw[:position] + bytes([replacement]) + raw[position + 1 :]
        with pytest.raises((MalformedMessage, SignatureInvalid)) as caught:
            ucsp_codec.decode(tampered, "request")
        if isinstance(caught.value, SignatureInvalid):
            assert caught.value.kind in ("bad-signature", "not-base64")


@pytest.mark.parametrize("mode", MODES)
def test_any_changed_byte_of_the_raw_signature_fails(
    kat: dict[str, Any], keyset: Keyset, mode: SignatureMode
) -> None:
    raw_signature = base64.b64decode(kat["signatures"][mode.value])
    assert len(raw_signature) == 256
    rng = random.Random(11)
    for position in range(len(raw_signature)):
        bad = base64.b64encode(flipped(raw_signature, position, rng.randrange(1, 256))).decode()
        with pytest.raises(SignatureInvalid) as caught:
            verify_bytes(keyset.industry_sign.cert, kat_bytes(kat), bad, mode)
        assert caught.value.kind == "bad-signature"


def test_a_changed_member_name_fails(kat: dict[str, Any], ucsp_codec: Codec) -> None:
    raw = kat_bytes(kat, MODES[0])
    for name in (b'"signature"', b'"appSignCertID"', b'"certificateSignature"', b'"orderId"'):
        position = raw.index(name) + 2
        with pytest.raises((MalformedMessage, SignatureInvalid)):
            ucsp_codec.decode(flipped(raw, position, 0x20), "request")  # change of case


def test_truncated_or_extended_messages_fail(kat: dict[str, Any], ucsp_codec: Codec) -> None:
    raw = kat_bytes(kat, MODES[0])
    for bad in (raw[:-1], raw[1:], raw + b"}", b" " + raw, raw + b"\n"):
        with pytest.raises((MalformedMessage, SignatureInvalid)):
            ucsp_codec.decode(bad, "request")


# --- raw bytes: what was signed is what is verified ---------------------------------------


VARIANTS = [
    "indented",
    "spaced",
    "tabs-crlf",
    "key-order",
    "sorted",
    "escaped-slashes",
    "escaped-letters",
    "padded",
]


def variants(message: dict[str, Any]) -> dict[str, str]:
    """The same content written in other ways, each with the placeholder in place."""
    reordered = {
        "certificateSignature": message["certificateSignature"],
        "trxInfo": dict(reversed(list(message["trxInfo"].items()))),
        "msgInfo": message["msgInfo"],
    }
    compact = json.dumps(message, separators=(",", ":"))
    return {
        "indented": json.dumps(message, indent=2) + "\n",
        "spaced": json.dumps(message),
        "tabs-crlf": json.dumps(message, indent="\t").replace("\n", "\r\n"),
        "key-order": json.dumps(reordered, separators=(",", ":")),
        "sorted": json.dumps(message, sort_keys=True),
        "escaped-slashes": compact.replace("/", "\\/"),
        "escaped-letters": compact.replace('"TRAVEL01"', '"\\u0054RAVEL01"'),
        "padded": " \r\n\t" + compact + " \n",
    }


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_other_whitespace_and_key_order_verify_because_raw_bytes_are_signed(
    kat: dict[str, Any], keyset: Keyset, ucsp_codec: Codec, mode: SignatureMode, variant: str
) -> None:
    message = json.loads(kat_bytes(kat))
    text = variants(message)[variant]
    assert text.encode() != kat_bytes(kat)
    signed = sign_text(text, keyset.industry_sign.identity("x"), mode)
    decoded = codec_for(ucsp_codec, mode).decode(signed, "request")
    assert decoded.raw == signed
    assert decoded.trx_info == message["trxInfo"]


def reserialisations(signed: bytes) -> dict[str, bytes]:
    message = json.loads(signed)
    return {
        "spaced": json.dumps(message).encode(),
        "indented": json.dumps(message, indent=2).encode(),
        "sorted": json.dumps(message, sort_keys=True, separators=(",", ":")).encode(),
        "ascii-escaped": json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode(),
        "trailing-newline": json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        + b"\n",
    }


@pytest.mark.parametrize(
    "how", ["spaced", "indented", "sorted", "ascii-escaped", "trailing-newline"]
)
def test_reserialising_a_signed_message_breaks_it(
    industry_codec: Codec, ucsp_codec: Codec, order_request: dict[str, Any], how: str
) -> None:
    order_request["trxInfo"]["memo"] = "银联 ☃"  # an unknown field, ignored by receivers
    signed = industry_codec.sign(order_request)
    ucsp_codec.decode(signed, "request")
    again = reserialisations(signed)[how]
    assert again != signed
    assert json.loads(again) == json.loads(signed)  # same content, other bytes
    with pytest.raises(SignatureInvalid) as caught:
        ucsp_codec.decode(again, "request")
    assert caught.value.kind == "bad-signature"


def test_the_placeholder_elsewhere_in_the_message_does_not_matter(
    industry_codec: Codec, ucsp_codec: Codec, order_request: dict[str, Any]
) -> None:
    order_request["trxInfo"]["orderDesc"] = "00000000"
    order_request["trxInfo"]["note"] = {"signature": "00000000"}
    order_request["signature"] = "00000000"
    signed = industry_codec.sign(order_request)
    assert ucsp_codec.decode(signed, "request").trx_info["orderDesc"] == "00000000"
    tampered = signed.replace(b'"orderDesc":"00000000"', b'"orderDesc":"00000001"')
    with pytest.raises(SignatureInvalid):
        ucsp_codec.decode(tampered, "request")


def test_signed_bytes_puts_the_placeholder_back_in_place_of_the_signature() -> None:
    text = '{"a" : "b", "certificateSignature" : { "signature" : "c2ln", "x":"y" } }'
    data, signature = signed_bytes(text)
    assert signature == "c2ln"
    assert data == b'{"a" : "b", "certificateSignature" : { "signature" : "00000000", "x":"y" } }'
    assert signed_bytes(text, placeholder="PH")[0].count(b'"PH"') == 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a":"b"}', "missing"),
        ('{"certificateSignature":{"appSignCertID":"1"}}', "missing"),
        ('{"certificateSignature":"sig"}', "missing"),
        ('{"certificateSignature":{"signature":12}}', "not a string"),
        ('{"certificateSignature":{"signature":null}}', "not a string"),
    ],
)
def test_signed_bytes_refuses_a_message_without_a_string_signature(text: str, reason: str) -> None:
    with pytest.raises(MalformedMessage, match=reason):
        signed_bytes(text)


def test_sign_message_adds_the_signature_and_keeps_other_fields(keyset: Keyset) -> None:
    identity = keyset.industry_sign.identity("x")
    signed = sign_message({"a": "b"}, identity.key, MODES[0], placeholder="PH")
    message = json.loads(signed)
    assert list(message) == ["a", "certificateSignature"]
    data, signature = signed_bytes(signed.decode(), placeholder="PH")
    assert data == b'{"a":"b","certificateSignature":{"signature":"PH"}}'
    verify_bytes(identity.cert, data, signature, MODES[0])


def test_a_non_ascii_placeholder_round_trips(keyset: Keyset) -> None:
    identity = keyset.industry_sign.identity("x")
    signed = sign_message({"a": "b"}, identity.key, MODES[0], placeholder="签名")
    data, signature = signed_bytes(signed.decode(), placeholder="签名")
    verify_bytes(identity.cert, data, signature, MODES[0])


# --- Base64 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c2ln", b"sig"),
        ("c2lnbg==", b"sign"),
        ("c2lnbmE=", b"signa"),
        ("", None),
        ("c2lnbg", None),  # padding missing
        ("c2lnbg=", None),
        ("c2ln\n", None),
        (" c2ln", None),
        ("c2l-", None),  # URL-safe alphabet
        ("c2_n", None),
        ("c2=n", None),  # padding inside
        ("c2lnbh==", None),  # non-canonical: unused bits set
        ("c2lnbmF=", None),
        ("é2ln", None),
    ],
)
def test_decode_base64_is_strict_and_canonical(text: str, expected: bytes | None) -> None:
    assert decode_base64(text) == expected


def test_a_non_canonical_signature_encoding_is_refused(kat: dict[str, Any], keyset: Keyset) -> None:
    """The last character before ``==`` carries 4 unused bits: setting them must not verify."""
    signature = kat["signatures"][MODES[0].value]
    assert signature.endswith("==")
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(signature[-3])
    for unused in range(1, 16):
        char = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[last | unused]
        if char == signature[-3]:
            continue
        with pytest.raises(SignatureInvalid) as caught:
            bad = signature[:-3] + char + "=="
            verify_bytes(keyset.industry_sign.cert, kat_bytes(kat), bad, MODES[0])
        assert caught.value.kind == "not-base64"


def test_a_signature_that_is_not_base64_is_refused(kat: dict[str, Any], keyset: Keyset) -> None:
    with pytest.raises(SignatureInvalid) as caught:
        verify_bytes(keyset.industry_sign.cert, kat_bytes(kat), "not base64!", MODES[0])
    assert caught.value.kind == "not-base64"


def test_a_signature_of_the_wrong_length_is_refused(kat: dict[str, Any], keyset: Keyset) -> None:
    short = base64.b64encode(base64.b64decode(kat["signatures"][MODES[0].value])[:-1]).decode()
    with pytest.raises(SignatureInvalid) as caught:
        verify_bytes(keyset.industry_sign.cert, kat_bytes(kat), short, MODES[0])
    assert caught.value.kind == "bad-signature"


# --- field encryption -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ENC_MODES)
@pytest.mark.parametrize("plaintext", ["13800138000", "+852 9123 4567", "x", "~" * 64])
def test_encryption_round_trips(keyset: Keyset, mode: EncryptionMode, plaintext: str) -> None:
    ciphertext = encrypt_field(keyset.industry_enc.cert, plaintext, mode)
    assert decode_base64(ciphertext) is not None
    assert len(base64.b64decode(ciphertext)) == 256
    assert decrypt_field(keyset.industry_enc.identity("x").key, ciphertext, mode) == plaintext


@pytest.mark.parametrize("mode", ENC_MODES)
def test_encryption_is_randomised(keyset: Keyset, mode: EncryptionMode) -> None:
    cert = keyset.industry_enc.cert
    assert encrypt_field(cert, "13800138000", mode) != encrypt_field(cert, "13800138000", mode)


@pytest.mark.parametrize("mode", ENC_MODES)
def test_kat_ciphertexts_decrypt(kat: dict[str, Any], keyset: Keyset, mode: EncryptionMode) -> None:
    enc = kat["encryption"]
    assert keyset.industry_enc.cert_id == enc["cert_id"]
    key = keyset.industry_enc.identity("x").key
    assert decrypt_field(key, enc["ciphertexts"][mode.value], mode) == enc["plaintext"]


@pytest.mark.parametrize("mode", ENC_MODES)
def test_decryption_with_the_wrong_key_is_refused(
    kat: dict[str, Any], keyset: Keyset, mode: EncryptionMode
) -> None:
    """Deterministic: fixed ciphertexts. With PKCS#1 v1.5, OpenSSL's implicit rejection
    returns pseudo-random bytes instead of an error; the plaintext check refuses them."""
    wrong = keyset.industry_sign.identity("x").key
    with pytest.raises(DecryptionFailed):
        decrypt_field(wrong, kat["encryption"]["ciphertexts"][mode.value], mode)


def test_decryption_in_the_other_mode_is_refused(kat: dict[str, Any], keyset: Keyset) -> None:
    key = keyset.industry_enc.identity("x").key
    ciphertexts = kat["encryption"]["ciphertexts"]
    with pytest.raises(DecryptionFailed):
        decrypt_field(key, ciphertexts["pkcs1v15"], EncryptionMode.OAEP_SHA256)
    with pytest.raises(DecryptionFailed):
        decrypt_field(key, ciphertexts["oaep-sha256"], EncryptionMode.PKCS1V15)


def test_oaep_with_a_wrong_key_raises_rather_than_returning_garbage(keyset: Keyset) -> None:
    wrong = keyset.ucsp_sign.identity("x").key
    for _ in range(5):
        ciphertext = encrypt_field(keyset.industry_enc.cert, "13800138000", ENC_MODES[1])
        with pytest.raises(DecryptionFailed, match="does not decrypt"):
            decrypt_field(wrong, ciphertext, EncryptionMode.OAEP_SHA256)


def test_implicit_rejection_can_yield_printable_garbage(
    kat: dict[str, Any], keyset: Keyset
) -> None:
    """The limit of the plaintext check, kept visible: about 1 in 400 PKCS#1 v1.5
    ciphertexts for another key decrypt to short printable garbage instead of failing."""
    case = kat["encryption"]["implicit_rejection_case"]
    wrong = keyset.industry_sign.identity("x").key
    value = decrypt_field(wrong, case["ciphertext"], EncryptionMode.PKCS1V15)
    assert value == case["wrong_key_plaintext"] != kat["encryption"]["plaintext"]
    right = keyset.industry_enc.identity("x").key
    assert decrypt_field(right, case["ciphertext"], EncryptionMode.PKCS1V15) == "13800138000"


@pytest.mark.parametrize("mode", ENC_MODES)
@pytest.mark.parametrize("plaintext", ["", "abc\x01", "tab\there", "del\x7f", "银联"])
def test_a_plaintext_that_is_not_printable_ascii_is_refused(
    keyset: Keyset, mode: EncryptionMode, plaintext: str
) -> None:
    ciphertext = encrypt_field(keyset.industry_enc.cert, plaintext, mode)
    with pytest.raises(DecryptionFailed, match="not printable ASCII"):
        decrypt_field(keyset.industry_enc.identity("x").key, ciphertext, mode)


@pytest.mark.parametrize(
    ("ciphertext", "reason"),
    [
        ("not base64", "not valid Base64"),
        ("", "not valid Base64"),
        (base64.b64encode(b"\x01" * 255).decode(), "length"),
        (base64.b64encode(b"\x01" * 512).decode(), "length"),
    ],
)
def test_a_ciphertext_of_the_wrong_shape_is_refused(
    keyset: Keyset, ciphertext: str, reason: str
) -> None:
    with pytest.raises(DecryptionFailed, match=reason):
        decrypt_field(keyset.industry_enc.identity("x").key, ciphertext, ENC_MODES[0])


# --- keys and certificates --------------------------------------------------------------------


def test_cert_id_is_the_serial_in_decimal() -> None:
    _, cert = make_test_identity("TEST ONLY serial", serial=1234567890123456789012345)
    assert cert_id(cert) == "1234567890123456789012345"


def test_keyset_cert_ids_are_decimal_serials(keyset: Keyset) -> None:
    ids = set()
    for pair in (keyset.ucsp_sign, keyset.industry_sign, keyset.industry_enc):
        assert pair.cert_id == str(pair.cert.serial_number)
        assert pair.cert_id.isdigit() and 1 <= len(pair.cert_id) <= 128
        ids.add(pair.cert_id)
    assert len(ids) == 3


def test_test_identities_are_rsa_2048_self_signed_and_marked() -> None:
    key, cert = make_test_identity("TEST ONLY x")
    assert key.key_size == 2048
    assert cert.issuer == cert.subject
    assert "TEST ONLY" in cert.subject.rfc4514_string()
    assert key_matches_cert(key, cert)
    assert not key_matches_cert(make_test_identity("TEST ONLY y")[0], cert)


def test_keys_load_from_paths_and_bytes(keyset: Keyset) -> None:
    key = load_private_key(TEST_KEYS / "industry-sign.key")
    cert = load_certificate((TEST_KEYS / "industry-sign.crt").read_bytes())
    assert key_matches_cert(key, cert)
    assert cert_id(cert) == keyset.industry_sign.cert_id
    assert Identity.load(TEST_KEYS / "industry-sign.key", TEST_KEYS / "industry-sign.crt").cert_id


def test_a_key_that_does_not_match_its_certificate_is_refused() -> None:
    with pytest.raises(ConfigError, match="does not match"):
        Identity.load(TEST_KEYS / "industry-sign.key", TEST_KEYS / "ucsp-sign.crt")


def test_unusable_private_keys_are_config_errors(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    ec_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    rsa_key, _ = make_test_identity("TEST ONLY enc")
    encrypted = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(ConfigError, match="not an RSA key"):
        load_private_key(ec_key)
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_private_key(encrypted)
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_private_key(b"garbage")
    with pytest.raises(ConfigError, match=r"cannot read .*missing\.key"):
        load_private_key(tmp_path / "missing.key")


def test_unusable_certificates_are_config_errors(tmp_path: Path) -> None:
    ec_cert = self_signed_certificate(ec.generate_private_key(ec.SECP256R1()), "ec", serial=1)
    with pytest.raises(ConfigError, match="does not hold an RSA public key"):
        load_certificate(ec_cert.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(ConfigError, match="not a PEM certificate"):
        load_certificate(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_certificate(tmp_path / "missing.crt")


def test_init_test_keyset_writes_six_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "keys"
    written = init_test_keyset(target)
    assert sorted(p.name for p in written) == sorted(TEST_KEYSET_FILES)
    keys = [target / name for name in TEST_KEYSET_FILES if name.endswith(".key")]
    assert all(key.stat().st_mode & 0o077 == 0 for key in keys)
    loaded = Keyset.load(target)
    assert loaded.industry_enc.key is not None
    before = {name: (target / name).read_bytes() for name in TEST_KEYSET_FILES}
    with pytest.raises(ConfigError, match="already exists"):
        init_test_keyset(target)
    assert {name: (target / name).read_bytes() for name in TEST_KEYSET_FILES} == before


def test_init_test_keyset_refuses_when_any_one_file_exists(tmp_path: Path) -> None:
    (tmp_path / "industry-enc.crt").write_text("mine")
    with pytest.raises(ConfigError, match=r"industry-enc\.crt already exists"):
        init_test_keyset(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["industry-enc.crt"]


def test_the_same_key_file_is_parsed_once() -> None:
    path = TEST_KEYS / "industry-sign.key"
    first = load_private_key(path)
    assert load_private_key(path) is first
    assert load_private_key(path.read_bytes()) is first
    assert load_private_key(TEST_KEYS / "ucsp-sign.key") is not first


def test_a_bad_key_is_refused_each_time() -> None:
    for _ in range(2):
        with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
            load_private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
