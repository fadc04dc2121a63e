"""Auto-debit: a user signs a contract; the Industry Service closes it or charges it.

SIGN_AUTO_DEBIT, the signing page behind the signUrl and SIGN_AUTO_DEBIT_NOTICE;
CLOSE_AUTO_DEBIT; SUBMIT_AUTO_DEBIT and its PAYMENT_RESULT_NOTICE (txnType AUTO_DEBIT).

UCSP under test (:class:`~ucsp.sides.auto_debit_ucsp.UcspAutoDebit`): the suite plays the
Industry Service and sends the requests itself; the UCSP hosts the signing page and sends its
notices to the suite. Industry Service under test
(:class:`~ucsp.sides.auto_debit_industry.IndustryAutoDebit`): the IS sends them through its
harness; the suite, as UCSP, answers, hosts the signing page, sends the notices, and can hold
them back or craft its own.

Other areas get contracts and charges from here, synchronously: :meth:`AutoDebit.signed` (a
contract a new user signed, its notice delivered; closed too when asked),
:meth:`AutoDebit.charge_contract` (a charge on it, whatever the answer) and
:meth:`AutoDebit.charged` (a charge answered 00). Each precondition that fails names the rule of
the side under test (:meth:`AutoDebit.sign_rule`, :attr:`AutoDebit.sign_notice_rule`,
:meth:`AutoDebit.close_rule`, :meth:`AutoDebit.charge_rule`).
"""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ucsp.checks.auto_debit import (
    check_contract_id,
    check_no_more_notices,
    check_sign_answer,
    check_sign_redirect,
    check_sign_url_given,
    check_signing_page_status,
)
from ucsp.checks.inquiry import check_order_status
from ucsp.journal import JournalEntry
from ucsp.messages import MsgType
from ucsp.money import Money
from ucsp.sides.result import Order
from ucsp.sides.side import DEFAULT_WAIT

if TYPE_CHECKING:
    from ucsp.sides.side import Side

SIGN = MsgType.SIGN_AUTO_DEBIT
SIGN_NOTICE = MsgType.SIGN_AUTO_DEBIT_NOTICE
CLOSE = MsgType.CLOSE_AUTO_DEBIT
CHARGE = MsgType.SUBMIT_AUTO_DEBIT
NOTICE = MsgType.PAYMENT_RESULT_NOTICE
INQUIRY = MsgType.PAYMENT_RESULT_INQUIRY
SIGNED, DECLINED = "00", "01"  # the signing page's results, and the notice's signStatus
PROBE_CHARGE = Money("100", "156")  # a charge that only shows whether a contract is active


@dataclass
class Signing(Order):
    """A SIGN_AUTO_DEBIT for one user and its outcome (``Order`` fields: the answer's code,
    trxInfo and evidence; a signing creates no order, so it has no orderId or amount)."""

    order_id: str = ""
    txn_amt: str = ""
    currency: str = ""
    user_id: str = ""
    front_url: str = ""  # as sent
    back_url: str = ""  # as sent

    @property
    def sign_url(self) -> str | None:
        value = self.trx_info.get("signUrl")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class SigningPage:
    """What the signing page answered the browser."""

    status: int
    location: str | None
    notices_before: int  # SIGN_AUTO_DEBIT_NOTICEs of the user seen when the page answered


@dataclass(frozen=True)
class Contract:
    """A contract named by a SIGN_AUTO_DEBIT_NOTICE (or by the browser's return from the
    signing page): its user, and the signStatus it had. ``decided_by`` names the rule its
    recorded status falls under when that is not the usual one (the browser came back)."""

    contract_id: str
    user_id: str
    sign_status: str = SIGNED
    decided_by: str | None = None


@dataclass
class Closing(Order):
    """A CLOSE_AUTO_DEBIT of one contract and its outcome (no order, no amount)."""

    order_id: str = ""
    txn_amt: str = ""
    currency: str = ""
    contract_id: str = ""
    user_id: str = ""


@dataclass
class Charge(Order):
    """A SUBMIT_AUTO_DEBIT: the order it creates on ``contract_id``, and its outcome."""

    contract_id: str = ""


def new_user_id() -> str:
    """A user the Industry Service has never asked to sign."""
    return "adu" + secrets.token_hex(8)


def unknown_contract_id() -> str:
    return "C" + secrets.token_hex(12)


_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_.~-]")  # the unreserved characters of a URL


def unknown_token_url(url: str, other: str) -> str:
    """``url`` (a signUrl) with its token changed into one issued to no one. The token is
    where ``url`` differs from ``other`` (the signUrl of a second, identical signing
    request), widened to whole unreserved characters; it becomes itself reversed, or the
    two tokens spliced: the same length and characters, so the same form."""
    if url == other:
        raise ValueError(f"two signings got the same signUrl {url}: no token to change")
    prefix = _shared(url, other)
    suffix = _shared(url[prefix:][::-1], other[prefix:][::-1])
    while prefix and _TOKEN_CHAR.fullmatch(url[prefix - 1]):
        prefix -= 1
    while suffix and _TOKEN_CHAR.fullmatch(url[len(url) - suffix]):
        suffix -= 1
    mine, theirs = url[prefix : len(url) - suffix], other[prefix : len(other) - suffix]
    if not all(_TOKEN_CHAR.fullmatch(c) for c in mine + theirs):
        raise ValueError(f"the signUrls {url} and {other} differ in more than a token")
    half = len(mine) // 2
    candidates = [mine[::-1], theirs[:half] + mine[half:], mine[:half] + theirs[half:]]
    fresh = [c for c in candidates if len(c) == len(mine) and c not in (mine, theirs)]
    if not fresh:
        raise ValueError(f"cannot make a token unlike {mine!r} and {theirs!r}")
    return url[:prefix] + fresh[0] + url[len(url) - suffix :]


