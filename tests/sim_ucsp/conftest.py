"""Fixtures of the reference UCSP tests: the committed TEST-ONLY keyset (or a fresh one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ucsp.crypto import TEST_KEYSET_FILES, init_test_keyset

COMMITTED = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "test-only"


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if all((COMMITTED / name).is_file() for name in TEST_KEYSET_FILES):
        return COMMITTED
    directory = tmp_path_factory.mktemp("ucsp-keys")
    init_test_keyset(directory)
    return directory
