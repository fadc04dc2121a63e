"""The step catalogue (``ucsp-conformance steps [--html]``, docs/steps.md): every phrase of
the step library by concept, with its roles, its parameters' vocabularies, what it needs
before it and an example that binds to it, read from the library alone; and the HTML page's
search in a real browser."""

from __future__ import annotations

import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from steps import catalogue
from steps.catalogue_concepts import CONCEPTS
from steps.catalogue_entries import Entry, entries, split_doc
from steps.lint import VALIDATED, Library
from steps.types import DESCRIPTIONS, EXTRA_TYPES
from ucsp.cli import main
from ucsp.lint import CaseStep
from ucsp.sides import login

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, headless, as the report's browser test runs it
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TEAM_FEATURE = """\
Feature: A team's own scenario
  @PAY-01
  Scenario: A team's order of 3.00 USD is answered 00
    When the Industry Service submits an order of 3.00 USD
    Then the order is answered with code 00
"""


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load()


@pytest.fixture(scope="module")
def found(library: Library) -> dict[str, Entry]:
    return {entry.text: entry for entry in entries(library)}


@pytest.fixture(scope="module")
def markdown() -> str:
    return catalogue.render_markdown()


def test_every_phrase_of_the_library_has_one_entry(library: Library) -> None:
    texts = [entry.text for entry in entries(library)]
    assert sorted(texts) == sorted(phrase.text for phrase in library.phrases)
    assert len(set(texts)) == len(texts)


def test_phrases_are_grouped_by_concept_in_the_catalogue_order(library: Library) -> None:
    listed = entries(library)
    names = [concept.name for concept in CONCEPTS]
    assert {entry.concept for entry in listed} == set(names)  # none empty, none unknown
    order = [names.index(entry.concept) for entry in listed]
    assert order == sorted(order)


PLACES = {
    "Then the payment is still {status:Status}": "Payment",
    "Then the order is recorded as {status:Status}": "Payment",
    "Then the result notice of the order is delivered with txnStatus {status:Code}": "Notices",
    "Given UCSP holds back its next result notice": "Notices",
    "Then the result notice of the charge is delivered with txnStatus {status:Code}": (
        "Auto-debit"
    ),
    "Given the user holds an active auto-debit contract": "Auto-debit",
    "When the Industry Service forwards a cancellation of the order to the UCSP": (
        "Cancellation and refund"
    ),
    "Then the result notice of the {which:Reversal} is delivered with txnStatus {status:Code}": (
        "Cancellation and refund"
    ),
    "Given UCSP answers the Industry Service's refund inquiries with code {code:Code}": "Inquiry",
    "Then the login is refused with HTTP 400 and no session is opened": "Login",
    "When the message is sent with method {method:Word}": "Transport",
    "When the message is sent badly signed": "Format and security",
}


@pytest.mark.parametrize(("phrase", "concept"), PLACES.items())
def test_a_phrase_goes_under_what_it_talks_about(
    found: dict[str, Entry], phrase: str, concept: str
) -> None:
    assert found[phrase].concept == concept


def test_roles_come_from_the_one_role_fixture_a_step_takes(found: dict[str, Entry]) -> None:
    assert found["When the sandbox user authorizes the Industry Service at the UCSP"].roles == (
        "ucsp",
    )
    assert found["When UCSP sends a valid login for a new user"].roles == ("industry",)
    assert found["Then the order is answered with code {code:Code}"].roles == ("industry", "ucsp")
    words = {entry.role_words for entry in found.values()}
    assert words == {"both roles", "UCSP under test only", "Industry Service under test only"}


def _section(markdown: str, phrase: str) -> str:
    start = markdown.index(f"### {phrase}\n")
    return markdown[start : markdown.index("\n### ", start + 4)]


def test_the_markdown_gives_each_phrase_its_roles_parameters_needs_and_example(
    markdown: str,
) -> None:
    section = _section(markdown, "Then the signing page answers HTTP {status:Count}")
    assert "- Roles: both roles" in section
    assert "- `{status:Count}`: a whole number" in section
    assert "- Needs `signing_page` from an earlier step" in section
    assert "    Then the signing page answers HTTP 409" in section
    provided = markdown[markdown.index('<a id="provides-signing-page"></a>') :]
    provided = provided[: provided.index("<a id=", 10)]
    assert "`When the user answers the signing page with result {result:Code}`" in provided


def test_free_parameters_list_their_closed_vocabulary(markdown: str) -> None:
    kind = _section(markdown, "Given a {kind:Word} of {amount:Money} has succeeded at the UCSP")
    assert all(word in kind for word in ("payment", "charge", "auto-debit", "refund"))
    answers = _section(
        markdown,
        "Given UCSP answers the inquiries about the next order with {answers:Text}",
    )
    assert 'joined by ", " and " and "' in answers
    assert all(form in answers for form in ("code NN", "txnStatus NN", "no answer", "HTTP 500"))
    defect = _section(
        markdown, 'When the sandbox user authorizes the Industry Service with "{defect:Text}"'
    )
    assert all(f"`{value}`" in defect for value in login.AUTHORIZE_DEFECTS)


