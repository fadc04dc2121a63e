"""The authoring lint and the scenario list, over the step library as a run loads it.

``python -m steps.lint [--list] [--tags EXPR] [--base DIR] [PATH...]`` reads ``.feature``
files (PATHs are files or directories; default: the suite's own features) with pytest-bdd's
own parser, without running anything. ``ucsp-conformance lint``, ``list`` and ``run`` start it
apart, as ``steps`` starts the catalogue: the step library imports pytest-bdd, the kit does not.

The lint binds every step of every scenario as it runs (Background included, each Examples
row substituted) to the step definitions of the modules the root conftest loads
(:func:`steps.catalogue.library_modules`), and reports every problem as ``FILE:LINE:
message``: an unbound step (with the three closest phrases), an ambiguous one, a value outside
its vocabulary, a step for the other role, a step needing what no earlier step provided, and
the tag problems of :func:`ucsp.lint.tag_problems`. Its last line is
``N scenarios, M fully bound, K problems``; it exits 1 on any problem.

``--list`` prints each scenario once per role it runs for, as ``role<TAB>title<TAB>tags``;
``--tags`` selects with a pytest marker expression over its tags and the role.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import parse as parse_lib  # type: ignore[import-untyped]
from _pytest.mark.expression import Expression
from pytest_bdd import parsers

from steps.catalogue import ROOT, Definition, library_modules, step_definitions
from steps.lint_scenarios import read_cases
from steps.types import EXTRA_TYPES
from ucsp.lint import Case, CaseStep, Problem, summary_line, tag_problems
from ucsp.lint.tags import WORDING
from ucsp.messages import MESSAGE_TYPES
from ucsp.mutation import hostile, serialisation, signature, variants
from ucsp.mutation.login import LOGIN_CORRUPTIONS
from ucsp.requirements import DEFAULT_REGISTRY_PATH, Requirement, Role, load_registry
from ucsp.sides import inquiry, inquiry_answers, login, notices, probe

FEATURES = ROOT / "features"
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

# --- vocabularies ---------------------------------------------------------------------------

Check = Callable[[str], str | None]  # a value -> why it is outside the vocabulary (None: in it)


@dataclass(frozen=True)
class Vocabulary:
    """A parameter's closed set of ``values``, or the forms its side's ``reader`` accepts
    (``many``: one or more of them joined by ", " and " and "). Called with a value, it says
    why the value is outside (None: inside)."""

    values: tuple[str, ...] = ()
    reader: Callable[[str], object] | None = None
    many: bool = False

    def __call__(self, value: str) -> str | None:
        if self.reader is None:
            return None if value in self.values else "say one of: " + ", ".join(self.values)
        try:
            self.reader(value)
        except (ValueError, KeyError) as exc:
            return str(exc.args[0] if exc.args else exc)
        return None

    @property
    def grammar(self) -> str:
        """The allowed values as the catalogue lists them: the closed values, or the forms
        the reader's own refusal names."""
        if self.reader is None:
            return "one of: " + ", ".join(f"`{v}`" for v in self.values)
        why = self(_NO_VALUE) or ""
        forms = _ASKING.sub("", why.split(repr(_NO_VALUE), 1)[-1].lstrip(";: "))
        joined = 'one or more, joined by ", " and " and ", each ' if self.many else ""
        return f"{joined}one of the forms: {forms}"


_NO_VALUE = "?"
_ASKING = re.compile(r"^(?:say one of:|use one of|write)\s*")  # how a reader's refusal asks


def one_of(values: Iterable[str]) -> Vocabulary:
    return Vocabulary(values=tuple(values))


def read_by(reader: Callable[[str], object], many: bool = False) -> Vocabulary:
    """The vocabulary a side's reader of the value accepts (it raises on any other)."""
    return Vocabulary(reader=reader, many=many)


