"""Checks of everything the SUT sent in a scenario (PROTOCOL.md sections 1, 2, 3 and 8):
each message valid and signed by it, each answer an HTTP 200 echoing what it answers, each
message it originated with a fresh identity and its current time, and how they travelled.

Every message is checked; all the violations found are raised together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from ucsp.checks import ensure
from ucsp.checks.format import (
    check_fresh_transmissions,
    check_msg_info_echo,
    check_originated,
    check_response_msg,
    check_sent_transport,
    echo_rule,
    raise_all,
    strict_message,
    violations_of,
)
from ucsp.checks.messages import check_sent_message
from ucsp.errors import RequirementViolation
from ucsp.messages import Kind, Party
from ucsp.profile import Profile

REFUSED_AS_NOT_JSON_POST = (405, 415)  # the suite's statuses for a non-POST, a non-JSON body


@dataclass(frozen=True)
class SutMessage:
    """A message the SUT sent during the scenario, with what is known of its transport."""

    kind: Kind  # "request": the SUT originated it; "response": its answer to the suite
    msg_type: str
    raw: bytes
    wall: datetime
    request: bytes | None = None  # for a response: the message it answers
    status: int | None = 200  # HTTP status: of the SUT's answer, or the suite's to its request
    method: str | None = None  # None: not observed
    content_type: str | None = None  # None: not observed


def check_answer_of(item: SutMessage, profile: Profile) -> None:
    """An answer of the SUT is HTTP 200 (TRN-04) and echoes the msgInfo it answers (FMT-07)."""
    if item.kind != "response":
        return
    ensure(item.status == 200, "TRN-04", f"the answer to a {item.msg_type} is HTTP {item.status}")
    if item.request is None:
        return
    rule, sent_info = echo_rule(item.request, profile)
    if rule == "echo":
        check_msg_info_echo(sent_info, (strict_message(item.raw, profile) or {}).get("msgInfo"))


def check_sent_messages(
    sent: Sequence[SutMessage],
    sut: Party,
    certs: Mapping[str, x509.Certificate],
    profile: Profile,
) -> None:
    """Every message the SUT sent validates against its schema and is signed by it (FMT-06,
    SEC-01); every answer is HTTP 200 and echoes what it answers. None sent breaks FMT-06."""
    ensure(bool(sent), "FMT-06", "the system under test sent no message in this scenario")
    problems: list[RequirementViolation] = []
    for item in sent:
        try:
            check_answer_of(item, profile)
        except RequirementViolation as exc:
            problems.append(exc)
        try:
            message = check_sent_message(item.raw, item.msg_type, item.kind, sut, certs, profile)
            check_response_msg(message)
        except RequirementViolation as exc:
            problems.append(exc)
    raise_all(problems, "the messages the system under test sent")


def check_originated_messages(
    sent: Sequence[SutMessage], sut: Party, industry_code: str, profile: Profile
) -> None:
    """Every message the SUT originated (and the suite took) carries a fresh msgID of its own
    and its current Beijing time (FMT-09..FMT-12). None originated breaks FMT-11."""
    originated = [m for m in sent if m.kind == "request" and m.status == 200]
    ensure(bool(originated), "FMT-11", "the system under test originated no message here")
    problems: list[RequirementViolation] = []
    messages: list[dict[str, Any]] = []
    for item in originated:
        message = strict_message(item.raw, profile)
        if message is None:
            problems.append(RequirementViolation("FMT-06", f"{item.msg_type} is not JSON"))
            continue
        messages.append(message)
        try:
            check_originated(message, sut, industry_code, item.wall, profile)
        except (RequirementViolation, ExceptionGroup) as exc:
            problems.extend(violations_of(exc))
    try:
        check_fresh_transmissions(messages)
    except RequirementViolation as exc:
        problems.append(exc)
    raise_all(problems, "the messages the system under test originated")


def check_sent_travel(sent: Sequence[SutMessage]) -> None:
    """Every message the SUT sent travelled as a POST of UTF-8 JSON with Content-Type
    application/json; charset=UTF-8 (TRN-05). None sent breaks TRN-05."""
    ensure(bool(sent), "TRN-05", "the system under test sent no message in this scenario")
    problems: list[RequirementViolation] = []
    for item in sent:
        what = f"the {item.msg_type or 'message'} {item.kind}"
        try:
            if item.kind == "request":
                ensure(
                    item.status not in REFUSED_AS_NOT_JSON_POST,
                    "TRN-05",
                    f"{what} was refused HTTP {item.status}: not a POST of application/json",
                )
            check_sent_transport(item.method, item.content_type, item.raw, what)
        except (RequirementViolation, ExceptionGroup) as exc:
            problems.extend(violations_of(exc))
    raise_all(problems, "the messages the system under test sent")
