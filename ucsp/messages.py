"""The eleven UCSP message types and who sends them (PROTOCOL.md section 8, Counting)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Kind = Literal["request", "response"]


class Party(StrEnum):
    INDUSTRY = "industry"
    UCSP = "ucsp"

    @property
    def msgid_prefix(self) -> str:
        """First character of a msgID for exchanges this party originates."""
        return "A" if self is Party.INDUSTRY else "U"

    @property
    def peer(self) -> Party:
        return Party.UCSP if self is Party.INDUSTRY else Party.INDUSTRY


@dataclass(frozen=True)
class MessageType:
    name: str
    sender: Party
    has_response: bool = True

    @property
    def receiver(self) -> Party:
        return self.sender.peer


_TYPES = (
    MessageType("SUBMIT_PAYMENT_ORDER", Party.INDUSTRY),
    MessageType("PAYMENT_RESULT_INQUIRY", Party.INDUSTRY),
    MessageType("SIGN_AUTO_DEBIT", Party.INDUSTRY),
    MessageType("CLOSE_AUTO_DEBIT", Party.INDUSTRY),
    MessageType("SUBMIT_AUTO_DEBIT", Party.INDUSTRY),
    MessageType("PAYMENT_CANCELLATION", Party.INDUSTRY),
    MessageType("PAYMENT_REFUND", Party.INDUSTRY),
    MessageType("REFUND_RESULT_INQUIRY", Party.INDUSTRY),
    MessageType("INDUSTRY_LOGIN_INFO", Party.UCSP, has_response=False),
    MessageType("PAYMENT_RESULT_NOTICE", Party.UCSP),
    MessageType("SIGN_AUTO_DEBIT_NOTICE", Party.UCSP),
)

MESSAGE_TYPES: dict[str, MessageType] = {t.name: t for t in _TYPES}
GATEWAY_TYPES: tuple[str, ...] = tuple(t.name for t in _TYPES if t.sender is Party.INDUSTRY)
NOTICE_TYPES: tuple[str, ...] = ("PAYMENT_RESULT_NOTICE", "SIGN_AUTO_DEBIT_NOTICE")
INQUIRY_TYPES: tuple[str, ...] = ("PAYMENT_RESULT_INQUIRY", "REFUND_RESULT_INQUIRY")
LOGIN_TYPE = "INDUSTRY_LOGIN_INFO"


def message_type(name: str) -> MessageType:
    """Look up a message type by name; raises KeyError for an unknown one."""
    return MESSAGE_TYPES[name]
