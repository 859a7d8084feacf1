"""Array backends (numpy, torch on CPU or CUDA), memory budgets and chunked execution.

The single-cell kernels are written once against the small :class:`Backend` interface below;
``numpy`` and ``torch`` differ only in a handful of calls (device placement, dtype casts, axis
swaps), which live here. Work over cells is split into chunks that fit a memory budget; a GPU
out-of-memory error halves the chunk and retries it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._limits import parse_bytes
from linstab._optional import require

__all__ = ["Backend", "get_backend", "parse_memory", "run_chunked"]

_DTYPES = ("float64", "float32")
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
    """

    name: str
    device: str
    dtype: str

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

    def eigvals(self, a: Any) -> np.ndarray:
        """Eigenvalues of a stack of square matrices, returned as a numpy complex array."""
        if self.name == "numpy":
            return np.linalg.eigvals(a)
        return self.to_numpy(self.xp.linalg.eigvals(a))

    def eig(self, a: Any) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and right eigenvectors (columns) of a stack, as numpy complex arrays."""
        if self.name == "numpy":
            return np.linalg.eig(a)
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


def get_backend(device: str | None = "cpu", *, backend: str | None = None, dtype: str = "float64") -> Backend:
    """Resolve the ``device``/``backend``/``dtype`` options of the ``sc.tl`` functions.

    ``device='cpu'`` with no ``backend`` runs on numpy; ``device='cuda'`` (or ``'cuda:1'``) runs
    on torch and needs a CUDA build of torch with a visible GPU. ``backend='torch'`` with
    ``device='cpu'`` runs torch on the CPU.

    Examples
    --------
    >>> get_backend("cpu")
    Backend(name='numpy', device='cpu', dtype='float64')
    >>> get_backend("cpu", backend="torch", dtype="float32").dtype
    'float32'
    """
    device = "cpu" if device is None else str(device)
    if dtype not in _DTYPES:
        raise ValueError(f"`dtype` must be one of {', '.join(map(repr, _DTYPES))}; got {dtype!r}")
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
    return Backend(name=backend, device=device, dtype=dtype)


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


def chunk_size(n_items: int, bytes_per_item: float, memory: int) -> int:
    """How many items fit into ``memory`` bytes (at least one)."""
    return int(max(1, min(n_items, memory // max(1.0, bytes_per_item))))


def run_chunked(
    func: Callable[[np.ndarray], Any],
    n_items: int,
    size: int,
    backend: Backend,
    *,
    progress: bool = True,
    desc: str = "",
) -> Iterator[tuple[np.ndarray, Any]]:
    """Yield ``(indices, func(indices))`` over chunks of ``range(n_items)``.

    An out-of-memory error inside ``func`` halves the chunk size and retries the same cells;
    only a failure on a single item is raised (as :class:`MemoryError` with advice).
    A tqdm progress bar counts the items done.
    """
    tqdm = require("tqdm", extra="grn").tqdm
    start = 0
    with tqdm(total=n_items, desc=desc, unit="cell", disable=not progress, leave=False) as bar:
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
