"""Closed-form bifurcation curves: textbook cases, each cross-checked three ways.

For every closed form: (1) it equals the textbook formula; (2) numeric pseudo-arclength
continuation lands on it; (3) max Re λ at the branch fixed point changes sign between
0.99 and 1.01 times the curve (saddle-nodes: the number of fixed points changes instead).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from linstab import AnalysisError, Model, ParameterError, load_model
from linstab.num import continue_curve
from linstab.num._maps import jacobian_kernel
from linstab.analysis import bifurcation_curves
from linstab.sym import BifurcationCurve

CUSP = Model.from_dict({  # Strogatz (2015), sec. 3.6: imperfect bifurcation / cusp
    "name": "cusp", "parameters": {"r": 0.0, "s": 1.0}, "equations": {"x": "r + s*x - x^3"}})


def _newton(model, x0, values, iters=60):
    f, J = model.kernel("rhs"), jacobian_kernel(model)
    p = np.array(model.parameter_vector(values))
    x = np.array(x0, dtype=float)
    for _ in range(iters):
        x = x - np.linalg.solve(J(x, p), f(x, p))
    assert np.abs(f(x, p)).max() < 1e-8
    return x, np.linalg.eigvals(J(x, p))


def _sign_change(model, curve, *, frac=(0.99, 1.01)):
    """max Re λ at the branch fixed point has opposite signs at 0.99 and 1.01 times P*(Q)."""
    checked = 0
    for (q, p), state in zip(curve.points[:: max(1, len(curve.points) // 6)], curve.states[:: max(1, len(curve.points) // 6)]):
        vals = {**curve.fixed, curve.against: q}
        lo = _newton(model, state, {**vals, curve.param: frac[0] * p})[1].real.max()
        hi = _newton(model, state, {**vals, curve.param: frac[1] * p})[1].real.max()
        assert lo * hi < 0, (q, p, lo, hi)
        checked += 1
    assert checked >= 3


def _matches_continuation(model, curves, kind, param, against, q_range, **kw):
    numeric = continue_curve(model, kind, param, against, q_range=q_range, lyapunov=False, **kw)
    for c in curves:
        errs = [np.abs(c.evaluate(nc.points[:, 0]) - nc.points[:, 1]).max() / (1 + np.abs(nc.points[:, 1]).max())
                for nc in numeric]
        assert min(errs) < 1e-7, errs
    return numeric


def test_repressilator_seed_formula_without_ansatz():
    m = load_model("repressilator")
    (c,) = bifurcation_curves(m, "hopf", "beta", "n", q_range=(2.2, 5.0), n_points=30)
    n = m.parameter("n")
    seed = n / 2 * (n / 2 - 1) ** (-(n + 1) / n)
    assert sp.simplify(c.expression - seed) == 0
    assert c.condition == (n > 2)
    assert c.lyapunov == "supercritical"
    assert isinstance(c, BifurcationCurve) and c.points.shape == (30, 2)
    np.testing.assert_allclose(c.points[:, 1], [float(seed.subs(n, q)) for q in c.points[:, 0]], rtol=1e-12)
    _matches_continuation(m, [c], "hopf", "beta", "n", (2.2, 5.0))
    _sign_change(m, c)
    # the appendix's steps are in the derivation
    text = c.explain()
    for piece in ("x1 = x2 = x3", "a =", "Eigenvalues", "so a = 2", "n > 2"):
        assert piece in text, piece


def test_ansatz_gives_the_same_curve():
    (a,) = bifurcation_curves("repressilator", "hopf", "beta", "n", ansatz="x1=x2=x3", n_points=5)
    (b,) = bifurcation_curves("repressilator", "hopf", "beta", "n", n_points=5)
    assert sp.simplify(a.expression - b.expression) == 0


def test_brusselator_hopf_2d():
    m = load_model("brusselator")
    (c,) = bifurcation_curves(m, "hopf", "b", "a", q_range=(0.3, 3.0))
    a = m.parameter("a")
    assert sp.simplify(c.expression - (1 + a ** 2)) == 0
    assert c.lyapunov == "supercritical"
    _matches_continuation(m, [c], "hopf", "b", "a", (0.3, 3.0))
    _sign_change(m, c)


def test_selkov_two_hopf_branches():
    m = load_model("selkov")
    cs = bifurcation_curves(m, "hopf", "b", "a", q_range=(0.01, 0.12))
    assert len(cs) == 2
    a = m.parameter("a")
    # Strogatz (2015), sec. 7.3: b² = (1 − 2a ± √(1 − 8a))/2
    want = {sp.sqrt((1 - 2 * a + sgn * sp.sqrt(1 - 8 * a)) / 2) for sgn in (1, -1)}
    for c in cs:
        assert any(sp.simplify(c.expression - w) == 0 for w in want)
        assert c.condition == (a < sp.Rational(1, 8))
        _sign_change(m, c)
    _matches_continuation(m, cs, "hopf", "b", "a", (0.01, 0.12))


def test_goodwin_hopf_needs_n_above_8():
    m = load_model("goodwin")
    (c,) = bifurcation_curves(m, "hopf", "a", "n", q_range=(9.0, 20.0))
    n = m.parameter("n")
    assert c.condition == (n > 8)
    assert sp.simplify(c.expression - n / 8 * (n / 8 - 1) ** (-(n + 1) / n)) == 0
    _matches_continuation(m, [c], "hopf", "a", "n", (9.0, 20.0))
    _sign_change(m, c)


def test_toggle_switch_pitchfork():
    m = load_model("toggle_switch")
    (c,) = bifurcation_curves(m, "fold", "beta", "n", q_range=(1.5, 4.0))
    n = m.parameter("n")
    assert sp.simplify(c.expression - n * (n - 1) ** (-(n + 1) / n)) == 0
    assert c.condition == (n > 1) and c.lyapunov is None
    _matches_continuation(m, [c], "fold", "beta", "n", (1.5, 4.0))
    _sign_change(m, c)


def test_repressilator_mrna_6d_hopf():
    m = load_model("repressilator_mrna")
    (c,) = bifurcation_curves(m, "hopf", "alpha", "n", q_range=(2.0, 4.0), n_points=12)
    assert c.expression is not None and c.states.shape[1] == 6
    _matches_continuation(m, [c], "hopf", "alpha", "n", (2.0, 4.0))
    _sign_change(m, c)
    # by hand: the characteristic polynomial is ((λ+1)(λ+b))³ + (Xb)³ with X = n x0ⁿ/(1 + x0ⁿ);
    # λ = iω with (λ+1)(λ+b) = Xb·e^{iπ/3} gives ω² = b(1 − X/2), (1+b)ω = √3Xb/2, hence
    # 3X²/(4 − 2X) = (1 + b)²/b (the Elowitz–Leibler condition in these units)
    b = c.fixed["b"]
    for (q, _), st in zip(c.points, c.states):
        w = st[0] ** q
        X = q * w / (1 + w)
        assert 3 * X ** 2 / (4 - 2 * X) == pytest.approx((1 + b) ** 2 / b, rel=1e-9)


def test_cusp_two_fold_branches_1d():
    cs = bifurcation_curves(CUSP, "fold", "r", "s", q_range=(0.2, 2.0))
    assert len(cs) == 2
    s = CUSP.parameter("s")
    got = {sp.nsimplify(sp.simplify(c.expression / s ** sp.Rational(3, 2))) for c in cs}
    assert got == {2 * sp.sqrt(3) / 9, -2 * sp.sqrt(3) / 9}
    for c in cs:
        assert c.condition == (s > 0)
        # saddle-node: two fixed points merge, so their number changes across the curve
        for q, p in c.points[::5]:
            xs = [np.roots([-1, 0, q, f * p]) for f in (0.99, 1.01)]
            nreal = [int(np.sum(np.abs(r.imag) < 1e-9)) for r in xs]
            assert abs(nreal[0] - nreal[1]) == 2
    _matches_continuation(CUSP, cs, "fold", "r", "s", (0.2, 2.0), p_range=(-3.0, 3.0))


def test_autoactivation_has_no_closed_form_but_two_numeric_branches():
    with pytest.raises(AnalysisError, match="no closed form"):
        bifurcation_curves("autoactivation", "fold", "beta", "alpha")
    cs = continue_curve("autoactivation", "fold", "beta", "alpha", q_range=(0.01, 0.1))
    assert len(cs) == 2
    m = load_model("autoactivation")
    for c in cs:  # a real eigenvalue is zero along each branch
        for (q, p), st in zip(c.points, c.states):
            J = jacobian_kernel(m)(st, m.parameter_vector({"alpha": q, "beta": p}))
            assert abs(J[0, 0]) < 1e-7


def test_errors():
    with pytest.raises(ParameterError, match="unknown parameter 'gamma'"):
        bifurcation_curves("repressilator", "hopf", "gamma", "n")
    with pytest.raises(ParameterError, match="must differ"):
        bifurcation_curves("repressilator", "hopf", "n", "n")
    with pytest.raises(ValueError, match="kind must be one of"):
        bifurcation_curves("repressilator", "period-doubling", "beta", "n")
    with pytest.raises(AnalysisError, match="no hopf crossing.*n in \\[1.0, 1.9\\]"):
        bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(1.0, 1.9))
    with pytest.raises(AnalysisError, match="has no fold bifurcation"):
        bifurcation_curves("autorepression", "fold", "beta", "n")
    with pytest.raises(AnalysisError, match="at least two state variables"):
        bifurcation_curves("autorepression", "hopf", "beta", "n")
    none = Model.from_dict({"variables": {"x": {"domain": "positive"}},
                            "parameters": {"k": {"value": 1.0, "domain": "positive"},
                                           "c": {"value": 1.0, "domain": "positive"}},
                            "equations": {"x": "-k - c*x"}})
    with pytest.raises(AnalysisError, match="no fixed point in its domain"):
        bifurcation_curves(none, "fold", "k", "c")


def test_to_dict_is_json_ready():
    (c,) = bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2.5, 3.0), n_points=2)
    d = c.to_dict()
    assert d == {"kind": "hopf", "route": "closed form", "expression": "n/(2*(n/2 - 1)**((n + 1)/n))", "condition": "n > 2",
                 "points": [[2.5, 8.705506], [3.0, 3.779763]], "lyapunov": "supercritical", "codim2": [],
                 "parametrization": None}
    n = sp.Symbol("n", positive=True)
    assert sp.simplify(sp.sympify(d["expression"], locals={"n": n}) - n / 2 * (n / 2 - 1) ** (-(n + 1) / n)) == 0


# ----------------------------------------------------------------------------- property tests
_REP = load_model("repressilator")
_REP_CURVE = bifurcation_curves(_REP, "hopf", "beta", "n", q_range=(2.5, 3.0), n_points=2, lyapunov=False)[0]


@settings(max_examples=25, deadline=None)
@given(n=st.floats(2.05, 8.0), frac=st.floats(0.7, 0.99))
def test_repressilator_stable_below_unstable_above(n, frac):
    """Closed-form curve == sign change of max Re λ, for any n > 2 and any distance to the line."""
    beta_c = float(_REP_CURVE.evaluate(n))
    for f, sign in ((frac, -1), (1 / frac, 1)):
        beta = f * beta_c
        # the unique fixed point x0(1 + x0^n) = beta, by bisection
        lo, hi = 0.0, beta
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if mid * (1 + mid ** n) < beta else (lo, mid)
        ev = np.linalg.eigvals(jacobian_kernel(_REP)([lo] * 3, [beta, n]))
        assert np.sign(ev.real.max()) == sign
