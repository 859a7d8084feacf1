"""Pseudo-arclength continuation: closed forms, turning points, pitchforks, errors."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import AnalysisError, ParameterError
from linstab.num import continue_curve


def test_brusselator_hopf_line():
    (c,) = continue_curve("brusselator", "hopf", "b", "a", q_range=(0.2, 3.0))
    assert c.expression is None and c.condition is None and c.lyapunov == "supercritical"
    np.testing.assert_allclose(c.points[:, 1], 1 + c.points[:, 0] ** 2, rtol=1e-9)
    assert c.points[0, 0] == pytest.approx(0.2) and c.points[-1, 0] == pytest.approx(3.0)
    assert np.all(np.diff(c.points[:, 0]) > 0)


def test_repressilator_in_log_coordinates():
    (c,) = continue_curve("repressilator", "hopf", "beta", "n", q_range=(2.05, 6.0))
    n = c.points[:, 0]
    np.testing.assert_allclose(c.points[:, 1], n / 2 * (n / 2 - 1) ** (-(n + 1) / n), rtol=1e-9)
    assert c.points[:, 1].max() > 100  # spans decades in beta


def test_pitchfork_is_traced_in_the_symmetric_subspace():
    (c,) = continue_curve("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0))
    n = c.points[:, 0]
    np.testing.assert_allclose(c.points[:, 1], n * (n - 1) ** (-(n + 1) / n), rtol=1e-9)
    np.testing.assert_allclose(c.states[:, 0], c.states[:, 1])


def test_selkov_two_curves():
    cs = continue_curve("selkov", "hopf", "b", "a", q_range=(0.02, 0.12))
    assert len(cs) == 2
    for c in cs:
        a, b = c.points.T
        np.testing.assert_allclose(b ** 4 + (2 * a - 1) * b ** 2 + a + a ** 2, 0, atol=1e-9)  # tr J = 0


def test_errors():
    with pytest.raises(AnalysisError, match="no hopf point"):
        continue_curve("repressilator", "hopf", "beta", "n", q_range=(1.2, 1.8))
    with pytest.raises(ParameterError, match="unknown parameter"):
        continue_curve("repressilator", "hopf", "beta", "m", q_range=(2.0, 3.0))
    with pytest.raises(ValueError, match="min < max"):
        continue_curve("repressilator", "hopf", "beta", "n", q_range=(3.0, 2.0))
    with pytest.raises(AnalysisError, match="at least two state variables"):
        continue_curve("autoactivation", "hopf", "beta", "n", q_range=(2.0, 3.0))


def test_limits_at_the_domain_edge_are_no_start_points(monkeypatch):
    """The Brusselator's det J = a² has no zero for a > 0, but Newton on (x, a) runs to a -> 0 (far
    below the window of a): those limits were taken as 360 start points and traced for 55 s before
    "no fold" was said. Starts lie inside the window of the parameter."""
    import linstab.num._continuation as cont

    traced = []
    original = cont._trace
    monkeypatch.setattr(cont, "_trace", lambda *a, **k: traced.append(1) or original(*a, **k))
    with pytest.raises(AnalysisError, match="no fold point of 'brusselator'"):
        continue_curve("brusselator", "fold", "a", "b", q_range=(1.5, 6.0))
    assert not traced
