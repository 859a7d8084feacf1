"""Bifurcation curves by the best route that answers: closed form, else numeric continuation.

The symbolic route (:func:`linstab.sym.closed_form_curves`, with the numeric check
:func:`sample_curve` of every candidate against the eigenvalues) gives formulas but can fail
three ways: SymPy has no algorithm for an equation of the derivation, it runs past its time budget,
or it returns nothing although a curve exists (an empty or partial ``solve`` is no proof of
absence). In each case pseudo-arclength continuation (:func:`linstab.num.continue_curve`), whose
start-point search looks for zeros of the test function on lines across the whole range, answers
instead — and a symbolic "none" is reported only when continuation finds none either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num import compile_kernel, continue_curve, hopf_criticality
from linstab.num import classify_zero_eigenvalue, kind_crossing_ok
from linstab.sym import BifurcationCurve, BifurcationKind, bifurcation_kind, closed_form_curves
from linstab.sbml import require_isolated

__all__ = ["bifurcation_curves", "find_curves", "sample_curve", "window"]


def window(value: float, factor: float) -> tuple[float, float]:
    """The default range of a parameter around its ``value``: ``value/factor .. value·factor``, or
    ``value ± 1`` where the value is not positive.

    Parameters
    ----------
    value
        The parameter's value.
    factor
        How far the range reaches on either side (a ratio).

    Examples
    --------
    >>> window(3.0, 2.0), window(0.0, 2.0)
    ((1.5, 6.0), (-1.0, 1.0))
    """
    return (value / factor, value * factor) if value > 0 else (value - 1.0, value + 1.0)


def bifurcation_curves(
    model: Model | str,
    kind: str,
    param: str,
    against: str,
    *,
    ansatz: str | Sequence[Sequence[str]] | None = None,
    values: Mapping[str, float] | None = None,
    q_range: tuple[float, float] | None = None,
    n_points: int = 50,
    lyapunov: bool = True,
    budget: float | None = 10.0,
) -> list[BifurcationCurve]:
    """Fold or Hopf curves ``param = P(against)`` in closed form, each checked on the eigenvalues.

    The derivation is :func:`linstab.sym.closed_form_curves` (Elowitz & Bois, technical appendix
    9b); every candidate is sampled and checked by :func:`sample_curve`. For the closed form with the
    continuation fallback use :func:`find_curves`.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    kind
        ``"fold"`` (``det J = 0``) or ``"hopf"`` (``Δₙ₋₁ = 0``; ``tr J = 0`` in 2-D).
    param
        The parameter ``P`` to solve for (vertical axis).
    against
        The parameter ``Q`` it is expressed in (horizontal axis).
    ansatz
        Equalities between variables such as ``"x1=x2=x3"``; by default the permutation
        symmetries of the equations are found and used.
    values
        Values of the remaining (fixed) parameters, overriding the model's.
    q_range
        Range of ``against`` to sample the curve on; by default half to twice its model value,
        within the domain of validity.
    n_points
        Number of sample points.
    lyapunov
        Compute the first Lyapunov coefficient at a sample point of each Hopf curve.
    budget
        CPU seconds the symbolic derivation may take (``None``: no limit); past it
        :class:`~linstab.sym.NoClosedFormError` is raised (see :func:`linstab.sym.closed_form_curves`).

    Returns
    -------
    list of BifurcationCurve
        One per real branch of the solution, each with at least one verified sample point.

    Raises
    ------
    ParameterError
        ``param`` or ``against`` is not a parameter of the model (or they coincide).
    AnalysisError
        No closed form was found, no fixed point lies in the domain, or no crossing of the requested
        kind lies in the range. :func:`find_curves` then continues numerically.

    References
    ----------
    Elowitz & Bois, *Biological Circuit Design*, technical appendix 9b; Strogatz (2015), ch. 8;
    Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), ch. 3.

    Examples
    --------
    >>> import sympy as sp
    >>> (c,) = bifurcation_curves("repressilator", "hopf", "beta", "n")
    >>> n = sp.Symbol("n", positive=True)
    >>> sp.simplify(c.expression - n / 2 * (n / 2 - 1) ** (-(n + 1) / n))
    0
    >>> c.condition, c.lyapunov
    (n > 2, 'supercritical')
    """
    delayed = _delay_route(model, kind, param, against, values=values, q_range=q_range, n_points=n_points)
    if delayed is not None:
        return delayed
    return closed_form_curves(model, kind, param, against, sample=sample_curve, ansatz=ansatz, values=values,
                              q_range=q_range, n_points=n_points, lyapunov=lyapunov, budget=budget)


def _delay_route(model: Model | str, kind: str, param: str, against: str, *, values: Mapping[str, float] | None,
                 q_range: tuple[float, float] | None, n_points: int) -> list[BifurcationCurve] | None:
    """The delay Hopf curves for a delay kind on a delay model; ``None`` for an ODE kind on an ODE
    model; a clear error for a mix (never the ODE route on a delayed model)."""
    from linstab.analysis._delay import delay_hopf_curves
    from linstab.sym import DelayKind, bifurcation_kind

    model = load_model(model)
    delay_kind = isinstance(bifurcation_kind(kind), DelayKind)
    if not model.delays and not delay_kind:
        return None
    if not model.delays:
        raise AnalysisError(f"kind {kind!r} is a bifurcation of a delay equation; model {model.name!r} has no "
                            "delay(x, tau) term")
    if not delay_kind:
        raise AnalysisError(f"model {model.name!r} has delayed terms ({', '.join(f'delay({x}, {t})' for x, t in model.delays)}); "
                            f"kind {kind!r} is a bifurcation of ODEs: use kind 'delay-hopf', or analyse "
                            "linstab.sym.undelayed(model), the system at zero delay")
    return delay_hopf_curves(model, against, tau=param, q_range=q_range, values=values, n_points=n_points)


def _reason(symbolic: Exception) -> str:
    """The closed-form route's reason, without its advice to continue numerically (find_curves does)."""
    return str(symbolic).strip().splitlines()[0].split("; use numeric continuation")[0]

