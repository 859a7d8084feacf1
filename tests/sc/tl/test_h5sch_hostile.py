"""Hostile ``.h5sch`` model files and odd expression data: a clear error (or a right answer),
bounded memory, no bytes of other files read, and the AnnData left exactly as it was on error."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import linstab.sc as sch
from linstab import DimensionError, MissingKeyError, ModelError, ParameterError

h5py = pytest.importorskip("h5py")


@pytest.fixture
def model_file(small, tmp_path):
    path = tmp_path / "m.h5sch"
    sch.tl.save_model(small, path)
    return path


@pytest.fixture
def bare(small):
    """The cells of ``small`` before any model was loaded: no W, no gene parameters."""
    out = small.copy()
    for key in list(out.varp):
        del out.varp[key]
    out.var = out.var[[]]
    return out


def _load_peak(adata, path, **kw):
    """(exception, peak bytes allocated by Python/numpy) of a load_model call."""
    tracemalloc.start()
    try:
        sch.tl.load_model(adata, path, **kw)
    except Exception as exc:  # noqa: BLE001 - returned to the test, which checks its type
        err = exc
    else:
        err = None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return err, peak


def test_decompression_bomb_is_refused_from_its_shape(bare, model_file, unchanged):
    # a 40000 x 40000 chunked gzip dataset that is never written: the file stays a few KB, reading
    # it would allocate 11.9 GiB of fill values
    with h5py.File(model_file, "a") as f:
        del f["varp/W_A"]
        f.create_dataset("varp/W_A", shape=(40000, 40000), dtype="f8", chunks=(1000, 1000), compression="gzip")
    assert model_file.stat().st_size < 100_000
    with unchanged(bare):
        err, peak = _load_peak(bare, model_file)
    assert isinstance(err, DimensionError) and "varp/W_A" in str(err) and "(40000, 40000)" in str(err)
    assert peak < 20e6


def test_bomb_in_gene_names_is_refused_before_reading(bare, tmp_path, unchanged):
    path = tmp_path / "bomb.h5sch"
    with h5py.File(path, "w") as f:  # 10**9 fixed 1 MB strings: 1 PB once decompressed
        f.create_dataset("gene_names", shape=(10**9,), dtype="S1000000", chunks=(1,), compression="gzip")
        f.create_dataset("varp/W_A", data=np.zeros((2, 2)))
    with unchanged(bare):
        err, peak = _load_peak(bare, path)
    assert isinstance(err, ModelError) and "at most 4096" in str(err)
    assert peak < 20e6


def test_many_matrices_exceed_the_memory_limit(bare, model_file, unchanged):
    with unchanged(bare), pytest.raises(MemoryError, match=r"2 interaction matrices of 8 x 8 genes.*memory_limit"):
        sch.tl.load_model(bare, model_file, memory_limit=1000)


def test_external_storage_is_refused_and_never_read(bare, model_file, tmp_path, unchanged):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(8, dtype="f8").tobytes())
    with h5py.File(model_file, "a") as f:
        del f["var/gamma"]
        f.create_dataset("var/gamma", shape=(8,), dtype="f8", external=[(str(secret), 0, 64)])
        assert np.array_equal(f["var/gamma"][()], np.arange(8))  # h5py itself would read the other file
    with unchanged(bare), pytest.raises(ModelError, match=r"`var/gamma` uses HDF5 external storage"):
        sch.tl.load_model(bare, model_file)


def test_virtual_dataset_is_refused(bare, model_file, tmp_path, unchanged):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as g:
        g["x"] = np.ones((8, 8))
    with h5py.File(model_file, "a") as f:
        del f["varp/W_B"]
        layout = h5py.VirtualLayout(shape=(8, 8), dtype="f8")
        layout[:] = h5py.VirtualSource(str(other), "x", shape=(8, 8))
        f["varp"].create_virtual_dataset("W_B", layout)
    with unchanged(bare), pytest.raises(ModelError, match=r"`varp/W_B` is an HDF5 virtual dataset"):
        sch.tl.load_model(bare, model_file)


@pytest.mark.parametrize("kind", ["soft", "external"])
def test_links_are_refused(bare, model_file, tmp_path, unchanged, kind):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as g:
        g["W"] = np.full((8, 8), 7.0)
    with h5py.File(model_file, "a") as f:
        del f["varp/W_B"]
        f["varp/W_B"] = h5py.SoftLink("/varp/W_A") if kind == "soft" else h5py.ExternalLink(str(other), "/W")
    link = "SoftLink" if kind == "soft" else "ExternalLink"
    with unchanged(bare), pytest.raises(ModelError, match=rf"`varp/W_B` is an HDF5 {link}"):
        sch.tl.load_model(bare, model_file)


def test_links_at_the_top_are_refused(bare, model_file, tmp_path, unchanged):
    with h5py.File(model_file, "a") as f:
        f.move("varp", "real_varp")
        f["varp"] = h5py.SoftLink("/real_varp")
    with unchanged(bare), pytest.raises(ModelError, match=r"`varp` is an HDF5 SoftLink"):
        sch.tl.load_model(bare, model_file)


def test_unknown_keys_are_ignored_with_a_warning(bare, model_file, small):
    with h5py.File(model_file, "a") as f:
        f["var/evil"] = np.arange(8.0)
        f["varp/evil"] = np.ones((8, 8))
        f["varp/W_Z"] = np.ones((8, 8))  # a matrix for a cluster that `clusters` does not list
        f.attrs["uns_scHopfield"] = '{"spliced_key": "Ms", "injected": {"a": 1}}'
    with pytest.warns(UserWarning, match=r"ignored 4 entries .*'var/evil', 'varp/W_Z', 'varp/evil', .*injected"):
        out = sch.tl.load_model(bare, model_file)
    assert out is bare
    assert "evil" not in bare.var and "evil" not in bare.varp and "W_Z" not in bare.varp
    assert sorted(bare.varp) == ["W_A", "W_B"] and bare.uns["scHopfield"]["spliced_key"] == "Ms"
    assert "injected" not in bare.uns["scHopfield"]
    np.testing.assert_array_equal(bare.varp["W_A"], small.varp["W_A"])
    np.testing.assert_array_equal(bare.var["gamma"], small.var["gamma"])


def test_complex_W_is_refused(bare, model_file, unchanged):
    with h5py.File(model_file, "a") as f:
        del f["varp/W_A"]
        f["varp/W_A"] = np.ones((8, 8)) * (1 + 2j)
    with unchanged(bare), pytest.raises(ModelError, match=r"`varp/W_A` \(.*\) should hold .*real numbers; got complex"):
        sch.tl.load_model(bare, model_file)


def test_string_parameter_is_refused_before_anything_is_written(small, model_file, unchanged):
    with h5py.File(model_file, "a") as f:
        f["var/gamma"][...] = np.full(8, 9.0)  # would replace gamma if the load went half-way
        del f["varp/W_B"]
        f.create_dataset("varp/W_B", data=np.full((8, 8), "x", dtype=object), dtype=h5py.string_dtype())
    with unchanged(small), pytest.raises(ModelError, match=r"`varp/W_B`.*should hold .*real numbers"):
        sch.tl.load_model(small, model_file)


def test_unreadable_W_leaves_adata_exactly_as_it_was(small, model_file, unchanged):
    # change gamma and the thresholds in the file, then damage the compressed bytes of W_B: the
    # load must fail before anything (gamma, thresholds, W_A) is written into the AnnData
    with h5py.File(model_file, "a") as f:
        f["var/gamma"][...] = np.full(8, 9.0)
        f["var/sigmoid_threshold"][...] = np.full(8, 9.0)
        info = f["varp/W_B"].id.get_chunk_info(0)
        offset, size = info.byte_offset, info.size
    with open(model_file, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xff" * size)
    with unchanged(small), pytest.raises(ModelError, match=r"`varp/W_B` cannot be read .*damaged"):
        sch.tl.load_model(small, model_file)


@pytest.mark.parametrize(("attr", "value", "match"), [
    ("clusters", "[unclosed", r"attribute `clusters` is not valid JSON"),
    ("clusters", '{"a": 1}', r"attribute `clusters` should be a JSON list"),
    ("clusters", '["A", "Q"]', r"cluster\(s\) 'Q' listed in attribute `clusters` have no `varp/W_<cluster>`"),
    ("uns_scHopfield", "[" * 100000, r"attribute `uns_scHopfield` is not valid JSON"),
    ("uns_scHopfield", "[1]", r"`uns_scHopfield` should be a JSON object"),
])
def test_bad_attributes(small, model_file, unchanged, attr, value, match):
    with h5py.File(model_file, "a") as f:
        f.attrs[attr] = value
    with unchanged(small), pytest.raises(ModelError, match=match):
        sch.tl.load_model(small, model_file)


def test_more_model_genes_than_data_names_the_missing_ones(small, model_file, unchanged):
    sub = small[:, :5].copy()
    with unchanged(sub), pytest.raises(MissingKeyError, match=r"3 of the model's 8 genes are not in adata.var_names"):
        sch.tl.load_model(sub, model_file)


# ----------------------------------------------------------------------------- expression data
def test_zero_cells_is_a_clear_error(small, unchanged):
    empty = small[:0].copy()
    with unchanged(empty), pytest.raises(DimensionError, match=r"adata has 0 cells x 8 genes.*at least one cell"):
        sch.tl.compute_jacobians(empty, progress=False)
    with unchanged(empty), pytest.raises(DimensionError, match=r"adata has 0 cells"):
        sch.tl.compute_jacobian_stats(empty, spliced_key="Ms", cluster_key="cell_type", progress=False)


def test_subnormal_expression_gives_the_limit_not_nan(small, dense):
    # the synthetic exponents are all > 1, so phi'(x) -> 0 as x -> 0: a cell whose expression is
    # subnormal has (to double precision) the Jacobians of a cell with zero expression
    assert (small.var["sigmoid_exponent"] > 1).all()
    X = np.array(small.layers["Ms"], dtype=float)
    X[0] = 5e-324
    X[1] = 0.0
    X[2, :4] = 1e-310
    small.layers["Ms"] = X
    sch.tl.compute_jacobians(small, progress=False)
    ev = small.obsm["jacobian_eigenvalues"]
    assert np.isfinite(ev).all()
    np.testing.assert_allclose(ev[0], ev[1], atol=1e-12)
    ref = np.linalg.eigvals(dense(small)[2])
    np.testing.assert_allclose(np.sort_complex(ev[2]), np.sort_complex(ref), atol=1e-9)
    sch.tl.compute_jacobian_stats(small, progress=False)
    assert np.isfinite(small.obs["jacobian_eig1_real"]).all()


def test_sublinear_hill_with_subnormal_expression_is_refused(small, unchanged):
    small.var["sigmoid_exponent"] = 0.5
    X = np.array(small.layers["Ms"], dtype=float)
    X[3, 2] = 1e-320
    small.layers["Ms"] = X
    with unchanged(small), pytest.raises(ParameterError, match=r"n < 1 and zero expression \(or subnormal"):
        sch.tl.compute_jacobians(small, progress=False)


@pytest.mark.parametrize(("change", "match"), [
    (lambda f: (f.__delitem__("varp/W_A"), f.create_group("varp/W_A")), r"`varp/W_A` should be a dataset"),
    (lambda f: (f.__delitem__("var"), f.create_dataset("var", data=np.ones(8))), r"`var` should be a group"),
    (lambda f: (f.__delitem__("gene_names"), f.create_dataset("gene_names", data="g0")),
     r"`gene_names` should be a 1-D string dataset"),
    (lambda f: (f.__delitem__("gene_names"), f.create_dataset("gene_names", data=np.arange(8))),
     r"`gene_names` \(gene names\) should hold strings"),
    (lambda f: (f.__delitem__("var/gamma"), f.create_dataset("var/gamma", data=np.zeros(8, dtype=[("a", "f8")]))),
     r"`var/gamma` .*should hold .*real numbers"),
])
def test_objects_of_the_wrong_kind(small, model_file, unchanged, change, match):
    with h5py.File(model_file, "a") as f:
        change(f)
    with unchanged(small), pytest.raises(ModelError, match=match):
        sch.tl.load_model(small, model_file)
