"""The small pieces every part of report.html uses: escaping, badges, anchors, names."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ucsp.results import record_title

VERDICT_ORDER = ("failure", "error", "warning", "pass", "skipped")
STEP_CLASS = {"passed": "pass", "failed": "failure", "skipped": "skipped", "not-run": "not-run"}


def esc(value: Any) -> str:
    """``value`` as HTML text or attribute value (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def badge(grade: str, text: str | None = None) -> str:
    """A grade (verdict, cell, step outcome) as a coloured badge."""
    return f'<span class="badge v-{esc(grade)}">{esc((text or grade).upper())}</span>'


def requirement_anchor(rid: str) -> str:
    """The id of a requirement's matrix row (other reports link to ``report.html#req-ID``)."""
    return f"req-{rid}"


def scenario_anchor(nodeid: str) -> str:
    """A scenario record's id, derived from its node ID alone: the same in every run."""
    tail = nodeid.rsplit("::", 1)[-1].removeprefix("test_")
    slug = re.sub(r"[^a-z0-9]+", "-", tail.lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha256(nodeid.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"s-{slug}-{digest}" if slug else f"s-{digest}"


def scenario_anchors(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """One id per record, in order (:func:`scenario_anchor`, made unique if two collide)."""
    seen: set[str] = set()
    anchors = []
    for record in records:
        anchor = base = scenario_anchor(str(record.get("nodeid") or ""))
        n = 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        anchors.append(anchor)
    return anchors


def title_of(record: Mapping[str, Any]) -> str:
    """A record's name as the report shows it: its rendered title, else its scenario or node."""
    return record_title(record)


def verdict_rank(record: Mapping[str, Any]) -> int:
    verdict = str(record.get("verdict"))
    return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER)


def worst_first(records: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Records by verdict (failures first), then feature and scenario."""
    return sorted(
        records,
        key=lambda r: (verdict_rank(r), str(r.get("feature")), str(r.get("scenario"))),
    )
