"""Certification subcommands of ``ucsp-conformance``: run, doctor, steps, faults,
verify-evidence, compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ucsp import suite_files
from ucsp.crypto import load_certificate
from ucsp.errors import ConfigError
from ucsp.lint.child import run_library_module

Subparsers = Any
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
        "--out",
        type=Path,
        metavar="DIR",
        help="report directory, new or empty (default: ./reports/<run-id>)",
    )
    run.add_argument("--force", action="store_true", help="empty a non-empty --out directory first")
    run.add_argument(
        "--features",
        dest="features",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="also run this directory of your own .feature files, anywhere, bound to the "
        "suite's steps with no Python (repeatable); the run is then PARTIAL",
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
    run.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="TOML list of waivers: known deviations that do not fail the run until they "
        "expire (README: Baselines and comparison)",
    )
    run.add_argument(
        "--certify",
        action="store_true",
        help="a certification run: refuses --baseline, and says so in the evidence manifest",
    )
    run.add_argument(
        "-n",
        "--workers",
        metavar="N",
        default=None,
        help="run the scenarios on N worker processes, or auto (one per core); embedded "
        "reference implementations only: a real target runs serially",
    )
    _profile_option(run)
    run.set_defaults(func=cmd_run)


def _profile_option(parser: argparse.ArgumentParser) -> None:
    """``--profile`` after the subcommand too; SUPPRESS keeps a global one given before it."""
    parser.add_argument(
        "--profile", metavar="FILE", default=argparse.SUPPRESS, help="wire profile TOML file"
    )


def _profile_path(args: argparse.Namespace) -> Path | None:
    """The ``--profile`` file, absolute (the run's child process has another cwd)."""
    value = getattr(args, "profile", None)
    if value is None:
        return None
    path = Path(value).resolve()
    if not path.is_file():
        raise ConfigError(f"--profile {value}: no such file; name a profile TOML file")
    return path


def _target_path(value: Path | None) -> Path | None:
    """The ``--target`` file, absolute: relative paths mean the directory run started in."""
    if value is None:
        return None
    if not value.is_file():
        raise ConfigError(
            f"target file {value} does not exist; write one from "
            f"{suite_files.FIXTURES / 'targets'}/*.example.toml"
        )
    return value.resolve()


def cmd_run(args: argparse.Namespace) -> int:
    from ucsp.runner import RunOptions, run

    target = _target_path(args.target)
    result = run(
        RunOptions(
            sut=args.sut,
            target=target,
            profile=_profile_path(args),
            tags=args.tags,
            strict=args.strict,
            out=args.out,
            faults=args.faults,
            scenarios=args.scenarios,
            workers=args.workers,
            features=args.features,
            force=args.force,
            baseline=args.baseline.resolve() if args.baseline else None,
            certify=args.certify,
        )
    )
    return result.exit_code


def register_doctor(sub: Subparsers) -> None:
    doctor = sub.add_parser("doctor", help="preflight checks of a target before any scenario")
    doctor.add_argument("--target", type=Path, required=True, metavar="FILE")
    _profile_option(doctor)
    doctor.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit 2 on a problem (fix the target, keys or network); warnings (the SUT's behaviour,
    graded by the scenarios) leave the exit code 0."""
    from ucsp.doctor import run_checks
    from ucsp.target import load_target

    checks = run_checks(load_target(args.target, _profile_path(args)))
    for check in checks:
        print(check.line())
    problems = sum(c.problem for c in checks)
    warnings = sum(c.warning for c in checks)
    print(f"{sum(c.ok for c in checks)} ok, {warnings} warning(s), {problems} problem(s)")
    return EXIT_USAGE if problems else EXIT_OK


def register_steps(sub: Subparsers) -> None:
    steps = sub.add_parser("steps", help="print the step catalogue (Markdown, or --html)")
    steps.add_argument(
        "--html", action="store_true", help="one self-contained, searchable HTML page instead"
    )
    steps.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE, not stdout")
    steps.set_defaults(func=cmd_steps)


def cmd_steps(args: argparse.Namespace) -> int:
    catalogue = run_library_module("steps.catalogue", ["--html"] if args.html else []).stdout
    if args.out is None:
        sys.stdout.write(catalogue)
        return EXIT_OK
    try:
        args.out.write_text(catalogue, encoding="utf-8")
    except OSError as exc:
        why = exc.strerror or exc
        raise ConfigError(f"--out {args.out}: cannot write the catalogue ({why})") from None
    print(f"step catalogue written to {args.out}")
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
    trust = verify.add_mutually_exclusive_group()
    trust.add_argument(
        "--cert",
        type=Path,
        metavar="CERT",
        help="the certificate the pack must be signed with (the suite's signing certificate)",
    )
    trust.add_argument(
        "--trust-pack-signer",
        action="store_true",
        help="accept the certificate inside the pack (proves integrity, not who signed it)",
    )
    verify.set_defaults(func=cmd_verify_evidence)


def cmd_verify_evidence(args: argparse.Namespace) -> int:
    from ucsp.report.evidence import verify_pack

    if not args.file.is_file():
        raise ConfigError(f"{args.file} does not exist")
    cert = load_certificate(args.cert) if args.cert else None
    check = verify_pack(args.file, cert)
    if not check.ok:
        for problem in check.problems:
            print(f"ALTERED: {problem}")
        return EXIT_FAILED
    facts = (
        f"{check.files} files, run {check.manifest.get('runId')}, "
        f"suite {check.manifest.get('suiteVersion')}"
    )
    if cert is None and not args.trust_pack_signer:
        # Only a trusted signer makes a pack intact: say what holds, never that word.
        print(
            f"NOT TRUSTED: the files match the manifest ({facts}), but its signer "
            f"(certificate {check.signer_id}) is not trusted: anyone can re-sign a pack with "
            "their own key; pass --cert with the suite's certificate, or --trust-pack-signer "
            "to accept the pack's own"
        )
        return EXIT_FAILED
    print(f"evidence pack intact: {facts}, signed by certificate {check.signer_id}")
    if cert is None:
        print(
            f"note: signer {check.signer_id} was taken from the pack itself "
            "(--trust-pack-signer); compare that ID with the suite's certificate"
        )
    return EXIT_OK


def register_compare(sub: Subparsers) -> None:
    compare = sub.add_parser(
        "compare",
        help="list the requirement and scenario verdicts that changed between two runs",
        description="OLD and NEW: report directories or evidence.zip files. Exit 0 when "
        "nothing changed, 1 when a verdict (or the overall result) changed or a cell or "
        "scenario was added or removed, 2 when a run cannot be read.",
    )
    compare.add_argument("old", type=Path, metavar="OLD")
    compare.add_argument("new", type=Path, metavar="NEW")
    compare.add_argument("--json", action="store_true", help="print the changes as JSON")
    compare.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from ucsp.compare import compare, load_run, render, render_json

    old, new = load_run(args.old), load_run(args.new)
    changes = compare(old, new)
    print(render_json(old, new, changes) if args.json else render(old, new, changes))
    return EXIT_FAILED if changes else EXIT_OK


REGISTRARS = [
    register_run,
    register_doctor,
    register_steps,
    register_faults,
    register_verify_evidence,
    register_compare,
]
