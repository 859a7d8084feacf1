"""Figures of per-cell Jacobian results (matplotlib). Each function returns its Figure.

The figures are created through ``matplotlib.pyplot`` so that notebook code such as
``plt.suptitle(...)`` after the call acts on them; none calls ``show()``. Close them with
``plt.close(fig)`` when drawing many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab._errors import MissingKeyError, ParameterError
from linstab._optional import require
from linstab.sc.tl._inputs import _listing, check_adata, suggest

__all__ = [
    "plot_jacobian_eigenvalue_spectrum",
    "plot_jacobian_eigenvalue_boxplots",
    "plot_jacobian_stats_boxplots",
    "plot_jacobian_element_grid",
]

_STATS_LABELS = {
    "jacobian_eig1_real": "Re λ₁ (leading)",
    "jacobian_eig1_imag": "Im λ₁ (leading)",
    "jacobian_positive_evals": "# eigenvalues with Re > 0",
    "jacobian_negative_evals": "# eigenvalues with Re < 0",
    "jacobian_trace": "trace J",
    "jacobian_rotational": "‖(J − Jᵀ)/2‖_F",
}


def _plt():
    return require("matplotlib.pyplot", extra="grn")


def _clusters(adata: Any, cluster_key: str | None, order: Sequence[str] | None, func: str):
    """(names, masks) of the clusters to draw, in order."""
    if cluster_key is None:
        return ["all cells"], [np.ones(adata.n_obs, dtype=bool)]
    if cluster_key not in adata.obs:
        raise MissingKeyError(f"{func}: `adata.obs[{cluster_key!r}]` not found"
                              f"{suggest(cluster_key, list(adata.obs.columns)) or '.'} Pass `cluster_key=`.")
    labels = adata.obs[cluster_key].astype(str).to_numpy()
    present = list(dict.fromkeys(labels.tolist()))
    col = adata.obs[cluster_key]
    if hasattr(col, "cat"):
        present = [str(c) for c in col.cat.categories if str(c) in set(present)]
    if order is None:
        names = present
    else:
        names = [str(c) for c in order]
        empty = [c for c in names if c not in present]
        if empty:
            raise ParameterError(
                f"{func}: cluster(s) {_listing(empty)} in `order` have no cells in `adata.obs[{cluster_key!r}]`"
                f"{suggest(empty[0], present) or '.'} Clusters with cells: {_listing(present)}."
            )
    return names, [labels == c for c in names]


def _colors(adata: Any, cluster_key: str | None, names: list[str], colors: Any) -> list[Any]:
    plt = _plt()
    if isinstance(colors, Mapping):
        missing = [c for c in names if c not in colors]
        if missing:
            raise ParameterError(f"`colors` has no colour for cluster(s) {_listing(missing)}")
        return [colors[c] for c in names]
    if colors is not None:
        colors = list(colors)
        if len(colors) < len(names):
            raise ParameterError(f"`colors` has {len(colors)} colour(s) for {len(names)} clusters")
        return colors[: len(names)]
    key = f"{cluster_key}_colors"
    if cluster_key is not None and key in adata.uns and hasattr(adata.obs[cluster_key], "cat"):
        cats = [str(c) for c in adata.obs[cluster_key].cat.categories]
        pal = list(adata.uns[key])
        if len(pal) >= len(cats):
            lookup = dict(zip(cats, pal))
            return [lookup[c] for c in names]
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(len(names))]


def _grid(n: int, ncols: int | None, figsize: tuple[float, float] | None, *, panel=(4.0, 3.5), **kw):
    plt = _plt()
    ncols = max(1, min(n, ncols or min(n, 3)))
    nrows = int(np.ceil(n / ncols))
    figsize = figsize or (panel[0] * ncols, panel[1] * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **kw)
    axes = axes.ravel()
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _eigenvalues(adata: Any, func: str) -> np.ndarray:
    if "jacobian_eigenvalues" not in adata.obsm:
        raise MissingKeyError(f"{func}: `adata.obsm['jacobian_eigenvalues']` not found; run "
                              "`linstab.sc.tl.compute_jacobians` (or `load_jacobians`) first.")
    return np.asarray(adata.obsm["jacobian_eigenvalues"])


def _boxplot(ax: Any, data: list[np.ndarray], names: list[str], cols: list[Any], *, showfliers: bool = True):
    data = [d[np.isfinite(d)] for d in data]
    bp = ax.boxplot(data, patch_artist=True, showfliers=showfliers, widths=0.6,
                    flierprops={"markersize": 2, "alpha": 0.5})
    for patch, c in zip(bp["boxes"], cols):
        patch.set_facecolor(c)
        patch.set_alpha(0.8)
    ax.set_xticks(range(1, len(names) + 1))
    ax.set_xticklabels(names, rotation=30, ha="right")
    return bp


def plot_jacobian_eigenvalue_spectrum(
    adata: Any,
    *,
    cluster_key: str | None = "cell_type",
    order: Sequence[str] | None = None,
    colors: Mapping[str, Any] | Sequence[Any] | None = None,
    ncols: int | None = None,
    figsize: tuple[float, float] | None = None,
    s: float = 2.0,
    alpha: float = 0.3,
    max_cells: int = 300,
    seed: int = 0,
) -> Any:
    """Eigenvalues of the cells' Jacobians in the complex plane, one panel per cluster.

    Every eigenvalue of up to ``max_cells`` cells per cluster (a seeded random sample) is drawn;
    the leading eigenvalue of each cell is outlined in black, and ``Re λ = 0`` is marked.

    Parameters
    ----------
    adata
        With ``obsm['jacobian_eigenvalues']`` (from ``compute_jacobians``).
    cluster_key
        ``obs`` column of the clusters (None: one panel for all cells).
    order
        Clusters to draw, in this order (default: all, in category order).
    colors
        A colour per cluster (mapping or sequence); default ``uns['<cluster_key>_colors']`` or tab10.
    ncols
        Panels per row.
    figsize
        Figure size in inches.
    s, alpha
        Marker size and opacity.
    max_cells
        Cells drawn per cluster at most.
    seed
        Seed of the sample of cells.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import linstab.sc as sch, matplotlib.pyplot as plt
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobians(adata, progress=False)
    >>> fig = sch.pl.plot_jacobian_eigenvalue_spectrum(adata)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    func = "plot_jacobian_eigenvalue_spectrum"
    check_adata(adata, func)
    ev = _eigenvalues(adata, func)
    names, masks = _clusters(adata, cluster_key, order, func)
    cols = _colors(adata, cluster_key, names, colors)
    fig, axes = _grid(len(names), ncols, figsize, sharex=True, sharey=True)
    rng = np.random.default_rng(seed)
    for ax, name, mask, c in zip(axes, names, masks, cols):
        rows = np.nonzero(mask & ~np.isnan(ev.real).all(axis=1))[0]
        if rows.size > max_cells:
            rows = np.sort(rng.choice(rows, max_cells, replace=False))
        sub = ev[rows]
        ax.scatter(sub.real.ravel(), sub.imag.ravel(), s=s, alpha=alpha, color=c, linewidths=0, rasterized=True)
        if rows.size:
            re = np.where(np.isnan(sub.real), -np.inf, sub.real)
            j = np.argmax(re, axis=1)
            lead = sub[np.arange(rows.size), j]
            ax.scatter(lead.real, np.abs(lead.imag), s=max(4 * s, 6), facecolors="none", edgecolors="k",
                       linewidths=0.5, label="leading")
        ax.axvline(0.0, color="0.3", lw=0.8, ls="--")
        ax.axhline(0.0, color="0.8", lw=0.5)
        ax.set_title(f"{name} ({int(mask.sum())} cells)")
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
    fig.tight_layout()
    return fig


