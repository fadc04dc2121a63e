"""Reading scenarios for the authoring lint and the list (:mod:`steps.lint`): each scenario
of a ``.feature`` file as it runs, with pytest-bdd's own parser (Background included, each
Examples row substituted), and what stops a file being read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_bdd import exceptions as bdd_exceptions
from pytest_bdd.gherkin_parser import get_gherkin_document
from pytest_bdd.parser import PARAM_RE, FeatureParser, ScenarioTemplate

from steps.catalogue import ROOT
from ucsp.lint import Case, CaseStep, Problem, roles_of, unique_titles


def shown_path(path: Path, base: Path) -> str:
    """A feature file as problems name it: relative to ``base``, else to the suite's files."""
    resolved = path.resolve()
    for root in (base.resolve(), ROOT):
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    return resolved.as_posix()


def feature_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.feature")) if path.is_dir() else [path]
    return list(dict.fromkeys(p.resolve() for p in found))


def read_cases(paths: Sequence[Path], base: Path) -> tuple[list[Case], list[Problem]]:
    """The scenarios under ``paths`` as they run, and the files that could not be read."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in feature_files(paths):
        found, unreadable = read_feature(path, shown_path(path, base))
        cases += found
        problems += unreadable
    return cases, problems


def read_feature(path: Path, shown: str) -> tuple[list[Case], list[Problem]]:
    """The scenarios of one feature file as they run, and what stops them being read."""
    try:
        feature = FeatureParser(str(path.parent), path.name).parse()
        document = get_gherkin_document(str(path))
    except bdd_exceptions.GherkinParseError as exc:
        return [], [Problem(shown, exc.line, f"cannot read the feature: {exc.message}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(shown, 1, f"cannot read the feature: {exc}")]
    problems = _repeated_names(document, shown)
    cases: list[Case] = []
    for template in feature.scenarios.values():
        cases += _cases(template, shown)
        if template.templated:
            problems += _unfilled(cases[-1], shown)
    if not cases:
        problems.append(Problem(shown, 1, "the feature holds no scenario"))
    return cases, problems


def _repeated_names(document: Any, shown: str) -> list[Problem]:
    """pytest-bdd keeps one scenario per name in a feature: a second one would never run."""
    seen: dict[str, int] = {}
    problems = []
    children = list(document.feature.children) if document.feature else []
    while children:
        child = children.pop(0)
        if child.rule is not None:
            children = list(child.rule.children) + children
        if child.scenario is None:
            continue
        name, line = child.scenario.name, child.scenario.location.line
        if name in seen:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"a second scenario named {name!r} (the first is at line {seen[name]}): "
                    "only one of them would run",
                )
            )
        seen.setdefault(name, line)
    return problems


def _unfilled(case: Case, shown: str) -> list[Problem]:
    """An outline's ``<parameter>`` that no Examples column fills."""
    return [
        Problem(shown, step.line, f"{step} names <{found[1]}>, a column no Examples table has")
        for step in case.steps
        if (found := PARAM_RE.search(step.name))
    ]


def _cases(template: ScenarioTemplate, shown: str) -> list[Case]:
    tags = set(template.tags) | template.feature.tags
    if template.rule is not None:
        tags |= template.rule.tags
    rows = [
        (set(examples.tags), row)
        for examples in template.examples
        for row in examples.as_contexts()
    ]
    titles = unique_titles(template.name, [row for _, row in rows])
    cases = []
    for (extra, row), title in zip(rows or [(set(), {})], titles, strict=True):
        all_tags = frozenset(tags | extra)
        steps = tuple(CaseStep(s.line_number, s.type, s.name) for s in template.render(row).steps)
        cases.append(
            Case(
                shown,
                template.line_number,
                template.name,
                title,
                all_tags,
                steps,
                roles_of(all_tags),
            )
        )
    return cases
