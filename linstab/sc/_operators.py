"""Per-cell Jacobian operators: the fitted Hopfield GRN and any linstab :class:`~linstab.Model`.

Both expose the same small interface over a chunk of cells (a *state*), so that trace,
rotational part, chosen elements, matrix–vector products (for the Krylov statistics) and dense
Jacobians (for full spectra) go through one code path:

- :class:`HopfieldOperator` for ``dx/dt = W φ(x) − γ ∘ x + I`` with Hill activations
  ``φ_j(x) = x^{n_j} / (x^{n_j} + k_j^{n_j})``, whose Jacobian is
  ``J = W · diag(φ′(x)) − diag(γ)``; the state of a chunk is ``φ′(x)`` (cells × genes), so the
  trace costs O(n) per cell, an element O(1) and a product ``J v`` one GEMM over the chunk;
  its full spectra are taken block by block over the strongly connected components of the
  regulatory graph (:func:`~linstab.sc._spectra.diagonal_blocks`), which leaves a dense
  network as one block and reduces a TF-restricted one to its TF core;
- :class:`ModelOperator` for a symbolic model, whose Jacobian kernel (from
  :func:`linstab.num.compile_kernel`) is evaluated on the chunk; the state is the stack of
  dense Jacobians.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linstab.sc._backend import Backend
from linstab.sc._spectra import diagonal_blocks

__all__ = ["hill_derivative", "HopfieldOperator", "ModelOperator"]


def hill_derivative(x: Any, k: Any, n: Any, xp: Any = np) -> Any:
    """Derivative of the Hill activation ``φ(x) = xⁿ/(xⁿ + kⁿ)``, evaluated stably.

    With ``s = σ(n log(x/k))`` (the logistic function) ``φ = s`` and ``φ′ = (n/x) s (1 − s)``,
    which neither overflows for large ``n`` nor loses precision far from ``k``; below ``k`` it is
    evaluated as ``(n/k) (x/k)^(n-1) / (1 + (x/k)^n)^2``, finite and right for subnormal ``x`` too
    (where ``n/x`` alone overflows). At ``x = 0`` the
    limit is taken: ``0`` for ``n > 1`` and ``1/k`` for ``n = 1`` (``n < 1`` is infinite there;
    the callers reject it).

    Parameters
    ----------
    x
        Expression, any shape; must be ``>= 0``.
    k
        Thresholds (``> 0``), broadcast against ``x``.
    n
        Hill exponents (``> 0``), broadcast against ``x``.
    xp
        Array module: numpy (default) or torch.

    Returns
    -------
    Array of ``φ′(x)`` with the shape of ``x``.

    Examples
    --------
    >>> float(hill_derivative(np.array(2.0), 2.0, 4.0))  # n/(4k) at x = k
    0.5
    >>> hill_derivative(np.array([0.0, 0.0]), np.array([2.0, 2.0]), np.array([1.0, 3.0]))
    array([0.5, 0. ])
    >>> float(hill_derivative(np.array(1e-310), 2.0, 2.0))  # (n/k)(x/k) = x/2, not inf * 0
    5e-311
    """
    pos = x > 0
    safe_x = xp.where(pos, x, xp.ones_like(x))
    r = xp.log(safe_x) - xp.log(k + 0 * safe_x)  # not log(x/k): x/k underflows for subnormal x
    e = xp.exp(-xp.abs(n * r))
    # s (1 - s) = e / (1 + e)^2 with e = e^{-|t|}. Below k, e = (x/k)^n and (n/x) e is written
    # (n/k) (x/k)^(n-1), so that a subnormal x (where n/x overflows) gives the right, finite value.
    below = r < 0
    x_above = xp.where(below, xp.ones_like(x), safe_x)
    d_below = n / k * xp.exp((n - 1) * xp.where(below, r, xp.zeros_like(r)))
    d_above = n / x_above * e
    d = xp.where(below, d_below, d_above) / (1.0 + e) ** 2
    at_zero = xp.where(n == 1, 1.0 / k + 0 * x, xp.where(n < 1, xp.full_like(x, np.inf), 0 * x))
    return xp.where(pos, d, at_zero)


@dataclass
class HopfieldOperator:
    """Jacobians ``J = W diag(φ′(x)) − diag(γ)`` of a fitted Hopfield GRN (one cluster).

    Parameters
    ----------
    W
        Interactions, target × regulator (``W[i, j]`` is the effect of gene j on gene i).
    gamma, k, n
        Degradation rates, Hill thresholds and exponents, one per gene.
    backend
        Where the kernels run.
    """

    W: np.ndarray
    gamma: np.ndarray
    k: np.ndarray
    n: np.ndarray
    backend: Backend
    _dev: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def size(self) -> int:
        return int(self.W.shape[0])

    @property
    def state_bytes(self) -> int:
        """Memory of one cell's state (``φ′`` and temporaries)."""
        return 4 * self.size * np.dtype(self.backend.dtype).itemsize

    @property
    def blocks(self) -> dict[int, np.ndarray]:
        """Genes of the diagonal blocks of every cell's J, by block size (computed once)."""
        if "blocks" not in self._dev:
            self._dev["blocks"] = diagonal_blocks(self.W)
        return self._dev["blocks"]

    @property
    def largest_block(self) -> int:
        """Size of the largest diagonal block: what a full spectrum really costs, O(size³)."""
        return max(self.blocks)

    @property
    def spectrum_bytes(self) -> int:
        """Memory per cell of :meth:`eigvals` (blocks, LAPACK workspace and the result)."""
        work = sum(g.shape[0] * s * s for s, g in self.blocks.items() if s > 1)
        return 4 * (work + 2 * self.size) * np.dtype(self.backend.dtype).itemsize

    def _get(self, name: str) -> Any:
        """Backend copies of the parameters, made once."""
        if name not in self._dev:
            W = self.W
            src = {
                "W": W,
                "WT": np.ascontiguousarray(W.T),
                "gamma": self.gamma,
                "k": self.k,
                "n": self.n,
                "diagW": np.ascontiguousarray(np.diag(W)),
                # rotational part: ||A||_F^2 = (sum_j c_j d_j^2 - d^T (W o W^T) d) / 2
                "c": (W * W).sum(axis=0),
                "M": W * W.T,
                "G": np.diag(self.gamma),
            }[name]
            self._dev[name] = self.backend.asarray(src)
        return self._dev[name]

    # ------------------------------------------------------------------ state
    def state(self, X: np.ndarray) -> Any:
        """``φ′(x)`` for a chunk of cells (cells × genes)."""
        b = self.backend
        x = b.asarray(X)
        return hill_derivative(x, self._get("k"), self._get("n"), b.xp)

    @staticmethod
    def take(state: Any, idx: Any) -> Any:
        return state[idx]

    # ------------------------------------------------------------------ cheap quantities
    def trace(self, d: Any) -> Any:
        """``tr J = Σ_i W_ii φ′_i − Σ_i γ_i``: O(n) per cell."""
        return d @ self._get("diagW") - self._get("gamma").sum()

    def rotational(self, d: Any) -> Any:
        """``‖(J − Jᵀ)/2‖_F`` without forming J: ``½(Σ_j c_j φ′_j² − φ′ᵀ (W∘Wᵀ) φ′)``."""
        xp = self.backend.xp
        sq = (d * d) @ self._get("c") - ((d @ self._get("M")) * d).sum(-1)
        sq = xp.where(sq > 0, sq, 0 * sq)
        return xp.sqrt(0.5 * sq)

    def elements(self, d: Any, rows: np.ndarray, cols: np.ndarray) -> Any:
        """``J_ij = W_ij φ′_j − γ_i δ_ij`` for the pairs ``(rows[p], cols[p])``: O(1) each."""
        b = self.backend
        w = b.asarray(self.W[rows, cols])
        diag = b.asarray(np.where(rows == cols, self.gamma[rows], 0.0))
        return d[:, cols] * w - diag

    # ------------------------------------------------------------------ products and matrices
    def matvec(self, V: Any, d: Any) -> Any:
        """``J v`` for one vector per cell: ``V`` is (cells × genes); one GEMM."""
        return (V * d) @ self._get("WT") - V * self._get("gamma")

    def matmat(self, V: Any, d: Any) -> Any:
        """``J v`` for a block of vectors per cell: ``V`` is (cells × s × genes); one GEMM with
        ``cells · s`` rows, so that ``W`` is read once for all of them."""
        B, s, g = V.shape
        WV = ((V * d[:, None, :]).reshape(B * s, g) @ self._get("WT")).reshape(B, s, g)
        return WV - V * self._get("gamma")

    def dense(self, d: Any) -> Any:
        """The dense Jacobians of the chunk, (cells × genes × genes)."""
        return self._get("W")[None, :, :] * d[:, None, :] - self._get("G")[None, :, :]

    def eigvals(self, d: Any, *, max_block: int | None = None) -> np.ndarray:
        """Eigenvalues of the chunk's Jacobians (cells × genes, numpy complex, unordered).

        One batched eigenvalue call per block size over all cells and all blocks of that size;
        a single gene's block is its diagonal entry ``W_ii φ′_i − γ_i``. With ``max_block``, only
        the eigenvalues of the blocks of at most that many genes.
        """
        b = self.backend
        blocks = {s: g for s, g in self.blocks.items() if max_block is None or s <= max_block}
        if list(blocks) == [self.size]:  # one component: the whole matrix
            return b.eigvals(self.dense(d))
        parts = []
        for s, genes in blocks.items():
            if s == 1:
                i = self._index(genes[:, 0])
                part = b.to_numpy(d[:, i] * self._get("diagW")[i] - self._get("gamma")[i])
                parts.append(part.astype(np.result_type(part.dtype, np.complex64)))
                continue
            if ("Wb", s) not in self._dev:
                self._dev[("Wb", s)] = b.asarray(self.W[genes[:, :, None], genes[:, None, :]])
                self._dev[("Gb", s)] = b.asarray(self.gamma[genes][:, :, None] * np.eye(s))
            db = d[:, self._index(genes)]  # cells × blocks × s
            w = b.eigvals(self._dev[("Wb", s)][None] * db[:, :, None, :] - self._dev[("Gb", s)][None])
            parts.append(w.reshape(w.shape[0], -1))
        return np.concatenate(parts, axis=1)

    def restrict(self, genes: np.ndarray) -> HopfieldOperator:
        """The operator of the diagonal block on ``genes``; its state is :meth:`take_genes`."""
        key = ("sub", genes.tobytes())
        if key not in self._dev:
            ix = np.ix_(genes, genes)
            self._dev[key] = HopfieldOperator(self.W[ix], self.gamma[genes], self.k[genes], self.n[genes],
                                              self.backend)
        return self._dev[key]

    def take_genes(self, d: Any, genes: np.ndarray) -> Any:
        """The state of the block on ``genes``: ``φ′`` of those genes."""
        return d[:, self._index(genes)]

    def _index(self, genes: np.ndarray) -> Any:
        """Integer gene positions as an index array of the backend (cached)."""
        key = ("idx", genes.shape, genes.tobytes())
        if key not in self._dev:
            b = self.backend
            self._dev[key] = genes if b.name == "numpy" else b.xp.as_tensor(genes, device=b.device)
        return self._dev[key]

    @property
    def can_krylov(self) -> bool:
        """Whether the partial-spectrum route applies (it assumes γ > 0, see Notes of the stats)."""
        return bool(np.all(self.gamma > 0))


