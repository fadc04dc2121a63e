"""pytest plugin: pytest-bdd's Cucumber JSON under ``-n N`` (pytest-xdist).

pytest-bdd writes ``--cucumberjson`` on the controller from the scenario report it keeps beside
each call report, but that report is made on a worker and only the test report travels. On a
worker, the scenario report is copied onto the call report (an extra attribute, which xdist
serialises with it); on the controller, it is put back where pytest-bdd reads it.
"""

from __future__ import annotations

import pytest
from pytest_bdd.reporting import ReportContext, test_report_context_registry

CARRIED = "_ucsp_bdd_context"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    carried = getattr(report, CARRIED, None)
    if isinstance(carried, dict) and report not in test_report_context_registry:
        test_report_context_registry[report] = ReportContext(**carried)  # the controller
        return
    context = test_report_context_registry.get(report)
    if context is not None and report.when == "call":  # the worker, before xdist sends it
        setattr(report, CARRIED, {"scenario": context.scenario, "name": context.name})
