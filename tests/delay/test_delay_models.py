"""Acceptance: closed-form crossings == numeric characteristic roots == simulation, for delay models
from the literature: Hayes (1950) dx/dt = -a x(t - tau); the delayed autorepressor (Monk 2003, Lewis
2003); Hutchinson's delayed logistic equation (1948); the Hes1 mRNA-protein oscillator (Monk 2003).

The expected values are textbook results (a tau_c = pi/2; omega = sqrt(a^2 - gamma^2) with
tau_c = arccos(-gamma/a)/omega; r tau_c = pi/2 for Hutchinson), not outputs of the code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from scipy.signal import find_peaks

from linstab import load_model
from linstab.analysis import crossing_values, delay_hopf_curves
from linstab.num import find_fixed_points, lambert_w_roots, rightmost_roots, simulate_dde
from linstab.sym import delay_crossings, undelayed

HERE = Path(__file__).parent
HAYES = {"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"},
                                         "tau": {"value": 1.0, "domain": "nonnegative"}},
         "equations": {"x": "-a*delay(x, tau)"}}
HUTCHINSON = {"name": "hutchinson", "parameters": {"r": {"value": 1.0, "domain": "positive"},
                                                   "K": {"value": 2.0, "domain": "positive"},
                                                   "tau": {"value": 1.0, "domain": "nonnegative"}},
              "variables": {"N": "positive"}, "equations": {"N": "r*N*(1 - delay(N, tau)/K)"}}


def _late(tr, start: float):
    """Amplitude and mean peak spacing of the first variable after time ``start``."""
    keep = tr.t >= start
    t, x = tr.t[keep], tr.x[keep, 0]
    peaks, _ = find_peaks(x)
    period = float(np.diff(t[peaks]).mean()) if len(peaks) > 2 else np.nan
    return float(x.max() - x.min()), period


@pytest.mark.parametrize("a", [0.5, 1.0, 3.0])
def test_hayes_closed_form_roots_and_lambert_w(a):
    m = load_model(HAYES)
    (c,) = delay_crossings(m)
    A = sp.Symbol("a", positive=True)
    assert sp.simplify(c.tau_c - sp.pi / (2 * A)) == 0 and sp.simplify(c.omega - A) == 0
    tau_c = np.pi / (2 * a)  # Hayes (1950): stable iff a tau < pi/2
    r = rightmost_roots(m, {"a": a, "tau": tau_c}, state=[0.0], n_roots=2)
    assert np.allclose(r.real, 0, atol=1e-10) and np.allclose(np.sort(r.imag), [-a, a], rtol=1e-10)
    for f in (0.5, 0.9, 1.1, 2.0):
        lead = rightmost_roots(m, {"a": a, "tau": f * tau_c}, state=[0.0], n_roots=1)[0]
        w = lambert_w_roots(0.0, -a, f * tau_c)[0]
        assert abs(lead.real - w.real) < 1e-9 and abs(abs(lead.imag) - abs(w.imag)) < 1e-9
        assert (lead.real < 0) == (f < 1)


def test_hayes_simulation_period_and_onset():
    m = load_model(HAYES)
    tau_c = np.pi / 2
    below = simulate_dde(m, (0, 60), [1.0], {"tau": 0.9 * tau_c}, n_points=3000, rtol=1e-7, atol=1e-9)
    above = simulate_dde(m, (0, 60), [1.0], {"tau": 1.02 * tau_c}, n_points=3000, rtol=1e-7, atol=1e-9)
    a_early, _ = _late(above, 10)
    a_late, period = _late(above, 40)
    b_early, _ = _late(below, 10)
    b_late, _ = _late(below, 40)
    assert b_late < 0.5 * b_early and a_late > a_early * 0.95  # decays below tau_c, does not above
    assert period == pytest.approx(2 * np.pi, rel=0.03)  # the period at onset is 2 pi / omega, omega = a


def test_autorepressor_closed_form_numeric_simulation():
    m = load_model(HERE / "autorepressor.toml")
    (c,) = delay_crossings(m)
    a = sp.Symbol("a", positive=True)
    # Monk (2003), Lewis (2003): omega = sqrt(a^2 - gamma^2), tau_c = arccos(-gamma/a)/omega, gamma = 1
    assert sp.simplify(c.omega - sp.sqrt(a**2 - 1)) == 0
    assert sp.simplify(c.tau_c - sp.acos(-1 / a) / sp.sqrt(a**2 - 1)) == 0
    for beta in (3.0, 4.0, 8.0):
        x = find_fixed_points(undelayed(m), {"beta": beta})[0].state[0]
        a_num = beta * 2 * x / (1 + x**2) ** 2  # -f'(x*) for n = 2
        omega = np.sqrt(a_num**2 - 1)
        tau_c = np.arccos(-1 / a_num) / omega
        v = crossing_values(m, c, {"beta": beta})
        assert v["tau_c"] == pytest.approx(tau_c, rel=1e-10) and v["omega"] == pytest.approx(omega, rel=1e-10)
        lead = rightmost_roots(m, {"beta": beta, "tau": tau_c}, n_roots=1)[0]
        assert abs(lead.real) < 1e-9 and abs(abs(lead.imag) - omega) < 1e-9
    # simulation at beta = 4: decays below tau_c, oscillates above, with the period near 2 pi / omega
    v = crossing_values(m, c)
    below = simulate_dde(m, (0, 200), None, {"tau": 0.8 * v["tau_c"]}, n_points=4000, rtol=1e-6, atol=1e-8)
    above = simulate_dde(m, (0, 200), None, {"tau": 1.05 * v["tau_c"]}, n_points=4000, rtol=1e-6, atol=1e-8)
    assert _late(below, 150)[0] < 0.02
    amp, period = _late(above, 150)
    assert amp > 0.3
    assert period == pytest.approx(v["period"], rel=0.06)


def test_autorepressor_never_oscillates_when_a_below_gamma():
    # n = 1: a = beta/(1 + x*)^2 = x*/(1 + x*) < 1 = gamma: no crossing for any delay
    m = load_model(HERE / "autorepressor.toml").with_values(n=1.0)
    (c,) = delay_crossings(m)
    v = crossing_values(m, c)
    assert v["a"] < 1 and np.isnan(v["tau_c"])
    lead = rightmost_roots(m, {"tau": [1.0, 10.0, 50.0]}, n_roots=1)[:, 0]
    assert np.all(lead.real < 0)


@pytest.mark.parametrize("r", [0.5, 1.0, 2.0])
def test_hutchinson_r_tau_pi_over_two(r):
    m = load_model(HUTCHINSON)
    (c,) = delay_crossings(m, at={"N": "K"})
    R = sp.Symbol("r", positive=True)
    assert sp.simplify(c.tau_c - sp.pi / (2 * R)) == 0  # Hutchinson (1948): r tau_c = pi/2
    K = 2.0
    for f, sign in ((0.95, -1), (1.05, 1)):
        lead = rightmost_roots(m, {"r": r, "tau": f * np.pi / (2 * r)}, state=[K], n_roots=1)[0]
        assert np.sign(lead.real) == sign


def test_hutchinson_simulation_period_near_four_tau():
    m = load_model(HUTCHINSON)
    tau = 1.02 * np.pi / 2
    tr = simulate_dde(m, (0, 150), [1.5], {"tau": tau}, n_points=4000, rtol=1e-7, atol=1e-9)
    amp, period = _late(tr, 100)
    assert amp > 0.05
    assert period == pytest.approx(2 * np.pi, rel=0.05)  # omega = r at onset: period 4 tau_c


def test_hes1_delay_hopf_curve_agrees_with_roots():
    m = load_model(HERE / "hes1.toml")
    (c,) = delay_hopf_curves(m, "n", q_range=(3.0, 7.0), n_points=3)
    assert c.kind == "delay-hopf" and c.param == "tau" and len(c.points) == 3
    tau_n5 = c.points[1, 1]
    assert 15 < tau_n5 < 22  # Monk (2003): Hes1 oscillates for delays above about 18 min
    for (n, tau_c), state in zip(c.points, c.states):
        lead = rightmost_roots(m, {"n": n, "tau": [0.95 * tau_c, 1.05 * tau_c]}, state=state, n_roots=1)[:, 0]
        assert lead[0].real < 0 < lead[1].real
    tr = simulate_dde(m, (0, 2000), None, {"tau": 1.1 * tau_n5}, n_points=4000, rtol=1e-6, atol=1e-8)
    amp, period = _late(tr, 1200)
    v = crossing_values(m, delay_crossings(m)[0])
    assert amp > 1.0 and period == pytest.approx(v["period"], rel=0.1)


def test_two_delays_that_coincide_are_one_delay():
    # dx/dt = -a x(t - t1) - b x(t - t2) with t1 = t2 is dx/dt = -(a + b) x(t - t1): Lambert W applies
    m = load_model({"name": "two", "parameters": {"a": 0.7, "b": 0.5, "t1": 1.0, "t2": 1.0},
                    "equations": {"x": "-a*delay(x, t1) - b*delay(x, t2)"}})
    assert m.delays == (("x", "t1"), ("x", "t2"))
    for t in (0.5, 1.3, 2.0):
        lead = rightmost_roots(m, {"t1": t, "t2": t}, state=[0.0], n_roots=1)[0]
        w = lambert_w_roots(0.0, -1.2, t)[0]
        assert abs(lead.real - w.real) < 1e-9 and abs(abs(lead.imag) - abs(w.imag)) < 1e-9
    # with distinct delays the closed form is not attempted, and says so
    from linstab._errors import AnalysisError

    with pytest.raises(AnalysisError, match="single delay"):
        delay_crossings(m)
    # a zero delay is the ODE: the root is -(a + b) at t1 = t2 = 0
    assert rightmost_roots(m, {"t1": 0.0, "t2": 0.0}, state=[0.0], n_roots=1)[0] == pytest.approx(-1.2)


def test_delay_stability_map_agrees_with_the_closed_form_curve():
    m = load_model(HERE / "autorepressor.toml")
    smap = __import__("linstab").delay_stability_map(m, ("beta", 3.0, 9.0, 7), ("tau", 0.2, 4.0, 9))
    (c,) = delay_hopf_curves(m, "beta", q_range=(3.0, 9.0), n_points=7)
    assert np.allclose(c.points[:, 0], smap.x)
    tau_c = c.points[:, 1]
    expected = smap.y[:, None] < tau_c[None, :]
    margin = np.abs(smap.y[:, None] - tau_c[None, :]) > 0.02  # cells on the curve itself are not compared
    assert np.array_equal(smap.stable[margin], expected[margin])
    assert np.all(smap.oscillatory[~smap.stable])  # the instability is a complex pair, as the crossing says


def test_the_report_does_not_reuse_a_model_symbol_for_the_quasi_polynomial_parts():
    """Hes1's protein is P: the parts of Δ(λ) are then p(λ) and q(λ); the autorepressor keeps P, Q."""
    hes1 = "\n".join(str(step[0]) for step in delay_crossings(load_model("hes1_delay"))[0].derivation)
    assert "p(λ) =" in hes1 and "P(λ)" not in hes1
    auto = "\n".join(str(step[0]) for step in delay_crossings(load_model("delayed_autorepressor"))[0].derivation)
    assert "P(λ) =" in auto


def test_printed_closed_forms_are_grouped_but_equal():
    """−b² − 2bμ − μ² prints as −(b + μ)²; the value is unchanged."""
    from linstab.sym._delay import _grouped

    b, mu, a = sp.symbols("b mu a_", positive=True)
    e = (-b**2 - 2 * b * mu - mu**2 + sp.sqrt(4 * a**2 + b**4 - 2 * b**2 * mu**2 + mu**4)) / (2 * a)
    g = _grouped(e)
    assert "(b + mu)**2" in str(g) and sp.simplify(g - e) == 0
    (c,) = delay_crossings(load_model("hes1_delay"))
    assert "(b + mu)**2" in str(c.tau_c)
