"""Shared fixtures of the kit's unit tests: the committed TEST-ONLY keyset, codecs, messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ucsp import activity, sandbox
from ucsp.clock import FakeClock
from ucsp.codec import Codec
from ucsp.envelope import build_request
from ucsp.keys import Keyset
from ucsp.messages import Party
from ucsp.profile import Profile, default_profile

ROOT = Path(__file__).resolve().parent.parent
TEST_KEYS = ROOT / "fixtures" / "keys" / "test-only"
KAT_DIR = ROOT / "fixtures" / "kat"
MESSAGES_DIR = ROOT / "fixtures" / "messages"

ORDER_TRX_INFO: dict[str, str] = {
    "orderId": "ORD2026011500000001",
    "merId": sandbox.MER_ID,
    "acqIIN": sandbox.ACQ_IIN,
    "txnAmt": "12800",
    "currencyCode": sandbox.CURRENCY_CODE,
    "txnTime": "20260115102955",
    "orderDesc": "Parking fee, January 2026",
    "backUrl": "https://industry.test/ucsp/notice",
}


@pytest.fixture(scope="session")
def keyset() -> Keyset:
    return Keyset.load(TEST_KEYS)


@pytest.fixture(scope="session")
def kat() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((KAT_DIR / "kat.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def profile() -> Profile:
    return default_profile()


@pytest.fixture
def clock() -> FakeClock:
    """2026-01-15 02:30:00 UTC, that is 10:30:00 Beijing time."""
    return FakeClock()


def _codec(party: Party, keyset: Keyset, clock: FakeClock, profile: Profile) -> Codec:
    """``party``'s codec: signs with its signing pair, trusts its peer's signing certificate."""
    return Codec(
        party,
        keyset.signing(party).identity(f"{party}-sign"),
        trusted=keyset.certs_of(party.peer),
        profile=profile,
        clock=clock,
    )


@pytest.fixture
def industry_codec(keyset: Keyset, clock: FakeClock, profile: Profile) -> Codec:
    """The Industry Service's codec: signs with industry-sign, trusts ucsp-sign."""
    return _codec(Party.INDUSTRY, keyset, clock, profile)


@pytest.fixture
def ucsp_codec(keyset: Keyset, clock: FakeClock, profile: Profile) -> Codec:
    """UCSP's codec: signs with ucsp-sign, trusts industry-sign."""
    return _codec(Party.UCSP, keyset, clock, profile)


@pytest.fixture
def order_trx_info() -> dict[str, str]:
    """The trxInfo of a typical SUBMIT_PAYMENT_ORDER request."""
    return dict(ORDER_TRX_INFO)


@pytest.fixture
def order_request(industry_codec: Codec) -> dict[str, Any]:
    """A typical SUBMIT_PAYMENT_ORDER request, unsigned, with a fresh msgInfo."""
    msg_info = industry_codec.msg_info("SUBMIT_PAYMENT_ORDER", sandbox.INDUSTRY_CODE)
    return build_request(msg_info, dict(ORDER_TRX_INFO))


@pytest.fixture
def signed_order(industry_codec: Codec, order_request: dict[str, Any]) -> bytes:
    """The bytes of ``order_request`` signed by the Industry Service."""
    return industry_codec.sign(order_request)


@pytest.fixture
def announced() -> Iterator[list[tuple[str | None, float | None]]]:
    """What the kit announces it waits for (:mod:`ucsp.activity`), heard while the test runs."""
    heard: list[tuple[str | None, float | None]] = []
    activity.listen(lambda what, within: heard.append((what, within)))
    yield heard
    activity.listen(None)
