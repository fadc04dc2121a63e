"""Probes: a message the system under test receives, whichever side it is.

A UCSP under test receives the eight gateway requests (:class:`UcspProbe`); an Industry
Service under test the two notices at its notice URL (:class:`IndustryProbe`).
:meth:`Probe.valid` builds, from a live transaction, a message of one of those types that the
SUT would accept (``probe_setup``), and records what can be observed about that transaction
from outside (``probe_observe``). Scenarios then send it as it is, mutated and **re-signed**
(so the check under test is reached behind the signature), with a corrupted signature, or as
hostile raw bytes (``ucsp.mutation``), and compare the observations before and after. What
the SUT sends of its own is ``capture``.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp import schemas
from ucsp.checks.format import (
    Receiver,
    Reply,
    check_each_answered,
    check_fresh_msg_info,
    check_msg_info_echo,
    check_protocol_answer,
    echo_rule,
    strict_message,
)
from ucsp.checks.security import check_processed, check_unchanged, no_effect_rule
from ucsp.checks.sent import check_originated_messages, check_sent_messages, check_sent_travel
from ucsp.codec import Codec
from ucsp.envelope import CERT_ID_FIELD, build_msg_info, build_request
from ucsp.errors import AuthoringError, ConfigError
from ucsp.messages import Party
from ucsp.mutation import fields, hostile, signature, variants
from ucsp.mutation.serialisation import NON_CANONICAL
from ucsp.mutation.signature import Signer, change_msg_id, flip_signature
from ucsp.peers.recording import entry
from ucsp.profile import Profile
from ucsp.sides.capture import Capture, IndustryCapture, SutMessage, UcspCapture
from ucsp.sides.probe_observe import IndustryObserver, Observer, UcspObserver
from ucsp.sides.probe_setup import (
    DEFAULT_PROBE,
    IndustrySetup,
    ProbeMessage,
    ProbeSetup,
    UcspSetup,
    receiving_url,
    setup_for,
)
from ucsp.transport import JSON_CONTENT_TYPE, parsed_url

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side

__all__ = ["Probe", "ProbeMessage", "Sent", "SutMessage", "at_skew_edge", "beyond_skew"]

SKEW_DIRECTIONS = {"in the past": -1, "in the future": 1}


def beyond_skew(now: datetime, profile: Profile, way: str) -> datetime:
    """A moment beyond the allowed clock skew from ``now``, ``way`` "in the past" or "in the
    future": further than the skew by the clocks' tolerated offset
    (:attr:`Profile.clock_tolerance`), so that it lies beyond the window by the SUT's clock
    too."""
    offset = timedelta(seconds=profile.skew_seconds + profile.clock_tolerance + 1)
    return now + offset * SKEW_DIRECTIONS[way]


def at_skew_edge(now: datetime, profile: Profile) -> datetime:
    """A whole second in the future of ``now`` that a receiver must still accept: as near the
    edge of the allowed clock skew as the clocks' tolerated offset allows (inside it by
    :attr:`Profile.clock_tolerance`: a SUT clock that far behind the suite's still sees it
    within the window). Time passing in transit only brings it closer to the receiver's
    clock, so the verdict depends neither on timing nor on the SUT's clock."""
    moment = now + timedelta(seconds=profile.skew_seconds - profile.clock_tolerance)
    return moment.replace(microsecond=0)


@dataclass(frozen=True)
class Sent:
    """One body the suite sent to the SUT, what it exercises, and the answer."""

    requirement: str
    what: str
    reply: Reply


