"""Full spectra block by block over the strongly connected components of the regulatory graph:
the decomposition itself, and its spectra against whole-matrix LAPACK on the same Jacobians."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

import linstab.sc as sch
from linstab.sc._backend import get_backend
from linstab.sc._operators import HopfieldOperator
from linstab.sc._spectra import diagonal_blocks, spectrum_stats


def _matched_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance between two spectra (multisets) under the best one-to-one matching."""
    cost = np.abs(a[:, None] - b[None, :])
    r, c = linear_sum_assignment(cost)
    return float(cost[r, c].max())


def _planted(sizes, seed, *, density=0.3):
    """A W whose strongly connected components are cycles of the given sizes (shuffled genes),
    with random edges only from an earlier component to a later one, and random diagonal."""
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    perm = rng.permutation(n)
    W = np.zeros((n, n))
    comps, start = [], 0
    for s in sizes:
        genes = perm[start:start + s]
        start += s
        comps.append(np.sort(genes))
        for a, b in zip(genes, np.roll(genes, -1)):
            if s > 1:
                W[b, a] = rng.normal(0, 1.5)  # gene a regulates gene b: a cycle through the block
        for a in genes:
            for b in genes:
                if a != b and rng.random() < density:
                    W[b, a] = rng.normal(0, 1.5)
    # feed-forward edges from component p to component q > p only: they keep the components apart
    for p in range(len(comps)):
        for q in range(p + 1, len(comps)):
            mask = rng.random((comps[q].size, comps[p].size)) < density
            W[np.ix_(comps[q], comps[p])] = mask * rng.normal(0, 2.0, mask.shape)
    W[np.diag_indices(n)] = rng.normal(0, 0.5, n) * (rng.random(n) < 0.5)
    return W, comps


def test_diagonal_blocks_of_a_hand_made_graph():
    # 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3, 4 <-> 5, 3 -> 4; gene 6 regulates itself only
    W = np.zeros((7, 7))
    for reg, tgt in [(0, 1), (1, 2), (2, 0), (2, 3), (4, 5), (5, 4), (3, 4)]:
        W[tgt, reg] = 1.0
    W[6, 6] = -2.0
    blocks = diagonal_blocks(W)
    assert sorted(blocks) == [1, 2, 3]
    assert blocks[3].tolist() == [[0, 1, 2]]
    assert blocks[2].tolist() == [[4, 5]]
    assert blocks[1].tolist() == [[3], [6]]


@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=7), seed=st.integers(0, 10_000))
@settings(max_examples=60, deadline=None)
def test_diagonal_blocks_recover_planted_components(sizes, seed):
    W, comps = _planted(sizes, seed)
    found = sorted(tuple(g) for gs in diagonal_blocks(W).values() for g in gs.tolist())
    # planted cycles are strongly connected, and the feed-forward edges cannot join two of them
    assert found == sorted(tuple(c.tolist()) for c in comps)
    # and the permutation into component order makes W block (lower) triangular
    order = np.concatenate(comps)
    P = W[np.ix_(order, order)]
    edges = np.cumsum([0, *map(len, comps)])
    for p in range(len(comps)):
        assert not P[edges[p]:edges[p + 1], edges[p + 1]:].any()


