"""Auto-debit: a user signs a contract; the Industry Service closes it or charges it.

SIGN_AUTO_DEBIT, the signing page behind the signUrl and SIGN_AUTO_DEBIT_NOTICE;
CLOSE_AUTO_DEBIT; SUBMIT_AUTO_DEBIT and its PAYMENT_RESULT_NOTICE (txnType AUTO_DEBIT).

A UCSP under test gets the requests from the suite playing the Industry Service, hosts the
signing page, and sends its notices to the suite. An Industry Service under test is driven
through its harness; the suite's UCSP peer answers it, hosts the signing page, sends the
notices, and can hold them back or craft its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ucsp.checks import ensure
from ucsp.drivers.harness import HarnessAnswer
from ucsp.errors import ConfigError
from ucsp.flows.base import DEFAULT_WAIT, BaseFlow, trx_of, trx_of_message
from ucsp.flows.payment import INQUIRY, NOTICE, RECORDED, answer_of
from ucsp.journal import JournalEntry
from ucsp.peers.industry_peer import BACK_NOTICE_PATH
from ucsp.peers.ucsp_peer import GatewayOverride
from ucsp.transport import Exchange

SIGN = "SIGN_AUTO_DEBIT"
SIGN_NOTICE = "SIGN_AUTO_DEBIT_NOTICE"
CLOSE = "CLOSE_AUTO_DEBIT"
CHARGE = "SUBMIT_AUTO_DEBIT"
ORDER_CREATING = ("SUBMIT_PAYMENT_ORDER", CHARGE, "PAYMENT_CANCELLATION", "PAYMENT_REFUND")
FRONT_PATH = "/front"
REPORTED_KEYS: dict[str, tuple[str, ...]] = {SIGN: ("signUrl",), CLOSE: (), CHARGE: ("orderId",)}
"""The trxInfo values of the UCSP's answer the IS harness passes on (HARNESS.md A)."""
HARNESS_PATHS = {
    SIGN: "/harness/auto-debit/sign",
    CLOSE: "/harness/auto-debit/close",
    CHARGE: "/harness/auto-debit/charge",
}


@dataclass
class Answer:
    """How the system under test answered one request.

    UCSP under test: its own response to the suite's request (``exchange``). Industry Service
    under test: the harness's report (``report``, HTTP ``harness_status``) of the answer the
    suite's UCSP gave to the request the IS sent (``ucsp_answer``).
    """

    msg_type: str
    code: str | None
    trx_info: dict[str, Any] = field(default_factory=dict)
    exchange: Exchange | None = None
    harness_status: int | None = None
    report: dict[str, Any] = field(default_factory=dict)
    ucsp_answer: dict[str, Any] | None = None

    @property
    def reported_keys(self) -> tuple[str, ...]:
        return REPORTED_KEYS[self.msg_type]

    @property
    def ucsp_said(self) -> str | None:
        """The responseMsg of the UCSP's answer the harness reports (IS under test)."""
        response = (self.ucsp_answer or {}).get("msgResponse")
        said = response.get("responseMsg") if isinstance(response, dict) else None
        return said if isinstance(said, str) else None


@dataclass
class Signing:
    """A SIGN_AUTO_DEBIT for one user, as sent, and its answer."""

    user_id: str
    answer: Answer
    front_url: str = ""
    back_url: str = ""

    @property
    def sign_url(self) -> str | None:
        value = self.answer.trx_info.get("signUrl")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class SigningPage:
    """What the signing page answered the browser."""

    status: int
    location: str | None
    notices_before: int  # SIGN_AUTO_DEBIT_NOTICEs of the user seen when the page answered


@dataclass(frozen=True)
class Contract:
    contract_id: str
    user_id: str
    sign_status: str = "00"


@dataclass
class Closing:
    contract_id: str
    user_id: str
    answer: Answer


@dataclass
class Charge:
    """A SUBMIT_AUTO_DEBIT: the order it creates and its answer."""

    order_id: str
    contract_id: str
    txn_amt: str
    currency: str
    answer: Answer
    txn_time: str = ""

    @property
    def code(self) -> str | None:
        return self.answer.code


def _unlike(value: str) -> str:
    """A value of the same length and kind (digits) as ``value`` that is not ``value``."""
    candidate = "9" * len(value)
    return candidate if candidate != value else "8" * len(value)


