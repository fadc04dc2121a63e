"""The load report from a tally: figures, verdict, the PNG and the self-contained page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ucsp.load import report
from ucsp.load.tally import Finding, Tally

META = {"runId": "R1", "sut": "ucsp", "target": "embedded", "users": 2}


def _tally() -> Tally:
    tally = Tally()
    for second in (100, 101, 102):
        for ms in (10, 20, 30, 40):
            tally.exchange("SUBMIT_PAYMENT_ORDER", ms, second)
        tally.exchange("notice PAYMENT_RESULT_NOTICE", 2, second)
    tally.cpu, tally.crypto_cpu = 2.0, 0.5
    return tally


def _write(
    tmp_path: Path, tally: Tally, strict: bool = False
) -> tuple[report.Summary, dict[str, Any]]:
    results = tmp_path / "tally.json"
    results.write_text(json.dumps({"tally": tally.to_dict(), "locust": {"requests": 12}}))
    summary = report.write(tmp_path, results, META, strict)
    return summary, json.loads((tmp_path / "report.json").read_text())


def test_a_conformant_run(tmp_path: Path) -> None:
    summary, data = _write(tmp_path, _tally())
    assert not summary.failed and data["verdict"] == "conformant"
    assert data["throughput"] == {
        "exchanges": 15, "sent": 12, "notices": 3, "seconds": 3, "perSecond": 5.0,
    }  # fmt: skip
    submit = data["messages"]["SUBMIT_PAYMENT_ORDER"]
    assert (submit["count"], submit["p50"], submit["p95"], submit["p99"]) == (12, 20.0, 40.0, 40.0)
    assert data["cpu"]["cryptoShare"] == 0.25
    assert [p["t"] for p in data["timeline"]] == [0, 1, 2]
    assert (tmp_path / "timeline.png").read_bytes().startswith(b"\x89PNG")
    page = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in page and "<script" not in page and "http" not in page


def test_findings_and_postconditions_fail_the_run(tmp_path: Path) -> None:
    tally = _tally()
    tally.exchange("PAYMENT_REFUND", 5, 101, [Finding("REF-04", "code", "00, expected 36")],
                   {"request": "<b>masked</b>"})  # fmt: skip
    tally.postcondition(Finding("PAY-02", "one-tn", "2 tns"))
    summary, data = _write(tmp_path, tally)
    assert summary.failed and data["verdict"] == "non-conformant"
    assert data["nonConformant"]["answers"] == 1
    assert [(r["requirement"], r["rule"], r["count"]) for r in data["nonConformant"]["byRule"]] == [
        ("REF-04", "code", 1)
    ]
    assert data["postconditions"]["failed"] == 1
    assert "REF-04 (MUST) code: 1" in summary.text and "PAY-02 (MUST) one-tn: 1" in summary.text
    page = (tmp_path / "report.html").read_text()
    assert "&lt;b&gt;masked&lt;/b&gt;" in page  # evidence is escaped


def test_a_broken_should_is_a_warning_unless_strict(tmp_path: Path) -> None:
    tally = _tally()
    tally.exchange("SUBMIT_PAYMENT_ORDER", 5, 101, [Finding("SEC-07", "code", "00, not 99")])
    summary, data = _write(tmp_path, tally)
    assert not summary.failed and data["verdict"] == "conformant, with warnings"
    assert data["nonConformant"]["byRule"][0]["level"] == "SHOULD"
    assert "SEC-07 (SHOULD) code: 1" in summary.text
    summary, data = _write(tmp_path, tally, strict=True)
    assert summary.failed and data["verdict"] == "non-conformant"


def test_a_run_that_judged_nothing_is_incomplete_not_conformant(tmp_path: Path) -> None:
    """Every request a transport error (the SUT down, a wrong target): no claim, exit 2."""
    summary, data = _write(tmp_path, Tally())
    assert not summary.failed and summary.incomplete
    assert data["verdict"] == report.INCOMPLETE
    assert not _write(tmp_path, _tally())[0].incomplete
