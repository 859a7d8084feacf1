"""Bad input: a clear error that names what is wrong and how to fix it, and the AnnData left
exactly as it was (deep-compared before and after)."""

from __future__ import annotations

import numpy as np
import pytest

import linstab.sc as sch
from linstab import DimensionError, MissingKeyError, ParameterError

FUNCS = {
    "spectra": lambda a, **kw: sch.tl.compute_jacobians(a, progress=False, **kw),
    "stats": lambda a, **kw: sch.tl.compute_jacobian_stats(a, spliced_key=kw.pop("spliced_key", "Ms"),
                                                           progress=False, **kw),
    "rotational": lambda a, **kw: sch.tl.compute_rotational_part(a, progress=False, **kw),
    "elements": lambda a, **kw: sch.tl.compute_jacobian_elements(a, [("G0", "G1")], progress=False, **kw),
}


def _drop_var(key):
    def f(a):
        a.var = a.var.drop(columns=[key])
    return f


def _set_var(key, fn):
    def f(a):
        var = a.var.copy()
        var[key] = fn(var[key].to_numpy().copy())
        a.var = var
    return f


def _unlabel_b(a):
    obs = a.obs.copy()
    obs["cell_type"] = obs["cell_type"].cat.set_categories(["A"])
    a.obs = obs


def _sublinear(a):
    _set_var("sigmoid_exponent", lambda v: v * 0 + 0.5)(a)
    _set_layer(lambda X: X.__setitem__((0, 0), 0.0))(a)


def _set_layer(fn):
    def f(a):
        X = a.layers["Ms"].copy()
        fn(X)
        a.layers["Ms"] = X
    return f


CASES = {
    "missing layer": (lambda a: None, {"spliced_key": "M_t"}, MissingKeyError,
                      r"`adata.layers\['M_t'\]` not found; available layers: 'Ms'.*spliced_key="),
    "missing cluster key": (lambda a: None, {"cluster_key": "celltype"}, MissingKeyError,
                            r"`adata.obs\['celltype'\]` not found; did you mean 'cell_type'"),
    "missing W": (lambda a: a.varp.pop("W_B"), {}, MissingKeyError,
                  r"no interaction matrix for cluster\(s\) 'B'.*W_B.*load_model"),
    "missing threshold": (_drop_var("sigmoid_threshold"), {}, MissingKeyError,
                          r"`adata.var\['sigmoid_threshold'\]` \(Hill thresholds k\) not found"),
    "missing exponent": (_drop_var("sigmoid_exponent"), {}, MissingKeyError,
                         r"`adata.var\['sigmoid_exponent'\]` \(Hill exponents n\) not found"),
    "missing gamma": (_drop_var("gamma"), {}, MissingKeyError, r"degradation rates.*degradation_key="),
    "nonpositive threshold": (_set_var("sigmoid_threshold", lambda v: np.r_[0.0, v[1:]]),
                              {}, ParameterError, r"must be finite and > 0.*'G0'"),
    "NaN expression": (_set_layer(lambda X: X.__setitem__((slice(2, 5), 3), np.nan)), {}, ParameterError,
                       r"3 NaN/inf value\(s\) in 3 cell\(s\) and 1 gene\(s\)"),
    "inf expression": (_set_layer(lambda X: X.__setitem__((0, slice(0, 2)), np.inf)), {}, ParameterError,
                       r"2 NaN/inf value\(s\) in 1 cell\(s\) and 2 gene\(s\)"),
    "negative expression": (_set_layer(lambda X: X.__setitem__((slice(0, 4), slice(5, 7)), -1.0)), {},
                            ParameterError, r"8 negative value\(s\) in 4 cell\(s\) and 2 gene\(s\).*clip"),
    "cluster without cells": (lambda a: None, {"clusters": ["A", "Ery"]}, ParameterError,
                              r"cluster\(s\) 'Ery' have no cells.*Clusters with cells: 'A', 'B'"),
    "unlabelled cells": (_unlabel_b, {}, ParameterError, r"\d+ cell\(s\) have no label"),
    "sub-linear Hill at zero": (_sublinear, {}, ParameterError, r"n < 1 and zero expression"),
    "bad device": (lambda a: None, {"device": "tpu"}, ValueError, r"`device` must be 'cpu' or 'cuda'"),
    "bad dtype": (lambda a: None, {"dtype": "float16"}, ValueError, r"`dtype` must be one of"),
}


