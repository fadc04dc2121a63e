"""The step catalogue: every step phrase of the library, by concept, with its roles, its
parameters' grammar and vocabulary, what it needs before it, and an example.

``python -m steps.catalogue [--html]`` (``ucsp-conformance steps [--html]``) prints it as
Markdown (docs/steps.md is that output, kept in sync by a test) or as one searchable HTML
page. It is read from the step library alone (``steps.catalogue_entries``), never from the
features. This module also holds the readers of step definitions and feature steps that
the step-library lint (tests/test_step_library.py) and the authoring lint
(``steps/lint.py``) share.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from pytest_bdd.feature import get_features
from pytest_bdd.steps import StepFunctionContext, StepNamePrefix, step_function_context_registry

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
STEPS = ROOT / "steps"
CONFTEST = ROOT / "conftest.py"
NOT_STEP_MODULES = {
    "__init__",
    "types",
    "catalogue",
    "catalogue_concepts",
    "catalogue_entries",
    "catalogue_html",
    "catalogue_markdown",
    "lint",
    "lint_scenarios",
}


@dataclass(frozen=True)
class FeatureStep:
    where: str  # features/area/x.feature:12
    type: str  # given, when or then
    name: str  # with the Examples values substituted

    def __str__(self) -> str:
        return f'{self.where}: {self.type.capitalize()} "{self.name}"'


@dataclass(frozen=True)
class Definition:
    module: str
    line: int
    context: StepFunctionContext

    def __str__(self) -> str:
        kind = self.context.type or "step"
        return f"{self.module}:{self.line} {kind}({self.context.parser.name!r})"

    def matches(self, step: FeatureStep) -> bool:
        if self.context.type is not None and self.context.type != step.type:
            return False
        return bool(self.context.parser.is_matching(step.name))

    @property
    def parameters(self) -> list[tuple[str, str]]:
        """(name, type) of each ``{name:Type}`` field of the phrase."""
        fields = string.Formatter().parse(str(self.context.parser.name))
        return [(name, spec or "text") for _, name, spec, _ in fields if name]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.context.step_func) or ""


def step_modules(steps_dir: Path = STEPS, package: str = "steps") -> list[ModuleType]:
    return [
        importlib.import_module(f"{package}.{path.stem}")
        for path in sorted(steps_dir.glob("*.py"))
        if path.stem not in NOT_STEP_MODULES
    ]


def library_modules(conftest: Path = CONFTEST, package: str = "steps") -> list[ModuleType]:
    """The step modules a run loads: the ``steps.*`` entries of the root conftest's
    ``pytest_plugins``, in its order."""
    tree = ast.parse(conftest.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            names = [str(v) for v in ast.literal_eval(node.value)]
    return [importlib.import_module(n) for n in names if n.startswith(f"{package}.")]


def step_definitions(modules: list[ModuleType]) -> list[Definition]:
    """The step definitions made in ``modules``, each once, by module and line."""
    found: dict[int, Definition] = {}
    for module in modules:
        for name, value in vars(module).items():
            if not name.startswith(StepNamePrefix.step_def.value):
                continue
            context = step_function_context_registry.get(inspect.unwrap(value))
            if context is None or id(context) in found:
                continue
            code = getattr(context.step_func, "__code__", None)
            line = code.co_firstlineno if code is not None else 0
            found[id(context)] = Definition(module.__name__, line, context)
    return sorted(found.values(), key=lambda d: (d.module, d.line))


def feature_steps(features_dir: Path = FEATURES) -> Iterator[FeatureStep]:
    """Every distinct step the scenarios under ``features_dir`` run, in file order."""
    paths = [str(path) for path in sorted(features_dir.rglob("*.feature"))]
    seen: set[FeatureStep] = set()
    for feature in get_features(paths):
        rel = Path(feature.filename).relative_to(features_dir.parent)
        for template in feature.scenarios.values():
            contexts = [row for examples in template.examples for row in examples.as_contexts()]
            for context in contexts or [{}]:
                for step in template.render(context).steps:
                    feature_step = FeatureStep(f"{rel}:{step.line_number}", step.type, step.name)
                    if feature_step not in seen:
                        seen.add(feature_step)
                        yield feature_step


def render_markdown() -> str:
    """docs/steps.md: the catalogue of :func:`steps.catalogue_entries.entries`, by concept."""
    from steps.catalogue_markdown import render  # it builds on the lint, which imports this

    return render()


def render_html() -> str:
    """The catalogue as one self-contained, searchable HTML page."""
    from steps.catalogue_html import render

    return render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m steps.catalogue", description=__doc__)
    parser.add_argument("--html", action="store_true", help="one searchable HTML page")
    args = parser.parse_args(argv)
    sys.stdout.write(render_html() if args.html else render_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
