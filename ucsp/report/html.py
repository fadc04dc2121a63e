"""report.html: one self-contained page (no network) with the run's result badge, what it
selected and why it is partial, the verdict summary, the requirement × role matrix (with
its legend) and every scenario's timeline of exchanges."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.outcome import (
    CELL_LEGEND,
    CELL_ORDER,
    RequirementRow,
    Result,
    badge,
    matrix_counts,
    overall_result,
    requirement_matrix,
)
from ucsp.requirements import Requirement

VERDICT_ORDER = ("failure", "error", "warning", "pass", "skipped")
RESULT_CLASS = {
    Result.CONFORMANT: "pass",
    Result.NOT_CONFORMANT: "failure",
    Result.INCOMPLETE: "error",
}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24}
header{padding:18px 28px;background:#14324a;color:#fff}
header h1{margin:0 0 4px;font-size:22px} header p{margin:2px 0;opacity:.9}
main{padding:18px 28px} h2{border-bottom:1px solid #d0d7de;padding-bottom:4px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.count{border-radius:8px;padding:10px 16px;min-width:90px;background:#f6f8fa}
.count b{display:block;font-size:24px}
.v-pass{color:#116329}.v-failure,.v-error{color:#b42318}.v-warning{color:#9a6700}
.v-skipped,.v-uncovered,.v-na,.v-not-run,.v-unjudged{color:#57606a}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
background:#eef1f4}
.badge.v-pass{background:#dafbe1}.badge.v-failure,.badge.v-error{background:#ffebe9}
.badge.v-warning{background:#fff8c5}.badge.v-unjudged,.badge.v-not-run{background:#eef1f4}
.partial{background:#fff8c5;color:#1b1f24;border-radius:6px;padding:6px 10px;margin:6px 0}
table{border-collapse:collapse;width:100%;margin:8px 0 20px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.req{white-space:nowrap;font-family:ui-monospace,monospace}
details.scenario{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:4px 10px}
details.scenario>summary{cursor:pointer;font-weight:600}
details.exchange{margin:4px 0 4px 16px} details.exchange>summary{cursor:pointer}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap;
word-break:break-all;font-size:12px}
.message{color:#b42318;white-space:pre-wrap}
"""


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


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _badge(verdict: str) -> str:
    return f'<span class="badge v-{_e(verdict)}">{_e(verdict.upper())}</span>'


def _pretty(body: str | None) -> str:
    if body is None:
        return "(none)"
    try:
        pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        pretty.encode("utf-8")  # a lone surrogate escape decodes to an unencodable character
    except (ValueError, UnicodeEncodeError):
        return body
    return pretty


def _exchange(index: int, exchange: Mapping[str, Any], origin: float) -> str:
    at = float(exchange.get("at") or 0.0) - origin
    title = (
        f"#{index + 1} +{at:.2f} s &middot; {_e(exchange.get('direction'))} &middot; "
        f"{_e(exchange.get('msgType') or '(not a protocol message)')} &middot; "
        f"HTTP {_e(exchange.get('status'))} &middot; code {_e(exchange.get('code'))}"
    )
    return (
        f'<details class="exchange"><summary>{title}</summary>'
        f"<div>URL: <code>{_e(exchange.get('url'))}</code></div>"
        f'<div>Request</div><pre class="request">{_e(_pretty(exchange.get("request")))}</pre>'
        f'<div>Response</div><pre class="response">{_e(_pretty(exchange.get("response")))}'
        "</pre></details>"
    )


def _scenario(record: Mapping[str, Any]) -> str:
    verdict = str(record.get("verdict", ""))
    exchanges = list(record.get("exchanges", []))
    error = record.get("error") or {}
    origin = min((float(x.get("at") or 0.0) for x in exchanges), default=0.0)
    reqs = " ".join(record.get("requirements", []))
    role = _e(record.get("role"))
    parts = [
        f'<details class="scenario" data-verdict="{_e(verdict)}" data-role="{role}">',
        f"<summary>{_badge(verdict)} [{_e(record.get('role'))}] {_e(record.get('feature'))}: "
        f"{_e(record.get('title') or record.get('scenario') or record.get('nodeid'))}</summary>",
        f"<div>Requirements: <code>{_e(reqs or '-')}</code> &middot; "
        f"{float(record.get('duration', 0)):.2f} s</div>",
    ]
    if error:
        parts.append(
            f'<div class="error-kind">Error kind: <code>{_e(error.get("kind"))}</code></div>'
        )
    if record.get("message"):
        parts.append(f'<div class="message">{_e(record["message"])}</div>')
    parts.append(f"<div>Exchanges ({len(exchanges)}):</div>")
    parts += [_exchange(i, x, origin) for i, x in enumerate(exchanges)]
    parts.append("</details>")
    return "\n".join(parts)


