"""Verdict stability of the embedded main job: scenarios whose verdict changes between runs.

Runs ``python -m pytest features`` (both roles, against the reference implementations on
loopback) ``--runs`` times, ``--parallel`` of them at once, reads the ``scenarios`` of each
run's results file and prints every scenario whose verdict was not the same in all runs
(with the verdicts seen and the message of a run that differed), then ``flips: K``, the
number of such scenarios. Target: ``flips: 0`` over 20 runs, also with two runs at once.

    .venv/bin/python bench/bench_stability.py [--runs 10] [--parallel 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_embedded_run import main_job  # beside this script

from ucsp.results import read_results

ROOT = Path(__file__).resolve().parent.parent
NO_RESULTS = "no-results"  # the verdict recorded for a run that wrote no results file


@dataclass
class Run:
    index: int
    seconds: float
    exit_code: int
    verdicts: dict[str, str] = field(default_factory=dict)  # scenario key -> verdict
    messages: dict[str, str] = field(default_factory=dict)  # scenario key -> message


def scenario_key(record: Mapping[str, Any]) -> str:
    """One scenario and role: the node ID (unique per outline example and role)."""
    nodeid = str(record.get("nodeid") or "")
    if nodeid:
        return nodeid
    return f"{record.get('feature', '')}::{record.get('scenario', '')}[{record.get('role', '')}]"


def one_run(index: int, out_dir: Path) -> Run:
    results = out_dir / f"results-{index + 1}.json"
    started = time.perf_counter()
    done = subprocess.run(main_job(results), cwd=ROOT, capture_output=True, check=False)
    run = Run(index, time.perf_counter() - started, done.returncode)
    if not results.exists():
        run.verdicts["<run>"] = NO_RESULTS
        run.messages["<run>"] = done.stdout.decode(errors="replace")[-300:]
        return run
    for record in read_results(results).scenarios:
        key = scenario_key(record)
        run.verdicts[key] = str(record.get("verdict") or record.get("outcome") or "")
        run.messages[key] = str(record.get("message") or "")
    return run


def flips(runs: Sequence[Run]) -> dict[str, Counter[str]]:
    """Scenarios whose verdict was not the same in every run (missing counts as a verdict)."""
    keys = sorted({key for run in runs for key in run.verdicts})
    changed: dict[str, Counter[str]] = {}
    for key in keys:
        seen = Counter(run.verdicts.get(key, "missing") for run in runs)
        if len(seen) > 1:
            changed[key] = seen
    return changed


def minority_message(key: str, seen: Counter[str], runs: Sequence[Run]) -> str:
    """The message of a run whose verdict for ``key`` was the least common one."""
    rare = min(seen, key=lambda verdict: seen[verdict])
    for run in runs:
        if run.verdicts.get(key, "missing") == rare:
            text = " ".join(run.messages.get(key, "").split())
            return f"run {run.index + 1} ({rare}): {text[:300]}"
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="how many runs (default 10)")
    parser.add_argument("--parallel", type=int, default=1, help="runs at once (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the results files in this directory")
    args = parser.parse_args(argv)
    if args.runs < 2 or args.parallel < 1:
        parser.error("--runs must be at least 2 and --parallel at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.parallel) as pool:
            runs = list(pool.map(lambda i: one_run(i, out_dir), range(args.runs)))
        total = time.perf_counter() - started
    for run in runs:
        counts = Counter(run.verdicts.values())
        summary = "  ".join(f"{verdict}={n}" for verdict, n in sorted(counts.items()))
        print(f"run {run.index + 1}: {run.seconds:6.1f} s  exit {run.exit_code}  {summary}")
    changed = flips(runs)
    for key, seen in changed.items():
        verdicts = ", ".join(f"{verdict} x{n}" for verdict, n in sorted(seen.items()))
        print(f"FLIP {key}: {verdicts}")
        print(f"     {minority_message(key, seen, runs)}")
    print(f"runs: {args.runs}  parallel: {args.parallel}  wall: {total:.1f} s")
    print(f"flips: {len(changed)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
