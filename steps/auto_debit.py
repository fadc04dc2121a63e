"""Steps of auto-debit: signing a contract, its notice, closing it, charging it."""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import Money, parse
from ucsp.sides.auto_debit import Charge, Closing, Contract, Signing, SigningPage
from ucsp.sides.auto_debit_industry import CraftedNotice
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
from ucsp.sides.side import Side

# --- signing -----------------------------------------------------------------------------------


@given(
    "another new user has been asked to sign an auto-debit agreement",
    target_fixture="other_signing",
)
@given("a new user has been asked to sign an auto-debit agreement", target_fixture="signing")
def _(side: Side) -> Signing:
    return side.auto_debit.asked_to_sign()


@given("a new user has signed an auto-debit agreement", target_fixture="contract")
def _(side: Side) -> Contract:
    return side.auto_debit.signed()


@given("another new user has signed an auto-debit agreement", target_fixture="other_contract")
def _(side: Side) -> Contract:
    """A second contract, of a second user, beside the scenario's contract: the steps that say
    "the contract of the other user" mean this one, "the contract" the first."""
    return side.auto_debit.signed()


@given("a new user has declined an auto-debit agreement", target_fixture="contract")
def _(side: Side) -> Contract:
    return side.auto_debit.declined()


@when(
    "the Industry Service asks a new user to sign an auto-debit agreement", target_fixture="signing"
)
def _(side: Side) -> Signing:
    return side.auto_debit.ask_to_sign()


@when(
    parse(
        "the Industry Service asks a new user to sign an auto-debit agreement "
        "with an unknown {field:Word}"
    ),
    target_fixture="signing",
)
def _(ucsp_under_test: UcspUnderTest, field: str) -> Signing:
    """A signing request naming a merId the UCSP does not know.
    Example: When the Industry Service asks a new user to sign an auto-debit agreement with an
        unknown merId
    """
    return ucsp_under_test.auto_debit.ask_to_sign(unknown=field)


@then(parse("the signing request is answered with code {code:Code} and a signUrl"))
def _(side: Side, signing: Signing, code: str) -> None:
    side.auto_debit.check_sign_answered(signing, code)


@then(parse("the signing request is rejected with code {code:Code}"))
def _(side: Side, signing: Signing, code: str) -> None:
    """Example: Then the signing request is rejected with code 36"""
    side.auto_debit.check_sign_rejected(signing, code)


@then(
    "the Industry Service sent one SIGN_AUTO_DEBIT for the user with its merId, a frontUrl "
    "and its notice URL as backUrl"
)
def _(industry_under_test: IndustryUnderTest, signing: Signing) -> None:
    industry_under_test.auto_debit.check_sign_sent(signing)


@when(
    parse("the user answers the signing page again with result {result:Code}"),
    target_fixture="signing_page",
)
@when(
    parse("the user answers the signing page with result {result:Code}"),
    target_fixture="signing_page",
)
def _(side: Side, signing: Signing, result: str) -> SigningPage:
    return side.auto_debit.answer_signing_page(signing, result)


@when(
    parse('the result "{result:Text}" is posted to the signing page'), target_fixture="signing_page"
)
def _(ucsp_under_test: UcspUnderTest, signing: Signing, result: str) -> SigningPage:
    """Any form value, result codes included, posted as the signing page's result field.
    Example: When the result "02" is posted to the signing page
    """
    return ucsp_under_test.auto_debit.answer_signing_page(signing, result)


@when(
    parse('the result "{result:Text}" is posted to the signing page of an unknown token'),
    target_fixture="signing_page",
)
def _(ucsp_under_test: UcspUnderTest, signing: Signing, result: str) -> SigningPage:
    """Example: When the result "00" is posted to the signing page of an unknown token"""
    return ucsp_under_test.auto_debit.answer_unknown_signing_page(signing, result)


