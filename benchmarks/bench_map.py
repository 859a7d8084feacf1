"""Benchmark: a 10⁶-point stability map of the repressilator, against the course's brute force.

Grid: n in [1.5, 5] (1000 points) × β in [1, 1000] on a log axis (1000 points). Side by side in
one run:

- ``linstab.num.stability_map`` with numpy (method ``symmetric``, i.e. what ``auto`` picks for
  the repressilator: one scalar equation per grid point, bracketed and Newton-polished for all
  points at once, eigenvalues from the characteristic polynomial in closed form), timed on the
  full grid, several repeats (the first includes compiling the kernels);
- the same map with the generic batched Newton from 12 seeds per point (``method="newton"``),
  timed on a subset and extrapolated per point;
- the brute force the course builds its diagrams with: a Python loop over grid points with a
  scalar root solve (``scipy.optimize.brentq`` on ``β = x0(1 + x0ⁿ)``) and ``np.linalg.eigvals``
  of the 3 × 3 Jacobian per point, timed on a subset and extrapolated per point.

The script also checks that the maps agree on the subset.

Run: .venv/bin/python benchmarks/bench_map.py [--n 1000] [--baseline-points 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from scipy.optimize import brentq

from linstab import load_model
from linstab.num import stability_map


def brute_force(ns: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """max Re λ per point, one point at a time (the course's way)."""
    out = np.empty(len(ns))
    for i, (n, beta) in enumerate(zip(ns, betas)):
        x0 = brentq(lambda x: x * (1 + x ** n) - beta, 0.0, beta)
        a = beta * n * x0 ** (n - 1) / (1 + x0 ** n) ** 2
        A = -np.array([[1.0, 0.0, a], [a, 1.0, 0.0], [0.0, a, 1.0]])
        out[i] = np.linalg.eigvals(A).real.max()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="points per axis (default 1000: 10^6 points)")
    ap.add_argument("--baseline-points", type=int, default=20000, help="grid points timed for the brute force")
    ap.add_argument("--newton-points", type=int, default=2500, help="grid points timed for method='newton'")
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the full-grid run")
    args = ap.parse_args()
    N = args.n * args.n
    x = ("n", 1.5, 5.0, args.n)
    y = ("beta", 1.0, 1000.0, args.n)
    load_model("repressilator")

    times = []
    for _ in range(args.repeat + 1):  # the first run compiles the kernels
        t0 = time.perf_counter()
        m = stability_map("repressilator", x, y, log_y=True, method="symmetric")
        times.append(time.perf_counter() - t0)
    first, rest = times[0], times[1:]

    # a subset of grid points spread over the whole grid (every k-th point)
    ns_all, betas_all = (a.ravel() for a in np.meshgrid(m.x, m.y))
    idx = np.linspace(0, N - 1, min(args.baseline_points, N)).astype(int)
    t0 = time.perf_counter()
    ref = brute_force(ns_all[idx], betas_all[idx])
    t_bf = time.perf_counter() - t0
    per_bf = t_bf / len(idx)
    agree = np.max(np.abs(ref - m.max_real.ravel()[idx]))

    t_torch = None
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        # one intra-op thread: on a 2-core machine shared with other jobs, torch's default of two
        # spinning threads runs this map 10-30x slower
        torch.set_num_threads(1)
        stability_map("repressilator", ("n", 1.5, 5.0, 10), ("beta", 1.0, 1000.0, 10), log_y=True,
                      method="symmetric", backend="torch")
        tt = []
        for _ in range(2):
            t0 = time.perf_counter()
            stability_map("repressilator", x, y, log_y=True, method="symmetric", backend="torch")
            tt.append(time.perf_counter() - t0)
        t_torch = min(tt)

    k = int(np.sqrt(args.newton_points))
    t0 = time.perf_counter()
    stability_map("repressilator", ("n", 1.5, 5.0, k), ("beta", 1.0, 1000.0, k), log_y=True, method="newton")
    per_newton = (time.perf_counter() - t0) / (k * k)

    best, med = min(rest), statistics.median(rest)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"repressilator stability map, {args.n} x {args.n} = {N:,} grid points (n in [1.5, 5], beta in [1, 1000] log)")
    print(f"machine: {os.cpu_count()} CPU cores, no GPU; load average at the end {load:.1f}")
    print()
    print(f"| method | points timed | time per point (µs) | time for {N:,} points (s) | vs brute force |")
    print("|---|---:|---:|---:|---:|")
    print(f"| brute force: Python loop, brentq + np.linalg.eigvals | {len(idx):,} | {per_bf * 1e6:.1f} | "
          f"{per_bf * N:.1f} (extrapolated) | 1× |")
    print(f"| linstab `stability_map(method='newton')` (12 seeds/point) | {k * k:,} | {per_newton * 1e6:.1f} | "
          f"{per_newton * N:.1f} (extrapolated) | {per_bf / per_newton:.1f}× |")
    print(f"| **linstab `stability_map` (numpy, symmetric), median of {len(rest)}** | {N:,} | {med / N * 1e6:.2f} | "
          f"**{med:.2f}** (best {best:.2f}; first run with compilation {first:.2f}) | **{per_bf * N / med:.0f}×** |")
    if t_torch is not None:
        print(f"| linstab `stability_map` (torch CPU, 1 thread, symmetric), best of 2 | {N:,} | {t_torch / N * 1e6:.2f} | "
              f"{t_torch:.2f} | {per_bf * N / t_torch:.0f}× |")
    print()
    print(f"max |max Re λ (linstab) − max Re λ (brute force)| on the subset: {agree:.1e}")


if __name__ == "__main__":
    main()
