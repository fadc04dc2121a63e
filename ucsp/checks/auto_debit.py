"""Checks of auto-debit: signing, the signing page, contracts, closing and charging.

UCSP under test: its answers to SIGN_AUTO_DEBIT, CLOSE_AUTO_DEBIT and SUBMIT_AUTO_DEBIT, the
302 of its signing page, and where its notices go. Industry Service under test: what it sent
when its harness asked it to sign, close or charge, what the harness reported, and the
contracts and orders it records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ucsp.checks import ensure
from ucsp.checks.messages import check_code

REDIRECT_STATUS = 302


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _amount(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _base(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/"


# --- answers (the UCSP's, or the harness's report of it) ---------------------------------------


def check_harness_status(status: int, call: str, requirement: str) -> None:
    """The harness call was carried out (HTTP 200)."""
    ensure(
        status == 200,
        requirement,
        f"the harness answered {call} with HTTP {status}, expected 200 with the UCSP's answer",
    )


def check_sign_answer(
    code: str | None, trx: Mapping[str, Any], expected_code: str, requirement: str
) -> None:
    """The answer to SIGN_AUTO_DEBIT has the expected code, and a signUrl when it is 00."""
    check_code(code, expected_code, requirement, "the answer to SIGN_AUTO_DEBIT")
    if expected_code == "00":
        sign_url = trx.get("signUrl")
        ensure(
            _is_http_url(sign_url),
            requirement,
            f"a 00 answer to SIGN_AUTO_DEBIT must carry a signUrl (an http(s) URL), "
            f"got {sign_url!r}",
        )


def check_close_answer(
    code: str | None,
    trx: Mapping[str, Any],
    contract_id: str,
    expected_code: str,
    requirement: str,
) -> None:
    """The answer to CLOSE_AUTO_DEBIT has the expected code and names the contract."""
    check_code(code, expected_code, requirement, "the answer to CLOSE_AUTO_DEBIT")
    named = trx.get("contractId")
    ensure(
        named == contract_id,
        requirement,
        f"the answer to CLOSE_AUTO_DEBIT names contractId {named!r}, expected {contract_id!r}",
    )


def check_charge_answer(
    code: str | None,
    trx: Mapping[str, Any],
    order_id: str,
    expected_code: str,
    requirement: str,
) -> None:
    """The answer to SUBMIT_AUTO_DEBIT: the expected code, the orderId, a queryId when 00."""
    check_code(code, expected_code, requirement, "the answer to SUBMIT_AUTO_DEBIT")
    named = trx.get("orderId")
    ensure(
        named == order_id,
        requirement,
        f"the answer to SUBMIT_AUTO_DEBIT names orderId {named!r}, expected {order_id!r}",
    )
    if expected_code == "00":
        query_id = trx.get("queryId")
        ensure(
            isinstance(query_id, str) and bool(query_id),
            requirement,
            f"a 00 answer to SUBMIT_AUTO_DEBIT must carry a queryId, got {query_id!r}",
        )


def check_harness_reports(
    reported: Mapping[str, Any],
    ucsp_answer: Mapping[str, Any],
    keys: Sequence[str],
    requirement: str,
) -> None:
    """The harness reports what UCSP answered: its responseCode and the trxInfo ``keys``."""
    response = ucsp_answer.get("msgResponse")
    trx = ucsp_answer.get("trxInfo")
    ensure(
        isinstance(response, dict) and isinstance(trx, dict),
        requirement,
        "the Industry Service's request got no UCSP answer to compare the harness report with",
    )
    assert isinstance(response, dict) and isinstance(trx, dict)
    expected: dict[str, Any] = {"responseCode": response.get("responseCode")}
    expected.update({key: trx[key] for key in keys if key in trx})
    wrong = {k: reported.get(k) for k, v in expected.items() if reported.get(k) != v}
    ensure(
        not wrong,
        requirement,
        "the harness reports "
        + ", ".join(f"{k} {got!r} where UCSP answered {expected[k]!r}" for k, got in wrong.items()),
    )


# --- what the Industry Service sent ------------------------------------------------------------


def check_sent_once(count: int, msg_type: str, what: str, requirement: str) -> None:
    """Exactly one request of ``msg_type`` was sent for ``what``."""
    ensure(
        count == 1,
        requirement,
        f"the Industry Service sent {count} {msg_type} requests for {what}, expected exactly 1",
    )


def check_sent_fields(
    msg_type: str, trx: Mapping[str, Any], expected: Mapping[str, str], requirement: str
) -> None:
    """The request carries the expected trxInfo values (txnAmt compared as an amount)."""
    wrong = {
        k: trx.get(k)
        for k, v in expected.items()
        if (_amount(trx.get(k)) != _amount(v) if k == "txnAmt" else trx.get(k) != v)
    }
    ensure(
        not wrong,
        requirement,
        f"{msg_type} carries "
        + ", ".join(f"{k} {got!r} (expected {expected[k]!r})" for k, got in wrong.items()),
    )


def check_url_field(msg_type: str, trx: Mapping[str, Any], key: str, requirement: str) -> None:
    """The request's ``key`` is an absolute http(s) URL."""
    value = trx.get(key)
    ensure(
        _is_http_url(value),
        requirement,
        f"{msg_type} carries {key} {value!r}, expected an absolute http(s) URL",
    )


