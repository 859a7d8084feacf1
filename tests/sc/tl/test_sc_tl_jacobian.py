"""linstab.sc.tl: spectra, statistics (both routes), rotational part, elements; backends, chunks,
symbolic models."""

from __future__ import annotations

import numpy as np
import pytest

import linstab.sc as sch
from linstab.sc._spectra import spectrum_stats


def _dense_J(adata, cluster, cells):
    W = adata.varp[f"W_{cluster}"]
    x = adata.layers["Ms"][cells]
    k, n = adata.var["sigmoid_threshold"].to_numpy(), adata.var["sigmoid_exponent"].to_numpy()
    d = n * k**n * x ** (n - 1) / (x**n + k**n) ** 2
    return W[None] * d[:, None, :] - np.diag(adata.var["gamma"].to_numpy())[None]


def _all_dense(adata):
    J = np.zeros((adata.n_obs, adata.n_vars, adata.n_vars))
    for c in adata.obs["cell_type"].cat.categories:
        cells = (adata.obs["cell_type"] == c).to_numpy()
        J[cells] = _dense_J(adata, c, cells)
    return J


def test_compute_jacobians_full_spectra(small):
    sch.tl.compute_jacobians(small, progress=False)
    ev = small.obsm["jacobian_eigenvalues"]
    assert ev.shape == (30, 8) and ev.dtype == np.complex128
    ref = np.linalg.eigvals(_all_dense(small))
    for a, b in zip(ev, ref):
        np.testing.assert_allclose(np.sort_complex(a), np.sort_complex(b), atol=1e-10)
    assert (np.diff(ev.real, axis=1) <= 0).all(), "rows sorted by decreasing real part"
    pair = np.abs(ev.imag) > 0
    assert not pair.any() or (ev.imag[:, 0][pair[:, 0]] > 0).all()
    info = small.uns["jacobian"]
    assert info["genes"] == list(small.var_names) and info["clusters"] == ["A", "B"]


def test_copy_returns_new_object_and_leaves_input(small, unchanged):
    with unchanged(small):
        out = sch.tl.compute_jacobians(small, copy=True, progress=False)
    assert out is not small and "jacobian_eigenvalues" in out.obsm
    assert sch.tl.compute_jacobians(small, progress=False) is None


def test_clusters_subset_leaves_others_nan(small):
    sch.tl.compute_jacobians(small, clusters=["B"], progress=False)
    ev = small.obsm["jacobian_eigenvalues"]
    is_b = (small.obs["cell_type"] == "B").to_numpy()
    assert np.isnan(ev[~is_b]).all() and np.isfinite(ev[is_b]).all()
    sch.tl.compute_jacobian_stats(small, progress=False)
    assert small.obs["jacobian_trace"][~is_b].isna().all()
    assert str(small.obs["jacobian_positive_evals"].dtype) == "Int64"


def test_torch_matches_numpy(small):
    pytest.importorskip("torch")
    a = sch.tl.compute_jacobians(small, copy=True, progress=False)
    b = sch.tl.compute_jacobians(small, copy=True, backend="torch", progress=False)
    np.testing.assert_allclose(a.obsm["jacobian_eigenvalues"], b.obsm["jacobian_eigenvalues"], atol=1e-10)
    for f in (sch.tl.compute_rotational_part,):
        x, y = f(small, copy=True, progress=False), f(small, copy=True, backend="torch", progress=False)
        np.testing.assert_allclose(x.obs["jacobian_rotational"], y.obs["jacobian_rotational"], rtol=1e-12)
    pairs = [("G1", "G2"), ("G4", "G4")]
    x = sch.tl.compute_jacobian_elements(small, pairs, copy=True, progress=False)
    y = sch.tl.compute_jacobian_elements(small, pairs, copy=True, backend="torch", progress=False)
    for a_, b_ in pairs:
        col = f"jacobian_df_{a_}_dx_{b_}"
        np.testing.assert_allclose(x.obs[col], y.obs[col], rtol=1e-13)
    x = sch.tl.compute_jacobian_stats(small, spliced_key="Ms", copy=True, progress=False)
    y = sch.tl.compute_jacobian_stats(small, spliced_key="Ms", backend="torch", copy=True, progress=False)
    for key in ("jacobian_eig1_real", "jacobian_eig1_imag", "jacobian_trace"):
        np.testing.assert_allclose(x.obs[key], y.obs[key], atol=1e-10)
    np.testing.assert_array_equal(x.obs["jacobian_positive_evals"], y.obs["jacobian_positive_evals"])


def test_float32_option(small):
    sch.tl.compute_jacobians(small, dtype="float32", progress=False)
    assert small.obsm["jacobian_eigenvalues"].dtype == np.complex64


@pytest.fixture(scope="module")
def medium_full():
    """The `medium` dataset with full spectra and the statistics from them (computed once)."""
    from linstab.sc.datasets import synthetic_grn

    adata = synthetic_grn(n_cells=40, n_genes=270, seed=5)
    sch.tl.compute_jacobians(adata, progress=False)
    sch.tl.compute_jacobian_stats(adata, progress=False)
    return adata


