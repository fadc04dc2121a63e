"""report.html's scenario sections: each scenario's verdict, requirements, message, its
Gherkin steps with their outcome and, under each step, the exchanges it made (a record with
no steps, from an older run or a plain test, lists its exchanges as one timeline)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ucsp.report.html_text import (
    STEP_CLASS,
    badge,
    esc,
    requirement_anchor,
    title_of,
)


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
        f"#{index + 1} +{at:.2f} s &middot; {esc(exchange.get('direction'))} &middot; "
        f"{esc(exchange.get('msgType') or '(not a protocol message)')} &middot; "
        f"HTTP {esc(exchange.get('status'))} &middot; code {esc(exchange.get('code'))}"
    )
    return (
        f'<details class="exchange"><summary>{title}</summary>'
        f"<div>URL: <code>{esc(exchange.get('url'))}</code></div>"
        f'<div>Request</div><pre class="request">{esc(_pretty(exchange.get("request")))}</pre>'
        f'<div>Response</div><pre class="response">{esc(_pretty(exchange.get("response")))}'
        "</pre></details>"
    )


def requirement_links(ids: Sequence[str], registry: Mapping[str, Any]) -> str:
    """Requirement IDs, each linking to its matrix row when the registry holds it."""
    parts = [
        f'<a href="#{esc(requirement_anchor(rid))}"><code>{esc(rid)}</code></a>'
        if rid in registry
        else f"<code>{esc(rid)}</code>"
        for rid in ids
    ]
    return " ".join(parts) or "<code>-</code>"


def _indices(step: Mapping[str, Any], count: int) -> list[int]:
    """A step's exchange indices that the record holds (a journal may have grown since)."""
    found = []
    for index in step.get("exchanges") or []:
        if isinstance(index, int) and 0 <= index < count and index not in found:
            found.append(index)
    return found


def _steps(steps: Sequence[Mapping[str, Any]], exchanges: Sequence[Mapping[str, Any]]) -> str:
    """The steps, the exchanges of each under it; exchanges before the first step's under
    "Before the steps", any other of no step's after the steps."""
    origin = min((float(x.get("at") or 0.0) for x in exchanges), default=0.0)
    owned = [_indices(step, len(exchanges)) for step in steps]
    claimed = {i for indices in owned for i in indices}
    first = min(claimed, default=len(exchanges))
    before = [i for i in range(len(exchanges)) if i not in claimed and i < first]
    after = [i for i in range(len(exchanges)) if i not in claimed and i >= first]
    out = []
    if before:
        out.append('<h4 class="before">Before the steps</h4>')
        out += [_exchange(i, exchanges[i], origin) for i in before]
    out.append('<ol class="steps">')
    for step, indices in zip(steps, owned, strict=True):
        outcome = str(step.get("outcome", "not-run"))
        out.append(
            f'<li class="step" data-outcome="{esc(outcome)}">'
            f"{badge(STEP_CLASS.get(outcome, 'unjudged'), outcome)} "
            f'<span class="kw">{esc(step.get("keyword", ""))}</span> {esc(step.get("text", ""))}'
            f' <small class="line">line {esc(step.get("line", "?"))}</small>'
            + "".join(_exchange(i, exchanges[i], origin) for i in indices)
            + "</li>"
        )
    out.append("</ol>")
    if after:
        out.append('<h4 class="after">After the steps</h4>')
        out += [_exchange(i, exchanges[i], origin) for i in after]
    return "\n".join(out)


def scenario_section(
    record: Mapping[str, Any],
    anchor: str,
    registry: Mapping[str, Any],
    waivers: Sequence[Mapping[str, Any]] = (),
) -> str:
    """One scenario, closed until opened: ``<details class="scenario" id=anchor>`` with the
    ``data-*`` attributes the filters read."""
    verdict = str(record.get("verdict", ""))
    exchanges = list(record.get("exchanges") or [])
    steps = record.get("steps")
    error = record.get("error") or {}
    requirements = [str(r) for r in record.get("requirements") or []]
    waived = " " + badge("waived") if waivers else ""
    parts = [
        f'<details class="scenario" id="{esc(anchor)}" data-verdict="{esc(verdict)}" '
        f'data-role="{esc(record.get("role", ""))}" '
        f'data-feature="{esc(record.get("feature", ""))}" '
        f'data-requirements="{esc(" ".join(requirements))}"'
        + (' data-waived="yes"' if waivers else "")
        + ">",
        f"<summary>{badge(verdict)}{waived} [{esc(record.get('role'))}] "
        f"{esc(record.get('feature'))}: {esc(title_of(record))}</summary>",
        f"<div>Requirements: {requirement_links(requirements, registry)} &middot; "
        f"{float(record.get('duration', 0) or 0):.2f} s &middot; "
        f'<code class="nodeid">{esc(record.get("nodeid", ""))}</code></div>',
    ]
    for waiver in waivers:
        parts.append(
            f'<div class="waived">Waived by the {esc(waiver.get("kind"))} waiver '
            f"<code>{esc(waiver.get('id'))}</code>: {esc(waiver.get('reason', ''))} "
            f"(owner {esc(waiver.get('owner', ''))}, expires {esc(waiver.get('expires', ''))})"
            "</div>"
        )
    if error:
        parts.append(
            f'<div class="error-kind">Error kind: <code>{esc(error.get("kind"))}</code></div>'
        )
    if record.get("message"):
        parts.append(f'<div class="message">{esc(record["message"])}</div>')
    parts.append(f'<div class="exchange-count">Exchanges ({len(exchanges)}):</div>')
    if isinstance(steps, list) and steps:
        parts.append(_steps([s for s in steps if isinstance(s, Mapping)], exchanges))
    else:
        origin = min((float(x.get("at") or 0.0) for x in exchanges), default=0.0)
        parts += [_exchange(i, x, origin) for i, x in enumerate(exchanges)]
    parts.append("</details>")
    return "\n".join(parts)
