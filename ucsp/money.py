"""Amounts as the wire carries them: minor units and an ISO 4217 numeric currency."""

from __future__ import annotations

from dataclasses import dataclass

CURRENCIES = {"CNY": "156", "HKD": "344", "USD": "840", "EUR": "978", "SGD": "702"}
MONEY_PATTERN = r"\d+\.\d{2} (?:" + "|".join(CURRENCIES) + ")"


@dataclass(frozen=True)
class Money:
    txn_amt: str  # minor units, as on the wire
    currency: str  # ISO 4217 numeric

    def __str__(self) -> str:
        return f"{self.txn_amt} ({self.currency})"

    @classmethod
    def parse(cls, text: str) -> Money:
        """``"12.50 CNY"`` as ``Money("1250", "156")``; ValueError for anything else."""
        value, _, name = text.partition(" ")
        units, dot, cents = value.partition(".")
        if name not in CURRENCIES or not dot or not (units + cents).isdigit() or len(cents) != 2:
            raise ValueError(f"{text!r} is no amount such as '12.50 CNY'")
        return cls(str(int(units) * 100 + int(cents)), CURRENCIES[name])
