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
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy as sp

from linstab._errors import ParseError

__all__ = [
    "parse_expr",
    "as_expr",
    "as_matrix",
    "normalize_name",
    "FUNCTIONS",
    "CONSTANTS",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_INT_BITS",
    "hill_activation",
    "hill_repression",
    "Delay",
]

#: Longest expression text accepted (characters).
MAX_LENGTH = 10_000
_MAX_NODES = 5_000
#: Deepest nesting of operations accepted (a chain ``a + b + c + ...`` or ``a*b*c*...`` counts as
#: one level, so long sums and products are fine; a power tower ``x**x**...`` or nested calls are not).
MAX_DEPTH = 60
#: Largest exact number a computation on literals may produce, in bits (about 3,000 decimal
#: digits). The size of a result is estimated *before* SymPy computes it, so that
#: ``(9**9999)**9999`` is refused at once instead of running for minutes.
MAX_INT_BITS = 10_000
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


class Delay(sp.Function):
    """``delay(x, tau)``: the state variable ``x`` at time ``t - tau`` (a delay differential equation).

    It stays a symbol-like atom: SymPy cannot differentiate it (the derivative of ``x(t - tau)``
    with respect to ``x(t)`` is not defined pointwise) nor compile it, so an ODE analysis that
    meets it refuses, saying how to go on, instead of treating ``x(t - tau)`` as ``x(t)``. The
    delay analyses (:mod:`linstab.sym._delay`) replace each ``delay(x, tau)`` by a symbol of its
    own. ``delay(x, 0)`` is ``x``.

    References
    ----------
    Hale & Verduyn Lunel, *Introduction to Functional Differential Equations* (1993), ch. 1;
    Smith, *An Introduction to Delay Differential Equations* (2011), ch. 1.

    Examples
    --------
    >>> x, tau = sp.symbols("x tau", positive=True)
    >>> Delay(x, tau)
    delay(x, tau)
    >>> Delay(x, 0)
    x
    """

    nargs = 2

    @classmethod
    def eval(cls, x: sp.Basic, tau: sp.Basic) -> sp.Basic | None:
        if tau.is_zero:
            return x
        return None

    # x(t - tau) lies where x does: a positive variable's delayed value is positive
    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_positive

    def _eval_is_nonnegative(self) -> bool | None:
        return self.args[0].is_nonnegative

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ParseError(
            f"the model has a delayed argument {self} (a delay differential equation); ODE analyses "
            "(Jacobian, simulation, maps, curves) do not apply to it as it is: use the delay analyses "
            "(linstab.delay_report, linstab.rightmost_roots, linstab.simulate_dde, linstab.delay_hopf_curves, "
            "`linstab analyze`), or linstab.undelayed(model) for the system at zero delay")

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        self._refuse()

    _numpycode = _pythoncode = _lambdacode = _mpmathcode = _torchcode = _refuse

    def _sympystr(self, printer: Any) -> str:
        return f"delay({printer._print(self.args[0])}, {printer._print(self.args[1])})"

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        tex = rf"{printer._print(self.args[0])}(t - {printer._print(self.args[1])})"
        return tex if exp is None else rf"{tex}^{{{exp}}}"


def _delay(x: sp.Basic, tau: sp.Basic) -> sp.Basic:
    """``delay(x, tau)`` as the parser builds it: ``x`` and ``tau`` must be single names."""
    for what, arg, example in (("first", x, "a state variable, e.g. delay(x3, tau)"),
                               ("second", tau, "a parameter, e.g. delay(x3, tau)")):
        if not isinstance(arg, sp.Symbol):
            raise ValueError(f"its {what} argument must be {example}, got {arg}; to delay an expression, "
                             "delay each variable in it")
    return Delay(x, tau)


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
    "delay": (_delay, (2,)),
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


def normalize_name(name: str) -> str:
    """A name in the form Python's parser reads it: Unicode NFKC (``"ｘ"`` is ``"x"``, ``"ℐ"`` is ``"I"``).

    Python normalizes identifiers to NFKC when it parses them (PEP 3131), so names must be
    compared, and checked against reserved names, in that form.

    Examples
    --------
    >>> normalize_name("Ｅ"), normalize_name("x₁")
    ('E', 'x1')
    """
    return unicodedata.normalize("NFKC", name)


