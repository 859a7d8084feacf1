"""The case-study generator reproduces the committed data/krumsiek11.h5ad and model file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("make_krumsiek11", ROOT / "data" / "make_krumsiek11.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_dataset_matches_the_script(krumsiek):
    import pandas as pd

    fresh = _generator().make(write=False)
    assert fresh.shape == krumsiek.shape == (1500, 11)
    np.testing.assert_array_equal(fresh.X, krumsiek.X)
    np.testing.assert_array_equal(fresh.layers["Ms"], krumsiek.layers["Ms"])
    pd.testing.assert_frame_equal(fresh.obs, krumsiek.obs)
    pd.testing.assert_frame_equal(fresh.var, krumsiek.var)
    assert sorted(fresh.varp) == sorted(krumsiek.varp)
    for key in fresh.varp:
        np.testing.assert_array_equal(fresh.varp[key], krumsiek.varp[key])
    np.testing.assert_allclose(np.abs(fresh.obsm["X_pca"]), np.abs(krumsiek.obsm["X_pca"]), atol=1e-10)
    assert list(fresh.uns["cell_type_colors"]) == list(krumsiek.uns["cell_type_colors"])


def test_case_study_content(krumsiek):
    gen = _generator()
    assert list(krumsiek.var_names) == gen.GENES
    assert {"GATA1", "GATA2", "KLF1", "FLI1", "CEBPA", "SPI1"} <= set(krumsiek.var_names)
    counts = krumsiek.obs["cell_type"].value_counts()
    assert (counts > 20).all(), counts
    W = krumsiek.varp["W_all"]
    edges = [line.split("\t") for line in (ROOT / "data" / "krumsiek11" / "network.tsv").read_text().splitlines()
             if line and not line.startswith("#") and not line.startswith("target")]
    assert np.count_nonzero(W) == len(edges) == 30
    pos = {g: i for i, g in enumerate(gen.GENES)}
    for target, regulator, weight in edges:
        assert W[pos[gen.SYMBOLS[target]], pos[gen.SYMBOLS[regulator]]] == float(weight)
    # the four differentiated states are stable states of the model (deterministic flow stays)
    m = gen.build_model()
    for fate in ("Ery", "Meg", "Neu", "Mon"):
        cells = (krumsiek.obs["cell_type"] == fate).to_numpy() & (krumsiek.obs["time"] > 15).to_numpy()
        X = krumsiek.layers["Ms"][cells][:5]
        for _ in range(2000):
            X = np.abs(X + 0.01 * gen.rhs(X, m))
        assert gen._conditions(X, m["k"])[fate].all(), fate


def test_model_file_matches(krumsiek, tmp_path):
    import linstab.sc as sch

    bare = krumsiek.copy()
    for key in list(bare.varp):
        del bare.varp[key]
    out = sch.tl.load_model(bare, ROOT / "data" / "krumsiek11_model.h5sch")
    for key in krumsiek.varp:
        np.testing.assert_array_equal(out.varp[key], krumsiek.varp[key])
    assert (ROOT / "data" / "krumsiek11.h5ad").stat().st_size + (ROOT / "data" / "krumsiek11_model.h5sch").stat().st_size < 5e6


@pytest.mark.slow
def test_script_writes_both_files(tmp_path):
    gen = _generator()
    gen.main(["--out", str(tmp_path)])
    assert (tmp_path / "krumsiek11.h5ad").is_file() and (tmp_path / "krumsiek11_model.h5sch").is_file()
