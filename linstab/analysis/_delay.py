"""Delay Hopf curves and the delay report: the closed-form crossing checked on the characteristic roots.

:func:`delay_hopf_curves` evaluates the closed-form first crossing ``τ_c`` of
:func:`linstab.sym.delay_crossings` along a range of a second parameter ``Q`` (at the numeric
fixed point, which for most gene circuits has no closed form) and keeps each point only where
the rightmost characteristic roots computed independently at ``(Q, τ_c)``
(:func:`linstab.num.rightmost_roots`) show the crossing: one pair ``±iω`` on the imaginary axis,
every other root in the left half-plane. :func:`delay_report` is the delay step of
``linstab analyze``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num import (StabilityMap, delay_stability_map, find_fixed_points, kind_crossing_ok,
                         rightmost_roots)
from linstab.sym import (DELAY_HOPF, BifurcationCurve, DelayCrossing, delay_crossings, delay_linearization,
                         parametric_fixed_points, undelayed)

__all__ = ["delay_hopf_curves", "delay_report", "DelayReport", "crossing_values", "DelayDiagramData", "delay_diagram_data"]


def crossing_values(model: Model, crossing: DelayCrossing, values: Mapping[str, float] | None = None,
                    state: Any = None) -> dict[str, float]:
    """``ω``, ``τ_c``, the period ``2π/ω`` and each abstracted coefficient, as numbers.

    Parameters
    ----------
    model
        The delay model.
    crossing
        A crossing of :func:`linstab.sym.delay_crossings` (at a general state).
    values
        Parameter values (override the model's).
    state
        The fixed point; by default the unique fixed point of the system at zero delay.

    Returns
    -------
    dict
        ``{"omega", "tau_c", "period", <abstracted symbols>}``; ``nan`` where the crossing does not
        exist (its condition fails).

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 2.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> v = crossing_values(m, delay_crossings(m)[0])
    >>> round(v["omega"], 12), round(v["tau_c"], 12)
    (2.0, 0.785398163397)
    """
    model = load_model(model)
    vals = model.numeric_values(values)
    if state is None:
        fps = find_fixed_points(undelayed(model), vals)
        if len(fps) != 1:
            raise AnalysisError(f"model {model.name!r} has {len(fps)} fixed points at these values; pass state=")
        state = fps[0].state
    subs = {**{model.symbols[k]: float(v) for k, v in vals.items()},
            **{v: float(s) for v, s in zip(model.variables, np.asarray(state, dtype=float))}}
    out = {}
    coeffs = {k: complex(sp.N(e.xreplace(subs))) for k, e in crossing.abstracted.items()}
    full = {**subs, **{k: c.real for k, c in coeffs.items()}}
    cond = crossing.condition.xreplace(full) if crossing.condition is not None else sp.true
    ok = bool(cond) if cond in (sp.true, sp.false) else False
    for name, expr in (("omega", crossing.omega), ("tau_c", crossing.tau_c), ("period", crossing.period())):
        value = complex(sp.N(expr.xreplace(full))) if ok else complex(np.nan)
        out[name] = value.real if abs(value.imag) <= 1e-12 * (1 + abs(value)) else float("nan")
    out.update({k.name: c.real for k, c in coeffs.items()})
    return out


def delay_hopf_curves(model: Model | str | Mapping[str, Any], against: str, *, tau: str | None = None,
                      q_range: tuple[float, float] | None = None, values: Mapping[str, float] | None = None,
                      n_points: int = 50, tol: float = 1e-6) -> list[BifurcationCurve]:
    """Delay Hopf curves ``τ_c(Q)``: the first crossing delay against a second parameter.

    Parameters
    ----------
    model
        A model with a single delay parameter.
    against
        The parameter ``Q`` on the horizontal axis.
    tau
        The delay parameter (vertical axis); by default the model's only one.
    q_range
        Range of ``Q``; default half to twice its model value.
    values
        Values of the other parameters.
    n_points
        Sample points.
    tol
        Tolerance of the crossing check on the characteristic roots (relative to ``ω``).

    Returns
    -------
    list of BifurcationCurve
        One per crossing of :func:`linstab.sym.delay_crossings` that is confirmed somewhere in the
        range; ``kind`` ``"delay-hopf"``, ``param`` the delay, ``expression`` ``τ_c`` in closed form
        in the parameters and the fixed point (``None`` where it involves the fixed point, which is
        then numeric: the derivation shows the formula), ``states`` the fixed points. Where the
        steady state can be solved for ``Q`` explicitly in one state coordinate ``s``,
        ``parametrization`` is ``(s, Q(s), τ_c(s))`` and the points are sampled from it (at the ``s``
        of the fixed points on the grid of ``Q``) and checked on the roots in the same way.

    References
    ----------
    Smith (2011), sec. 4.5; Erneux (2009), ch. 2; Monk, N. A. M., Curr. Biol. 13, 1409 (2003).

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> (c,) = delay_hopf_curves(m, "a", q_range=(0.5, 2.0), n_points=4)
    >>> c.kind, c.expression, np.round(c.points, 6).tolist()
    ('delay-hopf', pi/(2*a), [[0.5, 3.141593], [1.0, 1.570796], [1.5, 1.047198], [2.0, 0.785398]])
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    lin = delay_linearization(model)
    if tau is None:
        if len(lin.taus) != 1:
            raise AnalysisError(f"model {model.name!r} has {len(lin.taus)} delays; name one with tau=")
        tau = lin.taus[0].name
    elif tau not in {t.name for t in lin.taus}:
        raise AnalysisError(f"{tau!r} is not a delay of model {model.name!r} (delays: "
                            f"{', '.join(t.name for t in lin.taus)})")
    model.parameter(against)
    if against == tau:
        raise AnalysisError("the delay is the vertical axis; `against` must be another parameter")
    vals = model.numeric_values()
    if q_range is None:
        q = vals[against]
        q_range = (q / 2, q * 2) if q > 0 else (q - 1, q + 1)
    qs = np.linspace(float(q_range[0]), float(q_range[1]), int(n_points))
    crossings = delay_crossings(lin)
    if not crossings:
        raise AnalysisError(f"|P(iω)| = |Q(iω)| has no positive root ω² for model {model.name!r}: the delay "
                            f"{tau} never destabilises the fixed point (no delay Hopf curve)")
    states = []
    for q in qs:
        fps = find_fixed_points(undelayed(model), {**vals, against: float(q)})
        states.append(fps[0].state if len(fps) == 1 else np.full(model.n_vars, np.nan))
    states = np.array(states)
    curves = []
    for c in crossings:
        taus = np.array([crossing_values(model, c, {**vals, against: float(q)}, s)["tau_c"]
                         if np.all(np.isfinite(s)) else np.nan for q, s in zip(qs, states)])
        ok = np.isfinite(taus)
        if ok.any():
            grid = {against: qs[ok], tau: taus[ok]}
            roots = rightmost_roots(model, grid, state=states[ok], n_roots=max(4, 2 * model.n_vars + 2))
            omega = np.abs(roots[:, 0].imag)
            # eps = tol·sqrt(scale) = tol·ω: the pair must sit on the axis to a relative tol
            good = kind_crossing_ok(DELAY_HOPF, np.where(np.isnan(roots), complex(-np.inf), roots), omega**2, tol=tol)
            idx = np.flatnonzero(ok)[good]
            ok[:] = False
            ok[idx] = True
        expr = c.substituted(c.tau_c)
        explicit = not (expr.free_symbols & set(model.variables))
        par = None if explicit else _parametric(model, c, against, vals)
        derivation = c.derivation
        cq, ct, cst = qs[ok], taus[ok], states[ok]
        if par is not None:  # the closed form in s: its own points, each checked on the roots as above
            s, q_of_s, tau_of_s, coord, _ = par
            pq, pt, pst, svals = _parametric_points(model, par, vals, against, tau, states, q_range, tol)
            if len(pq):
                cq, ct, cst = pq, pt, pst
                derivation = (*c.derivation, (
                    f"Delay Hopf curve in closed form, parametrized by s = {coord.name} at the fixed point "
                    f"(the fixed point solved for {against}):",
                    f"{against} = {sp.sstr(q_of_s)}, {tau}_c = {sp.sstr(tau_of_s)}, drawn for s in "
                    f"({svals.min():.6g}, {svals.max():.6g})"))
            else:
                par = None
        if not len(cq):
            continue
        curves.append(BifurcationCurve(
            kind=DELAY_HOPF.name, param=tau, against=against, expression=expr if explicit else None,
            condition=c.substituted(c.condition) if explicit else None,
            points=np.column_stack([cq, ct]), lyapunov=None,
            fixed={k: v for k, v in vals.items() if k not in (tau, against)}, states=cst,
            derivation=derivation, route="closed form", parametrization=None if par is None else par[:3]))
    if not curves:
        raise AnalysisError(f"no delay Hopf point of model {model.name!r} passed the check on the characteristic "
                            f"roots for {against} in [{q_range[0]:g}, {q_range[1]:g}] (the crossing needs "
                            f"{sp.sstr(crossings[0].condition)})")
    return curves


def _parametric(model: Model, c: DelayCrossing, against: str, vals: Mapping[str, float]) -> tuple | None:
    """``(s, Q(s), τ_c(s), coordinate, state(s))`` when the fixed point can be solved for ``Q``
    explicitly in one state coordinate ``s`` (:func:`linstab.sym.parametric_fixed_points`, e.g.
    ``β = s(1 + s^n)`` for ``x' = β/(1 + x^n) − x``); ``None`` otherwise. ``τ_c`` depends on ``Q`` and
    the fixed point only through them, so ``(Q(s), τ_c(s))`` traces the curve (the course appendix's
    parametrization of Hill-function curves by the fixed point)."""
    try:
        branches = parametric_fixed_points(undelayed(model), against, timeout=2.0)
    except (AnalysisError, NotImplementedError, ValueError, TypeError):
        return None
    if len(branches) != 1:  # several branches: which one is the fixed point depends on the values
        return None
    b = branches[0]
    coord, Q = b.coordinate, model.symbols[against]
    name = "s"
    while name in {str(x) for x in model.symbols}:
        name += "_"
    domain = model.domain.get(coord.name)
    s = sp.Symbol(name, positive=True) if domain == "positive" else sp.Symbol(name, real=True)
    q_of_s = b.value.xreplace({coord: s})
    state = {v: sp.sympify(b.state.get(v, v)).xreplace({coord: s}) for v in model.variables}
    back = {**state, Q: q_of_s}
    coeffs = {k: _tidy_param(v.xreplace(back)) for k, v in c.abstracted.items()}
    tau_of_s = c.tau_c.xreplace(coeffs)
    if tau_of_s.free_symbols & set(model.variables) or not tau_of_s.has(s):
        return None
    cond = c.condition.xreplace(coeffs) if c.condition is not None else sp.true
    return s, q_of_s, tau_of_s, coord, (state, cond)


def _tidy_param(e: sp.Expr) -> sp.Expr:
    # (X^(1/k))^(mk) = X^m for integer m and every X on the principal branch (exp(mk·Log(X)/k) =
    # X^m), which SymPy keeps unexpanded
    def denest(z: sp.Expr) -> sp.Expr:
        return z.replace(lambda w: w.is_Pow and w.base.is_Pow and sp.simplify(w.exp * w.base.exp).is_integer,
                         lambda w: w.base.base ** sp.simplify(w.exp * w.base.exp))

    e = denest(e)
    forms = [e, denest(sp.factor(sp.simplify(e)))]
    return min(forms, key=sp.count_ops)


def _parametric_points(model: Model, par: tuple, vals: Mapping[str, float], against: str, tau: str,
                       states: np.ndarray, q_range: tuple[float, float], tol: float) -> tuple:
    """Points of the parametric curve at the ``s`` of the fixed points on the grid of ``Q`` (so that
    they sample the ``s`` range that maps into the window), kept where the crossing exists and the
    rightmost characteristic roots confirm it."""
    s, q_of_s, tau_of_s, coord, (state, cond) = par
    num = {model.symbols[k]: float(v) for k, v in vals.items() if k != against}
    i = list(model.variables).index(coord)
    svals = states[:, i][np.isfinite(states[:, i])]
    lo, hi = sorted((float(q_range[0]), float(q_range[1])))
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    rows = []
    for sv in svals:
        at = {**num, s: float(sv)}

        def value(e: sp.Expr) -> float:
            z = complex(sp.N(e.xreplace(at)))
            return z.real if abs(z.imag) <= 1e-12 * (1 + abs(z)) else float("nan")

        holds = cond.xreplace(at)
        if holds is not sp.true:
            continue
        q, t = value(q_of_s), value(tau_of_s)
        st = [value(state[v]) for v in model.variables]
        if np.isfinite([q, t, *st]).all() and lo - slack <= q <= hi + slack:
            rows.append((q, t, st, float(sv)))
    if not rows:
        return np.empty(0), np.empty(0), np.empty((0, model.n_vars)), np.empty(0)
    pq = np.array([r[0] for r in rows])
    pt = np.array([r[1] for r in rows])
    pst = np.array([r[2] for r in rows])
    ps = np.array([r[3] for r in rows])
    roots = rightmost_roots(model, {against: pq, tau: pt}, state=pst, n_roots=max(4, 2 * model.n_vars + 2))
    omega = np.abs(roots[:, 0].imag)
    good = kind_crossing_ok(DELAY_HOPF, np.where(np.isnan(roots), complex(-np.inf), roots), omega**2, tol=tol)
    return pq[good], pt[good], pst[good], ps[good]


@dataclass(frozen=True, kw_only=True, eq=False)
class DelayReport:
    """The delay step of ``linstab analyze``: linearisation, quasi-polynomial, crossing, roots now.

    Attributes
    ----------
    model
        The delay model.
    linearization
        :class:`linstab.sym.DelayLinearization` at a general state.
    crossings
        Closed-form crossings (empty if none exists, or with several delays).
    state
        The fixed point at the model's values (``None`` if not unique).
    numbers
        :func:`crossing_values` of each crossing at the model's values.
    roots
        Rightmost characteristic roots at the model's values.
    note
        Why no closed form was derived, if so.
    curves
        Delay Hopf curves with a :attr:`~linstab.sym.BifurcationCurve.parametrization`, against the
        first parameter the fixed point can be solved for (half to twice its value), where ``τ_c``
        involves the fixed point.
    """

    model: Model
    linearization: Any
    crossings: list[DelayCrossing]
    state: np.ndarray | None
    numbers: list[dict[str, float]]
    roots: np.ndarray | None
    note: str = ""
    curves: tuple[BifurcationCurve, ...] = ()

    @property
    def text(self) -> str:
        """The report as plain text, one formula a line."""
        m, lin = self.model, self.linearization
        lines = [f"Delay differential equations of {m.name!r}:"]
        lines += [f"    d{v}/dt = {sp.sstr(e)}" for v, e in zip(m.variables, m.rhs)]
        lines += ["", "Delays: " + ", ".join(f"{x}(t - {t})" for x, t in m.delays), "",
                  "Linearisation dy/dt = A0 y(t) + sum_k A_k y(t - tau_k):", f"    A0 = {sp.sstr(lin.A0)}"]
        lines += [f"    A_{t} = {sp.sstr(A)}" for t, A in zip(lin.taus, lin.A)]
        lines += ["", "Characteristic quasi-polynomial det(lambda I - A0 - sum_k A_k exp(-lambda tau_k)):",
                  f"    {sp.sstr(lin.characteristic())}", ""]
        if self.note:
            lines += [self.note, ""]
        for i, (c, num) in enumerate(zip(self.crossings, self.numbers), 1):
            lines.append(f"Crossing {i}: lambda = ±i omega (closed form, lambda = i omega, real and imaginary parts):")
            lines += [f"    {text} {sp.sstr(obj)}" for text, obj in c.derivation[1:]]
            lines.append(f"    exists for {sp.sstr(c.condition)}")
            if np.isfinite(num["tau_c"]):
                lines.append(f"    at the model's values: omega = {num['omega']:.6g}, {c.tau}_c = {num['tau_c']:.6g}, "
                             f"period at onset 2 pi/omega = {num['period']:.6g}"
                             + "".join(f", {k} = {v:.6g}" for k, v in num.items()
                                       if k not in ("omega", "tau_c", "period")))
            else:
                lines.append("    at the model's values: no crossing (its condition fails): the delay does not "
                             "destabilise this fixed point")
            lines.append("")
        for c in self.curves:
            head, line = c.derivation[-1]
            lines += [head, f"    {line}", f"    (checked on the rightmost characteristic roots at {len(c.points)} points, "
                      f"{c.against} in [{c.points[:, 0].min():.6g}, {c.points[:, 0].max():.6g}])", ""]
        if self.state is not None:
            lines.append("Fixed point (of the system at zero delay): "
                         + ", ".join(f"{v} = {s:.6g}" for v, s in zip(m.variable_names, self.state)))
        if self.roots is not None:
            vals = m.numeric_values()
            r = self.roots[np.isfinite(self.roots)]
            lead = r[0].real
            verdict = "stable" if lead < 0 else "unstable"
            lines.append("Rightmost characteristic roots at " + ", ".join(f"{t} = {vals[t]:g}" for _, t in m.delays)
                         + " (spectral discretisation, Newton-polished): "
                         + ", ".join(f"{z.real:.6g}{z.imag:+.6g}i" for z in r[:4]))
            lines.append(f"    the fixed point is {verdict} (max Re lambda = {lead:.3g})")
        return "\n".join(lines).rstrip() + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "model": self.model.name,
            "delays": [list(d) for d in self.model.delays],
            "A0": str(self.linearization.A0.tolist()),
            "A": [str(A.tolist()) for A in self.linearization.A],
            "quasi_polynomial": str(self.linearization.characteristic()),
            "crossings": [{"omega": str(c.omega), "tau_c": str(c.tau_c), "condition": str(c.condition),
                           "abstracted": {k.name: str(v) for k, v in c.abstracted.items()},
                           "values": {k: (None if not np.isfinite(v) else v) for k, v in num.items()}}
                          for c, num in zip(self.crossings, self.numbers)],
            "state": None if self.state is None else self.state.tolist(),
            "roots": None if self.roots is None else [[z.real, z.imag] for z in self.roots if np.isfinite(z)],
            "note": self.note,
            "parametric": [{"against": c.against, "s": str(c.parametrization[0]), "Q": str(c.parametrization[1]),
                            "tau_c": str(c.parametrization[2]), "points": c.points.tolist()} for c in self.curves],
        }


