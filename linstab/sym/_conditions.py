"""Where a closed-form bifurcation curve is valid, and its finished form.

The derivation of :mod:`linstab.sym._bifurcation` ends with an expression for the parameter and a
list of requirements (radicands positive, the parameter in its domain). This module reduces them
to a condition on the horizontal parameter — symbolic bounds in the other parameters where they
reduce (``m < e/h``), exact numbers otherwise — and simplifies the expression on that domain
(:func:`linstab.num.condition_holds` evaluates such a condition on numbers). A root in Cardano's
form is valid where it is real, whatever the signs of its radicands (casus irreducibilis).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

__all__: list[str] = []


def _exact(e: sp.Basic) -> sp.Basic:
    """Floats (parameter values substituted) as the exact rationals they print as: 0.5 -> 1/2."""
    return e.xreplace({f: sp.nsimplify(f, rational=True) for f in e.atoms(sp.Float)})


def _symbolic_bounds(reqs: list[sp.Basic], Q: sp.Symbol) -> sp.Boolean | None:
    """The requirements as bounds on ``Q`` in the other parameters (``m < e/h``), or ``None``.

    Each requirement ``g > 0`` (or ``>=``) is split into the factors of ``g``'s numerator and
    denominator; factors of known sign (from the parameters' declared domains) drop out, and one
    factor linear in ``Q`` with a coefficient of known sign must remain. Anything else: ``None``
    (the caller then reduces the condition at the parameters' values)."""
    bounds: list[sp.Basic] = []
    for r in reqs:
        if r is sp.true:
            continue
        if not isinstance(r, (sp.StrictGreaterThan, sp.GreaterThan)):
            return None
        strict = isinstance(r, sp.StrictGreaterThan)
        num, den = sp.fraction(sp.together(r.lhs - r.rhs))
        sign, rest = 1, []
        for part in (sp.sympify(num), sp.sympify(den)):
            if part.is_Number:
                sign *= 1 if part > 0 else -1
                continue
            try:
                coeff, factors = sp.factor_list(part)
            except (sp.PolynomialError, NotImplementedError):
                return None
            if coeff < 0:
                sign = -sign
            for fac, mult in factors:
                if fac.is_positive or (mult % 2 == 0 and fac.is_nonzero):
                    continue
                if fac.is_negative:
                    sign *= -1 if mult % 2 else 1
                    continue
                if mult % 2 == 0:
                    return None
                rest.append(fac)
        if not rest:
            if sign < 0:
                return None
            continue
        if len(rest) != 1:
            return None
        try:
            poly = sp.Poly(rest[0], Q) if rest[0].has(Q) else None
        except sp.PolynomialError:  # Q under a root or in a function: not a bound
            return None
        if poly is None or poly.degree() != 1:
            return None
        c1, c0 = poly.all_coeffs()
        if c1.is_positive:
            above = sign > 0
        elif c1.is_negative:
            above = sign < 0
        else:
            return None
        edge = sp.simplify(-c0 / c1)
        if above and ((Q.is_positive and edge.is_nonpositive) or (Q.is_nonnegative and edge.is_negative and strict)):
            continue  # implied by the domain of Q
        bounds.append((Q > edge if strict else Q >= edge) if above else (Q < edge if strict else Q <= edge))
    return sp.And(*bounds) if bounds else sp.true


def _finish(expr: sp.Expr, Q: sp.Symbol, fixed: Mapping[str, float], qs: Any) -> sp.Expr:
    """``expr`` simplified on its domain of validity, where every base of a non-integer power is
    positive (:func:`_domain_requirements` demands it): such bases become positive dummies, so
    that ``(u**(1/n))**n = u`` and the like apply; the shortest form that agrees numerically with
    ``expr`` at the sample points ``qs`` wins."""
    bases: dict[sp.Expr, sp.Dummy] = {}

    def canon(z: sp.Pow) -> sp.Expr:
        base = sp.factor(sp.cancel(z.base))
        if base.is_positive:
            return sp.Pow(base, z.exp)
        for known, d in bases.items():
            if sp.simplify(known - base) == 0:
                return sp.Pow(d, z.exp)
        d = sp.Dummy("u", positive=True)
        bases[base] = d
        return sp.Pow(d, z.exp)

    try:
        inner = expr.replace(lambda z: z.is_Pow and not z.exp.is_Integer and bool(z.base.free_symbols), canon)
        inner = sp.factor(sp.powdenest(inner, force=True))
        back = inner.xreplace({d: b for b, d in bases.items()})
        cands = [expr, back, sp.simplify(back), sp.factor(back)]
    except (NotImplementedError, TypeError, ValueError, sp.PolynomialError):
        return expr
    def at(e: sp.Expr, q: float) -> complex:
        vals = {s: sp.Float(q, 30) if s.name == Q.name else sp.nsimplify(fixed[s.name], rational=True)
                for s in e.free_symbols if s.name == Q.name or s.name in fixed}
        try:
            return complex(sp.N(e.xreplace(vals), 20))
        except (TypeError, ValueError):  # a symbol without a value, or not a number
            return complex("nan")

    qs = [float(q) for q in list(qs)[:: max(1, len(qs) // 3)][:3]]
    ref = [at(expr, q) for q in qs]
    good = [c for c in cands if all(abs(at(c, q) - r) <= 1e-9 * (1 + abs(r)) for q, r in zip(qs, ref))]
    return min(good or [expr], key=lambda c: (sp.count_ops(c), len(str(c))))


def _reduce_condition(reqs: list[sp.Basic], Q: sp.Symbol, fixed: Mapping[str, float] | None = None) -> sp.Boolean:
    kept = [r for r in reqs if r.has(sp.im, sp.re)]  # reality of a Cardano root: exact, unreduced
    if kept:
        return sp.And(*kept, evaluate=False) if len(kept) > 1 else kept[0]
    free0 = set().union(*(r.free_symbols for r in reqs)) if reqs else set()
    if fixed and free0 - {Q}:  # evaluate at the fixed parameter values so that it reduces in Q
        reqs = [r.subs({s: fixed[s.name] for s in free0 if s.name in fixed}) for r in reqs]
        reqs = [_exact(r) for r in reqs]
    reqs = [r for r in reqs if r is not sp.true]
    if any(r is sp.false for r in reqs):
        return sp.false
    if not reqs:
        return sp.true
    free = set().union(*(r.free_symbols for r in reqs))
    if free <= {Q}:
        try:
            dom = sp.Interval.open(0, sp.oo) if Q.is_positive else (
                sp.Interval(0, sp.oo) if Q.is_nonnegative else sp.Reals)
            sset = dom
            for r in reqs:
                sset = sset.intersect(sp.solve_univariate_inequality(r, Q, relational=False, domain=dom))
            sset = sp.simplify(sset)
            if sset == sp.EmptySet:
                return sp.false
            if sset == dom:
                return sp.true
            if isinstance(sset, sp.Interval):
                parts = []
                if sset.start != dom.start or sset.left_open != dom.left_open:
                    parts.append(Q > sset.start if sset.left_open else Q >= sset.start)
                if sset.end != sp.oo:
                    parts.append(Q < sset.end if sset.right_open else Q <= sset.end)
                return sp.And(*parts)
            return sset.as_relational(Q)
        except (NotImplementedError, ValueError, TypeError):
            pass
    return sp.And(*reqs)


def _is_cardano(expr: sp.Expr) -> bool:
    """A root in Cardano's form: ``I`` or odd roots (beyond square roots) of bases of unknown sign.

    Such an expression is real where the radicands are negative or complex as well (three real
    roots: casus irreducibilis), so the radicands' signs say nothing about where it exists."""
    return expr.has(sp.I) or any(p.exp.is_Rational and p.exp.q > 2 and not p.base.is_nonnegative
                                 for p in expr.atoms(sp.Pow) if p.base.free_symbols)


def _domain_requirements(expr: sp.Expr, positive: bool) -> list[sp.Basic]:
    """Where ``expr`` is real (and positive): every base of a non-integer power positive, or — for a
    Cardano-form root — its imaginary part zero (kept unevaluated)."""
    if _is_cardano(expr):
        reqs = [sp.Eq(sp.im(expr, evaluate=False), 0, evaluate=False)]
        if positive:
            reqs.append(sp.StrictGreaterThan(sp.re(expr, evaluate=False), 0, evaluate=False))
        return reqs
    reqs: list[sp.Basic] = []
    for p in expr.atoms(sp.Pow):
        if not (p.exp.is_Integer) and not p.base.is_positive and p.base.free_symbols:
            reqs.append(p.base > 0 if not p.exp.is_Rational or p.exp.q % 2 == 0 or True else p.base >= 0)
    if positive and not expr.is_positive:
        reqs.append(expr > 0)
    return reqs
