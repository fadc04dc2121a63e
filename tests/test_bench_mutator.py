"""The mutation bench's mutator (bench/mutator.py): every operator and the fault-branch skip."""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name: str) -> ModuleType:
    """A bench module by file, under the name the bench scripts import it by."""
    if name in sys.modules and getattr(sys.modules[name], "__file__", "") == str(
        BENCH / f"{name}.py"
    ):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("mutator_faults")  # imported by the mutator beside it
mutator = _load("mutator")


def mutants(source: str, operator: str | None = None) -> list:
    found = mutator.mutants_of(textwrap.dedent(source), "m.py")
    return [m for m in found if operator is None or m.operator == operator]


def mutated(source: str, operator: str | None = None) -> list[str]:
    return [m.mutated for m in mutants(source, operator)]


# --- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a < b", "a <= b"),
        ("a <= b", "a < b"),
        ("a > b", "a >= b"),
        ("a >= b", "a > b"),
        ("a == b", "a != b"),
        ("a != b", "a == b"),
        ("a in b", "a not in b"),
        ("a not in b", "a in b"),
        ("a is b", "a is not b"),
        ("a is not b", "a is b"),
        ("(a)  in  (b)", "(a)  not in  (b)"),
    ],
)
def test_comparison_swaps(before: str, after: str) -> None:
    assert mutated(f"x = {before}\n", "compare") == [f"x = {after}"]


def test_each_comparison_of_a_chain_is_one_mutant() -> None:
    assert mutated("x = a < b == c\n", "compare") == ["x = a <= b == c", "x = a < b != c"]


def test_comparison_across_lines_ignores_comments() -> None:
    source = "x = (a  # is in\n     in b)\n"
    (mutant,) = mutants(source, "compare")
    assert mutant.apply(source) == "x = (a  # is in\n     not in b)\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [("a and b", "a or b"), ("a or b", "a and b"), ("a and b and c", "a or b or c")],
)
def test_and_or_swaps(before: str, after: str) -> None:
    assert mutated(f"x = {before}\n", "boolop") == [f"x = {after}"]


def test_and_or_swap_keeps_a_nested_group() -> None:
    assert mutated("x = (a or b) and c\n", "boolop") == ["x = (a or b) or c", "x = (a and b) and c"]


def test_negated_conditions() -> None:
    source = """\
    def f(a, b):
        if a:
            g()
        elif b < 1:
            h()
        while a.more():
            g()
        assert b, "b"
        return 1 if a else 2
    """
    assert mutated(source, "negate") == [
        "if not (a):",
        "elif not (b < 1):",
        "while not (a.more()):",
        'assert not (b), "b"',
        "return 1 if not (a) else 2",
    ]


def test_integer_literals_plus_and_minus_one() -> None:
    assert mutated("x = f(0, 7)\n", "int") == [
        "x = f(1, 7)",
        "x = f(-1, 7)",
        "x = f(0, 8)",
        "x = f(0, 6)",
    ]


def test_booleans_are_not_integers() -> None:
    assert mutated("x = f(True, False)\n", "int") == []


def test_response_code_literals_and_members() -> None:
    source = """\
    a = "05"
    b = 'ok' if c == '00' else "99"
    d = ResponseCode.APPROVED
    e = ResponseCode.NOT_FOUND
    """
    assert mutated(source, "code") == [
        'a = "00"',
        "b = 'ok' if c == '01' else \"99\"",
        "b = 'ok' if c == '00' else \"10\"",
        "d = ResponseCode.FAILED",
        "e = ResponseCode.INCORRECT",
    ]


def test_other_strings_are_not_codes() -> None:
    assert mutated('a = "12"\nb = "000"\nc = f"{d}00"\n', "code") == []


def test_every_code_swaps_to_another_code() -> None:
    swaps = mutator.CODE_SWAPS
    assert set(swaps) == {"00", "01", "05", "10", "11", "34", "36", "99"}
    assert all(new in swaps and new != old for old, new in swaps.items())


def test_deleted_statements() -> None:
    source = '''\
    LIMIT = 3


    def f(a):
        """Docstring."""
        b = g(a)
        b += 1
        h(b)
        if b:
            return b
        raise ValueError(b)
    '''
    assert mutated(source, "delete") == ["pass"] * 5
    texts = [m.original for m in mutants(source, "delete")]
    assert texts == ["b = g(a)", "b += 1", "h(b)", "return b", "raise ValueError(b)"]


def test_a_multi_line_statement_is_deleted_whole() -> None:
    source = "def f():\n    x = g(\n        1,\n    )\n    return x\n"
    first = mutants(source, "delete")[0]
    assert first.apply(source) == "def f():\n    pass\n    return x\n"
    assert first.original == "x = g(\n1,\n)"


def test_a_final_return_none_is_not_deleted() -> None:
    source = "def f(a):\n    g(a)\n    return None\n\ndef h():\n    return\n"
    assert [m.original for m in mutants(source, "delete")] == ["g(a)"]


