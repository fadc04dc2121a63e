"""Running ``python -m steps.lint`` apart, in the suite's own files.

The step library imports pytest-bdd and lives beside the features (the checkout, or the
installed package's data), so ``lint``, ``list``, ``run`` and ``steps`` start its modules as a
child process; paths the lint prints are relative to the caller's directory.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ucsp import suite_files
from ucsp.errors import ConfigError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class LintRun:
    """What the child printed and how it ended (0 clean, 1 problems, 2 a bad argument)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def run_library_module(
    module: str, arguments: Sequence[str] = (), ok: tuple[int, ...] = (EXIT_OK,)
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGUMENTS`` in the suite's files (the step library imports
    pytest-bdd, the kit does not); a return code outside ``ok`` means the step library itself
    cannot be read (ConfigError)."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, *arguments],
        cwd=suite_files.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in ok:
        raise ConfigError("cannot read the step library: " + done.stderr.strip()[-300:])
    return done


def run_child(arguments: Sequence[str], base: Path | None = None) -> LintRun:
    """``python -m steps.lint ARGUMENTS`` in the suite's files, paths shown relative to
    ``base`` (default: the current directory)."""
    where = (base or Path.cwd()).resolve()
    done = run_library_module(
        "steps.lint", ["--base", str(where), *arguments], (EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE)
    )
    return LintRun(done.returncode, done.stdout, done.stderr)
