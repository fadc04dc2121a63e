"""cucumber.json: pytest-bdd's own Cucumber JSON (``--cucumberjson``), made fit to hand over:
masked like every other report, in the order of the run's records."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from ucsp.mask import Masker


def write_cucumber(path: Path, masker: Masker, records: list[dict[str, Any]] | None = None) -> None:
    """cucumber.json as the child wrote it (pytest's own text in it), masked like every
    other report, its features and scenarios in the order of ``records`` (the same whatever
    the number of workers); one that does not parse is removed rather than kept unmasked."""
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError):
        path.unlink()
        return
    if records and isinstance(data, list):
        data = in_record_order(data, records)
    path.write_text(json.dumps(masker.value(data)), encoding="utf-8")


def in_record_order(features: list[Any], records: list[dict[str, Any]]) -> list[Any]:
    """Cucumber JSON features, and the scenarios in each, in the order of the records (a
    scenario's ``id`` is its test's name, the end of the record's node ID)."""
    order: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        test = str(record.get("nodeid", "")).rsplit("::", 1)[-1]
        order.setdefault((str(record.get("feature", "")), test), index)
    last = len(records)

    def elements(feature: Any) -> list[Any]:
        found = feature.get("elements") if isinstance(feature, dict) else None
        return found if isinstance(found, list) else []

    def position(feature: Any, element: Any) -> int:
        if not isinstance(element, dict):
            return last
        return order.get((str(feature.get("name", "")), str(element.get("id", ""))), last)

    for feature in features:
        elements(feature).sort(key=functools.partial(position, feature))
    return sorted(features, key=lambda f: min((position(f, e) for e in elements(f)), default=last))
