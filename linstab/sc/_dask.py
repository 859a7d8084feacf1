"""Per-cell Jacobians on Dask: cells chunk by chunk as Dask tasks, out of core.

When the expression layer of an AnnData is a Dask array (anndata's lazy readers of ``.zarr`` and
``.h5ad`` give one), the ``sc.tl`` functions run here instead of in-process:

- every row block of the layer (a chunk of cells with all their genes) is one Dask task that
  reads its block where it lies, computes the Jacobian quantities of its cells cluster by
  cluster, and returns only the per-cell results (or writes full spectra to a Zarr store
  itself and returns nothing large);
- the per-cluster networks (W, γ, Hill parameters, or a symbolic model's kernel) and the
  per-chunk work travel once: scattered to every worker (``Client.scatter(broadcast=True)``)
  under a ``distributed.Client``, one node of the graph under Dask's local scheduler, and
  referenced by every task instead of embedded in it;
- the scheduler is whichever is active, Dask's convention: the current ``distributed.Client``
  if one exists, else Dask's local scheduler (threads unless configured otherwise).

The work inside a task is the in-memory code path itself (the same operators and the same
per-chunk functions), so results equal those of an in-memory AnnData: every matrix's spectrum
is computed on its own by LAPACK, whatever chunk it travels in.

dask, distributed and zarr come with the ``dask`` extra and are imported only here.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from linstab._dask import active_client, check_store_target, human_bytes, replace_dir, run_tasks, share
from linstab._optional import require
from linstab.sc._backend import chunk_size, limit_host_cores

__all__ = ["DaskLayer", "is_dask", "run_blocks", "spectra_to_store", "stats_from_lazy"]

_STORE_MARK = "linstab_jacobians"  # attribute of the Zarr groups written by linstab


def is_dask(a: Any) -> bool:
    """Whether ``a`` is a Dask array (checked without importing dask).

    Examples
    --------
    >>> is_dask(np.zeros(3))
    False
    """
    return type(a).__module__.split(".")[0] == "dask" and hasattr(a, "chunks") and hasattr(a, "to_delayed")


@dataclass
class DaskLayer:
    """The expression layer of an AnnData as a Dask array, checked for per-cell work.

    Attributes
    ----------
    array
        Cells × genes (all of ``adata.var``), one chunk across the genes.
    where
        How the layer is named in messages, e.g. ``"adata.layers['Ms']"``.
    gene_idx
        The model's genes (positions in ``adata.var``).
    """

    array: Any
    where: str
    gene_idx: np.ndarray

    @classmethod
    def from_adata(cls, adata: Any, layer: Any, where: str, gene_idx: np.ndarray, func: str) -> DaskLayer:
        """Check the chunking of ``layer`` (and its agreement with the other Dask layers)."""
        require("dask", extra="dask")
        if layer.ndim != 2 or tuple(layer.shape) != (adata.n_obs, adata.n_vars):
            raise ValueError(f"{func}: {where} had shape {tuple(layer.shape)} while it should have had "
                             f"{(adata.n_obs, adata.n_vars)} (cells x genes).")
        fix = f"{where} = {where}.rechunk({{1: -1}})"
        if len(layer.chunks[1]) > 1:
            raise ValueError(
                f"{func}: {where} is a Dask array chunked across genes (column chunks {layer.chunks[1][:6]}"
                f"{'...' if len(layer.chunks[1]) > 6 else ''}); every cell needs all its genes in one chunk: "
                f"rechunk along the genes, e.g. {fix} (chunks over cells are what Dask parallelises)."
            )
        others = [("adata.X", adata.X)] + [(f"adata.layers[{k!r}]", v) for k, v in adata.layers.items()]
        for name, other in others:
            if name == where or other is None or not is_dask(other) or len(other.chunks) < 1:
                continue
            if tuple(other.chunks[0]) != tuple(layer.chunks[0]):
                raise ValueError(
                    f"{func}: the Dask layers of adata are chunked differently over the cells: {where} has "
                    f"{len(layer.chunks[0])} chunk(s) of {_chunk_summary(layer.chunks[0])} cells, {name} has "
                    f"{len(other.chunks[0])} of {_chunk_summary(other.chunks[0])}; the cell chunks are the unit of "
                    f"work and of the stores written, so they must agree: rechunk one like the other, e.g. "
                    f"{name} = {name}.rechunk({{0: {where}.chunks[0]}})."
                )
        return cls(layer, where, np.asarray(gene_idx, dtype=np.int64))

    @property
    def starts(self) -> np.ndarray:
        """First cell of every row block, and the number of cells at the end."""
        return np.concatenate([[0], np.cumsum(self.array.chunks[0])]).astype(np.int64)

    @property
    def full_cols(self) -> bool:
        n = self.array.shape[1]
        return self.gene_idx.size == n and bool(np.array_equal(self.gene_idx, np.arange(n)))

    def blocks(self) -> list[Any]:
        """One ``dask.delayed`` per row block."""
        return list(self.array.to_delayed()[:, 0])

    def largest_chunk(self) -> int:
        return int(max(self.array.chunks[0]))

    def oom_advice(self) -> str:
        """What to lower when a chunk does not fit a worker's memory."""
        rows = self.largest_chunk()
        n = self.array.shape[1]
        return (f"The chunks of {self.where} hold up to {rows} cells x {n} genes ({human_bytes(rows * n * 8)} as "
                f"float64, plus the Jacobians' working memory); lower the chunk size, e.g. "
                f"{self.where} = {self.where}.rechunk({{0: {max(1, rows // 4)}}}), pass a smaller `memory_limit=`, "
                "or give the workers more memory.")

    def scan(self, cells: np.ndarray, func: str) -> list[dict[str, Any]]:
        """:func:`~linstab.sc.tl._inputs.scan_expression` of ``cells``, block by block, as Dask tasks."""
        dask = require("dask", extra="dask")
        from linstab.sc.tl._inputs import scan_expression

        starts = self.starts
        gi = None if self.full_cols else self.gene_idx
        tasks = []
        for b, blk in enumerate(self.blocks()):
            sel = cells[(cells >= starts[b]) & (cells < starts[b + 1])]
            if sel.size:
                tasks.append(dask.delayed(_scan_block, pure=False)(blk, sel - starts[b], starts[b], gi, scan_expression))
        return run_tasks(tasks, func=func, oom_advice=self.oom_advice(), desc="Checking expression", progress=False)


