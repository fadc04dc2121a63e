"""pytest plugin: a machine-readable record of each scenario's outcome.

``--results-json FILE`` writes, for every test, its node ID, scenario and feature names, the
role under test, the outcome, the graded verdict, the requirements it checks and the
violation or error text. The fault self-test and the reports read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import allure
import pytest

from plugins.deployment import deployment_of, scenario_of
from plugins.requirements import requirement_ids
from ucsp.report.mask import body_text
from ucsp.results import ResultsFile, write_results
from ucsp.sim.journal import JournalEntry


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ucsp", "UCSP conformance")
    group.addoption(
        "--results-json",
        default=None,
        metavar="FILE",
        help="write each test's outcome and verdict as JSON",
    )
    group.addoption(
        "--progress-file",
        default=None,
        metavar="FILE",
        help="append one JSON line per finished test (for live progress)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ResultsRecorder(config), "ucsp-results-recorder")


class ResultsRecorder:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        scenario = scenario_of(item)
        callspec = getattr(item, "callspec", None)
        self.records[item.nodeid] = {
            "nodeid": item.nodeid,
            "scenario": str(scenario.name) if scenario else "",
            "title": _title(scenario.name, callspec) if scenario else "",
            "feature": str(scenario.feature.name) if scenario else "",
            "role": callspec.params.get("sut_role", "") if callspec else "",
            "outcome": "passed",
            "verdict": "pass",
            "requirements": [],
            "violations": [],
            "message": "",
            "duration": 0.0,
            "exchanges": [],
        }

    @pytest.hookimpl(trylast=True)
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest) -> None:
        """Requirement and role labels for Allure (once allure-pytest-bdd started the test)."""
        record = self.records.get(request.node.nodeid)
        if record is not None and self.config.getoption("--alluredir", None):
            allure.dynamic.tag(f"role:{record['role']}")
            for rid in requirement_ids(request.node):
                allure.dynamic.label("requirement", rid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> None:
        if call.when != "call":
            return
        record, deployment = self.records.get(item.nodeid), deployment_of(item)
        if record is not None and deployment is not None:
            record["exchanges"] = [exchange_record(e) for e in deployment.peer_journal.entries]
            if not self.config.getoption("--alluredir", None):
                return
            for index, exchange in enumerate(record["exchanges"]):
                allure.attach(
                    json.dumps(exchange, indent=1),
                    name=f"exchange {index + 1}: {exchange['msgType'] or 'raw'}",
                    attachment_type=allure.attachment_type.JSON,
                )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.get(report.nodeid)
        if record is None:
            return
        record["duration"] += report.duration
        props = dict(report.user_properties)
        if props.get("requirements"):
            record["requirements"] = str(props["requirements"]).split()
        if props.get("verdict"):
            record["verdict"] = str(props["verdict"])
        if props.get("violations"):
            record["violations"] = json.loads(str(props["violations"]))
        if report.failed or (report.skipped and record["outcome"] == "passed"):
            record["outcome"] = "failed" if report.failed else "skipped"
            if report.failed and report.when != "call":
                record["verdict"] = "error"
            record["message"] = _short(report)
        elif props.get("violation"):
            record["message"] = str(props["violation"])

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        path, record = self.config.getoption("--progress-file", None), self.records.get(nodeid)
        if path and record is not None:
            line = {k: v for k, v in record.items() if k != "exchanges"}
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")

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
                "message": str(report.longrepr)[-2000:],
                "duration": 0.0,
                "exchanges": [],
            }
            self.pytest_runtest_logfinish(report.nodeid or "<collection>")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption("--results-json", None)
        if path:
            write_results(Path(path), ResultsFile({}, list(self.records.values())))


def _title(name: str, callspec: Any) -> str:
    """The scenario's name with an outline's example values in place of its <parameters>."""
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    for key, value in example.items():
        name = name.replace(f"<{key}>", str(value))
    return name


def exchange_record(entry: JournalEntry) -> dict[str, Any]:
    """One exchange the suite saw, for reports: bodies as masked text."""
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


def _short(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)[:2000]
    return str(report.longrepr)[-2000:]
