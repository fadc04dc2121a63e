"""The one parser convention of the step library: ``parse(...)`` with typed domain fields.

Steps write ``{amount:Money}``, ``{code:Code}``, ``{status:Status}``, ``{msg_type:MsgType}``,
``{count:Count}``; values are converted here, at the parser boundary. Matching is
case-sensitive, so ``{status:Status}`` never swallows an ordinary lower-case word.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import parsers

from ucsp.codes import ALL_CODES
from ucsp.money import MONEY_PATTERN, Money
from ucsp.sides.auto_debit_industry import FIRST_NOTICE_MISHAPS

__all__ = ["EXTRA_TYPES", "Money", "parse"]


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
    "Reversal": _word(r"cancellation|refund"),  # names the fixture of the latest one
    # what befalls a signing notice's first transmission
    "Mishap": _word("|".join(re.escape(name) for name in FIRST_NOTICE_MISHAPS)),
}


def parse(phrase: str) -> parsers.parse:
    """A step parser with the library's domain types."""
    return parsers.parse(phrase, extra_types=EXTRA_TYPES, case_sensitive=True)
