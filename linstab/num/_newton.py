"""The one batched Newton solver of linstab: fixed points from many starts at once.

Stability maps (:mod:`linstab.num._maps`, every grid point times its seeds), the multi-start
and deflation search of :func:`linstab.num.find_fixed_points` and its final polish, and the
starting points of :func:`linstab.num.continue_curve` (Newton in the state and the parameter) all
run :func:`newton` — one damping rule, one convergence test, one treatment of the domain. (The
continuation's pseudo-arclength corrector, which solves a different, bordered system along the
curve, and the bracketed scalar solver of the maps' symmetric reduction are their own.)

step
    The Newton step ``J dz = −F``, solved for the whole batch (:func:`solve_linear`); where ``J``
    is singular to working precision, the least-squares step of minimal norm (the limit of the
    Levenberg–Marquardt step ``(JᵀJ + μI) dz = −JᵀF`` as ``μ → 0⁺``; Nocedal & Wright 2006,
    sec. 10.3). Where ``J`` is not finite the step is ``−F`` (``J`` taken as the identity); a
    start where ``F`` is not finite leaves the batch (the caller's residual check rejects it).
damping
    Backtracking: the step is halved (up to three times) while it would increase ``max |F|``;
    the last halving is taken in any case, so that a start never stops moving for want of
    descent (Deuflhard 2004, sec. 3.1 for damped Newton methods).
convergence
    ``max |F(x)| <= tol · (1 + max |x|)`` (relative in the state, ``tol = 1e-11`` by default);
    converged starts leave the batch, so the cost follows the starts still moving. Starts that
    run away (``max |x| > 1e12`` or not finite) leave it too, and the whole batch stops once
    ten iterations in a row (after the twentieth) converged no start.
domain
    Variables whose domain is ``nonnegative`` or ``positive`` stay ``>= 0``: a step that
    overshoots zero by a small fraction of its length lands on zero (a boundary fixed point such
    as an absent species is reached in one step); one that overshoots further halves the distance
    to zero instead.
deflation
    With ``roots``, the step is that of Newton on ``M(x) F(x)``, ``M = Π_r (|x − r|⁻² + 1)``
    (Farrell, Birkisson & Funke 2015), which keeps the iterates away from the roots already
    known; deflated steps are taken without backtracking (``|F|`` may grow on the way to a new
    root).

References
----------
Deuflhard, P., *Newton Methods for Nonlinear Problems*, Springer, 2004, ch. 3.
Nocedal, J. & Wright, S. J., *Numerical Optimization*, 2nd ed., Springer, 2006, ch. 10–11.
Farrell, P. E., Birkisson, Á. & Funke, S. W., Deflation techniques for finding distinct solutions
of nonlinear partial differential equations, *SIAM J. Sci. Comput.* 37 (2015), A2026–A2045.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from linstab._linalg import eye_like

__all__ = ["newton", "solve_linear", "residual"]

#: Backtracking halvings per Newton step (the step after the last one is taken in any case).
HALVINGS = 4
#: A start whose state grows beyond this has diverged.
DIVERGED = 1e12


def solve_linear(A: Any, b: Any, xp: Any = np) -> Any:
    """Batched ``A x = b`` (``A`` of shape ``(M, n, n)``, ``b`` of ``(M, n)``); singular matrices
    get the least-squares solution of minimal norm.

    With numpy, 1 × 1 and 2 × 2 systems are solved by Cramer's rule in whole-array arithmetic (the
    generic batched LAPACK call costs more per matrix than the solve itself at this size); rows
    whose determinant is negligible against the entries, and only those, go to least squares.

    Examples
    --------
    >>> A = np.array([[[2.0, 0.0], [0.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]])
    >>> solve_linear(A, np.array([[2.0, 2.0], [2.0, 2.0]])).tolist()
    [[1.0, 0.5], [1.0, 1.0]]
    """
    n = A.shape[-1]
    if xp is np and n <= 2 and A.ndim == 3:
        if n == 1:
            det = A[:, 0, 0]
            tiny = ~(np.abs(det) > 1e-14 * np.abs(det))  # zero (or nan)
            x = b / np.where(tiny, 1.0, det)[:, None]
        else:
            a11, a12, a21, a22 = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
            det = a11 * a22 - a12 * a21
            size = (np.abs(a11) + np.abs(a12)) * (np.abs(a21) + np.abs(a22))
            tiny = ~(np.abs(det) > 1e-14 * size)
            d = np.where(tiny, 1.0, det)
            x = np.stack([(a22 * b[:, 0] - a12 * b[:, 1]) / d, (a11 * b[:, 1] - a21 * b[:, 0]) / d], -1)
        if tiny.any():
            x[tiny] = _lstsq(A[tiny], b[tiny], xp)
        return x
    try:
        return xp.linalg.solve(A, b[..., None])[..., 0]
    except Exception:  # a singular matrix somewhere in the batch
        return _lstsq(A, b, xp)


def _lstsq(A: Any, b: Any, xp: Any) -> Any:
    if xp is np:
        with np.errstate(all="ignore"):
            good = np.isfinite(A).all((-1, -2)) & np.isfinite(b).all(-1)
            out = np.zeros(b.shape)
            if good.any():
                out[good] = (np.linalg.pinv(A[good]) @ b[good][..., None])[..., 0]
            return out
    return (xp.linalg.pinv(A) @ b[..., None])[..., 0]


def maxabs(a: Any, xp: Any = np) -> Any:
    """``max |a|`` over the last axis. With numpy and a short axis (the state of a small model) an
    elementwise maximum of the columns: numpy's reduction over a length-2 inner axis costs several
    times more per element."""
    if xp is np and a.shape[-1] <= 4:
        out = np.abs(a[..., 0])
        for k in range(1, a.shape[-1]):
            np.maximum(out, np.abs(a[..., k]), out=out)
        return out
    return abs(a).max(-1) if xp is np else a.abs().amax(-1)


def all_columns(a: np.ndarray) -> np.ndarray:
    """``a.all(-1)`` for a boolean ``(M, k)`` array, column by column (see :func:`maxabs`)."""
    out = a[:, 0].copy()
    for k in range(1, a.shape[1]):
        out &= a[:, k]
    return out


def residual(F: Any, xp: Any = np) -> Any:
    """``max |F|`` over the last axis, ``inf`` where it is not finite."""
    r = maxabs(F, xp)
    return xp.where(xp.isfinite(r), r, xp.full_like(r, float("inf")))


def _deflation_grad(x: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """``∇ log M(x)`` for ``M = Π_r (|x − r|⁻² + 1)``."""
    d = x[:, None, :] - roots[None, :, :]             # (S, R, n)
    r2 = np.maximum(np.sum(d * d, axis=-1), 1e-300)   # (S, R)
    w = (-2.0 / r2**2) / (1.0 / r2 + 1.0)             # d/dx of log(1/r2 + 1) = w * d
    return np.sum(w[..., None] * d, axis=1)


def newton(f: Callable[[Any, Any], Any], jac: Callable[[Any, Any], Any], x: Any, p: Any, *, xp: Any = np,
           nonneg: Any = None, iters: int = 60, tol: float = 1e-11, roots: np.ndarray | None = None) -> Any:
    """Damped Newton on ``f(x, p) = 0`` from the starts ``x`` ``(M, n)``, one parameter row each.

    See the module docstring for the step, damping, convergence test, domain and deflation.

    Parameters
    ----------
    f, jac
        Compiled right-hand side ``(M, n)`` and Jacobian ``(M, n, n)`` (``model.kernel("rhs")``,
        ``model.kernel("jacobian")``).
    x
        Starts, ``(M, n)``, inside the domain; not modified.
    p
        Parameter vectors, ``(M, n_params)`` (a broadcast view is fine).
    xp
        The array namespace: :mod:`numpy` or :mod:`torch`.
    nonneg
        Boolean ``(n,)``: the variables kept ``>= 0``; ``None`` for none.
    iters
        Newton steps at most.
    tol
        Relative residual of convergence; ``0`` iterates ``iters`` times (a polish).
    roots
        Known roots ``(R, n)`` to deflate (numpy only).

    Returns
    -------
    array
        The iterates ``(M, n)``; check their residual (:func:`residual`) to see which converged.

    Examples
    --------
    ``x² = 2`` from three starts:

    >>> f = lambda x, p: x ** 2 - p
    >>> jac = lambda x, p: (2 * x)[..., None]
    >>> x = newton(f, jac, np.array([[1.0], [5.0], [-3.0]]), np.full((3, 1), 2.0))
    >>> np.round(x[:, 0], 9).tolist()
    [1.414213562, 1.414213562, -1.414213562]

    ``x³ = x`` from ``x = 0.4``: the first step would jump to ``x = −0.25``; with ``x`` kept
    nonnegative the iterates approach zero from above and land on it:

    >>> g = lambda x, p: x ** 3 - x
    >>> dg = lambda x, p: (3 * x ** 2 - 1)[..., None]
    >>> newton(g, dg, np.array([[0.4]]), np.zeros((1, 0)), nonneg=np.array([True])).tolist()
    [[0.0]]
    """
    M, n = x.shape
    X = x.copy() if xp is np else x.clone()
    posx = None
    if nonneg is not None and bool(np.any(nonneg)):
        posx = np.asarray(nonneg, dtype=bool) if xp is np else xp.as_tensor(np.asarray(nonneg, dtype=bool),
                                                                            device=x.device)
    deflate = roots is not None and len(roots) > 0
    act = np.arange(M) if xp is np else xp.arange(M, device=x.device)
    stall = 0
    for it in range(iters):
        if act.shape[0] == 0:
            break
        xa, pa = X[act], p[act]
        F = f(xa, pa)
        Jm = jac(xa, pa)
        bad = ~xp.isfinite(Jm).all(-1).all(-1) if xp is not np else ~all_columns(np.isfinite(Jm.reshape(len(Jm), -1)))
        Jm = xp.where(bad[..., None, None], eye_like(n, Jm, xp), Jm)
        F = xp.where(xp.isfinite(F), F, xp.zeros_like(F))
        norm0 = residual(F, xp)
        size = residual(xa, xp)
        conv = norm0 <= tol * (1 + size)
        stall = 0 if bool(conv.any()) else stall + 1
        keep = ~conv & (size <= DIVERGED)
        if not bool(keep.any()) or (it >= 20 and stall >= 10):
            break
        act, xa, pa, F, Jm, norm0 = act[keep], xa[keep], pa[keep], F[keep], Jm[keep], norm0[keep]
        dz = solve_linear(Jm, -F, xp)
        dz = xp.where(xp.isfinite(dz), dz, xp.zeros_like(dz))
        if deflate:
            v = _deflation_grad(xa, roots)
            denom = 1.0 - np.sum(v * dz, axis=-1)
            denom = np.where(np.abs(denom) < 1e-12, 1e-12, denom)
            dz = dz / denom[:, None]
        new = xa + 0  # a copy: rows are filled in as their step is accepted
        todo = xp.arange(xa.shape[0]) if xp is np else xp.arange(xa.shape[0], device=xa.device)
        for k in range(HALVINGS):
            x0, d0 = xa[todo], dz[todo]
            cand = x0 + d0
            if posx is not None:
                # a step that overshoots zero by a small fraction of its length lands on it; one
                # that crosses zero far halves the distance to it
                below = posx & (cand < 0)
                onto = below & (-cand <= 1e-3 * abs(d0) + 1e-9 * (1 + abs(x0)))
                cand = xp.where(onto, xp.zeros_like(cand), xp.where(below, x0 / 2, cand))
            if deflate or k == HALVINGS - 1:
                new[todo] = cand
                break
            # only the rows still backtracking are evaluated again
            acc = residual(f(cand, pa[todo]), xp) <= norm0[todo]
            new[todo[acc]] = cand[acc]
            todo = todo[~acc]
            if todo.shape[0] == 0:
                break
            dz[todo] = dz[todo] / 2
        new = xp.where(xp.isfinite(new), new, xa)
        X[act] = new
    return X
