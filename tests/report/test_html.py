"""report.html: the result badge, the requirement matrix and its legend, and a self-contained,
escaped page. (The matrix itself is unit-tested in tests/test_outcome.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.support import seed_registry
from ucsp.outcome import CELL_LEGEND, CELL_ORDER, matrix_counts, requirement_matrix
from ucsp.report.html import render_report
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


def test_page_escapes_bodies_messages_and_names(page_text: str) -> None:
    assert "<script" not in page_text.lower()
    assert "<img" not in page_text.lower()
    assert "<iframe" not in page_text.lower()
    assert "<a " not in page_text.lower()
    assert "<i>" not in page_text and "<b>target" not in page_text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page_text
    assert "&lt;img src=x onerror=1&gt;" in page_text
    assert "RUN&lt;1&gt;" in page_text
    assert "&lt;with markup&gt; &amp; more" in page_text
    page = Page(page_text)
    assert {tag for tag, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "span",
        "main", "div", "b", "table", "thead", "tbody", "tr", "th", "td", "code", "small", "br",
        "em", "details", "summary", "pre",
    }  # fmt: skip


def test_page_pretty_prints_json_bodies_and_keeps_other_bodies(page_text: str) -> None:
    assert "&quot;msgInfo&quot;: {\n    &quot;msgType&quot;" in page_text  # indented JSON
    assert "&lt;/pre&gt;&lt;script&gt;" in page_text  # not JSON: as it was, escaped
    assert "(none)" in page_text  # a missing body


def test_page_loads_nothing_from_anywhere(page_text: str) -> None:
    page = Page(page_text)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed", "base")
        for name, value in attrs.items():
            if name in ("src", "href", "action", "srcset", "data", "poster", "formaction"):
                pytest.fail(f"<{tag} {name}={value!r}> would load or link something")
            assert not (name.startswith("on")), f"<{tag} {name}=...>: an event handler"
    style = re.search(r"<style>(.*?)</style>", page_text, re.S)
    assert style is not None
    assert "url(" not in style.group(1) and "@import" not in style.group(1)
    # A page of ordinary records (URLs in bodies and exchanges) has no link either.
    plain = render_report(_plain_records(), REGISTRY, META)
    assert "http://127.0.0.1:8080/gateway" in plain
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", plain, re.I)
    assert "<script" not in plain and "<link" not in plain


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
    row = re.search(rf'<tr data-requirement="{requirement}">.*?</tr>', page_text, re.S)
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
