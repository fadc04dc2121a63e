"""The authoring lint (``steps/lint.py``, ``ucsp-conformance lint``): every problem of a
feature file, each at its FILE:LINE, over the suite's step library and registry; the suite's
own features lint clean; ``run`` lints first and stops before any SUT."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from steps import lint as authoring
from steps.catalogue import library_modules, step_definitions
from ucsp.cli import main
from ucsp.errors import ConfigError
from ucsp.lint import Case, Problem, tag_problems, unique_titles
from ucsp.requirements import Role, load_registry
from ucsp.runner import RunOptions, run


@pytest.fixture(scope="module")
def library() -> authoring.Library:
    return authoring.Library.load()


def _lint(tmp_path: Path, text: str, library: authoring.Library) -> authoring.Report:
    (tmp_path / "t.feature").write_text(textwrap.dedent(text), encoding="utf-8")
    return authoring.lint([tmp_path], tmp_path, library)


def _at(report: authoring.Report) -> dict[int, list[str]]:
    """Problems by line (all in t.feature)."""
    found: dict[int, list[str]] = {}
    for problem in report.problems:
        assert problem.path == "t.feature"
        found.setdefault(problem.line, []).append(problem.message)
    return found


CLEAN = """\
Feature: Clean
  Background:
    Given an order of 100.00 CNY has been submitted

  @ucsp @PAY-01 @REF-01
  Scenario Outline: A refund of <amount> is answered 00
    When the Industry Service refunds <amount> of the order
    Then the refund is answered with code 00

    Examples:
      | amount   |
      | 1.00 CNY |
      | 2.00 CNY |
"""


def test_a_clean_feature_has_no_problem(tmp_path: Path, library: authoring.Library) -> None:
    report = _lint(tmp_path, CLEAN, library)
    assert report.problems == []
    assert report.lines() == ["2 scenarios, 2 fully bound, 0 problems"]


def test_an_unbound_step_names_the_three_closest_phrases(
    tmp_path: Path, library: authoring.Library
) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Unbound
          @SEC-01
          Scenario: A typo
            When the Industry Service submits an ordr of 100.00 CNY
            Then the moon is made of cheese
        """,
        library,
    )
    found = _at(report)
    (typo,) = found[4]
    assert typo.startswith('unbound step When "the Industry Service submits an ordr of 100.00 CNY"')
    assert '"When the Industry Service submits an order of {amount:Money}"' in typo
    assert typo.count('"; "') == 2  # three phrases
    assert found[5][0].startswith('unbound step Then "the moon is made of cheese"; closest')
    # both problems, not only the first; the scenario is not fully bound
    assert report.lines()[-1] == "1 scenarios, 0 fully bound, 2 problems"


def test_a_phrase_under_the_wrong_keyword_is_named(
    tmp_path: Path, library: authoring.Library
) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Keyword
          @PAY-01 @ucsp
          Scenario: A Then written as a Given
            Given the Industry Service submits an order of 100.00 CNY
        """,
        library,
    )
    assert _at(report) == {
        4: [
            'unbound step Given "the Industry Service submits an order of 100.00 CNY": the '
            "library has it as 'When the Industry Service submits an order of {amount:Money}'"
        ]
    }


AMBIGUOUS_STEPS = """
from pytest_bdd import given, parsers, then

@given("a start")
def _():
    pass

@then(parsers.parse("the value is {value}"))
def _(value):
    pass

@then("the value is 1")
def _():
    pass
"""


def test_an_ambiguous_step_names_every_definition(tmp_path: Path) -> None:
    module = ModuleType("ambiguous_steps")
    code = compile(textwrap.dedent(AMBIGUOUS_STEPS), "ambiguous_steps.py", "exec")
    exec(code, vars(module))  # noqa: S102 - the test's own text
    library = authoring.Library(step_definitions([module]))
    report = _lint(
        tmp_path,
        """\
        Feature: Ambiguous
          @SEC-01
          Scenario: Two definitions
            Given a start
            Then the value is 1
        """,
        library,
    )
    assert _at(report) == {
        5: [
            'ambiguous step Then "the value is 1": matched by '
            "ambiguous_steps:8 then('the value is {value}'), "
            "ambiguous_steps:12 then('the value is 1')"
        ]
    }


def test_tags_unknown_missing_and_contradicting_roles(
    tmp_path: Path, library: authoring.Library
) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Tags
          Background:
            Given an order of 100.00 CNY has been submitted

          @SEC-01 @NOPE-99
          Scenario: An unknown tag
            Then the order is answered with code 00

          Scenario: No requirement tag
            Then the order is answered with code 00

          @ucsp @AD-11
          Scenario: A role tag contradicting the requirement
            Then the order is answered with code 00

          @AD-11
          Scenario: A role-only requirement without its role tag
            Then the order is answered with code 00

          @PAY-01 @PAY-07
          Scenario: A requirement for each role, and no role tag
            Then the order is answered with code 00
        """,
        library,
    )
    found = _at(report)
    assert found[6] == [
        "unknown tag @NOPE-99: neither a requirement ID of the registry nor a role tag "
        "(@industry, @ucsp)"
    ]
    assert found[9] == [
        "no requirement tag: tag the scenario with the IDs of features/requirements.toml it checks"
    ]
    assert found[13] == ["@ucsp contradicts AD-11, which applies to industry only"]
    assert found[17] == [
        "the scenario runs for a UCSP under test too (it has no role tag of its own), where "
        "none of its requirements applies (AD-11 applies to industry only); tag it with the "
        "role it is for"
    ]
    assert 21 not in found  # each role it runs for has a requirement: the suite's own pattern


