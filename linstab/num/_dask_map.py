"""Stability maps on a Dask-chunked grid: tiles of the parameter grid as Dask tasks, out of core.

:func:`linstab.num.stability_map` with ``chunks=`` comes here. The grid is never built in one
piece: each task builds the parameter vectors of its own tile (a block of rows and columns of
the grid), runs the in-memory code on it (:func:`linstab.num._maps._map`) and returns the tile's
four arrays, or writes them into a Zarr store itself. The model is sent to the workers once.
With a store the map's arrays refer to it lazily (Dask arrays), so 10⁸ points and more need
neither the grid nor the result in memory.

``method='symmetric'`` treats every grid point on its own, so tiles give exactly the in-memory
map. ``method='newton'`` continues fixed points across the grid; here that continuation stays
within each tile (a branch that the seeds of a tile's points all miss is not brought in from a
neighbouring tile), so choose tiles of many points, or verify with the in-memory map on a coarse
grid. ``method='auto'`` is resolved once for the whole grid, on the same coarse sub-grid as in
memory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from linstab._dask import active_client, check_store_target, human_bytes, replace_dir, run_tasks, share
from linstab._optional import require

__all__ = ["dask_map", "tiles"]

_STORE_MARK = "linstab_stability_map"
_FIELDS = (("max_real", "float64"), ("n_fixed", "int16"), ("n_stable", "int16"), ("oscillatory", "bool"))


def tiles(shape: tuple[int, int], chunks: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Row and column chunk sizes of a ``(ny, nx)`` grid for ``chunks``: grid points per tile
    (whole rows where they fit, else pieces of one row) or ``(rows, columns)``.

    Examples
    --------
    >>> tiles((4, 10), 25)
    ((2, 2), (10,))
    >>> tiles((2, 10), 4)
    ((1, 1), (4, 4, 2))
    >>> tiles((5, 6), (2, 4))
    ((2, 2, 1), (4, 2))
    """
    ny, nx = shape
    if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        if chunks < 1:
            raise ValueError(f"chunks must be a positive number of grid points or (rows, columns); got {chunks!r}")
        cy, cx = (max(1, int(chunks) // nx), nx) if chunks >= nx else (1, int(chunks))
    else:
        try:
            cy, cx = (int(c) for c in chunks)
        except (TypeError, ValueError):
            raise TypeError(f"chunks must be a number of grid points or (rows, columns); got {chunks!r}") from None
        if cy < 1 or cx < 1:
            raise ValueError(f"chunks must be positive; got {chunks!r}")

    def split(n: int, c: int) -> tuple[int, ...]:
        c = min(c, n)
        return tuple([c] * (n // c) + ([n % c] if n % c else []))

    return split(ny, cy), split(nx, cx)


@dataclass
class _Grid:
    """What every tile needs: sent to the workers once."""

    model: Any
    names: list[str]
    xs: np.ndarray
    ys: np.ndarray
    x_name: str
    y_name: str | None
    others: dict[str, float]
    options: dict[str, Any]  # backend, method (resolved), memory_mb, n_seeds, device
    store: str | None = None

    def params(self, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        X, Y = np.meshgrid(xs, ys)
        P = np.empty(X.shape + (len(self.names),))
        for k, v in self.others.items():
            P[..., self.names.index(k)] = v
        P[..., self.names.index(self.x_name)] = X
        if self.y_name is not None:
            P[..., self.names.index(self.y_name)] = Y
        return P.reshape(-1, len(self.names))


def _tile(y0: int, y1: int, x0: int, x1: int, grid: _Grid) -> Any:
    """One Dask task: the in-memory map of one tile of the grid."""
    from linstab.num._maps import _map

    xs, ys = grid.xs[x0:x1], grid.ys[y0:y1]
    m = _map(grid.model, grid.params(ys, xs), (ys.size, xs.size), xs, ys, grid.x_name, grid.y_name, False, False,
             grid.others, progress=False, **grid.options)
    arrays = [m.max_real, m.n_fixed, m.n_stable, m.oscillatory]
    if grid.store is None:
        return arrays
    zarr = require("zarr", extra="dask")
    for (name, dtype), a in zip(_FIELDS, arrays):
        zarr.open_array(os.path.join(grid.store, name), mode="r+")[y0:y1, x0:x1] = a.astype(dtype)
    return None


def _resolve_method(model: Any, grid: _Grid, method: str, n_seeds: int) -> str:
    """``'auto'`` as :func:`~linstab.num._maps._map` resolves it, on the same coarse sub-grid."""
    from linstab.num._maps import _all_symmetric, _reduction

    if method != "auto":
        return method
    if _reduction(model) is None:
        return "newton"
    ny, nx = grid.ys.size, grid.xs.size
    N = ny * nx
    idx = np.unique(np.linspace(0, N - 1, min(64, N)).astype(int))
    iy, ix = np.divmod(idx, nx)
    sample = np.concatenate([grid.params(grid.ys[a:a + 1], grid.xs[b:b + 1]) for a, b in zip(iy, ix)])
    return "symmetric" if _all_symmetric(model, sample, n_seeds) else "newton"


def dask_map(model: Any, xs: np.ndarray, ys: np.ndarray, x_name: str, y_name: str | None, log_x: bool, log_y: bool,
             others: dict[str, float], *, chunks: Any, store: Any, overwrite: bool, backend: str, method: str,
             memory_mb: float, n_seeds: int, device: Any, progress: bool) -> Any:
    """The work of :func:`~linstab.num.stability_map` with ``chunks=``, as Dask tasks (see the module)."""
    from linstab.num._maps import StabilityMap, _reduction

    func = "stability_map"
    require("dask", extra="dask")
    if method == "symmetric" and _reduction(model) is None:
        from linstab._errors import AnalysisError

        raise AnalysisError(f"method='symmetric': model {model.name!r} has no symmetric branch reducing it to one "
                            "equation; use method='newton'")
    shape = (ys.size, xs.size)
    cy, cx = tiles(shape, chunks)
    grid = _Grid(model, list(model.parameter_names), xs, ys, x_name, y_name, others,
                 {"backend": backend, "method": method, "memory_mb": memory_mb, "n_seeds": n_seeds, "device": device})
    grid.options["method"] = resolved = _resolve_method(model, grid, method, n_seeds)
    target = tmp = None
    if store is not None:
        zarr = require("zarr", extra="dask")
        target = Path(os.fspath(store)).absolute()
        check_store_target(target, _STORE_MARK, overwrite=overwrite, func=func)
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
        grid.store = str(tmp)
    try:
        if tmp is not None:
            g = zarr.open_group(str(tmp), mode="w")
            g.attrs.update({_STORE_MARK: True, "x_name": x_name, "y_name": y_name, "log_x": bool(log_x),
                            "log_y": bool(log_y), "fixed": {k: float(v) for k, v in others.items()},
                            "method": resolved, "model": model.name})
            make = g.create_array if hasattr(g, "create_array") else g.create_dataset
            for name, axis in (("x", xs), ("y", ys)):  # the axes as arrays (y is [nan] for a 1-D map)
                make(name, shape=axis.shape, chunks=(max(1, min(axis.size, 1 << 20)),), dtype="float64",
                     fill_value=np.nan)[:] = axis
            for name, dtype in _FIELDS:
                fill = np.nan if dtype == "float64" else (False if dtype == "bool" else 0)
                make(name, shape=shape, chunks=(cy[0], cx[0]), dtype=dtype, fill_value=fill)
        out = _compute(grid, cy, cx, progress=progress, func=func)
        if tmp is not None:
            replace_dir(tmp, target)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target is None:
        arrays = out
    else:
        da = require("dask.array", extra="dask")
        arrays = [da.from_zarr(str(target / name)) for name, _ in _FIELDS]
        arrays = [arrays[0], arrays[1].astype(np.int64), arrays[2].astype(np.int64), arrays[3]]
    return StabilityMap(x_name=x_name, y_name=y_name, x=xs, y=ys, log_x=bool(log_x), log_y=bool(log_y),
                        max_real=arrays[0], n_fixed=arrays[1], n_stable=arrays[2], oscillatory=arrays[3],
                        fixed={k: float(v) for k, v in others.items()}, method=resolved)


def _compute(grid: _Grid, cy: tuple[int, ...], cx: tuple[int, ...], *, progress: bool, func: str) -> Any:
    dask = require("dask", extra="dask")
    client = active_client()
    ref = share(grid, client)
    ey, ex = np.cumsum((0, *cy)), np.cumsum((0, *cx))
    tasks, sizes, where = [], [], []
    for a in range(len(cy)):
        for b in range(len(cx)):
            tasks.append(dask.delayed(_tile, pure=False)(int(ey[a]), int(ey[a + 1]), int(ex[b]), int(ex[b + 1]), ref))
            sizes.append(cy[a] * cx[b])
            where.append((a, b))
    n = grid.model.n_vars
    biggest = max(cy) * max(cx)
    advice = (f"Tiles hold up to {biggest:,} grid points (about {human_bytes(biggest * (n * n * 16 * 6 + 1024))} "
              f"of working memory with {n} variables); pass smaller `chunks=` or a smaller `memory_mb=`.")
    res = run_tasks(tasks, func=func, oom_advice=advice, desc=f"stability map ({grid.options['method']})",
                    progress=progress, sizes=sizes, unit="point", client=client)
    if grid.store is not None:
        return None
    shape = (grid.ys.size, grid.xs.size)
    out = [np.empty(shape), np.empty(shape, dtype=np.int64), np.empty(shape, dtype=np.int64),
           np.empty(shape, dtype=bool)]
    for (a, b), arrays in zip(where, res):
        for o, t in zip(out, arrays):
            o[ey[a]:ey[a + 1], ex[b]:ex[b + 1]] = t
    return out
