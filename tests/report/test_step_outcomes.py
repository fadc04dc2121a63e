"""plugins.step_outcomes: each step's outcome, and the exchanges it made.

Runs tiny pytest-bdd suites in-process with pytester; a stand-in deployment's journal is a
list the steps append to, so that which step made which exchange is known.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = -p plugins.step_outcomes -p no:cacheprovider -p no:hypothesispytest -p no:randomly
"""

CONFTEST = """
import json
from types import SimpleNamespace

import pytest

from plugins.deployment import DEPLOYMENT_KEY
from plugins.step_outcomes import steps_of


@pytest.fixture(autouse=True)
def journal(request):
    deployment = SimpleNamespace(peer_journal=SimpleNamespace(entries=["made by a fixture"]))
    if "late" not in request.node.name:
        request.node.stash[DEPLOYMENT_KEY] = deployment
    return deployment


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
        item.user_properties.append(("steps", json.dumps(steps_of(item))))
"""

FEATURE = """\
Feature: Steps

  Background:
    Given a suite

  Scenario: all pass
    When the suite sends 2
    And the suite sends 1
    Then nothing is wrong

  Scenario: the second step fails
    When the suite sends 1
    Then something is wrong
    And the suite sends 1

  Scenario: an undefined step
    When nobody defined this step
    Then nothing is wrong

  Scenario: a step skips
    When the suite sends 1
    And the step skips
    Then nothing is wrong

  Scenario Outline: an outline sends <count>
    When the suite sends <count>
    Then nothing is wrong

    Examples:
      | count |
      | 3     |
"""

STEPS = """
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("steps.feature")


@given("a suite")
def _():
    pass


@when(parsers.parse("the suite sends {count:d}"))
def _(journal, count):
    journal.peer_journal.entries.extend(["sent"] * count)


@then("nothing is wrong")
def _():
    pass


@then("something is wrong")
def _():
    raise AssertionError("wrong")


@when("the step skips")
def _():
    pytest.skip("not for this SUT")
"""

LATE = """\
Feature: Late

  Scenario: late deployment
    Given a suite
    When the suite sends 1
"""

LATE_STEPS = """
from types import SimpleNamespace

from pytest_bdd import given, scenarios, when

from plugins.deployment import DEPLOYMENT_KEY

scenarios("late.feature")


@given("a suite")
def _():
    pass


@when("the suite sends 1")
def _(request):
    deployment = SimpleNamespace(peer_journal=SimpleNamespace(entries=["sent"]))
    request.node.stash[DEPLOYMENT_KEY] = deployment
"""


def _steps(result: pytest.RunResult) -> dict[str, list[dict[str, Any]]]:
    """Test name -> its steps, as steps_of gave them after the call (or a failed setup)."""
    found = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        props = dict(report.user_properties)
        if report.when in ("setup", "call") and "steps" in props:
            found[report.nodeid.rsplit("::", 1)[-1]] = json.loads(str(props["steps"]))
    return found


def _outcomes(steps: list[dict[str, Any]]) -> list[tuple[str, str, str, list[int]]]:
    return [(s["keyword"], s["text"], s["outcome"], s["exchanges"]) for s in steps]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".feature", steps=FEATURE)
    pytester.makepyfile(test_steps=STEPS)
    return pytester


@pytest.fixture
def ran(suite: pytest.Pytester) -> dict[str, list[dict[str, Any]]]:
    result = suite.runpytest_inprocess()
    result.assert_outcomes(passed=2, failed=2, skipped=1)
    return _steps(result)


def test_passing_steps_each_with_the_exchanges_it_made(ran: dict[str, Any]) -> None:
    steps = ran["test_all_pass"]
    assert _outcomes(steps) == [
        ("Given", "a suite", "passed", []),
        ("When", "the suite sends 2", "passed", [1, 2]),  # 0: before the steps (a fixture)
        ("And", "the suite sends 1", "passed", [3]),
        ("Then", "nothing is wrong", "passed", []),
    ]
    assert [s["line"] for s in steps] == [4, 7, 8, 9]


def test_steps_after_a_failing_step_are_not_run(ran: dict[str, Any]) -> None:
    assert _outcomes(ran["test_the_second_step_fails"]) == [
        ("Given", "a suite", "passed", []),
        ("When", "the suite sends 1", "passed", [1]),
        ("Then", "something is wrong", "failed", []),
        ("And", "the suite sends 1", "not-run", []),
    ]


def test_an_undefined_step_fails_where_it_stands(ran: dict[str, Any]) -> None:
    assert [s["outcome"] for s in ran["test_an_undefined_step"]] == ["passed", "failed", "not-run"]


def test_a_step_that_skips_is_skipped(ran: dict[str, Any]) -> None:
    assert [s["outcome"] for s in ran["test_a_step_skips"]] == [
        "passed",
        "passed",
        "skipped",
        "not-run",
    ]


def test_an_outline_step_shows_its_example_value(ran: dict[str, Any]) -> None:
    (name,) = [n for n in ran if n.startswith("test_an_outline_sends")]
    assert _outcomes(ran[name])[1] == ("When", "the suite sends 3", "passed", [1, 2, 3])


def test_a_deployment_first_used_by_a_step_gives_that_step_its_exchanges(
    suite: pytest.Pytester,
) -> None:
    suite.makefile(".feature", late=LATE)
    suite.makepyfile(test_late=LATE_STEPS)
    result = suite.runpytest_inprocess("test_late.py")
    result.assert_outcomes(passed=1)
    assert _outcomes(_steps(result)["test_late_deployment"]) == [
        ("Given", "a suite", "passed", []),
        ("When", "the suite sends 1", "passed", [0]),
    ]


def test_a_scenario_that_never_started_lists_its_steps_as_not_run(suite: pytest.Pytester) -> None:
    suite.makeconftest(
        CONFTEST
        + """

@pytest.fixture(autouse=True)
def broken(journal):
    raise RuntimeError("setup fails")
"""
    )
    result = suite.runpytest_inprocess("-k", "outline")
    result.assert_outcomes(errors=1)
    (item_steps,) = _steps(result).values()
    assert [(s["text"], s["outcome"]) for s in item_steps] == [
        ("a suite", "not-run"),
        ("the suite sends 3", "not-run"),
        ("nothing is wrong", "not-run"),
    ]
