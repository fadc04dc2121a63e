"""plugins.requirements: tag vocabulary, graded verdicts and report properties.

Runs tiny suites in-process with pytester against a two-requirement registry.
"""

from __future__ import annotations

import json
import re
import socket
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from plugins.requirements import WARNINGS_SECTION, junit_errors_as_errors, requirement_ids
from tests.support import SEC_02_ENTRY, sec_02_entry
from ucsp import deployment as ucsp_deployment
from ucsp.deployment import TEST_KEYS, IndustryDeployment, UcspDeployment
from ucsp.keys import Keyset
from ucsp.requirements import ROLE_TAGS, load_registry
from ucsp.target import IndustryInfo, Target, UcspInfo

pytest_plugins = ["pytester"]

FMT_13_ENTRY = sec_02_entry(
    id='"FMT-13"',
    level='"SHOULD"',
    text='"A receiver answers 10 to a timeStamp more than 300 s off."',
    section='"§4 Identity, time, replay, idempotency"',
)
REGISTRY = SEC_02_ENTRY + "\n" + FMT_13_ENTRY

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
    # Not a violation: an ERROR (the suite could not judge), never a FAILURE of the SUT.
    assert reports["test_other_exception"] == (
        "failed",
        {
            "requirements": "FMT-13",
            "error-kind": "suite-exception",
            "error-cause": "ValueError: connection refused",
            "verdict": "error",
        },
    )
    unknown = reports["test_unknown_requirement"]
    assert unknown[0] == "failed"
    assert (unknown[1]["verdict"], unknown[1]["error-kind"]) == ("error", "misattribution")
    assert "SEC-99, which the requirement registry does not hold" in str(unknown[1]["error-cause"])
    assert reports["test_should_violations_grouped"][0] == "passed"
    assert reports["test_should_violations_grouped"][1]["verdict"] == "warning"
    assert reports["test_should_and_must_grouped"][0] == "failed"
    assert reports["test_should_and_must_grouped"][1]["verdict"] == "failure"
    assert reports["test_skipped"] == ("skipped", {"requirements": "SEC-02", "verdict": "skipped"})
    assert reports["test_untagged_pass"] == ("passed", {})  # not a conformance test: not graded
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

    result.assert_outcomes(passed=5, failed=2, errors=2, skipped=1)
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
    # Errors show as such, with their kind and cause.
    result.stdout.fnmatch_lines(
        [
            "*test_other_exception ERROR*",
            "*ERROR (misattribution): a check names SEC-99, which the requirement registry "
            "does not hold*",
        ],
        consecutive=False,
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


# --- error kinds, the stop after an unreachable SUT, the run's result ------------------------

ERROR_TESTS = """
import httpx
import pytest
from ucsp.drivers.harness import DriverTimeout
from ucsp.errors import ConfigError
from ucsp.verdict import RequirementViolation

SEC_02 = getattr(pytest.mark, "SEC-02")


@SEC_02
def test_misattributed():
    raise RequirementViolation("FMT-13", "a registry requirement this test is not tagged with")


@SEC_02
def test_value_outside_vocabulary():
    raise ConfigError("unknown authorization defect 'x'; known: a, b")


@SEC_02
def test_driver_timeout():
    raise DriverTimeout("no SUBMIT_PAYMENT_ORDER arrived within 300 s")


@SEC_02
def test_assertion():
    assert 1 == 2
"""

UNDEFINED_FEATURE = """\
@ucsp
Feature: Team scenarios

  @SEC-02
  Scenario: A scenario with a step nobody defined
    Given the moon is made of cheese
"""

UNDEFINED_TESTS = """
from pytest_bdd import scenarios

scenarios("team.feature")
"""


def test_each_error_kind_is_recorded(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_errors=ERROR_TESTS, test_team=UNDEFINED_TESTS)
    suite.makefile(".feature", team=UNDEFINED_FEATURE)

    result = suite.runpytest_inprocess("--junitxml=junit.xml")

    reports = call_reports(result)
    kinds = {
        name: (props["verdict"], props.get("error-kind")) for name, (_, props) in reports.items()
    }
    assert kinds == {
        "test_misattributed": ("error", "misattribution"),
        "test_value_outside_vocabulary": ("error", "authoring"),
        "test_driver_timeout": ("error", "driver-timeout"),
        "test_assertion": ("error", "suite-exception"),
        "test_a_scenario_with_a_step_nobody_defined": ("error", "authoring"),
    }
    undefined = reports["test_a_scenario_with_a_step_nobody_defined"][1]
    assert str(undefined["error-cause"]).startswith(
        'StepDefinitionNotFoundError: Step definition is not found: Given "the moon is made of '
        'cheese".'
    )
    assert "not among the scenario's tags (SEC-02)" in str(
        reports["test_misattributed"][1]["error-cause"]
    )
    result.assert_outcomes(errors=5)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    junit = ET.parse(suite.path / "junit.xml")  # noqa: S314 (written by the run above)
    case = junit.find(".//testcase[@name='test_driver_timeout']")
    assert case is not None
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties["error-kind"] == "driver-timeout"
    assert properties["error-cause"] == (
        "harness answered HTTP 408: no SUBMIT_PAYMENT_ORDER arrived within 300 s"
    )


UNREACHABLE_TESTS = """
import httpx
import pytest

SEC_02 = getattr(pytest.mark, "SEC-02")


def _refused():
    raise httpx.ConnectError("All connection attempts failed",
                             request=httpx.Request("POST", "http://127.0.0.1:9/gateway"))


@pytest.mark.parametrize("n", range({count}))
@SEC_02
def test_down(n):
    if n in {passing}:
        return
    _refused()
"""


def test_five_unreachable_in_a_row_stop_the_session(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_down=UNREACHABLE_TESTS.format(count=8, passing="()"))

    result = suite.runpytest_inprocess()

    ran = call_reports(result)
    assert len(ran) == 5  # the sixth never ran
    assert {props["error-kind"] for _, props in ran.values()} == {"sut-unreachable"}
    cause = str(next(iter(ran.values()))[1]["error-cause"])
    assert cause == (
        "the SUT cannot be reached: ConnectError All connection attempts failed "
        "(POST http://127.0.0.1:9/gateway)"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [f"*Interrupted: stopped: 5 scenarios in a row could not reach the SUT ({cause})*"]
    )


def test_a_test_that_reaches_the_sut_resets_the_count(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_down=UNREACHABLE_TESTS.format(count=9, passing="(4,)"))

    result = suite.runpytest_inprocess()

    assert len(call_reports(result)) == 9
    result.assert_outcomes(passed=1, errors=8)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_the_stop_after_unreachable_is_configurable(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_down=UNREACHABLE_TESTS.format(count=4, passing="()"))

    result = suite.runpytest_inprocess("-o", "ucsp_stop_after_unreachable=2")

    assert len(call_reports(result)) == 2
    assert result.ret == pytest.ExitCode.INTERRUPTED


AMBIGUOUS_TESTS = """
from pytest_bdd import given, parsers, scenarios

scenarios("team.feature")


@given("the moon is made of cheese")
def _():
    pass


@given(parsers.parse("the moon is made of {what}"))
def _(what):
    pass
"""


def test_an_ambiguous_step_is_an_authoring_error(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_team=AMBIGUOUS_TESTS)
    suite.makefile(".feature", team=UNDEFINED_FEATURE)

    result = suite.runpytest_inprocess()

    props = call_reports(result)["test_a_scenario_with_a_step_nobody_defined"][1]
    assert (props["verdict"], props["error-kind"]) == ("error", "authoring")
    assert str(props["error-cause"]).startswith(
        'ambiguous step: Given "the moon is made of cheese" matches 2 step definitions (test_team._'
    )


def test_one_definition_per_phrase_is_not_ambiguous(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_team=AMBIGUOUS_TESTS.replace("@given(parsers.parse", "@given(parsers.re"))
    suite.makefile(".feature", team=UNDEFINED_FEATURE)

    result = suite.runpytest_inprocess()

    assert call_reports(result)["test_a_scenario_with_a_step_nobody_defined"][1] == {
        "requirements": "SEC-02",
        "verdict": "pass",
    }


# --- the unreachable-SUT probe ---------------------------------------------------------------

PROBE_CONFTEST = """
import pytest
from plugins.deployment import DEPLOYMENT_KEY


class Down:
    '''A deployment whose SUT no longer accepts connections.'''

    def sut_unreachable(self, failed_url=None):
        return f"the SUT cannot be reached: {failed_url or 'http://sut/gateway'}: refused"


@pytest.fixture(autouse=True)
def _down(request):
    request.node.stash[DEPLOYMENT_KEY] = Down()
"""

PROBE_TESTS = """
import httpx
import pytest
from ucsp.verdict import RequirementViolation

SEC_02 = getattr(pytest.mark, "SEC-02")
FMT_13 = getattr(pytest.mark, "FMT-13")


@SEC_02
def test_failure_while_down():
    raise RequirementViolation("SEC-02", "expected code 11, got 00")


@FMT_13
def test_warning_while_down():
    raise RequirementViolation("FMT-13", "timeStamp 400 s off answered 00")


@SEC_02
def test_no_answer_while_down():
    raise httpx.ReadTimeout("timed out", request=httpx.Request("GET", "http://127.0.0.1:9/authorize"))


@SEC_02
def test_pass_while_down():
    pass
"""


def test_a_sut_gone_away_makes_an_error_that_keeps_its_violations(suite: pytest.Pytester) -> None:
    suite.makeconftest(PROBE_CONFTEST)
    suite.makepyfile(test_probe=PROBE_TESTS)

    result = suite.runpytest_inprocess()

    reports = call_reports(result)
    failure = reports["test_failure_while_down"][1]
    assert (failure["verdict"], failure["error-kind"]) == ("error", "sut-unreachable")
    assert failure["error-cause"] == "the SUT cannot be reached: http://sut/gateway: refused"
    assert failure["violation"] == "SEC-02: expected code 11, got 00"  # evidence, kept
    assert '"requirement": "SEC-02"' in str(failure["violations"])
    warning = reports["test_warning_while_down"]
    assert warning[0] == "failed" and warning[1]["verdict"] == "error"
    assert warning[1]["violation"] == "FMT-13: timeStamp 400 s off answered 00"
    # The probe is asked about the host of the request that failed.
    assert reports["test_no_answer_while_down"][1]["error-cause"] == (
        "the SUT cannot be reached: http://127.0.0.1:9/authorize: refused"
    )
    assert reports["test_pass_while_down"][1]["verdict"] == "pass"


def test_no_answer_does_not_count_toward_the_stop(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_slow="""
        import httpx
        import pytest

        @pytest.mark.parametrize("n", range(7))
        @getattr(pytest.mark, "SEC-02")
        def test_slow(n):
            raise httpx.ReadTimeout("timed out", request=httpx.Request("POST", "http://h/gateway"))
        """
    )

    result = suite.runpytest_inprocess()

    ran = call_reports(result)
    assert len(ran) == 7  # never stopped
    assert {props["error-kind"] for _, props in ran.values()} == {"sut-no-answer"}
    assert result.ret == pytest.ExitCode.TESTS_FAILED


ROLE_REGISTRY = (
    REGISTRY
    + """
[[requirement]]
id = "PAY-01"
level = "MUST"
provenance = "profile"
roles = ["ucsp"]
text = "A UCSP answers a payment order."
section = "§6 Payment"
"""
)


def test_a_violation_of_a_requirement_not_for_the_role_is_a_misattribution(
    suite: pytest.Pytester,
) -> None:
    suite.makefile(".toml", requirements=ROLE_REGISTRY)
    suite.makepyfile(
        test_roles="""
        import pytest
        from ucsp.verdict import RequirementViolation

        @getattr(pytest.mark, "PAY-01")
        @pytest.mark.parametrize("sut_role", ["industry", "ucsp"])
        def test_role(sut_role):
            raise RequirementViolation("PAY-01", "no answer to the order")
        """
    )

    result = suite.runpytest_inprocess()

    reports = call_reports(result)
    industry, ucsp = reports["test_role[industry]"][1], reports["test_role[ucsp]"][1]
    assert (industry["verdict"], industry["error-kind"]) == ("error", "misattribution")
    assert "does not apply to the role under test industry (roles: ucsp)" in str(
        industry["error-cause"]
    )
    assert ucsp["verdict"] == "failure"


# --- JUnit XML: an ERROR is an <error> -------------------------------------------------------


def _junit_cases(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The test suite's attributes, and each test case's child element tags."""
    tree = ET.parse(path)  # noqa: S314 (written by the run under test)
    testsuite = tree.find(".//testsuite")
    assert testsuite is not None
    cases: dict[str, list[str]] = {}  # a call failure and a teardown error: two test cases
    for case in testsuite.iter("testcase"):
        tags = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        cases.setdefault(str(case.get("name")), []).extend(tags)
    return dict(testsuite.attrib), cases


def test_junit_writes_errors_as_errors_and_counts_them(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_verdicts=VERDICT_TESTS, test_errors=ERROR_TESTS)

    result = suite.runpytest_inprocess("--junitxml=junit.xml")

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    attrs, cases = _junit_cases(suite.path / "junit.xml")
    assert cases["test_must_violation"] == ["failure"]
    assert cases["test_should_and_must_grouped"] == ["failure"]
    for name in ("test_other_exception", "test_unknown_requirement", "test_misattributed"):
        assert cases[name] == ["error"], name
    assert cases["test_should_violation"] == [] and cases["test_pass"] == []
    assert (attrs["failures"], attrs["errors"]) == ("2", "6")


def test_junit_rewrite_leaves_a_file_without_errors_alone(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    text = (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite errors="0" failures="1">'
        '<testcase name="t"><properties><property name="verdict" value="failure"/></properties>'
        '<failure message="m">x</failure></testcase></testsuite></testsuites>'
    )
    path.write_text(text, encoding="utf-8")
    assert junit_errors_as_errors(path) == 0
    assert path.read_text(encoding="utf-8") == text


# --- Deployment.sut_unreachable: what it probes, how long ------------------------------------


def _closed_port_url(path: str) -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connections are refused
    return f"http://127.0.0.1:{port}{path}"


def test_the_probe_asks_the_failing_host_else_the_main_receiving_urls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    gateway = f"http://127.0.0.1:{listening.getsockname()[1]}/gateway"
    authorize = _closed_port_url("/authorize")  # a down authorize host
    target = Target(
        sut="ucsp",
        keys=Keyset.load(TEST_KEYS),
        industry=IndustryInfo(index_url=_closed_port_url("/index")),  # the suite's own peer
        ucsp=UcspInfo(gateway_url=gateway, authorize_url=authorize),
        time_scale=0.5,
    )
    deployment = UcspDeployment(target=target, loop=None, clock=None, industry_peer=None)  # type: ignore[arg-type]
    probed: list[tuple[str, float]] = []
    real = ucsp_deployment._connect_failure

    def recording(url: str, timeout: float) -> str | None:
        probed.append((url, timeout))
        return real(url, timeout)

    monkeypatch.setattr(ucsp_deployment, "_connect_failure", recording)
    try:
        assert deployment.sut_unreachable() is None  # the gateway answers: no verdict hidden
        assert deployment.sut_unreachable(f"{target.industry.index_url}?x=1") is None
        cause = deployment.sut_unreachable(f"{authorize}?requestData=x")
    finally:
        listening.close()
    assert cause is not None and cause.startswith(f"the SUT cannot be reached: {authorize}?")
    assert [url for url, _ in probed] == [gateway, gateway, f"{authorize}?requestData=x"]
    # As long as the suite's own clients wait: the profile's time-out, time-scaled.
    assert {timeout for _, timeout in probed} == {target.profile.timeout_seconds * 0.5}


def test_the_probe_of_an_industry_service_asks_its_notice_and_harness_urls() -> None:
    notice = _closed_port_url("/notify")
    target = Target(
        sut="industry",
        keys=Keyset.load(TEST_KEYS),
        industry=IndustryInfo(index_url="http://127.0.0.1:9/index", notice_url=notice),
    )
    deployment = IndustryDeployment(  # type: ignore[arg-type]
        target=target, loop=None, clock=None, ucsp_peer=None, harness=None
    )
    cause = deployment.sut_unreachable()
    assert cause is not None and cause.startswith(f"the SUT cannot be reached: {notice}: ")


# --- results.json: ungraded failures, setup/teardown, plain test modules ---------------------

RESULTS_INI = """
[pytest]
addopts = -p plugins.requirements -p plugins.deployment -p plugins.results --strict-markers
    -p no:cacheprovider -p no:hypothesispytest
ucsp_requirements = requirements.toml
"""

PLAIN_TESTS = """
import pytest
from ucsp.verdict import RequirementViolation


def test_plain_failure():
    assert 1 == 2, "a plain test that fails"


def test_plain_pass():
    pass


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown broke")


@getattr(pytest.mark, "SEC-02")
def test_graded_failure_then_teardown_error(broken_teardown):
    raise RequirementViolation("SEC-02", "expected code 11, got 00")
"""


def test_a_failure_nothing_graded_is_an_error_and_a_plain_module_makes_the_run_partial(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".toml", requirements=REGISTRY)
    pytester.makeini(RESULTS_INI)
    pytester.makepyfile(test_plain=PLAIN_TESTS)

    result = pytester.runpytest_inprocess("--results-json=results.json", "--junitxml=junit.xml")

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    data = json.loads((pytester.path / "results.json").read_text(encoding="utf-8"))
    records = {r["nodeid"].rsplit("::", 1)[-1]: r for r in data["scenarios"]}
    plain = records["test_plain_failure"]
    assert (plain["outcome"], plain["verdict"]) == ("failed", "error")
    assert plain["error"]["kind"] == "suite-exception"
    assert plain["error"]["cause"].startswith("call failed: AssertionError: a plain test that")
    assert "\n" not in plain["error"]["cause"]
    assert records["test_plain_pass"]["verdict"] == "pass"
    # The graded verdict wins over a teardown that broke afterwards; JUnit says the same.
    graded = records["test_graded_failure_then_teardown_error"]
    assert (graded["outcome"], graded["verdict"]) == ("failed", "failure")
    run = data["run"]
    assert run["result"] == "NOT CONFORMANT"
    assert run["outsideTests"] == [str((pytester.path / "test_plain.py").resolve())]
    assert (
        f"test modules outside the suite's own set: {run['outsideTests'][0]}"
        in (run["partialReasons"])
    )
    assert run["badge"] == "PARTIAL NOT CONFORMANT"
    tree = ET.parse(pytester.path / "junit.xml")  # noqa: S314 (written by the run above)
    verdicts = {
        str(case.get("name")): {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in tree.iter("testcase")
    }
    assert verdicts["test_plain_failure"]["verdict"] == "error"
    assert verdicts["test_graded_failure_then_teardown_error"]["verdict"] == "failure"
    _, cases = _junit_cases(pytester.path / "junit.xml")
    assert cases["test_plain_failure"] == ["error"]
    assert cases["test_graded_failure_then_teardown_error"] == ["failure", "error"]


# --- results.json: a worker that dies, a second Ctrl-C ---------------------------------------

CRASHING_TESTS = """
import os


def test_before():
    pass


def test_crash():
    os._exit(1)  # the worker dies: no report of its end ever comes


def test_after():
    pass
"""


def _results(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    pytester.makefile(".toml", requirements=REGISTRY)
    pytester.makeini(RESULTS_INI)
    result = pytester.runpytest_subprocess("--results-json=results.json", *args, timeout=120)
    assert (pytester.path / "results.json").exists(), result.stdout.str()[-2000:]
    data: dict[str, Any] = json.loads((pytester.path / "results.json").read_text("utf-8"))
    return data


def test_a_test_whose_worker_dies_is_an_error_and_the_run_incomplete(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_crashing=CRASHING_TESTS)

    data = _results(pytester, "-n", "2")

    records = {r["nodeid"].rsplit("::", 1)[-1]: r for r in data["scenarios"]}
    assert list(records) == ["test_before", "test_crash", "test_after"]
    crash = records["test_crash"]
    assert (crash["outcome"], crash["verdict"], crash["error"]["kind"]) == (
        "failed",
        "error",
        "suite-exception",
    )
    assert re.fullmatch(r"worker 'gw\d' crashed while running '.*::test_crash'", crash["message"])
    assert crash["error"]["cause"] == crash["message"]
    assert data["run"]["result"] == "INCOMPLETE"


def test_a_test_no_worker_ran_to_its_end_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crashing=CRASHING_TESTS)

    data = _results(pytester, "-n", "1", "--max-worker-restart", "0")  # nobody takes over

    records = {r["nodeid"].rsplit("::", 1)[-1]: r for r in data["scenarios"]}
    assert [r["verdict"] for r in records.values()] == ["pass", "error", "error"]
    after = records["test_after"]
    assert after["error"] == {
        "kind": "suite-exception",
        "cause": "the scenario did not finish (its worker stopped)",
    }
    assert data["run"]["result"] == "INCOMPLETE"


SECOND_CTRL_C = """
import os
import signal

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo):
    # before the results plugin's own hook: a second Ctrl-C while pytest handles the first
    os.kill(os.getpid(), signal.SIGINT)
"""

INTERRUPTED_TESTS = """
import os
import signal


def test_passes():
    pass


def test_interrupted():
    os.kill(os.getpid(), signal.SIGINT)


def test_never_runs():
    pass
"""


def test_a_second_ctrl_c_does_not_cut_results_json_short(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SECOND_CTRL_C)
    pytester.makepyfile(test_interrupted=INTERRUPTED_TESTS)

    data = _results(pytester)

    run = data["run"]
    assert (run["result"], run["stopped"], run["interrupted"]) == (
        "INCOMPLETE",
        "interrupted",
        True,
    )
    assert [r["nodeid"].rsplit("::", 1)[-1] for r in data["scenarios"]] == ["test_passes"]


CTRL_C_OF_THE_CONTROLLER = """
import os
import signal


def test_interrupts_the_controller():
    os.kill(os.getppid(), signal.SIGINT)  # the worker's parent: the controller
"""


def test_an_interrupted_run_on_workers_still_knows_what_they_collected(
    pytester: pytest.Pytester,
) -> None:
    module = pytester.makepyfile(test_controller=CTRL_C_OF_THE_CONTROLLER)

    data = _results(pytester, "-n", "1", "--progress-file", "progress.jsonl")

    run = data["run"]
    assert (run["result"], run["interrupted"]) == ("INCOMPLETE", True)
    assert run["outsideTests"] == [str(module.resolve())]  # from the worker's collection event
