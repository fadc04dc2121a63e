"""Steps of the authorized login: AUTHORIZATION_URL (UCSP) and INDUSTRY_INDEX_URL (IS)."""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.sides.login import Authorization, LoginAttempt
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

# --- UCSP under test: AUTHORIZATION_URL -----------------------------------------------------


@when(
    "the sandbox user authorizes the Industry Service at the UCSP",
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest) -> Authorization:
    return ucsp_under_test.login.authorize()


@when(
    parse('the sandbox user authorizes the Industry Service with "{defect:Text}"'),
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest, defect: str) -> Authorization:
    return ucsp_under_test.login.authorize(defect)


@then("the UCSP redirects the browser to the industry's index URL with request_data")
def _(ucsp_under_test: UcspUnderTest, authorization: Authorization) -> None:
    ucsp_under_test.login.check_redirect(authorization)


@then(
    "the login message carries the user's mobile encrypted to the industry encryption certificate"
)
def _(ucsp_under_test: UcspUnderTest, authorization: Authorization) -> None:
    ucsp_under_test.login.check_encrypted_mobile(authorization)


@then("the login message is a valid INDUSTRY_LOGIN_INFO signed by UCSP")
def _(ucsp_under_test: UcspUnderTest, authorization: Authorization) -> None:
    ucsp_under_test.login.check_signed_message(authorization)


@then("the login message names the industry, the channel and the user")
def _(ucsp_under_test: UcspUnderTest, authorization: Authorization) -> None:
    ucsp_under_test.login.check_names(authorization)


@then("the UCSP refuses the authorization with HTTP 400 and no redirect")
def _(ucsp_under_test: UcspUnderTest, authorization: Authorization) -> None:
    ucsp_under_test.login.check_refused(authorization)


# --- Industry Service under test: INDUSTRY_INDEX_URL ------------------------------------------


@given("a user has logged in through UCSP", target_fixture="earlier_login")
def _(industry_under_test: IndustryUnderTest) -> LoginAttempt:
    return industry_under_test.login.logged_in()


@given(
    parse('a login for a new user with "{defect:Text}" has been refused with HTTP {status:Count}'),
    target_fixture="earlier_login",
)
def _(industry_under_test: IndustryUnderTest, defect: str, status: int) -> LoginAttempt:
    return industry_under_test.login.refused(defect, status)


@when("UCSP sends a valid login for a new user", target_fixture="login")
def _(industry_under_test: IndustryUnderTest) -> LoginAttempt:
    return industry_under_test.login.send_new()


@when(parse('UCSP sends a login for a new user with "{defect:Text}"'), target_fixture="login")
def _(industry_under_test: IndustryUnderTest, defect: str) -> LoginAttempt:
    return industry_under_test.login.send_new(defect)


@when(
    "UCSP sends a login for a new user with the msgID of the earlier login", target_fixture="login"
)
def _(industry_under_test: IndustryUnderTest, earlier_login: LoginAttempt) -> LoginAttempt:
    return industry_under_test.login.reusing_msg_id(earlier_login)


@when("UCSP sends the same login correctly signed", target_fixture="login")
def _(industry_under_test: IndustryUnderTest, earlier_login: LoginAttempt) -> LoginAttempt:
    return industry_under_test.login.resent(earlier_login)


@then("the Industry Service shows its service page with a session cookie")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_accepted(login)


@then(parse("the Industry Service refuses the login with HTTP {status:Count}"))
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt, status: int) -> None:
    industry_under_test.login.check_refused(login, status)


@then("the user is logged in at the Industry Service")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_session(login, True)


@then("the user is not logged in at the Industry Service")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_session(login, False)
