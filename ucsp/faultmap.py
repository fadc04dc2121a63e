"""Which scenarios catch which faults of the reference implementations, naming what.

Each feature folder may hold a ``catches.toml`` declaring, per fault, the scenarios that must
fail against it and the requirements their failures must name::

    [[catch]]
    fault = "ucsp:replay-accepted"        # <role under test>:<fault of that catalogue>
    scenarios = ["A replayed message is answered 99 and changes nothing"]
    requirements = ["SEC-07"]

The self-test runs the scenarios against the faulty implementation and requires each to fail
with violations naming only the entry's requirements, each of them at least once.
``docs/faults.md`` is rendered from the catalogues and these declarations
(``ucsp-conformance faults``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ucsp import suite_files
from ucsp.errors import ConfigError, read_config_text
from ucsp.requirements import Requirement, load_registry
from ucsp.sim.faults import Fault
from ucsp.sim.industry import CATALOGUE as INDUSTRY_CATALOGUE
from ucsp.sim.ucsp import CATALOGUE as UCSP_CATALOGUE
from ucsp.target import Role

__all__ = ["CATALOGUES", "FEATURES", "Catch", "CatchEntry", "all_faults", "load_catches"]

FEATURES = suite_files.FEATURES
CATALOGUES: dict[Role, tuple[Fault, ...]] = {
    "industry": INDUSTRY_CATALOGUE,
    "ucsp": UCSP_CATALOGUE,
}
_KEYS = frozenset({"fault", "scenarios", "requirements"})


@dataclass(frozen=True)
class CatchEntry:
    """One ``[[catch]]`` table: scenarios, and the requirements their failures must name."""

    scenarios: tuple[str, ...]
    requirements: tuple[str, ...]
    where: str  # "features/x/catches.toml [[catch]] #3"


@dataclass(frozen=True)
class Catch:
    """All declarations of one fault, merged over the feature folders."""

    role: Role
    fault: str
    entries: tuple[CatchEntry, ...]
    source: Path

    @property
    def key(self) -> str:
        return f"{self.role}:{self.fault}"

    @property
    def scenarios(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for entry in self.entries for s in entry.scenarios))

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for entry in self.entries for r in entry.requirements))

    def expected(self, scenario: str) -> frozenset[str]:
        """The requirements a failure of ``scenario`` may name under this fault."""
        return frozenset(
            r for entry in self.entries if scenario in entry.scenarios for r in entry.requirements
        )


def all_faults() -> Iterator[tuple[Role, Fault]]:
    for role, catalogue in CATALOGUES.items():
        for fault in catalogue:
            yield role, fault


def load_catches(
    features: Path = FEATURES, registry: Mapping[str, Requirement] | None = None
) -> dict[str, Catch]:
    """All declarations, merged by fault (``role:name``); a bad entry is a ConfigError."""
    registry = load_registry() if registry is None else registry
    merged: dict[str, Catch] = {}
    for path in sorted(features.glob("*/catches.toml")):
        try:
            data = tomllib.loads(read_config_text(path, "fault declarations"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        for index, table in enumerate(data.get("catch", [])):
            where = f"{path} [[catch]] #{index + 1}"
            role, name, entry = _entry(table, where, registry)
            key = f"{role}:{name}"
            previous = merged.get(key)
            entries = (*(previous.entries if previous else ()), entry)
            merged[key] = Catch(role, name, entries, previous.source if previous else path)
    return merged


def _entry(
    table: Any, where: str, registry: Mapping[str, Requirement]
) -> tuple[Role, str, CatchEntry]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: write a table with fault, scenarios and requirements")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; keys are {_key_list()}")
    key = table.get("fault")
    role, _, name = str(key).partition(":")
    if role not in CATALOGUES or not name:
        raise ConfigError(f"{where}: fault = {key!r}; write 'industry:NAME' or 'ucsp:NAME'")
    scenarios = _strings(table.get("scenarios"))
    if scenarios is None:
        raise ConfigError(f"{where}: scenarios must be a non-empty list of scenario names")
    requirements = _strings(table.get("requirements"))
    if requirements is None:
        raise ConfigError(
            f"{where}: requirements must be a non-empty list of the requirement IDs "
            'its failures name, e.g. requirements = ["SEC-02"]'
        )
    for req_id in requirements:
        req = registry.get(req_id)
        if req is None:
            raise ConfigError(
                f"{where}: requirements names {req_id!r}, which features/requirements.toml "
                "does not hold"
            )
        if role not in req.roles:
            raise ConfigError(
                f"{where}: requirements names {req_id}, which applies to "
                f"{', '.join(req.roles)} only, not to the role under test {role!r}"
            )
    return role, name, CatchEntry(scenarios, requirements, where)


def _strings(value: Any) -> tuple[str, ...] | None:
    """A non-empty list of non-empty strings, deduplicated in order; None otherwise."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, str) and item for item in value):
        return None
    return tuple(dict.fromkeys(value))


def _key_list() -> str:
    return ", ".join(sorted(_KEYS))


def render_markdown(catches: dict[str, Catch] | None = None) -> str:
    """docs/faults.md: both catalogues, what each fault breaks, the scenarios that catch it."""
    catches = load_catches() if catches is None else catches
    lines = [
        "# Fault catalogues",
        "",
        "Each reference implementation can be started with named faults switched on",
        "(`serve ucsp --fault NAME`, `serve industry --fault NAME`, or `pytest --fault NAME`",
        "for the embedded run). Each fault is a small deviation a real implementer might make.",
        "The self-test (`tests/test_fault_catalogue.py`) runs the scenarios listed here against",
        "each faulty implementation with `--strict` and requires every one of them to fail,",
        "each violation naming one of the requirements listed for the fault (and one of the",
        "scenario's own tags), and each listed requirement named by at least one failure.",
        "",
        "Generated by `ucsp-conformance faults` from the catalogues",
        "(`ucsp/sim/*/faults.py`) and `features/*/catches.toml`; a test keeps it in sync.",
    ]
    titles = {"industry": "Reference Industry Service", "ucsp": "Reference UCSP"}
    for role, catalogue in CATALOGUES.items():
        lines += ["", f"## {titles[role]} (`--sut {role}`)", ""]
        lines += [
            "| fault | kind | what it does | rule it breaks | caught by | failures name |",
            "|---|---|---|---|---|---|",
        ]
        for fault in catalogue:
            catch = catches.get(f"{role}:{fault.name}")
            caught = "<br>".join(catch.scenarios) if catch else "**not caught**"
            named = ", ".join(catch.requirements) if catch else ""
            cells = (
                f"`{fault.name}`",
                fault.category,
                fault.description,
                fault.breaks,
                caught,
                named,
            )
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
