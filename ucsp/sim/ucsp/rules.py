"""Business rules of the reference UCSP (PROTOCOL.md sections 5 and 8), as pure functions.

Each ``*_verdict`` function looks at what the store holds and the request, and returns the
refusal (code and reason) or None when the request may proceed. Faults switch single checks
off; everything else is data in, verdict out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ucsp import schemas
from ucsp.codes import ResponseCode
from ucsp.sim.faults import FaultSet
from ucsp.sim.store_base import ContractStatus, TxnKind
from ucsp.sim.ucsp.registry import Merchant
from ucsp.sim.ucsp.store import Contract, Txn, TxnStatus

MAGIC_DELAY_SECONDS = 2.0
"""Protocol seconds between a 05 answer (magic amount ...05) and the success that follows."""

PAYMENT_FAMILY = frozenset({TxnKind.PAYMENT, TxnKind.AUTO_DEBIT})
REVERSAL_FAMILY = frozenset({TxnKind.CANCELLATION, TxnKind.REFUND})
ACTIVE_STATUSES = frozenset({TxnStatus.SUCCEEDED, TxnStatus.PENDING})

KIND_OF_TYPE: dict[str, TxnKind] = {
    "SUBMIT_PAYMENT_ORDER": TxnKind.PAYMENT,
    "SUBMIT_AUTO_DEBIT": TxnKind.AUTO_DEBIT,
    "PAYMENT_CANCELLATION": TxnKind.CANCELLATION,
    "PAYMENT_REFUND": TxnKind.REFUND,
}
"""The order-creating message types, which share one orderId namespace per industry."""

ECHOED_FIELDS: dict[str, tuple[str, ...]] = {
    "SUBMIT_PAYMENT_ORDER": ("orderId",),
    "PAYMENT_RESULT_INQUIRY": ("orderId",),
    "SIGN_AUTO_DEBIT": (),
    "CLOSE_AUTO_DEBIT": ("contractId",),
    "SUBMIT_AUTO_DEBIT": ("orderId",),
    "PAYMENT_CANCELLATION": ("orderId",),
    "PAYMENT_REFUND": ("orderId",),
    "REFUND_RESULT_INQUIRY": ("orderId",),
}
"""Response fields marked M, copied from the request into every answer but code 10."""


@dataclass(frozen=True)
class Verdict:
    code: ResponseCode
    reason: str


def refuse(code: ResponseCode, reason: str) -> Verdict:
    return Verdict(code, reason)


# --- amounts and magic amounts -----------------------------------------------------------


def magic_outcome(amount: int) -> TxnStatus:
    """Sandbox magic amounts (HARNESS.md B): ...05 pending, ...01 declined, else success."""
    last_two = amount % 100
    if last_two == 5:
        return TxnStatus.PENDING
    if last_two == 1:
        return TxnStatus.FAILED
    return TxnStatus.SUCCEEDED


def echoed(msg_type: str, trx_info: Mapping[str, Any]) -> dict[str, Any]:
    return {k: trx_info[k] for k in ECHOED_FIELDS.get(msg_type, ()) if k in trx_info}


# --- idempotency -------------------------------------------------------------------------


# json.dumps(value, sort_keys=True, separators=(",", ":")), without a new encoder per call
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


@cache
def _request_fields(msg_type: str) -> tuple[str, ...]:
    rules = schemas.field_rules(msg_type, "request")
    return tuple(r.path[1] for r in rules if len(r.path) == 2 and r.path[0] == "trxInfo")


def fingerprint(msg_type: str, trx_info: Mapping[str, Any], every_field: bool = False) -> str:
    """Digest of the request content that idempotency compares (unknown fields ignored,
    unless ``every_field``)."""
    names = trx_info if every_field else _request_fields(msg_type)
    content: dict[str, Any] = {name: trx_info[name] for name in names if name in trx_info}
    if isinstance(content.get("txnAmt"), str) and content["txnAmt"].isdigit():
        content["txnAmt"] = str(int(content["txnAmt"]))
    text = _FINGERPRINT_JSON.encode([msg_type, content])
    return hashlib.sha256(text.encode()).hexdigest()


def resubmission_verdict(existing: Txn | None, digest: str) -> Verdict | None:
    """36 when the orderId is taken by other content; None for a new or identical order."""
    if existing is not None and existing.fingerprint != digest:
        return refuse(ResponseCode.INCORRECT, "orderId already used with other content")
    return None


# --- orders and contracts ----------------------------------------------------------------


def merchant_verdict(merchant: Merchant | None, acq_iin: str, faults: FaultSet) -> Verdict | None:
    if merchant is None:
        return refuse(ResponseCode.INCORRECT, "merId is not registered for this industry")
    if merchant.acq_iin != acq_iin and "accepts-unknown-acqiin" not in faults:
        return refuse(ResponseCode.INCORRECT, "acqIIN is not the merchant's")
    return None


def close_verdict(contract: Contract | None, user_id: str) -> Verdict | None:
    if contract is None or contract.user_id != user_id:
        return refuse(ResponseCode.NOT_FOUND, "no such contract for this user")
    if contract.status is ContractStatus.DECLINED:
        return refuse(ResponseCode.FAILED, "the contract was declined")
    return None


def charge_verdict(
    contract: Contract | None,
    merchant: Merchant | None,
    mer_id: str,
    acq_iin: str,
    faults: FaultSet,
) -> Verdict | None:
    if contract is None:
        return refuse(ResponseCode.NOT_FOUND, "no such contract")
    if contract.status is ContractStatus.DECLINED:
        return refuse(ResponseCode.INCORRECT, "the contract was declined")
    if contract.status is ContractStatus.CLOSED and "charges-closed-contract" not in faults:
        return refuse(ResponseCode.INCORRECT, "the contract is closed")
    refusal = merchant_verdict(merchant, acq_iin, faults)
    if refusal is not None:
        return refusal
    if contract.mer_id != mer_id and "charges-any-merchant" not in faults:
        return refuse(ResponseCode.INCORRECT, "merId is not the contract's")
    return None


# --- cancellations and refunds -----------------------------------------------------------


def _original_verdict(original: Txn | None) -> Verdict | None:
    if original is None:
        return refuse(ResponseCode.NOT_FOUND, "origQryId is unknown")
    if original.kind in REVERSAL_FAMILY:
        return refuse(ResponseCode.INCORRECT, "origQryId names a cancellation or refund")
    if original.status is not TxnStatus.SUCCEEDED:
        return refuse(ResponseCode.INCORRECT, "the original transaction has not succeeded")
    return None


def _active(reversals: Iterable[Txn], kind: TxnKind) -> list[Txn]:
    return [r for r in reversals if r.kind is kind and r.status in ACTIVE_STATUSES]


def reversal_verdict(
    msg_type: str, original: Txn | None, reversals: list[Txn], amount: int, faults: FaultSet
) -> Verdict | None:
    """The refusal of a PAYMENT_CANCELLATION or PAYMENT_REFUND of ``amount`` against
    ``original`` (the transaction origQryId names) and its ``reversals``, or None."""
    refusal = _original_verdict(original)
    if refusal is not None:
        return refusal
    assert original is not None
    check = _cancellation_verdict if msg_type == "PAYMENT_CANCELLATION" else _refund_verdict
    return check(original, reversals, amount, faults)


def _cancellation_verdict(
    original: Txn, reversals: list[Txn], amount: int, faults: FaultSet
) -> Verdict | None:
    if amount != original.amount and "cancels-partial-amount" not in faults:
        return refuse(ResponseCode.INCORRECT, "txnAmt differs from the original amount")
    if _active(reversals, TxnKind.CANCELLATION):
        return refuse(ResponseCode.INCORRECT, "already cancelled")
    if _active(reversals, TxnKind.REFUND) and "cancels-after-refund" not in faults:
        return refuse(ResponseCode.INCORRECT, "a refund succeeded or is pending")
    return None


def refundable(original: Txn, reversals: list[Txn]) -> int:
    """The amount not yet refunded, pending refunds counted."""
    return original.amount - sum(r.amount for r in _active(reversals, TxnKind.REFUND))


def _refund_verdict(
    original: Txn, reversals: list[Txn], amount: int, faults: FaultSet
) -> Verdict | None:
    if _active(reversals, TxnKind.CANCELLATION):
        return refuse(ResponseCode.INCORRECT, "the payment is cancelled or being cancelled")
    if amount > refundable(original, reversals) and "refund-exceeds-original" not in faults:
        return refuse(ResponseCode.INCORRECT, "txnAmt exceeds the amount not yet refunded")
    return None


# --- inquiries ---------------------------------------------------------------------------


def inquiry_verdict(
    txn: Txn | None, family: frozenset[TxnKind], txn_time: str, faults: FaultSet
) -> Verdict | None:
    if txn is None or txn.kind not in family:
        return refuse(ResponseCode.NOT_FOUND, "no such order")
    if txn.txn_time != txn_time and "inquiry-ignores-txntime" not in faults:
        return refuse(ResponseCode.NOT_FOUND, "txnTime is not the order's")
    return None


ORIGINAL_READING_FAULTS = ("refund-inquiry-original-status", "refund-inquiry-original-amount")


def inquiry_answer(
    msg_type: str, txn: Txn, faults: FaultSet | None = None, original: Txn | None = None
) -> dict[str, Any]:
    """The response trxInfo of an inquiry answered 00 (``original``: the payment a cancellation
    or refund reverses, which faults read instead of the transaction itself)."""
    answer: dict[str, Any] = {
        "orderId": txn.order_id,
        "queryId": txn.query_id,
        "txnAmt": txn.txn_amt,
        "txnStatus": txn.status.value,
    }
    if original is not None and faults is not None:
        if "refund-inquiry-original-status" in faults:
            answer["txnStatus"] = original.status.value
        if "refund-inquiry-original-amount" in faults:
            answer["txnAmt"] = original.txn_amt
    if msg_type == "PAYMENT_RESULT_INQUIRY":
        answer["currencyCode"] = txn.currency
    elif txn.orig_query_id is not None:
        answer["origQryId"] = txn.orig_query_id
    return answer


def notice_trx(txn: Txn, faults: FaultSet) -> dict[str, Any]:
    """trxInfo of the PAYMENT_RESULT_NOTICE for a transaction with a final status."""
    amount = str(txn.amount + 1) if "notice-wrong-amount" in faults else txn.txn_amt
    trx: dict[str, Any] = {
        "orderId": txn.order_id,
        "txnType": txn.kind.value,
        "queryId": txn.query_id,
        "txnAmt": amount,
        "currencyCode": txn.currency,
        "txnTime": txn.txn_time,
        "txnStatus": txn.status.value,
    }
    if txn.orig_query_id is not None:
        trx["origQryId"] = txn.orig_query_id
    if txn.contract_id is not None:
        trx["contractId"] = txn.contract_id
    return trx


def unknown_order_answer(msg_type: str, trx: Mapping[str, Any]) -> dict[str, Any]:
    """Fault inquiry-unknown-order-00: a made-up failed transaction for an unknown orderId."""
    answer: dict[str, Any] = {
        "orderId": trx["orderId"],
        "queryId": "0",
        "txnAmt": "1",
        "txnStatus": "01",
    }
    if msg_type == "PAYMENT_RESULT_INQUIRY":
        answer["currencyCode"] = "156"
    else:
        answer["origQryId"] = "0"
    return answer
