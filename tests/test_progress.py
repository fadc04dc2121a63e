"""The live progress of a run (ucsp.progress): n/N, ETA, heartbeats, both displays."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from rich.console import Console

from ucsp import activity
from ucsp.journal import Journal, JournalEntry, about, described, exchange_of, what_of
from ucsp.progress import (
    HEARTBEAT,
    LiveDisplay,
    PlainDisplay,
    RunProgress,
    clock_text,
    display_for,
    verdict_line,
)

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def start(n: int, title: str = "", role: str = "ucsp") -> dict[str, Any]:
    return {
        "event": "start",
        "nodeid": f"t{n}",
        "title": title or f"Scenario {n}",
        "role": role,
        "feature": "Frontend payment",
    }


def finish(n: int, verdict: str = "pass", **extra: Any) -> dict[str, Any]:
    return {
        "event": "finish",
        "nodeid": f"t{n}",
        "title": f"Scenario {n}",
        "role": "ucsp",
        "feature": "Frontend payment",
        "verdict": verdict,
        "duration": 1.5,
        **extra,
    }


def test_the_verdict_line_names_verdict_role_feature_title_and_duration() -> None:
    line = verdict_line(finish(1))
    assert line == "PASS  [ucsp] Frontend payment: Scenario 1 (1.50 s)"
    failed = verdict_line(finish(2, "failure", message="PAY-05: the amount differs\nmore"))
    assert failed.splitlines() == [
        "FAIL  [ucsp] Frontend payment: Scenario 2 (1.50 s)",
        "      PAY-05: the amount differs",
    ]


def test_plain_lines_count_n_of_n() -> None:
    stream, clock = io.StringIO(), FakeClock()
    display = PlainDisplay(stream, clock)
    for event in ({"event": "collected", "total": 3}, start(1), finish(1), start(2), finish(2)):
        display.event(event)
    assert stream.getvalue().splitlines() == [
        "[1/3] PASS  [ucsp] Frontend payment: Scenario 1 (1.50 s)",
        "[2/3] PASS  [ucsp] Frontend payment: Scenario 2 (1.50 s)",
    ]


def test_a_record_line_without_an_event_is_a_finished_scenario() -> None:
    progress = RunProgress(FakeClock())
    record = finish(1)
    del record["event"]
    assert progress.apply(record) == "[1/?] PASS  [ucsp] Frontend payment: Scenario 1 (1.50 s)"
    assert progress.done == 1
    assert progress.records == [record]


def test_a_heartbeat_every_15_s_while_a_scenario_runs() -> None:
    stream, clock = io.StringIO(), FakeClock()
    display = PlainDisplay(stream, clock)
    display.event({"event": "collected", "total": 7})
    display.event(finish(1))
    display.event(start(2, "A notice is retried on schedule", "industry"))
    clock.advance(HEARTBEAT - 1)
    display.tick()
    assert stream.getvalue().count("still running") == 0
    display.event({"event": "wait", "nodeid": "t2", "what": "inquiry 5 of 7", "due": 31.4})
    clock.advance(1)
    display.tick()
    display.tick()  # at most one line per 15 s
    clock.advance(HEARTBEAT)
    display.tick()
    beats = [line for line in stream.getvalue().splitlines() if line.startswith("...")]
    assert beats == [
        "... [2/7] still running: A notice is retried on schedule [industry] (15 s), "
        "waiting for inquiry 5 of 7, due at +31 s",
        "... [2/7] still running: A notice is retried on schedule [industry] (30 s), "
        "waiting for inquiry 5 of 7, due at +31 s",
    ]
    display.event(finish(2))
    clock.advance(HEARTBEAT * 3)
    display.tick()
    assert stream.getvalue().count("still running") == 2  # nothing runs: no heartbeat


def test_a_heartbeat_without_a_wait_or_a_due_time() -> None:
    clock = FakeClock()
    progress = RunProgress(clock)
    progress.apply(start(1))
    clock.advance(42)
    assert progress.heartbeats() == ["... [1/?] still running: Scenario 1 [ucsp] (42 s)"]
    progress.apply({"event": "wait", "nodeid": "t1", "what": "PAYMENT_RESULT_NOTICE", "due": None})
    clock.advance(HEARTBEAT)
    assert progress.heartbeats() == [
        "... [1/?] still running: Scenario 1 [ucsp] (57 s), waiting for PAYMENT_RESULT_NOTICE"
    ]


def test_scenarios_running_at_once_are_numbered_after_the_finished_ones() -> None:
    clock = FakeClock()
    progress = RunProgress(clock)
    progress.apply({"event": "collected", "total": 10})
    for event in (start(1), start(2), finish(1), start(3)):
        progress.apply(event)
    clock.advance(HEARTBEAT)
    assert [line.split(" still")[0] for line in progress.heartbeats()] == [
        "... [2/10]",
        "... [3/10]",
    ]


def test_eta_is_the_pace_so_far_times_the_scenarios_left() -> None:
    clock = FakeClock()
    progress = RunProgress(clock)
    assert progress.eta() is None
    progress.apply({"event": "collected", "total": 10})
    clock.advance(2)  # collection: no part of the pace
    progress.apply(start(1))
    assert progress.eta() is None  # nothing finished yet
    clock.advance(3)
    progress.apply(finish(1))
    progress.apply(start(2))
    clock.advance(5)
    progress.apply(finish(2))
    assert progress.eta() == pytest.approx(4 * 8)  # 8 s for 2 scenarios, 8 left
    assert progress.status() == "2/10 scenarios, elapsed 0:10, ETA 0:32"
    for n in range(3, 11):
        progress.apply(finish(n))
    assert progress.eta() == 0.0


def test_clock_text() -> None:
    assert [clock_text(s) for s in (None, 0, 59.6, 61, 3725)] == [
        "-:--",
        "0:00",
        "1:00",
        "1:01",
        "1:02:05",
    ]


def test_a_terminal_gets_the_live_display_anything_else_plain_lines() -> None:
    assert isinstance(display_for(io.StringIO()), PlainDisplay)
    live = display_for(Terminal())
    try:
        assert isinstance(live, LiveDisplay)
    finally:
        live.close()


def test_the_live_display_prints_verdicts_above_the_running_scenario() -> None:
    stream, clock = Terminal(), FakeClock()
    display = LiveDisplay(stream, clock)
    try:
        display.event({"event": "collected", "total": 7})
        display.event(start(1))
        display.event(finish(1, "failure", message="PAY-05: the amount differs"))
        display.event(start(2, "A notice is retried on schedule"))
        display.event({"event": "wait", "nodeid": "t2", "what": "inquiry 5 of 7", "due": 31})
        clock.advance(12)
        display.tick()
        shown = io.StringIO()
        Console(file=shown, width=160).print(display.render())
        panel = shown.getvalue()
        assert "1/7 scenarios, elapsed 0:12, ETA 1:12" in panel, panel
        assert (
            "running: A notice is retried on schedule [ucsp] (12 s), waiting for inquiry 5 of 7, "
            "due at +31 s"
        ) in panel
    finally:
        display.close()
    text = stream.getvalue()
    assert "[1/7] FAIL  [ucsp] Frontend payment: Scenario 1 (1.50 s)" in text
    assert "PAY-05: the amount differs" in text


# --- what a wait announces (ucsp.activity, ucsp.journal) ------------------------------------


def _entry(msg_type: str, direction: Literal["in", "out"] = "in") -> JournalEntry:
    wall = datetime(2026, 1, 1, tzinfo=UTC)
    body = b'{"trxInfo": {"orderId": "o1"}}'
    return JournalEntry(direction, msg_type, "/notify", body, 200, b"{}", 0.0, wall)


def test_a_wait_that_has_to_wait_names_what_it_waits_for(
    announced: list[tuple[str | None, float | None]],
) -> None:
    journal = Journal()
    notice = about("PAYMENT_RESULT_NOTICE", "in", orderId="o1")
    # The listener is told before the wait begins; here it makes the wait end at once.
    activity.listen(
        lambda what, within: (
            announced.append((what, within)),
            journal.record(_entry("PAYMENT_RESULT_NOTICE")),
        )
    )
    assert asyncio.run(journal.wait_entry(notice, 30.0)) is not None
    assert announced == [("PAYMENT_RESULT_NOTICE from the SUT", 30.0), (None, None)]  # and over
    assert what_of(exchange_of("m1", "out")) == "message m1 to the SUT"
    assert what_of(described(lambda e: True, "inquiry 5 of 7")) == "inquiry 5 of 7"


def test_a_wait_already_over_or_a_window_names_itself_only_when_it_waits(
    announced: list[tuple[str | None, float | None]],
) -> None:
    journal = Journal()
    journal.record(_entry("INQUIRY"))
    assert asyncio.run(journal.wait_entry(about("INQUIRY"), 5.0)) is not None
    assert asyncio.run(journal.wait_for(lambda entries: len(entries) == 1, 5.0, "inquiry 1 of 7"))
    assert asyncio.run(journal.wait_entry(about("NONE"), 0.0)) is None  # no time to wait
    assert announced == []
    activity.listen(lambda what, within: (announced.append((what, within)), journal.clear()))
    assert asyncio.run(journal.wait_for(lambda entries: not entries, 12.5, "inquiry 2 of 7"))
    assert announced == [("inquiry 2 of 7", 12.5), (None, None)]


def test_a_wait_that_ended_is_no_longer_shown() -> None:
    clock = FakeClock()
    progress = RunProgress(clock)
    progress.apply(start(1))
    progress.apply({"event": "wait", "nodeid": "t1", "what": "inquiry 2 of 7", "due": 31.0})
    progress.apply({"event": "wait", "nodeid": "t1", "what": None, "due": None})
    clock.advance(HEARTBEAT)
    assert progress.heartbeats() == ["... [1/?] still running: Scenario 1 [ucsp] (15 s)"]


def test_no_listener_no_announcement() -> None:
    activity.listen(None)
    assert not activity.listening()
    activity.waiting("anything", 1.0)  # dropped


# --- the event stream the results plugin writes ---------------------------------------------

LATER = "A refund of an amount ending in 05 is answered 05 and succeeds later with its notice"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "two-workers"])
def test_the_child_writes_collected_start_wait_and_finish(
    tmp_path: Path, workers: list[str]
) -> None:
    events = tmp_path / "events.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", "features", "-q", "-p", "no:cacheprovider"),
            *("--scenario-title", LATER, "--progress-file", str(events), *workers),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    stream = [json.loads(line) for line in events.read_text("utf-8").splitlines()]
    # what each collecting process (the one, or each worker) collected, for a Ctrl-C's record
    collections = [e for e in stream if e["event"] == "collection"]
    assert len(collections) == (2 if workers else 1)
    refund = str(ROOT / "features" / "reversal" / "refund.feature")
    for collection in collections:
        assert refund in collection["features"] and collection["coverage"]
    stream = [e for e in stream if e["event"] != "collection"]
    assert stream[0] == {"event": "collected", "total": 2}
    for role, seen in (("ucsp", "from the SUT"), ("industry", "to the SUT")):
        mine = [e for e in stream if e.get("nodeid", "").endswith(f"[{role}]")]
        # A wait is announced only when the notice is not there yet: on a loaded machine it
        # may be, so the scenario's waits are none or more, between its start and its end.
        start, *waits, finish = mine
        assert (start["event"], finish["event"]) == ("start", "finish"), mine
        assert (start["title"], start["role"], start["feature"]) == (LATER, role, "Payment refund")
        # each wait announced is followed by its end (what null), which clears it
        assert [w["what"] is None for w in waits] == [False, True] * (len(waits) // 2), waits
        for wait, ended in zip(waits[::2], waits[1::2], strict=True):
            assert (wait["event"], wait["what"]) == ("wait", f"PAYMENT_RESULT_NOTICE {seen}")
            assert 0 < wait["due"] < 60
            assert ended == {"event": "wait", "nodeid": wait["nodeid"], "what": None, "due": None}
        assert (finish["title"], finish["verdict"]) == (LATER, "pass")
        assert "exchanges" not in finish