def find_curves(
    model: Model | str,
    kind: str,
    param: str,
    against: str,
    *,
    q_range: tuple[float, float] | None = None,
    p_range: tuple[float, float] | None = None,
    ansatz: str | Sequence[Sequence[str]] | None = None,
    values: Mapping[str, float] | None = None,
    n_points: int = 50,
    lyapunov: bool = True,
    budget: float | None = 10.0,
) -> list[BifurcationCurve]:
    """Bifurcation curves ``param`` against ``against``: in closed form where SymPy finds one within
    ``budget`` seconds, else by numeric continuation over ``q_range``.

    Each curve's ``route`` says which answered; a continued curve's ``derivation`` says why the
    closed form did not.

    Parameters
    ----------
    model, kind, param, against, ansatz, values, n_points, lyapunov, budget
        As for :func:`bifurcation_curves`.
    q_range
        Range of ``against``; for continuation it defaults to half to twice its model value.
    p_range
        Where continuation looks for start points in ``param`` (see :func:`linstab.num.continue_curve`).

    Returns
    -------
    list of BifurcationCurve

    Raises
    ------
    AnalysisError
        Neither route finds a curve of the kind (the symbolic route's reason is given).

    Examples
    --------
    >>> (c,) = find_curves("brusselator", "hopf", "b", "a", q_range=(0.5, 2.0), n_points=3)
    >>> c.route, c.kind
    ('closed form', 'hopf')

    The folds of positive autoregulation have no closed form in ``beta``; continuation answers:

    >>> [(c.route, c.kind) for c in find_curves("autoactivation", "fold", "beta", "alpha", q_range=(0.01, 0.1))]
    [('continuation', 'fold'), ('continuation', 'fold')]
    """
    model = load_model(model)
    if bifurcation_kind(kind).family == "turing":  # J and D: the dispersion relation's own route
        from linstab.analysis._turing import turing_curves

        return turing_curves(model, param, against, q_range=q_range, p_range=p_range, values=values,
                             n_points=n_points, budget=budget)
    if values:
        model = model.with_values(values)
    require_isolated(model, f"{kind} curves")
    delayed = _delay_route(model, kind, param, against, values=None, q_range=q_range, n_points=n_points)
    if delayed is not None:
        return delayed
    try:
        closed = bifurcation_curves(model, kind, param, against, ansatz=ansatz, q_range=q_range, n_points=n_points,
                                    lyapunov=lyapunov, budget=budget)
    except ParameterError:
        raise
    except AnalysisError as exc:  # no closed form, or a symbolic "none" that is no proof
        closed, symbolic = [], exc
    if closed and not any(c.partial for c in closed):
        return closed
    if q_range is None:
        q_range = window(model.numeric_values()[against], 2.0)
    try:
        curves = continue_curve(model, kind, param, against, q_range=q_range, p_range=p_range, lyapunov=lyapunov)
    except AnalysisError as numeric:
        if closed:
            return closed
        # both routes were tried: say what each found (the symbolic one's advice to continue is done)
        why = _reason(symbolic)
        how = str(numeric).strip().splitlines()[0].removeprefix("continue_curve: ")
        raise AnalysisError(f"{why}; numeric continuation, tried instead, found none either: {how}") from None
    if closed:  # a partial closed-form answer: add the continued curves it does not have
        def known(c: BifurcationCurve) -> bool:
            q, p = c.points[:, 0], c.points[:, 1]
            return any(np.all(np.abs(k.evaluate(q) - p) <= 1e-6 * (1 + np.abs(p))) for k in closed)

        extra = [c for c in curves if not known(c)]
        note = (("Found by numeric continuation: the closed-form route solved only part of the condition.", None),)
        return closed + [dataclasses.replace(c, derivation=note + c.derivation) for c in extra]
    why = _reason(symbolic)
    note = (("Closed-form route: " + why, None),
            (f"Numeric pseudo-arclength continuation over {against} in [{q_range[0]:g}, {q_range[1]:g}] instead.",
             None))
    return [dataclasses.replace(c, derivation=note + c.derivation) for c in curves]


