"""The notice URL: PAYMENT_RESULT_NOTICE and SIGN_AUTO_DEBIT_NOTICE (PROTOCOL.md 5, 6, 8).

The receive pipeline of :mod:`ucsp.sim.pipeline`: HTTP (405, 415, 413), ``parse``, ``type``
and ``format`` (10), ``certificates`` and ``signature`` (11), ``industry`` (99), ``replay``
(99, when the profile checks it), then the business rules. The notice faults that are about
a stage change it (:mod:`ucsp.sim.industry.stage_faults`). Every protocol answer is HTTP 200,
signed with the industry signing key and echoing the notice's msgInfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ucsp.codec import Decoded
from ucsp.codes import ResponseCode
from ucsp.envelope import build_msg_info, build_response, echoable_msg_info, fallback_msg_info
from ucsp.errors import MalformedMessage, UcspError
from ucsp.journal import JournalEntry
from ucsp.messages import NOTICE_TYPES, Party
from ucsp.sim.industry.receiver import Receiver
from ucsp.sim.industry.receiver import text_field as _s
from ucsp.sim.industry.stage_faults import INDUSTRY, TYPE, notice_faults
from ucsp.sim.industry.store import Order, Status
from ucsp.sim.pipeline import (
    CERTIFICATES,
    FORMAT,
    SIGNATURE,
    Answers,
    Message,
    Pipeline,
    Refused,
    nothing,
    signature_stage,
)
from ucsp.sim.store_base import ContractStatus, TxnKind
from ucsp.transport import protocol_response, read_protocol_body


@dataclass(frozen=True)
class Verdict:
    code: ResponseCode
    detail: str | None = None


OK = Verdict(ResponseCode.APPROVED)


def _amount(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


@dataclass(eq=False, kw_only=True)
class NoticeReceiver(Receiver):
    industry_code: str

    def __post_init__(self) -> None:
        super().__post_init__()
        replay = self.replay_stage("msgID already seen (replay)")
        self.pipeline = Pipeline(
            self._parse,
            [
                (TYPE, _check_type),
                (FORMAT, self._check_format),
                (CERTIFICATES, nothing),
                (SIGNATURE, signature_stage(self.codec)),
                (INDUSTRY, self._check_industry),
            ],
            replay,
            answers=Answers(sign=self.codec.sign),
        ).apply(self.faults, notice_faults(self))

    # --- HTTP ------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        elapsed = self.clock.elapsed()
        body = await read_protocol_body(request, self.profile.max_body_bytes)
        if isinstance(body, Response):
            self._record(str(request.url), "", b"", body.status_code, None, None, elapsed)
            return body
        msg_info, msg_type, verdict = self.process(body)
        answer = self.answer(msg_info, msg_type, verdict)
        status = self.pipeline.answers.status(verdict.code)
        self._record(str(request.url), msg_type, body, status, answer, verdict.code, elapsed)
        response = protocol_response(answer)
        response.status_code = status
        return response

    def _record(
        self,
        url: str,
        msg_type: str,
        raw: bytes,
        status: int,
        answer: bytes | None,
        code: str | None,
        elapsed: float,
    ) -> None:
        self.journal.record(
            JournalEntry("in", msg_type, url, raw, status, answer, elapsed, self.clock.now(), code)
        )

    # --- the pipeline ---------------------------------------------------------------

    def process(self, raw: bytes) -> tuple[dict[str, Any], str, Verdict]:
        """(msgInfo to echo, msgType as read, verdict) for one notice body."""
        try:
            decoded, verdict = self.pipeline.run(raw, self._business)
        except Refused as refused:
            if refused.message is None:
                info = echoable_msg_info(raw, self.profile) or self.fresh_msg_info("UNKNOWN")
                return info, _s(info, "msgType"), Verdict(refused.error.code, refused.error.reason)
            decoded = refused.message.decoded
            verdict = Verdict(refused.error.code, refused.error.reason)
            if self.faults:
                self._refused(decoded)
        info = fallback_msg_info(
            decoded.message, Party.INDUSTRY, self.industry_code, self.clock.now(), self.profile
        )
        return info, decoded.msg_type, verdict

    def fresh_msg_info(self, msg_type: str) -> dict[str, Any]:
        return build_msg_info(
            msg_type, self.industry_code, Party.INDUSTRY, self.clock.now(), self.profile
        )

    def _check_format(self, message: Message) -> None:
        self.codec.check_format(message.decoded)

    def _check_industry(self, message: Message) -> None:
        if _s(message.decoded.msg_info, "industryCode") != self.industry_code:
            raise UcspError("industryCode is not this industry's")

    def _business(self, message: Message) -> tuple[Decoded, Verdict]:
        decoded = message.decoded
        if decoded.msg_type == "SIGN_AUTO_DEBIT_NOTICE":
            return decoded, self._sign_notice(decoded.trx_info)
        return decoded, self._payment_notice(decoded.trx_info)

    # --- business rules --------------------------------------------------------------

    def _payment_notice(self, trx: dict[str, Any]) -> Verdict:
        order = self.store.order(_s(trx, "orderId"))
        if order is None:
            if "notice-ignores-unknown-order" in self.faults:
                return OK
            return Verdict(ResponseCode.NOT_FOUND, "orderId unknown to this Industry Service")
        succeeded = _s(trx, "txnStatus") == ResponseCode.APPROVED
        query_id = _s(trx, "queryId") or None
        if order.status is not Status.PENDING:
            if "notice-overrides-final-status" in self.faults:
                self.store.settle(order.order_id, succeeded, query_id, force=True)
            elif succeeded and "notice-duplicate-processed-twice" in self.faults:
                self.store.settle(order.order_id, True, query_id, effects_again=True)
            return OK
        mismatch = self._mismatch(order, trx)
        if mismatch is not None:
            return Verdict(ResponseCode.INCORRECT, mismatch)
        self.store.settle(order.order_id, succeeded, query_id)
        return OK

    def _mismatch(self, order: Order, trx: dict[str, Any]) -> str | None:
        checks: list[tuple[str, bool]] = [
            ("notice-ignores-txn-type", _s(trx, "txnType") != order.kind.value),
            ("notice-ignores-amount-mismatch", _amount(_s(trx, "txnAmt")) != order.amount),
            ("notice-ignores-currency-mismatch", _s(trx, "currencyCode") != order.currency_code),
        ]
        if order.kind.is_reversal:
            original = self.store.order(order.orig_order_id or "")
            expected = original.query_id if original is not None else None
            checks.append(("notice-ignores-orig-qry-id", _s(trx, "origQryId") != expected))
        if order.kind is TxnKind.AUTO_DEBIT:
            checks.append(
                ("notice-ignores-contract-id", _s(trx, "contractId") != order.contract_id)
            )
        names = {
            "notice-ignores-txn-type": "txnType is not the order's kind",
            "notice-ignores-amount-mismatch": "txnAmt differs from the order's",
            "notice-ignores-currency-mismatch": "currencyCode differs from the order's",
            "notice-ignores-orig-qry-id": "origQryId is not the original's queryId",
            "notice-ignores-contract-id": "contractId is not the order's",
        }
        for fault, differs in checks:
            if differs and fault not in self.faults:
                return names[fault]
        return None

    def _sign_notice(self, trx: dict[str, Any]) -> Verdict:
        user_id, contract_id = _s(trx, "userId"), _s(trx, "contractId")
        if (
            not self.store.signing_requested(user_id)
            and "sign-notice-accepts-unsolicited" not in self.faults
        ):
            return Verdict(ResponseCode.NOT_FOUND, "this userId was never asked to sign")
        signed = _s(trx, "signStatus") == ResponseCode.APPROVED
        status = ContractStatus.ACTIVE if signed else ContractStatus.DECLINED
        if self.faults and self._contract_fault(contract_id, user_id, status):
            return OK
        take_over = "sign-notice-ignores-contract-owner" in self.faults
        result = self.store.record_contract(contract_id, user_id, status, take_over=take_over)
        if result == "other-user":
            return Verdict(ResponseCode.INCORRECT, "contractId belongs to another user")
        return OK

    def _contract_fault(self, contract_id: str, user_id: str, status: ContractStatus) -> bool:
        """Fault: what a contract fault makes a signing notice saying ``status`` do to the
        user's recorded contract instead of the rule; whether one applied."""
        known = self.store.contract(contract_id)
        if known is None or known.user_id != user_id:
            return False
        pending, closed = ContractStatus.PENDING, ContractStatus.CLOSED
        if known.status is pending and "sign-notice-ignores-front-url-contract" in self.faults:
            return True
        reopens = known.status is closed and status is ContractStatus.ACTIVE
        overwrites = known.status not in (pending, status)
        if (reopens and "sign-notice-reopens-closed" in self.faults) or (
            overwrites and "sign-notice-overwrites-status" in self.faults
        ):
            self.store.set_contract_status(contract_id, status)
            return True
        return False

    def _refused(self, decoded: Decoded) -> None:
        """Fault: a signing notice answered with an error records its contract as DECLINED
        (the rule: an answer 10 or 11 has no business effect)."""
        if (
            "sign-notice-declines-on-error" in self.faults
            and decoded.msg_type == "SIGN_AUTO_DEBIT_NOTICE"
        ):
            trx = decoded.trx_info
            user_id, contract_id = _s(trx, "userId"), _s(trx, "contractId")
            if contract_id and self.store.signing_requested(user_id):
                self.store.record_contract(contract_id, user_id, ContractStatus.DECLINED)

    # --- the answer ------------------------------------------------------------------

    def answer(self, msg_info: dict[str, Any], msg_type: str, verdict: Verdict) -> bytes:
        """The signed answer bytes (or the faulty variant a fault asks for)."""
        answers = self.pipeline.answers
        message = build_response(answers.echo(msg_info, msg_type), {}, verdict.code, verdict.detail)
        return answers.sign(message)


def _check_type(message: Message) -> None:
    msg_type = message.decoded.msg_type
    if msg_type not in NOTICE_TYPES:
        raise MalformedMessage(f"msgType {msg_type!r} is not a notice")
