"""The load report: ``report.json``, ``timeline.png`` and a self-contained ``report.html``.

Built from the tally a load run left (``tally.json``): throughput, latency percentiles per
message type, non-conformant answers by requirement and rule with the first exchanges of each
kind (already masked when kept), failed post-conditions, transport errors, and a timeline of
requests per second, p95 latency and non-conformant answers per second.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ucsp.load.tally import NOTICE_PREFIX, Tally, percentile

INCOMPLETE = "incomplete: no exchange was judged"


@dataclass(frozen=True)
class Summary:
    text: str
    failed: bool
    incomplete: bool = False


def _rows(counts: dict[str, int], tally: Tally, levels: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        requirement, _, rule = key.partition("|")
        rows.append(
            {"requirement": requirement, "level": levels.get(requirement, "MUST"), "rule": rule,
             "count": count, "evidence": tally.evidence.get(key, [])}
        )  # fmt: skip
    return rows


def _fails(rows: list[dict[str, Any]], strict: bool) -> bool:
    """A MUST broken (a SHOULD too when ``strict``): the run fails."""
    return any(strict or row["level"] != "SHOULD" for row in rows)


def build(
    data: dict[str, Any],
    meta: dict[str, Any],
    levels: Mapping[str, str] | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """The report as a JSON-ready dict; ``levels`` grades requirement IDs (MUST / SHOULD)."""
    levels = levels or {}
    tally = Tally.from_dict(data["tally"])
    seconds = sorted(tally.timeline)
    span = (seconds[-1] - seconds[0] + 1) if seconds else 0
    sent = {k: v for k, v in tally.exchanges.items() if not k.startswith(NOTICE_PREFIX)}
    total = sum(tally.exchanges.values())
    messages = {}
    for name in sorted(tally.exchanges):
        histogram: Mapping[int, int] = tally.latency.get(name, {})
        messages[name] = {
            "count": tally.exchanges[name],
            "perSecond": round(tally.exchanges[name] / span, 2) if span else 0.0,
            "p50": percentile(histogram, 0.50),
            "p95": percentile(histogram, 0.95),
            "p99": percentile(histogram, 0.99),
        }
    bad_answers = sum(slot["bad"] for slot in tally.timeline.values())
    timeline = [
        {
            "t": second - seconds[0],
            "requests": tally.timeline[second]["requests"],
            "nonConformant": tally.timeline[second]["bad"],
            "transportErrors": tally.timeline[second].get("errors", 0),
            "p95": percentile(tally.timeline[second]["latency"], 0.95),
        }
        for second in seconds
    ]
    findings = _rows(dict(tally.findings), tally, levels)
    postconditions = _rows(dict(tally.postconditions), tally, levels)
    failed = _fails(findings, strict) or _fails(postconditions, strict)
    verdict = "conformant, with warnings" if findings or postconditions else "conformant"
    if not failed and total == 0:
        verdict = INCOMPLETE  # nothing was judged: a SUT that never answered is no pass
    return {
        **meta,
        "verdict": "non-conformant" if failed else verdict,
        "throughput": {
            "exchanges": total,
            "sent": sum(sent.values()),
            "notices": total - sum(sent.values()),
            "seconds": span,
            "perSecond": round(total / span, 2) if span else 0.0,
        },
        "messages": messages,
        "nonConformant": {
            "answers": bad_answers,
            "findings": sum(tally.findings.values()),
            "byRule": findings,
        },
        "postconditions": {
            "failed": sum(tally.postconditions.values()),
            "byRule": postconditions,
        },
        "transportErrors": {"total": sum(tally.transport.values()), **dict(tally.transport)},
        "cpu": {
            "seconds": round(tally.cpu, 3),
            "cryptoSeconds": round(tally.crypto_cpu, 3),
            "cryptoShare": round(tally.crypto_cpu / tally.cpu, 3) if tally.cpu else None,
        },
        "locust": data.get("locust", {}),
        "workers": data.get("workers", 1),
        "timeline": timeline,
    }


def plot(report: dict[str, Any]) -> bytes:
    """The timeline as a PNG: requests/s, p95 latency, non-conformant answers per second."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    points = report["timeline"]
    t = [p["t"] for p in points]
    figure, axes = pyplot.subplots(3, 1, figsize=(9, 6.5), sharex=True)
    series = [
        ([p["requests"] for p in points], "exchanges / s", "tab:blue"),
        ([p["p95"] or 0 for p in points], "p95 latency (ms)", "tab:orange"),
        ([p["nonConformant"] for p in points], "non-conformant / s", "tab:red"),
    ]
    for axis, (values, label, colour) in zip(axes, series, strict=True):
        axis.plot(t, values, color=colour, linewidth=1.5)
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        axis.set_ylim(bottom=0)
    axes[-1].set_xlabel("seconds since the first exchange")
    figure.suptitle(f"Load run {report.get('runId', '')}: {report['verdict']}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    pyplot.close(figure)
    return buffer.getvalue()


def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<table><tr>{cells}</tr>{body}</table>"


def _findings_html(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>None.</p>"
    parts = []
    for row in rows:
        title = f"{row['requirement']} {row['level']} ({row['rule']}): {row['count']}"
        items = "".join(
            f"<pre>{html.escape(json.dumps(item, indent=1, ensure_ascii=False))}</pre>"
            for item in row["evidence"]
        )
        parts.append(f"<details><summary>{html.escape(title)}</summary>{items}</details>")
    return "".join(parts)


def page(report: dict[str, Any], png: bytes) -> str:
    """The HTML page, the plot embedded (no external resource)."""
    image = base64.b64encode(png).decode("ascii")
    messages = _table(
        ["message", "count", "per second", "p50 ms", "p95 ms", "p99 ms"],
        [[n, m["count"], m["perSecond"], m["p50"], m["p95"], m["p99"]]
         for n, m in report["messages"].items()],
    )  # fmt: skip
    throughput = report["throughput"]
    errors = {k: v for k, v in report["transportErrors"].items() if k != "total"}
    cpu = report["cpu"]
    tone = "bad" if report["verdict"] == "non-conformant" else "ok"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load run {html.escape(report["runId"])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}}pre{{background:#f6f6f6;
padding:.5em;overflow-x:auto;white-space:pre-wrap}}.bad{{color:#b00}}.ok{{color:#070}}</style>
</head><body>
<h1>Load run {html.escape(report["runId"])}:
<span class="{tone}">{report["verdict"]}</span></h1>
<p>{html.escape(str(report["sut"]))} under test ({html.escape(str(report["target"]))}),
{report["users"]} users, {report["workers"]} load process(es);
{throughput["exchanges"]} exchanges in {throughput["seconds"]} s = {throughput["perSecond"]}/s.
Generator CPU {cpu["seconds"]} s, of which crypto {cpu["cryptoSeconds"]} s
(share {cpu["cryptoShare"]}).</p>
<img alt="timeline" src="data:image/png;base64,{image}">
<h2>Latency per message type</h2>{messages}
<h2>Non-conformant answers: {report["nonConformant"]["answers"]}</h2>
{_findings_html(report["nonConformant"]["byRule"])}
<h2>Failed post-conditions: {report["postconditions"]["failed"]}</h2>
{_findings_html(report["postconditions"]["byRule"])}
<h2>Transport errors: {report["transportErrors"]["total"]}</h2>
{_table(["message|kind", "count"], [[k, v] for k, v in errors.items()])}
</body></html>
"""


def requirement_levels() -> dict[str, str]:
    """MUST or SHOULD of every requirement ID of the registry."""
    from ucsp.requirements import load_registry

    return {rid: str(req.level) for rid, req in load_registry().items()}


def write(out: Path, results: Path, meta: dict[str, Any], strict: bool = False) -> Summary:
    """Write the three report files into ``out``; the one-paragraph summary and verdict.

    A broken SHOULD is a warning unless ``strict``, as in a conformance run."""
    data = json.loads(results.read_text(encoding="utf-8"))
    report = build(data, meta, requirement_levels(), strict)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    png = plot(report)
    (out / "timeline.png").write_bytes(png)
    (out / "report.html").write_text(page(report, png), encoding="utf-8")
    throughput = report["throughput"]
    lines = [
        f"load run {report['runId']}: {report['verdict']}; {throughput['exchanges']} exchanges "
        f"in {throughput['seconds']} s ({throughput['perSecond']}/s), "
        f"{report['nonConformant']['answers']} non-conformant, "
        f"{report['postconditions']['failed']} failed post-conditions, "
        f"{report['transportErrors']['total']} transport errors",
    ]
    for row in [*report["nonConformant"]["byRule"], *report["postconditions"]["byRule"]]:
        lines.append(f"  {row['requirement']} ({row['level']}) {row['rule']}: {row['count']}")
    lines.append(f"report: {out / 'report.html'}")
    return Summary(
        "\n".join(lines), report["verdict"] == "non-conformant", report["verdict"] == INCOMPLETE
    )
