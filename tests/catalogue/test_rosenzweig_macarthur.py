"""Rosenzweig–MacArthur predator–prey against its closed forms.

dN/dt = rN(1 − N/K) − aNP/(1 + ahN),  dP/dt = eaNP/(1 + ahN) − mP.

Fixed points (0, 0), (K, 0) and, for K > N*, the coexistence point
N* = m / (a(e − hm)),  P* = (r/a)(1 − N*/K)(1 + ahN*).
The coexistence point is born from (K, 0) in a transcritical bifurcation at K = N* and loses
stability in a supercritical Hopf bifurcation at K_H = 1/(ah) + 2N* (where the prey isocline's hump
passes the predator isocline; "paradox of enrichment"). References: Rosenzweig, Science 171:385
(1971); Kuznetsov (2004), sec. 3.3; Strogatz (2015), ex. 8.2.
"""

from __future__ import annotations

import numpy as np
import pytest

from linstab.num import stability_map
from tests.catalogue._models import fd_jacobian, model

R, A, H, E = 1.0, 1.0, 1.0, 0.5


def rhs(x, m, K):
    N, P = x
    return np.array([R * N * (1 - N / K) - A * N * P / (1 + A * H * N), E * A * N * P / (1 + A * H * N) - m * P])


def n_star(m):
    return m / (A * (E - H * m))


def k_hopf(m):
    return 1 / (A * H) + 2 * n_star(m)


def test_map_labels_and_coexistence_point_everywhere():
    # regression (issue 11, 1.1): past the Hopf curve, with no stable fixed point, the map reported the
    # saddle (K, 0) and did not call the point oscillatory; the coexistence point was missed at
    # some grid points
    M = stability_map(model("rosenzweig_macarthur"), ("m", 0.05, 0.45, 60), ("K", 0.5, 20.0, 60))
    mm, KK = np.meshgrid(M.x, M.y)
    ns, kh = n_star(mm), k_hopf(mm)
    beyond = KK > 1.01 * kh
    between = (KK > 1.01 * ns) & (KK < 0.99 * kh)
    below = KK < 0.99 * ns
    assert beyond.sum() > 500 and between.sum() > 300 and below.sum() > 100
    assert np.all(M.oscillatory[beyond] & (M.max_real[beyond] > 0))
    assert np.all(M.n_fixed[beyond | between] == 3) and np.all(M.n_fixed[below] == 2)
    assert np.all(M.region[beyond] == "oscillatory")
    assert np.all(M.region[between] == "stable") and np.all(M.region[below] == "stable")
    # max_real is that of the most stable fixed point: against eigvals at the closed-form points
    for i, j in zip(*np.nonzero(beyond | between | below)):
        m, K = mm[i, j], KK[i, j]
        pts = [(0.0, 0.0), (K, 0.0)]
        if K > ns[i, j]:
            N = ns[i, j]
            pts.append((N, R / A * (1 - N / K) * (1 + A * H * N)))
        lead = min(np.linalg.eigvals(fd_jacobian(lambda x: rhs(x, m, K), np.array(p))).real.max() for p in pts)
        assert abs(M.max_real[i, j] - lead) < 1e-5 * (1 + abs(lead))


def test_map_numpy_equals_torch():
    pytest.importorskip("torch")
    axes = (("m", 0.05, 0.45, 24), ("K", 0.5, 20.0, 24))
    a = stability_map(model("rosenzweig_macarthur"), *axes)
    b = stability_map(model("rosenzweig_macarthur"), *axes, backend="torch")
    assert np.array_equal(a.region, b.region) and np.array_equal(a.n_fixed, b.n_fixed)
    np.testing.assert_allclose(a.max_real, b.max_real, atol=1e-9)
