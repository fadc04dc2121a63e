"""The fuzz run drives the rigs of ``tests/sim_ucsp`` and ``tests/sim_industry``: make those
packages importable however the run was started (a whole-suite run imports them anyway)."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parents[1])
if TESTS not in sys.path:
    sys.path.append(TESTS)
