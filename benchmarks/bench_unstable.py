"""Benchmark: per-cell Jacobian statistics against the number of unstable eigenvalues (issue 20).

Data: ``linstab.sc.datasets.synthetic_grn`` (dense W per cluster: a sparse network plus a low-rank
module; its ``rank`` and ``module_scale`` set how many eigenvalues per cell have positive real
part). Side by side in one run, with the same BLAS threads:

- the seed package's route (float32 J per cell, ``np.linalg.eigvals`` on float32 stacks of cells,
  then the statistics: ``seed_stats`` of ``bench_sc.py``);
- linstab ``compute_jacobian_stats(spliced_key=..., cluster_key=...)`` with ``method='auto'``
  (on the CPU: the batched Krylov route) on all cells;
- linstab ``method='sign'`` (matrix sign function by Newton's iteration, batched inverses; built
  for GPUs) on a few cells, for the record.

Cases: (A) 150 cells × 800 genes, about 17 unstable eigenvalues per cell; (B) 150 cells × 1000
genes, about 50; (C) the README's 2000 cells × 1000 genes (rank 12, 4 clusters, about 8), seed
route on ``--baseline-cells`` cells and extrapolated; (D) a sweep over the rank at 800 genes
(0 to about 150 unstable per cell): time per cell of each route, plotted to
``benchmarks/unstable_modes.png``. Counts are checked against full float64 spectra on a subset.

Run: .venv/bin/python benchmarks/bench_unstable.py --threads 1 [--cases ABC] [--skip-c] [--skip-d]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=None, help="BLAS/OpenMP threads (set before numpy loads)")
    ap.add_argument("--baseline-cells", type=int, default=100, help="cells timed for the seed route in (C)")
    ap.add_argument("--sign-cells", type=int, default=10, help="cells timed for method='sign' (CPU)")
    ap.add_argument("--check-cells", type=int, default=10, help="cells checked against float64 spectra")
    ap.add_argument("--cases", default="ABC", help="which of the cases A, B, C to run (e.g. --cases B while iterating)")
    ap.add_argument("--skip-c", action="store_true", help="skip the 2000 x 1000 case")
    ap.add_argument("--skip-d", action="store_true", help="skip the sweep and the plot")
    ap.add_argument("--plot", default=str(Path(__file__).resolve().parent / "unstable_modes.png"))
    return ap.parse_args()


ARGS = _args()
if ARGS.threads is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import linstab.sc as sch  # noqa: E402
from linstab.sc._spectra import spectrum_stats  # noqa: E402


def _hill_prime(x, k, n):
    s = x**n / (x**n + k**n)
    return n * s * (1 - s) / np.where(x == 0, 1.0, x)


def _jacobians(adata, cells: np.ndarray, dtype) -> np.ndarray:
    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    gamma = np.diag(adata.var["gamma"].to_numpy()).astype(dtype)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    J = np.empty((cells.size, adata.n_vars, adata.n_vars), dtype=dtype)
    for j, c in enumerate(cells):
        W = adata.varp[f"W_{labels[c]}"].astype(dtype)
        J[j] = W * _hill_prime(adata.layers["Ms"][c], k, n).astype(dtype)[None, :] - gamma
    return J


def seed_stats(adata, cells: np.ndarray, chunk: int = 16) -> dict:
    """The seed package's route (as ``bench_sc.seed_stats``): float32 J, eigvals on stacks."""
    evs = np.zeros((cells.size, adata.n_vars), dtype=np.complex64)
    for s in range(0, cells.size, chunk):
        evs[s:s + chunk] = np.linalg.eigvals(_jacobians(adata, cells[s:s + chunk], np.float32))
    return spectrum_stats(evs)


