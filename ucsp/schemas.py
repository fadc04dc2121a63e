"""Message schemas: loading, validation and a flat view of their fields.

The JSON Schema files (2020-12) under ``schemas/`` are the single source of the field rules
of PROTOCOL.md; this module compiles them once per (message type, kind) and reports
violations as :class:`FieldError`, each carrying the provenance (``seed`` or ``profile``) of
the rule it breaks.

Schema conventions read here:

- every property schema carries ``x-provenance``; a field is ``seed`` when any of its
  declarations says so. A sub-schema with its own ``x-provenance`` gives the provenance of
  the keywords it holds (a [profile] rule on a [seed] field, e.g. versionNo ``1.0.0``).
- ``required`` at the top level, or in the ``else`` of a condition, is presence M (in
  responses: M for every code but 10); ``required`` in a ``then`` is presence C.
- ``"not": {}`` marks a field that must be absent (rule ``forbidden``).
- ``x-encrypted`` fields hold Base64 on the wire; ``x-plain`` is the schema of the
  decrypted value, checked with :func:`validate_plain`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ucsp import suite_files
from ucsp.messages import Kind

if TYPE_CHECKING:
    from referencing._core import Resolver

Presence = Literal["M", "O", "C"]
Path_ = tuple[str, ...]

VALUE_CLASSES = ("AN", "ANS", "N", "base64")
_KINDS: tuple[Kind, ...] = ("request", "response")
_PRESENCE_RANK = {"O": 0, "C": 1, "M": 2}
_MSGID_SHAPE = re.compile(r"[A-Za-z0-9]{9}[0-9]{20}")
_INDUSTRY_CODE = re.compile(r"[A-Za-z0-9]{8}")
_MAX_MESSAGE = 200


@dataclass(frozen=True)
class FieldError:
    """One schema violation."""

    path: str  # JSON path of the offending (or missing) value, e.g. "$.trxInfo.orderId"
    rule: str  # failing keyword ("required", "maxLength", ...), "forbidden", "msgid-industry"
    provenance: str  # "seed" | "profile"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule} [{self.provenance}] - {self.message}"


@dataclass(frozen=True)
class FieldRule:
    """Flat description of one leaf field (for an encrypted one: of its decrypted value)."""

    path: Path_
    value_class: str  # "AN" | "ANS" | "N" | "base64" | "" (none)
    min_length: int | None
    max_length: int | None
    presence: Presence
    enum: tuple[str, ...] | None
    provenance: str
    encrypted: bool


# --- format checks ---------------------------------------------------------------------


def _real_datetime(text: str) -> bool:
    try:
        datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
        )
    except ValueError:
        return False
    return True


def _is_datetime14(value: object) -> bool:
    """Calendar check of YYYYMMDDhhmmss; other shapes are left to pattern and lengths."""
    if not isinstance(value, str) or len(value) != 14 or not value.isascii():
        return True
    return not value.isdigit() or _real_datetime(value)


def _is_msgid(value: object) -> bool:
    """Calendar check of the date-time inside a well-shaped msgID."""
    if not isinstance(value, str) or not _MSGID_SHAPE.fullmatch(value):
        return True
    return _real_datetime(value[9:23])


FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checks("ucsp-datetime")(_is_datetime14)
FORMAT_CHECKER.checks("ucsp-msgid")(_is_msgid)


# --- loading ---------------------------------------------------------------------------


def schema_dir() -> Path:
    """The suite's ``schemas/``: the checkout's, or the copy its wheel installs."""
    return suite_files.SCHEMAS


@cache
def _files() -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(schema_dir().glob("*.json")):
        files[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return files


@cache
def _registry() -> Registry[Any]:
    resources = [(s["$id"], Resource.from_contents(s)) for s in _files().values()]
    return Registry().with_resources(resources).crawl()


def _file_name(msg_type: str, kind: str) -> str:
    name = f"{msg_type}.{kind}.json"
    if kind not in _KINDS or name not in _files():
        raise KeyError(f"no {kind} schema for message type {msg_type!r}")
    return name


def load_schema(msg_type: str, kind: Kind) -> dict[str, Any]:
    """A copy of the schema of ``msg_type``'s request or response (KeyError if none)."""
    return copy.deepcopy(_files()[_file_name(msg_type, kind)])


