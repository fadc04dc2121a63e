"""Probes: a message the system under test receives, whichever side it is.

A UCSP under test receives the eight gateway requests; an Industry Service under test the
two notices at its notice URL. :meth:`ProbeFlow.valid` builds, from a live transaction, a
message of one of those types that the SUT would accept, and records what can be observed
about that transaction from outside (inquiries and notices for a UCSP, the harness for an
Industry Service). Scenarios then send it as it is, mutated and **re-signed** (so the check
under test is reached behind the signature), with a corrupted signature, or as hostile raw
bytes, and compare the observations before and after.

The builders of variants and hostile bodies are pure functions of a message and a signer,
unit-tested on their own.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from ucsp import schemas
from ucsp.checks import ensure
from ucsp.checks.format import Receiver, Reply
from ucsp.checks.messages import check_valid_answer
from ucsp.codec import Codec
from ucsp.crypto import encrypt_field, make_test_identity
from ucsp.deployment import Deployment
from ucsp.envelope import (
    CERT_ID_FIELD,
    ENC_CERT_ID_FIELD,
    build_msg_info,
    build_request,
    format_time,
)
from ucsp.errors import ConfigError
from ucsp.flows.base import BaseFlow, trx_of
from ucsp.flows.payment import PaymentFlow
from ucsp.messages import GATEWAY_TYPES, LOGIN_TYPE, MESSAGE_TYPES, NOTICE_TYPES, Kind, Party
from ucsp.peers.recording import entry
from ucsp.profile import Profile, RequestDataEncoding
from ucsp.strictjson import member_span
from ucsp.tamper import replace_signature, sign_raw, signature_span
from ucsp.transport import JSON_CONTENT_TYPE, Exchange

# Sandbox amounts (HARNESS.md B): any amount not ending in 01 or 05 succeeds at once (00);
# one ending in 01 is declined (01) with no notice, which makes it a harmless state probe.
PROBE_AMOUNT = "10000"
REFUND_AMOUNT = "100"
DECLINED_AMOUNT = "101"
PROBE_CURRENCY = "156"
DEFAULT_PROBE = {Party.UCSP: "SUBMIT_PAYMENT_ORDER", Party.INDUSTRY: "PAYMENT_RESULT_NOTICE"}
UNKNOWN_MSG_TYPE = "UNKNOWN_INTERFACE"
OTHER_INDUSTRY = ("ZZZZ9999", "YYYY8888")
SKEW_MARGIN_SECONDS = 60.0  # beyond the profile's allowed skew, for a clear-cut violation


def received_types(party: Party) -> tuple[str, ...]:
    """The message types ``party`` receives as back-end POSTs (not the login)."""
    return GATEWAY_TYPES if party is Party.UCSP else NOTICE_TYPES


# --- pure builders ---------------------------------------------------------------------------

Signer = Callable[[bytes], bytes]


def compact(message: Any) -> bytes:
    """Compact UTF-8 JSON, as the kit serialises (no signing)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def with_cert_fields(
    message: Mapping[str, Any], cert_fields: Mapping[str, Any], placeholder: str
) -> dict[str, Any]:
    """The message with certificateSignature set to ``cert_fields`` and the placeholder."""
    body = {k: copy.deepcopy(v) for k, v in message.items() if k != "certificateSignature"}
    body["certificateSignature"] = {**cert_fields, "signature": placeholder}
    return body


def change_msg_id(raw: bytes) -> bytes:
    """The signed content changed after signing: the last digit of msgID altered."""
    text = raw.decode("utf-8")
    span = member_span(text, ("msgInfo", "msgID"))
    if span is None:
        raise ValueError("the body has no msgInfo.msgID")
    last = span[1] - 2  # the last character inside the quotes
    digit = text[last]
    changed = str((int(digit) + 1) % 10) if digit.isdigit() else "0"
    return (text[:last] + changed + text[last + 1 :]).encode("utf-8")


def nested(depth: int) -> Any:
    """A value that is ``depth`` arrays deep."""
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def depth_filler(total_depth: int) -> Any:
    """A trxInfo field value bringing the whole message to ``total_depth`` (top level = 1)."""
    return nested(total_depth - 2)


def _insert_in_trx(raw: bytes, member: bytes) -> bytes:
    marker = b'"trxInfo":{'
    at = raw.index(marker) + len(marker)
    separator = b"" if raw[at : at + 1] == b"}" else b","
    return raw[:at] + member + separator + raw[at:]


def _duplicate_first_trx_member(raw: bytes) -> bytes:
    text = raw.decode("utf-8")
    message = json.loads(text)
    first = next(iter(message["trxInfo"]))
    span = member_span(text, ("trxInfo", first))
    assert span is not None
    brace = text.index('"trxInfo":{') + len('"trxInfo":{')
    member = text[brace : span[1]]
    return (text[:brace] + member + "," + text[brace:]).encode("utf-8")


