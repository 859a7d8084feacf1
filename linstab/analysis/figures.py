"""Numbers the figures of :mod:`linstab.plot` need on the Python side: starting points, fixed
points, time courses, vector fields and their streamlines; the figures draw them.

The figures' initial data is computed here so that a figure shows the right thing before any
JavaScript runs (a notebook, a screenshot, a unit test). Fixed points and their classification
come from :func:`linstab.num.find_fixed_points` (nothing is re-implemented here); :func:`starts`
gives the page's JavaScript Newton solver its fallback starting points, and :func:`time_course`
is the same fixed-step RK4 as the page's, on the kernel of :meth:`Model.kernel` (the one lambdify
path).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["starts", "lower_bounds", "fixed_points", "eigenvalues", "time_course", "perturbed", "field_grid",
           "zero_contour", "streamlines", "parametric_branches"]


def parametric_branches(model: Any, param: str) -> list[Any]:
    """The fixed-point branches of :func:`linstab.sym.parametric_fixed_points` ``(model, param)``
    (``param`` and the state as functions of one coordinate), for the bifurcation diagram's
    JavaScript; ``[]`` where SymPy finds no such parametrization.

    Examples
    --------
    >>> from linstab import load_model
    >>> len(parametric_branches(load_model("repressilator"), "beta"))
    1
    """
    from linstab.sym import parametric_fixed_points

    try:
        return list(parametric_fixed_points(model, param))
    except Exception:  # no parametrization (SymPy's failures are of many types): the page samples instead
        return []


def lower_bounds(model: Any) -> list[float | None]:
    """0 for variables declared nonnegative or positive, ``None`` (unbounded) otherwise."""
    dom = model.domain
    return [0.0 if dom.get(v) in ("nonnegative", "positive") else None for v in model.variable_names]


def starts(model: Any, values: Mapping[str, float], *, limit: int = 64) -> list[list[float]]:
    """Starting points for the multi-start Newton solver: levels scaled by the parameter values.

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model("toggle_switch")
    >>> len(starts(m, m.numeric_values())) > 4
    True
    """
    n = model.n_vars
    big = max([abs(v) for v in values.values() if v] + [1.0])
    levels = sorted({0.01, 0.3, 1.0, 3.0, min(big, 1e4)})
    lower = lower_bounds(model)
    per_var = [levels if lo is not None else sorted({*levels, *(-v for v in levels)}) for lo in lower]
    out: list[list[float]] = [[lv] * n for lv in levels]
    total = int(np.prod([len(lv) for lv in per_var])) if n else 1
    if total <= limit:
        out += [list(c) for c in itertools.product(*per_var)]
    else:  # one variable high, the others low, and the reverse; then the sign patterns
        lo, hi = levels[0], levels[-1]
        for i in range(n):
            out.append([hi if j == i else lo for j in range(n)])
            out.append([lo if j == i else hi for j in range(n)])
        if any(b is None for b in lower):
            for signs in itertools.islice(itertools.product((-1.0, 1.0), repeat=n), limit):
                out.append([s * 1.0 if lower[j] is None else 1.0 for j, s in enumerate(signs)])
    seen, uniq = set(), []
    for s in out:
        key = tuple(s)
        if key not in seen:
            seen.add(key)
            uniq.append([float(v) for v in s])
    return uniq[:limit]


def eigenvalues(model: Any, state: Sequence[float], values: Mapping[str, float]) -> np.ndarray:
    """Eigenvalues of the Jacobian at ``state``, sorted by real part, largest first."""
    J = model.kernel("jacobian")(np.asarray(state, float), model.parameter_vector(values))
    ev = np.linalg.eigvals(J)
    return ev[np.lexsort((-ev.imag, -ev.real))]


def fixed_points(model: Any, values: Mapping[str, float]) -> list[Any]:
    """:func:`linstab.num.find_fixed_points` at ``values``: stable points first, then the rest.

    Examples
    --------
    >>> from linstab import load_model
    >>> [fp.classification for fp in fixed_points(load_model("toggle_switch"), {"beta": 4.0, "n": 2.0})]
    ['stable node', 'stable node', 'saddle']
    """
    from linstab.num import find_fixed_points

    found = find_fixed_points(model, dict(values))
    return sorted(found, key=lambda fp: not fp.stable)


def perturbed(state: Sequence[float], *, size: float = 0.05) -> list[float]:
    """A start near ``state`` that excites every mode (relative kicks 1, 0.75, 0.5, ...).

    The kicks are positive, so a nonnegative state stays nonnegative.
    """
    n = len(state)
    return [float(x + size * (abs(x) + 0.01) * (1 - 0.5 * i / max(n - 1, 1))) for i, x in enumerate(state)]


def time_course(model: Any, x0: Sequence[float], values: Mapping[str, float], *, t_max: float,
                steps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """RK4 with fixed steps (the same scheme as the page's JavaScript): ``(t, X[n_vars, steps+1])``."""
    F = model.kernel("rhs")
    p = np.asarray(model.parameter_vector(values))
    h = t_max / steps
    x = np.asarray(x0, float)
    out = [x]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            k1 = F(x, p)
            k2 = F(x + 0.5 * h * k1, p)
            k3 = F(x + 0.5 * h * k2, p)
            k4 = F(x + h * k3, p)
            xn = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            if not np.all(np.isfinite(xn)):
                break
            x = xn
            out.append(x)
    X = np.array(out).T
    return h * np.arange(X.shape[1]), X


def field_grid(model: Any, values: Mapping[str, float], xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The 2-D vector field on the grid ``xs`` × ``ys``: shape ``(2, len(ys), len(xs))``."""
    F = model.kernel("rhs")
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        out = F(np.stack([X, Y], axis=-1), np.asarray(model.parameter_vector(values)))
    return np.moveaxis(np.asarray(out, float), -1, 0)


def zero_contour(Z: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[list[float], list[float]]:
    """The zero level set of ``Z[len(ys), len(xs)]`` as one NaN-separated polyline (contourpy)."""
    import contourpy

    Z = np.where(np.isfinite(Z), Z, np.nan)
    gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(Z), line_type=contourpy.LineType.Separate)
    outx: list[float] = []
    outy: list[float] = []
    for seg in gen.lines(0.0):
        outx += seg[:, 0].tolist() + [float("nan")]
        outy += seg[:, 1].tolist() + [float("nan")]
    return outx, outy


def streamlines(model: Any, values: Mapping[str, float], x_range: Sequence[float], y_range: Sequence[float], *,
                density: float = 1.0) -> tuple[list[list[float]], list[list[float]], list[list[float]]]:
    """Evenly spread streamlines of a 2-D model: ``(xs, ys, arrows)``, ``arrows`` = ``[x, y, angle]``.

    The same occupancy-grid algorithm as the page's JavaScript (``LS.streamlines``), on a bilinear
    interpolation of the field on a fine grid. Angles are in axis-normalized coordinates.
    """
    x0, x1 = map(float, x_range)
    y0, y1 = map(float, y_range)
    g = 121
    gx, gy = np.linspace(x0, x1, g), np.linspace(y0, y1, g)
    U, V = field_grid(model, values, gx, gy)
    sx, sy = x1 - x0, y1 - y0
    U, V = U / sx, V / sy
    S = np.hypot(U, V)
    with np.errstate(all="ignore"):
        U, V = np.where(S > 0, U / S, np.nan), np.where(S > 0, V / S, np.nan)
    m = max(4, round(25 * density))
    used = np.zeros((m, m), bool)
    h = 0.3 / m

    def direction(u: float, v: float) -> tuple[float, float] | None:
        fx, fy = u * (g - 1), v * (g - 1)
        i, j = min(int(fx), g - 2), min(int(fy), g - 2)
        a, b = fx - i, fy - j
        du = (1 - a) * (1 - b) * U[j, i] + a * (1 - b) * U[j, i + 1] + (1 - a) * b * U[j + 1, i] + a * b * U[j + 1, i + 1]
        dv = (1 - a) * (1 - b) * V[j, i] + a * (1 - b) * V[j, i + 1] + (1 - a) * b * V[j + 1, i] + a * b * V[j + 1, i + 1]
        s = math.hypot(du, dv)
        return (du / s, dv / s) if s > 0 and math.isfinite(s) else None

    def trace(u: float, v: float, sign: float) -> tuple[list[float], list[float], list[tuple[int, int]]]:
        pu, pv, visited = [], [], []
        for _ in range(int(8 / h)):
            if not (0 <= u < 1 and 0 <= v < 1):
                break
            c = (int(v * m), int(u * m))
            if used[c] and c not in visited:
                break
            if c not in visited:
                visited.append(c)
            pu.append(u)
            pv.append(v)
            d1 = direction(u, v)
            if d1 is None:
                break
            um, vm = u + 0.5 * h * sign * d1[0], v + 0.5 * h * sign * d1[1]
            if not (0 <= um < 1 and 0 <= vm < 1):
                break
            d2 = direction(um, vm)
            if d2 is None:
                break
            u, v = u + h * sign * d2[0], v + h * sign * d2[1]
        return pu, pv, visited

    order = sorted(((i, j) for j in range(m) for i in range(m)), key=lambda c: math.hypot(c[0] - m / 2, c[1] - m / 2))
    xs, ys, arrows = [], [], []
    for i, j in order:
        if used[j, i]:
            continue
        u0, v0 = (i + 0.5) / m, (j + 0.5) / m
        fu, fv, fvis = trace(u0, v0, 1.0)
        bu, bv, bvis = trace(u0, v0, -1.0)
        lu, lv = bu[1:][::-1] + fu, bv[1:][::-1] + fv
        if len(lu) < 6:
            continue
        for c in fvis + bvis:
            used[c] = True
        xs.append([x0 + u * sx for u in lu])
        ys.append([y0 + v * sy for v in lv])
        k = len(lu) // 2
        arrows.append([xs[-1][k], ys[-1][k], math.atan2(lv[k + 1] - lv[k], lu[k + 1] - lu[k])])
    return xs, ys, arrows
