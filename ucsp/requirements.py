"""The requirement registry: every observable rule of PROTOCOL.md and HARNESS.md, with its ID.

The registry lives in ``features/requirements.toml``, one ``[[requirement]]`` table per rule::

    [[requirement]]
    id = "SEC-02"              # area prefix (see AREAS) + two digits
    level = "MUST"             # MUST -> FAILURE when broken, SHOULD -> WARNING
    provenance = "profile"     # "seed" (published UCSP text) or "profile" (our reconstruction)
    roles = ["industry", "ucsp"]  # the systems under test the rule applies to
    text = "..."               # one testable sentence
    section = "§8 Receiving"   # where PROTOCOL.md (or HARNESS.md) states it

Scenarios carry requirement IDs as Gherkin tags; the pytest plugin ``plugins.requirements``
registers them as markers and grades violations by level.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from ucsp import suite_files
from ucsp.errors import ConfigError

__all__ = [
    "AREAS",
    "DEFAULT_REGISTRY_PATH",
    "ROLE_TAGS",
    "Level",
    "Provenance",
    "Requirement",
    "Role",
    "load_registry",
    "parse_registry",
]

DEFAULT_REGISTRY_PATH = suite_files.REGISTRY

AREAS: Mapping[str, str] = {
    "TRN": "transport",
    "FMT": "message format",
    "SEC": "security",
    "LOGIN": "login",
    "PAY": "frontend payment",
    "AD": "auto-debit",
    "CAN": "cancellation",
    "REF": "refund",
    "INQ": "inquiry and back-off",
    "NOT": "result notices",
    "RC": "response-code handling",
}

_ID_RE = re.compile(r"(?P<area>[A-Z]+)-(?P<number>[0-9]{2})")


class Level(StrEnum):
    """How binding a requirement is (PROTOCOL.md: MUST -> FAILURE, SHOULD -> WARNING)."""

    MUST = "MUST"
    SHOULD = "SHOULD"


class Provenance(StrEnum):
    """Where a requirement comes from (PROTOCOL.md: [seed] or [profile])."""

    SEED = "seed"
    PROFILE = "profile"


class Role(StrEnum):
    """The system under test a requirement applies to; also the scenario role tags."""

    INDUSTRY = "industry"  # an Industry Service under test
    UCSP = "ucsp"  # a UCSP under test


ROLE_TAGS: frozenset[str] = frozenset(role.value for role in Role)


def roles_of(tags: Iterable[str]) -> tuple[Role, ...]:
    """The roles a scenario with these tags runs for: its role tags, or both without one."""
    names = set(tags)
    return tuple(role for role in Role if role in names) or tuple(Role)


_E = TypeVar("_E", bound=StrEnum)

_KEYS = ("id", "level", "provenance", "roles", "text", "section")


@dataclass(frozen=True)
class Requirement:
    """One observable rule of the protocol, checked by the scenarios tagged with its ID."""

    id: str
    level: Level
    provenance: Provenance
    roles: tuple[Role, ...]
    text: str
    section: str

    @property
    def area(self) -> str:
        """The area prefix of the ID, e.g. ``"SEC"`` for ``"SEC-02"``."""
        return self.id.rsplit("-", 1)[0]


def load_registry(path: Path | None = None) -> dict[str, Requirement]:
    """Load and validate the registry, keyed by ID in file order.

    ``path`` defaults to ``features/requirements.toml`` of the checkout. Raises
    :class:`ConfigError` naming the entry and the key for any defect.
    """
    path = DEFAULT_REGISTRY_PATH if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the requirement registry: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: the requirement registry is not UTF-8: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_registry(data, source=str(path))


def parse_registry(
    data: Mapping[str, object], source: str = "<registry>"
) -> dict[str, Requirement]:
    """Validate parsed registry TOML (see :func:`load_registry`)."""
    unknown = sorted(set(data) - {"requirement"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
            "the registry holds only [[requirement]] tables"
        )
    entries = data.get("requirement")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: no [[requirement]] tables found")

    registry: dict[str, Requirement] = {}
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        requirement = _parse_entry(entry, f"{source}: requirement #{number}")
        if requirement.id in registry:
            raise ConfigError(
                f"{source}: requirement #{number} ({requirement.id}): key 'id': "
                f"duplicate id {requirement.id!r} "
                f"(first used by requirement #{first_seen[requirement.id]})"
            )
        registry[requirement.id] = requirement
        first_seen[requirement.id] = number
    return registry


def _parse_entry(entry: object, where: str) -> Requirement:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a [[requirement]] table, got {type(entry).__name__}")
    raw_id = entry.get("id")
    if isinstance(raw_id, str):
        where = f"{where} ({raw_id})"

    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys are {', '.join(_KEYS)}"
        )
    for key in _KEYS:
        if key not in entry:
            raise ConfigError(f"{where}: key {key!r} is missing")

    req_id = _string(entry, "id", where)
    match = _ID_RE.fullmatch(req_id)
    if match is None or match["area"] not in AREAS:
        raise ConfigError(
            f"{where}: key 'id': {req_id!r} is not an area prefix and two digits "
            f"(areas: {', '.join(AREAS)}; e.g. 'SEC-02')"
        )

    level = _choice(entry, "level", Level, where)
    provenance = _choice(entry, "provenance", Provenance, where)

    raw_roles = entry["roles"]
    if not isinstance(raw_roles, list) or not raw_roles:
        raise ConfigError(f"{where}: key 'roles': expected a non-empty list of roles")
    roles: list[Role] = []
    for raw_role in raw_roles:
        if not isinstance(raw_role, str) or raw_role not in ROLE_TAGS:
            raise ConfigError(
                f"{where}: key 'roles': {raw_role!r} is not one of {', '.join(r for r in Role)}"
            )
        role = Role(raw_role)
        if role in roles:
            raise ConfigError(f"{where}: key 'roles': {raw_role!r} is listed twice")
        roles.append(role)

    return Requirement(
        id=req_id,
        level=level,
        provenance=provenance,
        roles=tuple(roles),
        text=_string(entry, "text", where),
        section=_string(entry, "section", where),
    )


def _string(entry: Mapping[str, object], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: key {key!r}: expected a non-empty string, got {value!r}")
    return value.strip()


def _choice(entry: Mapping[str, object], key: str, enum: type[_E], where: str) -> _E:
    value = entry[key]
    allowed = [member.value for member in enum]
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"{where}: key {key!r}: {value!r} is not one of {', '.join(allowed)}")
    return enum(value)
