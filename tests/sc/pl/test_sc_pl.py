"""linstab.sc.pl: every figure is returned (never shown); errors name the missing step; the seed
notebook's section 4 runs unchanged on the case-study data."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402

import linstab.sc as sch  # noqa: E402
from linstab import MissingKeyError, ParameterError  # noqa: E402


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def show(*args, **kwargs):
        raise AssertionError("a linstab plot function called plt.show()")

    monkeypatch.setattr(plt, "show", show)


@pytest.fixture
def computed(small):
    sch.tl.compute_jacobians(small, progress=False)
    sch.tl.compute_jacobian_stats(small, progress=False)
    sch.tl.compute_rotational_part(small, progress=False)
    sch.tl.compute_jacobian_elements(small, [("G0", "G1"), ("G1", "G0"), ("G2", "G2")], progress=False)
    return small


def test_spectrum(computed):
    fig = sch.pl.plot_jacobian_eigenvalue_spectrum(computed, order=["B", "A"], colors={"A": "r", "B": "b"},
                                                   figsize=(8, 4), s=3, alpha=0.5)
    n = computed.obs["cell_type"].value_counts()
    assert [ax.get_title() for ax in fig.axes] == [f"B ({n['B']} cells)", f"A ({n['A']} cells)"]
    assert tuple(fig.get_size_inches()) == (8, 4)
    assert plt.gcf() is fig  # code such as plt.suptitle(...) after the call acts on it


def test_eigenvalue_boxplots(computed):
    fig = sch.pl.plot_jacobian_eigenvalue_boxplots(computed, cluster_key="cell_type")
    assert len(fig.axes) == 3
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["A", "B"]


def test_stats_boxplots(computed):
    fig = sch.pl.plot_jacobian_stats_boxplots(computed, order=["A"], ncols=3)
    assert len(fig.axes) == 6  # five statistics and the rotational part
    fig = sch.pl.plot_jacobian_stats_boxplots(computed, keys=["jacobian_trace"])
    assert len(fig.axes) == 1


def test_element_grid(computed):
    fig = sch.pl.plot_jacobian_element_grid(computed, gene_pairs=[("G0", "G1"), ("G1", "G0"), ("G2", "G2")],
                                            ncols=2, figsize=(8, 8), s=10, alpha=0.7)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 3
    vals = computed.obs["jacobian_df_G0_dx_G1"].to_numpy()
    lo, hi = panels[0].collections[0].get_clim()
    assert lo == pytest.approx(-hi) and hi == pytest.approx(np.abs(vals).max())


def test_plot_errors(computed):
    bare = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    with pytest.raises(MissingKeyError, match="run `linstab.sc.tl.compute_jacobians`"):
        sch.pl.plot_jacobian_eigenvalue_spectrum(bare)
    with pytest.raises(ParameterError, match=r"'Ery' in `order` have no cells"):
        sch.pl.plot_jacobian_eigenvalue_boxplots(computed, order=["A", "Ery"])
    with pytest.raises(ParameterError, match="no colour for cluster"):
        sch.pl.plot_jacobian_eigenvalue_spectrum(computed, colors={"A": "r"})
    with pytest.raises(MissingKeyError, match=r"compute_jacobian_elements\(adata, gene_pairs=\[\('G3', 'G4'\)\]\)"):
        sch.pl.plot_jacobian_element_grid(computed, [("G3", "G4")])
    with pytest.raises(MissingKeyError, match="'RUNX1'"):
        sch.pl.plot_jacobian_element_grid(computed, [("G0", "RUNX1")])
    with pytest.raises(MissingKeyError, match="compute_jacobian_stats"):
        sch.pl.plot_jacobian_stats_boxplots(bare)


def test_seed_notebook_section4_runs_on_the_case_study(krumsiek, tmp_path):
    """The seed's calls, argument names and output keys, on the case-study data."""
    model_file = sch.datasets.krumsiek11_model_file()
    CLUSTER_KEY = "cell_type"
    SPLICED_KEY = "Ms"
    CELL_TYPE_ORDER = ["Meg", "Ery", "MEP-like", "progenitor", "GMP-like", "Mon", "Neu"]
    adata = krumsiek
    for key in list(adata.varp):
        del adata.varp[key]
    adata = sch.tl.load_model(adata, model_file)
    colors = dict(zip(CELL_TYPE_ORDER, adata.uns["cell_type_colors"]))
    device = "cpu"
    sch.tl.compute_jacobians(adata, spliced_key=SPLICED_KEY, cluster_key=CLUSTER_KEY,
                             compute_eigenvectors=False, device=device, progress=False)
    sch.tl.save_jacobians(adata, filename=str(tmp_path / "jacobian_eigenvalues.h5"), cluster_key=CLUSTER_KEY,
                          compression="gzip")
    sch.tl.load_jacobians(adata, filename=str(tmp_path / "jacobian_eigenvalues.h5"), load_eigenvectors=False)
    sch.tl.compute_jacobian_stats(adata, filename=None, store_in_obs=True)
    stats_cols = ["jacobian_eig1_real", "jacobian_eig1_imag", "jacobian_positive_evals",
                  "jacobian_negative_evals", "jacobian_trace"]
    desc = adata.obs[stats_cols].describe()
    assert desc.loc["count"].eq(adata.n_obs).all()
    summary = adata.obs.groupby(CLUSTER_KEY, observed=True).agg({
        "jacobian_positive_evals": ["mean", "std"], "jacobian_negative_evals": ["mean", "std"],
        "jacobian_trace": ["mean", "std"]})
    assert len(summary) == 7
    for f in (sch.pl.plot_jacobian_eigenvalue_spectrum, sch.pl.plot_jacobian_eigenvalue_boxplots,
              sch.pl.plot_jacobian_stats_boxplots):
        fig = f(adata, cluster_key=CLUSTER_KEY, order=CELL_TYPE_ORDER, colors=colors, figsize=(15, 15))
        plt.close(fig)
    eigenvalues = adata.obsm["jacobian_eigenvalues"]
    for cluster in CELL_TYPE_ORDER:
        mask = (adata.obs[CLUSTER_KEY] == cluster).values
        assert np.isfinite(eigenvalues[mask].real.max())
    sch.tl.compute_rotational_part(adata, spliced_key=SPLICED_KEY, cluster_key=CLUSTER_KEY, device=device,
                                   progress=False)
    assert "jacobian_rotational" in adata.obs
    gene_pairs = [("FLI1", "KLF1"), ("KLF1", "FLI1"), ("FLI1", "FLI1"), ("KLF1", "KLF1"), ("GATA1", "GATA2"),
                  ("GATA2", "GATA1"), ("GATA1", "KLF1"), ("KLF1", "GATA1"), ("GATA1", "FLI1"), ("FLI1", "GATA1"),
                  ("CEBPA", "RUNX1"), ("RUNX1", "CEBPA")]
    with pytest.raises(MissingKeyError, match="RUNX1"):  # RUNX1 is not in the Krumsiek network
        sch.tl.compute_jacobian_elements(adata, gene_pairs=gene_pairs, spliced_key=SPLICED_KEY,
                                         cluster_key=CLUSTER_KEY, device=device, store_in_obs=True, progress=False)
    gene_pairs = gene_pairs[:10] + [("CEBPA", "SPI1"), ("SPI1", "CEBPA")]
    sch.tl.compute_jacobian_elements(adata, gene_pairs=gene_pairs, spliced_key=SPLICED_KEY,
                                     cluster_key=CLUSTER_KEY, device=device, store_in_obs=True, progress=False)
    assert "jacobian_df_GATA1_dx_GATA2" in adata.obs
    fig = sch.pl.plot_jacobian_element_grid(adata, gene_pairs=[("FLI1", "KLF1"), ("KLF1", "FLI1"),
                                                               ("FLI1", "FLI1"), ("KLF1", "KLF1")],
                                            ncols=2, figsize=(10, 10), s=10, alpha=0.7)
    plt.suptitle("FLI1–KLF1 Jacobian Elements", fontsize=16, y=1.02)
    assert fig._suptitle is not None and fig._suptitle.get_text() == "FLI1–KLF1 Jacobian Elements"
    # the statistics route without spectra gives the same columns
    direct = sch.tl.compute_jacobian_stats(adata, source="model", spliced_key=SPLICED_KEY, cluster_key=CLUSTER_KEY, copy=True,
                                           progress=False)
    np.testing.assert_array_equal(direct.obs["jacobian_positive_evals"], adata.obs["jacobian_positive_evals"])
    np.testing.assert_allclose(direct.obs["jacobian_eig1_real"], adata.obs["jacobian_eig1_real"], atol=1e-8)
