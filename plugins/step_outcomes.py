"""pytest plugin: each scenario's Gherkin steps, with their outcome and the exchanges they made.

:func:`steps_of` gives, for a scenario's test item, one entry per step (background steps
first): its keyword, text (an outline's example values in place), line in the feature file,
outcome (``passed``, ``failed``, ``skipped``, or ``not-run`` for the steps after the one that
stopped the scenario) and the indices of its exchanges in the peer journal of the item's
deployment. A step's exchanges are the journal's entries from the moment it started to the
moment the next step started (for the last step that ran: to the moment :func:`steps_of` is
called), so that what the SUT sends on its own between two steps (a notice after a payment)
stays with the step that caused it. Exchanges made before the first step (by fixtures) belong
to no step.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import pytest

from plugins.deployment import deployment_of, scenario_of

PASSED, FAILED, SKIPPED, NOT_RUN = "passed", "failed", "skipped", "not-run"


@dataclass
class _Steps:
    """What one item's scenario did so far: its steps, and for each started one, the journal
    position at its start and its outcome (None while it runs)."""

    steps: list[Any]
    starts: list[int] = field(default_factory=list)
    outcomes: list[str | None] = field(default_factory=list)

    def start(self, position: int) -> None:
        """The next step starts (pytest-bdd runs them in order, stopping at the first that
        does not pass)."""
        self.starts.append(position)
        self.outcomes.append(None)

    def finish(self, outcome: str) -> None:
        """The outcome of the step that runs now (the last started, still without one)."""
        if self.outcomes and self.outcomes[-1] is None:
            self.outcomes[-1] = outcome


STEPS_KEY = pytest.StashKey[_Steps]()


def _position(item: pytest.Item) -> int:
    """How many exchanges the item's deployment journaled so far (0 before it has one)."""
    deployment = deployment_of(item)
    return len(deployment.peer_journal.entries) if deployment is not None else 0


def _state(request: pytest.FixtureRequest, scenario: Any) -> _Steps:
    item = request.node
    state = item.stash.get(STEPS_KEY, None)
    if state is None:
        state = item.stash[STEPS_KEY] = _Steps(list(scenario.steps))
    return state


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, scenario: Any) -> None:
    request.node.stash[STEPS_KEY] = _Steps(list(scenario.steps))


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step(request: pytest.FixtureRequest, scenario: Any) -> None:
    _state(request, scenario).start(_position(request.node))


def pytest_bdd_after_step(request: pytest.FixtureRequest, scenario: Any) -> None:
    _state(request, scenario).finish(PASSED)


def pytest_bdd_step_error(request: pytest.FixtureRequest, scenario: Any) -> None:
    _state(request, scenario).finish(FAILED)


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, scenario: Any) -> None:
    """A step with no definition: it fails where it stands (no before_step was called)."""
    state = _state(request, scenario)
    state.start(_position(request.node))
    state.finish(FAILED)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A step stopped by what pytest-bdd does not report (``pytest.skip``, an interrupt)."""
    try:
        return (yield)
    except BaseException as exc:
        state = item.stash.get(STEPS_KEY, None)
        if state is not None:
            state.finish(SKIPPED if isinstance(exc, pytest.skip.Exception) else FAILED)
        raise


def _step(step: Any, outcome: str, exchanges: range) -> dict[str, Any]:
    return {
        "keyword": str(step.keyword).strip(),
        "text": str(step.name),
        "line": int(step.line_number),
        "outcome": outcome,
        "exchanges": list(exchanges),
    }


def _rendered_steps(item: pytest.Item) -> list[Any]:
    """The steps of the item's scenario, rendered with its example (none started yet)."""
    template = scenario_of(item)
    if template is None:
        return []
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    return list(template.render(example or {}).steps)


def steps_of(item: pytest.Item) -> list[dict[str, Any]]:
    """The item's steps as reports show them (``[]`` for a test that is no scenario):
    ``{"keyword", "text", "line", "outcome", "exchanges"}``, exchanges as indices into the
    journal of the item's deployment."""
    state = item.stash.get(STEPS_KEY, None)
    if state is None:
        return [_step(step, NOT_RUN, range(0)) for step in _rendered_steps(item)]
    bounds = [*state.starts, _position(item)]
    steps = []
    for index, step in enumerate(state.steps):
        if index >= len(state.starts):
            steps.append(_step(step, NOT_RUN, range(0)))
            continue
        outcome = state.outcomes[index] or FAILED  # started, never ended: stopped by the run
        steps.append(_step(step, outcome, range(bounds[index], max(bounds[index : index + 2]))))
    return steps
