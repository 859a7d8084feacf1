"""Symbolic fixed points: exact solutions, symmetry reductions, implicit and parametric forms.

The search runs in three stages, each within a time budget:

1. permutation symmetries of the right-hand side (the repressilator's cyclic shift
   ``x1 → x2 → x3 → x1``) give an invariant subspace on which the variables of each orbit are
   equal; the fixed points in it satisfy a smaller system (the appendix's ``x0 = β/(1 + x0ⁿ)``);
2. systems of rational functions go to :func:`sympy.solve` for exact solutions;
3. otherwise variables that appear linearly are eliminated one at a time, leaving implicit
   conditions on the rest (``x = g(x)`` where the equation has that form).

:func:`parametric_fixed_point` solves the remaining condition for a parameter instead, as the
appendix does (``β = x0 (1 + x0ⁿ)``).
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from linstab._errors import AnalysisError
from linstab._interrupt import may_raise_in
from linstab._parse import as_expr
from linstab.sym._symmetry import orbits, permutation_symmetries, symmetries

__all__ = [
    "FixedPoint",
    "ParametricFixedPoint",
    "ScalarReduction",
    "scalar_reductions",
    "symmetries",
    "fixed_points",
    "parametric_fixed_point",
    "parametric_fixed_points",
]


# --------------------------------------------------------------------- time budget
class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that SymPy's ``except Exception`` lets it pass."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_Timeout` in the block after ``seconds`` of this process's CPU time.

    CPU time, not wall-clock time, so that a busy machine does not turn a closed form into a
    fallback (the same rule as the bifurcation curves' budget): the user-CPU timer
    (``ITIMER_VIRTUAL``), else the profiling timer, else wall time (``ITIMER_REAL``) where an
    enclosing budget already uses the others. The timer repeats every 50 ms after it first fires,
    so that code swallowing one ``_Timeout`` cannot run unbounded. Outside the main thread, or on
    a platform without timers, the block is unlimited."""
    if (seconds is None or seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    for which, signum in ((signal.ITIMER_VIRTUAL, signal.SIGVTALRM), (signal.ITIMER_PROF, signal.SIGPROF),
                          (signal.ITIMER_REAL, signal.SIGALRM)):
        if signal.getitimer(which)[0] == 0:
            break
    else:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if may_raise_in(frame):  # not inside a finaliser, where the exception would be lost
            raise _Timeout

    old = signal.signal(signum, handler)
    signal.setitimer(which, float(seconds), 0.05)
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, old)


# --------------------------------------------------------------------- results
@dataclass(frozen=True, kw_only=True)
class FixedPoint:
    """A symbolic fixed point.

    Attributes
    ----------
    state
        Each state variable's value, an expression in the parameters and the :attr:`unknowns`.
    conditions
        Equations the :attr:`unknowns` satisfy (empty for an explicit solution), written
        ``x0 = g(x0)`` where the model has that production–degradation form.
    unknowns
        Symbols introduced or left free by the reduction (``x0`` on the repressilator's
        symmetric branch).
    ansatz
        How the point was found: ``""`` for the full system, else the reduction used
        (e.g. ``"x1 = x2 = x3 = x0"``).
    """

    state: dict[sp.Symbol, sp.Expr]
    conditions: tuple[sp.Eq, ...] = ()
    unknowns: tuple[sp.Symbol, ...] = ()
    ansatz: str = ""

    @property
    def explicit(self) -> bool:
        """``True`` when the state is given in closed form (no conditions left)."""
        return not self.conditions

    def __str__(self) -> str:
        state = ", ".join(str(k) if k == v else f"{k} = {v}" for k, v in self.state.items())
        conds = "; ".join(f"{c.lhs} = {c.rhs}" for c in self.conditions)
        return state + (f"  where {conds}" if conds else "")


