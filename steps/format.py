"""Steps of the format area: probes of what the SUT receives, their answers, and what the SUT
sends of its own. The probe steps (``a valid message ...``) and the answer steps (``the
message is answered ...``) are shared by the security and transport features."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.checks import ensure
from ucsp.checks.format import (
    check_fresh_msg_info,
    check_fresh_transmissions,
    check_msg_info_echo,
    check_originated,
    check_protocol_answer,
    check_response_msg,
    check_rules_answered,
    echo_rule,
    raise_all,
    strict_message,
    violations_of,
)
from ucsp.checks.messages import check_sent_message
from ucsp.deployment import Deployment
from ucsp.errors import AuthoringError, RequirementViolation
from ucsp.flows.probe import LoginAttempt, Probe, ProbeFlow, Sent

SKEW_DIRECTIONS = {"in the past": -1, "in the future": 1}


@pytest.fixture
def probing(deployment: Deployment) -> ProbeFlow:
    return ProbeFlow(deployment)


# --- the probe -----------------------------------------------------------------------------


@given("a valid message the system under test would accept", target_fixture="probe")
def _(probing: ProbeFlow, deployment: Deployment) -> Probe:
    return deployment.call(probing.valid())


@given(
    parse("a valid {msg_type:MsgType} message the system under test would accept"),
    target_fixture="probe",
)
def _(probing: ProbeFlow, deployment: Deployment, msg_type: str) -> Probe:
    return deployment.call(probing.valid(msg_type))


@given(
    "a valid message about a transaction the system under test does not know",
    target_fixture="probe",
)
def _(probing: ProbeFlow, deployment: Deployment) -> Probe:
    return deployment.call(probing.about_unknown_transaction())


# --- sending it, broken in format ----------------------------------------------------------


@when("the message is sent", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.sign(probing.message(probe))
    return deployment.call(probing.send(body, probe.requirement, f"a valid {probe.msg_type}"))


@when(parse("the message is sent as raw bytes with {name:Name}"), target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, name: str) -> Sent:
    requirement, body = probing.hostile(probe, name)
    return deployment.call(probing.send(body, requirement, f"a body with {name}"))


@when("the message is sent with an unknown field nesting it exactly 32 deep", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.nested_to(probe, deployment.target.profile.max_depth)
    return deployment.call(probing.send(body, "FMT-02", "a message nested to the depth limit"))


@when(parse("the message is re-signed as {kind:Text}"), target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, kind: str) -> Sent:
    body = probing.sign(probing.as_type(probe, kind))
    return deployment.call(probing.send(body, "FMT-03", f"a message of {kind}"))


@when(parse("the message is re-signed carrying {variation:Text}"), target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, variation: str) -> Sent:
    body = probing.carrying(probe, variation)
    return deployment.call(probing.send(body, "FMT-05", f"a message carrying {variation}"))


@when("the message is re-signed without a mandatory trxInfo field", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.sign(probing.without_mandatory_field(probe))
    return deployment.call(probing.send(body, "FMT-04", "a message missing a mandatory field"))


@when(
    parse("the message is re-signed with its timeStamp beyond the allowed clock skew {way:Text}"),
    target_fixture="sent",
)
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, way: str) -> Sent:
    body = probing.sign(probing.skewed(probe, SKEW_DIRECTIONS[way]))
    return deployment.call(probing.send(body, "FMT-13", f"a message stamped too far {way}"))


@when(
    "each field rule of the message is broken in turn and the message re-signed",
    target_fixture="broken",
)
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> list[Sent]:
    async def send_all() -> list[Sent]:
        return [
            await probing.send(probing.sign(m.apply(probing.message(probe))), "FMT-04", m.label)
            for m in probing.mutations(probe)
        ]

    return deployment.call(send_all())


# --- the answers ---------------------------------------------------------------------------


@then(parse("the message is answered with code {code:Code}"))
def _(probing: ProbeFlow, sent: Sent, code: str) -> None:
    check_protocol_answer(sent.reply, code, sent.requirement, probing.receiver(), probing.now())


@then(parse("every broken message is answered with code {code:Code}"))
def _(probing: ProbeFlow, broken: list[Sent], code: str) -> None:
    if not broken:
        raise AuthoringError("no field rule could be broken: the probe has no schema")
    receiver, now, outcomes = probing.receiver(), probing.now(), {}
    for sent in broken:
        try:
            check_protocol_answer(sent.reply, code, sent.requirement, receiver, now)
        except (RequirementViolation, ExceptionGroup) as exc:
            outcomes[sent.what] = violations_of(exc)
        else:
            outcomes[sent.what] = []
    check_rules_answered(outcomes)


@then("the answer's msgInfo is an exact copy of the message's")
def _(probing: ProbeFlow, sent: Sent) -> None:
    rule, sent_info = echo_rule(sent.reply.sent, probing.profile)
    answer = strict_message(sent.reply.body, probing.profile) or {}
    if rule != "echo":
        raise AuthoringError("the message sent has no msgInfo object to echo")
    check_msg_info_echo(sent_info, answer.get("msgInfo"))


@then("the answer carries a fresh msgInfo of the system under test")
def _(probing: ProbeFlow, probe: Probe, sent: Sent) -> None:
    answer = strict_message(sent.reply.body, probing.profile) or {}
    check_fresh_msg_info(
        answer.get("msgInfo"), probing.sut, None, probe.msg_type, probing.now(), probing.profile
    )


# --- what the SUT sends ------------------------------------------------------------------


@then("every message the system under test sent validates against its schema and is signed by it")
def _(probing: ProbeFlow) -> None:
    sent = probing.sent_by_sut()
    ensure(bool(sent), "FMT-06", "the system under test sent no message in this scenario")
    problems: list[RequirementViolation] = []
    for item in sent:
        try:
            if item.kind == "response":
                ensure(
                    item.status == 200,
                    "TRN-04",
                    f"the answer to a {item.msg_type} is HTTP {item.status}",
                )
            if item.kind == "response" and item.request is not None:
                rule, sent_info = echo_rule(item.request, probing.profile)
                if rule == "echo":
                    got = (strict_message(item.raw, probing.profile) or {}).get("msgInfo")
                    check_msg_info_echo(sent_info, got)
        except RequirementViolation as exc:
            problems.append(exc)
        try:
            message = check_sent_message(
                item.raw,
                item.msg_type,
                item.kind,
                probing.sut,
                probing.sut_certs(),
                probing.profile,
            )
            check_response_msg(message)
        except RequirementViolation as exc:
            problems.append(exc)
    raise_all(problems, "the messages the system under test sent")


@then(
    "every message the system under test originated carries a fresh msgID of its own "
    "and its current Beijing time"
)
def _(probing: ProbeFlow, deployment: Deployment) -> None:
    originated = [m for m in probing.sent_by_sut() if m.kind == "request" and m.status == 200]
    ensure(bool(originated), "FMT-11", "the system under test originated no message here")
    problems: list[RequirementViolation] = []
    messages = []
    for item in originated:
        message = strict_message(item.raw, probing.profile)
        if message is None:
            problems.append(RequirementViolation("FMT-06", f"{item.msg_type} is not JSON"))
            continue
        messages.append(message)
        try:
            check_originated(
                message, probing.sut, deployment.target.industry.code, item.wall, probing.profile
            )
        except (RequirementViolation, ExceptionGroup) as exc:
            problems.extend(violations_of(exc))
    try:
        check_fresh_transmissions(messages)
    except RequirementViolation as exc:
        problems.append(exc)
    raise_all(problems, "the messages the system under test originated")


# --- login (an Industry Service under test) -------------------------------------------------


@when(
    parse(
        "the user arrives at the Industry Service with an INDUSTRY_LOGIN_INFO stamped beyond "
        "the allowed clock skew {way:Text}"
    ),
    target_fixture="login",
)
def _(probing: ProbeFlow, deployment: Deployment, way: str) -> LoginAttempt:
    return deployment.call(probing.login_beyond_skew(SKEW_DIRECTIONS[way]))


@then("the login is refused with HTTP 400 and no session is opened")
def _(login: LoginAttempt) -> None:
    ensure(
        login.status == 400,
        "FMT-13",
        f"a login stamped beyond the clock skew was answered HTTP {login.status}, not 400",
    )
    ensure(not login.logged_in, "FMT-13", "the refused login left the user logged in")
