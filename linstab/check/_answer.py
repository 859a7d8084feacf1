"""Reading a student's answer into SymPy, safely.

Strings go through :func:`linstab._parse.parse_expr`, which never evaluates code. The outer
brackets of a matrix or a list (``[[a, b], [c, d]]``, ``Matrix([...])``, ``{l1, l2}``) are read
here with :mod:`ast` and each element is handed to the parser on its own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping

import sympy as sp

from linstab._errors import ParseError
from linstab._parse import as_expr, parse_expr

__all__ = ["AnswerError", "read_expr", "read_list", "read_matrix", "read_condition", "rebind"]


class AnswerError(Exception):
    """An answer could not be read; ``diagnosis`` is ``parse_error`` or ``unknown_symbol``."""

    def __init__(self, message: str, diagnosis: str = "parse_error") -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


_LAMBDA = re.compile(r"\blambda\b")
_IMPLICIT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([A-Za-z_(])")


def _prepare(text: str) -> str:
    # `lambda` is a Python keyword; students write it for the eigenvalue variable.
    return _LAMBDA.sub("lamda", text)


# SymPy prints conditions as `(beta > 2) & (beta < 5)`, `~(a < 1)`, `And(a > 0, b > 0)` and
# equations as `Eq(beta, x0*(x0**n + 1))`. These are rewritten, on the syntax tree, into the
# `and`/`or`/`not`/`==` the safe parser reads; nothing is evaluated.
_LOGIC_CALLS = {"And": ast.And, "Or": ast.Or}
_COMPARE_CALLS = {"Eq": ast.Eq, "Ne": ast.NotEq, "Lt": ast.Lt, "Le": ast.LtE, "Gt": ast.Gt, "Ge": ast.GtE}


def _is_condition_node(node: ast.AST) -> bool:
    if isinstance(node, (ast.Compare, ast.BoolOp)):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.Not, ast.Invert)) and _is_condition_node(node.operand)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.BitAnd, ast.BitOr)) and _is_condition_node(node.left) \
            and _is_condition_node(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in (*_LOGIC_CALLS, "Not", *_COMPARE_CALLS)
    return False


class _SympyLogic(ast.NodeTransformer):
    """``&``, ``|``, ``~`` between conditions and ``And``/``Or``/``Not``/``Eq``/... calls into Python syntax."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            if not _is_condition_node(node):
                sym = "&" if isinstance(node.op, ast.BitAnd) else "|"
                raise AnswerError(
                    f"`{sym}` joins conditions: put each condition in parentheses, e.g. `(a > 0) {sym} (a < 2)`, "
                    f"or write `{'and' if sym == '&' else 'or'}`"
                )
            node = self.generic_visit(node)
            op = ast.And() if isinstance(node.op, ast.BitAnd) else ast.Or()
            return ast.copy_location(ast.BoolOp(op=op, values=[node.left, node.right]), node)
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Invert) and _is_condition_node(node.operand):
            return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=node.operand), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        node = self.generic_visit(node)
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if node.keywords or name is None:
            return node
        if name in _LOGIC_CALLS and node.args:
            if len(node.args) == 1:
                return node.args[0]
            return ast.copy_location(ast.BoolOp(op=_LOGIC_CALLS[name](), values=list(node.args)), node)
        if name == "Not" and len(node.args) == 1:
            return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=node.args[0]), node)
        if name in _COMPARE_CALLS and len(node.args) == 2:
            return ast.copy_location(
                ast.Compare(left=node.args[0], ops=[_COMPARE_CALLS[name]()], comparators=[node.args[1]]), node)
        return node


def _sympy_logic(text: str) -> str:
    """``text`` with SymPy's printed logic rewritten for the parser (unchanged if it has none)."""
    if not any(c in text for c in "&|~") and not any(f"{name}(" in text for name in (*_LOGIC_CALLS, "Not", *_COMPARE_CALLS)):
        return text
    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text  # the parser reports it
    try:
        tree = ast.fix_missing_locations(_SympyLogic().visit(tree))
        return ast.unparse(tree)
    except RecursionError:
        return text


# "your answer: cannot parse 'beta >> 2' at column 6: operator RShift is not allowed"
_PARSE_MESSAGE = re.compile(r"^your answer: (?:cannot parse (?P<shown>'.*'|\".*\")(?: at column (?P<col>\d+))?: )?(?P<problem>.*)$",
                            re.DOTALL)
_OPERATORS = {"BitAnd": "`&`", "BitOr": "`|`", "BitXor": "`^^`", "RShift": "`>>`", "LShift": "`<<`",
              "FloorDiv": "`//`", "Mod": "`%`", "MatMult": "`@`", "Invert": "`~`"}


def _clean(message: str, *, column: bool = True) -> str:
    """The parser's message without the location prefix the checker's own sentence repeats."""
    message = message.replace(" Declare it under [variables] or [parameters].", "")
    found = _PARSE_MESSAGE.match(message)
    if not found:
        return message
    problem = found["problem"].replace("invalid syntax (invalid syntax)", "invalid syntax")
    for name, sym in _OPERATORS.items():
        problem = problem.replace(f"operator {name} is not allowed", f"the operator {sym} is not allowed")
    if found["col"] and column and found["col"] != "1":
        problem = f"at column {found['col']}, {problem}"
    return problem


