"""First Lyapunov coefficient against textbook cases of known criticality."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import AnalysisError, DimensionError, Model, load_model
from linstab.num import first_lyapunov_coefficient, hopf_criticality


def _normal_form(sigma: float, omega: float = 1.0) -> Model:
    return Model.from_dict({"name": "hopf_nf", "parameters": {"mu": 0.0, "sigma": sigma, "w": omega},
                            "equations": {"x": "mu*x - w*y + sigma*x*(x^2 + y^2)",
                                          "y": "w*x + mu*y + sigma*y*(x^2 + y^2)"}})


@pytest.mark.parametrize("sigma", [-1.0, -0.3, 0.5, 2.0])
@pytest.mark.parametrize("omega", [1.0, 2.5])
def test_normal_form_value_and_sign(sigma, omega):
    # ż = (μ + iω) z + σ z|z|²: with q̄ᵀq = 1 (Kuznetsov 2004, sec. 3.5), ℓ₁ = 2σ/ω
    l1 = first_lyapunov_coefficient(_normal_form(sigma, omega), [0.0, 0.0])
    assert l1 == pytest.approx(2 * sigma / omega, rel=1e-9)
    want = "supercritical" if sigma < 0 else "subcritical"
    assert hopf_criticality(_normal_form(sigma, omega), [0.0, 0.0]) == want


def test_van_der_pol_super_and_reversed_sub():
    # Strogatz (2015), sec. 8.2: x'' + (x² − μ)x' + x = 0 is supercritical at μ = 0; flipping the
    # sign of the cubic damping makes it subcritical
    vdp = Model.from_dict({"parameters": {"mu": 0.0}, "equations": {"x": "y", "y": "-x + (mu - x^2)*y"}})
    rev = Model.from_dict({"parameters": {"mu": 0.0}, "equations": {"x": "y", "y": "-x + (mu + x^2)*y"}})
    assert first_lyapunov_coefficient(vdp, [0, 0]) < 0
    assert first_lyapunov_coefficient(rev, [0, 0]) > 0
    assert first_lyapunov_coefficient(vdp, [0, 0]) == pytest.approx(-first_lyapunov_coefficient(rev, [0, 0]))


def test_linear_centre_is_degenerate():
    centre = Model.from_dict({"equations": {"x": "-y", "y": "x"}})
    assert hopf_criticality(centre, [0.0, 0.0]) == "degenerate"


@pytest.mark.parametrize("a", [0.5, 1.0, 2.0])
def test_brusselator_supercritical(a):
    # Brusselator Hopf at b = 1 + a², fixed point (a, b/a): supercritical for all a
    b = 1 + a * a
    assert hopf_criticality("brusselator", [a, b / a], values={"a": a, "b": b}) == "supercritical"


def test_repressilator_supercritical_on_the_seed_line():
    n = 3.0
    beta = n / 2 * (n / 2 - 1) ** (-(n + 1) / n)
    x0 = (2 / (n - 2)) ** (1 / n)
    assert hopf_criticality("repressilator", [x0] * 3, values={"beta": beta, "n": n}) == "supercritical"


def test_errors():
    with pytest.raises(AnalysisError, match="no complex pair"):
        first_lyapunov_coefficient("toggle_switch", [1.0, 1.0], values={"beta": 2.0, "n": 2.0})
    with pytest.raises(AnalysisError, match="not a Hopf point|imaginary axis"):
        first_lyapunov_coefficient("brusselator", [1.0, 3.0], values={"a": 1.0, "b": 3.0})
    with pytest.raises(DimensionError, match=r"shape \(3,\) while it should have had \(2,\)"):
        first_lyapunov_coefficient("brusselator", [1.0, 2.0, 3.0])
    assert np.isfinite(first_lyapunov_coefficient(load_model("brusselator"), [1.0, 2.0], values={"b": 2.0}))


def test_parameter_values_in_place_of_the_state_get_a_clear_error():
    """The mistake of passing parameter values second: a one-line TypeError that says what to do."""
    with pytest.raises(TypeError, match=r"`state` is the equilibrium.*values=\{"):
        first_lyapunov_coefficient("brusselator", {"b": 2.0})
    with pytest.raises(TypeError):  # values are keyword-only
        first_lyapunov_coefficient("brusselator", [1.0, 2.0], {"b": 2.0})
