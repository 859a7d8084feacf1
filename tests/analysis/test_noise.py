"""The linear noise approximation against closed forms and Gillespie simulations (issue 18).

Each closed form is checked three ways: the formula, the LNA kernel (:func:`linear_noise`), and the
statistics of 10⁴ stochastic trajectories (:func:`gillespie`) within their statistical error.
For linear propensities (birth–death, two-stage expression) the LNA's first two moments are exact;
for the Hill feedback it is correct to O(1/⟨n⟩), far below the sampling error here.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linstab import AnalysisError, ParameterError
from linstab.analysis import linear_noise, noise_scan
from linstab.num import gillespie

N_TRAJ = 10_000


def birth_death(k=20.0, g=1.0):
    return {"name": "birth_death", "variables": {"x": {}}, "parameters": {"k": k, "g": g}, "reactions": {
        "birth": {"products": {"x": 1}, "propensity": "k"},
        "death": {"reactants": {"x": 1}, "propensity": "g*x"}}}


def two_stage(k_m=1.0, g_m=1.0, k_p=10.0, g_p=0.5):
    return {"name": "two_stage", "variables": {"m": {}, "p": {}},
            "parameters": {"k_m": k_m, "g_m": g_m, "k_p": k_p, "g_p": g_p}, "reactions": {
                "transcription": {"products": {"m": 1}, "propensity": "k_m"},
                "mrna_decay": {"reactants": {"m": 1}, "propensity": "g_m*m"},
                "translation": {"reactants": {"m": 1}, "products": {"m": 1, "p": 1}, "propensity": "k_p*m"},
                "protein_decay": {"reactants": {"p": 1}, "propensity": "g_p*p"}}}


AUTOREPRESSION = {"name": "autorepression", "variables": {"x": {}},
                  "parameters": {"beta": 400.0, "K": 80.0, "n": 2.0, "gamma": 1.0}, "reactions": {
                      "production": {"products": {"x": 1}, "propensity": "beta/(1 + (x/K)^n)"},
                      "decay": {"reactants": {"x": 1}, "propensity": "gamma*x"}}}


def ssa_fano(model, noise, *, t_end, seed, species=-1):
    """Fano factor of 10⁴ trajectories at ``t_end`` (started at the fixed point) and its standard error."""
    run = gillespie(model, x0=np.round(noise.state), times=[t_end], n_trajectories=N_TRAJ, seed=seed)
    x = run.counts[:, 0, species]
    mean, var = x.mean(), x.var(ddof=1)
    m4 = np.mean((x - mean) ** 4)
    se = np.sqrt((m4 - var**2) / x.size) / mean  # Var(s²) ≈ (μ₄ − σ⁴)/N; the mean's error is smaller
    return var / mean, se


def test_birth_death_fano_one():
    noise = linear_noise(birth_death())
    assert noise.fano[0] == pytest.approx(1.0, rel=1e-12)
    assert noise.variance[0] == pytest.approx(20.0) and noise.cv[0] == pytest.approx(20 ** -0.5)
    fano, se = ssa_fano(birth_death(), noise, t_end=8.0, seed=1)
    assert abs(fano - 1.0) < 4 * se


def test_negative_autoregulation_fano():
    noise = linear_noise(AUTOREPRESSION)
    (x,) = noise.state
    beta, K, n, gamma = 400.0, 80.0, 2.0, 1.0
    assert beta / (1 + (x / K) ** n) == pytest.approx(gamma * x)
    slope = -beta * n * x ** (n - 1) / K**n / (1 + (x / K) ** n) ** 2  # f'(x*) of the production f
    assert noise.fano[0] == pytest.approx(1 / (1 + abs(slope) / gamma), rel=1e-10)
    assert noise.fano[0] < 0.5  # the feedback halves the noise: the test can tell it from Poisson
    fano, se = ssa_fano(AUTOREPRESSION, noise, t_end=5.0, seed=2)
    assert abs(fano - noise.fano[0]) < 4 * se


def test_two_stage_fano_kernel():
    for k_m, g_m, k_p, g_p in [(1.0, 1.0, 10.0, 0.5), (2.0, 3.0, 7.0, 0.1), (0.5, 0.2, 4.0, 2.0)]:
        noise = linear_noise(two_stage(k_m, g_m, k_p, g_p))
        b = k_p / g_m
        np.testing.assert_allclose(noise.fano, [1.0, 1 + b / (1 + g_p / g_m)], rtol=1e-10)
        np.testing.assert_allclose(noise.state, [k_m / g_m, k_m * k_p / (g_m * g_p)], rtol=1e-10)


def test_two_stage_fano_ssa():
    noise = linear_noise(two_stage())
    fano, se = ssa_fano(two_stage(), noise, t_end=20.0, seed=3)
    assert noise.fano[1] == pytest.approx(1 + 10 / 1.5)
    assert abs(fano - noise.fano[1]) < 4 * se


@pytest.mark.parametrize("b", [1.8, 1.9, 1.95])
def test_spectrum_peak_near_hopf(b):
    # Brusselator (a = 1): Hopf at b = 1 + a² = 2, where the eigenvalues are ±i. Below it, noise
    # drives quasi-cycles whose spectral peak sits at the frequency Im λ (McKane & Newman 2005).
    noise = linear_noise("brusselator_network", {"b": b})
    lam = noise.eigenvalues
    assert np.all(lam.real < 0) and np.all(np.abs(lam.imag) > 0)
    peak = noise.peak_frequency()
    distance = 2.0 - b
    np.testing.assert_allclose(peak, abs(lam[0].imag), rtol=0.05 * distance)  # closer as b -> 2
    # a far-from-Hopf point has a broader, shifted peak: the comparison can fail
    assert abs(linear_noise("brusselator_network", {"b": 0.6}).peak_frequency()[0] - abs(
        linear_noise("brusselator_network", {"b": 0.6}).eigenvalues[0].imag)) > 0.01


def test_system_size_scaling():
    base = linear_noise("brusselator_network", {"b": 1.5})
    big = linear_noise("brusselator_network", {"b": 1.5}, system_size=1000.0)
    np.testing.assert_allclose(big.fano, base.fano)  # the Fano factor of the counts does not depend on Ω
    np.testing.assert_allclose(big.variance, base.variance / 1000)
    np.testing.assert_allclose(big.cv, base.cv / np.sqrt(1000))
    with pytest.raises(ParameterError, match="system_size"):
        linear_noise("brusselator_network", system_size=0.0)


def test_noise_scan_matches_points_and_closed_form():
    k_p = np.linspace(1.0, 30.0, 7)
    g_p = np.array([0.1, 0.5, 2.0])[:, None]
    scan = noise_scan(two_stage(), {"k_p": k_p, "g_p": g_p})
    assert scan.valid.shape == (3, 7) and scan.valid.all()
    np.testing.assert_allclose(scan.fano[..., 1], 1 + k_p / (1 + g_p / 1.0), rtol=1e-9)
    one = linear_noise(two_stage(k_p=k_p[3], g_p=2.0))
    np.testing.assert_allclose(scan.covariance[2, 3], one.covariance, rtol=1e-9)
    spec = scan.spectrum([0.0, 1.0])
    np.testing.assert_allclose(spec[2, 3], one.spectrum([0.0, 1.0]), rtol=1e-9)


def test_noise_scan_marks_unstable_points():
    scan = noise_scan("brusselator_network", {"b": np.array([1.0, 1.5, 2.5, 3.0])})
    assert scan.valid.tolist() == [True, True, False, False]
    assert np.isnan(scan.covariance[2:]).all() and np.isfinite(scan.covariance[:2]).all()
    assert any("not stable" in note for note in scan.notes)


def test_unstable_fixed_point_is_refused():
    with pytest.raises(AnalysisError, match="no stable fixed point.*applies only near a stable"):
        linear_noise("brusselator_network", {"b": 2.5})
    with pytest.raises(AnalysisError, match="not stable.*does not apply"):
        linear_noise("brusselator_network", {"b": 2.5}, state=[1.0, 2.5])


def test_negative_propensity_is_refused():
    model = birth_death(k=10.0)
    model["reactions"]["leak"] = {"products": {"x": 1}, "propensity": "0.1*(x - 20)"}
    with pytest.raises(AnalysisError, match="propensity of reaction 'leak'.*must be ≥ 0"):
        linear_noise(model)


def test_several_stable_points_need_a_choice():
    bistable = {"variables": {"x": {}}, "parameters": {"a": 0.05, "b": 2.0}, "reactions": {
        "production": {"products": {"x": 1}, "propensity": "a + b*x^2/(1 + x^2)"},
        "decay": {"reactants": {"x": 1}, "propensity": "x"}}}
    with pytest.raises(AnalysisError, match="2 stable fixed points.*state="):
        linear_noise(bistable)
    high = linear_noise(bistable, state=[1.3])
    assert high.state[0] == pytest.approx(1.32238, rel=1e-4)
    saturating = {"variables": {"x": {}}, "parameters": {"k": 2.0, "g": 1.0}, "reactions": {
        "production": {"products": {"x": 1}, "propensity": "k"},
        "decay": {"reactants": {"x": 1}, "propensity": "g*x/(1 + x)"}}}  # dx/dt > 0: no fixed point
    with pytest.raises(AnalysisError, match="no fixed point near"):
        linear_noise(saturating, state=[1.0])


def test_equations_only_model_is_refused():
    with pytest.raises(AnalysisError, match="no reactions"):
        linear_noise("brusselator")


def test_conserved_network_without_a_total_is_refused_with_the_fix():
    closed = {"variables": {"A": {}, "B": {}}, "parameters": {"k": 1.0, "l": 2.0}, "reactions": {
        "forward": {"reactants": {"A": 1}, "products": {"B": 1}, "propensity": "k*A"},
        "backward": {"reactants": {"B": 1}, "products": {"A": 1}, "propensity": "l*B"}}}
    with pytest.raises(AnalysisError, match=r"conserves A \+ B = total_B; the total total_B has no value"):
        linear_noise(closed)


@functools.cache
def _two_stage_closed_form():
    from linstab import load_model
    from linstab.sym import fixed_points, symbolic_noise

    model = load_model(two_stage())
    (fp,) = fixed_points(model)
    return model, fp, symbolic_noise(model, fp.state).covariance


@settings(max_examples=25)
@given(st.floats(0.1, 10), st.floats(0.1, 10), st.floats(0.1, 50), st.floats(0.05, 10))
def test_symbolic_and_numeric_lna_agree(k_m, g_m, k_p, g_p):
    """The closed form of the symbolic layer, evaluated, is the numeric layer's covariance."""
    model, fp, closed = _two_stage_closed_form()
    vals = dict(zip(model.parameters, (k_m, g_m, k_p, g_p)))
    expected = np.array(closed.subs(vals), dtype=float)
    start = [float(fp.state[v].subs(vals)) * 1.1 for v in model.variables]  # Newton polishes it
    got = linear_noise(model, {"k_m": k_m, "g_m": g_m, "k_p": k_p, "g_p": g_p}, state=start).covariance
    np.testing.assert_allclose(got, expected, rtol=1e-8)
