"""The suite installed like a library: a real wheel in a fresh venv, run from another directory.

The wheel is built from the checkout (hatchling), installed with ``--no-deps --no-index`` into
a new venv that sees this venv's dependencies through a ``.pth`` line (nothing is downloaded),
and the console script then runs from a temporary directory outside the checkout: ``--version``,
``steps``, and a small tagged run that adds a directory of a team's plain ``.feature`` files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
TEAM_TITLE = "A team scenario written outside the suite"


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _checked(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = _run(command, cwd)
    assert done.returncode == 0, (command[-3:], done.stdout[-2000:], done.stderr[-2000:])
    return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel built from the checkout (and nothing of the checkout)."""
    base = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist")]
    if importlib.util.find_spec("hatchling") is not None:
        build.append("--no-build-isolation")  # the backend is here already: no fetch
    _checked([*build, str(ROOT)], base)
    (wheel,) = (base / "dist").glob("ucsp_conformance-*.whl")

    env = base / "venv"
    _checked([sys.executable, "-m", "venv", "--without-pip", str(env)], base)
    python = env / "bin" / "python"
    site = Path(
        _checked(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base
        ).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _checked([*install, "--no-deps", "--no-index", "--ignore-installed", str(wheel)], base)
    return env


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory outside the checkout."""
    work = tmp_path / "work"
    work.mkdir()
    assert ROOT not in work.resolve().parents
    return work


def test_the_installed_package_carries_its_own_suite_files(venv: Path, elsewhere: Path) -> None:
    probe = "import ucsp.suite_files as s; print(s.ROOT); print(s.in_checkout())"
    root, in_checkout = _checked(
        [str(venv / "bin" / "python"), "-c", probe], elsewhere
    ).stdout.split()
    assert Path(root).is_relative_to(venv) and in_checkout == "False"
    for part in (
        "conftest.py",
        "pyproject.toml",
        "features/requirements.toml",
        "features/security/catches.toml",
        "features/security/test_security.py",
        "plugins/team_features.py",
        "steps/catalogue.py",
        "schemas/common.json",
        "fixtures/profiles/default.toml",
        "fixtures/registry/ucsp-default.toml",
        "fixtures/keys/test-only/ucsp-sign.crt",
    ):
        assert (Path(root) / part).is_file(), part


def test_version_and_steps_work_from_any_directory(venv: Path, elsewhere: Path) -> None:
    cli = str(venv / "bin" / "ucsp-conformance")
    version = _checked([cli, "--version"], elsewhere)
    assert version.stdout.strip() == "ucsp-conformance 0.1.0"
    steps = _checked([cli, "steps"], elsewhere)
    assert steps.stdout.startswith("#") and len(steps.stdout.splitlines()) > 50


def _team_feature(venv_root: Path) -> str:
    """A team's scenario: the steps of the suite's first plain SEC-02 scenario, retitled."""
    text = (venv_root / "features" / "security" / "security.feature").read_text("utf-8")
    block = re.search(
        r"^( *@[^\n]*\bSEC-02\b[^\n]*)\n *Scenario: [^\n]*\n((?: +\S[^\n]*\n)+)", text, re.M
    )
    assert block is not None, "no plain SEC-02 scenario in features/security/security.feature"
    tags, steps = block.groups()
    return f"Feature: A team's own scenarios\n\n{tags}\n  Scenario: {TEAM_TITLE}\n{steps}"


def test_a_tagged_run_with_a_teams_features_writes_reports_here(
    venv: Path, elsewhere: Path
) -> None:
    probe = "import ucsp.suite_files as s; print(s.ROOT)"
    root = Path(_checked([str(venv / "bin" / "python"), "-c", probe], elsewhere).stdout.strip())
    team = elsewhere.parent / "team"  # plain Gherkin, no Python beside it
    team.mkdir()
    (team / "ours.feature").write_text(_team_feature(root), encoding="utf-8")

    cli = str(venv / "bin" / "ucsp-conformance")
    done = _run(
        [cli, "run", "--sut", "industry", "--tags", "SEC-02", "--features", "../team"], elsewhere
    )

    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-2000:])
    (out,) = (elsewhere / "reports").iterdir()
    assert f"reports in {out}" in done.stdout.splitlines()[0]
    for name in ("results.json", "junit.xml", "report.html", "evidence.zip", "requirements.json"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text("utf-8"))
    verdicts = {r["scenario"]: r["verdict"] for r in results["scenarios"]}
    assert verdicts.pop(TEAM_TITLE) == "pass"
    assert verdicts and set(verdicts.values()) == {"pass"}
    assert f"PASS  [industry] A team's own scenarios: {TEAM_TITLE}" in done.stdout
    assert str(team / "ours.feature") in results["run"]["outsideFeatures"]
    assert results["run"]["result"] == "CONFORMANT"
