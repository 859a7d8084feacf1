"""Numeric two-parameter continuation of fold and Hopf curves (pseudo-arclength).

A curve of codimension-one bifurcations is the solution set of ``n + 1`` equations in the
``n + 2`` unknowns ``z = (x, P, Q)``:

    f(x; P, Q) = 0,        g(x; P, Q) = 0,

with the test function ``g = det J`` (fold) or ``g = Δₙ₋₁`` (Hopf: the ``n − 1``-th Hurwitz minor of
the characteristic polynomial; ``tr J`` in two dimensions). Positive quantities are continued in
logarithmic coordinates, so that a curve spanning decades (``β`` from 1 to 1000) is traced with
even steps. Each step predicts along the tangent (the null vector of the ``(n+1) × (n+2)``
Jacobian) and corrects with Newton's method on the system augmented by the arclength condition.
Start points at ``Q = Q_min`` come from Newton's method on the ``n + 1`` equations in ``(x, P)``
from many seeds. Points where the eigenvalues do not show the bifurcation (a neutral saddle
satisfies ``Δₙ₋₁ = 0`` too) are dropped.

References: Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), ch. 10;
Allgower & Georg, *Introduction to Numerical Continuation Methods* (1990).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num._maps import jacobian_kernel
from linstab.num._newton import newton
from linstab.num._kinds import classify_zero_eigenvalue, kind_crossing_ok, kind_test_function
from linstab.sym import BifurcationCurve, BifurcationKind, accepted_kinds
from linstab.sbml import require_isolated

__all__ = ["continue_curve"]


class _System:
    """The augmented system in (log-)coordinates ``u``; batched over leading axes."""

    def __init__(self, model: Model, kind: BifurcationKind, P: str, Q: str, fixed: Mapping[str, float],
                 groups: list[list[int]] | None = None, linear: tuple[int, ...] = ()):
        self.model, self.kind = model, kind
        self.args = (model, kind, P, Q, fixed)
        self.linear = tuple(linear)
        self.N = model.n_vars
        # continuation inside a symmetric subspace: one unknown and one equation per group of
        # equal variables (a pitchfork is a regular point there, but singular in the full space)
        self.groups = groups if groups is not None else [[i] for i in range(self.N)]
        self.n = len(self.groups)
        self.E = np.zeros((self.N, self.n))
        for k, g in enumerate(self.groups):
            self.E[g, k] = 1.0
        self.rows = [g[0] for g in self.groups]
        names = list(model.parameter_names)
        self.iP, self.iQ = names.index(P), names.index(Q)
        self.base = np.array([fixed.get(k, np.nan) for k in names], dtype=float)
        dom = model.domain
        vn = model.variable_names
        self.logs = np.array([dom[vn[g[0]]] in ("positive", "nonnegative") for g in self.groups]
                             + [dom[P] == "positive", dom[Q] == "positive"])
        # coordinates that must stay >= 0 and are not continued in logarithms: the curve ends where
        # it would leave the domain (the system is undefined, nan, beyond)
        self.nonneg = np.array([False] * self.n + [dom[P] == "nonnegative", dom[Q] == "nonnegative"])
        # nonnegative variables at zero (a boundary equilibrium such as a predator-free state)
        # are continued in plain coordinates: their logarithm is -inf
        for k in self.linear:
            self.logs[k], self.nonneg[k] = False, True
        self.nonneg_vars = np.array([dom[v] == "nonnegative" for v in vn])
        self.rhs = model.kernel("rhs")
        self.jac = jacobian_kernel(model)

    def to_z(self, u: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):  # overflow: inf, rejected by the corrector
            return np.where(self.logs, np.exp(np.where(self.logs, u, 0.0)), u)

    def to_u(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(self.logs, np.log(np.where(self.logs, z, 1.0)), z)

    def params(self, z: np.ndarray) -> np.ndarray:
        p = np.broadcast_to(self.base, z.shape[:-1] + self.base.shape).copy()
        p[..., self.iP] = z[..., self.n]
        p[..., self.iQ] = z[..., self.n + 1]
        return p

    def state(self, z: np.ndarray) -> np.ndarray:
        return z[..., : self.n] @ self.E.T

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        return self.jac(self.state(z), self.params(z))

    def G(self, u: np.ndarray) -> np.ndarray:
        z = self.to_z(u)
        x, p = self.state(z), self.params(z)
        with np.errstate(all="ignore"):
            F = self.rhs(x, p)[..., self.rows]
            J = self.jac(x, p)
            out = np.concatenate([F, kind_test_function(self.kind, J)[..., None]], -1)
        outside = (self.nonneg & (z < -1e-12)).any(-1)
        return np.where(outside[..., None], np.nan, out)

    def DG(self, u: np.ndarray) -> np.ndarray:
        """Forward-difference Jacobian ``(..., n+1, n+2)``, all columns in one batched call."""
        m = u.shape[-1]
        h = 1e-7 * (1 + np.abs(u))
        U = u[..., None, :] + np.eye(m) * h[..., None, :]
        G0 = self.G(u)
        G1 = self.G(U)  # (..., m, n+1)
        return np.swapaxes((G1 - G0[..., None, :]) / h[..., :, None], -1, -2)


def _null_vector(A: np.ndarray) -> np.ndarray:
    _, _, vt = np.linalg.svd(A)
    return vt[-1]


def _starts(sys: _System, q0: float, p_lo: float, p_hi: float, *,
            n_seeds: int) -> list[tuple[np.ndarray, tuple[int, ...]]]:
    """Points of the curve at ``Q = q0``: batched Newton on (x, P) from many seeds; each with the
    indices of the nonnegative variables that sit at zero there (continued in plain coordinates)."""
    from linstab.num._maps import _newton_fixed_points

    n = sys.n
    logP = sys.logs[n]
    pg = np.geomspace(p_lo, p_hi, 40) if (logP or sys.nonneg[n]) and p_lo > 0 else np.linspace(p_lo, p_hi, 40)
    par = np.broadcast_to(sys.base, (len(pg), len(sys.base))).copy()
    par[:, sys.iP] = pg
    par[:, sys.iQ] = q0
    x, valid = _newton_fixed_points(sys.model, par, np, "numpy", n_seeds=n_seeds)
    seeds = [np.concatenate([x[i, j], [pg[i], q0]]) for i, j in zip(*np.nonzero(valid))]
    if not seeds:
        return []
    Z = np.array(seeds)
    nonneg = np.array([sys.model.domain[sys.model.variable_names[g[0]]] == "nonnegative" for g in sys.groups])
    at_zero = nonneg & (np.abs(Z[:, :n]) <= 1e-8 * (1 + np.abs(Z[:, :n]).max(-1, keepdims=True)))
    out: list[tuple[np.ndarray, tuple[int, ...]]] = []
    for pattern in sorted({tuple(int(i) for i in np.flatnonzero(row)) for row in at_zero}):
        if len(pattern) == n:  # every variable at zero: nothing to continue
            continue
        rows = np.all(at_zero == np.isin(np.arange(n), pattern), axis=1)
        Zp = Z[rows].copy()
        Zp[:, :n] = np.where(at_zero[rows], 0.0, Zp[:, :n])
        sub = _subspace(sys, pattern, Zp[0]) if pattern else sys
        found = _refine_starts(sub, _to_sub(sub, Zp))
        # a start is a crossing inside the window of P: Newton may also run to a limit at the
        # domain's edge (the Brusselator's det J = a² tends to 0 as a -> 0), which is none
        tol = 1e-9 * (1 + max(abs(p_lo), abs(p_hi)))
        out += [(z, pattern) for z in (_from_sub(sub, np.array(found)) if found else [])
                if p_lo - tol <= z[-2] <= p_hi + tol]
    # the same point reached with a variable at zero and with it at round-off: keep the former
    # (inside the invariant face the curve is regular; in the full space a transcritical is not)
    out.sort(key=lambda item: -len(item[1]))
    kept: list[tuple[np.ndarray, tuple[int, ...]]] = []
    for z, pattern in out:
        if all(np.abs(z - k).max() > 1e-6 * (1 + np.abs(z).max()) for k, _ in kept):
            kept.append((z, pattern))
    return kept


def _subspace(sys: _System, pattern: tuple[int, ...], z: np.ndarray) -> _System:
    """The system for a start where the nonnegative variables ``pattern`` are zero.

    Where ``x_i = 0`` is invariant (``f_i`` vanishes identically there, as for a species absent from
    a mass-action or predator–prey model), the curve is continued inside that face, without the
    variables and their equations: a transcritical curve, where the boundary branch meets an
    interior one, is singular in the full space but regular there. Otherwise those variables are
    continued in plain (not logarithmic) coordinates."""
    rng = np.random.default_rng(0)
    x = np.abs(z[: sys.N])[None, :] * rng.uniform(0.5, 2.0, (4, sys.N)) + rng.uniform(0.1, 1.0, (4, sys.N))
    x[:, list(pattern)] = 0.0
    with np.errstate(all="ignore"):
        F = sys.rhs(x, sys.params(z))[:, list(pattern)]
    if np.all(np.abs(F) <= 1e-12):
        return _System(*sys.args, [[k] for k in range(sys.N) if k not in pattern])
    return _System(*sys.args, linear=pattern)


def _to_sub(sub: _System, Z: np.ndarray) -> np.ndarray:
    """Full coordinates ``(..., N + 2)`` -> those of ``sub`` (one per group, then P, Q)."""
    return np.concatenate([Z[..., [g[0] for g in sub.groups]], Z[..., -2:]], -1)


def _from_sub(sub: _System, Zr: np.ndarray) -> np.ndarray:
    return np.concatenate([sub.state(Zr), Zr[..., -2:]], -1)


def _refine_starts(sys: _System, Z: np.ndarray) -> list[np.ndarray]:
    n = sys.n
    U = sys.to_u(Z)
    # the one Newton (linstab.num._newton) on the n+1 equations in (x, P), with Q as its parameter
    g = lambda x, q: sys.G(np.concatenate([x, q], -1))  # noqa: E731
    dg = lambda x, q: sys.DG(np.concatenate([x, q], -1))[..., : n + 1]  # noqa: E731
    with np.errstate(all="ignore"):
        U = np.concatenate([newton(g, dg, U[:, : n + 1], U[:, n + 1:], iters=40), U[:, n + 1:]], -1)
    G = sys.G(U)
    res = np.abs(G[:, :n]).max(-1)
    scale = 1 + np.abs(sys.to_z(U)[:, :n]).max(-1)
    good = np.isfinite(G).all(-1) & (res < 1e-9 * scale) & (np.abs(G[:, n]) < 1e-7 * (1 + np.abs(sys.DG(U)[:, n]).max((-1))))
    Z = sys.to_z(U[good])
    if Z.size == 0:
        return []
    J = sys.jacobian(Z)
    ev = np.linalg.eigvals(J)
    okc = kind_crossing_ok(sys.kind, ev, 1 + np.abs(ev).max(-1), tol=1e-5)
    out: list[np.ndarray] = []
    for z in Z[okc]:
        if not all(np.abs(z - o).max() > 1e-6 * (1 + np.abs(z).max()) for o in out):
            continue
        out.append(z)
    return out


def _trace(sys: _System, z0: np.ndarray, q_max: float, *, h0: float, h_max: float, max_steps: int,
           sign: int = 1) -> np.ndarray:
    """Points of the curve from ``z0`` towards increasing ``Q`` up to ``q_max`` (``sign = -1``: towards
    decreasing ``Q`` down to ``q_max``); ends early where the curve turns back past its start or
    leaves the domain."""
    u = sys.to_u(z0)
    n = sys.n
    t = _null_vector(sys.DG(u))
    if sign * t[n + 1] < 0:
        t = -t
    pts = [sys.to_z(u)]
    h = h0
    q_hi = sys.to_u(np.r_[np.zeros(n + 1), q_max])[n + 1]
    q_start = u[n + 1]
    for _ in range(max_steps):
        if h < 1e-8:
            break
        up = u + h * t
        v = up.copy()
        converged = False
        for it in range(8):
            G = sys.G(v)
            A = np.vstack([sys.DG(v), t])
            r = np.concatenate([G, [t @ (v - up)]])
            if not np.all(np.isfinite(A)) or not np.all(np.isfinite(r)):
                break
            try:
                dv = np.linalg.solve(A, -r)
            except np.linalg.LinAlgError:
                break
            v = v + dv
            if np.abs(dv).max() < 1e-10 * (1 + np.abs(v).max()):
                converged = np.abs(sys.G(v)[:n]).max() < 1e-8 * (1 + np.abs(sys.to_z(v)[:n]).max())
                break
        if not converged:
            h /= 2
            continue
        t_new = _null_vector(sys.DG(v))
        if t_new @ t < 0:
            t_new = -t_new
        if sign * (v[n + 1] - q_hi) > 0:  # overshot the end of the range: land exactly on Q = q_max
            end = _land(sys, u, v, q_hi)
            if end is not None:
                pts.append(sys.to_z(end))
            break
        u, t = v, t_new
        pts.append(sys.to_z(u))
        if sign * t[n + 1] <= 0 and sign * (u[n + 1] - q_start) < 0:
            break
        h = min(h * (1.5 if it <= 3 else 1.0), h_max)
    return np.array(pts)


def _land(sys: _System, u0: np.ndarray, u1: np.ndarray, q_hi: float) -> np.ndarray | None:
    """Newton from the secant between ``u0`` and ``u1`` onto the point with ``Q = q_hi``."""
    n = sys.n
    w = (q_hi - u0[n + 1]) / (u1[n + 1] - u0[n + 1])
    v = u0 + w * (u1 - u0)
    e = np.zeros(n + 2)
    e[n + 1] = 1.0
    for _ in range(10):
        A = np.vstack([sys.DG(v), e])
        r = np.concatenate([sys.G(v), [v[n + 1] - q_hi]])
        try:
            dv = np.linalg.solve(A, -r)
        except np.linalg.LinAlgError:
            return None
        v = v + dv
        if np.abs(dv).max() < 1e-12 * (1 + np.abs(v).max()):
            return v
    return v if np.abs(sys.G(v)).max() < 1e-8 else None


def _codim2_tests(sys: _System, kind: BifurcationKind, Z: np.ndarray, *, lyapunov: bool,
                  ref: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], tuple]:
    """The codimension-two test functions at the curve points ``Z`` (see :func:`_codim2`), and the
    null vectors used (``ref`` orients them like a reference pair)."""
    n = sys.N
    X, par = Z[:, :n], sys.params(Z)
    tests: dict[str, np.ndarray] = {}
    vw: tuple = ()
    if kind.name == "fold":
        J = sys.jac(X, par)
        ev = np.linalg.eigvals(J)
        k = np.argmin(np.abs(ev), axis=1)
        others = np.where(np.arange(n)[None, :] == k[:, None], 1.0, ev)
        if n > 1:
            tests["Bogdanov–Takens"] = np.prod(others, axis=1).real
        U, S, Vt = np.linalg.svd(J)
        v, w = Vt[:, -1, :].copy(), U[:, :, -1].copy()
        for i in range(len(v)):  # orient the null vectors continuously along the curve
            pv, pw = (v[i - 1], w[i - 1]) if i else (ref if ref is not None else (v[0], w[0]))
            v[i] *= 1.0 if v[i] @ pv >= 0 else -1.0
            w[i] *= 1.0 if w[i] @ pw >= 0 else -1.0
        vw = (v, w)
        h = 1e-4 * (1 + np.abs(X).max(axis=1, keepdims=True))
        d2 = (sys.rhs(X + h * v, par) - 2 * sys.rhs(X, par) + sys.rhs(X - h * v, par)) / h ** 2
        tests["cusp"] = np.einsum("ij,ij->i", w, d2) / (1 + np.abs(d2).max(axis=1))
    elif kind.name == "hopf" and lyapunov:
        from linstab.num._lyapunov import first_lyapunov_coefficient

        names = sys.model.parameter_names
        tests["Bautin"] = np.array([first_lyapunov_coefficient(sys.model, x, values=dict(zip(names, p)))
                                    for x, p in zip(X, par)])
    return tests, vw


def _codim2(sys: _System, kind: BifurcationKind, Z: np.ndarray, *, lyapunov: bool
            ) -> tuple[tuple[str, float, float], ...]:
    """Codimension-two points along the continued curve ``Z`` (full coordinates), as
    ``(name, against, param)``, where a test function changes sign between consecutive points;
    each is then located by bisection along the curve (every trial point corrected onto it by
    Newton's method). The test functions are those of AUTO and MatCont (Kuznetsov 2004,
    sec. 8.2–8.4 and 10.2.2):

    - on a fold curve, **cusp**: the quadratic normal-form coefficient ``a = ⟨w, D²f(v, v)⟩``
      (``v``, ``w`` the right and left null vectors, oriented continuously along the curve);
    - on a fold curve, **Bogdanov–Takens**: a second eigenvalue reaches zero — the product of the
      eigenvalues other than the one at zero changes sign;
    - on a Hopf curve, **Bautin** (generalized Hopf): the first Lyapunov coefficient ``ℓ₁``.
    """
    tests, vw = _codim2_tests(sys, kind, Z, lyapunov=lyapunov)
    found = []
    for name, g in tests.items():
        g = np.where(np.isfinite(g), g, 0.0)
        for i in np.flatnonzero(g[:-1] * g[1:] < 0):
            ref = (vw[0][i], vw[1][i]) if vw else None

            def value(z: np.ndarray) -> float:
                return float(_codim2_tests(sys, kind, z[None], lyapunov=lyapunov, ref=ref)[0][name][0])

            z = _bisect_on_curve(sys, Z[i], Z[i + 1], value, g[i])
            found.append((name, float(z[-1]), float(z[-2])))
    return tuple(sorted(found, key=lambda item: item[1]))


def _bisect_on_curve(sys: _System, z0: np.ndarray, z1: np.ndarray, value: Any, g0: float,
                     iters: int = 40) -> np.ndarray:
    """The point between the curve points ``z0`` and ``z1`` where ``value`` changes sign: bisection
    along the chord, each midpoint corrected onto the curve in the hyperplane normal to the chord."""
    a, b = sys.to_u(z0), sys.to_u(z1)
    mid = (a + b) / 2
    for _ in range(iters):
        mid, d = (a + b) / 2, b - a
        v = mid.copy()
        for _ in range(8):
            A = np.vstack([sys.DG(v), d])
            r = np.concatenate([sys.G(v), [d @ (v - mid)]])
            if not (np.all(np.isfinite(A)) and np.all(np.isfinite(r))):
                break
            try:
                v = v - np.linalg.solve(A, r)
            except np.linalg.LinAlgError:
                break
        gv = value(sys.to_z(v))
        if not np.isfinite(gv):
            break
        if (gv > 0) == (g0 > 0):
            a = v
        else:
            b = v
        if np.abs(b - a).max() < 1e-12 * (1 + np.abs(a).max()):
            break
    return sys.to_z((a + b) / 2)


def _on_curve(u: np.ndarray, U: np.ndarray, tol: float = 1e-2) -> bool:
    """Does the point ``u`` lie on the polyline of the curve points ``U`` (continuation
    coordinates)? Distance in the ``(P, Q)`` plane, each axis scaled by the curve's extent."""
    pq, PQ = u[-2:], U[:, -2:]
    scale = np.maximum(np.ptp(PQ, axis=0), 1e-9 * (1 + np.abs(PQ).max(axis=0)))
    a, b, x = PQ[:-1] / scale, PQ[1:] / scale, pq / scale
    if len(PQ) == 1:
        return bool(np.abs(x - PQ[0] / scale).max() <= tol)
    d = b - a
    t = np.clip(np.einsum("ij,ij->i", x - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-300), 0.0, 1.0)
    dist = np.linalg.norm(a + t[:, None] * d - x, axis=1)
    return bool(np.all(np.isfinite(x)) and dist.min() <= tol)