@dataclass(frozen=True, kw_only=True)
class ParametricFixedPoint:
    """A branch of fixed points parametrized by one coordinate, solved for one parameter.

    Along the branch, ``parameter = value(coordinate, other parameters)`` and the state is
    ``state(coordinate, other parameters)``; sweeping the coordinate traces the branch.

    Attributes
    ----------
    parameter
        The parameter solved for (``beta``).
    coordinate
        The free coordinate along the branch (``x0``).
    value
        The parameter as an expression in the coordinate and the other parameters.
    state
        Each state variable as an expression in the coordinate (and other parameters).
    ansatz
        The reduction used (``""`` for the full system).
    """

    parameter: sp.Symbol
    coordinate: sp.Symbol
    value: sp.Expr
    state: dict[sp.Symbol, sp.Expr]
    ansatz: str = ""

    @property
    def equation(self) -> sp.Eq:
        """``parameter = value`` as an equation."""
        return sp.Eq(self.parameter, self.value, evaluate=False)

    def __str__(self) -> str:
        return f"{self.parameter} = {self.value}"


# --------------------------------------------------------------------- reductions
def _fresh_name(base: str, taken: set[str]) -> str:
    name = base
    while name in taken:
        name += "_"
    return name


def _orbit_symbol(model: Any, orbit: list[sp.Symbol], taken: set[str], name: str | None = None) -> sp.Symbol:
    if name is None:
        names = [v.name for v in orbit]
        prefix = os.path.commonprefix(names).rstrip("_0123456789")
        name = _fresh_name((prefix or names[0]) + "0", taken)
    doms = {model.domain[v.name] for v in orbit}
    assumptions = {"positive": True} if doms == {"positive"} else (
        {"nonnegative": True} if doms <= {"positive", "nonnegative"} else {"real": True})
    taken.add(name)
    return sp.Symbol(name, **assumptions)


@dataclass
class _Reduction:
    subs: dict[sp.Symbol, sp.Expr]          # every variable -> expression in the unknowns
    unknowns: list[sp.Symbol]
    equations: list[sp.Expr]                # = 0, in the unknowns
    ansatz: str
    conditions: list[sp.Eq] = field(default_factory=list)


def _symmetric_reduction(model: Any) -> _Reduction | None:
    perms = permutation_symmetries(model)
    if not perms:
        return None
    xs = model.variables
    taken = set(model.symbols)
    subs: dict[sp.Symbol, sp.Expr] = {}
    unknowns, reps, parts = [], [], []
    for orbit in orbits(len(xs), perms):
        vars_ = [xs[i] for i in orbit]
        if len(vars_) == 1:
            subs[vars_[0]] = vars_[0]
            unknowns.append(vars_[0])
        else:
            sym = _orbit_symbol(model, vars_, taken)
            for v in vars_:
                subs[v] = sym
            unknowns.append(sym)
            parts.append(" = ".join([*(v.name for v in vars_), sym.name]))
        reps.append(orbit[0])
    eqs = [model.rhs[i].xreplace(subs) for i in reps]
    return _Reduction(subs=subs, unknowns=unknowns, equations=eqs, ansatz="; ".join(parts))