@dataclass
class ModelOperator:
    """Jacobians of a linstab :class:`~linstab.Model` evaluated per cell by its compiled kernel.

    Parameters
    ----------
    kernel
        The model's Jacobian kernel (``model.kernel("jacobian", backend=...)``).
    params
        Parameter vector in the model's order.
    size
        Number of state variables.
    backend
        Where the kernels run.
    """

    kernel: Any
    params: np.ndarray
    size: int
    backend: Backend

    @property
    def state_bytes(self) -> int:
        """Memory of one cell's state (its dense Jacobian, and the kernel's temporaries)."""
        return 3 * self.size**2 * np.dtype(self.backend.dtype).itemsize

    def state(self, X: np.ndarray) -> Any:
        b = self.backend
        x = b.asarray(X)
        p = b.asarray(self.params)
        if b.name == "torch":
            J = self.kernel(x, p, dtype=b.native_dtype, device=b.device)
        else:
            J = self.kernel(x, p, dtype=b.dtype)
        return J

    @staticmethod
    def take(state: Any, idx: Any) -> Any:
        return state[idx]

    def trace(self, J: Any) -> Any:
        return J.diagonal(0, -2, -1).sum(-1)

    def rotational(self, J: Any) -> Any:
        A = 0.5 * (J - Backend.swap(J))
        return (A * A).sum((-2, -1)) ** 0.5

    def elements(self, J: Any, rows: np.ndarray, cols: np.ndarray) -> Any:
        return J[:, rows, cols]

    def matvec(self, V: Any, J: Any) -> Any:
        return (J @ V[..., None])[..., 0]

    def matmat(self, V: Any, J: Any) -> Any:
        """``J v`` for a block of vectors per cell: ``V`` is (cells × s × n)."""
        return Backend.swap(J @ Backend.swap(V))

    def dense(self, J: Any) -> Any:
        return J

    def eigvals(self, J: Any, *, max_block: int | None = None) -> np.ndarray:
        """All eigenvalues of the chunk's Jacobians (cells × n, numpy complex, unordered); none
        if the model (one block) is larger than ``max_block``."""
        if max_block is not None and self.size > max_block:
            return np.zeros((int(J.shape[0]), 0), dtype=np.complex64)
        return self.backend.eigvals(J)

    @property
    def blocks(self) -> dict[int, np.ndarray]:
        """One block: the structure of a symbolic model's Jacobian is not analysed."""
        return {self.size: np.arange(self.size)[None, :]}

    @property
    def largest_block(self) -> int:
        return self.size

    def restrict(self, genes: np.ndarray) -> ModelOperator:
        return self

    @staticmethod
    def take_genes(J: Any, genes: np.ndarray) -> Any:
        return J

    @property
    def spectrum_bytes(self) -> int:
        """Memory per cell of :meth:`eigvals` (LAPACK copies and workspace)."""
        return 4 * self.size**2 * np.dtype(self.backend.dtype).itemsize

    @property
    def can_krylov(self) -> bool:
        return True
