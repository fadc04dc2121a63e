"""Auto-debit of a UCSP under test: the suite, as the Industry Service, sends SIGN_AUTO_DEBIT,
CLOSE_AUTO_DEBIT and SUBMIT_AUTO_DEBIT itself and reads the UCSP's answers, notices and
answers to PAYMENT_RESULT_INQUIRY.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ucsp.checks.auto_debit import check_charge_answer, check_close_answer, check_delivered_to
from ucsp.checks.notices import check_notice_sent_by_ucsp
from ucsp.checks.payment import check_not_created
from ucsp.errors import SuiteError
from ucsp.journal import JournalEntry
from ucsp.messages import TxnStatus, TxnType
from ucsp.money import Money
from ucsp.peers.industry_peer import BACK_NOTICE_PATH
from ucsp.sides.auto_debit import (
    CHARGE,
    CLOSE,
    INQUIRY,
    NOTICE,
    PROBE_CHARGE,
    SIGN,
    SIGN_NOTICE,
    AutoDebit,
    Charge,
    Closing,
    Contract,
    Signing,
    SigningPage,
    new_user_id,
    unknown_token_url,
)
from ucsp.sides.result import Answered, Order
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import UcspUnderTest

FRONT_PATH = "/front"
CHARGE_REFUSALS = {"34": "AD-08", "36": "AD-09"}  # a charge refused, by code; else AD-07


def unlike(value: str) -> str:
    """A value of the same length and kind (digits) as ``value`` that is not ``value``."""
    candidate = "9" * len(value)
    return candidate if candidate != value else "8" * len(value)


class UcspAutoDebit(AutoDebit):
    """The suite signs, closes and charges as the Industry Service; the UCSP under test
    answers and notifies."""

    sign_notice_rule = "AD-03"
    side: UcspUnderTest

    def sign_rule(self, code: str) -> str:
        return "AD-01" if code == "00" else "AD-02"

    def close_rule(self, code: str) -> str:
        return "AD-05" if code == "00" else "AD-06"

    def charge_rule(self, code: str) -> str:
        return CHARGE_REFUSALS.get(code, "AD-07")

    def charge_notice_rule(self, charge: Charge) -> str:
        return "AD-07"

    def recorded_rule(self, charge: Charge) -> str:
        return "AD-07"  # the inquiry reports the sandbox outcome

    untouched_rule = "AD-05"  # a closing closes the contract it names, no other

    def check_still_active(self, contract: Contract) -> None:
        """A charge on ``contract`` is answered 00: the UCSP still holds it active."""
        charge = self.charge(contract.contract_id, PROBE_CHARGE)
        self._check_code(charge, "00", self.untouched_rule, CHARGE)

    # --- the suite's requests ---------------------------------------------------------------

    def _suite_base(self) -> str:
        target = self.side.target
        if target.suite_url:
            return target.suite_url.rstrip("/")
        parts = urlsplit(target.industry.notice_url)
        return f"{parts.scheme}://{parts.netloc}"

    def new_front_url(self) -> str:
        """A frontUrl of the suite with a query of its own, which the redirect must keep."""
        return f"{self._suite_base()}{FRONT_PATH}?ref={secrets.token_hex(4)}"

    def back_url(self) -> str:
        """A notice URL of the suite other than the registered one, for backUrl."""
        return self._suite_base() + BACK_NOTICE_PATH

    def _send(
        self, result: Order, msg_type: str, trx: dict[str, str], unknown: str | None = None
    ) -> None:
        """The suite sends ``trx`` (with the value of ``unknown`` replaced by one of the same
        form that the UCSP does not know); ``result`` takes the UCSP's answer."""
        if unknown is not None:
            if unknown not in trx:
                raise ValueError(f"no unknown {unknown} can be made: use one of {', '.join(trx)}")
            trx = {**trx, unknown: unlike(trx[unknown])}
        exchange = self.side.request(msg_type, trx)
        result.code, result.trx_info = exchange.code, dict(exchange.trx_info)
        result.evidence = Answered(exchange)

    # --- signing ----------------------------------------------------------------------------

    def ask_to_sign(self, unknown: str | None = None) -> Signing:
        """The suite asks a new user to sign (with an ``unknown`` field, e.g. merId)."""
        signing = Signing(
            user_id=new_user_id(), front_url=self.new_front_url(), back_url=self.back_url()
        )
        self._send(signing, SIGN, self._sign_trx(signing), unknown)
        return signing

    def _sign_trx(self, signing: Signing) -> dict[str, str]:
        return {
            "merId": self.side.target.industry.mer_id,
            "userId": signing.user_id,
            "frontUrl": signing.front_url,
            "backUrl": signing.back_url,
        }

    def answer_unknown_signing_page(self, signing: Signing, result: str) -> SigningPage:
        """``result`` posted to the signing page of a token never issued: the signUrl with
        its token changed, found by comparing it with the signUrl of a second, identical
        signing request (a signUrl the suite cannot tell the token of is a suite ERROR)."""
        again = replace(signing, code=None, trx_info={})
        self._send(again, SIGN, self._sign_trx(signing))
        first, second = signing.sign_url, again.sign_url
        if again.code != "00" or not first or not second:
            raise SuiteError("a second signing request got no signUrl to tell the token by")
        try:
            url = unknown_token_url(first, second)
        except ValueError as exc:
            raise SuiteError(str(exc)) from None
        return self.answer_signing_page(signing, result, url)

    def _check_sign_notice(self, signing: Signing, notice: JournalEntry, result: str) -> None:
        rule = self.sign_notice_rule
        expected = {"userId": signing.user_id, "signStatus": result}
        check_notice_sent_by_ucsp(notice, self.side.target, SIGN_NOTICE, expected, rule)
        check_delivered_to(notice.url, signing.back_url, f"the {SIGN_NOTICE}", rule)

    # --- closing ----------------------------------------------------------------------------

    def close(self, contract_id: str, user_id: str) -> Closing:
        closing = Closing(contract_id=contract_id, user_id=user_id)
        self._send(closing, CLOSE, {"contractId": contract_id, "userId": user_id})
        return closing

    def check_close_answered(self, closing: Closing, code: str) -> None:
        super().check_close_answered(closing, code)
        rule = self.close_rule(code)
        check_close_answer(closing.code, closing.trx_info, closing.contract_id, code, rule)

    # --- charging ---------------------------------------------------------------------------

    def charge(
        self,
        contract_id: str,
        amount: Money,
        unknown: str | None = None,
        other_merchant: bool = False,
    ) -> Charge:
        """SUBMIT_AUTO_DEBIT on the contract (with an ``unknown`` field, or as the industry's
        other registered merchant)."""
        peer, info = self.side.peer, self.side.target.industry
        charge = Charge(
            peer.new_order_id(),
            amount.txn_amt,
            amount.currency,
            peer.txn_time(),
            contract_id=contract_id,
        )
        trx = {
            "contractId": contract_id,
            "orderId": charge.order_id,
            "merId": info.other_mer_id if other_merchant else info.mer_id,
            "acqIIN": info.acq_iin,
            "txnAmt": amount.txn_amt,
            "currencyCode": amount.currency,
            "txnTime": charge.txn_time,
        }
        self._send(charge, CHARGE, trx, unknown)
        return charge

    def check_charge_answered(self, charge: Charge, code: str) -> None:
        super().check_charge_answered(charge, code)
        rule = self.charge_rule(code)
        check_charge_answer(charge.code, charge.trx_info, charge.order_id, code, rule)

    def check_charge_not_created(self, charge: Charge, code: str) -> None:
        """The charge was refused with ``code`` and the UCSP knows no such order."""
        rule = self.charge_rule(code)
        self._check_code(charge, code, rule, CHARGE)
        inquiry = self.inquire(charge)
        Answered(inquiry).check(rule)
        check_not_created(inquiry.code, charge.order_id, rule)

    def inquire(self, charge: Charge) -> Exchange:
        """PAYMENT_RESULT_INQUIRY about the charge."""
        return self.side.request(INQUIRY, {"orderId": charge.order_id, "txnTime": charge.txn_time})

    def charge_status(self, charge: Charge) -> str | None:
        """The txnStatus the inquiry answers, as a status."""
        exchange = self.inquire(charge)
        if exchange.code != "00":
            return None if exchange.code is None else f"unknown (inquiry answered {exchange.code})"
        return TxnStatus.of_code(str(exchange.trx_info.get("txnStatus")))

    def _check_charge_notice(
        self, charge: Charge, notice: JournalEntry, status: str, rule: str
    ) -> None:
        expected: dict[str, Any] = {
            "orderId": charge.order_id,
            "txnType": TxnType.AUTO_DEBIT.value,
            "contractId": charge.contract_id,
            "txnAmt": charge.txn_amt,
            "currencyCode": charge.currency,
            "txnTime": charge.txn_time,
            "txnStatus": status,
        }
        query_id = charge.trx_info.get("queryId")
        if isinstance(query_id, str) and query_id:
            expected["queryId"] = query_id
        check_notice_sent_by_ucsp(notice, self.side.target, NOTICE, expected, rule)
