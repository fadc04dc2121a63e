"""The entries of the step catalogue, read from the step library alone.

Each phrase of the library as a run loads it (:class:`steps.lint.Library`) becomes an
:class:`Entry`: its concept (:mod:`steps.catalogue_concepts`), the roles it works in (from
the one-role fixture it takes, as the lint decides), each parameter's grammar
(``steps.types.DESCRIPTIONS``) and closed vocabulary (the one the lint checks values
against), what it needs from earlier steps and which phrases provide it, and an example.

The example is the first ``Example:`` line of the step's docstring that the phrase binds,
else the phrase with a value of each parameter's vocabulary (or ``steps.types.SAMPLES``).
No feature file is read, so adding a feature never changes the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from steps.catalogue_concepts import CONCEPTS, concept_of
from steps.lint import FIXTURE_NAMING, Library, Phrase
from steps.types import DESCRIPTIONS, SAMPLES
from ucsp.lint import CaseStep
from ucsp.requirements import Role

EXAMPLE = "Example:"
ROLE_WORDS = {
    (Role.INDUSTRY, Role.UCSP): "both roles",
    (Role.INDUSTRY,): "Industry Service under test only",
    (Role.UCSP,): "UCSP under test only",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    grammar: str  # what its type reads
    vocabulary: str  # its closed values or forms ("" when any value of the type will do)


@dataclass(frozen=True)
class Need:
    fixture: str
    providers: tuple[str, ...]  # the phrases that provide it
    when: str = ""  # the parameter value that names it, when a parameter does

    @property
    def condition(self) -> str:
        return f" when it says {self.when}" if self.when else ""


@dataclass(frozen=True)
class Entry:
    concept: str
    text: str  # keyword and phrase, as written in the decorator
    roles: tuple[str, ...]  # role tag values: industry, ucsp
    parameters: tuple[Parameter, ...]
    needs: tuple[Need, ...]
    provides: str | None
    doc: str
    example: str
    where: str  # module:line

    @property
    def role_words(self) -> str:
        return ROLE_WORDS[tuple(Role(r) for r in self.roles)]


def entries(library: Library | None = None) -> list[Entry]:
    """Every phrase of the library, by concept (in :data:`CONCEPTS` order), then phrase."""
    library = library or Library.load()
    found = [_entry(phrase, library) for phrase in library.phrases]
    order = {concept.name: index for index, concept in enumerate(CONCEPTS)}
    return sorted(found, key=lambda e: (order[e.concept], _sort_key(e.text)))


def _sort_key(text: str) -> tuple[int, str]:
    keyword, _, phrase = text.partition(" ")
    return ({"Given": 0, "When": 1, "Then": 2}.get(keyword, 3), phrase.lower())


def _entry(phrase: Phrase, library: Library) -> Entry:
    definition = phrase.definition
    name = str(definition.context.parser.name)
    doc, examples = split_doc(definition.doc)
    return Entry(
        concept=concept_of(name, definition.module),
        text=phrase.text,
        roles=tuple(role.value for role in phrase.roles),
        parameters=tuple(_parameter(phrase, n, t) for n, t in phrase.fields.items()),
        needs=tuple(_needs(phrase, library)),
        provides=phrase.provides,
        doc=doc,
        example=_example(phrase, examples),
        where=f"{definition.module}:{definition.line}",
    )


def split_doc(doc: str) -> tuple[str, list[str]]:
    """The docstring without its examples, and the examples: each ``Example:`` (at the start
    of a line or after a sentence) up to the end of its paragraph."""
    text: list[str] = []
    examples: list[str] = []
    continuing = False
    for line in doc.splitlines():
        before, found, example = line.partition(EXAMPLE)
        if found and (not before.strip() or before.rstrip().endswith(".")):
            if before.strip():
                text.append(before.rstrip())
            examples.append(example.strip())
            continuing = True
        elif continuing and line.strip():
            examples[-1] += " " + line.strip()
        else:
            continuing = False
            text.append(line)
    return "\n".join(text).strip(), examples


def _parameter(phrase: Phrase, name: str, kind: str) -> Parameter:
    vocabulary = phrase.vocabulary(name)
    return Parameter(
        name, kind, DESCRIPTIONS.get(kind, kind), vocabulary.grammar if vocabulary else ""
    )


def _needs(phrase: Phrase, library: Library) -> list[Need]:
    needs = [(fixture, "") for fixture in phrase.needs]
    for name, kind in phrase.fields.items():
        vocabulary = phrase.vocabulary(name) if kind in FIXTURE_NAMING else None
        needs += [(value, value) for value in (vocabulary.values if vocabulary else ())]
    return [Need(f, tuple(p.text for p in library.providers(f)), when) for f, when in needs]


def _example(phrase: Phrase, written: list[str]) -> str:
    """The first written example the phrase binds, else one built from its vocabularies."""
    keyword = (phrase.definition.context.type or "given").capitalize()
    for line in written:
        step_keyword, _, name = line.partition(" ")
        if phrase.takes_type(CaseStep(0, step_keyword.lower(), name)) and phrase.matches(name):
            return line
    values = {}
    for name, kind in phrase.fields.items():
        vocabulary = phrase.vocabulary(name)
        if vocabulary is not None and vocabulary.values:
            values[name] = vocabulary.values[0]
        elif kind in SAMPLES:
            values[name] = SAMPLES[kind]
        else:
            values[name] = "?"  # the test of the catalogue asks for an Example: line
    built = str(phrase.definition.context.parser.name)
    for name, kind in phrase.fields.items():
        built = built.replace(f"{{{name}:{kind}}}", values[name])
    return f"{keyword} {built}"
