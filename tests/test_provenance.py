"""ucsp.provenance: git commit, the suite's own feature files, digests, the test-only key."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ucsp.crypto import init_test_keyset
from ucsp.keys import Keyset
from ucsp.provenance import (
    TEST_KEYS,
    digest_files,
    git_commit,
    is_test_only_certificate,
    suite_features,
    suite_modules,
    untracked_features,
)

GIT = shutil.which("git")


def _git(root: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run(
        [GIT, "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.test", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    if GIT is None:
        pytest.fail("git is needed for this test (apt-get install git)")
    (tmp_path / "features" / "pay").mkdir(parents=True)
    (tmp_path / "features" / "pay" / "a.feature").write_text("Feature: A\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "one")
    return tmp_path


def test_git_commit_of_a_clean_and_a_modified_checkout(checkout: Path) -> None:
    clean = git_commit(checkout)
    assert clean is not None
    assert re.fullmatch(r"[0-9a-f]{40}", clean["commit"])
    assert (clean["dirty"], clean["modifiedFeatures"]) == (False, [])
    (checkout / "features" / "pay" / "a.feature").write_text("Feature: B\n", encoding="utf-8")
    modified = git_commit(checkout)
    assert modified is not None
    assert (modified["dirty"], modified["modifiedFeatures"]) == (True, ["features/pay/a.feature"])


def test_untracked_feature_files_are_not_the_suites_own(checkout: Path) -> None:
    local = checkout / "features" / "local" / "mine.feature"
    local.parent.mkdir()
    local.write_text("Feature: mine\n", encoding="utf-8")
    assert untracked_features(checkout) == {local.resolve()}
    assert suite_features(checkout) == [(checkout / "features" / "pay" / "a.feature").resolve()]


def test_untracked_test_modules_are_not_the_suites_own(checkout: Path) -> None:
    own = checkout / "features" / "pay" / "test_pay.py"
    own.write_text("", encoding="utf-8")
    _git(checkout, "add", ".")
    _git(checkout, "commit", "-q", "-m", "two")
    local = checkout / "features" / "local" / "test_mine.py"
    local.parent.mkdir()
    local.write_text("def test_x():\n    pass\n", encoding="utf-8")
    assert suite_modules(checkout) == [own.resolve()]
    assert untracked_features(checkout, ".py") == {local.resolve()}


def test_without_git_there_is_no_commit_and_every_feature_file_counts(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "a.feature").write_text("Feature: A\n", encoding="utf-8")
    assert git_commit(tmp_path) is None
    assert untracked_features(tmp_path) == set()
    assert suite_features(tmp_path) == [(tmp_path / "features" / "a.feature").resolve()]


def test_digest_covers_names_and_contents_in_a_stable_order(tmp_path: Path) -> None:
    one, two = tmp_path / "a.txt", tmp_path / "b.txt"
    one.write_text("1", encoding="utf-8")
    two.write_text("2", encoding="utf-8")
    digest = digest_files([one, two], tmp_path)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest_files([two, one], tmp_path) == digest  # order of the list does not matter
    two.write_text("3", encoding="utf-8")
    assert digest_files([one, two], tmp_path) != digest  # contents do
    two.rename(tmp_path / "c.txt")
    assert digest_files([one, tmp_path / "c.txt"], tmp_path) != digest  # and names


def test_the_published_test_only_key_is_recognised(tmp_path: Path) -> None:
    assert is_test_only_certificate(Keyset.load(TEST_KEYS).ucsp_sign.cert)
    init_test_keyset(tmp_path)
    assert not is_test_only_certificate(Keyset.load(tmp_path).ucsp_sign.cert)
