"""docs/steps.md: the step catalogue as Markdown, one section per concept."""

from __future__ import annotations

from steps.catalogue_concepts import CONCEPTS
from steps.catalogue_entries import Entry, entries
from steps.types import DESCRIPTIONS, EXTRA_TYPES

INTRO = """\
# Step catalogue

Every step phrase a scenario can use, generated from the step library alone by
`ucsp-conformance steps` (a test keeps this file in sync; `steps --html` writes the same
catalogue as one searchable page). Phrases are grouped by what they talk about. Each gives:

- **Roles**: the systems under test it works in. A phrase for one role only may appear only
  in a scenario tagged with that role (`@industry` or `@ucsp`); `ucsp-conformance lint`
  reports any other use.
- **Parameters**: each `{name:Type}` with what the type reads and, where the values are
  closed, the values allowed (`lint` refuses any other).
- **Needs**: what an earlier step of the scenario must have provided, and the phrases that
  provide it.
- **Example**: a step that binds to the phrase.

Write a scenario by combining these phrases (`Given`, `When`, `Then`, `And`, `But`); tag it
with the requirement IDs of `features/requirements.toml` it checks, and with `@industry` or
`@ucsp` when it applies to one role only. `ucsp-conformance lint PATH` checks it without
running anything."""


def render() -> str:
    found = entries()
    lines = [INTRO, "", "## Concepts", ""]
    for concept in CONCEPTS:
        count = sum(e.concept == concept.name for e in found)
        lines.append(f"- [{concept.name}](#{concept.anchor}) ({count} phrases)")
    lines += [
        "- [What earlier steps provide](#what-earlier-steps-provide)",
        "- [Parameter types](#parameter-types)",
        "",
    ]
    for concept in CONCEPTS:
        lines += [f"## {concept.name}", "", concept.about, ""]
        for entry in (e for e in found if e.concept == concept.name):
            lines += _entry(entry)
    lines += _provided(found)
    lines += ["## Parameter types", "", "| type | reads |", "|---|---|"]
    lines += [f"| `{name}` | {DESCRIPTIONS[name]} |" for name in EXTRA_TYPES]
    return "\n".join(lines).rstrip("\n") + "\n"


def _entry(entry: Entry) -> list[str]:
    lines = [f"### {entry.text}", ""]
    if entry.doc:
        lines += [entry.doc, ""]
    lines.append(f"- Roles: {entry.role_words}")
    for p in entry.parameters:
        vocabulary = f"; {p.vocabulary}" if p.vocabulary else ""
        lines.append(f"- `{{{p.name}:{p.type}}}`: {p.grammar}{vocabulary}")
    for need in entry.needs:
        lines.append(
            f"- Needs `{need.fixture}` from an earlier step{need.condition} "
            f"([{len(need.providers)} phrases provide it](#provides-{_anchor(need.fixture)}))"
        )
    if entry.provides:
        lines.append(f"- Provides `{entry.provides}`")
    lines += ["", "Example:", "", f"    {entry.example}", ""]
    return lines


def _provided(found: list[Entry]) -> list[str]:
    """One section per fixture a phrase needs: the phrases that provide it, by role."""
    lines = [
        "## What earlier steps provide",
        "",
        "A phrase that needs something works only after a step that provides it, earlier in",
        "the same scenario (its Background included).",
        "",
    ]
    needed = sorted({need.fixture for entry in found for need in entry.needs})
    by_text = {entry.text: entry for entry in found}
    for fixture in needed:
        providers = next(n.providers for e in found for n in e.needs if n.fixture == fixture)
        lines += [f'<a id="provides-{_anchor(fixture)}"></a>', "", f"### `{fixture}`", ""]
        lines += [f"- `{text}` ({by_text[text].role_words})" for text in providers]
        lines.append("")
    return lines


def _anchor(fixture: str) -> str:
    return fixture.replace("_", "-")
