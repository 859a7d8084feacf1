"""The LNA on networks with conservation laws: reduced to the independent species (Reder 1988;
Elf & Ehrenberg 2003), the covariance of every species reported as ``Σ = L Σ_R Lᵀ``.

References: the closed isomerisation ``A ⇌ B`` with ``T`` molecules has the exact stationary law
``B ~ Binomial(T, k/(k + l))`` (van Kampen 2007, ch. V); the telegraph model's mRNA Fano factor
``1 + k_m k_off / ((k_on + k_off)(k_on + k_off + g_m))`` (Peccoud & Ycart 1995; Raj et al. 2006)
is exact, its propensities being linear.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import AnalysisError, load_model
from linstab.analysis import linear_noise, noise_scan
from linstab.num import gillespie
from linstab.sym import link_matrix, stoichiometry_matrix, symbolic_noise


def isomerisation(k=1.0, l=2.0, **initial):
    variables = {v: ({"initial": initial[v]} if initial else {}) for v in ("A", "B")}
    return {"name": "isomerisation", "variables": variables, "parameters": {"k": k, "l": l}, "reactions": {
        "forward": {"reactants": {"A": 1}, "products": {"B": 1}, "propensity": "k*A"},
        "backward": {"reactants": {"B": 1}, "products": {"A": 1}, "propensity": "l*B"}}}


def telegraph_fano(k_on, k_off, k_m, g_m):
    return 1 + k_m * k_off / ((k_on + k_off) * (k_on + k_off + g_m))


@pytest.mark.parametrize("how", ["values", "initial", "state"])
def test_isomerisation_is_binomial(how):
    k, l, total = 1.0, 2.0, 30.0
    p = k / (k + l)  # the probability that a molecule is B
    if how == "values":
        noise = linear_noise(isomerisation(k, l), {"total_B": total})
    elif how == "initial":
        noise = linear_noise(isomerisation(k, l, A=total, B=0.0))
    else:
        noise = linear_noise(isomerisation(k, l), state=[total * (1 - p), total * p])
    var = total * p * (1 - p)
    np.testing.assert_allclose(noise.state, [total * (1 - p), total * p], rtol=1e-12)
    np.testing.assert_allclose(noise.covariance, [[var, -var], [-var, var]], rtol=1e-10)
    ((law, name, value),) = noise.conservation
    assert (law, name) == ("A + B", "total_B") and value == pytest.approx(total, rel=1e-12)
    assert noise.independent == ("A",) and noise.eigenvalues.shape == (1,)
    np.testing.assert_allclose(noise.eigenvalues, [-(k + l)])


def test_a_total_and_a_state_that_disagree_are_refused():
    with pytest.raises(AnalysisError, match="total_B = 5 is given, but the state given has A \\+ B = 30"):
        linear_noise(isomerisation(), {"total_B": 5.0}, state=[20.0, 10.0])


def test_telegraph_fano_closed_form_numeric_and_symbolic():
    model = load_model("telegraph")
    v = dict(model.numeric_values())
    noise = linear_noise(model)
    assert noise.conservation == (("g_off + g_on", "total_g_on", 1.0),)
    on = v["k_on"] / (v["k_on"] + v["k_off"])
    assert noise.fano[2] == pytest.approx(telegraph_fano(v["k_on"], v["k_off"], v["k_m"], v["g_m"]), rel=1e-10)
    # the eliminated promoter state gets its variance: a Bernoulli variable, p(1 − p)
    np.testing.assert_allclose(np.diag(noise.covariance)[:2], on * (1 - on), rtol=1e-10)
    # and symbolically, with any number T of gene copies (the Fano factor does not depend on T)
    kon, koff, km, gm = (model.symbol(n) for n in ("k_on", "k_off", "k_m", "g_m"))
    T = sp.Symbol("T", positive=True)
    state = {"g_off": T * koff / (kon + koff), "g_on": T * kon / (kon + koff), "m": T * km * kon / (gm * (kon + koff))}
    sym = symbolic_noise(model, state)
    assert sp.simplify(sym.fano[2] - telegraph_fano(kon, koff, km, gm)) == 0
    assert sp.simplify(sym.covariance[0, 1] + T * kon * koff / (kon + koff) ** 2) == 0


def test_link_matrix_annihilates_the_laws():
    S = stoichiometry_matrix(load_model("telegraph"))
    ind, L = link_matrix(S)
    assert ind == [0, 2]
    assert L.extract(ind, [0, 1]) == sp.eye(2)
    assert (S.T.nullspace()[0].T * L).is_zero_matrix  # C L = 0: the conserved totals do not fluctuate
    assert L * S.extract(ind, list(range(S.cols))) == S  # S = L S_R


def test_telegraph_scan_matches_the_closed_form_and_the_single_point():
    model = load_model("telegraph")
    k_on = np.linspace(0.05, 5.0, 7)
    totals = np.array([1.0, 2.0, 5.0])
    scan = noise_scan(model, {"k_on": k_on[:, None], "total_g_on": totals[None, :]})
    assert scan.valid.all() and scan.covariance.shape == (7, 3, 3, 3)
    np.testing.assert_allclose(scan.fano[..., 2], np.broadcast_to(telegraph_fano(k_on, 1.0, 20.0, 1.0)[:, None],
                                                                    (7, 3)), rtol=1e-9)
    np.testing.assert_allclose(scan.state[..., 0] + scan.state[..., 1], np.broadcast_to(totals, (7, 3)), rtol=1e-12)
    one = linear_noise(model, {"k_on": k_on[3], "total_g_on": 2.0})
    np.testing.assert_allclose(scan.covariance[3, 1], one.covariance, rtol=1e-9)
    w = np.linspace(0.0, 3.0, 5)
    np.testing.assert_allclose(scan.spectrum(w)[3, 1], one.spectrum(w), rtol=1e-9)


def test_telegraph_spectrum_integrates_to_the_variance():
    noise = linear_noise("telegraph")
    w = np.linspace(0.0, 2000.0, 400_001)
    integral = np.trapezoid(noise.spectrum(w), w, axis=0) / np.pi  # ∫_{-∞}^{∞} S dω / 2π, S even in ω
    np.testing.assert_allclose(integral, noise.variance, rtol=2e-3)


def test_telegraph_fano_against_gillespie():
    """10⁴ single-gene trajectories: the SSA Fano factor of the mRNA within 4 standard errors."""
    model = load_model("telegraph")
    noise = linear_noise(model)
    x0 = np.zeros((10_000, 3))
    x0[:, 0] = 1.0  # promoter off, no mRNA; t = 12 is 12 mRNA lifetimes and 18 switching times
    run = gillespie(model, x0=x0, times=[12.0], n_trajectories=10_000, seed=7)
    m = run.counts[:, 0, 2]
    mean, var = m.mean(), m.var(ddof=1)
    se = np.sqrt((np.mean((m - mean) ** 4) - var**2) / m.size) / mean
    assert abs(var / mean - noise.fano[2]) < 4 * se
    assert abs(mean - noise.state[2]) < 4 * m.std() / np.sqrt(m.size)
    np.testing.assert_array_equal(run.counts[:, 0, 0] + run.counts[:, 0, 1], 1.0)  # one gene copy, always


def test_rate_equation_law_that_the_reactions_break_is_refused():
    # z is made and destroyed at the same rate k*x: dz/dt ≡ 0, but z jumps; only x + y is conserved by S
    model = {"variables": {"x": {"initial": 1.0}, "y": {"initial": 1.0}, "z": {"initial": 1.0}},
             "parameters": {"k": 1.0, "l": 2.0}, "reactions": {
                 "a": {"reactants": {"x": 1}, "products": {"y": 1}, "propensity": "k*x"},
                 "b": {"reactants": {"y": 1}, "products": {"x": 1}, "propensity": "l*y"},
                 "c": {"products": {"z": 1}, "propensity": "k*x"},
                 "d": {"reactants": {"z": 1}, "propensity": "k*x"}}}
    with pytest.raises(AnalysisError, match="not the 1 of its reactions"):
        linear_noise(model)


def _expected_periodogram(noise, n, dt, w):
    """``E P(ω) = Δt Σ_{|m|<n} (1 − |m|/n) C(mΔt) e^{−iωmΔt}``, ``C(τ) = e^{Jτ} Σ`` (the LNA
    autocovariance; Priestley 1981, sec. 6.1), for every species, eliminated ones included (``J`` is
    the full drift)."""
    from scipy.linalg import expm

    step, cov = expm(noise.jacobian * dt), [noise.covariance]
    for _ in range(n - 1):
        cov.append(step @ cov[-1])
    auto = np.diagonal(np.array(cov), axis1=1, axis2=2)
    m = np.arange(1, n)
    return dt * (auto[0] + 2 * np.real(np.exp(-1j * np.outer(w * dt, m)) @ ((1 - m / n)[:, None] * auto[1:])))


def test_telegraph_spectrum_against_gillespie_periodograms():
    """Linear propensities: the LNA autocovariance is exact, so the trajectories' averaged periodogram
    matches the LNA's expected periodogram in each frequency band, for the mRNA and both promoter states."""
    model = load_model("telegraph")
    noise = linear_noise(model)
    dt, burn, n, K = 0.5, 15.0, 128, 300
    times = burn + dt * np.arange(n)
    x0 = np.zeros((K, 3))
    x0[:, 0] = 1.0
    run = gillespie(model, x0=x0, times=times, n_trajectories=K, seed=11)
    x = run.counts - noise.state                                    # the LNA mean is exact here
    P = dt / n * np.abs(np.fft.rfft(x, axis=1)) ** 2                 # (K, bins, species)
    w = 2 * np.pi * np.fft.rfftfreq(n, dt)
    expected = _expected_periodogram(noise, n, dt, w)
    # at low ω the expected periodogram is the LNA's S(ω); higher up, aliasing (Δt = 0.5) lifts it
    np.testing.assert_allclose(expected[1:9], noise.spectrum(w[1:9]), rtol=0.06)
    for band in (slice(1, 6), slice(6, 20), slice(20, 60)):
        per_traj = P[:, band].mean(axis=1)                           # (K, species)
        est, se = per_traj.mean(axis=0), per_traj.std(axis=0, ddof=1) / np.sqrt(K)
        ref = expected[band].mean(axis=0)
        assert np.all(np.abs(est - ref) < 4 * se), (band, est, ref, se)
