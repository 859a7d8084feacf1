"""Fold and Hopf bifurcation curves in closed form.

The route is the one of the course appendix (Elowitz & Bois, technical appendix 9b):

1. parametrize the fixed-point branch — solve the fixed-point equations for the bifurcation
   parameter ``P`` and the other variables in terms of one branch variable ``s`` (after reducing
   the system along a permutation symmetry, or an ansatz such as ``x1=x2=x3``), or solve them
   outright when the fixed point is explicit;
2. substitute the branch into the Jacobian and abstract the entries that vary along it into
   fresh symbols (the appendix's ``a``);
3. impose the bifurcation condition — ``det J = 0`` (fold) or the Hurwitz minor
   ``Δₙ₋₁ = 0`` (Hopf; ``tr J = 0`` in two dimensions) — factor it, solve for the abstracted
   entries, then for ``s``;
4. substitute back to get ``P`` explicitly as a function of ``Q`` (and the fixed parameters), with
   the domain of validity (``s`` real and in its domain, ``P`` in its domain).

Each distinct real root gives one :class:`BifurcationCurve`. The curves are sampled numerically
and every sample point is checked against the eigenvalues of the Jacobian there: for a Hopf point
a complex pair must sit on the imaginary axis with every other eigenvalue in the left half-plane
(the remaining Routh–Hurwitz conditions); for a fold point one eigenvalue must vanish. That check
is numerics, so this module does not carry it out itself: :func:`closed_form_curves` hands every
candidate to the ``sample`` function it is given, which :func:`linstab.analysis.bifurcation_curves`
supplies (:func:`linstab.analysis.sample_curve`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp

from linstab._errors import AnalysisError, ParameterError
from linstab._interrupt import may_raise_in
from linstab.model import Model, load_model
from linstab.sym._conditions import _domain_requirements, _finish, _reduce_condition, _symbolic_bounds
from linstab.sym._symmetry import branch_symbol, symmetry_orbits
from linstab.sym._kinds import KIND_NAMES, BifurcationKind, accepted_kinds, bifurcation_kind

if TYPE_CHECKING:  # annotations only: the symbolic layer does not load numpy
    import numpy as np

__all__ = ["BifurcationCurve", "closed_form_curves", "KINDS", "NoClosedFormError", "Sampler", "one_line"]

#: Kinds a request may name: ``fold`` (any ``det J = 0`` curve: a real eigenvalue crosses zero;
#: each result reports whether it is a fold (saddle-node), transcritical or pitchfork),
#: ``saddle-node``, ``transcritical``, ``pitchfork`` (only curves of that kind) and ``hopf`` (a
#: complex pair crosses the imaginary axis). See :class:`linstab.sym.BifurcationKind`.
KINDS = KIND_NAMES


@dataclass(frozen=True, kw_only=True, eq=False)
class BifurcationCurve:
    """A fold or Hopf curve in the plane of two parameters.

    Attributes
    ----------
    kind
        The true kind: ``"fold"`` (saddle-node), ``"transcritical"``, ``"pitchfork"`` or ``"hopf"``
        (a ``det J = 0`` curve is classified at a sample point by Sotomayor's test, see
        :func:`linstab.num.classify_zero_eigenvalue`).
    param
        Name of the parameter ``P`` on the vertical axis (the one solved for).
    against
        Name of the parameter ``Q`` on the horizontal axis.
    expression
        ``P`` as an explicit SymPy expression of ``Q`` and the fixed parameters, or ``None`` when
        the curve is known only numerically (continuation).
    condition
        Where ``expression`` is valid (e.g. ``n > 2``): the fixed point real and in its domain and
        ``param`` in its domain. When it involves the fixed parameters it is evaluated at their
        values (``fixed``) so that it reduces to an interval of ``against``. ``None`` for a
        numeric curve. The remaining Routh–Hurwitz conditions of a Hopf point are checked
        numerically at every sample point (points that fail are dropped).
    points
        Array of shape ``(N, 2)``, columns ``[against, param]``: sampled points of the curve where
        the eigenvalue check passed.
    lyapunov
        ``"supercritical"``, ``"subcritical"``, ``"degenerate"`` for Hopf curves (sign of the first
        Lyapunov coefficient at a sample point), ``None`` for folds or when it was not computed.
    fixed
        Values of the other parameters used for the sampled points.
    branch
        Fixed point along the curve: variable name -> SymPy expression of ``Q`` and the fixed
        parameters (``{}`` for numeric curves).
    states
        Array ``(N, n_vars)`` of the fixed point at each sample point.
    derivation
        Steps of the derivation, ``(text, object)`` pairs, for printing (see :meth:`explain`).
    route
        Which route answered: ``"closed form"`` or ``"continuation"``.
    partial
        ``True`` when other factors of the bifurcation condition had no closed form, so that the
        closed-form list may miss curves (:func:`linstab.analysis.find_curves` then continues numerically).
    codim2
        Codimension-two points found along a continued curve, ``(name, against, param)``:
        ``"cusp"`` and ``"Bogdanov–Takens"`` on fold curves, ``"Bautin"`` (generalized Hopf) on
        Hopf curves (see :func:`linstab.num.continue_curve`).
    parametrization
        ``(s, Q(s), P(s))``: the curve in closed form as a parametric curve, where ``P`` has no
        explicit expression in ``Q`` but both follow from a parameter ``s`` (typically a state
        variable's value at the fixed point, as for Hill kinetics); ``None`` otherwise.

    Examples
    --------
    >>> from linstab import bifurcation_curves
    >>> c = bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2.5, 3.0), n_points=2)[0]
    >>> c.expression, c.condition
    (n/(2*(n/2 - 1)**((n + 1)/n)), n > 2)
    >>> c.points.round(4)
    array([[2.5   , 8.7055],
           [3.    , 3.7798]])
    """

    kind: str
    param: str
    against: str
    expression: sp.Expr | None
    condition: sp.Boolean | None
    points: np.ndarray
    lyapunov: str | None
    fixed: dict[str, float]
    branch: dict[str, sp.Expr] = field(default_factory=dict)
    states: np.ndarray | None = None
    derivation: tuple[tuple[str, Any], ...] = ()
    route: str = "closed form"
    codim2: tuple[tuple[str, float, float], ...] = ()
    parametrization: tuple[sp.Symbol, sp.Expr, sp.Expr] | None = None
    partial: bool = False

    @property
    def kind_object(self) -> BifurcationKind:
        """The :class:`~linstab.sym.BifurcationKind` of :attr:`kind` (label, conditions, tests)."""
        return bifurcation_kind(self.kind)

    def evaluate(self, q: Any) -> np.ndarray:
        """``P`` on the curve at the values ``q`` of the horizontal parameter (closed forms only).

        Examples
        --------
        >>> from linstab import bifurcation_curves
        >>> c = bifurcation_curves("brusselator", "hopf", "b", "a", n_points=3)[0]
        >>> c.evaluate([1.0, 2.0])
        array([2., 5.])
        """
        from linstab.num import evaluate_curve  # lazy: the one lambdify path (README, "Design: layers")

        return evaluate_curve(self, q)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record of the curve (as printed by ``linstab bifurcation --json``)."""
        pts = [[float(f"{a:.7g}"), float(f"{b:.7g}")] for a, b in self.points]
        return {
            "kind": self.kind,
            "route": self.route,
            "expression": None if self.expression is None else str(self.expression),
            "condition": None if self.condition in (None, sp.true) else str(self.condition),
            "points": pts,
            "lyapunov": self.lyapunov,
            "codim2": [[name, float(f"{q:.7g}"), float(f"{p:.7g}")] for name, q, p in self.codim2],
            "parametrization": None if self.parametrization is None else
            dict(zip(("parameter", self.against, self.param), map(str, self.parametrization))),
        }

    def plot(self, **kwargs: Any) -> Any:
        """The stability diagram of this curve: :func:`linstab.plot.stability_diagram` ``([self], **kwargs)``.

        Examples
        --------
        >>> from linstab import bifurcation_curves
        >>> c = bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2.1, 5), n_points=20)[0]
        >>> c.plot(log_y=True).yaxis.axis_label
        'β'
        """
        from linstab.plot import stability_diagram

        return stability_diagram([self], **kwargs)

    def explain(self, *, style: str = "text") -> str:
        """The derivation, step by step: ``"text"`` (one line per formula, as ``linstab analyze``
        prints) or ``"latex"`` (Markdown with display LaTeX, for notebooks and lecture notes)."""
        if style not in ("text", "latex"):
            raise ValueError(f"style must be 'text' or 'latex'; got {style!r}")
        lines = []
        for text, obj in self.derivation:
            lines.append(html.escape(text, quote=False) if style == "latex" else text)
            if obj is None:
                continue
            for item in (obj if isinstance(obj, (list, tuple)) else [obj]):
                if style == "latex":
                    symbolic = isinstance(item, (sp.Basic, sp.MatrixBase))
                    lines.append(f"$${sp.latex(item)}$$" if symbolic else html.escape(str(item), quote=False))
                else:
                    lines.append("    " + one_line(item))
            if style == "latex":
                lines.append("")
        return "\n".join(lines)


