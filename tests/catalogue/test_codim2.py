"""Codimension-two points along continued curves, on the normal forms of Kuznetsov (2004), ch. 8."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.num import continue_curve, first_lyapunov_coefficient
from tests.catalogue._models import model


def test_cusp_on_the_fold_curves_of_the_cusp_normal_form():
    # x' = a + b x − x³: folds on 27 a² = 4 b³ (b > 0), meeting in a cusp at (b, a) = (0, 0)
    curves = continue_curve(model("cusp_normal_form"), "fold", "a", "b", q_range=(-0.5, 1.0))
    for c in curves:
        b, a = c.points[:, 0], c.points[:, 1]
        np.testing.assert_allclose(27 * a ** 2, 4 * b ** 3, atol=1e-10)
    cusps = [pt for c in curves for pt in c.codim2]
    assert cusps and all(name == "cusp" for name, _, _ in cusps)
    for _, b, a in cusps:
        assert abs(b) < 1e-8 and abs(a) < 1e-8


def test_bogdanov_takens_point_on_the_fold_curve():
    # x'' = b1 + b2 x + x² − x x': fold on b1 = b2²/4; a double zero eigenvalue at (b2, b1) = (0, 0)
    (fold,) = continue_curve(model("bogdanov_takens"), "fold", "b1", "b2", q_range=(-1.0, 1.0))
    np.testing.assert_allclose(fold.points[:, 1], fold.points[:, 0] ** 2 / 4, atol=1e-10)
    ((name, b2, b1),) = fold.codim2
    assert name == "Bogdanov–Takens" and abs(b2) < 1e-8 and abs(b1) < 1e-8
    # the Hopf curve b1 = 0 exists for b2 < 0 only and ends at the Bogdanov–Takens point
    (hopf,) = continue_curve(model("bogdanov_takens"), "hopf", "b1", "b2", q_range=(-1.0, 1.0))
    assert np.all(hopf.points[:, 0] < 0) and hopf.points[:, 0].max() > -0.1
    np.testing.assert_allclose(hopf.points[:, 1], 0.0, atol=1e-10)


def test_bautin_point_where_the_first_lyapunov_coefficient_changes_sign():
    # z' = (b1 + i) z + b2 z|z|² − z|z|⁴: Hopf on b1 = 0, ℓ₁ has the sign of b2 (Kuznetsov, eq. 8.20)
    m = model("bautin_normal_form")
    for b2 in (-0.5, 0.3):
        assert np.sign(first_lyapunov_coefficient(m, [0.0, 0.0], values={"b1": 0.0, "b2": b2})) == np.sign(b2)
    (hopf,) = continue_curve(m, "hopf", "b1", "b2", q_range=(-1.0, 1.0))
    ((name, b2, b1),) = hopf.codim2
    assert name == "Bautin" and b2 == pytest.approx(0.0, abs=1e-8) and b1 == pytest.approx(0.0, abs=1e-10)
    assert hopf.to_dict()["codim2"][0][0] == "Bautin"