def _chunk_summary(chunks: Sequence[int]) -> str:
    sizes = sorted(set(int(c) for c in chunks))
    return str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]}-{sizes[-1]}"


def _dense(block: Any) -> np.ndarray:
    """A block of the layer as a float64 array (sparse blocks, as lazy readers of sparse layers give, densified)."""
    if hasattr(block, "toarray"):
        block = block.toarray()
    return np.asarray(block, dtype=np.float64)


def _scan_block(block: Any, local: np.ndarray, start: int, gene_idx: np.ndarray | None, scan: Callable) -> dict:
    X = _dense(block)[local]
    if gene_idx is not None:
        X = X[:, gene_idx]
    return scan(X, local + start)


# ---------------------------------------------------------------------------------- execution
@dataclass
class _Work:
    """What every task of one call shares: sent to the workers once."""

    groups: list  # the Plan's groups: cluster name, cells, operator (the network)
    fn: Callable  # (group, state) -> per-chunk result: the in-memory path's own function
    per_cell: Any  # bytes per cell beyond the state, or a function of the operator
    memory: int  # budget of one sub-chunk inside a task
    gene_idx: np.ndarray | None  # model genes among the layer's columns (None: all, in order)
    sink: Callable | None = None  # writes the block's results itself (Zarr); the task returns None