def test_a_step_for_the_other_role(tmp_path: Path, library: authoring.Library) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Roles
          @ucsp @PAY-01
          Scenario: An industry-only step in a UCSP scenario
            Given an order of 100.00 CNY has been submitted
            Then the harness reports the UCSP's answer to the order

          @SEC-01
          Scenario: A UCSP-only step in a scenario for both roles
            Given an order of 100.00 CNY has been submitted
            When the Industry Service submits the same order again
        """,
        library,
    )
    found = _at(report)
    assert found[5] == [
        'Then "the harness reports the UCSP\'s answer to the order" works only for an Industry '
        "Service under test (its step takes industry_under_test), but the scenario runs for a "
        "UCSP under test"
    ]
    assert found[10] == [
        'When "the Industry Service submits the same order again" works only for a UCSP under '
        "test (its step takes ucsp_under_test), but the scenario runs for an Industry Service "
        "under test; tag the scenario @ucsp"
    ]
    assert report.bound == 2  # both bind: they would fail at run time, as authoring errors


def test_values_outside_their_vocabulary(tmp_path: Path, library: authoring.Library) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Vocabulary
          @SEC-02
          Scenario Outline: A corruption <corruption>
            Given a valid message the system under test would accept
            When the message is sent with the signature corruption <corruption>
            Then the message is answered with code <code>

            Examples:
              | corruption  | code |
              | foreign-key | 11   |
              | nope        | 77   |

          @ucsp @PAY-01 @REF-01
          Scenario: A closed type and a data type
            Given a valid NO_SUCH_TYPE message the system under test would accept
            And an order of 100.00 CNY has been submitted
            Then the refnd is answered with code 00
        """,
        library,
    )
    found = _at(report)
    assert found[5] == [
        'When "the message is sent with the signature corruption nope": "nope" is outside the '
        "vocabulary of {corruption:Name}: say one of: content-changed, foreign-key, not-base64, "
        "unknown-cert-id"
    ]
    assert found[6] == [
        'Then "the message is answered with code 77": "77" is outside the vocabulary of '
        "{code:Code}: 77 is not a UCSP response code"
    ]
    (message_type,) = found[15]
    assert message_type.startswith(
        'Given "a valid NO_SUCH_TYPE message the system under test would accept": '
        '"NO_SUCH_TYPE" is outside the vocabulary of {msg_type:MsgType}: say one of: '
    )
    assert found[17] == [
        'Then "the refnd is answered with code 00": "refnd" is outside the vocabulary of '
        "{which:Reversal}: say one of: cancellation, refund"
    ]
    assert report.lines()[-1] == "3 scenarios, 1 fully bound, 4 problems"


