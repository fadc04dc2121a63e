"""Mutation score of the embedded conformance run over the reference implementations' rules.

Mutates the rule modules of the reference UCSP and Industry Service (:mod:`mutator`: one
small source patch per mutant, fault branches never touched), takes a seeded sample, and
runs the embedded main job (``bench_embedded_run.main_job``, with ``-x``) against each
mutant in a temporary copy of the checkout (``ucsp/ steps/ plugins/ features/ schemas/
fixtures/ conftest.py pyproject.toml``) that holds the one mutated file. A mutant is killed
when the run fails, survives when it passes; a run over ``--timeout`` is killed by the time-out
(counted as killed, reported apart). The unmutated copy runs first: when it fails, nothing is
judged. Prints per file the mutants, killed and survived, each survivor's diff, the reviewed
mutants (``bench/equivalent-mutants.toml``, left out of the score: equivalent ones, ones only a
restart or an internal error reaches, and ones whose change PROTOCOL.md allows, each with its
reason) and ``score: K/N`` over the rest.

The mutator is our own, not mutmut: mutmut 3 runs the test command in-process through
trampolines in a ``mutants/`` tree it manages (with its own cache and fork-based workers),
mutmut 2 patches the files of the working tree in place; neither knows our fault switches
(which must not be mutated) or response codes, nor runs each mutant in its own copy, two at
a time under a time-out, with the embedded run's own command.

The files are the :data:`DEFAULT_GLOBS` that exist when the bench runs (new rule modules
matching them are picked up); ``--files`` replaces them. Fault modules (``faults.py``,
``*_faults.py``) and ``__init__.py`` are never mutated.

    .venv/bin/python bench/bench_mutation.py [--sample 60] [--seed 0] [--jobs 2]
        [--timeout 300] [--files PATH_OR_GLOB ...] [--list]
"""

from __future__ import annotations

import argparse
import ast
import functools
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench_embedded_run import main_job  # beside this script
from mutator import Mutant, mutants_of  # beside this script

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "bench" / "equivalent-mutants.toml"
DEFAULT_GLOBS = (
    "ucsp/sim/ucsp/rules*.py",
    "ucsp/sim/ucsp/service*.py",
    "ucsp/sim/ucsp/gateway*.py",
    "ucsp/sim/ucsp/notices*.py",
    "ucsp/sim/ucsp/login*.py",
    "ucsp/sim/ucsp/store*.py",
    "ucsp/sim/industry/flows*.py",
    "ucsp/sim/industry/notices*.py",
    "ucsp/sim/industry/login*.py",
    "ucsp/sim/industry/store*.py",
    "ucsp/sim/schedule*.py",
    "ucsp/sim/pipeline*.py",
    "ucsp/sim/replay*.py",
    "ucsp/sim/store*.py",
)
COPIED = (
    "ucsp",
    "steps",
    "plugins",
    "features",
    "schemas",
    "fixtures",
    "conftest.py",
    "pyproject.toml",
)
KILLED, SURVIVED, TIMEOUT = "killed", "survived", "timeout"


@dataclass
class Run:
    outcome: str  # killed | survived | timeout
    seconds: float
    exit_code: int | None
    detail: str  # the first failure pytest reported, or the output's tail


def is_fault_module(path: str) -> bool:
    stem = Path(path).stem
    return stem == "faults" or stem.endswith("_faults") or stem == "__init__"


def rule_files(patterns: Iterable[str]) -> list[str]:
    """The existing files the patterns name (paths or globs, relative to the checkout)."""
    found: set[str] = set()
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and path.suffix == ".py" and not is_fault_module(relative):
                found.add(relative)
    return sorted(found)


REVIEWED_KINDS = {
    "equivalent": "no input can tell it from the original",
    "unreachable": "only a restart or an internal error reaches it: no scenario can",
    "unconstrained": "PROTOCOL.md allows both behaviours: a scenario failing it would be wrong",
}


@dataclass(frozen=True)
class Review:
    """Why a reviewed mutant (or every mutant of a reviewed function) is left out."""

    kind: str  # one of REVIEWED_KINDS
    reason: str
    function: str | None = None  # a [[mutant]] entry only matches inside this function

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


def _review(entry: dict[str, str], path: Path, function: str | None = None) -> Review:
    kind = entry.get("kind", "equivalent")
    if kind not in REVIEWED_KINDS:
        raise ValueError(f"{path}: kind {kind!r} is not one of {', '.join(REVIEWED_KINDS)}")
    return Review(kind, entry["reason"], function)