# --- the schema walk: what each instance path means -------------------------------------


@dataclass
class _Node:
    provenances: set[str] = field(default_factory=set)
    value_class: str = ""
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    presence: Presence = "O"
    container: bool = False
    forbidden: bool = False
    encrypted: bool = False
    plain: dict[str, Any] | None = None

    def restrict(self, schema: dict[str, Any]) -> None:
        if "minLength" in schema:
            self.min_length = max(self.min_length or 0, schema["minLength"])
        if "maxLength" in schema:
            hi = schema["maxLength"]
            self.max_length = hi if self.max_length is None else min(self.max_length, hi)
        values = [schema["const"]] if "const" in schema else schema.get("enum")
        if values is not None:
            kept = [v for v in values if self.enum is None or v in self.enum]
            self.enum = tuple(kept)
        if "properties" in schema or schema.get("type") == "object":
            self.container = True
        if schema.get("not") == {}:
            self.forbidden = True
        if schema.get("x-encrypted"):
            self.encrypted = True
            self.plain = schema.get("x-plain")


def _walk(
    schema: Any, resolver: Resolver[Any], path: Path_, ctx: Presence, nodes: dict[Path_, _Node]
) -> None:
    """Collect, per instance path, what the schema says (``if`` conditions are skipped)."""
    if not isinstance(schema, dict):
        return
    node = nodes.setdefault(path, _Node())
    if "$ref" in schema:
        ref = schema["$ref"]
        target = ref.rpartition("/")[2]
        if target in VALUE_CLASSES and not node.value_class:
            node.value_class = target
        resolved = resolver.lookup(ref)
        _walk(resolved.contents, resolved.resolver, path, ctx, nodes)
    node.restrict(schema)
    for sub in schema.get("allOf", ()):
        _walk(sub, resolver, path, ctx, nodes)
    _walk(schema.get("then"), resolver, path, "C", nodes)
    _walk(schema.get("else"), resolver, path, "M", nodes)
    for name, sub in schema.get("properties", {}).items():
        child = nodes.setdefault((*path, name), _Node())
        if isinstance(sub, dict) and "x-provenance" in sub:
            child.provenances.add(sub["x-provenance"])
        _walk(sub, resolver, (*path, name), ctx, nodes)
    for name in schema.get("required", ()):
        child = nodes.setdefault((*path, name), _Node())
        if _PRESENCE_RANK[ctx] > _PRESENCE_RANK[child.presence]:
            child.presence = ctx


# --- fast yes/no gate ------------------------------------------------------------------
# jsonschema-rs answers "valid?" in microseconds; jsonschema (the reference) runs only on
# messages the gate refuses, to produce field-level errors. Tests assert the two agree.

Check = Callable[[Any], bool]
_FORMATS: dict[str, Check] = {"ucsp-datetime": _is_datetime14, "ucsp-msgid": _is_msgid}


@cache
def _rs_registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry([(s["$id"], s) for s in _files().values()])


def _gate(schema: dict[str, Any]) -> Check:
    validator = jsonschema_rs.validator_for(
        schema, registry=_rs_registry(), formats=_FORMATS, validate_formats=True
    )
    return validator.is_valid


def _json_path(path: Path_) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _rule(error: ValidationError) -> str:
    if error.validator is None or (error.validator == "not" and error.validator_value == {}):
        return "forbidden"
    return str(error.validator)


