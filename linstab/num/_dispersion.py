"""Dispersion relations λ(k) on parameter grids, and Turing region maps.

The growth rates of the Fourier mode ``e^{ikx}`` of a reaction–diffusion model linearised at its
homogeneous state ``u*`` are the eigenvalues of ``J(u*) − k² D`` (see :mod:`linstab.sym._turing`).
Here they are computed for whole batches of parameter points and wavenumbers at once: the
Jacobian, the state and ``D`` come from compiled kernels (the one lambdify path), the eigenvalues
from a batched eigenvalue routine, chunked to bound memory. Where the state has no closed form
(Hill kinetics, say) it is found by batched Newton iterations from the largest stable fixed point
at the model's own values (the "on" state of a bistable circuit).

The maximum over ``k`` is taken on a grid of ``k²`` in ``[0, q_max]`` per point (quadratically
spaced, denser near 0), with
``q_max = 4 ‖J‖_F / min_i d_i`` over the diffusing species (beyond it ``k² D`` dominates ``J``
for every diffusing species and the modes decay), then refined on finer grids around the best
grid point. With a non-diffusing species the growth may keep rising with ``k`` (the maximum is
then at the end of the grid, and :attr:`TuringMap.k_star` says so).

References
----------
Murray, J. D., *Mathematical Biology II*, 3rd ed. (2003), sec. 2.3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num._kernels import compile_kernel
from linstab.sym import diffusion_coefficient_matrix, homogeneous_state

__all__ = ["TuringMap", "dispersion", "max_growth", "turing_map", "TURING_REGIONS"]

#: Region codes of :attr:`TuringMap.region`: 0 stable with and without diffusion, 1 Turing
#: (stable at k = 0, unstable for some k > 0), 2 unstable without diffusion, 3 no valid state.
TURING_REGIONS = ("stable", "turing", "unstable", "none")
_CHUNK = 4096


def _params(model: Model, values: Mapping[str, Any] | None) -> np.ndarray:
    """Parameter array ``(..., n_params)``: the model's values with ``values`` broadcast in."""
    values = dict(values or {})
    for name in values:
        model.parameter(name)
    fixed = {k: v for k, v in model.parameter_values.items() if k not in values}
    missing = [k for k, v in fixed.items() if v is None]
    if missing:
        raise ParameterError(f"model {model.name!r}: no value for parameter(s) {', '.join(missing)}; "
                             f"pass values={{'{missing[0]}': ...}}")
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values.values()]) if values else []
    shape = arrays[0].shape if arrays else ()
    P = np.empty(shape + (len(model.parameters),))
    for i, name in enumerate(model.parameter_names):
        P[..., i] = arrays[list(values).index(name)] if name in values else fixed[name]
    return P


def _kernels(model: Model) -> tuple[Any, Any, Any]:
    """Compiled (state, Jacobian, diffusion) kernels of the parameters (cached on the model).

    Without a closed-form homogeneous state the first kernel is ``None`` and the Jacobian kernel
    takes ``(x, p)``: the state is then found numerically (:func:`_numeric_state`)."""
    key = ("turing_kernels",)
    if key not in model._cache:
        D = [c for _, c in model.diffusion]
        kD = compile_kernel(D, [model.parameters])
        try:
            state = homogeneous_state(model)
        except AnalysisError:
            model._cache[key] = (None, model.kernel("jacobian"), kD)
        else:
            J = model.jacobian().xreplace(state)
            ks = compile_kernel([state[v] for v in model.variables], [model.parameters])
            model._cache[key] = (ks, compile_kernel(J, [model.parameters]), kD)
    return model._cache[key]


