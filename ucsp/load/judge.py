"""Judging every answer and every notice of a load run with the kit's check functions.

An answer is checked as it would be in a conformance run: HTTP 200, Content-Type, strict
JSON, schema, UCSP's signature, the msgInfo echo, then the code the flow's state calls for
and the flow's own content check. A notice is checked as a message the UCSP sent: schema,
signature, a UCSP msgID. Each failed check is a :class:`Finding` (requirement and rule); the
checks go on after a finding where the message could still be read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from ucsp.checks.format import check_content_type, check_http_status, check_msg_info_echo
from ucsp.checks.messages import check_code, check_msg_id, check_schema, check_signature, parse_sent
from ucsp.codec import Codec
from ucsp.envelope import build_request, build_response
from ucsp.load.tally import Finding
from ucsp.messages import NOTICE_TYPES
from ucsp.profile import Profile
from ucsp.verdict import RequirementViolation

ContentCheck = Callable[[str | None, Mapping[str, Any]], None]
"""A flow's check of an answer's code and trxInfo; raises RequirementViolation."""


@dataclass(frozen=True)
class Reply:
    """What came back over HTTP."""

    status: int
    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class Expect:
    """What the flow's state calls for: a code (under a requirement) and a content check."""

    code: str
    requirement: str
    content: ContentCheck | None = None
    also: tuple[str, ...] = ()  # other codes the state allows (a race decides which)


@dataclass
class Verdict:
    message: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        response = (self.message or {}).get("msgResponse")
        code = response.get("responseCode") if isinstance(response, dict) else None
        return code if isinstance(code, str) else None

    @property
    def trx(self) -> dict[str, Any]:
        trx = (self.message or {}).get("trxInfo")
        return trx if isinstance(trx, dict) else {}

    @property
    def msg_info(self) -> dict[str, Any]:
        info = (self.message or {}).get("msgInfo")
        return info if isinstance(info, dict) else {}


def _finding(exc: RequirementViolation, rule: str) -> Finding:
    return Finding(exc.requirement, rule, exc.message)


class CryptoMeter:
    """CPU seconds this process spent signing and verifying."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def run(self, func: Callable[[], Any]) -> Any:
        started = time.process_time()
        try:
            return func()
        finally:
            self.seconds += time.process_time() - started


class Wire:
    """One party's signing and judging in a load process (the kit's codec, metered)."""

    def __init__(self, codec: Codec, peer_certs: Mapping[str, x509.Certificate]) -> None:
        self.codec = codec
        self.profile: Profile = codec.profile
        self.peer = codec.party.peer
        self.certs = dict(peer_certs)
        self.meter = CryptoMeter()

    # --- sending --------------------------------------------------------------------------

    def request(
        self, msg_type: str, industry_code: str, trx: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bytes]:
        """A fresh msgInfo for ``msg_type`` and the signed bytes of the request."""
        info = self.codec.msg_info(msg_type, industry_code)
        message = build_request(info, dict(trx))
        return info, self.meter.run(lambda: self.codec.sign(message))

    def response(self, msg_info: Any, code: str, trx: Mapping[str, Any] | None = None) -> bytes:
        message = build_response(msg_info, dict(trx or {}), code)
        body: bytes = self.meter.run(lambda: self.codec.sign(message))
        return body

    # --- judging ----------------------------------------------------------------------------

    def _readable(
        self, raw: bytes, msg_type: str, kind: str, findings: list[Finding]
    ) -> dict[str, Any] | None:
        """Strict JSON, schema and signature of a message the SUT sent."""
        try:
            text, message = parse_sent(raw, "FMT-06", self.profile)
        except RequirementViolation as exc:
            findings.append(_finding(exc, "json"))
            return None
        try:
            check_schema(message, msg_type, "response" if kind == "response" else "request")
        except RequirementViolation as exc:
            findings.append(_finding(exc, "schema"))
        try:
            self.meter.run(
                lambda: check_signature(text, message, self.peer, self.certs, self.profile)
            )
        except RequirementViolation as exc:
            findings.append(_finding(exc, "signature"))
        return message

    def answer(
        self, msg_type: str, sent_info: Mapping[str, Any], reply: Reply, expect: Expect
    ) -> Verdict:
        """Judge the SUT's answer to a request the suite sent."""
        findings: list[Finding] = []
        try:
            check_http_status(reply.status, 200, "TRN-04")
        except RequirementViolation as exc:
            return Verdict(None, [_finding(exc, "http")])
        try:
            check_content_type(reply.content_type, f"the answer to {msg_type}")
        except RequirementViolation as exc:
            findings.append(_finding(exc, "content-type"))
        message = self._readable(reply.body, msg_type, "response", findings)
        verdict = Verdict(message, findings)
        if message is None:
            return verdict
        try:
            check_msg_info_echo(dict(sent_info), message.get("msgInfo"))
        except RequirementViolation as exc:
            findings.append(_finding(exc, "echo"))
        try:
            if verdict.code not in expect.also:
                what = f"the answer to {msg_type}"
                check_code(verdict.code, expect.code, expect.requirement, what)
        except RequirementViolation as exc:
            findings.append(_finding(exc, "code"))
            return verdict  # the content of an unexpected answer is not judged again
        if expect.content is not None:
            try:
                expect.content(verdict.code, verdict.trx)
            except RequirementViolation as exc:
                findings.append(_finding(exc, "content"))
        return verdict

    def notice(self, raw: bytes, content_type: str | None, industry_code: str) -> Verdict:
        """Judge a notice the SUT sent to the suite: transport, schema, signature, msgID."""
        findings: list[Finding] = []
        try:
            check_content_type(content_type, "a notice")
        except RequirementViolation as exc:
            findings.append(_finding(exc, "content-type"))
        try:
            _, message = parse_sent(raw, "FMT-06", self.profile)
        except RequirementViolation as exc:
            return Verdict(None, [*findings, _finding(exc, "json")])
        msg_type = Verdict(message).msg_info.get("msgType")
        if msg_type not in NOTICE_TYPES:
            finding = Finding("FMT-06", "schema", f"a notice of msgType {msg_type!r}")
            return Verdict(message, [*findings, finding])
        self._readable(raw, str(msg_type), "request", findings)
        try:
            check_msg_id(Verdict(message).msg_info, self.peer, industry_code, "FMT-10")
        except RequirementViolation as exc:
            findings.append(_finding(exc, "msgid"))
        return Verdict(message, findings)
