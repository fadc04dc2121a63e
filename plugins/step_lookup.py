"""pytest plugin: pytest-bdd's search for the definitions of a step, done once per module
(or class).

To run a step, pytest-bdd asks pytest, for every fixture name of the session, which
definitions the test can see, and keeps the step definitions of the step's type whose parser
matches its text: several hundred look-ups per step, the same for every scenario of a module
(about 2 ms of every scenario of this suite). The step definitions a test can see depend on
its parent node only (its module or class: conftest files, the module, the class), and they
are all registered when the modules are collected. So the step definitions visible from a
parent node (the node itself, never its ID: two modules outside the rootdir can share one)
are listed once, in pytest-bdd's order, and the matches of each step text are kept: the
answer is the one
pytest-bdd's own search gives. Fixtures injected while a scenario runs (``target_fixture``
values, pytest-bdd's temporary step fixtures) are no step definitions and never part of it.
A pytest-bdd without the functions this relies on is left as it is.
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

_FINDER = "find_fixturedefs_for_step"
Definition = tuple[Any, Any]  # (FixtureDef of a step definition, its StepFunctionContext)


class StepLookup:
    """Per session (its fixture manager): the step definitions visible from each module, and
    those matching each (module, step type, step text)."""

    def __init__(
        self,
        names: Callable[[Any], list[str]],
        definitions: Callable[[Any, str, Any], Any],
        contexts: Any,
    ) -> None:
        self.names, self.definitions, self.contexts = names, definitions, contexts
        self.visible: weakref.WeakKeyDictionary[Any, dict[Any, list[Definition]]]
        self.visible = weakref.WeakKeyDictionary()
        self.matching: weakref.WeakKeyDictionary[Any, dict[tuple[Any, str, str], list[Any]]]
        self.matching = weakref.WeakKeyDictionary()

    def __call__(self, step: Any, fixturemanager: Any, node: Any) -> Iterator[Any]:
        module = node.parent if node.parent is not None else node  # its module or class
        known = self.matching.setdefault(fixturemanager, {})
        key = (module, str(step.type), str(step.name))
        found = known.get(key)
        if found is None:
            found = known[key] = [
                fixturedef
                for fixturedef, context in self._visible(fixturemanager, module, node)
                if context.type in (None, step.type) and context.parser.is_matching(step.name)
            ]
        return iter(found)

    def _visible(self, fixturemanager: Any, module: Any, node: Any) -> list[Definition]:
        modules = self.visible.setdefault(fixturemanager, {})
        if module not in modules:
            modules[module] = [
                (fixturedef, context)
                for name in self.names(fixturemanager)
                for fixturedef in self.definitions(fixturemanager, name, node) or []
                if (context := self.contexts.get(fixturedef.func)) is not None
            ]
        return modules[module]


def pytest_configure(config: pytest.Config) -> None:
    """Put the lookup in place of pytest-bdd's search."""
    try:
        scenario = importlib.import_module("pytest_bdd.scenario")
        compat = importlib.import_module("pytest_bdd.compat")
        steps = importlib.import_module("pytest_bdd.steps")
        lookup = StepLookup(
            compat.get_fixture_names, compat.getfixturedefs, steps.step_function_context_registry
        )
        find = getattr(scenario, _FINDER)
    except (ImportError, AttributeError):
        return
    if isinstance(find, StepLookup):
        return
    setattr(scenario, _FINDER, lookup)
    config.add_cleanup(lambda: setattr(scenario, _FINDER, find))
