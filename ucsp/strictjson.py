"""Strict JSON parsing that refuses the hostile inputs of PROTOCOL.md sections 1 and 8.

Python's ``json`` accepts duplicate keys, NaN, lone surrogates and numbers overflowing to
infinity, and recurses until it overflows the stack. Every receiver in the suite parses
through :func:`parse_object` instead.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from ucsp.errors import MalformedMessage

_BOM = b"\xef\xbb\xbf"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _reject_constant(name: str) -> Any:
    raise MalformedMessage(f"{name} is not allowed in a protocol message")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise MalformedMessage(f"number {text[:20]} overflows to infinity")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:  # more digits than int() accepts
        raise MalformedMessage("integer literal too long") from exc


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise MalformedMessage(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _max_depth(text: str, limit: int) -> int:
    """Deepest nesting of objects and arrays, outside strings (cheap when obviously shallow)."""
    if text.count("{") + text.count("[") <= limit:
        return 0
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def decode_text(raw: bytes, *, max_bytes: int = 65536) -> str:
    """Check size, BOM and strict UTF-8; return the text."""
    if len(raw) > max_bytes:
        raise MalformedMessage(f"body of {len(raw)} bytes exceeds the limit of {max_bytes}")
    if raw.startswith(_BOM):
        raise MalformedMessage("body starts with a byte order mark")
    try:
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise MalformedMessage(f"body is not valid UTF-8 ({exc.reason} at {exc.start})") from exc


def parse_text(text: str, *, max_depth: int = 32) -> dict[str, Any]:
    """Parse JSON text that must be an object, refusing every hostile construct."""
    if _max_depth(text, max_depth) > max_depth:
        raise MalformedMessage(f"JSON nesting deeper than {max_depth}")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_reject_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except MalformedMessage:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedMessage(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedMessage("message is not a JSON object")
    # Strict UTF-8 already refuses encoded surrogates; only \uD800-\uDFFF escapes can make one.
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise MalformedMessage("lone surrogate escape in a string")
    return value


def parse_object(raw: bytes, *, max_bytes: int = 65536, max_depth: int = 32) -> dict[str, Any]:
    """Parse raw bytes into a JSON object under the limits of PROTOCOL.md section 1."""
    return parse_text(decode_text(raw, max_bytes=max_bytes), max_depth=max_depth)


def _members(text: str, start: int) -> Iterator[tuple[str, int, int]]:
    """Yield (key, value start, value end) for the object whose ``{`` is at ``start``."""
    idx = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
    if text[idx] == "}":
        return
    while True:
        key, idx = json.decoder.scanstring(text, idx + 1)  # type: ignore[attr-defined]
        idx = _WS.match(text, idx).end() + 1  # type: ignore[union-attr]  # skip ':'
        vstart = _WS.match(text, idx).end()  # type: ignore[union-attr]
        _, vend = _DECODER.raw_decode(text, vstart)
        yield key, vstart, vend
        idx = _WS.match(text, vend).end()  # type: ignore[union-attr]
        if text[idx] == "}":
            return
        idx = _WS.match(text, idx + 1).end()  # type: ignore[union-attr]  # skip ','


def member_span(text: str, path: tuple[str, ...]) -> tuple[int, int] | None:
    """Character span of the value at ``path`` in a JSON object text (already validated)."""
    start = _WS.match(text).end()  # type: ignore[union-attr]
    span: tuple[int, int] | None = None
    for depth, key in enumerate(path):
        if text[start] != "{":
            return None
        span = None
        for name, vstart, vend in _members(text, start):
            if name == key:
                span = (vstart, vend)
                break
        if span is None:
            return None
        start = span[0]
        if depth == len(path) - 1:
            return span
    return span
