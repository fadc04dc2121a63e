"""Mutants of one Python source file: small, line-precise source patches found through its AST.

Each :class:`Mutant` replaces one region of the source (an operator, a condition, a literal,
a statement) and is checked by parsing the patched file: the node found where the region
starts must be the intended mutated node, otherwise the candidate is dropped. Operators:

- ``compare``: ``<`` -> ``<=``, ``<=`` -> ``<``, ``>`` -> ``>=``, ``>=`` -> ``>``, ``==`` <->
  ``!=``, ``in`` <-> ``not in``, ``is`` <-> ``is not`` (one comparison of a chain at a time);
- ``boolop``: ``and`` <-> ``or`` (every operator of one ``a and b and c``);
- ``negate``: the condition of an ``if``/``elif``/``while``/ternary/``assert`` -> ``not (...)``;
- ``int``: an integer literal +1 and -1;
- ``code``: a UCSP response code, as a two-digit string literal or a ``ResponseCode``
  member, swapped to another code (:data:`CODE_SWAPS`);
- ``delete``: a simple statement inside a function replaced by ``pass`` (not a bare string,
  nor a function's final ``return``/``return None``: both would be equivalent);
- ``return-bool``: ``return True`` <-> ``return False``.

Fault code is never mutated (the normal suite does not run it; the fault self-test does):

- a *fault test* is a comparison ``x in F`` / ``x not in F``, a truth test of ``F`` itself or
  a call of a method of ``F``, where ``F`` is a name or attribute chain with a part ending in
  ``faults`` (``faults``, ``self.faults``, ``self.notifier.faults``, ``faults.enabled``);
- a *fault call* is a call of a name imported from a module whose last part contains
  ``faults`` (``stage_faults(self)``, ``FaultSet(...)``), or of an attribute of such a module;
- a condition or boolean expression that contains a fault test or call is not mutated at
  all, nor is the fault call itself; a statement containing either is never deleted (its
  other parts, e.g. the stages handed to ``Pipeline(...).apply(faults, ...)``, are mutated);
- the branch such a condition guards only when a fault is on is skipped whole: the condition
  is evaluated with every fault off (``in`` -> False, ``not in`` -> True, through
  ``and``/``or``/``not``); when that gives False the body is skipped, when True the ``else``
  branch, when it depends on other values both branches are mutated;
- so is what follows, in the same block, an ``if`` on a fault test whose branch taken with
  every fault off ends in ``return`` or ``raise`` (``if "x" not in faults: return``);
- a function whose docstring starts with ``Fault`` or says ``(a fault)`` is skipped.
"""

from __future__ import annotations

import ast
import copy
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mutator_faults import FAULT_DOCSTRING, FaultRules  # beside this module

from ucsp.codes import ResponseCode

CODE_SWAPS = {
    "00": "01",
    "01": "00",
    "05": "00",
    "10": "99",
    "11": "10",
    "34": "36",
    "36": "34",
    "99": "10",
}
CODE_MEMBERS = {code.name: code.value for code in ResponseCode}  # APPROVED -> "00"
MEMBER_OF_CODE = {code: member for member, code in CODE_MEMBERS.items()}

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
COMPARE_TEXT: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
DELETABLE = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Return,
    ast.Raise,
    ast.Delete,
    ast.Assert,
    ast.Break,
    ast.Continue,
)


@dataclass(frozen=True)
class Mutant:
    """One mutation of the file ``path``: ``source[start:end]`` becomes ``replacement``."""

    path: str  # relative to the checkout, with forward slashes
    operator: str
    line: int  # first line of the changed region (1-based)
    start: int  # character offsets into the original source
    end: int
    replacement: str
    original: str  # the whole original lines of the region, each stripped, joined by "\n"
    mutated: str  # the same lines after the patch

    def apply(self, source: str) -> str:
        return source[: self.start] + self.replacement + source[self.end :]

    def key(self) -> tuple[str, str, str, str]:
        """What identifies the mutant across edits that move code: no line numbers."""
        return (self.path, self.operator, self.original, self.mutated)

    def diff(self, source: str, context: int = 2) -> str:
        """Unified diff of the changed region."""
        lines = difflib.unified_diff(
            source.splitlines(keepends=True),
            self.apply(source).splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
            n=context,
        )
        return "".join(lines)


@dataclass
class _Candidate:
    operator: str
    node: ast.AST  # the node whose region is patched (its position locates the result)
    start: int
    end: int
    replacement: str
    expected: ast.AST  # the node the patched source must parse to at that position


