"""Wall time of the full embedded conformance run, serial and on pytest-xdist workers.

Runs ``python -m pytest features`` (the scenarios only, both roles, against the reference
UCSP and the reference Industry Service on loopback, schedules under the embedded time
scale) once per mode and round: serial, ``-n 2`` and ``-n auto`` by default. For each run
it prints the wall time, the CPU time of the child (user + sys: comparable on a busy
machine, where wall times are not), the verdicts and the sum of the scenarios' own
durations (setup + call + teardown of every record in results.json). Then, per mode, the
median wall time and its ratio to the serial median, and the serial sum of scenario time,
each against its target:

- ``-n 2`` takes at most 0.6 x the serial wall time (a 2-core machine);
- the serial run spends at most 12 s in its scenarios.

The bench prints figures and asserts nothing.

    .venv/bin/python bench/bench_embedded_run.py [--repeat 3] [--modes serial,2,auto]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ucsp.results import read_results
from ucsp.runner import UNUSED_PLUGINS, worker_options

ROOT = Path(__file__).resolve().parent.parent
SERIAL = "serial"
MODES = (SERIAL, "2", "auto")
RATIO_TARGET = {"2": 0.6}  # wall time of a mode over the serial one, at most
SCENARIO_TIME_TARGET = 12.0  # seconds of scenario time in the serial run, at most


@dataclass
class Run:
    """One run of the main job."""

    mode: str
    wall: float
    cpu: float  # user + sys of the child and its workers
    exit_code: int
    badge: str
    counts: Counter[str] = field(default_factory=Counter)  # "role:verdict" -> scenarios
    scenario_time: float | None = None  # sum of the records' durations (None: no results)


def main_job(results: Path, mode: str = SERIAL) -> list[str]:
    """The embedded main job (every scenario, both roles) writing ``results``, with the plugin
    and worker options of ``ucsp-conformance run``'s child; ``mode`` is ``serial`` or the
    value of ``-n``. results.json holds every selected scenario whatever the number of
    workers (one a crashed worker lost is an ERROR record)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "features",
        "-q",
        *UNUSED_PLUGINS,
        "--results-json",
        str(results),
    ]
    return [*command, *worker_options(None if mode == SERIAL else mode)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(mode: str) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        cpu, started = _children_cpu(), time.perf_counter()
        done = subprocess.run(main_job(results, mode), cwd=ROOT, capture_output=True, check=False)
        run = Run(
            mode,
            time.perf_counter() - started,
            _children_cpu() - cpu,
            done.returncode,
            "no results",
        )
        found = read_results(results) if results.exists() else None
        if found is not None:
            run.badge = str(found.run.get("badge", "?"))
            run.counts = Counter(f"{r['role']}:{r['verdict']}" for r in found.scenarios)
            run.scenario_time = sum(float(r.get("duration", 0.0)) for r in found.scenarios)
    return run


def _within(value: float, target: float) -> str:
    return "within" if value <= target else "OVER"


def describe(index: int, run: Run) -> str:
    scenario = "" if run.scenario_time is None else f"  scenarios {run.scenario_time:5.1f} s"
    counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
    return (
        f"round {index + 1} {run.mode:>6}: {run.wall:6.1f} s wall  {run.cpu:6.1f} s cpu"
        f"{scenario}  exit {run.exit_code}  {run.badge}  {counts}"
    )


def summary(runs: list[Run], modes: list[str]) -> list[str]:
    """The median figures per mode, the ratios to serial and the targets."""
    lines = []
    median = {m: statistics.median(r.wall for r in runs if r.mode == m) for m in modes}
    cpu = {m: statistics.median(r.cpu for r in runs if r.mode == m) for m in modes}
    rounds = len(runs) // len(modes)
    for mode in modes:
        line = f"{mode:>6}: median wall {median[mode]:6.1f} s, cpu {cpu[mode]:6.1f} s"
        if mode != SERIAL and SERIAL in median:
            ratio = median[mode] / median[SERIAL]
            line += f", {ratio:.2f} x serial"
            target = RATIO_TARGET.get(mode)
            if target is not None:
                line += f" ({_within(ratio, target)} the {target} x target)"
        lines.append(line)
    serial_times = [r.scenario_time for r in runs if r.mode == SERIAL]
    if SERIAL in modes and None not in serial_times:
        total = statistics.median(t for t in serial_times if t is not None)
        lines.append(
            f"serial scenario time (median of {rounds}): {total:.1f} s "
            f"({_within(total, SCENARIO_TIME_TARGET)} the {SCENARIO_TIME_TARGET:g} s target)"
        )
    lines.append(f"-n auto: as many workers as pytest-xdist counts CPUs ({os.cpu_count()} here)")
    return lines


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"--repeat: {text!r} is not a number of rounds (1 or more)"
        )
    return int(text)


def parse_modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    for mode in modes:
        if mode not in (SERIAL, "auto") and not (mode.isdigit() and int(mode) >= 1):
            raise argparse.ArgumentTypeError(
                f"--modes: {mode!r} is not 'serial', 'auto' or a number of workers"
            )
    if not modes:
        raise argparse.ArgumentTypeError("--modes: name at least one mode")
    return list(dict.fromkeys(modes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=positive, default=3, help="rounds of every mode")
    parser.add_argument(
        "--modes",
        type=parse_modes,
        default=list(MODES),
        help="comma-separated: serial, auto or a number of workers (default serial,2,auto)",
    )
    args = parser.parse_args()
    runs = []
    for index in range(args.repeat):
        for mode in args.modes:  # modes interleaved: a busy spell affects them alike
            run = one_run(mode)
            runs.append(run)
            print(describe(index, run), flush=True)
    for line in summary(runs, args.modes):
        print(line)


if __name__ == "__main__":
    main()
