"""The built-in FitzHugh–Nagumo model against facts derived by hand (FitzHugh 1961).

The Jacobian is [[1 - v², -1], [eps, -b eps]]: its trace vanishes where v² = 1 - b eps, so the
rest state loses stability (Hopf) when it reaches v = ±sqrt(1 - b eps) on the w-nullcline
w = (v + a)/b; the v-nullcline then gives the current.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from linstab import load_model
from linstab.num import continue_curve, find_fixed_points, simulate


def _hopf_currents(a: float, b: float, eps: float) -> list[float]:
    out = []
    for v in (-math.sqrt(1 - b * eps), math.sqrt(1 - b * eps)):
        w = (v + a) / b
        out.append(w - v + v**3 / 3)          # current from dv/dt = 0
    return sorted(out)


def test_rest_state_is_stable_without_current():
    (fp,) = find_fixed_points("fitzhugh_nagumo")
    v, w = fp.state
    assert v**3 / 3 - v + w == pytest.approx(0.0, abs=1e-10) and w == pytest.approx((v + 0.7) / 0.8)
    assert fp.classification == "stable spiral"


def test_hopf_currents_match_the_trace_condition():
    curves = continue_curve("fitzhugh_nagumo", "hopf", "current", "eps", q_range=(0.08, 0.3),
                            p_range=(0.0, 2.0))
    found = sorted(float(c.points[0, 1]) for c in curves if c.points[0, 0] == pytest.approx(0.08))
    np.testing.assert_allclose(found, _hopf_currents(0.7, 0.8, 0.08), rtol=1e-6)


def test_excitable_all_or_none():
    model = load_model("fitzhugh_nagumo")
    (fp,) = find_fixed_points(model)
    small = simulate(model, (0.0, 80.0), fp.state + [0.2, 0.0])
    large = simulate(model, (0.0, 80.0), fp.state + [1.0, 0.0])
    assert small.x[:, 0].max() < fp.state[0] + 0.3          # returns without a pulse
    assert large.x[:, 0].max() > 1.5                        # fires onto the right branch
    assert np.allclose(large.x[-1], fp.state, atol=1e-2)    # and comes back to rest
