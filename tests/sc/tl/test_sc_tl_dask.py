"""The per-cell Jacobian functions on a Dask expression layer equal the in-memory path.

One ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` serves the whole module
(starting one costs seconds); the data are tiny. Reference values come from the in-memory path
on the same AnnData, whose own correctness the other tests of ``sc.tl`` establish against
dense Jacobians built from the formula.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

import linstab.sc as sch

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

from tests._dask_cluster import local_client  # noqa: E402



@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, importing this checkout of linstab."""
    with local_client() as c:
        yield c


@pytest.fixture
def on_cluster(client):
    with client.as_current():
        yield client


def _pair(n_cells=40, n_genes=8, rows=9, seed=0, **kw):
    """The same data twice: in memory, and with the layer 'Ms' as a Dask array of ``rows``-cell chunks."""
    from linstab.sc.datasets import synthetic_grn

    mem = synthetic_grn(n_cells=n_cells, n_genes=n_genes, seed=seed, **kw)
    lazy = mem.copy()
    lazy.layers["Ms"] = da.from_array(mem.layers["Ms"], chunks=(rows, -1))
    return mem, lazy


STATS = ["jacobian_eig1_real", "jacobian_eig1_imag", "jacobian_trace"]
COUNTS = ["jacobian_positive_evals", "jacobian_negative_evals"]


def _same_stats(mem, lazy):
    for c in COUNTS:
        np.testing.assert_array_equal(lazy.obs[c].to_numpy(), mem.obs[c].to_numpy())
    for c in STATS:
        np.testing.assert_allclose(lazy.obs[c].to_numpy(), mem.obs[c].to_numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["auto", "krylov"])
def test_stats_from_the_model(on_cluster, method):
    mem, lazy = _pair(n_cells=40, n_genes=12)
    sch.tl.compute_jacobian_stats(mem, method=method, progress=False)
    sch.tl.compute_jacobian_stats(lazy, method=method, progress=False)
    _same_stats(mem, lazy)
    # how many cells the Krylov route hands to full spectra depends on the chunk it runs in (its
    # pilot cells); everything else recorded is the same
    split = ("cells_partial_spectrum", "cells_full_spectrum")
    got, ref = dict(lazy.uns["jacobian_stats"]), dict(mem.uns["jacobian_stats"])
    assert sum(got.pop(k) for k in split) == sum(ref.pop(k) for k in split) == 40
    assert got == ref
    assert isinstance(lazy.layers["Ms"], da.Array)  # the layer stays lazy


def test_stats_sign_method_counts_its_blocks(on_cluster):
    # the blocks settled by the sign function are counted on the workers and summed here
    mem, lazy = _pair(n_cells=24, n_genes=10)
    sch.tl.compute_jacobian_stats(mem, method="sign", progress=False)
    sch.tl.compute_jacobian_stats(lazy, method="sign", progress=False)
    _same_stats(mem, lazy)
    assert lazy.uns["jacobian_stats"]["blocks_sign_function"] == mem.uns["jacobian_stats"]["blocks_sign_function"]


def test_spectra_to_a_zarr_store_and_stats_from_it(on_cluster, tmp_path):
    mem, lazy = _pair()
    store = tmp_path / "jac.zarr"
    sch.tl.compute_jacobians(mem, compute_eigenvectors=True, eigenvectors_file=tmp_path / "mem.h5", progress=False)
    sch.tl.compute_jacobians(lazy, compute_eigenvectors=True, store=store, progress=False)
    ev = lazy.obsm["jacobian_eigenvalues"]
    assert isinstance(ev, da.Array)  # refers to the store, lazily
    np.testing.assert_array_equal(ev.compute(), mem.obsm["jacobian_eigenvalues"])
    vecs = zarr.open_array(str(store / "eigenvectors"), mode="r")[:]
    np.testing.assert_array_equal(vecs, sch.tl.read_jacobian_eigenvectors(tmp_path / "mem.h5"))
    assert lazy.uns["jacobian"]["store"] == str(store)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jac.zarr", "mem.h5"]  # no temporary left
    sch.tl.compute_jacobian_stats(mem, progress=False)
    sch.tl.compute_jacobian_stats(lazy, progress=False)
    assert lazy.uns["jacobian_stats"]["source"] == "spectra"
    _same_stats(mem, lazy)


