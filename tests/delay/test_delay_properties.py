"""Property tests: the numeric rightmost characteristic root agrees with the closed-form crossing."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from linstab import load_model
from linstab.num import characteristic_roots, lambert_w_roots
from linstab.sym import delay_crossings

# dx/dt = -gamma x(t) - a x(t - tau): the linearisation of every scalar delayed feedback
_MODEL = load_model({"name": "scalar", "parameters": {"a": {"value": 2.0, "domain": "positive"},
                                                      "gamma": {"value": 1.0, "domain": "positive"},
                                                      "tau": {"value": 1.0, "domain": "nonnegative"}},
                     "equations": {"x": "-gamma*x - a*delay(x, tau)"}})
(_CROSSING,) = delay_crossings(_MODEL)
_A, _G = sp.Symbol("a", positive=True), sp.Symbol("gamma", positive=True)
_TAU_C = sp.lambdify((_A, _G), _CROSSING.tau_c, "numpy")
_OMEGA = sp.lambdify((_A, _G), _CROSSING.omega, "numpy")


@settings(max_examples=40)
@given(gamma=st.floats(0.05, 5.0), ratio=st.floats(1.05, 20.0))
def test_rightmost_root_sits_on_the_axis_at_the_closed_form_crossing(gamma, ratio):
    a = gamma * ratio
    tau_c, omega = float(_TAU_C(a, gamma)), float(_OMEGA(a, gamma))
    # textbook forms (Erneux 2009, sec. 2.2), independently of the code's derivation
    assert np.isclose(omega, np.sqrt(a * a - gamma * gamma)) and np.isclose(tau_c, np.arccos(-gamma / a) / omega)
    taus = np.array([[tau_c], [0.97 * tau_c], [1.03 * tau_c]])
    roots = characteristic_roots(np.full((3, 1, 1), -gamma), np.full((3, 1, 1, 1), -a), taus, n_roots=2)
    lead = roots[:, 0]
    assert abs(lead[0].real) <= 1e-8 * (1 + omega) and np.isclose(abs(lead[0].imag), omega, rtol=1e-8)
    assert lead[1].real < 0 < lead[2].real
    w = lambert_w_roots(-gamma, -a, taus[:, 0])[:, 0]  # principal branch: rightmost (Shinozaki & Mori 2006)
    assert np.allclose(w.real, lead.real, atol=1e-8 * (1 + omega))


@settings(max_examples=30)
@given(gamma=st.floats(0.05, 5.0), ratio=st.floats(0.01, 0.98), tau=st.floats(0.01, 50.0))
def test_no_crossing_when_a_is_below_gamma(gamma, ratio, tau):
    a = gamma * ratio  # a < gamma: stable for every delay (Smith 2011, sec. 4.5)
    assert _CROSSING.condition.xreplace({_A: sp.Float(a), _G: sp.Float(gamma)}) == sp.false
    lead = characteristic_roots([[-gamma]], [[[-a]]], [tau], n_roots=1)[0]
    assert lead.real < 0


def test_stiff_points_are_refined_not_answered_with_an_artefact():
    # |a0| tau ~ 400: with 24 Chebyshev intervals the rightmost eigenvalue of the discretisation is an
    # artefact (0.039 + 1.78i); the grid is refined until it is a root, which Lambert W confirms
    a0 = np.array([-19.822704284920842, -19.38773306266592, -1.8623078298440348])
    a1 = np.array([45.444896170115754, 7.522185740865453, -40.492718993710426])
    tau = np.array([21.184704800596638, 19.611533082403554, 30.58862539122377])
    lead = characteristic_roots(a0[:, None, None], a1[:, None, None, None], tau[:, None], n_roots=1)[:, 0]
    w = lambert_w_roots(a0, a1, tau)[:, 0]
    assert np.allclose(lead.real, w.real, atol=1e-9) and np.allclose(np.abs(lead.imag), np.abs(w.imag), atol=1e-9)


@settings(max_examples=60)
@given(a0=st.floats(-20.0, 5.0), a1=st.floats(-50.0, 50.0), log_tau=st.floats(-2.0, 1.5))
def test_spectral_rightmost_root_equals_lambert_w(a0, a1, log_tau):
    tau = 10.0**log_tau
    lead = characteristic_roots([[a0]], [[[a1]]], [tau], n_roots=1)[0]
    w = lambert_w_roots(a0, a1, tau)[0]
    assert abs(lead.real - w.real) <= 1e-7 * (1 + abs(w)) and abs(abs(lead.imag) - abs(w.imag)) <= 1e-7 * (1 + abs(w))
