"""The 1-D periodic reaction–diffusion simulation shows the pattern the dispersion relation predicts."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import load_model
from linstab.num import dispersion, max_growth, simulate_pattern
from linstab.sym import turing_conditions
from tests._turing_ref import TURING_MODELS


@pytest.mark.parametrize("name", TURING_MODELS)
def test_pattern_wavelength_near_the_fastest_mode(name):
    m = load_model(name)
    values = {k: float(v) for k, v in m.parameter_values.items()}
    g, kstar, _ = max_growth(m)
    assert g > 0
    length = 10 * 2 * np.pi / float(kstar)  # ten fastest wavelengths fit exactly
    sim = simulate_pattern(m, length=length, n_points=200, t_end=250.0, n_times=26)
    assert sim.amplitude(time=0) < 0.05 and sim.amplitude() > 0.5  # the pattern grew from noise
    # linear regime (small amplitude): the dominant mode is one of the fastest-growing ones — it grows at
    # 90 % or more of the maximal rate (where the dispersion curve is flat, noise picks among them)
    early = next(i for i in range(len(sim.t)) if sim.amplitude(time=i) > 20 * sim.amplitude(time=0))
    k_early = sim.dominant_wavenumber(time=early)
    assert dispersion(m, [k_early])[0, 0].real >= 0.9 * float(g)
    # the final pattern: inside the closed-form unstable band, within 20 % of 2π/k*
    k1, k2 = (np.sqrt(v) for v in _band(m, values))
    kf = sim.dominant_wavenumber()
    assert k1 < kf < k2 and abs(kf - float(kstar)) <= 0.2 * float(kstar)
    # the pattern has (nearly) settled: over the last output interval it changes by under 5 %
    assert np.max(np.abs(sim.u[-1] - sim.u[-2])) < 0.05 * sim.amplitude()


def _band(m, values):
    """The closed-form band k₁² < k² < k₂², in J(u*) at the state the simulation settled near."""
    import sympy as sp

    from linstab.num import find_fixed_points

    tc = turing_conditions(m, state=None)  # J in the state variables: also for an implicit state
    stable = [fp for fp in find_fixed_points(m) if fp.stable]
    state = max(stable, key=lambda fp: float(np.linalg.norm(fp.state))).state
    subs = {m.symbol(k): v for k, v in values.items()} | dict(zip(m.variables, state))
    return [float(sp.N(e.xreplace(subs))) for e in tc.band]


def test_below_the_critical_ratio_perturbations_decay():
    m = load_model("schnakenberg")
    dc = turing_conditions(m).at({"a": 0.1, "b": 0.9, "d": 1.0})["critical_ratio"]
    sim = simulate_pattern(m, length=60.0, n_points=128, t_end=100.0, n_times=3, values={"d": 0.8 * dc})
    assert sim.amplitude() < 1e-2 * sim.amplitude(time=0)


def test_deterministic_and_checked_arguments():
    a = simulate_pattern("gierer_meinhardt", length=30.0, n_points=32, t_end=5.0, n_times=2, seed=3)
    b = simulate_pattern("gierer_meinhardt", length=30.0, n_points=32, t_end=5.0, n_times=2, seed=3)
    np.testing.assert_array_equal(a.u, b.u)
    with pytest.raises(ValueError, match="length must be a positive"):
        simulate_pattern("schnakenberg", length=-1.0)
