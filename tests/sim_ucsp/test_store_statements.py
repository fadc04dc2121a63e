"""The single-statement forms of the UCSP store: new-order insert, transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.requests import Request

from ucsp.sim.db import Database
from ucsp.sim.ucsp.app import UcspSimulator
from ucsp.sim.ucsp.store import Store, Txn, TxnKind, TxnStatus

from .support import Rig

WINDOW = 100.0


def _txn(order_id: str = "ORDER0001", tn: str = "T1", query_id: str = "Q1") -> Txn:
    return Txn(
        industry_code="IND00001",
        order_id=order_id,
        kind=TxnKind.PAYMENT,
        fingerprint="f",
        answer_code="00",
        answer_trx={"orderId": order_id, "tn": tn},
        query_id=query_id,
        txn_amt="100",
        amount=100,
        currency="156",
        txn_time="20260101000000",
        notice_url="http://127.0.0.1/notify",
        status=TxnStatus.PENDING,
        tn=tn,
    )


def test_a_transaction_inside_another_joins_it() -> None:
    store = Store(Database())
    with pytest.raises(RuntimeError), store.tx() as outer:
        outer.insert_txn(_txn())
        with store.tx() as inner:
            inner.insert_txn(_txn(order_id="ORDER0002", tn="T2", query_id="Q2"))
        raise RuntimeError("broken")
    with store.tx() as tx:  # both rolled back together
        assert tx.txn("IND00001", "ORDER0001") is None
        assert tx.txn("IND00001", "ORDER0002") is None
    with store.tx() as outer:
        with pytest.raises(RuntimeError), store.tx() as inner:
            inner.insert_txn(_txn())
            raise RuntimeError("broken")
        outer.insert_txn(_txn(order_id="ORDER0002", tn="T2", query_id="Q2"))
    with store.tx() as tx:  # a failed inner transaction rolls back the outer one
        assert tx.txn("IND00001", "ORDER0002") is None


def test_insert_new_txn_yields_to_an_existing_order_only() -> None:
    store = Store(Database())
    with store.tx() as tx:
        assert tx.insert_new_txn(_txn())
        assert not tx.insert_new_txn(_txn(tn="T2", query_id="Q2"))
        kept = tx.txn("IND00001", "ORDER0001")
    assert kept is not None and kept.tn == "T1"
    with pytest.raises(sqlite3.IntegrityError), store.tx() as tx:
        tx.insert_new_txn(_txn(order_id="ORDER0002", tn="T1", query_id="Q3"))  # tn taken


def test_a_transaction_that_raises_is_rolled_back_and_the_lock_released() -> None:
    store = Store(Database())
    with pytest.raises(RuntimeError), store.tx() as tx:
        tx.insert_txn(_txn())
        raise RuntimeError("broken")
    with store.tx() as tx:  # the lock is free again
        assert tx.txn("IND00001", "ORDER0001") is None
        tx.insert_txn(replace(_txn(), order_id="ORDER0003"))
    with store.tx() as tx:
        assert tx.txn("IND00001", "ORDER0003") is not None


def _request(host: bytes | None, path: str = "/gateway", query: bytes = b"") -> Request:
    headers = [(b"host", host)] if host is not None else []
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "server": ("127.0.0.1", 8080),
            "path": path,
            "root_path": "",
            "query_string": query,
            "headers": headers,
        }
    )


@pytest.mark.parametrize(
    ("host", "path", "query"),
    [
        (b"127.0.0.1:8080", "/gateway", b""),
        (b"localhost:9", "/gateway", b"a=1"),
        (None, "/gateway", b""),
        (b"example.test", "/pay/abc", b""),
    ],
)
def test_remembered_urls_are_what_starlette_makes(
    keys_dir: Path, host: bytes | None, path: str, query: bytes
) -> None:
    rig = Rig(keys_dir)
    simulator: UcspSimulator = rig.sim
    try:
        for _ in range(2):  # the second answer comes from what was remembered
            request = _request(host, path, query)
            assert simulator._url_of(request) == str(request.url)
            assert simulator._url_of(request, base=True) == str(request.base_url).rstrip("/")
    finally:
        asyncio.run(rig.close())
