"""Checks on result notices, from whichever side is under test."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ucsp.checks import ensure
from ucsp.checks.messages import check_code, check_echo, check_msg_id, check_sent_message
from ucsp.messages import Party
from ucsp.sim.journal import JournalEntry
from ucsp.target import Target


def check_notice_sent_by_ucsp(
    entry: JournalEntry,
    target: Target,
    msg_type: str,
    expected: Mapping[str, str],
    requirement: str,
) -> dict[str, Any]:
    """A notice the UCSP under test sent: valid, signed by UCSP, U-prefixed, with ``expected``."""
    keys = target.keys
    message = check_sent_message(
        entry.request,
        msg_type,
        "request",
        Party.UCSP,
        {keys.ucsp_sign.cert_id: keys.ucsp_sign.cert},
        target.profile,
    )
    check_msg_id(message["msgInfo"], Party.UCSP, target.industry.code, "FMT-10")
    trx = message["trxInfo"]
    wrong = {k: (trx.get(k), v) for k, v in expected.items() if trx.get(k) != v}
    ensure(
        not wrong,
        requirement,
        f"{msg_type} fields differ from the transaction: "
        + ", ".join(f"{k} is {got!r}, expected {want!r}" for k, (got, want) in wrong.items()),
    )
    return message


def check_notice_answered_by_industry(
    entry: JournalEntry, target: Target, expected_code: str, requirement: str
) -> dict[str, Any]:
    """The Industry Service under test answered a notice: HTTP 200, valid, signed, echoing."""
    ensure(
        entry.status == 200,
        "TRN-04",
        f"the notice was answered HTTP {entry.status}, expected 200 with a signed response",
    )
    keys = target.keys
    message = check_sent_message(
        entry.response,
        entry.msg_type,
        "response",
        Party.INDUSTRY,
        {keys.industry_sign.cert_id: keys.industry_sign.cert},
        target.profile,
    )
    assert entry.response is not None  # noqa: S101 - check_sent_message refuses None
    check_echo(entry.request, entry.response)
    check_code(
        message["msgResponse"]["responseCode"],
        expected_code,
        requirement,
        f"the answer to the {entry.msg_type}",
    )
    return message


def notice_trx(entry: JournalEntry) -> dict[str, Any]:
    value = json.loads(entry.request).get("trxInfo", {})
    return value if isinstance(value, dict) else {}
