"""Catalogue models written from the literature (not built-ins), and independent numeric routes.

The independent routes use SciPy and NumPy only, on right-hand sides written here in NumPy — never
linstab's kernels — so that a test compares two computations that share nothing but the maths.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.optimize import root

from linstab import load_model

HERE = Path(__file__).parent / "models"


def model(name: str):
    """The catalogue model ``tests/catalogue/models/NAME.toml``."""
    return load_model(HERE / f"{name}.toml")


def fd_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of ``f`` at ``x``."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h * (1 + abs(x[i]))
        cols.append((f(x + e) - f(x - e)) / (2 * e[i]))
    return np.column_stack(cols)


def multistart_roots(f: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray, *, n: int = 200,
                     seed: int = 0, tol: float = 1e-6) -> np.ndarray:
    """Distinct roots of ``f`` in the box ``[lo, hi]`` by ``scipy.optimize.root`` from ``n`` seeded
    random starts (plus the box's corners), as rows of an array."""
    rng = np.random.default_rng(seed)
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    corners = [np.array(c, dtype=float) for c in itertools.product(*zip(lo, hi))]
    starts = corners + list(lo + (hi - lo) * rng.random((n, lo.size)))
    found: list[np.ndarray] = []
    for x0 in starts:
        with np.errstate(all="ignore"):  # trial steps may leave the domain of a power
            sol = root(f, x0, method="hybr")
            x = sol.x
            res = np.abs(f(x)).max()
        if not sol.success or not res <= 1e-9 * (1 + np.abs(x).max()):
            continue
        if np.any(x < lo - 1e-9) or np.any(x > hi + 1e-9):
            continue
        if all(np.abs(x - y).max() > tol * (1 + np.abs(x).max()) for y in found):
            found.append(x)
    return np.array(found).reshape(-1, lo.size)