class _Finder:
    def __init__(self, source: str, tree: ast.Module) -> None:
        self.source = source
        self.faults = FaultRules(tree)
        self.line_starts = [0]
        for line in source.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.lines = source.splitlines()
        self.found: list[_Candidate] = []
        self.tail_returns: set[int] = set()  # ids of a function's final `return [None]`

    # --- positions ---------------------------------------------------------------------

    def offset(self, lineno: int, col: int) -> int:
        """Character offset of an AST position (``col`` counts UTF-8 bytes)."""
        text = self.lines[lineno - 1].encode()[:col].decode(errors="replace")
        return self.line_starts[lineno - 1] + len(text)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def add(self, operator: str, node: ast.AST, replacement: str, expected: ast.AST) -> None:
        start, end = self.span(node)
        self.found.append(_Candidate(operator, node, start, end, replacement, expected))

    # --- walking -----------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt], in_function: bool) -> None:
        for index, stmt in enumerate(stmts):
            docstring = (
                index == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            if not docstring:
                self.stmt(stmt, in_function)
            if self._leaves_when_faults_off(stmt):
                return  # the rest of the block runs only with a fault on

    def _leaves_when_faults_off(self, node: ast.stmt) -> bool:
        """An ``if`` on a fault test whose branch taken with every fault off ends in
        ``return`` or ``raise`` (``if "x" not in faults: return ...``)."""
        if not isinstance(node, ast.If) or not self.faults.is_fault_test(node.test):
            return False
        off = self.faults.value_when_off(node.test)
        taken = node.body if off is True else node.orelse if off is False else []
        return bool(taken) and isinstance(taken[-1], ast.Return | ast.Raise)

    def stmt(self, node: ast.stmt, in_function: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node) or ""
            last = node.body[-1]
            if isinstance(last, ast.Return) and (
                last.value is None
                or (isinstance(last.value, ast.Constant) and last.value.value is None)
            ):
                self.tail_returns.add(id(last))
            if not FAULT_DOCSTRING.search(doc):
                self.body(node.body, True)
            return
        if isinstance(node, ast.ClassDef):
            self.body(node.body, in_function)
            return
        if isinstance(node, ast.If | ast.While):
            self.branches(node.test, node.body, node.orelse, in_function)
            return
        if isinstance(node, ast.Import | ast.ImportFrom | ast.Global | ast.Nonlocal | ast.Pass):
            return
        if (
            in_function
            and isinstance(node, DELETABLE)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            and id(node) not in self.tail_returns
            and not self.faults.contains_fault(node)
        ):
            self.add("delete", node, "pass", ast.Pass())
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if isinstance(value, bool):
                self.add("return-bool", node.value, str(not value), ast.Constant(not value))
        if isinstance(node, ast.Assert):
            if self.faults.is_fault_test(node.test):
                return
            self.negate(node.test)
        for field, value in ast.iter_fields(node):
            if field in ("annotation", "returns", "type_comment"):
                continue
            self.child(value, in_function)

    def child(self, value: object, in_function: bool) -> None:
        if isinstance(value, list):
            for item in value:
                self.child(item, in_function)
        elif isinstance(value, ast.stmt):
            self.stmt(value, in_function)
        elif isinstance(value, ast.expr):
            self.expr(value)
        elif isinstance(value, ast.AST):  # handlers, with-items, match cases, comprehensions
            for field, sub in ast.iter_fields(value):
                if field not in ("annotation", "type_comment"):
                    self.child(sub, in_function)

    def branches(
        self, test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt], in_function: bool
    ) -> None:
        if self.faults.is_fault_test(test):
            off = self.faults.value_when_off(test)
            if off is not False:
                self.body(body, in_function)
            if off is not True:
                self.body(orelse, in_function)
            return
        self.negate(test)
        self.expr(test)
        self.body(body, in_function)
        self.body(orelse, in_function)

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, ast.JoinedStr) or self.faults.is_fault_node(node):
            return
        if isinstance(node, ast.Compare | ast.BoolOp) and self.faults.contains_fault(node):
            return
        if isinstance(node, ast.UnaryOp) and self.faults.contains_fault(node):
            return
        if isinstance(node, ast.IfExp):
            if self.faults.is_fault_test(node.test):
                off = self.faults.value_when_off(node.test)
                if off is not False:
                    self.expr(node.body)
                if off is not True:
                    self.expr(node.orelse)
                return
            self.negate(node.test)
        if isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.BoolOp):
            self.boolop(node)
        elif isinstance(node, ast.Constant):
            self.constant(node)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in CODE_MEMBERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "ResponseCode"
        ):
            member = MEMBER_OF_CODE[CODE_SWAPS[CODE_MEMBERS[node.attr]]]
            expected = ast.Attribute(ast.Name("ResponseCode", ast.Load()), member, ast.Load())
            self.add("code", node, f"ResponseCode.{member}", expected)
        for sub in ast.iter_child_nodes(node):
            self.child(sub, False)

    # --- operators ---------------------------------------------------------------------

    def negate(self, test: ast.expr) -> None:
        start, end = self.span(test)
        text = self.source[start:end]
        self.add("negate", test, f"not ({text})", ast.UnaryOp(ast.Not(), copy.deepcopy(test)))

    def compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            _, gap_start = self.span(operands[index])
            gap_end, _ = self.span(operands[index + 1])
            found = _find_operator(self.source[gap_start:gap_end], COMPARE_TEXT[type(op)])
            if found is None:
                continue
            new_op = COMPARE_SWAPS[type(op)]
            expected = copy.deepcopy(node)
            expected.ops[index] = new_op()
            self.found.append(
                _Candidate(
                    "compare",
                    node,
                    gap_start + found[0],
                    gap_start + found[1],
                    COMPARE_TEXT[new_op],
                    expected,
                )
            )

    def boolop(self, node: ast.BoolOp) -> None:
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        start, end = self.span(node)
        pieces, cursor = [], start
        for left, right in zip(node.values, node.values[1:], strict=False):
            _, gap_start = self.span(left)
            gap_end, _ = self.span(right)
            found = _find_operator(self.source[gap_start:gap_end], old)
            if found is None:
                return
            pieces.append(self.source[cursor : gap_start + found[0]] + new)
            cursor = gap_start + found[1]
        pieces.append(self.source[cursor:end])
        expected = ast.BoolOp(ast.Or() if new == "or" else ast.And(), copy.deepcopy(node.values))
        self.add("boolop", node, "".join(pieces), expected)

    def constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool):
            for new in (value + 1, value - 1):
                text = str(new)
                expected = ast.parse(text, mode="eval").body
                self.add("int", node, text, expected)
        elif isinstance(value, str) and value in CODE_SWAPS:
            start, end = self.span(node)
            text = self.source[start:end]
            if text[1:-1] == value:
                swapped = text[0] + CODE_SWAPS[value] + text[-1]
                self.add("code", node, swapped, ast.Constant(CODE_SWAPS[value]))


