"""Step-library lint: every feature step has exactly one definition, every definition is used.

pytest-bdd silently picks one definition when several match a step; this lint makes that an
error. Definitions are read from the modules of steps/ (each decorator leaves a step fixture
in the module it was applied in); feature steps are parsed with pytest-bdd's own parser,
Background steps included, And/But typed like the step before them, and every Examples row
of a Scenario Outline substituted into the step text.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from steps.catalogue import (
    Definition,
    FeatureStep,
    feature_steps,
    render_markdown,
    step_definitions,
    step_modules,
)

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LintResult:
    undefined: list[FeatureStep]
    ambiguous: list[tuple[FeatureStep, list[Definition]]]
    unused: list[Definition]


def lint(definitions: list[Definition], steps: list[FeatureStep]) -> LintResult:
    result = LintResult([], [], [])
    used: set[int] = set()
    for step in steps:
        matching = [definition for definition in definitions if definition.matches(step)]
        used.update(id(definition) for definition in matching)
        if not matching:
            result.undefined.append(step)
        elif len(matching) > 1:
            result.ambiguous.append((step, matching))
    result.unused = [definition for definition in definitions if id(definition) not in used]
    return result


@pytest.fixture(scope="module")
def library_lint() -> LintResult:
    return lint(step_definitions(step_modules()), list(feature_steps()))


def test_every_feature_step_has_exactly_one_definition(library_lint: LintResult) -> None:
    problems = []
    if library_lint.undefined:
        problems.append(
            f"Undefined steps ({len(library_lint.undefined)}); define them in steps/*.py:"
        )
        problems += [f"  {step}" for step in library_lint.undefined]
    if library_lint.ambiguous:
        problems.append(f"Ambiguous steps ({len(library_lint.ambiguous)}), each matched by:")
        for step, matching in library_lint.ambiguous:
            problems.append(f"  {step}")
            problems += [f"      {definition}" for definition in matching]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_every_step_definition_is_used(library_lint: LintResult) -> None:
    if library_lint.unused:
        pytest.fail(
            f"Step definitions no feature step uses ({len(library_lint.unused)}):\n"
            + "\n".join(f"  {definition}" for definition in library_lint.unused),
            pytrace=False,
        )


LINT_FEATURE = """\
Feature: Lint self-test
  Background:
    Given a registered industry

  Scenario Outline: Paying
    When the user pays <amount>
    And the user pays again
    Then the payment is <outcome>
    But nothing else happens

    Examples:
      | amount | outcome  |
      | 1      | approved |
      | 2      | declined |
"""

LINT_STEPS = """
from pytest_bdd import given, parsers, step, then, when

@given("a registered industry")
def _():
    pass

@when(parsers.parse("the user pays {amount:d}"))
def _(amount):
    pass

@step(parsers.parse("the user pays {what}"))
def _(what):
    pass

@then("the payment is approved")
def _():
    pass

@given("the payment is declined")
def _():
    pass

@then("a step no feature uses")
def _():
    pass
"""


def test_the_lint_reports_undefined_ambiguous_and_unused_steps(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "lint.feature").write_text(LINT_FEATURE, encoding="utf-8")
    module = ModuleType("lint_steps")
    exec(compile(textwrap.dedent(LINT_STEPS), "lint_steps.py", "exec"), vars(module))  # noqa: S102

    result = lint(step_definitions([module]), list(feature_steps(tmp_path / "features")))

    assert [str(step) for step in result.undefined] == [
        'features/lint.feature:9: Then "nothing else happens"',  # But takes the Then's type
        # "declined" is defined, but as a Given: the Then (second Examples row) misses it.
        'features/lint.feature:8: Then "the payment is declined"',
    ]
    assert {str(step): [d.line for d in defs] for step, defs in result.ambiguous} == {
        # the Examples rows are substituted; @step (type None) matches every type
        'features/lint.feature:6: When "the user pays 1"': [8, 12],
        'features/lint.feature:6: When "the user pays 2"': [8, 12],
    }
    assert [str(definition) for definition in result.unused] == [
        "lint_steps:20 given('the payment is declined')",
        "lint_steps:24 then('a step no feature uses')",
    ]
    # Not reported, so matched once: the Background's Given and "And the user pays again".


def test_docs_steps_md_is_the_generated_catalogue() -> None:
    expected = render_markdown()
    actual = (ROOT / "docs" / "steps.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/steps.md is stale: run 'ucsp-conformance steps > docs/steps.md'"
    )