def _ansatz_reduction(model: Any, ansatz: str | Mapping[Any, Any]) -> _Reduction:
    xs = model.variables
    taken = set(model.symbols)
    subs: dict[sp.Symbol, sp.Expr] = {}
    new: list[sp.Symbol] = []
    if isinstance(ansatz, str):
        parts_out = []
        for chain in re.split(r"[;,]", ansatz):
            names = [s.strip() for s in chain.split("=") if s.strip()]
            if len(names) < 2:
                raise ValueError(f"fixed_points: `ansatz` chains must look like 'x1 = x2 = x3' (optionally "
                                 f"'= x0' naming the common value), got {chain.strip()!r}")
            unknown_names = [nm for nm in names if nm not in model.variable_names]
            if len(unknown_names) > 1 or (unknown_names and names[-1] != unknown_names[0]):
                raise ValueError(f"fixed_points: `ansatz` {chain.strip()!r} names {unknown_names} which are not "
                                 f"state variables of {model.name!r} ({', '.join(model.variable_names)}); only "
                                 "the last name of a chain may be new (the common value)")
            vars_ = [model.symbols[nm] for nm in names if nm in model.variable_names]
            if unknown_names and unknown_names[0] in model.symbols:
                raise ValueError(f"fixed_points: `ansatz` value name {unknown_names[0]!r} is already a "
                                 f"parameter of {model.name!r}; pick another")
            sym = _orbit_symbol(model, vars_, taken, unknown_names[0] if unknown_names else None)
            for v in vars_:
                if v in subs:
                    raise ValueError(f"fixed_points: `ansatz` names {v} twice")
                subs[v] = sym
            new.append(sym)
            parts_out.append(" = ".join([*(v.name for v in vars_), sym.name]))
        desc = "; ".join(parts_out)
    elif isinstance(ansatz, Mapping):
        from linstab._parse import parse_expr

        table = dict(model.symbols)
        for key, value in ansatz.items():
            name = key.name if isinstance(key, sp.Symbol) else key
            if name not in model.variable_names:
                raise ValueError(f"fixed_points: `ansatz` key {name!r} is not a state variable of {model.name!r} "
                                 f"({', '.join(model.variable_names)})")
            if isinstance(value, str):
                for ident in re.findall(r"[A-Za-z_]\w*", value):
                    if ident not in table:
                        table[ident] = _orbit_symbol(model, [model.symbols[name]], taken, ident)
                expr = parse_expr(value, table, where=f"ansatz[{name!r}]")
            else:
                expr = as_expr(value, where=f"ansatz[{name!r}]")
            subs[model.symbols[name]] = expr
        new = sorted({s for e in subs.values() for s in e.free_symbols} - set(model.symbols), key=str)
        desc = ", ".join(f"{k} = {v}" for k, v in subs.items())
    else:
        raise TypeError(f"fixed_points: `ansatz` must be None, a string like 'x1 = x2 = x3' or a mapping "
                        f"variable -> expression, got {type(ansatz).__name__}")
    for v in xs:
        if v not in subs:
            subs[v] = v
            new.append(v)
    unknowns = [u for u in new if u not in model.parameters]
    eqs, seen = [], set()
    for e in model.rhs:
        r = e.xreplace(subs)
        key = sp.srepr(r)
        if key not in seen and r != 0:
            seen.add(key)
            eqs.append(r)
    return _Reduction(subs=subs, unknowns=unknowns, equations=eqs, ansatz=desc)


def _full_reduction(model: Any) -> _Reduction:
    return _Reduction(subs={v: v for v in model.variables}, unknowns=list(model.variables),
                      equations=list(model.rhs), ansatz="")


def _nonzero(expr: sp.Expr) -> bool:
    return bool(expr.is_nonzero) or bool(expr.is_number and expr != 0)


def _eliminate(red: _Reduction, *, keep: sp.Symbol | None = None) -> _Reduction:
    """Solve equations that are linear (with a nonzero coefficient) in an unknown, one at a time."""
    subs = dict(red.subs)
    unknowns = list(red.unknowns)
    eqs = [e for e in red.equations if e != 0]
    while True:
        best = None
        for k, eq in enumerate(eqs):
            for u in unknowns:
                if u == keep or not eq.has(u):
                    continue
                d = sp.diff(eq, u)
                if d.has(u) or not _nonzero(d):
                    continue
                sol = sp.cancel(sp.expand(u - eq / d))
                if sol.has(u):
                    continue
                cost = sp.count_ops(sol)
                if best is None or cost < best[0]:
                    best = (cost, k, u, sol)
        if best is None:
            break
        _, k, u, sol = best
        eqs.pop(k)
        unknowns.remove(u)
        subs = {v: e.xreplace({u: sol}) for v, e in subs.items()}
        eqs = [e.xreplace({u: sol}) for e in eqs]
        eqs = [e for e in eqs if e != 0]
    return _Reduction(subs=subs, unknowns=unknowns, equations=eqs, ansatz=red.ansatz)


