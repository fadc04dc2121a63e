"""Which code of a module is fault code, for :mod:`mutator`: fault tests, fault calls, and
the value of a condition with every fault off (see the rules in :mod:`mutator`)."""

from __future__ import annotations

import ast
import re

FAULT_DOCSTRING = re.compile(r"^\s*Fault\b|\(a fault\)")


def is_fault_set(expr: ast.expr) -> bool:
    """A name or attribute chain with a part ending in ``faults``."""
    while True:
        if isinstance(expr, ast.Name):
            return expr.id.lower().endswith("faults")
        if isinstance(expr, ast.Attribute):
            if expr.attr.lower().endswith("faults"):
                return True
            expr = expr.value
        elif isinstance(expr, ast.Call | ast.Subscript):
            expr = expr.func if isinstance(expr, ast.Call) else expr.value
        else:
            return False


def fault_module_names(tree: ast.Module) -> frozenset[str]:
    """Names bound by importing from (or importing) a module whose last part has ``faults``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if "faults" in node.module.rsplit(".", 1)[-1]:
                names.update(alias.asname or alias.name for alias in node.names)
            else:
                names.update(
                    alias.asname or alias.name for alias in node.names if "faults" in alias.name
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if "faults" in alias.name.rsplit(".", 1)[-1]:
                    names.add(alias.asname or alias.name.split(".")[0])
    return frozenset(names)


class FaultRules:
    """Which expressions of one module test a fault or call into a faults module."""

    def __init__(self, tree: ast.Module) -> None:
        self.module_names = fault_module_names(tree)

    def _root_name(self, expr: ast.expr) -> str | None:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        return expr.id if isinstance(expr, ast.Name) else None

    def is_fault_node(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Compare):
            return any(
                isinstance(op, ast.In | ast.NotIn) and is_fault_set(right)
                for op, right in zip(node.ops, node.comparators, strict=True)
            )
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and is_fault_set(func.value):
                return True
            return self._root_name(func) in self.module_names
        return False

    def contains_fault(self, node: ast.AST) -> bool:
        return any(self.is_fault_node(sub) for sub in ast.walk(node))

    def is_fault_test(self, test: ast.expr) -> bool:
        """A condition that tests a fault (anywhere inside it)."""
        return is_fault_set(test) or self.contains_fault(test)

    def value_when_off(self, test: ast.expr) -> bool | None:
        """The condition's value with every fault off; None when other values decide it."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.value_when_off(test.operand)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self.value_when_off(v) for v in test.values]
            absorbing = isinstance(test.op, ast.Or)  # True absorbs `or`, False absorbs `and`
            if absorbing in values:
                return absorbing
            return (not absorbing) if all(v is not None for v in values) else None
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and self.is_fault_node(test):
            return isinstance(test.ops[0], ast.NotIn)
        if isinstance(test, ast.Call) and self.is_fault_node(test):
            func = test.func
            return False if isinstance(func, ast.Attribute) and is_fault_set(func.value) else None
        if is_fault_set(test):
            return False
        return None
