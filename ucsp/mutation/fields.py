"""Field-rule mutations: one broken rule of one field of a message's schema at a time.

A mutation is kept only when it breaks the schema: by construction for the rule kinds of
:data:`ALWAYS_INVALID`, and for the others (enumerations, dates, amounts, msgID parts) when
the kit's own schema refuses the mutated message.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ucsp import schemas
from ucsp.messages import Kind

OTHER_INDUSTRY = ("ZZZZ9999", "YYYY8888")

_BAD_CHAR = {"AN": "-", "N": "A", "ANS": "\u00e9", "base64": "*"}
_GOOD_CHAR = {"AN": "A", "N": "1", "ANS": "A", "base64": "A"}
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALWAYS_INVALID = frozenset({"type", "minLength", "maxLength", "class", "required", "forbidden"})


def other_industry_code(code: str) -> str:
    """An industry code of the right form that is not ``code``."""
    return OTHER_INDUSTRY[0] if code != OTHER_INDUSTRY[0] else OTHER_INDUSTRY[1]


@dataclass(frozen=True)
class FieldMutation:
    """One broken field rule: the field, the rule kind, and the new value (or removal)."""

    path: tuple[str, ...]
    rule: str
    value: Any = None
    remove: bool = False

    @property
    def label(self) -> str:
        return "$." + ".".join(self.path) + f" ({self.rule})"

    def apply(self, message: Mapping[str, Any]) -> dict[str, Any]:
        changed = copy.deepcopy(dict(message))
        parent: Any = changed
        for name in self.path[:-1]:
            if not isinstance(parent.get(name), dict):
                parent[name] = {}
            parent = parent[name]
        if self.remove:
            parent.pop(self.path[-1], None)
        else:
            parent[self.path[-1]] = self.value
        return changed


def _get(message: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = message
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            return None
        value = value[name]
    return value


def _other_value(value: str, value_class: str, enum: tuple[str, ...]) -> str | None:
    """A value of the same class and length that is not in ``enum``."""
    for ch in _ALPHABET if value_class != "N" else "0123456789":
        candidate = (value[:-1] + ch) if value else ch
        if candidate not in enum and candidate != value:
            return candidate
    return None


def _semantic(path: tuple[str, ...], value: Any) -> Iterator[tuple[str, Any]]:
    """Value rules beyond class and length: real date-times, amounts above zero, msgID parts."""
    if not isinstance(value, str):
        return
    if value.isdigit() and len(value) == 14:
        yield "calendar", value[:4] + "13" + value[6:]
    elif value.isdigit():
        yield "zero", "0" * len(value)
    if path[-1] == "msgID" and len(value) == 29:
        yield "calendar", value[:13] + "13" + value[15:]
        yield "prefix", ("U" if value[0] == "A" else "A") + value[1:]
        yield "industry", value[0] + other_industry_code(value[1:9]) + value[9:]


def field_mutations(
    message: Mapping[str, Any], msg_type: str, kind: Kind = "request"
) -> list[FieldMutation]:
    """One mutation per rule kind per field of the schema of ``msg_type`` (type, lengths,
    value class, presence, enumeration, and the value rules of dates, amounts and msgID),
    plus forbidden fields and missing objects; only those the kit's own schema refuses."""
    found: list[FieldMutation] = []
    for rule in schemas.field_rules(msg_type, kind):
        path = rule.path
        current = _get(message, path)
        good = _GOOD_CHAR.get(rule.value_class, "A")
        sample = current if isinstance(current, str) else good * max(rule.min_length or 1, 1)
        found.append(
            FieldMutation(path, "type", int(sample) if sample.isdigit() and len(sample) < 16 else 1)
        )
        if rule.min_length:
            found.append(
                FieldMutation(path, "minLength", (sample * rule.min_length)[: rule.min_length - 1])
            )
        if rule.max_length is not None:
            found.append(FieldMutation(path, "maxLength", good * (rule.max_length + 1)))
        if rule.value_class in _BAD_CHAR:
            bad = _BAD_CHAR[rule.value_class]
            found.append(FieldMutation(path, "class", sample[:-1] + bad if sample else bad))
        if rule.presence == "M":
            found.append(FieldMutation(path, "required", remove=True))
        if rule.enum:
            other = _other_value(sample, rule.value_class, rule.enum)
            if other is not None:
                found.append(FieldMutation(path, "enum", other))
        found.extend(FieldMutation(path, name, value) for name, value in _semantic(path, current))
    for path in schemas.forbidden_fields(msg_type, kind):
        found.append(FieldMutation(path, "forbidden", "1" + "0" * 19))
    for container in ("trxInfo", "certificateSignature"):
        found.append(FieldMutation((container,), "required", remove=True))
    return [
        m
        for m in found
        if m.rule in ALWAYS_INVALID or schemas.validate(m.apply(message), msg_type, kind)
    ]


def without_mandatory_field(message: Mapping[str, Any], msg_type: str) -> dict[str, Any]:
    """The message without its first mandatory trxInfo field (a schema violation)."""
    changed = copy.deepcopy(dict(message))
    rule = next(
        r
        for r in schemas.field_rules(msg_type, "request")
        if r.path[0] == "trxInfo" and r.presence == "M"
    )
    changed["trxInfo"].pop(rule.path[1], None)
    return changed
