"""plugins/step_lookup.py: pytest-bdd's step search, answered once per module and step."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from plugins.step_lookup import StepLookup


@dataclass
class Parser:
    pattern: str

    def is_matching(self, text: str) -> bool:
        return re.fullmatch(self.pattern, text) is not None


@dataclass
class Context:
    type: str | None
    parser: Parser


@dataclass(eq=False)
class Definition:
    name: str
    func: Any = field(default_factory=lambda: object())


@dataclass
class Step:
    type: str
    name: str


@dataclass(eq=False)
class Module:
    nodeid: str


MODULES: dict[str, Module] = {}


@dataclass
class Node:
    """A test item: its node ID and its parent (a module, as pytest collects it)."""

    nodeid: str
    parent: Module | None = None

    def __post_init__(self) -> None:
        if self.parent is None:
            path = self.nodeid.split("::")[0]
            self.parent = MODULES.setdefault(path, Module(path))


class Manager:
    """A fixture manager: names, and the definitions each module sees (counting the asks)."""

    def __init__(self, visible: dict[str, dict[str, list[Definition]]]) -> None:
        self.visible = visible
        self.asked = 0

    def names(self, _manager: Any) -> list[str]:
        return sorted({name for names in self.visible.values() for name in names})

    def definitions(self, _manager: Any, name: str, node: Node) -> list[Definition] | None:
        self.asked += 1
        assert node.parent is not None
        return self.visible[node.parent.nodeid].get(name)


def _world() -> tuple[Manager, StepLookup, dict[str, Definition]]:
    paid = Definition("paid")
    any_order = Definition("order")
    override = Definition("paid-local")
    fixture = Definition("plain fixture")
    contexts = {
        paid.func: Context("given", Parser(r"an order of (\d+) is paid")),
        any_order.func: Context(None, Parser(r"an order .*")),
        override.func: Context("given", Parser(r"an order of (\d+) is paid")),
    }
    manager = Manager(
        {
            "a/test_a.py": {"paid": [paid], "order": [any_order], "x": [fixture]},
            "b/test_b.py": {"paid": [override], "order": [any_order]},
        }
    )
    lookup = StepLookup(manager.names, manager.definitions, contexts)
    return manager, lookup, {"paid": paid, "order": any_order, "override": override}


def test_the_definitions_of_the_type_whose_parser_matches_in_order() -> None:
    manager, lookup, d = _world()
    node = Node("a/test_a.py::test_one[ucsp]")
    found = list(lookup(Step("given", "an order of 5 is paid"), manager, node))
    assert found == [d["order"], d["paid"]]
    assert list(lookup(Step("when", "an order of 5 is paid"), manager, node)) == [d["order"]]
    assert list(lookup(Step("given", "nothing like it"), manager, node)) == []


def test_each_module_sees_its_own_definitions() -> None:
    manager, lookup, d = _world()
    step = Step("given", "an order of 5 is paid")
    assert list(lookup(step, manager, Node("b/test_b.py::test_two"))) == [d["order"], d["override"]]
    assert list(lookup(step, manager, Node("a/test_a.py::test_one"))) == [d["order"], d["paid"]]


def test_the_visible_definitions_are_listed_once_per_module() -> None:
    manager, lookup, _ = _world()
    for index in range(5):
        node = Node(f"a/test_a.py::test_{index}")
        list(lookup(Step("given", f"an order of {index} is paid"), manager, node))
    assert manager.asked == len(manager.names(manager))


def test_two_modules_with_one_node_id_each_see_their_own_definitions() -> None:
    """Feature directories outside the rootdir can give two modules the same node ID: the
    lookup keys on the module itself, never on its ID."""
    manager, lookup, d = _world()
    step = Step("given", "an order of 5 is paid")
    first, second = Module("a/test_a.py"), Module("a/test_a.py")
    assert list(lookup(step, manager, Node("a/test_a.py::t", first))) == [d["order"], d["paid"]]
    manager.visible["a/test_a.py"] = {"paid": [d["override"]], "order": [d["order"]]}
    found = list(lookup(step, manager, Node("a/test_a.py::t", second)))
    assert found == [d["order"], d["override"]]


def test_the_plugin_stands_in_for_pytest_bdds_search(pytestconfig: pytest.Config) -> None:
    scenario = importlib.import_module("pytest_bdd.scenario")
    assert pytestconfig.pluginmanager.has_plugin("plugins.step_lookup")
    assert isinstance(scenario.find_fixturedefs_for_step, StepLookup)
