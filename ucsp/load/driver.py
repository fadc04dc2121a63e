"""``ucsp-conformance load``: Locust, headless, judging every answer of a load run.

The driver starts the system under test (the embedded reference implementation, or none for
a target file), writes the run plan, runs Locust in a child process (one process, local
worker processes, a distributed master, or one worker of it), then writes the load report
from the tally the Locust master left. Exit 0: every answer conformant and every
post-condition held; 1: not so; 2: bad arguments (one line).
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import signal
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ucsp.errors import ConfigError
from ucsp.load.plan import Plan, check_burst, parse_duration, parse_mix
from ucsp.profile import load_profile
from ucsp.target import load_target

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
KEYS_ENV, NOTICE_HOST_ENV = "UCSP_LOAD_KEYS", "UCSP_LOAD_NOTICE_HOST"
GRACE_SECONDS = 120.0  # beyond the duration, for start-up and the final reports
WEB_START_SECONDS = 3.0  # with the web UI: its start-up, before the users run
EXIT_OK, EXIT_FAILED, EXIT_INCOMPLETE = 0, 1, 2


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def register_load(sub: Any) -> None:
    load = sub.add_parser("load", help="conformance under load (Locust, headless)")
    add = load.add_argument
    add("--target", type=Path, metavar="FILE", help="target file (default: embedded reference)")
    add("--sut", choices=["ucsp", "industry"], default="ucsp",
        help="embedded role under test (default ucsp; a target file says its own)")  # fmt: skip
    add("--fault", dest="faults", action="append", metavar="NAME",
        help="switch a fault on in the embedded reference (repeatable)")  # fmt: skip
    add("--users", type=_count, default=10, metavar="N", help="concurrent users (default 10)")
    add("--spawn-rate", type=_rate, metavar="R", help="users started per second (default: all)")
    add("--duration", default="60s", metavar="D", help="run time, e.g. 60s, 2m (default 60s)")
    add("--mix", metavar="W", help="flow weights, e.g. payment=5,refund=2,inquiry=3,autodebit=1")
    add("--burst", type=_count, default=0, metavar="K",
        help="burst mode: K concurrent resubmissions, replays, refunds (default off)")  # fmt: skip
    add("--processes", type=_count, default=0, metavar="N",
        help="Locust worker processes on this machine (default 0: one process)")  # fmt: skip
    add("--out", type=Path, metavar="DIR", help="report directory (default reports/<run>/load)")
    add("--master", action="store_true", help="distributed: be the master")
    add("--expect-workers", type=_count, default=1, metavar="N", help="master: workers to await")
    add("--master-host", metavar="H", help="worker: the master's address")
    add("--master-port", type=_count, default=5557, metavar="P", help="master port (5557)")
    add("--worker", action="store_true", help="distributed: be a worker of --master-host")
    add("--notice-host", default="127.0.0.1", metavar="H",
        help="where load processes listen for notices (default 127.0.0.1)")  # fmt: skip
    add("--strict", action="store_true", help="a broken SHOULD fails the run too")
    add("--web", action="store_true", help="show Locust's web UI (127.0.0.1:--web-port)")
    add("--web-port", type=_count, default=8089, metavar="P", help="web UI port (8089)")
    add("--profile", metavar="FILE", default=argparse.SUPPRESS, help="wire profile TOML file")
    load.set_defaults(func=cmd_load)


def _check(args: argparse.Namespace) -> None:
    if args.master and args.worker:
        raise ConfigError("--master and --worker exclude each other: give one")
    if args.worker and not args.master_host:
        raise ConfigError("--worker needs --master-host H (the master's address)")
    if args.master_host and not args.worker:
        raise ConfigError("--master-host is for --worker; the master listens with --master")
    if args.users < 1:
        raise ConfigError("--users must be 1 or more")
    if args.target is not None and args.faults:
        raise ConfigError("--fault applies to the embedded reference; drop it or --target")
    if args.target is not None and not args.target.is_file():
        raise ConfigError(f"--target {args.target} is not a readable file")
    if args.master and args.processes:
        raise ConfigError("--processes is for a single machine or a --worker, not --master")
    check_burst(args.burst)
    if not 0 < args.master_port < 65536 or not 0 < args.web_port < 65536:
        raise ConfigError("--master-port and --web-port must be 1-65535")


def _target_plan(args: argparse.Namespace, profile: str | None) -> Plan:
    target = load_target(args.target, profile)
    data = tomllib.loads(args.target.read_text(encoding="utf-8"))
    keys_dir = (args.target.resolve().parent / data["suite"]["keys"]).resolve()
    info = target.industry
    plan = Plan(
        sut=target.sut,
        mix=parse_mix(args.mix, target.sut),
        industry_code=info.code,
        mer_id=info.mer_id,
        acq_iin=info.acq_iin,
        keys_dir=str(keys_dir),
        profile=profile,
    )
    if target.sut == "ucsp":
        plan.gateway_url = target.ucsp.gateway_url
    else:
        plan.notice_url, plan.harness_url = info.notice_url, info.harness_url or ""
    return plan


def _locust(args: argparse.Namespace, seconds: float, plan: Plan | None) -> list[str]:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
    if args.worker:
        return [*command, "--worker", "--master-host", args.master_host,
                "--master-port", str(args.master_port),
                *(["--processes", str(args.processes)] if args.processes else [])]  # fmt: skip
    assert plan is not None
    url = plan.gateway_url or plan.notice_url
    host = url.split("/", 3)
    command += [
        "--host", "/".join(host[:3]),
        "-u", str(args.users),
        "-r", str(args.spawn_rate or args.users),
        "--stop-timeout", "0",
        "--only-summary",
        "--ucsp-plan", plan.to_json(),
    ]  # fmt: skip
    if args.web:  # the driver ends the run (SIGTERM) after the duration
        command += ["--autostart", "--web-host", "127.0.0.1", "--web-port", str(args.web_port)]
    else:
        command += ["--headless", "-t", f"{max(1, math.ceil(seconds))}s"]
    if args.processes:
        command += ["--processes", str(args.processes)]
    if args.master:
        command += ["--master", "--expect-workers", str(args.expect_workers),
                    "--master-bind-port", str(args.master_port)]  # fmt: skip
    return command


def _run(
    command: list[str],
    log: Path,
    timeout: float,
    env: dict[str, str],
    stop_after: float | None = None,
) -> int:
    """Run Locust; ``stop_after`` seconds: end it then (SIGTERM: it quits and reports)."""
    with log.open("wb") as sink:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, stdout=sink, stderr=subprocess.STDOUT, env=env
        )
        try:
            if stop_after is not None:
                try:
                    return child.wait(stop_after)
                except subprocess.TimeoutExpired:
                    child.send_signal(signal.SIGTERM)
            return child.wait(timeout)
        except subprocess.TimeoutExpired:
            _end(child)
            raise ConfigError(
                f"the load run did not end within {timeout:.0f} s; see {log}"
            ) from None
        except KeyboardInterrupt:
            _end(child)
            raise


def _end(child: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """Stop the Locust child: SIGTERM, then SIGKILL if it is still there after ``grace``."""
    child.terminate()
    try:
        child.wait(grace)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _env(keys_dir: Path, notice_host: str) -> dict[str, str]:
    return {**os.environ, KEYS_ENV: str(keys_dir), NOTICE_HOST_ENV: notice_host}


def cmd_load(args: argparse.Namespace) -> int:
    _check(args)
    seconds = parse_duration(args.duration)
    profile = getattr(args, "profile", None)
    load_profile(profile)  # a bad profile fails here, before anything starts
    from ucsp.deployment import TEST_KEYS

    if args.worker:
        keys_dir = TEST_KEYS
        if args.target is not None:
            keys_dir = Path(_target_plan(args, profile).keys_dir)
        out = args.out or Path(".")
        out.mkdir(parents=True, exist_ok=True)
        env = _env(keys_dir, args.notice_host)
        _run(_locust(args, seconds, None), out / "locust-worker.log", 24 * 3600.0, env)
        return EXIT_OK
    from ucsp.load import embedded, report

    if args.target is None:  # everything is checked before anything is written or started
        embedded.check_faults(args.sut, args.faults or [])
        plan = Plan(sut=args.sut, mix=parse_mix(args.mix, args.sut), profile=profile)
    else:
        plan = _target_plan(args, profile)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    out = (args.out or Path.cwd() / "reports" / run_id / "load").resolve()  # as `run`
    out.mkdir(parents=True, exist_ok=True)
    results = out / "tally.json"
    results.unlink(missing_ok=True)
    plan.burst, plan.results, plan.notice_host = args.burst, str(results), args.notice_host
    sut: embedded.Embedded | None = None
    if args.target is None:
        sut = embedded.start(args.sut, args.faults or [], load_profile(profile))
        plan.keys_dir = str(sut.keys_dir)
        plan.gateway_url = sut.urls.get("gateway_url", "")
        plan.notice_url = sut.urls.get("notice_url", "")
        plan.harness_url = sut.urls.get("harness_url", "")
    else:
        sut = embedded.for_target(load_target(args.target, profile), Path(plan.keys_dir))
    log = out / "locust.log"
    started = datetime.now(UTC)
    try:
        env = _env(Path(plan.keys_dir), args.notice_host)
        stop_after = seconds + WEB_START_SECONDS if args.web else None
        _run(_locust(args, seconds, plan), log, seconds + GRACE_SECONDS, env, stop_after)
    finally:
        if sut is not None:
            sut.stop()
    if not results.is_file():
        raise ConfigError(f"the load run left no results; see {log}")
    meta = {
        "runId": run_id,
        "started": started.isoformat(),
        "sut": plan.sut,
        "target": str(args.target) if args.target else "embedded",
        "faults": args.faults or [],
        "users": args.users,
        "duration": seconds,
        "mix": plan.mix,
        "burst": plan.burst,
        "processes": args.processes,
        "distributed": bool(args.master),
        "strict": args.strict,
    }
    summary = report.write(out, results, meta, args.strict)
    print(summary.text)
    if summary.failed:
        return EXIT_FAILED
    return EXIT_INCOMPLETE if summary.incomplete else EXIT_OK
