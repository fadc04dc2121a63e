"""Derandomised fuzzing of the IS receivers: nothing crashes, nothing gets through unsigned."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ucsp.clock import FakeClock
from ucsp.codes import ResponseCode
from ucsp.keys import Keyset
from ucsp.sim.industry import IndustrySimulator

KEYS = Path(__file__).resolve().parents[2] / "fixtures" / "keys" / "test-only"
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
_notice_like = st.fixed_dictionaries(
    {
        "msgInfo": st.dictionaries(
            st.sampled_from(["versionNo", "msgID", "timeStamp", "msgType", "industryCode"]),
            st.text(max_size=30) | st.sampled_from(["PAYMENT_RESULT_NOTICE", "TRAVEL01"]),
        ),
        "trxInfo": st.dictionaries(st.text(max_size=10), _scalars),
        "certificateSignature": st.dictionaries(
            st.sampled_from(["ucspSignCertID", "appEncCertID", "signature"]), st.text(max_size=20)
        ),
    }
)


@cache
def simulator() -> IndustrySimulator:
    return IndustrySimulator(keys=Keyset.load(KEYS), clock=FakeClock())


def _check_answer(sim: IndustrySimulator, info: dict[str, Any], msg_type: str, code: str) -> None:
    from ucsp.sim.industry.notices import Verdict

    raw = sim.notices.answer(info, msg_type, Verdict(ResponseCode(code)))
    message = json.loads(raw)
    assert message["msgResponse"]["responseCode"] == code
    assert message["certificateSignature"]["signature"] != "00000000"


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_are_answered_10(raw: bytes) -> None:
    sim = simulator()
    info, msg_type, verdict = sim.notices.process(raw)
    assert verdict.code in (ResponseCode.FORMAT_INVALID, ResponseCode.SIGNATURE_FAILS)
    _check_answer(sim, info, msg_type, verdict.code.value)


@FUZZ
@given(_json | _notice_like)
def test_any_json_is_refused_before_business_rules(value: Any) -> None:
    sim = simulator()
    info, msg_type, verdict = sim.notices.process(json.dumps(value).encode())
    assert verdict.code in (ResponseCode.FORMAT_INVALID, ResponseCode.SIGNATURE_FAILS)
    _check_answer(sim, info, msg_type, verdict.code.value)


@FUZZ
@given(st.binary(max_size=400))
def test_any_query_string_is_refused_without_a_session(query: bytes) -> None:
    result = simulator().login.process(b"request_data=" + query)
    assert result.status in (400, 403)
    assert result.token is None
