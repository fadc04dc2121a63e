"""Auto-debit of an Industry Service under test: the IS signs, closes and charges through its
harness; the suite, as UCSP, answers, hosts the signing page, sends the notices (or holds them
back, or crafts its own) and reads what the harness records.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ucsp.checks.auto_debit import (
    check_contract_record,
    check_new_order_id,
    check_no_contract,
    check_sent_fields,
    check_sent_once,
    check_url_field,
)
from ucsp.checks.inquiry import check_order_status
from ucsp.checks.messages import check_code, check_timestamp
from ucsp.checks.notices import check_notice_answered_by_industry
from ucsp.checks.reversal import check_recorded
from ucsp.codes import REFUSALS
from ucsp.drivers.harness import HarnessAnswer
from ucsp.errors import SuiteError
from ucsp.journal import JournalEntry, json_object
from ucsp.messages import ORDER_CREATING, TxnType
from ucsp.money import Money
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.sides.auto_debit import (
    CHARGE,
    CLOSE,
    INQUIRY,
    NOTICE,
    SIGN,
    SIGN_NOTICE,
    SIGNED,
    AutoDebit,
    Charge,
    Closing,
    Contract,
    Signing,
    SigningPage,
    new_user_id,
    unknown_contract_id,
)
from ucsp.sides.result import Answered, Mirrored
from ucsp.sides.scripted_answers import (
    check_reported_unanswered,
)
from ucsp.transport import Exchange

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest


# how the suite, as UCSP, spoils the first transmission of a signing notice
FIRST_NOTICE_MISHAPS = {"loses": "drop", "breaks the signature of": "tamper"}


@dataclass(frozen=True)
class CraftedNotice:
    """A notice the suite (as UCSP) sent itself about ``contract_id``, and the rule the
    Industry Service's answer to it falls under."""

    exchange: Exchange
    contract_id: str
    rule: str


