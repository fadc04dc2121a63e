"""The manual driver: for an Industry Service without a harness, a person makes it act.

Each call prints what the operator must do, then waits for the resulting message on the
wire (the suite's UCSP peer journals it) and answers in the harness's shape. Questions the
wire cannot answer (an order's status, a session) are asked at the operator's terminal.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from ucsp.drivers.harness import DriverTimeout, HarnessAnswer, HarnessDriver, HarnessError
from ucsp.journal import Journal, JournalEntry, about

Ask = Callable[[str], str]


NO_OPERATOR = (
    "the manual driver needs an operator at a terminal and this run has none (no TTY, e.g. "
    "CI); give the target an industry.harness_url to run unattended"
)


def has_terminal() -> bool:
    """Whether a controlling terminal is there for an operator to act on the prompts."""
    try:
        with open("/dev/tty", "r+", encoding="utf-8"):
            return True
    except OSError:
        return False


def ask_terminal(prompt: str) -> str:
    """Ask the operator at the controlling terminal (pytest captures stdin and stdout)."""
    try:
        with open("/dev/tty", "r+", encoding="utf-8") as tty:
            tty.write(prompt)
            tty.flush()
            return tty.readline()
    except OSError:
        raise HarnessError(0, NO_OPERATOR) from None


class TerminalOut:
    """Writes to the controlling terminal, or to stderr when there is none."""

    def write(self, text: str) -> int:
        try:
            with open("/dev/tty", "w", encoding="utf-8") as tty:
                return tty.write(text)
        except OSError:
            return sys.stderr.write(text)

    def flush(self) -> None:
        return None


class ManualDriver(HarnessDriver):
    """Same calls as HarnessDriver; an operator acts, the suite watches the wire."""

    def __init__(
        self,
        journal: Journal,
        out: TextIO | TerminalOut | None = None,
        ask: Ask = ask_terminal,
        wait_seconds: float = 300.0,
        attended: Callable[[], bool] | None = None,
    ) -> None:
        """``attended`` tells whether an operator can see the prompts (default: a
        controlling terminal when the prompts go to it, always when ``out`` is given)."""
        self.journal, self.ask = journal, ask
        self.out = out if out is not None else TerminalOut()
        self.wait_seconds = wait_seconds
        self.attended = attended or (has_terminal if out is None else lambda: True)

    def _tell(self, text: str) -> None:
        if not self.attended():  # fail at once: nobody would act in the wait
            raise HarnessError(0, NO_OPERATOR)
        print(
            f"\n>>> OPERATOR: {text}\n    (waiting up to {self.wait_seconds:.0f} s)",
            file=self.out,
            flush=True,
        )

    async def _next(self, msg_type: str, instruction: str) -> JournalEntry:
        mark = self.journal.mark()
        self._tell(instruction)
        arrived = await self.journal.wait_entry(about(msg_type, "in"), self.wait_seconds, mark)
        if arrived is None:
            raise DriverTimeout(f"no {msg_type} arrived within {self.wait_seconds:.0f} s")
        return arrived

    @staticmethod
    def _answer(entry: JournalEntry, fields: tuple[str, ...]) -> HarnessAnswer:
        trx = {**_trx(entry.request), **_trx(entry.response)}
        data: dict[str, Any] = {k: trx[k] for k in fields if k in trx}
        data["responseCode"] = entry.code
        return HarnessAnswer(200, data)

    async def aclose(self) -> None:
        return None

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, expect_ok: bool = True
    ) -> HarnessAnswer:
        raise HarnessError(
            0,
            f"{method} {path} needs the Industry Service's harness; give the target an "
            "industry.harness_url to run this scenario",
        )

    async def pay(
        self,
        txn_amt: str,
        currency: str,
        order_desc: str | None = None,
        *,
        expect_ok: bool = True,
    ) -> HarnessAnswer:
        entry = await self._next(
            "SUBMIT_PAYMENT_ORDER",
            f"place an order of {txn_amt} minor "
            f"units of currency {currency} in the Industry Service",
        )
        return self._answer(entry, ("orderId", "tn", "paymentUrl"))

    async def sign(self, user_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        entry = await self._next("SIGN_AUTO_DEBIT", f"start auto-debit signing for user {user_id}")
        return self._answer(entry, ("signUrl",))

    async def close(self, contract_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        entry = await self._next("CLOSE_AUTO_DEBIT", f"close auto-debit contract {contract_id}")
        return self._answer(entry, ())

    async def charge(
        self, contract_id: str, txn_amt: str, currency: str, *, expect_ok: bool = True
    ) -> HarnessAnswer:
        entry = await self._next(
            "SUBMIT_AUTO_DEBIT",
            f"charge {txn_amt} minor units of {currency} on contract {contract_id}",
        )
        return self._answer(entry, ("orderId",))

    async def cancel(self, orig_order_id: str, *, expect_ok: bool = True) -> HarnessAnswer:
        entry = await self._next("PAYMENT_CANCELLATION", f"cancel order {orig_order_id}")
        return self._answer(entry, ("orderId",))

    async def refund(
        self, orig_order_id: str, txn_amt: str, *, expect_ok: bool = True
    ) -> HarnessAnswer:
        entry = await self._next(
            "PAYMENT_REFUND", f"refund {txn_amt} minor units of order {orig_order_id}"
        )
        return self._answer(entry, ("orderId",))

    async def order(self, order_id: str) -> dict[str, Any]:
        status = await asyncio.to_thread(
            self.ask,
            f"Status of order {order_id} in the Industry Service "
            "(PENDING, SUCCEEDED, FAILED, CANCELLED, REFUNDED, PARTIALLY_REFUNDED)? ",
        )
        return {"orderId": order_id, "status": status.strip().upper()}

    async def contract(self, contract_id: str) -> dict[str, Any]:
        status = await asyncio.to_thread(
            self.ask, f"Status of contract {contract_id} (PENDING, ACTIVE, DECLINED, CLOSED)? "
        )
        return {"contractId": contract_id, "status": status.strip().upper()}

    async def session(self, user_id: str) -> bool:
        answer = await asyncio.to_thread(self.ask, f"Is user {user_id} logged in (y/n)? ")
        return answer.strip().lower().startswith("y")


def _trx(body: bytes | None) -> dict[str, Any]:
    """trxInfo of a body the SUT sent or the peer answered; {} when it has none."""
    try:
        message = json.loads(body) if body else {}
    except ValueError:
        return {}
    trx = message.get("trxInfo") if isinstance(message, dict) else None
    return trx if isinstance(trx, dict) else {}
