"""Simulation cross-checks: decay below a Hopf curve, sustained oscillation above it."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import AnalysisError, DimensionError, Model, load_model
from linstab.num import check_behaviour, simulate
from linstab.analysis import bifurcation_curves


def test_simulate_reaches_the_fixed_point():
    tr = simulate("repressilator", (0, 60), [1.0, 1.2, 1.4], {"beta": 2.0, "n": 3.0})
    assert tr.x.shape == (2000, 3) and tr.variables == ("x1", "x2", "x3")
    np.testing.assert_allclose(tr.x[-1], 1.0, atol=1e-6)  # beta = x0(1 + x0^3) = 2 at x0 = 1


def test_one_variable_model():
    tr = simulate("autorepression", (0, 30), [0.0], {"beta": 2.0, "n": 1.0})
    assert tr.x[-1, 0] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("model", "param", "against", "q"), [
    ("repressilator", "beta", "n", 3.0),
    ("brusselator", "b", "a", 1.0),
    ("goodwin", "a", "n", 12.0),
])
def test_behaviour_on_each_side_of_the_hopf_curve(model, param, against, q):
    (c,) = bifurcation_curves(model, "hopf", param, against, q_range=(q, q), n_points=1, lyapunov=False)
    p_star = c.points[0, 1]
    below = check_behaviour(model, {param: 0.8 * p_star, against: q}, t_end=600)
    above = check_behaviour(model, {param: 1.25 * p_star, against: q}, t_end=600)
    assert below.kind == "decay" and np.isnan(below.period)
    assert above.kind == "oscillation" and above.amplitude > 1e-2
    # near onset the period is close to 2π/ω of the critical pair
    m = load_model(model)
    J = m.kernel("jacobian")(c.states[0], m.parameter_vector({param: p_star, against: q}))
    omega = np.abs(np.linalg.eigvals(J).imag).max()
    assert above.period == pytest.approx(2 * np.pi / omega, rel=0.35)


def test_errors():
    with pytest.raises(DimensionError, match="x0 had shape"):
        simulate("repressilator", (0, 1), [1.0, 2.0])
    blowup = Model.from_dict({"equations": {"x": "x^2"}})  # x(t) = 1/(1 - t) blows up at t = 1
    with pytest.raises(AnalysisError, match="integrator failed"):
        simulate(blowup, (0, 2), [1.0], method="RK45")
