"""The suite tests itself: every fault of both fault catalogues is caught.

For each fault, the scenarios declared in ``features/*/catches.toml`` run against the
reference implementation with that fault switched on, and every one of them must FAIL with
a requirement violation (an error of the suite itself does not count); the same scenarios
against the clean implementations must pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.feature import get_features

from ucsp.faultmap import FEATURES, Catch, all_faults, load_catches, render_markdown
from ucsp.results import read_results

ROOT = Path(__file__).resolve().parent.parent
CATCHES = load_catches()
FAULT_KEYS = [f"{role}:{fault.name}" for role, fault in all_faults()]
WORKERS = 2


def _scenario_names() -> set[str]:
    paths = [str(p) for p in FEATURES.rglob("*.feature")]
    return {name for feature in get_features(paths) for name in feature.scenarios}


def _run(role: str, faults: Sequence[str], scenarios: Sequence[str], out: Path) -> list[Any]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "features",
        "--sut",
        role,
        "--strict",
        "-q",
        "-p",
        "no:cacheprovider",
        "--results-json",
        str(out),
    ]
    for fault in faults:
        command += ["--fault", fault]
    for scenario in scenarios:
        command += ["--scenario", scenario]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    if not out.exists():
        return []
    return read_results(out).scenarios


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    """Every declared fault run, and the clean run of the same scenarios per role (parallel)."""
    tmp = tmp_path_factory.mktemp("fault-runs")
    jobs: dict[str, tuple[str, list[str], list[str], Path]] = {}
    for index, (key, catch) in enumerate(sorted(CATCHES.items())):
        jobs[key] = (catch.role, [catch.fault], list(catch.scenarios), tmp / f"{index}.json")
    for role in ("industry", "ucsp"):
        names = sorted({s for c in CATCHES.values() if c.role == role for s in c.scenarios})
        if names:
            jobs[f"clean:{role}"] = (role, [], names, tmp / f"clean-{role}.json")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {key: pool.submit(_run, *job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def test_every_fault_has_catching_scenarios() -> None:
    undeclared = [key for key in FAULT_KEYS if key not in CATCHES]
    assert not undeclared, f"faults no scenario is declared to catch: {undeclared}"


def test_declarations_name_known_faults_and_scenarios() -> None:
    unknown = [key for key in CATCHES if key not in FAULT_KEYS]
    assert not unknown, f"catches.toml names faults no catalogue has: {unknown}"
    names = _scenario_names()
    missing = sorted({(c.key, s) for c in CATCHES.values() for s in c.scenarios if s not in names})
    assert not missing, f"catches.toml names scenarios no feature has: {missing}"


@pytest.mark.parametrize("role", ["industry", "ucsp"])
def test_catching_scenarios_pass_against_the_clean_implementation(
    role: str, runs: dict[str, list[Any]]
) -> None:
    records = runs.get(f"clean:{role}", [])
    assert records, f"no catching scenario ran for role {role}"
    bad = [(r["scenario"], r["verdict"], r["message"]) for r in records if r["outcome"] != "passed"]
    assert not bad, f"clean {role} run: {bad}"


@pytest.mark.parametrize("key", FAULT_KEYS)
def test_fault_is_caught(key: str, runs: dict[str, list[Any]]) -> None:
    catch: Catch | None = CATCHES.get(key)
    if catch is None:
        pytest.fail(f"no scenario is declared to catch {key}")
    records = runs[key]
    ran = {r["scenario"] for r in records}
    not_run = [s for s in catch.scenarios if s not in ran]
    assert not not_run, f"{key}: declared scenarios did not run: {not_run}"
    escaped = [
        (r["scenario"], r["verdict"], r["message"][:300])
        for r in records
        if r["verdict"] != "failure"
    ]
    assert not escaped, f"{key} was not caught (each must fail with a violation): {escaped}"


def test_docs_faults_md_is_the_generated_catalogue() -> None:
    actual = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    fix = "run 'ucsp-conformance faults > docs/faults.md'"
    assert actual == render_markdown(), f"docs/faults.md is stale: {fix}"