# Values a side checks only when the step runs, by the side method the step calls and the
# parameter it passes (a step definition is one call of the side).
VALIDATED: dict[tuple[str, str], Vocabulary] = {
    ("send_hostile", "name"): one_of(hostile.HOSTILE),
    ("send_retyped", "kind"): one_of(variants.RETYPINGS),
    ("send_carrying", "variation"): one_of(variants.IGNORABLE),
    ("send_skewed", "way"): one_of(probe.SKEW_DIRECTIONS),
    ("beyond_skew", "way"): one_of(probe.SKEW_DIRECTIONS),
    ("send_corrupted", "corruption"): one_of(signature.SIGNATURE_CORRUPTIONS),
    ("send_non_canonical", "style"): one_of(serialisation.NON_CANONICAL),
    ("authorize", "defect"): one_of(login.AUTHORIZE_DEFECTS),
    ("send_new", "defect"): one_of(LOGIN_CORRUPTIONS),
    ("refused", "defect"): one_of(LOGIN_CORRUPTIONS),
    ("script_inquiries", "answers"): read_by(inquiry_answers.parse_answers, many=True),
    ("submit_each", "answers"): read_by(inquiry_answers.parse_answers, many=True),
    ("submit", "answer"): read_by(inquiry_answers.order_answer),
    ("answer_next", "answer"): read_by(inquiry_answers.order_answer),
    ("answer_notices", "answer"): read_by(notices.notice_answer),
    ("succeeded", "kind"): read_by(inquiry.kind_named),
}
# Parameter types whose values are closed beyond their pattern.
TYPE_VOCABULARY: dict[str, Vocabulary] = {"MsgType": one_of(MESSAGE_TYPES)}
# Parameter types whose value names the fixture of an earlier step (``{which:Reversal}``).
FIXTURE_NAMING = frozenset({"Reversal"})
ROLE_FIXTURES = {"industry_under_test": Role.INDUSTRY, "ucsp_under_test": Role.UCSP}
_LITERAL = re.compile(r"(?:[^\\.^$*+?{}\[\]()|]|\\.)+")


def alternatives(pattern: str) -> tuple[str, ...] | None:
    """The words of a closed alternation (``cancellation|refund``), else None."""
    parts = pattern.split("|")
    if len(parts) < 2 or not all(_LITERAL.fullmatch(part) for part in parts):
        return None
    return tuple(re.sub(r"\\(.)", r"\1", part) for part in parts)


def _as_written(pattern: str) -> Any:
    def convert(text: str) -> str:
        return text

    convert.pattern = pattern  # type: ignore[attr-defined]
    return convert


CLOSED = {
    name: words
    for name, convert in EXTRA_TYPES.items()
    if (words := alternatives(getattr(convert, "pattern", ""))) is not None
}
RAW_TYPES = {name: _as_written(getattr(c, "pattern", ".+?")) for name, c in EXTRA_TYPES.items()}
LOOSE_TYPES = {**RAW_TYPES, **{name: _as_written(".+?") for name in CLOSED}}


# --- the step library -----------------------------------------------------------------------


@dataclass
class Phrase:
    """A step definition of the library, with what a scenario must give it."""

    definition: Definition
    fields: dict[str, str]  # {name: type} of the phrase
    raw: Any  # parse.Parser reading the values as written, or None (a plain string step)
    loose: Any  # the same, closed types accepting any value
    needs: tuple[str, ...]  # the fixtures only an earlier step's target_fixture provides
    roles: tuple[Role, ...]
    calls: frozenset[str]  # the names its function uses: the side methods it calls

    @property
    def text(self) -> str:
        context = self.definition.context
        return f"{(context.type or 'step').capitalize()} {context.parser.name}"

    @property
    def provides(self) -> str | None:
        return self.definition.context.target_fixture

    def takes_type(self, step: CaseStep) -> bool:
        """True when the step's keyword suits the definition (``@step`` suits every one)."""
        return self.definition.context.type in (None, step.type)

    def matches(self, name: str) -> bool:
        return bool(self.definition.context.parser.is_matching(name))

    def values(self, name: str, loose: bool = False) -> dict[str, str] | None:
        reader = self.loose if loose else self.raw
        if reader is None:
            return None
        found = reader.parse(name)
        return dict(found.named) if found is not None else None

    def vocabulary(self, name: str) -> Vocabulary | None:
        """The closed vocabulary of the parameter ``name``: its type's, else that of the side
        method the step passes it to (None: any value of its type)."""
        kind = self.fields[name]
        if kind in CLOSED:
            return one_of(CLOSED[kind])
        if kind in TYPE_VOCABULARY:
            return TYPE_VOCABULARY[kind]
        calls = sorted(call for call in self.calls if (call, name) in VALIDATED)
        return VALIDATED[(calls[0], name)] if calls else None

    def value_problems(self, values: dict[str, str]) -> list[str]:
        """Why each value is outside its parameter's vocabulary."""
        found = []
        for name, kind in self.fields.items():
            value = values.get(name)
            if value is None:
                continue
            why = _outside(kind, value) or next(
                (w for c in self.calls if (w := _validated(c, name, value))), None
            )
            if why:
                found.append(f'"{value}" is outside the vocabulary of {{{name}:{kind}}}: {why}')
        return found


