"""The one parser convention of the step library: ``parse(...)`` with typed domain fields.

Steps write ``{amount:Money}``, ``{code:Code}``, ``{status:Status}``, ``{msg_type:MsgType}``,
``{count:Count}``, ``{count:Times}`` ("once", "twice", "7 times"), ``{count:Number}`` ("2",
"two"); values are converted here, at the parser boundary. Matching is
case-sensitive, so ``{status:Status}`` never swallows an ordinary lower-case word.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import parsers

from ucsp.codes import ALL_CODES
from ucsp.messages import TxnStatus
from ucsp.money import CURRENCIES, MONEY_PATTERN, Money
from ucsp.sides.auto_debit_industry import FIRST_NOTICE_MISHAPS

__all__ = ["DESCRIPTIONS", "EXTRA_TYPES", "SAMPLES", "Money", "parse"]


def _money(text: str) -> Money:
    return Money.parse(text)


def _code(text: str) -> str:
    if text not in ALL_CODES:
        raise ValueError(f"{text} is not a UCSP response code")
    return text


_money.pattern = MONEY_PATTERN  # type: ignore[attr-defined]
_code.pattern = r"\d\d"  # type: ignore[attr-defined]


def _word(pattern: str) -> Any:
    def convert(text: str) -> str:
        return text

    convert.pattern = pattern  # type: ignore[attr-defined]
    return convert


def _count(text: str) -> int:
    return int(text)


_count.pattern = r"\d+"  # type: ignore[attr-defined]

# Natural counts: numbers up to twelve in words, any number in digits.
_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
NUMBER_WORDS: dict[str, int] = {
    word: value for value, word in enumerate((*_WORDS, "eleven", "twelve"), 1)
}
ONCE = {"once": 1, "twice": 2}


def _number(text: str) -> int:
    """``2`` or ``two``: a positive whole number, in digits or (up to twelve) in words."""
    if text.isdigit() and int(text) > 0:
        return int(text)
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    words = ", ".join(NUMBER_WORDS)
    raise ValueError(f"{text!r} is not a count; write digits, or one of: {words}")


def _times(text: str) -> int:
    """``once``, ``twice``, ``three times``, ``7 times``."""
    if text in ONCE:
        return ONCE[text]
    number, _, times = text.rpartition(" ")
    if times != "times" or number in ("one", "1"):
        raise ValueError(f"{text!r} is not a count; write once, twice, or N times")
    return _number(number)


_number.pattern = r"\d+|[a-z]+"  # type: ignore[attr-defined]
_times.pattern = r"once|twice|(?:\d+|[a-z]+) times"  # type: ignore[attr-defined]

EXTRA_TYPES: dict[str, Any] = {
    "Money": _money,
    "Code": _code,
    "Status": _word(r"[A-Z_]+"),
    "MsgType": _word(r"[A-Z_]+"),
    "Count": _count,
    "Number": _number,
    "Times": _times,
    "Outcome": _word(r"succeeded|failed|pending"),
    "Text": _word(r"[^\"]*"),
    "Name": _word(r"[a-z0-9-]+"),
    "Path": _word(r"[A-Za-z][A-Za-z.]*"),
    "Word": _word(r"\S+"),
    "Reversal": _word(r"cancellation|refund"),  # names the fixture of the latest one
    "Scripted": _word(r"cancellation|refund|charge"),  # a request whose answer can be scripted
    "LoginField": _word(r"userId|mobile"),  # a field of the login a user gives
    # what befalls a signing notice's first transmission
    "Mishap": _word("|".join(re.escape(name) for name in FIRST_NOTICE_MISHAPS)),
}


# What each type reads, as the step catalogue documents it (a parameter with a closed
# vocabulary lists its values beside this).
DESCRIPTIONS: dict[str, str] = {
    "Money": "an amount with two decimals and a currency, such as `100.00 CNY`; currencies: "
    + ", ".join(CURRENCIES),
    "Code": "a two-digit UCSP response code: " + ", ".join(ALL_CODES),
    "Status": "an upper-case status: "
    + ", ".join(status.value for status in TxnStatus)
    + " for a transaction, PARTIALLY_REFUNDED for a payment refunded in part, ACTIVE or CLOSED"
    + " for a contract",
    "MsgType": "a message type, in upper case",
    "Count": "a whole number, such as `3`",
    "Number": "a count in digits or, up to twelve, in words: `2` or `two`",
    "Times": "a count of times: `once`, `twice`, or a count in digits or (up to twelve) in"
    " words followed by `times`: `3 times`, `three times`",
    "Outcome": "what became of a transaction, as an inquiry reports it: `succeeded`"
    " (txnStatus 00), `failed` (01) or `pending` (05)",
    "Text": "any text without double quotes",
    "Name": "a lower-case name, words joined by hyphens",
    "Path": "a dotted field path, such as `trxInfo.txnAmt`",
    "Word": "one word (no spaces)",
    "Reversal": "the scenario's latest cancellation or refund",
    "Scripted": "a request the Industry Service sends UCSP about an order or a contract",
    "LoginField": "a field of the user's login",
    "Mishap": "what befalls the first transmission of a signing notice",
    "text": "any text",
}
# A value of each type for the catalogue's examples, where the parameter has no closed
# vocabulary and the step's docstring gives no ``Example:``.
SAMPLES: dict[str, str] = {
    "Money": "100.00 CNY",
    "Code": "00",
    "Status": "SUCCEEDED",
    "Count": "2",
    "Number": "two",
    "Times": "twice",
}


def parse(phrase: str) -> parsers.parse:
    """A step parser with the library's domain types."""
    return parsers.parse(phrase, extra_types=EXTRA_TYPES, case_sensitive=True)
