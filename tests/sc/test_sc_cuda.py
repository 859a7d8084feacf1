"""The CUDA path of linstab.sc against numpy on the CPU. Skipped where torch sees no GPU (CI never
has one); `benchmarks/gpu_check.sh` runs this module and benchmark (c) on a machine that has."""

from __future__ import annotations

import numpy as np
import pytest

import linstab.sc as sch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU visible to torch")


@pytest.fixture(scope="module")
def grn():
    return sch.datasets.synthetic_grn(n_cells=120, n_genes=300, n_clusters=3, seed=7, rank=8)


@pytest.mark.parametrize("spectra", ["device", "host", "auto"])
@pytest.mark.parametrize("n_tfs", [None, 40])
def test_full_spectra_cuda_match_numpy(n_tfs, spectra):
    adata = sch.datasets.synthetic_grn(n_cells=60, n_genes=200, n_tfs=n_tfs, seed=3)
    gpu = sch.tl.compute_jacobians(adata, device="cuda", spectra=spectra, progress=False, copy=True)
    cpu = sch.tl.compute_jacobians(adata, progress=False, copy=True)
    a, b = gpu.obsm["jacobian_eigenvalues"], cpu.obsm["jacobian_eigenvalues"]
    scale = np.abs(b).max()
    np.testing.assert_allclose(a[:, 0], b[:, 0], rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(np.sort(a.real, 1), np.sort(b.real, 1), rtol=0, atol=1e-9 * scale)
    assert gpu.uns["jacobian"]["device"] == "cuda" and gpu.uns["jacobian"]["spectra"] == spectra


def test_dense_statistics_on_the_gpu_eigensolver(grn):
    """method='dense' with the GPU's own eigensolver: the same counts as LAPACK on the host."""
    a = sch.tl.compute_jacobian_stats(grn, spliced_key="Ms", method="dense", device="cuda", spectra="device",
                                      progress=False, copy=True)
    b = sch.tl.compute_jacobian_stats(grn, spliced_key="Ms", method="dense", progress=False, copy=True)
    np.testing.assert_array_equal(a.obs["jacobian_positive_evals"], b.obs["jacobian_positive_evals"])
    np.testing.assert_allclose(a.obs["jacobian_eig1_real"], b.obs["jacobian_eig1_real"], rtol=0, atol=1e-9)


def test_statistics_route_cuda_matches_numpy(grn):
    gpu = sch.tl.compute_jacobian_stats(grn, spliced_key="Ms", method="krylov", device="cuda",
                                        progress=False, copy=True)
    full = sch.tl.compute_jacobians(grn, progress=False, copy=True)
    sch.tl.compute_jacobian_stats(full, progress=False)
    np.testing.assert_array_equal(gpu.obs["jacobian_positive_evals"], full.obs["jacobian_positive_evals"])
    np.testing.assert_allclose(gpu.obs["jacobian_eig1_real"], full.obs["jacobian_eig1_real"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(gpu.obs["jacobian_trace"], full.obs["jacobian_trace"], rtol=1e-10)


def test_rotational_and_elements_cuda_match_numpy(grn):
    pairs = [("G000", "G001"), ("G010", "G010"), ("G299", "G005")]
    outs = []
    for device in ("cuda", "cpu"):
        a = grn.copy()
        sch.tl.compute_rotational_part(a, device=device, progress=False)
        sch.tl.compute_jacobian_elements(a, pairs, device=device, progress=False)
        outs.append(a.obs)
    cols = ["jacobian_rotational"] + [f"jacobian_df_{i}_dx_{j}" for i, j in pairs]
    np.testing.assert_allclose(outs[0][cols].to_numpy(), outs[1][cols].to_numpy(), rtol=1e-12, atol=1e-14)


def test_float32_on_cuda(grn):
    a = sch.tl.compute_jacobians(grn, device="cuda", dtype="float32", progress=False, copy=True)
    b = sch.tl.compute_jacobians(grn, progress=False, copy=True)
    assert a.obsm["jacobian_eigenvalues"].dtype == np.complex64
    np.testing.assert_allclose(a.obsm["jacobian_eigenvalues"][:, 0].real, b.obsm["jacobian_eigenvalues"][:, 0].real,
                               rtol=0, atol=1e-4)


@pytest.mark.slow
def test_real_out_of_memory_halves_the_chunk():
    """The allocator capped at 0.2 % of the card (about 280 MB on an H200): the first chunks fail
    on the device with a real out-of-memory error, and halving the chunk recovers."""
    total = torch.cuda.get_device_properties(0).total_memory
    cap = 0.002 * total
    n_genes = 512
    n_cells = int(3 * cap / (8 * n_genes**2)) + 1  # the chunk's dense J alone is 3x the cap
    adata = sch.datasets.synthetic_grn(n_cells=n_cells, n_genes=n_genes, n_clusters=1, seed=1)
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction(0.002)
    try:
        sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", method="dense", device="cuda",
                                      spectra="device", memory_limit=f"{int(10 * cap)}", progress=False)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
        torch.cuda.empty_cache()
    assert adata.uns["jacobian_stats"]["cells_full_spectrum"] == n_cells
    ref = adata[:8].copy()
    sch.tl.compute_jacobians(ref, progress=False)
    np.testing.assert_allclose(adata.obs["jacobian_eig1_real"][:8], ref.obsm["jacobian_eigenvalues"][:, 0].real,
                               rtol=0, atol=1e-9)