def plot_jacobian_eigenvalue_boxplots(
    adata: Any,
    *,
    cluster_key: str | None = "cell_type",
    order: Sequence[str] | None = None,
    colors: Mapping[str, Any] | Sequence[Any] | None = None,
    figsize: tuple[float, float] | None = None,
    max_cells: int = 300,
    seed: int = 0,
) -> Any:
    """Boxplots per cluster of the spectra: unstable counts, leading and all real parts.

    Three panels: the number of eigenvalues with positive real part per cell, the real part of
    each cell's leading eigenvalue, and the real parts of all eigenvalues (of up to
    ``max_cells`` sampled cells per cluster).

    Parameters
    ----------
    adata
        With ``obsm['jacobian_eigenvalues']``.
    cluster_key, order, colors, figsize
        As in :func:`plot_jacobian_eigenvalue_spectrum`.
    max_cells, seed
        Sample of cells for the panel of all eigenvalues.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import linstab.sc as sch, matplotlib.pyplot as plt
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobians(adata, progress=False)
    >>> fig = sch.pl.plot_jacobian_eigenvalue_boxplots(adata)
    >>> [ax.get_title() for ax in fig.axes]
    ['eigenvalues with Re λ > 0', 'leading eigenvalue', 'all eigenvalues']
    >>> plt.close(fig)
    """
    func = "plot_jacobian_eigenvalue_boxplots"
    check_adata(adata, func)
    ev = _eigenvalues(adata, func)
    names, masks = _clusters(adata, cluster_key, order, func)
    cols = _colors(adata, cluster_key, names, colors)
    plt = _plt()
    fig, axes = plt.subplots(3, 1, figsize=figsize or (max(6.0, 0.9 * len(names) + 3), 10), squeeze=True)
    re = ev.real.astype(np.float64)
    done = ~np.isnan(re).all(axis=1)
    npos = (re > 0).sum(axis=1).astype(float)
    lead = np.where(done, np.nanmax(np.where(np.isnan(re), -np.inf, re), axis=1), np.nan)
    npos[~done] = np.nan
    rng = np.random.default_rng(seed)
    allre = []
    for m in masks:
        rows = np.nonzero(m & done)[0]
        if rows.size > max_cells:
            rows = rng.choice(rows, max_cells, replace=False)
        allre.append(re[rows].ravel())
    _boxplot(axes[0], [npos[m] for m in masks], names, cols)
    axes[0].set_title("eigenvalues with Re λ > 0")
    axes[0].set_ylabel("count per cell")
    _boxplot(axes[1], [lead[m] for m in masks], names, cols)
    axes[1].axhline(0.0, color="0.3", lw=0.8, ls="--")
    axes[1].set_title("leading eigenvalue")
    axes[1].set_ylabel("Re λ₁")
    _boxplot(axes[2], allre, names, cols, showfliers=False)
    axes[2].axhline(0.0, color="0.3", lw=0.8, ls="--")
    axes[2].set_title("all eigenvalues")
    axes[2].set_ylabel("Re λ")
    fig.tight_layout()
    return fig