@then(
    parse("the signing notice is delivered with signStatus {result:Code}"),
    target_fixture="contract",
)
def _(side: Side, signing: Signing, result: str) -> Contract:
    return side.auto_debit.notified_contract(signing, result)


@then(
    parse(
        "the browser is sent back to the frontUrl with the contractId and signStatus {result:Code}"
    )
)
def _(
    side: Side, signing: Signing, signing_page: SigningPage, contract: Contract, result: str
) -> None:
    side.auto_debit.check_sent_back(signing, signing_page, contract, result)


@then(parse("the signing page answers HTTP {status:Count}"))
def _(side: Side, signing_page: SigningPage, status: int) -> None:
    """Example: Then the signing page answers HTTP 409"""
    side.auto_debit.check_page_answered(signing_page, status)


@then("no signing notice is delivered for the user")
def _(side: Side, signing: Signing) -> None:
    side.auto_debit.check_no_further_sign_notice(signing, sent=0)


@then("no further signing notice is delivered for the user")
def _(side: Side, signing: Signing) -> None:
    side.auto_debit.check_no_further_sign_notice(signing)


@then(parse("the contract is recorded as {status:Status} for its user"))
def _(industry_under_test: IndustryUnderTest, contract: Contract, status: str) -> None:
    """Example: Then the contract is recorded as ACTIVE for its user"""
    industry_under_test.auto_debit.check_contract_recorded(contract, status)


@then(parse("the contract is still recorded as {status:Status} for its user"))
def _(
    industry_under_test: IndustryUnderTest, contract: Contract, crafted: CraftedNotice, status: str
) -> None:
    """Example: Then the contract is still recorded as CLOSED for its user"""
    industry_under_test.auto_debit.check_contract_kept(contract, status, crafted)


# --- the browser's return from the signing page (the suite as UCSP) ----------------------------


@given(parse("UCSP {mishap:Mishap} the first signing notice and holds back its retry"))
def _(industry_under_test: IndustryUnderTest, mishap: str) -> None:
    industry_under_test.auto_debit.spoil_first_sign_notice(mishap)


@when("the browser follows the signing page's redirect to the frontUrl", target_fixture="contract")
def _(
    industry_under_test: IndustryUnderTest, signing: Signing, signing_page: SigningPage
) -> Contract:
    return industry_under_test.auto_debit.follow_redirect(signing, signing_page)


@when("UCSP delivers the held signing notice")
def _(industry_under_test: IndustryUnderTest, signing: Signing) -> None:
    industry_under_test.auto_debit.deliver_held_sign_notice(signing)


@then(parse("the first signing notice is answered with code {code:Code}"))
def _(industry_under_test: IndustryUnderTest, signing: Signing, code: str) -> None:
    """Example: Then the first signing notice is answered with code 11"""
    industry_under_test.auto_debit.check_first_sign_notice_answered(signing, code)


# --- crafted notices (the suite as UCSP) --------------------------------------------------------


@when(
    "UCSP sends a signing notice naming a user the Industry Service never asked to sign",
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest, signing: Signing) -> CraftedNotice:
    return industry_under_test.auto_debit.sign_notice_for_stranger(signing)


@when("UCSP sends the signing notice of the contract again", target_fixture="crafted")
def _(industry_under_test: IndustryUnderTest, contract: Contract) -> CraftedNotice:
    return industry_under_test.auto_debit.repeated_sign_notice(contract)


@when(
    parse("UCSP sends a signing notice of the contract with signStatus {result:Code}"),
    target_fixture="crafted",
)
def _(industry_under_test: IndustryUnderTest, contract: Contract, result: str) -> CraftedNotice:
    """Example: When UCSP sends a signing notice of the contract with signStatus 01"""
    return industry_under_test.auto_debit.sign_notice_saying(contract, result)


@when("UCSP sends a signing notice of the contract naming the other user", target_fixture="crafted")
def _(
    industry_under_test: IndustryUnderTest, contract: Contract, other_signing: Signing
) -> CraftedNotice:
    return industry_under_test.auto_debit.sign_notice_for_other_user(contract, other_signing)


