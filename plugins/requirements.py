"""Requirement tags and graded verdicts.

- Registers one marker per requirement ID of ``features/requirements.toml`` (``SEC-02``, ...)
  and the role tags ``industry`` and ``ucsp``: with ``--strict-markers`` these are the whole
  tag vocabulary, so a misspelt Gherkin tag fails collection.
- Grades each test by what it raised (:func:`ucsp.verdict.grade`): a
  :class:`~ucsp.verdict.RequirementViolation` of a MUST requirement among the test's tags is a
  FAILURE; of a SHOULD requirement a WARNING (the test passes, the violation is listed under
  "UCSP conformance warnings"), unless the run is strict (``--ucsp-strict``, or pytest's own
  ``--strict``). Anything else is an ERROR with a kind and a one-line cause: an authoring
  error (undefined step, a value outside its vocabulary, a step not for the role), a
  misattribution (a violation naming a requirement the test is not tagged with, or one the
  registry lacks), a suite exception, the SUT unreachable, a driver time-out, an unknown fault.
- Marks each scenario with the role it runs for, so a tag expression (``-m``, ``run --tags``)
  selects by role as well as by tags: ``ucsp and SEC-02``.
- A scenario step that more than one step definition matches is an authoring error before
  it runs (pytest-bdd itself would pick one silently).
- A test that did not pass while the SUT no longer accepts connections (on the host of the
  request that failed, else on the SUT's main receiving URLs) is an ERROR
  (``sut-unreachable``), whatever it raised; the violations it raised stay in its record as
  evidence. After ``ucsp_stop_after_unreachable`` (default 5) such tests in a row the
  session stops. A SUT that accepted the connection but gave no answer (``sut-no-answer``)
  does not count toward that stop.
- Records ``("requirements", "ID1 ID2")``, ``("verdict", ...)``, ``("violation", ...)``,
  ``("violations", JSON)``, ``("error-kind", ...)`` and ``("error-cause", ...)`` as user
  properties, so JUnit XML and other reports show what each test checked and how it ended.
- In the JUnit XML file (``--junitxml``), a test whose verdict is ``error`` carries
  ``<error>``, not ``<failure>``, whatever phase it ended in (pytest's own writer picks the
  element by the phase), and the test suite's ``errors`` / ``failures`` counts agree.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from _pytest.junitxml import xml_key
from pytest_bdd import exceptions as bdd_exceptions
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.steps import StepNamePrefix, step_function_context_registry

from ucsp.errors import AuthoringError, ConfigError
from ucsp.requirements import DEFAULT_REGISTRY_PATH, Requirement, Role, load_registry
from ucsp.verdict import (
    ErrorCause,
    ErrorKind,
    Grade,
    RequirementViolation,
    Verdict,
    failed_request_url,
    grade,
)

__all__ = ["requirement_ids", "requirement_registry", "strict_conformance"]

REGISTRY_INI = "ucsp_requirements"
STOP_INI = "ucsp_stop_after_unreachable"
STOP_AFTER_UNREACHABLE = 5
WARNINGS_SECTION = "UCSP conformance warnings"

ROLE_MARKERS = {
    Role.INDUSTRY: "scenario for an Industry Service under test (the suite plays UCSP)",
    Role.UCSP: "scenario for a UCSP under test (the suite plays the Industry Service)",
}

_registry_key = pytest.StashKey[dict[str, Requirement]]()
_unreachable_key = pytest.StashKey[int]()
_step_cache_key = pytest.StashKey[dict[tuple[str, str, str], list[str]]]()
_visible_key = pytest.StashKey[dict[str, list[tuple[str, int, Any]]]]()
# Exceptions of pytest and pytest-bdd meaning that a feature or step is written wrongly.
AUTHORING_ERRORS: tuple[type[BaseException], ...] = (
    bdd_exceptions.StepDefinitionNotFoundError,
    bdd_exceptions.ScenarioValidationError,
    bdd_exceptions.FeatureError,
    bdd_exceptions.GherkinParseError,
    bdd_exceptions.ScenarioNotFound,
    bdd_exceptions.NoScenariosFound,
    bdd_exceptions.StepImplementationError,
    pytest.FixtureLookupError,
)
_COLLECTOR_NAME = "ucsp-requirements-warnings"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ucsp", "UCSP conformance")
    # pytest itself owns --strict (all its strictness options); it implies this one.
    group.addoption(
        "--ucsp-strict",
        action="store_true",
        default=False,
        dest="ucsp_strict",
        help="SHOULD requirement violations fail the run too (pytest's --strict implies this).",
    )
    parser.addini(
        REGISTRY_INI,
        "Requirement registry (TOML), relative to the rootdir; "
        "default: features/requirements.toml of the checkout.",
        default="",
    )
    parser.addini(
        STOP_INI,
        "Stop the session after this many tests in a row could not reach the SUT "
        f"(0: never; default {STOP_AFTER_UNREACHABLE}).",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = _registry_path(config)
    try:
        registry = load_registry(path)
    except ConfigError as exc:
        raise pytest.UsageError(f"UCSP requirement registry: {exc}") from exc
    config.stash[_registry_key] = registry
    for req in registry.values():
        config.addinivalue_line("markers", f"{req.id}: [{req.level}] {req.text} ({req.section})")
    for role, description in ROLE_MARKERS.items():
        config.addinivalue_line("markers", f"{role}: {description}")
    config.pluginmanager.register(_WarningCollector(), _COLLECTOR_NAME)


def pytest_unconfigure(config: pytest.Config) -> None:
    collector = config.pluginmanager.get_plugin(_COLLECTOR_NAME)
    if collector is not None:
        config.pluginmanager.unregister(collector)


def requirement_registry(config: pytest.Config) -> dict[str, Requirement]:
    """The registry this run loaded (empty before ``pytest_configure``)."""
    return config.stash.get(_registry_key, {})


def strict_conformance(config: pytest.Config) -> bool:
    """True when SHOULD violations fail: ``--ucsp-strict`` or pytest's ``--strict`` given."""
    return bool(config.getoption("ucsp_strict", False) or config.getoption("strict", False))