@dataclass
class _Compiled:
    msg_type: str
    kind: Kind
    validator: Any
    fast: Check
    nodes: dict[Path_, _Node]
    plain_validators: dict[Path_, Any]
    plain_shapes: dict[Path_, _Node]

    def provenance(self, path: Path_) -> str:
        for end in range(len(path), -1, -1):
            node = self.nodes.get(path[:end])
            if node is not None and node.provenances:
                return "seed" if "seed" in node.provenances else "profile"
        return "profile"

    def field_errors(
        self, error: ValidationError, seen: set[Path_], prefix: Path_ = ()
    ) -> Iterator[FieldError]:
        path: Path_ = (*prefix, *error.absolute_path)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            for name in error.validator_value:
                missing = (*path, name)
                if name not in instance and missing not in seen:
                    seen.add(missing)
                    yield FieldError(
                        _json_path(missing),
                        "required",
                        self.provenance(missing),
                        f"{name!r} is a required property",
                    )
            return
        rule = _rule(error)
        own = error.schema.get("x-provenance") if isinstance(error.schema, dict) else None
        provenance = own if own in ("seed", "profile") else self.provenance(path)
        text = "must be absent" if rule == "forbidden" else _short(error.message)
        yield FieldError(_json_path(path), rule, provenance, text)

    def msgid_errors(self, message: Any) -> list[FieldError]:
        """Cross-field rule: msgID characters 2-9 equal msgInfo.industryCode."""
        if not isinstance(message, dict):
            return []
        if self.kind == "response" and _response_code(message) == "10":
            return []  # a code-10 answer may echo a malformed msgInfo
        info = message.get("msgInfo")
        if not isinstance(info, dict):
            return []
        msg_id, code = info.get("msgID"), info.get("industryCode")
        if not (isinstance(msg_id, str) and _MSGID_SHAPE.fullmatch(msg_id)):
            return []
        if not (isinstance(code, str) and _INDUSTRY_CODE.fullmatch(code)) or msg_id[1:9] == code:
            return []
        path = ("msgInfo", "msgID")
        text = f"msgID carries industry code {msg_id[1:9]!r}, msgInfo.industryCode is {code!r}"
        return [FieldError(_json_path(path), "msgid-industry", self.provenance(path), text)]


def _response_code(message: dict[str, Any]) -> Any:
    response = message.get("msgResponse")
    return response.get("responseCode") if isinstance(response, dict) else None


# Keywords of JSON Schema 2020-12 whose values are schemas: one, a list, or a name -> schema map.
_ONE_SCHEMA = (
    "not",
    "if",
    "then",
    "else",
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")


def _inlined(schema: Any, resolver: Resolver[Any], within: tuple[int, ...] = ()) -> Any:
    """``schema`` with each ``$ref`` replaced by the schema it names, as the first member of
    an ``allOf``: the same errors (keyword, instance, sub-schema, message), without resolving
    a reference on every validation, which is half the time of validating an invalid message.
    A reference to a schema being inlined (``within``: their ids) is kept as it is."""
    if not isinstance(schema, dict):
        return schema
    resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))  # its own $id
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str):
            resolved = resolver.lookup(value)
            if id(resolved.contents) in within:
                out[key] = value
                continue
            target = _inlined(
                resolved.contents, resolved.resolver, (*within, id(resolved.contents))
            )
            out["allOf"] = [target, *out.get("allOf", [])]
        elif key in _ONE_SCHEMA:
            out[key] = _inlined(value, resolver, within)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            inlined = [_inlined(sub, resolver, within) for sub in value]
            out[key] = [*out.get(key, []), *inlined] if key == "allOf" else inlined
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _inlined(sub, resolver, within) for name, sub in value.items()}
        else:
            out[key] = value
    return out


def _validator(schema: dict[str, Any]) -> Any:
    """The reference validator of ``schema`` (which has an ``$id``), its references inlined."""
    uri = schema["$id"]
    registry = _registry().with_resource(uri, DRAFT202012.create_resource(schema))
    inlined = _inlined(schema, registry.resolver(uri), (id(schema),))
    return Draft202012Validator(inlined, registry=registry, format_checker=FORMAT_CHECKER)


