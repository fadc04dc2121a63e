"""pytest plugin: a machine-readable record of each scenario's outcome, and of the run.

``--results-json FILE`` writes, for every test, its node ID, scenario and feature names, the
role under test, the outcome, the graded verdict, the requirements it checks, the violations
and the error (kind and one-line cause); and for the run (:func:`ucsp.outcome.run_summary`)
its overall result, whether it is partial and why, what it selected, and which requirements
the whole suite covers (collected before any selection). The run's result and badge are also
JUnit XML properties of the test suite. The fault self-test and the reports read it.

``--progress-file FILE`` is the run's live event stream, one JSON object a line (key
``event``): ``collected`` (the number of tests once selected), ``start`` (a test's node ID,
title, role and feature), ``wait`` (what it waits for, :mod:`ucsp.activity`, and by when:
``due`` seconds after it started, or null), ``finish`` (its record, without exchanges) and
``collection`` (what a process collected: ``coverage``, ``features``, ``modules``). Each line
is one appending write, so that several processes may write the file at once.

Under pytest-xdist (``-n N``) each worker records its own tests and writes their ``start``
and ``wait`` lines; the finished record travels to the controller in the teardown report (a
user property it pops before JUnit sees it), what the worker collected in its
``workeroutput``; the controller writes ``collected``, ``finish`` and ``results.json``, its
records in collection order, so that they are the same whatever the number of workers. A
test whose worker died running it is an ERROR; so is, in a run neither interrupted nor
stopped, a selected test that never finished. In a run writing ``--results-json``, the
first SIGINT in any of these processes raises KeyboardInterrupt and every later one is
ignored (:func:`interrupt_once`), so that the record is written whole; a plain ``pytest``
keeps Python's own Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import allure
import allure_commons
import pytest
from _pytest.junitxml import xml_key
from allure_commons.model2 import StatusDetails

from plugins.deployment import (
    NOT_APPLICABLE,
    deployment_of,
    masker_of,
    role_of,
    scenario_of,
    selected_roles,
)
from plugins.requirements import requirement_ids, requirement_registry, strict_conformance
from plugins.step_outcomes import steps_of
from ucsp import activity
from ucsp.journal import JournalEntry
from ucsp.lint.titles import render_title, unique_titles
from ucsp.mask import DEFAULT, Masker
from ucsp.outcome import Selection, run_summary
from ucsp.provenance import suite_features, suite_modules
from ucsp.report.allure_extras import allure_status, requirement_link
from ucsp.results import ResultsFile, write_results


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ucsp", "UCSP conformance")
    group.addoption(
        "--results-json",
        default=None,
        metavar="FILE",
        help="write each test's outcome and verdict as JSON",
    )
    group.addoption(
        "--scenario-title",
        action="append",
        default=[],
        metavar="TITLE",
        help="run only the scenario with this title, as run and list print it, or every "
        "example of the outline with this name (repeatable)",
    )
    group.addoption(
        "--progress-file",
        default=None,
        metavar="FILE",
        help="append the run's live events, one JSON line each (collected, start, wait, finish)",
    )


RECORD_PROPERTY = "ucsp-record"  # a worker's finished record, on its way to the controller
CRASHED = "???"  # xdist's report phase for a test whose worker died running it
UNFINISHED = "the scenario did not finish"
WORKER_OUTPUT = "ucsp-collection"  # what a worker collected, in its workeroutput


def append_event(path: str | os.PathLike[str], event: dict[str, Any]) -> None:
    """One line of the progress file, in one appending write (whole even when several
    processes append at once)."""
    data = (json.dumps(event) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--results-json", None):  # a run whose record must be whole
        config._ucsp_sigint = interrupt_once()  # type: ignore[attr-defined]
    config.pluginmanager.register(ResultsRecorder(config), "ucsp-results-recorder")
    config._ucsp_allure_mask = AllureMask(config)  # type: ignore[attr-defined]
    allure_commons.plugin_manager.register(config._ucsp_allure_mask)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    activity.listen(None)
    previous = getattr(config, "_ucsp_sigint", None)
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    mask = getattr(config, "_ucsp_allure_mask", None)
    if mask is not None:
        allure_commons.plugin_manager.unregister(mask)


def interrupt_once() -> Any:
    """SIGINT raises KeyboardInterrupt once; every later one is ignored. A Ctrl-C at a
    terminal reaches the child twice (the terminal's, and the one the runner forwards): a
    second KeyboardInterrupt while pytest handles the first would cut ``results.json``
    short. Returns the handler it replaced (None outside the main thread: none installed)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    fired: list[bool] = []

    def handler(signum: int, frame: Any) -> None:
        if fired:
            return
        fired.append(True)
        raise KeyboardInterrupt

    return signal.signal(signal.SIGINT, handler)


class AllureMask:
    """Gives each Allure result its scenario's graded status (:func:`allure_status`) and
    masks it (names, step parameters, status details) before it is written."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.scenario: dict[str, Any] | None = None  # the record of the scenario Allure writes

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: Any) -> None:
        if self.scenario is not None:  # its status as graded (a WARNING passes, named so)
            old = result.statusDetails
            graded = allure_status(
                self.scenario,
                requirement_registry(self.config),
                strict_conformance(self.config),
                getattr(old, "trace", None),
            )
            if graded is not None:
                result.status = graded["status"]
                result.statusDetails = StatusDetails(
                    message=graded["message"], trace=graded["trace"]
                )
            self.scenario = None
        masker_of(self.config).scrub(result)

    @allure_commons.hookimpl(tryfirst=True)
    def report_container(self, container: Any) -> None:
        masker_of(self.config).scrub(container)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """trylast: the innermost wrapper, so that Allure attaches captured output masked."""
    report = yield
    mask_report(report, masker_of(item.config))
    return report


def mask_report(report: pytest.TestReport, masker: Masker) -> None:
    """The failure text, captured output and properties of a report, masked in place."""
    report.sections = [(title, masker.text(text)) for title, text in report.sections]
    report.user_properties = [
        (name, masker.text(value) if isinstance(value, str) else value)
        for name, value in report.user_properties
    ]
    if report.longrepr is not None:
        text = str(report.longrepr)
        clean = masker.text(text)
        if clean != text:
            report.longrepr = clean


class ResultsRecorder:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}
        self.coverage: dict[str, set[str]] = {}  # requirement -> roles, whole collection
        self.features: set[str] = set()  # feature files collected (before any selection)
        self.modules: set[str] = set()  # modules of the collected tests that are no scenario
        self.ungraded: dict[str, list[tuple[str, str]]] = {}  # nodeid -> properties to add
        self.worker = hasattr(config, "workerinput")  # an xdist worker: the controller reports
        self.order: list[str] = []  # node IDs in collection order, once selected
        self.finished: set[str] = set()
        self.progress: str | None = config.getoption("--progress-file", None)
        self.running: tuple[str, float] | None = None  # node ID, when it started (monotonic)
        self.interrupted = False  # a Ctrl-C ended the session
        if self.progress:
            activity.listen(self._waiting)

    def _event(self, event: dict[str, Any]) -> None:
        if self.progress:
            append_event(self.progress, masker_of(self.config).value(event))

    def _waiting(self, what: str | None, within: float | None) -> None:
        """A ``wait`` line: what the running test waits for (called from any thread)."""
        running = self.running
        if running is None:
            return
        nodeid, started = running
        due = None if within is None else round(time.monotonic() - started + within, 1)
        self._event({"event": "wait", "nodeid": nodeid, "what": what, "due": due})

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The selection is final (each worker collects the same)."""
        self.order = [item.nodeid for item in session.items]
        if not self.worker:
            self._event({"event": "collected", "total": len(self.order)})
        self._event({"event": "collection", **self.collection()})

    def collection(self) -> dict[str, Any]:
        """What this process collected: coverage, feature files, other test modules."""
        return {
            "coverage": {rid: sorted(roles) for rid, roles in self.coverage.items()},
            "features": sorted(self.features),
            "modules": sorted(self.modules),
        }

    def _merge(self, collected: dict[str, Any]) -> None:
        for rid, roles in collected["coverage"].items():
            self.coverage.setdefault(rid, set()).update(roles)
        self.features.update(collected["features"])
        self.modules.update(collected["modules"])

    def _merge_announced(self) -> None:
        """The controller, when no worker's ``workeroutput`` arrived (a Ctrl-C ended the run
        before they shut down): what the workers announced in the progress file."""
        if self.features or self.modules or not self.progress:
            return
        try:
            lines = Path(self.progress).read_text(encoding="utf-8").splitlines()
        except OSError:
            return
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:  # a line still being written
                continue
            if isinstance(event, dict) and event.get("event") == "collection":
                self._merge(event)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """The controller: a worker's selection (the same on every worker)."""
        if not self.order:
            self.order = list(ids)
            self._event({"event": "collected", "total": len(self.order)})

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """The controller: what a worker's whole collection covers."""
        collected = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
        if collected:
            self._merge(collected)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """What the whole collection covers, before tags, names or roles deselect anything."""
        for item in items:
            scenario = scenario_of(item)
            if scenario is not None:
                self.features.add(str(Path(scenario.feature.filename).resolve()))
            else:
                self.modules.add(str(Path(item.path).resolve()))
            role = role_of(item)
            if role is None or role == NOT_APPLICABLE:
                continue
            for rid in requirement_ids(item):
                self.coverage.setdefault(rid, set()).add(role)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        scenario = scenario_of(item)
        callspec = getattr(item, "callspec", None)
        self.records[item.nodeid] = blank_record(
            item.nodeid,
            scenario=str(scenario.name) if scenario else "",
            title=title_of(item) if scenario else "",
            feature=str(scenario.feature.name) if scenario else "",
            role=callspec.params.get("sut_role", "") if callspec else "",
        )
        self.running = (item.nodeid, time.monotonic())
        record = self.records[item.nodeid]
        self._event(
            {"event": "start", **{k: record[k] for k in ("nodeid", "title", "role", "feature")}}
        )

    @pytest.hookimpl(trylast=True)
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest) -> None:
        """Requirement and role labels for Allure (once allure-pytest-bdd started the test)."""
        record = self.records.get(request.node.nodeid)
        if record is not None and self.config.getoption("--alluredir", None):
            allure.dynamic.tag(f"role:{record['role']}")
            registry = requirement_registry(self.config)
            for rid in requirement_ids(request.node):
                allure.dynamic.label("requirement", rid)
                if rid in registry:
                    url, name = requirement_link(registry[rid])
                    allure.dynamic.link(url, link_type="requirement", name=name)
            self.config._ucsp_allure_mask.scenario = record  # type: ignore[attr-defined]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> None:
        if call.when != "call":
            return
        record, deployment = self.records.get(item.nodeid), deployment_of(item)
        if record is None:
            return
        masker = masker_of(self.config)
        record["steps"] = masker.value(steps_of(item))  # also when no deployment was made
        if deployment is not None:
            entries = deployment.peer_journal.entries
            record["exchanges"] = [exchange_record(e, masker) for e in entries]
            if not self.config.getoption("--alluredir", None):
                return
            for index, exchange in enumerate(record["exchanges"]):
                allure.attach(
                    json.dumps(exchange, indent=1),
                    name=f"exchange {index + 1}: {exchange['msgType'] or 'raw'}",
                    attachment_type=allure.attachment_type.JSON,
                )

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # tryfirst: masked before JUnit, the terminal or anyone else reads the report
        carried = [v for k, v in report.user_properties if k == RECORD_PROPERTY]
        if carried:  # the controller: a worker's finished record
            report.user_properties = [p for p in report.user_properties if p[0] != RECORD_PROPERTY]
            mask_report(report, masker_of(self.config))
            self.records[report.nodeid] = json.loads(str(carried[-1]))
            return
        mask_report(report, masker_of(self.config))
        if report.when == CRASHED:  # the controller: no record and no logfinish will come
            self._lost(report.nodeid, _one_line(str(report.longrepr)))
            report.user_properties += [*self.ungraded.pop(report.nodeid, [])]
            return
        record = self.records.get(report.nodeid)
        if record is None:
            if report.passed or self.controller():
                return
            # a setup hook failed or skipped before this one's: the test still has a record
            record = self.records[report.nodeid] = blank_record(report.nodeid)
        record["duration"] += report.duration
        props = dict(report.user_properties)
        if props.get("requirements"):
            record["requirements"] = str(props["requirements"]).split()
        if props.get("verdict"):
            record["verdict"] = str(props["verdict"])
        if props.get("violations"):
            record["violations"] = json.loads(str(props["violations"]))
        if props.get("error-kind"):
            record["error"] = {"kind": str(props["error-kind"]), "cause": str(props["error-cause"])}
        if report.failed or (report.skipped and record["outcome"] == "passed"):
            record["outcome"] = "failed" if report.failed else "skipped"
            if report.failed and not props.get("verdict") and report.nodeid not in self.ungraded:
                self._ungraded_error(record, report)  # the graded verdict, where there is one
            record["message"] = _short(report)
        elif props.get("violation"):
            record["message"] = str(props["violation"])
        if report.when == "teardown":  # JUnit XML takes a test's properties from this report
            extra = dict(self.ungraded.pop(report.nodeid, []))
            report.user_properties = [
                *((k, v) for k, v in report.user_properties if k not in extra),
                *extra.items(),
            ]
        if record["error"] is not None and record["verdict"] == "error":
            record["message"] = record["error"]["cause"]
        if report.when == "teardown" and self.worker:
            report.user_properties.append((RECORD_PROPERTY, json.dumps(record)))

    def _ungraded_error(self, record: dict[str, Any], report: pytest.TestReport) -> None:
        """A test failed that no grading saw (a plain test module): an ERROR of the suite,
        never a verdict on the SUT."""
        cause = f"{report.when} failed: {_short(report).strip().splitlines()[0][:280]}"
        record["verdict"] = "error"
        record["error"] = {"kind": "suite-exception", "cause": cause}
        self.ungraded[report.nodeid] = [
            ("verdict", "error"),
            ("error-kind", "suite-exception"),
            ("error-cause", cause),
        ]

    def controller(self) -> bool:
        """True in the controller of an xdist run (its workers run the tests)."""
        return self.config.pluginmanager.has_plugin("dsession")

    def _lost(self, nodeid: str, cause: str) -> None:
        """A test that never reported its end: an ERROR of the suite, finished now."""
        record = self.records[nodeid] = blank_record(nodeid)
        record.update(outcome="failed", verdict="error", message=cause)
        record["error"] = {"kind": "suite-exception", "cause": cause}
        self.ungraded[nodeid] = [
            ("verdict", "error"),
            ("error-kind", "suite-exception"),
            ("error-cause", cause),
        ]
        self.pytest_runtest_logfinish(nodeid)

    def _unfinished(self, session: pytest.Session, exitstatus: int) -> None:
        """A run neither interrupted nor stopped ran every selected test to its end: one
        that did not (its worker died, and no worker took it over) is an ERROR."""
        cut_short = (
            self.interrupted
            or exitstatus == pytest.ExitCode.INTERRUPTED
            or session.shouldstop
            or session.shouldfail
            or self.config.getoption("collectonly", False)
        )
        if cut_short:
            return
        cause = f"{UNFINISHED} (its worker stopped)" if self.controller() else UNFINISHED
        for nodeid in self.order:
            if nodeid not in self.finished:
                self._lost(nodeid, cause)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.running = None
        record = self.records.get(nodeid)
        if record is None:
            return
        self.finished.add(nodeid)
        if not self.worker:
            summary = {k: v for k, v in record.items() if k not in ("exchanges", "steps")}
            self._event({**summary, "event": "finish"})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.records[report.nodeid or "<collection>"] = {
                "nodeid": report.nodeid,
                "scenario": "",
                "feature": "",
                "role": "",
                "outcome": "failed",
                "verdict": "error",
                "requirements": [],
                "violations": [],
                "error": {"kind": "authoring", "cause": _collect_cause(report)},
                "message": str(report.longrepr)[-2000:],
                "duration": 0.0,
                "exchanges": [],
            }
            self.pytest_runtest_logfinish(report.nodeid or "<collection>")

    def finished_records(self) -> list[dict[str, Any]]:
        """The records of the tests that ran to their end (never one a Ctrl-C cut short), in
        collection order; collection errors first."""
        rank = {nodeid: index for index, nodeid in enumerate(self.order)}
        done = [r for n, r in self.records.items() if n in self.finished]
        return sorted(done, key=lambda r: rank.get(str(r["nodeid"]), -1))

    @pytest.hookimpl(tryfirst=True)  # before junitxml writes its file
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker:  # the controller reports; it needs what this worker collected
            session.config.workeroutput[WORKER_OUTPUT] = self.collection()  # type: ignore[attr-defined]
            return
        if self.controller():
            self._merge_announced()
        interrupted = self.interrupted and exitstatus == pytest.ExitCode.INTERRUPTED
        self._unfinished(session, exitstatus)
        records = self.finished_records()
        run = self.run_summary(session, records, interrupted)
        xml = self.config.stash.get(xml_key, None)
        if xml is not None:
            for name in ("result", "badge", "partial", "stopped"):
                xml.add_global_property(f"ucsp-{name}", run[name] or "")
        path = self.config.getoption("--results-json", None)
        if path:
            masker = masker_of(self.config)
            masked = [masker.value(r) for r in records]
            write_results(Path(path), ResultsFile(masker.value(run), masked))

    @pytest.hookimpl
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """A Ctrl-C, not a session stopped on purpose (``session.shouldstop``); a second one
        (the runner forwards one) must not cut ``results.json`` short."""
        if isinstance(excinfo.value, pytest.Session.Interrupted):
            return
        self.interrupted = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def run_summary(
        self, session: pytest.Session, records: list[dict[str, Any]], interrupted: bool = False
    ) -> dict[str, Any]:
        """The run as a whole (:func:`ucsp.outcome.run_summary`)."""
        config = self.config
        try:
            roles = tuple(str(r) for r in selected_roles(config))
        except pytest.UsageError:
            roles = ()
        selection = Selection(
            roles=roles,
            tags=config.getoption("markexpr", "") or None,
            keywords=config.getoption("keyword", "") or None,
            scenarios=(
                *config.getoption("--scenario", []),
                *config.getoption("--scenario-title", []),
            ),
            faults=tuple(config.getoption("--fault", [])),
            strict=strict_conformance(config),
        )
        own = {str(p) for p in suite_features()}
        own_modules = {str(p) for p in suite_modules()}
        stopped = session.shouldstop
        run = run_summary(
            records,
            requirement_registry(config),
            selection,
            self.coverage,
            stopped=stopped if isinstance(stopped, str) else None,
            outside_features=sorted(_shown(f) for f in self.features - own),
            missing_features=sorted(_shown(f) for f in own - self.features)
            if self.features
            else [],
            outside_tests=sorted(_shown(m) for m in self.modules - own_modules),
            interrupted=interrupted,
        )
        run["features"] = sorted(_shown(f) for f in self.features)
        return run


