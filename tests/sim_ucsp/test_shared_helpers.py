"""The pieces the reference implementations share: transactions, receivers, reversal rules."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ucsp.codec import Decoded
from ucsp.codes import ResponseCode
from ucsp.sim.db import Database
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.receiver import msg_id, text_field
from ucsp.sim.pipeline import Message
from ucsp.sim.store_base import TxnKind
from ucsp.sim.ucsp import rules
from ucsp.sim.ucsp.faults import CATALOGUE
from ucsp.sim.ucsp.store import Store, Txn, TxnStatus

NO_FAULTS = FaultSet(CATALOGUE)


def test_a_transaction_yields_its_value_and_rolls_back_on_failure() -> None:
    db = Database(schema="CREATE TABLE t (v INTEGER)")
    with db.transaction() as conn:
        assert conn is db.conn
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError
    assert [row[0] for row in db.conn.execute("SELECT v FROM t")] == [1]
    store = Store(Database())
    with store.tx() as first, store.tx() as second:
        assert first is second  # one Tx serves every transaction of the store


def test_text_fields_and_the_msgid_replay_key() -> None:
    assert text_field({"a": "x", "b": 1}, "a") == "x"
    assert text_field({"a": "x", "b": 1}, "b") == ""
    assert text_field({}, "a") == ""
    body = {"msgInfo": {"msgID": "I1"}, "trxInfo": {}}
    text = json.dumps(body)
    decoded = Decoded(text.encode(), text, body, "request")
    assert msg_id(Message(decoded)) == ("I1",)
    assert msg_id(Message(replace(decoded, message={}))) == ("",)


def _txn(kind: TxnKind, amount: int, status: TxnStatus = TxnStatus.SUCCEEDED) -> Txn:
    return Txn(
        industry_code="IND00001",
        order_id=f"O{kind.value}{amount}",
        kind=kind,
        fingerprint="f",
        answer_code="00",
        answer_trx={},
        query_id=f"Q{kind.value}{amount}",
        txn_amt=str(amount),
        amount=amount,
        currency="156",
        txn_time="20260101000000",
        notice_url="http://127.0.0.1/notify",
        status=status,
    )


@pytest.mark.parametrize("msg_type", ["PAYMENT_CANCELLATION", "PAYMENT_REFUND"])
def test_both_reversals_check_the_original_first(msg_type: str) -> None:
    def code(original: Txn | None) -> ResponseCode | None:
        verdict = rules.reversal_verdict(msg_type, original, [], 100, NO_FAULTS)
        return verdict.code if verdict is not None else None

    assert code(None) is ResponseCode.NOT_FOUND
    assert code(_txn(TxnKind.REFUND, 100)) is ResponseCode.INCORRECT
    assert code(_txn(TxnKind.PAYMENT, 100, TxnStatus.PENDING)) is ResponseCode.INCORRECT
    assert code(_txn(TxnKind.PAYMENT, 100)) is None


def test_each_reversal_then_applies_its_own_rules() -> None:
    original = _txn(TxnKind.PAYMENT, 100)
    refund = _txn(TxnKind.REFUND, 40)
    cancel, refund_type = "PAYMENT_CANCELLATION", "PAYMENT_REFUND"
    assert rules.reversal_verdict(cancel, original, [], 40, NO_FAULTS) is not None  # partial
    assert rules.reversal_verdict(refund_type, original, [], 40, NO_FAULTS) is None
    assert rules.reversal_verdict(cancel, original, [refund], 100, NO_FAULTS) is not None
    assert rules.reversal_verdict(refund_type, original, [refund], 60, NO_FAULTS) is None
    assert rules.reversal_verdict(refund_type, original, [refund], 61, NO_FAULTS) is not None
