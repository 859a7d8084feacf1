"""Per-cell Jacobians on AnnData: spectra, statistics, rotational part and chosen elements.

The Jacobian of the fitted GRN ``dx/dt = W φ(x) − γ ∘ x + I`` at a cell with expression ``x`` is
``J = W · diag(φ′(x)) − diag(γ)`` (``J_ij = W_ij φ′_j(x_j) − γ_i δ_ij``); with a symbolic
linstab model it is the model's Jacobian kernel evaluated at the cell. Everything runs over
chunks of cells (no per-cell Python loop), on numpy or torch (CPU or CUDA).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab._errors import MissingKeyError
from linstab._optional import require
from linstab.sc._backend import Backend, chunk_size, get_backend, host_cores, memory_budget, run_chunked
from linstab.sc._krylov import piloted_rightmost_stats
from linstab.sc._sign import sign_bytes, sign_part
from linstab.sc._spectra import sort_spectra, spectrum_stats
from linstab.sc.tl._inputs import Plan, check_adata, prepare, resolve_pairs

__all__ = [
    "compute_jacobians",
    "compute_jacobian_stats",
    "compute_rotational_part",
    "compute_jacobian_elements",
    "STATS_COLUMNS",
]

#: The columns written by :func:`compute_jacobian_stats`.
STATS_COLUMNS = (
    "jacobian_eig1_real",
    "jacobian_eig1_imag",
    "jacobian_positive_evals",
    "jacobian_negative_evals",
    "jacobian_trace",
)

_DENSE_MAX = 256  # method='auto': full spectra while the largest diagonal block of J is this small


def _setup(adata, func, *, spliced_key, degradation_key, cluster_key, model, params, clusters,
           device, backend, dtype, spectra="auto"):
    be = get_backend(device, backend=backend, dtype=dtype, spectra=spectra)
    plan = prepare(adata, func=func, spliced_key=spliced_key, degradation_key=degradation_key,
                   cluster_key=cluster_key, model=model, params=params, clusters=clusters, backend=be)
    return be, plan


def _chunks(plan: Plan, be: Backend, memory: int, per_cell, progress: bool, desc: str, fn, *,
            func: str = "linstab.sc.tl"):
    """Yield ``(cell positions, fn(group, state))`` over every group and chunk.

    ``per_cell`` is the memory one cell needs beyond its state: bytes, or a function of the
    group's operator. Where full spectra run on the host, chunks hold a multiple of its cores.
    Where the expression layer is a Dask array, the chunks are its row blocks, computed as Dask
    tasks (:mod:`linstab.sc._dask`) by the same ``fn``.
    """
    if plan.dask is not None:
        from linstab.sc._dask import run_blocks

        yield from run_blocks(plan, be, memory, per_cell, progress, desc, fn, func=func)
        return
    cores = host_cores() if be.spectra != "device" else 1
    tqdm = require("tqdm", extra="grn").tqdm
    total = sum(g.cells.size for g in plan.groups)
    # one bar for the whole call, in cells per second; the cluster being computed as its postfix
    with tqdm(total=total, desc=desc, unit="cell", disable=not progress, leave=True) as bar:
        for group in plan.groups:
            need = per_cell(group.op) if callable(per_cell) else per_cell
            size = chunk_size(group.cells.size, need + group.op.state_bytes, memory, multiple=cores)
            bar.set_postfix_str(str(group.name), refresh=False)

            def work(idx, group=group):
                cells = group.cells[idx]
                state = group.op.state(plan.read(cells))
                out = fn(group, state)
                be.synchronize()
                return out

            for idx, out in run_chunked(work, group.cells.size, size, be, bar=bar):
                yield group.cells[idx], out


def _itemsize(be: Backend) -> int:
    return np.dtype(be.dtype).itemsize


def _jacobian_uns(plan: Plan, be: Backend, **extra) -> dict:
    info = {
        "genes": plan.genes.tolist(),
        "model": plan.source,
        "backend": be.name,
        "device": be.device,
        "dtype": be.dtype,
        "spectra": be.spectra,
        "clusters": [g.name for g in plan.groups],
    }
    info.update({k: v for k, v in extra.items() if v is not None})
    return info


def compute_jacobians(
    adata: Any,
    *,
    spliced_key: str | None = "Ms",
    degradation_key: str = "gamma",
    cluster_key: str | None = "cell_type",
    compute_eigenvectors: bool = False,
    eigenvectors_file: str | os.PathLike | None = None,
    store: str | os.PathLike | None = None,
    overwrite: bool = False,
    model: Any = None,
    params: Mapping[str, Any] | None = None,
    clusters: Sequence[str] | None = None,
    device: str = "cpu",
    backend: str | None = None,
    dtype: str = "float64",
    spectra: str = "auto",
    memory_limit: int | str | None = None,
    progress: bool = True,
    copy: bool = False,
) -> Any:
    """All eigenvalues of every cell's Jacobian (full spectra, batched over cells).

    Parameters
    ----------
    adata
        Cells × genes, with the model in the scHopfield layout: ``varp['W_<cluster>']`` (target ×
        regulator), ``var['gamma_<cluster>']`` (else ``var[degradation_key]``),
        ``var['sigmoid_threshold']`` (k) and ``var['sigmoid_exponent']`` (n); if
        ``var['scHopfield_used']`` exists, only those genes enter the model.
    spliced_key
        Layer with the expression the Jacobian is evaluated at (None: ``adata.X``). A Dask array
        (anndata's lazy readers of ``.zarr``/``.h5ad`` give one; ``linstab[dask]``), chunked over
        the cells only, is computed chunk by chunk as Dask tasks on the active scheduler (a
        ``distributed.Client`` if one exists, else Dask's local one), the networks sent to each
        worker once; the results equal the in-memory ones.
    degradation_key
        ``var`` column of the degradation rates used where no ``gamma_<cluster>`` exists.
    cluster_key
        ``obs`` column of the cell types; each cluster uses its own ``W``. None: every cell uses
        the model ``'all'`` (``varp['W_all']``), or the one symbolic ``model``.
    compute_eigenvectors
        Also compute right eigenvectors; they are written to ``eigenvectors_file`` chunk by chunk
        and never held in memory for all cells at once.
    eigenvectors_file
        HDF5 file for the eigenvectors (required with ``compute_eigenvectors=True``); it has the
        layout of :func:`save_jacobians` and can be read with :func:`read_jacobian_eigenvectors`.
        It is written to a temporary file beside it and renamed when complete: an interrupted
        run leaves an existing file as it was. With a Dask expression layer use ``store``.
    store
        A Zarr store (a folder) that the eigenvalues (and with ``compute_eigenvectors=True`` the
        eigenvectors, array ``eigenvectors``: cells × genes × genes, columns) are written to
        chunk by chunk, by the Dask tasks themselves; ``obsm['jacobian_eigenvalues']`` then
        refers to it lazily (a Dask array). Needs a Dask expression layer (``linstab[dask]``)
        with regular chunks over the cells; built in a temporary folder beside it and renamed
        when complete. On a cluster it must lie where every worker can write.
    overwrite
        Replace an existing ``eigenvectors_file`` or ``store`` that linstab did not write (an
        existing Jacobian file or store of linstab is always replaced).
    model
        Instead of the fitted GRN, a linstab model (:class:`linstab.Model`, a built-in name, a
        TOML path or a mapping) whose state variables are named like ``adata.var_names``; its
        Jacobian kernel is evaluated at every cell.
    params
        Parameter values for ``model``: one mapping for all cells, or one per cluster
        (``{'Ery': {'k': 2.0}, ...}``).
    clusters
        Compute only these clusters (the rows of other cells are NaN).
    device
        ``'cpu'`` or ``'cuda'``; ``'cuda'`` runs on torch.
    backend
        ``'numpy'`` or ``'torch'``; by default numpy on the CPU and torch on CUDA.
    dtype
        Working precision, ``'float64'`` or ``'float32'``.
    spectra
        Where full spectra are computed: ``'host'`` (LAPACK on the host's cores, cells in
        parallel), ``'device'`` (the backend's own eigensolver, e.g. ``torch.linalg.eigvals`` on
        the GPU) or ``'auto'``: the host for numpy, torch's solver for CPU torch, and on CUDA by
        size, since the GPU's general eigensolver takes one matrix at a time: diagonal blocks
        of fewer than 512 genes on the host's cores, larger ones on the GPU (README, benchmark
        (c)). Recorded in ``uns``.
    memory_limit
        Memory budget of one chunk of cells, in bytes or as a string (``'2GB'``); default 1 GiB,
        or where full spectra run on the host an eighth of the machine's memory (at most 8 GiB),
        so that every core gets a matrix.
        On a GPU an out-of-memory error halves the chunk and retries.
    progress
        Show a progress bar over the cells.
    copy
        Work on (and return) a copy of ``adata``.

    Returns
    -------
    AnnData or None
        A copy if ``copy=True``, else None; writes

        - ``obsm['jacobian_eigenvalues']``: (cells × genes) complex, each row sorted by
          decreasing real part (column 0 is the leading eigenvalue; of a complex pair the member
          with positive imaginary part comes first);
        - ``uns['jacobian']``: the genes, options and the eigenvectors file (or ``store``).

    Raises
    ------
    MissingKeyError
        A layer, obs column, ``W_<cluster>`` or Hill parameter is missing.
    ParameterError
        Expression with NaN, inf or negative values; invalid parameters.

    Notes
    -----
    For the fitted GRN the eigenvalues are taken block by block: the strongly connected
    components of the regulatory graph of ``W_<cluster>`` put every cell's J in block triangular
    form, whose spectrum is the union of the spectra of its diagonal blocks. A dense network is
    one block (nothing changes); in a network where only transcription factors regulate, the
    cost per cell falls from O(genes³) to O(TF core³), and every other gene contributes its
    diagonal entry ``W_ii φ′_i − γ_i`` exactly. Eigenvectors are always computed on the whole J.

    References
    ----------
    Golub, G. H. & Van Loan, C. F., *Matrix Computations*, 4th ed., 2013, §7.1 (spectrum of a
    block triangular matrix); Duff, I. S. & Reid, J. K., *ACM Trans. Math. Softw.* 4 (1978)
    137–147 (block triangular form from the strongly connected components).

    Examples
    --------
    >>> import linstab.sc as sch
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobians(adata, progress=False)
    >>> adata.obsm["jacobian_eigenvalues"].shape
    (30, 8)
    """
    func = "compute_jacobians"
    check_adata(adata, func)
    if store is not None and eigenvectors_file is not None:
        raise ValueError(f"{func}: pass either `store=` (Zarr, Dask route) or `eigenvectors_file=` (HDF5), not both.")
    if compute_eigenvectors and eigenvectors_file is None and store is None:
        raise ValueError(
            f"{func}: compute_eigenvectors=True needs `eigenvectors_file=` (an HDF5 path): eigenvectors "
            "go to disk chunk by chunk instead of memory, e.g. eigenvectors_file='jacobian_eigenvectors.h5' "
            "(with a Dask expression layer: a Zarr store, store='jacobians.zarr')."
        )
    be, plan = _setup(adata, func, spliced_key=spliced_key, degradation_key=degradation_key,
                      cluster_key=cluster_key, model=model, params=params, clusters=clusters,
                      device=device, backend=backend, dtype=dtype, spectra=spectra)
    if plan.dask is None and store is not None:
        raise ValueError(
            f"{func}: `store=` (a Zarr store written by Dask tasks) needs a Dask expression layer; "
            f"{'adata.X' if spliced_key is None else f'adata.layers[{spliced_key!r}]'} is in memory. Wrap it, "
            "e.g. adata.layers['Ms'] = dask.array.from_array(adata.layers['Ms'], chunks=(10_000, -1)), "
            "or leave out `store=`.")
    if plan.dask is not None and compute_eigenvectors and store is None:
        raise ValueError(
            f"{func}: with a Dask expression layer the eigenvectors go to a Zarr store: pass "
            "`store='jacobians.zarr'` instead of `eigenvectors_file=` (HDF5 is written by one process only).")
    memory = memory_budget(memory_limit, be)
    n = plan.n_genes
    cdtype = np.complex128 if dtype == "float64" else np.complex64
    if compute_eigenvectors:
        per_cell = 8 * n * n * _itemsize(be)
    else:
        def per_cell(op):
            return op.spectrum_bytes

    def fn(group, state):
        if compute_eigenvectors:
            w, v = be.eig(group.op.dense(state))
            return sort_spectra(w, v)
        return sort_spectra(group.op.eigvals(state))

    if store is not None:
        from linstab.sc._dask import spectra_to_store

        lazy = spectra_to_store(plan, be, memory, per_cell, progress, fn, store=store,
                                vectors=compute_eigenvectors, overwrite=overwrite, func=func)
        out = adata.copy() if copy else adata
        out.obsm["jacobian_eigenvalues"] = lazy
        out.uns["jacobian"] = _jacobian_uns(plan, be, spliced_key=spliced_key, cluster_key=cluster_key,
                                            store=os.path.abspath(os.fspath(store)))
        return out if copy else None

    evals = np.full((plan.n_obs, n), np.nan, dtype=cdtype)
    writer = None
    if compute_eigenvectors:
        from linstab.sc.tl._io import _JacobianFile

        writer = _JacobianFile.create(eigenvectors_file, adata, plan, cluster_key, dtype=dtype,
                                      overwrite=overwrite, func=func)
    ok = False
    try:
        for cells, (w, v) in _chunks(plan, be, memory, per_cell, progress, "Jacobian spectra", fn, func=func):
            evals[cells] = w
            if writer is not None:
                writer.write_eigenvectors(cells, v)
        if writer is not None:
            writer.write_eigenvalues(evals)
        ok = True
    finally:
        if writer is not None:
            writer.close(ok)

    out = adata.copy() if copy else adata
    out.obsm["jacobian_eigenvalues"] = evals
    out.uns["jacobian"] = _jacobian_uns(
        plan, be, spliced_key=spliced_key, cluster_key=cluster_key,
        eigenvectors_file=str(eigenvectors_file) if compute_eigenvectors else None)
    return out if copy else None


def _stats_source(adata: Any, func: str, *, source: str, filename: Any, spliced_key: str | None,
                  model: Any, params: Any, clusters: Any, method: str) -> str:
    """Resolve ``source='auto'`` and check that the options fit the source chosen."""
    if source not in ("auto", "spectra", "model"):
        raise ValueError(f"{func}: `source` must be 'auto', 'spectra' or 'model'; got {source!r}.")
    if method not in ("auto", "krylov", "sign", "dense"):
        raise ValueError(f"{func}: `method` must be 'auto', 'krylov', 'sign' or 'dense'; got {method!r}.")
    stored = filename is not None or "jacobian_eigenvalues" in adata.obsm
    given = [name for name, v in (("model", model), ("params", params), ("clusters", clusters)) if v is not None]
    given += ["method"] if method != "auto" else []
    if source == "auto" and given and filename is None:
        source = "model"  # options that only the model source uses ask for it
    if source == "auto":
        if stored and filename is None:
            # spectra of another layer than the one asked for would be a silent wrong answer
            meta = adata.uns.get("jacobian", {})
            done = meta.get("spliced_key", spliced_key) if isinstance(meta, Mapping) else spliced_key
            if done != spliced_key:
                raise ValueError(
                    f"{func}: the stored spectra (`obsm['jacobian_eigenvalues']`) were computed from "
                    f"spliced_key={done!r}, not spliced_key={spliced_key!r}; pass source='spectra' to use "
                    f"them, or source='model' to compute from {spliced_key!r}."
                )
        source = "spectra" if stored else "model"
    if source == "model" and filename is not None:
        raise ValueError(f"{func}: `filename` holds stored spectra and cannot be used with source='model'; "
                         "pass source='spectra' (or drop `filename`).")
    if source == "spectra" and given:
        raise ValueError(
            f"{func}: {', '.join(f'`{g}`' for g in given)} only apply when computing from the model, "
            "but the statistics come from the stored spectra; pass source='model'."
        )
    return source


def _stats_from_eigenvalues(adata: Any, filename: Any, func: str) -> tuple[dict, str]:
    if filename is not None:
        from linstab.sc.tl._io import _read_eigenvalues

        ev = _read_eigenvalues(filename, adata, func)
        return spectrum_stats(ev), f"file {os.fspath(filename)!r}"
    if "jacobian_eigenvalues" not in adata.obsm:
        raise MissingKeyError(
            f"{func}: `adata.obsm['jacobian_eigenvalues']` not found; run `linstab.sc.tl.compute_jacobians` "
            "first, pass `filename=` (a file from save_jacobians), or pass source='model' (with "
            "`spliced_key=`, `cluster_key=`) to compute the statistics from the model without full spectra."
        )
    ev = adata.obsm["jacobian_eigenvalues"]
    from linstab.sc._dask import is_dask

    if is_dask(ev):  # lazily from a Zarr store: statistics block by block
        from linstab.sc._dask import stats_from_lazy

        return stats_from_lazy(ev, func), "obsm['jacobian_eigenvalues']"
    ev = np.asarray(ev)
    if ev.ndim != 2:
        raise ValueError(f"{func}: `adata.obsm['jacobian_eigenvalues']` should be 2-D (cells x genes); "
                         f"got shape {ev.shape}")
    return spectrum_stats(ev), "obsm['jacobian_eigenvalues']"


def compute_jacobian_stats(
    adata: Any,
    filename: str | os.PathLike | None = None,
    *,
    source: str = "auto",
    store_in_obs: bool = True,
    spliced_key: str | None = "Ms",
    degradation_key: str = "gamma",
    cluster_key: str | None = "cell_type",
    model: Any = None,
    params: Mapping[str, Any] | None = None,
    clusters: Sequence[str] | None = None,
    method: str = "auto",
    device: str = "cpu",
    backend: str | None = None,
    dtype: str = "float64",
    spectra: str = "auto",
    memory_limit: int | str | None = None,
    progress: bool = True,
    copy: bool = False,
) -> Any:
    """Per-cell stability statistics: leading eigenvalue, unstable/stable counts, trace.

    Two sources give the same columns (``source=``):

    - ``'spectra'``: stored spectra, the eigenvalues in ``filename`` (from
      :func:`save_jacobians`) or else ``obsm['jacobian_eigenvalues']`` (from
      :func:`compute_jacobians`);
    - ``'model'``: directly from the model at the expression in ``spliced_key`` (or from a
      symbolic ``model=``), without full spectra: the
      trace exactly in O(n) per cell, the leading eigenvalue and the number of eigenvalues with
      positive real part by a batched thick-restart Arnoldi method on the rightmost
      eigenvalues, widened until it has crossed ``Re λ = 0`` (cells where it does not converge
      get their full spectrum instead), run on each large diagonal block of the Jacobians (the
      strongly connected components of the network) while small blocks and single genes get
      their exact spectra.

    Parameters
    ----------
    adata
        Cells × genes (see :func:`compute_jacobians` for the model layout).
    filename
        Read the eigenvalues from this HDF5 file instead of ``obsm`` (``source='spectra'``).
    source
        ``'spectra'``, ``'model'`` or ``'auto'``: the model when an option that only it uses is
        given (``model``, ``params``, ``clusters``, ``method``), else the stored spectra when there
        are some (``filename`` given, or ``obsm['jacobian_eigenvalues']`` present), else the model.
        Stored spectra are used as they were computed; if ``uns['jacobian']`` records that they
        came from another layer than ``spliced_key``, ``'auto'`` raises instead of guessing.
        The source used is recorded in ``uns['jacobian_stats']['source']``.
    store_in_obs
        Write the columns to ``obs``; False writes them as one DataFrame to
        ``obsm['jacobian_stats']``.
    spliced_key
        Layer with the expression the model is evaluated at (None: ``adata.X``; a Dask array is
        computed as Dask tasks, see :func:`compute_jacobians`); model source only. Stored spectra
        that are a Dask array (``compute_jacobians(..., store=)``) are read block by block.
    degradation_key, cluster_key, model, params, clusters
        As in :func:`compute_jacobians` (model source only).
    method
        Model source, per diagonal block of the Jacobians (see :func:`compute_jacobians`):
        ``'auto'`` (full spectra for blocks of at most 256 genes, the partial spectrum for larger
        ones), ``'krylov'`` (the partial spectrum for every block of more than two genes),
        ``'sign'`` (every block of more than two genes by the matrix sign function: the count
        ``n₊ = (n + tr sign(J))/2`` from Newton's iteration of batched inverses and the unstable
        eigenvalues from the range of the spectral projector ``(I + sign(J))/2``; blocks with no
        unstable eigenvalue, or eigenvalues too close to the imaginary axis, go to the partial
        spectrum; dense batched work meant for GPUs, slower than ``'krylov'`` on a CPU) or
        ``'dense'`` (full spectra throughout). The statistics of the blocks combine into those
        of the cell: the leading eigenvalue is the rightmost of the blocks', the counts add up.
    device, backend, dtype, spectra, memory_limit, progress
        As in :func:`compute_jacobians`; ``spectra`` applies to the blocks and cells that get
        full spectra.
    copy
        Work on (and return) a copy of ``adata``.

    Returns
    -------
    AnnData or None
        A copy if ``copy=True``, else None; writes to ``obs`` (or ``obsm['jacobian_stats']``)

        - ``jacobian_eig1_real``, ``jacobian_eig1_imag``: the leading eigenvalue (largest real
          part; of a complex pair, the member with positive imaginary part);
        - ``jacobian_positive_evals``, ``jacobian_negative_evals``: eigenvalues with real part
          > 0 and < 0;
        - ``jacobian_trace``: the trace of J (``Σ Re λ`` on the stored-spectra route);

        and ``uns['jacobian_stats']``: ``source`` (``'spectra'`` or ``'model'``) and, for stored
        spectra, ``spectra_from`` (the file or ``obsm`` key); for the model the method and how
        many cells needed the full spectrum (with ``method='sign'`` also
        ``blocks_sign_function``, the cells' blocks settled by it).

    Raises
    ------
    MissingKeyError
        ``source='spectra'`` and no spectra stored; a layer or part of the model is missing.
    ValueError
        An unknown ``source`` or ``method``; ``filename`` with ``source='model'``; options of the
        model source (``model``, ``params``, ``clusters``, ``method``) with ``source='spectra'``
        or ``filename``.

    Notes
    -----
    The partial-spectrum route counts ``n − (#Re λ > 0)`` as negative, i.e. it assumes no
    eigenvalue lies exactly on the imaginary axis; it is used only where all degradation rates
    are positive (else the full spectrum is computed). Agreement with the full float64 route is
    exact on the counts and to about 1e-10 on the leading eigenvalue (see the tests); where two
    eigenvalues have real parts closer than that, either may be reported as leading.

    References
    ----------
    Strogatz (2015), sec. 6.3 and 7.0 (stability from the eigenvalues of the Jacobian);
    Kuznetsov (2004), sec. 2.5; R. B. Morgan, Math. Comp. 65 (1996) (restarted Arnoldi);
    N. J. Higham, *Functions of Matrices*, SIAM (2008), ch. 5 (the matrix sign function).

    Examples
    --------
    >>> import linstab.sc as sch
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobian_stats(adata, progress=False)  # no spectra stored: the model
    >>> adata.uns["jacobian_stats"]["source"]
    'model'
    >>> bool(adata.obs[["jacobian_positive_evals", "jacobian_negative_evals"]].sum(axis=1).eq(8).all())
    True
    >>> sch.tl.compute_jacobians(adata, progress=False)
    >>> sch.tl.compute_jacobian_stats(adata, progress=False)  # now from the stored spectra
    >>> adata.uns["jacobian_stats"]["source"]
    'spectra'
    """
    func = "compute_jacobian_stats"
    check_adata(adata, func)
    source = _stats_source(adata, func, source=source, filename=filename, spliced_key=spliced_key,
                           model=model, params=params, clusters=clusters, method=method)
    info: dict[str, Any]
    if source == "spectra":
        stats, where = _stats_from_eigenvalues(adata, filename, func)
        info = {"source": "spectra", "spectra_from": where}
    else:
        be, plan = _setup(adata, func, spliced_key=spliced_key, degradation_key=degradation_key,
                          cluster_key=cluster_key, model=model, params=params, clusters=clusters,
                          device=device, backend=backend, dtype=dtype, spectra=spectra)
        stats, info = _direct_stats(plan, be, method=method, memory=memory_budget(memory_limit, be),
                                    progress=progress)
        info = {"source": "model", "spliced_key": spliced_key, "cluster_key": cluster_key, **info}
    pd = require("pandas", extra="grn")
    computed = ~np.isnan(stats["trace"])
    cols = {
        "jacobian_eig1_real": stats["leading"].real.astype(np.float64),
        "jacobian_eig1_imag": stats["leading"].imag.astype(np.float64),
        "jacobian_positive_evals": stats["positive"],
        "jacobian_negative_evals": stats["negative"],
        "jacobian_trace": stats["trace"].astype(np.float64),
    }
    for key in ("jacobian_positive_evals", "jacobian_negative_evals"):
        v = cols[key]
        if computed.all():
            cols[key] = v.astype(np.int64)
        else:  # cells not computed: a nullable integer column with <NA>
            arr = pd.array(np.where(computed, v, 0).astype(np.int64), dtype="Int64")
            arr[~computed] = pd.NA
            cols[key] = arr
    df = pd.DataFrame(cols, index=adata.obs_names.copy())
    out = adata.copy() if copy else adata
    if store_in_obs:
        for key in STATS_COLUMNS:
            out.obs[key] = df[key].to_numpy() if computed.all() else df[key].array
    else:
        out.obsm["jacobian_stats"] = df
    out.uns["jacobian_stats"] = info
    return out if copy else None


def _combine(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The statistics of a spectrum that is the union of the parts' spectra (the diagonal blocks):
    the rightmost of the parts' leading eigenvalues, and the summed counts."""
    lead = spectrum_stats(np.stack([p["leading"] for p in parts], axis=1))["leading"]
    return {"leading": lead, "positive": sum(p["positive"] for p in parts),
            "negative": sum(p["negative"] for p in parts)}


def _direct_stats(plan: Plan, be: Backend, *, method: str, memory: int, progress: bool,
                  func: str = "compute_jacobian_stats"):
    n = plan.n_genes
    leading = np.full(plan.n_obs, np.nan + 0j)
    positive = np.full(plan.n_obs, np.nan)
    negative = np.full(plan.n_obs, np.nan)
    trace = np.full(plan.n_obs, np.nan)
    counts = {"krylov": 0, "dense": 0, "dense_fallback": 0, "sign": 0}
    krylov_bytes = 4 * (2 * min(48, n) + 2) * n * _itemsize(be)
    # diagonal blocks larger than this go to the partial-spectrum method, the others get their
    # full spectra ('auto': full spectra while they are cheap)
    threshold = {"auto": _DENSE_MAX, "krylov": 2, "sign": 2, "dense": None}[method]
    cores = host_cores() if be.spectra != "device" else 1

    def krylov_blocks(op) -> list[np.ndarray]:
        if threshold is None or not op.can_krylov:
            return []
        return [genes for size, gs in op.blocks.items() if size > threshold for genes in gs]

    def dense_part(op, st, max_block=None):
        ws = []
        size = chunk_size(int(st.shape[0]), op.spectrum_bytes, memory, multiple=cores)
        for s in range(0, int(st.shape[0]), size):
            ws.append(op.eigvals(op.take(st, slice(s, s + size)), max_block=max_block))
        return spectrum_stats(np.concatenate(ws, axis=0))

    def krylov_part(op, st):
        m = op.size
        res = piloted_rightmost_stats(op, st, be, subspace=int(min(48, max(2, m - 1))), max_subspace=min(192, m - 1))
        lead = res.leading.copy()
        pos = res.n_positive.astype(np.float64)
        neg = m - pos
        bad = np.nonzero(~res.converged)[0]
        if bad.size:
            sel = be.xp.as_tensor(bad, device=be.device) if be.name == "torch" else bad
            s = dense_part(op, op.take(st, sel))
            lead[bad], pos[bad], neg[bad] = s["leading"], s["positive"], s["negative"]
        return {"leading": lead, "positive": pos, "negative": neg}, bad

    def big_part(op, st):
        if method == "sign":
            return sign_part(op, st, be, krylov_part)
        return (*krylov_part(op, st), 0)

    def fn(group, st):
        op = group.op
        tr = be.to_numpy(op.trace(st)).astype(np.float64)
        big = krylov_blocks(op)
        if not big:
            s = dense_part(op, st)
            return s["leading"], s["positive"], s["negative"], tr, "dense", 0, 0
        parts = []
        n_sign = 0
        if sum(g.size for g in big) < op.size:  # the small blocks: full spectra
            parts.append(dense_part(op, st, max_block=threshold))
        fallback = np.zeros(tr.size, dtype=bool)
        for genes in big:
            part, bad, ns = big_part(op.restrict(genes), op.take_genes(st, genes))
            parts.append(part)
            fallback[bad] = True
            n_sign += ns
        s = _combine(parts)
        return s["leading"], s["positive"], s["negative"], tr, "krylov", int(fallback.sum()), n_sign

    def per_cell(op):
        if not krylov_blocks(op):
            return op.spectrum_bytes
        return max(krylov_bytes, sign_bytes(op.largest_block, _itemsize(be))) if method == "sign" else krylov_bytes

    for cells, (lead, pos, neg, tr, route, nfb, ns) in _chunks(plan, be, memory, per_cell, progress,
                                                               "Jacobian statistics", fn, func=func):
        leading[cells], positive[cells], negative[cells], trace[cells] = lead, pos, neg, tr
        counts[route] += cells.size
        counts["dense_fallback"] += nfb
        counts["sign"] += ns
    info = {
        "method": method,
        "cells_partial_spectrum": counts["krylov"] - counts["dense_fallback"],
        "cells_full_spectrum": counts["dense"] + counts["dense_fallback"],
        **({"blocks_sign_function": counts["sign"]} if method == "sign" else {}),
        "backend": be.name,
        "device": be.device,
        "dtype": be.dtype,
        "spectra": be.spectra,
    }
    return {"leading": leading, "positive": positive, "negative": negative, "trace": trace}, info


def compute_rotational_part(
    adata: Any,
    *,
    spliced_key: str | None = "Ms",
    degradation_key: str = "gamma",
    cluster_key: str | None = "cell_type",
    model: Any = None,
    params: Mapping[str, Any] | None = None,
    clusters: Sequence[str] | None = None,
    device: str = "cpu",
    backend: str | None = None,
    dtype: str = "float64",
    memory_limit: int | str | None = None,
    progress: bool = True,
    copy: bool = False,
) -> Any:
    """Magnitude of the rotational (antisymmetric) part of every cell's Jacobian.

    ``A = (J − Jᵀ)/2`` generates rotation in expression space; its Frobenius norm is computed
    without forming J: with ``d = φ′(x)`` and ``c_j = Σ_i W_ij²``,
    ``‖A‖²_F = ½ (Σ_j c_j d_j² − dᵀ (W∘Wᵀ) d)`` (the diagonal ``γ`` cancels), one matrix product
    per chunk of cells.

    Parameters
    ----------
    adata
        Cells × genes (see :func:`compute_jacobians` for the model layout).
    spliced_key, degradation_key, cluster_key, model, params, clusters
        As in :func:`compute_jacobians`.
    device, backend, dtype, memory_limit, progress
        As in :func:`compute_jacobians`.
    copy
        Work on (and return) a copy of ``adata``.

    Returns
    -------
    AnnData or None
        A copy if ``copy=True``, else None; writes ``obs['jacobian_rotational']`` (NaN for cells
        of clusters not computed).

    Examples
    --------
    >>> import linstab.sc as sch
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_rotational_part(adata, progress=False)
    >>> bool((adata.obs["jacobian_rotational"] > 0).all())
    True
    """
    func = "compute_rotational_part"
    check_adata(adata, func)
    be, plan = _setup(adata, func, spliced_key=spliced_key, degradation_key=degradation_key,
                      cluster_key=cluster_key, model=model, params=params, clusters=clusters,
                      device=device, backend=backend, dtype=dtype)
    rot = np.full(plan.n_obs, np.nan)
    for cells, r in _chunks(plan, be, memory_budget(memory_limit, be), 4 * plan.n_genes * _itemsize(be),
                            progress, "Rotational part", lambda g, st: be.to_numpy(g.op.rotational(st)), func=func):
        rot[cells] = r
    out = adata.copy() if copy else adata
    out.obs["jacobian_rotational"] = rot
    return out if copy else None


def compute_jacobian_elements(
    adata: Any,
    gene_pairs: Sequence[tuple[str, str]],
    *,
    spliced_key: str | None = "Ms",
    degradation_key: str = "gamma",
    cluster_key: str | None = "cell_type",
    model: Any = None,
    params: Mapping[str, Any] | None = None,
    clusters: Sequence[str] | None = None,
    device: str = "cpu",
    backend: str | None = None,
    dtype: str = "float64",
    memory_limit: int | str | None = None,
    progress: bool = True,
    store_in_obs: bool = True,
    copy: bool = False,
) -> Any:
    """Chosen Jacobian elements ``∂ẋ_i/∂x_j`` at every cell.

    For the fitted GRN ``∂ẋ_i/∂x_j = W_ij φ′_j(x_j) − γ_i δ_ij``: O(1) per pair and cell.

    Parameters
    ----------
    adata
        Cells × genes (see :func:`compute_jacobians` for the model layout).
    gene_pairs
        ``(gene_i, gene_j)`` pairs: the element is the response of gene i's rate to gene j.
        Unknown names raise an error that suggests close matches.
    spliced_key, degradation_key, cluster_key, model, params, clusters
        As in :func:`compute_jacobians`.
    device, backend, dtype, memory_limit, progress
        As in :func:`compute_jacobians`.
    store_in_obs
        Write one ``obs`` column per pair; False writes them as one DataFrame to
        ``obsm['jacobian_elements']``.
    copy
        Work on (and return) a copy of ``adata``.

    Returns
    -------
    AnnData or None
        A copy if ``copy=True``, else None; writes ``obs['jacobian_df_<gi>_dx_<gj>']`` for each
        pair (or ``obsm['jacobian_elements']`` with those columns).

    Examples
    --------
    >>> import linstab.sc as sch
    >>> adata = sch.datasets.synthetic_grn(n_cells=30, n_genes=8, seed=0)
    >>> sch.tl.compute_jacobian_elements(adata, [("G1", "G2"), ("G3", "G3")], progress=False)
    >>> [c for c in adata.obs.columns if c.startswith("jacobian_df")]
    ['jacobian_df_G1_dx_G2', 'jacobian_df_G3_dx_G3']
    """
    func = "compute_jacobian_elements"
    check_adata(adata, func)
    be, plan = _setup(adata, func, spliced_key=spliced_key, degradation_key=degradation_key,
                      cluster_key=cluster_key, model=model, params=params, clusters=clusters,
                      device=device, backend=backend, dtype=dtype)
    rows, cols, names = resolve_pairs(gene_pairs, plan.genes, func)
    vals = np.full((plan.n_obs, rows.size), np.nan)
    for cells, e in _chunks(plan, be, memory_budget(memory_limit, be), 4 * plan.n_genes * _itemsize(be),
                            progress, "Jacobian elements", lambda g, st: be.to_numpy(g.op.elements(st, rows, cols)),
                            func=func):
        vals[cells] = e
    out = adata.copy() if copy else adata
    if store_in_obs:
        for i, name in enumerate(names):
            out.obs[name] = vals[:, i]
    else:
        pd = require("pandas", extra="grn")
        out.obsm["jacobian_elements"] = pd.DataFrame(vals, index=adata.obs_names.copy(), columns=names)
    return out if copy else None
