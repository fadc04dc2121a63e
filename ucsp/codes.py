"""Response codes of the UCSP protocol (PROTOCOL.md section 6)."""

from __future__ import annotations

from enum import StrEnum


class ResponseCode(StrEnum):
    """The eight response codes a UCSP exchange can carry."""

    APPROVED = "00"
    FAILED = "01"
    ACCEPTED = "05"
    FORMAT_INVALID = "10"
    SIGNATURE_FAILS = "11"
    NOT_FOUND = "34"
    INCORRECT = "36"
    COMMON_ERROR = "99"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]

    @property
    def is_final_status(self) -> bool:
        """True for the codes that settle a transaction (00 and 01)."""
        return self in (ResponseCode.APPROVED, ResponseCode.FAILED)


DESCRIPTIONS: dict[ResponseCode, str] = {
    ResponseCode.APPROVED: "Approved",
    ResponseCode.FAILED: "Transaction Fail",
    ResponseCode.ACCEPTED: "Accepted, need to inquiry transaction result",
    ResponseCode.FORMAT_INVALID: "Message Format Invalid",
    ResponseCode.SIGNATURE_FAILS: "Signature Verification Fails",
    ResponseCode.NOT_FOUND: "Transaction Order not Found",
    ResponseCode.INCORRECT: "Order Info is Incorrect",
    ResponseCode.COMMON_ERROR: "Common Error",
}

ALL_CODES: tuple[str, ...] = tuple(code.value for code in ResponseCode)

# The answers to an order-creating request that make the order FAILED (RC-03): UCSP refused it.
REFUSALS: tuple[str, ...] = ("01", "10", "11", "34", "36", "99")