def _duplicate_trx_object(raw: bytes) -> bytes:
    text = raw.decode("utf-8")
    span = member_span(text, ("trxInfo",))
    assert span is not None
    member = '"trxInfo":' + text[span[0] : span[1]]
    return ("{" + member + "," + text[1:]).encode("utf-8")


@dataclass(frozen=True)
class Hostile:
    """One hostile body: the requirement it exercises and how it is made from a valid one."""

    requirement: str
    build: Callable[[dict[str, Any], Signer], bytes]


def _signed(message: dict[str, Any], sign: Signer) -> bytes:
    return sign(compact(message))


def _with_trx_field(value: Any) -> Callable[[dict[str, Any], Signer], bytes]:
    def build(message: dict[str, Any], sign: Signer) -> bytes:
        changed = copy.deepcopy(message)
        changed["trxInfo"]["x"] = value
        return sign(compact(changed))

    return build


def _raw_trx_member(member: bytes) -> Callable[[dict[str, Any], Signer], bytes]:
    def build(message: dict[str, Any], sign: Signer) -> bytes:
        return sign(_insert_in_trx(compact(message), member))

    return build


def _without_msg_info(message: dict[str, Any], sign: Signer) -> bytes:
    return sign(compact({k: v for k, v in message.items() if k != "msgInfo"}))


def _msg_info_string(message: dict[str, Any], sign: Signer) -> bytes:
    info = message["msgInfo"]
    return sign(compact({**message, "msgInfo": str(info.get("msgType", ""))}))


HOSTILE: dict[str, Hostile] = {
    # FMT-01: not strict UTF-8, a BOM, not JSON, not an object
    "byte-order-mark": Hostile("FMT-01", lambda m, s: b"\xef\xbb\xbf" + _signed(m, s)),
    "invalid-utf8": Hostile("FMT-01", _raw_trx_member(b'"x":"caf\xe9"')),
    "truncated-json": Hostile("FMT-01", lambda m, s: _signed(m, s)[:-5]),
    "top-level-array": Hostile("FMT-01", lambda m, s: b"[" + _signed(m, s) + b"]"),
    "top-level-string": Hostile(
        "FMT-01", lambda m, s: json.dumps(_signed(m, s).decode("utf-8")).encode("utf-8")
    ),
    # FMT-02: what a lenient parser accepts and the profile forbids (signed, else valid)
    "duplicate-key": Hostile("FMT-02", lambda m, s: s(_duplicate_first_trx_member(compact(m)))),
    "duplicate-top-level-key": Hostile("FMT-02", lambda m, s: s(_duplicate_trx_object(compact(m)))),
    "depth-33": Hostile("FMT-02", lambda m, s: _with_trx_field(depth_filler(33))(m, s)),
    "nan": Hostile("FMT-02", _raw_trx_member(b'"x":NaN')),
    "infinity": Hostile("FMT-02", _raw_trx_member(b'"x":Infinity')),
    "overflow-1e999": Hostile("FMT-02", _raw_trx_member(b'"x":1e999')),
    "lone-surrogate": Hostile("FMT-02", _raw_trx_member(b'"x":"\\ud800"')),
    # FMT-04 / FMT-08: JSON objects without a msgInfo object
    "no-msginfo": Hostile("FMT-04", _without_msg_info),
    "msginfo-not-object": Hostile("FMT-04", _msg_info_string),
}


def serialise(
    value: Any,
    *,
    pretty: bool = False,
    reverse: bool = False,
    escape: bool = False,
    keep: tuple[str, ...] = ("signature",),
    _indent: int = 0,
    _key: str = "",
) -> str:
    """A non-canonical JSON serialisation: whitespace, key order, ``\\u`` escapes of ASCII
    letters in string values (the values of the ``keep`` keys are written plainly)."""
    pad = "\n" + "  " * (_indent + 1) if pretty else ""
    end = "\n" + "  " * _indent if pretty else ""
    colon = " : " if pretty else ":"
    if isinstance(value, dict):
        items = list(value.items())
        if reverse:
            items.reverse()
        inner = ",".join(
            pad
            + json.dumps(k)
            + colon
            + serialise(
                v,
                pretty=pretty,
                reverse=reverse,
                escape=escape,
                keep=keep,
                _indent=_indent + 1,
                _key=k,
            )
            for k, v in items
        )
        return "{" + inner + end + "}"
    if isinstance(value, list):
        return (
            "["
            + ",".join(
                pad
                + serialise(
                    v, pretty=pretty, reverse=reverse, escape=escape, keep=keep, _indent=_indent + 1
                )
                for v in value
            )
            + end
            + "]"
        )
    if isinstance(value, str) and escape and _key not in keep:
        return (
            '"'
            + "".join(
                f"\\u{ord(ch):04x}" if ch.isascii() and ch.isalpha() else json.dumps(ch)[1:-1]
                for ch in value
            )
            + '"'
        )
    return json.dumps(value, ensure_ascii=False)


