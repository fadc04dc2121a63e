"""The record of a load run: exchanges, latencies, findings, transport errors, timeline.

Each load process keeps one :class:`Tally`; workers send theirs to the master as plain dicts
(:meth:`Tally.drain`), the master merges them (:meth:`Tally.merge`). Latencies are kept as
counts of rounded milliseconds, so merging is exact and memory stays small at any rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

EVIDENCE_PER_KIND = 3  # exchanges kept for each (requirement, rule)
NOTICE_PREFIX = "notice "  # names of notices received, beside the message types sent


@dataclass(frozen=True)
class Finding:
    """One non-conformance: the requirement and the rule of the check that failed."""

    requirement: str
    rule: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.requirement}|{self.rule}"


def rounded_ms(ms: float) -> int:
    """Two significant figures above 100 ms, whole milliseconds below."""
    value = round(ms)
    if value < 100:
        return value
    if value < 1000:
        return round(value, -1)
    return round(value, -2)


def percentile(histogram: Mapping[int, int], share: float) -> float | None:
    """The latency at ``share`` (0..1) of a histogram of rounded milliseconds."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = share * total
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


@dataclass
class Tally:
    exchanges: Counter[str] = field(default_factory=Counter)
    latency: dict[str, Counter[int]] = field(default_factory=dict)
    findings: Counter[str] = field(default_factory=Counter)
    postconditions: Counter[str] = field(default_factory=Counter)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    transport: Counter[str] = field(default_factory=Counter)
    timeline: dict[int, dict[str, Any]] = field(default_factory=dict)
    crypto_cpu: float = 0.0
    cpu: float = 0.0

    # --- recording ------------------------------------------------------------------------

    def _second(self, second: int) -> dict[str, Any]:
        slot = self.timeline.get(second)
        if slot is None:
            slot = self.timeline[second] = {"requests": 0, "bad": 0, "latency": Counter()}
        return slot

    def exchange(
        self,
        name: str,
        ms: float,
        second: int,
        findings: Iterable[Finding] = (),
        evidence: Mapping[str, Any] | None = None,
    ) -> None:
        """One answered exchange (or notice received) and what the checks found in it."""
        self.exchanges[name] += 1
        rounded = rounded_ms(ms)
        self.latency.setdefault(name, Counter())[rounded] += 1
        slot = self._second(second)
        slot["requests"] += 1
        slot["latency"][rounded] += 1
        found = list(findings)
        if found:
            slot["bad"] += 1
        for finding in found:
            self.findings[finding.key] += 1
            self._keep(finding, evidence)

    def postcondition(self, finding: Finding, evidence: Mapping[str, Any] | None = None) -> None:
        """A fact checked after a flow (or after the run) that did not hold."""
        self.postconditions[finding.key] += 1
        self._keep(finding, evidence)

    def transport_error(self, name: str, kind: str, second: int) -> None:
        self.transport[f"{name}|{kind}"] += 1
        self._second(second)["errors"] = self._second(second).get("errors", 0) + 1

    def _keep(self, finding: Finding, evidence: Mapping[str, Any] | None) -> None:
        kept = self.evidence.setdefault(finding.key, [])
        if len(kept) < EVIDENCE_PER_KIND:
            kept.append({"message": finding.message, **(evidence or {})})

    # --- moving between processes ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "exchanges": dict(self.exchanges),
            "latency": {k: {str(ms): n for ms, n in v.items()} for k, v in self.latency.items()},
            "findings": dict(self.findings),
            "postconditions": dict(self.postconditions),
            "evidence": self.evidence,
            "transport": dict(self.transport),
            "timeline": {
                str(second): {**slot, "latency": {str(ms): n for ms, n in slot["latency"].items()}}
                for second, slot in self.timeline.items()
            },
            "crypto_cpu": self.crypto_cpu,
            "cpu": self.cpu,
        }

    def drain(self) -> dict[str, Any]:
        """The tally so far as a dict, and a fresh start (a worker's periodic report)."""
        data = self.to_dict()
        fresh = Tally()
        self.__dict__.update(fresh.__dict__)
        return data

    def merge(self, data: Mapping[str, Any]) -> None:
        """Add a tally received as a dict (from :meth:`to_dict` or :meth:`drain`)."""
        self.exchanges.update(data.get("exchanges", {}))
        for name, histogram in data.get("latency", {}).items():
            self.latency.setdefault(name, Counter()).update(
                {int(ms): n for ms, n in histogram.items()}
            )
        self.findings.update(data.get("findings", {}))
        self.postconditions.update(data.get("postconditions", {}))
        for key, items in data.get("evidence", {}).items():
            kept = self.evidence.setdefault(key, [])
            kept.extend(items[: max(0, EVIDENCE_PER_KIND - len(kept))])
        self.transport.update(data.get("transport", {}))
        for second, slot in data.get("timeline", {}).items():
            mine = self._second(int(second))
            mine["requests"] += slot.get("requests", 0)
            mine["bad"] += slot.get("bad", 0)
            if slot.get("errors"):
                mine["errors"] = mine.get("errors", 0) + slot["errors"]
            mine["latency"].update({int(ms): n for ms, n in slot.get("latency", {}).items()})
        self.crypto_cpu += float(data.get("crypto_cpu", 0.0))
        self.cpu += float(data.get("cpu", 0.0))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tally:
        tally = cls()
        tally.merge(data)
        return tally
