"""report.html in a real browser: opened from disk, no errors, no network, the counts right,
and a failing scenario's exchange readable after two clicks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from tests.support import run_with_one_known_failure
from ucsp.outcome import CELL_ORDER, matrix_counts, requirement_matrix
from ucsp.requirements import load_registry
from ucsp.results import read_results
from ucsp.runner import RunResult

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """The run with one known failure (the UCSP fault notice-wrong-amount)."""
    result = run_with_one_known_failure(tmp_path_factory.mktemp("browser-run"))
    assert result.exit_code == 1
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install chromium) to run the browser test of report.html"
        )
    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh, empty profile of its own (removed on close).
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Opened:
    """A page with report.html loaded, and everything it logged or requested."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)


@pytest.fixture
def opened(browser: Browser, report_run: RunResult) -> Iterator[Opened]:
    context = browser.new_context()
    try:
        opened = Opened(context.new_page())
        url = (report_run.out / "report.html").as_uri()
        assert url.startswith("file:///")
        opened.page.goto(url, wait_until="load")
        yield opened
    finally:
        context.close()


def _records(report_run: RunResult) -> list[dict[str, Any]]:
    return read_results(report_run.out / "results.json").scenarios


def test_report_opens_without_errors_or_network(opened: Opened, report_run: RunResult) -> None:
    page = opened.page
    assert page.title().startswith("UCSP conformance report ")
    page.wait_for_timeout(200)  # late console messages
    assert opened.errors == []
    assert opened.requests == [(report_run.out / "report.html").as_uri()]


def test_verdict_counts_shown(opened: Opened) -> None:
    page = opened.page
    assert page.locator("#count-failure").inner_text() == "1"
    assert page.locator("#count-pass").inner_text() == "1"
    for verdict in ("error", "warning", "skipped"):
        assert page.locator(f"#count-{verdict}").inner_text() == "0", verdict
    assert page.locator("#count-failure").is_visible()


def test_matrix_counts_shown_match_the_results(opened: Opened, report_run: RunResult) -> None:
    registry = load_registry()
    coverage = read_results(report_run.out / "results.json").run["coverage"]
    rows = requirement_matrix(_records(report_run), registry, ["ucsp"], coverage)
    cells = matrix_counts(rows, ["ucsp"])
    assert cells["failure"] == 1 and cells["pass"] >= 1 and cells["not-run"] >= 1
    page = opened.page
    for cell in CELL_ORDER:
        shown = page.locator(f"#matrix-{cell}").inner_text()
        assert shown == str(cells[cell]), cell
    rows = page.locator("#matrix tbody tr")
    assert rows.count() == len(registry)


def test_badge_says_partial_not_conformant(opened: Opened) -> None:
    badge = opened.page.locator("#result")
    assert badge.inner_text() == "PARTIAL NOT CONFORMANT"
    assert badge.is_visible()
    assert "faults switched on: notice-wrong-amount" in opened.page.locator("#partial").inner_text()


def test_failing_scenario_opens_to_its_request_body(opened: Opened) -> None:
    page = opened.page
    scenarios = page.locator("details.scenario")
    assert scenarios.count() == 2
    failing = page.locator("details.scenario[data-verdict=failure]")
    assert failing.count() == 1
    exchange = failing.locator("details.exchange").first
    request = exchange.locator("pre.request")
    assert not request.is_visible()  # closed until clicked
    failing.locator("> summary").click()
    assert failing.get_attribute("open") is not None
    assert failing.locator(".message").is_visible()
    assert "PAY-05" in failing.locator(".message").inner_text()
    assert not request.is_visible()  # the exchange itself is still closed
    exchange.locator("> summary").click()
    request.wait_for(state="visible")
    assert request.is_visible()
    assert "msgInfo" in request.inner_text()
    assert "SUBMIT_PAYMENT_ORDER" in exchange.locator("> summary").inner_text()
    assert opened.errors == []
