"""The one design of the reference implementations' stores (UCSP and Industry Service).

A store is a schema on a :class:`~ucsp.sim.db.Database`, read and written through a ``Tx``
(the store's queries over one connection) inside ``with store.tx() as tx:``: one write
transaction, or a part of the one the caller has open. Rows map to frozen dataclasses by
column name (:class:`Rows`); the msgIDs seen are kept by one
:class:`~ucsp.sim.replay.ReplayGuard` on the store's replay table. The enums both sides
share (what a transaction is, the life of a contract) are here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import fields
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from ucsp.profile import Profile
from ucsp.sim.db import Database, Transaction
from ucsp.sim.replay import ReplayGuard

T = TypeVar("T")


class TxnKind(StrEnum):
    """What a transaction is; the value is the txnType its notice carries."""

    PAYMENT = "PAYMENT"
    AUTO_DEBIT = "AUTO_DEBIT"
    CANCELLATION = "CANCELLATION"
    REFUND = "REFUND"

    @property
    def is_reversal(self) -> bool:
        return self in (TxnKind.CANCELLATION, TxnKind.REFUND)

    @property
    def inquiry_type(self) -> str:
        return "REFUND_RESULT_INQUIRY" if self.is_reversal else "PAYMENT_RESULT_INQUIRY"


class ContractStatus(StrEnum):
    PENDING = "PENDING"  # signUrl issued, the user has not decided
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    CLOSED = "CLOSED"


class Rows(Generic[T]):
    """Rows of a table as the dataclass ``cls``: each field from the column of its name,
    through ``convert[name]`` when given (an enum, ``bool``, ``json.loads``)."""

    def __init__(self, cls: Callable[..., T], **convert: Callable[[Any], Any]) -> None:
        self.cls = cls
        self._fields = [(f.name, convert.get(f.name)) for f in fields(cls)]  # type: ignore[arg-type]

    def __call__(self, row: sqlite3.Row) -> T:
        return self.cls(
            **{name: row[name] if conv is None else conv(row[name]) for name, conv in self._fields}
        )

    def one(self, row: sqlite3.Row | None) -> T | None:
        return self(row) if row is not None else None

    def all(self, rows: list[sqlite3.Row]) -> list[T]:
        return [self(row) for row in rows]


class Tx:
    """Reads and writes inside one transaction (a store subclasses it with its queries)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def row(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)


TxT = TypeVar("TxT", bound=Tx)


class SqlStore(Generic[TxT]):
    """A schema on ``db`` (created when missing, then :meth:`migrate`), its ``Tx`` and its
    replay table (``REPLAY_TABLE`` keyed by ``REPLAY_KEYS``)."""

    SCHEMA: ClassVar[str]
    REPLAY_TABLE: ClassVar[str]
    REPLAY_KEYS: ClassVar[tuple[str, ...]]

    def __init__(self, db: Database, tx: TxT) -> None:
        self.db = db
        self._tx = tx  # holds nothing but the connection: one serves every transaction
        with db.transaction() as conn:
            for statement in self.SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            self.migrate(conn)

    def migrate(self, conn: sqlite3.Connection) -> None:
        """Bring a database file written by an earlier version up to the schema."""

    def tx(self) -> Transaction[TxT]:
        """``with store.tx() as tx:`` one write transaction (see :meth:`Database.transaction`)."""
        return Transaction(self.db, self._tx)

    def replay_guard(self, profile: Profile) -> ReplayGuard:
        return ReplayGuard(self.db, self.REPLAY_TABLE, self.REPLAY_KEYS, profile)
