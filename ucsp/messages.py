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


class MsgType(StrEnum):
    """The eleven msgType values."""

    SUBMIT_PAYMENT_ORDER = "SUBMIT_PAYMENT_ORDER"
    PAYMENT_RESULT_INQUIRY = "PAYMENT_RESULT_INQUIRY"
    SIGN_AUTO_DEBIT = "SIGN_AUTO_DEBIT"
    CLOSE_AUTO_DEBIT = "CLOSE_AUTO_DEBIT"
    SUBMIT_AUTO_DEBIT = "SUBMIT_AUTO_DEBIT"
    PAYMENT_CANCELLATION = "PAYMENT_CANCELLATION"
    PAYMENT_REFUND = "PAYMENT_REFUND"
    REFUND_RESULT_INQUIRY = "REFUND_RESULT_INQUIRY"
    INDUSTRY_LOGIN_INFO = "INDUSTRY_LOGIN_INFO"
    PAYMENT_RESULT_NOTICE = "PAYMENT_RESULT_NOTICE"
    SIGN_AUTO_DEBIT_NOTICE = "SIGN_AUTO_DEBIT_NOTICE"


# Order-creating requests (registry terms): their txnTime is the time the sender created them.
ORDER_CREATING: tuple[str, ...] = (
    MsgType.SUBMIT_PAYMENT_ORDER,
    MsgType.SUBMIT_AUTO_DEBIT,
    MsgType.PAYMENT_CANCELLATION,
    MsgType.PAYMENT_REFUND,
)


class TxnType(StrEnum):
    """trxInfo.txnType of a result notice or an inquiry's answer (PROTOCOL.md section 4)."""

    PAYMENT = "PAYMENT"
    AUTO_DEBIT = "AUTO_DEBIT"
    CANCELLATION = "CANCELLATION"
    REFUND = "REFUND"

    @property
    def creating_type(self) -> MsgType:
        """The request that creates a transaction of this type."""
        return _CREATING[self]


_CREATING = {
    TxnType.PAYMENT: MsgType.SUBMIT_PAYMENT_ORDER,
    TxnType.AUTO_DEBIT: MsgType.SUBMIT_AUTO_DEBIT,
    TxnType.CANCELLATION: MsgType.PAYMENT_CANCELLATION,
    TxnType.REFUND: MsgType.PAYMENT_REFUND,
}


class TxnStatus(StrEnum):
    """How a transaction is recorded; on the wire, txnStatus is its code (00, 01, 05)."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PENDING = "PENDING"

    @property
    def code(self) -> str:
        return _STATUS_CODE[self]

    @classmethod
    def of_code(cls, code: object) -> str:
        """The status a txnStatus code stands for (the code itself when it is none of them)."""
        return next((status.value for status, c in _STATUS_CODE.items() if c == code), str(code))


_STATUS_CODE = {TxnStatus.SUCCEEDED: "00", TxnStatus.FAILED: "01", TxnStatus.PENDING: "05"}


def message_type(name: str) -> MessageType:
    """Look up a message type by name; raises KeyError for an unknown one."""
    return MESSAGE_TYPES[name]
