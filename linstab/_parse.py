"""Safe parsing of expression strings into SymPy.

SymPy's ``sympify`` and ``parse_expr`` run Python's ``eval`` on their input, so a model file
containing ``__import__('os').system(...)`` would execute code when loaded. This module never
evaluates anything: the text is parsed by :mod:`ast` and the tree is translated node by node
into SymPy objects. Only arithmetic, comparisons, boolean connectives, tuples (for
``Piecewise``), numeric literals, known symbols and a fixed table of functions are accepted;
everything else (attribute access, subscripts, lambdas, keywords, strings, dunder names, unknown
calls) is refused with a :class:`~linstab._errors.ParseError` that says what was found and where.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping

import sympy as sp

from linstab._errors import ParseError

__all__ = ["parse_expr", "FUNCTIONS", "CONSTANTS", "hill_activation", "hill_repression"]

_MAX_LENGTH = 10_000
_MAX_NODES = 5_000
_MAX_POWER_LITERAL = 10_000  # refuse 10**10**10-style literal blow-ups


def hill_activation(x: sp.Expr, k: sp.Expr, n: sp.Expr) -> sp.Expr:
    """Activating Hill function ``x**n / (k**n + x**n)``.

    Examples
    --------
    >>> x, k, n = sp.symbols("x k n", positive=True)
    >>> hill_activation(x, k, n)
    x**n/(k**n + x**n)
    """
    return x**n / (k**n + x**n)


def hill_repression(x: sp.Expr, k: sp.Expr, n: sp.Expr) -> sp.Expr:
    """Repressing Hill function ``k**n / (k**n + x**n)``.

    Examples
    --------
    >>> x, k, n = sp.symbols("x k n", positive=True)
    >>> hill_repression(x, k, n)
    k**n/(k**n + x**n)
    """
    return k**n / (k**n + x**n)


def _act_hill(x: sp.Expr, n: sp.Expr) -> sp.Expr:
    """Dimensionless activating Hill function ``x**n / (1 + x**n)``."""
    return x**n / (1 + x**n)


def _rep_hill(x: sp.Expr, n: sp.Expr) -> sp.Expr:
    """Dimensionless repressing Hill function ``1 / (1 + x**n)``."""
    return 1 / (1 + x**n)


#: Functions an expression may call: name -> (callable, allowed argument counts or None for any).
FUNCTIONS: Mapping[str, tuple[Callable[..., sp.Basic], tuple[int, ...] | None]] = {
    "exp": (sp.exp, (1,)),
    "log": (sp.log, (1, 2)),
    "ln": (sp.log, (1,)),
    "sqrt": (sp.sqrt, (1,)),
    "cbrt": (sp.cbrt, (1,)),
    "sin": (sp.sin, (1,)),
    "cos": (sp.cos, (1,)),
    "tan": (sp.tan, (1,)),
    "asin": (sp.asin, (1,)),
    "acos": (sp.acos, (1,)),
    "atan": (sp.atan, (1,)),
    "atan2": (sp.atan2, (2,)),
    "sinh": (sp.sinh, (1,)),
    "cosh": (sp.cosh, (1,)),
    "tanh": (sp.tanh, (1,)),
    "Abs": (sp.Abs, (1,)),
    "abs": (sp.Abs, (1,)),
    "sign": (sp.sign, (1,)),
    "Min": (sp.Min, None),
    "Max": (sp.Max, None),
    "min": (sp.Min, None),
    "max": (sp.Max, None),
    "Heaviside": (sp.Heaviside, (1, 2)),
    "Piecewise": (sp.Piecewise, None),
    "hill_activation": (hill_activation, (3,)),
    "hill_repression": (hill_repression, (3,)),
    "act_hill": (_act_hill, (2,)),
    "rep_hill": (_rep_hill, (2,)),
}

#: Named constants an expression may use.
CONSTANTS: Mapping[str, sp.Basic] = {
    "pi": sp.pi,
    "E": sp.E,
    "I": sp.I,
    "oo": sp.oo,
    "True": sp.true,
    "False": sp.false,
}

_BINOPS: Mapping[type, Callable[[sp.Basic, sp.Basic], sp.Basic]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_CMPOPS: Mapping[type, Callable[[sp.Basic, sp.Basic], sp.Basic]] = {
    ast.Lt: sp.Lt,
    ast.LtE: sp.Le,
    ast.Gt: sp.Gt,
    ast.GtE: sp.Ge,
    ast.Eq: sp.Eq,
    ast.NotEq: sp.Ne,
}


def _describe(node: ast.AST) -> str:
    """A short human description of a refused syntax node."""
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripting",
        ast.Lambda: "a lambda",
        ast.Starred: "star-arguments",
        ast.JoinedStr: "an f-string",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.List: "a list",
        ast.IfExp: "an if-expression",
        ast.NamedExpr: "an assignment expression",
        ast.Await: "await",
    }
    return names.get(type(node), type(node).__name__)


class _Translator:
    """Translate a checked :mod:`ast` tree into SymPy, refusing everything unexpected."""

    def __init__(self, text: str, symbols: Mapping[str, sp.Basic], where: str) -> None:
        self.text = text
        self.symbols = symbols
        self.where = where

    def fail(self, problem: str, node: ast.AST | None = None) -> ParseError:
        col = getattr(node, "col_offset", None)
        at = f" at column {col + 1}" if col is not None else ""
        return ParseError(f"{self.where}: cannot parse {self.text!r}{at}: {problem}")

    def unknown_name(self, name: str, node: ast.AST) -> ParseError:
        known = sorted({*self.symbols, *CONSTANTS, *FUNCTIONS})
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        declared = ", ".join(sorted(self.symbols)) or "none"
        return self.fail(
            f"undefined symbol {name!r} (declared symbols: {declared}){hint} "
            "Declare it under [variables] or [parameters].",
            node,
        )

    def visit(self, node: ast.AST) -> sp.Basic:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(f"{_describe(node)} is not allowed in an expression", node)
        return method(node)

    def visit_Expression(self, node: ast.Expression) -> sp.Basic:
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> sp.Basic:
        value = node.value
        if isinstance(value, bool):
            return sp.true if value else sp.false
        if isinstance(value, int):
            return sp.Integer(value)
        if isinstance(value, float):
            if value != value or value in (float('inf'), float('-inf')):
                raise self.fail(f"literal {value!r} is not a finite number", node)
            return sp.Float(repr(value))
        raise self.fail(f"literal {value!r} of type {type(value).__name__} is not a number", node)

    def visit_Name(self, node: ast.Name) -> sp.Basic:
        name = node.id
        if name.startswith("_"):
            raise self.fail(f"names starting with an underscore ({name!r}) are not allowed", node)
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise self.fail(f"function {name!r} must be called with arguments", node)
        raise self.unknown_name(name, node)

    def visit_BinOp(self, node: ast.BinOp) -> sp.Basic:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow) and left.is_Number and right.is_Number:
            if abs(float(right)) > _MAX_POWER_LITERAL:
                raise self.fail("numeric power too large", node)
        return op(left, right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Basic:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return sp.Not(operand)
        raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)

    def visit_Compare(self, node: ast.Compare) -> sp.Basic:
        parts = []
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            rel = _CMPOPS.get(type(op))
            if rel is None:
                raise self.fail(f"comparison {type(op).__name__} is not allowed", node)
            right = self.visit(comparator)
            parts.append(rel(left, right))
            left = right
        return parts[0] if len(parts) == 1 else sp.And(*parts)

    def visit_BoolOp(self, node: ast.BoolOp) -> sp.Basic:
        values = [self.visit(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def visit_Tuple(self, node: ast.Tuple) -> sp.Basic:
        return sp.Tuple(*(self.visit(e) for e in node.elts))

    def visit_Call(self, node: ast.Call) -> sp.Basic:
        if not isinstance(node.func, ast.Name):
            raise self.fail(f"only calls of named functions are allowed, not {_describe(node.func)}", node)
        name = node.func.id
        if name not in FUNCTIONS:
            if name in self.symbols:
                raise self.fail(f"{name!r} is a symbol, not a function; it cannot be called", node)
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise self.fail(f"unknown function {name!r}{hint}", node)
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in a call of {name!r}", node)
        func, arities = FUNCTIONS[name]
        if arities is not None and len(node.args) not in arities:
            expected = " or ".join(str(a) for a in arities)
            raise self.fail(f"{name!r} takes {expected} argument(s), got {len(node.args)}", node)
        args = [self.visit(a) for a in node.args]
        if name == "Piecewise":
            pairs = []
            for a in args:
                if not (isinstance(a, sp.Tuple) and len(a) == 2):
                    raise self.fail("Piecewise takes (expression, condition) pairs", node)
                pairs.append(tuple(a))
            return sp.Piecewise(*pairs)
        return func(*args)


def parse_expr(
    text: str,
    symbols: Mapping[str, sp.Basic],
    *,
    where: str = "expression",
) -> sp.Basic:
    """Parse ``text`` into a SymPy expression without evaluating any code.

    Parameters
    ----------
    text
        The expression; ``^`` is read as a power (``**``), as in textbooks.
    symbols
        The names the expression may use, mapped to their SymPy symbols. Functions from
        :data:`FUNCTIONS` and constants from :data:`CONSTANTS` are always available.
    where
        Where the text comes from, for error messages (e.g. ``"model.toml: [equations] x1"``).

    Returns
    -------
    sympy.Basic
        The expression (or relational / boolean, for conditions).

    Raises
    ------
    ParseError
        If the text is not valid syntax, uses an undefined symbol (with close-match suggestions)
        or uses anything outside the allowed grammar.

    Examples
    --------
    >>> x, beta, n = sp.symbols("x beta n", positive=True)
    >>> parse_expr("beta/(1 + x^n) - x", {"x": x, "beta": beta, "n": n})
    beta/(x**n + 1) - x
    >>> parse_expr("__import__('os').system('true')", {})
    Traceback (most recent call last):
    ...
    linstab._errors.ParseError: expression: cannot parse "__import__('os').system('true')" at column 1: ...
    """
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected an expression string, got {type(text).__name__} {text!r}")
    if len(text) > _MAX_LENGTH:
        raise ParseError(f"{where}: expression is {len(text)} characters long; the limit is {_MAX_LENGTH}")
    stripped = text.strip()
    if not stripped:
        raise ParseError(f"{where}: the expression is empty")
    source = stripped.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ParseError(f"{where}: cannot parse {text!r}{col}: invalid syntax ({exc.msg})") from None
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise ParseError(f"{where}: expression has more than {_MAX_NODES} syntax nodes")
    return _Translator(text, symbols, where).visit(tree)