def one_line(obj: Any) -> str:
    """A formula on one line: ``lhs = rhs`` for an equation, ``[[...], [...]]`` for a matrix.

    Examples
    --------
    >>> a, x = sp.symbols("a x")
    >>> one_line(sp.Eq(a, x**2 + 1)), one_line(sp.Matrix([[-1, a], [0, -1]]))
    ('a = x**2 + 1', '[[-1, a], [0, -1]]')
    """
    if isinstance(obj, sp.MatrixBase):
        return "[" + ", ".join("[" + ", ".join(sp.sstr(e) for e in row) + "]" for row in obj.tolist()) + "]"
    if isinstance(obj, sp.Equality):
        return f"{sp.sstr(obj.lhs)} = {sp.sstr(obj.rhs)}"
    return sp.sstr(obj) if isinstance(obj, sp.Basic) else str(obj)


class NoClosedFormError(AnalysisError):
    """No closed form of the curve was found (numeric continuation may still trace it)."""


# ===================================================================== branch parametrization
# Private stand-ins for the issue-2 API (sym.symmetries / sym.parametric_fixed_point): minimal
# versions that only the bifurcation code uses. Replace with the public ones once they land.
@dataclass(frozen=True, kw_only=True)
class _Branch:
    subs: dict[sp.Symbol, sp.Expr]  # model variable -> expression of s and parameters
    p_expr: sp.Expr | None  # P along the branch (function of s), None for an explicit branch
    s: sp.Symbol | None
    label: str
    steps: tuple[tuple[str, Any], ...] = ()


