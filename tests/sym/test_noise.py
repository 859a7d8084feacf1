"""Closed-form LNA (linstab.sym._noise): textbook Fano factors and the symbolic Lyapunov solve."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import solve_continuous_lyapunov

from linstab import AnalysisError, load_model
from linstab.sym import diffusion_matrix, fixed_points, solve_lyapunov, symbolic_noise

POS = {"domain": "positive"}


def test_birth_death_is_poissonian():
    # ∅ -> x at k, x -> ∅ at g x: the stationary law is Poisson(k/g), Fano factor 1 (van Kampen 2007)
    m = load_model({"variables": {"x": {}}, "parameters": {"k": POS, "g": POS}, "reactions": {
        "birth": {"products": {"x": 1}, "propensity": "k"},
        "death": {"reactants": {"x": 1}, "propensity": "g*x"}}})
    (fp,) = fixed_points(m)
    noise = symbolic_noise(m, fp.state)
    k, g = m.parameters
    assert noise.covariance == sp.Matrix([[k / g]])
    assert noise.fano == (1,)
    assert sp.simplify(noise.cv2[0] - g / k) == 0  # CV² = 1/⟨n⟩


def test_two_stage_fano_factor():
    # Thattai & van Oudenaarden (2001): protein Fano factor 1 + b/(1 + g_p/g_m), burst size b = k_p/g_m
    m = load_model({"variables": {"m": {}, "p": {}},
                    "parameters": {"k_m": POS, "g_m": POS, "k_p": POS, "g_p": POS}, "reactions": {
        "transcription": {"products": {"m": 1}, "propensity": "k_m"},
        "mrna_decay": {"reactants": {"m": 1}, "propensity": "g_m*m"},
        "translation": {"reactants": {"m": 1}, "products": {"m": 1, "p": 1}, "propensity": "k_p*m"},
        "protein_decay": {"reactants": {"p": 1}, "propensity": "g_p*p"}}})
    (fp,) = fixed_points(m)
    noise = symbolic_noise(m, fp.state)
    k_m, g_m, k_p, g_p = m.parameters
    b = k_p / g_m
    assert sp.simplify(noise.fano[0] - 1) == 0
    assert sp.simplify(noise.fano[1] - (1 + b / (1 + g_p / g_m))) == 0
    # the covariance solves the Lyapunov equation it was built from
    R = noise.jacobian * noise.covariance + noise.covariance * noise.jacobian.T + noise.diffusion
    assert R.applyfunc(sp.simplify) == sp.zeros(2, 2)


def test_negative_autoregulation_fano_factor():
    # Thattai & van Oudenaarden (2001): Fano factor 1/(1 + |f'(x*)|/γ) for production f, decay γ x.
    # The fixed point x* is set by choosing beta = γ x* (1 + (x*/K)^n), so that the state is explicit.
    m = load_model({"variables": {"x": {}}, "parameters": {"beta": POS, "K": POS, "n": POS, "gamma": POS},
                    "reactions": {"production": {"products": {"x": 1}, "propensity": "beta/(1 + (x/K)^n)"},
                                  "decay": {"reactants": {"x": 1}, "propensity": "gamma*x"}}})
    beta, K, n, gamma = m.parameters
    xs = sp.Symbol("xs", positive=True)
    f = beta / (1 + (m.variables[0] / K) ** n)
    on_branch = {beta: gamma * xs * (1 + (xs / K) ** n)}
    noise = symbolic_noise(m, {"x": xs})
    fano = noise.fano[0].xreplace(on_branch)
    slope = sp.diff(f, m.variables[0]).xreplace({m.variables[0]: xs}).xreplace(on_branch)
    assert sp.simplify(fano - 1 / (1 + sp.Abs(slope) / gamma)) == 0
    assert sp.simplify(slope) != 0  # a real test: the feedback is there


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solve_lyapunov_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    n = 3
    A = rng.normal(size=(n, n)) - 3 * np.eye(n)
    B = rng.normal(size=(n, n))
    Q = B @ B.T
    X = solve_lyapunov(sp.Matrix(A), sp.Matrix(Q), simplify=False)
    np.testing.assert_allclose(np.array(X, dtype=float), solve_continuous_lyapunov(A, -Q), rtol=1e-9, atol=1e-12)


def test_singular_lyapunov_and_bad_input():
    with pytest.raises(AnalysisError, match="singular"):
        solve_lyapunov(sp.Matrix([[0, 1], [-1, 0]]), sp.eye(2))  # a centre: ±i sum to zero
    with pytest.raises(ValueError, match="symmetric"):
        solve_lyapunov(-sp.eye(2), sp.Matrix([[1, 1], [0, 1]]))
    with pytest.raises(AnalysisError, match="no reactions"):
        diffusion_matrix("brusselator")
    production_two = load_model({"variables": {"x": {}}, "reactions": {
        "birth": {"products": {"x": 1}, "propensity": "2"},
        "death": {"reactants": {"x": 1}, "propensity": "x"}}})
    with pytest.raises(ValueError, match="not a fixed point"):
        symbolic_noise(production_two, {"x": 1})  # dx/dt = 1 there; the fixed point is x = 2
    assert symbolic_noise(production_two, {"x": 2}).covariance == sp.Matrix([[2]])