def _worker_memory() -> int | None:
    """A quarter of the running Dask worker's memory limit per thread, if in a worker with one."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        w = get_worker()
    except ValueError:  # not in a worker
        return None
    limit = getattr(getattr(w, "memory_manager", None), "memory_limit", None)
    if not limit:
        return None
    return int(limit) // (4 * max(1, int(getattr(w.state, "nthreads", 1))))


def _run_block(block: Any, labels: np.ndarray, start: int, work: _Work) -> Any:
    """One Dask task: the cells of one row block, cluster by cluster, in sub-chunks of the budget."""
    X = _dense(block)
    if work.gene_idx is not None:
        X = X[:, work.gene_idx]
    memory = work.memory
    cap = _worker_memory()
    if cap is not None:
        memory = min(memory, cap)
    out = []
    with limit_host_cores(1):  # Dask runs one task per thread already
        for gi, group in enumerate(work.groups):
            local = np.nonzero(labels == gi)[0]
            if not local.size:
                continue
            op = group.op
            need = work.per_cell(op) if callable(work.per_cell) else work.per_cell
            size = chunk_size(local.size, need + op.state_bytes, memory)
            for s in range(0, local.size, size):
                idx = local[s:s + size]
                try:
                    res = work.fn(group, op.state(X[idx]))
                except MemoryError as exc:
                    raise MemoryError(
                        f"out of memory in a Dask task on a chunk of {len(labels)} cells (sub-chunk of {idx.size}) "
                        f"starting at cell {start} ({exc})."
                    ) from exc
                out.append((start + idx, res))
    if work.sink is not None:
        work.sink(start, start + len(labels), out)
        return None
    return out


def block_labels(plan: Any, layer: DaskLayer) -> list[np.ndarray]:
    """For every row block, each cell's group (position in ``plan.groups``; -1: not computed)."""
    lab = np.full(plan.n_obs, -1, dtype=np.int32)
    for gi, g in enumerate(plan.groups):
        lab[g.cells] = gi
    st = layer.starts
    return [lab[st[b]:st[b + 1]] for b in range(st.size - 1)]


def run_blocks(plan: Any, be: Any, memory: int, per_cell: Any, progress: bool, desc: str, fn: Callable, *,
               func: str, sink: Callable | None = None) -> Iterator[tuple[np.ndarray, Any]]:
    """Yield ``(cell positions, fn(group, state))`` like the in-memory driver, computed as Dask tasks.

    One task per row block of ``plan.dask``; the groups (the networks) and ``fn`` are sent once.
    With ``sink`` the tasks hand their results to it (on the worker) and nothing is yielded.
    """
    dask = require("dask", extra="dask")
    layer: DaskLayer = plan.dask
    client = active_client()
    work = share(_Work(plan.groups, fn, per_cell, int(memory), None if layer.full_cols else layer.gene_idx, sink),
                  client)
    labels = block_labels(plan, layer)
    starts = layer.starts
    tasks, sizes = [], []
    for b, blk in enumerate(layer.blocks()):
        if (labels[b] >= 0).any() or sink is not None:
            tasks.append(dask.delayed(_run_block, pure=False)(blk, labels[b], int(starts[b]), work))
            sizes.append(int(labels[b].size))
    for res in run_tasks(tasks, func=func, oom_advice=layer.oom_advice(), desc=desc, progress=progress, sizes=sizes,
                         client=client):
        if res is not None:
            yield from res


# ---------------------------------------------------------------------------------- Zarr store
@dataclass
class _StoreSink:
    """Writes a block's spectra (and eigenvectors) into the Zarr store, on the worker."""

    path: str
    n: int
    vectors: bool
    cdtype: str

    def __call__(self, start: int, stop: int, results: list) -> None:
        zarr = require("zarr", extra="dask")
        rows = stop - start
        w = np.full((rows, self.n), np.nan, dtype=self.cdtype)
        v = np.full((rows, self.n, self.n), np.nan, dtype=self.cdtype) if self.vectors else None
        for cells, (wc, vc) in results:
            w[cells - start] = wc
            if v is not None:
                v[cells - start] = vc
        zarr.open_array(os.path.join(self.path, "eigenvalues"), mode="r+")[start:stop] = w
        if v is not None:
            zarr.open_array(os.path.join(self.path, "eigenvectors"), mode="r+")[start:stop] = v