def requirement_ids(item: pytest.Item) -> list[str]:
    """The requirement IDs among the item's markers (Gherkin tags), in registry order."""
    registry = requirement_registry(item.config)
    names = {mark.name for mark in item.iter_markers()}
    return [req_id for req_id in registry if req_id in names]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each scenario also carries the marker of the role it runs for, before ``-m`` selects:
    ``--tags ucsp`` is every scenario that runs for the UCSP role, tagged or not."""
    from plugins.deployment import role_of

    for item in items:
        role = role_of(item)
        if role in ROLE_MARKERS and role not in {m.name for m in item.iter_markers()}:
            item.add_marker(role)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # tryfirst: outermost wrapper, so the report is final (xfail already applied) when graded.
    report = yield
    registry = requirement_registry(item.config)
    if not registry or not _graded(item):
        return report
    if report.when == "setup":
        ids = requirement_ids(item)
        if ids:
            _set_property(item, report, "requirements", " ".join(ids))
        if report.failed:
            _apply(item, report, _grade(item, call, registry, "setup"))
        elif report.skipped:
            _set_property(item, report, "verdict", Verdict.SKIPPED)
    elif report.when == "call":
        if report.skipped:
            _set_property(item, report, "verdict", Verdict.SKIPPED)
        else:
            _apply(item, report, _grade(item, call, registry, "call"))
    elif report.failed and _property(item, "verdict") not in (Verdict.FAILURE, Verdict.ERROR):
        _apply(item, report, _grade(item, call, registry, "teardown"))  # teardown broke
    return report


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """After pytest's JUnit writer wrote its file: ERROR verdicts as ``<error>`` elements."""
    result = yield
    xml = session.config.stash.get(xml_key, None)
    if xml is not None and Path(xml.logfile).is_file():
        junit_errors_as_errors(Path(xml.logfile))
    return result


def junit_errors_as_errors(path: Path) -> int:
    """Rewrite a JUnit XML file so that each test case whose ``verdict`` property is
    ``error`` carries ``<error>`` instead of ``<failure>``; returns how many were changed."""
    tree = ET.parse(path)  # noqa: S314 (the file this session's JUnit writer just wrote)
    changed = 0
    for suite in tree.iter("testsuite"):
        moved = 0
        for case in suite.iter("testcase"):
            verdicts = [p.get("value") for p in case.iter("property") if p.get("name") == "verdict"]
            if verdicts[-1:] != [Verdict.ERROR]:
                continue
            for element in case:
                if element.tag == "failure":
                    element.tag = "error"
                    moved += 1
        if moved:
            suite.set("errors", str(int(suite.get("errors", "0")) + moved))
            suite.set("failures", str(max(0, int(suite.get("failures", "0")) - moved)))
            changed += moved
    if changed:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return changed


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, step_func: Any
) -> None:
    """Refuse an ambiguous step: which definition runs would be an accident."""
    node = request.node
    cache = request.config.stash.setdefault(_step_cache_key, {})
    key = (str(getattr(node, "path", "")), step.type, step.name)
    if key not in cache:
        cache[key] = _rival_definitions(step, request)
    matching = cache[key]
    if len(matching) > 1:
        raise AuthoringError(
            f'ambiguous step: {step.type.capitalize()} "{step.name}" matches '
            f"{len(matching)} step definitions ({', '.join(matching)})"
        )