def _parse_ansatz(model: Model, ansatz: str | Sequence[Sequence[str]]) -> list[list[sp.Symbol]]:
    if isinstance(ansatz, str):
        parts = [p for p in re.split(r"[;,]", ansatz) if p.strip()]
        groups_n = [[t.strip() for t in p.split("=")] for p in parts]
    else:
        groups_n = [list(g) for g in ansatz]
    seen: set[str] = set()
    groups = []
    for g in groups_n:
        for name in g:
            if name not in model.variable_names:
                raise ParameterError(f"ansatz: {name!r} is not a state variable of model {model.name!r}; "
                                     f"variables: {', '.join(model.variable_names)}")
        seen.update(g)
        groups.append([model.symbols[name] for name in g])
    groups += [[v] for v in model.variables if v.name not in seen]
    return groups


def _branches_from_sym(model: Model, P: sp.Symbol, ansatz: Any, steps: list) -> list[_Branch]:
    from linstab.sym._fixed_points import parametric_fixed_points

    if ansatz is not None and not (isinstance(ansatz, str) and ";" not in ansatz and "," not in ansatz):
        return []  # several groups: solved below
    try:
        found = parametric_fixed_points(model, P, ansatz=ansatz)
    except (AnalysisError, NotImplementedError, ValueError):
        return []
    out = []
    for k, b in enumerate(found):
        c = b.coordinate
        doms = {model.domain[v.name] for v, e in b.state.items() if e == c}
        assume = {"positive": True} if doms and doms <= {"positive", "nonnegative"} else {"real": True}
        s = sp.Symbol(c.name, **assume)
        subs = {v: sp.simplify(b.state[v].subs(c, s)) for v in model.variables}
        p_expr = sp.factor(sp.simplify(b.value.subs(c, s)))
        if (P.is_positive and p_expr.is_nonpositive) or any(e.has(*model.variables) for e in subs.values()
                                                            if e != s):
            continue
        st = list(steps)
        shown = [sp.Eq(v, subs[v]) for v in model.variables if subs[v] != v]
        st.append((f"Fixed points, solved for {P.name} along the branch variable {s.name}:", shown + [sp.Eq(P, p_expr)]))
        out.append(_Branch(subs=subs, p_expr=p_expr, s=s, label=f"branch {k + 1}", steps=tuple(st)))
    return out


def _is_polynomial(eqs: Sequence[sp.Expr], gens: Sequence[sp.Symbol]) -> bool:
    try:
        return all(sp.Poly(sp.numer(sp.together(e)), *gens) is not None for e in eqs)
    except sp.PolynomialError:
        return False


