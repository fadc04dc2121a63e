"""plugins.requirements: tag vocabulary, graded verdicts and report properties.

Runs tiny suites in-process with pytester against a two-requirement registry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from plugins.requirements import WARNINGS_SECTION, requirement_ids
from ucsp.requirements import ROLE_TAGS, load_registry

pytest_plugins = ["pytester"]

REGISTRY = """
[[requirement]]
id = "SEC-02"
level = "MUST"
provenance = "profile"
roles = ["industry", "ucsp"]
text = "A receiver answers 11 to a badly signed message."
section = "§8 Receiving"

[[requirement]]
id = "FMT-13"
level = "SHOULD"
provenance = "profile"
roles = ["industry", "ucsp"]
text = "A receiver answers 10 to a timeStamp more than 300 s off."
section = "§4 Identity, time, replay, idempotency"
"""

# hypothesis's plugin would re-import hypothesis (about 1 s) in every in-process run.
INI = """
[pytest]
addopts = -p plugins.requirements --strict-markers -p no:cacheprovider -p no:hypothesispytest
ucsp_requirements = requirements.toml
"""

VERDICT_TESTS = """
import pytest
from ucsp.verdict import RequirementViolation

SEC_02 = getattr(pytest.mark, "SEC-02")  # MUST
FMT_13 = getattr(pytest.mark, "FMT-13")  # SHOULD


@FMT_13
@pytest.mark.ucsp
def test_should_violation():
    raise RequirementViolation("FMT-13", "timeStamp 400 s off answered 00")


@SEC_02
@pytest.mark.industry
def test_must_violation():
    raise RequirementViolation("SEC-02", "expected code 11, got 00")


@FMT_13
@SEC_02
def test_pass():
    pass


@FMT_13
def test_other_exception():
    raise ValueError("connection refused")


@FMT_13
def test_unknown_requirement():
    raise RequirementViolation("SEC-99", "no such requirement")


@FMT_13
def test_should_violations_grouped():
    raise ExceptionGroup("two", [RequirementViolation("FMT-13", "a"),
                                 RequirementViolation("FMT-13", "b")])


@FMT_13
@SEC_02
def test_should_and_must_grouped():
    raise ExceptionGroup("two", [RequirementViolation("FMT-13", "a"),
                                 RequirementViolation("SEC-02", "b")])


@SEC_02
@pytest.mark.skip(reason="not applicable")
def test_skipped():
    pass


def test_untagged_pass():
    pass
"""

FEATURE = """\
@ucsp
Feature: Clock skew

  @FMT-13
  Scenario: A skewed timeStamp is rejected with code 10
    Given a request whose timeStamp is 400 s off
    Then the answer is code 10
"""

BDD_TESTS = """
from pytest_bdd import given, scenarios, then
from ucsp.verdict import RequirementViolation

scenarios("skew.feature")


@given("a request whose timeStamp is 400 s off")
def _():
    pass


@then("the answer is code 10")
def _():
    raise RequirementViolation("FMT-13", "expected code 10, got 00")
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", requirements=REGISTRY)
    pytester.makeini(INI)
    return pytester


def call_reports(result: pytest.RunResult) -> dict[str, tuple[str, dict[str, object]]]:
    """Test name -> (outcome, user properties) of its call phase (setup phase when skipped)."""
    found: dict[str, tuple[str, dict[str, object]]] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "call" or (report.when == "setup" and report.skipped):
            found[name] = (report.outcome, dict(report.user_properties))
    return found