def test_return_true_false_swaps() -> None:
    source = "def f(a):\n    if a:\n        return True\n    return False\n"
    assert mutated(source, "return-bool") == ["return False", "return True"]


def test_every_mutant_parses_and_differs() -> None:
    source = Path(BENCH / "mutator.py").read_text(encoding="utf-8")
    found = mutator.mutants_of(source, "bench/mutator.py")
    assert {m.operator for m in found} >= {"compare", "boolop", "negate", "int", "delete"}
    original = ast.dump(ast.parse(source))
    for mutant in found[::7]:
        assert ast.dump(ast.parse(mutant.apply(source))) != original


def test_the_diff_shows_the_one_changed_region() -> None:
    source = "def f(a):\n    return a < 1\n"
    (mutant,) = mutants(source, "compare")
    diff = mutant.diff(textwrap.dedent(source))
    assert "-    return a < 1\n+    return a <= 1\n" in diff
    assert diff.startswith("--- a/m.py\n+++ b/m.py\n")


def test_the_key_has_no_line_numbers() -> None:
    source = "def f(a):\n    return a < 1\n"
    (here,) = mutants(source, "compare")
    (moved,) = mutants("\n\n\n" + source, "compare")
    assert here.line != moved.line
    assert here.key() == moved.key() == ("m.py", "compare", "return a < 1", "return a <= 1")


# --- fault branches --------------------------------------------------------------------------


def test_a_fault_only_branch_is_not_mutated() -> None:
    source = """\
    def f(self, a):
        if "wrong-amount" in self.faults:
            return a + 1
        return a
    """
    assert [m.original for m in mutants(source)] == ["return a"]


def test_what_follows_a_guard_that_leaves_with_faults_off_is_not_mutated() -> None:
    source = """\
    def f(self, message, partial):
        if "unsigned-fields" not in self.faults:
            return sign(message)
        message["signature"] = partial["signature"]
        return message
    """
    assert [m.original for m in mutants(source)] == ["return sign(message)"]


def test_a_guard_that_leaves_only_with_a_fault_on_keeps_the_rest_mutable() -> None:
    source = """\
    def f(self, a):
        if "wrong-amount" in self.faults:
            return a + 1
        b = a - 1
        return b
    """
    assert [m.original for m in mutants(source)] == ["b = a - 1"] * 3 + ["return b"]


def test_the_normal_branch_of_a_fault_switch_is_mutated() -> None:
    source = """\
    def f(self, a):
        if "wrong-amount" in self.faults:
            b = a + 1
        else:
            b = a - 1
        return b
    """
    assert [m.original for m in mutants(source)] == ["b = a - 1"] * 3 + ["return b"]


def test_a_not_in_fault_guards_the_normal_path() -> None:
    source = """\
    def f(a, faults):
        if "skips-check" not in faults:
            check(a)
        else:
            skip(a)
    """
    assert [m.original for m in mutants(source)] == ["check(a)"]


def test_a_condition_combined_with_a_fault_is_not_mutated_but_guards_normal_code() -> None:
    source = """\
    def f(a, b, faults):
        if a != b and "accepts-other" not in faults:
            return refuse(b < 2)
        return None
    """
    assert [m.operator for m in mutants(source)] == ["delete", "compare", "int", "int"]
    assert {m.original for m in mutants(source)} == {"return refuse(b < 2)"}


def test_fault_polarity_through_not_and_or() -> None:
    rules = mutator.FaultRules(ast.parse(""))

    def off(text: str) -> bool | None:
        return rules.value_when_off(ast.parse(text, mode="eval").body)

    assert off('"x" in faults') is False
    assert off('"x" not in self.faults') is True
    assert off('not "x" in faults') is True
    assert off('"x" in faults or "y" in faults') is False
    assert off('"x" in faults and a') is False
    assert off('"x" not in faults or a') is True
    assert off('"x" in faults or a') is None
    assert off('faults.enabled("x")') is False
    assert off("self.faults") is False


def test_fault_method_and_truth_tests_guard_fault_code() -> None:
    source = """\
    def f(self, a):
        if self.faults.enabled("x"):
            a = a + 1
        if self.notifier.faults:
            a = a - 1
        return a
    """
    assert [m.original for m in mutants(source)] == ["return a"]


def test_a_fault_test_in_a_ternary_skips_its_fault_side_only() -> None:
    source = 'x = str(a + 1) if "wrong" in faults else b[0]\n'
    assert mutated(source) == [
        'x = str(a + 1) if "wrong" in faults else b[1]',
        'x = str(a + 1) if "wrong" in faults else b[-1]',
    ]


def test_a_statement_holding_a_fault_test_is_neither_deleted_nor_mutated() -> None:
    source = """\
    def f(self, name):
        take = "owner" in self.faults
        return name not in self.faults
    """
    assert mutants(source) == []