def _branches(model: Model, P: sp.Symbol, ansatz: Any) -> list[_Branch]:
    """Parametrizations of the fixed-point branches (see the module docstring)."""
    steps: list[tuple[str, Any]] = []
    if ansatz is not None:
        groups = _parse_ansatz(model, ansatz)
        how = "the ansatz"
    else:
        groups = symmetry_orbits(model)
        how = "symmetry"
    reduced_groups = [g for g in groups if len(g) > 1]
    # representative symbols
    reps = {g[0]: branch_symbol(g[0], g, model) for g in groups}
    subs0 = {v: reps[g[0]] for g in groups for v in g}
    if reduced_groups:
        desc = "; ".join(" = ".join(v.name for v in g) + f" ≡ {reps[g[0]].name}" for g in reduced_groups)
        if ansatz is None:
            steps.append(("The equations are invariant under permuting the variables, so we look for the "
                          f"symmetric fixed-point branch {desc}.", None))
        else:
            steps.append((f"By {how}: {desc}.", None))
    eqs: list[sp.Expr] = []
    for e in model.rhs:
        r = sp.together(e.xreplace(subs0))
        if not any(sp.simplify(r - q) == 0 for q in eqs):
            eqs.append(r)
    rvars = list(dict.fromkeys(subs0.values()))
    if len(eqs) != len(rvars):
        raise AnalysisError(f"{how} leaves {len(eqs)} distinct equations for {len(rvars)} unknowns; "
                            "give a consistent ansatz= (e.g. 'x1=x2=x3') or none")
    branches: list[_Branch] = []
    # (a) explicit fixed points: polynomial systems that SymPy solves outright
    if _is_polynomial(eqs, rvars):
        try:
            sols = sp.solve(eqs, rvars, dict=True)
        except NotImplementedError:
            sols = []
        # Cardano-type radicals (cube roots and beyond) make the explicit route unreadable and
        # unsolvable downstream: parametrize the branch instead (route b)
        if any(p.exp.is_Rational and p.exp.q > 2 for sol in sols for e in sol.values() for p in e.atoms(sp.Pow)):
            sols = []
        outside = 0
        for k, sol in enumerate(sols):
            if len(sol) != len(rvars) or any(sol[v].has(*rvars) for v in rvars):
                continue
            if any(sp.simplify(sol[v]).is_negative or sp.simplify(sol[v]).is_real is False
                   for v in rvars if v.is_positive or v.is_real):
                outside += 1
                continue
            subs = {v: sp.simplify(sol[subs0[v]]) for v in model.variables}
            st = tuple(steps) + (("Fixed point:", [sp.Eq(v, subs[v]) for v in model.variables]),)
            branches.append(_Branch(subs=subs, p_expr=None, s=None, label=f"fixed point {k + 1}", steps=st))
        if branches:
            return branches
        if sols and outside == len(sols) or (not sols and not any(e.has(P) for e in eqs)):
            raise AnalysisError(f"model {model.name!r} has no fixed point in its domain "
                                f"({', '.join(f'{v}: {model.domain[v.name]}' for v in model.variables)}); "
                                "check the equations and the declared domains")
    # (b) one branch variable s: solve for P and the other variables in terms of s — by
    # linstab.sym.parametric_fixed_points where it applies, else by solving directly below
    from_sym = _branches_from_sym(model, P, ansatz, steps)
    if from_sym:
        return from_sym
    for s in reversed(rvars):
        unknowns = [v for v in rvars if v != s] + [P]
        try:
            sols = sp.solve(eqs, unknowns, dict=True)
        except NotImplementedError:
            continue
        good = [sol for sol in sols if all(u in sol for u in unknowns)]
        if not good:
            continue
        inside = [sol for sol in good if not ((P.is_positive and sp.simplify(sol[P]).is_nonpositive)
                                              or (P.is_nonnegative and sp.simplify(sol[P]).is_negative))]
        if not inside:
            raise AnalysisError(f"model {model.name!r} has no fixed point in its domain for {P.name} > 0 "
                                f"(along the branch, {P.name} = {sp.simplify(good[0][P])}); check the equations "
                                "and the declared domains")
        good = inside
        for k, sol in enumerate(good):
            p_expr = sp.factor(sp.simplify(sol[P]))
            subs = {v: (s if subs0[v] == s else sp.simplify(sol[subs0[v]])) for v in model.variables}
            st = list(steps)
            shown = [sp.Eq(v, subs[v]) for v in model.variables if subs[v] != v]
            st.append((f"Fixed points, solved for {P.name} along the branch variable {s.name}:",
                       shown + [sp.Eq(P, p_expr)]))
            branches.append(_Branch(subs=subs, p_expr=p_expr, s=s, label=f"branch {k + 1}", steps=tuple(st)))
        return branches
    # nothing found: are there fixed points at all, once the domains are dropped?
    plain = {sym: sp.Symbol(sym.name) for e in eqs for sym in e.free_symbols}
    peqs = [e.xreplace(plain) for e in eqs]
    for s in reversed(rvars):
        try:
            psols = sp.solve(peqs, [plain[v] for v in rvars if v != s] + [plain.get(P, P)], dict=True)
        except NotImplementedError:
            continue
        if psols:
            raise AnalysisError(f"model {model.name!r} has no fixed point in its domain "
                                f"({', '.join(f'{n}: {d}' for n, d in model.domains)}); along the branch "
                                f"{', '.join(f'{k} = {v}' for k, v in psols[0].items())}")
    return branches


# ===================================================================== conditions
_ABSTRACT_NAMES = ("a", "c", "d", "g", "h", "k", "q", "r", "w")


