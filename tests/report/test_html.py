"""report.html: the requirement matrix, its counts, and a self-contained, escaped page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from ucsp.report.html import matrix_counts, render_report, requirement_matrix, worst
from ucsp.requirements import Requirement, parse_registry


def _req(rid: str, roles: list[str], level: str = "MUST") -> dict[str, Any]:
    return {
        "id": rid,
        "level": level,
        "provenance": "seed",
        "roles": roles,
        "text": f"the rule {rid} <with markup> & more",
        "section": "§1",
    }


REGISTRY: dict[str, Requirement] = parse_registry(
    {
        "requirement": [
            _req("PAY-01", ["ucsp"]),
            _req("PAY-05", ["industry", "ucsp"]),
            _req("SEC-02", ["industry", "ucsp"], "SHOULD"),
            _req("LOGIN-05", ["industry"]),
            _req("NOT-01", ["industry", "ucsp"]),  # no scenario checks it
        ]
    }
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


RECORDS = [
    _record("order ok", "ucsp", "pass", ["PAY-01"]),
    _record("notice wrong", "ucsp", "failure", ["PAY-05", "SEC-02"]),
    _record("notice ok", "ucsp", "pass", ["PAY-05"]),
    _record("is notice", "industry", "warning", ["PAY-05"]),
    _record("is skipped", "industry", "skipped", ["SEC-02"]),
    # LOGIN-05 does not list ucsp: a ucsp record tagged with it counts for nothing.
    _record("login on ucsp", "ucsp", "failure", ["LOGIN-05"]),
    _record("login a", "industry", "warning", ["LOGIN-05"]),
    _record("login b", "industry", "error", ["LOGIN-05"]),
    # An ID the registry does not know is ignored.
    _record("unknown id", "ucsp", "failure", ["XYZ-99"]),
]


def _rows() -> dict[str, Any]:
    return {row.requirement.id: row for row in requirement_matrix(RECORDS, REGISTRY)}


def test_worst_verdict_order() -> None:
    assert worst([]) == "uncovered"
    assert worst(["pass", "skipped"]) == "pass"
    assert worst(["pass", "warning", "skipped"]) == "warning"
    assert worst(["warning", "error"]) == "error"
    assert worst(["error", "failure", "pass"]) == "failure"
    assert worst(["skipped"]) == "skipped"


def test_matrix_keeps_the_worst_verdict_per_role() -> None:
    rows = _rows()
    assert list(rows) == ["PAY-01", "PAY-05", "SEC-02", "LOGIN-05", "NOT-01"]  # registry order
    assert rows["PAY-01"].verdicts == {"ucsp": "pass"}
    assert rows["PAY-05"].verdicts == {"ucsp": "failure", "industry": "warning"}
    assert rows["SEC-02"].verdicts == {"ucsp": "failure", "industry": "skipped"}
    assert rows["PAY-05"].scenarios["ucsp"] == ["notice wrong", "notice ok"]
    assert rows["PAY-05"].scenarios["industry"] == ["is notice"]


def test_matrix_ignores_roles_a_requirement_does_not_list_and_unknown_ids() -> None:
    rows = _rows()
    assert rows["LOGIN-05"].verdicts == {"industry": "error"}
    assert "ucsp" not in rows["LOGIN-05"].scenarios
    assert "XYZ-99" not in rows


def test_uncovered_requirement_has_no_verdict() -> None:
    rows = _rows()
    assert rows["NOT-01"].verdicts == {}
    assert rows["NOT-01"].scenarios == {}


def test_matrix_counts_count_applicable_cells_of_the_run_roles() -> None:
    rows = requirement_matrix(RECORDS, REGISTRY)
    both = matrix_counts(rows, BOTH)
    assert dict(both) == {
        "pass": 1,  # PAY-01/ucsp
        "failure": 2,  # PAY-05/ucsp, SEC-02/ucsp
        "warning": 1,  # PAY-05/industry
        "skipped": 1,  # SEC-02/industry
        "error": 1,  # LOGIN-05/industry
        "uncovered": 2,  # NOT-01 for both roles
    }
    # 8 applicable cells: PAY-01 and LOGIN-05 apply to one role each (n/a is not counted).
    assert sum(both.values()) == 8
    assert dict(matrix_counts(rows, ["ucsp"])) == {"pass": 1, "failure": 2, "uncovered": 1}
    assert dict(matrix_counts(rows, ["industry"])) == {
        "warning": 1,
        "skipped": 1,
        "error": 1,
        "uncovered": 1,
    }


def test_empty_run_leaves_every_requirement_uncovered() -> None:
    rows = requirement_matrix([], REGISTRY)
    assert dict(matrix_counts(rows, BOTH)) == {"uncovered": 8}


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


def _evil_records() -> list[dict[str, Any]]:
    exchange = {
        "direction": "suite to SUT",
        "msgType": "SUBMIT_PAYMENT_ORDER",
        "url": 'http://sut.example/gateway?x="><script src=https://evil.example/a.js></script>',
        "at": 10.0,
        "wall": "2026-01-15T10:30:00+00:00",
        "status": 200,
        "code": "00",
        "request": '{"msgInfo":{"msgType":"SUBMIT_PAYMENT_ORDER"},"note":"<img src=x onerror=1>"}',
        "response": f"</pre>{EVIL}<a href='https://evil.example/'>click</a>",
    }
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
    exchange = {
        "direction": "suite to SUT",
        "msgType": "SUBMIT_PAYMENT_ORDER",
        "url": "http://127.0.0.1:8080/gateway",
        "at": 1.0,
        "wall": "2026-01-15T10:30:00+00:00",
        "status": 200,
        "code": "00",
        "request": '{"trxInfo":{"backUrl":"https://industry.test/notice"}}',
        "response": '{"trxInfo":{"paymentUrl":"https://ucsp.test/pay/1"}}',
    }
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
    cells = matrix_counts(requirement_matrix(_evil_records(), REGISTRY), BOTH)
    for verdict in ("failure", "error", "warning", "pass", "skipped", "uncovered"):
        assert page.by_id[f"matrix-{verdict}"] == str(cells[verdict]), verdict
    assert page.by_id["matrix-uncovered"] == "2"
    assert page.by_id["matrix-failure"] == "2"


def test_page_matrix_cells_say_na_for_roles_a_requirement_does_not_list(page_text: str) -> None:
    page = Page(page_text)
    cells = [attrs for tag, attrs in page.tags if tag == "td" and "data-role" in attrs]
    by_role = {(a["data-role"], a["data-verdict"]) for a in cells}
    assert len(cells) == len(REGISTRY) * 2
    assert ("ucsp", "na") in by_role and ("industry", "na") in by_role
    row = re.search(r'<tr data-requirement="LOGIN-05">.*?</tr>', page_text, re.S)
    assert row is not None
    assert '<td data-role="ucsp" data-verdict="na"><span class="v-na">n/a</span>' in row.group()
    assert '<td data-role="industry" data-verdict="error">' in row.group()
    row = re.search(r'<tr data-requirement="NOT-01">.*?</tr>', page_text, re.S)
    assert row is not None
    assert row.group().count('data-verdict="uncovered"') == 2
    assert "<em>none</em>" in row.group()


def test_page_overall_badge_and_scenarios_ordered_worst_first(page_text: str) -> None:
    assert '<h1>UCSP conformance report: <span class="badge v-failure">FAILURE</span>' in (
        page_text
    )
    order = [
        a["data-verdict"] for t, a in Page(page_text).tags if t == "details" and "data-verdict" in a
    ]
    assert order == sorted(
        order, key=lambda v: ["failure", "error", "warning", "pass", "skipped"].index(str(v))
    )
    clean = render_report([_record("ok", "ucsp", "pass", ["PAY-01"])], REGISTRY, META)
    assert '<h1>UCSP conformance report: <span class="badge v-pass">PASS</span>' in clean


def test_page_exchange_timeline_is_relative_to_the_first_exchange(page_text: str) -> None:
    assert "#1 +0.00 s &middot; suite to SUT &middot; SUBMIT_PAYMENT_ORDER" in page_text
    assert "#2 +1.50 s" in page_text
    assert "Exchanges (2):" in page_text