@pytest.mark.parametrize("method", ["krylov", "dense"])
def test_stats_direct_route_matches_full_spectra(medium_full, method):
    medium = medium_full
    full = medium.obs
    direct = sch.tl.compute_jacobian_stats(medium, source="model", spliced_key="Ms", method=method, copy=True, progress=False)
    info = direct.uns["jacobian_stats"]
    if method != "dense":
        assert info["cells_partial_spectrum"] > 0.8 * medium.n_obs
    d = direct.obs
    np.testing.assert_array_equal(d["jacobian_positive_evals"], full["jacobian_positive_evals"])
    np.testing.assert_array_equal(d["jacobian_negative_evals"], full["jacobian_negative_evals"])
    np.testing.assert_allclose(d["jacobian_eig1_real"], full["jacobian_eig1_real"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(d["jacobian_eig1_imag"], full["jacobian_eig1_imag"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(d["jacobian_trace"], full["jacobian_trace"], rtol=1e-10)
    assert d["jacobian_positive_evals"].dtype == np.int64


def test_stats_from_file_and_to_obsm(small, tmp_path):
    sch.tl.compute_jacobians(small, progress=False)
    path = tmp_path / "j.h5"
    sch.tl.save_jacobians(small, path)
    ref = sch.tl.compute_jacobian_stats(small, copy=True, progress=False).obs
    bare = small.copy()
    del bare.obsm["jacobian_eigenvalues"]
    sch.tl.compute_jacobian_stats(bare, filename=path, store_in_obs=False)
    df = bare.obsm["jacobian_stats"]
    assert list(df.columns) == list(sch.tl._jacobian.STATS_COLUMNS)
    assert not any(c.startswith("jacobian_") for c in bare.obs.columns)
    np.testing.assert_allclose(df["jacobian_eig1_real"], ref["jacobian_eig1_real"])


def test_leading_is_rightmost_with_positive_imaginary_part():
    ev = np.array([[-1.0 + 0j, 0.3 - 2j, 0.3 + 2j, 0.1 + 0j]])
    s = spectrum_stats(ev)
    assert s["leading"][0] == 0.3 + 2j and s["positive"][0] == 3 and s["negative"][0] == 1


def test_rotational_part_matches_dense(small):
    sch.tl.compute_rotational_part(small, progress=False)
    J = _all_dense(small)
    ref = np.linalg.norm(0.5 * (J - J.transpose(0, 2, 1)), axis=(1, 2))
    np.testing.assert_allclose(small.obs["jacobian_rotational"], ref, rtol=1e-10)


def test_elements_match_dense(small):
    pairs = [("G1", "G2"), ("G2", "G1"), ("G3", "G3"), ("G1", "G2")]
    sch.tl.compute_jacobian_elements(small, pairs, progress=False)
    J = _all_dense(small)
    np.testing.assert_allclose(small.obs["jacobian_df_G1_dx_G2"], J[:, 1, 2], rtol=1e-12)
    np.testing.assert_allclose(small.obs["jacobian_df_G3_dx_G3"], J[:, 3, 3], rtol=1e-12)
    out = sch.tl.compute_jacobian_elements(small, pairs[:2], store_in_obs=False, copy=True, progress=False)
    assert list(out.obsm["jacobian_elements"].columns) == ["jacobian_df_G1_dx_G2", "jacobian_df_G2_dx_G1"]


def test_small_memory_budget_gives_the_same_result(medium_full):
    a = medium_full
    b = sch.tl.compute_jacobian_stats(medium_full, source="model", spliced_key="Ms", memory_limit="2MB", copy=True, progress=False)
    assert b.uns["jacobian_stats"]["cells_partial_spectrum"] > 0
    np.testing.assert_array_equal(a.obs["jacobian_positive_evals"], b.obs["jacobian_positive_evals"])
    np.testing.assert_allclose(a.obs["jacobian_eig1_real"], b.obs["jacobian_eig1_real"], atol=1e-10)


def test_out_of_memory_shrinks_the_chunk(small, monkeypatch):
    from linstab.sc import _operators

    calls = []
    original = _operators.HopfieldOperator.dense

    def flaky(self, d):
        calls.append(int(d.shape[0]))
        if d.shape[0] > 4:
            raise MemoryError("simulated out of memory")
        return original(self, d)

    ref = sch.tl.compute_jacobians(small, copy=True, progress=False).obsm["jacobian_eigenvalues"]
    monkeypatch.setattr(_operators.HopfieldOperator, "dense", flaky)
    sch.tl.compute_jacobians(small, progress=False)
    np.testing.assert_allclose(small.obsm["jacobian_eigenvalues"], ref)
    assert max(calls) > 4 and calls[-1] <= 4


def test_cluster_key_none_uses_the_all_model(small):
    small.varp["W_all"] = small.varp["W_A"]
    sch.tl.compute_jacobian_elements(small, [("G0", "G1")], cluster_key=None, progress=False)
    J = _dense_J(small, "A", np.arange(small.n_obs))
    np.testing.assert_allclose(small.obs["jacobian_df_G0_dx_G1"], J[:, 0, 1])


def test_per_cluster_degradation_rates(small):
    small.var["gamma_B"] = small.var["gamma"] * 2
    sch.tl.compute_jacobian_elements(small, [("G0", "G0")], progress=False)
    is_b = (small.obs["cell_type"] == "B").to_numpy()
    x = small.layers["Ms"][:, 0]
    k, n = small.var["sigmoid_threshold"].iloc[0], small.var["sigmoid_exponent"].iloc[0]
    d = n * k**n * x ** (n - 1) / (x**n + k**n) ** 2
    w = np.where(is_b, small.varp["W_B"][0, 0], small.varp["W_A"][0, 0])
    g = np.where(is_b, 2, 1) * small.var["gamma"].iloc[0]
    np.testing.assert_allclose(small.obs["jacobian_df_G0_dx_G0"], w * d - g, rtol=1e-12)


def test_scHopfield_used_mask_restricts_genes(small):
    small.var["scHopfield_used"] = [True] * 6 + [False] * 2
    sch.tl.compute_jacobians(small, progress=False)
    assert small.obsm["jacobian_eigenvalues"].shape == (30, 6)
    assert small.uns["jacobian"]["genes"] == list(small.var_names[:6])


# ----------------------------------------------------------------------------- symbolic models
@pytest.fixture
def toggle_cells():
    anndata = pytest.importorskip("anndata")
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 3.0, (12, 3))
    obs = pd.DataFrame({"cell_type": pd.Categorical(["a"] * 6 + ["b"] * 6)}, index=[f"c{i}" for i in range(12)])
    var = pd.DataFrame(index=["u", "v", "other"])
    return anndata.AnnData(X=X.copy(), obs=obs, var=var, layers={"Ms": X})


def test_symbolic_model_route(toggle_cells):
    from linstab import load_model

    model = load_model("toggle_switch")
    assert set(model.variable_names) == {"u", "v"}
    sch.tl.compute_jacobians(toggle_cells, model=model, progress=False)
    ev = toggle_cells.obsm["jacobian_eigenvalues"]
    assert ev.shape == (12, 2)
    idx = [list(toggle_cells.var_names).index(v) for v in model.variable_names]
    J = model.kernel("jacobian")(toggle_cells.layers["Ms"][:, idx], model.parameter_vector())
    for a, b in zip(ev, np.linalg.eigvals(J)):
        np.testing.assert_allclose(np.sort_complex(a), np.sort_complex(b), atol=1e-12)
    sch.tl.compute_jacobian_stats(toggle_cells, model=model, progress=False)
    np.testing.assert_allclose(toggle_cells.obs["jacobian_trace"], np.trace(J, axis1=1, axis2=2), rtol=1e-12)
    sch.tl.compute_rotational_part(toggle_cells, model="toggle_switch", progress=False)
    np.testing.assert_allclose(toggle_cells.obs["jacobian_rotational"],
                               np.linalg.norm(0.5 * (J - J.transpose(0, 2, 1)), axis=(1, 2)), rtol=1e-12)
    sch.tl.compute_jacobian_elements(toggle_cells, [("u", "v")], model=model, progress=False)
    pos = list(model.variable_names)
    np.testing.assert_allclose(toggle_cells.obs["jacobian_df_u_dx_v"], J[:, pos.index("u"), pos.index("v")])


def test_symbolic_model_per_cluster_parameters(toggle_cells, sc_backend):
    from linstab import load_model

    model = load_model("toggle_switch")
    name = model.parameter_names[0]
    base = model.parameter_values[name]
    sch.tl.compute_jacobian_stats(toggle_cells, model=model, params={"a": {name: 2 * base}}, backend=sc_backend,
                                  progress=False)
    per_cluster = {"a": {name: 2 * base}}
    sch.tl.compute_jacobian_elements(toggle_cells, [("u", "v")], model=model, params=per_cluster, backend=sc_backend,
                                     progress=False)
    sch.tl.compute_rotational_part(toggle_cells, model=model, params=per_cluster, backend=sc_backend, progress=False)
    idx = [list(toggle_cells.var_names).index(v) for v in model.variable_names]
    X = toggle_cells.layers["Ms"][:, idx]
    Ja = model.kernel("jacobian")(X[:6], model.parameter_vector({name: 2 * base}))
    Jb = model.kernel("jacobian")(X[6:], model.parameter_vector())
    J = np.concatenate([Ja, Jb])
    ref = spectrum_stats(np.linalg.eigvals(J))
    np.testing.assert_allclose(toggle_cells.obs["jacobian_eig1_real"], ref["leading"].real, atol=1e-10)
    pos = list(model.variable_names)
    np.testing.assert_allclose(toggle_cells.obs["jacobian_df_u_dx_v"], J[:, pos.index("u"), pos.index("v")])
    np.testing.assert_allclose(toggle_cells.obs["jacobian_rotational"],
                               np.linalg.norm(0.5 * (J - J.transpose(0, 2, 1)), axis=(1, 2)), rtol=1e-12)
