"""The business side of the reference UCSP: one method per operation, one transaction each.

Every method runs inside one :meth:`Store.tx` with no ``await``, so that parallel requests are
serialised by SQLite's write lock and never lose an update. Follow-ups that need time (notices,
the delayed success of a 05) are returned in the :class:`Outcome` for the caller to launch
after the answer has been sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ucsp.clock import Clock
from ucsp.codes import ResponseCode
from ucsp.envelope import TIME_FORMAT
from ucsp.profile import Profile
from ucsp.sim.faults import FaultSet
from ucsp.sim.store_base import ContractStatus
from ucsp.sim.ucsp import rules
from ucsp.sim.ucsp.registry import Industry, Registry
from ucsp.sim.ucsp.rules import Verdict
from ucsp.sim.ucsp.store import Contract, Store, Tx, Txn, TxnStatus

PAYMENT_NOTICE = "PAYMENT_RESULT_NOTICE"
SIGN_NOTICE = "SIGN_AUTO_DEBIT_NOTICE"
HOOK_RESULTS = ("00", "01")

# (tx, industry, msgType, trxInfo, base URL or fingerprint) -> the answer
Handler = Callable[[Tx, Industry, str, dict[str, Any], str], "Outcome"]


@dataclass
class Outcome:
    """The answer to one gateway request and what must follow it."""

    code: ResponseCode
    trx: dict[str, Any]
    reason: str = ""
    notices: list[int] = field(default_factory=list)  # notice IDs to deliver after the answer
    settle: list[tuple[str, str]] = field(default_factory=list)  # (industryCode, orderId)


@dataclass(frozen=True)
class HookResult:
    """Outcome of a sandbox hook (cashier or signing page)."""

    status: int  # 200, or 400 / 404 / 409
    error: str = ""
    txn: Txn | None = None
    contract: Contract | None = None
    notice_id: int | None = None


def _refused(msg_type: str, trx: dict[str, Any], verdict: Verdict) -> Outcome:
    return Outcome(verdict.code, rules.echoed(msg_type, trx), verdict.reason)


def _backurl(msg_type: str, trx: dict[str, Any], industry: Industry) -> str:
    """The request's backUrl where the message type has one, else the registered URL."""
    if msg_type in ("SUBMIT_PAYMENT_ORDER", "SUBMIT_AUTO_DEBIT", "PAYMENT_REFUND"):
        url = trx.get("backUrl")
        if isinstance(url, str) and url:
            return url
    return industry.notice_url


