"""Files: the .h5sch model format (writer and reader) and the Jacobian HDF5 files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import linstab.sc as sch


def test_model_file_round_trip_and_layout(small, tmp_path):
    import h5py

    path = tmp_path / "m.h5sch"
    small.uns["scHopfield"] = {"spliced_key": "Ms", "cluster_key": "cell_type", "ignored": [1, 2]}
    sch.tl.save_model(small, path)
    with h5py.File(path, "r") as f:
        assert json.loads(f.attrs["clusters"]) == ["A", "B"]
        assert [g.decode() for g in f["gene_names"][()]] == list(small.var_names)
        assert set(f["varp"]) == {"W_A", "W_B"}
        assert {"sigmoid_threshold", "sigmoid_exponent", "gamma", "I_A", "I_B"} <= set(f["var"])
        assert json.loads(f.attrs["uns_scHopfield"]) == {"spliced_key": "Ms", "cluster_key": "cell_type"}
    fresh = small.copy()
    for key in list(fresh.varp):
        del fresh.varp[key]
    fresh.var = fresh.var[[]]
    out = sch.tl.load_model(fresh, path)
    assert out is fresh
    for key in ("W_A", "W_B"):
        np.testing.assert_array_equal(out.varp[key], small.varp[key])
    for key in ("sigmoid_threshold", "sigmoid_exponent", "gamma", "I_A"):
        np.testing.assert_array_equal(out.var[key], small.var[key])
    assert out.uns["scHopfield"]["cluster_key"] == "cell_type"


def test_load_model_copy_leaves_input(small, tmp_path, unchanged):
    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    with unchanged(small):
        out = sch.tl.load_model(small, path, copy=True)
    assert out is not small


def test_load_model_subsets_extra_genes_with_a_warning(small, tmp_path, unchanged):
    import anndata
    import pandas as pd

    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    rng = np.random.default_rng(0)
    genes = ["extra1"] + list(small.var_names[::-1]) + ["extra2"]
    X = rng.uniform(0, 2, (5, len(genes)))
    big = anndata.AnnData(X=X, var=pd.DataFrame(index=genes), layers={"Ms": X.copy()},
                          obs=pd.DataFrame(index=[f"c{i}" for i in range(5)]))
    with unchanged(big), pytest.warns(UserWarning, match="subsetted copy is being returned"):
        out = sch.tl.load_model(big, path)
    assert out is not big and list(out.var_names) == list(small.var_names)
    np.testing.assert_array_equal(out.varp["W_A"], small.varp["W_A"])
    np.testing.assert_array_equal(out.layers["Ms"][:, 0], big.layers["Ms"][:, genes.index(small.var_names[0])])


def test_save_model_refuses_to_overwrite(small, tmp_path):
    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        sch.tl.save_model(small, path)
    sch.tl.save_model(small, path, overwrite=True, clusters=["B"])
    fresh = small.copy()
    del fresh.varp["W_A"], fresh.varp["W_B"]
    assert sorted(sch.tl.load_model(fresh, path).varp) == ["W_B"]


def test_eigenvectors_go_to_disk_and_read_back(small, tmp_path, dense):
    path = tmp_path / "vec.h5"
    sch.tl.compute_jacobians(small, compute_eigenvectors=True, eigenvectors_file=path, memory_limit="20KB",
                             progress=False)
    assert "jacobian_eigenvectors" not in small.obsm and small.uns["jacobian"]["eigenvectors_file"] == str(path)
    ev = small.obsm["jacobian_eigenvalues"]
    J = dense(small)
    cells = ["cell3", "cell0", "cell17"]
    V = sch.tl.read_jacobian_eigenvectors(path, cells)
    for v, c in zip(V, cells):
        i = list(small.obs_names).index(c)
        np.testing.assert_allclose(J[i] @ v, v * ev[i][None, :], atol=1e-10)
    np.testing.assert_array_equal(sch.tl.read_jacobian_eigenvectors(path, [3, 0, 17]), V)
    mask = np.zeros(small.n_obs, dtype=bool)
    mask[[0, 3]] = True
    np.testing.assert_array_equal(sch.tl.read_jacobian_eigenvectors(path, mask), V[[1, 0]])
    with pytest.raises(MemoryError, match="read fewer cells"):
        sch.tl.read_jacobian_eigenvectors(path, memory_limit=1000)
    with pytest.raises(KeyError, match="nope"):
        sch.tl.read_jacobian_eigenvectors(path, ["nope"])


def test_save_and_load_jacobians_with_eigenvectors(small, tmp_path):
    vec = tmp_path / "vec.h5"
    sch.tl.compute_jacobians(small, compute_eigenvectors=True, eigenvectors_file=vec, progress=False)
    out = tmp_path / "saved.h5"
    sch.tl.save_jacobians(small, out, compression="gzip")
    np.testing.assert_array_equal(sch.tl.read_jacobian_eigenvectors(out, [5]), sch.tl.read_jacobian_eigenvectors(vec, [5]))
    # saving onto the eigenvectors file itself keeps its vectors
    sch.tl.save_jacobians(small, vec)
    assert sch.tl.read_jacobian_eigenvectors(vec, [5]).shape == (1, 8, 8)
    # load into an AnnData with the cells in another order, linking the eigenvectors
    sub = small[[4, 2, 9]].copy()
    del sub.obsm["jacobian_eigenvalues"]
    sch.tl.load_jacobians(sub, out, load_eigenvectors=True)
    np.testing.assert_array_equal(sub.obsm["jacobian_eigenvalues"], small.obsm["jacobian_eigenvalues"][[4, 2, 9]])
    assert sub.uns["jacobian"]["eigenvectors_file"] == str(out)
    assert sub.uns["jacobian"]["genes"] == list(small.var_names)


def test_load_jacobians_errors(small, tmp_path, unchanged):
    sch.tl.compute_jacobians(small, progress=False)
    path = tmp_path / "j.h5"
    sch.tl.save_jacobians(small, path)
    with unchanged(small), pytest.raises(KeyError, match="holds no eigenvectors"):
        sch.tl.load_jacobians(small, path, load_eigenvectors=True)
    other = small.copy()
    other.obs_names = [f"x{i}" for i in range(other.n_obs)]
    with unchanged(other), pytest.raises(ValueError, match="not in"):
        sch.tl.load_jacobians(other, path)
    with pytest.raises(FileNotFoundError):
        sch.tl.load_jacobians(small, tmp_path / "missing.h5")


def test_h5ad_round_trip_of_the_results(small, tmp_path):
    import anndata

    sch.tl.compute_jacobians(small, progress=False)
    sch.tl.compute_jacobian_stats(small, progress=False)
    sch.tl.compute_jacobian_elements(small, [("G0", "G1")], progress=False)
    path = tmp_path / "a.h5ad"
    small.write_h5ad(path)
    back = anndata.read_h5ad(path)
    np.testing.assert_array_equal(back.obsm["jacobian_eigenvalues"], small.obsm["jacobian_eigenvalues"])
    np.testing.assert_array_equal(back.obs["jacobian_positive_evals"], small.obs["jacobian_positive_evals"])
