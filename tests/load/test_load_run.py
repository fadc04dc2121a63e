"""Load runs end to end: Locust in child processes against the embedded reference systems.

Each run lasts a few seconds with a handful of users; nothing here depends on throughput.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ucsp.cli import main

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120


def _load(*args: str, out: Path) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-m", "ucsp.cli", "load", "--out", str(out), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
    )  # fmt: skip
    report = out / "report.json"
    data = json.loads(report.read_text()) if report.is_file() else {}
    return done.returncode, data, done.stdout + done.stderr


def _counts_add_up(data: dict[str, Any]) -> None:
    throughput = data["throughput"]
    messages = data["messages"]
    assert sum(m["count"] for m in messages.values()) == throughput["exchanges"]
    assert sum(p["requests"] for p in data["timeline"]) == throughput["exchanges"]
    # every request Locust made is an answered exchange of the tally or a transport error
    assert data["locust"]["requests"] == throughput["sent"] + data["transportErrors"]["total"]
    bad = data["nonConformant"]
    assert sum(p["nonConformant"] for p in data["timeline"]) == bad["answers"]
    assert sum(r["count"] for r in bad["byRule"]) == bad["findings"] >= bad["answers"]


def test_a_short_run_against_the_reference_ucsp_is_conformant(tmp_path: Path) -> None:
    code, data, output = _load("--users", "3", "--duration", "2s", "--burst", "2", out=tmp_path)
    assert code == 0, output
    assert data["verdict"] == "conformant"
    for name in ("report.json", "report.html", "timeline.png", "locust.log"):
        assert (tmp_path / name).is_file()
    _counts_add_up(data)
    sent = {"SUBMIT_PAYMENT_ORDER", "cashier", "notice PAYMENT_RESULT_NOTICE"}
    assert sent <= set(data["messages"])
    assert data["nonConformant"]["answers"] == 0 and data["postconditions"]["failed"] == 0
    assert 0 < data["cpu"]["cryptoShare"] < 1
    assert "conformant" in output and str(tmp_path / "report.html") in output


def test_a_faulty_reference_ucsp_is_non_conformant_under_load(tmp_path: Path) -> None:
    code, data, output = _load(
        "--fault", "refund-exceeds-original", "--fault", "duplicate-order-new-tn",
        "--mix", "payment=1,refund=1", "--burst", "3", "--users", "3", "--duration", "2s",
        out=tmp_path,
    )  # fmt: skip
    assert code == 1, output
    assert data["verdict"] == "non-conformant"
    rows = data["nonConformant"]["byRule"] + data["postconditions"]["byRule"]
    found = {(r["requirement"], r["rule"]) for r in rows}
    # refunds above the original are accepted; a resubmitted order gets a new tn
    assert {("REF-04", "code"), ("PAY-02", "one-tn")} <= found, found
    for row in rows:
        assert 1 <= len(row["evidence"]) <= 3 and row["evidence"][0]["message"]
    assert "REF-04" in output and "PAY-02" in output
    _counts_add_up(data)


def test_a_faulty_industry_service_under_notice_bursts(tmp_path: Path) -> None:
    code, data, output = _load(
        "--sut", "industry", "--fault", "notice-overrides-final-status", "--users", "3",
        "--duration", "2s", "--mix", "unordered=1,unknown=1", out=tmp_path,
    )  # fmt: skip
    assert code == 1, output
    rows = data["postconditions"]["byRule"]
    assert ("NOT-07", "final-state") in {(r["requirement"], r["rule"]) for r in rows}
    _counts_add_up(data)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_distributed_one_master_two_workers(tmp_path: Path) -> None:
    port = str(_free_port())
    worker = [sys.executable, "-m", "ucsp.cli", "load", "--worker", "--master-host", "127.0.0.1",
              "--master-port", port]  # fmt: skip
    workers = [
        subprocess.Popen([*worker, "--out", str(tmp_path / f"w{n}")], cwd=ROOT) for n in range(2)
    ]
    try:
        code, data, output = _load(
            "--master", "--expect-workers", "2", "--master-port", port, "--users", "4",
            "--duration", "3s", "--mix", "payment=2,inquiry=1", out=tmp_path / "master",
        )  # fmt: skip
        for child in workers:
            assert child.wait(60) == 0  # the master's end ends its workers
    finally:
        for child in workers:
            if child.poll() is None:
                child.kill()
                child.wait(10)
    assert code == 0, output
    assert data["workers"] == 2 and data["distributed"] is True
    assert data["throughput"]["sent"] > 0
    _counts_add_up(data)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--mix", "payment=x"], "--mix"),
        (["--duration", "soon"], "--duration"),
        (["--fault", "no-such-fault"], "unknown fault"),
        (["--worker"], "--master-host"),
        (["--target", "missing.toml"], "--target"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
