"""Masking what must never reach a report or a log: personal and secret values.

Masking goes two ways, with one rule (:func:`hide_mobile`):

- **By field.** Every field that a schema under ``schemas/`` marks ``x-encrypted`` or
  ``x-personal`` (:func:`private_fields`), wherever it appears: JSON bodies and Python reprs
  (also escaped inside a JSON or Python string or an HTML page), query strings and form
  bodies, queries percent-encoded inside a URL parameter (at any depth), the login's
  percent-encoded ``request_data``, its base64url variant (profile
  ``login.request_data_encoding``) and HTML form inputs (any attribute order or quoting). A
  field holding a ciphertext keeps it: what was sent encrypted is evidence and reveals
  nothing.
- **By value.** Every personal or secret value the target configures
  (:meth:`ucsp.target.Target.private_values`), and the built-in sandbox users' mobiles,
  wherever they appear (error pages, messages, logs), in any mix of its escaped forms:
  percent-encoded (either case of hex digits, any depth), ``+`` for a space, JSON, Python or
  HTML escapes. Values shorter than :data:`MIN_VALUE` characters are masked by field only.

Every pattern runs in time linear in the text (see the bench of hostile bodies in the tests):
no repetition can be rescanned from each of many starts.

:class:`Masker` holds one set of values; the module-level functions use the built-in ones.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import quote, unquote

from ucsp.sandbox import SANDBOX_USERS
from ucsp.schemas import schema_dir

MAX_BODY = 65536
MIN_VALUE = 6  # shorter configured values would mask unrelated text: masked by field only
BUILT_IN_VALUES = tuple(mobile for _, mobile in SANDBOX_USERS)
# Base64 of at least one RSA block (88 characters for 512 bits; a 2048-bit block is 344):
# longer than any clear value the schemas allow in an encrypted field (x-plain, 64).
_CIPHERTEXT = re.compile(r"[A-Za-z0-9+/]{86,}={0,2}")
# Quote marks of a JSON member (or a Python repr's) as text may carry it: inside a JSON or a
# Python string, in HTML.
_ESCAPED_QUOTES = ('\\"', "&quot;", "&#34;", "&#x22;", "\\'", "&#39;", "&#x27;", "&apos;")
_MAX_UNQUOTE = 4  # percent-encoding levels undone to judge a value (a query in a query in ...)
# Every pattern below is linear in the text: each repetition either needs no terminator or
# stops at a character its terminator starts with, so no start is rescanned from later ones.
# HTML tags are tokenised: a tag runs to its ``>`` or to the next ``<``, quoted values too.
_TAG = re.compile(r"""(<[A-Za-z][A-Za-z0-9:-]*+)(?:[^<>"']++|"[^"<]*+"?|'[^'<]*+'?)*+""")
_ATTRIBUTE = re.compile(
    r"""([^\s"'<>/=]++)(?:\s*+=\s*+(?:"([^"<]*+)"?|'([^'<]*+)'?|([^\s"'<>]++)))?"""
)


def _pct(code: str) -> str:
    """A percent escape of the byte ``code`` (two hex digits), at any encoding depth
    (``%22``, ``%2522``, ...), hex digits in either case. It starts with a plain ``%``, so
    that a pattern starting with it is searched for quickly."""
    return f"%(?i:(?:25)*+{code})"


_SPACE = rf"(?:\s|{_pct('20')}|\+)*+"
# Named and escape forms of the characters a JSON, Python or HTML text escapes by name.
_NAMED = {
    '"': (r'\\"', "&quot;"),
    "'": (r"\\'", "&apos;"),
    "\\": (r"\\\\",),
    "/": (r"\\/",),
    "&": ("&amp;",),
    "<": ("&lt;",),
    ">": ("&gt;",),
    "\n": (r"\\n",),
    "\t": (r"\\t",),
}


def _char_forms(char: str) -> list[str]:
    """Every form one character of a configured value may take in a text: itself, percent-
    encoded (any depth and case), and for other than letters and digits ``+`` for a space,
    JSON, Python and HTML escapes. Each form starts with a plain character."""
    forms = [re.escape(char), "".join(_pct(f"{byte:02X}") for byte in char.encode("utf-8"))]
    if not char.isalnum() or not char.isascii():
        code = ord(char)
        if char == " ":
            forms.append(r"\+")
        if code < 0x10000:
            forms.append(rf"\\(?i:u{code:04x})")
        if code < 0x100:
            forms.append(rf"\\(?i:x{code:02x})")
        forms += [rf"&#0*{code};", rf"&#(?i:x0*{code:x});", *_NAMED.get(char, ())]
    return forms


def _value_patterns(value: str) -> list[str]:
    """A configured value in any mix of its escaped forms (each character one at a time), as
    alternatives that each start with a plain character (so that the search for them skips
    quickly over text that holds none of those characters)."""
    rest = "".join("(?:" + "|".join(_char_forms(char)) + ")" for char in value[1:])
    return [form + rest for form in _char_forms(value[0])]


def hide_mobile(mobile: str) -> str:
    """The one mask of a clear mobile, used by reports, checks and the reference IS alike:
    every character but the last four replaced by ``*`` (all of them when short). One form
    everywhere, so that two masked copies never reveal more together than one does."""
    keep = 4 if len(mobile) > 6 else 0
    return "*" * (len(mobile) - keep) + mobile[len(mobile) - keep :]


def mask_mobile(value: str) -> str:
    """Keep a ciphertext as it is; hide a clear value (:func:`hide_mobile`)."""
    if is_ciphertext(value):
        return value
    return hide_mobile(value)


def is_ciphertext(value: str) -> bool:
    """Base64 of an RSA block; a string of digits only (a number repeated) is never one."""
    return bool(_CIPHERTEXT.fullmatch(value)) and not value.isdigit()


def _unquote_all(value: str) -> str:
    """``value`` with its percent-encoding undone, level after level (bounded)."""
    for _ in range(_MAX_UNQUOTE):
        plain = unquote(value)
        if plain == value:
            break
        value = plain
    return value


def _mask_encoded(value: str) -> str:
    """A percent-encoded value (at any depth): a ciphertext (%2B, %2F, %3D escaped) is kept
    as well; a clear one is masked once decoded, so no escape keeps a digit out of sight."""
    plain = _unquote_all(value)
    if is_ciphertext(plain):
        return value
    return quote(mask_mobile(plain), safe="*")


@cache
def private_fields() -> tuple[str, ...]:
    """Names of the fields any schema under ``schemas/`` marks ``x-encrypted`` or
    ``x-personal`` (the schemas are the one source of what is private)."""
    names: set[str] = set()
    for path in sorted(schema_dir().glob("*.json")):
        names |= private_fields_of(json.loads(path.read_text(encoding="utf-8")))
    return tuple(sorted(names))


def private_fields_of(schema: Any) -> set[str]:
    """Names of the properties one schema (at any depth) marks encrypted or personal."""
    names: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(
                    name
                    for name, sub in properties.items()
                    if isinstance(sub, dict) and (sub.get("x-encrypted") or sub.get("x-personal"))
                )
            stack.extend(node.values())
    return names


def _b64_json(value: str) -> str | None:
    """The JSON text a (base64url or Base64, maybe percent-escaped) value encodes, or None."""
    plain = unquote(value)
    standard = plain.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.lstrip().startswith(("{", "[")) else None


def _b64_like(original: str, text: str) -> str:
    """``text`` encoded in the alphabet and padding of ``original``."""
    plain = unquote(original)
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    if "-" in plain or "_" in plain or ("+" not in plain and "/" not in plain):
        encoded = encoded.replace("+", "-").replace("/", "_")
    if "=" not in plain:
        encoded = encoded.rstrip("=")
    return encoded.replace("=", "%3D") if "%3D" in original.upper() else encoded


class Masker:
    """Masks the private fields of the schemas and a set of private values in any text."""

    def __init__(self, values: Iterable[str] = (), fields: Iterable[str] | None = None) -> None:
        self.fields = tuple(fields) if fields is not None else private_fields()
        wanted = {v for v in (*BUILT_IN_VALUES, *values) if len(v) >= MIN_VALUE}
        self.values = tuple(sorted(wanted))
        names = "|".join(re.escape(name) for name in self.fields) or r"(?!)"
        self._names = re.compile(names, re.IGNORECASE)
        self._field_names = {name.casefold() for name in self.fields}
        # A member of a JSON object or of a Python repr: "mobile": "...", 'mobile': '...'.
        self._quoted = [
            re.compile(rf"""(["'](?:{names})["']\s*+:\s*+{q})((?:[^{q}\\]++|\\.)*+)({q})""")
            for q in ('"', "'")
        ]
        self._number = re.compile(rf"""(["'](?:{names})["']\s*+:\s*+)(-?[0-9][0-9.eE+-]*+)""")
        self._escaped = [
            re.compile(
                rf"({re.escape(q)}(?:{names}){re.escape(q)}\s*+:\s*+{re.escape(q)})"
                rf"((?:(?!{re.escape(q)}).)*?)({re.escape(q)})"
            )
            for q in _ESCAPED_QUOTES
        ]
        self._percent_json = [
            re.compile(
                rf"({q}(?:{names}){q}{_SPACE}{_pct('3A')}{_SPACE}{q})"
                rf"((?:(?!{q})[^&#\s\"'])*+)({q})",
                re.IGNORECASE,
            )
            for q in (_pct("22"), _pct("27"))
        ]
        # A query parameter: after ?, &, ; or a space, or at the start (each name first, so
        # that the search skips quickly to where one may be).
        parameters = "|".join(
            rf"{re.escape(name)}(?<![^?&;\s]{re.escape(name)})" for name in self.fields
        )
        self._query = re.compile(rf"((?:{parameters or '(?!)'})=)([^&#\s\"'<>]*+)")
        # A query inside a URL parameter: ...%3Fmobile%3D..., %253Fmobile%253D..., ...
        separators = "|".join(_pct(code) for code in ("3F", "26", "3B"))
        ends = "|".join(_pct(code) for code in ("26", "23", "3B"))
        self._nested_query = re.compile(
            rf"((?:{separators})(?:{names}){_pct('3D')})((?:(?!{ends})[^&#\s\"'<>])*+)",
            re.IGNORECASE,
        )
        self._request_data = re.compile(r"(request_data=)([A-Za-z0-9_\-+/%]++)")
        alternatives = "|".join(
            pattern
            for value in sorted(self.values, key=len, reverse=True)
            for pattern in _value_patterns(value)
        )
        self._values = re.compile(alternatives) if alternatives else None

    def _by_field(self, text: str) -> str:
        # Every pattern but request_data's needs a field name in the text, and most texts
        # hold none: one search for the names first spares them the other passes.
        named = self._names.search(text) is not None
        if named:
            for pattern in self._quoted:
                text = pattern.sub(lambda m: m[1] + mask_mobile(m[2]) + m[3], text)
            text = self._number.sub(lambda m: m[1] + '"' + hide_mobile(m[2]) + '"', text)
            for pattern in self._escaped:
                text = pattern.sub(lambda m: m[1] + mask_mobile(m[2]) + m[3], text)
            for pattern in self._percent_json:
                text = pattern.sub(lambda m: m[1] + _mask_encoded(m[2]) + m[3], text)
        if "request_data=" in text:
            masked = self._request_data.sub(self._mask_b64_request_data, text)
            named = named or (masked != text and self._names.search(masked) is not None)
            text = masked
        if not named:
            return text
        text = self._query.sub(lambda m: m[1] + _mask_encoded(m[2]), text)
        text = self._nested_query.sub(lambda m: m[1] + _mask_encoded(m[2]), text)
        return _TAG.sub(self._mask_tag, text)

    def _mask_tag(self, match: re.Match[str]) -> str:
        """An HTML tag whose ``name`` attribute is a private field, its ``value`` masked."""
        tag = match[0]
        if self._names.search(tag) is None:
            return tag
        private, value = False, None
        for attribute in _ATTRIBUTE.finditer(tag, len(match[1])):
            given = next((g for g in attribute.groups()[1:] if g is not None), None)
            key = attribute[1].casefold()
            if key == "name" and given is not None:
                private = given.casefold() in self._field_names
            elif key == "value" and given is not None:
                group = next(i for i in (2, 3, 4) if attribute[i] is not None)
                value = (attribute.start(group), attribute.end(group))
        if not private or value is None:
            return tag
        start, end = value
        return tag[:start] + mask_mobile(tag[start:end]) + tag[end:]

    def _mask_b64_request_data(self, match: re.Match[str]) -> str:
        decoded = _b64_json(match[2])
        if decoded is None:
            return match[0]
        clean = self.text(decoded)
        return match[0] if clean == decoded else match[1] + _b64_like(match[2], clean)

    def text(self, text: str) -> str:
        """``text`` with every private field and every private value masked."""
        text = self._by_field(text)
        if self._values is None:
            return text
        return self._values.sub(lambda m: hide_mobile(m[0]), text)

    def body(self, raw: bytes | None) -> str | None:
        """A body as text for a report: UTF-8 (invalid bytes replaced), bounded, masked."""
        if raw is None:
            return None
        text = raw[:MAX_BODY].decode("utf-8", errors="replace")
        if len(raw) > MAX_BODY:
            text += f"\n[... {len(raw) - MAX_BODY} more bytes]"
        return self.text(text)

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string inside it masked (keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def scrub(self, obj: Any) -> None:
        """Mask, in place, every string in a tree of record objects (attrs classes or
        dataclasses, e.g. an Allure test result before it is written) and of the lists and
        dicts they hold. Nothing else is entered: no module, class or foreign object."""
        self._scrub(obj, set())

    def _scrub(self, obj: Any, seen: set[int]) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if id(obj) in seen:
            return obj
        seen.add(id(obj))
        if isinstance(obj, list):
            obj[:] = [self._scrub(v, seen) for v in obj]
        elif isinstance(obj, dict):
            for key in list(obj):
                obj[key] = self._scrub(obj[key], seen)
        elif isinstance(obj, tuple):
            return tuple(self._scrub(v, seen) for v in obj)
        elif _is_record(obj):
            for name, attr in list(vars(obj).items()):
                setattr(obj, name, self._scrub(attr, seen))
        return obj


def _is_record(obj: Any) -> bool:
    """An instance of an attrs class or a dataclass (not a class itself)."""
    kind = type(obj)
    return hasattr(obj, "__dict__") and (
        hasattr(kind, "__attrs_attrs__") or hasattr(kind, "__dataclass_fields__")
    )


class MaskingFilter(logging.Filter):
    """A logging filter that masks a record's message and traceback before any handler."""

    def __init__(self, masker: Masker | None = None) -> None:
        super().__init__()
        self.masker = masker or DEFAULT

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.masker.text(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.masker.text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.masker.text(record.stack_info)
        return True


DEFAULT = Masker()


def mask_text(text: str) -> str:
    """``text`` masked with the built-in values (see :class:`Masker` for a target's)."""
    return DEFAULT.text(text)


def body_text(raw: bytes | None) -> str | None:
    return DEFAULT.body(raw)


def masked(value: Any) -> Any:
    """Mask every string inside a JSON-like value (built-in values)."""
    return DEFAULT.value(value)