def blank_record(nodeid: str, **fields: Any) -> dict[str, Any]:
    """A test's record before any report: passed, until a report says otherwise."""
    return {
        "nodeid": nodeid,
        "scenario": "",
        "title": "",
        "feature": "",
        "role": "",
        "outcome": "passed",
        "verdict": "pass",
        "requirements": [],
        "violations": [],
        "error": None,
        "message": "",
        "duration": 0.0,
        "exchanges": [],
        **fields,
    }


def title_of(item: pytest.Item) -> str:
    """The scenario's title as run and list print it (:func:`ucsp.lint.unique_titles`): an
    outline's name with its example's values in place of its <parameters>, unique within it."""
    scenario = scenario_of(item)
    if scenario is None:
        return ""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    index = callspec.indices.get("_pytest_bdd_example") if callspec else None
    rows = [row for examples in scenario.examples for row in examples.as_contexts()]
    if index is None or index >= len(rows):
        return render_title(str(scenario.name), example)
    titles: list[str] = unique_titles(str(scenario.name), rows)
    return titles[int(index)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--scenario-title``: keep the scenarios with one of these titles, or of an outline
    with one of these names."""
    wanted = set(config.getoption("--scenario-title", []))
    if not wanted:
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        scenario = scenario_of(item)
        chosen = scenario is not None and (scenario.name in wanted or title_of(item) in wanted)
        (keep if chosen else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def exchange_record(entry: JournalEntry, masker: Masker = DEFAULT) -> dict[str, Any]:
    """One exchange the suite saw, for reports: bodies as masked text."""
    body_text = masker.body
    return {
        "direction": "SUT to suite" if entry.direction == "in" else "suite to SUT",
        "msgType": entry.msg_type,
        "url": body_text(entry.url.encode()),
        "at": round(entry.elapsed, 3),
        "wall": entry.wall.isoformat(),
        "status": entry.status,
        "code": entry.code,
        "request": body_text(entry.request),
        "response": body_text(entry.response),
    }


def _shown(path: str) -> str:
    """A feature file as reports show it: relative to the checkout when inside it."""
    root = Path(__file__).resolve().parent.parent
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _collect_cause(report: pytest.CollectReport) -> str:
    lines = [line.strip() for line in str(report.longrepr).splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    return (errors or lines or ["collection failed"])[-1][:300]


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines or ["the test ended without a report"])[0][:280]


def _short(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)[:2000]
    return str(report.longrepr)[-2000:]
