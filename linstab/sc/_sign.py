"""Unstable-eigenvalue counts and the leading eigenvalue from the matrix sign function.

For a real matrix ``J`` with no eigenvalue on the imaginary axis, ``S = sign(J)`` has the
eigenvalues ``+1`` (for ``Re λ > 0``) and ``−1`` (for ``Re λ < 0``), so

    n₊ − n₋ = tr S,    n₊ = (n + tr S) / 2,

and ``P₊ = (I + S)/2`` is the spectral projector onto the invariant subspace of the ``n₊``
unstable eigenvalues (Higham 2008, ch. 5, eq. (5.2) and §5.1). ``S`` is computed by the scaled
Newton iteration

    X₀ = J,    X_{k+1} = ½ (μ_k X_k + (μ_k X_k)⁻¹),

with Frobenius-norm scaling ``μ_k = (‖X_k⁻¹‖_F / ‖X_k‖_F)^{1/2}`` (Higham 2008, (5.36)) until
the steps are small, unscaled after that (quadratic convergence, Higham 2008, Thm. 5.6). Each
step is one batched inverse over a whole chunk of cells: dense, batched work that a GPU does
well (``torch.linalg.inv_ex`` on CUDA), unlike a nonsymmetric eigensolver.

From the count ``k`` the unstable eigenvalues come by Rayleigh–Ritz on the range of ``P₊``:
with ``U`` an orthonormal basis of ``P₊ V`` (``V`` random, ``n × k``), ``U`` spans the unstable
invariant subspace, ``J U = U T`` and the eigenvalues of the small ``k × k`` matrix
``T = Uᵀ J U`` are the ``k`` unstable eigenvalues of ``J`` (Golub & Van Loan 2013, §7.6.1); the
leading eigenvalue is the rightmost of them.

Guards (a cell that fails one is *not settled* and goes to the exact route of the caller):
the iteration must converge within ``max_iter`` steps with every inverse finite (eigenvalues
near the imaginary axis make it slow and ill-conditioned), ``(n + tr S)/2`` must lie within
``0.1`` of an integer, ``‖S‖_F/√n`` (which grows as eigenvalues approach the axis) must stay
below ``max_growth``, the residual ``‖J U − U T‖_F`` must be below ``1e-10 ‖J‖_F`` (float64)
and every eigenvalue of ``T`` must have ``Re > 0``. The iteration stops when
``‖X_{k+1} − X_k‖_F ≤ tol ‖X_{k+1}‖_F``; unscaled, ``X_{k+1} − X_k = ½ X_k⁻¹ (I − X_k²)``, so
this also certifies ``X² ≈ I``. Cells with ``k = 0`` have a stable leading eigenvalue, which
the sign function does not give; they go to the caller's exact route too (the partial-spectrum
method, which is cheapest exactly there: only ``1 + buffer`` Ritz values to converge).

References
----------
N. J. Higham, *Functions of Matrices: Theory and Computation*, SIAM, 2008, ch. 5 (the matrix
sign function, Newton's iteration, scaling and stopping). C. S. Kenney & A. J. Laub, "The
matrix sign function", IEEE Trans. Automat. Control 40 (1995). Golub, G. H. & Van Loan, C. F.,
*Matrix Computations*, 4th ed., 2013, §7.6 (invariant subspaces and Rayleigh–Ritz).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab.sc._backend import Backend

__all__ = ["SignResult", "sign_newton", "sign_stats"]


@dataclass
class SignResult:
    """Per-cell outputs of :func:`sign_stats` (numpy arrays over the cells of a chunk)."""

    leading: np.ndarray  # complex; NaN where not settled or k = 0
    n_positive: np.ndarray  # int, eigenvalues with Re > 0; -1 where not settled
    settled: np.ndarray  # bool: counts (and, where k > 0, the leading eigenvalue) are final
    iterations: int = 0  # Newton steps of the slowest cell


def _fro(a: Any, b: Backend) -> Any:
    """Frobenius norms of a stack of matrices (one per cell)."""
    if b.name == "numpy":
        return np.sqrt(np.einsum("bij,bij->b", a, a))
    return b.xp.linalg.matrix_norm(a)


def _inv(X: Any, b: Backend) -> tuple[Any, np.ndarray]:
    """Batched inverse and a per-cell flag of success (exactly singular cells get NaN)."""
    if b.name == "torch":
        Xi, info = b.xp.linalg.inv_ex(X)
        return Xi, b.to_numpy(info) == 0
    try:
        return np.linalg.inv(X), np.ones(X.shape[0], dtype=bool)
    except np.linalg.LinAlgError:
        out = np.full_like(X, np.nan)
        ok = np.zeros(X.shape[0], dtype=bool)
        for i in range(X.shape[0]):
            try:
                out[i] = np.linalg.inv(X[i])
                ok[i] = True
            except np.linalg.LinAlgError:
                pass
        return out, ok


def sign_newton(J: Any, backend: Backend, *, tol: float | None = None, max_iter: int = 25,
                scale_until: float = 1e-2) -> tuple[Any, np.ndarray, int]:
    """``sign(J)`` for a stack of matrices by the scaled Newton iteration (see module docstring).

    Parameters
    ----------
    J
        Backend array, cells × n × n.
    backend
        The backend of ``J``.
    tol
        Relative step size at which a cell has converged; ``1e-9`` in float64, ``1e-4`` in
        float32 by default (the error of the next iterate is about its square).
    max_iter
        Newton steps at most; cells not converged by then are flagged.
    scale_until
        Norm scaling is used while the relative step exceeds this.

    Returns
    -------
    S
        The iterates (cells × n × n), converged where flagged.
    converged
        numpy bool per cell.
    iterations
        Steps taken by the slowest cell.

    Examples
    --------
    >>> from linstab.sc._backend import get_backend
    >>> J = np.array([[[2.0, 1.0], [0.0, -3.0]]])
    >>> S, ok, _ = sign_newton(J, get_backend("cpu"))
    >>> np.round(S[0], 12).tolist(), ok.tolist()
    ([[1.0, 0.4], [0.0, -1.0]], [True])
    """
    b = backend
    tol = tol if tol is not None else (1e-9 if b.dtype == "float64" else 1e-4)
    B = int(J.shape[0])
    X = J + 0 * J  # a copy in the working dtype
    converged = np.zeros(B, dtype=bool)
    failed = np.zeros(B, dtype=bool)
    active = np.arange(B)
    step = np.full(B, np.inf)
    it = 0
    while active.size and it < max_iter:
        it += 1
        sel = active if b.name == "numpy" else b.xp.as_tensor(active, device=b.device)
        Xa = X[sel]
        Xi, ok = _inv(Xa, b)
        nx = b.to_numpy(_fro(Xa, b)).astype(np.float64)
        ni = b.to_numpy(_fro(Xi, b)).astype(np.float64)
        ok &= np.isfinite(nx) & np.isfinite(ni) & (ni > 0)
        mu = np.where(ok & (step[active] > scale_until), np.sqrt(ni / np.where(ok, nx, 1.0)), 1.0)
        mu_d = b.asarray(mu)[:, None, None]
        Xn = 0.5 * (mu_d * Xa + Xi / mu_d)
        d = b.to_numpy(_fro(Xn - Xa, b)).astype(np.float64) / np.maximum(
            b.to_numpy(_fro(Xn, b)).astype(np.float64), 1e-300)
        ok &= np.isfinite(d)
        X[sel] = Xn
        step[active] = d
        done = ok & (d <= tol) & (mu == 1.0)
        converged[active[done]] = True
        failed[active[~ok]] = True
        active = active[ok & ~done]
    return X, converged & ~failed, it


def sign_stats(
    J: Any,
    backend: Backend,
    *,
    tol: float | None = None,
    max_iter: int = 25,
    max_growth: float = 1e4,
    seed: int = 0,
) -> SignResult:
    """Count of eigenvalues with ``Re > 0`` and the leading eigenvalue, for a stack of ``J``.

    See the module docstring for the method and its guards. Cells not settled (and cells with
    no unstable eigenvalue, whose leading eigenvalue this method does not give) are left to the
    caller: ``settled`` is False, or ``n_positive == 0`` with a NaN leading eigenvalue.

    Parameters
    ----------
    J
        Backend array, cells × n × n (real).
    backend
        The backend of ``J``.
    tol, max_iter
        Of :func:`sign_newton`.
    max_growth
        Largest ``‖S‖_F / √n`` accepted; larger means eigenvalues close to the imaginary axis
        relative to their spread, where the count is ill-conditioned.
    seed
        Seed of the (shared, deterministic) random block ``V``.

    Returns
    -------
    SignResult

    Examples
    --------
    >>> from linstab.sc._backend import get_backend
    >>> J = np.array([[[1.0, 2.0, 0.0], [-2.0, 1.0, 0.0], [0.0, 0.0, -1.0]]])  # 1 ± 2i and -1
    >>> r = sign_stats(J, get_backend("cpu"))
    >>> r.n_positive.tolist(), np.round(r.leading, 12).tolist(), r.settled.tolist()
    ([2], [(1+2j)], [True])
    """
    b = backend
    xp = b.xp
    B, n = int(J.shape[0]), int(J.shape[-1])
    S, ok, iters = sign_newton(J, b, tol=tol, max_iter=max_iter)
    tr = b.to_numpy(S.diagonal(0, -2, -1).sum(-1)).astype(np.float64)
    half = 0.5 * (n + tr)
    k = np.rint(np.where(np.isfinite(half), half, 0.0)).astype(np.int64)
    growth = b.to_numpy(_fro(S, b)).astype(np.float64) / np.sqrt(n)
    ok &= np.isfinite(half) & (np.abs(half - k) <= 0.1) & (k >= 0) & (k <= n) & (growth <= max_growth)
    leading = np.full(B, np.nan + 0j)
    npos = np.where(ok, k, -1)
    settled = ok.copy()
    cells = np.nonzero(ok & (k > 0))[0]
    if cells.size:
        kc = k[cells]
        K = int(kc.max())
        sel = cells if b.name == "numpy" else xp.as_tensor(cells, device=b.device)
        Sc, Jc = S[sel], J[sel]
        # k random columns per cell (the others zero): P₊ V has full rank k and spans range(P₊);
        # a Householder QR orthonormalises it, a second projection and QR clean its span
        mask = b.asarray((np.arange(K)[None, :] < kc[:, None]).astype(np.float64))[:, None, :]
        U = b.asarray(np.random.default_rng(seed).standard_normal((n, K)))[None] * mask
        for _ in range(2):
            U = xp.linalg.qr(0.5 * (U + Sc @ U))[0] * mask
        JU = Jc @ U
        T = Backend.swap(U) @ JU
        R = JU - U @ T
        res = b.to_numpy(_fro(R, b)).astype(np.float64)
        jn = b.to_numpy(_fro(Jc, b)).astype(np.float64)
        Th = b.to_numpy(T).astype(np.float64)
        # the masked rows/columns are decoupled: park them far to the left
        pad = ~(np.arange(K)[None, :] < kc[:, None])
        big = -2.0 * (np.abs(Th).sum(axis=(1, 2)) + 1.0)
        bi, ji = np.nonzero(pad)
        Th[bi, ji, ji] = big[bi]
        w = np.linalg.eigvals(Th)
        wk = np.where(pad, np.nan, w)
        re = np.where(pad, np.inf, w.real)
        rtol = 1e-10 if b.dtype == "float64" else 1e-4
        good = (res <= rtol * jn) & (re.min(axis=1) > 0)
        top = np.nanmax(np.where(pad, -np.inf, w.real), axis=1)
        cand = np.where(~pad & (w.real == top[:, None]), w.imag, -np.inf)
        j = cand.argmax(axis=1)
        lead = wk[np.arange(cells.size), j]
        leading[cells[good]] = lead[good]
        settled[cells[~good]] = False
        npos[cells[~good]] = -1
    return SignResult(leading=leading, n_positive=npos, settled=settled, iterations=iters)


def sign_bytes(n: int, itemsize: int) -> int:
    """Memory per cell of :func:`sign_stats` on an ``n``-gene block: J, the iterate, its inverse,
    the next iterate and the solver's workspace."""
    return 6 * n * n * itemsize


def sign_part(op: Any, state: Any, backend: Backend, exact) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """Statistics of one operator's Jacobians by :func:`sign_stats`, the rest by ``exact``.

    ``exact(op, state)`` is the caller's exact route (the partial-spectrum method with its dense
    fallback); it returns ``(stats, fallback cell positions)`` and gets the cells that the sign
    function did not settle and those with no unstable eigenvalue (their leading eigenvalue is
    stable). Returns the statistics of all cells, the positions that needed full spectra, and
    the number of cells settled by the sign function.
    """
    b = backend
    m = op.size
    res = sign_stats(op.dense(state), b)
    lead = res.leading.copy()
    pos = res.n_positive.astype(np.float64)
    rest = np.nonzero(~res.settled | (res.n_positive == 0))[0]
    bad = np.zeros(0, dtype=np.int64)
    if rest.size:
        sel = rest if b.name == "numpy" else b.xp.as_tensor(rest, device=b.device)
        part, bad_r = exact(op, op.take(state, sel))
        lead[rest], pos[rest] = part["leading"], part["positive"]
        bad = rest[bad_r]
    return {"leading": lead, "positive": pos, "negative": m - pos}, bad, int(res.settled.sum() - (
        res.settled & (res.n_positive == 0)).sum())
