"""The step library's parameter types for counts and outcomes: what they read, what they
refuse, and the lint's word for a value outside them."""

from __future__ import annotations

import pytest

from steps.lint import Library
from steps.types import EXTRA_TYPES, parse
from ucsp.lint import CaseStep

STOPS = "the Industry Service inquires {count:Times} about the order and then stops"
HELD = "UCSP holds the next {count:Number} result notices"


def read(phrase: str, text: str) -> object:
    return parse(phrase).parse_arguments(text)["count"]


@pytest.mark.parametrize(
    ("words", "count"),
    [("once", 1), ("twice", 2), ("three times", 3), ("7 times", 7), ("twelve times", 12)],
)
def test_times_reads_natural_counts_and_digits(words: str, count: int) -> None:
    assert read(STOPS, STOPS.replace("{count:Times}", words)) == count


@pytest.mark.parametrize(("words", "count"), [("two", 2), ("2", 2), ("8", 8), ("eleven", 11)])
def test_number_reads_digits_and_words(words: str, count: int) -> None:
    assert read(HELD, HELD.replace("{count:Number}", words)) == count


@pytest.mark.parametrize(
    ("kind", "text", "why"),
    [
        ("Times", "forty times", "'forty' is not a count"),
        ("Times", "one times", "write once, twice, or N times"),
        ("Times", "1 times", "write once, twice, or N times"),
        ("Number", "0", "'0' is not a count"),
        ("Number", "many", "write digits, or one of: one, two"),
    ],
)
def test_a_count_outside_the_grammar_is_refused_naming_it(kind: str, text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        EXTRA_TYPES[kind](text)


def test_the_lint_names_a_count_outside_the_grammar() -> None:
    binding = Library.load().bind(
        CaseStep(1, "then", STOPS.replace("{count:Times}", "forty times"))
    )
    assert not binding.bound
    assert any("'forty' is not a count" in problem for problem in binding.problems)


def test_the_lint_lists_the_outcomes_an_inquiry_reports() -> None:
    phrase = "the inquiry reports the refund as {outcome} with its details"
    binding = Library.load().bind(CaseStep(1, "then", phrase.format(outcome="lost")))
    assert any("say one of: succeeded, failed, pending" in p for p in binding.problems)
