"""Steps of the format area: probes of what the SUT receives, their answers, and what the SUT
sends of its own. The probe steps (``a valid message ...``) and the answer steps (``the
message is answered ...``) are shared by the security and transport features."""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.sides.login import LoginAttempt
from ucsp.sides.probe import ProbeMessage, Sent
from ucsp.sides.roles import IndustryUnderTest
from ucsp.sides.side import Side

# --- the probe -----------------------------------------------------------------------------


@given("a valid message the system under test would accept", target_fixture="probe")
def _(side: Side) -> ProbeMessage:
    return side.probe.valid()


@given(
    parse("a valid {msg_type:MsgType} message the system under test would accept"),
    target_fixture="probe",
)
def _(side: Side, msg_type: str) -> ProbeMessage:
    return side.probe.valid(msg_type)


@given(
    "a valid message about a transaction the system under test does not know",
    target_fixture="probe",
)
def _(side: Side) -> ProbeMessage:
    return side.probe.about_unknown_transaction()


# --- sending it, broken in format ----------------------------------------------------------


@when("the message is sent", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_valid(probe)


@when(parse("the message is sent as raw bytes with {name:Name}"), target_fixture="sent")
def _(side: Side, probe: ProbeMessage, name: str) -> Sent:
    return side.probe.send_hostile(probe, name)


@when("the message is sent with an unknown field nesting it exactly 32 deep", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_nested_to_limit(probe)


@when(parse("the message is re-signed as {kind:Text}"), target_fixture="sent")
def _(side: Side, probe: ProbeMessage, kind: str) -> Sent:
    return side.probe.send_retyped(probe, kind)


@when(parse("the message is re-signed carrying {variation:Text}"), target_fixture="sent")
def _(side: Side, probe: ProbeMessage, variation: str) -> Sent:
    return side.probe.send_carrying(probe, variation)


@when("the message is re-signed without a mandatory trxInfo field", target_fixture="sent")
def _(side: Side, probe: ProbeMessage) -> Sent:
    return side.probe.send_without_mandatory_field(probe)


@when(
    parse("the message is re-signed with its timeStamp beyond the allowed clock skew {way:Text}"),
    target_fixture="sent",
)
def _(side: Side, probe: ProbeMessage, way: str) -> Sent:
    return side.probe.send_skewed(probe, way)


@when(
    "the message is re-signed with its timeStamp at the edge of the allowed clock skew "
    "in the future",
    target_fixture="sent",
)
def _(side: Side, probe: ProbeMessage) -> Sent:
    """An accepted boundary value: the timeStamp as far ahead of the suite's clock as the
    profile's skew allows, to the second (time in transit only brings it closer)."""
    return side.probe.send_at_skew_edge(probe)


@when(
    "each field rule of the message is broken in turn and the message re-signed",
    target_fixture="broken",
)
def _(side: Side, probe: ProbeMessage) -> list[Sent]:
    return side.probe.send_each_field_broken(probe)


# --- the answers ---------------------------------------------------------------------------


@then(parse("the message is answered with code {code:Code}"))
def _(side: Side, sent: Sent, code: str) -> None:
    """Example: Then the message is answered with code 10"""
    side.probe.check_answered(sent, code)


@then(parse("every broken message is answered with code {code:Code}"))
def _(side: Side, broken: list[Sent], code: str) -> None:
    """Example: Then every broken message is answered with code 10"""
    side.probe.check_each_answered(broken, code)


@then("the answer's msgInfo is an exact copy of the message's")
def _(side: Side, sent: Sent) -> None:
    side.probe.check_echoed(sent)


@then("the answer carries a fresh msgInfo of the system under test")
def _(side: Side, probe: ProbeMessage, sent: Sent) -> None:
    side.probe.check_fresh_msg_info(probe, sent)


# --- what the SUT sends ------------------------------------------------------------------


@then("every message the system under test sent validates against its schema and is signed by it")
def _(side: Side) -> None:
    side.probe.check_sent_messages()


@then(
    "every message the system under test originated carries a fresh msgID of its own "
    "and its current Beijing time"
)
def _(side: Side) -> None:
    side.probe.check_originated_messages()


# --- login (an Industry Service under test) -------------------------------------------------


@when(
    parse(
        "the user arrives at the Industry Service with an INDUSTRY_LOGIN_INFO stamped beyond "
        "the allowed clock skew {way:Text}"
    ),
    target_fixture="login",
)
def _(industry_under_test: IndustryUnderTest, way: str) -> LoginAttempt:
    return industry_under_test.login.beyond_skew(way)


@when(
    "the user arrives at the Industry Service with an INDUSTRY_LOGIN_INFO stamped at the edge "
    "of the allowed clock skew in the future",
    target_fixture="login",
)
def _(industry_under_test: IndustryUnderTest) -> LoginAttempt:
    """An accepted boundary value: the login's timeStamp as far ahead as the profile's skew
    allows, to the second."""
    return industry_under_test.login.stamped_at_skew_edge()


@then("the login is refused with HTTP 400 and no session is opened")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_refused_without_session(login, 400)