def _bits(value: sp.Basic) -> float:
    """Size in bits of the exact number SymPy carries for ``value`` (0 for symbols and floats)."""
    if isinstance(value, sp.Rational):
        return max(math.log2(abs(int(value.p))) if value.p else 0.0, math.log2(int(value.q)))
    if isinstance(value, sp.Mul):
        return _bits(value.as_coeff_Mul()[0])
    if isinstance(value, sp.Pow):
        return _bits(value.base)
    return 0.0


def _power_bits(base: sp.Basic, exp: sp.Basic) -> float:
    """Estimated size of the exact number in ``base**exp`` before SymPy computes it.

    SymPy evaluates a rational power of a number, and distributes an integer power over the
    numeric coefficient of a product (``(2*x)**3 = 8*x**3``); every other power stays unevaluated.
    """
    if not isinstance(exp, sp.Rational):
        return _bits(base) if isinstance(base, sp.Rational) else 0
    if isinstance(base, (sp.Rational, sp.Mul, sp.Pow)):
        return _bits(base) * max(1, abs(int(exp.p)))
    return 0


class _Translator:
    """Translate a checked :mod:`ast` tree into SymPy, refusing everything unexpected."""

    def __init__(self, text: str, symbols: Mapping[str, sp.Basic], where: str, *, free: bool = False) -> None:
        self.text = text
        self.symbols = dict(symbols)
        self.where = where
        self.free = free
        self.depth = 0

    def fail(self, problem: str, node: ast.AST | None = None) -> ParseError:
        col = getattr(node, "col_offset", None)
        at = f" at column {col + 1}" if col is not None else ""
        shown = self.text if len(self.text) <= 80 else self.text[:60] + f"... ({len(self.text)} characters)"
        return ParseError(f"{self.where}: cannot parse {shown!r}{at}: {problem}")

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
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the expression is nested more than {MAX_DEPTH} levels deep (the limit); "
                            "write it in simpler parts", node)
        try:
            return method(node)
        finally:
            self.depth -= 1

    def check_size(self, bits: float, node: ast.AST) -> None:
        if bits > MAX_INT_BITS:
            raise self.fail(f"a number in it would have about {math.ceil(bits):,} bits; the limit is {MAX_INT_BITS:,} bits "
                            f"(about {int(MAX_INT_BITS * 0.30103):,} decimal digits)", node)

    def operand(self, node: ast.AST) -> sp.Expr:
        value = self.visit(node)
        if not isinstance(value, sp.Expr) or isinstance(value, sp.Tuple):
            raise self.fail(f"arithmetic needs numbers or expressions, got {value}", node)
        return value

    def visit_Expression(self, node: ast.Expression) -> sp.Basic:
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> sp.Basic:
        value = node.value
        if isinstance(value, bool):
            return sp.true if value else sp.false
        if isinstance(value, int):
            self.check_size(value.bit_length(), node)
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
        if self.free:
            return self.symbols.setdefault(name, sp.Symbol(name))
        raise self.unknown_name(name, node)

    def _chain(self, node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[type | None, ast.AST]]:
        """``a + b - c + ...`` as ``[(None, a), (Add, b), (Sub, c), ...]`` without recursion."""
        items: list[tuple[type | None, ast.AST]] = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ops):
            items.append((type(cur.op), cur.right))
            cur = cur.left
        items.append((None, cur))
        items.reverse()
        return items

    def visit_BinOp(self, node: ast.BinOp) -> sp.Basic:
        if isinstance(node.op, (ast.Add, ast.Sub)):
            terms = [-v if op is ast.Sub else v for op, v in
                     ((op, self.operand(n)) for op, n in self._chain(node, (ast.Add, ast.Sub)))]
            # a sum of rationals: the common denominator is at most the product of the denominators
            nums = [t for t in terms if isinstance(t, sp.Rational)]
            if len(nums) > 1:
                self.check_size(max(math.log2(abs(int(t.p)) or 1) for t in nums) + len(nums).bit_length()
                                + sum(math.log2(int(t.q)) for t in nums), node)
            return sp.Add(*terms)
        if isinstance(node.op, (ast.Mult, ast.Div)):
            factors = []
            for op, n in self._chain(node, (ast.Mult, ast.Div)):
                value = self.operand(n)
                if op is ast.Div:
                    self.check_size(_power_bits(value, sp.Integer(-1)), n)
                    value = 1 / value
                factors.append(value)
            self.check_size(sum(_bits(f) for f in factors), node)
            return sp.Mul(*factors)
        if not isinstance(node.op, ast.Pow):
            raise self.fail(f"operator {type(node.op).__name__} is not allowed", node)
        left, right = self.operand(node.left), self.operand(node.right)
        if left.is_Number and right.is_Number and abs(float(right)) > _MAX_POWER_LITERAL:
            raise self.fail(f"numeric power too large (exponents of numbers are limited to {_MAX_POWER_LITERAL})",
                            node)
        self.check_size(_power_bits(left, right), node)
        return left**right

    def visit_UnaryOp(self, node: ast.UnaryOp) -> sp.Basic:
        ops = []
        cur: ast.AST = node
        while isinstance(cur, ast.UnaryOp):
            ops.append(cur.op)
            cur = cur.operand
        value = self.visit(cur)
        for op in reversed(ops):
            if isinstance(op, ast.USub):
                value = -self.as_expr(value, node)
            elif isinstance(op, ast.UAdd):
                value = self.as_expr(value, node)
            elif isinstance(op, ast.Not):
                value = sp.Not(value)
            else:
                raise self.fail(f"operator {type(op).__name__} is not allowed", node)
        return value

    def as_expr(self, value: sp.Basic, node: ast.AST) -> sp.Expr:
        if not isinstance(value, sp.Expr) or isinstance(value, sp.Tuple):
            raise self.fail(f"arithmetic needs numbers or expressions, got {value}", node)
        return value

    def visit_Compare(self, node: ast.Compare) -> sp.Basic:
        parts = []
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            rel = _CMPOPS.get(type(op))
            if rel is None:
                raise self.fail(f"comparison {type(op).__name__} is not allowed", node)
            right = self.visit(comparator)
            try:
                parts.append(rel(left, right))
            except TypeError as exc:
                raise self.fail(f"cannot compare {left} with {right} ({exc})", node) from None
            left = right
        return parts[0] if len(parts) == 1 else sp.And(*parts)

    def visit_BoolOp(self, node: ast.BoolOp) -> sp.Basic:
        values = [self.visit(v) for v in node.values]
        try:
            return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)
        except TypeError as exc:
            raise self.fail(f"`and`/`or` join conditions, not expressions ({exc})", node) from None

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
            try:
                return sp.Piecewise(*pairs)
            except (TypeError, ValueError) as exc:
                raise self.fail(f"invalid Piecewise ({exc})", node) from None
        try:
            return func(*args)
        except (TypeError, ValueError, AttributeError) as exc:
            raise self.fail(f"invalid arguments for {name!r} ({exc})", node) from None


