"""The probe and login areas on the Sides: each side's party, rules, observation and capture."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ucsp.deployment import Deployment
from ucsp.journal import Journal, JournalEntry
from ucsp.messages import Party
from ucsp.profile import Profile
from ucsp.sides.capture import IndustryCapture, UcspCapture
from ucsp.sides.login import IndustryLogin, UcspLogin
from ucsp.sides.probe import IndustryProbe, UcspProbe, beyond_skew
from ucsp.sides.probe_observe import IndustryObserver, UcspObserver
from ucsp.sides.probe_setup import IndustrySetup, ProbeMessage, UcspSetup, Watch
from ucsp.sides.roles import side_for

WALL = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)


def deployment(role: str, journal: Journal) -> Deployment:
    """Just what a side reads: the role, the target, the journal and the peer."""
    peer = SimpleNamespace(
        journal=journal,
        answer_content_type=lambda request: "application/json; charset=UTF-8",
        received_as=lambda body: None,
    )
    fake = SimpleNamespace(
        role=role,
        target=SimpleNamespace(time_scale=1.0),
        peer_journal=journal,
        industry_peer=peer if role == "ucsp" else None,
        ucsp_peer=peer if role == "industry" else None,
        harness=None,
    )
    return cast(Deployment, fake)


def entry(direction: Any, msg_type: str, trx: dict[str, str], status: int = 200) -> JournalEntry:
    body = json.dumps({"msgInfo": {"msgType": msg_type}, "trxInfo": trx}).encode()
    return JournalEntry(direction, msg_type, "http://x/", body, status, b"{}", 0.0, WALL)


@pytest.mark.parametrize(
    ("role", "probe", "party", "rule", "parts"),
    [
        ("ucsp", UcspProbe, Party.UCSP, "SEC-03", (UcspSetup, UcspObserver, UcspCapture)),
        (
            "industry",
            IndustryProbe,
            Party.INDUSTRY,
            "SEC-10",
            (IndustrySetup, IndustryObserver, IndustryCapture),
        ),
    ],
)
def test_each_side_probes_its_own_party(
    role: str, probe: type, party: Party, rule: str, parts: tuple[type, ...]
) -> None:
    side = side_for(deployment(role, Journal()))
    assert type(side.probe) is probe
    assert side.probe.sut is party
    assert side.probe.other_industry_rule == rule
    assert tuple(type(p) for p in (side.probe.setups, side.probe.observer, side.probe.capture)) == (
        parts
    )
    assert type(side.login) is (UcspLogin if role == "ucsp" else IndustryLogin)


@pytest.mark.parametrize(
    ("role", "received", "name"),
    [
        ("ucsp", "PAYMENT_RESULT_NOTICE", "notices"),
        ("industry", "PAYMENT_RESULT_INQUIRY", "requests"),
    ],
)
def test_the_observation_counts_what_the_sut_sent_about_the_transaction(
    role: str, received: str, name: str
) -> None:
    journal = Journal()
    journal.record(entry("in", received, {"orderId": "A"}))
    journal.record(entry("in", received, {"orderId": "B"}))
    journal.record(entry("out", received, {"orderId": "A"}))
    side = side_for(deployment(role, journal))
    probe = ProbeMessage("X", {}, Watch("signing", order_id="A"))
    assert side.probe.observe(probe) == {name: "1"}


def test_a_ucsp_sends_its_answers_and_notices() -> None:
    journal = Journal()
    journal.record(entry("out", "SUBMIT_PAYMENT_ORDER", {"orderId": "A"}))
    journal.record(entry("in", "PAYMENT_RESULT_NOTICE", {"orderId": "A"}))
    journal.record(entry("in", "SUBMIT_PAYMENT_ORDER", {"orderId": "A"}))
    sent = side_for(deployment("ucsp", journal)).probe.sent_by_sut()
    assert [(m.kind, m.msg_type) for m in sent] == [
        ("response", "SUBMIT_PAYMENT_ORDER"),
        ("request", "PAYMENT_RESULT_NOTICE"),
    ]


def test_an_industry_service_sends_its_requests_even_refused_and_its_answers() -> None:
    journal = Journal()
    journal.record(entry("in", "SUBMIT_PAYMENT_ORDER", {"orderId": "A"}))
    journal.record(entry("in", "", {}, status=415))
    journal.record(entry("out", "PAYMENT_RESULT_NOTICE", {"orderId": "A"}))
    sent = side_for(deployment("industry", journal)).probe.sent_by_sut()
    assert [(m.kind, m.msg_type, m.status) for m in sent] == [
        ("request", "SUBMIT_PAYMENT_ORDER", 200),
        ("request", "", 415),
        ("response", "PAYMENT_RESULT_NOTICE", 200),
    ]


def test_beyond_skew_is_past_the_allowed_skew_either_way() -> None:
    profile = Profile(skew_seconds=300)  # a SUT clock up to 150 s off still sees it beyond
    assert (WALL - beyond_skew(WALL, profile, "in the past")).total_seconds() == 451
    assert (beyond_skew(WALL, profile, "in the future") - WALL).total_seconds() == 451