class AutoDebitFlow(BaseFlow):
    # --- identities and URLs ---------------------------------------------------------------

    def new_user_id(self) -> str:
        return "adu" + secrets.token_hex(8)

    def unknown_contract_id(self) -> str:
        return "C" + secrets.token_hex(12)

    def _suite_base(self) -> str:
        target = self.d.target
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

    # --- requirements by role ----------------------------------------------------------------

    def answer_requirement(self, msg_type: str, expected: str) -> str:
        """The requirement an answer with code ``expected`` to ``msg_type`` is judged by."""
        if self.role == "industry":
            return {SIGN: "AD-10", CLOSE: "AD-13", CHARGE: "AD-14"}[msg_type]
        if msg_type == SIGN:
            return "AD-01" if expected == "00" else "AD-02"
        if msg_type == CLOSE:
            return "AD-05" if expected == "00" else "AD-06"
        return {"34": "AD-08", "36": "AD-09"}.get(expected, "AD-07")

    def sign_notice_requirement(self) -> str:
        return "AD-03" if self.role == "ucsp" else "AD-11"

    def charge_notice_requirement(self, charge: Charge) -> str:
        """UCSP: what it notifies; IS: how it answers (the order pending or already final)."""
        if self.role == "ucsp":
            return "AD-07"
        return "PAY-08" if charge.code == "05" else "NOT-07"

    def recorded_requirement(self, charge: Charge) -> str:
        """UCSP: the inquiry reports the sandbox outcome; IS: 00 is success at once, else
        the notice decides."""
        if self.role == "ucsp":
            return "AD-07"
        return "RC-02" if charge.code == "00" else "PAY-08"

    # --- what crossed the wire ---------------------------------------------------------------

    def sent_by_industry(self, msg_type: str, **trx: str) -> list[JournalEntry]:
        """Requests of ``msg_type`` the Industry Service under test sent with these values."""
        return [e for e in self.entries(msg_type, **trx) if e.direction == "in"]

    def order_ids_sent(self) -> list[str]:
        """orderIds of every order-creating request the Industry Service under test sent."""
        return [
            str(trx_of(e).get("orderId", ""))
            for msg_type in ORDER_CREATING
            for e in self.sent_by_industry(msg_type)
        ]

    def _ucsp_answer(self, msg_type: str, **trx: str) -> dict[str, Any] | None:
        sent = self.sent_by_industry(msg_type, **trx)
        return answer_of(sent[-1]) if sent else None

    async def _harness(self, msg_type: str, body: dict[str, Any], **trx: str) -> Answer:
        """Have the IS send ``msg_type`` through its harness; the report and what UCSP said."""
        result = await self.harness.call("POST", HARNESS_PATHS[msg_type], body, False)
        data = result.data
        keys = REPORTED_KEYS[msg_type]
        answer = Answer(
            msg_type,
            data.get("responseCode") if isinstance(data.get("responseCode"), str) else None,
            {k: data[k] for k in keys if k in data},
            harness_status=result.status,
            report=dict(data),
        )
        if msg_type == CHARGE:
            trx = {"orderId": str(data.get("orderId", ""))}
        answer.ucsp_answer = self._ucsp_answer(msg_type, **trx)
        return answer

    async def _request(
        self, msg_type: str, trx: dict[str, str], unknown: str | None = None
    ) -> Answer:
        """The suite (as IS) sends ``trx``, with the value of ``unknown`` replaced by one of
        the same form that the UCSP does not know."""
        if unknown is not None:
            if unknown not in trx:
                raise ValueError(f"no unknown {unknown} can be made: use one of {', '.join(trx)}")
            trx = {**trx, unknown: _unlike(trx[unknown])}
        exchange = await self.industry_peer.request(msg_type, trx)
        return Answer(msg_type, exchange.code, dict(exchange.trx_info), exchange=exchange)

    def _suite_as_industry_only(self, unknown: str | None) -> None:
        if unknown is not None and self.role != "ucsp":
            raise ConfigError(
                f"an unknown {unknown} can only be sent when the suite plays the Industry "
                "Service (--sut ucsp): tag the scenario @ucsp"
            )

    # --- signing ---------------------------------------------------------------------------

    async def ask_to_sign(self, unknown: str | None = None) -> Signing:
        """The Industry Service asks a new user to sign (with an ``unknown`` field: suite as
        IS only)."""
        self._suite_as_industry_only(unknown)
        user_id = self.new_user_id()
        if self.role == "ucsp":
            signing = Signing(user_id, Answer(SIGN, None), self.new_front_url(), self.back_url())
            trx = {
                "merId": self.d.target.industry.mer_id,
                "userId": user_id,
                "frontUrl": signing.front_url,
                "backUrl": signing.back_url,
            }
            signing.answer = await self._request(SIGN, trx, unknown)
            return signing
        answer = await self._harness(SIGN, {"userId": user_id}, userId=user_id)
        signing = Signing(user_id, answer)
        sent = self.sent_by_industry(SIGN, userId=user_id)
        if sent:
            trx = trx_of(sent[-1])
            signing.front_url = str(trx.get("frontUrl", ""))
            signing.back_url = str(trx.get("backUrl", ""))
        return signing

    async def answer_signing_page(self, signing: Signing, result: str) -> SigningPage:
        """The user signs (00) or declines (01) on the page behind the signUrl."""
        ensure(
            bool(signing.sign_url),
            self.answer_requirement(SIGN, "00"),
            f"no signUrl for user {signing.user_id}",
        )
        assert self.d.http is not None and signing.sign_url is not None
        page = await self.d.http.post(signing.sign_url, data={"result": result})
        seen = self.notices_of(SIGN_NOTICE, userId=signing.user_id)
        return SigningPage(page.status_code, page.headers.get("location"), len(seen))

    async def sign_notices(self, user_id: str) -> list[JournalEntry]:
        """SIGN_AUTO_DEBIT_NOTICE transmissions for ``user_id``, once the first came."""
        return await self.wait_notices(SIGN_NOTICE, userId=user_id)

    def sign_notices_now(self, user_id: str) -> list[JournalEntry]:
        return self.notices_of(SIGN_NOTICE, userId=user_id)

    async def contract_record(self, contract_id: str) -> HarnessAnswer:
        """The Industry Service's record of the contract (any HTTP status)."""
        return await self.harness.call("GET", f"/harness/contracts/{contract_id}", expect_ok=False)

    async def send_sign_notice(
        self, contract_id: str, user_id: str, named_user: str, sign_status: str = "00"
    ) -> Exchange:
        """A SIGN_AUTO_DEBIT_NOTICE of ``user_id``'s contract, re-signed naming ``named_user``
        (the suite as UCSP)."""

        def rename(message: dict[str, Any]) -> dict[str, Any]:
            message["trxInfo"]["userId"] = named_user
            return message

        trx = {"contractId": contract_id, "userId": user_id, "signStatus": sign_status}
        return await self.ucsp_peer.send_notice(trx, SIGN_NOTICE, mutate=rename)

    # --- closing ---------------------------------------------------------------------------

    async def close(self, contract_id: str, user_id: str) -> Closing:
        """The Industry Service closes the contract (``user_id``: suite as IS only)."""
        if self.role == "ucsp":
            trx = {"contractId": contract_id, "userId": user_id}
            return Closing(contract_id, user_id, await self._request(CLOSE, trx))
        answer = await self._harness(CLOSE, {"contractId": contract_id}, contractId=contract_id)
        return Closing(contract_id, user_id, answer)

    # --- charging --------------------------------------------------------------------------

    async def charge(
        self,
        contract_id: str,
        txn_amt: str,
        currency: str,
        unknown: str | None = None,
        other_merchant: bool = False,
    ) -> Charge:
        """The Industry Service charges the contract (with an ``unknown`` field, or as its
        other registered merchant: suite as IS only)."""
        self._suite_as_industry_only(unknown)
        self._suite_as_industry_only("merId" if other_merchant else None)
        if self.role == "ucsp":
            peer, info = self.industry_peer, self.d.target.industry
            order_id, txn_time = peer.new_order_id(), peer.txn_time()
            trx = {
                "contractId": contract_id,
                "orderId": order_id,
                "merId": info.other_mer_id if other_merchant else info.mer_id,
                "acqIIN": info.acq_iin,
                "txnAmt": txn_amt,
                "currencyCode": currency,
                "txnTime": txn_time,
            }
            answer = await self._request(CHARGE, trx, unknown)
            return Charge(order_id, contract_id, txn_amt, currency, answer, txn_time)
        body = {"contractId": contract_id, "txnAmt": txn_amt, "currencyCode": currency}
        answer = await self._harness(CHARGE, body)
        order_id = str(answer.report.get("orderId", ""))
        charge = Charge(order_id, contract_id, txn_amt, currency, answer)
        sent = self.sent_by_industry(CHARGE, orderId=order_id)
        if sent:
            charge.txn_time = str(trx_of(sent[-1]).get("txnTime", ""))
        return charge

    async def charge_notices(self, charge: Charge) -> list[JournalEntry]:
        """The charge's PAYMENT_RESULT_NOTICE transmissions, waiting (at most the length of
        the schedule) for the first: a 05 outcome may take its time."""
        schedule = self.d.target.profile.schedule
        timeout = max(schedule[-1], DEFAULT_WAIT)
        return await self.wait_notices(NOTICE, timeout, orderId=charge.order_id)

    def charge_notices_now(self, charge: Charge) -> list[JournalEntry]:
        return self.notices_of(NOTICE, orderId=charge.order_id)

    async def charge_status(self, charge: Charge) -> str | None:
        """How the SUT records the charge: harness status (IS) or inquiry txnStatus (UCSP)."""
        if self.role == "industry":
            record = await self.harness.call(
                "GET", f"/harness/orders/{charge.order_id}", expect_ok=False
            )
            status = record.data.get("status")
            return status if isinstance(status, str) else None
        exchange = await self.inquire(charge)
        if exchange.code != "00":
            return None if exchange.code is None else f"unknown (inquiry answered {exchange.code})"
        status = exchange.trx_info.get("txnStatus")
        return RECORDED.get(str(status), str(status))

    async def inquire(self, charge: Charge) -> Exchange:
        """PAYMENT_RESULT_INQUIRY about the charge (suite as Industry Service)."""
        return await self.industry_peer.request(
            INQUIRY, {"orderId": charge.order_id, "txnTime": charge.txn_time}
        )

    async def quiet_period(self) -> None:
        """Wait past the first retry slot of the schedule (late bound plus timing slack)."""
        target, profile = self.d.target, self.d.target.profile
        slot = profile.schedule[1] if len(profile.schedule) > 1 else 0.0
        await self.d.clock.sleep(
            slot * (1 + profile.late_tolerance) + target.timing_slack / target.time_scale
        )

    # --- the suite as UCSP holds back or crafts charge notices --------------------------------

    def hold_next_charge_notice(self) -> None:
        self.ucsp_peer.gate_notices(NOTICE, "hold", 1)

    def keep_next_charge_pending(self) -> None:
        """Hold the next charge's result notice and answer its inquiries 99 (the IS keeps to
        its schedule), so that the charge stays PENDING at the IS until the notice is let go."""
        self.hold_next_charge_notice()
        inquiries = len(self.d.target.profile.schedule)
        self.ucsp_peer.override_order(
            INQUIRY, [GatewayOverride(code="99", process=False)] * inquiries
        )

    def _answered_query_id(self, charge: Charge) -> str:
        trx = (charge.answer.ucsp_answer or {}).get("trxInfo")
        value = trx.get("queryId") if isinstance(trx, dict) else None
        return value if isinstance(value, str) and value else "Q" + secrets.token_hex(10)

    async def send_charge_notice(self, charge: Charge, contract_id: str) -> Exchange:
        """The charge's success notice, re-signed naming ``contract_id`` (suite as UCSP)."""

        def renamed(message: dict[str, Any]) -> dict[str, Any]:
            message["trxInfo"]["contractId"] = contract_id
            return message

        trx = {
            "orderId": charge.order_id,
            "txnType": "AUTO_DEBIT",
            "queryId": self._answered_query_id(charge),
            "contractId": charge.contract_id,
            "txnAmt": charge.txn_amt,
            "currencyCode": charge.currency,
            "txnTime": charge.txn_time,
            "txnStatus": "00",
        }
        return await self.ucsp_peer.send_notice(trx, NOTICE, mutate=renamed)

    async def deliver_held_notice(self, charge: Charge) -> list[JournalEntry]:
        """Let the held notice of the charge go (once UCSP has produced it) and wait for the
        Industry Service's answer to that very notice (by its msgID: a notice the suite
        crafted about the same charge is already answered). Other held notices stay held."""
        peer, schedule = self.ucsp_peer, self.d.target.profile.schedule
        held = await peer.wait_held_notices(
            lambda notice: trx_of_message(notice).get("orderId") == charge.order_id,
            self.real_seconds(schedule[-1]),
        )
        if not held:
            raise RuntimeError(f"UCSP produced no result notice of {charge.order_id} to hold")
        released = peer.release_held(held)
        delivered = await self.wait_exchanges(released, "out", max(schedule[-1], DEFAULT_WAIT))
        if len(delivered) < len(released):
            raise RuntimeError(f"the released result notice of {charge.order_id} never went out")
        return delivered
