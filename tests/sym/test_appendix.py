"""The course appendix 9b, reproduced exactly by the code (not hard-coded anywhere)."""

from __future__ import annotations

import sympy as sp

from linstab import load_model
from linstab.analysis import report
from linstab.sym import (
    charpoly,
    eigenvalues,
    fixed_points,
    hill_taylor,
    linearize,
    parametric_fixed_point,
    routh_hurwitz,
)

a = sp.Symbol("a", positive=True)
I, sqrt3 = sp.I, sp.sqrt(3)
A_APPENDIX = -sp.Matrix([[1, 0, a], [a, 1, 0], [0, a, 1]])


def test_hill_taylor_matches_appendix():
    x, x0, n = sp.symbols("x x0 n", positive=True)
    slope = n * x0 ** (n - 1) / (1 + x0**n) ** 2
    assert hill_taylor("activation", x, x0, n) == x0**n / (1 + x0**n) + slope * (x - x0)
    assert hill_taylor("repression", x, x0, n) == 1 / (1 + x0**n) - slope * (x - x0)
    # and it is the true first-order expansion
    for kind, f in (("activation", x**n / (1 + x**n)), ("repression", 1 / (1 + x**n))):
        expected = f.subs(x, x0) + sp.diff(f, x).subs(x, x0) * (x - x0)
        assert sp.simplify(hill_taylor(kind, x, x0, n) - expected) == 0


def test_symmetric_fixed_point_found_without_hint():
    m = load_model("repressilator")
    fp = fixed_points(m)[0]
    x0 = fp.unknowns[0]
    beta, n = m.symbols["beta"], m.symbols["n"]
    assert fp.state == {m.symbols["x1"]: x0, m.symbols["x2"]: x0, m.symbols["x3"]: x0}
    assert fp.conditions == (sp.Eq(x0, beta / (1 + x0**n), evaluate=False),)
    assert fixed_points(m, ansatz="x1 = x2 = x3")[0].conditions == fp.conditions


def test_parametric_beta():
    m = load_model("repressilator")
    b = parametric_fixed_point(m, "beta")
    x0, n = b.coordinate, m.symbols["n"]
    assert b.value == x0 * (1 + x0**n)
    assert b.parameter == m.symbols["beta"]


def test_linearization_gives_matrix_A():
    m = load_model("repressilator")
    x0 = sp.Symbol("x0", positive=True)
    beta, n = m.symbols["beta"], m.symbols["n"]
    A = linearize(m, {"x1": x0, "x2": x0, "x3": x0})
    a_expr = beta * n * x0 ** (n - 1) / (1 + x0**n) ** 2
    assert A == A_APPENDIX.subs(a, a_expr)


def test_charpoly_is_one_plus_lambda_cubed_plus_a_cubed():
    p = charpoly(A_APPENDIX)
    lam = p.lam
    assert p.compact == (1 + lam) ** 3 + a**3
    assert p.coeffs == (1, 3, 3, 1 + a**3)
    assert sp.expand(p.expr - ((1 + lam) ** 3 + a**3)) == 0
    assert sp.expand(A_APPENDIX.charpoly(lam).as_expr() - p.expr) == 0


def test_three_eigenvalues_exactly():
    ev = eigenvalues(A_APPENDIX)
    expected = [-1 - a, -1 + a / 2 * (1 + I * sqrt3), -1 + a / 2 * (1 - I * sqrt3)]
    assert ev == expected  # structurally, as the appendix writes them
    for e in ev:  # and each is a root of the characteristic polynomial
        assert sp.expand((1 + e) ** 3 + a**3) == 0


def test_instability_condition_a_greater_than_two():
    rh = routh_hurwitz(charpoly(A_APPENDIX))
    assert rh.solve(a) == (a < 2)
    assert rh.is_stable({a: 1.99}) is True and rh.is_stable({a: 2.01}) is False
    # the complex pair has real part a/2 - 1
    assert sp.re(eigenvalues(A_APPENDIX)[1]) == a / 2 - 1


def test_report_derives_the_appendix():
    d = report("repressilator", numeric=False).derivations[0]
    (sym, expr), = d.abbreviations.items()
    m = load_model("repressilator")
    x0 = d.fixed_point.unknowns[0]
    beta, n = m.symbols["beta"], m.symbols["n"]
    assert expr == beta * n * x0 ** (n - 1) / (1 + x0**n) ** 2
    assert d.matrix == A_APPENDIX.subs(a, sym)
    assert d.charpoly.compact == (1 + d.charpoly.lam) ** 3 + sym**3
    assert d.eigenvalues == [e.subs(a, sym) for e in eigenvalues(A_APPENDIX)]
    assert d.stable_if == (sym < 2) and d.unstable_if == (sym > 2)
    assert d.relation == sp.Eq(beta, x0 * (1 + x0**n))
    assert sp.simplify(d.rewritten[sym] - n * x0**n / (1 + x0**n)) == 0


def test_report_text_walks_the_steps():
    text = report("repressilator").text
    for needle in ("A = -[[1, 0, a], [a, 1, 0], [0, a, 1]]", "a**3 + (lambda + 1)**3 = 0",
                   "lambda = -a - 1", "lambda = a*(1 + sqrt(3)*I)/2 - 1", "a > 2",
                   "beta = x0*(x0**n + 1)", "a = n*x0**n/(x0**n + 1)", "saddle-focus"):
        assert needle in text, needle
    md = report("repressilator", numeric=False).markdown
    assert "\\left(\\lambda + 1\\right)^{3}" in md and "$$" in md