def parse_expr(
    text: str,
    symbols: Mapping[str, sp.Basic],
    *,
    where: str = "expression",
    free: bool = False,
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
    free
        Whether names not in ``symbols`` (nor functions or constants) become plain ``Symbol``s
        instead of errors.

    Returns
    -------
    sympy.Basic
        The expression (or relational / boolean, for conditions).

    Raises
    ------
    ParseError
        If the text is not valid syntax, uses an undefined symbol (with close-match suggestions),
        uses anything outside the allowed grammar, exceeds a size limit (:data:`MAX_LENGTH`
        characters, :data:`MAX_DEPTH` levels of nesting, numbers of :data:`MAX_INT_BITS` bits)
        or is undefined (``1/0``).

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
    if len(text) > MAX_LENGTH:
        raise ParseError(f"{where}: expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    # Python's parser reads identifiers in NFKC form (PEP 3131): "ｘ" is the name "x" and "Ｅ" is
    # "E". The names of the symbol table are normalized the same way below, so what is checked is
    # what is read. The text itself is not normalized: "x²" stays a syntax error rather than
    # silently becoming the name "x2".
    source = text.strip()
    if not source:
        raise ParseError(f"{where}: the expression is empty")
    source = source.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise ParseError(f"{where}: cannot parse {text!r}{col}: invalid syntax ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ParseError(f"{where}: cannot parse the expression: it is too deeply nested or too large "
                         f"({type(exc).__name__})") from None
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise ParseError(f"{where}: expression has more than {_MAX_NODES} syntax nodes")
    table: dict[str, sp.Basic] = {}
    for key, value in symbols.items():
        name = normalize_name(key)
        if name in table and table[name] != value:
            raise ParseError(f"{where}: the names {key!r} and {name!r} are the same name once Unicode is "
                             "normalized (NFKC); rename one")
        table[name] = value
    translator = _Translator(text, table, where, free=free)
    try:
        result = translator.visit(tree)
    except RecursionError:
        raise ParseError(f"{where}: the expression is nested too deeply") from None
    if isinstance(result, sp.Basic) and result.has(sp.zoo, sp.nan):
        raise translator.fail("it is undefined (a division by zero such as 1/0, or 0*oo)")
    return result


def as_expr(value: Any, symbols: Mapping[str, sp.Basic] | None = None, *, where: str = "expression") -> sp.Basic:
    """A SymPy object from a number, a SymPy object or a string, never running code.

    The safe replacement for ``sympy.sympify`` on values a user passes in: SymPy's ``sympify``
    runs ``eval`` on strings. Strings go through :func:`parse_expr`; names not in ``symbols``
    become plain ``Symbol``s. Numbers go through ``sympify(strict=True)``, which parses nothing.

    Examples
    --------
    >>> as_expr("a/2 + 1")
    a/2 + 1
    >>> as_expr(0.5), as_expr(3)
    (0.500000000000000, 3)
    >>> as_expr("__import__('os').getcwd()")
    Traceback (most recent call last):
    ...
    linstab._errors.ParseError: expression: cannot parse "__import__('os').getcwd()" at column 1: ...
    """
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, str):
        return parse_expr(value, symbols or {}, where=where, free=True)
    if isinstance(value, (bytes, bytearray, Mapping, list, tuple, set, frozenset)):
        raise TypeError(f"{where}: expected a single expression (a number, a string or a SymPy expression), "
                        f"got {type(value).__name__}")
    try:
        return sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        raise TypeError(f"{where}: expected a number, a string or a SymPy expression, got "
                        f"{type(value).__name__}") from None


def as_matrix(value: Any, symbols: Mapping[str, sp.Basic] | None = None, *, where: str = "matrix") -> sp.Matrix:
    """A SymPy ``Matrix`` from a matrix, nested lists or an array; string entries via :func:`as_expr`.

    ``sympy.Matrix`` would ``sympify`` (and so ``eval``) string entries; here every entry is
    converted safely first. A flat list is a column, as for ``sympy.Matrix``.

    Examples
    --------
    >>> as_matrix([["a", 1], [0, "2*a"]])
    Matrix([
    [a,   1],
    [0, 2*a]])
    """
    if isinstance(value, sp.MatrixBase):
        return sp.Matrix(value)
    if isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"{where}: expected a matrix (a SymPy Matrix, nested lists or an array), got a string")
    if hasattr(value, "tolist") and not isinstance(value, sp.Basic):
        value = value.tolist()
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise TypeError(f"{where}: expected a matrix (a SymPy Matrix, nested lists or an array), "
                        f"got {type(value).__name__}")
    rows = []
    for i, row in enumerate(value):
        if isinstance(row, (str, bytes, sp.Basic)) or not isinstance(row, Iterable):
            rows.append([as_expr(row, symbols, where=f"{where}[{i}]")])
        else:
            rows.append([as_expr(e, symbols, where=f"{where}[{i}][{j}]") for j, e in enumerate(row)])
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise ValueError(f"{where}: the rows have different lengths {sorted(widths)}; expected a rectangular matrix")
    return sp.Matrix(rows)