def check_new_order_id(order_ids: Sequence[str], order_id: str, requirement: str) -> None:
    """``order_id`` was used by exactly one of the order-creating requests seen."""
    count = order_ids.count(order_id)
    ensure(
        bool(order_id) and count == 1,
        requirement,
        f"{count} order-creating requests carry the orderId {order_id!r} the harness reported, "
        "expected exactly 1 (a new orderId)",
    )


# --- the signing page and notices --------------------------------------------------------------


def check_sign_url_given(sign_url: str | None, user_id: str, requirement: str) -> None:
    """The user has a signUrl to go to."""
    ensure(bool(sign_url), requirement, f"no signUrl for user {user_id}")


def check_signing_page_status(status: int, expected: int, requirement: str = "PAY-06") -> None:
    """The signing page answered HTTP ``expected``."""
    ensure(
        status == expected,
        requirement,
        f"the signing page answered HTTP {status}, expected {expected}",
    )


def check_delivered_to(url: str, expected: str, what: str, requirement: str) -> None:
    """``what`` reached the URL it had to go to (compared by path: hosts may be rewritten)."""
    got, want = urlsplit(url).path or "/", urlsplit(expected).path or "/"
    ensure(
        got == want,
        requirement,
        f"{what} was sent to {got!r}, expected the backUrl {want!r} ({expected})",
    )


def check_sign_redirect(
    status: int,
    location: str | None,
    front_url: str,
    contract_id: str,
    sign_status: str,
    notices_before: int,
    requirement: str = "AD-04",
) -> None:
    """The signing page answered 302 to frontUrl plus contractId and signStatus, once the
    first SIGN_AUTO_DEBIT_NOTICE attempt had been made."""
    ensure(
        status == REDIRECT_STATUS,
        requirement,
        f"the signing page answered HTTP {status}, expected 302 to the frontUrl",
    )
    ensure(bool(location), requirement, "the signing page's 302 has no Location")
    assert location is not None
    ensure(
        _base(location) == _base(front_url),
        requirement,
        f"the signing page redirected to {location.partition('?')[0]!r}, expected the "
        f"frontUrl {front_url.partition('?')[0]!r}",
    )
    pairs = parse_qsl(urlsplit(location).query, keep_blank_values=True)
    kept = [
        p for p in parse_qsl(urlsplit(front_url).query, keep_blank_values=True) if p not in pairs
    ]
    ensure(
        not kept,
        requirement,
        "the redirect drops query parameters of the frontUrl: "
        + ", ".join(f"{k}={v}" for k, v in kept),
    )
    expected = {"contractId": contract_id, "signStatus": sign_status}
    for key, value in expected.items():
        values = [v for k, v in pairs if k == key]
        ensure(
            values == [value],
            requirement,
            f"the redirect carries {key} {values!r}, expected exactly [{value!r}]",
        )
    ensure(
        notices_before >= 1,
        requirement,
        "the signing page redirected before the first SIGN_AUTO_DEBIT_NOTICE attempt was made",
    )


def check_contract_id(trx: Mapping[str, Any], requirement: str) -> str:
    """The notice names a contract (a non-empty contractId); returns it."""
    value = trx.get("contractId")
    ensure(
        isinstance(value, str) and bool(value),
        requirement,
        f"the SIGN_AUTO_DEBIT_NOTICE carries contractId {value!r}, expected a contractId",
    )
    assert isinstance(value, str)
    return value


def check_no_more_notices(count: int, expected: int, what: str, requirement: str) -> None:
    """No notice beyond the ``expected`` ones was delivered."""
    ensure(
        count == expected,
        requirement,
        f"{count} {what} were delivered, expected {expected}",
    )


# --- records -----------------------------------------------------------------------------------


def check_contract_record(
    http_status: int,
    record: Mapping[str, Any],
    contract_id: str,
    user_id: str,
    status: str,
    requirement: str,
) -> None:
    """The Industry Service records the contract for ``user_id`` with ``status``."""
    ensure(
        http_status == 200,
        requirement,
        f"the harness answered HTTP {http_status} for contract {contract_id}: "
        "the Industry Service did not store it",
    )
    wrong = []
    if record.get("contractId") != contract_id:
        wrong.append(f"contractId {record.get('contractId')!r}")
    if record.get("userId") != user_id:
        wrong.append(f"userId {record.get('userId')!r} (expected {user_id!r})")
    if record.get("status") != status:
        wrong.append(f"status {record.get('status')!r} (expected {status})")
    ensure(not wrong, requirement, f"contract {contract_id} is recorded with " + ", ".join(wrong))


def check_no_contract(http_status: int, contract_id: str, requirement: str) -> None:
    """The Industry Service stored no contract ``contract_id`` (the harness answers 404)."""
    ensure(
        http_status == 404,
        requirement,
        f"the harness answered HTTP {http_status} for contract {contract_id}, expected 404: "
        "the rejected notice stored a contract",
    )
