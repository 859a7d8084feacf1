"""Every fixed point in the domain and its linearization, against an independent route.

For each catalogue model the right-hand side is written again here in NumPy (from the paper, not
from the TOML); SciPy's ``root`` from 200 seeded random starts in a box finds the fixed points, and
``numpy.linalg.eigvals`` of a central-difference Jacobian gives the eigenvalues. linstab's
:func:`~linstab.num.find_fixed_points` must find the same set with the same spectra.
"""

from __future__ import annotations

import numpy as np
import pytest

from linstab.num import find_fixed_points
from tests.catalogue import _rhs as rhs
from tests.catalogue._models import fd_jacobian, model, multistart_roots


# name: (numpy rhs, box low, box high) — the box holds every fixed point of the domain
CATALOGUE = {
    "rosenzweig_macarthur": (rhs.rm, [0, 0], [10, 10]),
    "toggle_inducer": (rhs.toggle_iptg, [0, 0], [200, 20]),
    "morris_lecar": (rhs.morris_lecar, [-90, 0], [130, 1]),
    "fitzhugh_nagumo": (rhs.fhn, [-3, -3], [3, 3]),
    "schnakenberg": (rhs.schnakenberg, [0, 0], [5, 5]),
    "gray_scott": (rhs.gray_scott, [0, 0], [1.5, 1.5]),
    "lotka_volterra_competition": (rhs.lv, [0, 0], [2, 2]),
    "oregonator": (rhs.oregonator, [0, 0], [1.5, 1.5]),
    "goodwin4": (rhs.goodwin4, [0, 0, 0, 0], [11, 11, 11, 11]),
    "goodwin_kb": (rhs.goodwin_kb, [0, 0, 0], [11, 11, 11]),
    "lengyel_epstein": (rhs.lengyel_epstein, [0, 0], [12, 150]),
    "sir_vital": (rhs.sir, [0, 0], [1.5, 1.5]),
    "genetic_switch_cubic": (rhs.griffith, [0, 0], [30, 5]),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_fixed_points_and_spectra_against_scipy(name):
    f, lo, hi = CATALOGUE[name]
    ours = find_fixed_points(model(name))
    ref = multistart_roots(f, np.array(lo, float), np.array(hi, float))
    assert len(ref) >= 1
    assert len(ours) == len(ref), (name, [fp.state for fp in ours], ref)
    for x in ref:
        (fp,) = [fp for fp in ours if np.abs(fp.state - x).max() <= 1e-6 * (1 + np.abs(x).max())]
        ev = np.linalg.eigvals(fd_jacobian(f, x))
        key = lambda z: (round(z.real, 6), round(z.imag, 6))  # noqa: E731
        np.testing.assert_allclose(sorted(fp.eigenvalues, key=key), sorted(ev, key=key), rtol=1e-5, atol=1e-6)
        assert fp.stable == bool(ev.real.max() < 0)
