"""Benchmark: LNA covariance on a 10⁴-point parameter grid, batched against a per-point SciPy loop.

Model: two-stage gene expression (`gene_expression`, 2 species, 4 reactions) on a 100 × 100 grid of
(k_p, g_p). Timed, side by side in one process, each once (after one warm-up call of the kernels):

1. the Lyapunov solve only, on the same 10⁴ drift and diffusion matrices:
   `linstab.num.lyapunov_covariance` (one batched Kronecker solve) against a Python loop of
   `scipy.linalg.solve_continuous_lyapunov` (Bartels–Stewart), the per-point baseline;
2. the whole grid: `linstab.analysis.noise_scan` (batched Newton for the fixed points, batched
   kernels for J and S diag(a) Sᵀ, batched solve, stability check) against a per-point loop that
   evaluates the same kernels at the closed-form fixed point and calls SciPy's solver;
3. the solve only for larger systems (n = 3, 4, 6, up to KRON_MAX_VARIABLES; random stable J,
   D = B Bᵀ; 10⁴ points).

The results agree to the printed relative difference. Figures go to benchmarks/results/bench_noise.txt.

Run: .venv/bin/python benchmarks/bench_noise.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.linalg import solve_continuous_lyapunov

from linstab import load_model
from linstab.analysis import noise_scan
from linstab.num import lyapunov_covariance
from linstab.sym import stoichiometry_matrix

OUT = Path(__file__).resolve().parent / "results" / "bench_noise.txt"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def scipy_loop(J, D):
    return np.stack([solve_continuous_lyapunov(j, -d) for j, d in zip(J, D)])


def main() -> int:
    lines = []
    say = lambda s="": (print(s), lines.append(s))  # noqa: E731
    load = os.getloadavg()
    say(f"# {os.cpu_count()} CPU cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    model = load_model("gene_expression")
    k_p, g_p = np.meshgrid(np.linspace(1.0, 50.0, 100), np.linspace(0.05, 2.0, 100))
    grid = {"k_p": k_p, "g_p": g_p}
    noise_scan(model, {"k_p": k_p[:2, :2], "g_p": g_p[:2, :2]})  # warm-up: compiles the kernels

    scan, t_scan = timed(lambda: noise_scan(model, grid))
    J = scan.jacobian.reshape(-1, 2, 2)
    D = scan.diffusion.reshape(-1, 2, 2)
    batched, t_kron = timed(lambda: lyapunov_covariance(J, D, method="kron"))
    looped, t_loop = timed(lambda: scipy_loop(J, D))
    rel = np.max(np.abs(batched - looped) / np.max(np.abs(looped), axis=(-1, -2), keepdims=True))

    # per-point end to end: the closed-form fixed point, the same kernels one point at a time, SciPy
    S = np.array(stoichiometry_matrix(model).tolist(), dtype=float)
    akernel = model.kernel("propensities")
    jac = model.kernel("jacobian")
    base = dict(model.parameter_values)

    def per_point():
        out = np.empty((k_p.size, 2, 2))
        for i, (kp, gp) in enumerate(zip(k_p.ravel(), g_p.ravel())):
            p = np.array([base["k_m"], base["g_m"], kp, gp])
            x = np.array([p[0] / p[1], p[0] * kp / (p[1] * gp)])
            Jx = jac(x, p)
            Dx = (S * akernel(x, p)) @ S.T
            out[i] = solve_continuous_lyapunov(Jx, -Dx)
        return out

    pp, t_pp = timed(per_point)
    rel_pp = np.max(np.abs(scan.covariance.reshape(-1, 2, 2) - pp) / np.max(np.abs(pp), axis=(-1, -2), keepdims=True))
    fano_err = np.max(np.abs(scan.fano[..., 1] - (1 + k_p / (1 + g_p))) / (1 + k_p / (1 + g_p)))

    say(f"gene_expression, {k_p.size:,} grid points (k_p × g_p), each route once:")
    say(f"  Lyapunov solve, batched Kronecker (linstab.num.lyapunov_covariance)  {t_kron * 1e3:9.1f} ms")
    say(f"  Lyapunov solve, per-point scipy.linalg.solve_continuous_lyapunov loop {t_loop * 1e3:9.1f} ms"
        f"   ({t_loop / t_kron:.0f}x)")
    say(f"  whole grid, linstab.analysis.noise_scan (batched)                     {t_scan * 1e3:9.1f} ms")
    say(f"  whole grid, per-point kernels + SciPy loop                            {t_pp * 1e3:9.1f} ms"
        f"   ({t_pp / t_scan:.0f}x)")
    say(f"  max relative difference: solve {rel:.1e}, whole grid {rel_pp:.1e}; "
        f"protein Fano vs 1 + b/(1 + g_p/g_m): {fano_err:.1e}")
    say()
    say("solve only, random stable J and D = B Bᵀ, 10,000 points:")
    rng = np.random.default_rng(0)
    for n in (3, 4, 6):
        Jn = rng.normal(size=(10_000, n, n))
        Jn -= (np.max(np.linalg.eigvals(Jn).real, axis=-1) + 0.5)[:, None, None] * np.eye(n)
        B = rng.normal(size=(10_000, n, n))
        Dn = B @ np.swapaxes(B, -1, -2)
        fast, tf = timed(lambda: lyapunov_covariance(Jn, Dn, method="kron"))
        slow, ts = timed(lambda: scipy_loop(Jn, Dn))
        err = np.max(np.abs(fast - slow) / np.max(np.abs(slow), axis=(-1, -2), keepdims=True))
        say(f"  n = {n}: batched Kronecker {tf * 1e3:8.1f} ms, SciPy loop {ts * 1e3:8.1f} ms "
            f"({ts / tf:.1f}x), max relative difference {err:.1e}")
    OUT.parent.mkdir(exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