class Probe(ABC):
    """Probes of the SUT's receiving URL, and what it sends of its own, for either side."""

    sut: ClassVar[Party]  # the party under test
    other_industry_rule: ClassVar[str]  # a message naming another industry's code
    setups: ProbeSetup
    observer: Observer
    capture: Capture

    def __init__(self, side: Side) -> None:
        self.side = side

    # --- who is who ----------------------------------------------------------------------

    @property
    @abstractmethod
    def codec(self) -> Codec:
        """The suite's own codec (it plays the party the SUT is not)."""

    @property
    def profile(self) -> Profile:
        return self.side.target.profile

    @property
    def industry_code(self) -> str:
        return self.side.target.industry.code

    @property
    def receiving_url(self) -> str:
        return receiving_url(self.side.target, self.sut)

    def sut_certs(self) -> dict[str, Any]:
        return dict(self.side.target.keys.certs_of(self.sut))

    def own_cert_fields(self) -> dict[str, str]:
        return {CERT_ID_FIELD[self.codec.party]: self.codec.identity.cert_id}

    def receiver(self) -> Receiver:
        return Receiver(self.sut, self.sut_certs(), self.profile)

    def now(self) -> datetime:
        return self.side.d.clock.now()

    # --- building and signing messages ---------------------------------------------------

    def message(
        self, probe: ProbeMessage, msg_info: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The probe's message with a fresh msgInfo and the placeholder signature."""
        info = msg_info or self.codec.msg_info(probe.msg_type, self.industry_code)
        body = build_request(info, copy.deepcopy(probe.trx))
        return signature.with_cert_fields(body, self.own_cert_fields(), self.profile.placeholder)

    def msg_info_at(
        self, msg_type: str, moment: datetime, industry_code: str | None = None
    ) -> dict[str, str]:
        return build_msg_info(
            msg_type, industry_code or self.industry_code, self.codec.party, moment, self.profile
        )

    def signer(self, key: rsa.RSAPrivateKey | None = None) -> Signer:
        return signature.signer(key or self.codec.identity.key, self.profile)

    def sign(self, message: Mapping[str, Any], key: rsa.RSAPrivateKey | None = None) -> bytes:
        """Signed compact bytes; a message whose signature is not the placeholder (a broken
        signature field) or that has no certificateSignature is sent as it is."""
        return signature.sign_message(message, self.signer(key), self.profile.placeholder)

    def sign_text(self, text: str) -> bytes:
        return self.signer()(text.encode("utf-8"))

    # --- sending -------------------------------------------------------------------------

    def send(
        self,
        body: bytes,
        requirement: str,
        what: str,
        content_type: str | None = JSON_CONTENT_TYPE,
        method: str = "POST",
    ) -> Sent:
        """Post ``body`` to the SUT's receiving URL (gateway or notice URL) as it is."""
        try:
            answer = self.side.call(self._post(body, content_type, method))
        except httpx.HTTPError as exc:
            return Sent(requirement, what, Reply(body, None, error=type(exc).__name__))
        reply = Reply(body, answer.status_code, answer.content, answer.headers.get("content-type"))
        self.capture.record_answer(body, reply.content_type)
        return Sent(requirement, what, reply)

    @abstractmethod
    async def _post(self, body: bytes, content_type: str | None, method: str) -> httpx.Response:
        """``body`` sent to the SUT's receiving URL and journaled; transport errors raise."""

    # --- probes, observations, what the SUT sent -----------------------------------------

    def valid(self, msg_type: str | None = None) -> ProbeMessage:
        """A message of ``msg_type`` (default: the SUT's simplest) the SUT would accept."""
        chosen = msg_type or DEFAULT_PROBE[self.sut]
        setup = setup_for(chosen, self.sut)
        if setup is None:
            raise ConfigError(f"a {self.side.role} under test does not receive {chosen} messages")
        return self._observed(setup.obtain(self.setups))

    def about_unknown_transaction(self) -> ProbeMessage:
        """A valid message about a transaction the SUT does not know (answered 34)."""
        return self._observed(self.setups.unknown_transaction())

    def _observed(self, probe: ProbeMessage) -> ProbeMessage:
        probe.before = self.observe(probe)
        return probe

    def observe(self, probe: ProbeMessage) -> dict[str, str]:
        """What can be seen of the probe's transaction from outside the SUT, now."""
        return self.observer.observe(probe)

    def sent_by_sut(self) -> list[SutMessage]:
        """Every message the SUT sent in this scenario, from the suite's journal."""
        return self.capture.sent_by_sut()

    # --- variants of a probe's message ---------------------------------------------------

    def skewed(self, probe: ProbeMessage, way: str) -> dict[str, Any]:
        """The message stamped beyond the allowed clock skew ``way``."""
        moment = beyond_skew(self.now(), self.profile, way)
        return self.message(probe, self.msg_info_at(probe.msg_type, moment))

    def stamped_at_skew_edge(self, probe: ProbeMessage) -> dict[str, Any]:
        """The message stamped at the edge of the allowed clock skew in the future."""
        moment = at_skew_edge(self.now(), self.profile)
        return self.message(probe, self.msg_info_at(probe.msg_type, moment))

    def naming_other_industry(self, probe: ProbeMessage) -> dict[str, Any]:
        code = fields.other_industry_code(self.industry_code)
        return self.message(probe, self.msg_info_at(probe.msg_type, self.now(), code))

    def as_type(self, probe: ProbeMessage, kind: str) -> dict[str, Any]:
        """The message re-typed: a name no interface has, or a type the SUT does not serve."""
        return variants.retyped(self.message(probe), kind, self.sut)

    def carrying(self, probe: ProbeMessage, variation: str) -> bytes:
        """Variations a receiver must ignore: unknown fields, key order, the other cert ID."""
        own_cert_id = next(iter(self.sut_certs()))
        return self.signer()(
            variants.ignorable(self.message(probe), variation, self.sut, own_cert_id)
        )

    def without_mandatory_field(self, probe: ProbeMessage) -> dict[str, Any]:
        """The message without its first mandatory trxInfo field (a schema violation)."""
        return fields.without_mandatory_field(self.message(probe), probe.msg_type)

    def mutations(self, probe: ProbeMessage) -> list[fields.FieldMutation]:
        base = self.message(probe)
        errors = schemas.validate(base, probe.msg_type, "request")
        if errors:
            raise ConfigError(f"the probe {probe.msg_type} breaks its own schema: {errors[0]}")
        return fields.field_mutations(base, probe.msg_type)

    def padded(self, probe: ProbeMessage, size: int) -> bytes:
        """The message with an unknown trxInfo field making the signed body ``size`` bytes."""
        return variants.padded(self.message(probe), size, self.sign)

    def corrupted(self, probe: ProbeMessage, corruption: str) -> bytes:
        """The message with its signature broken in one of the ways of SEC-02."""
        return signature.corrupt_signature(
            self.message(probe),
            corruption,
            self.codec.identity.key,
            self.profile,
            CERT_ID_FIELD[self.codec.party],
            signature.random_cert_id(),
        )

    # --- what the scenarios send, each with the rule it exercises --------------------------

    def send_valid(self, probe: ProbeMessage) -> Sent:
        body = self.sign(self.message(probe))
        return self.send(body, probe.requirement, f"a valid {probe.msg_type}")

    def send_hostile(self, probe: ProbeMessage, name: str) -> Sent:
        recipe = hostile.HOSTILE[name]
        body = recipe.build(self.message(probe), self.signer())
        return self.send(body, recipe.requirement, f"a body with {name}")

    def send_nested_to_limit(self, probe: ProbeMessage) -> Sent:
        body = self.sign(variants.nested_to(self.message(probe), self.profile.max_depth))
        return self.send(body, "FMT-02", "a message nested to the depth limit")

    def send_retyped(self, probe: ProbeMessage, kind: str) -> Sent:
        return self.send(self.sign(self.as_type(probe, kind)), "FMT-03", f"a message of {kind}")

    def send_carrying(self, probe: ProbeMessage, variation: str) -> Sent:
        body = self.carrying(probe, variation)
        return self.send(body, "FMT-05", f"a message carrying {variation}")

    def send_without_mandatory_field(self, probe: ProbeMessage) -> Sent:
        body = self.sign(self.without_mandatory_field(probe))
        return self.send(body, "FMT-04", "a message missing a mandatory field")

    def send_skewed(self, probe: ProbeMessage, way: str) -> Sent:
        body = self.sign(self.skewed(probe, way))
        return self.send(body, "FMT-13", f"a message stamped too far {way}")

    def send_at_skew_edge(self, probe: ProbeMessage) -> Sent:
        body = self.sign(self.stamped_at_skew_edge(probe))
        return self.send(body, "FMT-13", "a message stamped at the edge of the allowed skew")

    def send_each_field_broken(self, probe: ProbeMessage) -> list[Sent]:
        return [
            self.send(self.sign(m.apply(self.message(probe))), "FMT-04", m.label)
            for m in self.mutations(probe)
        ]

    def send_corrupted(self, probe: ProbeMessage, corruption: str) -> Sent:
        body = self.corrupted(probe, corruption)
        return self.send(body, "SEC-02", f"a message with {corruption}")

    def send_non_canonical(self, probe: ProbeMessage, style: str) -> Sent:
        body = self.sign_text(NON_CANONICAL[style](self.message(probe)))
        return self.send(body, "SEC-04", f"a message serialised with {style}")

    def send_malformed_badly_signed(self, probe: ProbeMessage) -> Sent:
        body = change_msg_id(self.sign(self.without_mandatory_field(probe)))
        return self.send(body, "SEC-05", "a malformed, badly signed message")

    def send_badly_signed(self, probe: ProbeMessage) -> Sent:
        body = self.corrupted(probe, "content-changed")
        return self.send(body, "SEC-05", "a badly signed message")

    def send_naming_other_industry(self, probe: ProbeMessage) -> Sent:
        body = self.sign(self.naming_other_industry(probe))
        return self.send(body, self.other_industry_rule, "a message of another industry")

    def sent_and_accepted(self, probe: ProbeMessage) -> None:
        """The probe sent and answered 00; its bytes kept, its transaction observed anew."""
        body = self.sign(self.message(probe))
        sent = self.send(body, probe.requirement, f"a valid {probe.msg_type}")
        check_protocol_answer(sent.reply, "00", probe.requirement, self.receiver(), self.now())
        probe.accepted = body
        probe.before = self.observe(probe)

    def send_again(self, probe: ProbeMessage) -> Sent:
        if probe.accepted is None:
            raise AuthoringError("the message has not been sent and accepted before")
        return self.send(probe.accepted, "SEC-07", "the same message again")

    def send_badly_signed_copy(self, probe: ProbeMessage) -> Sent:
        """A copy with a corrupted signature; the message is kept to be sent intact."""
        probe.held = self.message(probe)
        body = flip_signature(self.sign(probe.held))
        return self.send(body, "SEC-07", "a badly signed copy")

    def send_intact_copy(self, probe: ProbeMessage) -> Sent:
        if probe.held is None:
            raise AuthoringError("no copy of the message has been sent first")
        return self.send(self.sign(probe.held), "SEC-07", "the intact message after its copy")

    def send_with_method(self, probe: ProbeMessage, method: str) -> Sent:
        body = self.sign(self.message(probe))
        return self.send(body, "TRN-01", f"a {method} request", method=method)

    def send_as(self, probe: ProbeMessage, content_type: str) -> Sent:
        body = self.sign(self.message(probe))
        what = f"a message posted as {content_type}"
        return self.send(body, "TRN-02", what, content_type=content_type)

    def send_oversized_as(self, probe: ProbeMessage, content_type: str) -> Sent:
        body = self.padded(probe, self.profile.max_body_bytes + 1)
        what = f"an oversized body posted as {content_type}"
        return self.send(body, "TRN-02", what, content_type=content_type)

    def send_oversized(self, probe: ProbeMessage) -> Sent:
        body = self.padded(probe, self.profile.max_body_bytes + 1)
        return self.send(body, "TRN-03", "a body over the size limit")

    def send_at_size_limit(self, probe: ProbeMessage) -> Sent:
        body = self.padded(probe, self.profile.max_body_bytes)
        return self.send(body, "TRN-03", "a body of exactly the size limit")

    # --- the answers -----------------------------------------------------------------------

    def check_answered(self, sent: Sent, code: str) -> None:
        check_protocol_answer(sent.reply, code, sent.requirement, self.receiver(), self.now())

    def check_each_answered(self, broken: list[Sent], code: str) -> None:
        if not broken:
            raise AuthoringError("no field rule could be broken: the probe has no schema")
        replies = [(sent.what, sent.reply, sent.requirement) for sent in broken]
        check_each_answered(replies, code, self.receiver(), self.now())

    def check_echoed(self, sent: Sent) -> None:
        """The answer's msgInfo is an exact copy of the message's (FMT-07)."""
        rule, sent_info = echo_rule(sent.reply.sent, self.profile)
        answer = strict_message(sent.reply.body, self.profile) or {}
        if rule != "echo":
            raise AuthoringError("the message sent has no msgInfo object to echo")
        check_msg_info_echo(sent_info, answer.get("msgInfo"))

    def check_fresh_msg_info(self, probe: ProbeMessage, sent: Sent) -> None:
        """The answer carries a fresh msgInfo of the SUT (FMT-08)."""
        answer = strict_message(sent.reply.body, self.profile) or {}
        info = answer.get("msgInfo")
        check_fresh_msg_info(info, self.sut, None, probe.msg_type, self.now(), self.profile)

    # --- effects ---------------------------------------------------------------------------

    def check_unchanged(self, probe: ProbeMessage, sent: Sent | None) -> None:
        """The probe's transaction looks as before: the rejection of ``sent`` (None: not a
        single message sent) had no effect."""
        after = self.observe(probe)
        rule = no_effect_rule(sent.requirement if sent is not None else None)
        check_unchanged(probe.before, after, f"the rejected {probe.msg_type}", rule)

    def check_processed(self, probe: ProbeMessage, sent: Sent) -> None:
        check_processed(probe.before, self.observe(probe), sent.what, sent.requirement)

    # --- what the SUT sent -----------------------------------------------------------------

    def check_sent_messages(self) -> None:
        check_sent_messages(self.sent_by_sut(), self.sut, self.sut_certs(), self.profile)

    def check_originated_messages(self) -> None:
        check_originated_messages(self.sent_by_sut(), self.sut, self.industry_code, self.profile)

    def check_sent_travel(self) -> None:
        check_sent_travel(self.sent_by_sut())


class UcspProbe(Probe):
    """The suite, as the Industry Service, probes the gateway of the UCSP under test."""

    sut = Party.UCSP
    other_industry_rule = "SEC-03"
    side: UcspUnderTest
    setups: UcspSetup

    def __init__(self, side: UcspUnderTest) -> None:
        super().__init__(side)
        self.setups = UcspSetup(side)
        self.observer = UcspObserver(side)
        self.capture = UcspCapture(side)

    @property
    def codec(self) -> Codec:
        return self.side.peer.codec

    async def _post(self, body: bytes, content_type: str | None, method: str) -> httpx.Response:
        return await self.side.peer.send_raw(body, content_type, method)


class IndustryProbe(Probe):
    """The suite, as UCSP, probes the notice URL of the Industry Service under test."""

    sut = Party.INDUSTRY
    other_industry_rule = "SEC-10"
    side: IndustryUnderTest
    setups: IndustrySetup

    def __init__(self, side: IndustryUnderTest) -> None:
        super().__init__(side)
        self.setups = IndustrySetup(side)
        self.observer = IndustryObserver(side)
        self.capture = IndustryCapture(side)

    @property
    def codec(self) -> Codec:
        return self.side.peer.codec

    async def _post(self, body: bytes, content_type: str | None, method: str) -> httpx.Response:
        http = self.side.d.http
        assert http is not None
        url, clock, journal = self.receiving_url, self.side.d.clock, self.side.journal
        headers = {"Content-Type": content_type} if content_type is not None else {}
        started = clock.elapsed()
        timeout = self.profile.timeout_seconds * self.side.target.time_scale + 5.0
        try:
            answer = await http.request(
                method, parsed_url(url), content=body, headers=headers, timeout=timeout
            )
        except httpx.HTTPError:
            journal.record(entry("out", url, body, None, None, clock, started))
            raise
        journal.record(entry("out", url, body, answer.status_code, answer.content, clock, started))
        return answer
