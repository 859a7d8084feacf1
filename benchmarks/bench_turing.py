"""Benchmark: a Turing region map, batched against a per-point loop, in one process.

Route 1 (linstab): :func:`linstab.num.turing_map` on an N x N grid of (d, b) for the Schnakenberg
model — every grid point and every wavenumber in one batched computation.
Route 2 (baseline): a Python loop over the same grid points; at each point the homogeneous state
(SymPy substitution) and the Jacobian there (the same compiled kernel) are evaluated, and max over k
of Re λ(J − k²D) is taken with NumPy's batched eigenvalues on a 200-point k grid — the
straightforward way to draw such a map.
The two must agree on the regions (away from the boundary, where grids may differ by a cell).

Run: .venv/bin/python benchmarks/bench_turing.py [--n 60]; writes benchmarks/results/bench_turing.txt.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from linstab import load_model
from linstab.num import turing_map

OUT = Path(__file__).resolve().parent / "results" / "bench_turing.txt"


def baseline(model, xs, ys):
    from linstab.sym import homogeneous_state

    state = homogeneous_state(model)
    jac = model.kernel("jacobian")
    names = model.parameter_names
    region = np.zeros((len(ys), len(xs)), dtype=int)
    k2 = np.linspace(0.0, 4.0, 200) ** 2
    for i, b in enumerate(ys):
        for j, d in enumerate(xs):
            vals = {**model.parameter_values, "d": d, "b": b}
            p = np.array([vals[n] for n in names])
            subs = {model.symbol(n): v for n, v in vals.items()}
            x = np.array([float(state[v].xreplace(subs)) for v in model.variables])
            J = np.asarray(jac(x, p))
            D = np.diag([1.0, d])
            g0 = np.linalg.eigvals(J).real.max()
            g = np.linalg.eigvals(J[None] - k2[1:, None, None] * D[None]).real.max()  # all k at once
            region[i, j] = 2 if g0 >= 0 else (1 if g > 0 else 0)
    return region


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    args = ap.parse_args()
    m = load_model("schnakenberg")
    xs, ys = np.linspace(2.0, 40.0, args.n), np.linspace(0.3, 2.0, args.n)
    turing_map(m, ("d", 2.0, 40.0, 4), ("b", 0.3, 2.0, 4))  # compile the kernels first
    t0 = time.perf_counter()
    tm = turing_map(m, ("d", 2.0, 40.0, args.n), ("b", 0.3, 2.0, args.n))
    t_batched = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = baseline(m, xs, ys)
    t_loop = time.perf_counter() - t0
    agree = float(np.mean(tm.region == ref))
    load = os.getloadavg()
    text = (f"Turing map of schnakenberg, {args.n} x {args.n} grid of (d, b), 2 species\n"
            f"batched turing_map (200 k² points + refinement per grid point): {t_batched:.3f} s\n"
            f"per-point loop (NumPy eigvals, 200 k values per call):            {t_loop:.3f} s\n"
            f"speed-up: {t_loop / t_batched:.1f}x; regions agree on {100 * agree:.1f} % of cells\n"
            f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print(text, end="")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, OUT)


if __name__ == "__main__":
    main()
