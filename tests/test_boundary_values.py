"""Accepted boundary values and the second sandbox user: the values the suite sends, and the
past-only clock-skew window of the reference implementations' fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ucsp import sandbox
from ucsp.envelope import format_time
from ucsp.errors import ConfigError, MalformedMessage
from ucsp.login_encoding import LoginUser
from ucsp.mutation.login import at_maximum_length, max_length
from ucsp.profile import default_profile
from ucsp.sides.probe import at_skew_edge
from ucsp.sim.faults import check_not_ahead

NOW = datetime(2026, 1, 15, 2, 30, 0, 750_000, tzinfo=UTC)
USER = LoginUser("user01", "13800138000", "CHANNEL1")


def test_maximum_lengths_come_from_the_login_schema() -> None:
    assert max_length("userId") == 64
    assert max_length("mobile") == 64  # the decrypted value's declared length


@pytest.mark.parametrize(("field", "attribute"), [("userId", "user_id"), ("mobile", "mobile")])
def test_a_field_at_its_maximum_length_repeats_the_value(field: str, attribute: str) -> None:
    longest = at_maximum_length(USER, field)
    value = getattr(longest, attribute)
    assert len(value) == max_length(field)
    assert value.startswith(getattr(USER, attribute))
    untouched = {"user_id", "mobile"} - {attribute}
    assert all(getattr(longest, name) == getattr(USER, name) for name in untouched)


def test_an_unknown_field_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: userId, mobile"):
        at_maximum_length(USER, "channelCode")


def test_the_skew_edge_is_inside_the_window_by_the_tolerated_clock_offset() -> None:
    """A SUT clock as far behind as preflight tolerates still sees the stamp in the window."""
    profile = default_profile()
    edge = at_skew_edge(NOW, profile)
    ahead = (edge - NOW).total_seconds()
    assert edge.microsecond == 0
    tolerance = profile.clock_tolerance
    assert profile.skew_seconds - tolerance - 1 < ahead <= profile.skew_seconds - tolerance
    assert ahead + tolerance <= profile.skew_seconds  # seen from a SUT clock that far behind


def test_the_past_only_window_refuses_a_stamp_ahead_and_keeps_the_past() -> None:
    profile = default_profile()
    check_not_ahead(format_time(NOW - timedelta(seconds=299), profile), NOW, profile)
    check_not_ahead(format_time(NOW, profile), NOW, profile)
    with pytest.raises(MalformedMessage, match="ahead of the clock"):
        check_not_ahead(format_time(at_skew_edge(NOW, profile), profile), NOW, profile)


@pytest.mark.parametrize(("first", "second"), [(0, 1), (1, 0)])
def test_the_second_sandbox_user_is_another_than_the_targets(first: int, second: int) -> None:
    users = sandbox.SANDBOX_USERS
    assert sandbox.other_sandbox_user(users[first][0]) == users[second]
