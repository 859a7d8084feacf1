"""Bifurcation curves of the catalogue models against textbook formulas and independent numerics.

For each model: the kind linstab reports (fold, transcritical, pitchfork, Hopf) against the one the
literature gives; every sample point of the curve against the eigenvalues of a central-difference
Jacobian of the right-hand side written again in NumPy (``tests/catalogue/_rhs.py``) — the state
must be a fixed point there and the spectrum must show the crossing; the curve against the
textbook's closed form where there is one; and Hopf criticality against simulation (SciPy
``solve_ivp``) where that is cheap.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from linstab.analysis import bifurcation_curves, find_curves
from linstab.num import continue_curve
from linstab.sym import NoClosedFormError
from tests.catalogue import _rhs as rhs
from tests.catalogue._models import HERE, fd_jacobian, model

KW = {"Iext": "I", "Iapp": "I"}  # TOML names that differ from the keyword names in _rhs


def _check_points(curve, f, *, hopf: bool) -> None:
    """Every sample point: a fixed point of ``f`` whose spectrum shows the crossing."""
    assert len(curve.points) >= 2
    for (q, p), x in zip(curve.points, curve.states):
        kw = {KW.get(curve.against, curve.against): q, KW.get(curve.param, curve.param): p}
        g = lambda y: f(y, **kw)  # noqa: E731
        assert np.abs(g(x)).max() <= 1e-7 * (1 + np.abs(x).max())
        ev = np.linalg.eigvals(fd_jacobian(g, x))
        scale = 1 + np.abs(ev).max()
        if hopf:  # a complex pair on the imaginary axis, every other eigenvalue stable
            on_axis = (np.abs(ev.real) <= 1e-5 * scale) & (np.abs(ev.imag) > 1e-6 * scale)
            assert on_axis.sum() == 2 and np.all(ev.real[~on_axis] < 0)
        else:
            assert np.abs(ev).min() <= 1e-5 * scale


# model, request, param, against, q range, numpy rhs, true kind, textbook P(Q) (None: implicit only)
CASES = [
    ("rosenzweig_macarthur", "fold", "K", "m", (0.05, 0.45), rhs.rm, "transcritical", lambda m: m / (0.5 - m)),
    ("rosenzweig_macarthur", "hopf", "K", "m", (0.05, 0.45), rhs.rm, "hopf", lambda m: 1 + 2 * m / (0.5 - m)),
    ("gray_scott", "fold", "k", "F", (0.01, 0.06), rhs.gray_scott, "fold", lambda F: np.sqrt(F) / 2 - F),
    ("lotka_volterra_competition", "fold", "a21", "a12", (0.2, 0.9), rhs.lv, "transcritical", lambda a: 1 + 0 * a),
    ("sir_vital", "fold", "beta", "gam", (0.05, 0.3), rhs.sir, "transcritical", lambda g: g + 0.02),
    ("lengyel_epstein", "hopf", "b", "a", (8.0, 12.0), rhs.lengyel_epstein, "hopf", lambda a: 3 * a / 5 - 25 / a),
    ("goodwin4", "hopf", "alpha", "n", (5.0, 12.0), rhs.goodwin4, "hopf",
     lambda n: n / (n - 4) * (4 / (n - 4)) ** (1 / n)),  # secant condition, sec(π/4)^4 = 4
    ("genetic_switch_cubic", "fold", "b", "a", (0.05, 0.2), rhs.griffith, "fold", lambda a: 1 / (2 * a)),
]


@pytest.mark.parametrize(("name", "kind", "param", "against", "q_range", "f", "true_kind", "formula"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_closed_form_curves(name, kind, param, against, q_range, f, true_kind, formula):
    curves = bifurcation_curves(model(name), kind, param, against, q_range=q_range, n_points=6, lyapunov=False)
    assert [c.kind for c in curves] == [true_kind]
    (c,) = curves
    assert c.route == "closed form"
    np.testing.assert_allclose(c.points[:, 1], formula(c.points[:, 0]), rtol=1e-9)
    _check_points(c, f, hopf=true_kind == "hopf")


def test_kinds_agree_between_routes():
    # regression (issue 11, 1.2): every det J = 0 curve used to be called a fold (saddle-node)
    m = model("rosenzweig_macarthur")
    (sym,) = bifurcation_curves(m, "fold", "K", "m", q_range=(0.05, 0.45), n_points=5)
    (num,) = continue_curve(m, "fold", "K", "m", q_range=(0.05, 0.45))
    assert sym.kind == num.kind == "transcritical" and sym.kind_object.label == "transcritical"
    np.testing.assert_allclose(num.points[:, 1], num.points[:, 0] / (0.5 - num.points[:, 0]), rtol=1e-7)
    with pytest.raises(Exception, match="transcritical, not saddle-node"):
        bifurcation_curves(m, "saddle-node", "K", "m", q_range=(0.05, 0.45))


def test_schnakenberg_hopf_by_continuation_where_the_cubic_resists():
    # b − a = (a + b)³ (Murray II, sec. 2.4): two Hopf curves in b for each a; a cubic branch equation
    curves = find_curves(model("schnakenberg"), "hopf", "b", "a", q_range=(0.05, 0.15), budget=1.0)
    assert len(curves) == 2 and {c.kind for c in curves} == {"hopf"}
    for c in curves:
        a, b = c.points[:, 0], c.points[:, 1]
        np.testing.assert_allclose(b - a, (a + b) ** 3, rtol=1e-7, atol=1e-10)
        _check_points(c, rhs.schnakenberg, hopf=True)


def test_morris_lecar_time_budget_then_continuation():
    # regression (issue 11, 1.8): the closed-form route on tanh/cosh rates ran for minutes
    curves = find_curves(model("morris_lecar"), "hopf", "Iapp", "gCa", q_range=(4.0, 5.0), budget=1.0)
    assert {c.route for c in curves} == {"continuation"} and len(curves) == 2
    assert "time budget" in curves[0].explain()
    for c in curves:
        _check_points(c, rhs.morris_lecar, hopf=True)
    # independent: the Hopf values of I at gCa = 4 are where tr J changes sign on the (unique) fixed point
    def trace(I):
        w_inf = lambda V: 0.5 * (1 + np.tanh((V - 2.0) / 30.0))  # noqa: E731
        V = brentq(lambda V: rhs.morris_lecar(np.array([V, w_inf(V)]), I=I, gCa=4.0)[0], -100, 150)
        return np.trace(fd_jacobian(lambda x: rhs.morris_lecar(x, I=I, gCa=4.0), np.array([V, w_inf(V)])))
    starts = sorted(c.points[0, 1] for c in curves)
    for I_h in starts:
        assert trace(I_h - 0.5) * trace(I_h + 0.5) < 0


def test_fitzhugh_nagumo_subcritical_hopf_against_simulation():
    # tr J = 1 − v² − εb = 0 at the fixed point: v = ±√(1 − εb), I = v³/3 − v + (v + a)/b
    curves = find_curves(model("fitzhugh_nagumo"), "hopf", "Iext", "a", q_range=(0.5, 0.9), budget=1.0)
    assert len(curves) == 2
    eps, b = 0.08, 0.8
    for c in curves:
        a, I = c.points[:, 0], c.points[:, 1]
        v = np.sqrt(1 - eps * b) * np.sign(np.median(I - (a / b)))
        np.testing.assert_allclose(I, v ** 3 / 3 - v + (v + a) / b, rtol=1e-7)
        _check_points(c, rhs.fhn, hopf=True)
    low = min(curves, key=lambda c: np.median(c.points[:, 1]))
    assert low.lyapunov == "subcritical"
    # subcritical: just on the stable side a large cycle coexists with the stable fixed point
    a = 0.7
    I = float(np.interp(a, low.points[:, 0], low.points[:, 1])) - 0.003
    vs = brentq(lambda v: v - v ** 3 / 3 - (v + a) / b + I, -3, 3)
    amp = []
    for x0 in ([vs + 0.01, (vs + a) / b], [2.0, 0.5]):
        sol = solve_ivp(lambda t, x: rhs.fhn(x, I=I), (0, 2000), x0, rtol=1e-8, atol=1e-10, dense_output=True)
        amp.append(np.ptp(sol.sol(np.linspace(1500, 2000, 1000))[0]))
    assert amp[0] < 1e-2 and amp[1] > 1.0


def test_rosenzweig_macarthur_supercritical_hopf_against_simulation():
    (c,) = bifurcation_curves(model("rosenzweig_macarthur"), "hopf", "K", "m", q_range=(0.1, 0.3), n_points=3)
    assert c.lyapunov == "supercritical"
    m = 0.2
    K_h = float(c.evaluate([m])[0])
    assert K_h == pytest.approx(1 + 2 * m / (0.5 - m), rel=1e-12)
    N = m / (0.5 - m)
    amp = []
    for K in (0.95 * K_h, 1.05 * K_h):  # supercritical: no cycle before, a cycle after
        P = (1 - N / K) * (1 + N)
        sol = solve_ivp(lambda t, x: rhs.rm(x, K=K), (0, 4000), [3 * N, 0.3 * P], rtol=1e-8, atol=1e-10,
                        dense_output=True)
        amp.append(np.ptp(sol.sol(np.linspace(3000, 4000, 1000))[0]))
    assert amp[0] < 1e-4 and amp[1] > 0.1


def test_toggle_with_inducer_falls_back_instead_of_a_traceback(capsys):
    # regression (issue 11, 1.3): NotImplementedError ("multiple generators") from sp.solve escaped
    import json

    from linstab.cli import main

    with pytest.raises(NoClosedFormError, match="SymPy cannot solve"):
        bifurcation_curves(model("toggle_inducer"), "fold", "alpha1", "alpha2", budget=None)
    assert main(["bifurcation", str(HERE / "toggle_inducer.toml"), "--kind", "fold", "--param", "alpha1", "--against", "alpha2",
                 "--range", "8", "30", "--json"]) == 0
    curves = json.loads(capsys.readouterr().out)["curves"]
    assert len(curves) == 2 and all(c["route"] == "continuation" and c["kind"] == "fold" for c in curves)


def test_continuation_stops_at_the_domain_boundary():
    # regression (issue 11, 1.4): iptg came out negative (-1.4e-5) with a RuntimeWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = continue_curve(model("toggle_inducer"), "fold", "iptg", "alpha1", q_range=(50.0, 300.0))
    assert len(curves) == 2 and all(c.kind == "fold" for c in curves)
    assert all(np.all(c.points[:, 1] >= 0) for c in curves)
    # the upper fold enters the range through iptg = 0, at the fold of the inducer-free toggle
    upper = min(curves, key=lambda c: c.points[0, 1])
    assert upper.points[0, 1] == 0.0 and upper.points[0, 0] > 50.0

    def n_fixed(a1):  # iptg = 0: u = a1/(1 + v^β), v = a2/(1 + u); count the roots in v on a fine grid
        v = np.geomspace(1e-4, 15.6, 20001)
        h = 15.6 / (1 + a1 / (1 + v ** 2.5)) - v
        return int(np.sum(np.sign(h[1:]) != np.sign(h[:-1])))

    a1 = upper.points[0, 0]
    assert {n_fixed(a1 * 0.99), n_fixed(a1 * 1.01)} == {1, 3}  # a fold of the inducer-free toggle
    _check_points(upper, lambda x, alpha1, iptg: rhs.toggle_iptg(x, a1=alpha1, iptg=iptg), hopf=False)


def test_diagram_without_parametric_branches_marks_the_hopf_point():
    # regression (issue 11, 1.5): a diagram drawn from a numeric sweep only had no fold/Hopf markers
    pytest.importorskip("bokeh")
    from linstab.plot import bifurcation_diagram

    lay = bifurcation_diagram(model("rosenzweig_macarthur"), "K", p_range=(0.5, 5.0), n_sweep=40)
    assert lay.select_one({"name": "sweep"}) is not None  # no parametric branch: the sweep route
    special = lay.select_one({"name": "special_points"}).data
    assert sorted(special["kind"]) == ["Hopf", "branch point"]
    at = dict(zip(special["kind"], special["p"]))
    assert at["Hopf"] == pytest.approx(1 + 2 * 0.2 / (0.5 - 0.2), rel=0.01)  # K_H = 1/(ah) + 2N*
    # the transcritical point, where the coexistence state leaves (K, 0): K = m/(a(e - hm)); the
    # sweep's grid spacing (0.115 here) bounds the interpolation error
    assert at["branch point"] == pytest.approx(0.2 / (0.5 - 0.2), abs=0.03)


def test_oregonator_hopf_curves_by_continuation():
    # Tyson's two-variable Oregonator: oscillations between two Hopf values of the stoichiometric
    # factor f (near 1/2 and 1 + √2 for small q; Tyson & Fife 1980); checked point by point
    curves = find_curves(model("oregonator"), "hopf", "f", "q", q_range=(0.001, 0.004), budget=1.0)
    assert len(curves) == 2 and {c.route for c in curves} == {"continuation"}
    lows = sorted(float(np.median(c.points[:, 1])) for c in curves)
    assert 0.4 < lows[0] < 0.6 and 2.2 < lows[1] < 2.5
    for c in curves:
        _check_points(c, rhs.oregonator, hopf=True)


def test_cli_kind_choices_come_from_the_kind_objects(capsys):
    import json

    from linstab.cli import main

    argv = ["bifurcation", str(HERE / "rosenzweig_macarthur.toml"), "--kind", "transcritical", "--param", "K",
            "--against", "m", "--range", "0.1", "0.4", "--points", "3", "--json"]
    assert main(argv) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["kind"] == "transcritical" and [c["kind"] for c in obj["curves"]] == ["transcritical"]
    assert obj["curves"][0]["condition"] == "m < e/h"


def test_three_variable_oregonator_hopf_whose_test_function_has_a_square_root():
    # regression (issue 11, 1.9): on a 3-D model whose fixed point, and so the Hurwitz factor, holds
    # sqrt((1 - f - q)^2 + 4q(1 + f)), the symbolic route found nothing and linstab said "no hopf
    # bifurcation". Now the closed form runs out of its budget and continuation answers; every
    # point is checked against the interior fixed point written here in closed form and the
    # spectrum of a central-difference Jacobian, and the curves approach those of the
    # two-variable reduction (fast y eliminated, delta -> 0; Tyson 1985) as delta shrinks.
    m = model("oregonator3")
    with pytest.raises(NoClosedFormError):
        bifurcation_curves(m, "hopf", "f", "q", q_range=(0.001, 0.004), budget=1.0)
    curves = find_curves(m, "hopf", "f", "q", q_range=(0.001, 0.004), budget=1.0)
    assert len(curves) == 2 and {c.route for c in curves} == {"continuation"}
    for c in curves:
        for (q, f), x in zip(c.points, c.states):
            s = 1 - f - q
            u = (s + np.sqrt(s * s + 4 * q * (1 + f))) / 2
            np.testing.assert_allclose(x, [u, f * u / (q + u), u], rtol=1e-7)
        _check_points(c, rhs.oregonator3, hopf=True)
    two = find_curves(model("oregonator"), "hopf", "f", "q", q_range=(0.001, 0.004), budget=1.0)
    near = find_curves(m.with_values({"delta": 1e-6}), "hopf", "f", "q", q_range=(0.001, 0.004), budget=1.0)
    q = np.linspace(0.0015, 0.0035, 5)

    def on(cs):
        return np.sort([np.interp(q, c.points[:, 0], c.points[:, 1]) for c in cs], axis=0)

    gap_far = np.abs(on(curves) - on(two)).max()
    gap_near = np.abs(on(near) - on(two)).max()
    assert gap_near < 0.02 and gap_near < gap_far / 5, (gap_near, gap_far)
