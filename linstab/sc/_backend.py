"""Array backends (numpy, torch on CPU or CUDA), memory budgets and chunked execution.

The single-cell kernels are written once against the small :class:`Backend` interface below;
``numpy`` and ``torch`` differ only in a handful of calls (device placement, dtype casts, axis
swaps), which live here. Work over cells is split into chunks that fit a memory budget; a GPU
out-of-memory error halves the chunk and retries it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._limits import parse_bytes
from linstab._optional import require

__all__ = ["Backend", "get_backend", "host_eig", "memory_budget", "parse_memory", "run_chunked"]

_DTYPES = ("float64", "float32")
_SPECTRA = ("auto", "device", "host")
#: ``spectra='auto'`` on CUDA: matrices (diagonal blocks of J) with fewer rows than this go to LAPACK
#: on the host's cores, larger ones to the GPU's eigensolver. Measured on one H200 with 16 host cores
#: (README, benchmark (c)): 150-gene blocks took 32 ms per cell on the host against 35-44 ms on the
#: GPU; whole 1728-gene Jacobians 318-373 ms on the GPU against 433-494 ms on the host. The
#: crossover lies between the two sizes and was not measured; 512 is a round number inside.
_CUDA_HOST_BELOW = 512
_DEFAULT_MEMORY = 1 << 30  # 1 GiB


@dataclass(frozen=True)
class Backend:
    """Where and in which precision the per-cell kernels run.

    Attributes
    ----------
    name
        ``"numpy"`` or ``"torch"``.
    device
        ``"cpu"`` or a CUDA device string (torch only).
    dtype
        ``"float64"`` or ``"float32"``.
    spectra
        Where full spectra (:meth:`eigvals`, :meth:`eig`) are computed: ``"device"`` (the
        backend's own eigensolver), ``"host"`` (LAPACK on the host's cores, matrices of a stack
        in parallel) or, on CUDA, ``"auto"``: by matrix size (:meth:`spectra_on`). Always
        ``"host"`` for numpy.
    """

    name: str
    device: str
    dtype: str
    spectra: str = "host"

    # ------------------------------------------------------------------ modules
    @property
    def xp(self) -> Any:
        """The array module: numpy or torch."""
        return np if self.name == "numpy" else require("torch")

    @property
    def native_dtype(self) -> Any:
        if self.name == "numpy":
            return np.dtype(self.dtype)
        return getattr(self.xp, self.dtype)

    @property
    def eps(self) -> float:
        """Machine epsilon of the working precision."""
        return float(np.finfo(self.dtype).eps)

    @property
    def is_cuda(self) -> bool:
        return self.name == "torch" and self.device.startswith("cuda")

    # ------------------------------------------------------------------ conversion
    def asarray(self, a: Any) -> Any:
        """``a`` (numpy) as a backend array in the working dtype, on the device."""
        if self.name == "numpy":
            return np.ascontiguousarray(a, dtype=self.dtype)
        torch = self.xp
        return torch.as_tensor(np.ascontiguousarray(a), dtype=self.native_dtype, device=self.device)

    def to_numpy(self, a: Any) -> np.ndarray:
        """A numpy copy (or view) of a backend array."""
        if isinstance(a, np.ndarray):
            return a
        return a.detach().cpu().numpy()

    def zeros(self, shape: tuple[int, ...]) -> Any:
        if self.name == "numpy":
            return np.zeros(shape, dtype=self.dtype)
        return self.xp.zeros(shape, dtype=self.native_dtype, device=self.device)

    @staticmethod
    def swap(a: Any) -> Any:
        """Swap the last two axes (a batched transpose)."""
        return a.swapaxes(-1, -2) if isinstance(a, np.ndarray) else a.transpose(-1, -2)

    def norm_last(self, a: Any) -> Any:
        """Euclidean norm over the last axis."""
        if self.name == "numpy":
            return np.linalg.norm(a, axis=-1)
        return self.xp.linalg.vector_norm(a, dim=-1)

    def spectra_on(self, n: int) -> str:
        """Where the spectra of ``n`` × ``n`` matrices are computed: ``"host"`` or ``"device"``.

        Examples
        --------
        >>> b = Backend("torch", "cuda", "float64", spectra="auto")
        >>> b.spectra_on(150), b.spectra_on(1728)
        ('host', 'device')
        """
        if self.spectra == "auto":
            return "host" if n < _CUDA_HOST_BELOW else "device"
        return self.spectra

    def eigvals(self, a: Any) -> np.ndarray:
        """Eigenvalues of a stack of square matrices, returned as a numpy complex array."""
        if self.spectra_on(a.shape[-1]) == "host":
            return host_eig(self.to_numpy(a))
        return self.to_numpy(self.xp.linalg.eigvals(a))

    def eig(self, a: Any) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and right eigenvectors (columns) of a stack, as numpy complex arrays."""
        if self.spectra_on(a.shape[-1]) == "host":
            return host_eig(self.to_numpy(a), vectors=True)
        w, v = self.xp.linalg.eig(a)
        return self.to_numpy(w), self.to_numpy(v)

    def synchronize(self) -> None:
        if self.is_cuda:
            self.xp.cuda.synchronize()

    def empty_cache(self) -> None:
        if self.is_cuda:
            self.xp.cuda.empty_cache()

    def is_oom(self, exc: BaseException) -> bool:
        """Whether ``exc`` is an out-of-memory error of this backend."""
        if isinstance(exc, MemoryError):
            return True
        if self.name == "torch":
            torch = self.xp
            oom = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", None)
            if oom is not None and isinstance(exc, oom):
                return True
            return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()
        return False


