"""Steps of auto-debit: signing a contract, its notice, closing it, charging it."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.checks import ensure
from ucsp.checks.auto_debit import (
    check_charge_answer,
    check_close_answer,
    check_contract_id,
    check_contract_record,
    check_delivered_to,
    check_harness_reports,
    check_harness_status,
    check_new_order_id,
    check_no_contract,
    check_no_more_notices,
    check_sent_fields,
    check_sent_once,
    check_sign_answer,
    check_sign_redirect,
    check_url_field,
)
from ucsp.checks.inquiry import check_order_status
from ucsp.checks.messages import check_code, check_timestamp, check_valid_answer
from ucsp.checks.notices import check_notice_answered_by_industry, check_notice_sent_by_ucsp
from ucsp.checks.payment import check_not_created
from ucsp.deployment import Deployment
from ucsp.flows.auto_debit import (
    CHARGE,
    CLOSE,
    SIGN,
    SIGN_NOTICE,
    Answer,
    AutoDebitFlow,
    Charge,
    Closing,
    Contract,
    Signing,
    SigningPage,
)
from ucsp.flows.base import trx_of
from ucsp.flows.payment import NOTICE
from ucsp.transport import Exchange


@pytest.fixture
def auto_debit(deployment: Deployment) -> AutoDebitFlow:
    return AutoDebitFlow(deployment)


def _check_answer(answer: Answer, code: str, requirement: str) -> None:
    """The SUT's own answer is a valid response with ``code``; a harness (IS under test)
    answered 200 with ``code`` and reports what UCSP answered."""
    what = f"the answer to {answer.msg_type}"
    if answer.exchange is not None:
        check_valid_answer(answer.exchange)
        check_code(answer.code, code, requirement, what)
        return
    check_harness_status(answer.harness_status or 0, what, requirement)
    check_harness_reports(
        answer.report, answer.ucsp_answer or {}, answer.reported_keys, requirement
    )
    check_code(answer.code, code, requirement, f"the harness report ({what}: {answer.ucsp_said!r})")


# --- signing -----------------------------------------------------------------------------------


def _asked_to_sign(auto_debit: AutoDebitFlow, deployment: Deployment) -> Signing:
    """A new user asked to sign; the request answered 00 with a signUrl."""
    signing = deployment.call(auto_debit.ask_to_sign())
    requirement = auto_debit.answer_requirement(SIGN, "00")
    _check_answer(signing.answer, "00", requirement)
    check_sign_answer(signing.answer.code, signing.answer.trx_info, "00", requirement)
    return signing


def _notified_contract(
    auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing, result: str
) -> Contract:
    """The signing notice of the user: sent correctly (UCSP under test) or answered 00 (IS
    under test); the contract it names."""
    entries = deployment.call(auto_debit.sign_notices(signing.user_id))
    requirement = auto_debit.sign_notice_requirement()
    notice = auto_debit.first_notice(
        entries, requirement, f"{SIGN_NOTICE} for user {signing.user_id}"
    )
    if deployment.role == "ucsp":
        expected = {"userId": signing.user_id, "signStatus": result}
        check_notice_sent_by_ucsp(notice, deployment.target, SIGN_NOTICE, expected, requirement)
        check_delivered_to(notice.url, signing.back_url, f"the {SIGN_NOTICE}", requirement)
    else:
        check_notice_answered_by_industry(notice, deployment.target, "00", requirement)
    return Contract(check_contract_id(trx_of(notice), requirement), signing.user_id, result)


def _contract(auto_debit: AutoDebitFlow, deployment: Deployment, result: str) -> Contract:
    """A new user asked to sign, who signs (00) or declines (01); the notice delivered."""
    signing = _asked_to_sign(auto_debit, deployment)
    deployment.call(auto_debit.answer_signing_page(signing, result))
    return _notified_contract(auto_debit, deployment, signing, result)


@given("a new user has been asked to sign an auto-debit agreement", target_fixture="signing")
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Signing:
    return _asked_to_sign(auto_debit, deployment)


@given(
    "another new user has been asked to sign an auto-debit agreement",
    target_fixture="other_signing",
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Signing:
    return _asked_to_sign(auto_debit, deployment)


@given("a new user has signed an auto-debit agreement", target_fixture="contract")
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Contract:
    return _contract(auto_debit, deployment, "00")


@given("a new user has declined an auto-debit agreement", target_fixture="contract")
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Contract:
    return _contract(auto_debit, deployment, "01")


@when(
    "the Industry Service asks a new user to sign an auto-debit agreement", target_fixture="signing"
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Signing:
    return deployment.call(auto_debit.ask_to_sign())


@when(
    parse(
        "the Industry Service asks a new user to sign an auto-debit agreement "
        "with an unknown {field:Word}"
    ),
    target_fixture="signing",
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, field: str) -> Signing:
    return deployment.call(auto_debit.ask_to_sign(unknown=field))


@then(parse("the signing request is answered with code {code:Code} and a signUrl"))
def _(auto_debit: AutoDebitFlow, signing: Signing, code: str) -> None:
    requirement = auto_debit.answer_requirement(SIGN, code)
    _check_answer(signing.answer, code, requirement)
    check_sign_answer(signing.answer.code, signing.answer.trx_info, code, requirement)


@then(parse("the signing request is rejected with code {code:Code}"))
def _(auto_debit: AutoDebitFlow, signing: Signing, code: str) -> None:
    _check_answer(signing.answer, code, auto_debit.answer_requirement(SIGN, code))


@then(
    "the Industry Service sent one SIGN_AUTO_DEBIT for the user with its merId, a frontUrl "
    "and its notice URL as backUrl"
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing) -> None:
    sent = auto_debit.sent_by_industry(SIGN, userId=signing.user_id)
    check_sent_once(len(sent), SIGN, f"user {signing.user_id}", "AD-10")
    trx = trx_of(sent[0])
    info = deployment.target.industry
    check_sent_fields(SIGN, trx, {"merId": info.mer_id, "backUrl": info.notice_url}, "AD-10")
    check_url_field(SIGN, trx, "frontUrl", "AD-10")


@when(
    parse("the user answers the signing page with result {result:Code}"),
    target_fixture="signing_page",
)
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing, result: str
) -> SigningPage:
    return deployment.call(auto_debit.answer_signing_page(signing, result))


@when(
    parse("the user answers the signing page again with result {result:Code}"),
    target_fixture="signing_page",
)
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing, result: str
) -> SigningPage:
    return deployment.call(auto_debit.answer_signing_page(signing, result))


@then(
    parse("the signing notice is delivered with signStatus {result:Code}"),
    target_fixture="contract",
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing, result: str) -> Contract:
    return _notified_contract(auto_debit, deployment, signing, result)


@then(
    parse(
        "the browser is sent back to the frontUrl with the contractId and signStatus {result:Code}"
    )
)
def _(signing: Signing, signing_page: SigningPage, contract: Contract, result: str) -> None:
    check_sign_redirect(
        signing_page.status,
        signing_page.location,
        signing.front_url,
        contract.contract_id,
        result,
        signing_page.notices_before,
    )


@then(parse("the signing page answers HTTP {status:Count}"))
def _(signing_page: SigningPage, status: int) -> None:
    ensure(
        signing_page.status == status,
        "PAY-06",
        f"the signing page answered HTTP {signing_page.status}, expected {status}",
    )


@then("no further signing notice is delivered for the user")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing) -> None:
    deployment.call(auto_debit.quiet_period())
    count = len(auto_debit.sign_notices_now(signing.user_id))
    check_no_more_notices(count, 1, f"{SIGN_NOTICE}s for user {signing.user_id}", "PAY-06")


@then(parse("the contract is recorded as {status:Status} for its user"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, status: str) -> None:
    record = deployment.call(auto_debit.contract_record(contract.contract_id))
    requirement = "AD-13" if status == "CLOSED" else "AD-11"
    check_contract_record(
        record.status, record.data, contract.contract_id, contract.user_id, status, requirement
    )


@then(parse("the contract is still recorded as {status:Status} for its user"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, status: str) -> None:
    record = deployment.call(auto_debit.contract_record(contract.contract_id))
    check_contract_record(
        record.status, record.data, contract.contract_id, contract.user_id, status, "AD-12"
    )


# --- crafted signing notices (the suite as UCSP) ------------------------------------------------


@when(
    "UCSP sends a signing notice naming a user the Industry Service never asked to sign",
    target_fixture="crafted",
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, signing: Signing) -> Exchange:
    contract_id = auto_debit.unknown_contract_id()
    stranger = auto_debit.new_user_id()
    return deployment.call(auto_debit.send_sign_notice(contract_id, signing.user_id, stranger))


@when("UCSP sends a signing notice of the contract naming the other user", target_fixture="crafted")
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, other_signing: Signing
) -> Exchange:
    return deployment.call(
        auto_debit.send_sign_notice(contract.contract_id, contract.user_id, other_signing.user_id)
    )


@then(parse("the signing notice is rejected with code {code:Code}"))
def _(crafted: Exchange, code: str) -> None:
    check_valid_answer(crafted)
    check_code(crafted.code, code, "AD-12", f"the answer to the {SIGN_NOTICE}")


@then("the Industry Service has no contract under the notice's contractId")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, crafted: Exchange) -> None:
    contract_id = str(crafted.request_message["trxInfo"]["contractId"])
    record = deployment.call(auto_debit.contract_record(contract_id))
    check_no_contract(record.status, contract_id, "AD-12")


# --- closing -----------------------------------------------------------------------------------


@given("the contract has been closed")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract) -> None:
    closing = deployment.call(auto_debit.close(contract.contract_id, contract.user_id))
    _check_answer(closing.answer, "00", auto_debit.answer_requirement(CLOSE, "00"))


@when("the Industry Service closes the contract", target_fixture="closing")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract) -> Closing:
    return deployment.call(auto_debit.close(contract.contract_id, contract.user_id))


@when("the Industry Service closes the contract again", target_fixture="closing")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract) -> Closing:
    return deployment.call(auto_debit.close(contract.contract_id, contract.user_id))


@when("the Industry Service closes the contract under another userId", target_fixture="closing")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract) -> Closing:
    return deployment.call(auto_debit.close(contract.contract_id, auto_debit.new_user_id()))


@when("the Industry Service closes a contract that does not exist", target_fixture="closing")
def _(auto_debit: AutoDebitFlow, deployment: Deployment) -> Closing:
    contract_id, user_id = auto_debit.unknown_contract_id(), auto_debit.new_user_id()
    return deployment.call(auto_debit.close(contract_id, user_id))


@then(parse("the closing is answered with code {code:Code}"))
def _(auto_debit: AutoDebitFlow, closing: Closing, code: str) -> None:
    requirement = auto_debit.answer_requirement(CLOSE, code)
    _check_answer(closing.answer, code, requirement)
    if closing.answer.exchange is not None:
        answer = closing.answer
        check_close_answer(answer.code, answer.trx_info, closing.contract_id, code, requirement)


@then("the Industry Service sent a CLOSE_AUTO_DEBIT with the contractId and its user")
def _(auto_debit: AutoDebitFlow, contract: Contract) -> None:
    sent = auto_debit.sent_by_industry(CLOSE, contractId=contract.contract_id)
    check_sent_once(len(sent), CLOSE, f"contract {contract.contract_id}", "AD-13")
    check_sent_fields(CLOSE, trx_of(sent[0]), {"userId": contract.user_id}, "AD-13")


@then("the contract can still be charged")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract) -> None:
    charge = deployment.call(auto_debit.charge(contract.contract_id, "100", "156"))
    _check_answer(charge.answer, "00", "AD-06")


# --- charging ----------------------------------------------------------------------------------


@given(parse("the contract has been charged {amount:Money}"), target_fixture="earlier_charge")
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, amount: Money
) -> Charge:
    charge = deployment.call(
        auto_debit.charge(contract.contract_id, amount.txn_amt, amount.currency)
    )
    _check_answer(charge.answer, "00", auto_debit.answer_requirement(CHARGE, "00"))
    return charge


@given("UCSP holds back the result notice of the next charge")
def _(auto_debit: AutoDebitFlow) -> None:
    auto_debit.hold_next_charge_notice()


@given(
    parse("a charge of {amount:Money} on the contract is pending at the Industry Service"),
    target_fixture="charge",
)
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, amount: Money
) -> Charge:
    auto_debit.keep_next_charge_pending()
    charge = deployment.call(
        auto_debit.charge(contract.contract_id, amount.txn_amt, amount.currency)
    )
    _check_answer(charge.answer, "05", "AD-14")
    recorded = deployment.call(auto_debit.charge_status(charge))
    check_order_status(recorded, "PENDING", charge.order_id, "RC-04")
    return charge


@when(parse("the Industry Service charges {amount:Money} on the contract"), target_fixture="charge")
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, amount: Money
) -> Charge:
    return deployment.call(auto_debit.charge(contract.contract_id, amount.txn_amt, amount.currency))


@when(
    parse(
        "the Industry Service charges {amount:Money} on the contract with an unknown {field:Word}"
    ),
    target_fixture="charge",
)
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, amount: Money, field: str
) -> Charge:
    return deployment.call(
        auto_debit.charge(contract.contract_id, amount.txn_amt, amount.currency, unknown=field)
    )


@when(
    parse("the Industry Service charges {amount:Money} on the contract as its other merchant"),
    target_fixture="charge",
)
def _(
    auto_debit: AutoDebitFlow, deployment: Deployment, contract: Contract, amount: Money
) -> Charge:
    """A merchant of the same industry other than the one the user signed with charges."""
    return deployment.call(
        auto_debit.charge(
            contract.contract_id, amount.txn_amt, amount.currency, other_merchant=True
        )
    )


@when(
    parse("the Industry Service charges {amount:Money} on a contract that does not exist"),
    target_fixture="charge",
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, amount: Money) -> Charge:
    contract_id = auto_debit.unknown_contract_id()
    return deployment.call(auto_debit.charge(contract_id, amount.txn_amt, amount.currency))


@then(parse("the charge is answered with code {code:Code}"))
def _(auto_debit: AutoDebitFlow, charge: Charge, code: str) -> None:
    requirement = auto_debit.answer_requirement(CHARGE, code)
    _check_answer(charge.answer, code, requirement)
    if charge.answer.exchange is not None:
        answer = charge.answer
        check_charge_answer(answer.code, answer.trx_info, charge.order_id, code, requirement)


@then(parse("the charge is rejected with code {code:Code} and not created"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge, code: str) -> None:
    requirement = auto_debit.answer_requirement(CHARGE, code)
    _check_answer(charge.answer, code, requirement)
    inquiry = deployment.call(auto_debit.inquire(charge))
    check_valid_answer(inquiry)
    check_not_created(inquiry.code, charge.order_id, requirement)


@then(
    "the Industry Service sent one SUBMIT_AUTO_DEBIT for the charge with the contractId, "
    "a new orderId, its merchant and the requested amount"
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge) -> None:
    check_new_order_id(auto_debit.order_ids_sent(), charge.order_id, "AD-14")
    sent = auto_debit.sent_by_industry(CHARGE, orderId=charge.order_id)
    trx = trx_of(sent[0])
    info = deployment.target.industry
    expected = {
        "contractId": charge.contract_id,
        "merId": info.mer_id,
        "acqIIN": info.acq_iin,
        "txnAmt": charge.txn_amt,
        "currencyCode": charge.currency,
    }
    check_sent_fields(CHARGE, trx, expected, "AD-14")
    now, profile = deployment.clock.now(), deployment.target.profile
    check_timestamp(str(trx.get("txnTime", "")), now, profile, "AD-14", "txnTime")


@then(parse("the result notice of the charge is delivered with txnStatus {status:Code}"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge, status: str) -> None:
    entries = deployment.call(auto_debit.charge_notices(charge))
    requirement = auto_debit.charge_notice_requirement(charge)
    notice = auto_debit.first_notice(entries, requirement, f"{NOTICE} for charge {charge.order_id}")
    if deployment.role == "industry":
        check_notice_answered_by_industry(notice, deployment.target, "00", requirement)
        return
    expected = {
        "orderId": charge.order_id,
        "txnType": "AUTO_DEBIT",
        "contractId": charge.contract_id,
        "txnAmt": charge.txn_amt,
        "currencyCode": charge.currency,
        "txnTime": charge.txn_time,
        "txnStatus": status,
    }
    query_id = charge.answer.trx_info.get("queryId")
    if isinstance(query_id, str) and query_id:
        expected["queryId"] = query_id
    check_notice_sent_by_ucsp(notice, deployment.target, NOTICE, expected, requirement)


@then("no result notice of the charge is delivered")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge) -> None:
    deployment.call(auto_debit.quiet_period())
    count = len(auto_debit.charge_notices_now(charge))
    check_no_more_notices(count, 0, f"{NOTICE}s of charge {charge.order_id}", "AD-07")


@then(parse("the charge is recorded as {status:Status}"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge, status: str) -> None:
    recorded = deployment.call(auto_debit.charge_status(charge))
    check_order_status(recorded, status, charge.order_id, auto_debit.recorded_requirement(charge))


# --- crafted charge notices (the suite as UCSP) -------------------------------------------------


@when(
    "UCSP sends the result notice of the charge naming another contract", target_fixture="crafted"
)
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge) -> Exchange:
    other = auto_debit.unknown_contract_id()
    return deployment.call(auto_debit.send_charge_notice(charge, other))


@then(parse("the charge's result notice is rejected with code {code:Code}"))
def _(crafted: Exchange, code: str) -> None:
    check_valid_answer(crafted)
    check_code(crafted.code, code, "NOT-09", f"the answer to the {NOTICE}")


@then(parse("the charge is still recorded as {status:Status}"))
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge, status: str) -> None:
    recorded = deployment.call(auto_debit.charge_status(charge))
    check_order_status(recorded, status, charge.order_id, "NOT-09")


@when("UCSP delivers the held result notice of the charge")
def _(auto_debit: AutoDebitFlow, deployment: Deployment, charge: Charge) -> None:
    deployment.call(auto_debit.deliver_held_notice(charge))