def plot_jacobian_stats_boxplots(
    adata: Any,
    *,
    cluster_key: str | None = "cell_type",
    order: Sequence[str] | None = None,
    colors: Mapping[str, Any] | Sequence[Any] | None = None,
    keys: Sequence[str] | None = None,
    ncols: int | None = None,
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Boxplots per cluster of the per-cell Jacobian statistics in ``obs``.

    Parameters
    ----------
    adata
        With the columns of ``compute_jacobian_stats`` (and ``jacobian_rotational`` if computed).
    cluster_key, order, colors, figsize
        As in :func:`plot_jacobian_eigenvalue_spectrum`.
    keys
        ``obs`` columns to draw; default every statistics column present.
    ncols
        Panels per row (default 2).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import linstab.sc as sch, matplotlib.pyplot as plt
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", progress=False)
    >>> fig = sch.pl.plot_jacobian_stats_boxplots(adata)
    >>> len(fig.axes)
    5
    >>> plt.close(fig)
    """
    func = "plot_jacobian_stats_boxplots"
    check_adata(adata, func)
    if keys is None:
        keys = [k for k in _STATS_LABELS if k in adata.obs]
        if not keys:
            raise MissingKeyError(f"{func}: no Jacobian statistics in `adata.obs` (e.g. 'jacobian_trace'); run "
                                  "`linstab.sc.tl.compute_jacobian_stats` first.")
    else:
        keys = list(keys)
        missing = [k for k in keys if k not in adata.obs]
        if missing:
            raise MissingKeyError(f"{func}: `adata.obs[{missing[0]!r}]` not found"
                                  f"{suggest(missing[0], list(adata.obs.columns)) or '.'} Run "
                                  "`linstab.sc.tl.compute_jacobian_stats` first or fix `keys`.")
    names, masks = _clusters(adata, cluster_key, order, func)
    cols = _colors(adata, cluster_key, names, colors)
    fig, axes = _grid(len(keys), ncols or 2, figsize, panel=(max(5.0, 0.7 * len(names) + 2), 3.5))
    for ax, key in zip(axes, keys):
        vals = np.asarray(adata.obs[key].to_numpy(dtype=float, na_value=np.nan), dtype=float)
        _boxplot(ax, [vals[m] for m in masks], names, cols)
        if key in ("jacobian_eig1_real", "jacobian_trace"):
            ax.axhline(0.0, color="0.3", lw=0.8, ls="--")
        ax.set_title(_STATS_LABELS.get(key, key))
    fig.tight_layout()
    return fig


def _embedding(adata: Any, basis: str | None, func: str) -> tuple[np.ndarray, str]:
    if basis is None:
        for cand in ("X_umap", "X_tsne", "X_draw_graph_fa", "X_pca"):
            if cand in adata.obsm:
                basis = cand
                break
        else:
            raise MissingKeyError(f"{func}: no 2-D embedding in `adata.obsm` (looked for X_umap, X_tsne, "
                                  f"X_draw_graph_fa, X_pca; found {_listing(list(adata.obsm))}); pass `basis=`.")
    key = basis if basis in adata.obsm else f"X_{basis}"
    if key not in adata.obsm:
        raise MissingKeyError(f"{func}: `adata.obsm[{key!r}]` not found; embeddings present: "
                              f"{_listing(list(adata.obsm))}.")
    emb = np.asarray(adata.obsm[key])
    if emb.ndim != 2 or emb.shape[1] < 2:
        raise ValueError(f"{func}: `adata.obsm[{key!r}]` must have at least 2 columns; got shape {emb.shape}")
    return emb[:, :2], key


def _tex_gene(g: str) -> str:
    return r"\mathrm{" + g.replace("\\", "").replace("_", r"\_").replace("{", "").replace("}", "") + "}"


def plot_jacobian_element_grid(
    adata: Any,
    gene_pairs: Sequence[tuple[str, str]],
    *,
    basis: str | None = None,
    ncols: int = 2,
    figsize: tuple[float, float] | None = None,
    s: float = 10.0,
    alpha: float = 0.7,
    cmap: str = "RdBu_r",
    vcenter: float = 0.0,
) -> Any:
    """Jacobian elements ``∂ẋ_i/∂x_j`` coloured on a 2-D embedding, one panel per gene pair.

    Each panel uses a diverging colour scale centred at ``vcenter`` (activation red,
    repression blue with the default ``cmap``).

    Parameters
    ----------
    adata
        With the ``obs['jacobian_df_<gi>_dx_<gj>']`` columns of ``compute_jacobian_elements``.
    gene_pairs
        ``(gene_i, gene_j)`` pairs to draw.
    basis
        Embedding in ``obsm`` (``'umap'`` or ``'X_umap'``...); default the first of X_umap,
        X_tsne, X_draw_graph_fa, X_pca present.
    ncols
        Panels per row.
    figsize
        Figure size in inches.
    s, alpha
        Marker size and opacity.
    cmap
        Diverging colormap.
    vcenter
        Value at the centre of the colour scale.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import linstab.sc as sch, matplotlib.pyplot as plt
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> pairs = [("G1", "G2"), ("G2", "G1")]
    >>> sch.tl.compute_jacobian_elements(adata, pairs, progress=False)
    >>> fig = sch.pl.plot_jacobian_element_grid(adata, pairs, s=10, alpha=0.7)
    >>> len(fig.axes)  # two panels and their colour bars
    4
    >>> plt.close(fig)
    """
    func = "plot_jacobian_element_grid"
    check_adata(adata, func)
    if isinstance(gene_pairs, tuple) and len(gene_pairs) == 2 and all(isinstance(g, str) for g in gene_pairs):
        gene_pairs = [gene_pairs]
    pairs = [tuple(p) for p in gene_pairs]
    if not pairs:
        raise ValueError(f"{func}: `gene_pairs` is empty")
    info = dict(adata.uns.get("jacobian", {}))
    known = [str(g) for g in info.get("genes", list(adata.var_names))]
    unknown = list(dict.fromkeys(g for p in pairs for g in p if g not in known))
    if unknown:
        lines = [f"{g!r} (in pair {next(p for p in pairs if g in p)!r}){suggest(g, known)}" for g in unknown]
        raise MissingKeyError(f"{func}: {len(unknown)} gene(s) of `gene_pairs` are not genes of the model: "
                              + "; ".join(lines) + " Remove those pairs or fix the names.")
    cols = [f"jacobian_df_{a}_dx_{b}" for a, b in pairs]
    missing = [c for c in cols if c not in adata.obs]
    if missing:
        todo = [p for p, c in zip(pairs, cols) if c in missing]
        raise MissingKeyError(f"{func}: `adata.obs[{missing[0]!r}]` not found; run "
                              f"`linstab.sc.tl.compute_jacobian_elements(adata, gene_pairs={todo!r})` first.")
    emb, key = _embedding(adata, basis, func)
    _plt()  # matplotlib's pyplot, or one error naming the extra, before any work
    colors = require("matplotlib.colors", extra="grn")
    fig, axes = _grid(len(pairs), ncols, figsize, panel=(5.0, 4.5))
    name = key[2:] if key.startswith("X_") else key
    for ax, (a, b), col in zip(axes, pairs, cols):
        v = np.asarray(adata.obs[col].to_numpy(dtype=float), dtype=float)
        finite = np.isfinite(v)
        half = float(np.max(np.abs(v[finite] - vcenter))) if finite.any() else 1.0
        half = half if half > 0 else 1.0
        norm = colors.Normalize(vmin=vcenter - half, vmax=vcenter + half)
        order = np.argsort(np.abs(np.where(finite, v - vcenter, 0.0)))
        sc = ax.scatter(emb[order, 0], emb[order, 1], c=v[order], s=s, alpha=alpha, cmap=cmap, norm=norm,
                        linewidths=0, rasterized=True)
        fig.colorbar(sc, ax=ax, shrink=0.8)
        ax.set_title(rf"$\partial \dot{{x}}_{{{_tex_gene(a)}}} / \partial x_{{{_tex_gene(b)}}}$")
        ax.set_xlabel(f"{name} 1")
        ax.set_ylabel(f"{name} 2")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig
