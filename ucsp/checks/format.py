"""Checks of message format and transport: answers to what the suite sent, and what the SUT
sends of its own (PROTOCOL.md sections 1, 2, 4 and 8).

The central check is :func:`check_protocol_answer`: everything the answer to one message must
be (HTTP 200, strict JSON, the expected code, its schema, the SUT's signature, an exact echo
or a fresh msgInfo, the Content-Type), each failure naming its own requirement. Several
failures are raised together as an ExceptionGroup of violations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cryptography import x509

from ucsp import schemas
from ucsp.checks import ensure
from ucsp.checks.messages import check_msg_id, check_signature, check_timestamp
from ucsp.codes import ALL_CODES, ResponseCode
from ucsp.errors import RequirementViolation, UcspError
from ucsp.messages import MESSAGE_TYPES, ORDER_CREATING, Party
from ucsp.profile import Profile
from ucsp.strictjson import decode_text, parse_text

JSON_MEDIA_TYPE = "application/json"
JSON_CHARSET = "utf-8"
UNKNOWN_TYPE = "UNKNOWN"

_MSG_TYPE = re.compile(rb'"msgType"\s*:\s*"([ -!#-\[\]-~]{1,50})"')
EchoRule = Literal["echo", "either", "fresh"]


@dataclass(frozen=True)
class Reply:
    """One body the suite sent to the SUT and what came back, as on the wire."""

    sent: bytes
    status: int | None  # None: no answer (transport error)
    body: bytes | None = None
    content_type: str | None = None  # None: not observed
    error: str | None = None  # why there was no answer


@dataclass(frozen=True)
class Receiver:
    """The SUT as the receiver of the suite's messages: how its answers must look."""

    party: Party  # the role of the SUT
    certs: Mapping[str, x509.Certificate]  # the SUT's signing certificates, by cert ID
    profile: Profile


# --- helpers ---------------------------------------------------------------------------------


def raise_all(violations: Sequence[RequirementViolation], what: str = "the answer") -> None:
    """Raise nothing, the one violation, or all of them as one group."""
    if len(violations) == 1:
        raise violations[0]
    if violations:
        raise ExceptionGroup(f"{what} breaks {len(violations)} rules", list(violations))


def violations_of(exc: BaseException) -> list[RequirementViolation]:
    """The violations an exception raised by a check consists of (re-raise anything else)."""
    if isinstance(exc, RequirementViolation):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):
        found: list[RequirementViolation] = []
        for inner in exc.exceptions:
            found.extend(violations_of(inner))
        return found
    raise exc


def _media(content_type: str) -> tuple[str, dict[str, str]]:
    media, *params = content_type.split(";")
    values = {}
    for param in params:
        name, _, value = param.partition("=")
        values[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), values


def strict_message(raw: bytes | None, profile: Profile) -> dict[str, Any] | None:
    """The message a body holds under the profile's strict parsing, or None."""
    if raw is None:
        return None
    try:
        return parse_text(
            decode_text(raw, max_bytes=profile.max_body_bytes), max_depth=profile.max_depth
        )
    except UcspError:
        return None


def echo_rule(sent: bytes, profile: Profile) -> tuple[EchoRule, dict[str, Any] | None]:
    """What the msgInfo of a code-10 (or any) answer to ``sent`` must be.

    ``echo``: the body is a JSON object with a msgInfo object, the answer copies it exactly.
    ``either``: only a lenient parser (duplicate keys, NaN, depth...) sees such an object:
    an exact copy or a fresh msgInfo are both acceptable. ``fresh``: no msgInfo to echo.
    """
    message = strict_message(sent, profile)
    if message is not None:
        info = message.get("msgInfo")
        return ("echo", info) if isinstance(info, dict) else ("fresh", None)
    lenient = _lenient(sent)
    info = lenient.get("msgInfo") if isinstance(lenient, dict) else None
    return ("either", info) if isinstance(info, dict) else ("fresh", None)


