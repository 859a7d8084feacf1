"""Running linstab's chunked work as Dask tasks: the scheduler, shared data, results, errors.

Used by :mod:`linstab.sc._dask` (cells of an AnnData) and :mod:`linstab.num._dask_map` (tiles
of a parameter grid). The scheduler is whichever is active, Dask's convention: the current
``distributed.Client`` if one exists, else Dask's local scheduler. dask and distributed (the
``dask`` extra) are imported only inside these functions.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from linstab._optional import require

__all__ = ["active_client", "share", "run_tasks", "human_bytes", "check_store_target", "replace_dir"]


def active_client() -> Any:
    """The current ``distributed.Client`` (``Client.current()``: the one of a ``with
    client.as_current():`` block, else the default one) if one exists, else None: Dask's convention.

    Examples
    --------
    >>> active_client() is None  # no Client started
    True
    """
    if "distributed" not in sys.modules:
        return None
    from distributed import Client

    try:
        return Client.current(allow_global=True)
    except ValueError:  # no client
        return None


def share(obj: Any, client: Any) -> Any:
    """``obj`` sent once: scattered to every worker under a Client, else one node of the local graph.

    Tasks that take the returned reference as an argument share the one copy instead of each
    carrying its own.
    """
    if client is not None:
        return client.scatter(obj, broadcast=True, hash=False)
    dask = require("dask", extra="dask")
    return dask.delayed(obj, name=f"linstab-shared-{uuid.uuid4().hex}", traverse=False)


def human_bytes(nbytes: float) -> str:
    """``nbytes`` in decimal units.

    Examples
    --------
    >>> human_bytes(512), human_bytes(3.2e9)
    ('512 B', '3.2 GB')
    """
    for unit in ("B", "kB", "MB", "GB"):
        if nbytes < 1000:
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000
    return f"{nbytes:.1f} TB"


def _as_completed(futures: list) -> Iterator[Any]:
    """``distributed.as_completed`` (a seam for the tests that stop the scheduler mid-run)."""
    from distributed import as_completed

    return iter(as_completed(futures))


def run_tasks(tasks: list, *, func: str, oom_advice: str, desc: str, progress: bool,
              sizes: Sequence[int] | None = None, unit: str = "cell", client: Any = None) -> list:
    """Compute ``tasks`` (delayed) on the active scheduler; their results, in task order.

    Under a ``distributed.Client`` the results are collected as they complete, with a tqdm bar
    counting ``sizes`` (cells, grid points); under the local scheduler dask's own
    ``ProgressBar`` is shown. A worker killed (most often for memory) or a MemoryError in a task
    becomes a :class:`MemoryError` ending with ``oom_advice``; a scheduler lost mid-run a
    :class:`RuntimeError` saying so.
    """
    dask = require("dask", extra="dask")
    if not tasks:
        return []
    client = client if client is not None else active_client()
    with _clear_errors(func, oom_advice, client):
        if client is None:
            from dask.diagnostics import ProgressBar

            with ProgressBar() if progress else nullcontext():
                return list(dask.compute(*tasks))
        tqdm = require("tqdm", extra="grn").tqdm
        futures = client.compute(tasks)
        where = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(futures)
        sizes = list(sizes) if sizes is not None else [1] * len(futures)
        done = False
        try:
            with tqdm(total=sum(sizes), desc=desc, unit=unit, disable=not progress, leave=True) as bar:
                for fut in _as_completed(futures):
                    i = where[fut.key]
                    out[i] = fut.result()
                    bar.update(sizes[i])
            done = True
        finally:
            if not done and client.status == "running":  # a task failed: stop the others
                client.cancel(futures)
        return out


@contextmanager
def _clear_errors(func: str, oom_advice: str, client: Any) -> Iterator[None]:
    """Turn a worker killed for memory, or a scheduler gone mid-run, into one clear error."""
    import concurrent.futures

    try:
        yield
    except MemoryError as exc:
        raise MemoryError(f"{func}: {exc} {oom_advice}") from None
    except Exception as exc:
        name = type(exc).__name__
        if name == "KilledWorker":
            raise MemoryError(
                f"{func}: a Dask worker died while computing a chunk (most often it ran out of memory and its "
                f"nanny restarted it): {exc}. {oom_advice}") from None
        # a connection error, or a future cancelled under us, counts as the scheduler lost only when
        # the client is no longer connected (a task's own OSError, e.g. a missing file, passes through)
        lost = isinstance(exc, (concurrent.futures.CancelledError, OSError, TimeoutError)) or name == "CommClosedError"
        if client is not None and lost and getattr(client, "status", "running") != "running":
            addr = getattr(getattr(client, "scheduler", None), "address", None)
            raise RuntimeError(
                f"{func}: the Dask computation was lost mid-run: the scheduler{f' at {addr}' if addr else ''} went "
                f"away or cancelled it ({name}: {exc}); nothing was written. Restart the cluster (or the Client) "
                "and run again.") from None
        raise


def check_store_target(store: Path, mark: str, *, overwrite: bool, func: str) -> None:
    """Refuse a ``store`` path that exists and is not a Zarr store of linstab (attribute ``mark``),
    unless ``overwrite``; or whose folder is missing."""
    zarr = require("zarr", extra="dask")
    if not store.exists():
        if not store.parent.is_dir():
            raise FileNotFoundError(f"{func}: the folder of `store` {str(store)!r} does not exist; create it first.")
        return
    ours = False
    if store.is_dir():
        try:
            ours = bool(zarr.open_group(str(store), mode="r").attrs.get(mark, False))
        except Exception:  # noqa: BLE001 - anything unreadable is not a linstab store
            ours = False
    if not ours and not overwrite:
        raise FileExistsError(
            f"{func}: `store` {str(store)!r} exists and is not a store that {func} wrote; pass "
            "overwrite=True to replace it, or choose another path.")


def replace_dir(tmp: Path, target: Path) -> None:
    """Rename the complete store ``tmp`` onto ``target`` (an existing one is moved aside first, then removed)."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.old"
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink()
