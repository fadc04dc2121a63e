"""ucsp.mutation.fields: one broken rule per field, each refused by the schema; a re-signed
mutation still verifies (only the rule is broken), a tampered one does not."""

from __future__ import annotations

import json

import pytest

from ucsp import schemas
from ucsp.errors import SignatureInvalid
from ucsp.mutation.fields import (
    ALWAYS_INVALID,
    OTHER_INDUSTRY,
    FieldMutation,
    field_mutations,
    other_industry_code,
    without_mandatory_field,
)
from ucsp.mutation.signature import flip_signature, sign_message

from .support import PROFILE, order_message, sign, verify

MSG_TYPE = "SUBMIT_PAYMENT_ORDER"


def test_the_base_message_is_valid() -> None:
    assert schemas.validate(order_message(), MSG_TYPE, "request") == []


def test_field_mutations_are_deterministic_and_unique() -> None:
    first = field_mutations(order_message(), MSG_TYPE)
    assert first == field_mutations(order_message(), MSG_TYPE)
    labels = [m.label for m in first]
    assert len(labels) == len(set(labels))


def test_every_field_mutation_breaks_the_schema() -> None:
    message = order_message()
    for mutation in field_mutations(message, MSG_TYPE):
        assert schemas.validate(mutation.apply(message), MSG_TYPE, "request"), mutation.label


def test_field_mutations_cover_the_rule_kinds() -> None:
    mutations = field_mutations(order_message(), MSG_TYPE)
    order_id = {m.rule for m in mutations if m.path == ("trxInfo", "orderId")}
    assert order_id == {"type", "minLength", "maxLength", "class", "required"}
    msg_id = {m.rule for m in mutations if m.path == ("msgInfo", "msgID")}
    assert {"calendar", "prefix", "industry"} <= msg_id
    rules = {(m.path[-1], m.rule) for m in mutations}
    assert {("txnAmt", "zero"), ("txnTime", "calendar"), ("versionNo", "enum")} <= rules
    assert ("trxInfo", "required") in rules and ("certificateSignature", "required") in rules
    assert {m.rule for m in mutations} >= ALWAYS_INVALID - {"forbidden"}


def test_the_msg_id_industry_mutation_names_another_industry() -> None:
    mutation = next(
        m
        for m in field_mutations(order_message(), MSG_TYPE)
        if m.path == ("msgInfo", "msgID") and m.rule == "industry"
    )
    assert mutation.value[1:9] == OTHER_INDUSTRY[0]
    assert other_industry_code(OTHER_INDUSTRY[0]) == OTHER_INDUSTRY[1]
    assert other_industry_code("TRAVEL01") == OTHER_INDUSTRY[0]


def test_apply_sets_or_removes_and_leaves_the_input() -> None:
    message = order_message()
    before = json.dumps(message)
    changed = FieldMutation(("trxInfo", "txnAmt"), "type", 1).apply(message)
    assert changed["trxInfo"]["txnAmt"] == 1
    removed = FieldMutation(("trxInfo", "txnAmt"), "required", remove=True).apply(message)
    assert "txnAmt" not in removed["trxInfo"]
    created = FieldMutation(("extra", "x"), "forbidden", "1").apply(message)
    assert created["extra"] == {"x": "1"}
    assert json.dumps(message) == before
    assert FieldMutation(("trxInfo", "txnAmt"), "zero").label == "$.trxInfo.txnAmt (zero)"


def test_a_re_signed_field_mutation_verifies_and_a_tampered_one_does_not() -> None:
    for mutation in field_mutations(order_message(), MSG_TYPE)[:12]:
        changed = mutation.apply(order_message())
        if not isinstance(changed.get("certificateSignature"), dict):
            continue
        body = sign_message(changed, sign(), PROFILE.placeholder)
        verify(body)
        with pytest.raises(SignatureInvalid):
            verify(flip_signature(body))


def test_without_mandatory_field_drops_the_first_mandatory_trx_field() -> None:
    message = order_message()
    changed = without_mandatory_field(message, MSG_TYPE)
    assert set(message["trxInfo"]) - set(changed["trxInfo"]) == {"orderId"}
    assert schemas.validate(changed, MSG_TYPE, "request")
    assert "orderId" in message["trxInfo"]
