"""report.html's requirement matrix: the legend, then one row per requirement (``id="req-ID"``,
its text) with one cell per role under test, each cell linking to its scenarios (a filter),
and the list of those scenarios, the ones that did not pass marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.outcome import CELL_LEGEND, RequirementRow
from ucsp.report.html_text import badge, esc, requirement_anchor, title_of, worst_first


def legend() -> str:
    return "\n".join(
        [
            '<table id="legend"><tbody>',
            *(
                f"<tr><td>{badge(str(cell))}</td><td>{esc(text)}</td></tr>"
                for cell, text in CELL_LEGEND.items()
            ),
            "</tbody></table>",
        ]
    )


def _cell(rid: str, role: str, verdict: str, has_scenarios: bool) -> str:
    label = badge(verdict)
    if has_scenarios:
        label = (
            f'<a class="cell-link" href="#scenarios" data-filters="" '
            f'data-filter-requirements="{esc(rid)}" data-filter-role="{esc(role)}" '
            f'title="show the scenarios of {esc(rid)} for {esc(role)}">{label}</a>'
        )
    return f'<td data-role="{esc(role)}" data-verdict="{esc(verdict)}">{label}</td>'


def _scenario_list(found: Sequence[tuple[Mapping[str, Any], str]]) -> str:
    if not found:
        return "<em>none</em>"
    items = []
    for record, anchor in found:
        verdict = str(record.get("verdict", ""))
        mark = "" if verdict == "pass" else " " + badge(verdict)
        items.append(
            f'<li data-verdict="{esc(verdict)}"><a href="#{esc(anchor)}">'
            f"[{esc(record.get('role'))}] {esc(title_of(record))}</a>{mark}</li>"
        )
    return '<ul class="cell-scenarios">' + "".join(items) + "</ul>"


def matrix(
    rows: Sequence[RequirementRow],
    roles: Sequence[str],
    records: Sequence[Mapping[str, Any]],
    anchors: Sequence[str],
) -> str:
    """The matrix table; ``anchors[i]`` is the id of ``records[i]``'s section."""
    by_requirement: dict[tuple[str, str], list[tuple[Mapping[str, Any], str]]] = {}
    for record, anchor in zip(records, anchors, strict=True):
        for rid in record.get("requirements") or []:
            key = (str(rid), str(record.get("role", "")))
            by_requirement.setdefault(key, []).append((record, anchor))
    out = [
        '<table id="matrix"><thead><tr><th>ID</th><th>Level</th>'
        "<th>Provenance</th><th>Requirement</th>",
        *(f"<th>{esc(role)}</th>" for role in roles),
        "<th>Scenarios</th></tr></thead><tbody>",
    ]
    for row in rows:
        req = row.requirement
        applies = [role for role in roles if role in [str(r) for r in req.roles]]
        cells = []
        for role in roles:
            if role not in applies:
                cells.append(
                    f'<td data-role="{esc(role)}" data-verdict="na"><span class="v-na">n/a</span>'
                    "</td>"
                )
                continue
            verdict = row.verdicts.get(role, "not-run")
            cells.append(_cell(req.id, role, verdict, bool(by_requirement.get((req.id, role)))))
        found = [pair for role in applies for pair in by_requirement.get((req.id, role), [])]
        ordered = {id(r): i for i, r in enumerate(worst_first([r for r, _ in found]))}
        found.sort(key=lambda pair: ordered[id(pair[0])])
        out.append(
            f'<tr id="{esc(requirement_anchor(req.id))}" data-requirement="{esc(req.id)}">'
            f'<td class="req">{esc(req.id)}</td><td>{esc(req.level)}</td>'
            f"<td>{esc(req.provenance)}</td>"
            f"<td>{esc(req.text)} <small>({esc(req.section)})</small></td>"
            + "".join(cells)
            + f"<td>{_scenario_list(found)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "\n".join(out)