def test_verdicts_properties_and_warning_summary(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_verdicts=VERDICT_TESTS, test_bdd=BDD_TESTS)
    suite.makefile(".feature", skew=FEATURE)

    result = suite.runpytest_inprocess("-v", "--junitxml=junit.xml")

    reports = call_reports(result)
    assert reports["test_should_violation"] == (
        "passed",
        {
            "requirements": "FMT-13",
            "verdict": "warning",
            "violation": "FMT-13: timeStamp 400 s off answered 00",
            "violations": '[{"requirement": "FMT-13", "level": "SHOULD", '
            '"message": "timeStamp 400 s off answered 00"}]',
        },
    )
    assert reports["test_must_violation"] == (
        "failed",
        {
            "requirements": "SEC-02",
            "verdict": "failure",
            "violation": "SEC-02: expected code 11, got 00",
            "violations": '[{"requirement": "SEC-02", "level": "MUST", '
            '"message": "expected code 11, got 00"}]',
        },
    )
    assert reports["test_pass"] == ("passed", {"requirements": "SEC-02 FMT-13", "verdict": "pass"})
    assert reports["test_other_exception"] == (
        "failed",
        {"requirements": "FMT-13", "verdict": "failure"},
    )
    assert reports["test_unknown_requirement"][0] == "failed"
    assert reports["test_unknown_requirement"][1]["verdict"] == "error"
    assert reports["test_should_violations_grouped"][0] == "passed"
    assert reports["test_should_violations_grouped"][1]["verdict"] == "warning"
    assert reports["test_should_and_must_grouped"][0] == "failed"
    assert reports["test_should_and_must_grouped"][1]["verdict"] == "failure"
    assert reports["test_skipped"] == ("skipped", {"requirements": "SEC-02", "verdict": "skipped"})
    assert reports["test_untagged_pass"] == ("passed", {"verdict": "pass"})
    # Gherkin tags on the Feature and the Scenario become the scenario's markers.
    bdd = reports["test_a_skewed_timestamp_is_rejected_with_code_10"]
    assert bdd == (
        "passed",
        {
            "requirements": "FMT-13",
            "verdict": "warning",
            "violation": "FMT-13: expected code 10, got 00",
            "violations": '[{"requirement": "FMT-13", "level": "SHOULD", '
            '"message": "expected code 10, got 00"}]',
        },
    )

    result.assert_outcomes(passed=5, failed=4, skipped=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*test_should_violation WARNING*",
            f"*= {WARNINGS_SECTION} =*",
            "WARNING test_bdd.py::test_a_skewed_timestamp_is_rejected_with_code_10 - FMT-13: *",
            "WARNING test_verdicts.py::test_should_violation - FMT-13: timeStamp 400 s off*",
            "WARNING test_verdicts.py::test_should_violations_grouped - FMT-13: a; FMT-13: b",
            "3 SHOULD requirement violation(s) graded as warning*",
        ]
    )
    # The unknown ID fails loudly, naming the ID and the registry.
    result.stdout.fnmatch_lines(
        ["*RequirementViolation names 'SEC-99', which the requirement registry (*) does not hold*"]
    )

    junit = ET.parse(suite.path / "junit.xml")  # noqa: S314 (written by the run above)
    case = junit.find(".//testcase[@name='test_should_violation']")
    assert case is not None
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {
        "requirements": "FMT-13",
        "verdict": "warning",
        "violation": "FMT-13: timeStamp 400 s off answered 00",
        "violations": '[{"requirement": "FMT-13", "level": "SHOULD", '
        '"message": "timeStamp 400 s off answered 00"}]',
    }
    assert case.find("failure") is None


@pytest.mark.parametrize("flag", ["--ucsp-strict", "--strict"])
def test_strict_runs_fail_should_violations(suite: pytest.Pytester, flag: str) -> None:
    suite.makepyfile(
        test_strict="""
        import pytest
        from ucsp.verdict import RequirementViolation

        @getattr(pytest.mark, "FMT-13")
        def test_should_violation():
            raise RequirementViolation("FMT-13", "timeStamp 400 s off answered 00")
        """
    )

    result = suite.runpytest_inprocess(flag)

    assert call_reports(result)["test_should_violation"][1]["verdict"] == "failure"
    result.assert_outcomes(failed=1)
    assert WARNINGS_SECTION not in result.stdout.str()


def test_tags_outside_the_vocabulary_fail_collection(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_marks="""
        import pytest

        @getattr(pytest.mark, "SEC-03")  # a valid ID shape, but not in this registry
        def test_a():
            pass
        """,
        test_typo=BDD_TESTS,
    )
    suite.makefile(".feature", skew=FEATURE.replace("@FMT-13", "@FMT-31"))

    # In a subprocess: pytest caches known marker names process-wide, so an in-process run
    # would accept every name the outer run (loading the checkout registry) registered.
    result = suite.runpytest_subprocess()

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*'SEC-03' not found in `markers` configuration option*",
            "*'FMT-31' not found in `markers` configuration option*",
        ],
        consecutive=False,
    )


def test_requirement_ids_lists_the_item_requirements_in_registry_order(
    suite: pytest.Pytester,
) -> None:
    item = suite.getitem(
        """
        import pytest

        @pytest.mark.ucsp
        @getattr(pytest.mark, "FMT-13")
        @getattr(pytest.mark, "SEC-02")
        def test_func():
            pass
        """
    )

    assert requirement_ids(item) == ["SEC-02", "FMT-13"]


def test_the_checkout_registry_is_the_default_marker_vocabulary(
    pytester: pytest.Pytester,
) -> None:
    config = pytester.parseconfigure("-p", "plugins.requirements")

    markers = {line.split(":", 1)[0] for line in config.getini("markers")}
    assert set(load_registry()) | ROLE_TAGS <= markers


def test_a_broken_registry_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", requirements='[[requirement]]\nid = "SEC-2"\n')

    result = pytester.runpytest_inprocess(
        "-p", "plugins.requirements", "-o", "ucsp_requirements=requirements.toml"
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*UCSP requirement registry: *requirements.toml: requirement #1*"])
