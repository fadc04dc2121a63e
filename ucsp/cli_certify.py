"""Certification subcommands of ``ucsp-conformance``: run, doctor, steps, faults,
verify-evidence."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from ucsp.crypto import load_certificate
from ucsp.errors import ConfigError

Subparsers = Any
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ROOT = Path(__file__).resolve().parent.parent


def register_run(sub: Subparsers) -> None:
    run = sub.add_parser("run", help="run a conformance certification (reports in --out)")
    run.add_argument(
        "--sut",
        choices=("industry", "ucsp", "both"),
        default=None,
        help="role under test (default: the target's; both when embedded)",
    )
    run.add_argument(
        "--target",
        type=Path,
        metavar="FILE",
        help="target file of the SUT (default: the embedded reference implementations)",
    )
    run.add_argument(
        "--tags", metavar="EXPR", help="only scenarios whose tags match, e.g. 'SEC-02 or ucsp'"
    )
    run.add_argument("--strict", action="store_true", help="SHOULD violations fail the run too")
    run.add_argument(
        "--out", type=Path, metavar="DIR", help="report directory (default: reports/<run-id>)"
    )
    run.add_argument(
        "--fault",
        dest="faults",
        action="append",
        default=[],
        metavar="NAME",
        help=argparse.SUPPRESS,
    )
    run.add_argument(
        "--scenario",
        dest="scenarios",
        action="append",
        default=[],
        metavar="NAME",
        help="only the scenario with this name (repeatable)",
    )
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from ucsp.runner import RunOptions, run

    if args.target is not None and not args.target.is_file():
        raise ConfigError(
            f"target file {args.target} does not exist; write one from "
            "fixtures/targets/*.example.toml"
        )
    result = run(
        RunOptions(
            sut=args.sut,
            target=args.target,
            tags=args.tags,
            strict=args.strict,
            out=args.out,
            faults=args.faults,
            scenarios=args.scenarios,
        )
    )
    return result.exit_code


def register_doctor(sub: Subparsers) -> None:
    doctor = sub.add_parser("doctor", help="preflight checks of a target before any scenario")
    doctor.add_argument("--target", type=Path, required=True, metavar="FILE")
    doctor.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    from ucsp.doctor import run_checks
    from ucsp.target import load_target

    checks = run_checks(load_target(args.target))
    for check in checks:
        print(check.line())
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} ok, {len(failed)} problem(s)")
    return EXIT_USAGE if failed else EXIT_OK


def register_steps(sub: Subparsers) -> None:
    steps = sub.add_parser("steps", help="print the step catalogue (Markdown)")
    steps.set_defaults(func=cmd_steps)


def cmd_steps(args: argparse.Namespace) -> int:
    # The step library lives beside the features and imports pytest-bdd: run it apart.
    done = subprocess.run(
        [sys.executable, "-m", "steps.catalogue"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ConfigError("cannot read the step library: " + done.stderr.strip()[-300:])
    sys.stdout.write(done.stdout)
    return EXIT_OK


def register_faults(sub: Subparsers) -> None:
    faults = sub.add_parser("faults", help="print the fault catalogues (docs/faults.md)")
    faults.set_defaults(func=cmd_faults)


def cmd_faults(args: argparse.Namespace) -> int:
    from ucsp.faultmap import render_markdown

    sys.stdout.write(render_markdown())
    return EXIT_OK


def register_verify_evidence(sub: Subparsers) -> None:
    verify = sub.add_parser("verify-evidence", help="check an evidence pack offline")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument(
        "--cert",
        type=Path,
        metavar="CERT",
        help="trust only this signer certificate (default: the pack's own)",
    )
    verify.set_defaults(func=cmd_verify_evidence)


def cmd_verify_evidence(args: argparse.Namespace) -> int:
    from ucsp.report.evidence import verify_pack

    if not args.file.is_file():
        raise ConfigError(f"{args.file} does not exist")
    cert = load_certificate(args.cert) if args.cert else None
    check = verify_pack(args.file, cert)
    if check.ok:
        print(
            f"evidence pack intact: {check.files} files, run {check.manifest.get('runId')}, "
            f"suite {check.manifest.get('suiteVersion')}, signed by certificate {check.signer_id}"
        )
        if cert is None:
            print(
                "note: the signer was taken from the pack itself; pass --cert with the suite's "
                "certificate to prove who signed it"
            )
        return EXIT_OK
    for problem in check.problems:
        print(f"ALTERED: {problem}")
    return EXIT_FAILED


REGISTRARS = [
    register_run,
    register_doctor,
    register_steps,
    register_faults,
    register_verify_evidence,
]
