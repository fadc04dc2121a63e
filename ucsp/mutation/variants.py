"""Message-level variants of a valid message: retyped, padded to a size, nested to a depth,
or carrying what a receiver must ignore. Each returns a new message (or its unsigned bytes);
the input is never changed."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ucsp.envelope import CERT_ID_FIELD
from ucsp.errors import ConfigError
from ucsp.messages import LOGIN_TYPE, MESSAGE_TYPES, Party
from ucsp.mutation.hostile import depth_filler
from ucsp.mutation.serialisation import compact, serialise

UNKNOWN_MSG_TYPE = "UNKNOWN_INTERFACE"

RETYPINGS = (
    "a type no interface has",
    "a type meant for the other party",
    "the login message type",
)
IGNORABLE = (
    "an unknown field in every object",
    "its keys in reverse order",
    "the other party's cert ID",
)


def _copy(message: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(message))


def retyped(message: Mapping[str, Any], kind: str, receiver: Party) -> dict[str, Any]:
    """The message re-typed (one of :data:`RETYPINGS`): a name no interface has, a type
    ``receiver`` sends rather than receives, or the login message type."""
    changed = _copy(message)
    changed["msgInfo"]["msgType"] = {
        "a type no interface has": UNKNOWN_MSG_TYPE,
        "a type meant for the other party": next(
            t.name for t in MESSAGE_TYPES.values() if t.sender is receiver and t.has_response
        ),
        "the login message type": LOGIN_TYPE,
    }[kind]
    return changed


def ignorable(
    message: Mapping[str, Any], variation: str, receiver: Party, receiver_cert_id: str
) -> bytes:
    """The unsigned bytes of the message with a variation the receiver must ignore (one of
    :data:`IGNORABLE`): an unknown field in every object, its keys in reverse order, or the
    receiver's own cert ID field naming ``receiver_cert_id`` beside the sender's."""
    changed = _copy(message)
    if variation == "an unknown field in every object":
        for part in ("msgInfo", "trxInfo", "certificateSignature"):
            changed[part] = {"extensionField": "ignored", **changed[part]}
        return compact({"extensionObject": {"note": "ignored"}, **changed})
    if variation == "its keys in reverse order":
        return serialise(changed, reverse=True).encode("utf-8")
    if variation == "the other party's cert ID":
        changed["certificateSignature"] = {
            CERT_ID_FIELD[receiver]: receiver_cert_id,
            **changed["certificateSignature"],
        }
        return compact(changed)
    raise KeyError(f"unknown variation {variation!r}")


def nested_to(message: Mapping[str, Any], depth: int) -> dict[str, Any]:
    """The message with an unknown trxInfo field bringing it to ``depth`` exactly."""
    changed = _copy(message)
    changed["trxInfo"]["nesting"] = depth_filler(depth)
    return changed


def padded(
    message: Mapping[str, Any], size: int, sign: Callable[[Mapping[str, Any]], bytes]
) -> bytes:
    """The message with an unknown trxInfo field making the body ``sign`` returns ``size``
    bytes (``sign`` must return bodies whose length depends only on the padding's)."""
    changed = _copy(message)
    changed["trxInfo"]["padding"] = ""
    length = len(sign(changed))
    if length > size:
        raise ConfigError(f"the probe message alone is {length} bytes, over {size}")
    changed["trxInfo"]["padding"] = "x" * (size - length)
    body = sign(changed)
    assert len(body) == size, (len(body), size)
    return body
