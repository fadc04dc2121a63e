"""Steps of the transport area: methods, content types and body sizes at the receiving URL,
and how the messages the SUT sends travel."""

from __future__ import annotations

from pytest_bdd import then, when

from steps.types import parse
from ucsp.checks.format import check_http_status
from ucsp.sides.probe import ProbeMessage, Sent
from ucsp.sides.side import Side


@when(parse("the message is sent with method {method:Word}"), target_fixture="sent")
def _(side: Side, probe: ProbeMessage, method: str) -> Sent:
    """Any HTTP method. Example: When the message is sent with method GET"""
    return side.probe.send_with_method(probe, method)


@when(parse('the message is posted with Content-Type "{content_type:Text}"'), target_fixture="sent")
def _(side: Side, probe: ProbeMessage, content_type: str) -> Sent:
    """Example: When the message is posted with Content-Type "text/plain; charset=UTF-8" """
    return side.probe.send_as(probe, content_type)


@when(
    parse(
        "the message padded to one byte over the body size limit is posted with "
        'Content-Type "{content_type:Text}"'
    ),
    target_fixture="sent",
)
def _(side: Side, probe: ProbeMessage, content_type: str) -> Sent:
    """Example: When the message padded to one byte over the body size limit is posted with
    Content-Type "text/plain"
    """
    return side.probe.send_oversized_as(probe, content_type)


@when("the message padded to one byte over the body size limit is sent", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_oversized(probe)


@when("the message padded to exactly the body size limit is sent", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_at_size_limit(probe)


@then(parse("the message is answered HTTP {status:Count} without protocol processing"))
def _(sent: Sent, status: int) -> None:
    """Example: Then the message is answered HTTP 405 without protocol processing"""
    check_http_status(sent.reply.status, status, sent.requirement)


@then(
    "every message the system under test sent travelled as UTF-8 JSON "
    "with Content-Type application/json; charset=UTF-8"
)
def _(side: Side) -> None:
    side.probe.check_sent_travel()
