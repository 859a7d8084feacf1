"""Benchmark: per-cell Jacobian statistics of a fitted GRN, linstab against the seed package's route.

Data: ``linstab.sc.datasets.synthetic_grn`` — by default 2000 cells × 1000 genes, 4 cell types,
each with its own dense W (a sparse network plus a low-rank module, so that every Jacobian has a
handful of unstable eigenvalues outside a stable bulk, as fitted networks show). Side by side in
one run:

(a) statistics (leading eigenvalue, counts of Re λ > 0 and < 0, trace):

- linstab: ``compute_jacobian_stats(adata, spliced_key=..., cluster_key=...)`` — the
  partial-spectrum route (batched thick-restart Arnoldi with a deflated check, dense fallback),
  on all cells;
- baseline, a faithful reimplementation of the seed package's route: build each cell's J in
  float32, ``np.linalg.eigvals`` on float32 stacks of cells, then the statistics — timed on
  ``--baseline-cells`` cells and extrapolated per cell (a full run takes tens of minutes);
- linstab's full spectra (``compute_jacobians``, float32 and float64) on the same subset.

(b) trace, rotational part and 18 element pairs: linstab (``compute_jacobian_stats`` trace is
part of (a); here ``compute_rotational_part`` and ``compute_jacobian_elements``) against the seed
package's per-cell loops (build J, then ``‖(J − Jᵀ)/2‖_F`` and the 18 entries), all cells.

(c) on a GPU (``--device cuda``): 1947 cells × 1728 genes, cells per second for full spectra and
for the statistics route (the seed reports ~40 cells/s for its full spectra).

With ``--tfs N`` only the first N genes regulate (a network restricted to transcription factor →
target edges, as SCENIC or CellOracle build): linstab then takes every spectrum block by block
over the strongly connected components of the regulatory graph (the TF core and single genes),
while the seed's route hands the whole J to LAPACK (whose balancing step already isolates genes
that regulate nothing).

The script checks that the routes agree (counts and leading eigenvalue) on the subset.

Run: .venv/bin/python benchmarks/bench_sc.py [--cells 2000] [--genes 1000] [--baseline-cells 100]
     [--threads N] [--device cpu|cuda] [--tfs N] [--skip-b]
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", type=int, default=None, help="cells (default 2000; 1947 with --device cuda)")
    ap.add_argument("--genes", type=int, default=None, help="genes (default 1000; 1728 with --device cuda)")
    ap.add_argument("--clusters", type=int, default=4)
    ap.add_argument("--baseline-cells", type=int, default=100, help="cells timed for the seed's route")
    ap.add_argument("--threads", type=int, default=None,
                    help="BLAS/OpenMP threads (set before numpy loads; default: the library default)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (part c)")
    ap.add_argument("--skip-b", action="store_true", help="skip part (b)")
    ap.add_argument("--tfs", type=int, default=None, help="only the first N genes regulate (default: all)")
    return ap.parse_args()


ARGS = _args()
if ARGS.threads is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import linstab.sc as sch  # noqa: E402
from linstab.sc._spectra import spectrum_stats  # noqa: E402

#: The 18 pairs (as gene positions), patterned on the seed's: mutual, self and cross terms of 6 genes.
PAIRS = [(1, 2), (2, 1), (1, 1), (2, 2), (3, 4), (4, 3), (3, 2), (2, 3), (3, 1), (1, 3),
         (5, 6), (6, 5), (5, 4), (4, 5), (4, 6), (6, 4), (4, 4), (6, 6)]


def _hill_prime(x, k, n):
    s = x**n / (x**n + k**n)
    return n * s * (1 - s) / np.where(x == 0, 1.0, x)


def seed_stats(adata, cells: np.ndarray, chunk: int = 16) -> dict:
    """The seed package's route: float32 J per cell, numpy eigvals on float32 stacks, statistics."""
    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    gamma = np.diag(adata.var["gamma"].to_numpy()).astype(np.float32)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    evs = np.zeros((cells.size, adata.n_vars), dtype=np.complex64)
    for s in range(0, cells.size, chunk):
        idx = cells[s:s + chunk]
        J = np.empty((idx.size, adata.n_vars, adata.n_vars), dtype=np.float32)
        for j, c in enumerate(idx):
            W = adata.varp[f"W_{labels[c]}"].astype(np.float32)
            d = _hill_prime(adata.layers["Ms"][c], k, n).astype(np.float32)
            J[j] = W * d[None, :] - gamma
        evs[s:s + idx.size] = np.linalg.eigvals(J)
    return spectrum_stats(evs)


