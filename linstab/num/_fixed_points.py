"""Numeric fixed points: every fixed point in the model's domain, each once, polished.

Three searches feed one list:

1. *exact root isolation on curves*: for a one-variable model, on the invariant line of a
   model with a permutation symmetry (the repressilator's ``x1 = x2 = x3``), and wherever
   eliminating the variables that appear linearly leaves one equation in one unknown (Lorenz,
   the toggle switch, Goodwin), that equation is scanned on a dense linear-plus-logarithmic grid;
   every sign change is bracketed and bisected to machine precision and mapped back to the state;
2. *multi-start damped Newton* (:mod:`linstab.num._newton`, the solver of the stability maps
   too), vectorized over all starts (uniform and log-uniform in the domain, plus the origin)
   with the compiled kernels;
3. *deflation* (Farrell, Birkisson & Funke 2015): the same Newton on ``M(x) f(x)`` with
   ``M = Π (1/|x − r|² + 1)`` over the roots found so far, repeated until a pass finds nothing new.

Every root is then polished with the same Newton steps in double precision, and duplicates merged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, DimensionError
from linstab.num._newton import newton, residual

__all__ = ["NumericFixedPoint", "FixedPointList", "find_fixed_points"]

#: Largest model the default multi-start search takes on (its cost grows like n⁴: about 100 n
#: starts, each solving n × n systems); beyond it pass ``n_starts`` explicitly.
MAX_SEARCH_VARIABLES = 50
#: Memory for one batch of Newton iterates (bytes): starts go through in chunks of this size.
_BATCH_BYTES = 256 * 2**20
#: Distinct points with a singular Jacobian beyond which the fixed points count as a continuum.
_MAX_SINGULAR = 24
#: Deflation passes at most (each stops the search when it finds nothing new).
_DEFLATION_PASSES = 4


class FixedPointList(list):
    """The fixed points found (a ``list`` of :class:`NumericFixedPoint`), with what the search knows.

    Attributes
    ----------
    complete
        ``False`` when the search cannot vouch that it found every fixed point (it was still
        finding new ones when it stopped, or the fixed points are not isolated).
    continuum
        ``True`` when the fixed points are not isolated: more than a few dozen points with a
        singular Jacobian were found (a curve or surface of equilibria); the list holds a sample.
    notes
        The reasons, one sentence each.
    """

    complete: bool = True
    continuum: bool = False
    notes: tuple[str, ...] = ()



@dataclass(frozen=True, kw_only=True)
class NumericFixedPoint:
    """A fixed point at numeric parameter values, with its linearization.

    Attributes
    ----------
    state
        The state vector, in the order of the model's variables.
    variables
        The variables' names.
    eigenvalues
        Eigenvalues of the Jacobian, sorted by real part (descending), then imaginary part.
    jacobian
        The Jacobian at the point.
    classification
        One of :data:`linstab.sym.CLASSIFICATIONS`.
    stable
        ``True`` iff every eigenvalue's real part is below ``-tol``.
    residual
        ``max |f(state)|`` after polishing.
    singular
        Whether the Jacobian is singular there (to working precision): the point is degenerate
        (a fold) or not isolated (on a curve or surface of fixed points), and it is located
        less precisely (Newton's method converges only linearly at such a root).
    """

    state: np.ndarray
    variables: tuple[str, ...]
    eigenvalues: np.ndarray
    jacobian: np.ndarray
    classification: str
    stable: bool
    residual: float
    singular: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: state by name, eigenvalues as ``[re, im]`` pairs.

        Examples
        --------
        >>> fp = find_fixed_points("autorepression")[0]
        >>> sorted(fp.as_dict())
        ['classification', 'eigenvalues', 'stable', 'state']
        """
        return {
            "state": {k: float(v) for k, v in zip(self.variables, self.state)},
            "eigenvalues": [[float(e.real), float(e.imag)] for e in self.eigenvalues],
            "classification": self.classification,
            "stable": bool(self.stable),
        }

    def __repr__(self) -> str:
        state = ", ".join(f"{k}={v:.6g}" for k, v in zip(self.variables, self.state))
        return f"NumericFixedPoint({state}; {self.classification})"


# --------------------------------------------------------------------- helpers
class _System:
    """The compiled right-hand side and Jacobian at fixed parameters, with the domain."""

    def __init__(self, model: Any, p: np.ndarray, lo: np.ndarray, hi: np.ndarray, lower: np.ndarray):
        self.F = model.kernel("rhs")
        self.J = model.kernel("jacobian")
        self.p = p
        self.n = model.n_vars
        self.lo, self.hi = lo, hi
        self.lower = lower  # hard lower bound of the domain (0 or -inf)
        self.nonneg = np.isfinite(lower)  # the variables Newton keeps >= 0

    def f(self, x: np.ndarray) -> np.ndarray:
        return self.F(x, self.p)

    def jac(self, x: np.ndarray) -> np.ndarray:
        return self.J(x, self.p)


def _newton_batches(sys: _System, x: np.ndarray, *, roots: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`linstab.num._newton.newton` from the starts ``x`` (deflating ``roots``); returns the
    points and their residuals ``max |f|``. Starts go through in chunks, so that the batch of
    n × n Jacobians stays within :data:`_BATCH_BYTES` (100 (n + 1) starts of a 300-variable model
    would need 20 GiB at once)."""
    S, n = x.shape
    chunk = max(1, int(_BATCH_BYTES // (8 * 4 * max(n, 1) ** 2)))
    parts = []
    for i in range(0, S, chunk):
        xs = x[i:i + chunk]
        p = np.broadcast_to(sys.p, (len(xs), sys.p.size))
        with np.errstate(all="ignore"):
            xs = newton(sys.F, sys.J, xs, p, nonneg=sys.nonneg, iters=80, roots=roots)
            parts.append((xs, residual(sys.f(xs))))
    return np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts])


def _polish(sys: _System, x: np.ndarray, steps: int = 8) -> tuple[np.ndarray, float]:
    """``steps`` more Newton steps from ``x`` (no convergence test: to working precision); the
    better of ``x`` and the result, with its residual ``max |f|``."""
    with np.errstate(all="ignore"):
        r0 = float(residual(sys.f(x[None]))[0])
        y = newton(sys.F, sys.J, x[None], sys.p[None], nonneg=sys.nonneg, iters=steps, tol=0.0)[0]
        r = float(residual(sys.f(y[None]))[0])
    return (y, r) if r <= r0 else (x.copy(), r0)


def _bisect_line(sys: _System, E: np.ndarray, rep: int, lo: float, hi: float) -> list[np.ndarray]:
    """Roots of g(u) = f(E u)[rep] on [lo, hi] by a dense scan and bisection."""

    def g(u: np.ndarray) -> np.ndarray:
        return sys.f(u[:, None] * E[None, :])[:, rep]

    return [u * E for u in _scan(g, lo, hi)]


def _scan(g: Any, lo: float, hi: float) -> list[float]:
    """Roots of a vectorized scalar function on [lo, hi]: dense scan, then bisection."""
    lin = np.linspace(lo, hi, 4001)
    if lo >= 0:
        top = max(hi, 1e-300)
        logs = np.geomspace(max(top * 1e-9, 1e-12), top, 2001)
        grid = np.unique(np.concatenate([lin, logs, [0.0] if lo == 0 else []]))
    else:
        mag = np.geomspace(1e-9 * max(abs(lo), abs(hi)), max(abs(lo), abs(hi)), 1001)
        grid = np.unique(np.concatenate([lin, mag, -mag, [0.0]]))
        grid = grid[(grid >= lo) & (grid <= hi)]

    with np.errstate(all="ignore"):
        vals = np.asarray(g(grid), dtype=float)
    out = [grid[i] for i in np.flatnonzero(vals == 0)]
    s = np.sign(vals)
    ok = np.isfinite(vals[:-1]) & np.isfinite(vals[1:])
    idx = np.flatnonzero(ok & (s[:-1] * s[1:] < 0))
    if idx.size:
        a, b = grid[idx].copy(), grid[idx + 1].copy()
        ga = vals[idx]
        for _ in range(200):
            m = 0.5 * (a + b)
            if np.all((m == a) | (m == b)):
                break
            with np.errstate(all="ignore"):
                gm = np.asarray(g(m), dtype=float)
            left = np.sign(gm) == np.sign(ga)
            a = np.where(left, m, a)
            ga = np.where(left, gm, ga)
            b = np.where(left, b, m)
        out.extend(0.5 * (a + b))
    # touching roots (no sign change): local minima of |g| near zero, refined later by Newton
    absg = np.abs(vals)
    mins = np.flatnonzero((absg[1:-1] <= absg[:-2]) & (absg[1:-1] <= absg[2:]) & (absg[1:-1] < 1e-6))
    out.extend(grid[mins + 1])
    return [float(u) for u in out]


def _eliminated_curve(model: Any, sys: _System, *, symmetric: bool = True) -> list[np.ndarray]:
    """Candidates from reducing the fixed-point equations to one equation in one unknown.

    Variables that appear linearly are eliminated symbolically (on the symmetric subspace
    first, if the model has a permutation symmetry, then on the full system); when a single
    equation in a single unknown remains, its roots are isolated by a scan and bisection and
    mapped back to the full state.
    """
    out: list[np.ndarray] = []
    key = ("fixed-point curves", symmetric)
    kernels = model._cache.get(key)
    if kernels is None:
        kernels = _curve_kernels(model, symmetric)
        model._cache[key] = kernels
    top = float(np.max(sys.hi))
    for u, g, state in kernels:
        lo = 0.0 if u.is_nonnegative else -top
        for r in _scan(lambda v: g(v[:, None], sys.p)[:, 0], lo, top):
            with np.errstate(all="ignore"):
                out.append(np.asarray(state(np.array([r]), sys.p), dtype=float))
    return out


def _curve_kernels(model: Any, symmetric: bool) -> list[tuple[Any, Any, Any]]:
    from linstab.num._kernels import compile_kernel
    from linstab.sym import scalar_reductions

    try:
        return [(r.unknown, compile_kernel([r.equation], [[r.unknown], model.parameters]),
                 compile_kernel([r.state[v] for v in model.variables], [[r.unknown], model.parameters]))
                for r in scalar_reductions(model, symmetric=symmetric)]
    except (NotImplementedError, TypeError, ValueError, ZeroDivisionError):
        return []


def _domain_bounds(model: Any, p: np.ndarray, bounds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = model.n_vars
    dom = model.domain
    lower = np.array([0.0 if dom[v] in ("nonnegative", "positive") else -np.inf for v in model.variable_names])
    if bounds is None:
        # the state's scale follows the parameters and the numbers written in the equations
        consts = [abs(float(c)) for e in model.rhs for c in e.atoms(sp.Number) if c.is_finite]
        scale = 10.0 * max([1.0, *np.abs(p).tolist(), *consts])
        lo = np.where(np.isfinite(lower), lower, -scale)
        hi = np.full(n, scale)
        return lo, hi, lower
    arr = np.asarray(bounds, dtype=float)
    if arr.shape == (2,):
        arr = np.tile(arr, (n, 1))
    if arr.shape != (n, 2):
        raise DimensionError(f"find_fixed_points: `bounds` had shape {arr.shape} while it should have been (2,) "
                             f"or ({n}, 2) (one (low, high) pair per variable)")
    if np.any(arr[:, 0] >= arr[:, 1]) or not np.all(np.isfinite(arr)):
        raise ValueError(f"find_fixed_points: `bounds` must be finite (low, high) pairs with low < high, got "
                         f"{arr.tolist()}")
    return np.maximum(arr[:, 0], lower), arr[:, 1], lower


def _starts(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, count: int) -> np.ndarray:
    n = lo.size
    half = count // 2
    uni = lo + (hi - lo) * rng.random((half, n))
    # log-uniform magnitudes reach the small concentrations of switch-like circuits
    top = np.maximum(np.abs(lo), np.abs(hi))
    mag = np.exp(np.log(1e-4 * top) + np.log(1e4) * rng.random((count - half, n)))
    sign = np.where(lo < 0, rng.choice([-1.0, 1.0], size=(count - half, n)), 1.0)
    logs = np.clip(sign * mag, lo, hi)
    special = np.vstack([np.clip(np.zeros(n), lo, hi), np.clip(np.ones(n), lo, hi)])
    return np.vstack([special, uni, logs])


class _Roots:
    def __init__(self, sys: _System, tol: float):
        self.sys, self.tol, self.items = sys, tol, []
        self.singular: list[bool] = []
        self.residuals: list[float] = []
        self.continuum = False
        self._array: np.ndarray | None = None

    def is_singular(self, x: np.ndarray) -> bool:
        """Whether J(x) is singular to working precision (smallest singular value ≤ 1e-7 · largest)."""
        J = np.asarray(self.sys.jac(x[None])[0], dtype=float)
        if not np.all(np.isfinite(J)):
            return False
        sv = np.linalg.svd(J, compute_uv=False)
        return bool(sv[-1] <= 1e-7 * max(1.0, float(sv[0])))

    def add(self, x: np.ndarray) -> bool:
        if not np.all(np.isfinite(x)):
            return False
        # most starts converge to a root already found: skip them before the (costly) polish
        if self.near(x, 1e-5).any():
            return False
        if np.any(x < self.sys.lower - 1e-12 * (1 + np.abs(x))):
            return False
        if self.continuum and self.is_singular(x):  # one more point of the continuum: enough of them
            return False
        x, r = _polish(self.sys, x)
        tiny = np.abs(x) < 1e-12 * (1 + float(np.max(np.abs(x))))
        if np.any(tiny & (x != 0)):  # snap round-off around zero (the origin, a boundary) to 0
            snapped = np.where(tiny, 0.0, x)
            rs = float(np.max(np.abs(self.sys.f(snapped[None])[0])))
            if rs <= max(r, 1e-300) * 10:
                x, r = snapped, rs
        fscale = 1.0 + float(np.max(np.abs(self.sys.p))) if self.sys.p.size else 1.0
        if not r <= self.tol * fscale * (1 + float(np.max(np.abs(x)))):
            return False
        if self.near(x, 1e-7).any():
            return False
        singular = self.is_singular(x)
        if singular:
            # At a singular root a residual of 1e-9 only pins the point down to about its cube root
            # (a triple root) or not at all (a curve of roots): one point per 1e-3 neighbourhood.
            close = np.flatnonzero(self.near(x, 1e-3) & np.array(self.singular, dtype=bool))
            if close.size:
                k = int(close[0])
                if r < self.residuals[k]:
                    self.items[k], self.residuals[k] = x, r
                    self._array = None
                return False
            if sum(self.singular) >= _MAX_SINGULAR:
                self.continuum = True
                return False
        self.items.append(x)
        self.singular.append(singular)
        self.residuals.append(r)
        self._array = None
        return True

    def near(self, x: np.ndarray, rtol: float) -> np.ndarray:
        """Which found roots lie within ``rtol`` (relative, max-norm) of ``x``."""
        if not self.items:
            return np.zeros(0, dtype=bool)
        if self._array is None:
            self._array = np.array(self.items)
        arr = self._array
        return np.max(np.abs(arr - x), axis=1) <= rtol * (1 + np.max(np.abs(arr), axis=1))

    @property
    def array(self) -> np.ndarray:
        return np.array(self.items).reshape(-1, self.sys.n)


def find_fixed_points(model: Any, values: Mapping[str, float] | None = None, *,
                      bounds: Sequence[float] | np.ndarray | None = None, n_starts: int | None = None,
                      seed: int = 0, tol: float = 1e-9) -> list[NumericFixedPoint]:
    """All fixed points in the model's domain at numeric parameter values, each once.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    values
        Parameter values overriding the model's own.
    bounds
        ``(low, high)`` for every variable, or one pair per variable: where the starts are drawn
        (roots found outside are kept). Default: ``[0 or −B, B]`` with ``B = 10 max(1, |p|,
        |c|)`` over the parameter values ``p`` and the numbers ``c`` written in the equations,
        respecting nonnegative and positive domains.
    n_starts
        Number of multi-start points (default ``100 (n + 1)``).
    seed
        Seed of the random starts (the result is deterministic for a given seed).
    tol
        Tolerance of the classification and the stability verdict (see
        :func:`linstab.sym.classify`); the residual must be below ``1e-9`` relative.

    Returns
    -------
    FixedPointList
        A list of :class:`NumericFixedPoint`, sorted by state (lexicographically); its
        ``complete``, ``continuum`` and ``notes`` say when the search cannot vouch for having
        found every fixed point, or found a continuum of them (a sample is listed).

    Raises
    ------
    AnalysisError
        For a model of more than :data:`MAX_SEARCH_VARIABLES` variables without ``n_starts``.

    Notes
    -----
    A point where the Jacobian is not finite (e.g. ``x**(n-1)`` at ``x = 0`` with ``n < 1``) is
    left out, since it cannot be linearized.

    References
    ----------
    Farrell, P. E., Birkisson, Á. & Funke, S. W., Deflation techniques for finding distinct
    solutions of nonlinear partial differential equations, *SIAM J. Sci. Comput.* 37 (2015).
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.

    Examples
    --------
    >>> fps = find_fixed_points("toggle_switch")
    >>> [fp.classification for fp in fps]
    ['stable node', 'saddle', 'stable node']
    >>> round(float(find_fixed_points("repressilator")[0].state[0]), 6)
    1.697472
    """
    from linstab.model import load_model
    from linstab.sym import classify, is_stable

    model = load_model(model)
    p = np.asarray(model.parameter_vector(values), dtype=float)
    n = model.n_vars
    if n > MAX_SEARCH_VARIABLES and n_starts is None:
        raise AnalysisError(
            f"find_fixed_points: model {model.name!r} has {n} variables; the default multi-start search is "
            f"limited to {MAX_SEARCH_VARIABLES} (its cost grows like n^4); pass n_starts= (and bounds=) to search "
            "anyway")
    lo, hi, lower = _domain_bounds(model, p, bounds)
    sys = _System(model, p, lo, hi, lower)
    roots = _Roots(sys, 1e-9)
    rng = np.random.default_rng(seed)

    # 1. exact isolation on lines: one-variable models, symmetric invariant lines, and systems
    #    that elimination reduces to one equation in one unknown
    lines = []
    if n == 1:
        lines.append((np.ones(1), 0))
    else:
        from linstab.sym import symmetry_orbits

        if len(symmetry_orbits(model)) == 1:
            lines.append((np.ones(n), 0))
    for E, rep in lines:
        for x in _bisect_line(sys, E, rep, float(np.max(lo[E > 0])), float(np.min(hi[E > 0]))):
            roots.add(x)
    if n > 1:
        for x in _eliminated_curve(model, sys, symmetric=not lines):
            roots.add(x)

    # 2. multi-start
    count = int(n_starts) if n_starts is not None else 100 * (n + 1)
    if count < 1:
        raise ValueError(f"find_fixed_points: `n_starts` must be a positive integer, got {n_starts!r}")
    x, res = _newton_batches(sys, _starts(rng, lo, hi, count))
    order = np.argsort(res)
    for i in order[res[order] < 1e-6 * (1 + np.max(np.abs(p)) if p.size else 1e-6)]:
        roots.add(x[i])

    # 3. deflation passes until nothing new appears
    still_finding = False
    for _ in range(_DEFLATION_PASSES):
        if not roots.items or roots.continuum:
            still_finding = False
            break
        x, res = _newton_batches(sys, _starts(rng, lo, hi, max(count // 4, 16)), roots=roots.array)
        new = False
        for i in np.flatnonzero(np.isfinite(res)):
            if res[i] < 1e-6 * (1 + float(np.max(np.abs(p))) if p.size else 1e-6):
                new |= roots.add(x[i])
        still_finding = new
        if not new:
            break

    out = FixedPointList()
    notes = []
    if roots.continuum:
        notes.append(f"the fixed points are not isolated: more than {_MAX_SINGULAR} points with a singular "
                     "Jacobian were found (a curve or surface of equilibria); the list holds a sample of them")
    elif still_finding:
        notes.append(f"the search was still finding new fixed points when it stopped (after {_DEFLATION_PASSES} "
                     "deflation passes); there may be more: pass a larger n_starts")
    ordered = sorted(range(len(roots.items)), key=lambda k: tuple(np.round(roots.items[k], 12)))
    for k in ordered:
        x = roots.items[k]
        dom_ok = all(x[i] > 0 if model.domain[v] == "positive" else True for i, v in enumerate(model.variable_names))
        if not dom_ok:
            continue
        Jx = np.asarray(sys.jac(x[None])[0], dtype=float)
        if not np.all(np.isfinite(Jx)):
            continue
        ev = np.linalg.eigvals(Jx)
        ev = ev[np.lexsort((-ev.imag, -ev.real))]
        out.append(NumericFixedPoint(
            state=x, variables=model.variable_names, eigenvalues=ev, jacobian=Jx,
            classification=classify(ev, tol=tol), stable=is_stable(ev, tol=tol),
            residual=float(np.max(np.abs(sys.f(x[None])[0]))), singular=roots.singular[k],
        ))
    out.complete = not notes
    out.continuum = roots.continuum
    out.notes = tuple(notes)
    return out


