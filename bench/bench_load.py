"""Exchanges per second under `ucsp-conformance load`: the reference UCSP vs a floor app.

One run, alternating rounds: `load --processes N --mix order=1` (every exchange a signed
SUBMIT_PAYMENT_ORDER whose answer the generator verifies and judges) against

- the embedded reference UCSP (served in-process of the driver, on loopback), and
- a floor app (a bare Starlette app in its own process, one uvicorn worker) that only
  parses, verifies and signs: it echoes msgInfo and orderId and makes up a tn, which is the
  least a conformant answer needs,

at the same users. Prints the steady exchanges/s of each (the first and last second of each
round left out), their ratio, the non-conformant answers of each, and the share of the
generator's CPU spent signing and verifying (how many load processes a rate needs).
With ``--cprofile FILE`` it also profiles the reference UCSP in a child process under the
same load and prints where its time goes.

    .venv/bin/python bench/bench_load.py [--seconds 8] [--rounds 2] [--users 24] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import pstats
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from servers import floor_app, loopback_server, reference_app

ROOT = Path(__file__).resolve().parent.parent
SERVE = "serve"
TARGET = """sut = "ucsp"
[suite]
keys = "{keys}"
[ucsp]
gateway_url = "{url}/gateway"
authorize_url = "{url}/authorize"
"""


# --- the servers (child processes) -----------------------------------------------------------


def made_up_order(trx_info: dict[str, Any]) -> dict[str, Any]:
    """The floor app's answer: orderId echoed, a tn made up."""
    tn = secrets.token_hex(16)
    return {
        "orderId": trx_info.get("orderId"),
        "tn": tn,
        "paymentUrl": f"http://127.0.0.1/pay/{tn}",
    }


def serve(kind: str, keys_dir: Path, profile_to: str | None) -> None:
    """Child: bind loopback port 0, print it, serve until SIGTERM (then dump the profile)."""
    import cProfile

    if kind == "reference":
        app = reference_app(keys_dir)
    else:
        app = floor_app(keys_dir, made_up_order, refused={})
    server, sock = loopback_server(app)
    profiler = cProfile.Profile() if profile_to else None

    def stop(*_: Any) -> None:
        server.should_exit = True

    if profiler is not None:
        profiler.enable()
    signal.signal(signal.SIGTERM, stop)
    try:
        server.run(sockets=[sock])
    finally:
        if profiler is not None and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)


def start(kind: str, keys_dir: Path, profile_to: str = "") -> tuple[subprocess.Popen[str], int]:
    child = subprocess.Popen(
        [sys.executable, __file__, SERVE, kind, str(keys_dir), profile_to],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    return child, int(child.stdout.readline())


# --- the load (this process drives `ucsp-conformance load`) ----------------------------------


def load(args: argparse.Namespace, out: Path, *extra: str) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "ucsp.cli", "load", "--mix", "order=1",
        "--users", str(args.users), "--duration", f"{args.seconds:g}s",
        "--processes", str(args.processes), "--out", str(out), *extra,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    report = out / "report.json"
    if not report.is_file():
        raise SystemExit(f"load run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    data: dict[str, Any] = json.loads(report.read_text())
    return data


def steady(report: dict[str, Any]) -> tuple[int, int]:
    """(exchanges, seconds) of the run without its first and last second."""
    points = report["timeline"][1:-1]
    return sum(p["requests"] for p in points), len(points)


def measure(args: argparse.Namespace, tmp: Path, keys_dir: Path) -> None:
    floor, floor_port = start("floor", keys_dir)
    target = tmp / "floor.toml"
    target.write_text(TARGET.format(keys=keys_dir, url=f"http://127.0.0.1:{floor_port}"))
    # steady exchanges, steady seconds, non-conformant, crypto CPU s, CPU s, all exchanges
    totals = {kind: [0, 0, 0, 0.0, 0.0, 0] for kind in ("reference", "floor")}
    try:
        for n in range(args.rounds):
            for kind, extra in (("reference", ()), ("floor", ("--target", str(target)))):
                report = load(args, tmp / f"{kind}{n}", *extra)
                done, seconds = steady(report)
                total = totals[kind]
                total[0] += done
                total[1] += seconds
                total[2] += report["nonConformant"]["answers"] + report["postconditions"]["failed"]
                total[3] += report["cpu"]["cryptoSeconds"]
                total[4] += report["cpu"]["seconds"]
                total[5] += report["throughput"]["exchanges"]
    finally:
        floor.terminate()
        floor.wait(10)
    rates = {}
    for kind, (done, seconds, bad, crypto, cpu, _) in totals.items():
        rates[kind] = done / seconds if seconds else 0.0
        share = crypto / cpu if cpu else 0.0
        print(
            f"{kind:9} {done:6d} exchanges in {seconds:3d} steady s = {rates[kind]:7.1f}/s; "
            f"non-conformant {bad}; generator crypto {crypto:.2f} of {cpu:.2f} CPU s "
            f"({share:.0%})"
        )
    exchanges = sum(t[5] for t in totals.values())
    cpu = sum(t[4] for t in totals.values())
    if exchanges and cpu:
        print(
            f"generator: {1000 * cpu / exchanges:.2f} ms CPU per exchange (whole runs), so one "
            f"load process (one core) sustains about {exchanges / cpu:.0f} exchanges/s"
        )
    ratio = rates["reference"] / rates["floor"] if rates["floor"] else 0.0
    print(f"ratio reference/floor = {ratio:.2f} (target >= 0.85)")


def profile(args: argparse.Namespace, tmp: Path, keys_dir: Path, dump: Path) -> None:
    child, port = start("reference", keys_dir, str(dump))
    target = tmp / "reference.toml"
    target.write_text(TARGET.format(keys=keys_dir, url=f"http://127.0.0.1:{port}"))
    try:
        load(args, tmp / "profiled", "--target", str(target))
    finally:
        child.terminate()
        child.wait(30)
    stats = pstats.Stats(str(dump))
    print(f"\nreference UCSP under load, by own time (profile in {dump}):")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"ucsp/sim", 25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=2, help="alternations between servers")
    parser.add_argument("--users", type=int, default=24, help="Locust users")
    parser.add_argument("--processes", type=int, default=2, help="Locust worker processes")
    parser.add_argument("--cprofile", type=Path, help="also profile the reference UCSP")
    args = parser.parse_args()
    from ucsp.deployment import TEST_KEYS

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(
            f"load --processes {args.processes} --users {args.users} --mix order=1, "
            f"{args.seconds:g} s per run, {args.rounds} alternating rounds"
        )
        measure(args, tmp, TEST_KEYS)
        if args.cprofile is not None:
            profile(args, tmp, TEST_KEYS, args.cprofile.resolve())


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == SERVE:
        serve(sys.argv[2], Path(sys.argv[3]), sys.argv[4] or None)
    else:
        main()
