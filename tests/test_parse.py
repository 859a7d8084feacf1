"""The safe expression parser: what it accepts, and that it never runs code."""

from __future__ import annotations

import builtins

import pytest
import sympy as sp

from linstab import ParseError
from linstab._parse import parse_expr

x, y, beta, n = sp.symbols("x y beta n", positive=True)
SYMS = {"x": x, "y": y, "beta": beta, "n": n}

# Each of these would run code (or reach Python internals) under sympify/eval.
MALICIOUS = [
    "__import__('os').system('touch /tmp/linstab_pwned')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "eval('1')",
    "exec('import os')",
    "open('/etc/passwd').read()",
    "getattr(x, 'func')",
    "lambda: 0",
    "[c for c in ().__class__.__mro__]",
    "x if True else y",
    "__builtins__",
    "globals()",
    "Symbol('z')",
    "sympify('x')",
    "x.subs(x, 1)",
    "exp(x).func",
    "f'{x}'",
    "'abc'",
    "b'abc'",
    "x[0]",
    "(y := 1)",
    "exp(x=1)",
    "Piecewise(*[(x, True)])",
    "9**9**9**9",
    "{1: 2}",
    "__import__",
    "_x",
]


@pytest.mark.parametrize("text", MALICIOUS)
def test_refuses_code(text, monkeypatch):
    called = []

    def trap(*args, **kwargs):  # any eval/exec during parsing fails the test
        called.append(args)
        raise AssertionError("eval/exec was called")

    monkeypatch.setattr(builtins, "eval", trap)
    monkeypatch.setattr(builtins, "exec", trap)
    with pytest.raises(ParseError):
        parse_expr(text, SYMS)
    assert not called


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("beta/(1 + x^n) - x", beta / (1 + x**n) - x),
        ("beta/(1 + x**n) - x", beta / (1 + x**n) - x),
        ("2*x - -y", 2 * x + y),
        ("exp(-x)*sqrt(y)", sp.exp(-x) * sp.sqrt(y)),
        ("hill_activation(x, beta, n)", x**n / (beta**n + x**n)),
        ("hill_repression(x, beta, n)", beta**n / (beta**n + x**n)),
        ("act_hill(x, n)", x**n / (1 + x**n)),
        ("rep_hill(x, n)", 1 / (1 + x**n)),
        ("Max(x, y) + Min(x, 1)", sp.Max(x, y) + sp.Min(x, 1)),
        ("Piecewise((x, x < 1), (1, True))", sp.Piecewise((x, x < 1), (1, True))),
        ("Abs(x - y)", sp.Abs(x - y)),
        ("0.5*x", sp.Float(0.5) * x),
        ("tanh(x) + log(y) + pi", sp.tanh(x) + sp.log(y) + sp.pi),
    ],
)
def test_accepts_textbook_expressions(text, expected):
    assert sp.simplify(parse_expr(text, SYMS) - expected) == 0


def test_undefined_symbol_suggests_close_match():
    with pytest.raises(ParseError, match=r"undefined symbol 'bta'.*did you mean 'beta'"):
        parse_expr("bta*x", SYMS)


def test_unknown_function_suggests_close_match():
    with pytest.raises(ParseError, match=r"unknown function 'expp'.*'exp'"):
        parse_expr("expp(x)", SYMS)


@pytest.mark.parametrize("text", ["", "   ", "x +", "1 2", "exp(x, y)"])
def test_malformed(text):
    with pytest.raises(ParseError):
        parse_expr(text, SYMS)


def test_not_a_string():
    with pytest.raises(TypeError, match="expected an expression string"):
        parse_expr(3, SYMS)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- size, depth, Unicode
def test_number_size_is_bounded_before_sympy_computes_it():
    from linstab._parse import MAX_INT_BITS

    assert parse_expr("3**6000", {}) == sp.Integer(3) ** 6000  # 9,510 bits: inside the limit
    for text in ("3**7000", "(9**9999)**9999 * x", "(4*x)**9999", "2**5000*2**5001", "1/3**7000"):
        with pytest.raises(ParseError, match=f"limit is {MAX_INT_BITS:,} bits"):
            parse_expr(text, SYMS)
    # a symbolic power stays unevaluated, so it is not a big number
    assert parse_expr("(x + 2)**9999", SYMS) == sp.Pow(x + 2, 9999)


def test_long_flat_sums_and_products_parse_without_recursion():
    assert parse_expr("+".join(["x"] * 1000), SYMS) == 1000 * x
    assert parse_expr("*".join(["x"] * 1000), SYMS) == x**1000
    assert parse_expr("-" * 1201 + "x", SYMS) == -x


def test_nesting_is_bounded():
    from linstab._parse import MAX_DEPTH

    assert parse_expr("**".join(["x"] * 10), SYMS).has(x)
    with pytest.raises(ParseError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_expr("**".join(["x"] * (MAX_DEPTH + 5)), SYMS)
    with pytest.raises(ParseError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_expr("exp(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5), SYMS)


@pytest.mark.parametrize("text", ["1/0", "x/0", "0*oo", "oo - oo"])
def test_undefined_values_are_refused(text):
    with pytest.raises(ParseError, match="undefined"):
        parse_expr(text, SYMS)


def test_names_are_read_after_nfkc_normalization():
    assert parse_expr("ｘ + β", {"x": x, "β": beta}) == x + beta  # fullwidth x is x, as Python reads it
    with pytest.raises(ParseError, match="same name"):
        parse_expr("x", {"x": x, "ｘ": y})


def test_as_expr_never_evaluates_strings(tmp_path):
    import numpy as np

    from linstab._parse import as_expr, as_matrix

    marker = tmp_path / "MARK"
    with pytest.raises(ParseError):
        as_expr(f"__import__('os').system('touch {marker}')")
    with pytest.raises(ParseError):
        as_expr(np.str_(f"__import__('os').system('touch {marker}')"))
    with pytest.raises(ParseError):
        as_matrix(np.array([[f"__import__('os').system('touch {marker}')"]]))
    assert not marker.exists()
    a = sp.Symbol("a")
    assert as_expr("a/2 + pi") == a / 2 + sp.pi  # free names become symbols, constants stay constants
    assert as_expr(np.float64(0.25)) == sp.Float(0.25) and as_expr(3) == 3
    with pytest.raises(TypeError):
        as_expr([1, 2])
    assert as_matrix([["a", 1], [0, "2"]]) == sp.Matrix([[a, 1], [0, 2]])
    with pytest.raises(ValueError, match="different lengths"):
        as_matrix([[1, 2], [3]])
    with pytest.raises(TypeError, match="string"):
        as_matrix("[[1]]")


def test_superscripts_are_not_read_as_names():
    """NFKC would turn ``x²`` into the name ``x2``: a silent misreading; it must stay an error."""
    with pytest.raises(ParseError, match="invalid"):
        parse_expr("x²", {"x": x, "x2": y})