def _abstract(J: sp.Matrix, s: sp.Symbol, model: Model) -> tuple[sp.Matrix, dict[sp.Symbol, sp.Expr]]:
    """Replace the Jacobian entries that vary along the branch by fresh symbols (up to sign)."""
    names = [nm for nm in _ABSTRACT_NAMES if nm not in model.symbols and nm != s.name]
    table: dict[sp.Expr, sp.Symbol] = {}
    defs: dict[sp.Symbol, sp.Expr] = {}
    out = sp.zeros(*J.shape)
    for idx in range(len(J)):
        e = J[idx]
        if not e.has(s):
            out[idx] = e
            continue
        sign = -1 if e.could_extract_minus_sign() else 1
        key = sp.simplify(sign * e)
        for k0, sym in table.items():
            if sp.simplify(k0 - key) == 0:
                out[idx] = sign * sym
                break
        else:
            if not names:
                return J, {}
            sym = sp.Symbol(names.pop(0), real=True)
            table[key] = sym
            defs[sym] = key
            out[idx] = sign * sym
    return out, defs


def _solve_for_branch_var(eq: sp.Expr, s: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr | None, sp.Expr]]:
    """Solutions ``s*`` of ``eq(s) = 0``, as ``(s*, W, k)`` with ``s* = W**(1/k)`` where ``eq``
    depends on ``s`` only through ``s**k`` (``W`` is then ``None`` otherwise)."""
    eq = sp.powsimp(sp.expand_power_base(eq, force=True), force=True)
    pows = {p.exp for p in eq.atoms(sp.Pow) if p.base == s}
    bare = eq.subs({s ** e: sp.Dummy() for e in pows}).has(s)
    out = []
    if len(pows) == 1 and not bare and (s.is_positive or not next(iter(pows)).is_Integer):
        (k,) = pows
        if not (k.is_Number and k == 1):
            w = sp.Dummy("w", positive=True)
            eqw = sp.simplify(eq.subs(s ** k, w))
            if not eqw.has(s):
                for W in sp.solve(eqw, w):
                    out.append((W ** (1 / k), W, k))
                return out
    try:
        sols = sp.solve(eq, s)
    except NotImplementedError as exc:
        raise _NoClosedForm(str(exc)) from None
    for sol in sols:
        out.append((sol, None, sp.Integer(1)))
    return out


class _NoClosedForm(Exception):
    """SymPy cannot solve an equation of the derivation in closed form."""


def _fix_exponents(e: sp.Expr) -> sp.Expr:
    def f(z: sp.Pow) -> sp.Expr:
        return sp.Pow(z.base, sp.factor(z.exp))

    return e.replace(lambda z: z.is_Pow and not z.exp.is_Number, f)


def _textbook(p_expr: sp.Expr, s: sp.Symbol, W: sp.Expr | None, k: sp.Expr, s_star: sp.Expr) -> sp.Expr:
    """``p_expr`` at ``s = s*``, simplified towards the form a textbook prints."""
    cands = []
    direct = p_expr.subs(s, s_star)
    cands.append(sp.simplify(direct))
    if W is not None:
        w = sp.Dummy("w", positive=True)
        u = sp.Dummy("u", positive=True)
        pw = sp.powsimp(sp.expand_power_base(p_expr.subs(s, w ** (1 / k)), force=True), force=True)
        for base, sub in ((sp.expand(1 / W), 1 / u), (sp.expand(W), u)):
            if not base.is_Number:
                r = _fix_exponents(sp.powsimp(sp.factor(pw.subs(w, sub)), force=True))
                cands.append(r.subs(u, base))
    best = min(cands, key=lambda c: (sp.count_ops(c), len(str(c))))
    return best


def _may_have_real_root(f: sp.Expr, a: sp.Symbol, model: Model, Q: sp.Symbol, fixed: Mapping[str, float],
                        q_range: tuple[float, float] | None) -> bool:
    """Cheap numeric screen of a high-degree factor before asking SymPy for its roots."""
    deg = sp.degree(f, a)
    others = f.free_symbols - {a}
    if deg <= 2 or not others:
        return True
    q0 = model.parameter_values.get(Q.name)
    qs = [q_range[0] + (q_range[1] - q_range[0]) * i / 6 for i in range(7)] if q_range else ([q0 * t for t in (0.5, 0.75, 1.0, 1.5, 2.0)] if q0 else [1.0])
    for qv in qs:
        vals = {s: fixed[s.name] for s in others if s.name in fixed}
        vals.update({s: qv for s in others if s == Q})
        if set(vals) != others:
            return True
        try:
            roots = [complex(r) for r in sp.Poly(f.subs(vals), a).nroots(n=15, maxsteps=100)]
        except (sp.polys.polyerrors.PolynomialError, mpmath.libmp.NoConvergence, TypeError, ValueError):
            return True  # undecided: let SymPy try
        if any(abs(r.imag) <= 1e-9 * (1 + abs(r.real)) for r in roots):
            return True
    return False


