"""Parsing the load command's values: mix, duration, burst; the plan's JSON round trip."""

from __future__ import annotations

import pytest

from ucsp.errors import ConfigError
from ucsp.load.plan import DEFAULT_MIX, Plan, check_burst, parse_duration, parse_mix


def test_mix_weights_and_default() -> None:
    assert parse_mix("payment=5, refund=2,inquiry=0", "ucsp") == {
        "payment": 5,
        "refund": 2,
        "inquiry": 0,
    }
    assert parse_mix(None, "industry") == DEFAULT_MIX["industry"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("payment", "FLOW=WEIGHT"),
        ("pay=1", "FLOW=WEIGHT"),
        ("payment=x", "whole number"),
        ("payment=-1", "whole number"),
        ("payment=1,payment=2", "twice"),
        ("payment=0", "above 0"),
        ("notices=1", "FLOW=WEIGHT"),  # an Industry Service flow, not a UCSP one
    ],
)
def test_bad_mix_names_the_option(text: str, words: str) -> None:
    with pytest.raises(ConfigError, match="--mix") as caught:
        parse_mix(text, "ucsp")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("60s", 60.0), ("2m", 120.0), ("500ms", 0.5), ("7", 7.0), ("1h", 3600.0)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "s", "10 x", "-3s", "0s", "1d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ConfigError, match="--duration"):
        parse_duration(text)


def test_burst_bounds() -> None:
    assert check_burst(0) == 0
    assert check_burst(4) == 4
    for bad in (1, 33, -1):
        with pytest.raises(ConfigError, match="--burst"):
            check_burst(bad)


def test_plan_round_trips_as_json() -> None:
    plan = Plan(sut="ucsp", mix={"payment": 1}, gateway_url="http://127.0.0.1:1/gateway", burst=3)
    assert Plan.from_json(plan.to_json()) == plan
    with pytest.raises(ConfigError, match="JSON object"):
        Plan.from_json("[1]")