class Business:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        clock: Clock,
        profile: Profile,
        faults: FaultSet,
    ) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.profile = profile
        self.faults = faults
        self._stamped: tuple[datetime | None, str, Profile | None] = (None, "", None)
        reversal = self._first_submission(self._reversal)
        self._handlers: dict[str, Handler] = {
            "SUBMIT_PAYMENT_ORDER": self._submit_payment_order,
            "PAYMENT_RESULT_INQUIRY": self._inquiry,
            "SIGN_AUTO_DEBIT": self._sign_auto_debit,
            "CLOSE_AUTO_DEBIT": self._close_auto_debit,
            "SUBMIT_AUTO_DEBIT": self._first_submission(self._submit_auto_debit),
            "PAYMENT_CANCELLATION": reversal,
            "PAYMENT_REFUND": reversal,
            "REFUND_RESULT_INQUIRY": self._inquiry,
        }

    # --- identifiers --------------------------------------------------------------------

    def _query_id(self) -> str:
        return self._stamp(self.clock.now()) + f"{secrets.randbelow(10**16):016d}"

    def _stamp(self, now: datetime) -> str:
        """``format_time(now, profile)``, formatted once per second of ``now``."""
        second = now.replace(microsecond=0)
        if second != self._stamped[0] or self.profile is not self._stamped[2]:
            zone = self.profile.tz
            self._stamped = (second, second.astimezone(zone).strftime(TIME_FORMAT), self.profile)
        return self._stamped[1]

    def _fingerprint(self, msg_type: str, trx: dict[str, Any]) -> str:
        every = "resubmission-compares-unknown-fields" in self.faults
        return rules.fingerprint(msg_type, trx, every_field=every)

    # --- gateway requests ----------------------------------------------------------------

    def handle(
        self, msg_type: str, industry: Industry, trx: dict[str, Any], base_url: str
    ) -> Outcome:
        """Apply the business rules of ``msg_type`` (format, signature and replay already
        checked), in one transaction (joining the caller's, when it has one open)."""
        handler = self._handlers[msg_type]
        with self.store.tx() as tx:
            return handler(tx, industry, msg_type, trx, base_url)

    def _resubmitted(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], digest: str
    ) -> Outcome | None:
        """The answer to a resubmitted orderId: the first answer, or 36 for other content."""
        existing = tx.txn(industry.code, trx["orderId"])
        if existing is None:
            return None
        verdict = rules.resubmission_verdict(existing, digest)
        if verdict is None:
            return Outcome(ResponseCode(existing.answer_code), dict(existing.answer_trx))
        if "order-id-reuse-accepted" in self.faults:
            tx.delete_txn(industry.code, existing.order_id)
            return None
        return _refused(msg_type, trx, verdict)

    def _first_submission(self, handler: Handler) -> Handler:
        """``handler`` with the ``base_url`` argument replaced by the request's fingerprint,
        called only when the orderId is not a resubmission (see :meth:`_resubmitted`)."""

        def first(
            tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], base_url: str
        ) -> Outcome:
            digest = self._fingerprint(msg_type, trx)
            again = self._resubmitted(tx, industry, msg_type, trx, digest)
            if again is not None:
                return again
            return handler(tx, industry, msg_type, trx, digest)

        return first

    def _new_txn(
        self,
        industry: Industry,
        msg_type: str,
        trx: dict[str, Any],
        digest: str,
        status: TxnStatus,
        answer: dict[str, Any],
        **extra: Any,
    ) -> Txn:
        code = (
            ResponseCode(status.value)
            if msg_type != "SUBMIT_PAYMENT_ORDER"
            else ResponseCode.APPROVED
        )
        return Txn(
            industry_code=industry.code,
            order_id=trx["orderId"],
            kind=rules.KIND_OF_TYPE[msg_type],
            fingerprint=digest,
            answer_code=code.value,
            answer_trx=answer,
            txn_amt=trx["txnAmt"],
            amount=int(trx["txnAmt"]),
            txn_time=trx["txnTime"],
            notice_url=_backurl(msg_type, trx, industry),
            status=status,
            settle_pending=status is TxnStatus.PENDING and msg_type != "SUBMIT_PAYMENT_ORDER",
            **extra,
        )

    def _submit_payment_order(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], base_url: str
    ) -> Outcome:
        digest = self._fingerprint(msg_type, trx)
        merchant = self.registry.merchant_of(industry.code, trx["merId"])
        verdict = rules.merchant_verdict(merchant, trx["acqIIN"], self.faults)
        if verdict is None:
            # the common case, a new order: one INSERT that yields to an existing orderId
            new = self._payment_order(industry, msg_type, trx, digest, base_url)
            if tx.insert_new_txn(new[0]):
                return new[1]
        again = self._resubmitted(tx, industry, msg_type, trx, digest)
        if again is not None:
            if again.code is ResponseCode.APPROVED and "duplicate-order-new-tn" in self.faults:
                return self._new_tn(tx, industry, trx, base_url)
            return again
        if verdict is not None:
            return _refused(msg_type, trx, verdict)
        txn, outcome = self._payment_order(industry, msg_type, trx, digest, base_url)
        tx.insert_txn(txn)
        return outcome

    def _payment_order(
        self, industry: Industry, msg_type: str, trx: dict[str, Any], digest: str, base_url: str
    ) -> tuple[Txn, Outcome]:
        """A new payment order (pending until the cashier hook) and its answer."""
        tn = secrets.token_hex(16)
        answer = {"orderId": trx["orderId"], "tn": tn, "paymentUrl": f"{base_url}/pay/{tn}"}
        txn = self._new_txn(
            industry,
            msg_type,
            trx,
            digest,
            TxnStatus.PENDING,
            answer,
            query_id=self._query_id(),
            currency=trx["currencyCode"],
            mer_id=trx["merId"],
            acq_iin=trx["acqIIN"],
            tn=tn,
        )
        return txn, Outcome(ResponseCode.APPROVED, dict(answer))

    def _new_tn(self, tx: Tx, industry: Industry, trx: dict[str, Any], base_url: str) -> Outcome:
        """Fault duplicate-order-new-tn: a resubmission gets a new tn."""
        txn = tx.txn(industry.code, trx["orderId"])
        assert txn is not None
        tn = secrets.token_hex(16)
        answer = {"orderId": txn.order_id, "tn": tn, "paymentUrl": f"{base_url}/pay/{tn}"}
        tx.set_answer(txn, tn, answer)
        return Outcome(ResponseCode.APPROVED, dict(answer))

    def _inquiry(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], base_url: str
    ) -> Outcome:
        family = (
            rules.PAYMENT_FAMILY if msg_type == "PAYMENT_RESULT_INQUIRY" else rules.REVERSAL_FAMILY
        )
        txn = tx.txn(industry.code, trx["orderId"])
        verdict = rules.inquiry_verdict(txn, family, trx["txnTime"], self.faults)
        if verdict is None:
            assert txn is not None
            original = None
            reads_original = any(name in self.faults for name in rules.ORIGINAL_READING_FAULTS)
            if txn.orig_query_id is not None and reads_original:
                original = tx.txn_by_query_id(industry.code, txn.orig_query_id)
            answer = rules.inquiry_answer(msg_type, txn, self.faults, original)
            return Outcome(ResponseCode.APPROVED, answer)
        if txn is None and "inquiry-unknown-order-00" in self.faults:
            return Outcome(ResponseCode.APPROVED, rules.unknown_order_answer(msg_type, trx))
        return _refused(msg_type, trx, verdict)

    def _sign_auto_debit(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], base_url: str
    ) -> Outcome:
        if self.registry.merchant_of(industry.code, trx["merId"]) is None:
            return Outcome(ResponseCode.INCORRECT, {}, "merId is not registered for this industry")
        token = secrets.token_hex(16)
        tx.insert_contract(
            Contract(
                token=token,
                contract_id="C" + secrets.token_hex(12),
                industry_code=industry.code,
                mer_id=trx["merId"],
                user_id=trx["userId"],
                front_url=trx["frontUrl"],
                back_url=trx["backUrl"],
                status=ContractStatus.PENDING,
            )
        )
        return Outcome(ResponseCode.APPROVED, {"signUrl": f"{base_url}/sign/{token}"})

    def _close_auto_debit(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], base_url: str
    ) -> Outcome:
        contract = tx.contract(industry.code, trx["contractId"])
        verdict = rules.close_verdict(contract, trx["userId"])
        if verdict is not None:
            return _refused(msg_type, trx, verdict)
        assert contract is not None
        if contract.status is ContractStatus.ACTIVE:
            if "close-closes-merchant-contracts" in self.faults:
                tx.close_merchant_contracts(contract)
            else:
                tx.set_contract_status(contract, ContractStatus.CLOSED)
        return Outcome(ResponseCode.APPROVED, {"contractId": contract.contract_id})

    def _submit_auto_debit(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], digest: str
    ) -> Outcome:
        contract = tx.contract(industry.code, trx["contractId"])
        merchant = self.registry.merchant_of(industry.code, trx["merId"])
        verdict = rules.charge_verdict(contract, merchant, trx["merId"], trx["acqIIN"], self.faults)
        if verdict is not None:
            return _refused(msg_type, trx, verdict)
        return self._record(
            tx,
            industry,
            msg_type,
            trx,
            digest,
            currency=trx["currencyCode"],
            contract_id=trx["contractId"],
            mer_id=trx["merId"],
            acq_iin=trx["acqIIN"],
        )

    def _reversal(
        self, tx: Tx, industry: Industry, msg_type: str, trx: dict[str, Any], digest: str
    ) -> Outcome:
        original = tx.txn_by_query_id(industry.code, trx["origQryId"])
        reversals = tx.reversals_of(original.query_id) if original is not None else []
        verdict = rules.reversal_verdict(
            msg_type, original, reversals, int(trx["txnAmt"]), self.faults
        )
        if verdict is not None:
            return _refused(msg_type, trx, verdict)
        assert original is not None
        return self._record(
            tx,
            industry,
            msg_type,
            trx,
            digest,
            currency=original.currency,
            orig_query_id=original.query_id,
        )

    def _record(
        self,
        tx: Tx,
        industry: Industry,
        msg_type: str,
        trx: dict[str, Any],
        digest: str,
        **extra: Any,
    ) -> Outcome:
        """Create a back-end transaction whose outcome follows the sandbox magic amounts."""
        status = rules.magic_outcome(int(trx["txnAmt"]))
        answer = {"orderId": trx["orderId"], "queryId": self._query_id()}
        txn = self._new_txn(
            industry, msg_type, trx, digest, status, answer, query_id=answer["queryId"], **extra
        )
        tx.insert_txn(txn)
        outcome = Outcome(ResponseCode(status.value), dict(answer))
        if status is TxnStatus.SUCCEEDED:
            outcome.notices.append(self._enqueue(tx, txn))
        elif status is TxnStatus.PENDING:
            outcome.settle.append((industry.code, txn.order_id))
        return outcome

    def _enqueue(self, tx: Tx, txn: Txn) -> int:
        return tx.insert_notice(
            txn.industry_code, PAYMENT_NOTICE, txn.notice_url, rules.notice_trx(txn, self.faults)
        )

    # --- sandbox hooks and delayed outcomes -------------------------------------------------

    def pay(self, tn: str, result: str | None) -> HookResult:
        """The user pays (00) or fails to pay (01) at the cashier page of ``tn``."""
        with self.store.tx() as tx:
            txn = tx.txn_by_tn(tn)
            if txn is None:
                return HookResult(404, "unknown tn")
            if result not in HOOK_RESULTS:
                return HookResult(400, "form field result must be 00 or 01")
            if txn.hook_done:
                return HookResult(409, "this order was already paid or declined")
            status = TxnStatus(result)
            tx.set_status(txn, status, hook_done=True)
            final = replace(txn, status=status, hook_done=True)
            return HookResult(200, txn=final, notice_id=self._enqueue(tx, final))

    def sign(self, token: str, result: str | None) -> HookResult:
        """The user signs (00) or declines (01) the auto-debit agreement of ``token``."""
        with self.store.tx() as tx:
            contract = tx.contract_by_token(token)
            if contract is None:
                unknown = 400 if "sign-hook-unknown-token-400" in self.faults else 404
                return HookResult(unknown, "unknown signing token")
            if result not in HOOK_RESULTS and "sign-hook-accepts-any-result" not in self.faults:
                return HookResult(400, "form field result must be 00 or 01")
            if contract.status is not ContractStatus.PENDING:
                return HookResult(409, "this agreement was already signed or declined")
            status = ContractStatus.ACTIVE if result == "00" else ContractStatus.DECLINED
            tx.set_contract_status(contract, status)
            trx = {"contractId": contract.contract_id, "userId": contract.user_id}
            notice_id = tx.insert_notice(
                contract.industry_code,
                SIGN_NOTICE,
                contract.back_url,
                {**trx, "signStatus": result},
            )
            return HookResult(200, contract=replace(contract, status=status), notice_id=notice_id)

    def settle(self, industry_code: str, order_id: str) -> int | None:
        """The delayed success of a transaction answered 05; the ID of its notice."""
        with self.store.tx() as tx:
            txn = tx.txn(industry_code, order_id)
            if txn is None or not txn.settle_pending:
                return None
            tx.set_status(txn, TxnStatus.SUCCEEDED)
            return self._enqueue(tx, replace(txn, status=TxnStatus.SUCCEEDED, settle_pending=False))

    def settling(self) -> list[tuple[str, str]]:
        """Transactions answered 05 whose success has not happened yet (after a restart)."""
        with self.store.tx() as tx:
            return [(t.industry_code, t.order_id) for t in tx.settling()]
