"""Turing boundaries in a two-parameter plane: closed form checked on the dispersion relation.

For two species the boundary of the Turing region is ``(d_v f_u + d_u g_v)² = 4 d_u d_v det J``
(with ``d_v f_u + d_u g_v > 0`` and the homogeneous state stable), solved for the vertical
parameter by :func:`linstab.sym.turing_boundaries`. Each candidate is sampled, and a sample point
is kept only where the numeric dispersion relation shows the crossing: the state is stable at
``k = 0`` and ``max_{k>0} Re λ(k)`` changes sign across the point (at ``P(1 − δ)`` and
``P(1 + δ)``, ``δ = 10⁻³``). The spurious roots of squaring (``d_v f_u + d_u g_v < 0``) fail that
test and drop out.

Where SymPy finds no explicit closed form (e.g. Schnakenberg's ``b`` against ``a``, a degree-six
equation; Hill kinetics whose state solves a cubic), the boundary is sought as a parametric curve in
the first species' steady state ``s`` (:func:`linstab.sym.turing_parametric`, ``parametrization =
(s, Q(s), P(s))``, ``expression = None``), sampled over the runs of ``s`` that map into the window of
``Q`` (``s`` on a log grid from 1e-4 to 1e4) and checked the same way; a run needs two checked samples.
Where that fails too, and for more than two species, the boundary is found numerically: ``max_k Re λ`` is scanned along
``P`` at each sample of ``Q`` and every sign change is bisected; the curve's ``route`` is then
``"numeric"`` and its derivation says that there is no closed form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num import compile_kernel, dispersion, find_fixed_points, max_growth
from linstab.sym import BifurcationCurve, homogeneous_state, turing_boundaries, turing_conditions, turing_parametric

__all__ = ["turing_curves", "TuringFigureData", "turing_figure_data"]

_DELTA = 1e-3


def turing_curves(model: Model | str, param: str, against: str, *, q_range: tuple[float, float] | None = None,
                  p_range: tuple[float, float] | None = None, values: Mapping[str, float] | None = None,
                  n_points: int = 50, budget: float | None = 5.0) -> list[BifurcationCurve]:
    """Turing boundaries ``param`` against ``against``, in closed form where one exists.

    Parameters
    ----------
    model
        A model with a ``[diffusion]`` table.
    param
        The parameter on the vertical axis (solved for).
    against
        The parameter on the horizontal axis.
    q_range
        Range of ``against`` (default: half to twice its model value).
    p_range
        Where the numeric route looks for the boundary in ``param`` (default: a tenth to ten times
        its model value).
    values
        Values of the other parameters (override the model's).
    n_points
        Number of sample points.
    budget
        Seconds for SymPy to solve the boundary equation, and as much again for the parametric form
        (then the numeric route answers).

    Returns
    -------
    list of BifurcationCurve
        ``kind == "turing"``; ``route`` ``"closed form"`` or ``"numeric"``; a parametric closed form has
        ``expression`` ``None``, ``parametrization`` ``(s, Q(s), P(s))`` and ``states`` ``(s, v(s))``.

    Raises
    ------
    AnalysisError
        If no boundary point is found in the ranges.

    References
    ----------
    Murray (2003), *Mathematical Biology II*, 3rd ed., sec. 2.3; Turing (1952).

    Examples
    --------
    Gierer–Meinhardt: the boundary in ``b`` against ``a`` at ``d = 30``:

    >>> (c,) = turing_curves("gierer_meinhardt", "b", "a", q_range=(0.1, 0.5), n_points=3)
    >>> c.route, c.expression
    ('closed form', (a + 1)*(a + 2*sqrt(2)*sqrt(a + 1) + 3)/(d*(a - 1)**2))
    >>> c.points.round(4)   # at a = 0.1: 1.1 (3.1 + 2√2.2)/(30 · 0.81) = 0.2746
    array([[0.1   , 0.2746],
           [0.3   , 0.577 ],
           [0.5   , 1.3928]])
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    P, Q = model.parameter(param), model.parameter(against)
    if P == Q:
        raise ParameterError(f"param and against must be different parameters; both are {param!r}")
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    vals = model.parameter_values
    fixed = {k: float(v) for k, v in vals.items() if k not in (param, against) and v is not None}
    qs = _range(q_range, vals[against], "q_range")
    qgrid = np.linspace(qs[0], qs[1], n_points)
    curves: list[BifurcationCurve] = []
    kept: list[np.ndarray] = []
    reason = ""
    if model.n_vars == 2:
        try:
            tc = turing_conditions(model)
        except AnalysisError as exc:  # no closed-form homogeneous state
            tc, reason = None, str(exc)
        candidates = turing_boundaries(model, param, against, timeout=budget) if tc is not None else []
        if tc is not None and not candidates:
            reason = (f"SymPy found no closed form of (d_v f_u + d_u g_v)² = 4 d_u d_v det J for {param} "
                      f"within {budget} s")
        for expr in candidates:
            p = _evaluate(expr, Q, qgrid, fixed)
            ok = _checked(model, param, against, qgrid, p)
            if not ok.any() or any(np.array_equal(ok, _ok) and np.allclose(p[ok], c.points[:, 1], rtol=1e-9)
                                   for c, _ok in zip(curves, kept)):
                continue  # no point checks out, or the same curve as one already kept (another form)
            kept.append(ok)
            cond = sp.And(sp.StrictGreaterThan(tc.h, 0), sp.StrictLessThan(tc.trace, 0),
                          sp.StrictGreaterThan(tc.det, 0)).xreplace({P: expr})
            conditions = [sp.StrictLessThan(tc.trace, 0), sp.StrictGreaterThan(tc.det, 0),
                          sp.StrictGreaterThan(tc.h, 0), sp.StrictGreaterThan(tc.discriminant, 0)]
            steps = (("Turing conditions at the homogeneous state (Murray 2003, sec. 2.3; those that always hold "
                      "are left out):", [c for c in conditions if c is not sp.true]),
                     ("Boundary: (d_v f_u + d_u g_v)² − 4 d_u d_v det J = 0, solved for " + param + ":",
                      sp.Eq(P, expr)),
                     ("Critical wavenumber on the boundary, k_c² = √(det J/(d_u d_v)):", tc.k_c2))
            curves.append(BifurcationCurve(kind="turing", param=param, against=against, expression=expr,
                                           condition=cond, points=np.column_stack([qgrid[ok], p[ok]]),
                                           lyapunov=None, fixed=fixed, derivation=steps, route="closed form"))
        if not curves:
            curves = _parametric(model, param, against, qs, n_points, fixed, budget)
    else:
        reason = (f"{model.n_vars} species: the Turing condition is a Routh–Hurwitz failure of J − k²D for some k, "
                  "with no closed form beyond two species")
    if curves:
        return curves
    ps = _range(p_range, vals[param], "p_range", wide=True)
    pts = _numeric(model, param, against, qgrid, ps)
    if not len(pts):
        raise AnalysisError(f"model {model.name!r}: no Turing boundary of {param} in [{ps[0]:g}, {ps[1]:g}] for "
                            f"{against} in [{qs[0]:g}, {qs[1]:g}]; widen q_range= or p_range=")
    steps = (("No closed form: " + (reason or "no candidate passed the numeric check") + "; the boundary is where "
              "max_k Re λ(J − k²D) changes sign along " + param + " (bisection).", None),)
    return [BifurcationCurve(kind="turing", param=param, against=against, expression=None, condition=None,
                             points=pts, lyapunov=None, fixed=fixed, derivation=steps, route="numeric")]


def _parametric(model: Model, param: str, against: str, qs: tuple[float, float], n_points: int,
                fixed: Mapping[str, float], budget: float | None) -> list[BifurcationCurve]:
    """The boundary as parametric curves in the first species' steady state ``s`` (see
    :func:`linstab.sym.turing_parametric`), sampled over the ``s`` ranges that map into ``qs`` and checked."""
    P, Q = model.parameter(param), model.parameter(against)
    curves: list[BifurcationCurve] = []
    for s, qexpr, pexpr, vexpr in turing_parametric(model, param, against, timeout=budget):
        sgrid = np.geomspace(1e-4, 1e4, 4001)
        qv, pv = _evaluate(qexpr, s, sgrid, fixed), _evaluate(pexpr, s, sgrid, fixed)
        inside = np.isfinite(qv) & np.isfinite(pv) & (qv >= qs[0]) & (qv <= qs[1])
        edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
        for lo, hi in zip(edges[::2], edges[1::2] - 1):  # each run of s mapping into the window
            if hi <= lo:
                continue
            ss = np.geomspace(sgrid[lo], sgrid[hi], n_points)
            q, p = _evaluate(qexpr, s, ss, fixed), _evaluate(pexpr, s, ss, fixed)
            ok = _checked(model, param, against, q, p)
            if ok.sum() < 2:  # a lone checked sample (e.g. where tr J < 0 only just holds) is no curve
                continue
            steps = (("Homogeneous state parametrised by " + str(model.variables[0]) + " = " + s.name
                      + ": the steady-state equations solved for one plane parameter; the boundary "
                      "(d_v f_u + d_u g_v)² = 4 d_u d_v det J (Murray 2003, sec. 2.3) solved for the other:",
                      [sp.Eq(Q, qexpr), sp.Eq(P, pexpr)]),)
            curves.append(BifurcationCurve(kind="turing", param=param, against=against, expression=None,
                                           condition=None, points=np.column_stack([q[ok], p[ok]]), lyapunov=None,
                                           fixed=dict(fixed), derivation=steps, route="closed form",
                                           states=np.column_stack([ss[ok], _evaluate(vexpr, s, ss[ok], fixed)]),
                                           parametrization=(s, qexpr, pexpr)))
    return curves


def _range(spec: tuple[float, float] | None, value: float | None, what: str, *, wide: bool = False) -> tuple[float, float]:
    if spec is None:
        if value is None or value == 0:
            raise ParameterError(f"{what}: the model has no nonzero value to centre a default range on; give {what}")
        lo, hi = sorted((value / (10 if wide else 2), value * (10 if wide else 2)))
        return lo, hi
    lo, hi = (float(v) for v in spec)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{what} must be finite with min < max, got {spec!r}")
    return lo, hi


def _evaluate(expr: sp.Expr, Q: sp.Symbol, q: np.ndarray, fixed: Mapping[str, float]) -> np.ndarray:
    rest = sorted((s for s in expr.free_symbols if s != Q), key=lambda s: s.name)
    kern = compile_kernel(expr, [[Q], rest])
    with np.errstate(all="ignore"):
        out = np.broadcast_to(kern(q[:, None], np.array([fixed[s.name] for s in rest]), dtype=complex), q.shape)
    real = np.isfinite(out) & (np.abs(out.imag) <= 1e-9 * (1 + np.abs(out.real)))
    return np.where(real, out.real, np.nan)


def _growth(model: Model, param: str, against: str, q: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        g, _, g0 = max_growth(model, values={against: q, param: p})
    return g, g0


def _checked(model: Model, param: str, against: str, q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Where ``p(q)`` is a Turing crossing: stable at k = 0 and max Re λ changes sign across it."""
    ok = np.isfinite(p) & (p > 0 if model.domain[param] == "positive" else p >= 0 if model.domain[param] ==
                           "nonnegative" else np.isfinite(p))
    if not ok.any():
        return ok
    lo, hi = p * (1 - _DELTA), p * (1 + _DELTA)
    glo, g0lo = _growth(model, param, against, q, np.where(ok, lo, 1.0))
    ghi, g0hi = _growth(model, param, against, q, np.where(ok, hi, 1.0))
    return ok & (g0lo < 0) & (g0hi < 0) & (np.sign(glo) * np.sign(ghi) < 0)


def _numeric(model: Model, param: str, against: str, q: np.ndarray, ps: tuple[float, float]) -> np.ndarray:
    """Sign changes of ``max_k Re λ`` along ``param`` (with the state stable), bisected."""
    log = ps[0] > 0
    grid = np.geomspace(*ps, 121) if log else np.linspace(*ps, 121)
    Qg, Pg = np.meshgrid(q, grid, indexing="ij")
    g, g0 = _growth(model, param, against, Qg, Pg)
    s = np.where(g0 < 0, np.sign(g), 0)
    change = (s[:, :-1] * s[:, 1:]) < 0
    iq, ip = np.nonzero(change)
    a, b = grid[ip], grid[ip + 1]
    qa = q[iq]
    ga = np.sign(g[iq, ip])
    for _ in range(50):
        m = np.sqrt(a * b) if log else (a + b) / 2
        gm, _ = _growth(model, param, against, qa, m)
        left = np.sign(gm) == ga
        a, b = np.where(left, m, a), np.where(left, b, m)
    return np.column_stack([qa, (a + b) / 2]) if len(qa) else np.empty((0, 2))



@dataclass(frozen=True, kw_only=True, eq=False)
class TuringFigureData:
    """What the Turing diagram (:func:`linstab.plot.turing_diagram`) draws besides the map itself.

    Attributes
    ----------
    values
        Parameter values at the marker (the model's, the map's fixed ones, the window's centre).
    k, lam
        The wavenumbers of the dispersion plot and the eigenvalues of ``J − k²D`` there,
        ``(len(k), n)``, leading first.
    k_max
        The largest wavenumber drawn.
    state
        The homogeneous state in closed form (variable -> expression), or ``None`` where it has none.
    seed
        Where there is no closed form: the state the page's Newton iteration starts from (the
        largest-norm stable fixed point at ``values``), else ``None``.
    """

    values: dict[str, float]
    k: np.ndarray
    lam: np.ndarray
    k_max: float
    state: dict[Any, sp.Expr] | None
    seed: list[float] | None


def turing_figure_data(tmap: Any, *, k_max: float | None = None, n_k: int = 200) -> TuringFigureData:
    """The dispersion curve and the homogeneous state that a Turing diagram shows at its marker.

    Parameters
    ----------
    tmap
        A :class:`linstab.num.TuringMap` with its model attached (from :func:`linstab.num.turing_map`).
    k_max
        Largest wavenumber (default: 2.5 times the largest fastest mode of the map, else 2).
    n_k
        Points of the dispersion curve.

    Returns
    -------
    TuringFigureData
    """
    model = tmap.model
    if model is None:
        raise ValueError("this TuringMap has no model attached; build it with linstab.num.turing_map")
    xs, ys = np.asarray(tmap.x), np.asarray(tmap.y)
    values = {**{k: v for k, v in model.parameter_values.items() if v is not None}, **tmap.fixed}
    values.setdefault(tmap.x_name, float(xs[len(xs) // 2]))
    values.setdefault(tmap.y_name, float(ys[len(ys) // 2]))
    values = {n: float(values[n]) for n in model.parameter_names}
    kstar = np.asarray(tmap.k_star)[np.isfinite(tmap.k_star)]
    kmax = float(k_max) if k_max is not None else (2.5 * float(kstar.max()) if kstar.size and kstar.max() > 0 else 2.0)
    k = np.linspace(0.0, kmax, int(n_k))
    lam = dispersion(model, k, values=values)
    try:
        state, seed = homogeneous_state(model), None
    except AnalysisError:  # no closed form: the page runs Newton from the state at these values
        fps = find_fixed_points(model, values)
        stable = [fp for fp in fps if fp.stable] or list(fps)
        seed = ([float(v) for v in max(stable, key=lambda fp: float(np.linalg.norm(fp.state))).state] if stable
                else [1.0] * model.n_vars)
        state = None
    return TuringFigureData(values=values, k=k, lam=lam, k_max=kmax, state=state, seed=seed)