def _numeric_state(model: Model, P: np.ndarray) -> np.ndarray:
    """The homogeneous state at every parameter point by batched Newton iterations.

    The start is the largest stable fixed point at the model's own values (:func:`find_fixed_points`;
    else the largest fixed point); points where Newton does not converge (residual above 1e-10
    relative) get ``nan``, and are reported as "no state" by :func:`turing_map`."""
    from linstab.num._fixed_points import find_fixed_points

    if "turing_seed" not in model._cache:
        fps = find_fixed_points(model)
        if not fps:
            raise AnalysisError(f"model {model.name!r}: no homogeneous steady state found at the model's values "
                                "(none in closed form either); set parameter values with a steady state")
        stable = [fp for fp in fps if fp.stable] or list(fps)
        # the largest: in a bistable circuit the "on" state (the trivial low state rarely patterns)
        model._cache["turing_seed"] = np.asarray(max(stable, key=lambda fp: float(np.linalg.norm(fp.state))).state,
                                                 dtype=float)
    f, jac = model.kernel("rhs"), model.kernel("jacobian")
    n = model.n_vars
    x = np.broadcast_to(model._cache["turing_seed"], P.shape[:-1] + (n,)).copy()
    with np.errstate(all="ignore"):
        for _ in range(60):
            F = np.broadcast_to(np.asarray(f(x, P), dtype=float), x.shape)
            J = np.broadcast_to(np.asarray(jac(x, P), dtype=float), x.shape + (n,))
            ok = np.isfinite(F).all(-1) & np.isfinite(J).all((-2, -1)) & (np.abs(np.linalg.det(J)) > 0)
            step = np.zeros_like(x)
            if ok.any():
                step[ok] = np.linalg.solve(J[ok], F[ok][..., None])[..., 0]
            scale = np.maximum(1.0, np.abs(step).max(-1, keepdims=True) / (1.0 + np.abs(x).max(-1, keepdims=True)))
            x = x - step / scale  # damped: at most about the size of x per step
            if np.all(np.abs(step) <= 1e-13 * (1 + np.abs(x))):
                break
        F = np.asarray(f(x, P), dtype=float)
        good = np.isfinite(x).all(-1) & (np.abs(F).max(-1) <= 1e-10 * (1 + np.abs(x).max(-1)))
    return np.where(good[..., None], x, np.nan)