def load_equivalents(path: Path) -> dict[tuple[str, str, str, str], list[Review]]:
    """Reviewed mutants left out of the score: their key (see :meth:`Mutant.key`) -> the
    reviews of it (one per ``function`` it is confined to, or one for anywhere in the file)."""
    if not path.exists():
        return {}
    reviewed: dict[tuple[str, str, str, str], list[Review]] = {}
    for e in tomllib.loads(path.read_text(encoding="utf-8")).get("mutant", []):
        key = (e["file"], e["operator"], e["original"].strip(), e["mutated"].strip())
        reviewed.setdefault(key, []).append(_review(e, path, e.get("function")))
    return reviewed


def load_reviewed_functions(path: Path) -> dict[tuple[str, str], Review]:
    """Reviewed functions, every mutant inside them left out of the score: (file, qualified
    name) -> its review."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("function", [])
    return {(e["file"], e["name"]): _review(e, path) for e in entries}


def function_at(source: str, line: int) -> str | None:
    """The qualified name (``Class.method``) of the innermost function holding ``line``."""
    inside = [name for first, last, name in _function_spans(source) if first <= line <= last]
    return inside[-1] if inside else None


@functools.cache
def _function_spans(source: str) -> tuple[tuple[int, int, str], ...]:
    """Every function of ``source``, outer before inner: (first line, last line, qualified
    name); parsed once per source."""
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")

    visit(ast.parse(source), "")
    return tuple(spans)


def reviewed_reasons(
    chosen: Sequence[Mutant], sources: dict[str, str], path: Path
) -> dict[int, str]:
    """The sampled mutants left out of the score (by their index), each with its reason: a
    reviewed mutant (inside its function, when the review names one), or any mutant inside
    a reviewed function."""
    mutants, functions = load_equivalents(path), load_reviewed_functions(path)
    reasons = {}
    for i, mutant in enumerate(chosen):
        function = function_at(sources[mutant.path], mutant.line)
        found = [r for r in mutants.get(mutant.key(), []) if r.function in (None, function)]
        review = found[0] if found else functions.get((mutant.path, function or ""))
        if review is not None:
            reasons[i] = str(review)
    return reasons


def sample(mutants: Sequence[Mutant], size: int, seed: int) -> list[Mutant]:
    chosen = random.Random(seed).sample(list(mutants), min(size, len(mutants)))
    return sorted(chosen, key=lambda m: (m.path, m.start, m.operator, m.replacement))


def make_copy(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, dest / name)


def first_failure(output: str) -> str:
    """The first test pytest reports failed (or broken), else the output's tail."""
    for line in output.splitlines():
        if re.match(r"(FAILED|ERROR) \S+::", line):
            return line[:200]
    return " ".join(output.split())[-200:]


