"""Steps of the authorized login: AUTHORIZATION_URL (UCSP) and INDUSTRY_INDEX_URL (IS)."""

from __future__ import annotations

from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.sides.login import Authorization, LoginAttempt
from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest

# --- UCSP under test: AUTHORIZATION_URL -----------------------------------------------------


@when(
    "the first sandbox user authorizes the Industry Service at the UCSP",
    target_fixture="authorization",
)
@when(
    "the sandbox user authorizes the Industry Service at the UCSP",
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest) -> Authorization:
    """The sandbox user the target file names."""
    return ucsp_under_test.login.authorize()


@when(
    "the second sandbox user authorizes the Industry Service at the UCSP",
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest) -> Authorization:
    """A sandbox user other than the target file's; the login checks that follow judge the
    login message against this user.

    Example: When the second sandbox user authorizes the Industry Service at the UCSP
    """
    return ucsp_under_test.login.authorize_second_user()


@when(
    parse('the sandbox user authorizes the Industry Service with "{defect:Text}"'),
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest, defect: str) -> Authorization:
    return ucsp_under_test.login.authorize(defect)


@when(
    parse(
        "the sandbox user authorizes the Industry Service with a {field:LoginField} of the "
        "maximum length"
    ),
    target_fixture="authorization",
)
def _(ucsp_under_test: UcspUnderTest, field: str) -> Authorization:
    """An accepted boundary value: the userId or mobile at its declared maximum length
    (schemas/)."""
    return ucsp_under_test.login.authorize_longest(field)


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
    """Example: Given a login for a new user with "a signature that does not verify" has been
    refused with HTTP 403
    """
    return industry_under_test.login.refused(defect, status)


@when("UCSP sends a valid login for a new user", target_fixture="login")
def _(industry_under_test: IndustryUnderTest) -> LoginAttempt:
    return industry_under_test.login.send_new()


@when(
    parse(
        "UCSP sends a valid login for a new user with a {field:LoginField} of the maximum length"
    ),
    target_fixture="login",
)
def _(industry_under_test: IndustryUnderTest, field: str) -> LoginAttempt:
    """An accepted boundary value: the userId, or the decrypted mobile, at its declared
    maximum length (schemas/).
    Example: When UCSP sends a valid login for a new user with a userId of the maximum length
    """
    return industry_under_test.login.send_longest(field)


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
    """Example: Then the Industry Service refuses the login with HTTP 403"""
    industry_under_test.login.check_refused(login, status)


@then("the user is logged in at the Industry Service")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_session(login, True)


@then("the first user is still logged in at the Industry Service")
def _(industry_under_test: IndustryUnderTest, earlier_login: LoginAttempt) -> None:
    """The user of the earlier login ("a user has logged in through UCSP") keeps their
    session whatever the later logins did."""
    industry_under_test.login.check_session(earlier_login, True)


@then("the user is not logged in at the Industry Service")
def _(industry_under_test: IndustryUnderTest, login: LoginAttempt) -> None:
    industry_under_test.login.check_session(login, False)