def _validated(call: str, name: str, value: str) -> str | None:
    check = VALIDATED.get((call, name))
    return check(value) if check is not None else None


def _outside(kind: str, value: str) -> str | None:
    if kind in CLOSED and value not in CLOSED[kind]:
        return "say one of: " + ", ".join(CLOSED[kind])
    convert = EXTRA_TYPES.get(kind)
    if convert is not None:
        try:
            convert(value)
        except ValueError as exc:
            return str(exc)
    check = TYPE_VOCABULARY.get(kind)
    return check(value) if check is not None else None


def _phrase(definition: Definition, provided: set[str]) -> Phrase:
    context = definition.context
    fields = dict(definition.parameters)
    raw = loose = None
    if isinstance(context.parser, parsers.parse):
        name = str(context.parser.name)
        raw = parse_lib.compile(name, extra_types=RAW_TYPES, case_sensitive=True)
        loose = parse_lib.compile(name, extra_types=LOOSE_TYPES, case_sensitive=True)
    arguments = list(inspect.signature(context.step_func).parameters)
    roles = tuple(
        role
        for role in Role
        if all(ROLE_FIXTURES[a] is role for a in arguments if a in ROLE_FIXTURES)
    )
    code = getattr(context.step_func, "__code__", None)
    return Phrase(
        definition,
        fields,
        raw,
        loose,
        tuple(a for a in arguments if a in provided and a not in fields),
        roles,
        frozenset(code.co_names if code is not None else ()),
    )


class Library:
    """The step phrases a run binds scenarios to, and which phrase binds a step."""

    def __init__(self, definitions: Sequence[Definition]) -> None:
        provided = {d.context.target_fixture for d in definitions if d.context.target_fixture}
        self.phrases = [_phrase(d, provided) for d in definitions]
        self._bound: dict[tuple[str, str], Binding] = {}

    @classmethod
    def load(cls) -> Library:
        return cls(step_definitions(library_modules()))

    def providers(self, fixture: str) -> list[Phrase]:
        return [p for p in self.phrases if p.provides == fixture]

    def bind(self, step: CaseStep) -> Binding:
        key = (step.type, step.name)
        if key not in self._bound:
            self._bound[key] = self._bind(step)
        return self._bound[key]

    def _bind(self, step: CaseStep) -> Binding:
        matching = [p for p in self.phrases if p.takes_type(step) and p.matches(step.name)]
        if len(matching) > 1:
            rivals = ", ".join(str(p.definition) for p in matching)
            return Binding(None, {}, [f"ambiguous step {step}: matched by {rivals}"])
        if matching:
            phrase = matching[0]
            values = phrase.values(step.name) or {}
            return Binding(phrase, values, [f"{step}: {w}" for w in phrase.value_problems(values)])
        for phrase in self.phrases:
            loose = phrase.values(step.name, loose=True) if phrase.takes_type(step) else None
            problems = phrase.value_problems(loose) if loose is not None else []
            if loose is not None and problems:
                return Binding(phrase, loose, [f"{step}: {w}" for w in problems], exact=False)
        other = [p for p in self.phrases if p.matches(step.name)]
        if other:
            return Binding(
                None, {}, [f"unbound step {step}: the library has it as {other[0].text!r}"]
            )
        closest = difflib.get_close_matches(
            f"{step.type.capitalize()} {step.name}", [p.text for p in self.phrases], 3, 0.0
        )
        shown = "; ".join(f'"{text}"' for text in closest)
        return Binding(None, {}, [f"unbound step {step}; closest phrases: {shown}"])


@dataclass
class Binding:
    """How one step binds: the phrase (None when none does), its values, what is wrong."""

    phrase: Phrase | None
    values: dict[str, str]
    problems: list[str]
    exact: bool = True

    @property
    def bound(self) -> bool:
        return self.phrase is not None and self.exact and not self.problems


# --- the lint -------------------------------------------------------------------------------


@dataclass
class Report:
    cases: list[Case]
    bound: int
    problems: list[Problem]

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] + [
            summary_line(len(self.cases), self.bound, len(self.problems))
        ]