def _rival_definitions(step: Any, request: pytest.FixtureRequest) -> list[str]:
    """The step definitions that could run ``step``: per step fixture name, those of the
    closest scope (a conftest overriding a phrase is no rival; two modules of one scope are)."""
    by_name: dict[str, list[tuple[int, Any]]] = {}
    for name, depth, context in _visible_definitions(request):
        if context.type in (None, step.type) and context.parser.is_matching(step.name):
            by_name.setdefault(name, []).append((depth, context))
    rivals: dict[int, str] = {}  # one entry per step function, however often it is imported
    for found in by_name.values():
        closest = max(depth for depth, _ in found)
        for depth, context in found:
            if depth == closest:
                func = context.step_func
                rivals[id(func)] = f"{func.__module__}.{func.__qualname__}"
    return sorted(rivals.values())


def _visible_definitions(request: pytest.FixtureRequest) -> list[tuple[str, int, Any]]:
    """(fixture name, scope depth, step context) of every step definition visible from the
    test's directory; computed once per directory (conftest files scope by directory)."""
    node = request.node
    cache = request.config.stash.setdefault(_visible_key, {})
    where = str(getattr(node, "path", Path()).parent)
    if where not in cache:
        manager = request._fixturemanager
        prefix = StepNamePrefix.step_def.value
        found = []
        for name in get_fixture_names(fixturemanager=manager):
            if not name.startswith(prefix):
                continue
            for fixturedef in getfixturedefs(manager, name, node) or []:
                context = step_function_context_registry.get(fixturedef.func)
                if context is not None:
                    found.append((name, len(fixturedef.baseid), context))
        cache[where] = found
    return cache[where]


def _graded(item: pytest.Item) -> bool:
    """A conformance test: a scenario, a test run per role, or one tagged with requirements.

    The suite's own unit tests are left as pytest reports them.
    """
    if requirement_ids(item):
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "sut_role" in callspec.params:
        return True
    function = getattr(item, "function", None)
    return function is not None and function in scenario_wrapper_template_registry


def _grade(
    item: pytest.Item,
    call: pytest.CallInfo[None],
    registry: dict[str, Requirement],
    phase: str,
) -> Grade:
    exc = call.excinfo.value if call.excinfo is not None else None
    if exc is None and phase != "call":  # a setup or teardown report failed without raising
        return Grade(Verdict.ERROR, error=ErrorCause(ErrorKind.SUITE, f"the {phase} failed"))
    callspec = getattr(item, "callspec", None)
    role = callspec.params.get("sut_role") if callspec is not None else None
    graded = grade(
        exc,
        {rid: req.level for rid, req in registry.items()},
        requirement_ids(item),
        strict=strict_conformance(item.config),
        authoring=AUTHORING_ERRORS,
        phase=phase,
        role=str(role) if role is not None else None,
        roles={rid: req.roles for rid, req in registry.items()},
    )
    if graded.verdict is not Verdict.PASS and _may_be_unreachable(graded):
        cause = _sut_unreachable(item, failed_request_url(exc))
        if cause is not None:  # what it raised says nothing about the SUT: kept as evidence
            error = ErrorCause(ErrorKind.SUT_UNREACHABLE, cause)
            return Grade(Verdict.ERROR, graded.violations, error)
    return graded


def _may_be_unreachable(graded: Grade) -> bool:
    """What a SUT gone away could explain (not a mistake in the suite's text or options)."""
    return graded.error is None or graded.error.kind not in (
        ErrorKind.AUTHORING,
        ErrorKind.UNKNOWN_FAULT,
        ErrorKind.CONFIGURATION,
    )


def _sut_unreachable(item: pytest.Item, failed_url: str | None) -> str | None:
    from plugins.deployment import deployment_of  # only suites with deployments need it

    deployment = deployment_of(item)
    return deployment.sut_unreachable(failed_url) if deployment is not None else None


