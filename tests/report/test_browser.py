"""report.html in a real browser: opened from disk, no errors, no network, the counts right,
a failing scenario's exchange readable after two clicks, its steps with their outcomes, and
the page's links and filters: a failure's link opens its scenario, the filters hide and show
scenarios, a matrix cell's link shows the scenarios of its cell."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from tests.report.test_html import FAILURE_TITLE, META, REGISTRY, WAIVERS, navigable_records
from tests.support import run_with_one_known_failure
from ucsp.outcome import CELL_ORDER, matrix_counts, requirement_matrix
from ucsp.report.html import render_report
from ucsp.report.html_text import scenario_anchor
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


def _open(browser: Browser, url: str) -> Iterator[Opened]:
    context = browser.new_context()
    try:
        opened = Opened(context.new_page())
        assert url.startswith("file:///")
        opened.page.goto(url, wait_until="load")
        yield opened
    finally:
        context.close()


@pytest.fixture
def opened(browser: Browser, report_run: RunResult) -> Iterator[Opened]:
    yield from _open(browser, (report_run.out / "report.html").as_uri())


@pytest.fixture(scope="module")
def navigable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page of a pass, a failure (waived), an error, a warning and an older record."""
    path = tmp_path_factory.mktemp("navigable") / "report.html"
    meta = {**META, "waivers": WAIVERS}
    path.write_text(render_report(navigable_records(), REGISTRY, meta), encoding="utf-8")
    return path


@pytest.fixture
def nav(browser: Browser, navigable: Path) -> Iterator[Opened]:
    yield from _open(browser, navigable.as_uri())


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


def test_a_failure_at_the_top_links_to_its_scenario_and_its_steps(opened: Opened) -> None:
    page = opened.page
    link = page.locator("#failures li a")
    assert link.count() == 1
    assert page.locator("#failures").is_visible()  # the page opens on it, no scrolling
    assert page.locator("#failures").bounding_box()["y"] < page.viewport_size["height"]  # type: ignore[index]
    link.click()
    failing = page.locator("details.scenario[data-verdict=failure]")
    assert failing.get_attribute("open") is not None
    assert page.evaluate("location.hash") == "#" + str(failing.get_attribute("id"))
    assert failing.evaluate("e => e.matches(':target')")
    assert failing.locator("> summary").is_visible()
    outcomes = failing.locator("li.step").evaluate_all(
        "steps => steps.map(s => s.getAttribute('data-outcome'))"
    )
    assert outcomes == ["passed", "passed", "failed", "not-run"]
    assert failing.locator("li.step[data-outcome=failed]").is_visible()
    # The exchanges of the run sit under the steps that made them.
    assert failing.locator("li.step details.exchange").count() >= 2
    assert opened.errors == []


def _shown(page: Page) -> list[str]:
    """The titles of the scenarios the filters leave visible."""
    visible = page.locator("details.scenario:visible > summary")
    return [text.split(": ", 1)[1] for text in visible.all_inner_texts()]


def test_filters_hide_and_show_scenarios(nav: Opened) -> None:
    page = nav.page
    everything = _shown(page)
    assert len(everything) == 5
    page.select_option("#filter-verdict", "failure")
    assert _shown(page) == [FAILURE_TITLE]
    assert page.locator("#filter-count").inner_text() == "1 of 5 scenarios shown"
    page.select_option("#filter-verdict", "")
    page.select_option("#filter-role", "industry")
    assert _shown(page) == ["A login is refused", "A skewed timeStamp"]
    page.select_option("#filter-requirement", "SEC-02")
    assert _shown(page) == ["A skewed timeStamp"]
    page.select_option("#filter-role", "")
    assert _shown(page) == [FAILURE_TITLE, "A skewed timeStamp"]  # tagged SEC-02, both roles
    page.select_option("#filter-requirement", "")
    page.select_option("#filter-feature", "Login")
    assert _shown(page) == ["A login is refused"]
    page.click("#filter-clear")
    assert _shown(page) == everything
    assert page.locator("#filter-feature").input_value() == ""
    # A count is a filter too.
    page.click("#verdict-summary a[data-verdict=warning]")
    assert _shown(page) == ["A skewed timeStamp"]
    assert page.locator("#filter-verdict").input_value() == "warning"
    assert nav.errors == []


def test_a_failure_link_shows_its_scenario_even_when_filtered_out(nav: Opened) -> None:
    page = nav.page
    page.select_option("#filter-verdict", "pass")
    target = page.locator(f"#{scenario_anchor('features/x.py::A paid order is notified[ucsp]')}")
    assert not target.is_visible()
    page.locator("#failures li[data-verdict=failure] a").click()
    assert target.is_visible() and target.get_attribute("open") is not None
    assert page.locator("#filter-verdict").input_value() == ""  # the filters were cleared
    assert len(_shown(page)) == 5
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]  # type: ignore[index]
    assert target.locator("li.step").count() == 4
    assert target.locator("h4.before").inner_text() == "Before the steps"
    assert nav.errors == []


def test_a_matrix_cell_link_shows_the_scenarios_of_its_cell(nav: Opened) -> None:
    page = nav.page
    row = page.locator("#req-SEC-02")
    assert "the rule SEC-02" in row.inner_text()
    row.locator("td[data-role=industry] a.cell-link").click()
    assert page.evaluate("location.hash") == "#scenarios"
    assert page.locator("#filter-requirement").input_value() == "SEC-02"
    assert page.locator("#filter-role").input_value() == "industry"
    assert _shown(page) == ["A skewed timeStamp"]
    page.locator("#req-PAY-05 td[data-role=ucsp] a.cell-link").click()
    assert _shown(page) == [FAILURE_TITLE]
    # The cell's scenarios are listed in its row too, the failing one marked.
    listed = page.locator("#req-PAY-05 ul.cell-scenarios li")
    assert listed.count() == 1
    assert "FAILURE" in listed.inner_text()
    listed.locator("a").click()
    opened = page.locator("details.scenario[data-verdict=failure]")
    assert opened.get_attribute("open") is not None
    assert nav.errors == []


def test_a_link_from_outside_to_a_scenario_opens_it(browser: Browser, navigable: Path) -> None:
    anchor = scenario_anchor("features/x.py::A login is refused[industry]")
    for opened in _open(browser, f"{navigable.as_uri()}#{anchor}"):
        target = opened.page.locator(f"#{anchor}")
        assert target.get_attribute("open") is not None
        assert target.is_visible()
        box = target.bounding_box()
        assert box is not None and box["y"] < opened.page.viewport_size["height"]  # type: ignore[index]
        opened.page.goto(f"{navigable.as_uri()}#req-LOGIN-05")
        assert opened.page.locator("#req-LOGIN-05").evaluate("e => e.matches(':target')")
        assert opened.errors == []
