"""Probes: a message the system under test receives, whichever side it is.

A UCSP under test receives the eight gateway requests; an Industry Service under test the
two notices at its notice URL. :meth:`ProbeFlow.valid` builds, from a live transaction, a
message of one of those types that the SUT would accept (``probe_setup``), and records what
can be observed about that transaction from outside (``probe_observe``). Scenarios then send
it as it is, mutated and **re-signed** (so the check under test is reached behind the
signature), with a corrupted signature, or as hostile raw bytes (``ucsp.mutation``), and
compare the observations before and after. What the SUT sends of its own is ``capture``.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp import schemas
from ucsp.checks.format import Receiver, Reply
from ucsp.codec import Codec
from ucsp.deployment import Deployment
from ucsp.envelope import CERT_ID_FIELD, build_msg_info, build_request
from ucsp.errors import ConfigError
from ucsp.flows.base import BaseFlow
from ucsp.flows.capture import OutboundCapture, SutMessage
from ucsp.flows.login import LoginBuilder, LoginUser
from ucsp.flows.probe_observe import ProbeObserver
from ucsp.flows.probe_setup import DEFAULT_PROBE, Probe, ProbeSetup, receiving_url, setup_for
from ucsp.login_encoding import encode_request_data, login_url
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.mutation import fields, hostile, signature, variants
from ucsp.mutation.fields import FieldMutation
from ucsp.mutation.serialisation import NON_CANONICAL
from ucsp.mutation.signature import Signer
from ucsp.peers.recording import entry
from ucsp.profile import Profile
from ucsp.transport import JSON_CONTENT_TYPE

SKEW_MARGIN_SECONDS = 60.0  # beyond the profile's allowed skew, for a clear-cut violation


@dataclass(frozen=True)
class Sent:
    """One body the suite sent to the SUT, what it exercises, and the answer."""

    requirement: str
    what: str
    reply: Reply


@dataclass(frozen=True)
class LoginAttempt:
    status: int
    user_id: str
    logged_in: bool


class ProbeFlow(BaseFlow):
    """Role-polymorphic probes of the SUT's receiving URL, and what it sends of its own."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.setup = ProbeSetup(deployment)
        self.payments = self.setup.payments
        self.observer = ProbeObserver(deployment)
        self.capture = OutboundCapture(deployment)

    # --- who is who ----------------------------------------------------------------------

    @property
    def sut(self) -> Party:
        return Party.UCSP if self.role == "ucsp" else Party.INDUSTRY

    @property
    def codec(self) -> Codec:
        """The suite's own codec (it plays the party the SUT is not)."""
        return self.industry_peer.codec if self.role == "ucsp" else self.ucsp_peer.codec

    @property
    def profile(self) -> Profile:
        return self.d.target.profile

    @property
    def industry_code(self) -> str:
        return self.d.target.industry.code

    @property
    def receiving_url(self) -> str:
        return receiving_url(self.d.target, self.sut)

    def sut_certs(self) -> dict[str, Any]:
        return dict(self.d.target.keys.certs_of(self.sut))

    def own_cert_fields(self) -> dict[str, str]:
        return {CERT_ID_FIELD[self.codec.party]: self.codec.identity.cert_id}

    def receiver(self) -> Receiver:
        return Receiver(self.sut, self.sut_certs(), self.profile)

    def now(self) -> datetime:
        return self.d.clock.now()

    # --- building and signing messages ---------------------------------------------------

    def message(self, probe: Probe, msg_info: dict[str, Any] | None = None) -> dict[str, Any]:
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

    async def send(
        self,
        body: bytes,
        requirement: str,
        what: str,
        content_type: str | None = JSON_CONTENT_TYPE,
        method: str = "POST",
    ) -> Sent:
        """Post ``body`` to the SUT's receiving URL (gateway or notice URL) as it is."""
        try:
            if self.role == "ucsp":
                answer = await self.industry_peer.send_raw(body, content_type, method)
            else:
                answer = await self._post_notice(body, content_type, method)
        except httpx.HTTPError as exc:
            return Sent(requirement, what, Reply(body, None, error=type(exc).__name__))
        reply = Reply(body, answer.status_code, answer.content, answer.headers.get("content-type"))
        self.capture.record_answer(body, reply.content_type)
        return Sent(requirement, what, reply)

    async def _post_notice(
        self, body: bytes, content_type: str | None, method: str
    ) -> httpx.Response:
        assert self.d.http is not None
        url = self.receiving_url
        headers = {"Content-Type": content_type} if content_type is not None else {}
        started = self.d.clock.elapsed()
        timeout = self.profile.timeout_seconds * self.d.target.time_scale + 5.0
        try:
            answer = await self.d.http.request(
                method, url, content=body, headers=headers, timeout=timeout
            )
        except httpx.HTTPError:
            self.d.peer_journal.record(entry("out", url, body, None, None, self.d.clock, started))
            raise
        self.d.peer_journal.record(
            entry("out", url, body, answer.status_code, answer.content, self.d.clock, started)
        )
        return answer

    # --- probes, observations, what the SUT sent -----------------------------------------

    async def valid(self, msg_type: str | None = None) -> Probe:
        """A message of ``msg_type`` (default: the SUT's simplest) the SUT would accept."""
        chosen = msg_type or DEFAULT_PROBE[self.sut]
        setup = setup_for(chosen, self.sut)
        if setup is None:
            raise ConfigError(f"a {self.role} under test does not receive {chosen} messages")
        probe = await setup.obtain(self.setup)
        probe.before = await self.observe(probe)
        return probe

    async def about_unknown_transaction(self) -> Probe:
        """A valid message about a transaction the SUT does not know (answered 34)."""
        probe = await self.setup.unknown_transaction()
        probe.before = await self.observe(probe)
        return probe

    async def observe(self, probe: Probe) -> dict[str, str]:
        """What can be seen of the probe's transaction from outside the SUT, now."""
        return await self.observer.observe(probe)

    def sent_by_sut(self) -> list[SutMessage]:
        """Every message the SUT sent in this scenario, from the suite's journal."""
        return self.capture.sent_by_sut()

    # --- login (an Industry Service under test) ------------------------------------------

    async def login_beyond_skew(self, direction: int) -> LoginAttempt:
        """A login stamped beyond the allowed clock skew (direction -1 past, +1 future)."""
        return await self.login_at(self.now() + self.skew_offset() * direction)

    def skew_offset(self) -> timedelta:
        return timedelta(seconds=self.profile.skew_seconds + SKEW_MARGIN_SECONDS)

    async def login_at(self, moment: datetime) -> LoginAttempt:
        """The user arrives at INDUSTRY_INDEX_URL with an INDUSTRY_LOGIN_INFO stamped ``moment``."""
        target = self.d.target
        user = LoginUser(
            "L" + secrets.token_hex(8).upper(), target.ucsp.mobile, target.industry.channel_code
        )
        login = LoginBuilder(self.codec, target, user, self.msg_info_at(LOGIN_TYPE, moment))
        value = encode_request_data(login.sign(login.message()), self.profile.request_data_encoding)
        assert self.d.http is not None
        answer = await self.d.http.get(login_url(target.industry.index_url, value))
        return LoginAttempt(
            answer.status_code, user.user_id, await self.harness.session(user.user_id)
        )

    # --- variants of a probe's message ---------------------------------------------------

    def skewed(self, probe: Probe, direction: int) -> dict[str, Any]:
        """The message stamped beyond the allowed clock skew (direction -1 past, +1 future)."""
        moment = self.now() + self.skew_offset() * direction
        return self.message(probe, self.msg_info_at(probe.msg_type, moment))

    def naming_other_industry(self, probe: Probe) -> dict[str, Any]:
        code = fields.other_industry_code(self.industry_code)
        return self.message(probe, self.msg_info_at(probe.msg_type, self.now(), code))

    def as_type(self, probe: Probe, kind: str) -> dict[str, Any]:
        """The message re-typed: a name no interface has, or a type the SUT does not serve."""
        return variants.retyped(self.message(probe), kind, self.sut)

    def carrying(self, probe: Probe, variation: str) -> bytes:
        """Variations a receiver must ignore: unknown fields, key order, the other cert ID."""
        own_cert_id = next(iter(self.sut_certs()))
        return self.signer()(
            variants.ignorable(self.message(probe), variation, self.sut, own_cert_id)
        )

    def without_mandatory_field(self, probe: Probe) -> dict[str, Any]:
        """The message without its first mandatory trxInfo field (a schema violation)."""
        return fields.without_mandatory_field(self.message(probe), probe.msg_type)

    def mutations(self, probe: Probe) -> list[FieldMutation]:
        base = self.message(probe)
        errors = schemas.validate(base, probe.msg_type, "request")
        if errors:
            raise ConfigError(f"the probe {probe.msg_type} breaks its own schema: {errors[0]}")
        return fields.field_mutations(base, probe.msg_type)

    def padded(self, probe: Probe, size: int) -> bytes:
        """The message with an unknown trxInfo field making the signed body ``size`` bytes."""
        return variants.padded(self.message(probe), size, self.sign)

    def nested_to(self, probe: Probe, depth: int) -> bytes:
        return self.sign(variants.nested_to(self.message(probe), depth))

    def hostile(self, probe: Probe, name: str) -> tuple[str, bytes]:
        recipe = hostile.HOSTILE[name]
        return recipe.requirement, recipe.build(self.message(probe), self.signer())

    def non_canonical(self, probe: Probe, style: str) -> bytes:
        return self.sign_text(NON_CANONICAL[style](self.message(probe)))

    def corrupted(self, probe: Probe, corruption: str) -> bytes:
        """The message with its signature broken in one of the ways of SEC-02."""
        return signature.corrupt_signature(
            self.message(probe),
            corruption,
            self.codec.identity.key,
            self.profile,
            CERT_ID_FIELD[self.codec.party],
            signature.random_cert_id(),
        )


__all__ = ["LoginAttempt", "Probe", "ProbeFlow", "Sent", "SutMessage"]
