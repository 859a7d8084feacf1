"""Bifurcation kinds as objects: names, conditions, test functions and Sotomayor's classification."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import AnalysisError
from linstab.analysis import bifurcation_curves, find_curves
from linstab.num import classify_zero_eigenvalue, continue_curve, kind_crossing_ok, kind_test_function
from linstab.sym import KIND_NAMES, bifurcation_kind


def _scalar(f, df):
    return (lambda x, p: f(x, p[..., :1])), (lambda x, p: df(x, p[..., :1])[..., None])


@pytest.mark.parametrize(("f", "df", "expected"), [
    (lambda x, mu: mu - x ** 2, lambda x, mu: -2 * x, "fold"),  # saddle-node normal form
    (lambda x, mu: mu * x - x ** 2, lambda x, mu: mu - 2 * x, "transcritical"),
    (lambda x, mu: mu * x - x ** 3, lambda x, mu: mu - 3 * x ** 2, "pitchfork"),
    (lambda x, mu: mu + x ** 2 + x ** 3, lambda x, mu: 2 * x + 3 * x ** 2, "fold"),
])
def test_normal_forms(f, df, expected):
    # Strogatz (2015), ch. 3: the three one-dimensional normal forms at (x, μ) = (0, 0)
    rhs, jac = _scalar(f, df)
    assert classify_zero_eigenvalue(rhs, jac, np.zeros(1), np.zeros(1), param_index=0).name == expected


def test_planar_pitchfork_with_units():
    # x' = μ x − x³, y' = −1000 y with μ in other units (scale 1e-4): the test is scale-free
    rhs = lambda x, p: np.stack([1e-4 * p[..., 0] * x[..., 0] - x[..., 0] ** 3, -1000 * x[..., 1]], -1)  # noqa: E731
    jac = lambda x, p: np.array([[1e-4 * p[0] - 3 * x[0] ** 2, 0.0], [0.0, -1000.0]])  # noqa: E731
    assert classify_zero_eigenvalue(rhs, jac, np.zeros(2), np.zeros(1), param_index=0).name == "pitchfork"


def test_names_conditions_and_test_functions():
    assert KIND_NAMES[:5] == ("fold", "saddle-node", "transcritical", "pitchfork", "hopf")
    assert "delay-hopf" in KIND_NAMES  # kinds registered after the ODE ones (issue 17)
    assert "turing" in KIND_NAMES
    assert bifurcation_kind("saddle-node") is bifurcation_kind("fold")
    assert bifurcation_kind("fold").label == "fold (saddle-node)"
    with pytest.raises(ValueError, match="kind must be one of"):
        bifurcation_kind("flip")
    a, b, c, d = sp.symbols("a b c d")
    J = sp.Matrix([[a, b], [c, d]])
    assert sp.expand(bifurcation_kind("fold").condition(J)[0] - (a * d - b * c)) == 0
    assert sp.expand(bifurcation_kind("hopf").condition(J)[0] - (a + d)) == 0
    rng = np.random.default_rng(3)
    Js = rng.normal(size=(50, 3, 3))
    np.testing.assert_allclose(kind_test_function("fold", Js), np.linalg.det(Js), rtol=1e-10)
    # Δ₂ = c1 c2 − c3 for λ³ + c1 λ² + c2 λ + c3, which vanishes when a pair is purely imaginary
    w = 1.7
    Jh = np.array([[0.0, -w, 0.0], [w, 0.0, 0.0], [0.0, 0.0, -2.0]])
    assert abs(kind_test_function(bifurcation_kind("hopf"), Jh[None])[0]) < 1e-12
    assert kind_crossing_ok("hopf", np.linalg.eigvals(Jh)[None], np.array([3.0]))[0]


def test_toggle_switch_line_is_a_pitchfork():
    # regression (issue 11, 1.2): the symmetric toggle's β = n (n − 1)^(−(n+1)/n) was called a fold
    (c,) = bifurcation_curves("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0), n_points=4)
    assert c.kind == "pitchfork" and "pitchfork" in c.explain()
    (d,) = continue_curve("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0))
    assert d.kind == "pitchfork"
    with pytest.raises(AnalysisError, match="pitchfork, not saddle-node"):
        bifurcation_curves("toggle_switch", "saddle-node", "beta", "n", q_range=(1.5, 4.0))
    (e,) = bifurcation_curves("toggle_switch", "pitchfork", "beta", "n", q_range=(1.5, 4.0), n_points=2)
    assert e.kind == "pitchfork"


def test_autoactivation_folds_are_saddle_nodes():
    curves = continue_curve("autoactivation", "fold", "beta", "alpha", q_range=(0.01, 0.1))
    assert [c.kind for c in curves] == ["fold", "fold"]


def test_an_empty_symbolic_answer_is_no_proof(monkeypatch):
    # regression (issue 11, 1.9): SymPy returned [] for a factor that changes sign in the range and
    # linstab said "no hopf bifurcation". Emulate the empty answer on the repressilator.
    import linstab.sym._bifurcation as bif

    monkeypatch.setattr(bif, "_solve_for_branch_var", lambda eq, s: [])
    with pytest.raises(AnalysisError, match="no hopf bifurcation"):
        bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2.5, 4.0))
    (c,) = find_curves("repressilator", "hopf", "beta", "n", q_range=(2.5, 4.0))
    assert c.route == "continuation" and "no hopf bifurcation" in c.explain()
    n = c.points[:, 0]
    np.testing.assert_allclose(c.points[:, 1], n / 2 * (n / 2 - 1) ** (-(n + 1) / n), rtol=1e-8)


def test_a_partial_symbolic_answer_says_so(monkeypatch):
    # one factor of the condition without a closed form: the curves found are flagged partial, and
    # find_curves continues numerically without listing the same curve twice
    import linstab.sym._bifurcation as bif

    original, calls = bif._solve_for_branch_var, []

    def second_fails(eq, s):
        calls.append(eq)
        if len(calls) == 2:
            raise bif._NoClosedForm("emulated: no algorithm")
        return original(eq, s)

    monkeypatch.setattr(bif, "_solve_for_branch_var", second_fails)
    (c,) = bifurcation_curves("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0), n_points=4)
    assert c.partial and "may be incomplete" in c.explain()
    calls.clear()
    (d,) = find_curves("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0), n_points=4)
    assert d.route == "closed form" and d.kind == "pitchfork"


def test_crossing_check_in_a_stiff_spectrum():
    """One fast eigenvalue must not swamp the slow ones: a Hopf pair of frequency 3.5 beside an
    eigenvalue of -5e5 (the three-variable Oregonator with a small delta) is a Hopf crossing, and a
    slow stable eigenvalue beside it stays stable; a slow stable pair is not on the axis."""
    hopf, fold = bifurcation_kind("hopf"), bifurcation_kind("fold")
    ev = np.array([[-4.8e5, 1e-9 + 3.47j, 1e-9 - 3.47j, -1.0, -2.0],
                   [-4.8e5, 1e-9 + 3.47j, 1e-9 - 3.47j, -1.0 + 2j, -1.0 - 2j],  # a slow stable pair beside it
                   [-4.8e5, 0.5 + 3.47j, 0.5 - 3.47j, -1.0, -2.0]])              # the pair off the axis
    scale = 1 + np.abs(ev).max(axis=1)
    assert kind_crossing_ok(hopf, ev, scale, tol=1e-5).tolist() == [True, True, False]
    zero = np.array([[-4.8e5, 1e-12, -1.0], [-4.8e5, -0.5, -1.0]])
    assert kind_crossing_ok(fold, zero, 1 + np.abs(zero).max(axis=1), tol=1e-5).tolist() == [True, False]


def test_numeric_hooks_follow_the_family_and_say_when_there_is_none():
    # the numeric side lives in linstab.num, looked up by name, else by family: a new kind of the
    # det J = 0 family needs no entry there; a kind of a new family gets a clear error
    from linstab.sym import BifurcationKind

    zero_kind = BifurcationKind(name="zero-like", label="zero-like", condition_text="det J = 0", family="zero")
    J = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    assert kind_test_function(zero_kind, J).tolist() == pytest.approx([-2.0])
    other = BifurcationKind(name="flip", label="flip", condition_text="λ = -1", family="multiplier")
    with pytest.raises(ValueError, match=r"kind 'flip' \(family 'multiplier'\) has no numeric test function"):
        kind_test_function(other, J)
