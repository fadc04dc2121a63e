"""Steps of the security area: signatures broken in each way, raw-bytes verification, the
order of the checks, replay, industry codes, and whether a message took effect."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.sides.probe import ProbeMessage, Sent
from ucsp.sides.side import Side

# --- signatures ------------------------------------------------------------------------------


@when(
    parse("the message is sent with the signature corruption {corruption:Name}"),
    target_fixture="sent",
)
def _(side: Side, probe: ProbeMessage, corruption: str) -> Sent:
    return side.probe.send_corrupted(probe, corruption)


@when(
    parse("the message is serialised with {style:Text} and signed over those bytes"),
    target_fixture="sent",
)
def _(side: Side, probe: ProbeMessage, style: str) -> Sent:
    return side.probe.send_non_canonical(probe, style)


@when("the message is sent malformed and badly signed", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_malformed_badly_signed(probe)


@when("the message is sent badly signed", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_badly_signed(probe)


@when("the message is re-signed naming another industry's code", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_naming_other_industry(probe)


# --- replay ------------------------------------------------------------------------------------


@given("the message has been sent and accepted")
def _(side: Side, probe: ProbeMessage) -> None:
    side.probe.sent_and_accepted(probe)


@when("the same bytes are sent again", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_again(probe)


@when("a copy of the message with a corrupted signature is sent first", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_badly_signed_copy(probe)


@when("the intact message with the same msgID is sent", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_intact_copy(probe)


# --- effects -----------------------------------------------------------------------------------


@then("the transaction is unchanged")
def _(side: Side, probe: ProbeMessage, request: pytest.FixtureRequest) -> None:
    try:
        sent: Sent | None = request.getfixturevalue("sent")
    except pytest.FixtureLookupError:  # the rejection was not a single message sent
        sent = None
    side.probe.check_unchanged(probe, sent)


@then("the message has been processed")
def _(side: Side, probe: ProbeMessage, sent: Sent) -> None:
    side.probe.check_processed(probe, sent)
