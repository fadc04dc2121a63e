"""report.html: one self-contained page (no network) with the verdict summary, the
per-requirement matrix and every scenario's timeline of exchanges."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ucsp.requirements import Requirement

VERDICT_ORDER = ("failure", "error", "warning", "pass", "skipped")
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24}
header{padding:18px 28px;background:#14324a;color:#fff}
header h1{margin:0 0 4px;font-size:22px} header p{margin:2px 0;opacity:.9}
main{padding:18px 28px} h2{border-bottom:1px solid #d0d7de;padding-bottom:4px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.count{border-radius:8px;padding:10px 16px;min-width:90px;background:#f6f8fa}
.count b{display:block;font-size:24px}
.v-pass{color:#116329}.v-failure,.v-error{color:#b42318}.v-warning{color:#9a6700}
.v-skipped,.v-uncovered,.v-na{color:#57606a}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
background:#eef1f4}
.badge.v-pass{background:#dafbe1}.badge.v-failure,.badge.v-error{background:#ffebe9}
.badge.v-warning{background:#fff8c5}
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


@dataclass
class RequirementRow:
    requirement: Requirement
    verdicts: dict[str, str] = field(default_factory=dict)  # role -> worst verdict
    scenarios: dict[str, list[str]] = field(default_factory=dict)  # role -> scenario names


def worst(verdicts: Iterable[str]) -> str:
    present = set(verdicts)
    for verdict in VERDICT_ORDER:
        if verdict in present:
            return verdict
    return "uncovered"


def requirement_matrix(
    records: Sequence[Mapping[str, Any]], registry: Mapping[str, Requirement]
) -> list[RequirementRow]:
    """Per requirement and role: the worst verdict of the scenarios checking it."""
    rows = {rid: RequirementRow(req) for rid, req in registry.items()}
    found: dict[tuple[str, str], list[str]] = {}
    for record in records:
        role = str(record.get("role", ""))
        for rid in record.get("requirements", []):
            row = rows.get(rid)
            if row is None or role not in [str(r) for r in row.requirement.roles]:
                continue
            found.setdefault((rid, role), []).append(str(record.get("verdict", "")))
            row.scenarios.setdefault(role, []).append(str(record.get("scenario", "")))
    for (rid, role), verdicts in found.items():
        rows[rid].verdicts[role] = worst(verdicts)
    return list(rows.values())


def matrix_counts(rows: list[RequirementRow], roles: Iterable[str]) -> Counter[str]:
    """How many (requirement, role) cells of the run's roles end in each verdict."""
    counts: Counter[str] = Counter()
    for row in rows:
        for role in roles:
            if role in [str(r) for r in row.requirement.roles]:
                counts[row.verdicts.get(role, "uncovered")] += 1
    return counts


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
) -> str:
    """The whole page. ``meta``: runId, suiteVersion, roles, target, profile, started."""
    roles = [str(r) for r in meta.get("roles", [])]
    verdicts = Counter(str(r.get("verdict")) for r in records)
    rows = requirement_matrix(records, registry)
    cells = matrix_counts(rows, roles)
    overall = "pass" if not (verdicts["failure"] or verdicts["error"]) else "failure"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>UCSP conformance report {_e(meta.get('runId'))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>UCSP conformance report: {_badge(overall)}</h1>",
        f"<p>Run {_e(meta.get('runId'))} &middot; started {_e(meta.get('started'))} &middot; "
        f"ucsp-conformance {_e(meta.get('suiteVersion'))}</p>",
        f"<p>Role(s) under test: {_e(', '.join(roles))} &middot; target: "
        f"{_e(meta.get('targetName'))} &middot; profile SHA-256 "
        f"<code>{_e(str(meta.get('profileSha256', ''))[:16])}</code></p></header><main>",
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
    for verdict in (*VERDICT_ORDER, "uncovered"):
        out.append(
            f'<div class="count"><b class="v-{verdict}" id="matrix-{verdict}">'
            f"{cells[verdict]}</b>{verdict}</div>"
        )
    out += [
        "</div>",
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
            verdict = row.verdicts.get(role, "uncovered") if applies else "na"
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
