"""Read and check everything a per-cell Jacobian computation needs, before anything is written.

:func:`prepare` turns an AnnData (plus options) into a :class:`Plan`: the genes, the groups of
cells (one per cluster) with their Jacobian operator, and a reader of the expression matrix.
Every problem is reported here with what was expected, what was found and how to fix it, so that
the ``tl`` functions can leave the AnnData exactly as it was when they fail.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._errors import DimensionError, MissingKeyError, ParameterError
from linstab._optional import require
from linstab.sc._backend import Backend
from linstab.sc._operators import HopfieldOperator, ModelOperator

__all__ = ["Plan", "Group", "prepare", "check_adata", "resolve_pairs", "GENE_ALIASES"]

#: Common synonyms of haematopoietic transcription factors -> HGNC symbols, for error hints.
GENE_ALIASES = {
    "PU.1": "SPI1", "PU1": "SPI1", "EKLF": "KLF1", "FOG1": "ZFPM1", "FOG-1": "ZFPM1",
    "SCL": "TAL1", "CJUN": "JUN", "C-JUN": "JUN", "C/EBPA": "CEBPA", "CEBPΑ": "CEBPA",
    "GFI-1": "GFI1", "EGR1": "EGR_NAB", "EGRNAB": "EGR_NAB", "NAB2": "EGR_NAB",
}


@dataclass
class Group:
    """Cells of one cluster and the operator that gives their Jacobians."""

    name: str
    cells: np.ndarray  # integer positions into adata.obs
    op: Any


@dataclass
class Plan:
    """What a computation runs on; see :func:`prepare`."""

    genes: np.ndarray  # names, in the order of the Jacobian's rows/columns
    gene_idx: np.ndarray  # positions in adata.var
    groups: list[Group]
    read: Callable[[np.ndarray], np.ndarray]  # cell positions -> dense expression (cells x genes)
    n_obs: int
    source: str  # "hopfield" (the fitted GRN in varp) or the symbolic model's name
    dask: Any = None  # the expression layer where it is a Dask array (linstab.sc._dask.DaskLayer)

    @property
    def n_genes(self) -> int:
        return int(self.genes.size)

    @property
    def computed(self) -> np.ndarray:
        """Boolean mask of the cells that belong to a computed group."""
        mask = np.zeros(self.n_obs, dtype=bool)
        for g in self.groups:
            mask[g.cells] = True
        return mask


def check_adata(adata: Any, func: str) -> None:
    """Raise a TypeError unless ``adata`` is an AnnData."""
    anndata = require("anndata", extra="grn")
    if not isinstance(adata, anndata.AnnData):
        raise TypeError(f"{func}: `adata` must be an AnnData object, got {type(adata).__name__}")


def _listing(keys: Sequence[str], limit: int = 12) -> str:
    keys = [str(k) for k in keys]
    if not keys:
        return "none"
    more = f", ... ({len(keys) - limit} more)" if len(keys) > limit else ""
    return ", ".join(repr(k) for k in keys[:limit]) + more


def suggest(name: str, known: Sequence[str]) -> str:
    """A ``did you mean ...?`` hint: aliases, case-insensitive matches, then close matches."""
    known = [str(k) for k in known]
    hints: list[str] = []
    alias = GENE_ALIASES.get(name.upper())
    if alias and alias in known:
        hints.append(alias)
    upper = {k.upper(): k for k in known}
    if name.upper() in upper and upper[name.upper()] != name:
        hints.append(upper[name.upper()])
    for c in difflib.get_close_matches(name, known, n=3, cutoff=0.6):
        if c not in hints:
            hints.append(c)
    if not hints:
        for c in difflib.get_close_matches(name.upper(), list(upper), n=3, cutoff=0.6):
            if upper[c] not in hints:
                hints.append(upper[c])
    return f"; did you mean {' or '.join(repr(h) for h in hints[:3])}?" if hints else ""


def _expression_layer(adata: Any, spliced_key: str | None, func: str) -> tuple[Any, str]:
    if spliced_key is None:
        layer, where = adata.X, "adata.X"
    else:
        if spliced_key not in adata.layers:
            raise MissingKeyError(
                f"{func}: `adata.layers[{spliced_key!r}]` not found; available layers: "
                f"{_listing(list(adata.layers))}. Pass `spliced_key=` one of them (or None for adata.X)."
            )
        layer, where = adata.layers[spliced_key], f"adata.layers[{spliced_key!r}]"
    if layer is None:
        raise MissingKeyError(f"{func}: {where} is empty (None); store the expression matrix there first.")
    return layer, where


def _expression_reader(adata: Any, spliced_key: str | None, gene_idx: np.ndarray, func: str):
    layer, where = _expression_layer(adata, spliced_key, func)
    full_cols = gene_idx.size == adata.n_vars and np.array_equal(gene_idx, np.arange(adata.n_vars))

    def read(cells: np.ndarray) -> np.ndarray:
        sub = layer[cells]
        if not full_cols:
            sub = sub[:, gene_idx]
        if hasattr(sub, "toarray"):
            sub = sub.toarray()
        return np.asarray(sub, dtype=np.float64)

    return read, where


def scan_expression(X: np.ndarray, cells: np.ndarray) -> dict[str, Any]:
    """Summary of the bad values in the expression ``X`` (cells × model genes) of ``cells``.

    Counts of NaN/inf and negative values, the cells having any (count and first position) and
    the genes having any, and the per-gene boolean 'has zeros'. Summaries of disjoint blocks of
    cells combine with :func:`merge_scans`. Subnormal values (below the smallest normal double,
    ~2.2e-308) count as zeros: where φ′ is infinite at 0 (Hill exponent n < 1) it is too large to
    represent there as well.
    """
    out: dict[str, Any] = {"zeros": (X < np.finfo(np.float64).tiny).any(axis=0)}
    for key, bad in (("nf", ~np.isfinite(X)), ("neg", X < 0)):
        rows = bad.any(axis=1)
        out[key] = (int(bad.sum()), int(rows.sum()), int(cells[rows][0]) if rows.any() else -1, bad.any(axis=0))
    return out


def merge_scans(scans: Sequence[dict[str, Any]], n_genes: int) -> dict[str, Any]:
    """Combine :func:`scan_expression` summaries of disjoint blocks of cells (in cell order)."""
    out: dict[str, Any] = {"zeros": np.zeros(n_genes, dtype=bool)}
    for key in ("nf", "neg"):
        count = cells = 0
        first = -1
        genes = np.zeros(n_genes, dtype=bool)
        for s in scans:
            c, r, f, g = s[key]
            count, cells, genes = count + c, cells + r, genes | g
            if first < 0:
                first = f
        out[key] = (count, cells, first, genes)
    for s in scans:
        out["zeros"] = out["zeros"] | s["zeros"]
    return out


def report_scan(scan: dict[str, Any], where: str, genes: np.ndarray, adata: Any, func: str) -> np.ndarray:
    """Raise for NaN/inf or negative expression found by :func:`scan_expression`; return 'has zeros'."""
    problems = []
    n_nf, c_nf, f_nf, g_nf = scan["nf"]
    n_neg, c_neg, f_neg, g_neg = scan["neg"]
    if n_nf:
        problems.append(
            f"{n_nf} NaN/inf value(s) in {c_nf} cell(s) and {int(g_nf.sum())} gene(s) "
            f"(e.g. cell {adata.obs_names[f_nf]!r}, gene {genes[g_nf][0]!r}); "
            "impute or drop them, e.g. adata = adata[np.isfinite(X).all(axis=1)].copy()")
    if n_neg:
        problems.append(
            f"{n_neg} negative value(s) in {c_neg} cell(s) and {int(g_neg.sum())} gene(s) "
            f"(e.g. cell {adata.obs_names[f_neg]!r}, gene {genes[g_neg][0]!r}); "
            "Hill activations need expression >= 0: use a non-negative layer (e.g. smoothed counts) "
            "or clip, e.g. np.clip(X, 0, None)")
    if problems:
        raise ParameterError(f"{func}: {where} has " + "; and ".join(problems) + ".")
    return scan["zeros"]


def _check_expression(read, where: str, cells: np.ndarray, genes: np.ndarray, adata: Any,
                      func: str, chunk: int = 4096, dask: Any = None) -> np.ndarray:
    """Raise for NaN/inf and negative values; return the per-gene boolean 'has zeros'.

    With ``dask`` (a :class:`linstab.sc._dask.DaskLayer`) the blocks are scanned as Dask tasks
    where the data lie, and only their summaries come back.
    """
    if dask is not None:
        scans = dask.scan(cells, func)
    else:
        scans = [scan_expression(read(cells[s:s + chunk]), cells[s:s + chunk]) for s in range(0, cells.size, chunk)]
    return report_scan(merge_scans(scans, genes.size), where, genes, adata, func)


def _dask_layer(adata: Any, spliced_key: str | None, gene_idx: np.ndarray, func: str) -> Any:
    """The expression layer as a :class:`linstab.sc._dask.DaskLayer` if it is a Dask array, else None."""
    from linstab.sc._dask import DaskLayer, is_dask

    layer, where = _expression_layer(adata, spliced_key, func)
    if not is_dask(layer):
        return None
    return DaskLayer.from_adata(adata, layer, where, gene_idx, func)


def _var_vector(adata: Any, key: str, idx: np.ndarray, func: str, *, what: str, fix: str) -> np.ndarray:
    if key not in adata.var:
        raise MissingKeyError(
            f"{func}: `adata.var[{key!r}]` ({what}) not found; {fix} "
            f"(var columns: {_listing(list(adata.var.columns))})."
        )
    vals = np.asarray(adata.var[key].to_numpy(), dtype=np.float64)[idx]
    return vals


def _check_positive(vals: np.ndarray, key: str, genes: np.ndarray, func: str, *, allow_zero: bool = False) -> None:
    ok = np.isfinite(vals) & ((vals >= 0) if allow_zero else (vals > 0))
    if not ok.all():
        bad = np.nonzero(~ok)[0]
        expected = "finite and >= 0" if allow_zero else "finite and > 0"
        raise ParameterError(
            f"{func}: `adata.var[{key!r}]` must be {expected} for every gene of the model; "
            f"{bad.size} gene(s) are not (e.g. {genes[bad[0]]!r} = {vals[bad[0]]!r}). "
            "Refit or set them before computing Jacobians."
        )


def _cluster_labels(adata: Any, cluster_key: str | None, clusters: Sequence[str] | None, func: str):
    """(names, positions) of the groups to compute."""
    if cluster_key is None:
        if clusters is not None:
            raise ValueError(f"{func}: `clusters` needs a `cluster_key`; got cluster_key=None")
        return [("all", np.arange(adata.n_obs))]
    if cluster_key not in adata.obs:
        cats = [c for c in adata.obs.columns if str(adata.obs[c].dtype) in ("category", "object")]
        raise MissingKeyError(
            f"{func}: `adata.obs[{cluster_key!r}]` not found{suggest(cluster_key, list(adata.obs.columns)) or '.'} "
            f"Categorical obs columns: {_listing(cats)}. Pass `cluster_key=` one of them, or "
            "cluster_key=None to use the model 'all' for every cell."
        )
    col = adata.obs[cluster_key]
    missing = col.isna().to_numpy()
    if missing.any():
        raise ParameterError(
            f"{func}: {int(missing.sum())} cell(s) have no label in `adata.obs[{cluster_key!r}]` "
            f"(e.g. {adata.obs_names[np.nonzero(missing)[0][0]]!r}); label them or subset them away."
        )
    labels = col.astype(str).to_numpy()
    present = list(dict.fromkeys(labels.tolist()))
    if hasattr(col, "cat"):
        present = [str(c) for c in col.cat.categories if str(c) in set(present)]
    if clusters is None:
        wanted = present
    else:
        if isinstance(clusters, str):
            clusters = [clusters]
        wanted = [str(c) for c in clusters]
        empty = [c for c in wanted if c not in present]
        if empty:
            raise ParameterError(
                f"{func}: cluster(s) {_listing(empty)} have no cells in `adata.obs[{cluster_key!r}]`"
                f"{suggest(empty[0], present) or '.'} Clusters with cells: {_listing(present)}."
            )
    return [(c, np.nonzero(labels == c)[0]) for c in wanted]


def _per_cluster_params(params: Mapping[str, Any] | None, cluster: str) -> dict[str, float] | None:
    if params is None:
        return None
    if params and all(isinstance(v, Mapping) for v in params.values()):
        return dict(params.get(cluster, {}))
    return dict(params)


def prepare(
    adata: Any,
    *,
    func: str,
    spliced_key: str | None,
    degradation_key: str,
    cluster_key: str | None,
    model: Any,
    params: Mapping[str, Any] | None,
    clusters: Sequence[str] | None,
    backend: Backend,
) -> Plan:
    """Check the inputs of a per-cell Jacobian computation and build its :class:`Plan`."""
    check_adata(adata, func)
    if adata.n_obs == 0 or adata.n_vars == 0:
        raise DimensionError(f"{func}: adata has {adata.n_obs} cells x {adata.n_vars} genes; per-cell Jacobians "
                             "need at least one cell and one gene (check the subsetting that produced it).")
    var_names = np.asarray(adata.var_names, dtype=object).astype(str)
    groups_spec = _cluster_labels(adata, cluster_key, clusters, func)

    if model is not None:
        from linstab.model import load_model as load_symbolic

        mdl = load_symbolic(model)
        names = list(mdl.variable_names)
        pos = {g: i for i, g in enumerate(var_names)}
        missing = [g for g in names if g not in pos]
        if missing:
            raise MissingKeyError(
                f"{func}: {len(missing)} state variable(s) of model {mdl.name!r} are not genes of adata: "
                f"{_listing(missing)}{suggest(missing[0], list(var_names)) or '.'} The model's variables must be "
                "named like adata.var_names."
            )
        gene_idx = np.array([pos[g] for g in names], dtype=np.int64)
        genes = var_names[gene_idx]
        read, where = _expression_reader(adata, spliced_key, gene_idx, func)
        dl = _dask_layer(adata, spliced_key, gene_idx, func)
        kernel = mdl.kernel("jacobian", backend=backend.name)
        groups = []
        for cname, cells in groups_spec:
            pvec = np.asarray(mdl.parameter_vector(_per_cluster_params(params, cname)), dtype=np.float64)
            groups.append(Group(cname, cells, ModelOperator(kernel, pvec, len(names), backend)))
        all_cells = np.concatenate([c for _, c in groups_spec]) if groups_spec else np.zeros(0, int)
        _check_expression(read, where, np.sort(all_cells), genes, adata, func, dask=dl)
        return Plan(genes, gene_idx, groups, read, adata.n_obs, mdl.name, dl)

    if params is not None:
        raise ValueError(f"{func}: `params` applies to a symbolic `model` only; got model=None")
    # ---- the fitted Hopfield GRN stored in the AnnData (scHopfield layout)
    if "scHopfield_used" in adata.var:
        used = np.asarray(adata.var["scHopfield_used"].to_numpy(), dtype=bool)
        if not used.any():
            raise ParameterError(f"{func}: `adata.var['scHopfield_used']` marks no gene as used by the model.")
        gene_idx = np.nonzero(used)[0]
    else:
        gene_idx = np.arange(adata.n_vars)
    genes = var_names[gene_idx]
    fix = "load the fitted model first: adata = linstab.sc.tl.load_model(adata, 'model.h5sch')"
    k = _var_vector(adata, "sigmoid_threshold", gene_idx, func, what="Hill thresholds k", fix=fix)
    n = _var_vector(adata, "sigmoid_exponent", gene_idx, func, what="Hill exponents n", fix=fix)
    _check_positive(k, "sigmoid_threshold", genes, func)
    _check_positive(n, "sigmoid_exponent", genes, func)

    w_missing = [c for c, _ in groups_spec if f"W_{c}" not in adata.varp]
    if w_missing:
        have = [key for key in adata.varp if str(key).startswith("W_")]
        extra = (" (cluster_key=None uses the model 'all'.)" if cluster_key is None else "")
        raise MissingKeyError(
            f"{func}: no interaction matrix for cluster(s) {_listing(w_missing)}: "
            f"`adata.varp[{'W_' + w_missing[0]!r}]` not found; interaction matrices present: {_listing(have)}. "
            f"{fix[0].upper() + fix[1:]}, or choose the clusters with `clusters=`.{extra}"
        )
    read, where = _expression_reader(adata, spliced_key, gene_idx, func)
    dl = _dask_layer(adata, spliced_key, gene_idx, func)
    groups = []
    ix = np.ix_(gene_idx, gene_idx)
    for cname, cells in groups_spec:
        key = f"W_{cname}"
        W_full = adata.varp[key]
        if hasattr(W_full, "toarray"):
            W_full = W_full.toarray()
        W_full = np.asarray(W_full, dtype=np.float64)
        if W_full.shape != (adata.n_vars, adata.n_vars):
            raise DimensionError(
                f"{func}: `adata.varp[{key!r}]` had shape {W_full.shape} while it should have had "
                f"{(adata.n_vars, adata.n_vars)} (target genes x regulator genes)."
            )
        W = np.ascontiguousarray(W_full[ix])
        if not np.isfinite(W).all():
            raise ParameterError(
                f"{func}: `adata.varp[{key!r}]` has {int((~np.isfinite(W)).sum())} NaN/inf entries; refit the model.")
        gkey = f"gamma_{cname}" if f"gamma_{cname}" in adata.var else degradation_key
        gamma = _var_vector(adata, gkey, gene_idx, func, what="degradation rates",
                            fix=f"store them as var['gamma_{cname}'] or var[{degradation_key!r}], "
                                "or pass `degradation_key=`")
        _check_positive(gamma, gkey, genes, func, allow_zero=True)
        groups.append(Group(cname, cells, HopfieldOperator(W, gamma, k, n, backend)))

    all_cells = np.sort(np.concatenate([g.cells for g in groups]))
    zeros = _check_expression(read, where, all_cells, genes, adata, func, dask=dl)
    sub_one = zeros & (n < 1)
    if sub_one.any():
        bad = np.nonzero(sub_one)[0]
        raise ParameterError(
            f"{func}: {bad.size} gene(s) have Hill exponent n < 1 and zero expression (or subnormal, "
            "< 2.2e-308) in some cells "
            f"(e.g. {genes[bad[0]]!r}, n = {n[bad[0]]}), where φ′(0) is infinite; use n >= 1 or a "
            "pseudo-count on the expression."
        )
    return Plan(genes, gene_idx, groups, read, adata.n_obs, "hopfield", dl)


def resolve_pairs(gene_pairs: Any, genes: np.ndarray, func: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Validate ``gene_pairs`` against the model's genes; return row/col indices and obs names."""
    if isinstance(gene_pairs, tuple) and len(gene_pairs) == 2 and all(isinstance(g, str) for g in gene_pairs):
        gene_pairs = [gene_pairs]
    try:
        pairs = [tuple(p) for p in gene_pairs]
    except TypeError:
        raise TypeError(f"{func}: `gene_pairs` must be a list of (gene_i, gene_j) pairs; got "
                        f"{type(gene_pairs).__name__}") from None
    if not pairs:
        raise ValueError(f"{func}: `gene_pairs` is empty; pass pairs such as [('GATA1', 'GATA2')]")
    for p in pairs:
        if len(p) != 2 or not all(isinstance(g, str) for g in p):
            raise TypeError(f"{func}: each gene pair must be two gene names (gene_i, gene_j); got {p!r}")
    pairs = list(dict.fromkeys(pairs))  # a repeated pair is computed once
    pos = {g: i for i, g in enumerate(genes.tolist())}
    unknown = list(dict.fromkeys(g for p in pairs for g in p if g not in pos))
    if unknown:
        lines = []
        for g in unknown:
            where = next(p for p in pairs if g in p)
            lines.append(f"{g!r} (in pair {where!r}){suggest(g, list(pos))}")
        raise MissingKeyError(
            f"{func}: {len(unknown)} gene(s) of `gene_pairs` are not among the model's {len(pos)} genes: "
            + "; ".join(lines) + f" Model genes: {_listing(list(pos), 20)}. Remove those pairs or fix the names."
        )
    rows = np.array([pos[a] for a, _ in pairs], dtype=np.int64)
    cols = np.array([pos[b] for _, b in pairs], dtype=np.int64)
    names = [f"jacobian_df_{a}_dx_{b}" for a, b in pairs]
    return rows, cols, names
