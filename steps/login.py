"""Steps of the authorized login: AUTHORIZATION_URL (UCSP) and INDUSTRY_INDEX_URL (IS)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from steps.types import parse
from ucsp.checks.login import (
    check_authorization_refused,
    check_encrypted_mobile,
    check_login_accepted,
    check_login_message,
    check_login_names,
    check_login_redirect,
    check_login_refused,
    check_session,
)
from ucsp.deployment import Deployment
from ucsp.flows.login import Authorization, LoginAttempt, LoginFlow


@pytest.fixture
def login_flow(deployment: Deployment) -> LoginFlow:
    return LoginFlow(deployment)


def _login_message(
    authorization: Authorization, deployment: Deployment
) -> tuple[str, dict[str, object]]:
    target = deployment.target
    return check_login_redirect(
        authorization.status, authorization.location, target.industry.index_url, target.profile
    )


# --- UCSP under test: AUTHORIZATION_URL -----------------------------------------------------


@when(
    "the sandbox user authorizes the Industry Service at the UCSP",
    target_fixture="authorization",
)
def _(login_flow: LoginFlow, deployment: Deployment) -> Authorization:
    return deployment.call(login_flow.authorize(login_flow.sandbox_user()))


@when(
    parse('the sandbox user authorizes the Industry Service with "{defect:Text}"'),
    target_fixture="authorization",
)
def _(login_flow: LoginFlow, deployment: Deployment, defect: str) -> Authorization:
    return deployment.call(login_flow.authorize(login_flow.sandbox_user(), defect))


@then("the UCSP redirects the browser to the industry's index URL with request_data")
def _(authorization: Authorization, deployment: Deployment) -> None:
    _login_message(authorization, deployment)


@then(
    "the login message carries the user's mobile encrypted to the industry encryption certificate"
)
def _(authorization: Authorization, deployment: Deployment) -> None:
    _, message = _login_message(authorization, deployment)
    keys, profile = deployment.target.keys, deployment.target.profile
    enc = keys.industry_enc.identity("the suite's industry encryption key")
    check_encrypted_mobile(
        message, enc.cert_id, enc.key, authorization.user.mobile, profile.encryption_mode
    )


@then("the login message is a valid INDUSTRY_LOGIN_INFO signed by UCSP")
def _(authorization: Authorization, deployment: Deployment) -> None:
    text, message = _login_message(authorization, deployment)
    target = deployment.target
    certs = {target.keys.ucsp_sign.cert_id: target.keys.ucsp_sign.cert}
    check_login_message(
        text, message, certs, target.industry.code, deployment.clock.now(), target.profile
    )


@then("the login message names the industry, the channel and the user")
def _(authorization: Authorization, deployment: Deployment) -> None:
    _, message = _login_message(authorization, deployment)
    user = authorization.user
    check_login_names(message, deployment.target.industry.code, user.channel_code, user.user_id)


@then("the UCSP refuses the authorization with HTTP 400 and no redirect")
def _(authorization: Authorization) -> None:
    check_authorization_refused(authorization.status, authorization.location)


# --- Industry Service under test: INDUSTRY_INDEX_URL ------------------------------------------


@given("a user has logged in through UCSP", target_fixture="earlier_login")
def _(login_flow: LoginFlow, deployment: Deployment) -> LoginAttempt:
    login = deployment.call(login_flow.send_login(login_flow.new_user()))
    check_login_accepted(login.status, login.sets_cookie, login.requirement)
    return login


@given(
    parse('a login for a new user with "{defect:Text}" has been refused with HTTP {status:Count}'),
    target_fixture="earlier_login",
)
def _(login_flow: LoginFlow, deployment: Deployment, defect: str, status: int) -> LoginAttempt:
    login = deployment.call(login_flow.send_login(login_flow.new_user(), defect))
    check_login_refused(login.status, status, login.requirement)
    return login


@when("UCSP sends a valid login for a new user", target_fixture="login")
def _(login_flow: LoginFlow, deployment: Deployment) -> LoginAttempt:
    return deployment.call(login_flow.send_login(login_flow.new_user()))


@when(parse('UCSP sends a login for a new user with "{defect:Text}"'), target_fixture="login")
def _(login_flow: LoginFlow, deployment: Deployment, defect: str) -> LoginAttempt:
    return deployment.call(login_flow.send_login(login_flow.new_user(), defect))


@when(
    "UCSP sends a login for a new user with the msgID of the earlier login", target_fixture="login"
)
def _(login_flow: LoginFlow, deployment: Deployment, earlier_login: LoginAttempt) -> LoginAttempt:
    return deployment.call(
        login_flow.send_login(
            login_flow.new_user(), msg_info=earlier_login.msg_info, requirement="SEC-07"
        )
    )


@when("UCSP sends the same login correctly signed", target_fixture="login")
def _(login_flow: LoginFlow, deployment: Deployment, earlier_login: LoginAttempt) -> LoginAttempt:
    return deployment.call(
        login_flow.send_login(
            earlier_login.user, msg_info=earlier_login.msg_info, requirement="SEC-07"
        )
    )


@then("the Industry Service shows its service page with a session cookie")
def _(login: LoginAttempt) -> None:
    check_login_accepted(login.status, login.sets_cookie, login.requirement)


@then(parse("the Industry Service refuses the login with HTTP {status:Count}"))
def _(login: LoginAttempt, status: int) -> None:
    check_login_refused(login.status, status, login.requirement)


@then("the user is logged in at the Industry Service")
def _(login_flow: LoginFlow, deployment: Deployment, login: LoginAttempt) -> None:
    logged_in = deployment.call(login_flow.logged_in(login.user))
    check_session(logged_in, True, login.user.user_id, login.requirement)


@then("the user is not logged in at the Industry Service")
def _(login_flow: LoginFlow, deployment: Deployment, login: LoginAttempt) -> None:
    logged_in = deployment.call(login_flow.logged_in(login.user))
    check_session(logged_in, False, login.user.user_id, login.requirement)
