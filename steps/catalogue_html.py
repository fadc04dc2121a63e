"""The step catalogue as one self-contained HTML page: every phrase with its roles,
parameters, needs and example, and a search box filtering them by text, concept and role.
Styles and script are inline; the page loads nothing."""

from __future__ import annotations

from html import escape

from steps.catalogue_concepts import CONCEPTS
from steps.catalogue_entries import Entry, entries

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70em; padding: 1em; }
header { position: sticky; top: 0; background: #fff; padding: .5em 0;
  border-bottom: 1px solid #ccc; }
input, select { font: inherit; padding: .25em; }
input[type=search] { width: 28em; }
article { border-bottom: 1px solid #eee; padding: .4em 0; }
article h3 { font: 600 1em ui-monospace, monospace; margin: .2em 0; }
.roles { font-size: .85em; color: #555; }
pre { background: #f6f6f6; padding: .3em .6em; margin: .3em 0; white-space: pre-wrap; }
ul { margin: .2em 0; }
.hidden { display: none; }
"""

SCRIPT = """
const box = document.getElementById('q');
const concept = document.getElementById('concept');
const role = document.getElementById('role');
function filter() {
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const a of document.querySelectorAll('article')) {
    const text = a.dataset.text;
    const ok = words.every(w => text.includes(w))
      && (!concept.value || a.dataset.concept === concept.value)
      && (!role.value || a.dataset.roles.split(' ').includes(role.value));
    a.classList.toggle('hidden', !ok);
    shown += ok;
  }
  for (const s of document.querySelectorAll('section')) {
    s.classList.toggle('hidden', !s.querySelector('article:not(.hidden)'));
  }
  document.getElementById('count').textContent = shown + ' phrases';
}
for (const e of [box, concept, role]) e.addEventListener('input', filter);
filter();
"""


def render() -> str:
    found = entries()
    options = "".join(
        f'<option value="{escape(c.name)}">{escape(c.name)}</option>' for c in CONCEPTS
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Step catalogue</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Step catalogue</h1>",
        '<input id="q" type="search" placeholder="Search phrases, parameters, values"'
        ' aria-label="Search" autofocus>',
        f'<select id="concept" aria-label="Concept"><option value="">every concept</option>'
        f"{options}</select>",
        '<select id="role" aria-label="Role"><option value="">either role</option>'
        '<option value="industry">Industry Service under test</option>'
        '<option value="ucsp">UCSP under test</option></select>',
        ' <span id="count"></span>',
        "</header>",
    ]
    for concept in CONCEPTS:
        parts += [
            f'<section id="{concept.anchor}">',
            f"<h2>{escape(concept.name)}</h2>",
            f"<p>{escape(concept.about)}</p>",
        ]
        parts += [_article(e) for e in found if e.concept == concept.name]
        parts.append("</section>")
    parts += [f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _article(entry: Entry) -> str:
    items = [f"<li>Roles: {escape(entry.role_words)}</li>"]
    for p in entry.parameters:
        vocabulary = f"; {_plain(p.vocabulary)}" if p.vocabulary else ""
        items.append(
            f"<li><code>{{{escape(p.name)}:{escape(p.type)}}}</code>: "
            f"{_plain(p.grammar)}{vocabulary}</li>"
        )
    for need in entry.needs:
        providers = "".join(f"<li><code>{escape(t)}</code></li>" for t in need.providers)
        items.append(
            f"<li><details><summary>Needs <code>{escape(need.fixture)}</code> from an earlier "
            f"step{escape(need.condition)} ({len(need.providers)} phrases provide it)</summary>"
            f"<ul>{providers}</ul></details></li>"
        )
    if entry.provides:
        items.append(f"<li>Provides <code>{escape(entry.provides)}</code></li>")
    doc = f"<p>{escape(entry.doc)}</p>" if entry.doc else ""
    return (
        f'<article data-concept="{escape(entry.concept)}" data-roles="{" ".join(entry.roles)}"'
        f' data-text="{escape(_searched(entry))}">'
        f"<h3>{escape(entry.text)}</h3>{doc}<ul>{''.join(items)}</ul>"
        f"<pre>{escape(entry.example)}</pre></article>"
    )


def _plain(text: str) -> str:
    """Markdown's code quotes dropped, the rest escaped."""
    return escape(text.replace("`", ""))


def _searched(entry: Entry) -> str:
    """What the search box looks in: the phrase, its concept, roles, explanation,
    parameters and example (not the phrases that provide what it needs)."""
    words = [entry.text, entry.concept, entry.role_words, entry.doc, entry.example]
    for p in entry.parameters:
        words += [p.grammar, p.vocabulary]
    return " ".join(words).replace("`", "").lower()