def run_suite(checkout: Path, timeout: float) -> Run:
    """The embedded main job with ``-x`` in ``checkout``; its process group dies on time-out."""
    command = [*main_job(checkout / "results.json"), "-x"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=checkout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        text = output.decode(errors="replace")
        return Run(TIMEOUT, time.perf_counter() - started, None, first_failure(text))
    text = output.decode(errors="replace")
    outcome = SURVIVED if proc.returncode == 0 else KILLED
    return Run(outcome, time.perf_counter() - started, proc.returncode, first_failure(text))


def run_mutant(mutant: Mutant | None, timeout: float) -> Run:
    """Run the suite on a fresh copy holding ``mutant`` (the unmutated copy for None)."""
    with tempfile.TemporaryDirectory(prefix="ucsp-mutant-") as tmp:
        checkout = Path(tmp)
        make_copy(checkout)
        if mutant is not None:
            target = checkout / mutant.path
            target.write_text(mutant.apply(target.read_text(encoding="utf-8")), encoding="utf-8")
        return run_suite(checkout, timeout)


def imports_from_copy() -> str | None:
    """None when a copy's run imports the kit from the copy; else where it imports it from."""
    with tempfile.TemporaryDirectory(prefix="ucsp-mutant-") as tmp:
        checkout = Path(tmp).resolve()
        make_copy(checkout)
        found = subprocess.run(
            [sys.executable, "-c", "import ucsp.sim, sys; sys.stdout.write(ucsp.sim.__file__)"],
            cwd=checkout,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return None if Path(found).resolve().is_relative_to(checkout) else found or "nowhere"


def describe(mutant: Mutant) -> str:
    before = mutant.original.splitlines()[0] if mutant.original else ""
    after = mutant.mutated.splitlines()[0] if mutant.mutated else ""
    return f"{mutant.path}:{mutant.line} {mutant.operator}: {before}  ->  {after}"


def report(
    chosen: Sequence[Mutant],
    runs: dict[int, Run],
    equivalent: dict[int, str],
    sources: dict[str, str],
) -> int:
    files = sorted({m.path for m in chosen})
    width = max([len(f) for f in files] + [4])
    print(f"\n{'file':<{width}}  mutants  killed  survived  (timeouts)  reviewed")
    for path in files:
        mine = [i for i, m in enumerate(chosen) if m.path == path]
        outcomes = Counter(runs[i].outcome for i in mine if i in runs)
        killed = outcomes[KILLED] + outcomes[TIMEOUT]
        equiv = sum(1 for i in mine if i in equivalent)
        print(
            f"{path:<{width}}  {len(mine):7}  {killed:6}  {outcomes[SURVIVED]:8}"
            f"  {outcomes[TIMEOUT]:10}  {equiv:10}"
        )
    survivors = [i for i, run in runs.items() if run.outcome == SURVIVED]
    for i in sorted(survivors):
        print(f"\nSURVIVED {describe(chosen[i])}")
        print(chosen[i].diff(sources[chosen[i].path]), end="")
    timeouts = [i for i, run in runs.items() if run.outcome == TIMEOUT]
    for i in sorted(timeouts):
        print(f"\nTIMEOUT (counted as killed) {describe(chosen[i])}")
    if equivalent:
        print("\nreviewed, left out of the score:")
        for i, reason in sorted(equivalent.items()):
            print(f"  {describe(chosen[i])}\n      {reason}")
        kinds = Counter(reason.split(":", 1)[0] for reason in equivalent.values())
        for kind, n in sorted(kinds.items()):
            print(f"  {n} {kind} ({REVIEWED_KINDS[kind]})")
    killed = sum(1 for run in runs.values() if run.outcome in (KILLED, TIMEOUT))
    print(f"\nscore: {killed}/{len(runs)}")
    return 1 if survivors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=60, help="mutants to run (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (default 2)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument(
        "--files", nargs="+", metavar="PATH", help="files or globs to mutate (default: rules)"
    )
    parser.add_argument("--list", action="store_true", help="print the sample, run nothing")
    args = parser.parse_args(argv)
    if args.sample < 1 or args.jobs < 1 or args.timeout <= 0:
        parser.error("--sample and --jobs must be at least 1, --timeout positive")
    files = rule_files(args.files or DEFAULT_GLOBS)
    if not files:
        parser.error("no files to mutate (fault modules are never mutated)")
    sources = {path: (ROOT / path).read_text(encoding="utf-8") for path in files}
    every = [m for path in files for m in mutants_of(sources[path], path)]
    chosen = sample(every, args.sample, args.seed)
    equivalent = reviewed_reasons(chosen, sources, EQUIVALENTS)
    print(f"{len(every)} mutants in {len(files)} files; sample of {len(chosen)} (seed {args.seed})")
    if args.list:
        for i, mutant in enumerate(chosen):
            mark = f"  [reviewed {equivalent[i].split(':', 1)[0]}]" if i in equivalent else ""
            print(f"{i + 1:4}. {describe(mutant)}{mark}")
        return 0
    elsewhere = imports_from_copy()
    if elsewhere is not None:
        print(f"a copy of the checkout imports ucsp.sim from {elsewhere}, not from the copy")
        return 2
    baseline = run_mutant(None, args.timeout)
    if baseline.outcome != SURVIVED:
        print(
            f"baseline FAILED ({baseline.outcome}, exit {baseline.exit_code}, "
            f"{baseline.seconds:.1f} s): {baseline.detail}\n"
            "the unmutated suite is red: no mutant is judged against it"
        )
        return 2
    print(f"baseline: passed in {baseline.seconds:.1f} s")
    todo = [i for i in range(len(chosen)) if i not in equivalent]

    def one(i: int) -> tuple[int, Run]:
        run = run_mutant(chosen[i], args.timeout)
        note = "" if run.outcome == SURVIVED else f"  {run.detail}"
        print(f"[{run.outcome:8}] {run.seconds:6.1f} s  {describe(chosen[i])}{note}", flush=True)
        return i, run

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = dict(pool.map(one, todo))
    return report(chosen, runs, equivalent, sources)


if __name__ == "__main__":
    sys.exit(main())
