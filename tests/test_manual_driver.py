"""The manual driver tells the operator what to do and reads the result off the wire."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime

import pytest

from ucsp.drivers.harness import HarnessError
from ucsp.drivers.manual import ManualDriver
from ucsp.journal import Journal, JournalEntry


def _entry(msg_type: str, trx: dict[str, str], answer: dict[str, str], code: str) -> JournalEntry:
    request = {"msgInfo": {"msgType": msg_type}, "trxInfo": trx}
    response = {
        "msgInfo": {"msgType": msg_type},
        "trxInfo": answer,
        "msgResponse": {"responseCode": code},
    }
    return JournalEntry(
        "in",
        msg_type,
        "/gateway",
        json.dumps(request).encode(),
        200,
        json.dumps(response).encode(),
        0.0,
        datetime.now(UTC),
        code,
    )


def test_pay_waits_for_the_order_and_answers_like_the_harness() -> None:
    journal, out = Journal(), io.StringIO()
    driver = ManualDriver(journal, out, ask=lambda prompt: "", wait_seconds=5)

    async def scenario() -> dict[str, object]:
        task = asyncio.create_task(driver.pay("10000", "156"))
        await asyncio.sleep(0)
        journal.record(
            _entry(
                "SUBMIT_PAYMENT_ORDER",
                {"orderId": "ORDER0001", "txnAmt": "10000"},
                {"orderId": "ORDER0001", "tn": "T1", "paymentUrl": "http://x/pay"},
                "00",
            )
        )
        return (await task).data

    data = asyncio.run(scenario())
    assert data == {
        "orderId": "ORDER0001",
        "tn": "T1",
        "paymentUrl": "http://x/pay",
        "responseCode": "00",
    }
    assert "OPERATOR: place an order of 10000" in out.getvalue()


def test_an_earlier_message_does_not_count() -> None:
    journal = Journal()
    journal.record(_entry("PAYMENT_REFUND", {"orderId": "OLD"}, {}, "00"))
    driver = ManualDriver(journal, io.StringIO(), ask=lambda prompt: "", wait_seconds=0.05)
    with pytest.raises(HarnessError, match="no PAYMENT_REFUND arrived"):
        asyncio.run(driver.refund("ORDER0001", "100"))


def test_status_questions_go_to_the_operator() -> None:
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return " succeeded\n" if "order" in prompt else "y\n"

    driver = ManualDriver(Journal(), io.StringIO(), ask=ask)
    assert asyncio.run(driver.order("ORDER0001")) == {"orderId": "ORDER0001", "status": "SUCCEEDED"}
    assert asyncio.run(driver.session("user0001")) is True
    assert len(asked) == 2


class _NeverWait(Journal):
    async def wait_entry(self, *args: object, **kwargs: object) -> JournalEntry | None:
        raise AssertionError("the driver waited for a message nobody would send")


def test_with_no_operator_a_call_fails_at_once_with_one_line() -> None:
    out = io.StringIO()
    driver = ManualDriver(_NeverWait(), out, ask=lambda p: "", attended=lambda: False)
    with pytest.raises(HarnessError, match="no TTY") as raised:
        asyncio.run(driver.pay("10000", "156"))
    assert "\n" not in str(raised.value) and "harness_url" in str(raised.value)
    assert "OPERATOR" not in out.getvalue()  # nobody to tell


def test_the_terminal_decides_only_when_the_prompts_go_to_it() -> None:
    assert ManualDriver(Journal(), io.StringIO()).attended() is True
    assert ManualDriver(Journal(), attended=lambda: False).attended() is False
