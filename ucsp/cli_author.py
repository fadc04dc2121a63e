"""Authoring subcommands of ``ucsp-conformance``: lint and list.

Both read ``.feature`` files only: no SUT, no network. ``lint PATH...`` binds every step of
every scenario to the suite's step library and checks its tags against the requirement
registry, printing each problem as ``FILE:LINE: message`` (exit 1 on any); ``list`` prints
each scenario once per role it runs for, with the rendered title ``run --scenario`` accepts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ucsp import suite_files
from ucsp.errors import ConfigError
from ucsp.lint.child import EXIT_USAGE, run_child

Subparsers = Any


def register_lint(sub: Subparsers) -> None:
    lint = sub.add_parser(
        "lint",
        help="check .feature files against the step library and the requirement registry "
        "(no SUT, no network)",
    )
    lint.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=".feature files or directories of them (default: the suite's own features)",
    )
    lint.set_defaults(func=cmd_lint)


def register_list(sub: Subparsers) -> None:
    listing = sub.add_parser(
        "list", help="print each scenario once per role it runs for: role, title and tags"
    )
    listing.add_argument(
        "--features",
        dest="features",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also list this directory of .feature files (repeatable)",
    )
    listing.add_argument(
        "--tags",
        metavar="EXPR",
        help="only scenarios whose tags or role match, as run --tags: e.g. 'ucsp and SEC-02'",
    )
    listing.set_defaults(func=cmd_list)


def _existing(paths: list[Path]) -> list[str]:
    """The paths, absolute (the child runs elsewhere); a missing one is a bad argument."""
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
        if path.is_file() and path.suffix != ".feature":
            raise ConfigError(f"{path}: not a .feature file")
    return [str(path.resolve()) for path in paths]


def cmd_lint(args: argparse.Namespace) -> int:
    done = run_child(_existing(args.paths))
    if done.returncode == EXIT_USAGE:
        raise ConfigError(done.stderr.strip().splitlines()[-1])
    sys.stdout.write(done.stdout)
    return done.returncode


def cmd_list(args: argparse.Namespace) -> int:
    paths = [str(suite_files.FEATURES), *_existing(args.features)]
    tags = ["--tags", args.tags] if args.tags else []
    done = run_child(["--list", *tags, *paths])
    sys.stdout.write(done.stdout)
    if done.returncode == EXIT_USAGE:
        raise ConfigError(done.stderr.strip().splitlines()[-1])
    return done.returncode


REGISTRARS = [register_lint, register_list]