def _symmetric_groups(model: Model, x: np.ndarray) -> list[list[int]] | None:
    """Groups of the symmetry orbits whose variables are equal at ``x`` (None if none are)."""
    from linstab.sym import symmetry_orbits

    idx = {v: i for i, v in enumerate(model.variables)}
    groups: list[list[int]] = []
    reduced = False
    for orbit in symmetry_orbits(model):
        ids = [idx[v] for v in orbit]
        if len(ids) > 1 and np.ptp(x[ids]) <= 1e-7 * (1 + np.abs(x[ids]).max()):
            groups.append(ids)
            reduced = True
        else:
            groups.extend([i] for i in ids)
    return sorted(groups) if reduced else None


def continue_curve(
    model: Model | str,
    kind: str,
    param: str,
    against: str,
    *,
    q_range: tuple[float, float],
    p_range: tuple[float, float] | None = None,
    values: Mapping[str, float] | None = None,
    step: float = 0.02,
    max_step: float = 0.1,
    max_steps: int = 2000,
    n_seeds: int = 12,
    lyapunov: bool = True,
) -> list[BifurcationCurve]:
    """Fold or Hopf curves in the ``(against, param)`` plane by pseudo-arclength continuation.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or a name/path.
    kind
        A name of :data:`linstab.sym.KIND_NAMES`: ``"fold"`` traces every ``det J = 0`` curve and
        each result reports its true kind (fold, transcritical, pitchfork); ``"hopf"``.
    param
        Parameter ``P`` (vertical axis).
    against
        Parameter ``Q`` (horizontal axis), continued from ``q_range[0]`` to ``q_range[1]``.
    q_range
        Range of ``against``.
    p_range
        Where to look for start points in ``param`` (default: 1/100 to 100 times its value for a
        positive or nonnegative parameter, its value ± 10 times its size otherwise).
    values
        Values of the other parameters (override the model's).
    step, max_step
        Initial and largest arclength step (in log coordinates for positive quantities).
    max_steps
        Largest number of continuation steps per curve.
    n_seeds
        Newton seeds per trial value of ``param`` when looking for start points.
    lyapunov
        Classify Hopf curves by the first Lyapunov coefficient at a middle point.

    Returns
    -------
    list of BifurcationCurve
        With ``expression`` and ``condition`` ``None``; ``points`` columns ``[against, param]``;
        ``kind`` the true kind; ``codim2`` the cusp and Bogdanov–Takens points on fold curves and
        the Bautin (generalized Hopf) points on Hopf curves, located by bisection along the curve.

    Raises
    ------
    AnalysisError
        No start point (no crossing of the kind at ``q_range[0]`` within ``p_range``).

    Examples
    --------
    >>> (c,) = continue_curve("brusselator", "hopf", "b", "a", q_range=(0.5, 2.0))
    >>> bool(abs(c.points[:, 1] - (1 + c.points[:, 0] ** 2)).max() < 1e-6)
    True
    """
    model = load_model(model)
    accepted = accepted_kinds(kind)  # raises on an unknown name
    kobj = accepted[0]
    model.parameter(param)
    model.parameter(against)
    if param == against:
        raise ParameterError(f"param and against must differ; both are {param!r}")
    if values:
        model = model.with_values(values)
    require_isolated(model, f"continuing {kind} curves")
    if kobj.family == "hopf" and model.n_vars < 2:
        raise AnalysisError("kind='hopf' needs at least two state variables; use kind='fold'")
    q_lo, q_hi = map(float, q_range)
    if not q_lo < q_hi:
        raise ValueError(f"q_range must be (min, max) with min < max, got {q_range}")
    fixed = {k: v for k, v in model.parameter_values.items() if k not in (param, against)}
    missing = [k for k, v in fixed.items() if v is None]
    if missing:
        raise ParameterError(f"model {model.name!r}: no value for parameter(s) {', '.join(missing)}; "
                             f"pass values={{'{missing[0]}': ...}}")
    p0 = model.parameter_values.get(param) or 1.0
    if p_range is None:
        width = 10 * max(abs(p0), 1.0)
        p_range = (abs(p0) / 100, abs(p0) * 100) if model.domain[param] in ("positive", "nonnegative") \
            else (p0 - width, p0 + width)
    # every number below is checked for finiteness; overflow or 0/0 in a trial step is no news
    with np.errstate(all="ignore"):
        sys = _System(model, kobj, param, against, fixed)
        # start points on Q = q_lo, then on interior lines of Q (a curve may enter the range through
        # the P window's or the domain's edge); an interior start is traced both ways
        logQ = sys.logs[sys.n + 1] and q_lo > 0
        q_lines = (np.geomspace(q_lo, q_hi, 10) if logQ else np.linspace(q_lo, q_hi, 10))[:-1]
        starts = [(z, q_lines[0]) for z in _starts(sys, q_lo, *p_range, n_seeds=n_seeds)]
        for q in q_lines[1:]:
            starts += [(z, q) for z in _starts(sys, float(q), *p_range, n_seeds=n_seeds)]
        if not starts:
            raise AnalysisError(f"continue_curve: no {kind} point of {model.name!r} for {against} in [{q_lo:g}, {q_hi:g}] "
                                f"with {param} in [{p_range[0]:g}, {p_range[1]:g}]; widen p_range= or change q_range=")

        def trace(z0: np.ndarray, q_end: float, sign: int, at_zero: tuple[int, ...]) -> np.ndarray:
            if at_zero:  # a boundary equilibrium: inside its invariant face, or in plain coordinates
                sub = _subspace(sys, at_zero, z0)
            else:  # inside the symmetric subspace where the start lies in one
                groups = _symmetric_groups(model, z0[: sys.n])
                sub = sys if groups is None else _System(*sys.args, groups)
            Zr = _trace(sub, _to_sub(sub, z0), q_end, h0=step, h_max=max_step, max_steps=max_steps, sign=sign)
            Z = _from_sub(sub, Zr)
            # round-off below a zero boundary (tolerated down to -1e-12) back onto it
            Z[:, : sys.n] = np.where(sys.nonneg_vars & (Z[:, : sys.n] < 0), 0.0, Z[:, : sys.n])
            Z[:, sys.n:] = np.where(sys.nonneg[sys.n:] & (Z[:, sys.n:] < 0), 0.0, Z[:, sys.n:])
            return Z

        curves: list[BifurcationCurve] = []
        traced: list[np.ndarray] = []
        rejected: list[str] = []
        for (z0, linear), q_start in starts:
            if any(_on_curve(sys.to_u(z0), sys.to_u(pts)) for pts in traced):
                continue
            Z = trace(z0, q_hi, 1, linear)
            if q_start > q_lo:
                Z = np.concatenate([trace(z0, q_lo, -1, linear)[::-1], Z[1:]])
            traced.append(Z)
            Z = Z[(Z[:, -1] >= q_lo - 1e-12) & (Z[:, -1] <= q_hi + 1e-9 * (1 + abs(q_hi)))]
            if len(Z) == 0:
                continue
            ev = np.linalg.eigvals(sys.jacobian(Z))
            ok = kind_crossing_ok(kobj, ev, 1 + np.abs(ev).max(-1), tol=1e-5)
            Z = Z[ok]
            if len(Z) < 2:
                continue
            lyap = None
            zm = Z[len(Z) // 2]
            true_kind = kobj
            if kobj.family == "zero":
                true_kind = classify_zero_eigenvalue(sys.rhs, sys.jac, zm[: sys.n], sys.params(zm),
                                                            param_index=sys.iP)
            if true_kind not in accepted:
                rejected.append(true_kind.name)
                continue
            if kobj.family == "hopf" and lyapunov:
                from linstab.num._lyapunov import hopf_criticality

                vals = dict(zip(model.parameter_names, sys.params(zm)))
                lyap = hopf_criticality(model, zm[: sys.n], values=vals)
            codim2 = _codim2(sys, true_kind, Z, lyapunov=lyapunov)
            curves.append(BifurcationCurve(
                kind=true_kind.name, param=param, against=against, expression=None, condition=None,
                points=np.column_stack([Z[:, -1], Z[:, -2]]), lyapunov=lyap, fixed=dict(fixed),
                states=Z[:, : sys.n], route="continuation", codim2=codim2,
            ))
        if not curves and rejected:
            raise AnalysisError(f"continue_curve: the det J = 0 curves of {model.name!r} are "
                                f"{', '.join(sorted(set(rejected)))}, not {kind}; ask for kind='fold' to get every one")
        if not curves:
            raise AnalysisError(f"continue_curve: no {kind} curve of {model.name!r} in {against} in [{q_lo}, {q_hi}]")
    return curves