def spectra_to_store(plan: Any, be: Any, memory: int, per_cell: Any, progress: bool, fn: Callable, *,
                     store: str | os.PathLike, vectors: bool, overwrite: bool, func: str) -> Any:
    """Full spectra (and eigenvectors) of every cell written chunk by chunk to a Zarr store.

    The store is built in a temporary folder beside ``store`` and renamed onto it when complete
    (an interrupted run leaves an existing store as it was). Returns the eigenvalues as a lazy
    Dask array reading the store. Workers must see the store's folder (a shared file system on
    a cluster).
    """
    zarr = require("zarr", extra="dask")
    da = require("dask.array", extra="dask")
    layer: DaskLayer = plan.dask
    chunks = tuple(int(c) for c in layer.array.chunks[0])
    if len(set(chunks[:-1])) > 1 or (len(chunks) > 1 and chunks[-1] > chunks[0]):
        raise ValueError(
            f"{func}: writing a Zarr store needs regular chunks over the cells (all equal but a smaller last "
            f"one), since each task writes whole Zarr chunks; {layer.where} has chunks of {_chunk_summary(chunks)} "
            f"cells. Rechunk, e.g. {layer.where} = {layer.where}.rechunk({{0: {chunks[0]}}}).")
    target = Path(os.fspath(store)).absolute()
    check_store_target(target, _STORE_MARK, overwrite=overwrite, func=func)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    n, rows = plan.n_genes, chunks[0]
    cdtype = "complex128" if be.dtype == "float64" else "complex64"
    nan = complex(np.nan, np.nan)
    try:
        g = zarr.open_group(str(tmp), mode="w")
        g.attrs.update({_STORE_MARK: True, "genes": plan.genes.tolist(), "n_obs": int(plan.n_obs),
                        "model": plan.source, "clusters": [gr.name for gr in plan.groups]})
        make = g.create_array if hasattr(g, "create_array") else g.create_dataset
        make("eigenvalues", shape=(plan.n_obs, n), chunks=(rows, n), dtype=cdtype, fill_value=nan)
        if vectors:
            make("eigenvectors", shape=(plan.n_obs, n, n), chunks=(rows, n, n), dtype=cdtype, fill_value=nan)
        sink = _StoreSink(str(tmp), n, vectors, cdtype)
        for _ in run_blocks(plan, be, memory, per_cell, progress, "Jacobian spectra", fn, func=func, sink=sink):
            pass  # pragma: no cover - a sink yields nothing
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return da.from_zarr(str(target / "eigenvalues"))


# ---------------------------------------------------------------------------------- stored spectra
def _stats_block(ev: np.ndarray) -> np.ndarray:
    from linstab.sc._spectra import spectrum_stats

    s = spectrum_stats(ev)
    return np.stack([s["leading"].real, s["leading"].imag, s["positive"], s["negative"], s["trace"]], axis=1)


def stats_from_lazy(ev: Any, func: str) -> dict[str, np.ndarray]:
    """:func:`~linstab.sc._spectra.spectrum_stats` of a Dask array of spectra, block by block."""
    if ev.ndim != 2:
        raise ValueError(f"{func}: `adata.obsm['jacobian_eigenvalues']` should be 2-D (cells x genes); "
                         f"got shape {tuple(ev.shape)}")
    ev = ev.rechunk({1: -1})
    out = ev.map_blocks(_stats_block, chunks=(ev.chunks[0], (5,)), dtype=np.float64).compute()
    return {"leading": out[:, 0] + 1j * out[:, 1], "positive": out[:, 2], "negative": out[:, 3], "trace": out[:, 4]}
