"""The live progress of a run, from the event stream its pytest child writes.

The child (``plugins/results.py``) appends ``collected``, ``start``, ``wait`` and ``finish``
events; :class:`RunProgress` folds them into what a person watching wants to know (n/N
scenarios, elapsed time, an ETA, what runs now and what it waits for) and is pure, its
clock injected. Two displays show it:

- :class:`PlainDisplay` (CI, a pipe, a file): one line per finished scenario prefixed
  ``[n/N]``, and a heartbeat line every :data:`HEARTBEAT` seconds for each scenario still
  running;
- :class:`LiveDisplay` (a terminal): a rich live panel under the verdict lines.

:func:`display_for` picks one by whether the stream is a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from ucsp.results import record_title

HEARTBEAT = 15.0  # seconds between two heartbeat lines of a scenario still running
SYMBOL = {"pass": "PASS", "failure": "FAIL", "warning": "WARN", "error": "ERROR", "skipped": "SKIP"}

Clock = Callable[[], float]  # monotonic seconds


def verdict_line(record: Mapping[str, Any]) -> str:
    """A finished scenario: verdict, role, feature, title and duration; the message of a
    failure, warning or error on a second line."""
    verdict = str(record.get("verdict", ""))
    name = record_title(record)
    text = f"{SYMBOL.get(verdict, verdict.upper()):5} [{record.get('role') or '-'}] "
    text += f"{record.get('feature') or ''}: {name} ({float(record.get('duration', 0)):.2f} s)"
    if verdict in ("failure", "error", "warning") and record.get("message"):
        text += "\n      " + str(record["message"]).splitlines()[0][:300]
    return text


def clock_text(seconds: float | None) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour); ``-:--`` when unknown."""
    if seconds is None:
        return "-:--"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@dataclass
class Running:
    """A scenario that started and has not finished."""

    nodeid: str
    title: str
    role: str
    started: float  # the display's clock
    what: str | None = None  # what it waits for now
    due: float | None = None  # seconds after it started by which that is expected
    next_beat: float = 0.0


@dataclass
class RunProgress:
    """What the events of a run amount to so far (pure; ``clock`` injected)."""

    clock: Clock
    total: int | None = None
    done: int = 0
    running: dict[str, Running] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)  # the finished records
    began: float = 0.0
    first_start: float | None = None
    every: float = HEARTBEAT

    def __post_init__(self) -> None:
        self.began = self.clock()

    def apply(self, event: Mapping[str, Any]) -> str | None:
        """Fold one event in; the ``[n/N]`` verdict line of a finished scenario, else None."""
        kind = event.get("event", "finish")  # a line with no kind is a finished record
        nodeid = str(event.get("nodeid", ""))
        now = self.clock()
        if kind == "collected":
            self.total = int(event.get("total", 0))
        elif kind == "start":
            if self.first_start is None:
                self.first_start = now
            self.running[nodeid] = Running(
                nodeid,
                str(event.get("title") or nodeid),
                str(event.get("role") or "-"),
                now,
                next_beat=now + self.every,
            )
        elif kind == "wait":
            running = self.running.get(nodeid)
            if running is not None:
                due = event.get("due")
                running.what = str(event.get("what") or "") or None
                running.due = None if due is None else float(due)
        elif kind == "finish":
            self.running.pop(nodeid, None)
            self.done += 1
            self.records.append({k: v for k, v in event.items() if k != "event"})
            return f"{self.counter(self.done)} {verdict_line(event)}"
        return None

    def counter(self, n: int) -> str:
        """``[n/N]`` (``[n/?]`` before the selection is known)."""
        return f"[{n}/{self.total if self.total is not None else '?'}]"

    def elapsed(self) -> float:
        return self.clock() - self.began

    def eta(self) -> float | None:
        """Seconds left at the pace so far (time since the first scenario started over the
        scenarios finished); None before one finished or while N is unknown."""
        if self.total is None or self.first_start is None or self.done == 0:
            return None
        if self.done >= self.total:
            return 0.0
        pace = (self.clock() - self.first_start) / self.done
        return pace * (self.total - self.done)

    def status(self) -> str:
        """``12/20 scenarios, elapsed 0:42, ETA 0:28``."""
        total = self.total if self.total is not None else "?"
        return (
            f"{self.done}/{total} scenarios, elapsed {clock_text(self.elapsed())}, "
            f"ETA {clock_text(self.eta())}"
        )

    def describe(self, running: Running) -> str:
        """``<title> [role] (42 s), waiting for <what>, due at +31 s``."""
        text = f"{running.title} [{running.role}] ({self.clock() - running.started:.0f} s)"
        if running.what:
            text += f", waiting for {running.what}"
            if running.due is not None:
                text += f", due at +{running.due:.0f} s"
        return text

    def now_running(self) -> list[tuple[int, Running]]:
        """The scenarios running now, numbered after the finished ones, in start order."""
        return [(self.done + i, r) for i, r in enumerate(self.running.values(), start=1)]

    def heartbeats(self) -> list[str]:
        """A heartbeat line for each scenario that ran another :attr:`every` seconds since
        it started or since its last heartbeat."""
        now, lines = self.clock(), []
        for n, running in self.now_running():
            if now >= running.next_beat:
                lines.append(f"... {self.counter(n)} still running: {self.describe(running)}")
                running.next_beat = now + self.every
        return lines


class Display(Protocol):
    progress: RunProgress

    def event(self, event: Mapping[str, Any]) -> None: ...

    def tick(self) -> None: ...

    def close(self) -> None: ...


class PlainDisplay:
    """One line per finished scenario, and heartbeats: for CI logs, pipes and files."""

    def __init__(self, stream: TextIO, clock: Clock = time.monotonic) -> None:
        self.stream = stream
        self.progress = RunProgress(clock)

    def event(self, event: Mapping[str, Any]) -> None:
        line = self.progress.apply(event)
        if line is not None:
            print(line, file=self.stream, flush=True)

    def tick(self) -> None:
        for line in self.progress.heartbeats():
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        return None


class LiveDisplay:
    """A rich live panel (n/N, elapsed, ETA, what runs and what it waits for) under the
    verdict lines: for a terminal."""

    def __init__(self, stream: TextIO, clock: Clock = time.monotonic) -> None:
        from rich.console import Console
        from rich.live import Live

        self.progress = RunProgress(clock)
        self.console = Console(file=stream)
        self.live = Live(
            self.render(),
            console=self.console,
            refresh_per_second=4,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.live.start()

    def render(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        progress = self.progress
        head = Table.grid(padding=(0, 1))
        head.add_row(
            ProgressBar(total=float(progress.total or 1), completed=float(progress.done), width=30),
            Text(progress.status()),
        )
        lines = [
            Text(f"running: {progress.describe(r)}", no_wrap=True, overflow="ellipsis")
            for _, r in progress.now_running()
        ]
        return Group(head, *lines)

    def event(self, event: Mapping[str, Any]) -> None:
        line = self.progress.apply(event)
        if line is not None:
            from rich.text import Text

            self.live.console.print(Text(line), soft_wrap=True)  # whole, as in a log
        self.live.update(self.render())

    def tick(self) -> None:
        self.live.update(self.render())

    def close(self) -> None:
        self.live.stop()


def display_for(stream: TextIO, clock: Clock = time.monotonic) -> PlainDisplay | LiveDisplay:
    """The live display on a terminal, plain lines anywhere else."""
    isatty = getattr(stream, "isatty", None)
    tty = bool(isatty()) if callable(isatty) else False
    return LiveDisplay(stream, clock) if tty else PlainDisplay(stream, clock)