class IndustryAutoDebit(AutoDebit):
    """The Industry Service under test signs, closes and charges through its harness; the
    suite answers as UCSP."""

    sign_notice_rule = "AD-11"
    side: IndustryUnderTest

    def sign_rule(self, code: str) -> str:
        return "AD-10"

    def close_rule(self, code: str) -> str:
        return "AD-13"

    def charge_rule(self, code: str) -> str:
        return "AD-14"

    def charge_notice_rule(self, charge: Charge) -> str:
        """How the IS answers the notice: the order pending (PAY-08) or already final (NOT-07)."""
        return "PAY-08" if charge.code == "05" else "NOT-07"

    def recorded_rule(self, charge: Charge) -> str:
        """00 is success at once (RC-02); no valid answer leaves it PENDING (RC-05); otherwise
        the notice decides (PAY-08)."""
        if charge.code is None:
            return self.unanswered_rule
        return "RC-02" if charge.code == "00" else "PAY-08"

    def record_rule(self, charge: Charge, status: str) -> str:
        """The rule a record of ``charge`` as ``status`` falls under: PENDING after a 05 answer
        (RC-04) or no valid answer (RC-05); FAILED after a refusal (RC-03); else as
        :meth:`recorded_rule`."""
        if status == "PENDING" and charge.code == "05":
            return self.pending_rule
        if status == "FAILED" and charge.code in REFUSALS:
            return self.failed_rule
        return self.recorded_rule(charge)

    unanswered_rule = "RC-05"  # no valid answer: PENDING, and inquiries
    pending_rule = "RC-04"  # a 05 answer: PENDING, and inquiries
    failed_rule = "RC-03"  # a refusal: FAILED, no inquiry
    harness_error_rule = "PAY-09"  # no valid answer reported as HTTP 424 with the orderId

    # --- what the Industry Service sent -----------------------------------------------------

    def sent(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Requests of ``msg_type`` the Industry Service under test sent with these values."""
        return [e for e in self.side.entries(msg_type, **trx) if e.direction == "in"]

    def order_ids_sent(self) -> list[str]:
        """orderIds of every order-creating request the Industry Service under test sent."""
        return [
            str(e.trx.get("orderId", ""))
            for msg_type in ORDER_CREATING
            for e in self.sent(msg_type)
        ]

    def _mirrored(
        self, msg_type: str, answer: HarnessAnswer, keys: tuple[str, ...], **trx: str
    ) -> Mirrored:
        """The harness's ``answer`` beside UCSP's answer to the request the IS sent."""
        sent = self.sent(msg_type, **trx)
        ucsp_answer = sent[-1].answer if sent else {}
        return Mirrored(msg_type, answer.status, dict(answer.data), ucsp_answer, keys)

    @staticmethod
    def _code(answer: HarnessAnswer) -> str | None:
        code = answer.data.get("responseCode")
        return code if isinstance(code, str) else None

    # --- signing ----------------------------------------------------------------------------

    def ask_to_sign(self) -> Signing:
        user_id = new_user_id()
        answer = self.side.call(self.side.harness.sign(user_id, expect_ok=False))
        signing = Signing(
            code=self._code(answer),
            trx_info={k: answer.data[k] for k in ("signUrl",) if k in answer.data},
            evidence=self._mirrored(SIGN, answer, ("signUrl",), userId=user_id),
            user_id=user_id,
        )
        sent = self.sent(SIGN, userId=user_id)
        if sent:
            signing.front_url = str(sent[-1].trx.get("frontUrl", ""))
            signing.back_url = str(sent[-1].trx.get("backUrl", ""))
        return signing

    def check_sign_sent(self, signing: Signing) -> None:
        """One SIGN_AUTO_DEBIT for the user, with the merId, a frontUrl and the IS's notice
        URL as backUrl (AD-10)."""
        sent = self.sent(SIGN, userId=signing.user_id)
        check_sent_once(len(sent), SIGN, f"user {signing.user_id}", "AD-10")
        trx, info = sent[0].trx, self.side.target.industry
        check_sent_fields(SIGN, trx, {"merId": info.mer_id, "backUrl": info.notice_url}, "AD-10")
        check_url_field(SIGN, trx, "frontUrl", "AD-10")

    def _check_sign_notice(self, signing: Signing, notice: JournalEntry, result: str) -> None:
        check_notice_answered_by_industry(notice, self.side.target, "00", self.sign_notice_rule)

    def contract_record(self, contract_id: str) -> HarnessAnswer:
        """The Industry Service's record of the contract (any HTTP status)."""
        return self.side.call(self.side.harness.contract_record(contract_id, expect_ok=False))

    def _check_contract(self, contract: Contract, status: str, rule: str) -> None:
        record = self.contract_record(contract.contract_id)
        check_contract_record(
            record.status, record.data, contract.contract_id, contract.user_id, status, rule
        )

    def check_contract_recorded(self, contract: Contract, status: str) -> None:
        """The IS records the contract for its user as ``status``: as the closing left it
        (AD-13, CLOSED), else as the signing notice told it (AD-11), whatever the browser's
        return said (AD-16, once the browser came back)."""
        usual = "AD-13" if status == "CLOSED" else "AD-11"
        self._check_contract(contract, status, contract.decided_by or usual)

    untouched_rule = "AD-13"  # a closing answered 00 closes the contract it named, no other

    def check_still_active(self, contract: Contract) -> None:
        """The IS still records ``contract`` as ACTIVE for its user."""
        self._check_contract(contract, "ACTIVE", self.untouched_rule)

    def check_contract_kept(self, contract: Contract, status: str, crafted: CraftedNotice) -> None:
        """The IS still records the contract for its user as ``status``: the crafted signing
        notice changed nothing (under the notice's rule)."""
        self._check_contract(contract, status, crafted.rule)

    # --- crafted signing notices ------------------------------------------------------------

    def _send_sign_notice(
        self, contract: Contract, rule: str, named_user: str | None = None
    ) -> CraftedNotice:
        """A SIGN_AUTO_DEBIT_NOTICE of ``contract`` with its signStatus, re-signed naming
        ``named_user`` when given; the IS's answer falls under ``rule``."""

        def rename(message: dict[str, Any]) -> dict[str, Any]:
            message["trxInfo"]["userId"] = named_user
            return message

        trx = {
            "contractId": contract.contract_id,
            "userId": contract.user_id,
            "signStatus": contract.sign_status,
        }
        mutate = rename if named_user is not None else None
        exchange = self.side.call(self.side.peer.send_notice(trx, SIGN_NOTICE, mutate=mutate))
        return CraftedNotice(exchange, contract.contract_id, rule)

    def sign_notice_for_stranger(self, signing: Signing) -> CraftedNotice:
        """A signing notice of a new contract naming a user the IS never asked to sign."""
        contract = Contract(unknown_contract_id(), signing.user_id)
        return self._send_sign_notice(contract, "AD-12", named_user=new_user_id())

    def sign_notice_for_other_user(self, contract: Contract, other: Signing) -> CraftedNotice:
        """A signing notice of ``contract`` naming the user of ``other``."""
        return self._send_sign_notice(replace(contract, sign_status=SIGNED), "AD-12", other.user_id)

    def repeated_sign_notice(self, contract: Contract) -> CraftedNotice:
        """The contract's signing notice again: the same trxInfo in a fresh envelope (NOT-06:
        a duplicate changes nothing, also after the contract changed)."""
        return self._send_sign_notice(contract, "NOT-06")

    def sign_notice_saying(self, contract: Contract, sign_status: str) -> CraftedNotice:
        """A signing notice of the recorded ``contract`` with signStatus ``sign_status``
        (AD-15: it changes nothing, whatever it says)."""
        return self._send_sign_notice(replace(contract, sign_status=sign_status), "AD-15")

    def check_crafted_answered(self, crafted: CraftedNotice, code: str) -> None:
        """The IS answered the crafted notice with ``code`` (valid and signed)."""
        exchange = crafted.exchange
        Answered(exchange).check(crafted.rule)
        check_code(exchange.code, code, crafted.rule, f"the answer to the {exchange.msg_type}")

    def check_no_contract_from(self, crafted: CraftedNotice) -> None:
        """The IS stored no contract under the crafted notice's contractId (AD-12)."""
        record = self.contract_record(crafted.contract_id)
        check_no_contract(record.status, crafted.contract_id, "AD-12")

    # --- the browser's return from the signing page -----------------------------------------

    def spoil_first_sign_notice(self, mishap: str) -> None:
        """The next signing notice's first transmission is lost on the way (``loses``: the IS
        never sees it) or goes out with its signature broken (``breaks the signature of``);
        its retry is held back until :meth:`deliver_held_sign_notice`."""
        peer = self.side.peer
        peer.gate_notices(SIGN_NOTICE, FIRST_NOTICE_MISHAPS[mishap], 1)
        peer.gate_notices(SIGN_NOTICE, "hold", 1)

    def follow_redirect(self, signing: Signing, page: SigningPage) -> Contract:
        """The browser follows the signing page's redirect to the frontUrl, as a browser
        does (a GET, following the IS's own redirects); the contract the return names. From
        now on its recorded status falls under AD-16: the notice decides, not the return."""
        query = parse_qs(urlsplit(page.location or "").query)
        contract_id, sign_status = (
            query.get("contractId", [""])[0],
            query.get("signStatus", [""])[0],
        )
        if page.status != 302 or not page.location or not contract_id or not sign_status:
            raise SuiteError(
                f"the suite's signing page answered HTTP {page.status} to {page.location!r}: "
                "no redirect naming the contractId and signStatus"
            )
        http = self.side.d.http
        assert http is not None
        self.side.call(http.get(page.location, follow_redirects=True))
        return Contract(contract_id, signing.user_id, sign_status, decided_by="AD-16")

    def deliver_held_sign_notice(self, signing: Signing) -> None:
        """Let the user's held signing notice go; the IS answers it 00 (AD-16)."""
        self.side.release_held("AD-16", userId=signing.user_id)

    def check_first_sign_notice_answered(self, signing: Signing, code: str) -> None:
        """The user's first signing notice, its signature broken, was answered ``code``
        (SEC-02)."""
        first = self.side.first_notice(
            self.sign_notices(signing.user_id), "SEC-02", f"{SIGN_NOTICE} for {signing.user_id}"
        )
        check_notice_answered_by_industry(first, self.side.target, code, "SEC-02")

    # --- closing ----------------------------------------------------------------------------

    def close(self, contract_id: str, user_id: str) -> Closing:
        """The harness closes the contract (the IS names its own user)."""
        answer = self.side.call(self.side.harness.close(contract_id, expect_ok=False))
        return Closing(
            code=self._code(answer),
            evidence=self._mirrored(CLOSE, answer, (), contractId=contract_id),
            contract_id=contract_id,
            user_id=user_id,
        )

    def check_close_sent(self, contract: Contract) -> None:
        """One CLOSE_AUTO_DEBIT of the contract, naming its user (AD-13)."""
        sent = self.sent(CLOSE, contractId=contract.contract_id)
        check_sent_once(len(sent), CLOSE, f"contract {contract.contract_id}", "AD-13")
        check_sent_fields(CLOSE, sent[0].trx, {"userId": contract.user_id}, "AD-13")

    # --- charging ---------------------------------------------------------------------------

    def charge(self, contract_id: str, amount: Money) -> Charge:
        harness = self.side.harness
        answer = self.side.call(
            harness.charge(contract_id, amount.txn_amt, amount.currency, expect_ok=False)
        )
        order_id = str(answer.data.get("orderId", ""))
        charge = Charge(
            order_id,
            amount.txn_amt,
            amount.currency,
            code=self._code(answer),
            trx_info={k: answer.data[k] for k in ("orderId",) if k in answer.data},
            evidence=self._mirrored(CHARGE, answer, ("orderId",), orderId=order_id),
            contract_id=contract_id,
        )
        sent = self.sent(CHARGE, orderId=order_id)
        if sent:
            charge.txn_time = str(sent[-1].trx.get("txnTime", ""))
        return charge

    def check_reported_unanswered(self, charge: Charge) -> None:
        """The harness answered the charge HTTP 424 with an error and its orderId (PAY-09)."""
        evidence = charge.evidence
        assert isinstance(evidence, Mirrored)
        check_reported_unanswered(evidence.status, evidence.report, self.harness_error_rule)

    def result_told(self, charge: Charge) -> bool:
        """Whether the suite, as UCSP, has told the IS that the charge succeeded: a success
        notice sent (answered or not, its answer perhaps still on the way), or an inquiry
        answered with txnStatus 00."""
        side = self.side
        on_the_way = [json_object(body).get("trxInfo") for body in list(side.peer.gate.sending)]
        notices = [
            e.trx
            for e in side.entries(NOTICE, orderId=charge.order_id)
            if e.trx.get("txnStatus") == "00"
        ] + [
            t
            for t in on_the_way
            if isinstance(t, dict)
            and t.get("orderId") == charge.order_id
            and t.get("txnStatus") == "00"
        ]
        answers = [e.answer.get("trxInfo") for e in side.entries(INQUIRY, orderId=charge.order_id)]
        return bool(notices) or any(
            isinstance(a, dict) and a.get("txnStatus") == "00" for a in answers
        )

    def check_charge_recorded(self, charge: Charge, status: str) -> None:
        """As the harness records it; SUCCEEDED is as right as PENDING once UCSP told the IS."""
        record = {"orderId": charge.order_id, "status": self.charge_status(charge)}
        rule = self.record_rule(charge, status)
        check_recorded(record, status, rule, settled=self.result_told(charge))

    def check_charge_sent(self, charge: Charge) -> None:
        """One SUBMIT_AUTO_DEBIT for the charge: the contractId, a new orderId, the IS's
        merchant, the requested amount and a current txnTime (AD-14)."""
        check_new_order_id(self.order_ids_sent(), charge.order_id, "AD-14")
        trx, info = self.sent(CHARGE, orderId=charge.order_id)[0].trx, self.side.target.industry
        expected = {
            "contractId": charge.contract_id,
            "merId": info.mer_id,
            "acqIIN": info.acq_iin,
            "txnAmt": charge.txn_amt,
            "currencyCode": charge.currency,
        }
        check_sent_fields(CHARGE, trx, expected, "AD-14")
        now, profile = self.side.d.clock.now(), self.side.target.profile
        check_timestamp(str(trx.get("txnTime", "")), now, profile, "AD-14", "txnTime")

    def charge_status(self, charge: Charge) -> str | None:
        """The status the harness records for the charge's order."""
        record = self.side.call(self.side.harness.order_record(charge.order_id, expect_ok=False))
        status = record.data.get("status")
        return status if isinstance(status, str) else None

    def check_charge_kept(self, charge: Charge, status: str) -> None:
        """The IS still records the charge as ``status`` (NOT-09: a misnamed notice changed
        nothing)."""
        check_order_status(self.charge_status(charge), status, charge.order_id, "NOT-09")

    def _check_charge_notice(
        self, charge: Charge, notice: JournalEntry, status: str, rule: str
    ) -> None:
        check_notice_answered_by_industry(notice, self.side.target, "00", rule)

    # --- the suite as UCSP holds back or crafts charge notices ------------------------------

    def hold_next_charge_notice(self) -> None:
        self.side.peer.gate_notices(NOTICE, "hold", 1)

    def pending_charge(self, contract: Contract, amount: Money) -> Charge:
        """A charge of ``amount`` (one UCSP answers 05) that stays PENDING at the IS: its
        result notice is held back and its inquiries are answered 99 (the IS keeps to its
        schedule) until the notice is let go."""
        self.hold_next_charge_notice()
        inquiries = len(self.side.target.profile.schedule)
        self.side.peer.override_order(
            INQUIRY, [GatewayOverride(code="99", process=False)] * inquiries
        )
        charge = self.charge_contract(contract, amount)
        self._check_code(charge, "05", self.charge_rule("05"), CHARGE)
        check_order_status(self.charge_status(charge), "PENDING", charge.order_id, "RC-04")
        return charge

    def _answered_query_id(self, charge: Charge) -> str:
        sent = self.sent(CHARGE, orderId=charge.order_id)
        value = sent[-1].answer_trx.get("queryId") if sent else None
        return value if isinstance(value, str) and value else "Q" + secrets.token_hex(10)

    def misnamed_charge_notice(self, charge: Charge) -> CraftedNotice:
        """The charge's success notice, re-signed naming a contract that does not exist."""
        other = unknown_contract_id()

        def renamed(message: dict[str, Any]) -> dict[str, Any]:
            message["trxInfo"]["contractId"] = other
            return message

        trx = {
            "orderId": charge.order_id,
            "txnType": TxnType.AUTO_DEBIT.value,
            "queryId": self._answered_query_id(charge),
            "contractId": charge.contract_id,
            "txnAmt": charge.txn_amt,
            "currencyCode": charge.currency,
            "txnTime": charge.txn_time,
            "txnStatus": "00",
        }
        exchange = self.side.call(self.side.peer.send_notice(trx, NOTICE, mutate=renamed))
        return CraftedNotice(exchange, other, "NOT-09")

    def deliver_held_notice(self, charge: Charge) -> list[JournalEntry]:
        """Let the held result notice of the charge go; its exchange, once answered."""
        return self.side.release_held(None, orderId=charge.order_id)
