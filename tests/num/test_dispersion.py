"""Batched dispersion kernels and Turing maps against an independent numeric reference."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import AnalysisError, ParameterError, load_model
from linstab.num import dispersion, max_growth, turing_map
from tests._turing_ref import TURING_MODELS, reference

GUESS = {"schnakenberg": [1.0, 1.0], "gierer_meinhardt": [1.0, 1.0], "lengyel_epstein": [2.0, 5.0],
         "activator_inhibitor": [0.7, 1.4]}  # its "on" state (the circuit is bistable)


@pytest.mark.parametrize("name", TURING_MODELS)
def test_dispersion_matches_finite_difference_reference(name):
    m = load_model(name)
    values = {k: float(v) for k, v in m.parameter_values.items()}
    x, J, D, k, lam = reference(m, values, GUESS[name], n_k=2001)
    ours = dispersion(m, k)
    assert ours.shape == (len(k), 2)
    np.testing.assert_allclose(ours[:, 0].real, lam, atol=1e-6)
    g, kstar, g0 = max_growth(m)
    i = np.argmax(lam)
    assert g == pytest.approx(lam[i], abs=1e-5) and kstar == pytest.approx(k[i], abs=5e-3)
    assert g0 == pytest.approx(lam[0], abs=1e-6)


def test_batches_broadcast_over_parameter_grids():
    d = np.linspace(2.0, 40.0, 7)
    b = np.array([0.6, 0.9, 1.2])[:, None]
    lam = dispersion("schnakenberg", np.linspace(0, 1, 5), values={"d": d, "b": b})
    assert lam.shape == (3, 7, 5, 2)
    g, _, _ = max_growth("schnakenberg", values={"d": d, "b": b})
    m = load_model("schnakenberg")
    for i in (0, 2):
        for j in (1, 6):
            one, _, _ = max_growth(m.with_values(d=float(d[j]), b=float(b[i, 0])))
            assert g[i, j] == pytest.approx(float(one), abs=1e-12)


def test_turing_map_regions_against_closed_form():
    from linstab.sym import turing_conditions

    tc = turing_conditions("schnakenberg")
    tm = turing_map("schnakenberg", ("d", 2.0, 40.0, 12), ("b", 0.3, 2.0, 9))
    for i, b in enumerate(tm.y):
        for j, d in enumerate(tm.x):
            out = tc.at({"a": 0.1, "b": float(b), "d": float(d)})
            if abs(out["discriminant"]) < 1e-3 or abs(out["trace"]) < 1e-3:
                continue  # on a boundary: either side is right
            expected = 1 if out["turing"] else (2 if out["trace"] > 0 else 0)
            assert tm.region[i, j] == expected, (b, d)
    assert {0, 1, 2} <= set(tm.region.ravel().tolist())


def test_errors():
    with pytest.raises(AnalysisError, match="no \\[diffusion\\] table"):
        dispersion("brusselator", [0.0])
    with pytest.raises(ParameterError, match="unknown parameter 'q'"):
        max_growth("schnakenberg", values={"q": 1.0})
    with pytest.raises(ParameterError, match="diffusion coefficient is negative"):
        max_growth("schnakenberg", values={"d": -1.0})
    with pytest.raises(ValueError, match="min < max"):
        turing_map("schnakenberg", ("d", 5.0, 1.0, 4), ("b", 0.5, 1.0, 3))
