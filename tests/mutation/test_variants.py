"""ucsp.mutation.variants: retyped, padded, nested and ignorable variants of a message."""

from __future__ import annotations

import json

import pytest

from ucsp.errors import ConfigError
from ucsp.messages import LOGIN_TYPE, MESSAGE_TYPES, Party
from ucsp.mutation.serialisation import compact
from ucsp.mutation.signature import sign_message
from ucsp.mutation.variants import (
    IGNORABLE,
    RETYPINGS,
    UNKNOWN_MSG_TYPE,
    ignorable,
    nested_to,
    padded,
    retyped,
)

from .support import PROFILE, order_message, sign, verify


def test_retyped() -> None:
    message = order_message()
    assert retyped(message, RETYPINGS[0], Party.UCSP)["msgInfo"]["msgType"] == UNKNOWN_MSG_TYPE
    other = retyped(message, RETYPINGS[1], Party.UCSP)["msgInfo"]["msgType"]
    assert MESSAGE_TYPES[other].sender is Party.UCSP
    assert retyped(message, RETYPINGS[2], Party.UCSP)["msgInfo"]["msgType"] == LOGIN_TYPE
    assert message["msgInfo"]["msgType"] == "SUBMIT_PAYMENT_ORDER"


@pytest.mark.parametrize("variation", IGNORABLE)
def test_each_ignorable_variation_is_deterministic_and_verifies_once_signed(variation: str) -> None:
    raw = ignorable(order_message(), variation, Party.UCSP, "123")
    assert raw == ignorable(order_message(), variation, Party.UCSP, "123")
    assert raw != compact(order_message())
    verify(sign()(raw))


def test_what_the_ignorable_variations_hold() -> None:
    message = order_message()
    extra = json.loads(ignorable(message, IGNORABLE[0], Party.UCSP, "1"))
    assert extra["extensionObject"] == {"note": "ignored"}
    assert all(extra[p]["extensionField"] == "ignored" for p in ("msgInfo", "trxInfo"))
    reverse = json.loads(ignorable(message, IGNORABLE[1], Party.UCSP, "1"))
    assert list(reverse) == list(reversed(list(message)))
    other = json.loads(ignorable(message, IGNORABLE[2], Party.UCSP, "555"))
    assert other["certificateSignature"]["ucspSignCertID"] == "555"
    with pytest.raises(KeyError):
        ignorable(message, "nothing", Party.UCSP, "1")


def test_nested_to_reaches_the_depth_and_keeps_the_input() -> None:
    message = order_message()
    changed = nested_to(message, 32)
    assert "nesting" in changed["trxInfo"] and "nesting" not in message["trxInfo"]


def test_padded_to_an_exact_size() -> None:
    def signed(m: object) -> bytes:
        assert isinstance(m, dict)
        return sign_message(m, sign(), PROFILE.placeholder)

    body = padded(order_message(), 2000, signed)
    assert len(body) == 2000
    assert body == padded(order_message(), 2000, signed)
    verify(body)
    with pytest.raises(ConfigError):
        padded(order_message(), 100, signed)
