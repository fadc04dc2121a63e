"""ucsp.mutation.serialisation: the compact form and the non-canonical ones, each meaning
the same message and signed over its own bytes."""

from __future__ import annotations

import json

import pytest

from ucsp.crypto import signed_bytes
from ucsp.mutation.serialisation import NON_CANONICAL, compact, serialise

from .support import PROFILE, order_message, sign, verify


def test_compact_is_utf8_json_without_whitespace() -> None:
    assert compact({"a": [1, "é"], "b": {}}) == '{"a":[1,"é"],"b":{}}'.encode()


def test_serialise_without_options_is_the_compact_form() -> None:
    message = order_message()
    assert serialise(message).encode() == compact(message)


def test_serialise_options() -> None:
    value = {"a": "Ab1", "signature": "Zz", "l": [1]}
    assert serialise(value, reverse=True) == '{"l":[1],"signature":"Zz","a":"Ab1"}'
    assert serialise(value, escape=True) == '{"a":"\\u0041\\u00621","signature":"Zz","l":[1]}'
    pretty = serialise(value, pretty=True)
    assert "\n" in pretty and " : " in pretty
    assert json.loads(pretty) == value


@pytest.mark.parametrize("style", sorted(NON_CANONICAL))
def test_each_non_canonical_serialisation_means_the_same_message(style: str) -> None:
    message = order_message()
    text = NON_CANONICAL[style](message)
    assert text == NON_CANONICAL[style](order_message())
    assert text.encode() != compact(message)
    assert json.loads(text) == message


@pytest.mark.parametrize("style", sorted(NON_CANONICAL))
def test_non_canonical_bytes_signed_as_sent_verify(style: str) -> None:
    text = NON_CANONICAL[style](order_message())
    body = sign()(text.encode())
    verify(body)
    data, _ = signed_bytes(body.decode(), PROFILE.placeholder)
    assert data == text.encode()
