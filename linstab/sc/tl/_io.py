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
    attrs: n_cells, n_genes, cluster_key, format, complete

Every file is written atomically (a temporary file beside the target, renamed onto it when
complete). A Jacobian file carries ``complete=False`` while it is written and ``True`` at the end;
readers refuse a file with ``complete=False`` (an interrupted in-place update).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from linstab._atomic import atomic_path, check_output_path, commit, discard, new_temp
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
        f = h5py.File(path, mode)
    except OSError as exc:
        raise ModelError(f"{func}: {str(path)!r} is not a readable HDF5 {what} file ({exc})") from None
    if what == "Jacobian" and not _complete(f):
        f.close()
        raise ModelError(f"{func}: {str(path)!r} is incomplete: the run that wrote it was interrupted; "
                         "compute the Jacobians again.")
    return f


def _complete(f: Any) -> bool:
    """False only for a file marked as being written (files of older versions have no mark)."""
    return bool(f.attrs.get("complete", True))


def _refuse_foreign(path: Path, func: str, overwrite: bool, what: str) -> None:
    """Refuse to replace an existing file that linstab did not write as a Jacobian file."""
    if overwrite or not path.exists():
        return
    h5py = _h5py()
    ours = False
    if path.is_file() and h5py.is_hdf5(path):
        try:
            with h5py.File(path, "r") as f:
                ours = f.attrs.get("format", "") == _FORMAT
        except OSError:
            ours = False
    if not ours:
        raise FileExistsError(f"{func}: {str(path)!r} exists and is not a linstab Jacobian file; refusing to "
                              f"replace it with the {what}. Choose another name, or pass overwrite=True.")


# ----------------------------------------------------------------------------- model files
# A model file is read by a collaborator's hand-made or hostile file as often as by our own: every
# object is checked (link kind, storage, dtype, shape, bytes) before a single value is read, so that
# a 28 KB file cannot expand into gigabytes (gzip of zeros), read another local file (HDF5
# external storage, external links, virtual datasets) or inject keys the format does not define.
_MAX_STRING_BYTES = 4096  # per fixed-length string element (gene names are short)


def _member(group: Any, key: str, where: str, func: str, path: Path) -> Any:
    """``group[key]`` after checking that it is a hard link inside this file."""
    h5py = _h5py()
    link = group.get(key, getlink=True)
    if not isinstance(link, h5py.HardLink):
        kind = type(link).__name__
        raise ModelError(f"{func}: {str(path)!r}: `{where}` is an HDF5 {kind}; a model file holds its data "
                         "itself (links to other objects or files are refused).")
    return group[key]


def _checked_dataset(group: Any, key: str, where: str, func: str, path: Path, *, shape: tuple[int, ...],
                     kinds: str, what: str) -> Any:
    """The dataset ``group[key]``, refused unless it is plain in-file storage of ``shape`` and a dtype
    of kind in ``kinds`` -- all read from the metadata, before any value is decompressed."""
    h5py = _h5py()
    ds = _member(group, key, where, func, path)
    if not isinstance(ds, h5py.Dataset):
        raise ModelError(f"{func}: {str(path)!r}: `{where}` should be a dataset ({what}); got a group")
    if ds.external:
        raise ModelError(f"{func}: {str(path)!r}: `{where}` uses HDF5 external storage (its values live in "
                         "another file); refused: a model file must hold its own data.")
    if ds.is_virtual:
        raise ModelError(f"{func}: {str(path)!r}: `{where}` is an HDF5 virtual dataset (mapped from other "
                         "files); refused: a model file must hold its own data.")
    if ds.shape != shape:
        raise DimensionError(f"{func}: {str(path)!r}: `{where}` had shape {ds.shape} while it should have had "
                             f"{shape} ({what})")
    dt = ds.dtype
    string = h5py.check_string_dtype(dt) is not None
    kind = "S" if string else dt.kind
    if kind not in kinds or dt.names is not None or dt.subdtype is not None:
        expected = {"S": "strings", "b": "booleans", "i": "integers", "u": "integers", "f": "real numbers"}
        want = " or ".join(dict.fromkeys(expected[k] for k in kinds))
        got = "complex numbers" if dt.kind == "c" else f"dtype {dt}"
        raise ModelError(f"{func}: {str(path)!r}: `{where}` ({what}) should hold {want}; got {got}")
    if string and dt.kind == "S" and dt.itemsize > _MAX_STRING_BYTES:
        raise ModelError(f"{func}: {str(path)!r}: `{where}` holds strings of {dt.itemsize} bytes each; "
                         f"at most {_MAX_STRING_BYTES} are accepted")
    return ds