# ===================================================================== main entry
#: The numeric check that :func:`closed_form_curves` hands each candidate curve to:
#: ``sample(model, kind, P, Q, *, p_star, condition, state, fixed, q_range, n_points, lyapunov)`` returns
#: ``(points, states, lyapunov, true_kind)`` for the sample points where the eigenvalues confirm the
#: crossing, or ``None`` when none does. :func:`linstab.analysis.bifurcation_curves` supplies it.
Sampler = Callable[..., "tuple[np.ndarray, np.ndarray, str | None, BifurcationKind] | None"]


def closed_form_curves(
    model: Model | str,
    kind: str,
    param: str,
    against: str,
    *,
    sample: Sampler,
    ansatz: str | Sequence[Sequence[str]] | None = None,
    values: Mapping[str, float] | None = None,
    q_range: tuple[float, float] | None = None,
    n_points: int = 50,
    lyapunov: bool = True,
    budget: float | None = 10.0,
) -> list[BifurcationCurve]:
    """Fold or Hopf curves ``param = P(against)`` in closed form, each checked by ``sample``.

    The symbolic half of :func:`linstab.analysis.bifurcation_curves` (which supplies ``sample``,
    the numeric check of every candidate against the eigenvalues, and falls back to continuation in
    :func:`linstab.analysis.find_curves`). Use that function; this one exists so that the
    symbolic layer imports no numerics.

    Parameters
    ----------
    model, kind, param, against, ansatz, values, q_range, n_points, lyapunov
        As for :func:`linstab.analysis.bifurcation_curves`.
    sample
        The numeric check of a candidate curve (see :data:`Sampler`).
    budget
        CPU seconds the symbolic derivation may take (``None``: no limit). SymPy's ``solve`` can
        run for minutes on transcendental rate functions or cubic branch equations; past the
        budget :class:`NoClosedFormError` is raised, so that numeric continuation can answer
        instead. CPU time rather than wall-clock time, so that a busy machine gives the same
        answer. Enforced on the main thread of a process with ``SIGPROF`` (POSIX); elsewhere
        unlimited.

    Returns
    -------
    list of BifurcationCurve
        The candidates that ``sample`` confirmed (errors as for
        :func:`linstab.analysis.bifurcation_curves`).

    References
    ----------
    Elowitz & Bois, *Biological Circuit Design*, technical appendix 9b (the route of the module
    docstring).

    Examples
    --------
    >>> from linstab.analysis import sample_curve
    >>> (c,) = closed_form_curves("brusselator", "hopf", "b", "a", sample=sample_curve, n_points=3)
    >>> c.expression, c.route
    (a**2 + 1, 'closed form')
    """
    model = load_model(model)
    accepted_kinds(kind)  # raises on an unknown name
    P, Q = model.parameter(param), model.parameter(against)
    if P == Q:
        raise ParameterError(f"param and against must differ; both are {param!r}")
    if values:
        model = model.with_values(values)
    fixed = {k: v for k, v in model.parameter_values.items() if k not in (param, against) and v is not None}
    where = f"the {kind} curve of {model.name!r} ({param} against {against})"
    try:
        with _time_budget(budget):
            return _closed_form_curves(model, kind, param, against, P, Q, fixed, ansatz, q_range, n_points,
                                       lyapunov, sample)
    except _BudgetExceeded:
        raise NoClosedFormError(f"no closed form for {where} within the time budget of {budget:g} s "
                                "(budget=None lifts it); use numeric continuation, linstab.analysis.find_curves"
                                ) from None
    except NotImplementedError as exc:  # SymPy has no algorithm for an equation of the derivation
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "NotImplementedError"
        raise NoClosedFormError(f"no closed form for {where}: SymPy cannot solve it ({first}); use numeric "
                                "continuation, linstab.analysis.find_curves") from None


_PARTIAL = ("Other factors of the bifurcation condition have no closed form: this list may be incomplete "
           "(linstab.analysis.find_curves continues numerically to complete it).")


class _BudgetExceeded(BaseException):
    """The symbolic route ran past its time budget (a BaseException, so that no ``except Exception``
    inside SymPy swallows it)."""