NON_CANONICAL: dict[str, Callable[[dict[str, Any]], str]] = {
    "extra whitespace": lambda m: serialise(m, pretty=True),
    "unicode escapes of ASCII letters": lambda m: serialise(m, escape=True),
    "its signature member first": lambda m: serialise(
        {"certificateSignature": dict(reversed(list(m["certificateSignature"].items()))), **m}
    ),
}


# --- field-rule mutations ----------------------------------------------------------------------

_BAD_CHAR = {"AN": "-", "N": "A", "ANS": "\u00e9", "base64": "*"}
_GOOD_CHAR = {"AN": "A", "N": "1", "ANS": "A", "base64": "A"}
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Rule kinds whose mutation breaks the schema by construction (unit-tested); the others
# (enumerations, dates, amounts, msgID parts) are kept only when the kit's schema refuses them.
_ALWAYS_INVALID = frozenset({"type", "minLength", "maxLength", "class", "required", "forbidden"})


@dataclass(frozen=True)
class FieldMutation:
    """One broken field rule: the field, the rule kind, and the new value (or removal)."""

    path: tuple[str, ...]
    rule: str
    value: Any = None
    remove: bool = False

    @property
    def label(self) -> str:
        return "$." + ".".join(self.path) + f" ({self.rule})"

    def apply(self, message: Mapping[str, Any]) -> dict[str, Any]:
        changed = copy.deepcopy(dict(message))
        parent: Any = changed
        for name in self.path[:-1]:
            if not isinstance(parent.get(name), dict):
                parent[name] = {}
            parent = parent[name]
        if self.remove:
            parent.pop(self.path[-1], None)
        else:
            parent[self.path[-1]] = self.value
        return changed


