"""The one replay guard of both reference implementations (PROTOCOL.md 4 and 6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ucsp.profile import default_profile
from ucsp.sim import replay
from ucsp.sim.db import Database
from ucsp.sim.industry.store import Store as IndustryStore
from ucsp.sim.replay import ReplayGuard
from ucsp.sim.ucsp.store import Store as UcspStore

WINDOW = 100.0
PROFILE = replace(default_profile(), replay_window_seconds=WINDOW)


def _seen_at(guard: ReplayGuard, msg_id: str) -> list[float]:
    rows = guard.db.conn.execute(
        f"SELECT seen_at FROM {guard.table} WHERE msg_id = ?",  # noqa: S608
        (msg_id,),
    ).fetchall()
    return [float(row[0]) for row in rows]


def test_per_originator_within_the_window_boundary_included() -> None:
    guard = UcspStore(Database()).replay_guard(PROFILE)
    assert not guard.replayed(("IND00001", "M1"), 1000.0)
    assert guard.replayed(("IND00001", "M1"), 1000.0 + WINDOW - 1)
    assert guard.replayed(("IND00001", "M1"), 1000.0 + WINDOW)  # "within 24 h": inclusive
    assert not guard.replayed(("IND00002", "M1"), 1000.0)  # another originator
    assert _seen_at(guard, "M1") == [1000.0, 1000.0]  # a replay does not move the record
    assert not guard.replayed(("IND00001", "M1"), 1000.0 + WINDOW + 1)  # expired: renewed
    assert sorted(_seen_at(guard, "M1")) == [1000.0, 1000.0 + WINDOW + 1]
    assert guard.replayed(("IND00001", "M1"), 1000.0 + WINDOW + 2)


def test_one_originator_table_of_the_industry_service() -> None:
    guard = IndustryStore(Database()).replay_guard(PROFILE)
    assert not guard.replayed(("U1",), 5.0)
    assert guard.replayed(("U1",), 5.0 + WINDOW)
    assert not guard.replayed(("U1",), 6.0 + WINDOW)
    assert _seen_at(guard, "U1") == [6.0 + WINDOW]


def test_nothing_recorded_when_the_profile_does_not_check() -> None:
    guard = UcspStore(Database()).replay_guard(replace(PROFILE, check_replay=False))
    assert not guard.replayed(("IND00001", "M1"), 1.0)
    assert not guard.replayed(("IND00001", "M1"), 1.0)
    assert _seen_at(guard, "M1") == []


def test_records_older_than_the_window_are_purged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "PURGE_EVERY", 3)
    guard = IndustryStore(Database()).replay_guard(PROFILE)
    guard.replayed(("OLD",), 0.0)
    guard.replayed(("KEPT",), 2 * WINDOW)
    assert _seen_at(guard, "OLD") == [0.0]
    guard.replayed(("NEW",), 2 * WINDOW + 1)  # the third recording purges
    assert _seen_at(guard, "OLD") == []
    assert _seen_at(guard, "KEPT") == [2 * WINDOW]
