"""SQLite state of the reference Industry Service: orders, contracts, sessions, msgIDs.

Built to the design of :mod:`ucsp.sim.store_base`. Every operation runs in one transaction
with no ``await`` inside, so notices, answers and inquiries racing each other never lose an
update. Tables carry the prefix ``is_`` so that
the IS can share a database file with the reference UCSP.

An order's inquiry schedule is stored with its origin (the receipt of the answer that
started it), and each inquiry is claimed (counted, its slot used) before it is sent, so a
restarted IS resumes the schedule at its absolute offsets and never exceeds its slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ucsp.sim.db import Database
from ucsp.sim.store_base import ContractStatus, Rows, SqlStore, Tx, TxnKind

SCHEMA = """
CREATE TABLE IF NOT EXISTS is_orders (
    order_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    txn_amt TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    txn_time TEXT NOT NULL,
    query_id TEXT,
    refunded_amt INTEGER NOT NULL DEFAULT 0,
    orig_order_id TEXT,
    contract_id TEXT,
    tn TEXT,
    payment_url TEXT
);
CREATE TABLE IF NOT EXISTS is_contracts (
    contract_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS is_sign_requests (
    user_id TEXT PRIMARY KEY,
    requested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS is_sessions (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    channel_code TEXT NOT NULL,
    masked_mobile TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS is_inquiries (
    order_id TEXT PRIMARY KEY,
    started_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_slot INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS is_seen_msgids (
    msg_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
"""


class Status(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"


@dataclass(frozen=True)
class Order:
    order_id: str
    kind: TxnKind
    status: Status
    txn_amt: str
    currency_code: str
    txn_time: str
    query_id: str | None = None
    refunded_amt: int = 0
    orig_order_id: str | None = None
    contract_id: str | None = None
    tn: str | None = None
    payment_url: str | None = None

    @property
    def amount(self) -> int:
        return int(self.txn_amt)


@dataclass(frozen=True)
class InquiryRun:
    """The stored inquiry schedule of one order."""

    order_id: str
    started_at: float  # wall seconds of the answer that started it: the origin
    attempts: int  # inquiries claimed (each before it was sent)
    next_slot: int  # the first slot of the schedule not used yet
    done: bool = False


@dataclass(frozen=True)
class Contract:
    contract_id: str
    user_id: str
    status: ContractStatus


_order = Rows(Order, kind=TxnKind, status=Status)
_inquiry_run = Rows(InquiryRun, started_at=float, done=bool)
_contract = Rows(Contract, status=ContractStatus)


class Store(SqlStore[Tx]):
    """The Industry Service's state; each method is one transaction (or a part of the one
    its caller has open)."""

    SCHEMA = SCHEMA
    REPLAY_TABLE = "is_seen_msgids"
    REPLAY_KEYS = ("msg_id",)

    def __init__(self, db: Database) -> None:
        super().__init__(db, Tx(db.conn))

    # --- orders ----------------------------------------------------------------------

    def add_order(self, order: Order) -> None:
        with self.tx() as tx:
            tx.run(
                "INSERT INTO is_orders (order_id, kind, status, txn_amt, currency_code, "
                "txn_time, query_id, orig_order_id, contract_id) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    order.order_id,
                    order.kind.value,
                    order.status.value,
                    order.txn_amt,
                    order.currency_code,
                    order.txn_time,
                    order.query_id,
                    order.orig_order_id,
                    order.contract_id,
                ),
            )

    def order(self, order_id: str) -> Order | None:
        with self.tx() as tx:
            row = tx.row("SELECT * FROM is_orders WHERE order_id = ?", (order_id,))
        return _order.one(row)

    def order_exists(self, order_id: str) -> bool:
        return self.order(order_id) is not None

    def set_payment_page(self, order_id: str, tn: str | None, payment_url: str | None) -> None:
        with self.tx() as tx:
            tx.run(
                "UPDATE is_orders SET tn = ?, payment_url = ? WHERE order_id = ?",
                (tn, payment_url, order_id),
            )

    def mark_cancelled(self, order_id: str) -> None:
        """Record the order CANCELLED whatever became of its cancellation (only the fault
        ``cancellation-cancels-before-answer`` does this)."""
        with self.tx() as tx:
            tx.run(
                "UPDATE is_orders SET status = ? WHERE order_id = ?",
                (Status.CANCELLED.value, order_id),
            )

    def reopen(self, order_id: str) -> None:
        """Set the order back to PENDING (only the fault ``answer-undoes-notice`` does this)."""
        with self.tx() as tx:
            tx.run("UPDATE is_orders SET status = 'PENDING' WHERE order_id = ?", (order_id,))

    def set_query_id(self, order_id: str, query_id: str | None) -> None:
        """Record UCSP's reference for the order when it has none yet."""
        if not query_id:
            return
        with self.tx() as tx:
            tx.run(
                "UPDATE is_orders SET query_id = ? WHERE order_id = ? AND query_id IS NULL",
                (query_id, order_id),
            )

    def settle(
        self,
        order_id: str,
        succeeded: bool,
        query_id: str | None = None,
        *,
        force: bool = False,
        effects_again: bool = False,
    ) -> bool:
        """Move a PENDING order to SUCCEEDED or FAILED, with the effect on the original.

        Returns False (and changes nothing) when the order is unknown or already final.
        ``force`` re-settles a final order, ``effects_again`` re-applies the effect of a
        success to an order that already succeeded (both only for faults).
        """
        with self.tx() as tx:
            row = tx.row("SELECT * FROM is_orders WHERE order_id = ?", (order_id,))
            if row is None:
                return False
            order = _order(row)
            if query_id:
                tx.run(
                    "UPDATE is_orders SET query_id = ? WHERE order_id = ? AND query_id IS NULL",
                    (query_id, order_id),
                )
            if order.status is not Status.PENDING:
                if effects_again and succeeded and order.status is Status.SUCCEEDED:
                    self._apply_effect(tx, order)
                    return True
                if not force:
                    return False
            status = Status.SUCCEEDED if succeeded else Status.FAILED
            tx.run("UPDATE is_orders SET status = ? WHERE order_id = ?", (status.value, order_id))
            if succeeded and order.status is Status.PENDING:
                self._apply_effect(tx, order)
            return True

    @staticmethod
    def _apply_effect(tx: Tx, order: Order) -> None:
        """A succeeded cancellation or refund changes the original payment's status."""
        if order.orig_order_id is None:
            return
        row = tx.row("SELECT * FROM is_orders WHERE order_id = ?", (order.orig_order_id,))
        if row is None:
            return
        original = _order(row)
        if original.kind.is_reversal:  # UCSP must refuse these; keep their status simple
            return
        if order.kind is TxnKind.CANCELLATION:
            tx.run(
                "UPDATE is_orders SET status = ? WHERE order_id = ?",
                (Status.CANCELLED.value, original.order_id),
            )
            return
        if order.kind is not TxnKind.REFUND:
            return
        refunded = original.refunded_amt + order.amount
        status = original.status
        if status is not Status.CANCELLED:
            full = refunded >= original.amount
            status = Status.REFUNDED if full else Status.PARTIALLY_REFUNDED
        tx.run(
            "UPDATE is_orders SET refunded_amt = ?, status = ? WHERE order_id = ?",
            (refunded, status.value, original.order_id),
        )

    # --- inquiry schedules -----------------------------------------------------------

    def start_inquiries(self, order_id: str, when: float) -> None:
        """Store the origin of the order's inquiry schedule (one schedule per order)."""
        with self.tx() as tx:
            tx.run(
                "INSERT OR IGNORE INTO is_inquiries (order_id, started_at) VALUES (?, ?)",
                (order_id, when),
            )

    def inquiry_run(self, order_id: str) -> InquiryRun | None:
        with self.tx() as tx:
            row = tx.row("SELECT * FROM is_inquiries WHERE order_id = ?", (order_id,))
        return _inquiry_run.one(row)

    def claim_inquiry(self, order_id: str, slot: int, limit: int) -> bool:
        """Count an inquiry at ``slot`` before it is sent; False when it must not go out
        (the schedule is over, has had ``limit`` inquiries, or ``slot`` is already used)."""
        with self.tx() as tx:
            cursor = tx.run(
                "UPDATE is_inquiries SET attempts = attempts + 1, next_slot = ? "
                "WHERE order_id = ? AND done = 0 AND attempts < ? AND next_slot <= ?",
                (slot + 1, order_id, limit, slot),
            )
        return cursor.rowcount == 1

    def finish_inquiries(self, order_id: str) -> None:
        with self.tx() as tx:
            tx.run("UPDATE is_inquiries SET done = 1 WHERE order_id = ?", (order_id,))

    def open_inquiries(self, limit: int) -> list[InquiryRun]:
        """Schedules a previous run left unfinished, with inquiries and slots left."""
        with self.tx() as tx:
            rows = tx.rows(
                "SELECT * FROM is_inquiries WHERE done = 0 AND attempts < ? AND next_slot < ? "
                "ORDER BY started_at, order_id",
                (limit, limit),
            )
        return _inquiry_run.all(rows)

    # --- contracts -------------------------------------------------------------------

    def request_signing(self, user_id: str, when: float) -> None:
        with self.tx() as tx:
            tx.run(
                "INSERT OR REPLACE INTO is_sign_requests (user_id, requested_at) VALUES (?, ?)",
                (user_id, when),
            )

    def signing_requested(self, user_id: str) -> bool:
        with self.tx() as tx:
            row = tx.row("SELECT 1 FROM is_sign_requests WHERE user_id = ?", (user_id,))
        return row is not None

    def contract(self, contract_id: str) -> Contract | None:
        with self.tx() as tx:
            row = tx.row("SELECT * FROM is_contracts WHERE contract_id = ?", (contract_id,))
        return _contract.one(row)

    def record_contract(
        self, contract_id: str, user_id: str, status: ContractStatus, *, take_over: bool = False
    ) -> str:
        """Store a contract reported by a notice (or the front URL).

        Returns ``"new"``, ``"updated"`` (a PENDING contract confirmed), ``"duplicate"``
        (already final: unchanged) or ``"other-user"`` (the contract is another user's;
        with ``take_over`` it is handed over instead).
        """
        with self.tx() as tx:
            row = tx.row("SELECT * FROM is_contracts WHERE contract_id = ?", (contract_id,))
            if row is None:
                tx.run(
                    "INSERT INTO is_contracts (contract_id, user_id, status) VALUES (?, ?, ?)",
                    (contract_id, user_id, status.value),
                )
                return "new"
            if row["user_id"] != user_id and not take_over:
                return "other-user"
            if row["user_id"] != user_id or (
                row["status"] == ContractStatus.PENDING.value
                and status is not ContractStatus.PENDING
            ):
                tx.run(
                    "UPDATE is_contracts SET user_id = ?, status = ? WHERE contract_id = ?",
                    (user_id, status.value, contract_id),
                )
                return "updated"
            return "duplicate"

    def close_contract(self, contract_id: str) -> None:
        self.set_contract_status(contract_id, ContractStatus.CLOSED)

    def close_every_active_contract(self) -> None:
        """Every ACTIVE contract CLOSED, whoever its user (a fault's closing)."""
        with self.tx() as tx:
            tx.run(
                "UPDATE is_contracts SET status = ? WHERE status = ?",
                (ContractStatus.CLOSED.value, ContractStatus.ACTIVE.value),
            )

    def set_contract_status(self, contract_id: str, status: ContractStatus) -> None:
        with self.tx() as tx:
            tx.run(
                "UPDATE is_contracts SET status = ? WHERE contract_id = ?",
                (status.value, contract_id),
            )

    # --- sessions and msgIDs ---------------------------------------------------------

    def open_session(
        self, token: str, user_id: str, channel_code: str, masked_mobile: str, when: float
    ) -> None:
        with self.tx() as tx:
            tx.run(
                "INSERT INTO is_sessions (token, user_id, channel_code, masked_mobile, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, user_id, channel_code, masked_mobile, when),
            )

    def end_other_sessions(self, token: str) -> None:
        """Every session but ``token``'s ended (a fault's single-session store)."""
        with self.tx() as tx:
            tx.run("DELETE FROM is_sessions WHERE token != ?", (token,))

    def logged_in(self, user_id: str) -> bool:
        with self.tx() as tx:
            row = tx.row("SELECT 1 FROM is_sessions WHERE user_id = ?", (user_id,))
        return row is not None

    def session_user(self, token: str) -> str | None:
        with self.tx() as tx:
            row = tx.row("SELECT user_id FROM is_sessions WHERE token = ?", (token,))
        return str(row["user_id"]) if row is not None else None

    def masked_mobiles(self) -> list[str]:
        with self.tx() as tx:
            rows = tx.rows("SELECT masked_mobile FROM is_sessions")
        return [str(r["masked_mobile"]) for r in rows]
