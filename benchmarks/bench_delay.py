"""Rightmost characteristic roots of a delay model on a 10^4-point delay-parameter grid: batched vs per point.

The delayed autorepressor dx/dt = beta/(1 + x(t - tau)^2) - x on a 100 x 100 grid of (beta, tau). Both
routes share the fixed points (one per beta) and the compiled matrices; the batched route discretises
all 10^4 generators as one stack (linstab.num.characteristic_roots), the baseline calls the same
function once per point in a Python loop. One run of three interleaved repeats; figures to benchmarks/results/bench_delay.json.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from linstab import load_model
from linstab.num import characteristic_roots, find_fixed_points
from linstab.num._delay import _DelayKernels
from linstab.sym import undelayed

REPEATS = 3
MODEL = Path(__file__).resolve().parents[1] / "tests" / "delay" / "autorepressor.toml"


def main() -> None:
    m = load_model(MODEL)
    kern = _DelayKernels(m)
    betas = np.linspace(1.5, 10.0, 100)
    taus = np.linspace(0.0, 5.0, 100)
    xs = np.array([find_fixed_points(undelayed(m), {"beta": b})[0].state for b in betas])
    B, T = np.meshgrid(betas, taus)
    X = np.broadcast_to(xs[None, :, :], (*B.shape, 1))
    p = np.stack([B, np.full(B.shape, 2.0), T], axis=-1)
    A0, A, tau = kern.matrices(X, p)
    A0, A, tau = A0.reshape(-1, 1, 1), A.reshape(-1, 1, 1, 1), tau.reshape(-1, 1)
    t_batched, t_loop = [], []
    for _ in range(REPEATS):  # interleaved, so that a burst of load on the shared machine hits both
        t0 = time.perf_counter()
        batched = characteristic_roots(A0, A, tau, n_roots=2)
        t_batched.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        loop = np.stack([characteristic_roots(A0[i], A[i], tau[i], n_roots=2) for i in range(len(tau))])
        t_loop.append(time.perf_counter() - t0)
    agree = float(np.nanmax(np.abs(batched[:, 0].real - loop[:, 0].real)))
    out = {"points": int(len(tau)), "n_nodes": 24, "repeats": REPEATS,
           "batched_s": [round(t, 3) for t in t_batched], "loop_s": [round(t, 3) for t in t_loop],
           "speedup_of_minima": round(min(t_loop) / min(t_batched), 1), "max_abs_diff_re": agree,
           "unstable_fraction": float(np.mean(batched[:, 0].real > 0)), "loadavg": os.getloadavg()}
    path = Path(__file__).parent / "results" / "bench_delay.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    os.replace(tmp, path)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