def get_backend(device: str | None = "cpu", *, backend: str | None = None, dtype: str = "float64",
                spectra: str = "auto") -> Backend:
    """Resolve the ``device``/``backend``/``dtype``/``spectra`` options of the ``sc.tl`` functions.

    ``device='cpu'`` with no ``backend`` runs on numpy; ``device='cuda'`` (or ``'cuda:1'``) runs
    on torch and needs a CUDA build of torch with a visible GPU. ``backend='torch'`` with
    ``device='cpu'`` runs torch on the CPU. ``spectra='auto'`` takes full spectra on the host's
    cores for numpy, with torch's own solver on a CPU torch backend, and on CUDA by size: small
    matrices (diagonal blocks) on the host's cores, large ones on the GPU, whose eigensolver takes
    one matrix at a time (README, benchmark (c)).

    Examples
    --------
    >>> get_backend("cpu")
    Backend(name='numpy', device='cpu', dtype='float64', spectra='host')
    >>> get_backend("cpu", backend="torch", dtype="float32").spectra
    'device'
    """
    device = "cpu" if device is None else str(device)
    if dtype not in _DTYPES:
        raise ValueError(f"`dtype` must be one of {', '.join(map(repr, _DTYPES))}; got {dtype!r}")
    if spectra not in _SPECTRA:
        raise ValueError(f"`spectra` must be one of {', '.join(map(repr, _SPECTRA))}; got {spectra!r}")
    if not (device == "cpu" or re.fullmatch(r"cuda(:\d+)?", device)):
        raise ValueError(f"`device` must be 'cpu' or 'cuda' (optionally 'cuda:N'); got {device!r}")
    if backend is None:
        backend = "numpy" if device == "cpu" else "torch"
    if backend not in ("numpy", "torch"):
        raise ValueError(f"`backend` must be 'numpy' or 'torch'; got {backend!r}")
    if backend == "numpy" and device != "cpu":
        raise ValueError(f"backend='numpy' runs on the CPU only; got device={device!r}. Use backend='torch'.")
    if backend == "torch":
        torch = require("torch", extra="grn")
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but torch sees no CUDA GPU "
                f"(torch {torch.__version__}, CUDA build: {torch.version.cuda is not None}); "
                "pass device='cpu', e.g. device='cuda' if torch.cuda.is_available() else 'cpu'."
            )
    if backend == "numpy":
        spectra = "host"
    elif spectra == "auto" and not device.startswith("cuda"):
        spectra = "device"
    return Backend(name=backend, device=device, dtype=dtype, spectra=spectra)


_LOCAL = threading.local()


@contextmanager
def limit_host_cores(n: int) -> Iterator[None]:
    """Within this block (and this thread) :func:`host_cores` reports at most ``n`` cores.

    A Dask task runs on one of its worker's threads, and Dask already runs one task per thread:
    the task's host eigensolver must not start a thread per core on top of that.
    """
    old = getattr(_LOCAL, "cores", None)
    _LOCAL.cores = max(1, int(n))
    try:
        yield
    finally:
        _LOCAL.cores = old


