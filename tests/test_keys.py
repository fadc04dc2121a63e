"""Key directories (ucsp.keys) and the committed TEST-ONLY keyset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ucsp.crypto import TEST_KEYSET_FILES, key_matches_cert
from ucsp.errors import ConfigError
from ucsp.keys import STEMS, KeyPair, Keyset

TEST_KEYS = Path(__file__).resolve().parent.parent / "fixtures" / "keys" / "test-only"


def copy_keys(tmp_path: Path, *names: str) -> Path:
    target = tmp_path / "keys"
    target.mkdir()
    for name in names or TEST_KEYSET_FILES:
        shutil.copy(TEST_KEYS / name, target / name)
    return target


def test_the_committed_keyset_is_complete_and_marked_test_only() -> None:
    assert sorted(p.name for p in TEST_KEYS.iterdir()) == sorted([*TEST_KEYSET_FILES, "README.txt"])
    readme = (TEST_KEYS / "README.txt").read_text(encoding="utf-8")
    assert "TEST-ONLY" in readme and "NEVER USE THEM FOR ANYTHING REAL" in readme


def test_the_committed_keyset_loads(keyset: Keyset) -> None:
    for pair in (keyset.ucsp_sign, keyset.industry_sign, keyset.industry_enc):
        assert pair.key is not None
        assert key_matches_cert(pair.key, pair.cert)
        assert pair.key.key_size == 2048
        assert "TEST ONLY" in pair.cert.subject.rfc4514_string()


def test_stems_name_the_files() -> None:
    assert {f"{stem}.{ext}" for stem in STEMS for ext in ("key", "crt")} == set(TEST_KEYSET_FILES)


def test_a_keypair_gives_an_identity(keyset: Keyset) -> None:
    identity = keyset.industry_sign.identity("industry-sign")
    assert identity.cert_id == keyset.industry_sign.cert_id
    assert identity.key is keyset.industry_sign.key


def test_certificates_alone_load_without_keys(tmp_path: Path) -> None:
    """A side under test keeps its own keys: the suite may hold only its certificates."""
    directory = copy_keys(tmp_path, *(n for n in TEST_KEYSET_FILES if n.endswith(".crt")))
    keyset = Keyset.load(directory)
    assert keyset.ucsp_sign.key is None
    with pytest.raises(ConfigError, match="private key of ucsp-sign is needed"):
        keyset.ucsp_sign.identity("ucsp-sign")


def test_a_mix_of_keys_and_certificates_loads(tmp_path: Path) -> None:
    names = [n for n in TEST_KEYSET_FILES if n.endswith(".crt")] + ["industry-sign.key"]
    keyset = Keyset.load(copy_keys(tmp_path, *names))
    assert keyset.industry_sign.key is not None
    assert keyset.industry_enc.key is None


def test_a_missing_directory_is_a_config_error_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"does not exist; create one with 'ucsp-conformance keys init"
    ):
        Keyset.load(tmp_path / "nowhere")


@pytest.mark.parametrize("missing", [n for n in TEST_KEYSET_FILES if n.endswith(".crt")])
def test_a_missing_certificate_is_a_config_error_naming_it(tmp_path: Path, missing: str) -> None:
    directory = copy_keys(tmp_path, *(n for n in TEST_KEYSET_FILES if n != missing))
    with pytest.raises(
        ConfigError, match=rf"{missing} is missing; run 'ucsp-conformance keys init'"
    ):
        Keyset.load(directory)


def test_a_key_not_matching_its_certificate_is_a_config_error(tmp_path: Path) -> None:
    directory = copy_keys(tmp_path)
    shutil.copy(TEST_KEYS / "ucsp-sign.key", directory / "industry-enc.key")
    with pytest.raises(ConfigError, match=r"industry-enc\.key does not match .*industry-enc\.crt"):
        Keyset.load(directory)


def test_a_corrupt_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    directory = copy_keys(tmp_path)
    (directory / "industry-sign.crt").write_text("not a certificate")
    with pytest.raises(ConfigError, match=r"industry-sign\.crt: not a PEM certificate"):
        Keyset.load(directory)


def test_keypair_cert_id(keyset: Keyset) -> None:
    pair = KeyPair(keyset.industry_enc.cert)
    assert pair.cert_id == str(keyset.industry_enc.cert.serial_number)
