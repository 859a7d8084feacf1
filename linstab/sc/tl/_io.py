"""Files: the scHopfield model format (``.h5sch``) and per-cell Jacobian spectra (HDF5).

Model file (``.h5sch``, as written by scHopfield's ``save_model``)::

    gene_names            string dataset, the genes the model was fitted on (in order)
    var/<key>             one dataset per gene-level column: sigmoid_threshold, sigmoid_exponent,
                          gamma, scHopfield_used, ..., and I_<cluster>, gamma_<cluster>
    varp/W_<cluster>      interaction matrix, target x regulator
    attrs: clusters (JSON list), n_vars, uns_scHopfield (JSON of scalar metadata)

Jacobian file (:func:`save_jacobians`, also written by ``compute_jacobians`` with eigenvectors)::

    eigenvalues_real, eigenvalues_imag      (cells x genes), rows sorted by decreasing Re
    eigenvectors_real, eigenvectors_imag    (cells x genes x genes), optional, chunked per cell
    cell_names, gene_names, clusters        string datasets
    attrs: n_cells, n_genes, cluster_key, format
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from linstab._errors import DimensionError, MissingKeyError, ModelError
from linstab._optional import require
from linstab.sc._backend import parse_memory
from linstab.sc.tl._inputs import _listing, check_adata

__all__ = ["load_model", "save_model", "save_jacobians", "load_jacobians", "read_jacobian_eigenvectors"]

log = logging.getLogger("linstab.sc")

_VAR_BASE_KEYS = ("scHopfield_used", "sigmoid_threshold", "sigmoid_exponent", "sigmoid_offset",
                  "sigmoid_mse", "gamma")
_UNS_META_KEYS = ("spliced_key", "velocity_key", "degradation_key", "cluster_key")
_FORMAT = "linstab-jacobians/1"


def _h5py():
    return require("h5py", extra="grn")


def _strings(ds: Any) -> np.ndarray:
    data = ds[()]
    if isinstance(data, (bytes, str)):
        data = [data]
    return np.array([d.decode() if isinstance(d, bytes) else str(d) for d in np.ravel(data)], dtype=object)


def _open(path: Path, mode: str, func: str, what: str):
    h5py = _h5py()
    try:
        return h5py.File(path, mode)
    except OSError as exc:
        raise ModelError(f"{func}: {str(path)!r} is not a readable HDF5 {what} file ({exc})") from None


# ----------------------------------------------------------------------------- model files
def _read_model_file(path: Path, func: str) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"{func}: model file {str(path)!r} not found")
    with _open(path, "r", func, "model") as f:
        if "gene_names" not in f:
            raise ModelError(f"{func}: {str(path)!r} has no `gene_names` dataset; it is not a .h5sch model file "
                             "(write one with linstab.sc.tl.save_model).")
        genes = _strings(f["gene_names"])
        if "varp" not in f or not any(str(k).startswith("W_") for k in f["varp"]):
            raise ModelError(f"{func}: {str(path)!r} has no interaction matrices (group `varp/` with `W_<cluster>`).")
        var = {k: np.asarray(f["var"][k][()]) for k in f["var"]} if "var" in f else {}
        varp = {k: np.asarray(f["varp"][k][()]) for k in f["varp"]}
        raw = f.attrs.get("clusters", None)
        meta_raw = f.attrs.get("uns_scHopfield", "{}")
    if isinstance(raw, bytes):
        raw = raw.decode()
    if isinstance(raw, str):
        clusters = [str(c) for c in json.loads(raw)]
    elif raw is not None:
        clusters = [c.decode() if isinstance(c, bytes) else str(c) for c in np.ravel(raw)]
    else:
        clusters = sorted(k[2:] for k in varp if k.startswith("W_"))
    meta = json.loads(meta_raw.decode() if isinstance(meta_raw, bytes) else str(meta_raw))
    n = genes.size
    if len(set(genes.tolist())) != n:
        raise ModelError(f"{func}: {str(path)!r}: `gene_names` has duplicates")
    for key, arr in var.items():
        if arr.shape != (n,):
            raise DimensionError(f"{func}: {str(path)!r}: `var/{key}` had shape {arr.shape} while it should "
                                 f"have had {(n,)} (one value per model gene)")
    for key, arr in varp.items():
        if arr.shape != (n, n):
            raise DimensionError(f"{func}: {str(path)!r}: `varp/{key}` had shape {arr.shape} while it should "
                                 f"have had {(n, n)} (model genes x model genes)")
    return {"genes": genes, "var": var, "varp": varp, "clusters": clusters, "meta": meta}


def load_model(adata: Any, filename: str | os.PathLike, *, copy: bool = False) -> Any:
    """Load a fitted GRN from a ``.h5sch`` model file into ``adata``.

    Restores the interaction matrices ``varp['W_<cluster>']``, the gene-level parameters
    (``var['sigmoid_threshold']``, ``var['sigmoid_exponent']``, ``var['gamma']``,
    ``var['I_<cluster>']``, ``var['gamma_<cluster>']``, ...) and ``uns['scHopfield']`` metadata.

    Parameters
    ----------
    adata
        Must contain every gene of the model; it may contain more.
    filename
        The model file (see :func:`save_model`).
    copy
        Return a modified copy and leave ``adata`` untouched.

    Returns
    -------
    AnnData
        ``adata`` itself (or a copy with ``copy=True``) when its genes are the model's, in
        order. Otherwise a **subsetted copy** restricted to the model's genes, in the model's
        order, with a warning — reassign it: ``adata = sch.tl.load_model(adata, filename)``.

    Raises
    ------
    FileNotFoundError, ModelError
        The file is missing or is not a model file.
    MissingKeyError
        Genes of the model are not in ``adata``.
    DimensionError
        A parameter in the file has the wrong shape.

    Examples
    --------
    >>> import linstab.sc as sch, tempfile, os
    >>> adata = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.h5sch")
    >>> sch.tl.save_model(adata, path)
    >>> fresh = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> del fresh.varp["W_A"]
    >>> fresh = sch.tl.load_model(fresh, path)
    >>> sorted(fresh.varp)
    ['W_A', 'W_B']
    """
    func = "load_model"
    check_adata(adata, func)
    path = Path(filename)
    model = _read_model_file(path, func)
    genes = model["genes"]
    have = np.asarray(adata.var_names, dtype=object).astype(str)
    pos = {g: i for i, g in enumerate(have)}
    missing = [g for g in genes if g not in pos]
    if missing:
        raise MissingKeyError(
            f"{func}: {len(missing)} of the model's {genes.size} genes are not in adata.var_names: "
            f"{_listing(missing)}. The model was fitted on another gene set; load the matching data, "
            "or refit the model on these genes."
        )
    if have.size == genes.size and np.array_equal(have, genes):
        out = adata.copy() if copy else adata
    else:
        idx = np.array([pos[g] for g in genes], dtype=np.int64)
        warnings.warn(
            f"adata has {adata.n_vars} genes but the model was trained on {genes.size}. A subsetted copy is "
            "being returned; the original adata is NOT modified. Reassign the return value:\n"
            "adata = sch.tl.load_model(adata, filename)",
            UserWarning,
            stacklevel=2,
        )
        out = adata[:, idx].copy()
    for key, arr in model["var"].items():
        out.var[key] = arr.astype(bool) if key == "scHopfield_used" else arr
    for key, arr in model["varp"].items():
        out.varp[key] = np.asarray(arr, dtype=np.float64)
    uns = dict(out.uns.get("scHopfield", {}))
    uns.update(model["meta"])
    out.uns["scHopfield"] = uns
    log.info("Model loaded from %r | clusters=%s | genes=%d", str(path), model["clusters"], genes.size)
    return out


def save_model(
    adata: Any,
    filename: str | os.PathLike,
    *,
    clusters: list[str] | None = None,
    compression: str | None = "gzip",
    overwrite: bool = False,
) -> None:
    """Write the fitted GRN stored in ``adata`` to a ``.h5sch`` model file.

    Parameters
    ----------
    adata
        With ``varp['W_<cluster>']`` and the gene-level parameters in ``var``.
    filename
        Path of the file to write.
    clusters
        Clusters to save; by default every ``W_<cluster>`` in ``varp``.
    compression
        HDF5 compression (``'gzip'``, ``'lzf'`` or None).
    overwrite
        Replace an existing file.

    Returns
    -------
    None

    Examples
    --------
    >>> import linstab.sc as sch, tempfile, os
    >>> adata = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> sch.tl.save_model(adata, os.path.join(tempfile.mkdtemp(), "model.h5sch"))
    """
    func = "save_model"
    check_adata(adata, func)
    h5py = _h5py()
    have = sorted(str(k)[2:] for k in adata.varp if str(k).startswith("W_"))
    if not have:
        raise MissingKeyError(f"{func}: no interaction matrices `adata.varp['W_<cluster>']` to save; "
                              "fit or load a model first.")
    clusters = have if clusters is None else [str(c) for c in clusters]
    absent = [c for c in clusters if c not in have]
    if absent:
        raise MissingKeyError(f"{func}: `adata.varp['W_{absent[0]}']` not found; clusters with a model: {_listing(have)}")
    path = Path(filename)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{func}: {str(path)!r} exists; pass overwrite=True to replace it")
    meta = {k: v for k, v in dict(adata.uns.get("scHopfield", {})).items()
            if k in _UNS_META_KEYS and isinstance(v, (str, int, float))}
    with h5py.File(path, "w") as f:
        f.create_dataset("gene_names", data=np.array(adata.var_names, dtype=object), dtype=h5py.string_dtype())
        f.attrs["n_vars"] = adata.n_vars
        f.attrs["clusters"] = json.dumps(clusters)
        f.attrs["uns_scHopfield"] = json.dumps(meta)
        var = f.create_group("var")
        keys = [k for k in _VAR_BASE_KEYS if k in adata.var]
        keys += [f"{p}{c}" for c in clusters for p in ("I_", "gamma_") if f"{p}{c}" in adata.var]
        for key in keys:
            var.create_dataset(key, data=np.asarray(adata.var[key].to_numpy()), compression=compression)
        varp = f.create_group("varp")
        for c in clusters:
            W = adata.varp[f"W_{c}"]
            W = W.toarray() if hasattr(W, "toarray") else np.asarray(W)
            varp.create_dataset(f"W_{c}", data=W, compression=compression)
    log.info("Model saved to %r | clusters=%s | genes=%d", str(path), clusters, adata.n_vars)


# ----------------------------------------------------------------------------- Jacobian files
class _JacobianFile:
    """Writer of the Jacobian HDF5 layout, filled chunk by chunk."""

    def __init__(self, f: Any, n_cells: int, n: int) -> None:
        self.f, self.n_cells, self.n = f, n_cells, n

    @classmethod
    def create(cls, path: Any, adata: Any, plan: Any, cluster_key: str | None, *, dtype: str) -> _JacobianFile:
        h5py = _h5py()
        path = Path(path)
        try:
            f = h5py.File(path, "w")
        except OSError as exc:
            raise OSError(f"cannot create the eigenvectors file {str(path)!r}: {exc}") from None
        n = plan.n_genes
        _write_header(f, adata, plan.genes, cluster_key)
        for part in ("real", "imag"):
            f.create_dataset(f"eigenvectors_{part}", shape=(adata.n_obs, n, n), dtype=dtype,
                             chunks=(1, n, n), fillvalue=np.nan)
        return cls(f, adata.n_obs, n)

    def write_eigenvectors(self, cells: np.ndarray, v: np.ndarray) -> None:
        sel = _h5_selection(cells)
        self.f["eigenvectors_real"][sel] = v.real
        self.f["eigenvectors_imag"][sel] = v.imag

    def write_eigenvalues(self, evals: np.ndarray, compression: str | None = None) -> None:
        _write_eigenvalues(self.f, evals, compression)

    def close(self) -> None:
        self.f.close()


def _h5_selection(cells: np.ndarray) -> Any:
    cells = np.asarray(cells)
    if cells.size and np.all(np.diff(cells) == 1):
        return slice(int(cells[0]), int(cells[-1]) + 1)
    return cells.tolist()


def _write_header(f: Any, adata: Any, genes: Any, cluster_key: str | None) -> None:
    h5py = _h5py()
    for key in ("cell_names", "gene_names", "clusters"):
        if key in f:
            del f[key]
    f.create_dataset("cell_names", data=np.array(adata.obs_names, dtype=object), dtype=h5py.string_dtype())
    f.create_dataset("gene_names", data=np.array(list(genes), dtype=object), dtype=h5py.string_dtype())
    if cluster_key is not None and cluster_key in adata.obs:
        f.create_dataset("clusters", data=adata.obs[cluster_key].astype(str).to_numpy().astype(object),
                         dtype=h5py.string_dtype())
    f.attrs["n_cells"] = adata.n_obs
    f.attrs["n_genes"] = len(genes)
    f.attrs["cluster_key"] = "" if cluster_key is None else str(cluster_key)
    f.attrs["format"] = _FORMAT
    f.attrs["order"] = "each row sorted by decreasing real part, then decreasing imaginary part"


def _write_eigenvalues(f: Any, evals: np.ndarray, compression: str | None) -> None:
    for part in ("real", "imag"):
        key = f"eigenvalues_{part}"
        if key in f:
            del f[key]
        f.create_dataset(key, data=getattr(evals, part), compression=compression)


def save_jacobians(
    adata: Any,
    filename: str | os.PathLike,
    *,
    cluster_key: str | None = "cell_type",
    compression: str | None = "gzip",
) -> None:
    """Write the Jacobian spectra (and eigenvectors, if computed) to an HDF5 file.

    Eigenvectors that ``compute_jacobians(compute_eigenvectors=True, eigenvectors_file=...)``
    wrote are copied into ``filename`` cell by cell (never all in memory); if ``filename`` is
    that file, only the eigenvalues are rewritten.

    Parameters
    ----------
    adata
        With ``obsm['jacobian_eigenvalues']``.
    filename
        HDF5 file to write (replaced if it exists, unless it is the eigenvectors file).
    cluster_key
        ``obs`` column whose labels are stored alongside (None: none).
    compression
        HDF5 compression (``'gzip'``, ``'lzf'`` or None).

    Returns
    -------
    None

    Examples
    --------
    >>> import linstab.sc as sch, tempfile, os
    >>> adata = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> sch.tl.compute_jacobians(adata, progress=False)
    >>> path = os.path.join(tempfile.mkdtemp(), "jacobians.h5")
    >>> sch.tl.save_jacobians(adata, path)
    >>> del adata.obsm["jacobian_eigenvalues"]
    >>> sch.tl.load_jacobians(adata, path)
    >>> adata.obsm["jacobian_eigenvalues"].shape
    (10, 5)
    """
    func = "save_jacobians"
    check_adata(adata, func)
    if "jacobian_eigenvalues" not in adata.obsm:
        raise MissingKeyError(f"{func}: `adata.obsm['jacobian_eigenvalues']` not found; run "
                              "`linstab.sc.tl.compute_jacobians` first.")
    h5py = _h5py()
    evals = np.asarray(adata.obsm["jacobian_eigenvalues"])
    info = dict(adata.uns.get("jacobian", {}))
    genes = info.get("genes")
    if genes is None or len(genes) != evals.shape[1]:
        genes = [str(g) for g in adata.var_names[: evals.shape[1]]]
    src = info.get("eigenvectors_file")
    path = Path(filename)
    same = src is not None and Path(src).exists() and path.exists() and os.path.samefile(src, path)
    if same:
        with h5py.File(path, "a") as f:
            _write_header(f, adata, genes, cluster_key)
            _write_eigenvalues(f, evals, compression)
        return
    with h5py.File(path, "w") as f:
        _write_header(f, adata, genes, cluster_key)
        _write_eigenvalues(f, evals, compression)
        if src is not None and Path(src).exists():
            with h5py.File(src, "r") as g:
                for part in ("real", "imag"):
                    key = f"eigenvectors_{part}"
                    if key not in g:
                        continue
                    ds_in = g[key]
                    n = ds_in.shape[-1]
                    ds = f.create_dataset(key, shape=ds_in.shape, dtype=ds_in.dtype, chunks=(1, n, n),
                                          compression=compression, fillvalue=np.nan)
                    step = max(1, (64 << 20) // max(1, n * n * ds_in.dtype.itemsize))
                    for s in range(0, ds_in.shape[0], step):
                        ds[s:s + step] = ds_in[s:s + step]


def _cell_alignment(file_cells: np.ndarray | None, n_file: int, adata: Any, func: str, path: Any) -> np.ndarray:
    """Rows of the file for each cell of ``adata``."""
    names = np.asarray(adata.obs_names, dtype=object).astype(str)
    if file_cells is None:
        if n_file != adata.n_obs:
            raise DimensionError(f"{func}: {str(path)!r} holds {n_file} cells while adata has {adata.n_obs}")
        return np.arange(n_file)
    if file_cells.size == names.size and np.array_equal(file_cells, names):
        return np.arange(n_file)
    pos = {c: i for i, c in enumerate(file_cells)}
    missing = [c for c in names if c not in pos]
    if missing:
        raise DimensionError(
            f"{func}: {len(missing)} cell(s) of adata are not in {str(path)!r} (e.g. {missing[0]!r}); "
            f"the file holds {file_cells.size} cells computed on another AnnData."
        )
    return np.array([pos[c] for c in names], dtype=np.int64)


def _read_eigenvalues(filename: Any, adata: Any, func: str) -> np.ndarray:
    path = Path(filename)
    if not path.is_file():
        raise FileNotFoundError(f"{func}: Jacobian file {str(path)!r} not found")
    with _open(path, "r", func, "Jacobian") as f:
        if "eigenvalues_real" not in f or "eigenvalues_imag" not in f:
            raise MissingKeyError(f"{func}: {str(path)!r} has no `eigenvalues_real`/`eigenvalues_imag`; "
                                  "write it with linstab.sc.tl.save_jacobians.")
        cells = _strings(f["cell_names"]) if "cell_names" in f else None
        re = f["eigenvalues_real"][()]
        im = f["eigenvalues_imag"][()]
    rows = _cell_alignment(cells, re.shape[0], adata, func, path)
    return (re + 1j * im)[rows]


def load_jacobians(
    adata: Any,
    filename: str | os.PathLike,
    *,
    load_eigenvectors: bool = False,
    copy: bool = False,
) -> Any:
    """Read Jacobian spectra written by :func:`save_jacobians` into ``adata``.

    Cells are matched by name, so the file may hold more cells than ``adata`` or another order.
    Eigenvectors stay on disk: with ``load_eigenvectors=True`` the file is recorded in
    ``uns['jacobian']['eigenvectors_file']``; read the cells you need with
    :func:`read_jacobian_eigenvectors`.

    Parameters
    ----------
    adata
        The cells the spectra were computed for.
    filename
        The HDF5 file.
    load_eigenvectors
        Link the file's eigenvectors (an error if it has none).
    copy
        Work on (and return) a copy of ``adata``.

    Returns
    -------
    AnnData or None
        A copy if ``copy=True``, else None; writes ``obsm['jacobian_eigenvalues']`` and
        ``uns['jacobian']``.

    Examples
    --------
    >>> import linstab.sc as sch, tempfile, os
    >>> adata = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "j.h5")
    >>> sch.tl.compute_jacobians(adata, compute_eigenvectors=True, eigenvectors_file=path, progress=False)
    >>> sub = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)[["cell7", "cell2"]].copy()
    >>> sch.tl.load_jacobians(sub, path, load_eigenvectors=True)
    >>> bool((sub.obsm["jacobian_eigenvalues"] == adata.obsm["jacobian_eigenvalues"][[7, 2]]).all())
    True
    >>> sub.uns["jacobian"]["eigenvectors_file"] == path
    True
    """
    func = "load_jacobians"
    check_adata(adata, func)
    path = Path(filename)
    evals = _read_eigenvalues(path, adata, func)
    with _open(path, "r", func, "Jacobian") as f:
        genes = _strings(f["gene_names"]).tolist() if "gene_names" in f else None
        has_vec = "eigenvectors_real" in f
        ck = f.attrs.get("cluster_key", "")
    if load_eigenvectors and not has_vec:
        raise MissingKeyError(
            f"{func}: {str(path)!r} holds no eigenvectors; compute them with compute_jacobians("
            "compute_eigenvectors=True, eigenvectors_file=...) and save_jacobians, or pass load_eigenvectors=False."
        )
    out = adata.copy() if copy else adata
    out.obsm["jacobian_eigenvalues"] = evals
    info: dict[str, Any] = {"source_file": str(path)}
    if genes is not None:
        info["genes"] = genes
    if ck:
        info["cluster_key"] = str(ck)
    if load_eigenvectors:
        info["eigenvectors_file"] = str(path)
    out.uns["jacobian"] = info
    return out if copy else None


def read_jacobian_eigenvectors(
    filename: str | os.PathLike,
    cells: Any = None,
    *,
    memory_limit: int | str | None = None,
) -> np.ndarray:
    """Eigenvectors of chosen cells from a Jacobian file, as a complex array.

    Parameters
    ----------
    filename
        A file from :func:`save_jacobians` or ``compute_jacobians(eigenvectors_file=...)``.
    cells
        Cell names, integer positions or a boolean mask (None: all cells, if they fit).
    memory_limit
        Refuse to read more than this many bytes (default 1 GiB).

    Returns
    -------
    ndarray
        ``(cells, genes, genes)`` complex; column ``k`` of cell ``c`` belongs to the eigenvalue
        in column ``k`` of that cell's row of eigenvalues.

    Examples
    --------
    >>> import linstab.sc as sch, tempfile, os
    >>> adata = sch.datasets.synthetic_grn(n_cells=10, n_genes=5, seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "vectors.h5")
    >>> sch.tl.compute_jacobians(adata, compute_eigenvectors=True, eigenvectors_file=path, progress=False)
    >>> sch.tl.read_jacobian_eigenvectors(path, ["cell0", "cell3"]).shape
    (2, 5, 5)
    """
    func = "read_jacobian_eigenvectors"
    path = Path(filename)
    if not path.is_file():
        raise FileNotFoundError(f"{func}: Jacobian file {str(path)!r} not found")
    with _open(path, "r", func, "Jacobian") as f:
        if "eigenvectors_real" not in f:
            raise MissingKeyError(f"{func}: {str(path)!r} holds no eigenvectors")
        ds_r, ds_i = f["eigenvectors_real"], f["eigenvectors_imag"]
        n_cells, n = ds_r.shape[0], ds_r.shape[1]
        names = _strings(f["cell_names"]) if "cell_names" in f else None
        if cells is None:
            rows = np.arange(n_cells)
        else:
            arr = np.atleast_1d(np.asarray(cells))
            if arr.dtype == bool:
                if arr.size != n_cells:
                    raise DimensionError(f"{func}: boolean `cells` had length {arr.size} while the file holds {n_cells} cells")
                rows = np.nonzero(arr)[0]
            elif np.issubdtype(arr.dtype, np.integer):
                rows = arr.astype(np.int64)
                if rows.size and (rows.min() < -n_cells or rows.max() >= n_cells):
                    raise IndexError(f"{func}: cell positions must lie in [0, {n_cells}); got {rows.min()}..{rows.max()}")
                rows = rows % n_cells
            else:
                if names is None:
                    raise MissingKeyError(f"{func}: {str(path)!r} stores no cell names; pass integer positions")
                pos = {c: i for i, c in enumerate(names)}
                unknown = [str(c) for c in arr if str(c) not in pos]
                if unknown:
                    raise MissingKeyError(f"{func}: cell(s) {_listing(unknown)} not in {str(path)!r}")
                rows = np.array([pos[str(c)] for c in arr], dtype=np.int64)
        need = rows.size * n * n * 16
        limit = parse_memory(memory_limit)
        if need > limit:
            raise MemoryError(
                f"{func}: {rows.size} cells of eigenvectors need {need / 1e9:.2f} GB, above memory_limit "
                f"{limit / 1e9:.2f} GB; read fewer cells at a time (pass `cells=`) or raise `memory_limit`."
            )
        order = np.argsort(rows, kind="stable")
        uniq, inv = np.unique(rows[order], return_inverse=True)
        sel = _h5_selection(uniq)
        block = ds_r[sel] + 1j * ds_i[sel]
        out = np.empty((rows.size, n, n), dtype=np.result_type(block.dtype, np.complex64))
        out[order] = block[inv]
    return out
