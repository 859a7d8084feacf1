"""Batched Lyapunov covariance, power spectrum and the vectorised Gillespie simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import solve_continuous_lyapunov

from linstab import AnalysisError, DimensionError
from linstab.num import gillespie, lyapunov_covariance, power_spectrum

BIRTH_DEATH = {"variables": {"x": {}}, "parameters": {"k": 20.0, "g": 1.0}, "reactions": {
    "birth": {"products": {"x": 1}, "propensity": "k"},
    "death": {"reactants": {"x": 1}, "propensity": "g*x"}}}


def _stable_batch(rng, batch, n):
    J = rng.normal(size=(batch, n, n))
    J -= (np.max(np.linalg.eigvals(J).real, axis=-1) + rng.uniform(0.1, 1.0, batch))[:, None, None] * np.eye(n)
    B = rng.normal(size=(batch, n, n))
    return J, B @ np.swapaxes(B, -1, -2)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_kron_route_matches_scipy_per_point(n):
    rng = np.random.default_rng(n)
    J, D = _stable_batch(rng, 40, n)
    fast = lyapunov_covariance(J, D, method="kron")
    slow = np.stack([solve_continuous_lyapunov(j, -d) for j, d in zip(J, D)])
    np.testing.assert_allclose(fast, slow, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(lyapunov_covariance(J, D, method="scipy"), slow, rtol=1e-12, atol=1e-12)
    residual = J @ fast + fast @ np.swapaxes(J, -1, -2) + D
    assert np.max(np.abs(residual)) < 1e-8 * np.max(np.abs(D))


def test_batch_shape_and_broadcasting():
    rng = np.random.default_rng(7)
    J, D = _stable_batch(rng, 6, 2)
    out = lyapunov_covariance(J.reshape(2, 3, 2, 2), D[0])  # one D for every J
    assert out.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(out[1, 2], solve_continuous_lyapunov(J[5], -D[0]), rtol=1e-9)
    with pytest.raises(DimensionError, match="shape"):
        lyapunov_covariance(np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="method"):
        lyapunov_covariance(-np.eye(2), np.eye(2), method="bogus")
    J7, D7 = _stable_batch(rng, 3, 7)  # past KRON_MAX_VARIABLES: "auto" takes SciPy's solver
    np.testing.assert_allclose(lyapunov_covariance(J7, D7), lyapunov_covariance(J7, D7, method="scipy"))
    with pytest.raises(ValueError, match="limited to"):
        lyapunov_covariance(J7, D7, method="kron")


def test_spectrum_integrates_to_covariance():
    # ∫ S(ω) dω / 2π = Σ (Gardiner 2009, sec. 4.5.6); S is even in ω for real J and D
    J = np.array([[-0.1, -1.0], [1.0, -0.3]])
    D = np.array([[2.0, 0.5], [0.5, 1.0]])
    sigma = lyapunov_covariance(J, D)
    for i in range(2):
        total = 2 * quad(lambda w: power_spectrum(J, D, [w])[0, i], 0, np.inf, limit=400)[0] / (2 * np.pi)
        assert total == pytest.approx(sigma[i, i], rel=1e-6)


def test_spectrum_singular_at_centre():
    with pytest.raises(AnalysisError, match="imaginary axis"):
        power_spectrum([[0.0, 1.0], [-1.0, 0.0]], np.eye(2), [1.0])


def test_gillespie_birth_death_poisson():
    # the stationary law of the birth–death process is Poisson(k/g): mean = variance = 20
    run = gillespie(BIRTH_DEATH, x0=[20], times=[6.0], n_trajectories=4000, seed=3)
    x = run.counts[:, 0, 0]
    se_mean = np.sqrt(20 / x.size)
    se_var = 20 * np.sqrt((1 / 20 + 2) / x.size)  # Var(s²) ≈ (μ₄ − σ⁴)/N with μ₄ = λ(1 + 3λ) for Poisson
    assert abs(x.mean() - 20) < 4 * se_mean and abs(x.var() - 20) < 4 * se_var


def test_gillespie_reproducible_and_transient_mean():
    a = gillespie(BIRTH_DEATH, x0=[0], times=[0.0, 0.5, 1.0], n_trajectories=3000, seed=11)
    b = gillespie(BIRTH_DEATH, x0=[0], times=[0.0, 0.5, 1.0], n_trajectories=3000, seed=11)
    np.testing.assert_array_equal(a.counts, b.counts)
    assert np.all(a.counts[:, 0, 0] == 0)  # recorded before the first event
    # from 0 the law stays Poisson with mean (k/g)(1 − e^{−g t})
    mean = 20 * (1 - np.exp(-np.array([0.5, 1.0])))
    assert np.all(np.abs(a.counts[:, 1:, 0].mean(axis=0) - mean) < 4 * np.sqrt(mean / 3000))


def test_gillespie_errors():
    bad = {**BIRTH_DEATH, "reactions": {**BIRTH_DEATH["reactions"],
                                         "leak": {"products": {"x": 1}, "propensity": "x - 5"}}}
    with pytest.raises(AnalysisError, match="propensity of reaction 'leak'"):
        gillespie(bad, x0=[0], times=[1.0], n_trajectories=10)
    with pytest.raises(ValueError, match="copy numbers"):
        gillespie(BIRTH_DEATH, x0=[1.5], times=[1.0])
    with pytest.raises(AnalysisError, match="max_steps"):
        gillespie(BIRTH_DEATH, x0=[0], times=[100.0], n_trajectories=5, max_steps=50)
    with pytest.raises(AnalysisError, match="no reactions"):
        gillespie("brusselator", x0=[1, 1], times=[1.0])
