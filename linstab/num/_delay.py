"""Delay equations, numerically: characteristic roots, stability maps, simulation.

The characteristic equation ``det(λI − A₀ − Σ_k A_k e^{−λτ_k}) = 0`` of a linearised delay
equation has infinitely many roots; the rightmost ones decide stability. They are computed as
DDE-BIFTOOL does: the infinitesimal generator of the solution semigroup, acting on functions on
``[−τ_max, 0]``, is discretised by Chebyshev collocation (``N + 1`` nodes; the derivative inside,
the equation itself at ``θ = 0``), and the eigenvalues of that ``n(N + 1)``-square matrix
approximate the rightmost characteristic roots with spectral accuracy. Each is then polished by
Newton's method on the characteristic matrix (``λ ← λ − 1/tr(Δ(λ)⁻¹Δ′(λ))``). Everything is
batched over leading dimensions, so that a grid of parameter points is one stack of matrices.

For the scalar equation ``dx/dt = a₀x(t) + a₁x(t − τ)`` the roots are also known through the
Lambert W function: ``λ = a₀ + W_k(a₁τ e^{−a₀τ})/τ``, the principal branch giving the rightmost
root — an independent check.

Simulation uses the method of steps: on each interval of length ``min τ`` the delayed states are
already known (the initial history, or the dense output of earlier intervals), so the equation
is an ODE that :func:`scipy.integrate.solve_ivp` integrates.

References
----------
Breda, D., Maset, S. & Vermiglio, R., SIAM J. Sci. Comput. 27, 482 (2005) (the spectral
discretisation); Engelborghs, K., Luzyanina, T. & Roose, D., ACM Trans. Math. Softw. 28, 1 (2002)
(DDE-BIFTOOL); Trefethen, L. N., *Spectral Methods in MATLAB* (2000), ch. 6 (Chebyshev
differentiation); Corless, R. M. et al., Adv. Comput. Math. 5, 329 (1996) and Shinozaki, H. &
Mori, T., Automatica 42, 1791 (2006) (Lambert W; the principal branch is rightmost); Bellen, A. &
Zennaro, M., *Numerical Methods for Delay Differential Equations* (2003), ch. 3 (method of steps).
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, DimensionError, ModelError, ParameterError
from linstab.model import Model, load_model
from linstab.num._kernels import compile_kernel
from linstab.num._maps import StabilityMap
from linstab.num._simulate import Trajectory

__all__ = ["characteristic_roots", "lambert_w_roots", "rightmost_roots", "delay_stability_map", "simulate_dde",
           "chebyshev"]


def chebyshev(N: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev points ``x_j = cos(jπ/N)`` (from 1 down to −1) and the differentiation matrix.

    Parameters
    ----------
    N
        Number of intervals (``N + 1`` points).

    Returns
    -------
    x, D
        Points ``(N + 1,)`` and ``D`` ``(N + 1, N + 1)`` with ``(D u)_i ≈ u′(x_i)``.

    References
    ----------
    Trefethen (2000), program ``cheb.m``.

    Examples
    --------
    >>> x, D = chebyshev(6)
    >>> bool(np.allclose(D @ x**3, 3 * x**2))
    True
    """
    if N < 1:
        raise ValueError(f"N must be at least 1, got {N}")
    x = np.cos(np.pi * np.arange(N + 1) / N)
    c = np.ones(N + 1)
    c[0] = c[-1] = 2.0
    c *= (-1.0) ** np.arange(N + 1)
    dX = x[:, None] - x[None, :]
    D = np.outer(c, 1.0 / c) / (dX + np.eye(N + 1))
    D -= np.diag(D.sum(axis=1))
    return x, D


