"""Steps of the security area: signatures broken in each way, raw-bytes verification, the
order of the checks, replay, industry codes, and whether a message took effect."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.checks.format import check_protocol_answer
from ucsp.checks.security import check_processed, check_unchanged
from ucsp.deployment import Deployment
from ucsp.flows.probe import Probe, ProbeFlow, Sent
from ucsp.mutation.signature import change_msg_id, flip_signature

# --- signatures ------------------------------------------------------------------------------


@when(
    parse("the message is sent with the signature corruption {corruption:Name}"),
    target_fixture="sent",
)
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, corruption: str) -> Sent:
    body = probing.corrupted(probe, corruption)
    return deployment.call(probing.send(body, "SEC-02", f"a message with {corruption}"))


@when(
    parse("the message is serialised with {style:Text} and signed over those bytes"),
    target_fixture="sent",
)
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, style: str) -> Sent:
    body = probing.non_canonical(probe, style)
    return deployment.call(probing.send(body, "SEC-04", f"a message serialised with {style}"))


@when("the message is sent malformed and badly signed", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = change_msg_id(probing.sign(probing.without_mandatory_field(probe)))
    return deployment.call(probing.send(body, "SEC-05", "a malformed, badly signed message"))


@when("the message is sent badly signed", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.corrupted(probe, "content-changed")
    return deployment.call(probing.send(body, "SEC-05", "a badly signed message"))


@when("the message is re-signed naming another industry's code", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.sign(probing.naming_other_industry(probe))
    requirement = "SEC-03" if probing.sut.value == "ucsp" else "SEC-10"
    return deployment.call(probing.send(body, requirement, "a message of another industry"))


# --- replay ------------------------------------------------------------------------------------


@given("the message has been sent and accepted")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> None:
    body = probing.sign(probing.message(probe))
    sent = deployment.call(probing.send(body, probe.requirement, f"a valid {probe.msg_type}"))
    check_protocol_answer(sent.reply, "00", probe.requirement, probing.receiver(), probing.now())
    probe.accepted = body
    probe.before = deployment.call(probing.observe(probe))


@when("the same bytes are sent again", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    assert probe.accepted is not None
    return deployment.call(probing.send(probe.accepted, "SEC-07", "the same message again"))


@when("a copy of the message with a corrupted signature is sent first", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    probe.held = probing.message(probe)
    body = flip_signature(probing.sign(probe.held))
    return deployment.call(probing.send(body, "SEC-07", "a badly signed copy"))


@when("the intact message with the same msgID is sent", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    assert probe.held is not None
    body = probing.sign(probe.held)
    return deployment.call(probing.send(body, "SEC-07", "the intact message after its copy"))


# --- effects -----------------------------------------------------------------------------------


# Rules whose own text says the rejected message has no effect; any other rejection is SEC-06.
NO_EFFECT_RULES = ("SEC-07", "SEC-10")


@then("the transaction is unchanged")
def _(
    probing: ProbeFlow, deployment: Deployment, probe: Probe, request: pytest.FixtureRequest
) -> None:
    after = deployment.call(probing.observe(probe))
    try:
        sent: Sent | None = request.getfixturevalue("sent")
    except pytest.FixtureLookupError:  # the rejection was not a single message sent
        sent = None
    requirement = sent.requirement if sent and sent.requirement in NO_EFFECT_RULES else "SEC-06"
    check_unchanged(probe.before, after, f"the rejected {probe.msg_type}", requirement)


@then("the message has been processed")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, sent: Sent) -> None:
    after = deployment.call(probing.observe(probe))
    check_processed(probe.before, after, sent.what, sent.requirement)
