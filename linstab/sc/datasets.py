"""Small AnnData datasets for examples, tests and benchmarks.

- :func:`synthetic_grn`: a random fitted-GRN-like dataset of any size, in the scHopfield layout,
  generated in memory from a seed;
- :func:`krumsiek11`: the case study of the book, a stochastic simulation of the 11-gene myeloid
  progenitor network of Krumsiek et al. (2011), read from ``linstab/data/krumsiek11.h5ad`` (made by
  ``data/make_krumsiek11.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from linstab._optional import require

__all__ = ["synthetic_grn", "krumsiek11", "krumsiek11_model_file"]

_DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # linstab/data, shipped in the wheel


def synthetic_grn(
    n_cells: int = 200,
    n_genes: int = 50,
    *,
    n_clusters: int = 2,
    rank: int = 6,
    regulators: float = 10.0,
    n_tfs: int | None = None,
    module_scale: float = 1.0,
    seed: int = 0,
) -> Any:
    """A random GRN-on-cells dataset laid out like a fitted scHopfield model.

    Per cluster, ``W = S + U diag(s) (U + V/2)ᵀ``: a sparse random network ``S`` with about
    ``regulators`` inputs per gene (weak, so that the bulk of each Jacobian's spectrum stays to
    the left of ``−min γ``) plus a low-rank module whose strong self-reinforcing directions give
    a handful of outlying eigenvalues with positive real part, as fitted networks show.
    Degradation rates are log-normal around 0.2 (in [0.08, 1.3]), Hill thresholds log-normal
    around 1, exponents in [1, 4]; expression is log-normal around each gene's threshold.

    Parameters
    ----------
    n_cells, n_genes
        Size of the dataset.
    n_clusters
        Number of cell types (``'A'``, ``'B'``, ...), each with its own ``W``.
    rank
        Rank of the low-rank module.
    regulators
        Mean number of regulators per gene in the sparse part.
    n_tfs
        Only the first ``n_tfs`` genes regulate (the other columns of every ``W`` are zero), as in
        networks restricted to transcription factor → target edges; None: every gene may
        regulate. The random draws do not depend on it.
    module_scale
        Factor on the strength of the low-rank module. With ``rank`` it sets how many eigenvalues
        per cell have positive real part: none at 0 (the sparse part alone), more with a larger
        ``rank`` (at 400 genes about 5 per cell at rank 8, 17 at rank 30, 55 at rank 90, 145 at
        rank 280). The random draws do not depend on it.
    seed
        Seed of the generator; the dataset is a deterministic function of the arguments.

    Returns
    -------
    AnnData
        ``layers['Ms']`` (expression), ``obs['cell_type']``, ``varp['W_<cluster>']``,
        ``var['I_<cluster>']``, ``var['gamma']``, ``var['sigmoid_threshold']``,
        ``var['sigmoid_exponent']`` and ``obsm['X_pca']`` (two principal components of
        ``log1p`` expression).

    Examples
    --------
    >>> adata = synthetic_grn(n_cells=20, n_genes=6, seed=1)
    >>> adata.shape, sorted(adata.varp)
    ((20, 6), ['W_A', 'W_B'])
    """
    anndata = require("anndata", extra="grn")
    pd = require("pandas", extra="grn")
    if n_cells < 1 or n_genes < 2 or n_clusters < 1:
        raise ValueError(f"synthetic_grn: need n_cells >= 1, n_genes >= 2, n_clusters >= 1; got "
                         f"{n_cells}, {n_genes}, {n_clusters}")
    if not (np.isfinite(module_scale) and module_scale >= 0):
        raise ValueError(f"synthetic_grn: `module_scale` must be a finite number >= 0; got {module_scale!r}")
    if n_tfs is not None and not 1 <= n_tfs <= n_genes:
        raise ValueError(f"synthetic_grn: `n_tfs` must be between 1 and n_genes={n_genes} (or None); got {n_tfs}")
    rng = np.random.default_rng(seed)
    g = n_genes
    names = [f"G{i:0{len(str(g - 1))}d}" for i in range(g)]
    clusters = [chr(ord("A") + c) if c < 26 else f"C{c}" for c in range(n_clusters)]
    gamma = np.clip(rng.lognormal(np.log(0.2), 0.5, g), 0.08, 1.3)
    k = rng.lognormal(0.0, 0.5, g)
    nexp = rng.uniform(1.0, 4.0, g)
    r = int(min(rank, g))
    density = min(1.0, regulators / g)
    var = pd.DataFrame({"gamma": gamma, "sigmoid_threshold": k, "sigmoid_exponent": nexp}, index=names)
    varp = {}
    for c in clusters:
        S = (rng.random((g, g)) < density) * rng.standard_normal((g, g)) * (0.1 / np.sqrt(max(regulators, 1.0)))
        U = rng.standard_normal((g, r)) / np.sqrt(g)
        V = rng.standard_normal((g, r)) / np.sqrt(g)
        s = rng.uniform(-1.5, 3.0, r)
        W = S + (U * s) @ (U + 0.5 * V).T * (2.0 * module_scale)
        if n_tfs is not None:
            W[:, n_tfs:] = 0.0
        varp[f"W_{c}"] = W
        var[f"I_{c}"] = rng.uniform(0.0, 0.2, g)
    labels = rng.integers(0, n_clusters, n_cells)
    shift = rng.normal(0.0, 0.4, (n_clusters, g))
    X = k[None, :] * np.exp(shift[labels] + rng.normal(0.0, 0.6, (n_cells, g)))
    obs = pd.DataFrame({"cell_type": pd.Categorical([clusters[i] for i in labels], categories=clusters)},
                       index=[f"cell{i}" for i in range(n_cells)])
    L = np.log1p(X)
    L = L - L.mean(axis=0)
    U_, s_, _ = np.linalg.svd(L, full_matrices=False)
    pcs = U_[:, :2] * s_[:2]
    if pcs.shape[1] < 2:
        pcs = np.pad(pcs, ((0, 0), (0, 2 - pcs.shape[1])))
    adata = anndata.AnnData(X=X.copy(), obs=obs, var=var, layers={"Ms": X}, varp=varp, obsm={"X_pca": pcs})
    adata.uns["scHopfield"] = {"spliced_key": "Ms", "cluster_key": "cell_type"}
    return adata


def krumsiek11(path: str | Path | None = None) -> Any:
    """The case-study dataset: noisy simulations of the Krumsiek et al. (2011) myeloid network.

    Parameters
    ----------
    path
        An ``.h5ad`` file; by default the copy installed with linstab (``linstab/data/``).

    Returns
    -------
    AnnData
        See ``data/krumsiek11/README.md`` for every key.

    Examples
    --------
    >>> adata = krumsiek11()
    >>> adata.obs["cell_type"].cat.categories.tolist()
    ['progenitor', 'MEP-like', 'Ery', 'Meg', 'GMP-like', 'Neu', 'Mon']
    >>> adata.var_names.tolist()[:4]
    ['GATA2', 'GATA1', 'ZFPM1', 'KLF1']
    """
    anndata = require("anndata", extra="grn")
    p = Path(path) if path is not None else _DATA_DIR / "krumsiek11.h5ad"
    if not p.is_file():
        raise FileNotFoundError(
            f"{p} not found; the case-study file ships with linstab (linstab/data/). Regenerate it with "
            "`python data/make_krumsiek11.py` from the repository root, or pass `path=`."
        )
    import warnings

    with warnings.catch_warnings():  # anndata's notices about its own file format
        warnings.simplefilter("ignore", FutureWarning)
        return anndata.read_h5ad(p)


def krumsiek11_model_file() -> Path:
    """The case study's model per cell type (scHopfield layout), for :func:`linstab.sc.tl.load_model`.

    Examples
    --------
    >>> krumsiek11_model_file().name
    'krumsiek11_model.h5sch'
    """
    return _DATA_DIR / "krumsiek11_model.h5sch"
