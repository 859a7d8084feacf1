"""GPU check of the statistics routes (issue 20): method='sign' against 'krylov' on CUDA, and both
against full float64 spectra (numpy on the host).

Run on a machine with a CUDA GPU (torch with CUDA, anndata importable), from ``benchmarks/``:

    python gpu_sign_check.py [--quick]

With the workplace's device tool (once this branch is in the checkout it sends; anndata from the
wheels of ``benchmarks/gpu_check.sh prepare``): carry ``[".whl"]`` and run
``python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && cd benchmarks &&
PYTHONPATH=..:/tmp/site python3 gpu_sign_check.py`` (about 5 minutes on one H200 is the estimate:
not yet run). If ``method='sign'`` wins there, ``method='auto'`` should choose it on CUDA
(``_direct_stats`` in ``linstab/sc/tl/_jacobian.py``).

Prints, per case (genes, rank of the low-rank module → unstable eigenvalues per cell): the time per
cell of compute_jacobian_stats(method='sign' | 'krylov', device='cuda'), of the seed package's GPU
route (one cell at a time, float32, torch.linalg.eigvals) on a few cells, and the agreement of the
counts and leading eigenvalues with full float64 spectra on a subset.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import linstab.sc as sch
from linstab.sc._spectra import spectrum_stats


def seed_stats_gpu(adata, cells: np.ndarray, device: str) -> dict:
    """The seed package on a GPU (as benchmarks/bench_sc.py): one cell at a time, float32 J,
    ``torch.linalg.eigvals`` on the device."""
    import torch

    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    gamma = torch.as_tensor(np.diag(adata.var["gamma"].to_numpy()), dtype=torch.float32, device=device)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    Ws = {c: torch.as_tensor(adata.varp[f"W_{c}"], dtype=torch.float32, device=device) for c in np.unique(labels)}
    evs = np.zeros((cells.size, adata.n_vars), dtype=np.complex64)
    for j, c in enumerate(cells):
        x = adata.layers["Ms"][c]
        s = x**n / (x**n + k**n)
        d = torch.as_tensor(n * s * (1 - s) / np.where(x == 0, 1.0, x), dtype=torch.float32, device=device)
        evs[j] = torch.linalg.eigvals(Ws[labels[c]] * d[None, :] - gamma).cpu().numpy()
    return spectrum_stats(evs)


def _dense(ad):
    k = ad.var["sigmoid_threshold"].to_numpy()
    n = ad.var["sigmoid_exponent"].to_numpy()
    x = ad.layers["Ms"]
    d = n * k**n * x ** (n - 1) / (x**n + k**n) ** 2
    J = np.zeros((ad.n_obs, ad.n_vars, ad.n_vars))
    for c in ad.obs["cell_type"].astype(str).unique():
        cells = (ad.obs["cell_type"].astype(str) == c).to_numpy()
        J[cells] = ad.varp[f"W_{c}"][None] * d[cells][:, None, :] - np.diag(ad.var["gamma"].to_numpy())[None]
    return J


def _prescribed_check(dev: str) -> None:
    """The prescribed spectra of tests/sc/test_sc_sign.py on the device: 0 to 150 unstable
    eigenvalues and eigenvalues 2e-6 (non-normal) and 1e-9 (normal) from the axis."""
    from linstab.sc._backend import get_backend
    from linstab.sc._krylov import rightmost_stats
    from linstab.sc._operators import ModelOperator
    from linstab.sc._sign import sign_part
    from tests.sc.test_sc_krylov import _bulk, _prescribed, _Stack

    be = get_backend(dev, backend="torch")

    def exact(op, st):
        res = rightmost_stats(op, st, be)
        lead, pos = res.leading.copy(), res.n_positive.astype(float)
        bad = np.nonzero(~res.converged)[0]
        if bad.size:
            s = spectrum_stats(be.eigvals(op.dense(op.take(st, be.xp.as_tensor(bad, device=dev)))))
            lead[bad], pos[bad] = s["leading"], s["positive"]
        return {"leading": lead, "positive": pos, "negative": op.size - pos}, bad

    rng = np.random.default_rng(0)
    n = 400
    for case in (0, 5, 20, 60, 150, "near_zero", "near_zero_normal"):
        spectra = []
        for _ in range(3):
            if isinstance(case, int):
                pairs = case // 4
                z = rng.uniform(0.01, 2.0, pairs) + 1j * rng.uniform(0.05, 1.0, pairs)
                extra = np.concatenate([rng.uniform(0.01, 2.0, case - 2 * pairs), z, np.conj(z)])
            elif case == "near_zero":
                extra = np.array([2e-6, -2e-6, 5e-6, -7e-6, 0.5, 3e-6 + 0.3j, 3e-6 - 0.3j, -1e-5])
            else:
                extra = np.array([1e-9, -1e-9, 2e-9, -3e-9, 0.5, 1e-9 + 0.3j, 1e-9 - 0.3j, -1e-8])
            spectra.append(np.concatenate([_bulk(n - extra.size, rng, pairs=40), extra]))
        J = _prescribed(spectra, nonnormal=0.0 if case == "near_zero_normal" else 0.2)
        op = ModelOperator(_Stack(be.asarray(J)), np.zeros(0), n, be)
        st = op.state(np.zeros((3, n)))
        stats, _, n_sign = sign_part(op, st, be, exact)
        ref = spectrum_stats(np.linalg.eigvals(J))
        print(f"prescribed {case}: counts equal {bool((stats['positive'] == ref['positive']).all())}, "
              f"max |lead err| {np.abs(stats['leading'] - ref['leading']).max():.1e}, by sign fn {n_sign}/3",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the first three cases")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--cells", type=int, default=None, help="cells per case (default: 150, 2000 for the last)")
    args = ap.parse_args()
    import torch

    dev = args.device
    cuda = dev.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    print(f"# torch {torch.__version__}, {torch.cuda.get_device_name(0) if cuda else 'cpu'}", flush=True)
    cases = [(800, 6, 0.0, 150), (800, 8, 1.0, 150), (800, 30, 1.0, 150), (800, 90, 1.0, 150),
             (800, 280, 1.0, 150), (1000, 85, 1.0, 150), (1000, 12, 1.0, 2000)]
    if args.quick:
        cases = cases[:3]
    _prescribed_check(dev)
    warm = sch.datasets.synthetic_grn(n_cells=8, n_genes=200, rank=8, seed=1)
    for m in ("sign", "krylov"):
        sch.tl.compute_jacobian_stats(warm.copy(), spliced_key="Ms", method=m, device=dev, progress=False)
    seed_stats_gpu(warm, np.arange(2), dev)
    print("| genes | rank | cells | unstable/cell (mean, max) | sign ms/cell | krylov ms/cell | seed GPU ms/cell "
          "| sign: cells by sign fn | counts = float64 (subset) | max lead err sign, krylov |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---|---|")
    for n, rank, scale, cells in cases:
        cells = args.cells or cells
        ad = sch.datasets.synthetic_grn(n_cells=cells, n_genes=n, rank=rank, module_scale=scale, seed=0,
                                        n_clusters=4 if cells > 500 else 2)
        out, t = {}, {}
        for m in ("sign", "krylov"):
            a = ad.copy()
            sync()
            t0 = time.perf_counter()
            sch.tl.compute_jacobian_stats(a, spliced_key="Ms", method=m, device=dev, progress=False,
                                          memory_limit="40GB")
            sync()
            t[m] = time.perf_counter() - t0
            out[m] = a
        sub = np.arange(min(cells, 40))
        ts = time.perf_counter()
        seed_stats_gpu(ad, sub[:10], dev)
        t_seed = (time.perf_counter() - ts) / 10
        ref = spectrum_stats(np.linalg.eigvals(_dense(ad[sub])))
        ok = all((out[m].obs["jacobian_positive_evals"].to_numpy()[sub] == ref["positive"]).all() for m in out)
        err = [np.abs(out[m].obs["jacobian_eig1_real"].to_numpy()[sub] + 1j * out[m].obs["jacobian_eig1_imag"]
                      .to_numpy()[sub] - ref["leading"]).max() for m in ("sign", "krylov")]
        pos = out["krylov"].obs["jacobian_positive_evals"]
        print(f"| {n} | {rank} | {cells} | {pos.mean():.1f}, {pos.max()} | {1e3 * t['sign'] / cells:.2f} | "
              f"{1e3 * t['krylov'] / cells:.2f} | {1e3 * t_seed:.1f} | "
              f"{out['sign'].uns['jacobian_stats'].get('blocks_sign_function')} | {ok} | "
              f"{err[0]:.1e}, {err[1]:.1e} |", flush=True)


if __name__ == "__main__":
    main()