def test_spectra_in_memory_from_a_dask_layer(on_cluster):
    mem, lazy = _pair()
    sch.tl.compute_jacobians(mem, progress=False)
    sch.tl.compute_jacobians(lazy, progress=False)
    np.testing.assert_array_equal(lazy.obsm["jacobian_eigenvalues"], mem.obsm["jacobian_eigenvalues"])


def test_rotational_part_and_elements(on_cluster):
    mem, lazy = _pair()
    pairs = [("G1", "G2"), ("G3", "G3")]
    for a in (mem, lazy):
        sch.tl.compute_rotational_part(a, progress=False)
        sch.tl.compute_jacobian_elements(a, pairs, progress=False)
    for c in ["jacobian_rotational", "jacobian_df_G1_dx_G2", "jacobian_df_G3_dx_G3"]:
        np.testing.assert_allclose(lazy.obs[c].to_numpy(), mem.obs[c].to_numpy(), rtol=1e-12, atol=0)


def test_only_some_clusters(on_cluster):
    mem, lazy = _pair(n_clusters=3)
    first = str(mem.obs["cell_type"].cat.categories[0])
    for a in (mem, lazy):
        sch.tl.compute_jacobian_stats(a, clusters=[first], progress=False)
    for c in COUNTS:  # nullable integers with <NA> for the cells not computed
        assert lazy.obs[c].isna().to_numpy().tolist() == mem.obs[c].isna().to_numpy().tolist()
        assert lazy.obs[c].dropna().tolist() == mem.obs[c].dropna().tolist()
    np.testing.assert_allclose(lazy.obs["jacobian_eig1_real"], mem.obs["jacobian_eig1_real"], atol=1e-12, rtol=0)


def test_symbolic_model_on_dask(on_cluster):
    import anndata
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 3.0, (20, 3))
    obs = pd.DataFrame({"cell_type": pd.Categorical(["a"] * 10 + ["b"] * 10)}, index=[f"c{i}" for i in range(20)])
    mem = anndata.AnnData(X=X.copy(), obs=obs, var=pd.DataFrame(index=["u", "v", "other"]), layers={"Ms": X})
    lazy = mem.copy()
    lazy.layers["Ms"] = da.from_array(X, chunks=(7, -1))
    for a in (mem, lazy):
        sch.tl.compute_jacobian_stats(a, model="toggle_switch", progress=False)
        sch.tl.compute_rotational_part(a, model="toggle_switch", progress=False)
    _same_stats(mem, lazy)
    np.testing.assert_allclose(lazy.obs["jacobian_rotational"], mem.obs["jacobian_rotational"], rtol=1e-12)


def test_network_is_sent_once(on_cluster, monkeypatch):
    """Under a Client the work (networks and per-chunk function) is scattered once, to every worker,
    and the tasks hold a reference to it, not a copy."""
    from linstab.sc import _dask

    mem, lazy = _pair(n_genes=60, rows=5)  # 8 tasks; each cluster's W alone is 28.8 kB
    calls = []
    real = on_cluster.scatter

    def counting(obj, **kw):
        calls.append((type(obj).__name__, kw.get("broadcast")))
        return real(obj, **kw)

    monkeypatch.setattr(on_cluster, "scatter", counting)
    seen = []
    real_run = _dask.run_tasks
    monkeypatch.setattr(_dask, "run_tasks", lambda tasks, **kw: (seen.extend(tasks), real_run(tasks, **kw))[1])
    sch.tl.compute_rotational_part(lazy, progress=False)
    assert calls == [("_Work", True)]
    seen = [t for t in seen if t.key.startswith("_run_block")]  # not the checks of the expression
    assert len(seen) == 8
    # every task's graph refers to the one scattered key; none embeds an operator
    import pickle

    sizes = [len(pickle.dumps(dict(t.dask))) for t in seen]  # a task's graph holds the in-memory layer
    w_bytes = mem.varp["W_" + str(mem.obs["cell_type"].cat.categories[0])].nbytes
    assert max(sizes) < mem.layers["Ms"].nbytes + w_bytes


