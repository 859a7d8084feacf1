"""Benchmark: a generic (non-symmetric) stability map of a 2-D model with up to three fixed points.

Griffith's positive-feedback switch (x' = −a x + y, y' = x²/(1 + x²) − b y; Strogatz 2015,
ex. 8.1.13) has one fixed point for a b > 1/2 and three (bistable) below. `stability_map`
(method "newton": batched Newton from 12 seeds per point, then continuation across the grid) is
timed on an N × N grid and compared, in the same run, with a per-point loop — the same 12 seeds
per point through `scipy.optimize.root` (hybr), de-duplication, `numpy.linalg.eigvals` of the
Jacobian — on an evenly spread subset of the grid points, extrapolated to the whole grid. The
region labels of the two routes are compared on that subset.

Run: .venv/bin/python benchmarks/bench_map_generic.py [--n 300] [--loop 400]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import root

from linstab import load_model
from linstab.num import stability_map
from linstab.num._maps import _seeds

MODEL = {
    "name": "griffith_switch",
    "variables": {"x": {"domain": "nonnegative"}, "y": {"domain": "nonnegative"}},
    "parameters": {"a": {"value": 0.1, "domain": "positive"}, "b": {"value": 0.4, "domain": "positive"}},
    "equations": {"x": "-a*x + y", "y": "x**2/(1 + x**2) - b*y"},
}


def _label(n_fixed: int, n_stable: int, focus: bool) -> str:
    if n_fixed == 0:
        return "none"
    if n_stable >= 2:
        return "multistable"
    if n_stable == 1:
        return "stable"
    return "oscillatory" if focus else "unstable"


def _per_point(model, a: float, b: float, seeds: np.ndarray) -> str:
    f = lambda z: np.array([-a * z[0] + z[1], z[0] ** 2 / (1 + z[0] ** 2) - b * z[1]])  # noqa: E731
    jac = model.kernel("jacobian")
    found: list[np.ndarray] = []
    for s in seeds:
        sol = root(f, s, method="hybr")
        x = sol.x
        if not sol.success or np.abs(f(x)).max() > 1e-7 * (1 + np.abs(x).max()) or np.any(x < -1e-9):
            continue
        if all(np.abs(x - y).max() > 1e-6 * (1 + np.abs(x).max()) for y in found):
            found.append(x)
    n_stable, focus = 0, False
    for x in found:
        ev = np.linalg.eigvals(jac(x, [a, b]))
        n_stable += bool(ev.real.max() < 0)
        focus |= bool(np.any((ev.real >= 0) & (np.abs(ev.imag) > 1e-9)))
    return _label(len(found), n_stable, focus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="grid points per axis (default 300)")
    parser.add_argument("--loop", type=int, default=400, help="grid points in the per-point loop (default 400)")
    args = parser.parse_args(argv)
    model = load_model(MODEL)
    stability_map(model, ("a", 0.05, 0.2, 4), ("b", 0.5, 10.0, 4), method="newton")  # compile the kernels
    t0 = time.perf_counter()
    m = stability_map(model, ("a", 0.05, 0.2, args.n), ("b", 0.5, 10.0, args.n), method="newton")
    t_map = time.perf_counter() - t0
    A, B = np.meshgrid(m.x, m.y)
    idx = np.unique(np.linspace(0, A.size - 1, args.loop).astype(int))
    seeds = _seeds(model, 12)
    t0 = time.perf_counter()
    labels = [_per_point(model, A.flat[i], B.flat[i], seeds) for i in idx]
    t_loop = (time.perf_counter() - t0) / len(idx) * A.size
    same = np.mean(np.array(labels) == m.region.flat[idx])
    print(f"grid {args.n} x {args.n} = {A.size} points; regions: "
          + ", ".join(f"{r} {np.mean(m.region == r):.1%}" for r in np.unique(m.region)))
    print(f"| stability_map (newton + grid continuation) | {t_map:8.2f} s |")
    print(f"| per-point scipy.optimize.root loop, same seeds (extrapolated from {len(idx)} points) | {t_loop:8.1f} s |")
    print(f"speed-up {t_loop / t_map:.0f}x; identical region labels at {same:.1%} of the {len(idx)} compared points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