def _at(model: Model, P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(state, J, D diagonal) at the parameter points ``P`` (``(..., n_params)``)."""
    ks, kJ, kD = _kernels(model)
    n = model.n_vars
    with np.errstate(all="ignore"):
        if ks is None:
            x = _numeric_state(model, P)
            J = np.broadcast_to(np.asarray(kJ(x, P), dtype=float), P.shape[:-1] + (n, n))
        else:
            x = np.broadcast_to(np.asarray(ks(P), dtype=float), P.shape[:-1] + (n,))
            J = np.broadcast_to(np.asarray(kJ(P), dtype=float), P.shape[:-1] + (n, n))
        D = np.broadcast_to(np.asarray(kD(P), dtype=float), P.shape[:-1] + (n,))
    if np.any(D < 0):
        raise ParameterError(f"model {model.name!r}: a diffusion coefficient is negative at the parameter values "
                             f"given (min {np.nanmin(D):g}); diffusion coefficients must be >= 0")
    return x, J, D


def _check(model: Any) -> Model:
    model = load_model(model)
    diffusion_coefficient_matrix(model)  # raises, saying why, without a [diffusion] table or with one for other variables
    return model


def dispersion(model: Model | str, k: Any, *, values: Mapping[str, Any] | None = None) -> np.ndarray:
    """Growth rates ``λ(k)``: the eigenvalues of ``J − k² D`` at the homogeneous state.

    Parameters
    ----------
    model
        A model with a ``[diffusion]`` table, or anything :func:`~linstab.load_model` accepts.
    k
        Wavenumbers, any shape ``K``.
    values
        Parameter values overriding the model's; arrays broadcast together into a batch ``S``.

    Returns
    -------
    numpy.ndarray
        Complex, shape ``S + K + (n,)``, each row sorted by decreasing real part.

    Examples
    --------
    >>> lam = dispersion("schnakenberg", [0.0, 0.6], values={"d": [5.0, 20.0]})
    >>> lam.shape
    (2, 2, 2)
    >>> bool(lam[0, 1, 0].real < 0), bool(lam[1, 1, 0].real > 0)
    (True, True)
    """
    model = _check(model)
    P = _params(model, values)
    _, J, D = _at(model, P)
    k = np.asarray(k, dtype=float)
    S, K = P.shape[:-1], k.shape
    k2 = (k ** 2).reshape((1,) * len(S) + K + (1,))
    Dd = D.reshape(S + (1,) * len(K) + D.shape[-1:])
    M = J.reshape(S + (1,) * len(K) + J.shape[-2:]) - np.eye(model.n_vars) * (k2 * Dd)[..., None, :]
    ev = _eig(M)
    return ev


def _eig(M: np.ndarray) -> np.ndarray:
    """Eigenvalues of a batch of matrices, sorted by decreasing real part (nan rows stay nan)."""
    flat = M.reshape(-1, *M.shape[-2:])
    out = np.full(flat.shape[:-1], np.nan + 0j)
    ok = np.all(np.isfinite(flat), axis=(-2, -1))
    for start in range(0, len(flat), 65536):
        sl = slice(start, start + 65536)
        sub = flat[sl][ok[sl]]
        if len(sub):
            e = np.linalg.eigvals(sub)
            idx = np.argsort(-e.real, axis=-1)
            out[sl][ok[sl]] = np.take_along_axis(e, idx, axis=-1)
    return out.reshape(M.shape[:-1])


def max_growth(model: Model | str, *, values: Mapping[str, Any] | None = None, n_k: int = 200,
               q_max: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(max_{k>0} Re λ(k), k at the maximum, Re λ(0))`` at a batch of parameter points.

    This is the numeric route for any number of species (no closed form beyond two).

    Parameters
    ----------
    model
        A model with a ``[diffusion]`` table.
    values
        Parameter values overriding the model's; arrays broadcast into a batch ``S``.
    n_k
        Grid points in ``k²`` (then refined by a finer grid around the best one).
    q_max
        Largest ``k²`` (default per point: ``4 ‖J‖_F / min`` positive ``d_i``).

    Returns
    -------
    tuple of numpy.ndarray
        Each of shape ``S``.

    Examples
    --------
    Schnakenberg at ``a = 0.1, b = 0.9, d = 20``: the fastest mode has ``k² ≈ 0.237`` (the
    minimum of ``det(J − k²D)`` is at ``k_m² = 0.375``; the trace term moves the maximum of ``λ``).

    >>> g, k, g0 = max_growth("schnakenberg", values={"d": 20.0})
    >>> bool(g > 0), round(float(k ** 2), 3), bool(g0 < 0)
    (True, 0.237, True)
    """
    model = _check(model)
    if n_k < 8:
        raise ValueError(f"n_k must be at least 8, got {n_k}")
    P = _params(model, values)
    S = P.shape[:-1]
    flat = P.reshape(-1, P.shape[-1])
    growth, kstar, g0 = (np.full(len(flat), np.nan) for _ in range(3))
    for start in range(0, len(flat), _CHUNK):
        sl = slice(start, start + _CHUNK)
        _, J, D = _at(model, flat[sl])
        qm = np.asarray(q_max, dtype=float) * np.ones(len(J)) if q_max is not None else _qmax(J, D)
        s = np.linspace(0.0, 1.0, n_k)
        q = qm[:, None] * s[None, :] ** 2  # denser at small k², where narrow bands of a slow mode sit
        re = _leading(J, D, q)
        g0[sl] = re[:, 0]
        best = np.nanargmax(np.where(np.isfinite(re[:, 1:]), re[:, 1:], -np.inf), axis=1) + 1
        rows = np.arange(len(q))
        lo, hi = q[rows, best - 1], q[rows, np.minimum(best + 1, n_k - 1)]
        for _ in range(3):  # three finer grids around the best point: k² to about 1e-6 of q_max
            qf = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, 41)[None, :]
            ref = _leading(J, D, qf)
            j = np.nanargmax(np.where(np.isfinite(ref), ref, -np.inf), axis=1)
            step = (hi - lo) / 40
            lo, hi = np.maximum(qf[rows, j] - step, qf[:, 0]), np.minimum(qf[rows, j] + step, qf[:, -1])
        growth[sl] = ref[rows, j]
        kstar[sl] = np.sqrt(qf[rows, j])
    return growth.reshape(S), kstar.reshape(S), g0.reshape(S)


def _qmax(J: np.ndarray, D: np.ndarray) -> np.ndarray:
    pos = np.where(D > 0, D, np.inf).min(axis=-1)
    norm = np.sqrt((J ** 2).sum(axis=(-2, -1)))
    with np.errstate(all="ignore"):
        q = 4 * norm / pos
    return np.where(np.isfinite(q) & (q > 0), q, 1.0)