@when(
    "UCSP sends the result notice of the charge naming another contract", target_fixture="crafted"
)
def _(industry_under_test: IndustryUnderTest, charge: Charge) -> CraftedNotice:
    return industry_under_test.auto_debit.misnamed_charge_notice(charge)


@then(parse("the charge's result notice is answered with code {code:Code}"))
@then(parse("the signing notice is answered with code {code:Code}"))
def _(industry_under_test: IndustryUnderTest, crafted: CraftedNotice, code: str) -> None:
    industry_under_test.auto_debit.check_crafted_answered(crafted, code)


@then("the Industry Service has no contract under the notice's contractId")
def _(industry_under_test: IndustryUnderTest, crafted: CraftedNotice) -> None:
    industry_under_test.auto_debit.check_no_contract_from(crafted)


# --- closing -----------------------------------------------------------------------------------


@given("the contract has been closed")
def _(side: Side, contract: Contract) -> None:
    side.auto_debit.closed(contract)


@when("the Industry Service closes the contract again", target_fixture="closing")
@when("the Industry Service closes the contract", target_fixture="closing")
def _(side: Side, contract: Contract) -> Closing:
    return side.auto_debit.close_contract(contract)


@when("the Industry Service closes the contract under another userId", target_fixture="closing")
def _(side: Side, contract: Contract) -> Closing:
    return side.auto_debit.close_as_other_user(contract)


@when("the Industry Service closes a contract that does not exist", target_fixture="closing")
def _(side: Side) -> Closing:
    return side.auto_debit.close_unknown()


@then(parse("the closing is answered with code {code:Code}"))
def _(side: Side, closing: Closing, code: str) -> None:
    side.auto_debit.check_close_answered(closing, code)


@then("the Industry Service sent a CLOSE_AUTO_DEBIT with the contractId and its user")
def _(industry_under_test: IndustryUnderTest, contract: Contract) -> None:
    industry_under_test.auto_debit.check_close_sent(contract)


@then("the contract can still be charged")
def _(side: Side, contract: Contract) -> None:
    side.auto_debit.check_still_chargeable(contract)


@when("the Industry Service closes the contract of the other user", target_fixture="closing")
def _(side: Side, other_contract: Contract) -> Closing:
    return side.auto_debit.close_contract(other_contract)


@then("the contract of the other user is still active")
def _(side: Side, other_contract: Contract) -> None:
    """What was done to the scenario's contract left the other user's alone: the UCSP still
    charges it, the Industry Service still records it as ACTIVE."""
    side.auto_debit.check_still_active(other_contract)


@then("the contract of the first user is still active")
def _(side: Side, contract: Contract) -> None:
    """What was done to the other user's contract left the scenario's first contract alone."""
    side.auto_debit.check_still_active(contract)


# --- charging ----------------------------------------------------------------------------------


@given(parse("the contract has been charged {amount:Money}"), target_fixture="earlier_charge")
def _(side: Side, contract: Contract, amount: Money) -> Charge:
    return side.auto_debit.charged(contract, amount)


@given("UCSP holds back the result notice of the next charge")
def _(industry_under_test: IndustryUnderTest) -> None:
    """Kept until "When UCSP delivers the held result notice of the charge"."""
    industry_under_test.auto_debit.hold_next_charge_notice()


@given(
    parse("a charge of {amount:Money} on the contract is pending at the Industry Service"),
    target_fixture="charge",
)
def _(industry_under_test: IndustryUnderTest, contract: Contract, amount: Money) -> Charge:
    return industry_under_test.auto_debit.pending_charge(contract, amount)


@when(parse("the Industry Service charges {amount:Money} on the contract"), target_fixture="charge")
def _(side: Side, contract: Contract, amount: Money) -> Charge:
    """The charge's own answer, notice and record are then "the charge ..."; "the Industry
    Service forwards a charge of ... on the contract to the UCSP" judges how the Industry
    Service takes the UCSP's answer instead.
    Example: When the Industry Service charges 10.00 CNY on the contract
    """
    return side.auto_debit.charge_contract(contract, amount)


