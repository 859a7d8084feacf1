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
from tests.catalogue._models import fd_jacobian, model, multistart_roots


def _rm(x, r=1.0, K=5.0, a=1.0, h=1.0, e=0.5, m=0.2):
    N, P = x
    return np.array([r * N * (1 - N / K) - a * N * P / (1 + a * h * N), e * a * N * P / (1 + a * h * N) - m * P])


def _toggle_iptg(x, a1=156.25, a2=15.6, beta=2.5, gamma=1.0, eta=2.0015, K=2.9618e-5, iptg=1.0e-5):
    u, v = x
    return np.array([a1 / (1 + v ** beta) - u, a2 / (1 + (u / (1 + iptg / K) ** eta) ** gamma) - v])


def _morris_lecar(x, I=60.0, C=20.0, gCa=4.4, gK=8.0, gL=2.0, VCa=120.0, VK=-84.0, VL=-60.0, V1=-1.2, V2=18.0,
                  V3=2.0, V4=30.0, phi=0.04):
    V, w = x
    m_inf = 0.5 * (1 + np.tanh((V - V1) / V2))
    w_inf = 0.5 * (1 + np.tanh((V - V3) / V4))
    return np.array([(I - gL * (V - VL) - gCa * m_inf * (V - VCa) - gK * w * (V - VK)) / C,
                     phi * (w_inf - w) * np.cosh((V - V3) / (2 * V4))])


def _fhn(x, I=0.5, a=0.7, b=0.8, eps=0.08):
    v, w = x
    return np.array([v - v ** 3 / 3 - w + I, eps * (v + a - b * w)])


def _schnakenberg(x, a=0.1, b=0.5):
    u, v = x
    return np.array([a - u + u * u * v, b - u * u * v])


def _gray_scott(x, F=0.04, k=0.05):
    u, v = x
    return np.array([-u * v * v + F * (1 - u), u * v * v - (F + k) * v])


def _lv(x, r=1.0, a12=0.5, a21=0.7):
    X, Y = x
    return np.array([X * (1 - X - a12 * Y), r * Y * (1 - Y - a21 * X)])


def _oregonator(x, eps=0.04, f=1.0, q=0.002):
    X, Z = x
    return np.array([(X * (1 - X) - f * Z * (X - q) / (X + q)) / eps, X - Z])


def _goodwin4(x, alpha=10.0, n=8.0):
    return np.array([alpha / (1 + x[3] ** n) - x[0], x[0] - x[1], x[1] - x[2], x[2] - x[3]])


def _lengyel_epstein(x, a=10.0, b=2.0):
    X, Y = x
    return np.array([a - X - 4 * X * Y / (1 + X * X), b * X * (1 - Y / (1 + X * X))])


def _sir(x, beta=0.5, gam=0.1, mu=0.02):
    S, I = x
    return np.array([mu - beta * S * I - mu * S, beta * S * I - (gam + mu) * I])


def _griffith(x, a=0.1, b=0.4):
    X, Y = x
    return np.array([-a * X + Y, X * X / (1 + X * X) - b * Y])


# name: (numpy rhs, box low, box high) — the box holds every fixed point of the domain
CATALOGUE = {
    "rosenzweig_macarthur": (_rm, [0, 0], [10, 10]),
    "toggle_inducer": (_toggle_iptg, [0, 0], [200, 20]),
    "morris_lecar": (_morris_lecar, [-90, 0], [130, 1]),
    "fitzhugh_nagumo": (_fhn, [-3, -3], [3, 3]),
    "schnakenberg": (_schnakenberg, [0, 0], [5, 5]),
    "gray_scott": (_gray_scott, [0, 0], [1.5, 1.5]),
    "lotka_volterra_competition": (_lv, [0, 0], [2, 2]),
    "oregonator": (_oregonator, [0, 0], [1.5, 1.5]),
    "goodwin4": (_goodwin4, [0, 0, 0, 0], [11, 11, 11, 11]),
    "lengyel_epstein": (_lengyel_epstein, [0, 0], [12, 150]),
    "sir_vital": (_sir, [0, 0], [1.5, 1.5]),
    "genetic_switch_cubic": (_griffith, [0, 0], [30, 5]),
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
