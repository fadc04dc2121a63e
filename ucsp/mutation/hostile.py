"""Hostile raw bodies: what a strict receiver must refuse before or while parsing (FMT-01,
FMT-02) and JSON objects without a msgInfo object (FMT-04), each made from a valid message
and signed over its raw bytes where it can hold a signature."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ucsp.mutation.serialisation import compact
from ucsp.mutation.signature import Signer
from ucsp.strictjson import member_span

Build = Callable[[dict[str, Any], Signer], bytes]


@dataclass(frozen=True)
class Hostile:
    """One hostile body: the requirement it exercises and how it is made from a valid one."""

    requirement: str
    build: Build


def nested(depth: int) -> Any:
    """A value that is ``depth`` arrays deep."""
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def depth_filler(total_depth: int) -> Any:
    """A trxInfo field value bringing the whole message to ``total_depth`` (top level = 1)."""
    return nested(total_depth - 2)


def insert_in_trx(raw: bytes, member: bytes) -> bytes:
    """``member`` (raw ``"name":value`` bytes) made the first member of trxInfo."""
    marker = b'"trxInfo":{'
    at = raw.index(marker) + len(marker)
    separator = b"" if raw[at : at + 1] == b"}" else b","
    return raw[:at] + member + separator + raw[at:]


def duplicate_first_trx_member(raw: bytes) -> bytes:
    """The first member of trxInfo written twice."""
    text = raw.decode("utf-8")
    message = json.loads(text)
    first = next(iter(message["trxInfo"]))
    span = member_span(text, ("trxInfo", first))
    assert span is not None
    brace = text.index('"trxInfo":{') + len('"trxInfo":{')
    member = text[brace : span[1]]
    return (text[:brace] + member + "," + text[brace:]).encode("utf-8")


def duplicate_trx_object(raw: bytes) -> bytes:
    """The whole trxInfo member written twice at the top level."""
    text = raw.decode("utf-8")
    span = member_span(text, ("trxInfo",))
    assert span is not None
    member = '"trxInfo":' + text[span[0] : span[1]]
    return ("{" + member + "," + text[1:]).encode("utf-8")


def _signed(message: dict[str, Any], sign: Signer) -> bytes:
    return sign(compact(message))


def _with_trx_field(value: Any) -> Build:
    def build(message: dict[str, Any], sign: Signer) -> bytes:
        changed = copy.deepcopy(message)
        changed["trxInfo"]["x"] = value
        return sign(compact(changed))

    return build


def _raw_trx_member(member: bytes) -> Build:
    def build(message: dict[str, Any], sign: Signer) -> bytes:
        return sign(insert_in_trx(compact(message), member))

    return build


def _without_msg_info(message: dict[str, Any], sign: Signer) -> bytes:
    return sign(compact({k: v for k, v in message.items() if k != "msgInfo"}))


def _msg_info_string(message: dict[str, Any], sign: Signer) -> bytes:
    info = message["msgInfo"]
    return sign(compact({**message, "msgInfo": str(info.get("msgType", ""))}))


HOSTILE: dict[str, Hostile] = {
    # FMT-01: not strict UTF-8, a BOM, not JSON, not an object
    "byte-order-mark": Hostile("FMT-01", lambda m, s: b"\xef\xbb\xbf" + _signed(m, s)),
    "invalid-utf8": Hostile("FMT-01", _raw_trx_member(b'"x":"caf\xe9"')),
    "truncated-json": Hostile("FMT-01", lambda m, s: _signed(m, s)[:-5]),
    "top-level-array": Hostile("FMT-01", lambda m, s: b"[" + _signed(m, s) + b"]"),
    "top-level-string": Hostile(
        "FMT-01", lambda m, s: json.dumps(_signed(m, s).decode("utf-8")).encode("utf-8")
    ),
    # FMT-02: what a lenient parser accepts and the profile forbids (signed, else valid)
    "duplicate-key": Hostile("FMT-02", lambda m, s: s(duplicate_first_trx_member(compact(m)))),
    "duplicate-top-level-key": Hostile("FMT-02", lambda m, s: s(duplicate_trx_object(compact(m)))),
    "depth-33": Hostile("FMT-02", lambda m, s: _with_trx_field(depth_filler(33))(m, s)),
    "nan": Hostile("FMT-02", _raw_trx_member(b'"x":NaN')),
    "infinity": Hostile("FMT-02", _raw_trx_member(b'"x":Infinity')),
    "overflow-1e999": Hostile("FMT-02", _raw_trx_member(b'"x":1e999')),
    "lone-surrogate": Hostile("FMT-02", _raw_trx_member(b'"x":"\\ud800"')),
    # FMT-04 / FMT-08: JSON objects without a msgInfo object
    "no-msginfo": Hostile("FMT-04", _without_msg_info),
    "msginfo-not-object": Hostile("FMT-04", _msg_info_string),
}
