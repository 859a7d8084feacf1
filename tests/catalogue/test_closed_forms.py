"""Finished closed forms: simplified on their domain, exact conditions, Cardano roots' validity."""

from __future__ import annotations

import numpy as np
import sympy as sp

from linstab.analysis import bifurcation_curves
from tests.catalogue._models import model


def test_goodwin_hopf_curve_is_finished():
    # regression (issue 11, 1.7): printed as K*b**3*(-8*b**3/(-b**3*n + 8*b**3))**(1/n)*(((...)**(1/n))**n + 1)
    (c,) = bifurcation_curves(model("goodwin_kb"), "hopf", "a", "n", q_range=(9.0, 12.0), n_points=3)
    K, b, n = (sp.Symbol(s, positive=True) for s in ("K", "b", "n"))
    want = K * b ** 3 * n / (n - 8) * (8 / (n - 8)) ** (1 / n)  # secant condition, three stages
    assert sp.simplify(c.expression - want) == 0
    assert sp.count_ops(c.expression) <= sp.count_ops(want)
    assert c.condition == (n > 8) and c.to_dict()["condition"] == "n > 8"  # exact: not 8.0


def test_conditions_stay_symbolic_and_exact():
    (c,) = bifurcation_curves(model("rosenzweig_macarthur"), "hopf", "K", "m", q_range=(0.1, 0.4), n_points=3)
    e, h, m = (sp.Symbol(s, positive=True) for s in ("e", "h", "m"))
    assert c.condition == (m < e / h)  # not m < 0.5
    assert c.to_dict()["condition"] == "m < e/h"
    assert np.isnan(c.evaluate([0.6])[0]) and np.isfinite(c.evaluate([0.3])[0])  # outside m < e/h: nan
    (t,) = bifurcation_curves(model("lotka_volterra_competition"), "fold", "a21", "a12", q_range=(0.1, 0.4),
                              n_points=3)
    assert t.condition is sp.true and t.to_dict()["condition"] is None  # no "True"


def test_cardano_roots_exist_exactly_where_their_condition_holds():
    # regression (issue 11, 1.10): the condition asked every radicand to be positive (q > 2 here),
    # excluding the three-real-root region |q| < 2 where the curves exist, and evaluate() returned
    # real parts where no curve exists
    curves = bifurcation_curves(model("cubic_pitchfork"), "fold", "p", "q", q_range=(-3.0, 3.0), n_points=4,
                                lyapunov=False, budget=None)
    q = np.linspace(-3.0, 3.0, 61)
    q = q[np.abs(np.abs(q) - 2) > 1e-6]  # off the double roots
    vals = np.array([c.evaluate(q) for c in curves])  # (n_curves, len(q))
    for j, qj in enumerate(q):
        # independent: the real roots of p³ − 3p + q (numpy)
        r = np.roots([1.0, 0.0, -3.0, qj])
        real = np.sort(r.real[np.abs(r.imag) <= 1e-9])
        got = np.sort(vals[np.isfinite(vals[:, j]), j])
        np.testing.assert_allclose(got, real, atol=1e-9)
    for c in curves:
        assert "q > 2" not in str(c.condition)
        assert np.all(np.isfinite(c.evaluate(c.points[:, 0])))