def seed_stats_gpu(adata, cells: np.ndarray, device: str) -> dict:
    """The seed package on a GPU: one cell at a time, float32 J, ``torch.linalg.eigvals`` on the device."""
    import torch

    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    gamma = torch.as_tensor(np.diag(adata.var["gamma"].to_numpy()), dtype=torch.float32, device=device)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    Ws = {c: torch.as_tensor(adata.varp[f"W_{c}"], dtype=torch.float32, device=device) for c in np.unique(labels)}
    evs = np.zeros((cells.size, adata.n_vars), dtype=np.complex64)
    for j, c in enumerate(cells):
        d = torch.as_tensor(_hill_prime(adata.layers["Ms"][c], k, n), dtype=torch.float32, device=device)
        evs[j] = torch.linalg.eigvals(Ws[labels[c]] * d[None, :] - gamma).cpu().numpy()
    return spectrum_stats(evs)


def seed_rotational_and_elements(adata, pairs) -> tuple[np.ndarray, np.ndarray]:
    """The seed package's per-cell loops for the rotational part and the elements (float32)."""
    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    gamma = np.diag(adata.var["gamma"].to_numpy()).astype(np.float32)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    pos = {g: i for i, g in enumerate(adata.var_names)}
    rows = [pos[a] for a, _ in pairs]
    cols = [pos[b] for _, b in pairs]
    Ws = {c: adata.varp[f"W_{c}"].astype(np.float32) for c in np.unique(labels)}
    rot = np.zeros(adata.n_obs, dtype=np.float32)
    el = np.zeros((adata.n_obs, len(pairs)), dtype=np.float32)
    for c in range(adata.n_obs):
        d = _hill_prime(adata.layers["Ms"][c], k, n).astype(np.float32)
        J = Ws[labels[c]] * d[None, :] - gamma
        rot[c] = np.linalg.norm(0.5 * (J - J.T))
        J = Ws[labels[c]] * d[None, :] - gamma  # the seed builds J again for the elements
        el[c] = J[rows, cols]
    return rot, el


def _fmt(seconds: float) -> str:
    return f"{seconds:8.2f} s" if seconds < 600 else f"{seconds / 60:6.1f} min"