def _parse(text: str, names: Mapping[str, sp.Basic]) -> sp.Basic:
    source = _sympy_logic(_prepare(text))
    try:
        return parse_expr(source, names, where="your answer")
    except ParseError as exc:
        msg = _clean(str(exc), column=source == _prepare(text))
        if "undefined symbol" in msg:
            raise AnswerError(msg, "unknown_symbol") from None
        if "invalid syntax" in msg and _IMPLICIT.search(text):
            msg += "; write products with `*` (e.g. `2*x`, not `2x`)"
        raise AnswerError(msg) from None
    except TypeError as exc:
        raise AnswerError(str(exc)) from None


def rebind(expr: sp.Basic, names: Mapping[str, sp.Basic]) -> sp.Basic:
    """Replace symbols in a SymPy ``expr`` by the exercise's symbols of the same name.

    A student who builds ``sympy.Symbol("beta")`` without assumptions still means the
    exercise's positive ``beta``.
    """
    expr = as_expr(expr)
    subs = {s: names[s.name] for s in expr.free_symbols if s.name in names and names[s.name] != s}
    return expr.xreplace(subs) if subs else expr


def read_expr(answer: object, names: Mapping[str, sp.Basic]) -> sp.Basic:
    """A scalar expression (or relational) from a string, a number or a SymPy object."""
    if isinstance(answer, str):
        return _parse(answer, names)
    if isinstance(answer, (int, float, complex)) and not isinstance(answer, bool):
        return sp.nsimplify(answer) if isinstance(answer, int) else as_expr(answer)
    if isinstance(answer, sp.Basic):
        return rebind(answer, names)
    msg = f"expected an expression (a string or a SymPy expression), got {type(answer).__name__} {answer!r}"
    raise AnswerError(msg)


def _split(text: str) -> list | None:
    """Split a bracketed string into nested lists of element source strings, or ``None``."""
    source = _prepare(text.strip()).replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in ("Matrix", "FiniteSet") and len(tree.args) == 1:
        tree = tree.args[0]

    def walk(node: ast.AST):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [walk(e) for e in node.elts]
        return ast.get_source_segment(source, node)

    if isinstance(tree, (ast.List, ast.Tuple, ast.Set)):
        return walk(tree)
    return None


def read_list(answer: object, names: Mapping[str, sp.Basic]) -> list[sp.Basic]:
    """A flat list of expressions from ``"[a, b]"``, ``"a, b"``, ``"{a, b}"``, or a Python/SymPy collection."""
    if isinstance(answer, str):
        parts = _split(answer)
        if parts is None:
            return [_parse(answer, names)]
        if any(isinstance(p, list) for p in parts):
            raise AnswerError("expected a flat list of values such as `[-1, 2]`, got a nested list")
        return [_parse(p, names) for p in parts]
    if isinstance(answer, sp.MatrixBase):
        return [rebind(e, names) for e in answer]
    if isinstance(answer, dict):  # SymPy's roots() returns {root: multiplicity}
        out = []
        for k, m in answer.items():
            out += [read_expr(k, names)] * int(m)
        return out
    if isinstance(answer, (sp.FiniteSet, sp.Tuple)):
        return [rebind(e, names) for e in answer.args]
    if isinstance(answer, Iterable):
        return [read_expr(a, names) for a in answer]
    return [read_expr(answer, names)]


def read_matrix(answer: object, names: Mapping[str, sp.Basic]) -> sp.Matrix:
    """A matrix from ``"[[a, b], [c, d]]"``, ``"Matrix([[...]])"``, nested lists or a SymPy matrix."""
    if isinstance(answer, sp.MatrixBase):
        return sp.Matrix(answer).applyfunc(lambda e: rebind(e, names))
    if isinstance(answer, str):
        rows = _split(answer)
        if rows is None or not all(isinstance(r, list) for r in rows):
            raise AnswerError("a matrix is expected; write it row by row, e.g. `[[a, b], [c, d]]`")
        answer = rows
    if isinstance(answer, Iterable):
        rows = [list(r) if isinstance(r, Iterable) and not isinstance(r, str) else None for r in answer]
        if any(r is None for r in rows) or not rows:
            raise AnswerError("a matrix is expected; give a list of rows, e.g. `[[a, b], [c, d]]`")
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise AnswerError(f"the rows of your matrix have different lengths {sorted(widths)}")
        return sp.Matrix([[read_expr(e, names) for e in r] for r in rows])
    raise AnswerError(f"expected a matrix, got {type(answer).__name__} {answer!r}")


def read_condition(answer: object, names: Mapping[str, sp.Basic]) -> sp.Basic:
    """A condition: a relational, ``and``/``or`` of relationals, or a list of them (all must hold)."""
    if isinstance(answer, str):
        parts = _split(answer)
        if parts is not None and not any(isinstance(p, list) for p in parts):
            cond = sp.And(*[_parse(p, names) for p in parts])
        else:
            cond = _parse(answer, names)
            if isinstance(cond, sp.Tuple):
                cond = sp.And(*cond.args)
    elif isinstance(answer, (list, tuple, set, frozenset)):
        cond = sp.And(*[read_condition(a, names) for a in answer])
    elif isinstance(answer, sp.Basic):
        cond = rebind(answer, names)
    else:
        raise AnswerError(f"expected a condition such as `a > 2`, got {type(answer).__name__} {answer!r}")
    if not isinstance(
        cond, (sp.core.relational.Relational, sp.logic.boolalg.BooleanFunction, sp.logic.boolalg.BooleanAtom)
    ):
        raise AnswerError(
            f"expected a condition (an inequality such as `a > 2`, possibly joined with `and`/`or`), "
            f"got the expression {cond}"
        )
    return cond
