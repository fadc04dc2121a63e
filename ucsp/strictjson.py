"""Strict JSON parsing that refuses the hostile inputs of PROTOCOL.md sections 1 and 8.

Python's ``json`` accepts duplicate keys, NaN, lone surrogates and numbers overflowing to
infinity, and recurses until it overflows the stack. Every receiver in the suite parses
through :func:`parse_object` instead.

Every guard costs time linear in the size of the text, whatever the text holds: the scans
are built from ``str``/``bytes`` primitives that visit each character a fixed number of
times, and each regular expression either matches a fixed width after a literal or one run
of a single character class, so none can backtrack over the body.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Iterator
from itertools import accumulate
from operator import add
from typing import Any

from ucsp.errors import MalformedMessage

_BOM = b"\xef\xbb\xbf"
# Outside strings, each opening bracket becomes "1" and each closing one "0"; every other
# byte is dropped. Packed eight to a byte, each unit's change of depth and its highest point.
_BITS = bytes.maketrans(b"[{]}", b"1100")
_NOT_A_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")


def _unit(byte: int) -> tuple[int, int]:
    depth = peak = 0
    for bit in range(7, -1, -1):
        depth += 1 if byte >> bit & 1 else -1
        peak = max(peak, depth)
    return depth, peak


_UNITS = [_unit(byte) for byte in range(256)]
_UNIT_DELTA = bytes(delta & 0xFF for delta, _ in _UNITS)  # read back as signed bytes
_UNIT_PEAK = bytes(peak for _, peak in _UNITS)
_HEX2 = "[0-9a-fA-F]{2}"
# A \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or a low one not preceded by a
# high one: what json decodes to a lone surrogate. Fixed width, led by the literal "\u".
_LONE_SURROGATE = re.compile(
    rf"\\u(?:[dD][89abAB]{_HEX2}(?!\\u[dD][c-fC-F])"
    rf"|(?<!\\u[dD][89abAB]{_HEX2}\\u)[dD][c-fC-F]{_HEX2})"
)
_WS = re.compile(r"[ \t\n\r]*")
HOOKED_OBJECTS = 64  # up to this many "{" in a body, duplicate keys are caught by a hook
_DECODER = json.JSONDecoder()


def _reject_constant(name: str) -> Any:
    raise MalformedMessage(f"{name} is not allowed in a protocol message")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise MalformedMessage(f"number {text[:20]} overflows to infinity")
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedMessage(f"duplicate key {key!r}")
            seen.add(key)
    return obj


def _without_escapes(text: str) -> str:
    """The text with each ``\\\\`` and ``\\"`` escape replaced by two inert characters.

    Replacing ``\\\\`` first, left to right, pairs backslashes exactly as a JSON string
    does; what remains of a ``\\`` then begins an escape of the next character.
    """
    if "\\" not in text:
        return text
    return text.replace("\\\\", "__").replace('\\"', "__")


def _outside_strings(text: str) -> str:
    """The characters of ``text`` outside its strings; an unterminated string runs to the end."""
    return "".join(_without_escapes(text).split('"')[::2])


def _max_depth(text: str, limit: int, outside_text: str | None = None) -> int:
    """Deepest nesting of objects and arrays outside strings, or ``limit + 1`` once beyond it.

    Exact for any text that ``json`` accepts. Cheap when the text has few brackets at all.
    ``outside_text`` is ``_outside_strings(text)`` when the caller already has it.
    """
    if text.count("{") + text.count("[") <= limit:
        return 0
    if outside_text is None:
        outside_text = _outside_strings(text)
    outside = outside_text.encode("ascii", "ignore")  # JSON outside strings is ASCII
    bits = outside.translate(_BITS, _NOT_A_BRACKET)
    if bits.count(b"1") <= limit:
        return 0
    if b"1" * (limit + 1) in bits:
        return limit + 1
    bits += b"0" * (-len(bits) % 8)  # closing brackets at the end lower no peak
    units = int(bits, 2).to_bytes(len(bits) // 8, "big")
    starts = accumulate(array("b", units.translate(_UNIT_DELTA)), initial=0)
    peaks: Iterator[int] = map(add, starts, units.translate(_UNIT_PEAK))
    return max(peaks)


def _has_lone_surrogate(text: str) -> bool:
    """Whether text that ``json`` accepted decodes to a string with a lone surrogate."""
    if "\\" not in text:  # one character: a memchr, cheaper than any regex
        return False
    return _LONE_SURROGATE.search(_without_escapes(text)) is not None


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


def _without_duplicates(outside_text: str, value: Any) -> None:
    """Refuse ``value``, parsed without a per-object hook from a text whose characters
    outside strings are ``outside_text``, when a duplicate key collapsed: every member has
    exactly one ``:`` outside strings, in the text and in the value's compact re-encoding,
    and a collapse only ever removes members."""
    encoded = json.dumps(value, separators=(",", ":"), check_circular=False)
    if outside_text.count(":") != _outside_strings(encoded).count(":"):
        raise MalformedMessage("duplicate key in an object")


def parse_text(text: str, *, max_depth: int = 32) -> dict[str, Any]:
    """Parse JSON text that must be an object, refusing every hostile construct.

    With up to ``HOOKED_OBJECTS`` objects (every ordinary protocol message) a hook refuses a
    duplicate key as it is met, naming it; with more, where one Python call per object
    would cost more than the parse itself, :func:`_without_duplicates` checks afterwards.
    """
    hooked = text.count("{") <= HOOKED_OBJECTS
    outside_text = None if hooked else _outside_strings(text)  # one scan for both checks
    if _max_depth(text, max_depth, outside_text) > max_depth:
        raise MalformedMessage(f"JSON nesting deeper than {max_depth}")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs if hooked else None,
            parse_constant=_reject_constant,
            parse_float=_float,
        )
        if outside_text is not None:
            _without_duplicates(outside_text, value)
    except MalformedMessage:
        raise
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedMessage(f"not valid JSON: {exc}") from exc
    except ValueError as exc:  # an integer of more digits than int() accepts
        raise MalformedMessage("integer literal too long") from exc
    if not isinstance(value, dict):
        raise MalformedMessage("message is not a JSON object")
    # Strict UTF-8 already refuses encoded surrogates; only \uD800-\uDFFF escapes can make one.
    if _has_lone_surrogate(text):
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