def _lenient(raw: bytes) -> Any:
    """What a lenient reader makes of a body (BOM skipped, bad bytes replaced), or None."""
    try:
        return json.loads(raw.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        return None


def answer_schema_type(sent: bytes, receiver: Party, profile: Profile) -> str | None:
    """The message type whose response schema the answer to ``sent`` follows, if known."""
    message = strict_message(sent, profile)
    info = message.get("msgInfo") if message is not None else None
    msg_type = info.get("msgType") if isinstance(info, dict) else None
    spec = MESSAGE_TYPES.get(msg_type) if isinstance(msg_type, str) else None
    if spec is not None and spec.receiver is receiver and spec.has_response:
        return spec.name
    return None


def envelope_type(receiver: Party) -> str:
    """A message type the receiver answers: its response schema describes any code-10 answer."""
    return next(t.name for t in MESSAGE_TYPES.values() if t.receiver is receiver and t.has_response)


def originated_type(originator: Party) -> str:
    """A request type ``originator`` sends with a response: its msgInfo rules are the party's."""
    return next(t.name for t in MESSAGE_TYPES.values() if t.sender is originator and t.has_response)


# --- transport ---------------------------------------------------------------------------


def check_http_status(actual: int | None, expected: int, requirement: str) -> None:
    """The HTTP status of the answer is the expected one."""
    ensure(
        actual == expected, requirement, f"the answer is HTTP {actual}, expected HTTP {expected}"
    )


def check_content_type(value: str | None, what: str, requirement: str = "TRN-05") -> None:
    """Content-Type is application/json; charset=UTF-8 (any letter case)."""
    media, params = _media(value or "")
    ensure(
        media == JSON_MEDIA_TYPE and params.get("charset", "").lower() == JSON_CHARSET,
        requirement,
        f"{what} has Content-Type {value!r}, expected 'application/json; charset=UTF-8'",
    )


def check_sent_transport(
    method: str | None,
    content_type: str | None,
    body: bytes,
    what: str,
    requirement: str = "TRN-05",
) -> None:
    """A back-end request the SUT sent: HTTP POST, application/json; charset=UTF-8, UTF-8.

    ``method`` or ``content_type`` None: not observed, not judged.
    """
    problems: list[RequirementViolation] = []
    if method is not None and method != "POST":
        problems.append(RequirementViolation(requirement, f"{what} was sent with {method}"))
    try:
        if content_type is not None:
            check_content_type(content_type, what, requirement)
    except RequirementViolation as exc:
        problems.append(exc)
    try:
        check_utf8(body, what, requirement)
    except RequirementViolation as exc:
        problems.append(exc)
    raise_all(problems, what)


def check_utf8(body: bytes, what: str, requirement: str = "TRN-05") -> None:
    """The body is strict UTF-8 with no byte-order mark."""
    try:
        decode_text(body, max_bytes=max(len(body), 1))
    except UcspError as exc:
        raise RequirementViolation(requirement, f"{what} is not UTF-8 JSON: {exc}") from None


# --- the answer to one message ---------------------------------------------------------------


def check_msg_info_echo(sent_info: Any, answer_info: Any, requirement: str = "FMT-07") -> None:
    """The answer's msgInfo is an exact copy of the message's."""
    ensure(
        sent_info == answer_info,
        requirement,
        f"the answer's msgInfo {answer_info!r} is not an exact copy of {sent_info!r}",
    )


def check_fresh_msg_info(
    info: Any,
    responder: Party,
    sent_msg_id: str | None,
    sent_type: str | None,
    now: datetime,
    profile: Profile,
    requirement: str = "FMT-08",
) -> None:
    """A fresh, well-formed msgInfo of the responder: its prefix, a new msgID, its current time,
    msgType as sent or UNKNOWN."""
    ensure(isinstance(info, dict), requirement, f"the answer's msgInfo {info!r} is no object")
    assert isinstance(info, dict)
    allowed = {UNKNOWN_TYPE} | ({sent_type} if sent_type else set())
    msg_type = info.get("msgType")
    ensure(
        msg_type in allowed,
        requirement,
        f"the fresh msgInfo has msgType {msg_type!r}, expected one of {sorted(allowed)}",
    )
    shape_of = originated_type(responder)
    errors = [
        e
        for e in schemas.validate({"msgInfo": {**info, "msgType": shape_of}}, shape_of, "request")
        if e.path.startswith("$.msgInfo")
    ]
    ensure(
        not errors,
        requirement,
        "the fresh msgInfo is malformed: " + "; ".join(str(e) for e in errors[:4]),
    )
    ensure(
        info.get("msgID") != sent_msg_id,
        requirement,
        f"the fresh msgInfo reuses the message's msgID {sent_msg_id}",
    )
    check_timestamp(
        str(info.get("timeStamp")), now, profile, requirement, "the fresh msgInfo's timeStamp"
    )


def check_protocol_answer(
    reply: Reply,
    expected_code: str,
    requirement: str,
    receiver: Receiver,
    now: datetime,
) -> dict[str, Any]:
    """The answer to one message: HTTP 200, strict JSON, ``expected_code`` (else a violation of
    ``requirement``), its response schema, signed by the SUT, echo or fresh msgInfo, JSON
    Content-Type. Returns the answer message."""
    profile = receiver.profile
    if reply.status is None:
        raise RequirementViolation(
            "TRN-04", f"no answer to the message: {reply.error or 'transport error'}"
        )
    check_http_status(reply.status, 200, "TRN-04")
    if not reply.body:
        raise RequirementViolation("TRN-04", "the HTTP 200 answer carries no protocol message")
    try:
        text = decode_text(reply.body, max_bytes=profile.max_body_bytes)
        answer = parse_text(text, max_depth=profile.max_depth)
    except UcspError as exc:
        raise RequirementViolation("FMT-06", f"the answer is not acceptable JSON: {exc}") from None
    problems: list[RequirementViolation] = []

    def collect(check: Any, *args: Any) -> None:
        try:
            check(*args)
        except RequirementViolation as exc:
            problems.append(exc)

    response = answer.get("msgResponse")
    code = response.get("responseCode") if isinstance(response, dict) else None
    collect(_check_code, code, expected_code, requirement)
    rule, sent_info = echo_rule(reply.sent, profile)
    got = answer.get("msgInfo")
    found = len(problems)
    if rule == "echo" or (rule == "either" and got == sent_info):
        collect(check_msg_info_echo, sent_info, got)
    else:
        sent_id = sent_info.get("msgID") if isinstance(sent_info, dict) else None
        sent_type = _sent_type(reply.sent)
        collect(check_fresh_msg_info, got, receiver.party, sent_id, sent_type, now, profile)
    msg_info_wrong = len(problems) > found
    schema_type = answer_schema_type(reply.sent, receiver.party, profile)
    if schema_type is None and code == "10":
        schema_type = envelope_type(receiver.party)
    if schema_type is not None and code == expected_code:
        collect(_check_answer_schema, answer, schema_type, msg_info_wrong)
        collect(check_response_msg, answer)
    collect(check_signature, text, answer, receiver.party, receiver.certs, profile)
    if reply.content_type is not None:
        collect(check_content_type, reply.content_type, "the answer")
    raise_all(problems)
    return answer


def check_response_msg(answer: Mapping[str, Any], requirement: str = "FMT-06") -> None:
    """responseMsg, when present, is the code's description (PROTOCOL section 6), optionally
    followed by a detail (letter case is not judged)."""
    response = answer.get("msgResponse")
    if not isinstance(response, dict) or "responseMsg" not in response:
        return
    code, text = response.get("responseCode"), response.get("responseMsg")
    if code not in ALL_CODES or not isinstance(text, str):
        return  # the schema reports these
    description = ResponseCode(code).description
    ensure(
        text.lower().startswith(description.lower()),
        requirement,
        f"responseMsg {text[:80]!r} does not start with the description of code {code} "
        f"({description!r})",
    )


def _check_code(actual: Any, expected: str, requirement: str) -> None:
    ensure(
        actual == expected,
        requirement,
        f"the message is answered with code {actual!r}, expected {expected}",
    )


def _check_answer_schema(answer: dict[str, Any], msg_type: str, skip_msg_info: bool) -> None:
    """The response schema of ``msg_type``; msgInfo errors are left out when the msgInfo was
    already found wrong (no echo), as they only repeat that."""
    errors = [
        e
        for e in schemas.validate(answer, msg_type, "response")
        if not (skip_msg_info and e.path.startswith("$.msgInfo"))
    ]
    ensure(
        not errors,
        "FMT-06",
        f"the answer breaks the {msg_type} response schema: "
        + "; ".join(str(e) for e in errors[:4]),
    )


def _sent_type(sent: bytes) -> str | None:
    """msgType as a lenient reader finds it in the body sent (for a fresh msgInfo)."""
    value = _lenient(sent)
    info = value.get("msgInfo") if isinstance(value, dict) else None
    kind = info.get("msgType") if isinstance(info, dict) else None
    if isinstance(kind, str):
        return kind
    found = _MSG_TYPE.search(sent)
    return found.group(1).decode("ascii") if found else None


def check_rules_answered(
    outcomes: Mapping[str, Sequence[RequirementViolation]], requirement: str = "FMT-04"
) -> None:
    """Every broken field rule (label -> what was wrong with its answer) was answered right.

    Reports every failing rule, grouped by the requirement each failure names.
    """
    by_requirement: dict[str, list[str]] = {}
    for label, found in outcomes.items():
        for violation in found:
            by_requirement.setdefault(violation.requirement, []).append(
                f"{label}: {violation.message}"
            )
    total = len(outcomes)
    raise_all(
        [
            RequirementViolation(
                req,
                f"{len(lines)} of {total} broken field rules were not answered as required: "
                + " | ".join(lines),
            )
            for req, lines in sorted(by_requirement.items(), key=lambda kv: kv[0] != requirement)
        ],
        "the broken messages",
    )


def check_each_answered(
    sent: Sequence[tuple[str, Reply, str]], code: str, receiver: Receiver, now: datetime
) -> None:
    """Each message sent (label, reply, requirement) was answered ``code`` as
    :func:`check_protocol_answer` demands; every one that was not is reported."""
    outcomes: dict[str, list[RequirementViolation]] = {}
    for label, reply, requirement in sent:
        try:
            check_protocol_answer(reply, code, requirement, receiver, now)
        except (RequirementViolation, ExceptionGroup) as exc:
            outcomes[label] = violations_of(exc)
        else:
            outcomes[label] = []
    check_rules_answered(outcomes)


# --- what the SUT originates ---------------------------------------------------------------


def check_originated(
    message: Mapping[str, Any],
    originator: Party,
    industry_code: str,
    now: datetime,
    profile: Profile,
) -> None:
    """A message the SUT originated: its msgID (prefix, industry code, its current Beijing time,
    6 digits), timeStamp and, for an order-creating request, txnTime are its current time."""
    requirement = "FMT-09" if originator is Party.INDUSTRY else "FMT-10"
    info = message.get("msgInfo")
    info = info if isinstance(info, dict) else {}
    msg_type = str(info.get("msgType", ""))
    problems: list[RequirementViolation] = []
    checks: list[tuple[Any, tuple[Any, ...]]] = [
        (
            check_timestamp,
            (str(info.get("timeStamp")), now, profile, "FMT-12", f"{msg_type} timeStamp"),
        ),
        (check_msg_id, (info, originator, industry_code, requirement)),
        (
            check_timestamp,
            (
                str(info.get("msgID", ""))[9:23],
                now,
                profile,
                requirement,
                f"the time in the {msg_type} msgID",
            ),
        ),
    ]
    trx = message.get("trxInfo")
    if msg_type in ORDER_CREATING and isinstance(trx, dict):
        checks.append(
            (
                check_timestamp,
                (str(trx.get("txnTime")), now, profile, "FMT-12", f"{msg_type} txnTime"),
            )
        )
    for check, args in checks:
        try:
            check(*args)
        except RequirementViolation as exc:
            problems.append(exc)
    raise_all(problems, f"the {msg_type}")


def check_fresh_transmissions(
    messages: Iterable[Mapping[str, Any]], requirement: str = "FMT-11"
) -> None:
    """Transmissions the SUT originated never share a msgID or a signature."""
    seen_ids: dict[str, int] = {}
    seen_signatures: dict[str, int] = {}
    for message in messages:
        info = message.get("msgInfo")
        fields = message.get("certificateSignature")
        msg_id = info.get("msgID") if isinstance(info, dict) else None
        signature = fields.get("signature") if isinstance(fields, dict) else None
        if isinstance(msg_id, str):
            seen_ids[msg_id] = seen_ids.get(msg_id, 0) + 1
        if isinstance(signature, str):
            seen_signatures[signature] = seen_signatures.get(signature, 0) + 1
    reused = sorted(i for i, n in seen_ids.items() if n > 1)
    ensure(not reused, requirement, f"msgID reused across transmissions: {', '.join(reused)}")
    ensure(
        all(n == 1 for n in seen_signatures.values()),
        requirement,
        "two transmissions carry the same signature",
    )
