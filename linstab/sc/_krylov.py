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
part; convergence is judged on ``κ · r``, the residual ``r`` times the Ritz value's condition
number ``κ``, which bounds the error of a non-normal eigenvalue. A second, deflated run from a
fresh start vector then checks that no eigenvalue was missed (a single start vector does not see
the second copy of a nearly repeated eigenvalue). Cells that need a larger subspace are re-run
with a doubled one; cells that do not converge within the restart budget, need a subspace beyond
``max_subspace`` or fail the check are reported as not converged, and the caller computes their
full spectrum instead (the dense fallback). The result therefore agrees with the full
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

__all__ = ["KrylovResult", "piloted_rightmost_stats", "rightmost_stats"]


@dataclass
class KrylovResult:
    """Per-cell outputs of :func:`rightmost_stats` (numpy arrays over the cells of a chunk)."""

    leading: np.ndarray  # complex, the rightmost eigenvalue (positive imaginary part for a pair)
    n_positive: np.ndarray  # int, eigenvalues with Re > 0
    converged: np.ndarray  # bool; False -> use the dense route for this cell
    matvecs: int = 0
    restarts: int = 0
    #: per converged cell, an orthonormal basis (rows) of the invariant subspace of its converged
    #: rightmost Ritz values (the unstable ones and ``1 + buffer`` more)
    locks: dict | None = None