def test_local_scheduler_and_progress_bar(capsys):
    """Without a Client: Dask's local scheduler, with its ProgressBar."""
    from linstab._dask import active_client

    assert active_client() is None
    mem, lazy = _pair()
    sch.tl.compute_jacobian_stats(mem, progress=False)
    sch.tl.compute_jacobian_stats(lazy, progress=True)
    _same_stats(mem, lazy)
    assert "Completed" in capsys.readouterr().out  # dask.diagnostics.ProgressBar


def test_progress_bar_on_the_cluster(on_cluster, capsys):
    mem, lazy = _pair()
    sch.tl.compute_rotational_part(lazy, progress=True)
    assert "Rotational part" in capsys.readouterr().err  # the tqdm bar, counting cells


# ------------------------------------------------------------------------------------ bad input
def test_chunks_across_genes(unchanged):
    _, lazy = _pair()
    lazy.layers["Ms"] = lazy.layers["Ms"].rechunk((9, 3))
    with unchanged(lazy), pytest.raises(ValueError, match=r"chunked across genes.*rechunk\(\{1: -1\}\)"):
        sch.tl.compute_jacobian_stats(lazy, progress=False)


def test_mismatched_chunks_between_layers(unchanged):
    _, lazy = _pair()
    lazy.X = da.from_array(np.asarray(lazy.layers["Ms"].compute()), chunks=(10, -1))
    with unchanged(lazy), pytest.raises(ValueError, match=r"chunked differently.*adata.X.*rechunk"):
        sch.tl.compute_rotational_part(lazy, progress=False)


def test_bad_values_found_on_the_workers(on_cluster, unchanged):
    mem, lazy = _pair()
    X = mem.layers["Ms"].copy()
    X[17, 2] = -1.0
    lazy.layers["Ms"] = da.from_array(X, chunks=(9, -1))
    mem.layers["Ms"] = X
    with pytest.raises(ValueError) as ref:
        sch.tl.compute_jacobian_stats(mem, progress=False)
    with unchanged(lazy), pytest.raises(ValueError) as got:
        sch.tl.compute_jacobian_stats(lazy, progress=False)
    assert str(got.value) == str(ref.value)  # the same message, cell and gene named


def test_store_needs_a_dask_layer_and_regular_chunks(tmp_path, unchanged):
    mem, lazy = _pair()
    with unchanged(mem), pytest.raises(ValueError, match="needs a Dask expression layer"):
        sch.tl.compute_jacobians(mem, store=tmp_path / "a.zarr", progress=False)
    lazy.layers["Ms"] = lazy.layers["Ms"].rechunk(((5, 20, 15), (8,)))
    with unchanged(lazy), pytest.raises(ValueError, match="regular chunks"):
        sch.tl.compute_jacobians(lazy, store=tmp_path / "a.zarr", progress=False)
    other = tmp_path / "other.zarr"
    other.mkdir()
    (other / "keep.txt").write_text("not ours")
    lazy.layers["Ms"] = lazy.layers["Ms"].rechunk({0: 10})
    with unchanged(lazy), pytest.raises(FileExistsError, match="overwrite=True"):
        sch.tl.compute_jacobians(lazy, store=other, progress=False)
    assert (other / "keep.txt").read_text() == "not ours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.zarr"]