@dataclass(frozen=True)
class ScalarReduction:
    """The fixed-point equations reduced to one equation ``equation = 0`` in one unknown.

    Attributes
    ----------
    unknown
        The remaining unknown.
    equation
        An expression in ``unknown`` and the model's parameters, zero at every fixed point on
        the reduction.
    state
        Each state variable as an expression in ``unknown`` and the parameters.
    """

    unknown: sp.Symbol
    equation: sp.Expr
    state: dict[sp.Symbol, sp.Expr]


def scalar_reductions(model: Any, *, symmetric: bool = True, timeout: float | None = 2.0) -> list[ScalarReduction]:
    """The reductions of the fixed-point equations to one equation in one unknown.

    Elimination of the unknowns that appear linearly, on the symmetric branch (``symmetric``,
    see :func:`symmetries`) and on the full system; the numeric layer scans the resulting scalar
    equations for every root. Reductions that keep several unknowns are left out; SymPy work past
    ``timeout`` seconds (or an unsolvable step) gives an empty list.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    symmetric
        Also reduce along the permutation symmetries first.
    timeout
        Seconds of CPU time for the SymPy work (``None``: no limit).

    Returns
    -------
    list of ScalarReduction

    Examples
    --------
    >>> (r,) = scalar_reductions("toggle_switch", symmetric=False)
    >>> r.unknown, len(r.state)
    (v, 2)
    """
    from linstab.model import load_model

    model = load_model(model)
    out = []
    try:
        with _time_limit(timeout):
            sym = _symmetric_reduction(model) if symmetric else None
            for red in (r for r in (sym, _full_reduction(model)) if r is not None):
                elim = _eliminate(red)
                if len(elim.unknowns) == 1 and len(elim.equations) == 1:
                    u = elim.unknowns[0]
                    if elim.equations[0].free_symbols <= {u, *model.parameters}:
                        out.append(ScalarReduction(unknown=u, equation=elim.equations[0],
                                                   state={v: elim.subs[v] for v in model.variables}))
    except (_Timeout, NotImplementedError, TypeError, ValueError, ZeroDivisionError):
        return []
    return out


def _as_condition(eq: sp.Expr, unknowns: list[sp.Symbol]) -> sp.Eq:
    """Write ``eq = 0`` as ``u = g(u)`` when ``eq = g - c u`` with a constant ``c``."""
    for u in unknowns:
        if not eq.is_Add:
            break
        lin = [t for t in eq.args if t.has(u) and (t / u).free_symbols.isdisjoint({u})]
        if len(lin) == 1:
            c = -(lin[0] / u)
            if _nonzero(c) and c.is_number:
                rest = sp.Add(*(t for t in eq.args if t is not lin[0]))
                return sp.Eq(u, rest / c, evaluate=False)
    return sp.Eq(eq, 0, evaluate=False)


def _refine_positive(red: _Reduction, conditions: list[sp.Eq]) -> tuple[_Reduction, list[sp.Eq]]:
    """An unknown ``u`` with a condition ``u = g`` where ``g > 0`` is positive: say so."""
    swap = {}
    for c in conditions:
        u = c.lhs
        if isinstance(u, sp.Symbol) and u in red.unknowns and not u.is_positive and c.rhs.is_positive:
            swap[u] = sp.Symbol(u.name, positive=True)
    if not swap:
        return red, conditions
    red = _Reduction(subs={v: e.xreplace(swap) for v, e in red.subs.items()},
                     unknowns=[swap.get(u, u) for u in red.unknowns],
                     equations=[e.xreplace(swap) for e in red.equations], ansatz=red.ansatz)
    return red, [c.xreplace(swap) for c in conditions]


def _nice(expr: sp.Expr) -> sp.Expr:
    """The shortest of a few equal forms, preferring the factored one on a tie."""
    factored = sp.factor(expr)
    candidates = [factored, sp.simplify(expr), expr]
    return min(candidates, key=sp.count_ops)


