"""ucsp.verdict.grade: each verdict class, each error kind, and its one-line cause."""

from __future__ import annotations

import httpx
import pytest

from ucsp.drivers.harness import DriverTimeout, HarnessError
from ucsp.errors import AuthoringError, ConfigError, SutUnreachable, UnknownFault
from ucsp.requirements import Level
from ucsp.verdict import (
    CAUSE_LENGTH,
    ErrorKind,
    Grade,
    RequirementViolation,
    Verdict,
    classify_error,
    failed_request_url,
    grade,
)

LEVELS = {"SEC-02": Level.MUST, "FMT-13": Level.SHOULD, "SEC-06": Level.MUST}
TAGS = ["SEC-02", "FMT-13"]


class StepNotFound(Exception):
    """Stands for the test runner's own 'undefined step' exception."""


def _grade(exc: BaseException | None, strict: bool = False, phase: str = "call") -> Grade:
    return grade(exc, LEVELS, TAGS, strict=strict, authoring=(StepNotFound,), phase=phase)


def test_nothing_raised_is_a_pass() -> None:
    assert _grade(None) == Grade(Verdict.PASS)


def test_a_must_violation_among_the_tags_is_a_failure() -> None:
    violation = RequirementViolation("SEC-02", "expected code 11, got 00")
    assert _grade(violation) == Grade(Verdict.FAILURE, (violation,))


def test_a_should_violation_is_a_warning_unless_strict() -> None:
    violation = RequirementViolation("FMT-13", "timeStamp 400 s off answered 00")
    assert _grade(violation) == Grade(Verdict.WARNING, (violation,))
    assert _grade(violation, strict=True) == Grade(Verdict.FAILURE, (violation,))


def test_a_violation_of_a_requirement_missing_from_the_tags_is_a_misattribution() -> None:
    graded = _grade(RequirementViolation("SEC-06", "replayed msgID answered 00"))
    assert graded.verdict is Verdict.ERROR
    assert graded.error is not None and graded.error.kind is ErrorKind.MISATTRIBUTION
    assert graded.error.cause == (
        "a check names SEC-06, which is not among the scenario's tags (SEC-02 FMT-13): "
        "replayed msgID answered 00"
    )


def test_a_violation_of_a_requirement_the_registry_lacks_is_a_misattribution() -> None:
    graded = _grade(RequirementViolation("SEC-99", "no such rule"))
    assert graded.error is not None and graded.error.kind is ErrorKind.MISATTRIBUTION
    assert "SEC-99, which the requirement registry does not hold" in graded.error.cause


def test_grouped_violations_grade_by_the_worst_attributed_one() -> None:
    should, must = RequirementViolation("FMT-13", "a"), RequirementViolation("SEC-02", "b")
    assert _grade(ExceptionGroup("two", [should, should])).verdict is Verdict.WARNING
    assert _grade(ExceptionGroup("two", [should, must])) == Grade(Verdict.FAILURE, (should, must))
    # A MUST violation stands even beside another exception; without one, the error wins.
    boom = ValueError("boom")
    assert _grade(ExceptionGroup("mixed", [must, boom])).verdict is Verdict.FAILURE
    mixed = _grade(ExceptionGroup("mixed", [should, boom]))
    assert mixed.verdict is Verdict.ERROR
    assert mixed.error is not None and mixed.error.kind is ErrorKind.SUITE


@pytest.mark.parametrize(
    ("exc", "kind", "cause"),
    [
        (ValueError("bad\nsecond line"), ErrorKind.SUITE, "ValueError: bad"),
        (AssertionError("assert 1 == 2"), ErrorKind.SUITE, "AssertionError: assert 1 == 2"),
        (KeyError("k"), ErrorKind.SUITE, "KeyError: 'k'"),
        (
            StepNotFound('Step definition is not found: Then "x"'),
            ErrorKind.AUTHORING,
            'StepNotFound: Step definition is not found: Then "x"',
        ),
        (
            ConfigError("unknown authorization defect 'x'; known: a, b"),
            ErrorKind.AUTHORING,
            "unknown authorization defect 'x'; known: a, b",
        ),
        (AuthoringError("no step for that"), ErrorKind.AUTHORING, "no step for that"),
        (
            UnknownFault("unknown fault 'bogus'; known faults: a"),
            ErrorKind.UNKNOWN_FAULT,
            "unknown fault 'bogus'; known faults: a",
        ),
        (
            DriverTimeout("no SUBMIT_PAYMENT_ORDER arrived within 300 s"),
            ErrorKind.DRIVER_TIMEOUT,
            "harness answered HTTP 408: no SUBMIT_PAYMENT_ORDER arrived within 300 s",
        ),
        (
            HarnessError(408, "timed out"),
            ErrorKind.DRIVER_TIMEOUT,
            "harness answered HTTP 408: timed out",
        ),
        (HarnessError(500, "oops"), ErrorKind.DRIVER, "harness answered HTTP 500: oops"),
        (SutUnreachable("gone"), ErrorKind.SUT_UNREACHABLE, "gone"),
    ],
)
def test_each_other_exception_is_an_error_of_its_kind(
    exc: BaseException, kind: ErrorKind, cause: str
) -> None:
    graded = _grade(exc)
    assert graded.verdict is Verdict.ERROR
    assert graded.error is not None
    assert (graded.error.kind, graded.error.cause) == (kind, cause)
    assert graded.error.as_dict() == {"kind": str(kind), "cause": cause}