def test_out_of_memory_names_the_chunk_size(monkeypatch, tmp_path, unchanged):
    """A MemoryError inside a task (local scheduler): the message names the chunks to lower; an
    existing store is left as it was and no temporary remains."""
    from linstab.sc._operators import HopfieldOperator

    _, lazy = _pair()
    store = tmp_path / "s.zarr"
    sch.tl.compute_jacobians(lazy.copy(), store=store, progress=False)
    before = zarr.open_array(str(store / "eigenvalues"))[:]

    def boom(self, d, *, max_block=None):
        raise MemoryError("cannot allocate")

    monkeypatch.setattr(HopfieldOperator, "eigvals", boom)
    with unchanged(lazy), pytest.raises(MemoryError, match=r"9 cells x 8 genes.*rechunk\(\{0: 2\}\)"):
        sch.tl.compute_jacobians(lazy, store=store, progress=False)
    np.testing.assert_array_equal(zarr.open_array(str(store / "eigenvalues"))[:], before)
    assert [p.name for p in tmp_path.iterdir()] == ["s.zarr"]


def test_killed_worker_is_reported_as_memory(on_cluster, monkeypatch, unchanged):
    from linstab import _dask

    _, lazy = _pair()

    def dying(futures):
        from types import SimpleNamespace

        raise distributed.KilledWorker("('run-block', 0)", SimpleNamespace(address="tcp://127.0.0.1:1"), allowed_failures=3)

    monkeypatch.setattr(_dask, "_as_completed", dying)
    with unchanged(lazy), pytest.raises(MemoryError, match=r"worker died.*rechunk\(\{0: 2\}\)"):
        sch.tl.compute_jacobian_stats(lazy, progress=False)


def test_scheduler_gone_mid_run(unchanged, tmp_path):
    """The scheduler stops after the first chunk has come back: a clear error, adata unchanged,
    no store written."""
    from linstab import _dask

    _, lazy = _pair(rows=5)
    real = _dask._as_completed
    import dask

    # the client gives up reconnecting after this timeout (30 s by default)
    with warnings.catch_warnings(), dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        warnings.filterwarnings("ignore", module="distributed")
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                           dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                                           silence_logs=logging.CRITICAL)
        c = distributed.Client(cluster, set_as_default=False)

        calls = []

        def stop_after_first(futures):
            calls.append(len(futures))
            it = real(futures)
            if len(calls) == 1:  # the check of the expression: let it finish
                yield from it
                return
            yield next(it)  # the spectra: one chunk is in the temporary store, then the scheduler goes
            c.sync(cluster.scheduler.close)
            yield from it

        try:
            with c.as_current(), unchanged(lazy), pytest.raises(RuntimeError, match="went away"):
                _dask._as_completed = stop_after_first
                sch.tl.compute_jacobians(lazy, store=tmp_path / "s.zarr", progress=False)
        finally:
            _dask._as_completed = real
            c.close()
            cluster.close()
    assert calls == [8, 8]
    assert list(tmp_path.iterdir()) == []


def test_sparse_blocks():
    """A Dask layer of sparse blocks (lazy readers of sparse layers give one) is densified per block."""
    import scipy.sparse as sp

    mem, lazy = _pair()
    lazy.layers["Ms"] = da.from_array(mem.layers["Ms"], chunks=(9, -1)).map_blocks(sp.csr_matrix, dtype=float)
    for a in (mem, lazy):
        sch.tl.compute_jacobian_stats(a, progress=False)
    _same_stats(mem, lazy)


def test_the_layer_is_never_loaded_whole(monkeypatch):
    """Only blocks reach the tasks: computing or converting the whole layer is never asked for."""
    mem, lazy = _pair()

    def refuse(self, *args, **kwargs):
        raise AssertionError("the whole Dask layer was loaded")

    monkeypatch.setattr(da.Array, "compute", refuse)
    monkeypatch.setattr(da.Array, "__array__", refuse)
    for a in (mem, lazy):
        sch.tl.compute_jacobian_stats(a, progress=False)
        sch.tl.compute_jacobian_elements(a, [("G1", "G2")], progress=False)
    _same_stats(mem, lazy)