def _time(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def _linstab(adata, method: str) -> tuple[float, object]:
    a = adata.copy()
    t = _time(lambda: sch.tl.compute_jacobian_stats(a, spliced_key="Ms", cluster_key="cell_type", method=method,
                                                    progress=False))
    return t, a


def _check(a, adata, cells: np.ndarray) -> tuple[bool, float]:
    """Counts equal to full float64 spectra on ``cells``, and the largest leading-eigenvalue error."""
    ref = spectrum_stats(np.linalg.eigvals(_jacobians(adata, cells, np.float64)))
    obs = a.obs.iloc[cells]
    lead = obs["jacobian_eig1_real"].to_numpy() + 1j * obs["jacobian_eig1_imag"].to_numpy()
    ok = bool((obs["jacobian_positive_evals"].to_numpy() == ref["positive"]).all()
              and (obs["jacobian_negative_evals"].to_numpy() == ref["negative"]).all())
    return ok, float(np.abs(lead - ref["leading"]).max())


def case(name: str, n_cells: int, n_genes: int, rank: int, *, clusters: int = 2, scale: float = 1.0,
         baseline: int | None = None, sign_cells: int | None = None, quiet: bool = False) -> dict:
    adata = sch.datasets.synthetic_grn(n_cells=n_cells, n_genes=n_genes, n_clusters=clusters, rank=rank,
                                       module_scale=scale, seed=0)
    rng = np.random.default_rng(1)
    nb = min(baseline or n_cells, n_cells)
    base_cells = np.sort(rng.choice(n_cells, nb, replace=False))
    t_seed = _time(lambda: seed_stats(adata, base_cells)) / nb
    t_lin, a = _linstab(adata, "auto")
    t_lin /= n_cells
    ns = min(sign_cells if sign_cells is not None else ARGS.sign_cells, n_cells)
    t_sign = None
    if ns:
        t, s = _linstab(adata[:ns].copy(), "sign")
        t_sign = t / ns
        ok_s = bool((s.obs["jacobian_positive_evals"].to_numpy() == a.obs["jacobian_positive_evals"].to_numpy()[:ns])
                    .all())
    ok, err = _check(a, adata, np.arange(min(ARGS.check_cells, n_cells)))
    pos = a.obs["jacobian_positive_evals"].to_numpy()
    out = {"name": name, "cells": n_cells, "genes": n_genes, "rank": rank, "mean_unstable": pos.mean(),
           "max_unstable": int(pos.max()), "seed": t_seed, "seed_cells": nb, "linstab": t_lin, "sign": t_sign,
           "ok": ok, "err": err, "info": a.uns["jacobian_stats"]}
    if not quiet:
        print(f"\n### ({name}) {n_cells} cells x {n_genes} genes, rank {rank}, {clusters} clusters: "
              f"{pos.mean():.1f} unstable eigenvalues per cell (max {pos.max()})\n")
        print("| route | cells timed | per cell | all cells |")
        print("|---|---:|---:|---:|")
        print(f"| seed route: float32 J, np.linalg.eigvals on stacks | {nb} | {1e3 * t_seed:.1f} ms | "
              f"{t_seed * n_cells:.1f} s{' (extrapolated)' if nb < n_cells else ''} |")
        print(f"| **linstab compute_jacobian_stats** (method='auto', float64) | {n_cells} | **{1e3 * t_lin:.1f} ms** | "
              f"{t_lin * n_cells:.1f} s |")
        if t_sign is not None:
            print(f"| linstab method='sign' (float64, CPU) | {ns} | {1e3 * t_sign:.1f} ms | "
                  f"{t_sign * n_cells:.1f} s (extrapolated) |")
        print(f"\nspeed-up over the seed route: **{t_seed / t_lin:.1f}x**; counts equal to full float64 spectra on "
              f"{min(ARGS.check_cells, n_cells)} cells: {ok} (max |Δλ1| = {err:.1e})"
              + (f"; method='sign' counts equal to 'auto': {ok_s}" if t_sign is not None else "")
              + f"; {a.uns['jacobian_stats']['cells_full_spectrum']} cells needed full spectra", flush=True)
    return out


def main() -> None:
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"# bench_unstable: BLAS threads={threads}, cpu count={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    warm = sch.datasets.synthetic_grn(n_cells=6, n_genes=300, rank=12, seed=1)
    for m in ("auto", "sign"):
        sch.tl.compute_jacobian_stats(warm.copy(), spliced_key="Ms", method=m, progress=False)
    seed_stats(warm, np.arange(2))
    cases = ARGS.cases.upper()
    if "A" in cases:
        case("A", 150, 800, 30)
    if "B" in cases:
        case("B", 150, 1000, 85)
    if "C" in cases and not ARGS.skip_c:
        case("C", 2000, 1000, 12, clusters=4, baseline=ARGS.baseline_cells)
    if ARGS.skip_d:
        return
    print("\n### (D) 150 cells x 800 genes, 2 clusters: time per cell against the unstable eigenvalues per cell\n")
    print("| rank | module scale | unstable per cell (mean, max) | seed route | linstab 'auto' | linstab 'sign' | "
          "speed-up | counts = float64 |")
    print("|---:|---:|---|---:|---:|---:|---:|---|")
    rows = []
    for rank, scale in [(6, 0.0), (8, 1.0), (30, 1.0), (60, 1.0), (90, 1.0), (160, 1.0), (280, 1.0)]:
        r = case("D", 150, 800, rank, scale=scale, baseline=10, sign_cells=min(ARGS.sign_cells, 5), quiet=True)
        rows.append(r)
        print(f"| {rank} | {scale} | {r['mean_unstable']:.1f}, {r['max_unstable']} | {1e3 * r['seed']:.1f} ms | "
              f"{1e3 * r['linstab']:.1f} ms | {1e3 * r['sign']:.1f} ms | {r['seed'] / r['linstab']:.1f}x | "
              f"{r['ok']} |", flush=True)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    x = [r["mean_unstable"] for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=110)
    ax.plot(x, [1e3 * r["seed"] for r in rows], "s-", color="0.5", label="seed route (float32 eigvals)")
    ax.plot(x, [1e3 * r["sign"] for r in rows], "^-", color="tab:orange", label="linstab method='sign' (CPU)")
    ax.plot(x, [1e3 * r["linstab"] for r in rows], "o-", color="tab:blue", label="linstab method='auto'")
    ax.set_yscale("log")
    ax.set_xlabel("unstable eigenvalues per cell (mean)")
    ax.set_ylabel("time per cell (ms)")
    ax.set_title(f"150 cells x 800 genes, {threads} BLAS thread(s)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    tmp = Path(ARGS.plot).with_suffix(".tmp.png")
    fig.savefig(tmp)
    os.replace(tmp, ARGS.plot)
    print(f"\nplot written to {ARGS.plot}")


if __name__ == "__main__":
    main()
