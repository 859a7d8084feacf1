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


def _parse(text: str, names: Mapping[str, sp.Basic]) -> sp.Basic:
    try:
        return parse_expr(_prepare(text), names, where="your answer")
    except ParseError as exc:
        msg = str(exc)
        msg = msg.replace(" Declare it under [variables] or [parameters].", "")
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
            raise AnswerError(
                "could not read a matrix; write it row by row, e.g. `[[a, b], [c, d]]`"
            )
        answer = rows
    if isinstance(answer, Iterable):
        rows = [list(r) if isinstance(r, Iterable) and not isinstance(r, str) else None for r in answer]
        if any(r is None for r in rows) or not rows:
            raise AnswerError("could not read a matrix; give a list of rows, e.g. `[[a, b], [c, d]]`")
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
