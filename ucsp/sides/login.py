"""Authorized login: AUTHORIZATION_URL at a UCSP, INDUSTRY_LOGIN_INFO at an Industry Service.

UCSP under test (:class:`UcspLogin`): the browser GETs the UCSP's AUTHORIZATION_URL with the
sandbox user's parameters, or with one defect, and keeps the answer (status and Location) for
the checks. Industry Service under test (:class:`IndustryLogin`): the suite plays UCSP and
sends INDUSTRY_LOGIN_INFO itself, as a browser GET of INDUSTRY_INDEX_URL with
``request_data``, built and signed with the UCSP peer's codec: a valid login, or one with a
named corruption (:data:`ucsp.mutation.login.LOGIN_CORRUPTIONS`). Each login is journaled in
the peer's journal as it crossed the wire.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

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
from ucsp.envelope import build_msg_info
from ucsp.errors import ConfigError
from ucsp.journal import Direction, JournalEntry
from ucsp.login_encoding import LoginBuilder, LoginUser
from ucsp.messages import LOGIN_TYPE, Party
from ucsp.mutation.login import LOGIN_CORRUPTIONS, at_maximum_length
from ucsp.sides.probe import at_skew_edge, beyond_skew

if TYPE_CHECKING:
    from ucsp.sides.roles import IndustryUnderTest, UcspUnderTest
    from ucsp.sides.side import Side

__all__ = ["AUTHORIZE_DEFECTS", "Authorization", "LoginAttempt", "LoginUser"]


@dataclass
class Authorization:
    """The UCSP's answer to the browser's GET of AUTHORIZATION_URL."""

    user: LoginUser
    status: int
    location: str | None


@dataclass
class LoginAttempt:
    """One INDUSTRY_LOGIN_INFO sent by the suite to the Industry Service's index URL.

    ``requirement`` is the rule the attempt probes (LOGIN-04 for a valid login, the
    corruption's rule otherwise): the checks of its outcome report against it.
    """

    user: LoginUser
    requirement: str
    msg_info: dict[str, Any] | None
    status: int
    sets_cookie: bool


# --- AUTHORIZATION_URL defects (UCSP under test) -------------------------------------------

Params = dict[str, str]


def _drop(name: str) -> Callable[[Params], None]:
    def apply(params: Params) -> None:
        params.pop(name, None)

    return apply


def _change(name: str, change: Callable[[str], str]) -> Callable[[Params], None]:
    def apply(params: Params) -> None:
        params[name] = change(params[name])

    return apply


def _other_industry_code(code: str) -> str:
    return "ZZZZ9999" if code != "ZZZZ9999" else "YYYY9999"


AUTHORIZE_DEFECTS: dict[str, Callable[[Params], None]] = {
    "no industryCode": _drop("industryCode"),
    "an unknown industryCode": _change("industryCode", _other_industry_code),
    "no channelCode": _drop("channelCode"),
    "a channelCode of 7 characters": _change("channelCode", lambda v: (v * 8)[:7]),
    "a channelCode that is not alphanumeric": _change("channelCode", lambda v: v[:7] + "-"),
    "no userId": _drop("userId"),
    "an empty userId": _change("userId", lambda v: ""),
    "a userId of 65 characters": _change("userId", lambda v: (v * 65)[:65]),
    "no mobile": _drop("mobile"),
    "a mobile of 65 characters": _change("mobile", lambda v: (v * 65)[:65]),
    "a mobile with a non-ASCII character": _change("mobile", lambda v: v[:-1] + "\u00e9"),
}


def _with_query(url: str, query: str) -> str:
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


class Login:
    """The user's browser between UCSP and the Industry Service, for either side."""

    def __init__(self, side: Side) -> None:
        self.side = side

    @property
    def browser(self) -> httpx.AsyncClient:
        if self.side.d.http is None:
            raise ConfigError("the deployment has no browser client")
        return self.side.d.http

    def _journal(
        self,
        direction: Direction,
        url: str,
        request: bytes,
        answer: httpx.Response,
        response: bytes | None,
        started: float,
    ) -> None:
        clock = self.side.d.clock
        self.side.journal.record(
            JournalEntry(
                direction,
                LOGIN_TYPE,
                url,
                request,
                answer.status_code,
                response,
                started,
                clock.now(),
            )
        )


class UcspLogin(Login):
    """The browser authorizes the Industry Service at the UCSP under test."""

    side: UcspUnderTest

    def sandbox_user(self) -> LoginUser:
        """The UCSP's sandbox Channel App user named in the target file."""
        target = self.side.target
        return LoginUser(target.ucsp.user_id, target.ucsp.mobile, target.industry.channel_code)

    def second_sandbox_user(self) -> LoginUser:
        """The target file's second sandbox Channel App user (``[ucsp] second_user_id`` and
        ``second_mobile``; by default a built-in sandbox user other than the first)."""
        target = self.side.target
        ucsp = target.ucsp
        return LoginUser(ucsp.second_user_id, ucsp.second_mobile, target.industry.channel_code)

    def authorize_second_user(self) -> Authorization:
        """The browser GETs AUTHORIZATION_URL for the second sandbox user."""
        return self.authorize(user=self.second_sandbox_user())

    def authorize_longest(self, field: str) -> Authorization:
        """The browser GETs AUTHORIZATION_URL for the sandbox user with ``field`` (userId or
        mobile) at its declared maximum length: an accepted boundary value."""
        return self.authorize(user=at_maximum_length(self.sandbox_user(), field))

    def authorize(self, defect: str | None = None, user: LoginUser | None = None) -> Authorization:
        """The browser GETs AUTHORIZATION_URL for ``user`` (default: the target's sandbox
        user), with one named defect or none."""
        target = self.side.target
        user = user or self.sandbox_user()
        params: Params = {
            "industryCode": target.industry.code,
            "channelCode": user.channel_code,
            "userId": user.user_id,
            "mobile": user.mobile,
        }
        if defect is not None:
            if defect not in AUTHORIZE_DEFECTS:
                known = ", ".join(AUTHORIZE_DEFECTS)
                raise ConfigError(f"unknown authorization defect {defect!r}; known: {known}")
            AUTHORIZE_DEFECTS[defect](params)
        started = self.side.d.clock.elapsed()
        url = target.ucsp.authorize_url
        answer = self.side.call(self.browser.get(url, params=params))
        location = answer.headers.get("location")
        self._journal("in", url, location.encode() if location else b"", answer, None, started)
        return Authorization(user, answer.status_code, location)

    # --- the redirect and the login message it carries -----------------------------------

    def login_message(self, authorization: Authorization) -> tuple[str, dict[str, Any]]:
        """The redirect to the index URL checked (LOGIN-01, LOGIN-02): the login message's
        signed text and the message."""
        target = self.side.target
        return check_login_redirect(
            authorization.status,
            authorization.location,
            target.industry.index_url,
            target.profile,
        )

    def check_redirect(self, authorization: Authorization) -> None:
        self.login_message(authorization)

    def check_encrypted_mobile(self, authorization: Authorization) -> None:
        _, message = self.login_message(authorization)
        keys, profile = self.side.target.keys, self.side.target.profile
        enc = keys.industry_enc.identity("the suite's industry encryption key")
        check_encrypted_mobile(
            message, enc.cert_id, enc.key, authorization.user.mobile, profile.encryption_mode
        )

    def check_signed_message(self, authorization: Authorization) -> None:
        text, message = self.login_message(authorization)
        target = self.side.target
        check_login_message(
            text,
            message,
            target.keys.certs_of(Party.UCSP),
            target.industry.code,
            self.side.d.clock.now(),
            target.profile,
        )

    def check_names(self, authorization: Authorization) -> None:
        _, message = self.login_message(authorization)
        user = authorization.user
        industry = self.side.target.industry.code
        check_login_names(message, industry, user.channel_code, user.user_id)

    def check_refused(self, authorization: Authorization) -> None:
        check_authorization_refused(authorization.status, authorization.location)


class IndustryLogin(Login):
    """The suite, as UCSP, sends logins to the index URL of the Industry Service under test."""

    side: IndustryUnderTest

    def new_user(self) -> LoginUser:
        """A user the Industry Service has never seen (fresh userId, sandbox mobile)."""
        target = self.side.target
        user_id = "user" + secrets.token_hex(8)
        return LoginUser(user_id, target.ucsp.mobile, target.industry.channel_code)

    def builder(self, user: LoginUser, msg_info: dict[str, Any] | None = None) -> LoginBuilder:
        return LoginBuilder(self.side.peer.codec, self.side.target, user, msg_info)

    def send(
        self,
        user: LoginUser,
        corruption: str | None = None,
        msg_info: dict[str, Any] | None = None,
        requirement: str = "LOGIN-04",
    ) -> LoginAttempt:
        """UCSP sends ``user``'s login to the index URL: valid, or with a named corruption.

        ``msg_info`` reuses an earlier login's msgInfo (same msgID), re-signed.
        """
        builder = self.builder(user, msg_info)
        if corruption is None:
            query = builder.valid()
        else:
            if corruption not in LOGIN_CORRUPTIONS:
                raise ConfigError(
                    f"unknown login corruption {corruption!r}; "
                    f"known: {', '.join(LOGIN_CORRUPTIONS)}"
                )
            chosen = LOGIN_CORRUPTIONS[corruption]
            query, requirement = chosen.query(builder), chosen.requirement
        return self._send(user, requirement, query, builder.msg_info)

    def _send(
        self, user: LoginUser, requirement: str, query: str, msg_info: dict[str, Any]
    ) -> LoginAttempt:
        index_url = self.side.target.industry.index_url
        started = self.side.d.clock.elapsed()
        self.browser.cookies.clear()  # a fresh browser for every login
        answer = self.side.call(self.browser.get(_with_query(index_url, query)))
        request = query.encode("ascii", errors="replace")
        self._journal("out", index_url, request, answer, answer.content, started)
        return LoginAttempt(
            user,
            requirement,
            msg_info,
            answer.status_code,
            bool(answer.headers.get_list("set-cookie")),
        )

    # --- the logins of the scenarios -------------------------------------------------------

    def send_new(self, corruption: str | None = None) -> LoginAttempt:
        """A login for a new user: valid, or with ``corruption``."""
        return self.send(self.new_user(), corruption)

    def logged_in(self) -> LoginAttempt:
        """A new user's valid login, accepted."""
        login = self.send_new()
        self.check_accepted(login)
        return login

    def refused(self, corruption: str, status: int) -> LoginAttempt:
        """A new user's login with ``corruption``, refused with HTTP ``status``."""
        login = self.send_new(corruption)
        self.check_refused(login, status)
        return login

    def reusing_msg_id(self, earlier: LoginAttempt) -> LoginAttempt:
        """A new user's login under the msgInfo (msgID) of ``earlier`` (SEC-07)."""
        return self.send(self.new_user(), msg_info=earlier.msg_info, requirement="SEC-07")

    def resent(self, earlier: LoginAttempt) -> LoginAttempt:
        """``earlier``'s user and msgInfo again, correctly signed (SEC-07)."""
        return self.send(earlier.user, msg_info=earlier.msg_info, requirement="SEC-07")

    def send_longest(self, field: str) -> LoginAttempt:
        """A new user's valid login with ``field`` (userId or mobile) at its declared maximum
        length (LOGIN-04: a valid login)."""
        return self.send(at_maximum_length(self.new_user(), field))

    def stamped_at_skew_edge(self) -> LoginAttempt:
        """A new user's valid login stamped at the edge of the allowed clock skew in the
        future (FMT-13: only a timeStamp beyond the skew is refused)."""
        target = self.side.target
        moment = at_skew_edge(self.side.d.clock.now(), target.profile)
        info = build_msg_info(LOGIN_TYPE, target.industry.code, Party.UCSP, moment, target.profile)
        return self.send(self.new_user(), msg_info=info, requirement="FMT-13")

    def beyond_skew(self, way: str) -> LoginAttempt:
        """A new user's login stamped beyond the allowed clock skew ``way`` (FMT-13)."""
        target = self.side.target
        moment = beyond_skew(self.side.d.clock.now(), target.profile, way)
        info = build_msg_info(LOGIN_TYPE, target.industry.code, Party.UCSP, moment, target.profile)
        return self.send(self.new_user(), msg_info=info, requirement="FMT-13")

    # --- what the Industry Service did -----------------------------------------------------

    def session(self, login: LoginAttempt) -> bool:
        """Whether the Industry Service's harness reports a session for the login's user."""
        return self.side.call(self.side.harness.session(login.user.user_id))

    def check_accepted(self, login: LoginAttempt) -> None:
        check_login_accepted(login.status, login.sets_cookie, login.requirement)

    def check_refused(self, login: LoginAttempt, status: int) -> None:
        check_login_refused(login.status, status, login.requirement)

    def check_session(self, login: LoginAttempt, expected: bool) -> None:
        check_session(self.session(login), expected, login.user.user_id, login.requirement)

    def check_refused_without_session(self, login: LoginAttempt, status: int) -> None:
        self.check_refused(login, status)
        self.check_session(login, False)
