"""Serialisations of a message: the kit's compact form and non-canonical ones that mean the
same message (whitespace, key order, ``\\u`` escapes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def compact(message: Any) -> bytes:
    """Compact UTF-8 JSON, as the kit serialises (no signing)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def serialise(
    value: Any,
    *,
    pretty: bool = False,
    reverse: bool = False,
    escape: bool = False,
    keep: tuple[str, ...] = ("signature",),
    _indent: int = 0,
    _key: str = "",
) -> str:
    """A non-canonical JSON serialisation: whitespace, key order, ``\\u`` escapes of ASCII
    letters in string values (the values of the ``keep`` keys are written plainly)."""
    pad = "\n" + "  " * (_indent + 1) if pretty else ""
    end = "\n" + "  " * _indent if pretty else ""
    colon = " : " if pretty else ":"
    if isinstance(value, dict):
        items = list(value.items())
        if reverse:
            items.reverse()
        inner = ",".join(
            pad
            + json.dumps(k)
            + colon
            + serialise(
                v,
                pretty=pretty,
                reverse=reverse,
                escape=escape,
                keep=keep,
                _indent=_indent + 1,
                _key=k,
            )
            for k, v in items
        )
        return "{" + inner + end + "}"
    if isinstance(value, list):
        return (
            "["
            + ",".join(
                pad
                + serialise(
                    v, pretty=pretty, reverse=reverse, escape=escape, keep=keep, _indent=_indent + 1
                )
                for v in value
            )
            + end
            + "]"
        )
    if isinstance(value, str) and escape and _key not in keep:
        return (
            '"'
            + "".join(
                f"\\u{ord(ch):04x}" if ch.isascii() and ch.isalpha() else json.dumps(ch)[1:-1]
                for ch in value
            )
            + '"'
        )
    return json.dumps(value, ensure_ascii=False)


NON_CANONICAL: dict[str, Callable[[dict[str, Any]], str]] = {
    "extra whitespace": lambda m: serialise(m, pretty=True),
    "unicode escapes of ASCII letters": lambda m: serialise(m, escape=True),
    "its signature member first": lambda m: serialise(
        {"certificateSignature": dict(reversed(list(m["certificateSignature"].items()))), **m}
    ),
}
