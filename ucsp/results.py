"""The results file of a run (``results.json``): what ran, and each scenario's record.

Shape::

    {"run": {...},          # the run as a whole: overall result, selection, counts
     "scenarios": [{...}]}  # one record per scenario and role

Each scenario record holds ``nodeid``, ``scenario``, ``title``, ``feature``, ``role``,
``outcome``, ``verdict``, ``requirements`` (the scenario's tags), ``violations`` (one
``{"requirement", "level", "message"}`` per requirement violation a check raised),
``message``, ``duration``, ``exchanges`` and ``steps`` (each Gherkin step: ``keyword``,
``text``, ``line``, ``outcome`` and the indices of the ``exchanges`` it made;
``plugins/step_outcomes.py``); a waived failure also carries ``"waived": true``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ucsp.errors import ConfigError

__all__ = ["ResultsFile", "read_results", "write_results"]


@dataclass
class ResultsFile:
    run: dict[str, Any] = field(default_factory=dict)
    scenarios: list[dict[str, Any]] = field(default_factory=list)


def write_results(path: Path, results: ResultsFile) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"run": results.run, "scenarios": results.scenarios}, indent=1)
    path.write_text(text, encoding="utf-8")


def read_results(path: Path) -> ResultsFile:
    """Read a results file; a file of another shape is a ConfigError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable results file ({exc})") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("run"), dict)
        and isinstance(data.get("scenarios"), list)
    ):
        raise ConfigError(
            f"{path}: not a results file (expected {{'run': ..., 'scenarios': [...]}})"
        )
    return ResultsFile(data["run"], data["scenarios"])


def record_title(record: Mapping[str, Any]) -> str:
    """A record's name wherever the suite shows it: its rendered title, else its scenario's
    name, else its node ID (a test that is no scenario)."""
    return str(record.get("title") or record.get("scenario") or record.get("nodeid") or "")
