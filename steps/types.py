"""The one parser convention of the step library: ``parse(...)`` with typed domain fields.

Steps write ``{amount:Money}``, ``{code:Code}``, ``{status:Status}``, ``{msg_type:MsgType}``,
``{count:Count}``; values are converted here, at the parser boundary. Matching is
case-sensitive, so ``{status:Status}`` never swallows an ordinary lower-case word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_bdd import parsers

from ucsp.codes import ALL_CODES

CURRENCIES = {"CNY": "156", "HKD": "344", "USD": "840", "EUR": "978", "SGD": "702"}


@dataclass(frozen=True)
class Money:
    txn_amt: str  # minor units, as on the wire
    currency: str  # ISO 4217 numeric

    def __str__(self) -> str:
        return f"{self.txn_amt} ({self.currency})"


def _money(text: str) -> Money:
    value, _, currency = text.partition(" ")
    units, _, cents = value.partition(".")
    return Money(str(int(units) * 100 + int(cents)), CURRENCIES[currency])


def _code(text: str) -> str:
    if text not in ALL_CODES:
        raise ValueError(f"{text} is not a UCSP response code")
    return text


_money.pattern = r"\d+\.\d{2} (?:" + "|".join(CURRENCIES) + ")"  # type: ignore[attr-defined]
_code.pattern = r"\d\d"  # type: ignore[attr-defined]


def _word(pattern: str) -> Any:
    def convert(text: str) -> str:
        return text

    convert.pattern = pattern  # type: ignore[attr-defined]
    return convert


def _count(text: str) -> int:
    return int(text)


_count.pattern = r"\d+"  # type: ignore[attr-defined]

EXTRA_TYPES: dict[str, Any] = {
    "Money": _money,
    "Code": _code,
    "Status": _word(r"[A-Z_]+"),
    "MsgType": _word(r"[A-Z_]+"),
    "Count": _count,
    "Text": _word(r"[^\"]*"),
    "Name": _word(r"[a-z0-9-]+"),
    "Path": _word(r"[A-Za-z][A-Za-z.]*"),
    "Word": _word(r"\S+"),
}


def parse(phrase: str) -> parsers.parse:
    """A step parser with the library's domain types."""
    return parsers.parse(phrase, extra_types=EXTRA_TYPES, case_sensitive=True)