def _find_operator(gap: str, operator: str) -> tuple[int, int] | None:
    """Where ``operator`` is in the text between two operands (comments ignored)."""
    words = [re.escape(word) for word in operator.split()]
    pattern = r"\s+".join(words)
    if operator[0].isalpha():
        pattern = rf"(?<![\w.]){pattern}(?!\w)"
    cursor = 0
    for line in gap.splitlines(keepends=True):
        code = line.split("#", 1)[0]
        match = re.search(pattern, code)
        if match:
            return cursor + match.start(), cursor + match.end()
        cursor += len(line)
    return None


def _node_at(tree: ast.AST, kind: type[ast.AST], lineno: int, col: int) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if (
            isinstance(node, kind)
            and getattr(node, "lineno", None) == lineno
            and getattr(node, "col_offset", None) == col
        ):
            yield node


def mutants_of(source: str, path: str) -> list[Mutant]:
    """Every valid mutant of ``source`` (the text of ``path``), in source order."""
    tree = ast.parse(source)
    finder = _Finder(source, tree)
    finder.body(tree.body, False)
    seen: set[tuple[int, int, str]] = set()
    mutants: list[Mutant] = []
    for cand in sorted(finder.found, key=lambda c: (c.start, c.end, c.operator)):
        ident = (cand.start, cand.end, cand.replacement)
        if ident in seen:
            continue
        seen.add(ident)
        mutant = _checked(source, path, finder, cand)
        if mutant is not None:
            mutants.append(mutant)
    return mutants


def _checked(source: str, path: str, finder: _Finder, cand: _Candidate) -> Mutant | None:
    patched = source[: cand.start] + cand.replacement + source[cand.end :]
    try:
        new_tree = ast.parse(patched)
    except SyntaxError:
        return None
    node = cand.node
    lineno, col = node.lineno, node.col_offset  # type: ignore[attr-defined]
    want = ast.dump(cand.expected)
    if not any(
        ast.dump(found) == want for found in _node_at(new_tree, type(cand.expected), lineno, col)
    ):
        return None
    first = source.count("\n", 0, cand.start)
    last = source.count("\n", 0, cand.end)
    new_lines = patched.splitlines()[first : first + cand.replacement.count("\n") + 1]
    return Mutant(
        path=path,
        operator=cand.operator,
        line=first + 1,
        start=cand.start,
        end=cand.end,
        replacement=cand.replacement,
        original="\n".join(line.strip() for line in finder.lines[first : last + 1]),
        mutated="\n".join(line.strip() for line in new_lines),
    )
