"""report.html's waivers: the known deviations a baseline accepts, and which failure or
warning each waives (``meta["waivers"]``, as :mod:`ucsp.baseline` gives them: one ``{"kind":
"requirement"|"scenario", "id", "role", "reason", "owner", "expires", "status": "applied"|
"can be removed"|"expired"|"not run", "scenarios": [titles of the deviating scenarios it
names]}`` per waiver)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.report.html_text import badge, esc, requirement_anchor, title_of

STATUS_GRADE = {
    "applied": "waived",
    "can be removed": "warning",
    "expired": "failure",
    "not run": "not-run",
}
WAIVABLE = ("failure", "warning")


def waivers_of(meta: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The run's waivers (none when the run had no baseline, or refused one)."""
    waivers = meta.get("waivers")
    if not isinstance(waivers, list):
        return []
    return [w for w in waivers if isinstance(w, Mapping)]


def _live(waiver: Mapping[str, Any], role: str) -> bool:
    return str(waiver.get("status", "applied")) != "expired" and str(waiver.get("role")) == role


def waived_by(
    record: Mapping[str, Any], waivers: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The waivers that waive this record's FAILURE or WARNING (none: not waived), by the
    baseline's rule: a live waiver of its role names its title (kind ``scenario``), or live
    waivers of its role name every requirement it violated (kind ``requirement``)."""
    if str(record.get("verdict")) not in WAIVABLE:
        return []
    role, title = str(record.get("role", "")), title_of(record)
    live = [w for w in waivers if _live(w, role)]
    found = [w for w in live if w.get("kind") == "scenario" and str(w.get("id")) == title]
    violated = {str(v.get("requirement")) for v in record.get("violations") or []}
    naming = [w for w in live if w.get("kind") == "requirement" and str(w.get("id")) in violated]
    if violated and violated <= {str(w.get("id")) for w in naming}:
        found += naming
    return found


def waivers_section(
    meta: Mapping[str, Any],
    registry: Mapping[str, Any],
    anchors: Mapping[tuple[str, str], str],
) -> str:
    """The Waivers section (empty when the run had none); ``anchors``: (title, role) → id."""
    refused = meta.get("waivers")
    if isinstance(refused, str) and refused:
        return (
            '<section id="waivers"><h2>Waivers</h2>'
            f"<p>Waivers: {esc(refused)} (a certification run reports every deviation).</p>"
            "</section>"
        )
    waivers = waivers_of(meta)
    if not waivers:
        return ""
    out = [
        '<section id="waivers">',
        f"<h2>Waivers ({len(waivers)})</h2>",
        "<p>Known deviations this run's baseline accepts. A waived failure stays a failure in "
        "the requirement matrix; it is marked WAIVED in the lists below.</p>",
        '<table id="waiver-table"><thead><tr><th>Kind</th><th>Waives</th><th>Role</th>'
        "<th>Reason</th><th>Owner</th><th>Expires</th><th>Status</th>"
        "<th>Deviating scenarios it names</th></tr></thead><tbody>",
    ]
    for waiver in waivers:
        kind, wid = str(waiver.get("kind", "")), str(waiver.get("id", ""))
        role, status = str(waiver.get("role", "")), str(waiver.get("status", "applied"))
        waives = f"<code>{esc(wid)}</code>"
        if kind == "requirement" and wid in registry:
            waives = f'<a href="#{esc(requirement_anchor(wid))}">{waives}</a>'
        titles = [str(t) for t in waiver.get("scenarios") or []]
        links = [
            f'<a href="#{esc(anchors[(t, role)])}">{esc(t)}</a>' if (t, role) in anchors else esc(t)
            for t in titles
        ]
        out.append(
            f'<tr class="waiver" data-status="{esc(status)}"><td>{esc(kind)}</td>'
            f"<td>{waives}</td><td>{esc(role or 'any')}</td><td>{esc(waiver.get('reason', ''))}"
            f"</td><td>{esc(waiver.get('owner', ''))}</td><td>{esc(waiver.get('expires', ''))}"
            f"</td><td>{badge(STATUS_GRADE.get(status, 'unjudged'), status)}</td>"
            f"<td>{'<br>'.join(links) or '<em>none</em>'}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)
