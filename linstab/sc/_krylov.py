"""Leading eigenvalue and unstable-eigenvalue count of many Jacobians without full spectra.

A thick-restart Arnoldi method (Morgan 1996; Stewart 2001, Krylov–Schur) runs on a whole chunk
of cells at once: every cell has its own Krylov basis, but the products ``J v`` of all cells are
one matrix product (:meth:`HopfieldOperator.matvec`), and the Gram–Schmidt steps are batched
matrix–vector products. The small projected matrices (``m × m``, ``m`` ≈ 50) are diagonalised
on the host with LAPACK.

For every cell the method widens the set of rightmost Ritz values until it has crossed the
boundary ``Re λ = 0``: it stops when the ``p`` Ritz values with positive real part and the
``1 + buffer`` next ones (with negative real part) are converged, the leading one to a tight
tolerance (``1e-12 · ‖H‖`` in float64), the others tightly enough to fix the sign of their real
part (residual below ``eta · |Re θ|``). Cells that need a larger subspace are re-run with a
doubled one; cells that do not converge within the restart budget, or would need a subspace
beyond ``max_subspace``, are reported as not converged so that the caller computes their full
spectrum instead (the dense fallback). The result therefore agrees with the full
eigendecomposition on the counts, and on the leading eigenvalue to ~1e-10.

References
----------
R. B. Morgan, "On restarting the Arnoldi method for large nonsymmetric eigenvalue problems",
Math. Comp. 65 (1996). G. W. Stewart, "A Krylov–Schur algorithm for large eigenproblems",
SIAM J. Matrix Anal. Appl. 23 (2001).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab.sc._backend import Backend

__all__ = ["KrylovResult", "rightmost_stats"]


@dataclass
class KrylovResult:
    """Per-cell outputs of :func:`rightmost_stats` (numpy arrays over the cells of a chunk)."""

    leading: np.ndarray  # complex, the rightmost eigenvalue (positive imaginary part for a pair)
    n_positive: np.ndarray  # int, eigenvalues with Re > 0
    converged: np.ndarray  # bool; False -> use the dense route for this cell
    matvecs: int = 0
    restarts: int = 0


def _sorted_ritz(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenpairs of a stack of small real matrices, sorted by decreasing (Re, Im)."""
    theta, S = np.linalg.eig(H)
    order = np.lexsort((-theta.imag, -theta.real), axis=-1)
    theta = np.take_along_axis(theta, order, -1)
    S = np.take_along_axis(S, order[:, None, :], -1)
    return theta, S


