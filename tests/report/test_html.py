"""report.html: the result badge, the failures list, the counts and what they count, the
scenarios with their steps and filters, the requirement matrix with its legend and links, the
waivers, and a self-contained, escaped page whose every link stays inside it. (The matrix
itself is unit-tested in tests/test_outcome.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.support import seed_registry
from ucsp.outcome import CELL_LEGEND, CELL_ORDER, matrix_counts, requirement_matrix
from ucsp.report.html import render_report
from ucsp.report.html_assets import SCRIPT
from ucsp.report.html_text import scenario_anchor
from ucsp.requirements import Requirement

REGISTRY: dict[str, Requirement] = seed_registry(
    [
        ("PAY-01", ["ucsp"]),
        ("PAY-05", ["industry", "ucsp"]),
        ("SEC-02", ["industry", "ucsp"], "SHOULD"),
        ("LOGIN-05", ["industry"]),
        ("NOT-01", ["industry", "ucsp"]),  # no scenario checks it
    ],
    text="the rule {id} <with markup> & more",
)
BOTH = ["industry", "ucsp"]


def _record(
    scenario: str, role: str, verdict: str, requirements: list[str], **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "nodeid": f"features/x.py::{scenario}[{role}]",
        "scenario": scenario,
        "feature": "Frontend payment",
        "role": role,
        "outcome": "failed" if verdict in ("failure", "error") else "passed",
        "verdict": verdict,
        "requirements": requirements,
        "message": "",
        "duration": 0.5,
        "exchanges": [],
    }
    record.update(extra)
    return record


def _violation(rid: str) -> dict[str, str]:
    return {"requirement": rid, "level": "MUST", "message": "m"}


RECORDS = [
    _record("order ok", "ucsp", "pass", ["PAY-01"]),
    _record(
        "notice wrong", "ucsp", "failure", ["PAY-05", "SEC-02"], violations=[_violation("PAY-05")]
    ),
    _record("notice ok", "ucsp", "pass", ["PAY-05"]),
    _record("is notice", "industry", "warning", ["PAY-05"]),
    _record("is skipped", "industry", "skipped", ["SEC-02"]),
    # LOGIN-05 does not list ucsp: a ucsp record tagged with it counts for nothing.
    _record("login on ucsp", "ucsp", "failure", ["LOGIN-05"]),
    _record("login a", "industry", "warning", ["LOGIN-05"]),
    _record(
        "login b",
        "industry",
        "error",
        ["LOGIN-05"],
        error={"kind": "sut-unreachable", "cause": "the SUT cannot be reached"},
    ),
    # An ID the registry does not know is ignored.
    _record("unknown id", "ucsp", "failure", ["XYZ-99"]),
]


# --- the page ----------------------------------------------------------------------------


class Page(HTMLParser):
    """The parts of the page the tests look at: texts by id, every tag with its attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.by_id: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("id"):
            self._open.append((tag, str(values["id"])))
            self.by_id[str(values["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            self.by_id[ident] += data


EVIL = '<script>alert("x")</script>'
META = {
    "runId": "RUN<1>",
    "started": "2026-01-15T10:30:00+00:00",
    "suiteVersion": "0.1.0",
    "roles": BOTH,
    "targetName": "<b>target</b>",
    "profileSha256": "ab" * 32,
}


def _exchange(url: str, at: float, request: str, response: str) -> dict[str, Any]:
    """A SUBMIT_PAYMENT_ORDER the suite sent to the SUT, answered HTTP 200 with code 00."""
    return {
        "direction": "suite to SUT",
        "msgType": "SUBMIT_PAYMENT_ORDER",
        "url": url,
        "at": at,
        "wall": "2026-01-15T10:30:00+00:00",
        "status": 200,
        "code": "00",
        "request": request,
        "response": response,
    }


def _evil_records() -> list[dict[str, Any]]:
    exchange = _exchange(
        'http://sut.example/gateway?x="><script src=https://evil.example/a.js></script>',
        10.0,
        '{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"},"note":"<img src=x onerror=1>"}',
        f"</pre>{EVIL}<a href='https://evil.example/'>click</a>",
    )
    return [
        *RECORDS,
        _record(
            f"scenario {EVIL}",
            "ucsp",
            "failure",
            ["PAY-05"],
            message=f"PAY-05: bad value {EVIL} & <iframe src=https://evil.example>",
            feature='Feature "<i>quoted</i>"',
            exchanges=[exchange, {**exchange, "at": 11.5, "request": None}],
        ),
    ]


def _plain_records() -> list[dict[str, Any]]:
    exchange = _exchange(
        "http://127.0.0.1:8080/gateway",
        1.0,
        '{"trxInfo":{"backUrl":"https://industry.test/notice"}}',
        '{"trxInfo":{"paymentUrl":"https://ucsp.test/pay/1"}}',
    )
    return [_record("order ok", "ucsp", "pass", ["PAY-01"], exchanges=[exchange])]


@pytest.fixture(scope="module")
def page_text() -> str:
    return render_report(_evil_records(), REGISTRY, META)


def _without_own_script(text: str) -> str:
    """The page without its one script (a constant), which must be there exactly once."""
    own = f"<script>{SCRIPT}</script>"
    assert text.count(own) == 1
    return text.replace(own, "")


def test_page_escapes_bodies_messages_and_names(page_text: str) -> None:
    page_text = _without_own_script(page_text)
    assert "<script" not in page_text.lower()
    assert "<img" not in page_text.lower()
    assert "<iframe" not in page_text.lower()
    assert "<a " not in re.sub(r'<a (?:class="[a-z-]+" )?href="#', "", page_text).lower()
    assert "<i>" not in page_text and "<b>target" not in page_text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page_text
    assert "&lt;img src=x onerror=1&gt;" in page_text
    assert "RUN&lt;1&gt;" in page_text
    assert "&lt;with markup&gt; &amp; more" in page_text
    page = Page(page_text)
    assert {tag for tag, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "span",
        "main", "div", "b", "table", "thead", "tbody", "tr", "th", "td", "code", "small", "br",
        "em", "details", "summary", "pre", "nav", "section", "ul", "ol", "li", "a", "h4",
        "label", "select", "option", "button",
    }  # fmt: skip


def test_page_pretty_prints_json_bodies_and_keeps_other_bodies(page_text: str) -> None:
    assert "&quot;msgInfo&quot;: {\n    &quot;msgType&quot;" in page_text  # indented JSON
    assert "&lt;/pre&gt;&lt;script&gt;" in page_text  # not JSON: as it was, escaped
    assert "(none)" in page_text  # a missing body


def test_page_loads_nothing_from_anywhere(page_text: str) -> None:
    page = Page(page_text)
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base", "form")
        for name, value in attrs.items():
            if name == "href" and tag == "a" and str(value).startswith("#"):
                continue  # a place in the page itself
            if name in ("src", "href", "action", "srcset", "data", "poster", "formaction"):
                pytest.fail(f"<{tag} {name}={value!r}> would load or link something")
            assert not (name.startswith("on")), f"<{tag} {name}=...>: an event handler"
    assert [attrs for tag, attrs in page.tags if tag == "script"] == [{}]  # inline, no src
    for word in ("fetch", "XMLHttpRequest", "http", "import", "eval", "innerHTML", "src"):
        assert word not in SCRIPT, word  # the script loads nothing and writes no markup
    style = re.search(r"<style>(.*?)</style>", page_text, re.S)
    assert style is not None
    assert "url(" not in style.group(1) and "@import" not in style.group(1)
    # A page of ordinary records (URLs in bodies and exchanges) has no link either.
    plain = render_report(_plain_records(), REGISTRY, META)
    assert "http://127.0.0.1:8080/gateway" in plain
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", plain, re.I)
    assert "<script" not in _without_own_script(plain) and "<link" not in plain


def test_page_shows_the_counts_by_id(page_text: str) -> None:
    page = Page(page_text)
    verdicts = {"failure": 4, "error": 1, "warning": 2, "pass": 2, "skipped": 1}
    for verdict, count in verdicts.items():
        assert page.by_id[f"count-{verdict}"] == str(count), verdict
    cells = matrix_counts(requirement_matrix(_evil_records(), REGISTRY, BOTH), BOTH)
    for cell in CELL_ORDER:
        assert page.by_id[f"matrix-{cell}"] == str(cells[cell]), cell
    assert page.by_id["matrix-uncovered"] == "2"  # NOT-01 for both roles
    assert page.by_id["matrix-failure"] == "1"  # PAY-05/ucsp: the one requirement violated


def _matrix_row(page_text: str, requirement: str) -> str:
    """The matrix row of ``requirement`` in the page."""
    row = re.search(
        rf'<tr id="req-{requirement}" data-requirement="{requirement}">.*?</tr>', page_text, re.S
    )
    assert row is not None, requirement
    return row.group()


def test_page_shows_the_matrix_it_is_given_and_its_legend() -> None:
    coverage = {"NOT-01": {"ucsp"}}
    rows = requirement_matrix(RECORDS, REGISTRY, BOTH, coverage)
    text = render_report(RECORDS, REGISTRY, META, rows)
    cell = _matrix_row(text, "NOT-01")
    assert '<td data-role="ucsp" data-verdict="not-run">' in cell
    assert '<td data-role="industry" data-verdict="uncovered">' in cell
    legend = re.search(r'<table id="legend">.*?</table>', text, re.S)
    assert legend is not None
    for grade, meaning in CELL_LEGEND.items():
        assert f"{grade.upper()}</span></td><td>{meaning}" in legend.group()


def test_page_matrix_cells_say_na_for_roles_a_requirement_does_not_list(page_text: str) -> None:
    page = Page(page_text)
    cells = [attrs for tag, attrs in page.tags if tag == "td" and "data-role" in attrs]
    by_role = {(a["data-role"], a["data-verdict"]) for a in cells}
    assert len(cells) == len(REGISTRY) * 2
    assert ("ucsp", "na") in by_role and ("industry", "na") in by_role
    row = _matrix_row(page_text, "LOGIN-05")
    assert '<td data-role="ucsp" data-verdict="na"><span class="v-na">n/a</span>' in row
    assert '<td data-role="industry" data-verdict="error">' in row
    row = _matrix_row(page_text, "NOT-01")
    assert row.count('data-verdict="uncovered"') == 2
    assert "<em>none</em>" in row


def test_page_overall_badge_and_scenarios_ordered_worst_first(page_text: str) -> None:
    assert (
        '<h1>UCSP conformance report: <span class="badge v-failure" id="result" '
        'data-result="NOT CONFORMANT">NOT CONFORMANT</span>'
    ) in page_text
    order = [
        a["data-verdict"] for t, a in Page(page_text).tags if t == "details" and "data-verdict" in a
    ]
    assert order == sorted(
        order, key=lambda v: ["failure", "error", "warning", "pass", "skipped"].index(str(v))
    )
    clean = render_report([_record("ok", "ucsp", "pass", ["PAY-01"])], REGISTRY, META)
    assert 'data-result="CONFORMANT">CONFORMANT</span>' in clean
    assert 'class="badge v-pass" id="result"' in clean
    assert 'id="partial"' not in clean
    errored = render_report([_record("ok", "ucsp", "error", ["PAY-01"])], REGISTRY, META)
    assert 'class="badge v-error" id="result" data-result="INCOMPLETE">INCOMPLETE' in errored


def test_page_marks_a_partial_or_stopped_run_and_says_what_it_selected() -> None:
    meta = {
        **META,
        "result": "CONFORMANT",
        "badge": "PARTIAL CONFORMANT",
        "partialReasons": ["scenarios selected by tags: PAY-01", "faults switched on: x"],
        "selection": {"tags": "PAY-01", "faults": ["x"], "strict": True},
        "stopped": "stopped: 5 scenarios in a row could not reach the SUT",
        "suiteCommit": {"commit": "0123456789abcdef", "dirty": True},
    }
    page = Page(render_report([_record("ok", "ucsp", "pass", ["PAY-01"])], REGISTRY, meta))
    assert page.by_id["result"] == "PARTIAL CONFORMANT"
    assert page.by_id["partial"] == (
        "PARTIAL: this run certifies less than its role(s):"
        "scenarios selected by tags: PAY-01faults switched on: x"
    )
    assert page.by_id["selection"] == "Selection: tags PAY-01; faults: x; strict"
    assert page.by_id["stopped"] == meta["stopped"]
    plain = Page(render_report([], REGISTRY, {**META, "selection": {}}))
    assert plain.by_id["selection"] == "Selection: every scenario (not strict)"


def test_page_shows_an_error_kind() -> None:
    text = render_report(RECORDS, REGISTRY, META)
    assert '<div class="error-kind">Error kind: <code>sut-unreachable</code></div>' in text


def test_page_exchange_timeline_is_relative_to_the_first_exchange(page_text: str) -> None:
    assert "#1 +0.00 s &middot; suite to SUT &middot; SUBMIT_PAYMENT_ORDER" in page_text
    assert "#2 +1.50 s" in page_text
    assert "Exchanges (2):" in page_text


# --- a page you navigate: one failure, one error, one warning --------------------------------


def _step(
    keyword: str, text: str, line: int, outcome: str, exchanges: tuple[int, ...] = ()
) -> dict[str, Any]:
    return {
        "keyword": keyword,
        "text": text,
        "line": line,
        "outcome": outcome,
        "exchanges": list(exchanges),
    }


def _sent(at: float, msg_type: str) -> dict[str, Any]:
    return {
        **_exchange("http://127.0.0.1:8080/gateway", at, '{"a": 1}', '{"b": 2}'),
        "msgType": msg_type,
    }


FAILURE_TITLE = "A paid order is notified with txnStatus 00"


def navigable_records() -> list[dict[str, Any]]:
    """A pass, a failure (steps, and an exchange a fixture made), an error, a warning, and an
    older record without steps."""
    failure = _record(
        "A paid order is notified",
        "ucsp",
        "failure",
        ["PAY-05", "SEC-02"],
        title=FAILURE_TITLE,
        feature="Result notices",
        violations=[{"requirement": "PAY-05", "level": "MUST", "message": "txnAmt 99.00"}],
        message="PAY-05: txnAmt 99.00",
        exchanges=[
            _sent(1.0, "INDUSTRY_LOGIN_INFO"),
            _sent(2.0, "SUBMIT_PAYMENT_ORDER"),
            _sent(3.0, "PAYMENT_RESULT_NOTICE"),
        ],
        steps=[
            _step("Given", "an order of 100.00 CNY has been submitted", 13, "passed", (1,)),
            _step("When", "the user pays the order", 14, "passed", (2,)),
            _step("Then", "the notice is delivered with txnStatus 00", 15, "failed"),
            _step("And", "the order is recorded as SUCCEEDED", 16, "not-run"),
        ],
    )
    error = _record(
        "A login is refused",
        "industry",
        "error",
        ["LOGIN-05"],
        feature="Login",
        error={"kind": "sut-unreachable", "cause": "the SUT cannot be reached"},
        steps=[_step("When", "the user logs in", 5, "failed"), _step("Then", "x", 6, "not-run")],
    )
    warning = _record(
        "A skewed timeStamp",
        "industry",
        "warning",
        ["SEC-02"],
        feature="Security",
        violations=[{"requirement": "SEC-02", "level": "SHOULD", "message": "answered 00"}],
        message="SEC-02: answered 00",
        steps=[_step("When", "a skewed request is sent", 8, "passed")],
    )
    passed = _record(
        "An order is answered",
        "ucsp",
        "pass",
        ["PAY-01"],
        steps=[_step("When", "an order is submitted", 4, "passed")],
    )
    older = _record(
        "An older record",
        "ucsp",
        "pass",
        ["PAY-01"],
        exchanges=[_sent(5.0, "SUBMIT_PAYMENT_ORDER")],
    )
    return [passed, warning, failure, older, error]


@pytest.fixture(scope="module")
def nav_text() -> str:
    return render_report(navigable_records(), REGISTRY, META)


def _scenario_html(text: str, title: str) -> str:
    found = re.search(
        r'<details class="scenario"[^>]*>\s*<summary>[^\n]*' + re.escape(title) + r".*?</details>"
        r"\s*(?=<details class=\"scenario\"|</section>)",
        text,
        re.S,
    )
    assert found is not None, title
    return found.group()


def _links(text: str) -> list[str]:
    return [str(a["href"]) for tag, a in Page(text).tags if tag == "a" and a.get("href")]


def test_page_opens_on_the_result_the_failures_and_the_filters(nav_text: str) -> None:
    order = [
        nav_text.index(marker)
        for marker in (
            'id="result"',
            'id="failures"',
            'id="warnings"',
            'id="counts"',
            'id="filters"',
            '<details class="scenario"',
            'id="matrix"',
        )
    ]
    assert order == sorted(order)


def test_every_link_points_to_a_place_in_the_page(nav_text: str) -> None:
    page = Page(nav_text)
    ids = [str(a["id"]) for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    links = _links(nav_text)
    assert links
    for href in links:
        assert href.startswith("#") and href[1:] in ids, href


def test_failures_and_errors_are_listed_apart_from_warnings_each_linking_to_its_scenario(
    nav_text: str,
) -> None:
    page = Page(nav_text)
    verdict_of = {a["id"]: a["data-verdict"] for t, a in page.tags if t == "details" and "id" in a}
    failures = re.search(r'<ul class="problems" id="failures">.*?</ul>', nav_text, re.S)
    warnings = re.search(r'<ul class="problems" id="warnings">.*?</ul>', nav_text, re.S)
    assert failures is not None and warnings is not None
    assert [verdict_of[h[1:]] for h in _links(failures.group())] == ["failure", "error"]
    assert [verdict_of[h[1:]] for h in _links(warnings.group())] == ["warning"]
    assert "PAY-05: txnAmt 99.00" in failures.group()
    assert "sut-unreachable: the SUT cannot be reached" in failures.group()
    assert "Failures and errors (2 scenario runs)" in nav_text
    clean = render_report([_record("ok", "ucsp", "pass", ["PAY-01"])], REGISTRY, META)
    assert Page(clean).by_id["failures-none"] == "No failures and no errors."
    assert Page(clean).by_id["warnings-none"] == "No warnings."


def test_counts_say_what_they_count(nav_text: str) -> None:
    page = Page(nav_text)
    assert page.by_id["scenario-counts"] == (
        "5 scenario runs (each scenario once per role it runs for), by verdict:"
    )
    cells = matrix_counts(requirement_matrix(navigable_records(), REGISTRY, BOTH), BOTH)
    assert page.by_id["requirement-counts"] == (
        "5 requirements in the registry; 4 of them checked by this run's scenarios. "
        f"{sum(cells.values())} requirement × role cells (one per requirement and role under "
        "test it applies to: industry, ucsp), by grade:"
    )
    summary = re.search(
        r'<div class="summary" id="matrix-summary">.*?</div>\n</section>', nav_text, re.S
    )
    assert summary is not None
    assert summary.group().count("<small>cells</small>") == len(CELL_ORDER)


def test_a_scenario_shows_its_steps_with_outcomes_and_the_exchanges_under_them(
    nav_text: str,
) -> None:
    section = _scenario_html(nav_text, FAILURE_TITLE)
    steps = re.findall(r'<li class="step" data-outcome="([a-z-]+)">(.*?)</li>', section, re.S)
    assert [outcome for outcome, _ in steps] == ["passed", "passed", "failed", "not-run"]
    assert "an order of 100.00 CNY has been submitted" in steps[0][1]
    assert '<span class="kw">Given</span>' in steps[0][1] and "line 13" in steps[0][1]
    assert "#2 +1.00 s" in steps[0][1] and "SUBMIT_PAYMENT_ORDER" in steps[0][1]
    assert "#3 +2.00 s" in steps[1][1] and "PAYMENT_RESULT_NOTICE" in steps[1][1]
    assert "<details" not in steps[2][1] and "<details" not in steps[3][1]
    assert "FAILED" in steps[2][1] and "NOT-RUN" in steps[3][1]
    before = section.index('<h4 class="before">Before the steps</h4>')
    assert before < section.index("#1 +0.00 s &middot; suite to SUT &middot; INDUSTRY_LOGIN_INFO")
    assert section.index("#1 +0.00 s") < section.index('<ol class="steps">')
    assert "Exchanges (3):" in section


def test_a_record_without_steps_shows_its_exchanges_as_one_timeline(nav_text: str) -> None:
    section = _scenario_html(nav_text, "An older record")
    assert '<ol class="steps">' not in section
    assert "#1 +0.00 s &middot; suite to SUT &middot; SUBMIT_PAYMENT_ORDER" in section
    # Indices a journal gained after the exchanges were taken are left out, not an error.
    record = {**navigable_records()[2], "steps": [_step("When", "x", 1, "passed", (0, 7))]}
    text = render_report([record], REGISTRY, META)
    assert "#1 +0.00 s" in text and "#8" not in text
    assert "After the steps" in text  # exchanges 2 and 3 belong to no step


def test_scenario_ids_derive_from_the_node_id_alone() -> None:
    records = navigable_records()
    for shown in (records, records[::-1][:3]):  # whatever else the run holds, in any order
        page = Page(render_report(shown, REGISTRY, META))
        ids = {a["id"] for t, a in page.tags if t == "details" and "id" in a}
        assert ids == {scenario_anchor(r["nodeid"]) for r in shown}
    anchor = scenario_anchor("features/x.py::test_a_paid_order_is_notified[ucsp]")
    assert anchor.startswith("s-a-paid-order-is-notified-ucsp-") and len(anchor) == 40
    assert anchor == scenario_anchor("features/x.py::test_a_paid_order_is_notified[ucsp]")
    assert anchor != scenario_anchor("features/x.py::test_a_paid_order_is_notified[industry]")


def test_matrix_rows_carry_an_anchor_and_their_text_and_cells_link_to_their_scenarios(
    nav_text: str,
) -> None:
    row = _matrix_row(nav_text, "PAY-05")
    assert "the rule PAY-05 &lt;with markup&gt; &amp; more" in row
    cell = re.search(r'<td data-role="ucsp" data-verdict="failure">.*?</td>', row, re.S)
    assert cell is not None
    assert (
        '<a class="cell-link" href="#scenarios" data-filters="" '
        'data-filter-requirements="PAY-05" data-filter-role="ucsp"'
    ) in cell.group()
    listed = re.findall(r'<li data-verdict="([a-z]+)"><a href="#([^"]+)">', row)
    assert listed == [("failure", scenario_anchor("features/x.py::A paid order is notified[ucsp]"))]
    assert "FAILURE</span></li>" in row  # marked
    row = _matrix_row(nav_text, "PAY-01")
    assert [v for v, _ in re.findall(r'<li data-verdict="([a-z]+)"><a href="#([^"]+)">', row)] == [
        "pass",
        "pass",
    ]
    assert "</a> <span class" not in row  # passing ones carry no mark
    # A requirement no scenario of the run checks: no link.
    assert "cell-link" not in _matrix_row(nav_text, "NOT-01")
    # Scenarios link to the requirement rows they check.
    section = _scenario_html(nav_text, FAILURE_TITLE)
    assert '<a href="#req-PAY-05"><code>PAY-05</code></a>' in section


def test_filters_offer_the_values_the_scenarios_have(nav_text: str) -> None:
    for key, values in {
        "verdict": ["failure", "error", "warning", "pass"],
        "role": ["industry", "ucsp"],
        "requirements": ["PAY-01", "PAY-05", "SEC-02", "LOGIN-05"],
        "feature": ["Frontend payment", "Login", "Result notices", "Security"],
    }.items():
        name = key.removesuffix("s")
        select = re.search(rf'<select id="filter-{name}" data-key="{key}">(.*?)</select>', nav_text)
        assert select is not None, key
        assert re.findall(r'<option value="([^"]*)">', select.group(1)) == ["", *values], key
    page = Page(nav_text)
    scenarios = [a for t, a in page.tags if t == "details" and "data-requirements" in a]
    assert {a["data-requirements"] for a in scenarios} >= {"PAY-05 SEC-02", "LOGIN-05"}
    assert page.by_id["filter-count"] == "5 of 5 scenarios shown"


WAIVERS = [
    {
        "kind": "scenario",
        "id": FAILURE_TITLE,
        "role": "ucsp",
        "reason": "known <late> notice",
        "owner": "payments",
        "expires": "2027-03-31",
        "status": "applied",
        "scenarios": [FAILURE_TITLE],
    },
    {
        "kind": "requirement",
        "id": "PAY-01",
        "role": "ucsp",
        "reason": "fixed",
        "owner": "payments",
        "expires": "2027-03-31",
        "status": "can be removed",
        "scenarios": [],
    },
    {
        "kind": "requirement",
        "id": "SEC-02",
        "role": "industry",
        "reason": "old",
        "owner": "security",
        "expires": "2025-01-01",
        "status": "expired",
        "scenarios": [],
    },
]


def test_waivers_are_listed_near_the_top_and_a_waived_failure_says_so() -> None:
    text = render_report(navigable_records(), REGISTRY, {**META, "waivers": WAIVERS})
    assert text.index('id="waivers"') < text.index('id="failures"')
    table = re.search(r'<table id="waiver-table">.*?</table>', text, re.S)
    assert table is not None
    statuses = re.findall(r'<tr class="waiver" data-status="([a-z ]+)">', table.group())
    assert statuses == ["applied", "can be removed", "expired"]
    assert "known &lt;late&gt; notice" in table.group()
    assert "CAN BE REMOVED" in table.group() and "EXPIRED" in table.group()
    failure = scenario_anchor("features/x.py::A paid order is notified[ucsp]")
    assert f'<a href="#{failure}">{FAILURE_TITLE}</a>' in table.group()
    assert '<a href="#req-PAY-01"><code>PAY-01</code></a>' in table.group()
    failures = re.search(r'<ul class="problems" id="failures">.*?</ul>', text, re.S)
    assert failures is not None
    assert '<li data-verdict="failure" data-waived="yes">' in failures.group()
    assert "Failures and errors (2 scenario runs, 1 waived)" in text
    section = _scenario_html(text, FAILURE_TITLE)
    assert 'data-waived="yes"' in section and "WAIVED" in section
    assert "Waived by the scenario waiver" in section
    # The expired waiver of SEC-02 waives nothing: the warning stays as it is.
    assert 'data-waived="yes"' not in _scenario_html(text, "A skewed timeStamp")
    # A requirement waiver waives a scenario of its role all of whose violations it names.
    by_requirement = [{**WAIVERS[0], "kind": "requirement", "id": "PAY-05"}]
    text = render_report(navigable_records(), REGISTRY, {**META, "waivers": by_requirement})
    assert 'data-waived="yes"' in _scenario_html(text, FAILURE_TITLE)
    for waivers in (
        [{**by_requirement[0], "role": "industry"}],  # another role
        [{**by_requirement[0], "status": "expired"}],  # expired
    ):
        text = render_report(navigable_records(), REGISTRY, {**META, "waivers": waivers})
        assert 'data-waived="yes"' not in _scenario_html(text, FAILURE_TITLE)
    records = navigable_records()
    records[2]["violations"].append({"requirement": "SEC-02", "level": "MUST", "message": "x"})
    text = render_report(records, REGISTRY, {**META, "waivers": by_requirement})
    assert 'data-waived="yes"' not in _scenario_html(text, FAILURE_TITLE)  # SEC-02 not waived
    assert 'id="waivers"' not in render_report(navigable_records(), REGISTRY, META)
    refused = render_report(navigable_records(), REGISTRY, {**META, "waivers": "refused"})
    assert "Waivers: refused" in refused