def test_a_step_needing_what_no_earlier_step_provided(
    tmp_path: Path, library: authoring.Library
) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: Order
          @industry @NOT-08
          Scenario: A notice answered before it was sent
            Then the notice is answered with code 00
            When UCSP sends a result notice for an orderId the Industry Service never created
            Then the notice is answered with code 00

          @ucsp @PAY-01 @REF-01
          Scenario: The refund named before there is one
            Given an order of 100.00 CNY has been submitted
            Then the refund is answered with code 00
        """,
        library,
    )
    found = _at(report)
    (crafted,) = found[4]
    assert crafted.startswith(
        'Then "the notice is answered with code 00" needs the crafted of an earlier step, and '
        'no earlier step provides it (a step such as "When UCSP sends'
    )
    assert 6 not in found  # provided by then
    (refund,) = found[11]
    assert refund.startswith('Then "the refund is answered with code 00" needs the refund of')


def test_file_level_problems(tmp_path: Path, library: authoring.Library) -> None:
    report = _lint(
        tmp_path,
        """\
        Feature: File
          @SEC-01
          Scenario Outline: A placeholder <what>
            Given a valid message the system under test would accept
            When the message is sent with method <method>

            Examples:
              | what |
              | it   |

          @SEC-01
          Scenario: Twice
            Given a valid message the system under test would accept

          @SEC-01
          Scenario: Twice
            Given a valid message the system under test would accept
        """,
        library,
    )
    found = _at(report)
    assert found[5][0] == (
        'When "the message is sent with method <method>" names <method>, a column no Examples '
        "table has"
    )
    assert found[16] == [
        "a second scenario named 'Twice' (the first is at line 12): only one of them would run"
    ]
    broken_text = "Feature: Broken\n  Scenario: x\n    Given a\n  Nonsense here\n"
    (tmp_path / "t.feature").write_text(broken_text, encoding="utf-8")
    broken = authoring.lint([tmp_path], tmp_path, library)
    assert [p.line for p in broken.problems] == [4]
    assert broken.problems[0].message.startswith("cannot read the feature: ")


def test_the_suites_own_features_lint_clean(library: authoring.Library) -> None:
    report = authoring.lint([authoring.FEATURES], authoring.ROOT, library)
    assert report.problems == [], "\n".join(report.lines())
    assert report.bound == len(report.cases) > 100


def test_every_vocabulary_entry_names_a_side_method_a_step_calls(
    library: authoring.Library,
) -> None:
    used = {(call, name) for p in library.phrases for call in p.calls for name in p.fields}
    stale = sorted(set(authoring.VALIDATED) - used)
    assert not stale, f"vocabulary entries no step uses: {stale}"
    assert {"Reversal", "Mishap"} <= set(authoring.CLOSED)


def test_the_library_is_what_the_root_conftest_loads() -> None:
    names = [m.__name__ for m in library_modules()]
    assert names and all(n.startswith("steps.") for n in names)
    assert "steps.lint" not in names and "steps.catalogue" not in names


def test_tag_rules_alone() -> None:
    registry = load_registry()
    both = Case("f", 1, "n", "n", frozenset({"industry", "ucsp", "AD-11"}), (), tuple(Role))
    assert [p.message for p in tag_problems(both, registry)] == [
        "the scenario runs for a UCSP under test too (it has no role tag of its own), where "
        "none of its requirements applies (AD-11 applies to industry only); tag it with the "
        "role it is for"
    ]
    assert str(Problem("a.feature", 3, "m")) == "a.feature:3: m"


def test_outline_titles_are_unique() -> None:
    rows = [{"a": "1", "b": "x"}, {"a": "1", "b": "y"}, {"a": "2", "b": "x"}, {"a": "2", "b": "x"}]
    assert unique_titles("T <a>", rows) == [
        "T 1 [1, x]",
        "T 1 [1, y]",
        "T 2 [2, x] #1",
        "T 2 [2, x] #2",
    ]
    assert unique_titles("Plain", []) == ["Plain"]


def test_the_command_prints_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.feature").write_text(
        "Feature: Bad\n  Scenario: No tag\n    Given a valid message the system under test "
        "would accept\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "bad.feature"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "bad.feature:2: no requirement tag: tag the scenario with the IDs of "
        "features/requirements.toml it checks",
        "1 scenarios, 1 fully bound, 1 problems",
    ]
    assert main(["lint", "missing"]) == 2
    assert capsys.readouterr().err.strip() == (
        "ucsp-conformance: error: missing: no such file or directory"
    )


def test_the_command_on_the_suites_features_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(" fully bound, 0 problems")


def test_run_stops_on_a_lint_problem_before_any_sut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team"
    team.mkdir()
    (team / "ours.feature").write_text(
        "Feature: Ours\n  @ucsp\n  Scenario: Untagged\n    Then the moon is made of cheese\n",
        encoding="utf-8",
    )

    def no_sut(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scenarios were started")

    monkeypatch.setattr("ucsp.runner.pytest_command", no_sut)
    stream = io.StringIO()
    out = tmp_path / "out"
    with pytest.raises(
        ConfigError, match=r"the scenarios do not lint \(\d+ scenarios, .*2 problems"
    ):
        run(RunOptions(sut="ucsp", features=[team], out=out), stream)
    shown = stream.getvalue().splitlines()
    assert any(
        line.endswith(
            "ours.feature:3: no requirement tag: tag the scenario with the IDs "
            "of features/requirements.toml it checks"
        )
        for line in shown
    )
    assert any("ours.feature:4: unbound step" in line for line in shown)
    assert not out.exists()
    assert main(["run", "--sut", "ucsp", "--features", str(team), "--out", str(out)]) == 2