def _read_dataset(ds: Any, where: str, func: str, path: Path) -> np.ndarray:
    try:
        return np.asarray(ds[()])
    except (OSError, ValueError, TypeError) as exc:  # corrupt chunks, unavailable filters
        raise ModelError(f"{func}: {str(path)!r}: `{where}` cannot be read ({exc}); the file is damaged "
                         "or was written with an HDF5 filter that is not installed.") from None


def _json_attr(raw: Any, name: str, func: str, path: Path) -> Any:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str):
        raise ModelError(f"{func}: {str(path)!r}: attribute `{name}` should be a JSON string; got "
                         f"{type(raw).__name__}")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ModelError(f"{func}: {str(path)!r}: attribute `{name}` is not valid JSON ({exc})") from None


def _read_model_file(path: Path, func: str, *, have_genes: set[str],
                     memory_limit: int | str | None = None) -> dict[str, Any]:
    """Everything a model file holds, checked; nothing of ``adata`` is touched here.

    The gene names are read first and must all be in ``have_genes`` (the AnnData's genes); then
    the parameters' shapes ``(n,)`` and ``(n, n)`` and their total bytes are checked against
    ``memory_limit`` before they are read.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{func}: model file {str(path)!r} not found")
    h5py = _h5py()
    limit = parse_memory(memory_limit)
    with _open(path, "r", func, "model") as f:
        for key in ("gene_names", "varp"):
            if key not in f:
                hint = ("it is not a .h5sch model file (write one with linstab.sc.tl.save_model)"
                        if key == "gene_names" else "it has no interaction matrices `varp/W_<cluster>`")
                raise ModelError(f"{func}: {str(path)!r} has no `{key}`; {hint}.")
        g = _member(f, "gene_names", "gene_names", func, path)
        if not isinstance(g, h5py.Dataset) or g.ndim != 1:
            raise ModelError(f"{func}: {str(path)!r}: `gene_names` should be a 1-D string dataset")
        n = int(g.shape[0])
        if n == 0:
            raise ModelError(f"{func}: {str(path)!r}: `gene_names` is empty; the model has no genes")
        gds = _checked_dataset(f, "gene_names", "gene_names", func, path, shape=(n,), kinds="S", what="gene names")
        per_name = gds.dtype.itemsize if gds.dtype.kind == "S" else 64  # variable-length: held in the file
        if n * per_name > limit:
            raise MemoryError(f"{func}: {str(path)!r}: `gene_names` holds {n} names, more than memory_limit "
                              "allows; raise `memory_limit` if this is intended.")
        genes = _strings(_read_dataset(gds, "gene_names", func, path))
        if len(set(genes.tolist())) != n:
            raise ModelError(f"{func}: {str(path)!r}: `gene_names` has duplicates")
        missing = [x for x in genes if x not in have_genes]
        if missing:
            raise MissingKeyError(
                f"{func}: {len(missing)} of the model's {n} genes are not in adata.var_names: "
                f"{_listing(missing)}. The model was fitted on another gene set; load the matching data, "
                "or refit the model on these genes."
            )
        varp_g = _member(f, "varp", "varp", func, path)
        var_g = _member(f, "var", "var", func, path) if "var" in f else None
        for grp, name in ((varp_g, "varp"), (var_g, "var")):
            if grp is not None and not isinstance(grp, h5py.Group):
                raise ModelError(f"{func}: {str(path)!r}: `{name}` should be a group")
        raw = f.attrs.get("clusters", None)
        meta_raw = f.attrs.get("uns_scHopfield", "{}")
        w_keys = [str(k) for k in varp_g if str(k).startswith("W_") and len(str(k)) > 2]
        if not w_keys:
            raise ModelError(f"{func}: {str(path)!r} has no interaction matrices (group `varp/` with `W_<cluster>`).")
        if raw is None:
            clusters = sorted(k[2:] for k in w_keys)
        elif isinstance(raw, (str, bytes)):
            clusters = _json_attr(raw, "clusters", func, path)
            if not isinstance(clusters, list) or not all(isinstance(c, (str, int)) for c in clusters):
                raise ModelError(f"{func}: {str(path)!r}: attribute `clusters` should be a JSON list of names")
            clusters = [str(c) for c in clusters]
        else:
            clusters = [c.decode() if isinstance(c, bytes) else str(c) for c in np.ravel(raw)]
        absent = [c for c in clusters if f"W_{c}" not in w_keys]
        if absent:
            raise ModelError(f"{func}: {str(path)!r}: cluster(s) {_listing(absent)} listed in attribute "
                             f"`clusters` have no `varp/W_<cluster>`")
        meta = _json_attr(meta_raw, "uns_scHopfield", func, path)
        if not isinstance(meta, dict):
            raise ModelError(f"{func}: {str(path)!r}: attribute `uns_scHopfield` should be a JSON object")

        # the keys the format defines; anything else is left in the file, with a warning
        var_allowed = set(_VAR_BASE_KEYS) | {f"{p}{c}" for c in clusters for p in ("I_", "gamma_")}
        var_keys = [str(k) for k in var_g] if var_g is not None else []
        varp_keys = [str(k) for k in varp_g]
        ignored = [f"var/{k}" for k in var_keys if k not in var_allowed]
        ignored += [f"varp/{k}" for k in varp_keys if k not in w_keys or k[2:] not in clusters]
        ignored += [f"uns_scHopfield[{k!r}]" for k in meta if k not in _UNS_META_KEYS
                    or not isinstance(meta[k], (str, int, float)) or isinstance(meta[k], bool)]
        var_keys = [k for k in var_keys if k in var_allowed]
        w_keys = [f"W_{c}" for c in clusters]
        meta = {k: meta[k] for k in _UNS_META_KEYS if k in meta and isinstance(meta[k], (str, int, float))
                and not isinstance(meta[k], bool)}

        sets = [(var_g, k, f"var/{k}", (n,), "biuf", "one value per model gene") for k in var_keys]
        sets += [(varp_g, k, f"varp/{k}", (n, n), "biuf", "model genes x model genes") for k in w_keys]
        checked = [(where, _checked_dataset(grp, k, where, func, path, shape=shape, kinds=kinds, what=what))
                   for grp, k, where, shape, kinds, what in sets]
        need = (n * n * len(w_keys) + n * len(var_keys)) * 8 + n * _MAX_STRING_BYTES
        if need > limit:
            raise MemoryError(f"{func}: {str(path)!r} holds {len(w_keys)} interaction matrices of {n} x {n} "
                              f"genes ({need / 2**30:.2f} GiB), above memory_limit {limit / 2**30:.2f} GiB; "
                              "raise `memory_limit` if this is intended.")
        values = {where: _read_dataset(ds, where, func, path) for where, ds in checked}
    var = {k: values[f"var/{k}"] for k in var_keys}
    var = {k: a.astype(bool) if k == "scHopfield_used" else a.astype(np.float64) for k, a in var.items()}
    varp = {k: values[f"varp/{k}"].astype(np.float64) for k in w_keys}
    if ignored:
        entries = "entry" if len(ignored) == 1 else "entries"
        warnings.warn(f"{func}: {str(path)!r}: ignored {len(ignored)} {entries} that the .h5sch format does "
                      f"not define: {_listing(ignored)}", UserWarning, stacklevel=3)
    return {"genes": genes, "var": var, "varp": varp, "clusters": clusters, "meta": meta}


def load_model(adata: Any, filename: str | os.PathLike, *, copy: bool = False,
               memory_limit: int | str | None = None) -> Any:
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
    memory_limit
        Refuse a file whose arrays need more than this many bytes once read (default 1 GiB);
        the sizes are checked from the file's metadata before anything is decompressed.

    Returns
    -------
    AnnData
        ``adata`` itself (or a copy with ``copy=True``) when its genes are the model's, in
        order. Otherwise a **subsetted copy** restricted to the model's genes, in the model's
        order, with a warning — reassign it: ``adata = sch.tl.load_model(adata, filename)``.

    Raises
    ------
    FileNotFoundError, ModelError
        The file is missing, is not a model file, or holds something the format does not allow:
        links, external or virtual storage, complex or non-numeric parameters, unreadable data.
        Keys the format does not define are ignored with a warning. Everything is checked before
        ``adata`` is touched: on any error it is left exactly as it was.
    MemoryError
        The file's arrays would need more than ``memory_limit``.
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
    have = np.asarray(adata.var_names, dtype=object).astype(str)
    pos = {g: i for i, g in enumerate(have)}
    model = _read_model_file(path, func, have_genes=set(pos), memory_limit=memory_limit)
    genes = model["genes"]
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
    # every value was read and converted above: nothing below can fail half-way
    for key, arr in model["var"].items():
        out.var[key] = arr
    for key, arr in model["varp"].items():
        out.varp[key] = arr
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
    path = check_output_path(filename, what="model file")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{func}: {str(path)!r} exists; pass overwrite=True to replace it")
    meta = {k: v for k, v in dict(adata.uns.get("scHopfield", {})).items()
            if k in _UNS_META_KEYS and isinstance(v, (str, int, float))}
    with atomic_path(path, what="model file") as tmp, h5py.File(tmp, "w") as f:
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
    """Writer of the Jacobian HDF5 layout, filled chunk by chunk into a temporary file that
    :meth:`close` renames onto the target (``ok=True``) or removes (``ok=False``)."""

    def __init__(self, f: Any, n_cells: int, n: int, tmp: Path, path: Path) -> None:
        self.f, self.n_cells, self.n, self.tmp, self.path = f, n_cells, n, tmp, path

    @classmethod
    def create(cls, path: Any, adata: Any, plan: Any, cluster_key: str | None, *, dtype: str,
               overwrite: bool = False, func: str = "compute_jacobians") -> _JacobianFile:
        h5py = _h5py()
        path = check_output_path(path, what="eigenvectors file")
        _refuse_foreign(path, func, overwrite, "eigenvectors")
        tmp = new_temp(path)
        try:
            f = h5py.File(tmp, "w")
        except OSError as exc:
            discard(tmp)
            raise OSError(f"cannot create the eigenvectors file {str(path)!r}: {exc}") from None
        try:
            f.attrs["complete"] = False
            n = plan.n_genes
            _write_header(f, adata, plan.genes, cluster_key)
            for part in ("real", "imag"):
                f.create_dataset(f"eigenvectors_{part}", shape=(adata.n_obs, n, n), dtype=dtype,
                                 chunks=(1, n, n), fillvalue=np.nan)
        except BaseException:
            f.close()
            discard(tmp)
            raise
        return cls(f, adata.n_obs, n, tmp, path)

    def write_eigenvectors(self, cells: np.ndarray, v: np.ndarray) -> None:
        sel = _h5_selection(cells)
        self.f["eigenvectors_real"][sel] = v.real
        self.f["eigenvectors_imag"][sel] = v.imag

    def write_eigenvalues(self, evals: np.ndarray, compression: str | None = None) -> None:
        _write_eigenvalues(self.f, evals, compression)

    def close(self, ok: bool = True) -> None:
        """Finish the file (mark it complete and rename it onto the target) or, after a failure,
        remove it and leave the target as it was."""
        try:
            if ok:
                self.f.attrs["complete"] = True
            self.f.close()
            if ok:
                commit(self.tmp, self.path)
        finally:
            if not ok or self.tmp.exists():
                discard(self.tmp)


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
    overwrite: bool = False,
) -> None:
    """Write the Jacobian spectra (and eigenvectors, if computed) to an HDF5 file.

    Eigenvectors that ``compute_jacobians(compute_eigenvectors=True, eigenvectors_file=...)``
    wrote are copied into ``filename`` cell by cell (never all in memory); if ``filename`` is
    that file, only the eigenvalues are rewritten, in place: the file is marked incomplete while
    that happens, so that an interrupted update is refused by the readers rather than read.
    Any other file is written atomically (temporary file, renamed when complete).

    Parameters
    ----------
    adata
        With ``obsm['jacobian_eigenvalues']``.
    filename
        HDF5 file to write. An existing Jacobian file is replaced (updated, if it is the
        eigenvectors file); any other existing file only with ``overwrite=True``.
    cluster_key
        ``obs`` column whose labels are stored alongside (None: none).
    compression
        HDF5 compression (``'gzip'``, ``'lzf'`` or None).
    overwrite
        Replace an existing file that is not a linstab Jacobian file.

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
    path = check_output_path(filename, what="Jacobian file")
    same = src is not None and Path(src).exists() and path.exists() and os.path.samefile(src, path)
    _refuse_foreign(path, func, overwrite, "Jacobian spectra")
    if same:
        with _open(path, "a", func, "Jacobian") as f:
            f.attrs["complete"] = False
            f.flush()
            _write_header(f, adata, genes, cluster_key)
            _write_eigenvalues(f, evals, compression)
            f.attrs["complete"] = True
        return
    g = _open(Path(src), "r", func, "Jacobian") if src is not None and Path(src).exists() else None
    try:
        with atomic_path(path, what="Jacobian file") as tmp, h5py.File(tmp, "w") as f:
            f.attrs["complete"] = False
            _write_header(f, adata, genes, cluster_key)
            _write_eigenvalues(f, evals, compression)
            for part in ("real", "imag"):
                key = f"eigenvectors_{part}"
                if g is None or key not in g:
                    continue
                ds_in = g[key]
                n = ds_in.shape[-1]
                ds = f.create_dataset(key, shape=ds_in.shape, dtype=ds_in.dtype, chunks=(1, n, n),
                                      compression=compression, fillvalue=np.nan)
                step = max(1, (64 << 20) // max(1, n * n * ds_in.dtype.itemsize))
                for s in range(0, ds_in.shape[0], step):
                    ds[s:s + step] = ds_in[s:s + step]
            f.attrs["complete"] = True
    finally:
        if g is not None:
            g.close()


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
