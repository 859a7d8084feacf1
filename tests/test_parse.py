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
