"""ARCHITECTURE.md's layer rules, enforced over the imports (the AST of every module).

A module of a layer imports only modules of its own layer or of the layers below it; siblings
within a layer that must not know each other are listed as such. A wrong arrow fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layers, lowest first. A module belongs to the first layer whose prefix names it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "kit",
        (
            "ucsp.errors",
            "ucsp.activity",
            "ucsp.suite_files",
            "ucsp.codes",
            "ucsp.messages",
            "ucsp.money",
            "ucsp.schemas",
            "ucsp.profile",
            "ucsp.strictjson",
            "ucsp.crypto",
            "ucsp.envelope",
            "ucsp.codec",
            "ucsp.transport",
            "ucsp.clock",
            "ucsp.keys",
            "ucsp.sandbox",
            "ucsp.target",
            "ucsp.journal",
            "ucsp.mask",
            "ucsp.loopback",
            "ucsp.serving",
            "ucsp.asgi_guard",
            "ucsp.mutation",
            "ucsp.login_encoding",
            "ucsp.requirements",
            "ucsp.results",
            "ucsp.provenance",
            "ucsp.lint",
        ),
    ),
    ("checks", ("ucsp.checks",)),
    ("sim", ("ucsp.sim",)),
    ("drivers", ("ucsp.drivers",)),
    ("peers", ("ucsp.peers",)),
    ("deployment", ("ucsp.deployment",)),
    ("sides", ("ucsp.sides",)),
    (
        "application",
        (
            "ucsp.verdict",
            "ucsp.outcome",
            "ucsp.faultmap",
            "ucsp.report",
            "ucsp.doctor",
            "ucsp.runner",
            "ucsp.progress",
            "ucsp.baseline",
            "ucsp.compare",
            "ucsp.load",
            "ucsp.cli",
            "ucsp.cli_certify",
            "ucsp.cli_author",
        ),
    ),
    ("pytest glue", ("plugins", "steps", "conftest")),
)
PYTEST = {"pytest", "pytest_bdd", "_pytest"}
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
# Layers that sit side by side: neither imports the other.
SIBLINGS = {
    frozenset({"checks", "sim"}),
    frozenset({"checks", "drivers"}),
    frozenset({"sim", "drivers"}),
    frozenset({"checks", "peers"}),
    frozenset({"drivers", "peers"}),
}
# What the step definitions may use: the sides, the check functions and the kit.
STEPS_MAY_IMPORT = {"kit", "checks", "sides", "pytest glue"}
# Imports allowed across the rule, each with its reason.
EXCEPTIONS = {
    # the suite's UCSP peer is a clean reference UCSP with scripted answers around it
    ("ucsp.peers.ucsp_peer", "ucsp.sim"),
    # the harness driver's answer type is what a step about the raw harness answer holds
    ("steps.payment", "ucsp.drivers.harness"),
}


def layer_of(module: str) -> str | None:
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_modules() -> Iterator[Path]:
    yield ROOT / "conftest.py"
    for folder in ("ucsp", "plugins", "steps"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) of every absolute import, TYPE_CHECKING ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            for alias in node.names:  # "from ucsp import sandbox" names a module
                name = f"{node.module}.{alias.name}"
                if is_module(name):
                    yield name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def why_wrong(source: str, target: str) -> str | None:
    """Why ``source`` must not import ``target`` (None when it may)."""
    here, there = layer_of(source), layer_of(target)
    if target.split(".")[0] in PYTEST and here not in {"pytest glue", None}:
        return "the kit never imports pytest"
    if here is None or there is None or here == there:
        return None
    if any(source.startswith(s) and target.startswith(t) for s, t in EXCEPTIONS):
        return None
    if source.startswith("steps"):
        return None if there in STEPS_MAY_IMPORT else "steps use the sides, checks and kit"
    if frozenset({here, there}) in SIBLINGS:
        return f"{here} and {there} are siblings"
    if RANK[there] > RANK[here]:
        return f"an upward arrow ({here} -> {there})"
    return None


def wrong_arrows() -> list[str]:
    found = []
    for path in python_modules():
        source = module_name(path)
        for target, line in imports_of(path):
            reason = why_wrong(source, target)
            if reason is not None:
                found.append(
                    f"{path.relative_to(ROOT)}:{line}: {source} imports {target}: {reason}"
                )
    return found


def test_every_module_belongs_to_a_layer() -> None:
    stray = [module_name(p) for p in python_modules() if layer_of(module_name(p)) is None]
    assert stray == ["ucsp"], f"modules in no layer of LAYERS: {stray}"


def test_imports_follow_the_layer_rules() -> None:
    assert wrong_arrows() == []


@pytest.mark.parametrize(
    ("source", "target", "wrong"),
    [
        ("ucsp.checks.payment", "ucsp.sim.ucsp.store", True),  # siblings
        ("ucsp.journal", "ucsp.sides.side", True),  # upward
        ("ucsp.sides.payment", "ucsp.checks.payment", False),  # downward
        ("ucsp.peers.ucsp_peer", "ucsp.sim.ucsp", False),  # a listed exception
        ("steps.payment", "ucsp.deployment", True),  # steps see the sides only
        ("ucsp.checks.payment", "pytest", True),
        ("plugins.results", "pytest", False),
    ],
)
def test_the_rule_itself(source: str, target: str, wrong: bool) -> None:
    assert (why_wrong(source, target) is not None) is wrong
