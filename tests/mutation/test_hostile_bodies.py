"""ucsp.mutation.hostile: each hostile body, what it holds, and that it is made the same way
every time from the same message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ucsp import schemas
from ucsp.crypto import signed_bytes, verify_bytes
from ucsp.errors import UcspError
from ucsp.mutation.hostile import (
    HOSTILE,
    depth_filler,
    duplicate_first_trx_member,
    duplicate_trx_object,
    insert_in_trx,
    nested,
)
from ucsp.mutation.serialisation import compact
from ucsp.strictjson import parse_object

from .support import KEYS, PROFILE, order_message, sign


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def test_nested_and_depth_filler() -> None:
    assert nested(0) == "x"
    assert nested(2) == [["x"]]
    for depth in (3, 32, 33):
        message = order_message()
        message["trxInfo"]["x"] = depth_filler(depth)
        assert _depth(message) == depth


def test_insert_in_trx_makes_the_member_first() -> None:
    raw = compact(order_message())
    changed = insert_in_trx(raw, b'"x":1')
    assert next(iter(json.loads(changed)["trxInfo"])) == "x"
    empty = insert_in_trx(b'{"trxInfo":{}}', b'"x":1')
    assert empty == b'{"trxInfo":{"x":1}}'


def test_duplicates_repeat_a_member_verbatim() -> None:
    raw = compact(order_message())
    first = duplicate_first_trx_member(raw)
    assert first.count(b'"orderId":') == 2
    assert json.loads(first) == json.loads(raw)  # a lenient parser keeps the last
    whole = duplicate_trx_object(raw)
    assert whole.count(b'"trxInfo":') == 2
    assert whole.startswith(b'{"trxInfo":{')


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_body_is_deterministic_and_refused(name: str) -> None:
    recipe = HOSTILE[name]
    body = recipe.build(order_message(), sign())
    assert body == recipe.build(order_message(), sign())
    assert recipe.requirement in ("FMT-01", "FMT-02", "FMT-04")
    try:
        message = parse_object(body, max_depth=PROFILE.max_depth)
    except UcspError:
        assert recipe.requirement in ("FMT-01", "FMT-02")
        return
    assert recipe.requirement == "FMT-04"
    assert schemas.validate(message, "SUBMIT_PAYMENT_ORDER", "request")


def test_the_hostile_builders_leave_the_message_unchanged() -> None:
    message = order_message()
    before = json.dumps(message)
    for recipe in HOSTILE.values():
        recipe.build(message, sign())
    assert json.dumps(message) == before


@pytest.mark.parametrize(
    "name", ["duplicate-key", "duplicate-top-level-key", "nan", "overflow-1e999", "no-msginfo"]
)
def test_hostile_bodies_that_hold_a_signature_are_signed_over_their_raw_bytes(name: str) -> None:
    body = HOSTILE[name].build(order_message(), sign())
    data, signature = signed_bytes(body.decode(), PROFILE.placeholder)
    verify_bytes(KEYS.industry_sign.cert, data, signature, PROFILE.signature_mode)


def test_what_the_framing_bodies_hold() -> None:
    signed = sign()(compact(order_message()))
    build = {name: HOSTILE[name].build(order_message(), sign()) for name in HOSTILE}
    assert build["byte-order-mark"] == b"\xef\xbb\xbf" + signed
    assert build["truncated-json"] == signed[:-5]
    assert build["top-level-array"] == b"[" + signed + b"]"
    assert json.loads(build["top-level-string"]) == signed.decode()
    assert b'"x":"caf\xe9"' in build["invalid-utf8"]
    assert json.loads(build["msginfo-not-object"])["msgInfo"] == "SUBMIT_PAYMENT_ORDER"
    assert "msgInfo" not in json.loads(build["no-msginfo"])
