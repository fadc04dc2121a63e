"""report.html: one self-contained page (no network, works from ``file://``) that opens on the
run's result (with what it selected and why it is partial), its waivers, the list of its
failures and errors and, apart, its warnings, each linking to its scenario; then what the
counts count (scenario runs by verdict, requirements, requirement × role cells by grade), the
scenarios with their filters (verdict, role, requirement, feature), each with its Gherkin steps
and the exchanges under the step that made them, and the requirement matrix with its legend,
each cell linking to its scenarios. Every value is escaped; the page's one script is a
constant (:mod:`ucsp.report.html_assets`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.outcome import (
    CELL_ORDER,
    RequirementRow,
    Result,
    badge,
    matrix_counts,
    overall_result,
    requirement_matrix,
)
from ucsp.report.html_assets import CSS, SCRIPT
from ucsp.report.html_matrix import legend, matrix
from ucsp.report.html_scenarios import scenario_section
from ucsp.report.html_text import (
    VERDICT_ORDER,
    esc,
    scenario_anchors,
    title_of,
    worst_first,
)
from ucsp.report.html_text import badge as badge_html
from ucsp.report.html_waivers import waived_by, waivers_of, waivers_section
from ucsp.requirements import Requirement

__all__ = ["VERDICT_ORDER", "render_report"]

RESULT_CLASS = {
    Result.CONFORMANT: "pass",
    Result.NOT_CONFORMANT: "failure",
    Result.INCOMPLETE: "error",
}
FILTERS = (  # the select's id (filter-NAME), the scenario attribute it reads (data-KEY), label
    ("verdict", "verdict", "Verdict"),
    ("role", "role", "Role"),
    ("requirement", "requirements", "Requirement"),
    ("feature", "feature", "Feature"),
)


def _selection_text(selection: Mapping[str, Any]) -> str:
    parts = []
    for key in ("tags", "keywords"):
        if selection.get(key):
            parts.append(f"{key} {selection[key]}")
    for key in ("scenarios", "faults"):
        if selection.get(key):
            parts.append(f"{key}: {', '.join(map(str, selection[key]))}")
    parts.append("strict" if selection.get("strict") else "not strict")
    return "; ".join(parts) if len(parts) > 1 else f"every scenario ({parts[0]})"


def _header(meta: Mapping[str, Any], result: Result, label: str, reasons: list[str]) -> list[str]:
    commit = meta.get("suiteCommit") or {}
    roles = [str(r) for r in meta.get("roles", [])]
    out = [
        f'<header><h1>UCSP conformance report: <span class="badge v-{RESULT_CLASS[result]}" '
        f'id="result" data-result="{esc(result)}">{esc(label)}</span></h1>',
        f"<p>Run {esc(meta.get('runId'))} &middot; started {esc(meta.get('started'))} &middot; "
        f"ucsp-conformance {esc(meta.get('suiteVersion'))}"
        + (
            f" &middot; commit <code>{esc(str(commit.get('commit', ''))[:12])}</code>"
            + (" (modified)" if commit.get("dirty") else "")
            if commit
            else ""
        )
        + "</p>",
        f"<p>Role(s) under test: {esc(', '.join(roles))} &middot; target: "
        f"{esc(meta.get('targetName'))} &middot; profile SHA-256 "
        f"<code>{esc(str(meta.get('profileSha256', ''))[:16])}</code></p>",
        f'<p id="selection">Selection: {esc(_selection_text(meta.get("selection") or {}))}</p>',
    ]
    if meta.get("stopped"):
        out.append(f'<div class="partial" id="stopped">{esc(meta["stopped"])}</div>')
    if reasons:
        out.append(
            '<div class="partial" id="partial">PARTIAL: this run certifies less than its '
            "role(s):<br>" + "<br>".join(esc(r) for r in reasons) + "</div>"
        )
    out.append("</header>")
    return out


def _problem_text(record: Mapping[str, Any]) -> str:
    """What went wrong, in one line: the violations, else the error, else the message."""
    violations = [
        f"{v.get('requirement')}: {v.get('message')}"
        for v in record.get("violations") or []
        if isinstance(v, Mapping)
    ]
    error = record.get("error") or {}
    if str(record.get("verdict")) == "error" and error:
        return f"{error.get('kind')}: {error.get('cause')}"
    return "; ".join(violations) or str(record.get("message") or "")


def _problem_list(
    ident: str, found: Sequence[tuple[Mapping[str, Any], str, bool]], none: str
) -> str:
    if not found:
        return f'<p id="{esc(ident)}-none">{esc(none)}</p>'
    items = []
    for record, anchor, waived in found:
        verdict = str(record.get("verdict", ""))
        items.append(
            f'<li data-verdict="{esc(verdict)}"'
            + (' data-waived="yes"' if waived else "")
            + f">{badge_html(verdict)}"
            + (" " + badge_html("waived") if waived else "")
            + f' <a href="#{esc(anchor)}">[{esc(record.get("role"))}] {esc(record.get("feature"))}:'
            f" {esc(title_of(record))}</a>"
            f' &middot; <span class="problem">{esc(_problem_text(record))}</span></li>'
        )
    return f'<ul class="problems" id="{esc(ident)}">' + "".join(items) + "</ul>"


def _runs(count: int) -> str:
    return f"{count} scenario run" + ("" if count == 1 else "s")


def _problems(records: Sequence[tuple[Mapping[str, Any], str, bool]]) -> list[str]:
    failing = [p for p in records if p[0].get("verdict") in ("failure", "error")]
    warned = [p for p in records if p[0].get("verdict") == "warning"]
    waived = sum(1 for p in failing if p[2])
    return [
        '<section id="problems">',
        f"<h2>Failures and errors ({_runs(len(failing))}"
        + (f", {waived} waived" if waived else "")
        + ")</h2>",
        _problem_list("failures", failing, "No failures and no errors."),
        f"<h2>Warnings ({_runs(len(warned))})</h2>",
        _problem_list("warnings", warned, "No warnings."),
        "</section>",
    ]


def _counts(
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    rows: Sequence[RequirementRow],
    roles: Sequence[str],
) -> list[str]:
    verdicts = Counter(str(r.get("verdict")) for r in records)
    cells = matrix_counts(rows, roles)
    checked = sum(1 for row in rows if any(row.scenarios.get(role) for role in roles))
    out = [
        '<section id="counts">',
        "<h2>Counts</h2>",
        f'<p id="scenario-counts">{_runs(len(records))} (each scenario once per role it runs '
        "for), by verdict:</p>",
        '<div class="summary" id="verdict-summary">',
    ]
    for verdict in VERDICT_ORDER:
        out.append(
            f'<a class="count" href="#scenarios" data-filters="" data-filter-verdict="{verdict}" '
            f'data-verdict="{verdict}"><b class="v-{verdict}" id="count-{verdict}">'
            f"{verdicts[verdict]}</b>{verdict}</a>"
        )
    out += [
        "</div>",
        f'<p id="requirement-counts">{len(registry)} requirements in the registry; {checked} of '
        f"them checked by this run's scenarios. {sum(cells.values())} requirement × role cells "
        f"(one per requirement and role under test it applies to: {esc(', '.join(roles))}), "
        "by grade:</p>",
        '<div class="summary" id="matrix-summary">',
    ]
    for cell in CELL_ORDER:
        out.append(
            f'<div class="count"><b class="v-{cell}" id="matrix-{cell}">'
            f"{cells[cell]}</b>{cell} <small>cells</small></div>"
        )
    out += ["</div>", "</section>"]
    return out


def _options(values: Sequence[str], label: str) -> str:
    return f'<option value="">{esc(label)}</option>' + "".join(
        f'<option value="{esc(v)}">{esc(v)}</option>' for v in values
    )


def _filters(records: Sequence[Mapping[str, Any]], registry: Mapping[str, Requirement]) -> str:
    tagged = {str(rid) for r in records for rid in r.get("requirements") or []}
    values = {
        "verdict": [v for v in VERDICT_ORDER if any(r.get("verdict") == v for r in records)]
        + sorted({str(r.get("verdict")) for r in records} - set(VERDICT_ORDER)),
        "role": sorted({str(r.get("role", "")) for r in records}),
        "requirements": [rid for rid in registry if rid in tagged] + sorted(tagged - set(registry)),
        "feature": sorted({str(r.get("feature", "")) for r in records}),
    }
    out = ['<div class="filters" id="filters">']
    for name, key, label in FILTERS:
        out.append(
            f'<label>{esc(label)} <select id="filter-{name}" data-key="{key}">'
            f"{_options(values[key], 'any')}</select></label>"
        )
    out += [
        '<button type="button" id="filter-clear">Show all</button>',
        f'<span id="filter-count">{len(records)} of {len(records)} scenarios shown</span>',
        "</div>",
    ]
    return "\n".join(out)


def render_report(
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    meta: Mapping[str, Any],
    rows: Sequence[RequirementRow] | None = None,
) -> str:
    """The whole page. ``meta``: runId, suiteVersion, suiteCommit, roles, targetName,
    profileSha256, started; result, badge, partialReasons, selection, stopped (as the run's
    summary in results.json); waivers (:mod:`ucsp.report.html_waivers`), when the run had a
    baseline; ``rows``: the requirement matrix (default: from the records)."""
    roles = [str(r) for r in meta.get("roles", [])]
    rows = list(rows) if rows is not None else requirement_matrix(records, registry, roles)
    result = Result(meta.get("result") or overall_result(records))
    reasons = [str(reason) for reason in meta.get("partialReasons", [])]
    label = str(meta.get("badge") or badge(result, bool(reasons)))
    waivers = waivers_of(meta)
    ordered = worst_first(records)
    anchors = scenario_anchors(ordered)
    waived = [waived_by(record, waivers) for record in ordered]
    by_title = {
        (title_of(r), str(r.get("role", ""))): anchor
        for r, anchor in zip(ordered, anchors, strict=True)
    }
    listed = [(r, a, bool(w)) for r, a, w in zip(ordered, anchors, waived, strict=True)]
    toc = [
        ("problems", "Failures and errors"),
        *([("waivers", "Waivers")] if waivers or isinstance(meta.get("waivers"), str) else []),
        ("counts", "Counts"),
        ("scenarios", "Scenarios"),
        ("requirements", "Requirement matrix"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>UCSP conformance report {esc(meta.get('runId'))}</title>",
        f"<style>{CSS}</style></head><body>",
        *_header(meta, result, label, reasons),
        '<nav id="toc">' + "".join(f'<a href="#{k}">{esc(t)}</a>' for k, t in toc) + "</nav>",
        "<main>",
        waivers_section(meta, registry, by_title),
        *_problems(listed),
        *_counts(records, registry, rows, roles),
        '<section id="scenarios">',
        f"<h2>Scenarios ({_runs(len(records))})</h2>",
        _filters(ordered, registry),
        *(
            scenario_section(record, anchor, registry, covered)
            for record, anchor, covered in zip(ordered, anchors, waived, strict=True)
        ),
        "</section>",
        '<section id="requirements">',
        "<h2>Requirement matrix</h2>",
        "<p>One row per requirement of the registry, one cell per role under test it applies "
        "to; a cell links to its scenarios.</p>",
        legend(),
        matrix(rows, roles, ordered, anchors),
        "</section>",
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(part for part in out if part) + "\n"