def _get(message: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = message
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            return None
        value = value[name]
    return value


def _other_value(value: str, value_class: str, enum: tuple[str, ...]) -> str | None:
    """A value of the same class and length that is not in ``enum``."""
    for ch in _ALPHABET if value_class != "N" else "0123456789":
        candidate = (value[:-1] + ch) if value else ch
        if candidate not in enum and candidate != value:
            return candidate
    return None


def _semantic(path: tuple[str, ...], value: Any) -> Iterator[tuple[str, Any]]:
    """Value rules beyond class and length: real date-times, amounts above zero, msgID parts."""
    if not isinstance(value, str):
        return
    if value.isdigit() and len(value) == 14:
        yield "calendar", value[:4] + "13" + value[6:]
    elif value.isdigit():
        yield "zero", "0" * len(value)
    if path[-1] == "msgID" and len(value) == 29:
        yield "calendar", value[:13] + "13" + value[15:]
        yield "prefix", ("U" if value[0] == "A" else "A") + value[1:]
        code = OTHER_INDUSTRY[0] if value[1:9] != OTHER_INDUSTRY[0] else OTHER_INDUSTRY[1]
        yield "industry", value[0] + code + value[9:]


def field_mutations(
    message: Mapping[str, Any], msg_type: str, kind: Kind = "request"
) -> list[FieldMutation]:
    """One mutation per rule kind per field of the schema of ``msg_type`` (type, lengths,
    value class, presence, enumeration, and the value rules of dates, amounts and msgID),
    plus forbidden fields and missing objects; only those the kit's own schema refuses."""
    found: list[FieldMutation] = []
    for rule in schemas.field_rules(msg_type, kind):
        path = rule.path
        current = _get(message, path)
        good = _GOOD_CHAR.get(rule.value_class, "A")
        sample = current if isinstance(current, str) else good * max(rule.min_length or 1, 1)
        found.append(
            FieldMutation(path, "type", int(sample) if sample.isdigit() and len(sample) < 16 else 1)
        )
        if rule.min_length:
            found.append(
                FieldMutation(path, "minLength", (sample * rule.min_length)[: rule.min_length - 1])
            )
        if rule.max_length is not None:
            found.append(FieldMutation(path, "maxLength", good * (rule.max_length + 1)))
        if rule.value_class in _BAD_CHAR:
            bad = _BAD_CHAR[rule.value_class]
            found.append(FieldMutation(path, "class", sample[:-1] + bad if sample else bad))
        if rule.presence == "M":
            found.append(FieldMutation(path, "required", remove=True))
        if rule.enum:
            other = _other_value(sample, rule.value_class, rule.enum)
            if other is not None:
                found.append(FieldMutation(path, "enum", other))
        found.extend(FieldMutation(path, name, value) for name, value in _semantic(path, current))
    for path in schemas.forbidden_fields(msg_type, kind):
        found.append(FieldMutation(path, "forbidden", "1" + "0" * 19))
    for container in ("trxInfo", "certificateSignature"):
        found.append(FieldMutation((container,), "required", remove=True))
    return [
        m
        for m in found
        if m.rule in _ALWAYS_INVALID or schemas.validate(m.apply(message), msg_type, kind)
    ]


# --- probes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    """What can be observed about a probe's transaction from outside the SUT."""

    kind: str  # inquiry | reversal-inquiry | contract-charge | signing | order | contract
    order_id: str = ""
    txn_time: str = ""
    contract_id: str = ""
    user_id: str = ""


@dataclass
class Probe:
    """A valid message the SUT would accept, from a live transaction."""

    msg_type: str
    trx: dict[str, Any]
    watch: Watch
    requirement: str = "TRN-06"  # what a plain send of it checks
    before: dict[str, str] = field(default_factory=dict)  # observations before the scenario
    held: dict[str, Any] | None = None  # a message kept for a later step (replay scenarios)
    accepted: bytes | None = None  # the bytes of the message once accepted


@dataclass(frozen=True)
class Sent:
    """One body the suite sent to the SUT, what it exercises, and the answer."""

    requirement: str
    what: str
    reply: Reply


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


@dataclass(frozen=True)
class LoginAttempt:
    status: int
    user_id: str
    logged_in: bool


@cache
def stranger_key() -> rsa.RSAPrivateKey:
    """A key no party knows (TEST ONLY), to sign with 'another key'."""
    key, _ = make_test_identity("ucsp-conformance stranger")
    return key


class ProbeFlow(BaseFlow):
    """Role-polymorphic probes of the SUT's receiving URL, and what it sends of its own."""

    def __init__(self, deployment: Deployment) -> None:
        super().__init__(deployment)
        self.payments = PaymentFlow(deployment)
        self._answer_types: dict[bytes, str] = {}  # Content-Type of answers, by body sent

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
        target = self.d.target
        return target.ucsp.gateway_url if self.role == "ucsp" else target.industry.notice_url

    def sut_certs(self) -> dict[str, Any]:
        keys = self.d.target.keys
        pair = keys.ucsp_sign if self.sut is Party.UCSP else keys.industry_sign
        return {pair.cert_id: pair.cert}

    def receiver(self) -> Receiver:
        return Receiver(self.sut, self.sut_certs(), self.profile)

    def now(self) -> datetime:
        return self.d.clock.now()

    # --- building messages ---------------------------------------------------------------

    def own_cert_fields(self) -> dict[str, str]:
        return {CERT_ID_FIELD[self.codec.party]: self.codec.identity.cert_id}

    def message(self, probe: Probe, msg_info: dict[str, Any] | None = None) -> dict[str, Any]:
        """The probe's message with a fresh msgInfo and the placeholder signature."""
        info = msg_info or self.codec.msg_info(probe.msg_type, self.industry_code)
        body = build_request(info, copy.deepcopy(probe.trx))
        return with_cert_fields(body, self.own_cert_fields(), self.profile.placeholder)

    def msg_info_at(
        self, msg_type: str, moment: datetime, industry_code: str | None = None
    ) -> dict[str, str]:
        return build_msg_info(
            msg_type, industry_code or self.industry_code, self.codec.party, moment, self.profile
        )

    def signer(self, key: rsa.RSAPrivateKey | None = None) -> Signer:
        chosen = key or self.codec.identity.key
        return lambda raw: sign_raw(raw, chosen, self.profile)

    def sign(self, message: Mapping[str, Any], key: rsa.RSAPrivateKey | None = None) -> bytes:
        """Signed compact bytes; a message whose signature is not the placeholder (a broken
        signature field) or that has no certificateSignature is sent as it is."""
        fields = message.get("certificateSignature")
        if not isinstance(fields, dict) or fields.get("signature") != self.profile.placeholder:
            return compact(message)
        return self.signer(key)(compact(message))

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
        self._answer_types[body] = reply.content_type or ""
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

    # --- probes ----------------------------------------------------------------------------

    async def valid(self, msg_type: str | None = None) -> Probe:
        """A message of ``msg_type`` (default: the SUT's simplest) the SUT would accept."""
        chosen = msg_type or DEFAULT_PROBE[self.sut]
        if chosen not in received_types(self.sut):
            raise ConfigError(f"a {self.role} under test does not receive {chosen} messages")
        builder: Callable[[], Any] = getattr(self, "_probe_" + chosen.lower())
        probe: Probe = await builder()
        probe.before = await self.observe(probe)
        return probe

    async def about_unknown_transaction(self) -> Probe:
        """A valid message about a transaction the SUT does not know (answered 34)."""
        if self.role == "ucsp":
            order_id, txn_time = self.industry_peer.new_order_id(), self._txn_time()
            probe = Probe(
                "PAYMENT_RESULT_INQUIRY",
                {"orderId": order_id, "txnTime": txn_time},
                Watch("inquiry", order_id, txn_time),
            )
        else:
            order_id = self._order_id()
            trx = self._payment_notice_trx(order_id, PROBE_AMOUNT, PROBE_CURRENCY, self._txn_time())
            probe = Probe("PAYMENT_RESULT_NOTICE", trx, Watch("order", order_id))
        probe.requirement = "TRN-04"
        probe.before = await self.observe(probe)
        return probe

    def _txn_time(self) -> str:
        return format_time(self.now(), self.profile)

    def _order_id(self) -> str:
        return "P" + format_time(self.now(), self.profile) + secrets.token_hex(6).upper()

    def _base_trx(self) -> dict[str, str]:
        info = self.d.target.industry
        return {
            "merId": info.mer_id,
            "acqIIN": info.acq_iin,
            "txnAmt": PROBE_AMOUNT,
            "currencyCode": PROBE_CURRENCY,
            "txnTime": self._txn_time(),
        }

    # UCSP under test: the eight gateway requests

    async def _probe_submit_payment_order(self) -> Probe:
        trx = {"orderId": self.industry_peer.new_order_id(), **self._base_trx()}
        return Probe("SUBMIT_PAYMENT_ORDER", trx, Watch("inquiry", trx["orderId"], trx["txnTime"]))

    async def _probe_payment_result_inquiry(self) -> Probe:
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self._require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.exchange)
        trx = {"orderId": order.order_id, "txnTime": order.txn_time}
        return Probe(
            "PAYMENT_RESULT_INQUIRY", trx, Watch("inquiry", order.order_id, order.txn_time)
        )

    async def _probe_sign_auto_debit(self) -> Probe:
        user = self.d.target.ucsp.user_id
        return Probe("SIGN_AUTO_DEBIT", self._signing_trx(user), Watch("signing", user_id=user))

    async def _probe_close_auto_debit(self) -> Probe:
        contract_id, user = await self._active_contract()
        trx = {"contractId": contract_id, "userId": user}
        return Probe("CLOSE_AUTO_DEBIT", trx, Watch("contract-charge", contract_id=contract_id))

    async def _probe_submit_auto_debit(self) -> Probe:
        contract_id, _ = await self._active_contract()
        trx = {
            "contractId": contract_id,
            "orderId": self.industry_peer.new_order_id(),
            **self._base_trx(),
        }
        return Probe("SUBMIT_AUTO_DEBIT", trx, Watch("inquiry", trx["orderId"], trx["txnTime"]))

    async def _probe_payment_cancellation(self) -> Probe:
        query_id, amount = await self._paid_payment()
        trx = {
            "orderId": self.industry_peer.new_order_id(),
            "txnTime": self._txn_time(),
            "origQryId": query_id,
            "txnAmt": amount,
        }
        watch = Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        return Probe("PAYMENT_CANCELLATION", trx, watch)

    async def _probe_payment_refund(self) -> Probe:
        query_id, _ = await self._paid_payment()
        trx = {
            "orderId": self.industry_peer.new_order_id(),
            "txnTime": self._txn_time(),
            "origQryId": query_id,
            "txnAmt": REFUND_AMOUNT,
        }
        return Probe(
            "PAYMENT_REFUND", trx, Watch("reversal-inquiry", trx["orderId"], trx["txnTime"])
        )

    async def _probe_refund_result_inquiry(self) -> Probe:
        refund = await self._probe_payment_refund()
        exchange = await self.industry_peer.request("PAYMENT_REFUND", refund.trx)
        self._require(exchange.code == "00", "PAYMENT_REFUND", exchange.code, exchange)
        # A refund answered 00 is notified right after its answer (PROTOCOL.md section 8):
        # that notice belongs to the set-up, so the "before" observation must include it.
        await self.payments.wait_notices("PAYMENT_RESULT_NOTICE", orderId=refund.trx["orderId"])
        trx = {"orderId": refund.trx["orderId"], "txnTime": refund.trx["txnTime"]}
        return Probe("REFUND_RESULT_INQUIRY", trx, refund.watch)

    def _signing_trx(self, user: str) -> dict[str, str]:
        notice_url = self.d.target.industry.notice_url
        return {
            "merId": self.d.target.industry.mer_id,
            "userId": user,
            "frontUrl": urljoin(notice_url, "front"),
            "backUrl": notice_url,
        }

    async def _active_contract(self) -> tuple[str, str]:
        """Sign an auto-debit agreement (SIGN_AUTO_DEBIT, then the signing hook with 00)."""
        user = self.d.target.ucsp.user_id
        exchange = await self.industry_peer.request("SIGN_AUTO_DEBIT", self._signing_trx(user))
        self._require(exchange.code == "00", "SIGN_AUTO_DEBIT", exchange.code, exchange)
        assert self.d.http is not None
        answer = await self.d.http.post(
            str(exchange.trx_info.get("signUrl")), data={"result": "00"}
        )
        location = answer.headers.get("location", "")
        values = parse_qs(urlsplit(location).query).get("contractId", [])
        ensure(
            answer.status_code == 302 and bool(values),
            "AD-04",
            f"setting up the probe: the signing hook answered HTTP {answer.status_code} "
            "without a contractId",
        )
        return values[0], user

    async def _paid_payment(self) -> tuple[str, str]:
        """A payment paid at the cashier: its queryId (from the notice) and amount."""
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self._require(order.code == "00", "SUBMIT_PAYMENT_ORDER", order.code, order.exchange)
        await self.payments.pay(order, "00")
        notices = await self.payments.notices(order)
        query_id = trx_of(notices[0]).get("queryId") if notices else None
        ensure(
            isinstance(query_id, str),
            "PAY-05",
            "setting up the probe: no result notice with a queryId for the order",
        )
        assert isinstance(query_id, str)
        return query_id, order.txn_amt

    # Industry Service under test: the two notices

    def _payment_notice_trx(
        self, order_id: str, amount: str, currency: str, txn_time: str
    ) -> dict[str, str]:
        return {
            "orderId": order_id,
            "txnType": "PAYMENT",
            "queryId": "Q" + secrets.token_hex(12).upper(),
            "txnAmt": amount,
            "currencyCode": currency,
            "txnTime": txn_time,
            "txnStatus": "00",
        }

    async def _probe_payment_result_notice(self) -> Probe:
        order = await self.payments.submit_order(PROBE_AMOUNT, PROBE_CURRENCY)
        self._require(
            order.code == "00" and bool(order.order_id), "SUBMIT_PAYMENT_ORDER", order.code
        )
        trx = self._payment_notice_trx(
            order.order_id, PROBE_AMOUNT, PROBE_CURRENCY, order.txn_time or self._txn_time()
        )
        return Probe("PAYMENT_RESULT_NOTICE", trx, Watch("order", order.order_id))

    async def _probe_sign_auto_debit_notice(self) -> Probe:
        user = "U" + secrets.token_hex(8).upper()
        answer = await self.harness.sign(user)
        self._require(
            answer.data.get("responseCode") == "00",
            "SIGN_AUTO_DEBIT",
            answer.data.get("responseCode"),
        )
        contract_id = "C" + secrets.token_hex(12).upper()
        trx = {"contractId": contract_id, "userId": user, "signStatus": "00"}
        return Probe(
            "SIGN_AUTO_DEBIT_NOTICE", trx, Watch("contract", contract_id=contract_id, user_id=user)
        )

    @staticmethod
    def _require(ok: bool, what: str, code: Any, exchange: Exchange | None = None) -> None:
        """Setting up the probe needs ``what`` accepted: a SUT that refuses it fails here."""
        if exchange is not None:
            check_valid_answer(exchange)
        ensure(ok, "TRN-06", f"setting up the probe: a valid {what} was answered {code!r}, not 00")

    # --- observations --------------------------------------------------------------------

    async def observe(self, probe: Probe) -> dict[str, str]:
        """What can be seen of the probe's transaction from outside the SUT, now."""
        watch, seen = probe.watch, {}
        if watch.kind == "inquiry":
            seen["inquiry"] = await self._inquire("PAYMENT_RESULT_INQUIRY", watch)
        elif watch.kind == "reversal-inquiry":
            seen["inquiry"] = await self._inquire("REFUND_RESULT_INQUIRY", watch)
        elif watch.kind == "contract-charge":
            seen["charge"] = await self._charge(watch.contract_id)
        elif watch.kind == "order":
            seen["order"] = await self._harness_status(f"/harness/orders/{watch.order_id}")
        elif watch.kind == "contract":
            seen["contract"] = await self._harness_status(f"/harness/contracts/{watch.contract_id}")
        if self.role == "ucsp":
            seen["notices"] = str(len(self._notices_about(watch)))
        else:
            seen["requests"] = str(len(self._requests_about(watch)))
        return seen

    async def _inquire(self, msg_type: str, watch: Watch) -> str:
        exchange = await self.industry_peer.request(
            msg_type, {"orderId": watch.order_id, "txnTime": watch.txn_time}
        )
        if not exchange.ok:
            return f"no valid answer ({exchange.error_kind})"
        status = exchange.trx_info.get("txnStatus")
        return f"code {exchange.code}" + (f", txnStatus {status}" if status else "")

    async def _charge(self, contract_id: str) -> str:
        """A declined charge (sandbox amount 01): 01 while the contract is active, 36 once
        closed; it changes nothing else."""
        trx = {
            "contractId": contract_id,
            "orderId": self.industry_peer.new_order_id(),
            **self._base_trx(),
            "txnAmt": DECLINED_AMOUNT,
        }
        exchange = await self.industry_peer.request("SUBMIT_AUTO_DEBIT", trx)
        return (
            f"code {exchange.code}" if exchange.ok else f"no valid answer ({exchange.error_kind})"
        )

    async def _harness_status(self, path: str) -> str:
        answer = await self.harness.call("GET", path, expect_ok=False)
        if answer.status != 200:
            return f"HTTP {answer.status}"
        return str(answer.data.get("status"))

    @staticmethod
    def _mentions(trx: Mapping[str, Any], watch: Watch) -> bool:
        pairs = (
            ("orderId", watch.order_id),
            ("contractId", watch.contract_id),
            ("userId", watch.user_id),
        )
        return any(value and trx.get(name) == value for name, value in pairs)

    def _notices_about(self, watch: Watch) -> list[Any]:
        return [
            e
            for e in self.d.peer_journal.select(direction="in")
            if e.msg_type in NOTICE_TYPES and self._mentions(trx_of(e), watch)
        ]

    def _requests_about(self, watch: Watch) -> list[Any]:
        return [
            e
            for e in self.d.peer_journal.select(direction="in")
            if e.msg_type in GATEWAY_TYPES and self._mentions(trx_of(e), watch)
        ]

    # --- what the SUT sent ---------------------------------------------------------------

    def sent_by_sut(self) -> list[SutMessage]:
        """Every message the SUT sent in this scenario, from the suite's journal."""
        found: list[SutMessage] = []
        for item in self.d.peer_journal.entries:
            if self.role == "ucsp":
                if item.direction == "out" and item.response:
                    found.append(
                        SutMessage(
                            "response",
                            item.msg_type,
                            item.response,
                            item.wall,
                            item.request,
                            item.status,
                            content_type=self._answer_type(item.request),
                        )
                    )
                elif item.direction == "in" and item.msg_type in NOTICE_TYPES:
                    seen = self.industry_peer.received_as(item.request)
                    found.append(
                        SutMessage(
                            "request",
                            item.msg_type,
                            item.request,
                            item.wall,
                            method=seen.method if seen else None,
                            content_type=seen.content_type if seen else None,
                        )
                    )
            elif item.direction == "in" and (item.msg_type in GATEWAY_TYPES or item.status != 200):
                # the suite's UCSP refuses a non-POST (405) or a non-JSON body (415)
                method, content_type = self.ucsp_peer.received_as(item.request) or (None, None)
                found.append(
                    SutMessage(
                        "request",
                        item.msg_type,
                        item.request,
                        item.wall,
                        status=item.status,
                        method=method,
                        content_type=content_type,
                    )
                )
            elif item.direction == "out" and item.response is not None:
                found.append(
                    SutMessage(
                        "response",
                        item.msg_type,
                        item.response,
                        item.wall,
                        item.request,
                        item.status,
                        content_type=self._answer_types.get(item.request)
                        or self.ucsp_peer.answer_content_type(item.request),
                    )
                )
        return found

    def _answer_type(self, request: bytes) -> str | None:
        return self._answer_types.get(request) or self.industry_peer.answer_content_type(request)

    # --- login (an Industry Service under test) ------------------------------------------

    async def login_beyond_skew(self, direction: int) -> LoginAttempt:
        """A login stamped beyond the allowed clock skew (direction -1 past, +1 future)."""
        return await self.login_at(self.now() + self.skew_offset() * direction)

    def skew_offset(self) -> timedelta:
        return timedelta(seconds=self.profile.skew_seconds + SKEW_MARGIN_SECONDS)

    async def login_at(self, moment: datetime) -> LoginAttempt:
        """The user arrives at INDUSTRY_INDEX_URL with an INDUSTRY_LOGIN_INFO stamped ``moment``."""
        keys, info = self.d.target.keys, self.d.target.industry
        user = "L" + secrets.token_hex(8).upper()
        trx = {
            "channelCode": info.channel_code,
            "mobile": encrypt_field(
                keys.industry_enc.cert, self.d.target.ucsp.mobile, self.profile.encryption_mode
            ),
            "userId": user,
        }
        message = build_request(self.msg_info_at(LOGIN_TYPE, moment), trx)
        signed = self.codec.sign(message, {ENC_CERT_ID_FIELD: keys.industry_enc.cert_id})
        if self.profile.request_data_encoding is RequestDataEncoding.BASE64URL:
            value = quote(base64.urlsafe_b64encode(signed).decode("ascii"), safe="")
        else:
            value = quote(signed.decode("utf-8"), safe="")
        separator = "&" if "?" in info.index_url else "?"
        assert self.d.http is not None
        answer = await self.d.http.get(f"{info.index_url}{separator}request_data={value}")
        return LoginAttempt(answer.status_code, user, await self.harness.session(user))

    # --- variants of a probe's message ---------------------------------------------------

    def skewed(self, probe: Probe, direction: int) -> dict[str, Any]:
        """The message stamped beyond the allowed clock skew (direction -1 past, +1 future)."""
        moment = self.now() + self.skew_offset() * direction
        return self.message(probe, self.msg_info_at(probe.msg_type, moment))

    def naming_other_industry(self, probe: Probe) -> dict[str, Any]:
        code = OTHER_INDUSTRY[0] if self.industry_code != OTHER_INDUSTRY[0] else OTHER_INDUSTRY[1]
        return self.message(probe, self.msg_info_at(probe.msg_type, self.now(), code))

    def as_type(self, probe: Probe, kind: str) -> dict[str, Any]:
        """The message re-typed: a name no interface has, or a type the SUT does not serve."""
        message = self.message(probe)
        message["msgInfo"]["msgType"] = {
            "a type no interface has": UNKNOWN_MSG_TYPE,
            "a type meant for the other party": next(
                t.name for t in MESSAGE_TYPES.values() if t.sender is self.sut and t.has_response
            ),
            "the login message type": LOGIN_TYPE,
        }[kind]
        return message

    def carrying(self, probe: Probe, variation: str) -> bytes:
        """Variations a receiver must ignore: unknown fields, key order, the other cert ID."""
        message = self.message(probe)
        if variation == "an unknown field in every object":
            for part in ("msgInfo", "trxInfo", "certificateSignature"):
                message[part] = {"extensionField": "ignored", **message[part]}
            message = {"extensionObject": {"note": "ignored"}, **message}
        elif variation == "its keys in reverse order":
            return self.sign_text(serialise(message, reverse=True))
        elif variation == "the other party's cert ID":
            other = CERT_ID_FIELD[self.sut]
            message["certificateSignature"] = {
                other: next(iter(self.sut_certs())),
                **message["certificateSignature"],
            }
        else:
            raise KeyError(f"unknown variation {variation!r}")
        return self.sign(message)

    def without_mandatory_field(self, probe: Probe) -> dict[str, Any]:
        """The message without its first mandatory trxInfo field (a schema violation)."""
        message = self.message(probe)
        rule = next(
            r
            for r in schemas.field_rules(probe.msg_type, "request")
            if r.path[0] == "trxInfo" and r.presence == "M"
        )
        message["trxInfo"].pop(rule.path[1], None)
        return message

    def mutations(self, probe: Probe) -> list[FieldMutation]:
        base = self.message(probe)
        errors = schemas.validate(base, probe.msg_type, "request")
        if errors:
            raise ConfigError(f"the probe {probe.msg_type} breaks its own schema: {errors[0]}")
        return field_mutations(base, probe.msg_type)

    def padded(self, probe: Probe, size: int) -> bytes:
        """The message with an unknown trxInfo field making the signed body ``size`` bytes."""
        message = self.message(probe)
        message["trxInfo"]["padding"] = ""
        length = len(self.sign(message))
        if length > size:
            raise ConfigError(f"the probe message alone is {length} bytes, over {size}")
        message["trxInfo"]["padding"] = "x" * (size - length)
        body = self.sign(message)
        assert len(body) == size, (len(body), size)
        return body

    def nested_to(self, probe: Probe, depth: int) -> bytes:
        message = self.message(probe)
        message["trxInfo"]["nesting"] = depth_filler(depth)
        return self.sign(message)

    def hostile(self, probe: Probe, name: str) -> tuple[str, bytes]:
        recipe = HOSTILE[name]
        return recipe.requirement, recipe.build(self.message(probe), self.signer())

    def non_canonical(self, probe: Probe, style: str) -> bytes:
        return self.sign_text(NON_CANONICAL[style](self.message(probe)))

    def corrupted(self, probe: Probe, corruption: str) -> bytes:
        """The message with its signature broken in one of the ways of SEC-02."""
        message = self.message(probe)
        if corruption == "content-changed":
            return change_msg_id(self.sign(message))
        if corruption == "foreign-key":
            return self.sign(message, stranger_key())
        if corruption == "not-base64":
            signed = self.sign(message)
            start, end = signature_span(signed)
            return replace_signature(signed, "*" + signed[start + 1 : end].decode("ascii"))
        if corruption == "unknown-cert-id":
            unknown = {CERT_ID_FIELD[self.codec.party]: f"9{secrets.randbelow(10**30):030d}"}
            return self.sign(with_cert_fields(message, unknown, self.profile.placeholder))
        raise KeyError(f"unknown signature corruption {corruption!r}")


__all__ = [
    "HOSTILE",
    "NON_CANONICAL",
    "FieldMutation",
    "Probe",
    "ProbeFlow",
    "Sent",
    "SutMessage",
    "field_mutations",
    "received_types",
]
