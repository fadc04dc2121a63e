"""SQLite for the reference implementations: one connection, serialised transactions.

The servers run one event loop per process; every business operation reads and writes inside
one ``transaction()`` with no ``await`` in between, and ``BEGIN IMMEDIATE`` takes the write
lock up front, so parallel requests never lose an update, in memory or on a file shared by
a restarted process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Database:
    def __init__(self, path: str | Path | None = None, schema: str = "") -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._lock = threading.RLock()
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30
        )
        self.conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
        if schema:
            self.conn.executescript(schema)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
