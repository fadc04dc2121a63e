"""The suite tests itself: every fault of both fault catalogues is caught.

For each fault, the scenarios declared in ``features/*/catches.toml`` run against the
reference implementation with that fault switched on (``--strict``, so SHOULD rules fail too),
and every one of them must FAIL with requirement violations that name only the declared
requirements, each of them also a tag of the failing scenario (an error of the suite itself,
or a violation of a rule the scenario is not tagged with, does not count); every declared
requirement must be named by at least one failure. The same scenarios against the clean
implementations must pass.
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

from ucsp.errors import ConfigError
from ucsp.faultmap import (
    FEATURES,
    Catch,
    CatchEntry,
    all_faults,
    load_catches,
    render_markdown,
)
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
        if r["verdict"] != "failure" or not r["violations"]
    ]
    assert not escaped, f"{key} was not caught (each must fail with a violation): {escaped}"
    assert not misnamed(catch, records), (
        f"{key}: failures name other requirements than declared, or than the scenario's tags "
        f"(scenario, violated, declared, tags): {misnamed(catch, records)}"
    )
    assert not unnamed(catch, records), (
        f"{key}: declared requirements that no failure names (where, requirements): "
        f"{unnamed(catch, records)}"
    )


def misnamed(catch: Catch, records: list[Any]) -> list[tuple[str, str, list[str], list[str]]]:
    """Violations naming a requirement the declaration or the scenario's tags do not hold."""
    found = []
    for record in records:
        declared, tags = catch.expected(record["scenario"]), record["requirements"]
        for violation in record["violations"]:
            if violation["requirement"] not in declared or violation["requirement"] not in tags:
                found.append((record["title"], violation["requirement"], sorted(declared), tags))
    return found


def unnamed(catch: Catch, records: list[Any]) -> list[tuple[str, list[str]]]:
    """Per ``[[catch]]`` entry, its requirements that no failure of its scenarios names."""
    found = []
    for entry in catch.entries:
        named = {
            v["requirement"]
            for r in records
            if r["scenario"] in entry.scenarios
            for v in r["violations"]
        }
        missing = [req for req in entry.requirements if req not in named]
        if missing:
            found.append((entry.where, missing))
    return found


def test_docs_faults_md_is_the_generated_catalogue() -> None:
    actual = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    fix = "run 'ucsp-conformance faults > docs/faults.md'"
    assert actual == render_markdown(), f"docs/faults.md is stale: {fix}"


# --- the declarations themselves (no child runs) ------------------------------------------

REPLAY = "A replayed message is answered 99 and changes nothing"


def _declare(tmp_path: Path, body: str, folder: str = "security") -> Path:
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / "catches.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_declarations_carry_their_requirements_merged_by_fault(tmp_path: Path) -> None:
    _declare(
        tmp_path,
        f'[[catch]]\nfault = "ucsp:replay-accepted"\nscenarios = ["{REPLAY}"]\n'
        'requirements = ["SEC-07"]\n',
    )
    _declare(
        tmp_path,
        '[[catch]]\nfault = "ucsp:replay-accepted"\nscenarios = ["Other"]\n'
        'requirements = ["SEC-06", "SEC-07"]\n',
        folder="transport",
    )
    catch = load_catches(tmp_path)["ucsp:replay-accepted"]
    assert catch.scenarios == (REPLAY, "Other")
    assert catch.requirements == ("SEC-07", "SEC-06")
    assert catch.expected(REPLAY) == {"SEC-07"}
    assert catch.expected("Other") == {"SEC-06", "SEC-07"}
    assert "| SEC-07, SEC-06 |" in render_markdown({catch.key: catch})


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ("", "requirements must be a non-empty list"),
        ("requirements = []", "requirements must be a non-empty list"),
        ('requirements = "SEC-07"', "requirements must be a non-empty list"),
        ('requirements = ["SEC-99"]', "'SEC-99', which features/requirements.toml does not hold"),
        ('requirements = ["AD-10"]', "AD-10, which applies to industry only"),
        ('requirements = ["SEC-07"]\nrequirement = ["SEC-07"]', "unknown key(s) requirement"),
    ],
)
def test_a_bad_declaration_is_a_config_error_naming_file_and_entry(
    tmp_path: Path, requirements: str, message: str
) -> None:
    _declare(
        tmp_path,
        '[[catch]]\nfault = "ucsp:replay-accepted"\nscenarios = ["x"]\nrequirements = ["SEC-07"]\n'
        f'\n[[catch]]\nfault = "ucsp:replay-accepted"\nscenarios = ["x"]\n{requirements}\n',
    )
    with pytest.raises(ConfigError) as error:
        load_catches(tmp_path)
    assert f"{tmp_path / 'security' / 'catches.toml'} [[catch]] #2: " in str(error.value)
    assert message in str(error.value)


def _record(scenario: str, tags: list[str], *violated: str) -> dict[str, Any]:
    violations = [{"requirement": r, "level": "MUST", "message": "m"} for r in violated]
    return {"scenario": scenario, "title": scenario, "requirements": tags, "violations": violations}


def _catch(*entries: tuple[list[str], list[str]]) -> Catch:
    return Catch(
        "ucsp",
        "replay-accepted",
        tuple(CatchEntry(tuple(s), tuple(r), f"#{i}") for i, (s, r) in enumerate(entries)),
        Path("catches.toml"),
    )


def test_a_failure_must_name_a_declared_requirement_among_the_scenario_tags() -> None:
    catch = _catch((["a"], ["SEC-07"]), (["b"], ["SEC-02"]))
    good = [_record("a", ["SEC-07"], "SEC-07"), _record("b", ["SEC-02"], "SEC-02")]
    assert misnamed(catch, good) == [] and unnamed(catch, good) == []
    untagged = [_record("a", ["SEC-06"], "SEC-07"), _record("b", ["SEC-02"], "SEC-02")]
    assert misnamed(catch, untagged) == [("a", "SEC-07", ["SEC-07"], ["SEC-06"])]
    other_entry = [_record("a", ["SEC-07", "SEC-02"], "SEC-02"), _record("b", ["SEC-02"], "SEC-02")]
    assert misnamed(catch, other_entry) == [("a", "SEC-02", ["SEC-07"], ["SEC-07", "SEC-02"])]
    assert unnamed(catch, other_entry) == [("#0", ["SEC-07"])]