@pytest.mark.parametrize("sizes", [(1, 1, 1), (3, 1, 5, 1, 1, 2, 2), (12,), (4, 4, 4, 1)])
def test_block_spectra_equal_whole_matrix_spectra(sizes, sc_backend):
    W, _ = _planted(sizes, seed=sum(sizes))
    n = W.shape[0]
    rng = np.random.default_rng(1)
    gamma = rng.uniform(0.1, 1.0, n)
    k = rng.uniform(0.5, 2.0, n)
    nexp = rng.uniform(1.0, 4.0, n)
    X = rng.uniform(0.0, 3.0, (9, n))
    X[0, : n // 2] = 0.0  # φ′ = 0 at zero expression (n > 1): a pattern inside W's, still exact
    op = HopfieldOperator(W, gamma, k, nexp, get_backend("cpu", backend=sc_backend))
    assert op.largest_block == max(sizes)
    d = op.state(X)
    by_blocks = op.eigvals(d)
    whole = np.linalg.eigvals(op.backend.to_numpy(op.dense(d)))
    assert by_blocks.shape == whole.shape == (9, n)
    scale = np.abs(whole).max()
    for c in range(9):
        assert _matched_distance(by_blocks[c], whole[c]) < 1e-11 * scale


def test_single_genes_get_their_diagonal_entry_exactly():
    W, _ = _planted((1, 1, 1, 1), seed=4)
    n = W.shape[0]
    gamma, k, nexp = np.full(n, 0.3), np.ones(n), np.full(n, 2.0)
    op = HopfieldOperator(W, gamma, k, nexp, get_backend("cpu"))
    d = op.state(np.array([[0.5, 1.0, 2.0, 0.0]]))
    expected = np.diag(W) * np.asarray(d)[0] - gamma
    assert np.array_equal(np.sort(op.eigvals(d)[0].real), np.sort(expected))


def test_tf_restricted_network_through_the_api(sc_backend, dense):
    """Only 12 of 90 genes regulate: spectra, statistics and their routes agree with LAPACK on J."""
    adata = sch.datasets.synthetic_grn(n_cells=24, n_genes=90, n_tfs=12, seed=5)
    assert not adata.varp["W_A"][:, 12:].any() and adata.varp["W_A"][:, :12].any()
    backend = "torch" if sc_backend == "torch" else None
    sch.tl.compute_jacobians(adata, backend=backend, progress=False)
    ev = adata.obsm["jacobian_eigenvalues"]
    J = dense(adata)
    ref = np.linalg.eigvals(J)
    for c in range(adata.n_obs):
        assert _matched_distance(ev[c], ref[c]) < 1e-12 * np.abs(ref[c]).max()
    # rows stay sorted: leading eigenvalue first
    assert np.all(np.diff(ev.real, axis=1) <= 0)
    # the direct statistics use the cheap full spectra (largest block 12 <= 256) and agree
    stats = adata.copy()
    sch.tl.compute_jacobian_stats(stats, source="model", spliced_key="Ms", backend=backend, progress=False)
    assert stats.uns["jacobian_stats"]["cells_full_spectrum"] == adata.n_obs
    re = ref.real
    np.testing.assert_array_equal(stats.obs["jacobian_positive_evals"], (re > 0).sum(1))
    np.testing.assert_allclose(stats.obs["jacobian_eig1_real"], re.max(1), rtol=0, atol=1e-12)
    # the partial-spectrum route on the same data counts the same
    kry = adata.copy()
    sch.tl.compute_jacobian_stats(kry, source="model", spliced_key="Ms", method="krylov", backend=backend, progress=False)
    np.testing.assert_array_equal(kry.obs["jacobian_positive_evals"], (re > 0).sum(1))
    np.testing.assert_allclose(kry.obs["jacobian_eig1_real"], re.max(1), rtol=0, atol=1e-8)


def test_dense_network_is_one_block():
    adata = sch.datasets.synthetic_grn(n_cells=5, n_genes=40, seed=2)
    assert sorted(diagonal_blocks(adata.varp["W_A"])) == [40]


def test_n_tfs_is_checked():
    with pytest.raises(ValueError, match="`n_tfs` must be between 1 and n_genes=10"):
        sch.datasets.synthetic_grn(n_cells=5, n_genes=10, n_tfs=11)


def _reference_stats(J: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ev = np.linalg.eigvals(J)
    return (ev.real > 0).sum(1), ev.real.max(1)


def test_partial_spectrum_runs_on_the_large_block_only(sc_backend, dense):
    """A TF core of 280 genes (> 256) among 400: 'auto' runs the Krylov method on the core and takes
    the 120 single genes exactly; counts and leading eigenvalue equal whole-matrix LAPACK."""
    adata = sch.datasets.synthetic_grn(n_cells=16, n_genes=400, n_tfs=280, n_clusters=1, seed=8)
    backend = "torch" if sc_backend == "torch" else None
    sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", backend=backend, progress=False)
    assert adata.uns["jacobian_stats"]["cells_partial_spectrum"] > 0
    pos, lead = _reference_stats(dense(adata))
    assert pos.max() > 0  # the test needs unstable directions to count
    np.testing.assert_array_equal(adata.obs["jacobian_positive_evals"], pos)
    np.testing.assert_array_equal(adata.obs["jacobian_negative_evals"], 400 - pos)
    np.testing.assert_allclose(adata.obs["jacobian_eig1_real"], lead, rtol=0, atol=1e-8)


def test_partial_spectrum_over_several_blocks_combines_them(dense):
    """method='krylov' on planted components of 30, 24 and 9 genes plus small ones: one Krylov run
    per large block, full spectra for the rest, and the union's statistics equal LAPACK's."""
    import anndata as ad
    import pandas as pd

    W, _ = _planted((30, 1, 24, 2, 1, 9), seed=11, density=0.25)
    n = W.shape[0]
    rng = np.random.default_rng(3)
    X = rng.uniform(0.2, 3.0, (12, n))
    var = pd.DataFrame({"gamma": rng.uniform(0.2, 1.0, n), "sigmoid_threshold": rng.uniform(0.5, 2.0, n),
                        "sigmoid_exponent": rng.uniform(1.0, 3.0, n)}, index=[f"g{i}" for i in range(n)])
    obs = pd.DataFrame({"cell_type": pd.Categorical(["A"] * 12)}, index=[f"c{i}" for i in range(12)])
    adata = ad.AnnData(X=X, obs=obs, var=var, layers={"Ms": X.copy()}, varp={"W_A": W})
    ref = spectrum_stats(np.linalg.eigvals(dense(adata)))  # whole-matrix LAPACK
    assert ref["positive"].max() > 0 and np.abs(ref["leading"].imag).max() > 0
    for method in ("krylov", "dense", "auto"):
        got = sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", method=method, progress=False, copy=True)
        np.testing.assert_array_equal(got.obs["jacobian_positive_evals"], ref["positive"])
        np.testing.assert_array_equal(got.obs["jacobian_negative_evals"], ref["negative"])
        np.testing.assert_allclose(got.obs["jacobian_eig1_real"], ref["leading"].real, rtol=0, atol=1e-8)
        np.testing.assert_allclose(got.obs["jacobian_eig1_imag"], ref["leading"].imag, rtol=0, atol=1e-7)
        if method == "krylov":
            assert got.uns["jacobian_stats"]["cells_partial_spectrum"] > 0
