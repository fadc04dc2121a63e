"""SQLite state of the reference UCSP: transactions, contracts, notices, seen msgIDs.

Built to the design of :mod:`ucsp.sim.store_base`. Every business operation opens one
:meth:`Store.tx` (``BEGIN IMMEDIATE``) and does all its reads and writes through the
:class:`Tx` it gets, with no ``await`` inside, so parallel requests never lose an update. A
file database keeps everything across restarts, including notices not yet acknowledged and
transactions still pending (resumed at start-up).

A notice attempt is claimed (counted, with its slot and the time of the first attempt) in
its own committed transaction before its bytes are sent, so an attempt cut short by a kill
still counts, and a restarted process resumes the schedule at its absolute offsets.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ucsp.sim.db import Database, add_missing_columns
from ucsp.sim.store_base import ContractStatus, Rows, SqlStore, TxnKind
from ucsp.sim.store_base import Tx as BaseTx

SCHEMA = """
CREATE TABLE IF NOT EXISTS txns (
    industry_code TEXT NOT NULL,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    answer_code TEXT NOT NULL,
    answer_trx TEXT NOT NULL,
    query_id TEXT NOT NULL UNIQUE,
    orig_query_id TEXT,
    contract_id TEXT,
    mer_id TEXT,
    acq_iin TEXT,
    txn_amt TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    txn_time TEXT NOT NULL,
    notice_url TEXT NOT NULL,
    tn TEXT UNIQUE,
    status TEXT NOT NULL,
    hook_done INTEGER NOT NULL DEFAULT 0,
    settle_pending INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (industry_code, order_id)
);
CREATE INDEX IF NOT EXISTS txns_orig ON txns (orig_query_id);
CREATE TABLE IF NOT EXISTS contracts (
    token TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL UNIQUE,
    industry_code TEXT NOT NULL,
    mer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    front_url TEXT NOT NULL,
    back_url TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    industry_code TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    url TEXT NOT NULL,
    trx TEXT NOT NULL,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_at REAL,
    next_slot INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen_msgids (
    originator TEXT NOT NULL,
    msg_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (originator, msg_id)
);
"""


class TxnStatus(StrEnum):
    SUCCEEDED = "00"
    FAILED = "01"
    PENDING = "05"


@dataclass(frozen=True)
class Txn:
    industry_code: str
    order_id: str
    kind: TxnKind
    fingerprint: str
    answer_code: str
    answer_trx: dict[str, Any]
    query_id: str
    txn_amt: str  # as received
    amount: int
    currency: str
    txn_time: str
    notice_url: str
    status: TxnStatus
    orig_query_id: str | None = None
    contract_id: str | None = None
    mer_id: str | None = None
    acq_iin: str | None = None
    tn: str | None = None
    hook_done: bool = False
    settle_pending: bool = False


@dataclass(frozen=True)
class Contract:
    token: str
    contract_id: str
    industry_code: str
    mer_id: str
    user_id: str
    front_url: str
    back_url: str
    status: ContractStatus


@dataclass(frozen=True)
class Notice:
    id: int
    industry_code: str
    msg_type: str
    url: str
    trx: dict[str, Any]
    acknowledged: bool
    attempts: int  # transmissions claimed (each before its bytes were sent)
    first_attempt_at: float | None = None  # wall seconds of the first attempt: the origin
    next_slot: int = 0  # the first slot of the schedule not used yet


_TXN_COLUMNS = (
    "industry_code, order_id, kind, fingerprint, answer_code, answer_trx, query_id, "
    "orig_query_id, contract_id, mer_id, acq_iin, txn_amt, amount, currency, txn_time, "
    "notice_url, tn, status, hook_done, settle_pending"
)


_INSERT_TXN = (
    f"INSERT INTO txns ({_TXN_COLUMNS}) VALUES "  # noqa: S608
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _txn_row(txn: Txn) -> tuple[Any, ...]:
    return (
        txn.industry_code,
        txn.order_id,
        txn.kind.value,
        txn.fingerprint,
        txn.answer_code,
        json.dumps(txn.answer_trx),
        txn.query_id,
        txn.orig_query_id,
        txn.contract_id,
        txn.mer_id,
        txn.acq_iin,
        txn.txn_amt,
        txn.amount,
        txn.currency,
        txn.txn_time,
        txn.notice_url,
        txn.tn,
        txn.status.value,
        int(txn.hook_done),
        int(txn.settle_pending),
    )


_txn = Rows(
    Txn,
    kind=TxnKind,
    answer_trx=json.loads,
    status=TxnStatus,
    hook_done=bool,
    settle_pending=bool,
)
_contract = Rows(Contract, status=ContractStatus)
_notice = Rows(Notice, trx=json.loads, acknowledged=bool)


# columns a database file written by an earlier version may lack
_NOTICE_COLUMNS_ADDED = {
    "first_attempt_at": "REAL",
    "next_slot": "INTEGER NOT NULL DEFAULT 0",
}


class Tx(BaseTx):
    """The UCSP's reads and writes inside one transaction."""

    # --- transactions (orders, auto-debits, cancellations, refunds) -----------------------

    def _select_txns(self, where: str, params: tuple[Any, ...]) -> list[Txn]:
        sql = f"SELECT {_TXN_COLUMNS} FROM txns WHERE {where}"  # noqa: S608
        return _txn.all(self.rows(sql, params))

    def _select_txn(self, where: str, params: tuple[Any, ...]) -> Txn | None:
        sql = f"SELECT {_TXN_COLUMNS} FROM txns WHERE {where}"  # noqa: S608
        return _txn.one(self.row(sql, params))

    def txn(self, industry_code: str, order_id: str) -> Txn | None:
        return self._select_txn("industry_code = ? AND order_id = ?", (industry_code, order_id))

    def txn_by_query_id(self, industry_code: str, query_id: str) -> Txn | None:
        return self._select_txn("industry_code = ? AND query_id = ?", (industry_code, query_id))

    def txn_by_tn(self, tn: str) -> Txn | None:
        return self._select_txn("tn = ?", (tn,))

    def reversals_of(self, query_id: str) -> list[Txn]:
        return self._select_txns("orig_query_id = ?", (query_id,))

    def settling(self) -> list[Txn]:
        return self._select_txns("settle_pending = 1", ())

    def insert_txn(self, txn: Txn) -> None:
        self.conn.execute(_INSERT_TXN, _txn_row(txn))

    def insert_new_txn(self, txn: Txn) -> bool:
        """Insert ``txn`` unless its (industryCode, orderId) is taken; True when inserted.

        Any other uniqueness conflict (tn, queryId) raises, as with :meth:`insert_txn`.
        """
        cursor = self.conn.execute(
            _INSERT_TXN + " ON CONFLICT (industry_code, order_id) DO NOTHING", _txn_row(txn)
        )
        return cursor.rowcount == 1

    def delete_txn(self, industry_code: str, order_id: str) -> None:
        self.conn.execute(
            "DELETE FROM txns WHERE industry_code = ? AND order_id = ?", (industry_code, order_id)
        )

    def set_status(self, txn: Txn, status: TxnStatus, *, hook_done: bool | None = None) -> None:
        self.conn.execute(
            "UPDATE txns SET status = ?, settle_pending = 0, hook_done = ? "
            "WHERE industry_code = ? AND order_id = ?",
            (
                status.value,
                int(txn.hook_done if hook_done is None else hook_done),
                txn.industry_code,
                txn.order_id,
            ),
        )

    def set_answer(self, txn: Txn, tn: str | None, answer_trx: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE txns SET tn = ?, answer_trx = ? WHERE industry_code = ? AND order_id = ?",
            (tn, json.dumps(answer_trx), txn.industry_code, txn.order_id),
        )

    # --- contracts ------------------------------------------------------------------------

    def insert_contract(self, contract: Contract) -> None:
        self.conn.execute(
            "INSERT INTO contracts (token, contract_id, industry_code, mer_id, user_id, "
            "front_url, back_url, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contract.token,
                contract.contract_id,
                contract.industry_code,
                contract.mer_id,
                contract.user_id,
                contract.front_url,
                contract.back_url,
                contract.status.value,
            ),
        )

    def contract_by_token(self, token: str) -> Contract | None:
        row = self.conn.execute("SELECT * FROM contracts WHERE token = ?", (token,)).fetchone()
        return _contract.one(row)

    def contract(self, industry_code: str, contract_id: str) -> Contract | None:
        """A contract the industry knows of: signed or declined, closed included."""
        row = self.conn.execute(
            "SELECT * FROM contracts WHERE industry_code = ? AND contract_id = ? AND status != ?",
            (industry_code, contract_id, ContractStatus.PENDING.value),
        ).fetchone()
        return _contract.one(row)

    def set_contract_status(self, contract: Contract, status: ContractStatus) -> None:
        self.conn.execute(
            "UPDATE contracts SET status = ? WHERE token = ?", (status.value, contract.token)
        )

    def close_merchant_contracts(self, contract: Contract) -> None:
        """Every active contract of ``contract``'s merchant CLOSED (a fault's closing)."""
        self.conn.execute(
            "UPDATE contracts SET status = ? WHERE industry_code = ? AND mer_id = ? AND status = ?",
            (
                ContractStatus.CLOSED.value,
                contract.industry_code,
                contract.mer_id,
                ContractStatus.ACTIVE.value,
            ),
        )

    # --- notices --------------------------------------------------------------------------

    def insert_notice(
        self, industry_code: str, msg_type: str, url: str, trx: dict[str, Any]
    ) -> int:
        cursor = self.conn.execute(
            "INSERT INTO notices (industry_code, msg_type, url, trx) VALUES (?, ?, ?, ?)",
            (industry_code, msg_type, url, json.dumps(trx)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def notice(self, notice_id: int) -> Notice | None:
        row = self.conn.execute("SELECT * FROM notices WHERE id = ?", (notice_id,)).fetchone()
        return _notice.one(row)

    def claim_attempt(self, notice_id: int, slot: int, now: float, limit: int) -> bool:
        """Count an attempt at ``slot`` before it is sent; False when it must not go out.

        It must not when the notice is acknowledged, has had ``limit`` attempts, or ``slot``
        is already used. The first attempt stores ``now`` (wall seconds) as the origin.
        """
        cursor = self.conn.execute(
            "UPDATE notices SET attempts = attempts + 1, next_slot = ?, "
            "first_attempt_at = COALESCE(first_attempt_at, ?) "
            "WHERE id = ? AND acknowledged = 0 AND attempts < ? AND next_slot <= ?",
            (slot + 1, now, notice_id, limit, slot),
        )
        return cursor.rowcount == 1

    def acknowledge(self, notice_id: int) -> None:
        self.conn.execute("UPDATE notices SET acknowledged = 1 WHERE id = ?", (notice_id,))

    def open_notices(self, limit: int) -> list[Notice]:
        """Notices neither acknowledged nor out of attempts or slots (``limit`` of each)."""
        rows = self.conn.execute(
            "SELECT * FROM notices WHERE acknowledged = 0 AND attempts < ? AND next_slot < ? "
            "ORDER BY id",
            (limit, limit),
        ).fetchall()
        return _notice.all(rows)


class Store(SqlStore[Tx]):
    """The UCSP state on one :class:`~ucsp.sim.db.Database`."""

    SCHEMA = SCHEMA
    REPLAY_TABLE = "seen_msgids"
    REPLAY_KEYS = ("originator", "msg_id")

    def __init__(self, db: Database) -> None:
        super().__init__(db, Tx(db.conn))

    def migrate(self, conn: sqlite3.Connection) -> None:
        if "next_slot" in add_missing_columns(conn, "notices", _NOTICE_COLUMNS_ADDED):
            # a file written before slots were stored: one slot per attempt so far
            conn.execute("UPDATE notices SET next_slot = attempts")