def delay_report(model: Model | str | Mapping[str, Any], values: Mapping[str, float] | None = None) -> DelayReport:
    """The delay step: linearisation, quasi-polynomial, closed-form crossing, and the roots now.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    values
        Parameter values (override the model's).

    Returns
    -------
    DelayReport

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 2.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> rep = delay_report(m)
    >>> rep.numbers[0]["tau_c"] == np.pi / 2, bool(rep.roots[0].real > 0)
    (True, True)
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    lin = delay_linearization(model)
    note = ""
    try:
        crossings = delay_crossings(lin)
    except AnalysisError as exc:
        crossings, note = [], f"No closed-form crossing: {exc}"
    state = roots = None
    numbers: list[dict[str, float]] = []
    if all(v is not None for _, v in model.values):
        fps = find_fixed_points(undelayed(model))
        if len(fps) == 1:
            state = fps[0].state
            numbers = [crossing_values(model, c, state=state) for c in crossings]
            roots = rightmost_roots(model, state=state, n_roots=6)
        else:
            note = (note + " " if note else "") + (f"{len(fps)} fixed points at these values; the numbers are "
                                                   "left out (use linstab.num.rightmost_roots with state=)")
    if not numbers:
        numbers = [dict.fromkeys(("omega", "tau_c", "period"), float("nan")) for _ in crossings]
    curves: tuple[BifurcationCurve, ...] = ()
    implicit = [c for c in crossings if c.substituted(c.tau_c).free_symbols & set(model.variables)]
    if implicit and state is not None and len(lin.taus) == 1:
        vals = model.numeric_values()
        for name in model.parameter_names:
            if name == lin.taus[0].name or _parametric(model, implicit[0], name, vals) is None:
                continue
            try:
                found = delay_hopf_curves(model, name, tau=lin.taus[0].name, n_points=9)
            except AnalysisError:
                continue
            curves = tuple(c for c in found if c.parametrization is not None)
            if curves:
                break
    return DelayReport(model=model, linearization=lin, crossings=crossings, state=state, numbers=numbers,
                       roots=roots, note=note, curves=curves)


@dataclass(frozen=True, kw_only=True, eq=False)
class DelayDiagramData:
    """What the stability diagram of a delay model draws (:func:`linstab.plot.delay_diagram`).

    Attributes
    ----------
    curves
        The delay Hopf curves ``τ_c(Q)`` in the window (empty when none crosses it).
    smap
        The stability map from the rightmost characteristic roots.
    q_range, tau_range
        The window.
    against, tau
        The parameter on the horizontal axis and the delay on the vertical one.
    name
        The model's name.
    """

    curves: list[BifurcationCurve]
    smap: StabilityMap
    q_range: tuple[float, float]
    tau_range: tuple[float, float]
    against: str
    tau: str
    name: str


def delay_diagram_data(model: Model | str | Mapping[str, Any], against: str, *, tau: str | None = None,
                       q_range: Sequence[float] | None = None, tau_range: Sequence[float] | None = None,
                       values: Mapping[str, float] | None = None, grid: int = 40) -> DelayDiagramData:
    """The curves and the map of a delay model's stability diagram in a (parameter, delay) plane.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    against
        The parameter ``Q`` on the horizontal axis.
    tau
        The delay on the vertical axis (default: the model's only delay).
    q_range
        Range of ``Q`` (default: half to twice its value).
    tau_range
        Range of the delay (default: 0 to 1.5 times the largest ``τ_c`` on the curve, or 2τ).
    values
        Values of the other parameters.
    grid
        Map cells per axis.

    Returns
    -------
    DelayDiagramData
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    if tau is None:
        taus = sorted({t for _, t in model.delays})
        if len(taus) != 1:
            raise AnalysisError(f"model {model.name!r} has {len(taus)} delays ({', '.join(taus) or 'none'}); name one "
                                "with tau=")
        tau = taus[0]
    delays = sorted({t for _, t in model.delays})
    model.parameter(against)  # an unknown name: one error naming the parameters
    if tau not in delays:
        hint = (f"; {against!r} is the delay: swap the axes" if against in delays else "")
        raise ParameterError(f"model {model.name!r}: tau={tau!r} is not a delay of the model (its delays: "
                             f"{', '.join(delays) or 'none'}); a delay diagram puts a delay on the vertical axis{hint}")
    if against in delays:
        raise ParameterError(f"model {model.name!r}: the horizontal axis {against!r} is a delay; a delay diagram "
                             "puts another parameter against the delay")
    vals = model.numeric_values()
    if q_range is None:
        q = vals[against]
        q_range = (q / 2, 2 * q) if q > 0 else (q - 1, q + 1)
    q_range = (float(q_range[0]), float(q_range[1]))
    try:
        curves = delay_hopf_curves(model, against, tau=tau, q_range=q_range, n_points=max(grid, 20))
    except AnalysisError:  # no crossing in the range: the map alone shows it
        curves = []
    if tau_range is None:
        top = max((float(np.nanmax(c.points[:, 1])) for c in curves), default=2 * max(vals[tau], 1e-3))
        tau_range = (0.0, 1.5 * top)
    tau_range = (float(tau_range[0]), float(tau_range[1]))
    smap = delay_stability_map(model, (against, q_range[0], q_range[1], grid), (tau, tau_range[0], tau_range[1], grid))
    return DelayDiagramData(curves=list(curves), smap=smap, q_range=q_range, tau_range=tau_range, against=against,
                            tau=tau, name=model.name)