def test_every_closed_vocabulary_of_the_lint_is_listed(library: Library, markdown: str) -> None:
    for phrase in library.phrases:
        section = _section(markdown, phrase.text)
        for name in phrase.fields:
            vocabulary = phrase.vocabulary(name)
            if vocabulary is not None:
                assert vocabulary.grammar in section, (phrase.text, name)
                assert all(f"`{value}`" in section for value in vocabulary.values)
    assert set(VALIDATED) <= {
        (call, name) for p in library.phrases for call in p.calls for name in p.fields
    }


def test_every_type_has_a_description() -> None:
    assert set(EXTRA_TYPES) <= set(DESCRIPTIONS)


def test_every_example_binds_to_its_own_phrase_with_values_in_vocabulary(
    library: Library,
) -> None:
    for entry in entries(library):
        keyword, _, name = entry.example.partition(" ")
        binding = library.bind(CaseStep(1, keyword.lower(), name))
        assert binding.problems == [], entry.text
        assert binding.phrase is not None and binding.phrase.text == entry.text


def test_every_written_example_binds_to_a_phrase_of_its_own_step(library: Library) -> None:
    written = 0
    for phrase in library.phrases:
        function = phrase.definition.context.step_func
        for example in split_doc(phrase.definition.doc)[1]:
            keyword, _, name = example.partition(" ")
            binding = library.bind(CaseStep(1, keyword.lower(), name))
            assert binding.problems == [], example
            assert binding.phrase is not None, example
            assert binding.phrase.definition.context.step_func is function, example
            written += 1
    assert written > 50


def test_every_need_names_the_phrases_that_provide_it(found: dict[str, Entry]) -> None:
    for entry in found.values():
        for need in entry.needs:
            assert need.providers, (entry.text, need.fixture)
            assert all(found[text].provides == need.fixture for text in need.providers)
    which = found["Then the {which:Reversal} is answered with code {code:Code}"]
    assert [(n.fixture, n.when) for n in which.needs] == [
        ("cancellation", "cancellation"),
        ("refund", "refund"),
    ]


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "input", "br", "link", "img", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def test_the_html_page_is_valid_self_contained_and_holds_every_phrase(
    library: Library,
) -> None:
    page = catalogue.render_html()
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert page.startswith("<!DOCTYPE html>")
    assert checker.problems == [] and checker.open == []
    assert {"input", "select", "script", "style", "article"} <= checker.tags
    assert ("type", "search") in checker.attributes
    # loads nothing: no source or stylesheet from anywhere, no address
    assert not any(name in ("src", "href") for name, _ in checker.attributes)
    assert "http://" not in page and "https://" not in page
    for phrase in library.phrases:
        assert f"<h3>{escape(phrase.text)}</h3>" in page
    for concept in CONCEPTS:
        assert f'data-concept="{escape(concept.name)}"' in page


def test_the_catalogue_reads_no_feature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, markdown: str
) -> None:
    features = tmp_path / "features"
    shutil.copytree(ROOT / "features", features)
    (features / "team").mkdir()
    (features / "team" / "team.feature").write_text(TEAM_FEATURE, encoding="utf-8")
    monkeypatch.setattr(catalogue, "FEATURES", features)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalogue read a feature")

    monkeypatch.setattr(catalogue, "feature_steps", refuse)
    monkeypatch.setattr(catalogue, "get_features", refuse)

    assert catalogue.render_markdown() == markdown
    assert markdown == (ROOT / "docs" / "steps.md").read_text(encoding="utf-8")


def test_steps_html_out_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "steps.html"
    assert main(["steps", "--html", "--out", str(out)]) == 0
    assert f"written to {out}" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == catalogue.render_html()


def test_steps_out_to_a_missing_directory_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["steps", "--out", str(tmp_path / "no" / "steps.md")]) == 2
    error = capsys.readouterr().err
    assert "--out" in error and "cannot write the catalogue" in error
    assert len(error.strip().splitlines()) == 1


def test_the_search_box_and_choices_filter_the_phrases(tmp_path: Path) -> None:
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    found = entries()
    page_file = tmp_path / "steps.html"
    page_file.write_text(catalogue.render_html(), encoding="utf-8")
    login_ucsp = [e.text for e in found if e.concept == "Login" and "ucsp" in e.roles]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            asked: list[str] = []
            page.on("request", lambda request: asked.append(request.url))
            page.goto(page_file.as_uri())
            assert page.text_content("#count") == f"{len(found)} phrases"

            page.fill("#q", "signing page HTTP")
            shown = page.locator("article:not(.hidden) h3").all_text_contents()
            assert shown == ["Then the signing page answers HTTP {status:Count}"]

            page.fill("#q", "")
            page.select_option("#concept", "Login")
            page.select_option("#role", "ucsp")
            assert page.locator("article:not(.hidden) h3").all_text_contents() == login_ucsp
            assert page.locator("section:not(.hidden) h2").all_text_contents() == ["Login"]
        finally:
            browser.close()
    assert asked == [page_file.as_uri()]
