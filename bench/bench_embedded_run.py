"""Wall time of the full embedded conformance run (both roles, schedules under time scale).

Runs ``python -m pytest features`` (the scenarios only, against the reference UCSP and the
reference Industry Service on loopback) ``--repeat`` times and prints each wall time, the
median and the scenario counts. Target: under 60 s on a 2-core machine.

    .venv/bin/python bench/bench_embedded_run.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from ucsp.results import read_results

ROOT = Path(__file__).resolve().parent.parent


def main_job(results: Path) -> list[str]:
    """The embedded main job (every scenario, both roles) writing ``results``."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "features",
        "-q",
        "-p",
        "no:cacheprovider",
        "--results-json",
        str(results),
    ]


def one_run() -> tuple[float, Counter[str], str]:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        started = time.perf_counter()
        subprocess.run(
            main_job(results),
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        found = read_results(results) if results.exists() else None
        records = found.scenarios if found else []
        badge = str(found.run.get("badge", "?")) if found else "no results"
    return elapsed, Counter(f"{r['role']}:{r['verdict']}" for r in records), badge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = []
    for index in range(args.repeat):
        elapsed, counts, badge = one_run()
        times.append(elapsed)
        print(
            f"run {index + 1}: {elapsed:6.1f} s  {badge}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    median = statistics.median(times)
    verdict = "within" if median < 60 else "OVER"
    print(f"median wall time {median:.1f} s over {args.repeat} runs ({verdict} the 60 s target)")


if __name__ == "__main__":
    main()