@when(
    parse(
        "the Industry Service charges {amount:Money} on the contract with an unknown {field:Word}"
    ),
    target_fixture="charge",
)
def _(ucsp_under_test: UcspUnderTest, contract: Contract, amount: Money, field: str) -> Charge:
    """A charge naming a merId the UCSP does not know.
    Example: When the Industry Service charges 10.00 CNY on the contract with an unknown merId
    """
    return ucsp_under_test.auto_debit.charge(contract.contract_id, amount, unknown=field)


@when(
    parse("the Industry Service charges {amount:Money} on the contract as its other merchant"),
    target_fixture="charge",
)
def _(ucsp_under_test: UcspUnderTest, contract: Contract, amount: Money) -> Charge:
    """A merchant of the same industry other than the one the user signed with charges."""
    return ucsp_under_test.auto_debit.charge(contract.contract_id, amount, other_merchant=True)


@when(
    parse("the Industry Service charges {amount:Money} on a contract that does not exist"),
    target_fixture="charge",
)
def _(side: Side, amount: Money) -> Charge:
    return side.auto_debit.charge_unknown(amount)


@then(parse("the charge is answered with code {code:Code}"))
def _(side: Side, charge: Charge, code: str) -> None:
    side.auto_debit.check_charge_answered(charge, code)


@then(parse("the charge is rejected with code {code:Code} and not created"))
def _(ucsp_under_test: UcspUnderTest, charge: Charge, code: str) -> None:
    """Example: Then the charge is rejected with code 34 and not created"""
    ucsp_under_test.auto_debit.check_charge_not_created(charge, code)


@then(
    "the Industry Service sent one SUBMIT_AUTO_DEBIT for the charge with the contractId, "
    "a new orderId, its merchant and the requested amount"
)
def _(industry_under_test: IndustryUnderTest, charge: Charge) -> None:
    industry_under_test.auto_debit.check_charge_sent(charge)


@then(parse("the result notice of the charge is delivered with txnStatus {status:Code}"))
def _(side: Side, charge: Charge, status: str) -> None:
    side.auto_debit.check_charge_notified(charge, status)


@then("no result notice of the charge is delivered")
def _(side: Side, charge: Charge) -> None:
    side.auto_debit.check_no_charge_notice(charge)


@then(parse("the charge is recorded as {status:Status}"))
def _(side: Side, charge: Charge, status: str) -> None:
    side.auto_debit.check_charge_recorded(charge, status)


@then(parse("the charge is still recorded as {status:Status}"))
def _(industry_under_test: IndustryUnderTest, charge: Charge, status: str) -> None:
    """Example: Then the charge is still recorded as PENDING"""
    industry_under_test.auto_debit.check_charge_kept(charge, status)


@then("the harness reports that the charge got no valid answer")
def _(industry_under_test: IndustryUnderTest, charge: Charge) -> None:
    """The harness answered HTTP 424 with an error and the orderId it created."""
    industry_under_test.auto_debit.check_reported_unanswered(charge)


@then(parse("the Industry Service inquires about the charge at once with {msg_type:MsgType}"))
def _(industry_under_test: IndustryUnderTest, charge: Charge, msg_type: str) -> None:
    """After a 05 or no valid answer (once its own time-out has run out), naming the charge's
    orderId and txnTime.
    Example: Then the Industry Service inquires about the charge at once with
        PAYMENT_RESULT_INQUIRY
    """
    industry_under_test.inquiry.inquire_about(charge, msg_type)


@when("UCSP delivers the held result notice of the charge")
def _(industry_under_test: IndustryUnderTest, charge: Charge) -> None:
    industry_under_test.auto_debit.deliver_held_notice(charge)
