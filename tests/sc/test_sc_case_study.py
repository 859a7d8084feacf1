"""The case-study generator reproduces the committed linstab/data/krumsiek11.h5ad and model file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "linstab" / "data"


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
    # the paper's 30 edges with their signs; the magnitudes are the generator's own
    W = krumsiek.varp["W_all"]
    edges = [line.split("\t") for line in (ROOT / "data" / "krumsiek11" / "network.tsv").read_text().splitlines()
             if line and not line.startswith("#") and not line.startswith("target")]
    assert np.count_nonzero(W) == len(edges) == 30
    pos = {g: i for i, g in enumerate(gen.GENES)}
    for target, regulator, weight in edges:
        assert np.sign(W[pos[gen.SYMBOLS[target]], pos[gen.SYMBOLS[regulator]]]) == np.sign(float(weight))
    assert (krumsiek.var["I_all"] >= 0).all() and (krumsiek.var["sigmoid_threshold"] > 0).all()
    # every trajectory reaches one of the four fates, each in at least 15 % of them
    fates = krumsiek.obs.groupby("trajectory", observed=True)["fate"].first().astype(str)
    shares = fates.value_counts(normalize=True)
    assert set(shares.index) == {"Ery", "Meg", "Neu", "Mon"} and shares.min() >= 0.15, shares


def _fixed_point(W, I, k, n, gamma, on):
    """Newton (scipy's hybrid method, then plain Newton steps) from a Boolean on/off pattern."""
    from scipy.optimize import root

    def f(x):
        return W @ (x**n / (x**n + k**n)) - gamma * x + I

    def jac(x):
        return W * (n * k**n * x ** (n - 1) / (x**n + k**n) ** 2)[None, :] - np.diag(gamma)

    x = root(f, I + W @ on.astype(float), jac=jac, method="hybr", tol=1e-14).x
    for _ in range(3):
        x = x - np.linalg.solve(jac(x), f(x))
    return x, float(np.abs(f(x)).max())


def test_four_fates_are_distinct_stable_fixed_points(krumsiek):
    """From the stored model file: Ery, Meg, Neu and Mon are stable fixed points; the progenitor is not."""
    import anndata as ad
    import pandas as pd

    import linstab.sc as sch

    gen = _generator()
    bare = ad.AnnData(X=np.zeros((1, krumsiek.n_vars)), var=pd.DataFrame(index=krumsiek.var_names))
    model = sch.tl.load_model(bare, DATA / "krumsiek11_model.h5sch")
    W, I = model.varp["W_all"], model.var["I_all"].to_numpy()
    k, n = model.var["sigmoid_threshold"].to_numpy(), model.var["sigmoid_exponent"].to_numpy()
    gamma = model.var["gamma"].to_numpy()
    genes = list(model.var_names)
    states = {}
    for name, on_genes in gen.ATTRACTORS.items():
        on = np.isin(genes, on_genes)
        x, residual = _fixed_point(W, I, k, n, gamma, on)
        assert residual < 1e-10, name
        assert (x[on] > 1.5 * k[on]).all() and (np.abs(x[~on]) < 0.5 * k[~on]).all(), (name, x / k)
        assert (x >= 0).all(), (name, x)
        states[name] = x
        np.testing.assert_allclose(krumsiek.uns["attractors"][name], x, atol=1e-9)
    names = list(states)
    gaps = [np.abs(states[a] - states[b]).max() for i, a in enumerate(names) for b in names[i + 1:]]
    assert min(gaps) > 0.5  # four distinct states
    # their Jacobians through linstab's single-cell route, with the progenitor the simulations start from
    progenitor = np.asarray(krumsiek.uns["simulation"]["progenitor"], dtype=float)
    X = np.vstack([states[name] for name in names] + [progenitor])
    points = ad.AnnData(X=X, obs=pd.DataFrame(index=names + ["progenitor"]), var=model.var.copy(),
                        layers={"Ms": X.copy()})
    points.varp["W_all"] = W
    sch.tl.compute_jacobians(points, spliced_key="Ms", cluster_key=None, progress=False)
    sch.tl.compute_jacobian_stats(points, store_in_obs=True)
    lead = points.obs["jacobian_eig1_real"]
    assert (lead[names] < -0.05).all(), lead
    assert (points.obs.loc[names, "jacobian_positive_evals"] == 0).all()
    assert lead["progenitor"] > 0.1 and points.obs.loc["progenitor", "jacobian_positive_evals"] >= 1
    # the same leading eigenvalues from the formula J = W diag(phi'(x)) - diag(gamma)
    for name in names:
        x = states[name]
        J = W * (n * k**n * x ** (n - 1) / (x**n + k**n) ** 2)[None, :] - np.diag(gamma)
        assert abs(np.linalg.eigvals(J).real.max() - lead[name]) < 1e-10


def test_cells_sit_near_their_attractors(krumsiek):
    """Without noise, >= 90 % of the cells of each differentiated type reach their own attractor;
    branch-point cells have a positive leading eigenvalue on average, committed cells mostly negative."""
    import linstab.sc as sch

    gen = _generator()
    report = gen.validate(krumsiek)
    for name, r in report.items():
        assert r["n_late"] > 20 and r["converged_late"] >= 0.9 and r["converged"] >= 0.9, (name, r)
    cells = krumsiek.copy()
    sch.tl.compute_jacobian_stats(cells, spliced_key="Ms", cluster_key="cell_type", progress=False)
    lead = cells.obs.groupby("cell_type", observed=True)["jacobian_eig1_real"]
    assert (lead.mean()[["progenitor", "MEP-like", "GMP-like"]] > 0).all(), lead.mean()
    negative = lead.apply(lambda s: (s < 0).mean())
    assert (negative[["Ery", "Meg", "Neu", "Mon"]] > 0.9).all(), negative


def test_model_file_matches(krumsiek, tmp_path):
    import linstab.sc as sch

    bare = krumsiek.copy()
    for key in list(bare.varp):
        del bare.varp[key]
    out = sch.tl.load_model(bare, DATA / "krumsiek11_model.h5sch")
    for key in krumsiek.varp:
        np.testing.assert_array_equal(out.varp[key], krumsiek.varp[key])
    assert (DATA / "krumsiek11.h5ad").stat().st_size + (DATA / "krumsiek11_model.h5sch").stat().st_size < 5e6


@pytest.mark.slow
def test_script_writes_both_files(tmp_path):
    gen = _generator()
    gen.main(["--out", str(tmp_path)])
    assert (tmp_path / "krumsiek11.h5ad").is_file() and (tmp_path / "krumsiek11_model.h5sch").is_file()