def lint_case(
    case: Case, library: Library, registry: dict[str, Requirement]
) -> tuple[bool, list[Problem]]:
    """Whether every step of ``case`` binds, and its problems."""
    problems = tag_problems(case, registry)
    provided: set[str] = set()
    blind = False  # after an unbound step, what the scenario has provided is unknown
    bound = True
    for step in case.steps:
        found = library.bind(step)
        problems += [Problem(case.path, step.line, message) for message in found.problems]
        bound = bound and found.bound
        phrase = found.phrase
        if phrase is None:
            blind = True
            continue
        problems += [Problem(case.path, step.line, m) for m in _role_problems(step, phrase, case)]
        if not blind:
            for need in _needs(phrase, found.values):
                if need not in provided:
                    problems.append(Problem(case.path, step.line, _unmet(step, need, library)))
        if phrase.provides:
            provided.add(phrase.provides)
    return bound, problems


def _needs(phrase: Phrase, values: dict[str, str]) -> list[str]:
    """The fixtures the step takes from earlier steps, those its values name included."""
    named = [
        value
        for name, kind in phrase.fields.items()
        if kind in FIXTURE_NAMING and (value := values.get(name, "")) in CLOSED.get(kind, ())
    ]
    return [*phrase.needs, *named]


def _role_problems(step: CaseStep, phrase: Phrase, case: Case) -> list[str]:
    if not phrase.roles:
        return [f"{step} asks for both one-role fixtures: it can run in no role"]
    outside = [role for role in case.roles if role not in phrase.roles]
    if not outside:
        return []
    only = phrase.roles[0]
    fixture = next(name for name, role in ROLE_FIXTURES.items() if role is only)
    untagged = not any(role in case.tags for role in Role)
    advice = f"; tag the scenario @{only}" if untagged else ""
    return [
        f"{step} works only for {WORDING[only]} (its step takes {fixture}), but the scenario "
        f"runs for {WORDING[outside[0]]}{advice}"
    ]


def _unmet(step: CaseStep, need: str, library: Library) -> str:
    examples = " or ".join(f'"{p.text}"' for p in library.providers(need)[:2])
    hint = f" (a step such as {examples} does)" if examples else ""
    return f"{step} needs the {need} of an earlier step, and no earlier step provides it{hint}"


def lint(paths: Sequence[Path], base: Path, library: Library | None = None) -> Report:
    """Every problem of the scenarios under ``paths`` (files or directories), each once."""
    library = library or Library.load()
    registry = load_registry(DEFAULT_REGISTRY_PATH)
    cases, problems = read_cases(paths, base)
    bound = 0
    for case in cases:
        ok, found = lint_case(case, library, registry)
        bound += ok
        problems += found
    return Report(cases, bound, sorted(set(problems)))


# --- the list -------------------------------------------------------------------------------


def listed(cases: Sequence[Case], tags: str | None = None) -> list[str]:
    """``role<TAB>title<TAB>tags`` per scenario and role it runs for, selected by ``tags``."""
    expression = Expression.compile(tags) if tags else None
    lines = []
    for case in cases:
        for role in case.roles:
            names = case.tags | {role}
            if expression is None or expression.evaluate(_matcher(names)):
                shown = " ".join(f"@{t}" for t in sorted(case.tags))
                lines.append(f"{role}\t{case.title}\t{shown}")
    return lines


def _matcher(names: frozenset[str]) -> Callable[..., bool]:
    def matches(name: str, /, **kwargs: object) -> bool:
        return not kwargs and name in names

    return matches


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m steps.lint", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("--list", action="store_true", help="list the scenarios instead")
    parser.add_argument("--tags", metavar="EXPR", help="with --list: a tag expression")
    parser.add_argument("--base", type=Path, default=Path.cwd(), help="paths shown relative to")
    args = parser.parse_args(argv)
    paths = [p if p.is_absolute() else args.base / p for p in args.paths] or [FEATURES]
    for path in paths:
        wrong = "no such file or directory" if not path.exists() else None
        if path.is_file() and path.suffix != ".feature":
            wrong = "not a .feature file"
        if wrong:
            print(f"{path}: {wrong}", file=sys.stderr)
            return EXIT_USAGE
    if args.list:
        return _list(paths, args.base, args.tags)
    report = lint(paths, args.base)
    print("\n".join(report.lines()))
    return EXIT_PROBLEMS if report.problems else EXIT_OK


def _list(paths: Sequence[Path], base: Path, tags: str | None) -> int:
    cases, problems = read_cases(paths, base)
    for problem in problems:
        print(problem, file=sys.stderr)
    try:
        lines = listed(cases, tags)
    except SyntaxError as exc:
        print(f"bad --tags expression {tags!r}: {exc.msg}", file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(lines))
    return EXIT_USAGE if problems else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