def host_cores() -> int:
    """The CPU cores this process may run on (or fewer, inside :func:`limit_host_cores`)."""
    limit = getattr(_LOCAL, "cores", None)
    if limit is not None:
        return limit
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def host_eig(a: np.ndarray, *, vectors: bool = False) -> Any:
    """LAPACK ``geev`` on a stack of matrices ``(..., n, n)``, the stack split over the host's cores.

    Each worker thread takes a slice of the stack with one BLAS thread (numpy's linear algebra
    releases the GIL), so ``c`` cores give up to ``c`` matrices at once; a multithreaded BLAS
    inside one ``geev`` gains little, since its QR iterations are mostly sequential. The result
    does not depend on the number of cores: every matrix is computed single-threaded.

    Returns the eigenvalues (``vectors=False``) or ``(eigenvalues, eigenvectors)`` as numpy's
    :func:`numpy.linalg.eig` does.

    Examples
    --------
    >>> host_eig(np.array([[[2.0, 0.0], [0.0, -1.0]]] * 3)).real.tolist()
    [[2.0, -1.0], [2.0, -1.0], [2.0, -1.0]]
    """
    a = np.asarray(a)
    solve = np.linalg.eig if vectors else np.linalg.eigvals
    stack = a.reshape(-1, *a.shape[-2:])
    workers = min(host_cores(), stack.shape[0])
    if stack.shape[0] == 1 or a.shape[-1] < 32:  # one matrix, or small ones: a single call
        return solve(a)
    from concurrent.futures import ThreadPoolExecutor

    threadpool_limits = require("threadpoolctl", extra="grn").threadpool_limits
    pieces = np.array_split(np.arange(stack.shape[0]), workers)
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        outs = list(pool.map(lambda idx: solve(stack[idx]), pieces))
    if vectors:
        w = np.concatenate([o[0] for o in outs]).reshape(a.shape[:-1])
        v = np.concatenate([o[1] for o in outs]).reshape(a.shape)
        return w, v
    return np.concatenate(outs).reshape(a.shape[:-1])


def parse_memory(limit: int | float | str | None) -> int:
    """A memory budget in bytes from an int or a string such as ``"512MB"`` or ``"2 GiB"``.

    Examples
    --------
    >>> parse_memory("512MB"), parse_memory("1GiB"), parse_memory(1000)
    (512000000, 1073741824, 1000)
    """
    if limit is None:
        return _DEFAULT_MEMORY
    return parse_bytes(limit, "memory_limit")


def memory_budget(limit: int | float | str | None, backend: Backend) -> int:
    """The memory budget of one chunk: ``limit`` (:func:`parse_memory`) or a default.

    The default is 1 GiB, raised where full spectra run on the host to an eighth of the machine's
    memory (at most 8 GiB; on CUDA also at most a quarter of the device's free memory): the host
    eigensolver keeps every core busy only with at least one matrix per core in a chunk, and a
    1728-gene Jacobian takes about 96 MB of LAPACK copies and workspace.
    """
    if limit is not None:
        return parse_memory(limit)
    if backend.spectra == "device":
        return _DEFAULT_MEMORY
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not on a POSIX system
        ram = 8 * _DEFAULT_MEMORY
    budget = min(8 << 30, ram // 8)
    if backend.is_cuda:
        free, _ = backend.xp.cuda.mem_get_info(backend.device)
        budget = min(budget, free // 4)
    return int(max(_DEFAULT_MEMORY, budget))


def chunk_size(n_items: int, bytes_per_item: float, memory: int, *, multiple: int = 1) -> int:
    """How many items fit into ``memory`` bytes (at least one), rounded down to a ``multiple``
    (the host's cores for the host eigensolver) where at least that many fit."""
    size = int(max(1, min(n_items, memory // max(1.0, bytes_per_item))))
    if multiple > 1 and n_items > size >= multiple:
        size -= size % multiple
    return size


def run_chunked(
    func: Callable[[np.ndarray], Any],
    n_items: int,
    size: int,
    backend: Backend,
    *,
    progress: bool = True,
    desc: str = "",
    bar: Any = None,
) -> Iterator[tuple[np.ndarray, Any]]:
    """Yield ``(indices, func(indices))`` over chunks of ``range(n_items)``.

    An out-of-memory error inside ``func`` halves the chunk size and retries the same cells;
    only a failure on a single item is raised (as :class:`MemoryError` with advice).
    A tqdm progress bar counts the items done: ``bar`` (shared by several calls) or its own.
    """
    from contextlib import nullcontext

    tqdm = require("tqdm", extra="grn").tqdm
    start = 0
    own = bar is None
    if own:
        bar = tqdm(total=n_items, desc=desc, unit="cell", disable=not progress, leave=False)
    with bar if own else nullcontext(bar):
        while start < n_items:
            idx = np.arange(start, min(n_items, start + size))
            try:
                out = func(idx)
            except Exception as exc:  # noqa: BLE001 - only out-of-memory errors are handled
                if not backend.is_oom(exc):
                    raise
                backend.empty_cache()
                if size == 1:
                    raise MemoryError(
                        f"out of memory on {backend.device} even for a single cell ({exc}); "
                        "free memory on the device, use dtype='float32', or run on device='cpu'."
                    ) from exc
                size = max(1, size // 2)
                continue
            yield idx, out
            bar.update(idx.size)
            start += idx.size
