"""What several test modules share: loopback ports and servers, requirement registries, and a
run with one known failure."""

from __future__ import annotations

import io
import socket
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ucsp.loopback import LoopbackServer, LoopThread, bind_loopback
from ucsp.requirements import Requirement, parse_registry
from ucsp.runner import RunOptions, RunResult, run
from ucsp.sim.options import ServeOptions
from ucsp.sim.ucsp import Registry, default_registry

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"


# --- loopback -------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_reference(
    build_app: Callable[[ServeOptions], Any], thread: str, **options: Any
) -> tuple[LoopbackServer, LoopThread]:
    """A reference implementation served as ``serve`` serves it (the TEST-ONLY keys), on a
    loopback port of its own; ``options`` are the other ServeOptions."""
    loop = LoopThread(thread)
    sock = bind_loopback()
    served = ServeOptions(
        keys=TEST_KEYS, host="127.0.0.1", port=int(sock.getsockname()[1]), **options
    )
    return LoopbackServer(build_app(served), sock, loop).start(), loop


def registry_at(base_url: str) -> Registry:
    """The reference UCSP's default registry (the TEST-ONLY keys) with every industry's
    INDUSTRY_INDEX_URL and notice URL at ``base_url`` (``/index``, ``/notify``)."""
    registry = default_registry(TEST_KEYS)
    industries = {
        code: replace(ind, index_url=f"{base_url}/index", notice_url=f"{base_url}/notify")
        for code, ind in registry.industries.items()
    }
    return replace(registry, industries=industries)


# --- requirement registries -----------------------------------------------------------------

SEC_02_ENTRY = """
[[requirement]]
id = "SEC-02"
level = "MUST"
provenance = "profile"
roles = ["industry", "ucsp"]
text = "A receiver answers 11 to a badly signed message."
section = "§8 Receiving"
"""


def sec_02_entry(**overrides: str | None) -> str:
    """SEC_02_ENTRY with keys replaced (a TOML value) or removed (None)."""
    lines = []
    for line in SEC_02_ENTRY.strip().splitlines():
        key = line.split(" = ", 1)[0]
        if key in overrides:
            if overrides[key] is not None:
                lines.append(f"{key} = {overrides[key]}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def seed_registry(
    rows: Sequence[tuple[str, list[str]] | tuple[str, list[str], str]],
    text: str = "the rule {id}",
) -> dict[str, Requirement]:
    """A registry of [seed] requirements in section §1, one a row of (id, roles[, level]);
    a level left out is MUST, and ``text`` names the id as ``{id}``."""
    return parse_registry(
        {
            "requirement": [
                {
                    "id": row[0],
                    "level": row[2] if len(row) > 2 else "MUST",
                    "provenance": "seed",
                    "roles": row[1],
                    "text": text.format(id=row[0]),
                    "section": "§1",
                }
                for row in rows
            ]
        }
    )


# --- a run with one known failure -----------------------------------------------------------

ONE_FAILURE_SCENARIOS = [
    "A valid order is answered 00 with a tn and a paymentUrl",
    "A paid order is notified with txnStatus 00 and recorded as succeeded",
]


def run_with_one_known_failure(out: Path) -> RunResult:
    """Two scenarios against the embedded reference UCSP with the fault notice-wrong-amount:
    the notice scenario fails."""
    options = RunOptions(
        sut="ucsp",
        faults=["notice-wrong-amount"],
        scenarios=list(ONE_FAILURE_SCENARIOS),
        out=out,
    )
    return run(options, io.StringIO())


# A team's own test module binding its team.feature, and the conftest giving its scenarios
# the role fixture (what a team writes when it keeps a test module beside its features).
TEAM_CONFTEST = """
import pytest


@pytest.fixture(autouse=True)
def _role_under_test(sut_role):
    return sut_role
"""
TEAM_TESTS = """
from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).parent / "team.feature"))
"""