def _lagrange(xs: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Values ``(..., N + 1)`` of the Lagrange basis on the Chebyshev points ``xs`` at ``at`` (barycentric)."""
    N = len(xs) - 1
    w = (-1.0) ** np.arange(N + 1)
    w[0] *= 0.5
    w[-1] *= 0.5
    diff = at[..., None] - xs
    exact = np.abs(diff) < 1e-14
    with np.errstate(divide="ignore", invalid="ignore"):
        t = w / diff
        out = t / t.sum(axis=-1, keepdims=True)
    hit = exact.any(axis=-1)
    return np.where(hit[..., None], exact.astype(float), out)


def _char_matrix(lam: np.ndarray, A0: np.ndarray, A: np.ndarray, taus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Δ(λ)`` and ``Δ′(λ)`` for roots ``lam (..., r)``: shapes ``(..., r, n, n)``."""
    n = A0.shape[-1]
    with np.errstate(all="ignore"):  # a far-left candidate may overflow: its Newton step is then dropped
        return _char_matrix_unchecked(lam, A0, A, taus, n)


def _char_matrix_unchecked(lam: np.ndarray, A0: np.ndarray, A: np.ndarray, taus: np.ndarray, n: int
                           ) -> tuple[np.ndarray, np.ndarray]:
    E = np.exp(-lam[..., None] * taus[..., None, :])  # (..., r, m)
    Ak = A[..., None, :, :, :]  # (..., 1, m, n, n)
    S = np.einsum("...rk,...rkab->...rab", E, np.broadcast_to(Ak, (*E.shape, n, n)))
    dS = np.einsum("...rk,...rkab->...rab", E * taus[..., None, :], np.broadcast_to(Ak, (*E.shape, n, n)))
    eye = np.eye(n)
    return lam[..., None, None] * eye - A0[..., None, :, :] - S, eye + dS


def _solve(M: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``M⁻¹B`` over a batch; ``nan`` where ``M`` is exactly singular (an exact root), instead of a
    LinAlgError for the whole batch."""
    det = np.linalg.det(M)
    singular = ~(np.abs(det) > 0)
    eye = np.eye(M.shape[-1])
    out = np.linalg.solve(np.where(singular[..., None, None], eye, M), B)
    return np.where(singular[..., None, None], np.nan, out)


def _polish(lam: np.ndarray, A0: np.ndarray, A: np.ndarray, taus: np.ndarray, iters: int = 30
            ) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method on ``det Δ(λ) = 0``: ``λ ← λ − 1/tr(Δ⁻¹Δ′)`` (Jacobi's formula).

    Returns the roots and whether each converged (last step below ``1e-10 (1 + |λ|)``)."""
    lam = lam.astype(complex)
    step = np.full(lam.shape, np.inf, dtype=complex)
    for _ in range(iters):
        M, dM = _char_matrix(lam, A0, A, taus)
        with np.errstate(all="ignore"):
            step = 1.0 / np.trace(_solve(M, dM), axis1=-2, axis2=-1)
        step = np.where(np.isfinite(step), step, 0.0)  # an exactly singular Δ: λ is a root already
        lam = lam - step
        if np.all(np.abs(step) <= 1e-13 * (1 + np.abs(lam))):
            break
    return lam, np.isfinite(lam) & (np.abs(step) <= 1e-10 * (1 + np.abs(lam)))


def _discretised(A0: np.ndarray, A: np.ndarray, taus: np.ndarray, N: int, n_roots: int, polish: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Rightmost roots ``(P, n_roots)`` of flat batches with ``N`` Chebyshev intervals, and whether
    each point is resolved: the rightmost root Newton converged to is an eigenvalue of the
    discretisation already (to ``1e-6 (1 + |λ|)``). Otherwise the grid is too coarse (stiff terms,
    ``|A|τ`` large) and the point is recomputed on a finer one. The further roots are
    Newton-converged true roots; far to the left a coarse grid may skip some."""
    P, n = A.shape[0], A.shape[-1]
    xs, D = chebyshev(N)
    tmax = taus.max(axis=-1)
    ode = tmax <= 0
    scale = np.where(ode, 1.0, tmax)
    # the generator: block row 0 is the equation at θ = 0, rows 1..N the derivative (θ = τ_max (x − 1)/2)
    ell = _lagrange(xs, 1.0 - 2.0 * taus / scale[:, None])  # (P, m, N + 1)
    top = np.einsum("pkj,pkab->pajb", ell, A).copy()
    top[:, :, 0, :] += A0
    M = np.zeros((P, n * (N + 1), n * (N + 1)))
    M[:, :n, :] = top.reshape(P, n, n * (N + 1))
    M[:, n:, :] = np.kron(D[1:], np.eye(n)) * (2.0 / scale)[:, None, None]
    if np.any(ode):  # all delays zero: the roots are the eigenvalues of A₀ + ΣA_k
        M[ode] = 0.0
        M[ode, :n, :n] = A0[ode] + A[ode].sum(axis=-3)
    ev = np.linalg.eigvals(M)
    if np.any(ode):
        ev[ode, n:] = np.nan
    key = np.where(np.isnan(ev.real), -np.inf, ev.real)
    K = min(ev.shape[-1], n_roots + max(4, 2 * n))
    raw = np.take_along_axis(ev, np.argsort(-key, axis=-1, kind="stable")[:, :K], axis=-1)
    finite = np.isfinite(raw)
    if not polish:
        return raw[:, :n_roots], np.ones(P, bool)
    pol, conv = _polish(np.where(finite, raw, 0.0), A0, A, taus)
    pol = np.where(finite & conv, pol, np.nan)
    # the roots Newton converged to, each once, rightmost first
    order = np.argsort(-np.where(np.isnan(pol.real), -np.inf, pol.real), axis=-1, kind="stable")
    pol = np.take_along_axis(pol, order, axis=-1)
    same = np.abs(pol[:, :, None] - pol[:, None, :]) <= 1e-8 * (1 + np.abs(pol[:, :, None]))
    earlier = np.tril(np.ones((K, K), bool), -1)
    pol = np.where(np.any(same & earlier, axis=-1), np.nan, pol)
    order = np.argsort(-np.where(np.isnan(pol.real), -np.inf, pol.real), axis=-1, kind="stable")
    pol = np.take_along_axis(pol, order, axis=-1)
    # the rightmost root decides stability: the discretisation must already have it (an eigenvalue
    # that Newton moves by less than 1e-6); eigenvalues right of it that Newton moves away are
    # artefacts of the grid (or of no root at all, as the derivative block's when A_k = 0)
    lead = pol[:, :1]
    resolved = np.isnan(lead[:, 0]) | np.any(np.abs(ev - lead) <= 1e-6 * (1 + np.abs(lead)), axis=-1)
    return pol[:, :n_roots], resolved


#: memory for one block of discretised generators in :func:`characteristic_roots` (bytes)
_BLOCK_BYTES = 256 * 2**20


def characteristic_roots(A0: Any, A: Any, taus: Any, *, n_roots: int = 6, n_nodes: int = 24,
                         max_nodes: int = 384, polish: bool = True) -> np.ndarray:
    """The rightmost roots of ``det(λI − A₀ − Σ_k A_k e^{−λτ_k}) = 0``, batched.

    Parameters
    ----------
    A0
        ``(..., n, n)``: the instantaneous part.
    A
        ``(..., m, n, n)``: one delayed matrix per delay.
    taus
        ``(..., m)``: the delays, ``>= 0``.
    n_roots
        How many roots to return, rightmost first.
    n_nodes
        Chebyshev intervals ``N`` of the discretisation (the matrix is ``n(N + 1)`` square); the
        rightmost roots converge spectrally in ``N``, and Newton polishing takes them to round-off.
    max_nodes
        Where the rightmost eigenvalues are not yet roots (Newton moves them), ``N`` is doubled
        for those points, up to this many intervals (then a ``RuntimeWarning``).
    polish
        Whether to polish each root by Newton's method on the characteristic matrix.

    Returns
    -------
    numpy.ndarray
        Complex, ``(..., n_roots)``, sorted by decreasing real part, each a root to round-off;
        ``nan`` pads a point with fewer roots (an ODE, all delays zero, has ``n``). The rightmost
        is checked: where the discretisation's rightmost eigenvalue is not yet a root, the grid
        is refined (up to ``max_nodes``).

    References
    ----------
    Breda, Maset & Vermiglio (2005); Engelborghs, Luzyanina & Roose (2002).

    Examples
    --------
    Hayes's equation ``dx/dt = −a x(t − τ)`` at ``aτ = π/2``: the rightmost pair is ``±ia``.

    >>> r = characteristic_roots([[0.0]], [[[-1.0]]], [np.pi / 2], n_roots=2)
    >>> np.round(np.sort(r.imag), 10), bool(np.all(np.abs(r.real) < 1e-12))
    (array([-1.,  1.]), True)
    """
    A0 = np.asarray(A0, dtype=float)
    A = np.asarray(A, dtype=float)
    taus = np.asarray(taus, dtype=float)
    if A0.ndim < 2 or A0.shape[-1] != A0.shape[-2]:
        raise DimensionError(f"A0 must have shape (..., n, n), got {A0.shape}")
    n = A0.shape[-1]
    if A.ndim < 3 or A.shape[-2:] != (n, n):
        raise DimensionError(f"A must have shape (..., m, {n}, {n}), got {A.shape}")
    m = A.shape[-3]
    if taus.shape[-1:] != (m,):
        raise DimensionError(f"taus must have shape (..., {m}) (one delay per matrix of A), got {taus.shape}")
    if np.any(taus < 0) or not np.all(np.isfinite(taus)):
        raise ParameterError(f"delays must be finite and >= 0; got values from {np.nanmin(taus)} to {np.nanmax(taus)}")
    batch = np.broadcast_shapes(A0.shape[:-2], A.shape[:-3], taus.shape[:-1])
    A0 = np.broadcast_to(A0, (*batch, n, n))
    A = np.broadcast_to(A, (*batch, m, n, n))
    taus = np.broadcast_to(taus, (*batch, m))
    flat = (A0.reshape(-1, n, n), A.reshape(-1, m, n, n), taus.reshape(-1, m))
    out = np.full((flat[0].shape[0], n_roots), complex(np.nan))
    pending = np.arange(flat[0].shape[0])
    N = int(n_nodes)
    while pending.size:
        # in blocks whose generator matrices (and LAPACK's copies) take at most _BLOCK_BYTES
        step = max(1, _BLOCK_BYTES // (32 * (n * (N + 1)) ** 2))
        parts = [_discretised(*(f[pending[i:i + step]] for f in flat), N, n_roots, polish)
                 for i in range(0, pending.size, step)]
        lam, resolved = np.concatenate([q[0] for q in parts]), np.concatenate([q[1] for q in parts])
        width = lam.shape[-1]
        last = 2 * N > max_nodes
        done = resolved | last
        out[pending[done], :width] = lam[done]
        if last and not resolved.all():
            warnings.warn(f"characteristic_roots: at {int((~resolved).sum())} point(s) the discretisation with "
                          f"{N} Chebyshev intervals (max_nodes) does not resolve the rightmost roots (stiff terms, "
                          "|A|τ large); the roots returned there are true roots (Newton-converged) but may miss "
                          "some further right; raise max_nodes", RuntimeWarning, stacklevel=2)
        pending = pending[~done]
        N *= 2
    return out.reshape(*batch, n_roots)


def lambert_w_roots(a0: Any, a1: Any, tau: Any, *, branches: Sequence[int] = (0,)) -> np.ndarray:
    """Roots of ``λ = a₀ + a₁e^{−λτ}`` by the Lambert W function, ``λ = a₀ + W_k(a₁τe^{−a₀τ})/τ``.

    Parameters
    ----------
    a0, a1
        Real coefficients of the scalar equation ``dx/dt = a₀x(t) + a₁x(t − τ)`` (broadcast).
    tau
        Delays, ``> 0``.
    branches
        Branches ``k`` of W; the principal branch ``0`` gives the rightmost root.

    Returns
    -------
    numpy.ndarray
        Complex, shape ``(..., len(branches))``.

    References
    ----------
    Corless et al. (1996); Shinozaki & Mori (2006); Smith (2011), sec. 4.6.

    Examples
    --------
    >>> np.round(lambert_w_roots(0.0, -1.0, np.pi / 2), 12)
    array([0.+1.j])
    """
    from scipy.special import lambertw

    a0, a1, tau = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a0, a1, tau)))
    if np.any(tau <= 0):
        raise ParameterError("lambert_w_roots: the delay must be > 0 (at τ = 0 the root is a₀ + a₁)")
    arg = a1 * tau * np.exp(-a0 * tau)
    return np.stack([a0 + lambertw(arg, k=k) / tau for k in branches], axis=-1)


# ----------------------------------------------------------------------------- models
class _DelayKernels:
    """Compiled ``A₀(x, p)`` and ``A_k(x, p)`` of a delay model, and the indices of its delays."""

    def __init__(self, model: Model) -> None:
        from linstab.sym import delay_linearization, undelayed

        if not model.delays:
            raise ModelError(f"model {model.name!r} has no delayed argument (delay(x, tau)); use the ODE analyses")
        self.model = model
        self.ode = undelayed(model)
        lin = delay_linearization(model)
        args = [model.variables, model.parameters]
        self.A0 = compile_kernel(lin.A0, args)
        self.A = [compile_kernel(Ak, args) for Ak in lin.A]
        self.tau_index = [model.parameter_names.index(t.name) for t in lin.taus]

    def matrices(self, x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.model.n_vars
        shape = np.broadcast_shapes(x.shape[:-1], p.shape[:-1])
        A0 = np.broadcast_to(self.A0(x, p), (*shape, n, n))
        A = np.stack([np.broadcast_to(K(x, p), (*shape, n, n)) for K in self.A], axis=-3)
        taus = np.broadcast_to(p, (*shape, p.shape[-1]))[..., self.tau_index]
        return A0, A, taus


def _grid(model: Model, values: Mapping[str, Any] | None) -> tuple[np.ndarray, tuple[int, ...]]:
    """Parameter vectors ``(..., n_params)`` from scalar or array ``values`` (broadcast)."""
    base = {k: v for k, v in model.values}
    arrays = {}
    for k, v in (values or {}).items():
        model.parameter(k)
        arrays[k] = np.asarray(v, dtype=float)
    missing = [k for k, v in base.items() if v is None and k not in arrays]
    if missing:
        raise ParameterError(f"model {model.name!r}: no value for parameter(s) {', '.join(missing)}; pass values=")
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    p = np.stack([np.broadcast_to(arrays.get(k, base[k]), shape).astype(float) for k in model.parameter_names], axis=-1)
    return p, shape


def _fixed_points(kern: _DelayKernels, p_rows: np.ndarray) -> list[list[np.ndarray]]:
    """Fixed points (of the zero-delay system) for each row of distinct non-delay parameters."""
    from linstab.num._fixed_points import find_fixed_points

    names = kern.model.parameter_names
    return [[fp.state for fp in find_fixed_points(kern.ode, dict(zip(names, map(float, row))))] for row in p_rows]


def rightmost_roots(model: Model | str | Mapping[str, Any], values: Mapping[str, Any] | None = None, *,
                    state: Any = None, n_roots: int = 6, n_nodes: int = 24) -> np.ndarray:
    """Rightmost characteristic roots of a delay model at a fixed point, over a parameter grid.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    values
        Parameter values; arrays broadcast into a grid (e.g. ``{"tau": T, "beta": B}`` from
        ``np.meshgrid``).
    state
        The fixed point ``(..., n_vars)``; by default found numerically (the fixed points of the
        system at zero delay), which must then be unique at every grid point.
    n_roots
        How many roots per point, rightmost first.
    n_nodes
        Chebyshev intervals of the discretisation (see :func:`characteristic_roots`).

    Returns
    -------
    numpy.ndarray
        Complex, ``(*grid_shape, n_roots)``.

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": 1.0, "tau": 1.0}, "equations": {"x": "-a*delay(x, tau)"}})
    >>> r = rightmost_roots(m, {"tau": [1.0, np.pi / 2, 2.0]}, n_roots=1)
    >>> np.sign(np.round(r.real, 9)).ravel()
    array([-1.,  0.,  1.])
    """
    model = load_model(model)
    kern = _DelayKernels(model)
    p, shape = _grid(model, values)
    if np.any(p[..., kern.tau_index] < 0):
        raise ParameterError(f"model {model.name!r}: a delay must be >= 0; got a negative value of "
                             f"{', '.join(model.parameter_names[i] for i in kern.tau_index)}")
    if state is None:
        flat = p.reshape(-1, p.shape[-1])
        rest = [i for i in range(p.shape[-1]) if i not in kern.tau_index]
        rows, inverse = np.unique(flat[:, rest], axis=0, return_inverse=True)
        full = np.zeros((len(rows), p.shape[-1]))
        full[:, rest] = rows
        found = _fixed_points(kern, full)
        bad = [i for i, f in enumerate(found) if len(f) != 1]
        if bad:
            row = dict(zip([model.parameter_names[i] for i in rest], rows[bad[0]]))
            raise AnalysisError(f"model {model.name!r} has {len(found[bad[0]])} fixed points at {row}; pass state= "
                                "(the fixed point to linearise about)")
        x = np.stack([f[0] for f in found])[inverse.ravel()].reshape(*shape, model.n_vars)
    else:
        x = np.asarray(state, dtype=float)
        if x.shape[-1:] != (model.n_vars,):
            raise DimensionError(f"state must have shape (..., {model.n_vars}), got {x.shape}")
    A0, A, taus = kern.matrices(x, p)
    return characteristic_roots(A0, A, taus, n_roots=n_roots, n_nodes=n_nodes)


def delay_stability_map(model: Model | str | Mapping[str, Any], x_axis: Sequence[Any], y_axis: Sequence[Any],
                        values: Mapping[str, float] | None = None, *, log_x: bool = False, log_y: bool = False,
                        n_nodes: int = 24) -> StabilityMap:
    """Stability of the fixed points of a delay model over a plane of two parameters (e.g. ``(Q, τ)``).

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    x_axis, y_axis
        ``(name, low, high, n)``: the horizontal and vertical parameters and their grids.
    values
        Values of the other parameters.
    log_x, log_y
        Logarithmic spacing of the axes.
    n_nodes
        Chebyshev intervals of the discretisation (see :func:`characteristic_roots`).

    Returns
    -------
    StabilityMap
        ``max_real``: the largest real part of the characteristic roots at the most stable fixed
        point; ``oscillatory``: whether that rightmost root is a complex pair. Draw it with
        :func:`linstab.plot.stability_diagram` (with the delay Hopf curves on top).

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": 1.0, "tau": 1.0}, "equations": {"x": "-a*delay(x, tau)"}})
    >>> s = delay_stability_map(m, ("a", 0.5, 2.0, 4), ("tau", 0.1, 3.0, 5))
    >>> s.stable.astype(int)
    array([[1, 1, 1, 1],
           [1, 1, 1, 0],
           [1, 1, 0, 0],
           [1, 0, 0, 0],
           [1, 0, 0, 0]])
    """
    model = load_model(model)
    model = model.with_values(values) if values else model
    kern = _DelayKernels(model)
    axes = []
    for spec, log in ((x_axis, log_x), (y_axis, log_y)):
        if len(spec) != 4:
            raise ValueError(f"an axis is (name, low, high, n), got {spec!r}")
        name, lo, hi, num = spec
        model.parameter(name)
        axes.append((name, np.geomspace(lo, hi, int(num)) if log else np.linspace(lo, hi, int(num))))
    (xn, xs), (yn, ys) = axes
    X, Y = np.meshgrid(xs, ys)
    p, shape = _grid(model, {xn: X, yn: Y})
    flat = p.reshape(-1, p.shape[-1])
    rest = [i for i in range(p.shape[-1]) if i not in kern.tau_index]
    rows, inverse = np.unique(flat[:, rest], axis=0, return_inverse=True)
    inverse = inverse.ravel()
    full = np.zeros((len(rows), p.shape[-1]))
    full[:, rest] = rows
    found = _fixed_points(kern, full)
    size = flat.shape[0]
    best = np.full(size, np.nan)
    osc = np.zeros(size, bool)
    n_fixed = np.array([len(found[i]) for i in inverse])
    n_stable = np.zeros(size, int)
    for j in range(max((len(f) for f in found), default=0)):
        has = np.array([len(found[i]) > j for i in inverse])
        if not has.any():
            continue
        x = np.stack([found[i][j] for i in inverse[has]])
        A0, A, taus = kern.matrices(x, flat[has])
        lam = characteristic_roots(A0, A, taus, n_roots=1, n_nodes=n_nodes)[:, 0]
        re = lam.real
        n_stable[has] += re < 0
        take = np.isnan(best[has]) | (re < best[has])
        idx = np.flatnonzero(has)[take]
        best[idx] = re[take]
        osc[idx] = np.abs(lam.imag[take]) > 1e-9 * (1 + np.abs(lam[take]))
    fixed = {k: float(v) for k, v in model.numeric_values().items() if k not in (xn, yn)}
    return StabilityMap(x_name=xn, y_name=yn, x=xs, y=ys, log_x=log_x, log_y=log_y,
                        max_real=best.reshape(shape), n_fixed=n_fixed.reshape(shape),
                        n_stable=n_stable.reshape(shape), oscillatory=osc.reshape(shape), fixed=fixed,
                        method="spectral (delay)")


# ----------------------------------------------------------------------------- simulation
def simulate_dde(model: Model | str | Mapping[str, Any], t_span: tuple[float, float], history: Any = None,
                 values: Mapping[str, float] | None = None, *, t_eval: Any = None, n_points: int = 2000,
                 rtol: float = 1e-8, atol: float = 1e-10) -> Trajectory:
    """Integrate a delay model by the method of steps with :func:`scipy.integrate.solve_ivp`.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms (an ODE model is integrated as such).
    t_span
        ``(t0, t1)``.
    history
        The state for ``t <= t0``: a constant vector (one entry per variable), or a function
        ``h(t) -> state``; by default the model's initial state.
    values
        Parameter values (override the model's).
    t_eval
        Output times; by default ``n_points`` evenly spaced times over ``t_span``.
    n_points
        Number of output times when ``t_eval`` is not given.
    rtol, atol
        Tolerances of each step's ``solve_ivp`` (RK45 with dense output).

    Returns
    -------
    Trajectory

    References
    ----------
    Bellen & Zennaro (2003), sec. 3.1.

    Examples
    --------
    ``dx/dt = −x(t − 1)``, ``x = 1`` before ``0``: ``x(t) = 1 − t`` on ``[0, 1]``.

    >>> m = load_model({"name": "hayes", "parameters": {"tau": 1.0}, "equations": {"x": "-delay(x, tau)"}})
    >>> tr = simulate_dde(m, (0, 1), [1.0], t_eval=[0.5, 1.0])
    >>> np.round(tr.x[:, 0], 9) + 0.0
    array([0.5, 0. ])
    """
    from scipy.integrate import solve_ivp

    from linstab._parse import Delay

    model = load_model(model)
    vals = model.numeric_values(values)
    t0, t1 = (float(t) for t in t_span)
    if not (np.isfinite(t0) and np.isfinite(t1) and t1 > t0):
        raise ValueError(f"t_span must be (t0, t1) with t0 < t1, finite; got {t_span!r}")
    n = model.n_vars
    if history is None:
        if not model.initial:
            raise ModelError(f"model {model.name!r} declares no initial state; pass history= (a constant state or "
                             "a function of t)")
        history = [v for _, v in model.initial]
    if callable(history):
        hist: Callable[[float], np.ndarray] = lambda t: np.asarray(history(t), dtype=float).reshape(n)
    else:
        h0 = np.asarray(history, dtype=float)
        if h0.shape != (n,):
            raise DimensionError(f"history must have {n} entries (one per variable), got shape {h0.shape}")
        hist = lambda t: h0
    pairs = list(model.delays)
    held = [sp.Dummy(f"{x}_{t}") for x, t in pairs]
    lookup = dict(zip(((model.symbols[x], model.symbols[t]) for x, t in pairs), held))
    rhs = [e.xreplace({d: lookup[d.args] for d in e.atoms(Delay)}) for e in model.rhs]
    kernel = compile_kernel(rhs, [model.variables, held, model.parameters])
    p = np.array([vals[k] for k in model.parameter_names])
    var_index = [model.variable_names.index(x) for x, _ in pairs]
    lags = np.array([vals[t] for _, t in pairs], dtype=float)
    if np.any(lags < 0):
        raise ParameterError(f"model {model.name!r}: a delay must be >= 0, got {dict(zip((t for _, t in pairs), lags))}")
    starts: list[float] = []
    sols: list[Any] = []

    def past(t: float) -> np.ndarray:
        if t <= t0:
            return hist(t)
        i = bisect.bisect_right(starts, t) - 1
        return sols[i](t)

    def f(t: float, x: np.ndarray) -> np.ndarray:
        d = np.array([x[j] if lag == 0 else past(t - lag)[j] for j, lag in zip(var_index, lags)])
        return np.asarray(kernel(x, d, p), dtype=float)

    positive = lags[lags > 0]
    step = float(positive.min()) if positive.size else t1 - t0
    times = np.asarray(t_eval, dtype=float) if t_eval is not None else np.linspace(t0, t1, n_points)
    x = hist(t0).astype(float)
    a = t0
    while a < t1 - 1e-12 * max(1.0, abs(t1)):
        b = min(a + step, t1)
        sol = solve_ivp(f, (a, b), x, method="RK45", dense_output=True, rtol=rtol, atol=atol)
        if not sol.success:
            raise AnalysisError(f"simulate_dde: the integration failed at t = {sol.t[-1]:.6g}: {sol.message}")
        starts.append(a)
        sols.append(sol.sol)
        x = sol.y[:, -1]
        a = b
    out = np.stack([past(t) if t > t0 else hist(t0) for t in times])
    return Trajectory(t=times, x=out, variables=model.variable_names, values=vals, model=model)