def _shared(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share from their start."""
    pairs = enumerate(zip(a, b, strict=False))
    return next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))


class AutoDebit(ABC):
    """Signing, closing and charging contracts, for either side."""

    sign_notice_rule: ClassVar[str]  # how the signing notice is sent (or answered)

    def __init__(self, side: Side) -> None:
        self.side = side

    # --- the rules an outcome falls under ---------------------------------------------------

    @abstractmethod
    def sign_rule(self, code: str) -> str:
        """The rule a signing request answered (or reported) ``code`` falls under."""

    @abstractmethod
    def close_rule(self, code: str) -> str:
        """The rule a closing answered (or reported) ``code`` falls under."""

    @abstractmethod
    def charge_rule(self, code: str) -> str:
        """The rule a charge answered (or reported) ``code`` falls under."""

    @abstractmethod
    def charge_notice_rule(self, charge: Charge) -> str:
        """The rule the result notice of ``charge`` falls under."""

    @abstractmethod
    def recorded_rule(self, charge: Charge) -> str:
        """The rule the recorded status of ``charge`` falls under."""

    # --- signing ----------------------------------------------------------------------------

    @abstractmethod
    def ask_to_sign(self) -> Signing:
        """The Industry Service asks a new user to sign, whatever the answer."""

    def check_sign_answered(self, signing: Signing, code: str) -> None:
        """The signing request was answered ``code``, with a signUrl when 00."""
        rule = self.sign_rule(code)
        self._check_code(signing, code, rule, SIGN)
        check_sign_answer(signing.code, signing.trx_info, code, rule)

    def check_sign_rejected(self, signing: Signing, code: str) -> None:
        self._check_code(signing, code, self.sign_rule(code), SIGN)

    @staticmethod
    def _check_code(result: Order, code: str, rule: str, msg_type: str) -> None:
        """``result`` is believable and its answer has ``code``: else a violation of ``rule``."""
        result.check_answered(code, rule, f"the answer to {msg_type}")

    def asked_to_sign(self) -> Signing:
        """A new user asked to sign; the request answered 00 with a signUrl."""
        signing = self.ask_to_sign()
        self.check_sign_answered(signing, "00")
        return signing

    def answer_signing_page(
        self, signing: Signing, result: str, url: str | None = None
    ) -> SigningPage:
        """The user signs (00) or declines (01) on the page behind the signUrl (or ``url``)."""
        check_sign_url_given(signing.sign_url, signing.user_id, self.sign_rule("00"))
        http = self.side.d.http
        url = url or signing.sign_url
        assert http is not None and url is not None
        page = self.side.call(http.post(url, data={"result": result}))
        seen = self.sign_notices_now(signing.user_id)
        return SigningPage(page.status_code, page.headers.get("location"), len(seen))

    def check_page_answered(self, page: SigningPage, status: int) -> None:
        check_signing_page_status(page.status, status)

    def check_sent_back(
        self, signing: Signing, page: SigningPage, contract: Contract, result: str
    ) -> None:
        """The signing page sent the browser back to the frontUrl with the contractId and
        signStatus ``result``."""
        check_sign_redirect(
            page.status,
            page.location,
            signing.front_url,
            contract.contract_id,
            result,
            page.notices_before,
        )

    def sign_notices(self, user_id: str) -> list[JournalEntry]:
        """SIGN_AUTO_DEBIT_NOTICE transmissions for ``user_id``, once the first came."""
        return self.side.wait_notices(SIGN_NOTICE, userId=user_id)

    def sign_notices_now(self, user_id: str) -> list[JournalEntry]:
        return self.side.notices_of(SIGN_NOTICE, userId=user_id)

    def notified_contract(self, signing: Signing, result: str) -> Contract:
        """The signing notice of the user, sent (UCSP under test) or answered (IS under test)
        correctly with signStatus ``result``; the contract it names."""
        rule = self.sign_notice_rule
        entries = self.sign_notices(signing.user_id)
        notice = self.side.first_notice(entries, rule, f"{SIGN_NOTICE} for user {signing.user_id}")
        self._check_sign_notice(signing, notice, result)
        return Contract(check_contract_id(notice.trx, rule), signing.user_id, result)

    @abstractmethod
    def _check_sign_notice(self, signing: Signing, notice: JournalEntry, result: str) -> None: ...

    def contract(self, result: str) -> Contract:
        """A new user asked to sign, who signs (00) or declines (01); the notice delivered."""
        signing = self.asked_to_sign()
        self.answer_signing_page(signing, result)
        return self.notified_contract(signing, result)

    def signed(self, closed: bool = False) -> Contract:
        """A contract a new user signed (its notice delivered), and closed when ``closed``
        (the closing answered 00)."""
        contract = self.contract(SIGNED)
        if closed:
            self.closed(contract)
        return contract

    def declined(self) -> Contract:
        """A contract a new user declined (its notice delivered)."""
        return self.contract(DECLINED)

    def check_no_further_sign_notice(self, signing: Signing, sent: int = 1) -> None:
        """The user's signing notice was sent ``sent`` times (PAY-06: a second or refused
        answer of the signing page sent nothing more)."""
        self.side.payment.quiet_period()
        count = len(self.sign_notices_now(signing.user_id))
        what = f"{SIGN_NOTICE}s for user {signing.user_id}"
        check_no_more_notices(count, sent, what, "PAY-06")

    # --- closing ----------------------------------------------------------------------------

    @abstractmethod
    def close(self, contract_id: str, user_id: str) -> Closing:
        """The Industry Service closes the contract, whatever the answer."""

    def close_contract(self, contract: Contract) -> Closing:
        return self.close(contract.contract_id, contract.user_id)

    def close_as_other_user(self, contract: Contract) -> Closing:
        """The closing of ``contract`` under a userId other than its user's."""
        return self.close(contract.contract_id, new_user_id())

    def close_unknown(self) -> Closing:
        """The closing of a contract that does not exist."""
        return self.close(unknown_contract_id(), new_user_id())

    def check_close_answered(self, closing: Closing, code: str) -> None:
        """The closing was answered ``code`` (and, where the answer is the UCSP's own, names
        the contract)."""
        self._check_code(closing, code, self.close_rule(code), CLOSE)

    def closed(self, contract: Contract) -> Closing:
        """``contract`` closed, the closing answered 00."""
        closing = self.close_contract(contract)
        self._check_code(closing, "00", self.close_rule("00"), CLOSE)
        return closing

    def check_still_chargeable(self, contract: Contract) -> None:
        """A charge on ``contract`` is answered 00 (AD-06: a refused closing changed nothing)."""
        charge = self.charge(contract.contract_id, PROBE_CHARGE)
        self._check_code(charge, "00", "AD-06", CHARGE)

    @abstractmethod
    def check_still_active(self, contract: Contract) -> None:
        """``contract`` is still active: the closing of another user's contract left it
        alone."""

    # --- charging ---------------------------------------------------------------------------

    @abstractmethod
    def charge(self, contract_id: str, amount: Money) -> Charge:
        """The Industry Service charges ``amount`` on the contract, whatever the answer."""

    def charge_contract(self, contract: Contract, amount: Money) -> Charge:
        return self.charge(contract.contract_id, amount)

    def charge_unknown(self, amount: Money) -> Charge:
        """A charge on a contract that does not exist."""
        return self.charge(unknown_contract_id(), amount)

    def check_charge_answered(self, charge: Charge, code: str) -> None:
        """The charge was answered ``code`` (and, where the answer is the UCSP's own, names
        the order, with a queryId when 00)."""
        self._check_code(charge, code, self.charge_rule(code), CHARGE)

    def charged(self, contract: Contract, amount: Money) -> Charge:
        """A charge of ``amount`` on ``contract``, answered 00."""
        charge = self.charge_contract(contract, amount)
        self._check_code(charge, "00", self.charge_rule("00"), CHARGE)
        return charge

    def charge_notices(self, charge: Charge) -> list[JournalEntry]:
        """The charge's PAYMENT_RESULT_NOTICE transmissions, waiting (at most the length of
        the schedule) for the first: a 05 outcome may take its time."""
        timeout = max(self.side.target.profile.schedule[-1], DEFAULT_WAIT)
        return self.side.wait_notices(NOTICE, timeout, orderId=charge.order_id)

    def check_charge_notified(self, charge: Charge, status: str) -> None:
        """The charge's result notice was delivered with txnStatus ``status``."""
        rule = self.charge_notice_rule(charge)
        what = f"{NOTICE} for charge {charge.order_id}"
        notice = self.side.first_notice(self.charge_notices(charge), rule, what)
        self._check_charge_notice(charge, notice, status, rule)

    @abstractmethod
    def _check_charge_notice(
        self, charge: Charge, notice: JournalEntry, status: str, rule: str
    ) -> None: ...

    def check_no_charge_notice(self, charge: Charge) -> None:
        """No result notice of the (declined) charge comes (AD-07)."""
        self.side.payment.quiet_period()
        count = len(self.side.notices_of(NOTICE, orderId=charge.order_id))
        check_no_more_notices(count, 0, f"{NOTICE}s of charge {charge.order_id}", "AD-07")

    @abstractmethod
    def charge_status(self, charge: Charge) -> str | None:
        """How the SUT records the charge."""

    def check_charge_recorded(self, charge: Charge, status: str) -> None:
        recorded = self.charge_status(charge)
        check_order_status(recorded, status, charge.order_id, self.recorded_rule(charge))
