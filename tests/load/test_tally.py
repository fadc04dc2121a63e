"""The tally of a load run: recording, percentiles, draining and merging between processes."""

from __future__ import annotations

import json

from ucsp.load.tally import EVIDENCE_PER_KIND, Finding, Tally, percentile, rounded_ms


def test_rounding_and_percentiles() -> None:
    assert [rounded_ms(x) for x in (3.4, 99.6, 123.0, 1234.0)] == [3, 100, 120, 1200]
    histogram = {10: 50, 20: 45, 90: 4, 500: 1}
    assert percentile(histogram, 0.5) == 10.0
    assert percentile(histogram, 0.95) == 20.0
    assert percentile(histogram, 0.99) == 90.0
    assert percentile(histogram, 1.0) == 500.0
    assert percentile({}, 0.5) is None


def test_findings_are_counted_by_requirement_and_rule_with_a_few_exchanges_kept() -> None:
    tally = Tally()
    bad = Finding("REF-04", "code", "answered 00, expected 36")
    for n in range(5):
        tally.exchange("PAYMENT_REFUND", 12.0, 100, [bad], {"request": f"r{n}"})
    tally.exchange("PAYMENT_REFUND", 8.0, 101)
    tally.transport_error("PAYMENT_REFUND", "ConnectionRefusedError", 101)
    assert tally.exchanges["PAYMENT_REFUND"] == 6
    assert tally.findings["REF-04|code"] == 5
    kept = tally.evidence["REF-04|code"]
    assert [k["request"] for k in kept] == [f"r{n}" for n in range(EVIDENCE_PER_KIND)]
    assert kept[0]["message"] == "answered 00, expected 36"
    assert tally.timeline[100]["bad"] == 5 and tally.timeline[101]["bad"] == 0
    assert tally.timeline[101]["errors"] == 1
    assert tally.transport["PAYMENT_REFUND|ConnectionRefusedError"] == 1


def test_drained_reports_merge_to_the_whole() -> None:
    worker = Tally()
    master = Tally()
    worker.exchange("SUBMIT_PAYMENT_ORDER", 10.0, 5)
    worker.postcondition(Finding("PAY-02", "one-tn", "2 tns"), {"name": "x"})
    worker.crypto_cpu, worker.cpu = 0.25, 1.0
    master.merge(json.loads(json.dumps(worker.drain())))  # as it travels between processes
    assert not worker.exchanges and not worker.timeline  # a fresh start after each report
    worker.exchange("SUBMIT_PAYMENT_ORDER", 30.0, 6, [Finding("FMT-07", "echo", "no echo")])
    master.merge(worker.drain())
    assert master.exchanges["SUBMIT_PAYMENT_ORDER"] == 2
    assert master.latency["SUBMIT_PAYMENT_ORDER"] == {10: 1, 30: 1}
    assert master.postconditions["PAY-02|one-tn"] == 1
    assert master.findings["FMT-07|echo"] == 1
    assert sorted(master.timeline) == [5, 6]
    assert master.timeline[6]["bad"] == 1
    assert (master.crypto_cpu, master.cpu) == (0.25, 1.0)
    assert Tally.from_dict(master.to_dict()).to_dict() == master.to_dict()