def main() -> None:
    device = ARGS.device
    n_cells = ARGS.cells or (1947 if device.startswith("cuda") else 2000)
    n_genes = ARGS.genes or (1728 if device.startswith("cuda") else 1000)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    tfs = f"{ARGS.tfs} regulating genes" if ARGS.tfs else "every gene may regulate"
    print(f"# bench_sc: {n_cells} cells x {n_genes} genes ({tfs}), {ARGS.clusters} clusters, device={device}, "
          f"BLAS threads={threads}, cpu count={os.cpu_count()}")
    t0 = time.perf_counter()
    adata = sch.datasets.synthetic_grn(n_cells=n_cells, n_genes=n_genes, n_clusters=ARGS.clusters, seed=0,
                                       rank=12, n_tfs=ARGS.tfs)
    print(f"data generated in {time.perf_counter() - t0:.1f} s")
    rng = np.random.default_rng(1)
    subset = np.sort(rng.choice(n_cells, min(ARGS.baseline_cells, n_cells), replace=False))

    # ---- (a) statistics. Each row is printed as soon as it is measured (a step killed by a time
    # limit still leaves the rows before it).
    cuda = device.startswith("cuda")
    print("\n## (a) statistics: leading eigenvalue, counts, trace\n")
    print("| route | cells timed | time | per cell | cells/s | all cells (est.) |")
    print("|---|---:|---:|---:|---:|---:|")

    def row(label: str, cells: int, seconds: float) -> None:
        per = seconds / cells
        print(f"| {label} | {cells} | {_fmt(seconds)} | {1e3 * per:.1f} ms | {1 / per:.1f} | {_fmt(per * n_cells)} |",
              flush=True)

    # warm-up of every route on a few cells (imports, first LAPACK calls; on a GPU the CUDA context,
    # kernels and solver handles)
    sch.tl.compute_jacobian_stats(adata[:4].copy(), spliced_key="Ms", device=device, progress=False)
    seed_stats(adata, np.arange(2))
    t0 = time.perf_counter()
    sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", cluster_key="cell_type", device=device, progress=False)
    t_lin = time.perf_counter() - t0
    info = adata.uns["jacobian_stats"]
    stats_dev = adata.obs[["jacobian_positive_evals", "jacobian_eig1_real"]].copy()
    row(f"**linstab statistics route** (compute_jacobian_stats, float64, {device})", n_cells, t_lin)
    if cuda:  # the same on the host's cores, for the per-route choice
        cpu = adata.copy()
        t0 = time.perf_counter()
        sch.tl.compute_jacobian_stats(cpu, spliced_key="Ms", cluster_key="cell_type", progress=False)
        t_lin_cpu = time.perf_counter() - t0
        row(f"linstab statistics route on the CPU ({os.cpu_count()} cores, numpy)", n_cells, t_lin_cpu)
        same = (cpu.obs["jacobian_positive_evals"].to_numpy() == stats_dev["jacobian_positive_evals"].to_numpy()).mean()
        print(f"|  (GPU and CPU statistics: counts equal in {100 * same:.1f}% of cells, max |Δ Re λ1| = "
              f"{np.abs(cpu.obs['jacobian_eig1_real'] - stats_dev['jacobian_eig1_real']).max():.1e}) | | | | | |")
    t0 = time.perf_counter()
    base = seed_stats(adata, subset)
    t_base = time.perf_counter() - t0
    per_base = t_base / subset.size
    row("seed route: float32 J, np.linalg.eigvals on stacks, then statistics", subset.size, t_base)
    t_gpu_seed = None
    if cuda:
        seed_stats_gpu(adata, subset[:2], device)  # warm-up: CUDA context and solver handles
        t0 = time.perf_counter()
        seed_stats_gpu(adata, subset, device)
        t_gpu_seed = time.perf_counter() - t0
        row(f"seed route on {device}: per cell, float32 J, torch.linalg.eigvals", subset.size, t_gpu_seed)
    sub = adata[subset].copy()
    full64 = None
    for spectra in (("device", "host") if cuda else ("host",)):
        where = {"device": f"{device}'s eigensolver", "host": f"LAPACK on {os.cpu_count()} host cores"}[spectra]
        sch.tl.compute_jacobians(sub[:2].copy(), device=device, spectra=spectra, progress=False)  # warm-up
        for dtype in ("float32", "float64"):
            t0 = time.perf_counter()
            sch.tl.compute_jacobians(sub, dtype=dtype, device=device, spectra=spectra, progress=False)
            row(f"linstab full spectra (compute_jacobians, {dtype}, {where})", subset.size, time.perf_counter() - t0)
        if full64 is None or spectra == "host":
            full64 = spectrum_stats(sub.obsm["jacobian_eigenvalues"])

    obs = adata.obs.iloc[subset]
    agree64 = (obs["jacobian_positive_evals"].to_numpy() == full64["positive"]).mean()
    lead64 = np.abs(obs["jacobian_eig1_real"].to_numpy() - full64["leading"].real).max()
    agree32 = (obs["jacobian_positive_evals"].to_numpy() == base["positive"]).mean()
    lead32 = np.abs(obs["jacobian_eig1_real"].to_numpy() - base["leading"].real).max()
    print(f"\nspeed-up of the statistics route over the seed route, per cell: **{per_base * n_cells / t_lin:.1f}x**")
    if t_gpu_seed is not None:
        print(f"speed-up of the statistics route over the seed's GPU route, per cell: "
              f"**{t_gpu_seed / subset.size * n_cells / t_lin:.1f}x**")
    print(f"cells resolved by the partial spectrum: {info['cells_partial_spectrum']}, by full spectra: "
          f"{info['cells_full_spectrum']}")
    if ARGS.tfs:
        from linstab.sc._spectra import diagonal_blocks

        sizes = {c: sorted(diagonal_blocks(adata.varp[f"W_{c}"]))[-1] for c in adata.obs["cell_type"].cat.categories}
        print(f"largest diagonal block per cluster (genes): {sizes}")
    print(f"agreement on the {subset.size} timed cells: counts equal to full float64 spectra in "
          f"{100 * agree64:.1f}% of cells (max |Δ Re λ1| = {lead64:.1e}); to the float32 seed route in "
          f"{100 * agree32:.1f}% (max |Δ Re λ1| = {lead32:.1e})")
    print(f"mean unstable eigenvalues per cell: {adata.obs['jacobian_positive_evals'].mean():.1f}")

    if ARGS.skip_b:
        return
    # ---- (b) trace, rotational part, 18 elements
    names = list(adata.var_names)
    pairs = [(names[a], names[b]) for a, b in PAIRS]
    t0 = time.perf_counter()
    sch.tl.compute_rotational_part(adata, device=device, progress=False)
    t_rot = time.perf_counter() - t0
    t0 = time.perf_counter()
    sch.tl.compute_jacobian_elements(adata, pairs, device=device, progress=False)
    t_el = time.perf_counter() - t0
    # the trace is computed inside the statistics route; time it alone through the same operators
    from linstab.sc._backend import get_backend
    from linstab.sc.tl._inputs import prepare

    t0 = time.perf_counter()
    be = get_backend(device)
    plan = prepare(adata, func="bench", spliced_key="Ms", degradation_key="gamma", cluster_key="cell_type",
                   model=None, params=None, clusters=None, backend=be)
    tr = np.empty(adata.n_obs)
    for g in plan.groups:
        tr[g.cells] = be.to_numpy(g.op.trace(g.op.state(plan.read(g.cells))))
    t_tr = time.perf_counter() - t0
    t0 = time.perf_counter()
    rot_b, el_b = seed_rotational_and_elements(adata, pairs)
    t_seed_b = time.perf_counter() - t0
    err_rot = np.abs(rot_b - adata.obs["jacobian_rotational"].to_numpy()).max() / rot_b.max()
    cols = [f"jacobian_df_{a}_dx_{b}" for a, b in pairs]
    err_el = np.abs(el_b - adata.obs[cols].to_numpy()).max()
    print(f"\n## (b) trace, rotational part and {len(pairs)} element pairs, all {n_cells} cells\n")
    print("| computation | time | cells/s |")
    print("|---|---:|---:|")
    print(f"| seed route: per-cell loop, J built per cell (rotational part + {len(pairs)} elements) | "
          f"{_fmt(t_seed_b)} | {n_cells / t_seed_b:.0f} |")
    print(f"| linstab trace, O(n) per cell | {_fmt(t_tr)} | {n_cells / t_tr:.0f} |")
    print(f"| linstab rotational part, ½(Σ c_j φ′_j² − φ′ᵀ(W∘Wᵀ)φ′) | {_fmt(t_rot)} | {n_cells / t_rot:.0f} |")
    print(f"| linstab {len(pairs)} elements, O(1) per pair | {_fmt(t_el)} | {n_cells / t_el:.0f} |")
    print(f"\nspeed-up (rotational + elements): **{t_seed_b / (t_rot + t_el):.0f}x**; max relative difference of "
          f"the rotational part {err_rot:.1e}, max |Δ element| {err_el:.1e} (float32 seed vs float64 linstab)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