def _real_invariant_basis(theta: np.ndarray, S: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Real columns spanning the invariant subspace of the top Ritz values, ``K`` wide.

    A real Ritz value gives one column (its vector), a conjugate pair two (real and imaginary
    part of the vector of the member with positive imaginary part), so that the span is exactly
    invariant under the projected matrix and the Krylov relation survives the restart. Where a
    pair would straddle column ``K`` it is left out and the cell is one column short
    (``deficit``); the caller fills that column with a decoupled dummy direction.
    """
    B, m = theta.shape
    im = theta.imag
    cost = np.where(im == 0, 1, np.where(im > 0, 2, 0))
    # a pair member with negative imaginary part follows its partner (sorted by -Im); if the
    # partner is missing (numerically unpaired), treat it as real
    cs = np.cumsum(cost, axis=1)
    sel = (cs <= K) & (cost > 0)
    start = cs - cost
    R = np.zeros((B, m, K))
    bi, ji = np.nonzero(sel)
    R[bi, :, start[bi, ji]] = S[bi, :, ji].real
    b2, j2 = np.nonzero(sel & (cost == 2))
    R[b2, :, start[b2, j2] + 1] = S[b2, :, j2].imag
    filled = np.where(sel, cost, 0).sum(axis=1)
    return R, filled < K


def rightmost_stats(
    op: Any,
    state: Any,
    backend: Backend,
    *,
    subspace: int = 48,
    max_subspace: int = 192,
    max_restarts: int = 60,
    buffer: int = 2,
    eta: float = 0.05,
    tol: float | None = None,
    seed: int = 0,
) -> KrylovResult:
    """Leading eigenvalue and number of eigenvalues with ``Re > 0`` for a chunk of cells.

    Parameters
    ----------
    op
        A :class:`~linstab.sc._operators.HopfieldOperator` or ``ModelOperator``.
    state
        ``op.state(X)`` for the chunk.
    backend
        The backend of ``op``.
    subspace
        Initial Krylov subspace dimension ``m``.
    max_subspace
        Largest ``m`` tried before a cell is left to the dense route.
    max_restarts
        Restart budget per subspace size.
    buffer
        Converged Ritz values required beyond the first one with negative real part.
    eta
        Relative residual that fixes the sign of a Ritz value's real part.
    tol
        Residual tolerance of the leading Ritz value relative to ``‖H‖``; ``1e-12`` in float64,
        ``1e-5`` in float32 by default.
    seed
        Seed of the (shared, deterministic) start vector.

    Returns
    -------
    KrylovResult
    """
    n = op.size
    B = _n_cells(state)
    tol = tol if tol is not None else (1e-12 if backend.dtype == "float64" else 1e-5)
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(n)
    v0 /= np.linalg.norm(v0)
    spare = rng.standard_normal(n)  # used to continue after an (exact) invariant subspace

    leading = np.full(B, np.nan + 0j)
    npos = np.full(B, -1, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    todo = np.arange(B)
    m = int(min(subspace, max(2, n - 1)))
    total_mv = total_rs = 0
    while todo.size:
        lead_p, pos_p, done_p, widen, mv, rs = _arnoldi_pass(
            op, state, backend, todo, m=m, n=n, v0=v0, spare=spare, max_restarts=max_restarts,
            buffer=buffer, eta=eta, tol=tol)
        total_mv += mv
        total_rs += rs
        leading[todo[done_p]] = lead_p[done_p]
        npos[todo[done_p]] = pos_p[done_p]
        converged[todo[done_p]] = True
        m_next = min(2 * m, max_subspace, n - 1)
        if m_next <= m:
            break
        todo = todo[widen]
        m = m_next
    return KrylovResult(leading=leading, n_positive=npos, converged=converged,
                        matvecs=total_mv, restarts=total_rs)


def _n_cells(state: Any) -> int:
    return int(state.shape[0])


def _arnoldi_pass(op, state, b: Backend, cells, *, m, n, v0, spare, max_restarts, buffer, eta, tol):
    """One thick-restart Arnoldi run with subspace ``m`` on the given cells."""
    xp = b.xp
    B0 = cells.size
    if b.name == "torch":
        sel = xp.as_tensor(cells, device=b.device)
    else:
        sel = cells
    st = op.take(state, sel)
    lead_out = np.full(B0, np.nan + 0j)
    pos_out = np.full(B0, -1, dtype=np.int64)
    done_out = np.zeros(B0, dtype=bool)
    widen_out = np.zeros(B0, dtype=bool)
    active = np.arange(B0)  # positions into `cells`

    Q = b.zeros((B0, m + 1, n))
    Q[:, 0] = b.asarray(v0)
    H = np.zeros((B0, m + 1, m))
    spare_dev = b.asarray(spare)
    k = 0
    n_mv = 0
    restarts = 0
    while active.size:
        # ---- extend the Krylov decomposition from column k to m (CGS2 orthogonalization)
        for j in range(k, m):
            w = op.matvec(Q[:, j], st)
            n_mv += 1
            Qj = Q[:, : j + 1]
            h = (Qj @ w[..., None])[..., 0]
            w = w - (h[:, None, :] @ Qj)[:, 0]
            h2 = (Qj @ w[..., None])[..., 0]
            w = w - (h2[:, None, :] @ Qj)[:, 0]
            beta = b.norm_last(w)
            hh = b.to_numpy(h + h2).astype(np.float64)
            beta_h = b.to_numpy(beta).astype(np.float64)
            H[:, : j + 1, j] += hh
            scale = np.abs(H[:, : j + 1, : j + 1]).max(axis=(1, 2)) + 1e-300
            broke = beta_h <= 100 * b.eps * scale
            if broke.any():
                # an invariant subspace was found: continue with a fresh orthogonal direction
                # and a zero subdiagonal entry, which keeps the relation exact
                r = spare_dev[None, :] + 0 * w
                for _ in range(2):
                    c = (Qj @ r[..., None])[..., 0]
                    r = r - (c[:, None, :] @ Qj)[:, 0]
                r = r / b.norm_last(r)[:, None]
                mask = b.asarray(broke.astype(float))[:, None]
                beta_safe = xp.where(mask[:, 0] > 0, 1.0 + 0 * beta, beta)
                w = mask * r + (1 - mask) * (w / beta_safe[:, None])
                beta_h = np.where(broke, 0.0, beta_h)
                Q[:, j + 1] = w
            else:
                Q[:, j + 1] = w / beta[:, None]
            H[:, j + 1, j] = beta_h
        # ---- Ritz values and residual estimates
        Hm = H[:, :m, :m]
        theta, S = _sorted_ritz(Hm)
        beta_m = H[:, m, m - 1]
        res = np.abs(beta_m[:, None] * S[:, m - 1, :])
        hnorm = np.linalg.norm(Hm, axis=(1, 2)) / np.sqrt(m) + np.abs(theta).max(axis=1)
        tight = res <= tol * hnorm[:, None]
        ok = tight | (res <= eta * np.abs(theta.real))
        ok[:, 0] = tight[:, 0]
        p = (theta.real > 0).sum(axis=1)
        need = p + 1 + buffer
        bad = ~ok
        first_bad = np.where(bad.any(axis=1), bad.argmax(axis=1), m)
        done = (first_bad >= need) & (need <= m - 2)
        too_big = need > m - 4
        out_of_budget = restarts >= max_restarts
        stop_widen = ~done & (too_big | out_of_budget)
        pos = active[done]
        lead_out[pos] = theta[done, 0]
        pos_out[pos] = p[done]
        done_out[pos] = True
        widen_out[active[stop_widen]] = True
        keep = ~(done | stop_widen)
        if not keep.any():
            break
        # ---- thick restart on the remaining cells
        restarts += 1
        kidx = np.nonzero(keep)[0]
        active = active[keep]
        theta, S, need, beta_m, H = theta[kidx], S[kidx], need[kidx], beta_m[kidx], H[kidx]
        ksel = xp.as_tensor(kidx, device=b.device) if b.name == "torch" else kidx
        Q = Q[ksel]
        st = op.take(st, ksel)
        nmax = int(need.max())
        K = int(min(m - 4, max(nmax + (m - nmax) // 2, 1)))
        R, deficit = _real_invariant_basis(theta, S, K)
        Qs, _ = np.linalg.qr(R)
        Qs[deficit, :, K - 1] = 0.0
        Qnew = b.zeros(Q.shape)
        Qs_dev = b.asarray(Qs)
        Qnew[:, :K] = Backend.swap(Qs_dev) @ Q[:, :m]
        Qnew[:, K] = Q[:, m]
        Hnew = np.zeros_like(H)
        QsT = Qs.transpose(0, 2, 1)
        Hnew[:, :K, :K] = QsT @ H[:, :m, :m] @ Qs
        Hnew[:, K, :K] = beta_m[:, None] * Qs[:, m - 1, :]
        sentinel = -2.0 * (np.abs(H[:, :m, :m]).sum(axis=(1, 2)) + 1.0)
        Hnew[deficit, K - 1, K - 1] = sentinel[deficit]
        Q, H, k = Qnew, Hnew, K
    return lead_out, pos_out, done_out, widen_out, n_mv, restarts