def test_a_call_into_a_faults_module_is_not_mutated() -> None:
    source = """\
    from ucsp.sim.industry.stage_faults import notice_faults
    import ucsp.sim.ucsp.gateway_faults as gf


    def f(self, faults):
        self.p = Pipeline(1).apply(faults, notice_faults(self, 2))
        gf.tweak(self, 3 < 4)
        notice_faults(self, 5)
    """
    assert mutated(source) == [
        "self.p = Pipeline(2).apply(faults, notice_faults(self, 2))",
        "self.p = Pipeline(0).apply(faults, notice_faults(self, 2))",
    ]


def test_a_faults_module_condition_is_not_mutated() -> None:
    source = """\
    from ucsp.sim import faults as catalogue


    def f(self, a):
        if catalogue.active(a) and a > 1:
            a = 2
        return a
    """
    assert "if catalogue.active(a) and a <= 1:" not in mutated(source)
    assert {m.original for m in mutants(source)} == {"a = 2", "return a"}


def test_a_fault_function_is_not_mutated() -> None:
    source = '''\
    def made_up(a):
        """Fault inquiry-unknown-order-00: a made-up answer."""
        return {"txnStatus": "01", "n": a + 1}


    def wrapper(a):
        """Wraps the stage: verifies with any certificate (a fault)."""
        return a < 1
    '''
    assert mutants(source) == []


# --- the bench around it ---------------------------------------------------------------------


def test_the_bench_never_mutates_fault_modules_and_reads_the_reviewed_file() -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    assert bench.is_fault_module("ucsp/sim/ucsp/faults.py")
    assert bench.is_fault_module("ucsp/sim/ucsp/gateway_faults.py")
    assert not bench.is_fault_module("ucsp/sim/ucsp/gateway.py")
    files = bench.rule_files(bench.DEFAULT_GLOBS)
    assert "ucsp/sim/ucsp/rules.py" in files
    assert not any(bench.is_fault_module(path) for path in files)
    assert isinstance(bench.load_equivalents(bench.EQUIVALENTS), dict)


def test_every_reviewed_mutant_names_a_kind_and_a_mutant_the_mutator_makes() -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    reviewed = bench.load_equivalents(bench.EQUIVALENTS)
    assert reviewed
    made = set()
    for path in {key[0] for key in reviewed}:
        source = (BENCH.parent / path).read_text(encoding="utf-8")
        for m in mutator.mutants_of(source, path):
            made |= {(m.key(), None), (m.key(), bench.function_at(source, m.line))}
    for key, reviews in reviewed.items():
        for review in reviews:
            assert review.kind in bench.REVIEWED_KINDS
            assert (key, review.function) in made, f"stale review {key}: code moved, review again"


def test_every_reviewed_function_exists_and_holds_its_mutants() -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    functions = bench.load_reviewed_functions(bench.EQUIVALENTS)
    assert functions and all(r.kind in bench.REVIEWED_KINDS for r in functions.values())
    for path, name in functions:
        source = (BENCH.parent / path).read_text(encoding="utf-8")
        inside = [
            m for m in mutator.mutants_of(source, path) if bench.function_at(source, m.line) == name
        ]
        assert inside, f"{path} {name}: no mutant lies in it (renamed or moved? review again)"


def test_a_mutant_is_placed_in_its_innermost_function() -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    source = textwrap.dedent(
        """\
        def top(a):
            return a

        class Box:
            def method(self, b):
                def inner(c):
                    return c
                return inner(b)
        """
    )
    assert bench.function_at(source, 2) == "top"
    assert bench.function_at(source, 6) == "Box.method.inner"
    assert bench.function_at(source, 8) == "Box.method"
    assert bench.function_at(source, 4) is None


def test_a_review_confined_to_a_function_matches_only_there(tmp_path: Path) -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    source = "def f(a):\n    if a:\n        return\n    g()\n\n\ndef h(a):\n    if a:\n"
    source += "        return\n    g()\n"
    found = [m for m in mutator.mutants_of(source, "m.py") if m.original == "return"]
    assert [m.line for m in found] == [3, 9] and found[0].key() == found[1].key()
    listing = tmp_path / "reviewed.toml"
    listing.write_text(
        '[[mutant]]\nfile = "m.py"\noperator = "delete"\noriginal = "return"\n'
        'mutated = "pass"\nfunction = "h"\nreason = "r"\n',
        encoding="utf-8",
    )
    assert bench.reviewed_reasons(found, {"m.py": source}, listing) == {1: "equivalent: r"}


def test_a_reviewed_mutant_of_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    listing = tmp_path / "reviewed.toml"
    listing.write_text(
        '[[mutant]]\nfile = "f.py"\noperator = "int"\noriginal = "a = 0"\n'
        'mutated = "a = 1"\nkind = "harmless"\nreason = "r"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="harmless"):
        bench.load_equivalents(listing)


def test_the_bench_reports_the_first_failed_test() -> None:
    _load("bench_embedded_run")
    bench = _load("bench_mutation")
    output = "ERROR    ucsp.sim.app:app.py:1 broke\nFAILED features/a.py::test_b[ucsp] - x\n"
    assert bench.first_failure(output) == "FAILED features/a.py::test_b[ucsp] - x"
    assert bench.first_failure("1 passed") == "1 passed"