def _apply(item: pytest.Item, report: pytest.TestReport, graded: Grade) -> None:
    """Record the grade as properties and make the report's outcome agree with it."""
    if graded.violations:
        _set_property(item, report, "violation", "; ".join(str(v) for v in graded.violations))
        _set_property(item, report, "violations", _violations_json(graded.violations, item.config))
    if graded.error is not None:
        _set_property(item, report, "error-kind", graded.error.kind)
        _set_property(item, report, "error-cause", graded.error.cause)
        report.longrepr = (
            f"ERROR ({graded.error.kind}): {graded.error.cause}\n\n{report.longreprtext}"
        )
    _set_property(item, report, "verdict", graded.verdict)
    if graded.verdict is Verdict.WARNING:
        report.outcome = "passed"
        report.longrepr = None
    _watch_unreachable(item, graded)


def _watch_unreachable(item: pytest.Item, graded: Grade) -> None:
    """Stop the session after so many tests in a row could not reach the SUT."""
    streak = item.config.stash.get(_unreachable_key, 0)
    if graded.error is not None and graded.error.kind is ErrorKind.SUT_UNREACHABLE:
        streak += 1
        limit = _stop_after(item.config)
        if limit and streak >= limit:
            item.session.shouldstop = (
                f"stopped: {streak} scenarios in a row could not reach the SUT "
                f"({graded.error.cause})"
            )
    else:
        streak = 0
    item.config.stash[_unreachable_key] = streak


def _stop_after(config: pytest.Config) -> int:
    value = str(config.getini(STOP_INI) or "").strip()
    try:
        return int(value) if value else STOP_AFTER_UNREACHABLE
    except ValueError:
        raise pytest.UsageError(f"{STOP_INI} = {value!r}: give a whole number") from None


class _WarningCollector:
    """Collects the warning verdicts of a run for the terminal summary.

    Reads the reports (not the items), so it also sees reports sent by distributed workers.
    """

    def __init__(self) -> None:
        self.warnings: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and _is_warning(report):
            self.warnings.append((report.nodeid, str(dict(report.user_properties)["violation"])))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.warnings:
            return
        terminalreporter.section(WARNINGS_SECTION, sep="=", yellow=True)
        for nodeid, violation in self.warnings:
            terminalreporter.line(f"WARNING {nodeid} - {violation}")
        terminalreporter.line(
            f"{len(self.warnings)} SHOULD requirement violation(s) graded as warning; "
            "run with --ucsp-strict (or --strict) to make them fail."
        )


def pytest_report_teststatus(
    report: pytest.TestReport,
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    # A warning still counts as passed; shown as W / WARNING in the progress output. An error
    # of the call phase counts among the errors (E / ERROR), not the failures.
    if report.when == "call" and _is_warning(report):
        return "passed", "W", ("WARNING", {"yellow": True})
    if report.when == "call" and report.failed and _is_error(report):
        return "error", "E", ("ERROR", {"red": True})
    return None


def _is_error(report: pytest.TestReport) -> bool:
    return dict(report.user_properties).get("verdict") == Verdict.ERROR


def _is_warning(report: pytest.TestReport) -> bool:
    return report.passed and dict(report.user_properties).get("verdict") == Verdict.WARNING


def _violations_json(violations: tuple[RequirementViolation, ...], config: pytest.Config) -> str:
    """The violations as JSON: one ``{requirement, level, message}`` each (level "" when the
    registry does not hold the ID)."""
    registry = requirement_registry(config)
    return json.dumps(
        [
            {
                "requirement": v.requirement,
                "level": str(registry[v.requirement].level) if v.requirement in registry else "",
                "message": v.message,
            }
            for v in violations
        ]
    )


def _registry_path(config: pytest.Config) -> Path:
    value = str(config.getini(REGISTRY_INI) or "").strip()
    if not value:
        return DEFAULT_REGISTRY_PATH
    return config.rootpath / value  # an absolute value replaces the rootdir


def _property(item: pytest.Item, name: str) -> object:
    return dict(item.user_properties).get(name)


def _set_property(item: pytest.Item, report: pytest.TestReport, name: str, value: str) -> None:
    """Set ``name`` on the item (seen by later reports and JUnit XML) and on this report."""
    value = str(value)
    for props in (item.user_properties, report.user_properties):
        props[:] = [(key, val) for key, val in props if key != name]
        props.append((name, value))
