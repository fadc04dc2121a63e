"""Requirement tags and graded verdicts.

- Registers one marker per requirement ID of ``features/requirements.toml`` (``SEC-02``, ...)
  and the role tags ``industry`` and ``ucsp``: with ``--strict-markers`` these are the whole
  tag vocabulary, so a misspelt Gherkin tag fails collection.
- Grades each test by what its call raised: a :class:`~ucsp.verdict.RequirementViolation` of
  a SHOULD requirement is a WARNING (the test passes, the violation is listed under "UCSP
  conformance warnings"), unless the run is strict (``--ucsp-strict``, or pytest's own
  ``--strict``); a MUST violation or any other exception is a FAILURE. A violation naming an
  ID the registry does not hold is an ERROR of the suite itself.
- Records ``("requirements", "ID1 ID2")``, ``("verdict", ...)`` and ``("violation", ...)`` as
  user properties, so JUnit XML and other reports show what each test checked and how it ended.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path

import pytest

from ucsp.errors import ConfigError
from ucsp.requirements import DEFAULT_REGISTRY_PATH, Requirement, Role, load_registry
from ucsp.verdict import RequirementViolation, Verdict, verdict_for_violation

__all__ = ["requirement_ids", "requirement_registry", "strict_conformance"]

REGISTRY_INI = "ucsp_requirements"
WARNINGS_SECTION = "UCSP conformance warnings"

ROLE_MARKERS = {
    Role.INDUSTRY: "scenario for an Industry Service under test (the suite plays UCSP)",
    Role.UCSP: "scenario for a UCSP under test (the suite plays the Industry Service)",
}

_registry_key = pytest.StashKey[dict[str, Requirement]]()
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


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # tryfirst: outermost wrapper, so the report is final (xfail already applied) when graded.
    report = yield
    registry = requirement_registry(item.config)
    if not registry:
        return report
    if report.when == "setup":
        ids = requirement_ids(item)
        if ids:
            _set_property(item, report, "requirements", " ".join(ids))
        if report.failed:
            _set_property(item, report, "verdict", Verdict.ERROR)
        elif report.skipped:
            _set_property(item, report, "verdict", Verdict.SKIPPED)
    elif report.when == "call":
        _grade_call(item, call, report, registry)
    elif report.failed and _property(item, "verdict") not in (Verdict.FAILURE, Verdict.ERROR):
        _set_property(item, report, "verdict", Verdict.ERROR)  # teardown broke
    return report


def _grade_call(
    item: pytest.Item,
    call: pytest.CallInfo[None],
    report: pytest.TestReport,
    registry: dict[str, Requirement],
) -> None:
    if report.passed:
        _set_property(item, report, "verdict", Verdict.PASS)
        return
    if report.skipped:
        _set_property(item, report, "verdict", Verdict.SKIPPED)
        return

    violations = _violations(call.excinfo.value) if call.excinfo is not None else None
    if not violations:
        _set_property(item, report, "verdict", Verdict.FAILURE)
        return
    _set_property(item, report, "violation", "; ".join(str(v) for v in violations))
    _set_property(item, report, "violations", _violations_json(violations, registry))

    unknown = sorted({v.requirement for v in violations if v.requirement not in registry})
    if unknown:
        _set_property(item, report, "verdict", Verdict.ERROR)
        report.longrepr = (
            f"RequirementViolation names {', '.join(map(repr, unknown))}, which the requirement "
            f"registry ({_registry_path(item.config)}) does not hold: fix the check or add "
            f"the requirement.\n\n{report.longreprtext}"
        )
        return

    strict = strict_conformance(item.config)
    verdicts = {
        verdict_for_violation(registry[v.requirement].level, strict=strict) for v in violations
    }
    if verdicts == {Verdict.WARNING}:
        report.outcome = "passed"
        report.longrepr = None
        _set_property(item, report, "verdict", Verdict.WARNING)
    else:
        _set_property(item, report, "verdict", Verdict.FAILURE)


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
    # Still counted as passed; shown as W / WARNING in the progress output.
    if report.when == "call" and _is_warning(report):
        return "passed", "W", ("WARNING", {"yellow": True})
    return None


def _is_warning(report: pytest.TestReport) -> bool:
    return report.passed and dict(report.user_properties).get("verdict") == Verdict.WARNING


def _violations(exc: BaseException) -> list[RequirementViolation] | None:
    """The violations ``exc`` consists of, or None when anything else is in it."""
    if isinstance(exc, RequirementViolation):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):
        found: list[RequirementViolation] = []
        for inner in exc.exceptions:
            inner_violations = _violations(inner)
            if inner_violations is None:
                return None
            found.extend(inner_violations)
        return found
    return None


def _violations_json(
    violations: list[RequirementViolation], registry: dict[str, Requirement]
) -> str:
    """The violations as JSON: one ``{requirement, level, message}`` each (level "" when the
    registry does not hold the ID)."""
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