@cache
def _compiled(msg_type: str, kind: Kind) -> _Compiled:
    schema = _files()[_file_name(msg_type, kind)]
    nodes: dict[Path_, _Node] = {}
    _walk(schema, _registry().resolver(schema["$id"]), (), "M", nodes)
    validators, shapes = {}, {}
    for path, node in nodes.items():
        if node.encrypted and node.plain is not None:
            # a sibling $id, so that the relative refs of x-plain resolve as in the file
            plain_id = schema["$id"].rpartition("/")[0] + "/" + ".".join((msg_type, kind, *path))
            plain = {"$id": plain_id, **node.plain}
            validators[path] = _validator(plain)
            shape = _Node()
            _walk(plain, _registry().resolver(plain_id), (), "M", {(): shape})
            shapes[path] = shape
    fast = _gate(schema)
    return _Compiled(msg_type, kind, _validator(schema), fast, nodes, validators, shapes)


# --- public API ------------------------------------------------------------------------


def validate(message: Any, msg_type: str, kind: Kind) -> list[FieldError]:
    """All violations of the schema of ``msg_type``'s ``kind``, sorted; [] when valid.

    Raises KeyError when there is no such schema (unknown type, or a login response).
    """
    compiled = _compiled(msg_type, kind)
    if compiled.fast(message):
        return compiled.msgid_errors(message)
    seen: set[Path_] = set()
    errors = [
        found
        for error in compiled.validator.iter_errors(message)
        for found in compiled.field_errors(error, seen)
    ]
    errors.extend(compiled.msgid_errors(message))
    return sorted(set(errors), key=lambda e: (e.path, e.rule, e.message, e.provenance))


def _encrypted(msg_type: str, field_path: Path_) -> tuple[_Compiled, Any]:
    for kind in _KINDS:
        if f"{msg_type}.{kind}.json" in _files():
            compiled = _compiled(msg_type, kind)
            if field_path in compiled.plain_validators:
                return compiled, compiled.plain_validators[field_path]
    raise KeyError(f"{msg_type} has no encrypted field {'.'.join(field_path)}")


def validate_plain(msg_type: str, field_path: tuple[str, ...], value: str) -> list[FieldError]:
    """Check the decrypted value of an encrypted field against its ``x-plain`` schema."""
    compiled, validator = _encrypted(msg_type, tuple(field_path))
    seen: set[Path_] = set()
    errors = [
        found
        for error in validator.iter_errors(value)
        for found in compiled.field_errors(error, seen, prefix=tuple(field_path))
    ]
    return sorted(set(errors), key=lambda e: (e.path, e.rule, e.message, e.provenance))


def encrypted_fields(msg_type: str, kind: Kind) -> list[tuple[str, ...]]:
    """Paths of the fields that travel encrypted, e.g. ``[("trxInfo", "mobile")]``."""
    return [p for p, n in _compiled(msg_type, kind).nodes.items() if n.encrypted]


def forbidden_fields(msg_type: str, kind: Kind) -> list[tuple[str, ...]]:
    """Paths of the fields that must be absent (appEncCertID without an encrypted field)."""
    return [p for p, n in _compiled(msg_type, kind).nodes.items() if n.forbidden]


def field_rules(msg_type: str, kind: Kind) -> list[FieldRule]:
    """Every leaf field the message may carry, in schema order (forbidden ones excluded)."""
    compiled = _compiled(msg_type, kind)
    rules = []
    for path, node in compiled.nodes.items():
        if not path or node.container or node.forbidden:
            continue
        shape = compiled.plain_shapes.get(path, node)
        rules.append(
            FieldRule(
                path=path,
                value_class=shape.value_class,
                min_length=shape.min_length,
                max_length=shape.max_length,
                presence=node.presence,
                enum=node.enum,
                provenance=compiled.provenance(path),
                encrypted=node.encrypted,
            )
        )
    return rules
