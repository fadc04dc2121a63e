"""SQLite for the reference implementations: one connection, serialised transactions.

The servers run one event loop per process; every business operation reads and writes inside
one ``transaction()`` with no ``await`` in between, and ``BEGIN IMMEDIATE`` takes the write
lock up front, so parallel requests never lose an update, in memory or on a file shared by
a restarted process. A transaction opened inside another joins it: the outermost one commits,
or rolls back when any of them failed.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from typing import Generic, TypeVar

from ucsp.errors import ConfigError

T = TypeVar("T")


class DatabaseUnusable(ConfigError):
    """The database file cannot be opened for reading and writing: one line naming it."""


def _unusable(path: Path, reason: str) -> DatabaseUnusable:
    return DatabaseUnusable(
        f"cannot use {path} as the SQLite database: {reason}; name a new file in an existing, "
        "writable directory, or a database an earlier run wrote"
    )


def _check_path(path: Path) -> None:
    """The reasons SQLite would only call "unable to open database file", told apart."""
    if path.is_dir():
        raise _unusable(path, "it is a directory")
    if not path.parent.is_dir():
        raise _unusable(path, f"the directory {path.parent} does not exist")


class Database:
    """One SQLite connection; a file that cannot serve (missing directory, a directory, not a
    database, read-only) raises :class:`DatabaseUnusable` here, before anything runs on it."""

    def __init__(self, path: str | Path | None = None, schema: str = "") -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on this connection (nested ones join the first)
        self._failed = False  # a nested transaction failed: the outermost rolls back
        if self.path != ":memory:":
            _check_path(Path(self.path))
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
        except sqlite3.Error as exc:
            raise _unusable(Path(self.path), str(exc)) from None
        self.conn.row_factory = sqlite3.Row
        try:
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=FULL")
                self.conn.execute("BEGIN IMMEDIATE")  # readable as a database, and writable
                self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                self.conn.execute("ROLLBACK")
            if schema:
                self.conn.executescript(schema)
        except sqlite3.Error as exc:
            self.conn.close()
            raise _unusable(Path(self.path), str(exc)) from None

    def transaction(self) -> Transaction[sqlite3.Connection]:
        """``with db.transaction() as conn:``: BEGIN IMMEDIATE, then COMMIT (ROLLBACK when the
        body raises), holding the connection's lock throughout."""
        return Transaction(self, self.conn)

    def begin(self) -> None:
        """Take the lock and open a write transaction, or join the one this thread has open
        (what ``transaction()`` enters with)."""
        self._lock.acquire()
        if self._depth == 0:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._lock.release()
                raise
        self._depth += 1

    def end(self, failed: bool) -> None:
        """Leave a transaction: the outermost one COMMITs, or ROLLBACKs when it or one inside
        it ``failed``; then release the lock taken by :meth:`begin`."""
        try:
            self._depth -= 1
            self._failed = self._failed or failed
            if self._depth == 0:
                failed, self._failed = self._failed, False
                self.conn.execute("ROLLBACK" if failed else "COMMIT")
        finally:
            self._lock.release()

    def close(self) -> None:
        self.conn.close()


class Transaction(Generic[T]):
    """One transaction on ``db`` (:meth:`Database.begin` to :meth:`Database.end`) as a
    context manager that yields ``value``: the connection for :meth:`Database.transaction`,
    a store's ``Tx`` for its ``tx()`` (a class: it runs per request)."""

    __slots__ = ("_db", "_value")

    def __init__(self, db: Database, value: T) -> None:
        self._db = db
        self._value = value

    def __enter__(self) -> T:
        self._db.begin()
        return self._value

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._db.end(exc_type is not None)


def add_missing_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> list[str]:
    """Add to ``table`` the ``columns`` (name: declaration) that a database file written by an
    earlier version lacks; returns the names added."""
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    added = [name for name in columns if name not in present]
    for name in added:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {columns[name]}")
    return added
