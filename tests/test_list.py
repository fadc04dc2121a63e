"""``ucsp-conformance list``: each scenario once per role it runs for, with its rendered,
unique title and its tags; ``--tags`` by tags and role; ``run --scenario`` takes those titles."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from ucsp.cli import main
from ucsp.runner import RunOptions, run

TEAM_FEATURE = """\
Feature: Team list
  @ucsp @SEC-02
  Scenario Outline: A corrupted message is answered <code>
    Given a valid message the system under test would accept
    When the message is sent with the signature corruption <corruption>
    Then the message is answered with code <code>

    Examples:
      | corruption      | code |
      | content-changed | 11   |
      | foreign-key     | 11   |

  @SEC-02
  Scenario: A message changed after signing is answered 11 in either role
    Given a valid message the system under test would accept
    When the message is sent with the signature corruption content-changed
    Then the message is answered with code 11
"""
ROOT = Path(__file__).resolve().parent.parent
TITLE = "A corrupted message is answered 11 [foreign-key, 11]"


@pytest.fixture
def team(tmp_path: Path) -> Path:
    directory = tmp_path / "team"
    directory.mkdir()
    (directory / "ours.feature").write_text(TEAM_FEATURE, encoding="utf-8")
    return directory


def _listed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["list", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_list_prints_role_title_and_tags_once_per_role(
    team: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _listed(capsys, "--features", str(team))
    ours = [line for line in lines if "corrupted message" in line or "either role" in line]
    assert ours == [
        "ucsp\tA corrupted message is answered 11 [content-changed, 11]\t@SEC-02 @ucsp",
        f"ucsp\t{TITLE}\t@SEC-02 @ucsp",
        "industry\tA message changed after signing is answered 11 in either role\t@SEC-02",
        "ucsp\tA message changed after signing is answered 11 in either role\t@SEC-02",
    ]
    suite = [line.split("\t") for line in lines if line not in ours]
    assert suite and all(len(parts) == 3 and parts[0] in ("industry", "ucsp") for parts in suite)
    per_role = [(role, title) for role, title, _ in suite]
    assert len(per_role) == len(set(per_role)), "titles repeat within a role"


def test_tags_select_by_tag_and_by_the_role_a_scenario_runs_for(
    team: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _listed(capsys, "--features", str(team), "--tags", "ucsp and SEC-02")
    assert lines and all(line.startswith("ucsp\t") for line in lines)
    assert "ucsp\tA message changed after signing is answered 11 in either role\t@SEC-02" in lines
    industry = _listed(capsys, "--features", str(team), "--tags", "industry and not ucsp")
    assert "industry\tA message changed after signing is answered 11 in either role\t@SEC-02" in (
        industry
    )
    assert all(line.startswith("industry\t") for line in industry)


def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--tags", "ucsp and ("]) == 2
    assert capsys.readouterr().err.startswith("ucsp-conformance: error: bad --tags expression")
    assert main(["list", "--features", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.strip().endswith("none: no such file or directory")


def test_run_takes_the_titles_list_prints_and_an_outlines_name(team: Path, tmp_path: Path) -> None:
    stream = io.StringIO()
    one = run(
        RunOptions(sut="ucsp", features=[team], scenarios=[TITLE], out=tmp_path / "one"), stream
    )
    assert [r["title"] for r in one.records] == [TITLE]
    assert f"[ucsp] Team list: {TITLE} (" in stream.getvalue()
    every = run(
        RunOptions(
            sut="ucsp",
            features=[team],
            scenarios=["A corrupted message is answered <code>"],
            out=tmp_path / "every",
        ),
        io.StringIO(),
    )
    assert sorted(r["title"] for r in every.records) == [
        "A corrupted message is answered 11 [content-changed, 11]",
        TITLE,
    ]
    assert {r["verdict"] for r in [*one.records, *every.records]} == {"pass"}


def test_run_tags_select_by_role_as_list_does(capsys: pytest.CaptureFixture[str]) -> None:
    """``-m`` (what ``run --tags`` passes) sees the role a scenario runs for, as list does:
    "ucsp and SEC-02" holds the scenarios for both roles, untagged, in their UCSP run."""
    expression = "ucsp and SEC-02"
    listed = _listed(capsys, "--tags", expression)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "features", "-m", expression, "--collect-only", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert collected and all("[ucsp" in line for line in collected)
    assert len(collected) == len(listed)
    untagged = [line for line in listed if "@ucsp" not in line.split("\t")[2].split()]
    assert untagged  # the scenarios for both roles, in their UCSP run
