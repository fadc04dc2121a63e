"""The receive pipeline of the reference implementations (PROTOCOL.md 6, ARCHITECTURE.md).

One :class:`Pipeline` serves the UCSP gateway, the Industry Service's notice URL and its
login URL. After the HTTP checks (the caller's), a body goes through:

- ``parse``: strict JSON (code 10);
- the checks, in order, each a named stage: the format (10), the sender's certificates and
  the signature (11), then the receiver's own (the industryCode of a notice, the login's
  encryption certificate and mobile);
- ``replay``: the msgID record (99), after the signature so that forgeries cannot poison it;
- the business rules, inside the same store scope as the replay record.

A stage refuses by raising a :class:`~ucsp.errors.UcspError`, which the pipeline raises again
as :class:`Refused` naming the stage; the receiver turns that into its answer. Every stage is
held by name, so a fault replaces or wraps it (:meth:`Pipeline.apply` with a table of
:data:`Patch` by fault name) instead of testing its own name inside the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography import x509

from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded
from ucsp.codes import ResponseCode
from ucsp.envelope import CERT_ID_FIELD
from ucsp.errors import SignatureInvalid, UcspError
from ucsp.sim.faults import FaultSet
from ucsp.sim.replay import ReplayGuard

T = TypeVar("T")

PARSE = "parse"
FORMAT = "format"
CERTIFICATES = "certificates"
SIGNATURE = "signature"
REPLAY = "replay"


@dataclass
class Message:
    """One received message on its way through the stages; ``facts`` holds what a stage
    found for the later ones (the sender's certificates, its industry, a clear value)."""

    decoded: Decoded
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def certs(self) -> Mapping[str, x509.Certificate] | None:
        """The certificates to verify the signature with (None: the codec's trusted ones)."""
        certs: Mapping[str, x509.Certificate] | None = self.facts.get(CERTIFICATES)
        return certs


Parse = Callable[[bytes], Decoded]
Stage = Callable[[Message], None]
Patch = Callable[["Pipeline"], None]  # what a fault does to a pipeline


def _as_received(msg_info: dict[str, Any], msg_type: str) -> dict[str, Any]:
    return msg_info


def _same_code(code: ResponseCode) -> ResponseCode:
    return code


def _http_200(code: ResponseCode) -> int:
    return 200


@dataclass
class Answers:
    """The last stage, the signed answer, in parts a fault can replace: ``echo`` (the msgInfo
    answered for the one received, and its msgType), ``code`` (the code of a format
    refusal), ``sign`` (the answer's bytes) and ``status`` (its HTTP status, by code)."""

    sign: Callable[[dict[str, Any]], bytes]
    echo: Callable[[dict[str, Any], str], dict[str, Any]] = _as_received
    code: Callable[[ResponseCode], ResponseCode] = _same_code
    status: Callable[[ResponseCode], int] = _http_200


class Refused(Exception):
    """Stage ``stage`` refused the message (``message`` is None when it did not parse)."""

    def __init__(self, stage: str, error: UcspError, message: Message | None) -> None:
        super().__init__(error.reason)
        self.stage = stage
        self.error = error
        self.message = message


class Replayed(UcspError):
    """A msgID already seen from the same originator within the replay window (code 99)."""


def nothing(message: Message) -> None:
    """A stage that checks nothing (what a skipped stage becomes)."""


class Pipeline:
    """``parse``, the named checks in order, then ``replay`` and the business rules inside
    ``scope`` (a store transaction, or nothing); ``answers`` makes the signed answer."""

    def __init__(
        self,
        parse: Parse,
        checks: Iterable[tuple[str, Stage]],
        replay: Stage = nothing,
        scope: Callable[[], AbstractContextManager[object]] = nullcontext,
        answers: Answers | None = None,
    ) -> None:
        self.parse = parse
        self.stages: dict[str, Stage] = dict(checks)
        self.stages[REPLAY] = replay
        self.scope = scope
        self._answers = answers

    @property
    def answers(self) -> Answers:
        if self._answers is None:
            raise KeyError("this pipeline makes no signed answer")
        return self._answers

    # --- changing a stage (faults) ------------------------------------------------------

    def replace(self, name: str, stage: Stage) -> None:
        """Fault patch: ``stage`` instead of the stage ``name``."""
        if name not in self.stages:
            raise KeyError(f"no stage {name!r} in this pipeline")
        self.stages[name] = stage

    def wrap(self, name: str, wrapper: Callable[[Stage], Stage]) -> None:
        """Fault patch: the stage ``name`` wrapped by ``wrapper``."""
        self.replace(name, wrapper(self.stages[name]))

    def skip(self, name: str) -> None:
        """Fault patch: the stage ``name`` does nothing."""
        self.replace(name, nothing)

    def apply(self, faults: FaultSet, table: Mapping[str, Patch]) -> Pipeline:
        """Let every fault of ``table`` that is switched on change its stage."""
        for name, patch in table.items():
            if name in faults:
                patch(self)
        return self

    # --- running ------------------------------------------------------------------------

    def check(self, raw: bytes) -> Message:
        """Parse and run the checks before the replay record (raises :class:`Refused`)."""
        try:
            decoded = self.parse(raw)
        except UcspError as exc:
            raise Refused(PARSE, exc, None) from None
        message = Message(decoded)
        for name, stage in self.stages.items():
            if name == REPLAY:
                break
            self._run(name, stage, message)
        return message

    def run(self, raw: bytes, business: Callable[[Message], T]) -> T:
        """Every stage, then ``business`` (raises :class:`Refused` at the first refusal)."""
        message = self.check(raw)
        with self.scope():
            self._run(REPLAY, self.stages[REPLAY], message)
            return business(message)

    @staticmethod
    def _run(name: str, stage: Stage, message: Message) -> None:
        try:
            stage(message)
        except UcspError as exc:
            raise Refused(name, exc, message) from None


# --- stages and patches shared by the receivers ------------------------------------------


def signature_stage(codec: Codec) -> Stage:
    """Verify the signature over the raw bytes with the certificates found before."""

    def signature(message: Message) -> None:
        codec.check_signature(message.decoded, message.certs)

    return signature


def replay_stage(
    guard: ReplayGuard,
    clock: Clock,
    key: Callable[[Message], tuple[str, ...]],
    reason: str,
) -> Stage:
    """Refuse (:class:`Replayed`) a msgID ``guard`` has seen within its window."""

    def replay(message: Message) -> None:
        if guard.replayed(key(message), clock.now().timestamp()):
            raise Replayed(reason)

    return replay


def named_cert_id(message: Message, codec: Codec) -> Any:
    """The certificate ID the sender names in certificateSignature (any JSON value)."""
    return message.decoded.cert_fields.get(CERT_ID_FIELD[codec.party.peer])


def trust_any_cert_id(codec: Codec) -> Callable[[Stage], Stage]:
    """Wraps the certificates stage: whatever certificate ID is named, verify with the first
    trusted certificate (a fault)."""

    def wrapper(inner: Stage) -> Stage:
        def certificates(message: Message) -> None:
            inner(message)
            named = named_cert_id(message, codec)
            trusted = list(codec.trusted.values())
            ok = isinstance(named, str) and trusted
            message.facts[CERTIFICATES] = {named: trusted[0]} if ok else None

        return certificates

    return wrapper


def known_cert_only(codec: Codec) -> Stage:
    """A signature stage that only requires the named certificate ID to be known (a fault)."""

    def signature(message: Message) -> None:
        cert_id = named_cert_id(message, codec)
        certs = message.certs if message.certs is not None else codec.trusted
        if cert_id not in certs:
            field_name = CERT_ID_FIELD[codec.party.peer]
            raise SignatureInvalid("unknown-cert", f"{field_name} {cert_id} is unknown")

    return signature


def skipping(*names: str) -> Patch:
    """A patch skipping the stages ``names`` (a fault)."""

    def patch(pipeline: Pipeline) -> None:
        for name in names:
            pipeline.skip(name)

    return patch


def wrapping(name: str, wrapper: Callable[[Stage], Stage]) -> Patch:
    """A patch wrapping the stage ``name`` (a fault)."""

    def patch(pipeline: Pipeline) -> None:
        pipeline.wrap(name, wrapper)

    return patch


def replacing(name: str, stage: Stage) -> Patch:
    """A patch replacing the stage ``name`` (a fault)."""

    def patch(pipeline: Pipeline) -> None:
        pipeline.replace(name, stage)

    return patch


def answering(**parts: Callable[..., Any]) -> Patch:
    """A patch replacing parts of the signed answer (``echo``, ``code``, ``sign``,
    ``status``) (a fault)."""

    def patch(pipeline: Pipeline) -> None:
        for name, part in parts.items():
            setattr(pipeline.answers, name, part)

    return patch
