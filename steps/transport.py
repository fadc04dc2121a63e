"""Steps of the transport area: methods, content types and body sizes at the receiving URL,
and how the messages the SUT sends travel."""

from __future__ import annotations

from pytest_bdd import then, when

from steps.types import parse
from ucsp.checks import ensure
from ucsp.checks.format import check_http_status, check_sent_transport, raise_all, violations_of
from ucsp.deployment import Deployment
from ucsp.errors import RequirementViolation
from ucsp.flows.probe import Probe, ProbeFlow, Sent


@when(parse("the message is sent with method {method:Word}"), target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, method: str) -> Sent:
    body = probing.sign(probing.message(probe))
    return deployment.call(probing.send(body, "TRN-01", f"a {method} request", method=method))


@when(parse('the message is posted with Content-Type "{content_type:Text}"'), target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, content_type: str) -> Sent:
    body = probing.sign(probing.message(probe))
    what = f"a message posted as {content_type}"
    return deployment.call(probing.send(body, "TRN-02", what, content_type=content_type))


@when(
    parse(
        "the message padded to one byte over the body size limit is posted with "
        'Content-Type "{content_type:Text}"'
    ),
    target_fixture="sent",
)
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe, content_type: str) -> Sent:
    body = probing.padded(probe, deployment.target.profile.max_body_bytes + 1)
    what = f"an oversized body posted as {content_type}"
    return deployment.call(probing.send(body, "TRN-02", what, content_type=content_type))


@when("the message padded to one byte over the body size limit is sent", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.padded(probe, deployment.target.profile.max_body_bytes + 1)
    return deployment.call(probing.send(body, "TRN-03", "a body over the size limit"))


@when("the message padded to exactly the body size limit is sent", target_fixture="sent")
def _(probing: ProbeFlow, deployment: Deployment, probe: Probe) -> Sent:
    body = probing.padded(probe, deployment.target.profile.max_body_bytes)
    return deployment.call(probing.send(body, "TRN-03", "a body of exactly the size limit"))


@then(parse("the message is answered HTTP {status:Count} without protocol processing"))
def _(sent: Sent, status: int) -> None:
    check_http_status(sent.reply.status, status, sent.requirement)


@then(
    "every message the system under test sent travelled as UTF-8 JSON "
    "with Content-Type application/json; charset=UTF-8"
)
def _(probing: ProbeFlow) -> None:
    sent = probing.sent_by_sut()
    ensure(bool(sent), "TRN-05", "the system under test sent no message in this scenario")
    problems: list[RequirementViolation] = []
    for item in sent:
        what = f"the {item.msg_type or 'message'} {item.kind}"
        try:
            if item.kind == "request":
                ensure(
                    item.status not in (405, 415),
                    "TRN-05",
                    f"{what} was refused HTTP {item.status}: not a POST of application/json",
                )
            check_sent_transport(item.method, item.content_type, item.raw, what)
        except (RequirementViolation, ExceptionGroup) as exc:
            problems.extend(violations_of(exc))
    raise_all(problems, "the messages the system under test sent")
