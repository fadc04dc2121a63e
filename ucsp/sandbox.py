"""Identifiers the embedded setup uses when no registry or target file says otherwise.

Both reference implementations and the suite's peers agree on these, so that
`serve ucsp --keys DIR` and `serve industry --keys DIR --ucsp-url URL` work together with no
configuration.
"""

from __future__ import annotations

INDUSTRY_CODE = "TRAVEL01"  # AN 8
MER_ID = "777290058110048"  # AN 15
ACQ_IIN = "00010344"  # AN 8
OTHER_MER_ID = "777290058110056"  # a second merchant of the same industry (AN 15)
CHANNEL_CODE = "CHANNEL1"  # AN 8
CURRENCY_CODE = "156"  # CNY
SANDBOX_USERS = (("user0001", "13800138000"), ("user0002", "85291234567"))
UCSP_PORT = 8080
INDUSTRY_PORT = 8081


def other_sandbox_user(user_id: str) -> tuple[str, str]:
    """The first sandbox user (userId, mobile) other than ``user_id``: the second user a
    scenario names beside the one the target file configures."""
    return next(user for user in SANDBOX_USERS if user[0] != user_id)