def _default_range(model: Model, Q: sp.Symbol, condition: sp.Boolean) -> tuple[float, float]:
    q0 = model.parameter_values.get(Q.name)
    lo, hi = (q0 / 2, q0 * 2) if q0 and q0 > 0 else ((-2 * abs(q0), 2 * abs(q0)) if q0 else (0.1, 10.0))
    try:
        iv = condition.as_set() if condition is not sp.true else sp.Reals
        if isinstance(iv, sp.Interval):
            a = float(iv.start) if iv.start.is_finite else -np.inf
            b = float(iv.end) if iv.end.is_finite else np.inf
            if lo < a or hi > b:
                lo2, hi2 = max(lo, a), min(hi, b)
                if lo2 >= hi2:  # the default window misses the valid interval: start at its edge
                    width = (hi - lo) if np.isfinite(a) else 1.0
                    lo2, hi2 = (a, a + width) if np.isfinite(a) else (b - width, b)
                lo, hi = lo2, hi2
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        pass
    return float(lo), float(hi)


def sample_curve(model: Model, kind: BifurcationKind, P: sp.Symbol, Q: sp.Symbol, *, p_star: sp.Expr,
                 condition: sp.Boolean, state: Mapping[sp.Symbol, sp.Expr], fixed: Mapping[str, float],
                 q_range: tuple[float, float] | None, n_points: int, lyapunov: bool):
    """The numeric check of a closed-form candidate curve (the :data:`linstab.sym.Sampler` of
    :func:`bifurcation_curves`).

    Samples ``P = p_star(Q)`` at ``n_points`` values of ``Q`` (``q_range``, by default half to twice
    the model value within ``condition``), keeps the points where the branch ``state`` is real and
    in its domain and the eigenvalues of the Jacobian show the crossing of ``kind``; classifies a
    zero-eigenvalue crossing by Sotomayor's test and a Hopf point by the sign of the first Lyapunov
    coefficient (``lyapunov``).

    Parameters
    ----------
    model
        The :class:`~linstab.Model`, with the fixed parameters' values.
    kind
        The kind object whose condition gave the candidate.
    P, Q
        The symbols of ``param`` (vertical) and ``against`` (horizontal).
    p_star
        ``P`` on the candidate curve, an expression of ``Q`` and the fixed parameters.
    condition
        Where ``p_star`` is valid (an interval of ``Q``, or ``True``).
    state
        The fixed point along the curve: variable -> expression.
    fixed
        Values of the other parameters.
    q_range
        Range of ``Q`` to sample (``None``: the default above).
    n_points
        Number of sample points.
    lyapunov
        Compute the first Lyapunov coefficient at the middle point of a Hopf curve.

    Returns
    -------
    tuple or None
        ``(points (N, 2), states (N, n_vars), lyapunov, true kind)``, or ``None`` when no point passes.

    References
    ----------
    Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), sec. 3.4–3.5 (fold and
    Hopf conditions); Sotomayor (1973) for the zero-eigenvalue kinds.
    """

    lo, hi = q_range if q_range is not None else _default_range(model, Q, condition)
    q = np.linspace(lo, hi, n_points)
    if q_range is None:  # stay off an open end of the domain (singular there)
        q = np.linspace(lo, hi, n_points + 1)[1:] if not (condition is sp.true) else q
    others = [p for p in model.parameters if p not in (P, Q)]
    missing = [p.name for p in others if p.name not in fixed]
    if missing:
        raise ParameterError(f"model {model.name!r}: no value for fixed parameter(s) {', '.join(missing)}; "
                             f"pass values={{'{missing[0]}': ...}}")
    pv = np.array([fixed[p.name] for p in others], dtype=float)
    exprs = [p_star] + [state[v] for v in model.variables]
    kern = compile_kernel(exprs, [[Q], others])
    with np.errstate(all="ignore"):
        out = kern(q[:, None], pv, dtype=complex)
    ok = np.all(np.isfinite(out), axis=1) & np.all(np.abs(out.imag) <= 1e-9 * (1 + np.abs(out.real)), axis=1)
    out = out.real
    p_vals, states = out[:, 0], out[:, 1:]
    if P.is_positive:
        ok &= p_vals > 0
    for i, v in enumerate(model.variables):
        if model.domain[v.name] == "positive":
            ok &= states[:, i] > 0
        elif model.domain[v.name] == "nonnegative":
            ok &= states[:, i] >= 0
    if not ok.any():
        return None
    # eigenvalue check at every point
    order = {p.name: i for i, p in enumerate(model.parameters)}
    pars = np.empty((len(q), len(model.parameters)))
    for p in others:
        pars[:, order[p.name]] = fixed[p.name]
    pars[:, order[Q.name]] = q
    pars[:, order[P.name]] = np.where(ok, p_vals, 1.0)
    x = np.where(ok[:, None], states, 1.0)
    J = model.kernel("jacobian")(x, pars)
    ok &= np.all(np.isfinite(J), axis=(1, 2))
    J = np.where(ok[:, None, None], J, 0.0)
    ev = np.linalg.eigvals(J)
    scale = 1.0 + np.abs(ev).max(axis=1)
    ok &= kind_crossing_ok(kind, ev, scale)
    if not ok.any():
        return None
    pts = np.column_stack([q[ok], p_vals[ok]])
    lyap = None
    mid = np.flatnonzero(ok)[ok.sum() // 2]
    true_kind = kind
    if kind.family == "zero":
        true_kind = classify_zero_eigenvalue(model.kernel("rhs"), model.kernel("jacobian"), x[mid], pars[mid],
                                             param_index=order[P.name])
    if kind.family == "hopf" and lyapunov:
        vals = dict(zip([p.name for p in model.parameters], pars[mid]))
        lyap = hopf_criticality(model, x[mid], values=vals)
    return pts, states[ok], lyap, true_kind


