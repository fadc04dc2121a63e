"""The replay guard of the reference implementations (PROTOCOL.md 4 and 6).

A receiver refuses a msgID already seen from the same originator within the profile's window
(``[replay] window_seconds``, 24 h by default): seen at most ``window`` seconds ago is a
replay, the boundary included. A first sighting, or one older than the window, is recorded
as of now. One statement records and answers, so a replay leaves the record as it was, and
records older than the window are dropped every so often.
"""

from __future__ import annotations

from ucsp.profile import Profile
from ucsp.sim.db import Database

PURGE_EVERY = 1000  # recordings between two purges of records older than the window


class ReplayGuard:
    """The seen msgIDs of one receiver, in ``table`` keyed by ``keys`` (columns holding the
    originator and the msgID, or the msgID alone when there is one originator), with a
    ``seen_at`` column of wall seconds."""

    def __init__(self, db: Database, table: str, keys: tuple[str, ...], profile: Profile) -> None:
        self.db = db
        self.table = table
        self.profile = profile
        names = ", ".join(keys)
        values = ", ".join(f"?{i}" for i in range(3, 3 + len(keys)))
        self._record = (
            f"INSERT INTO {table} ({names}, seen_at) VALUES ({values}, ?1) "  # noqa: S608
            f"ON CONFLICT ({names}) DO UPDATE SET seen_at = excluded.seen_at "
            "WHERE ?1 - seen_at > ?2"
        )
        self._purge = f"DELETE FROM {table} WHERE seen_at < ?"  # noqa: S608
        self._recorded = 0

    def replayed(self, key: tuple[str, ...], now: float) -> bool:
        """True when ``key`` was seen within the window; records it otherwise. Always False
        (nothing recorded) when the profile does not check replays."""
        if not self.profile.check_replay:
            return False
        window = self.profile.replay_window_seconds
        with self.db.transaction() as conn:
            cursor = conn.execute(self._record, (now, window, *key))
            self._recorded += 1
            if self._recorded % PURGE_EVERY == 0:
                conn.execute(self._purge, (now - window,))
        return cursor.rowcount == 0