def test_a_connection_error_toward_the_sut_is_unreachable_with_its_url() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/gateway")
    for exc in (
        httpx.ConnectError("All connection attempts failed", request=request),
        httpx.ConnectTimeout("timed out", request=request),
    ):
        error = classify_error(exc)
        assert error.kind is ErrorKind.SUT_UNREACHABLE
        assert error.cause.startswith(f"the SUT cannot be reached: {type(exc).__name__} ")
        assert error.cause.endswith("(POST http://127.0.0.1:9/gateway)")
    bare = classify_error(httpx.ConnectError("refused"))  # raised without its request
    assert bare.cause == "the SUT cannot be reached: ConnectError refused"


@pytest.mark.parametrize(
    "exc_type",
    [
        httpx.ReadTimeout,
        httpx.WriteTimeout,
        httpx.PoolTimeout,
        httpx.RemoteProtocolError,
        httpx.ReadError,
    ],
)
def test_a_transport_error_after_connecting_is_no_answer_not_unreachable(
    exc_type: type[httpx.TransportError],
) -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/gateway")
    graded = _grade(exc_type("timed out", request=request))
    assert graded.verdict is Verdict.ERROR
    assert graded.error is not None
    assert graded.error.kind is ErrorKind.SUT_NO_ANSWER
    assert graded.error.cause == (
        f"the SUT did not answer: {exc_type.__name__} timed out (POST http://127.0.0.1:9/gateway)"
    )


def test_the_failed_request_url_is_found_in_groups_and_absent_elsewhere() -> None:
    request = httpx.Request("GET", "http://127.0.0.1:9/authorize?x=1")
    group = ExceptionGroup("two", [ValueError("x"), httpx.ReadTimeout("t", request=request)])
    assert failed_request_url(group) == "http://127.0.0.1:9/authorize?x=1"
    assert failed_request_url(httpx.ConnectError("no request")) is None
    assert failed_request_url(ValueError("x")) is None
    assert failed_request_url(None) is None


ROLES = {"SEC-02": ("industry", "ucsp"), "FMT-13": ("ucsp",), "SEC-06": ("ucsp",)}


def test_a_violation_of_a_requirement_not_for_the_role_is_a_misattribution() -> None:
    exc = RequirementViolation("FMT-13", "timeStamp 400 s off answered 00")
    for_industry = grade(exc, LEVELS, TAGS, strict=True, role="industry", roles=ROLES)
    assert for_industry.verdict is Verdict.ERROR
    assert for_industry.violations == (exc,)
    assert for_industry.error is not None
    assert for_industry.error.kind is ErrorKind.MISATTRIBUTION
    assert for_industry.error.cause == (
        "a check names FMT-13, which does not apply to the role under test industry "
        "(roles: ucsp): timeStamp 400 s off answered 00"
    )
    assert grade(exc, LEVELS, TAGS, strict=True, role="ucsp", roles=ROLES).verdict is (
        Verdict.FAILURE
    )
    # One violation for the role still grades the scenario; another one not for it, too.
    both = ExceptionGroup("two", [RequirementViolation("SEC-02", "x"), exc])
    assert grade(both, LEVELS, TAGS, strict=False, role="industry", roles=ROLES).verdict is (
        Verdict.FAILURE
    )


def test_a_config_error_while_setting_up_is_a_configuration_error() -> None:
    graded = _grade(ConfigError("cannot listen on 127.0.0.1:9081: in use"), phase="setup")
    assert graded.error is not None and graded.error.kind is ErrorKind.CONFIGURATION


def test_the_cause_is_one_bounded_line() -> None:
    error = classify_error(ValueError("x" * 1000 + "\nmore"))
    assert "\n" not in error.cause
    assert len(error.cause) == CAUSE_LENGTH and error.cause.endswith("...")
    assert classify_error(ValueError()).cause == "ValueError: ValueError"