def _in_domain(model: Any, state: Mapping[sp.Symbol, sp.Expr]) -> bool:
    for v, e in state.items():
        dom = model.domain.get(v.name, "real")
        if e.is_real is False or (e.is_number and e.is_extended_real is False):
            return False
        if dom == "nonnegative" and e.is_negative:
            return False
        if dom == "positive" and e.is_nonpositive:
            return False
    return True


def _is_rational_system(eqs: list[sp.Expr], unknowns: list[sp.Symbol]) -> bool:
    return all(e.is_rational_function(*unknowns) for e in eqs)


def _solve_reduction(model: Any, red: _Reduction, timeout: float | None) -> list[FixedPoint]:
    if not red.equations:
        return [FixedPoint(state=dict(red.subs), unknowns=tuple(red.unknowns), ansatz=red.ansatz)]
    if _is_rational_system(red.equations, red.unknowns):
        sols = None
        try:
            with _time_limit(timeout):
                sols = sp.solve(red.equations, red.unknowns, dict=True)
        except (_Timeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
            sols = None
        if sols is not None:
            out = []
            for sol in sols:
                state = {v: sp.simplify(e.xreplace(sol)) for v, e in red.subs.items()}
                free = [u for u in red.unknowns if u not in sol and any(e.has(u) for e in state.values())]
                if _in_domain(model, state):
                    out.append(FixedPoint(state=state, unknowns=tuple(free), ansatz=red.ansatz))
            return out
    elim = _eliminate(red)
    conditions = [_as_condition(e, elim.unknowns) for e in elim.equations]
    elim, conditions = _refine_positive(elim, conditions)
    return [FixedPoint(state=dict(elim.subs), conditions=tuple(conditions), unknowns=tuple(elim.unknowns),
                       ansatz=elim.ansatz)]


def fixed_points(model: Any, *, ansatz: str | Mapping[Any, Any] | None = None,
                 timeout: float | None = 5.0) -> list[FixedPoint]:
    """Symbolic fixed points: exact where SymPy finds them, implicit otherwise.

    Without an ``ansatz``, permutation symmetries are detected (:func:`symmetries`) and the
    fixed points on their invariant subspace come first; then the full system is solved exactly
    if it is rational in the variables (within ``timeout`` seconds), or reduced by eliminating
    linearly appearing variables to implicit conditions.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    ansatz
        ``"x1 = x2 = x3"`` (optionally ``"x1 = x2 = x3 = x0"`` to name the common value;
        several chains separated by ``;``), or a mapping from variables to expressions.
    timeout
        Seconds of CPU time allowed for :func:`sympy.solve` (``None``: no limit; only enforced on
        the main thread of a Unix process).

    Returns
    -------
    list of FixedPoint

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendices 9a, 9b.

    Examples
    --------
    >>> fps = fixed_points("repressilator")
    >>> print(fps[0])
    x1 = x0, x2 = x0, x3 = x0  where x0 = beta/(x0**n + 1)
    >>> fps[0].ansatz
    'x1 = x2 = x3 = x0'
    >>> [str(fp) for fp in fixed_points("brusselator")]
    ['x = a, y = b/a']
    """
    from linstab.model import load_model

    model = load_model(model)
    if ansatz is not None:
        return _solve_reduction(model, _ansatz_reduction(model, ansatz), timeout)
    out: list[FixedPoint] = []
    sym = _symmetric_reduction(model)
    if sym is not None:
        out.extend(_solve_reduction(model, sym, timeout))
    full = _full_reduction(model)
    if sym is None or _is_rational_system(full.equations, full.unknowns):
        found = _solve_reduction(model, full, timeout)
        keys = {tuple(sp.srepr(e) for e in fp.state.values()) for fp in out}
        out.extend(fp for fp in found if tuple(sp.srepr(e) for e in fp.state.values()) not in keys)
    return out


# --------------------------------------------------------------------- parametric
def parametric_fixed_points(model: Any, param: str | sp.Symbol, *,
                            ansatz: str | Mapping[Any, Any] | None = None,
                            timeout: float | None = 5.0) -> list[ParametricFixedPoint]:
    """Every branch :func:`parametric_fixed_point` can solve for ``param``.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    param
        The parameter to solve for (name or symbol).
    ansatz
        As for :func:`fixed_points`; default: the symmetric subspace if there is one, else the
        full system.
    timeout
        Seconds of CPU time allowed for each :func:`sympy.solve` call.

    Returns
    -------
    list of ParametricFixedPoint

    Examples
    --------
    >>> [str(b) for b in parametric_fixed_points("lorenz", "rho")]
    ['rho = (b + x**2)/b']
    """
    from linstab.model import load_model

    model = load_model(model)
    p = model.parameter(param.name if isinstance(param, sp.Symbol) else param)
    if ansatz is not None:
        reductions = [_ansatz_reduction(model, ansatz)]
    else:
        sym = _symmetric_reduction(model)
        reductions = [r for r in (sym, _full_reduction(model)) if r is not None]
    problems = []
    for red in reductions:
        branches = []
        for coord in red.unknowns:
            elim = _eliminate(red, keep=coord)
            if elim.unknowns != [coord] or len(elim.equations) != 1:
                continue
            eq = elim.equations[0]
            if not eq.has(p):
                problems.append(f"the condition {eq} = 0 does not involve {p}")
                continue
            try:
                with _time_limit(timeout):
                    sols = sp.solve(eq, p, dict=False)
            except (_Timeout, NotImplementedError, ValueError, TypeError):
                problems.append(f"could not solve {eq} = 0 for {p}")
                continue
            for sol in sols:
                sol = _nice(sol)
                if sol.has(coord) and not (p.is_positive and sol.is_nonpositive):
                    state = {v: sp.simplify(e.xreplace({p: sol})) for v, e in elim.subs.items()}
                    branches.append(ParametricFixedPoint(parameter=p, coordinate=coord, value=sol,
                                                         state=state, ansatz=red.ansatz))
            if branches:
                break
        if branches:
            return branches
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise AnalysisError(
        f"parametric_fixed_point: could not reduce the fixed-point conditions of {model.name!r} to one "
        f"equation in one coordinate that can be solved for {p}{detail}; try an `ansatz` such as "
        f"'{' = '.join(model.variable_names)}'"
    )


def parametric_fixed_point(model: Any, param: str | sp.Symbol, *,
                           ansatz: str | Mapping[Any, Any] | None = None,
                           timeout: float | None = 5.0) -> ParametricFixedPoint:
    """Solve the fixed-point conditions for a parameter, along a one-coordinate branch.

    The fixed-point equations are reduced (by the model's permutation symmetry or the given
    ``ansatz``, then by eliminating variables that appear linearly) to a single condition in a
    single coordinate, which is then solved for ``param``: the repressilator gives
    ``beta = x0*(x0**n + 1)``, as in the course appendix. Works for one-dimensional models,
    symmetric branches of larger ones, and models whose other variables can be solved for in
    terms of one.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    param
        The parameter to solve for (name or symbol).
    ansatz
        As for :func:`fixed_points`.
    timeout
        Seconds of CPU time allowed for each :func:`sympy.solve` call.

    Returns
    -------
    ParametricFixedPoint
        The first branch found (see :func:`parametric_fixed_points` for all).

    Raises
    ------
    AnalysisError
        If no reduction to one condition solvable for ``param`` exists.

    References
    ----------
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendices 9a, 9b.
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 3.7.

    Examples
    --------
    >>> b = parametric_fixed_point("repressilator", "beta")
    >>> b.equation
    Eq(beta, x0*(x0**n + 1))
    >>> b.coordinate, b.state
    (x0, {x1: x0, x2: x0, x3: x0})
    >>> parametric_fixed_point("autoactivation", "beta").value
    (-alpha + x)*(x**n + 1)/x**n
    """
    return parametric_fixed_points(model, param, ansatz=ansatz, timeout=timeout)[0]
