"""The notice URL: PAYMENT_RESULT_NOTICE and SIGN_AUTO_DEBIT_NOTICE (PROTOCOL.md 5, 6, 8).

Checks in order: HTTP (405, 415, 413), format (10), signature (11), industryCode (99),
replay (99, when the profile checks it), then the business rules. Every protocol answer is
HTTP 200, signed with the industry signing key and echoing the notice's msgInfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ucsp.clock import Clock
from ucsp.codec import Codec, Decoded, error_code
from ucsp.codes import ResponseCode
from ucsp.crypto import Identity, serialise_with_placeholder, sign_message
from ucsp.envelope import (
    CERT_ID_FIELD,
    build_msg_info,
    build_response,
    echoable_msg_info,
    fallback_msg_info,
)
from ucsp.errors import MalformedMessage, UcspError
from ucsp.journal import Journal, JournalEntry
from ucsp.messages import NOTICE_TYPES, Party
from ucsp.sim.faults import FaultSet
from ucsp.sim.industry.store import ContractStatus, Kind, Order, Status, Store
from ucsp.transport import protocol_response, read_protocol_body


@dataclass(frozen=True)
class Verdict:
    code: ResponseCode
    detail: str | None = None


OK = Verdict(ResponseCode.APPROVED)


def _s(info: dict[str, Any], key: str) -> str:
    value = info.get(key)
    return value if isinstance(value, str) else ""


def _amount(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


class NoticeReceiver:
    def __init__(
        self,
        *,
        codec: Codec,
        enc_identity: Identity,
        store: Store,
        industry_code: str,
        clock: Clock,
        faults: FaultSet,
        journal: Journal,
    ) -> None:
        self.codec = codec
        self.enc_identity = enc_identity
        self.store = store
        self.industry_code = industry_code
        self.clock = clock
        self.faults = faults
        self.journal = journal
        self.profile = codec.profile

    # --- HTTP ------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        elapsed = self.clock.elapsed()
        body = await read_protocol_body(request, self.profile.max_body_bytes)
        if isinstance(body, Response):
            self._record(str(request.url), "", b"", body.status_code, None, None, elapsed)
            return body
        msg_info, msg_type, verdict = self.process(body)
        answer = self.answer(msg_info, msg_type, verdict)
        status = 200
        if verdict.code is not ResponseCode.APPROVED and "notice-answer-http-error" in self.faults:
            status = 400
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

    # --- checks ----------------------------------------------------------------------

    def process(self, raw: bytes) -> tuple[dict[str, Any], str, Verdict]:
        """(msgInfo to echo, msgType as read, verdict) for one notice body."""
        try:
            decoded = self.codec.parse(raw, "request")
        except MalformedMessage as exc:
            info = echoable_msg_info(raw, self.codec.profile) or self._fresh_msg_info("UNKNOWN")
            msg_type = _s(info, "msgType")
            return info, msg_type, Verdict(ResponseCode.FORMAT_INVALID, exc.reason)
        info = fallback_msg_info(
            decoded.message, Party.INDUSTRY, self.industry_code, self.clock.now(), self.profile
        )
        return info, decoded.msg_type, self._verdict(decoded)

    def _fresh_msg_info(self, msg_type: str) -> dict[str, Any]:
        return build_msg_info(
            msg_type, self.industry_code, Party.INDUSTRY, self.clock.now(), self.profile
        )

    def _verdict(self, decoded: Decoded) -> Verdict:
        if decoded.msg_type not in NOTICE_TYPES:
            return Verdict(
                ResponseCode.FORMAT_INVALID, f"msgType {decoded.msg_type!r} is not a notice"
            )
        try:
            if "notice-skips-format-check" not in self.faults:
                self.codec.check_format(decoded)
            if "notice-skips-verification" not in self.faults:
                self.codec.check_signature(decoded, self._trusted(decoded))
        except UcspError as exc:
            return Verdict(error_code(exc), exc.reason)
        if (
            _s(decoded.msg_info, "industryCode") != self.industry_code
            and "notice-ignores-other-industry" not in self.faults
        ):
            return Verdict(ResponseCode.COMMON_ERROR, "industryCode is not this industry's")
        if self.profile.check_replay and not self.store.remember_msg_id(
            _s(decoded.msg_info, "msgID"),
            self.clock.now().timestamp(),
            self.profile.replay_window_seconds,
        ):
            return Verdict(ResponseCode.COMMON_ERROR, "msgID already seen (replay)")
        if decoded.msg_type == "SIGN_AUTO_DEBIT_NOTICE":
            return self._sign_notice(decoded.trx_info)
        return self._payment_notice(decoded.trx_info)

    def _trusted(self, decoded: Decoded) -> dict[str, Any] | None:
        if "notice-ignores-cert-id" not in self.faults:
            return None
        named = decoded.cert_fields.get(CERT_ID_FIELD[Party.UCSP])
        certs = list(self.codec.trusted.values())
        return {named: certs[0]} if isinstance(named, str) and certs else None

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
        if order.kind is Kind.AUTO_DEBIT:
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
        take_over = "sign-notice-ignores-contract-owner" in self.faults
        result = self.store.record_contract(contract_id, user_id, status, take_over=take_over)
        if result == "other-user":
            return Verdict(ResponseCode.INCORRECT, "contractId belongs to another user")
        return OK

    # --- the answer ------------------------------------------------------------------

    def answer(self, msg_info: dict[str, Any], msg_type: str, verdict: Verdict) -> bytes:
        """The signed answer bytes (or the faulty variant a fault asks for)."""
        if "notice-answer-no-echo" in self.faults:
            msg_info = self._fresh_msg_info(msg_type or "UNKNOWN")
        message = build_response(msg_info, {}, verdict.code, verdict.detail)
        if "notice-answer-unsigned" in self.faults:
            message["certificateSignature"] = {
                CERT_ID_FIELD[Party.INDUSTRY]: self.codec.identity.cert_id
            }
            return serialise_with_placeholder(message, self.profile.placeholder).encode("utf-8")
        if "notice-answer-wrong-key" in self.faults:
            message["certificateSignature"] = {
                CERT_ID_FIELD[Party.INDUSTRY]: self.codec.identity.cert_id,
                "signature": self.profile.placeholder,
            }
            return sign_message(
                message,
                self.enc_identity.key,
                self.profile.signature_mode,
                self.profile.placeholder,
            )
        return self.codec.sign(message)