def render_report(
    records: Sequence[Mapping[str, Any]],
    registry: Mapping[str, Requirement],
    meta: Mapping[str, Any],
    rows: Sequence[RequirementRow] | None = None,
) -> str:
    """The whole page. ``meta``: runId, suiteVersion, suiteCommit, roles, targetName,
    profileSha256, started; result, badge, partialReasons, selection, stopped (as the run's
    summary in results.json); ``rows``: the requirement matrix (default: from the records)."""
    roles = [str(r) for r in meta.get("roles", [])]
    verdicts = Counter(str(r.get("verdict")) for r in records)
    rows = list(rows) if rows is not None else requirement_matrix(records, registry, roles)
    cells = matrix_counts(rows, roles)
    result = Result(meta.get("result") or overall_result(records))
    reasons = [str(reason) for reason in meta.get("partialReasons", [])]
    label = str(meta.get("badge") or badge(result, bool(reasons)))
    commit = meta.get("suiteCommit") or {}
    selection = meta.get("selection") or {}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>UCSP conformance report {_e(meta.get('runId'))}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<header><h1>UCSP conformance report: <span class="badge v-{RESULT_CLASS[result]}" '
        f'id="result" data-result="{_e(result)}">{_e(label)}</span></h1>',
        f"<p>Run {_e(meta.get('runId'))} &middot; started {_e(meta.get('started'))} &middot; "
        f"ucsp-conformance {_e(meta.get('suiteVersion'))}"
        + (
            f" &middot; commit <code>{_e(str(commit.get('commit', ''))[:12])}</code>"
            + (" (modified)" if commit.get("dirty") else "")
            if commit
            else ""
        )
        + "</p>",
        f"<p>Role(s) under test: {_e(', '.join(roles))} &middot; target: "
        f"{_e(meta.get('targetName'))} &middot; profile SHA-256 "
        f"<code>{_e(str(meta.get('profileSha256', ''))[:16])}</code></p>",
        f'<p id="selection">Selection: {_e(_selection_text(selection))}</p>',
    ]
    if meta.get("stopped"):
        out.append(f'<div class="partial" id="stopped">{_e(meta["stopped"])}</div>')
    if reasons:
        out.append(
            '<div class="partial" id="partial">PARTIAL: this run certifies less than its '
            "role(s):<br>" + "<br>".join(_e(r) for r in reasons) + "</div>"
        )
    out += [
        "</header><main>",
        "<h2>Verdicts</h2>",
        '<div class="summary" id="verdict-summary">',
    ]
    for verdict in VERDICT_ORDER:
        out.append(
            f'<div class="count" data-verdict="{verdict}"><b class="v-{verdict}" '
            f'id="count-{verdict}">{verdicts[verdict]}</b>{verdict}</div>'
        )
    out += [
        "</div>",
        "<h2>Requirements</h2>",
        '<div class="summary" id="matrix-summary">',
    ]
    for cell in CELL_ORDER:
        out.append(
            f'<div class="count"><b class="v-{cell}" id="matrix-{cell}">'
            f"{cells[cell]}</b>{cell}</div>"
        )
    out += [
        "</div>",
        f"<p>Requirement × role cells of the role(s) under test: {sum(cells.values())} "
        f"({len(rows)} requirements).</p>",
        '<table id="legend"><tbody>',
        *(
            f"<tr><td>{_badge(str(cell))}</td><td>{_e(text)}</td></tr>"
            for cell, text in CELL_LEGEND.items()
        ),
        "</tbody></table>",
        '<table id="matrix"><thead><tr><th>ID</th><th>Level</th>'
        "<th>Provenance</th><th>Requirement</th>",
    ]
    out += [f"<th>{_e(role)}</th>" for role in roles]
    out.append("<th>Scenarios</th></tr></thead><tbody>")
    for row in rows:
        req = row.requirement
        cells_html = []
        for role in roles:
            applies = role in [str(r) for r in req.roles]
            verdict = row.verdicts.get(role, "not-run") if applies else "na"
            label = _badge(verdict) if applies else '<span class="v-na">n/a</span>'
            cells_html.append(
                f'<td data-role="{_e(role)}" data-verdict="{_e(verdict)}">{label}</td>'
            )
        names = sorted({n for role in roles for n in row.scenarios.get(role, [])})
        out.append(
            f'<tr data-requirement="{_e(req.id)}"><td class="req">{_e(req.id)}</td>'
            f"<td>{_e(req.level)}</td><td>{_e(req.provenance)}</td>"
            f"<td>{_e(req.text)} <small>({_e(req.section)})</small></td>"
            + "".join(cells_html)
            + f"<td>{'<br>'.join(_e(n) for n in names) or '<em>none</em>'}</td></tr>"
        )
    out.append("</tbody></table><h2>Scenarios</h2>")
    ordered = sorted(
        records,
        key=lambda r: (
            VERDICT_ORDER.index(str(r.get("verdict"))) if r.get("verdict") in VERDICT_ORDER else 9,
            str(r.get("feature")),
            str(r.get("scenario")),
        ),
    )
    out += [_scenario(r) for r in ordered]
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
