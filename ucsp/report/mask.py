"""Masking what must never reach a report or a log: clear-text mobile numbers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from ucsp.sim.defaults import SANDBOX_USERS

_JSON_MOBILE = re.compile(r'("mobile"\s*:\s*")((?:[^"\\]|\\.)*)(")')
_QUERY_MOBILE = re.compile(r"((?:^|[?&\s])mobile=)([^&#\s\"']*)")
_CIPHERTEXT = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
# The login message travels percent-encoded in a query string (request_data=%7B%22...).
_ENCODED_JSON_MOBILE = re.compile(
    r"(%22mobile%22(?:%20|\+)*%3A(?:%20|\+)*%22)((?:(?!%22)[^&#\s\"'])*)(%22)", re.IGNORECASE
)
# The sandbox users' numbers, wherever they appear (e.g. echoed in a SUT's error page).
_KNOWN_MOBILES = re.compile(
    r"(?<![0-9])(?:" + "|".join(re.escape(mobile) for _, mobile in SANDBOX_USERS) + r")(?![0-9])"
)
MAX_BODY = 65536


def hide_mobile(mobile: str) -> str:
    """The one mask of a clear mobile, used by reports, checks and the reference IS alike:
    every character but the last four replaced by ``*`` (all of them when short). One form
    everywhere, so that two masked copies never reveal more together than one does."""
    keep = 4 if len(mobile) > 6 else 0
    return "*" * (len(mobile) - keep) + mobile[len(mobile) - keep :]


def mask_mobile(value: str) -> str:
    """Keep a ciphertext as it is; hide a clear number (:func:`hide_mobile`)."""
    if _CIPHERTEXT.fullmatch(value):
        return value
    return hide_mobile(value)


def _mask_encoded(value: str) -> str:
    """A percent-encoded mobile: a ciphertext (%2B, %2F, %3D escaped) is kept as well."""
    plain = unquote(value)
    if _CIPHERTEXT.fullmatch(plain):
        return value
    return quote(mask_mobile(plain), safe="*")


def mask_text(text: str) -> str:
    text = _JSON_MOBILE.sub(lambda m: m.group(1) + mask_mobile(m.group(2)) + m.group(3), text)
    text = _ENCODED_JSON_MOBILE.sub(
        lambda m: m.group(1) + _mask_encoded(m.group(2)) + m.group(3), text
    )
    text = _QUERY_MOBILE.sub(lambda m: m.group(1) + _mask_encoded(m.group(2)), text)
    return _KNOWN_MOBILES.sub(lambda m: mask_mobile(m.group()), text)


def body_text(raw: bytes | None) -> str | None:
    """A body as text for a report: UTF-8 (invalid bytes replaced), bounded, masked."""
    if raw is None:
        return None
    text = raw[:MAX_BODY].decode("utf-8", errors="replace")
    if len(raw) > MAX_BODY:
        text += f"\n[... {len(raw) - MAX_BODY} more bytes]"
    return mask_text(text)


def masked(value: Any) -> Any:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value
