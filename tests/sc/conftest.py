"""Fixtures of the single-cell tests: small datasets, a deep snapshot of an AnnData, figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("anndata")
pytest.importorskip("h5py")

HAS_TORCH = importlib.util.find_spec("torch") is not None
DATA = Path(__file__).resolve().parents[2] / "linstab" / "data"


@pytest.fixture(params=["numpy", pytest.param("torch", marks=pytest.mark.skipif(not HAS_TORCH, reason="no torch"))])
def sc_backend(request) -> str:
    """Run once with numpy and once with torch on the CPU."""
    return request.param


@pytest.fixture
def small():
    """30 cells x 8 genes, two clusters."""
    from linstab.sc.datasets import synthetic_grn

    return synthetic_grn(n_cells=30, n_genes=8, seed=0)


def dense_jacobians(adata, cluster_key="cell_type"):
    """Every cell's J = W diag(phi'(x)) - diag(gamma), from the formula (the reference)."""
    k = adata.var["sigmoid_threshold"].to_numpy()
    n = adata.var["sigmoid_exponent"].to_numpy()
    x = adata.layers["Ms"]
    d = n * k**n * x ** (n - 1) / (x**n + k**n) ** 2
    J = np.zeros((adata.n_obs, adata.n_vars, adata.n_vars))
    for c in adata.obs[cluster_key].astype(str).unique():
        cells = (adata.obs[cluster_key].astype(str) == c).to_numpy()
        gamma = adata.var[f"gamma_{c}"].to_numpy() if f"gamma_{c}" in adata.var else adata.var["gamma"].to_numpy()
        J[cells] = adata.varp[f"W_{c}"][None] * d[cells][:, None, :] - np.diag(gamma)[None]
    return J


@pytest.fixture
def dense():
    """The reference Jacobians: ``dense(adata)`` -> (cells x genes x genes)."""
    return dense_jacobians


@pytest.fixture
def krumsiek():
    from linstab.sc.datasets import krumsiek11

    return krumsiek11()


def _snap(value):
    """A deep, comparable copy of (parts of) an AnnData."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return ("df", value.copy(deep=True))
    if isinstance(value, pd.Index):
        return ("index", value.copy())
    if type(value).__module__.split(".")[0] == "dask":  # a lazy array: its graph's name and chunks
        return ("obj", (value.name, value.chunks))
    if hasattr(value, "toarray"):
        return ("sparse", value.toarray().copy())
    if isinstance(value, np.ndarray):
        return ("array", value.copy())
    if isinstance(value, dict) or hasattr(value, "keys"):
        return ("map", {k: _snap(value[k]) for k in value.keys()})
    if isinstance(value, (list, tuple)):
        return ("seq", [_snap(v) for v in value])
    return ("obj", value)


def _equal(a, b) -> bool:
    import pandas as pd

    if a[0] != b[0]:
        return False
    kind, x, y = a[0], a[1], b[1]
    if kind == "df":
        try:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        except AssertionError:
            return False
        return True
    if kind == "index":
        return x.equals(y)
    if kind in ("array", "sparse"):
        return x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")
    if kind == "map":
        return list(x) == list(y) and all(_equal(x[k], y[k]) for k in x)
    if kind == "seq":
        return len(x) == len(y) and all(_equal(p, q) for p, q in zip(x, y))
    return x == y


def snapshot(adata):
    """Everything an AnnData holds, deep-copied, in a form that :func:`same` compares exactly."""
    parts = {
        "X": adata.X, "obs": adata.obs, "var": adata.var, "obs_names": adata.obs_names,
        "var_names": adata.var_names, "uns": dict(adata.uns),
        "obsm": {k: adata.obsm[k] for k in adata.obsm}, "varm": {k: adata.varm[k] for k in adata.varm},
        "obsp": {k: adata.obsp[k] for k in adata.obsp}, "varp": {k: adata.varp[k] for k in adata.varp},
        "layers": {k: adata.layers[k] for k in adata.layers},
    }
    return {k: _snap(v) for k, v in parts.items()}


def same(before, after) -> list[str]:
    """The parts of an AnnData that differ between two snapshots (empty if identical)."""
    return [k for k in before if not _equal(before[k], after[k])]


@pytest.fixture
def unchanged():
    """``with unchanged(adata): ...`` asserts that the block leaves ``adata`` exactly as it was."""
    from contextlib import contextmanager

    @contextmanager
    def check(adata):
        before = snapshot(adata)
        yield
        diff = same(before, snapshot(adata))
        assert not diff, f"the AnnData changed in: {diff}"

    return check


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if importlib.util.find_spec("matplotlib") is not None:
        import sys

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
