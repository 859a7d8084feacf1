"""Leading eigenvalue and unstable-eigenvalue count of many Jacobians without full spectra.

A thick-restart Arnoldi method (Morgan 1996; Stewart 2001, Krylov–Schur) runs on a whole chunk
of cells at once: every cell has its own Krylov basis, but the products ``J v`` of all cells are
one matrix product (:meth:`HopfieldOperator.matmat`), and the Gram–Schmidt steps are batched
matrix–vector products (matrix products for a block method, ``block > 1``: each step then takes
``s`` vectors per cell, orthogonalised by block classical Gram–Schmidt twice and a Householder
QR). The small projected matrices (``m × m``, ``m`` ≈ 50) are diagonalised on the host with
LAPACK.

For every cell the method widens the set of rightmost Ritz values until it has crossed the
boundary ``Re λ = 0``: it stops when the ``p`` Ritz values with positive real part and the
next one (with negative real part; and ``buffer`` more where that one lies within ``1e-3 ‖H‖``
of the axis) are converged, the leading one to a tight
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
    block: int | None = None,
    widen_early: bool = False,
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
        Converged Ritz values required beyond the first one with negative real part, where that
        one lies within ``1e-3 ‖H‖`` of the imaginary axis (a cluster near the axis).
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
    block
        Vectors per cell in each Arnoldi step (block Arnoldi; default ``_BLOCK``, 1 for blocks
        of J under ``8 * block`` genes).
    widen_early
        Widen the subspace as soon as the Ritz values ask for more than ``0.6 m`` vectors,
        instead of restarting until they ask for ``m - 4`` (for cells whose count is unknown:
        the restarts of a subspace too small for the count add a few vectors each).

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
    s = int(block if block is not None else _BLOCK)
    s = s if n >= 8 * s else 1
    m = _fit(subspace, n, s)
    total_mv = total_rs = 0
    budget = int(max_matvecs if max_matvecs is not None else max(n, 6 * m))
    opts = dict(n=n, max_restarts=max_restarts, buffer=buffer, eta=eta, tol=tol, block=s)
    used = 0
    while todo.size and used + m <= budget:
        out = _arnoldi_pass(op, state, backend, todo, m=m, seed=seed, mode="main", widen_early=widen_early,
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
        m_next = _fit(min(2 * m, max_subspace), n, s)
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
        m_v = _fit(min(_VERIFY_M, subspace), n, s)  # only the rightmost Ritz value is needed
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


def _fit(m: int, n: int, s: int) -> int:
    """A subspace of at most ``m`` vectors for block size ``s`` in dimension ``n``: a multiple of
    ``s`` with room for the ``s`` residual vectors (``m + s <= n``), at least ``max(2, s)``."""
    m = int(min(m, n - s))
    return max(s * (m // s), 2 if s == 1 else s)


def _n_cells(state: Any) -> int:
    return int(state.shape[0])


def _unit(seed: int, n: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(n)
    return v / np.linalg.norm(v)


def _deflation(b: Backend, Y: np.ndarray, T: np.ndarray) -> tuple[Any, Any]:
    """Shift-deflation of the locked subspaces: ``J' = J + Yᵀ (σI − T) Y`` with ``T = Y J Yᵀ``.

    For an invariant ``Y`` the locked eigenvalues move to ``σ`` (to the left) and the others stay;
    for a nearly invariant one the others move only to second order in its residual, unlike a
    projection ``(I − YᵀY) J``, which would create spurious eigenvalues near zero. ``T`` comes
    from the Krylov relation of the run that locked ``Y`` (see :func:`_arnoldi_pass`), so the
    deflation costs no products with ``J``; rows of ``Y`` that are zero (padding) do nothing.
    """
    L = Y.shape[1]
    # σ = −‖T‖₂ − 10⁻³ lies left of every locked eigenvalue's real part (‖T‖₂ is at least the
    # spectral radius of T), so left of the threshold of the check, yet inside the span of the
    # spectrum: a shift far to the left (the earlier −4 Σ|T_ij|) widens the spectrum the check's
    # Krylov run sees and slows the convergence of its rightmost Ritz value (benchmark (B):
    # 80-192 products per cell with the far shift, 48-96 with this one)
    sigma = -np.linalg.norm(T, 2, axis=(1, 2)) - 1e-3
    C = sigma[:, None, None] * np.eye(L)[None] - T
    return b.asarray(Y), b.asarray(C)


#: subspace of the verification run (only its rightmost Ritz value is needed); 24 and 48 were
#: slower on benchmark (B) of ``bench_unstable.py``
_VERIFY_M = 32
#: the pilots' largest count ``p`` sets the subspace of the other cells to about ``_WIDTH (p + 3)``;
#: 1.5 (fallbacks to full spectra), 2.0 and 2.25 (larger Gram–Schmidt and projected
#: eigenproblems) were slower on (B) than 1.75
_WIDTH = 1.75
#: vectors per cell in each Arnoldi step (block Arnoldi, see :func:`_arnoldi_pass`). On (B) with
#: one BLAS thread, blocks of 2, 4 and 8 made each product cheaper (one GEMM with ``cells · s``
#: rows, block Gram–Schmidt) but needed more products and restarts for the same convergence
#: (the polynomial degree of a block Krylov space is ``m / s``): 1 was fastest
_BLOCK = 1
#: the ``buffer`` Ritz values beyond the first negative one are required only where that one lies
#: within ``_NEAR_AXIS · ‖H‖`` of the imaginary axis. Without the buffer at all, a cluster of
#: eigenvalues 2e-6 apart around zero (test ``near_zero``) lost a count; with it everywhere, cells
#: whose first negative eigenvalue lies well inside a dense cluster (benchmark (B): at −0.07, with
#: ‖H‖ about 4) paid 20-50 % more products for the convergence of two more cluster members
_NEAR_AXIS = 1e-3

#: cells per block of the Gram–Schmidt steps on the CPU (numpy). With one cell (its basis, up to
#: 0.9 MB at 1000 genes, fits the 2 MB L2 cache of the benchmark machine) the second pass runs
#: from the cache; blocks of 4 cells (3.6 MB) were slower on (B)
_GS_BLOCK = 1


def _cgs2(Qj: Any, w: Any, b: Backend) -> tuple[Any, Any]:
    """Block classical Gram–Schmidt twice of the rows of ``w`` (cells × s × n) against the rows of
    ``Qj`` (cells × j × n): two matrix products per pass (BLAS-3 for a block of ``s > 1``).

    Both passes always run: a DGKS criterion (a second pass only where the first leaves less
    than ``1/√2`` of the norm) was measured to skip it in under 3 % of the steps on the
    benchmark's networks, where ``J q`` lies mostly in the Krylov space already.

    Returns the summed coefficients (cells × j × s) and the orthogonalised ``w``.
    """
    B = int(w.shape[0])
    sw = Backend.swap
    if b.name != "numpy" or B <= _GS_BLOCK:
        h = Qj @ sw(w)
        w = w - sw(h) @ Qj
        h2 = Qj @ sw(w)
        return h + h2, w - sw(h2) @ Qj
    h = np.empty((B, Qj.shape[1], w.shape[1]), dtype=w.dtype)
    out = np.empty_like(w)
    for s in range(0, B, _GS_BLOCK):
        q, v = Qj[s:s + _GS_BLOCK], w[s:s + _GS_BLOCK]
        c = q @ sw(v)
        v = v - sw(c) @ q
        c2 = q @ sw(v)
        out[s:s + _GS_BLOCK] = v - sw(c2) @ q
        h[s:s + _GS_BLOCK] = c + c2
    return h, out


def _orthonormal_rows(w: Any, b: Backend) -> tuple[Any, np.ndarray]:
    """``w = R̃ Z`` with orthonormal rows ``Z`` (cells × s × n) by Householder QR of ``wᵀ``; returns
    ``Z`` and ``R̃`` (cells × s × s, numpy: ``R̃[i, c]`` the coefficient of ``Z_i`` in ``w_c``)."""
    if int(w.shape[1]) == 1:
        beta = b.norm_last(w[:, 0])
        safe = b.xp.where(beta > 0, beta, 1.0 + 0 * beta)
        return w / safe[:, None, None], b.to_numpy(beta).astype(np.float64)[:, None, None]
    Z, R = b.xp.linalg.qr(Backend.swap(w))
    return Backend.swap(Z), b.to_numpy(R).astype(np.float64)


def _repair_block(Qj: Any, w: Any, b: Backend, scale: np.ndarray, rows: np.ndarray, seed: int) -> tuple:
    """The next basis block of the cells ``rows`` whose new block ``w`` (cells × s × n, already
    orthogonal to the basis ``Qj``) is (nearly) rank-deficient: an invariant subspace was found.

    With the SVD ``w = U Σ Vᵀ``, directions with ``σ ≤ 100 ε · scale`` are dropped (``σ`` set to 0,
    which perturbs the Krylov relation by that much, as a zero subdiagonal entry of single-vector
    Arnoldi does) and replaced by fresh random directions; the block is then orthogonalised
    against ``Qj`` and within itself: ``Vᵀ = Cᵀ Qj + R₂ᵀ Z``, so ``w = (C Σ Uᵀ)ᵀ Qj + (R₂ Σ Uᵀ)ᵀ Z``
    exactly. Returns ``Z`` (len(rows) × s × n, numpy) and the two coefficient blocks.
    """
    Qn = b.to_numpy(Qj[rows] if b.name == "numpy" else Qj[b.xp.as_tensor(rows, device=b.device)]).astype(np.float64)
    wn = b.to_numpy(w[rows] if b.name == "numpy" else w[b.xp.as_tensor(rows, device=b.device)]).astype(np.float64)
    U, sig, Vt = np.linalg.svd(wn, full_matrices=False)
    small = sig <= 100 * b.eps * scale[rows][:, None]
    sig = np.where(small, 0.0, sig)
    rng = np.random.default_rng(seed)
    rnd = rng.standard_normal(Vt.shape)
    Vt = np.where(small[:, :, None], rnd / np.linalg.norm(rnd, axis=-1, keepdims=True), Vt)
    C = np.zeros((len(rows), Qn.shape[1], Vt.shape[1]))
    X = Vt
    for _ in range(3):
        c = Qn @ X.swapaxes(1, 2)
        X = X - c.swapaxes(1, 2) @ Qn
        C += c
    Zt, R2 = np.linalg.qr(X.swapaxes(1, 2))
    sign = np.where(np.diagonal(R2, axis1=1, axis2=2) < 0, -1.0, 1.0)
    Zt, R2 = Zt * sign[:, None, :], R2 * sign[:, :, None]
    SU = sig[:, :, None] * U.swapaxes(1, 2)
    return Zt.swapaxes(1, 2), C @ SU, R2 @ SU


def _arnoldi_pass(op, state, b: Backend, cells, *, m, n, seed, mode, max_restarts, max_matvecs, buffer,
                  eta, tol, deflate=None, thr=None, start=None, block=1, widen_early=False):
    """One thick-restart block Arnoldi run with subspace ``m`` on the given cells.

    Each step applies ``J`` to a block of ``block`` (``s``) basis vectors per cell (one matrix
    product over all cells and vectors) and orthogonalises the ``s`` new vectors by block
    Gram–Schmidt and a Householder QR, which keeps the Krylov decomposition
    ``J Vᵀ = Vᵀ H[:m] + Zᵀ E`` (``V`` the ``m`` basis rows, ``Z`` the ``s`` residual rows,
    ``E = H[m:m+s]``) exact; thick restarts keep it in Krylov–Schur form (Stewart 2001), and the
    residual of a Ritz pair ``(θ, V ᵀy)`` is ``‖E y‖``. A block of ``s`` random start vectors also
    sees up to ``s`` copies of a repeated eigenvalue. ``m`` must be a multiple of ``s``.

    ``mode='main'``: converge the rightmost Ritz values past ``Re = 0`` (see the module
    docstring); returns per cell the leading value, the count, whether done, whether to widen,
    and the locked invariant basis of the converged Ritz values. ``mode='verify'``: on the
    deflated operator (see :func:`_deflation`), run until the rightmost Ritz value lies on one
    side of ``thr`` (per cell) with its error bound less than half its distance to it.
    """
    xp = b.xp
    s = int(block)
    sw = Backend.swap
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

    def apply(V, st):
        w = op.matmat(V, st)
        if Yd is not None:
            w = w + sw(Cd @ (Yd @ sw(V))) @ Yd
        return w

    Q = b.zeros((B0, m + s, n))
    V0 = np.stack([_unit(seed + 7 * i, n) for i in range(s)])[None].repeat(B0, axis=0)
    if start is not None:
        v0 = np.asarray(start, dtype=np.float64)
        v0 = (v0 if v0.ndim == 3 else v0[:, None, :])[:, :s] + 1e-3 * V0[:, : min(s, v0.shape[-2])]
        V0[:, : v0.shape[1]] = v0 / np.linalg.norm(v0, axis=-1, keepdims=True)
    Z0, _ = np.linalg.qr(V0.swapaxes(1, 2))
    Q[:, :s] = b.asarray(Z0.swapaxes(1, 2))
    H = np.zeros((B0, m + s, m))
    k = 0
    n_mv = 0
    restarts = 0
    while active.size:
        # ---- extend the Krylov decomposition from column k to m, s columns a step
        hmax = np.abs(H[:, : k + s, :k]).max(axis=(1, 2)) if k else np.zeros(H.shape[0])
        for j in range(k, m, s):
            w = apply(Q[:, j:j + s], st)
            n_mv += s
            Qj = Q[:, : j + s]
            h, w = _cgs2(Qj, w, b)
            Z, R = _orthonormal_rows(w, b)
            H[:, : j + s, j:j + s] += b.to_numpy(h).astype(np.float64)
            hmax = np.maximum(hmax, np.abs(H[:, : j + s, j:j + s]).max(axis=(1, 2)))
            scale = hmax + 1e-300
            rdiag = np.abs(np.diagonal(R, axis1=1, axis2=2)).min(axis=1)
            broke = np.nonzero(rdiag <= 1e-8 * scale)[0]
            if broke.size:
                # (nearly) an invariant subspace: fresh random directions, Krylov relation exact
                Zr, Hc, Rr = _repair_block(Qj, w, b, scale, broke, seed + 7919 * (j + 1) + 104729 * restarts)
                if b.name == "numpy":
                    Z[broke] = Zr
                else:
                    Z[xp.as_tensor(broke, device=b.device)] = b.asarray(Zr)
                H[broke, : j + s, j:j + s] += Hc
                R[broke] = Rr
            Q[:, j + s:j + 2 * s] = Z
            H[:, j + s:j + 2 * s, j:j + s] = R
            hmax = np.maximum(hmax, np.abs(R).max(axis=(1, 2)))
        # ---- Ritz values and residual estimates
        Hm = H[:, :m, :m]
        theta, S, kappa = _sorted_ritz(Hm)
        E = H[:, m:m + s, :m]
        res = kappa * np.linalg.norm(E @ S, axis=1)  # ~ bound on |θ − λ|
        hnorm = np.linalg.norm(Hm, axis=(1, 2)) / np.sqrt(m) + np.abs(theta).max(axis=1)
        tight = res <= tol * hnorm[:, None]
        ok = tight | (res <= eta * np.abs(theta.real))
        if mode == "main":
            ok[:, 0] = tight[:, 0]
            p = (theta.real > 0).sum(axis=1)
            # the `buffer` next Ritz values only where the first negative one lies near the axis
            # (within _NEAR_AXIS ‖H‖): there a cluster of eigenvalues straddling it is resolved
            # whole, where the first-order bound κ r of a single Ritz value is not to be trusted
            first_neg = theta.real[np.arange(theta.shape[0]), np.minimum(p, m - 1)]
            need = p + 1 + np.where(first_neg > -_NEAR_AXIS * hnorm, buffer, 0)
        else:
            p = np.zeros(active.size, dtype=np.int64)
            need = np.ones(active.size, dtype=np.int64)
            ok[:, 0] = tight[:, 0] | (res[:, 0] <= 0.5 * np.abs(thr_a - theta[:, 0].real))
        bad = ~ok
        first_bad = np.where(bad.any(axis=1), bad.argmax(axis=1), m)
        done = (first_bad >= need) & (need <= m - 2)
        too_big = need > (0.6 * m if widen_early else m - 4)
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
            # Y J Yᵀ without products: J Vᵀ = Vᵀ H_m + Zᵀ E (the Krylov relation, V's rows the
            # basis) and Y Zᵀ = 0, so Y J Yᵀ = Qsᵀ H_m Qs to rounding
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
        theta, S, need, E, H = theta[kidx], S[kidx], need[kidx], E[kidx], H[kidx]
        ksel = xp.as_tensor(kidx, device=b.device) if b.name == "torch" else kidx
        Q = Q[ksel]
        st = op.take(st, ksel)
        if Yd is not None:
            Yd, Cd = Yd[ksel], Cd[ksel]
        if thr_a is not None:
            thr_a = thr_a[kidx]
        nmax = int(need.max())
        K = int(min(m - 4, max(nmax + (m - nmax) // 2, 1)))
        K = m - s * max(1, (m - K) // s)  # whole blocks from K to m
        R, deficit = _real_invariant_basis(theta, S, K)
        Qs, _ = np.linalg.qr(R)
        Qs[deficit, :, K - 1] = 0.0
        Qnew = b.zeros(Q.shape)
        Qs_dev = b.asarray(Qs)
        Qnew[:, :K] = sw(Qs_dev) @ Q[:, :m]
        Qnew[:, K:K + s] = Q[:, m:m + s]
        Hnew = np.zeros_like(H)
        QsT = Qs.transpose(0, 2, 1)
        Hnew[:, :K, :K] = QsT @ H[:, :m, :m] @ Qs
        Hnew[:, K:K + s, :K] = E @ Qs
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
                        seed=seed, widen_early=True)
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
            s = int(_BLOCK)
            c = np.random.default_rng(seed + 11).standard_normal((rest.size, s, Y.shape[0]))
            start = c @ Y
            start /= np.linalg.norm(start, axis=-1, keepdims=True)
    b = rightmost_stats(op, op.take(state, sel(rest)), backend, subspace=min(m, max(2, n - 1)),
                        max_subspace=max_subspace, seed=seed, start=start)
    locks = dict(a.locks or {})
    locks.update({pilot + int(c): Y for c, Y in (b.locks or {}).items()})
    return KrylovResult(leading=np.concatenate([a.leading, b.leading]),
                        n_positive=np.concatenate([a.n_positive, b.n_positive]),
                        converged=np.concatenate([a.converged, b.converged]),
                        matvecs=a.matvecs + b.matvecs, restarts=a.restarts + b.restarts, locks=locks)
