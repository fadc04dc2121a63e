"""Comparing two runs (``ucsp-conformance compare OLD NEW``).

Each run is a report directory or its ``evidence.zip``: :func:`load_run` reads
``results.json`` and ``requirements.json`` from either (a pack is read, not verified:
``verify-evidence`` does that). :func:`compare` lists what changed from OLD to NEW:

- the overall result (``result``);
- each requirement × role cell whose verdict changed, appeared or went away (``cell``);
- each scenario, by its rendered title and role, whose verdict changed, appeared or went
  away (``scenario``).

Nothing changed: exit 0; anything listed: exit 1; an unreadable run: exit 2.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ucsp.errors import ConfigError
from ucsp.results import record_title

__all__ = ["Change", "LoadedRun", "compare", "load_run", "render", "render_json"]

RESULTS, REQUIREMENTS = "results.json", "requirements.json"
Kind = Literal["result", "cell", "scenario"]


@dataclass(frozen=True)
class LoadedRun:
    """What a comparison reads of one run."""

    source: str
    run: Mapping[str, Any]
    scenarios: Sequence[Mapping[str, Any]]
    cells: Sequence[Mapping[str, Any]]

    @property
    def label(self) -> str:
        return f"{self.source} (run {self.run.get('runId', '?')}, {self.run.get('badge', '?')})"


@dataclass(frozen=True)
class Change:
    """One difference; ``old`` None: added in NEW, ``new`` None: gone from NEW."""

    kind: Kind
    name: str  # a requirement ID, a scenario's title, or "result"
    role: str | None
    old: str | None
    new: str | None

    def line(self) -> str:
        where = self.name if self.role is None else f"{self.name} [{self.role}]"
        if self.old is None:
            return f"{where}: added ({self.new})"
        if self.new is None:
            return f"{where}: removed (was {self.old})"
        return f"{where}: {self.old} -> {self.new}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "role": self.role,
            "old": self.old,
            "new": self.new,
        }


# --- loading -------------------------------------------------------------------------------


def load_run(path: Path) -> LoadedRun:
    """A report directory or an evidence pack; a ConfigError naming what is wrong else."""
    if path.is_dir():
        texts = {name: _read_file(path / name, path) for name in (RESULTS, REQUIREMENTS)}
    elif path.is_file():
        texts = _read_pack(path)
    else:
        raise ConfigError(f"{path}: no such report; name a report directory or an evidence.zip")
    results = _json(texts[RESULTS], f"{path}: {RESULTS}")
    cells = _json(texts[REQUIREMENTS], f"{path}: {REQUIREMENTS}")
    if not (
        isinstance(results, dict)
        and isinstance(results.get("run"), dict)
        and isinstance(results.get("scenarios"), list)
        and all(isinstance(r, dict) for r in results["scenarios"])
    ):
        raise ConfigError(
            f"{path}: {RESULTS} is not a results file (expected {{'run': ..., 'scenarios': [...]}})"
        )
    if not isinstance(cells, list) or not all(
        isinstance(c, dict) and {"id", "role", "verdict"} <= set(c) for c in cells
    ):
        raise ConfigError(
            f"{path}: {REQUIREMENTS} is not a requirement matrix "
            "(expected a list of {'id', 'role', 'verdict', ...})"
        )
    return LoadedRun(str(path), results["run"], results["scenarios"], cells)


def _read_file(file: Path, report: Path) -> str:
    if not file.is_file():
        raise ConfigError(
            f"{report}: holds no {file.name}; name the directory of a finished run, or its "
            "evidence.zip"
        )
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read it ({exc})") from None


def _read_pack(pack: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(pack) as archive:
            names = set(archive.namelist())
            missing = [name for name in (RESULTS, REQUIREMENTS) if name not in names]
            if missing:
                raise ConfigError(
                    f"{pack}: the pack holds no {' or '.join(missing)}; name the evidence.zip "
                    "of a run, or its report directory"
                )
            return {name: archive.read(name).decode("utf-8") for name in (RESULTS, REQUIREMENTS)}
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(
            f"{pack}: not a readable evidence pack ({exc}); name a report directory or an "
            "evidence.zip"
        ) from None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: not JSON ({exc})") from None


# --- comparing -----------------------------------------------------------------------------


def _scenario_verdicts(run: LoadedRun) -> dict[tuple[str, str], str]:
    """("feature: title", role) -> verdict: a scenario is named by its feature too, so that a
    title that another feature comes to share never reads as a scenario removed and added."""
    return {
        (
            f"{record.get('feature') or '?'}: {record_title(record)}",
            str(record.get("role") or "-"),
        ): str(record.get("verdict", ""))
        for record in run.scenarios
    }


def _cell_verdicts(run: LoadedRun) -> dict[tuple[str, str], str]:
    return {(str(c["id"]), str(c["role"])): str(c["verdict"]) for c in run.cells}


def _changes(
    kind: Kind, old: Mapping[tuple[str, str], str], new: Mapping[tuple[str, str], str]
) -> list[Change]:
    keys = list(old) + [k for k in new if k not in old]
    return [
        Change(kind, name, role, old.get((name, role)), new.get((name, role)))
        for name, role in keys
        if old.get((name, role)) != new.get((name, role))
    ]


def compare(old: LoadedRun, new: LoadedRun) -> list[Change]:
    """What changed from ``old`` to ``new``: the result, then cells, then scenarios."""
    changes: list[Change] = []
    results = (str(old.run.get("result", "?")), str(new.run.get("result", "?")))
    if results[0] != results[1]:
        changes.append(Change("result", "result", None, *results))
    changes += _changes("cell", _cell_verdicts(old), _cell_verdicts(new))
    changes += _changes("scenario", _scenario_verdicts(old), _scenario_verdicts(new))
    return changes


def render(old: LoadedRun, new: LoadedRun, changes: Sequence[Change]) -> str:
    """The text ``compare`` prints."""
    lines = [f"old: {old.label}", f"new: {new.label}"]
    titles = {
        "result": "overall result",
        "cell": "requirement × role cells",
        "scenario": "scenarios (title [role])",
    }
    for kind, title in titles.items():
        mine = [c for c in changes if c.kind == kind]
        if mine:
            lines.append(f"{title}: {len(mine)} changed")
            lines += [f"  {c.line()}" for c in mine]
    if changes:
        lines.append(f"{len(changes)} change(s)")
    else:
        lines.append("no verdict changed")
    return "\n".join(lines)


def render_json(old: LoadedRun, new: LoadedRun, changes: Sequence[Change]) -> str:
    """``compare --json``: both runs' results and the changes."""

    def side(run: LoadedRun) -> dict[str, Any]:
        keys = ("runId", "result", "badge", "exitCode")
        return {"source": run.source, **{k: run.run.get(k) for k in keys}}

    data = {"old": side(old), "new": side(new), "changes": [c.as_dict() for c in changes]}
    return json.dumps(data, indent=1, ensure_ascii=False)
