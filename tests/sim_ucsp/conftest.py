"""Fixtures of the reference UCSP tests: one TEST-ONLY keyset per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ucsp.crypto import init_test_keyset



@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ucsp-keys")
    init_test_keyset(directory)
    return directory