@pytest.mark.parametrize("func", list(FUNCS))
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_and_leaves_adata_unchanged(small, unchanged, func, case):
    prepare, kwargs, exc, match = CASES[case]
    prepare(small)
    with unchanged(small), pytest.raises(exc, match=match):
        FUNCS[func](small, **kwargs)


def test_cuda_without_gpu(small, unchanged):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with unchanged(small), pytest.raises(ValueError, match="torch sees no CUDA GPU.*device='cpu'"):
        sch.tl.compute_jacobians(small, device="cuda", progress=False)


def test_unknown_gene_pairs_suggest_close_matches(krumsiek, unchanged):
    seed_pairs = [("CEBPA", "RUNX1"), ("RUNX1", "CEBPA"), ("Gata1", "PU.1")]
    with unchanged(krumsiek), pytest.raises(MissingKeyError) as info:
        sch.tl.compute_jacobian_elements(krumsiek, seed_pairs, progress=False)
    msg = str(info.value)
    assert "3 gene(s) of `gene_pairs` are not among the model's 11 genes" in msg
    assert "'RUNX1' (in pair ('CEBPA', 'RUNX1'))" in msg
    assert "'Gata1' (in pair ('Gata1', 'PU.1')); did you mean 'GATA1'" in msg
    assert "'PU.1' (in pair ('Gata1', 'PU.1')); did you mean 'SPI1'" in msg


@pytest.mark.parametrize("pairs", ["G0", [("G0",)], [("G0", 3)], []])
def test_malformed_gene_pairs(small, unchanged, pairs):
    with unchanged(small), pytest.raises((TypeError, ValueError)):
        sch.tl.compute_jacobian_elements(small, pairs, progress=False)


def test_not_an_anndata():
    with pytest.raises(TypeError, match="must be an AnnData object, got ndarray"):
        sch.tl.compute_jacobians(np.zeros((3, 3)))


def test_eigenvectors_need_a_file(small, unchanged):
    with unchanged(small), pytest.raises(ValueError, match="needs `eigenvectors_file=`"):
        sch.tl.compute_jacobians(small, compute_eigenvectors=True, progress=False)


def test_stats_without_eigenvalues_say_what_to_run(small, unchanged):
    with unchanged(small), pytest.raises(MissingKeyError, match=r"run `linstab.sc.tl.compute_jacobians` first"):
        sch.tl.compute_jacobian_stats(small, source="spectra")


def test_symbolic_model_genes_missing_from_data(small, unchanged):
    with unchanged(small), pytest.raises(MissingKeyError, match=r"state variable\(s\) of model 'toggle_switch'"):
        sch.tl.compute_jacobians(small, model="toggle_switch", progress=False)


# ----------------------------------------------------------------------------- model files
def test_model_file_genes_missing_from_data(small, tmp_path, unchanged):
    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    sub = small[:, :5].copy()
    with unchanged(sub), pytest.raises(MissingKeyError, match=r"3 of the model's 8 genes are not in adata.var_names"):
        sch.tl.load_model(sub, path)


def test_model_file_with_W_of_the_wrong_shape(small, tmp_path, unchanged):
    import h5py

    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    with h5py.File(path, "a") as f:
        del f["varp/W_A"]
        f["varp/W_A"] = np.zeros((8, 7))
    with unchanged(small), pytest.raises(DimensionError, match=r"`varp/W_A` had shape \(8, 7\) while it should have had \(8, 8\)"):
        sch.tl.load_model(small, path)


def test_not_a_model_file(small, tmp_path, unchanged):
    path = tmp_path / "junk.h5sch"
    path.write_text("not hdf5")
    with unchanged(small), pytest.raises(ValueError, match="not a readable HDF5 model file"):
        sch.tl.load_model(small, path)
    with unchanged(small), pytest.raises(FileNotFoundError):
        sch.tl.load_model(small, tmp_path / "missing.h5sch")


def test_messages_end_their_sentences_without_a_suggestion(small):
    """With no close match to suggest, the sentence still ends before the next one starts."""
    with pytest.raises(MissingKeyError) as e:
        sch.tl.compute_jacobian_stats(small, spliced_key="Ms", cluster_key="zzzzqqq", progress=False)
    assert "not found. Categorical obs columns" in str(e.value)
    sch.tl.compute_jacobian_stats(small, spliced_key="Ms", progress=False)
    with pytest.raises(MissingKeyError) as e:
        sch.pl.plot_jacobian_stats_boxplots(small, cluster_key="zzzzqqq")
    assert "not found. Pass `cluster_key=`" in str(e.value)