def _sorted_ritz(H: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenpairs of a stack of small real matrices, sorted by decreasing (Re, Im).

    Also returns each eigenvalue's condition number ``κ = ‖x‖‖y‖/|yᴴx|`` (right and left
    vectors), so that a residual ``r`` bounds the eigenvalue error by about ``κ r``.
    """
    theta, S = np.linalg.eig(H)
    order = np.lexsort((-theta.imag, -theta.real), axis=-1)
    theta = np.take_along_axis(theta, order, -1)
    S = np.take_along_axis(S, order[:, None, :], -1)
    try:
        Sinv = np.linalg.inv(S)
    except np.linalg.LinAlgError:
        Sinv = np.linalg.pinv(S)
    kappa = np.linalg.norm(Sinv, axis=-1) * np.linalg.norm(S, axis=-2)
    kappa = np.where(np.isfinite(kappa), kappa, np.inf)
    return theta, S, kappa


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
    max_matvecs: int | None = None,
    buffer: int = 2,
    eta: float = 0.5,
    tol: float | None = None,
    verify: bool = True,
    seed: int = 0,
    start: np.ndarray | None = None,
) -> KrylovResult:
    """Leading eigenvalue and number of eigenvalues with ``Re > 0`` for a chunk of cells.

    A cell is reported as converged only after a second, deflated run from a fresh start vector
    (orthogonal to the locked invariant subspace of the Ritz values found) confirms that no
    eigenvalue was missed to the right of the boundary: a single start vector cannot see the
    second copy of a (nearly) repeated eigenvalue, which this check catches.

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
    max_matvecs
        Budget of products ``J v`` per cell over all subspace sizes (default ``max(n, 6 m)``),
        so that a cell the method cannot resolve costs a fraction of its full spectrum.
    buffer
        Converged Ritz values required beyond the first one with negative real part.
    eta
        A Ritz value's sign is settled when its error bound ``κ r`` is below ``eta · |Re θ|``.
    tol
        Residual tolerance of the leading Ritz value relative to ``‖H‖``; ``1e-12`` in float64,
        ``1e-5`` in float32 by default.
    verify
        Run the deflated verification pass (recommended).
    seed
        Seed of the (shared, deterministic) start vectors.
    start
        Start vectors of the main run, one per cell (cells × n, numpy), instead of the shared
        random one: e.g. the sum of a neighbouring cell's converged invariant subspace (a warm
        start); the verification run always starts from a fresh random vector.

    Returns
    -------
    KrylovResult
    """
    n = op.size
    B = _n_cells(state)
    tol = tol if tol is not None else (1e-12 if backend.dtype == "float64" else 1e-5)
    leading = np.full(B, np.nan + 0j)
    npos = np.full(B, -1, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    locks: dict[int, np.ndarray] = {}
    projected: dict[int, np.ndarray] = {}  # Y J Yᵀ of each lock, from the Krylov relation
    todo = np.arange(B)
    m = int(min(subspace, max(2, n - 1)))
    total_mv = total_rs = 0
    budget = int(max_matvecs if max_matvecs is not None else max(n, 6 * m))
    opts = dict(n=n, max_restarts=max_restarts, buffer=buffer, eta=eta, tol=tol)
    used = 0
    while todo.size and used + m <= budget:
        out = _arnoldi_pass(op, state, backend, todo, m=m, seed=seed, mode="main",
                            max_matvecs=budget - used, start=None if start is None else start[todo], **opts)
        used += out["matvecs"]
        total_mv += out["matvecs"]
        total_rs += out["restarts"]
        done = out["done"]
        leading[todo[done]] = out["lead"][done]
        npos[todo[done]] = out["pos"][done]
        converged[todo[done]] = True
        for i, Y in out["locks"].items():
            locks[int(todo[i])] = Y
            projected[int(todo[i])] = out["projected"][i]
        m_next = min(2 * m, max_subspace, n - 1)
        if m_next <= m:
            break
        todo = todo[out["widen"]]
        m = m_next
    if verify and converged.any():
        cells = np.nonzero(converged)[0]
        L = max(locks[int(c)].shape[0] for c in cells)
        Y = np.zeros((cells.size, L, n))
        T = np.zeros((cells.size, L, L))
        for i, c in enumerate(cells):
            d = locks[int(c)].shape[0]
            Y[i, :d] = locks[int(c)]
            T[i, :d, :d] = projected[int(c)]
        # a missed eigenvalue matters if it has Re > 0 (counts) or lies right of the leading one;
        # one within 1e-9 of the leading value (e.g. a repeated eigenvalue) changes nothing
        lead_re = leading[cells].real
        thr = np.minimum(0.0, lead_re + 1e-9 * (1.0 + np.abs(lead_re)))
        m_v = int(min(_VERIFY_M, subspace, max(2, n - 1)))  # only the rightmost Ritz value is needed
        if m_v >= 2:
            deflate = _deflation(backend, Y, T)
            out = _arnoldi_pass(op, state, backend, cells, m=m_v, seed=seed + 1, mode="verify",
                                deflate=deflate, max_matvecs=budget, thr=thr, **opts)
            total_mv += out["matvecs"]
            total_rs += out["restarts"]
            ok = out["done"] & (out["lead"].real < thr)
            converged[cells[~ok]] = False
    leading[~converged] = np.nan
    npos[~converged] = -1
    return KrylovResult(leading=leading, n_positive=npos, converged=converged,
                        matvecs=total_mv, restarts=total_rs,
                        locks={c: Y for c, Y in locks.items() if converged[c]})


def _n_cells(state: Any) -> int:
    return int(state.shape[0])


def _unit(seed: int, n: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(n)
    return v / np.linalg.norm(v)


def _deflation(b: Backend, Y: np.ndarray, T: np.ndarray) -> tuple[Any, Any]:
    """Shift-deflation of the locked subspaces: ``J' = J + Yᵀ (σI − T) Y`` with ``T = Y J Yᵀ``.

    For an invariant ``Y`` the locked eigenvalues move to ``σ`` (far left) and the others stay;
    for a nearly invariant one the others move only to second order in its residual, unlike a
    projection ``(I − YᵀY) J``, which would create spurious eigenvalues near zero. ``T`` comes
    from the Krylov relation of the run that locked ``Y`` (see :func:`_arnoldi_pass`), so the
    deflation costs no products with ``J``; rows of ``Y`` that are zero (padding) do nothing.
    """
    L = Y.shape[1]
    scale = np.abs(T).sum(axis=(1, 2)) + 1.0
    sigma = -4.0 * scale
    C = sigma[:, None, None] * np.eye(L)[None] - T
    return b.asarray(Y), b.asarray(C)


def _orthogonalize(v: Any, bases: list[Any], b: Backend, passes: int = 2) -> Any:
    """Classical Gram–Schmidt of ``v`` (cells x n) against the rows of each basis (cells x k x n)."""
    for _ in range(passes):
        for Qb in bases:
            c = (Qb @ v[..., None])[..., 0]
            v = v - (c[:, None, :] @ Qb)[:, 0]
    return v


#: subspace of the verification run (only its rightmost Ritz value is needed); 24 and 48 were
#: slower on benchmark (B) of ``bench_unstable.py``
_VERIFY_M = 32
#: the pilots' largest count ``p`` sets the subspace of the other cells to about ``_WIDTH (p + 3)``;
#: 1.5 (more restarts) and 2.5 (larger Gram–Schmidt and projected eigenproblems) were slower on (B)
_WIDTH = 2.0

#: cells per block of the Gram–Schmidt steps on the CPU (numpy): the four passes over a block's
#: bases then run from the cache instead of streaming every cell's basis from memory four times
_GS_BLOCK = 4


def _cgs2(Qj: Any, w: Any, b: Backend) -> tuple[Any, Any, Any]:
    """Classical Gram–Schmidt twice of ``w`` (cells × n) against the rows of ``Qj`` (cells × j × n).

    Both passes always run: a DGKS criterion (a second pass only where the first leaves less
    than ``1/√2`` of the norm) was measured to skip it in under 3 % of the steps on the
    benchmark's networks, where ``J q`` lies mostly in the Krylov space already.

    Returns the two coefficient vectors and the orthogonalised ``w``.
    """
    B = int(w.shape[0])
    if b.name != "numpy" or B <= _GS_BLOCK:
        h = (Qj @ w[..., None])[..., 0]
        w = w - (h[:, None, :] @ Qj)[:, 0]
        h2 = (Qj @ w[..., None])[..., 0]
        return h, h2, w - (h2[:, None, :] @ Qj)[:, 0]
    h = np.empty(Qj.shape[:2], dtype=w.dtype)
    h2 = np.empty_like(h)
    out = np.empty_like(w)
    for s in range(0, B, _GS_BLOCK):
        q, v = Qj[s:s + _GS_BLOCK], w[s:s + _GS_BLOCK]
        c = (q @ v[..., None])[..., 0]
        v = v - (c[:, None, :] @ q)[:, 0]
        c2 = (q @ v[..., None])[..., 0]
        out[s:s + _GS_BLOCK] = v - (c2[:, None, :] @ q)[:, 0]
        h[s:s + _GS_BLOCK], h2[s:s + _GS_BLOCK] = c, c2
    return h, h2, out


def _arnoldi_pass(op, state, b: Backend, cells, *, m, n, seed, mode, max_restarts, max_matvecs, buffer,
                  eta, tol, deflate=None, thr=None, start=None):
    """One thick-restart Arnoldi run with subspace ``m`` on the given cells.

    ``mode='main'``: converge the rightmost Ritz values past ``Re = 0`` (see the module
    docstring); returns per cell the leading value, the count, whether done, whether to widen,
    and the locked invariant basis of the converged Ritz values. ``mode='verify'``: on the
    deflated operator (see :func:`_deflation`), run until the rightmost Ritz value lies on one
    side of ``thr`` (per cell) with its error bound less than half its distance to it.
    """
    xp = b.xp
    B0 = cells.size
    sel = xp.as_tensor(cells, device=b.device) if b.name == "torch" else cells
    st = op.take(state, sel)
    lead_out = np.full(B0, np.nan + 0j)
    pos_out = np.full(B0, -1, dtype=np.int64)
    done_out = np.zeros(B0, dtype=bool)
    widen_out = np.zeros(B0, dtype=bool)
    locks_out: dict[int, np.ndarray] = {}
    projected_out: dict[int, np.ndarray] = {}
    active = np.arange(B0)  # positions into `cells`
    Yd, Cd = deflate if deflate is not None else (None, None)
    thr_a = None if thr is None else np.asarray(thr, dtype=np.float64)

    def apply(v, st):
        w = op.matvec(v, st)
        if Yd is not None:
            c = (Yd @ v[..., None])  # (cells, L, 1)
            w = w + ((Cd @ c)[..., 0][:, None, :] @ Yd)[:, 0]
        return w

    Q = b.zeros((B0, m + 1, n))
    if start is None:
        Q[:, 0] = b.asarray(_unit(seed, n))[None, :] + Q[:, 0]
    else:
        v0 = np.asarray(start, dtype=np.float64) + 1e-3 * _unit(seed, n)[None, :]
        Q[:, 0] = b.asarray(v0 / np.linalg.norm(v0, axis=1, keepdims=True))
    H = np.zeros((B0, m + 1, m))
    k = 0
    n_mv = 0
    restarts = 0
    while active.size:
        # ---- extend the Krylov decomposition from column k to m (CGS2 orthogonalization)
        hmax = np.abs(H[:, : k + 1, :k]).max(axis=(1, 2)) if k else np.zeros(H.shape[0])
        for j in range(k, m):
            w = apply(Q[:, j], st)
            n_mv += 1
            Qj = Q[:, : j + 1]
            h, h2, w = _cgs2(Qj, w, b)
            beta = b.norm_last(w)
            hh = b.to_numpy(h + h2).astype(np.float64)
            beta_h = b.to_numpy(beta).astype(np.float64)
            H[:, : j + 1, j] += hh
            # the largest |H| entry so far (rows and columns up to j), kept as a running maximum
            hmax = np.maximum(hmax, np.abs(H[:, : j + 1, j]).max(axis=1))
            scale = hmax + 1e-300
            broke = beta_h <= 100 * b.eps * scale
            if broke.any():
                # an invariant subspace was found: continue with a fresh random direction and a
                # zero subdiagonal entry, which keeps the Krylov relation exact
                r = b.asarray(_unit(seed + 7919 * (j + 1) + 104729 * restarts, n))[None, :] + 0 * w
                r = _orthogonalize(r, [Qj], b, passes=3)
                r = r / b.norm_last(r)[:, None]
                mask = b.asarray(broke.astype(float))[:, None]
                beta_safe = xp.where(mask[:, 0] > 0, 1.0 + 0 * beta, beta)
                Q[:, j + 1] = mask * r + (1 - mask) * (w / beta_safe[:, None])
                beta_h = np.where(broke, 0.0, beta_h)
            else:
                Q[:, j + 1] = w / beta[:, None]
            H[:, j + 1, j] = beta_h
            hmax = np.maximum(hmax, beta_h)
        # ---- Ritz values and residual estimates
        Hm = H[:, :m, :m]
        theta, S, kappa = _sorted_ritz(Hm)
        beta_m = H[:, m, m - 1]
        res = kappa * np.abs(beta_m[:, None] * S[:, m - 1, :])  # ~ bound on |θ − λ|
        hnorm = np.linalg.norm(Hm, axis=(1, 2)) / np.sqrt(m) + np.abs(theta).max(axis=1)
        tight = res <= tol * hnorm[:, None]
        ok = tight | (res <= eta * np.abs(theta.real))
        if mode == "main":
            ok[:, 0] = tight[:, 0]
            p = (theta.real > 0).sum(axis=1)
            need = p + 1 + buffer
        else:
            p = np.zeros(active.size, dtype=np.int64)
            need = np.ones(active.size, dtype=np.int64)
            ok[:, 0] = tight[:, 0] | (res[:, 0] <= 0.5 * np.abs(thr_a - theta[:, 0].real))
        bad = ~ok
        first_bad = np.where(bad.any(axis=1), bad.argmax(axis=1), m)
        done = (first_bad >= need) & (need <= m - 2)
        too_big = need > m - 4
        out_of_budget = (restarts >= max_restarts) | (n_mv + (m - min(m - 4, need.max())) // 2 > max_matvecs)
        stop_widen = ~done & (too_big | out_of_budget)
        pos = active[done]
        lead_out[pos] = theta[done, 0]
        pos_out[pos] = p[done]
        done_out[pos] = True
        widen_out[active[stop_widen]] = mode == "main"
        if mode == "main" and done.any():
            # lock the invariant subspace of the `need` converged Ritz values (pairs whole)
            di = np.nonzero(done)[0]
            cost = np.where(theta.imag[di] == 0, 1, np.where(theta.imag[di] > 0, 2, 0))
            dims = np.take_along_axis(np.cumsum(cost, axis=1), (need[di] - 1)[:, None], 1)[:, 0]
            R, _ = _real_invariant_basis(theta[di], S[di], int(dims.max()))
            Qs, _ = np.linalg.qr(R)
            Vm = b.to_numpy(Q[xp.as_tensor(di, device=b.device) if b.name == "torch" else di, :m])
            Y = Qs.transpose(0, 2, 1) @ Vm
            # Y J Yᵀ without products: J Vᵀ = Vᵀ H_m + q_m H[m, :m] (the Krylov relation, V's
            # rows the basis) and Y q_m = 0, so Y J Yᵀ = Qsᵀ H_m Qs to rounding
            Tl = Qs.transpose(0, 2, 1) @ H[di, :m, :m] @ Qs
            for t, i in enumerate(di):
                locks_out[int(active[i])] = Y[t, : dims[t]].astype(np.float64)
                projected_out[int(active[i])] = Tl[t, : dims[t], : dims[t]]
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
        if Yd is not None:
            Yd, Cd = Yd[ksel], Cd[ksel]
        if thr_a is not None:
            thr_a = thr_a[kidx]
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
    return {"lead": lead_out, "pos": pos_out, "done": done_out, "widen": widen_out, "locks": locks_out,
            "projected": projected_out, "matvecs": n_mv, "restarts": restarts}


def piloted_rightmost_stats(
    op: Any,
    state: Any,
    backend: Backend,
    *,
    subspace: int = 48,
    max_subspace: int = 192,
    pilot: int = 4,
    warm: bool = True,
    seed: int = 0,
) -> KrylovResult:
    """:func:`rightmost_stats` with the subspace sized by a few pilot cells (and warm-started).

    The cost of the method grows with the number ``p`` of unstable eigenvalues: it needs a
    subspace of more than ``p + 1 + buffer`` vectors, and a cell whose count outgrows the
    subspace is re-run with a doubled one from scratch. Cells of one cluster share ``W``, so
    their counts are similar: the first ``pilot`` cells run as usual; the others then start with
    a subspace of about ``2 (p_max + 3)`` (``p_max`` the pilots' largest count), from a start
    vector in the span of the pilots' converged invariant subspaces (a random combination of it,
    plus a random part; with ``warm``). The verification run and every convergence test are those
    of :func:`rightmost_stats`, so the results do not depend on the start beyond rounding. Where
    no pilot settles, or ``2 (p_max + 3)`` exceeds ``max_subspace``, the other cells are reported
    as not converged at once (the caller computes their full spectra, which is cheaper there).
    """
    B = _n_cells(state)
    n = op.size
    if B <= 2 * pilot:
        return rightmost_stats(op, state, backend, subspace=subspace, max_subspace=max_subspace, seed=seed)
    xp = backend.xp
    first = np.arange(pilot)
    rest = np.arange(pilot, B)
    sel = (lambda i: i) if backend.name == "numpy" else (lambda i: xp.as_tensor(i, device=backend.device))
    a = rightmost_stats(op, op.take(state, sel(first)), backend, subspace=subspace, max_subspace=max_subspace,
                        seed=seed)
    m = subspace
    start = None
    if not a.converged.any() or 2 * (int(a.n_positive[a.converged].max()) + 3) > max_subspace:
        # the pilots did not settle, or their counts need a subspace beyond max_subspace: the
        # other cells would mostly fail too, after costing more than their full spectra
        none = np.zeros(rest.size, dtype=bool)
        return KrylovResult(leading=np.concatenate([a.leading, np.full(rest.size, np.nan + 0j)]),
                            n_positive=np.concatenate([a.n_positive, np.full(rest.size, -1)]),
                            converged=np.concatenate([a.converged, none]),
                            matvecs=a.matvecs, restarts=a.restarts, locks=dict(a.locks or {}))
    if a.converged.any():
        p = int(a.n_positive[a.converged].max())
        m = int(min(max_subspace, max(subspace, 16 * -(-int(_WIDTH * (p + 3)) // 16))))
        if warm:
            Y = np.concatenate([a.locks[int(c)] for c in np.nonzero(a.converged)[0]], axis=0)
            c = np.random.default_rng(seed + 11).standard_normal((rest.size, Y.shape[0]))
            start = c @ Y
            start /= np.linalg.norm(start, axis=1, keepdims=True)
    b = rightmost_stats(op, op.take(state, sel(rest)), backend, subspace=min(m, max(2, n - 1)),
                        max_subspace=max_subspace, seed=seed, start=start)
    locks = dict(a.locks or {})
    locks.update({pilot + int(c): Y for c, Y in (b.locks or {}).items()})
    return KrylovResult(leading=np.concatenate([a.leading, b.leading]),
                        n_positive=np.concatenate([a.n_positive, b.n_positive]),
                        converged=np.concatenate([a.converged, b.converged]),
                        matvecs=a.matvecs + b.matvecs, restarts=a.restarts + b.restarts, locks=locks)
