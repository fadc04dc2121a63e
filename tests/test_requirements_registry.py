"""The requirement registry against the feature files: tag vocabulary and coverage per role.

Feature files are parsed with pytest-bdd's own parser, so tags are read exactly as the
scenarios get them: Feature, Rule, Scenario (Outline) and Examples tags all apply, a
Feature's tags to every scenario in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd.feature import get_features
from pytest_bdd.gherkin_parser import get_gherkin_document

from ucsp.requirements import ROLE_TAGS, Requirement, Role, load_registry

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"


@dataclass(frozen=True)
class ScenarioUnit:
    """A scenario, or one Examples block of a Scenario Outline: the unit tags apply to."""

    where: str  # features/area/x.feature:12
    name: str
    tags: frozenset[str]

    @property
    def roles(self) -> frozenset[str]:
        """The roles the scenario runs for: its role tags, or both when it has none."""
        return (self.tags & ROLE_TAGS) or ROLE_TAGS


def feature_files(features_dir: Path = FEATURES) -> list[Path]:
    return sorted(features_dir.rglob("*.feature"))


def scenario_units(features_dir: Path = FEATURES) -> Iterator[ScenarioUnit]:
    for feature in get_features([str(path) for path in feature_files(features_dir)]):
        rel = Path(feature.filename).relative_to(features_dir.parent)
        for template in feature.scenarios.values():
            tags = set(feature.tags) | template.tags
            if template.rule is not None:
                tags |= template.rule.tags
            blocks = [examples for examples in template.examples if examples]
            if not blocks:
                yield ScenarioUnit(f"{rel}:{template.line_number}", template.name, frozenset(tags))
            for examples in blocks:
                yield ScenarioUnit(
                    f"{rel}:{examples.line_number}",
                    f"{template.name} (Examples {examples.name or ''})".replace(" )", ")"),
                    frozenset(tags | examples.tags),
                )


@pytest.fixture(scope="module")
def registry() -> dict[str, Requirement]:
    return load_registry()


@pytest.fixture(scope="module")
def units() -> list[ScenarioUnit]:
    return list(scenario_units())


def test_the_registry_loads_and_covers_both_roles(registry: dict[str, Requirement]) -> None:
    assert registry
    for role in Role:
        assert any(role in req.roles for req in registry.values()), f"no requirement for {role}"


def test_scenario_names_are_unique_within_a_feature() -> None:
    # pytest-bdd keys scenarios by name: a second scenario of the same name is silently lost.
    problems = []
    for path in feature_files():
        children = list(get_gherkin_document(str(path)).feature.children)
        seen: dict[str, int] = {}
        while children:
            child = children.pop(0)
            if child.rule is not None:
                children[:0] = child.rule.children
            if child.scenario is None:
                continue
            name, line = child.scenario.name, child.scenario.location.line
            if name in seen:
                rel = path.relative_to(ROOT)
                problems.append(f"{rel}:{line}: {name!r} repeats the scenario of line {seen[name]}")
            seen.setdefault(name, line)
    if problems:
        pytest.fail("pytest-bdd would drop these scenarios:\n" + "\n".join(problems), pytrace=False)


def test_every_scenario_carries_a_requirement_and_only_known_tags(
    registry: dict[str, Requirement], units: list[ScenarioUnit]
) -> None:
    problems = []
    for unit in units:
        unknown = sorted(unit.tags - set(registry) - ROLE_TAGS)
        if unknown:
            tags = " ".join(f"@{tag}" for tag in unknown)
            problems.append(f"{unit.where}: {unit.name!r}: unknown tag(s) {tags}")
        if not unit.tags & set(registry):
            problems.append(f"{unit.where}: {unit.name!r}: no requirement tag")
    if problems:
        pytest.fail(
            "Tags must be requirement IDs of features/requirements.toml or a role tag "
            f"({', '.join(sorted(ROLE_TAGS))}); each scenario needs a requirement tag:\n"
            + "\n".join(problems),
            pytrace=False,
        )


def test_scenario_requirements_apply_to_a_role_the_scenario_runs_for(
    registry: dict[str, Requirement], units: list[ScenarioUnit]
) -> None:
    problems = []
    for unit in units:
        for req_id in sorted(unit.tags & set(registry)):
            if not unit.roles & set(registry[req_id].roles):
                problems.append(
                    f"{unit.where}: {unit.name!r} runs for {', '.join(sorted(unit.roles))} "
                    f"but @{req_id} applies to {', '.join(registry[req_id].roles)} only"
                )
    if problems:
        pytest.fail(
            "Requirement tags for a role the scenario does not run for:\n" + "\n".join(problems),
            pytrace=False,
        )


def uncovered_requirements(
    registry: dict[str, Requirement], units: list[ScenarioUnit]
) -> dict[str, list[str]]:
    """Role -> IDs of the requirements for that role that no scenario running for it checks."""
    covered: set[tuple[str, str]] = set()
    for unit in units:
        for req_id in unit.tags & set(registry):
            covered.update((req_id, role) for role in unit.roles)
    uncovered: dict[str, list[str]] = defaultdict(list)
    for req in registry.values():
        for role in req.roles:
            if (req.id, role) not in covered:
                uncovered[role].append(req.id)
    return dict(uncovered)


def test_every_requirement_is_checked_for_each_of_its_roles(
    registry: dict[str, Requirement], units: list[ScenarioUnit]
) -> None:
    uncovered = uncovered_requirements(registry, units)
    if uncovered:
        pytest.fail(
            "Requirements that no scenario running for the role checks "
            "(a scenario without a role tag runs for both):\n"
            + "\n".join(
                f"  {role} ({len(ids)}): {' '.join(ids)}" for role, ids in sorted(uncovered.items())
            ),
            pytrace=False,
        )


SELF_TEST_FEATURE = """\
@FMT-01
Feature: Tag inheritance

  Scenario: Feature tags apply, no role tag means both roles
    Given a step

  @ucsp @SEC-03
  Scenario Outline: Examples tags apply to their rows only
    Given a step <n>

    @industry @SEC-10
    Examples: industry rows
      | n |
      | 1 |

    Examples: plain rows
      | n |
      | 2 |

  @industry
  Rule: Rule tags apply to the rule's scenarios

    Scenario: Inside the rule
      Given a step
"""


def test_units_inherit_feature_rule_and_examples_tags(
    tmp_path: Path, registry: dict[str, Requirement]
) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "tags.feature").write_text(SELF_TEST_FEATURE, encoding="utf-8")

    units = list(scenario_units(tmp_path / "features"))

    assert [(unit.where, sorted(unit.tags), sorted(unit.roles)) for unit in units] == [
        ("features/tags.feature:4", ["FMT-01"], ["industry", "ucsp"]),
        ("features/tags.feature:12", ["FMT-01", "SEC-03", "SEC-10", "industry", "ucsp"],
         ["industry", "ucsp"]),
        ("features/tags.feature:16", ["FMT-01", "SEC-03", "ucsp"], ["ucsp"]),
        ("features/tags.feature:23", ["FMT-01", "industry"], ["industry"]),
    ]  # fmt: skip
    picked = {req_id: registry[req_id] for req_id in ("FMT-01", "SEC-03", "SEC-10", "SEC-09")}
    assert uncovered_requirements(picked, units) == {"industry": ["SEC-09"]}