@contextlib.contextmanager
def _time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_BudgetExceeded` in the block after ``seconds`` of CPU time (SIGPROF; main
    thread only).

    CPU time, not wall-clock time, so that a busy machine does not turn an answer into a fallback
    (the same rule as the checker's budget). SymPy is pure Python, so the signal handler runs
    between bytecodes even inside ``solve``; the timer repeats every 0.1 s in case one delivery
    lands where it should not raise."""
    if seconds is None or not hasattr(signal, "SIGPROF") or threading.current_thread() is not threading.main_thread():
        yield
        return
    if seconds <= 0:
        raise ValueError(f"budget must be a positive number of seconds or None, got {seconds!r}")

    def on_alarm(signum: int, frame: Any) -> None:
        # raise only in ordinary SymPy or linstab code: an exception raised inside a finalizer
        # (``__del__``, a weakref callback run by the garbage collector) cannot propagate and would
        # be reported as unraisable; the timer fires again shortly
        if may_raise_in(frame):
            raise _BudgetExceeded

    previous = signal.signal(signal.SIGPROF, on_alarm)
    outer = signal.setitimer(signal.ITIMER_PROF, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer[0] > 0:  # an enclosing timer (the analyze budget's child, say): let it run on
            signal.setitimer(signal.ITIMER_PROF, *outer)


def _closed_form_curves(model: Model, kind: str, param: str, against: str, P: sp.Symbol, Q: sp.Symbol,
                        fixed: dict[str, float], ansatz: Any, q_range: tuple[float, float] | None, n_points: int,
                        lyapunov: bool, sample: Sampler) -> list[BifurcationCurve]:
    accepted = accepted_kinds(kind)
    kobj = accepted[0]
    branches = _branches(model, P, ansatz)
    if not branches:
        raise NoClosedFormError(f"no closed-form parametrization of the fixed points of {model.name!r} in {param}; "
                            "try an ansatz= (e.g. 'x1=x2=x3'), or numeric continuation (linstab.analysis.find_curves)")
    J_full = model.jacobian()
    curves: list[BifurcationCurve] = []
    any_candidate = any_valid = unsolved = False
    rejected: list[str] = []
    for br in branches:
        steps = list(br.steps)
        Jb = J_full.xreplace(br.subs) if br.s is not None else J_full.subs(br.subs)
        if br.p_expr is not None:
            Jb = Jb.subs(P, br.p_expr)
        Jb = Jb.applyfunc(lambda e: sp.factor(sp.powsimp(sp.simplify(e), force=True)))
        if br.s is not None:
            Ja, defs = _abstract(Jb, br.s, model)
        else:
            Ja, defs = Jb, {}
        if defs:
            steps.append(("Jacobian on the branch:", Ja))
            steps.append(("with", [sp.Eq(k, v) for k, v in defs.items()]))
        else:
            steps.append(("Jacobian at the fixed point:", Ja))
        cond, cond_text, coeffs = kobj.condition(Ja)
        if coeffs:
            lam = sp.Symbol("lambda")
            cp_expr = sum(c * lam ** (len(coeffs) - 1 - i) for i, c in enumerate(coeffs))
            steps.append(("Characteristic polynomial:", sp.Eq(sp.factor(cp_expr), 0)))
            if len(coeffs) <= 4 and len(defs) <= 1:
                eigs = sp.roots(sp.Poly(cp_expr, lam))
                if sum(eigs.values()) == len(coeffs) - 1:
                    steps.append(("Eigenvalues:", [sp.Eq(sp.Symbol(f"lambda_{i + 1}"), sp.simplify(e))
                                                    for i, e in enumerate(eigs)]))
        what = "Hopf" if kobj.family == "hopf" else "Zero-eigenvalue (fold, transcritical or pitchfork)"
        steps.append((f"{what} condition {cond_text}:", sp.Eq(cond, 0)))
        # --- solve the condition
        solutions: list[tuple[sp.Expr, list[sp.Basic], list[tuple[str, Any]], dict]] = []
        factors = [f for f, _ in sp.factor_list(sp.numer(sp.together(cond)))[1]]
        if br.s is None:
            for f in factors:
                if not f.has(P):
                    continue
                try:
                    roots = sp.solve(f, P)
                except NotImplementedError:
                    unsolved = True
                    continue
                for root in roots:
                    root = sp.simplify(root)
                    if root.is_real is False:
                        continue
                    state = {v: sp.simplify(e.subs(P, root)) for v, e in br.subs.items()}
                    solutions.append((root, _domain_requirements(root, bool(P.is_positive)), [], state))
        else:
            s = br.s
            targets: list[tuple[sp.Expr, list[tuple[str, Any]], sp.Symbol | None, sp.Expr | None]] = []
            if len(defs) == 1:
                (a_sym, a_def), = defs.items()
                for f in factors:
                    if not f.has(a_sym):
                        continue
                    if not _may_have_real_root(f, a_sym, model, Q, fixed, q_range):
                        steps.append((f"(the factor of degree {sp.degree(f, a_sym)} in {a_sym} has no real root at "
                                      "the given parameter values)", None))
                        continue
                    for root in sp.solve(f, a_sym):
                        if root.is_real is False:
                            continue
                        r_sym = sp.Dummy("r", real=True)  # the critical value, substituted at the end
                        targets.append((a_def - r_sym, [(f"so {a_sym} = {root}:", sp.Eq(a_def, root))], r_sym, root))
            else:
                for f in factors:
                    if f.free_symbols & set(defs):
                        targets.append((sp.together(f.subs(defs)), [], None, None))
            for eq, st, r_sym, root in targets:
                back = {r_sym: root} if r_sym is not None else {}
                try:
                    branch_solutions = _solve_for_branch_var(sp.numer(sp.together(eq)), s)
                except _NoClosedForm:
                    unsolved = True
                    continue
                for s_star0, W0, k in branch_solutions:
                    s_star = s_star0.subs(back)
                    W = None if W0 is None else W0.subs(back)
                    if s_star.is_real is False or (s.is_positive and s_star.is_nonpositive):
                        continue
                    sub_steps = list(st)
                    if W is not None and k != 1:
                        sub_steps.append(("at the bifurcation", sp.Eq(s ** k, W)))
                    else:
                        sub_steps.append(("at the bifurcation", sp.Eq(s, s_star)))
                    p_star = _textbook(br.p_expr, s, W0, k, s_star0).subs(back)
                    reqs = [W > 0] if (W is not None and s.is_positive and not W.is_positive) else \
                        _domain_requirements(s_star, bool(s.is_positive))
                    reqs += _domain_requirements(p_star, bool(P.is_positive)) if not reqs else []
                    state = {v: sp.simplify(e.subs(s, s_star)) for v, e in br.subs.items()}
                    solutions.append((p_star, reqs, sub_steps, state))
        for p_star, reqs, sub_steps, state in solutions:
            any_candidate = True
            condition = _reduce_condition(reqs, Q, fixed)
            if condition is sp.false:
                continue
            any_valid = True
            if any(c.condition == condition and sp.simplify(c.expression - p_star) == 0 for c in curves):
                continue  # the same curve reached from the other fixed point of a fold pair
            curve = sample(model, kobj, P, Q, p_star=p_star, condition=condition, state=state, fixed=fixed,
                           q_range=q_range, n_points=n_points, lyapunov=lyapunov)
            if curve is None:
                continue
            pts, states, lyap, true_kind = curve
            if true_kind not in accepted:
                rejected.append(true_kind.name)
                continue
            p_star = _finish(p_star, Q, fixed, pts[:, 0])
            bounds = _symbolic_bounds(reqs, Q)  # in the parameters where it reduces (m < e/h)
            condition = condition if bounds is None else bounds
            cstep = [] if condition is sp.true else [("valid for", condition)]
            dsteps = tuple(steps + sub_steps + [(f"Bifurcation curve ({br.label}):", sp.Eq(P, p_star))] + cstep)
            if true_kind.family == "zero":
                dsteps += ((f"Kind (Sotomayor's test at {Q.name} = {pts[len(pts) // 2, 0]:.4g}): "
                            f"{true_kind.label}.", None),)
            if lyap is not None:
                dsteps += ((f"First Lyapunov coefficient at {Q.name} = {pts[len(pts) // 2, 0]:.4g}: "
                            f"{lyap} Hopf bifurcation.", None),)
            curves.append(BifurcationCurve(
                kind=true_kind.name, param=param, against=against, expression=p_star, condition=condition,
                points=pts, lyapunov=lyap, fixed=dict(fixed),
                branch={v.name: e for v, e in state.items()}, states=states, derivation=dsteps,
            ))
    if curves and unsolved:  # a partial answer: say so, so that continuation can look further
        curves = [dataclasses.replace(c, partial=True, derivation=c.derivation + ((_PARTIAL, None),)) for c in curves]
    if not curves and unsolved:
        raise NoClosedFormError(f"no closed form for the {kind} curve of {model.name!r} ({param} against {against}): "
                            f"the bifurcation condition cannot be solved explicitly; use numeric continuation, "
                            f"linstab.analysis.find_curves (which falls back to it)")
    if not curves:
        where = f" for {against} in [{q_range[0]}, {q_range[1]}]" if q_range else ""
        if rejected:
            raise AnalysisError(f"model {model.name!r}: the det J = 0 curves of {param} against {against} are "
                                f"{', '.join(sorted(set(rejected)))}, not {kind}; ask for kind='fold' to get every one")
        if not any_candidate:
            raise AnalysisError(f"model {model.name!r} has no {kind} bifurcation in {param} "
                                f"(the condition has no real solution on the fixed-point branch)")
        if not any_valid:
            raise AnalysisError(f"model {model.name!r} has no {kind} bifurcation in {param} with the fixed point "
                                f"in its domain, for any {against}")
        raise AnalysisError(f"model {model.name!r}: no {kind} crossing in {param}{where} with the fixed point in "
                            f"its domain; widen q_range= or check the kind")
    return curves