def _leading(J: np.ndarray, D: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Largest Re λ of ``J − q D`` for ``J (N, n, n)``, ``D (N, n)``, ``q (N, K)`` -> ``(N, K)``."""
    n = J.shape[-1]
    M = J[:, None] - np.eye(n) * (q[..., None] * D[:, None, :])[..., None, :]
    if n == 2:  # closed form, faster than a general routine: (tr + sqrt(tr² − 4 det))/2
        tr = M[..., 0, 0] + M[..., 1, 1]
        det = M[..., 0, 0] * M[..., 1, 1] - M[..., 0, 1] * M[..., 1, 0]
        disc = tr ** 2 - 4 * det
        with np.errstate(invalid="ignore"):
            return np.where(disc >= 0, (tr + np.sqrt(np.abs(disc))) / 2, tr / 2)
    return _eig(M)[..., 0].real


@dataclass(frozen=True, kw_only=True, eq=False)
class TuringMap:
    """Turing regions on a grid of two parameters (arrays of shape ``(len(y), len(x))``).

    Attributes
    ----------
    x_name, y_name
        The parameters on the axes.
    x, y
        The grid axes.
    growth
        ``max_{k>0} Re λ(k)``.
    growth0
        ``Re λ(0)``: the leading eigenvalue without diffusion.
    k_star
        The wavenumber of fastest growth.
    region
        Codes into :data:`TURING_REGIONS`: 0 stable, 1 Turing, 2 unstable without diffusion,
        3 no valid state.
    fixed
        The other parameters' values.
    model
        The model (for the live dispersion curve of :meth:`plot`).

    Examples
    --------
    Schnakenberg at ``a = 0.1``: at ``b = 0.5`` the state is unstable without diffusion
    (``tr J > 0``); at ``b = 1.5`` the critical ratio is ``d_c ≈ 18.8``.

    >>> m = turing_map("schnakenberg", ("d", 1.0, 40.0, 5), ("b", 0.5, 1.5, 3))
    >>> m.region.tolist()
    [[2, 2, 2, 2, 2], [0, 1, 1, 1, 1], [0, 0, 1, 1, 1]]
    """

    x_name: str
    y_name: str
    x: np.ndarray
    y: np.ndarray
    growth: np.ndarray
    growth0: np.ndarray
    k_star: np.ndarray
    region: np.ndarray
    fixed: dict[str, float]
    model: Model | None = field(default=None, repr=False)

    def plot(self, **kwargs: Any) -> Any:
        """The map as a Bokeh figure: :func:`linstab.plot.turing_diagram` ``(self, **kwargs)``."""
        from linstab.plot import turing_diagram

        return turing_diagram(self, **kwargs)


def turing_map(model: Model | str, x: Sequence[Any], y: Sequence[Any], *, values: Mapping[str, float] | None = None,
               n_k: int = 200, tol: float = 1e-9) -> TuringMap:
    """Where a model is Turing-unstable in a plane of two parameters.

    Parameters
    ----------
    model
        A model with a ``[diffusion]`` table.
    x
        Horizontal axis ``(name, min, max, n)``.
    y
        Vertical axis ``(name, min, max, n)``.
    values
        Values of the other parameters (override the model's).
    n_k
        Grid points in ``k²`` for the maximum over ``k`` (see :func:`max_growth`).
    tol
        Growth rates within ``tol`` of zero count as zero (neutral, not unstable).

    Returns
    -------
    TuringMap
    """
    model = _check(model)
    if values:
        model = model.with_values(values)
    axes = []
    for spec, which in ((x, "x"), (y, "y")):
        if not (isinstance(spec, Sequence) and len(spec) == 4 and isinstance(spec[0], str)):
            raise ValueError(f"{which} must be (name, min, max, n), got {spec!r}")
        name, lo, hi, n = spec
        model.parameter(name)
        if not (int(n) >= 2 and np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"{which}: expected finite min < max and n >= 2, got {spec!r}")
        axes.append((name, np.linspace(float(lo), float(hi), int(n))))
    (xn, xs), (yn, ys) = axes
    if xn == yn:
        raise ParameterError(f"x and y must be different parameters; both are {xn!r}")
    X, Y = np.meshgrid(xs, ys)
    g, k, g0 = max_growth(model, values={xn: X, yn: Y}, n_k=n_k)
    region = np.full(X.shape, 3)
    region[np.isfinite(g0) & (g0 >= -tol)] = 2  # unstable (or neutral) without diffusion
    stable0 = np.isfinite(g0) & (g0 < -tol)
    region[stable0 & (g <= tol)] = 0
    region[stable0 & (g > tol)] = 1
    fixed = {n: float(v) for n, v in model.parameter_values.items() if n not in (xn, yn) and v is not None}
    return TuringMap(x_name=xn, y_name=yn, x=xs, y=ys, growth=g, growth0=g0, k_star=k, region=region, fixed=fixed,
                     model=model)

