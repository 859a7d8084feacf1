"""Conditions (inequalities and their combinations) and equations, compared on the domain."""

from __future__ import annotations

import math

import sympy as sp

from linstab._parse import as_expr
from linstab.check._compound import compare_set
from linstab.check._domain import Domain
from linstab.check._expr import Probe, diagnose
from linstab.check._feedback import Feedback
from linstab.check._numeric import close, evaluate, exact_decimals, has_decimals
from linstab.check._region import (
    FALSE, TIE, TRUE, UNDEFINED, Exact, Sampled, Unsupported, exact_sets, measure, sample_regions, where_they_differ,
)

__all__ = ["compare_condition", "compare_equation"]

_N_CONDITION_POINTS = 400


def _truth(cond: sp.Basic, point: dict) -> bool | None:
    """Truth value at a point; ``None`` where undefined. ``and``/``or`` short-circuit, so that a
    condition such as ``n > 2 and beta > f(n)`` is false where ``n < 2`` even if ``f`` is not real there."""
    if isinstance(cond, (sp.And, sp.Or)):
        values = [_truth(arg, point) for arg in cond.args]
        if isinstance(cond, sp.And):
            if False in values:
                return False
            return None if None in values else True
        if True in values:
            return True
        return None if None in values else False
    if isinstance(cond, sp.Not):
        inner = _truth(cond.args[0], point)
        return None if inner is None else not inner
    try:
        val = cond.xreplace(point)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if val is sp.true:
        return True
    if val is sp.false:
        return False
    return None


_APPROXIMATE = ("Your condition is close, but not exact: it differs from the expected one only in a narrow "
                "band beside a boundary. Give each bound exactly (fractions, roots), not as a decimal "
                "approximation.")
_NEAR = " It differs only close to a boundary: check the exact value of each bound."
_BOUNDARY = ("Your condition agrees with the expected one except exactly on the boundary: check whether each "
             "inequality should be strict (< or >) or not (<= or >=).")
_REVERSED = ("Your condition holds exactly where the expected one fails: the inequality points the wrong way.")
_TOO_STRONG = ("Your condition is sufficient but not necessary: wherever it holds the expected one holds too, "
               "but it leaves out part of the region{where}.")
_TOO_WEAK = ("Your condition is necessary but not sufficient: it also holds at points where the expected one "
             "fails{where}. Is a condition missing, or a bound too loose?")


def _narrow(diff: sp.Set) -> bool:
    """Whether a plain set is a few bounded intervals, each within 2 % of its endpoints."""
    parts = diff.args if isinstance(diff, sp.Union) else (diff,)
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            continue
        if not isinstance(part, sp.Interval) or part.start.is_infinite or part.end.is_infinite:
            return False
        lo, hi = float(part.start), float(part.end)
        if hi - lo > 0.02 * max(abs(lo), abs(hi)):
            return False
    return True


def _located(ex: Exact, diff: sp.Set) -> str:
    s = ex.symbol
    try:
        if diff.sup is sp.oo:
            return f" (for example where {s} is large)"
        if ex.box.inf == 0 and diff.inf == 0:
            return f" (for example where {s} is close to 0)"
        if diff.inf is sp.S.NegativeInfinity:
            return f" (for example where {s} is large and negative)"
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        pass
    return ""


def _from_exact(ex: Exact, decimals: bool) -> Feedback:
    if ex.equal:
        return Feedback(True, "Your condition is equivalent to the expected one on the domain (shown symbolically).",
                        "correct", method="symbolic")
    if ex.boundary_only:
        return Feedback(False, _BOUNDARY, "boundary", method="symbolic")
    m_missing, m_extra = measure(ex.missing()), measure(ex.extra())
    if math.isnan(m_missing) or math.isnan(m_extra):  # SymPy left a set unevaluated: say no more than we know
        return Feedback(False, "Your condition is not equivalent to the expected one on the domain (shown "
                        "symbolically).", "not_equivalent", method="symbolic")
    missing, extra = m_missing > 0, m_extra > 0
    common = measure(sp.Intersection(ex.answer, ex.reference))
    uncovered = measure(sp.Complement(ex.box, sp.Union(ex.answer, ex.reference)))
    if common == 0 and uncovered == 0:
        return Feedback(False, _REVERSED, "reversed", method="symbolic")
    # right on one sign of a symbol that changes sign on the domain
    if ex.box.inf < 0 < ex.box.sup:
        for side, name in ((sp.Interval.open(-sp.oo, 0), "< 0"), (sp.Interval.open(0, sp.oo), "> 0")):
            half = sp.Intersection(ex.box, side)
            in_half = sp.Intersection(ex.reference, half)
            nontrivial = measure(in_half) > 0 and measure(sp.Complement(half, in_half)) > 0
            if nontrivial and measure(sp.Intersection(ex.difference, half)) == 0:
                return Feedback(
                    False,
                    f"Your condition agrees with the expected one where {ex.symbol} {name}, but not on the rest "
                    "of the domain. Did you multiply, divide or square by a quantity whose sign can change, "
                    "or leave out a condition?",
                    "partial_domain",
                    method="symbolic",
                )
    if decimals and _narrow(ex.difference):
        return Feedback(False, _APPROXIMATE, "approximate", method="symbolic")
    near = _NEAR if _narrow(ex.difference) else ""
    if not extra:
        return Feedback(False, _TOO_STRONG.format(where=_located(ex, ex.missing())) + near, "too_strong",
                        method="symbolic")
    if not missing:
        return Feedback(False, _TOO_WEAK.format(where=_located(ex, ex.extra())) + near, "too_weak",
                        method="symbolic")
    return Feedback(False, "Your condition is not equivalent to the expected one on the domain: it holds at some "
                    "points where the expected one fails, and fails at others where it holds." + near,
                    "not_equivalent", method="symbolic")


def _from_sampled(sm: Sampled, probe: Probe, decimals: bool) -> Feedback:
    a, r = sm.answer, sm.reference
    use = ((r == TRUE) | (r == FALSE)) & (a != TIE)
    if use.sum() < 10:
        return Feedback(False, "Your condition could not be evaluated at enough points of the domain to decide.",
                        "undecided", method="numeric")
    a, r, near = a[use], r[use], sm.near[use]
    points = {s: v[use] for s, v in sm.points.items()}
    if (a == r).all():
        return Feedback(
            True,
            f"Your condition agrees with the expected one at {int(use.sum()):,} points of the domain "
            f"({probe.describe()}), spread across it (over twelve decades where it is unbounded) and on both sides "
            "of every boundary.",
            "correct",
            method="numeric",
        )
    if (a == UNDEFINED).any():
        return Feedback(False, "Your condition cannot be evaluated everywhere on the domain (does it compare "
                        "complex numbers or divide by zero?).", "not_equivalent", method="numeric")
    differ = a != r
    if differ.all():
        return Feedback(False, _REVERSED, "reversed", method="numeric")
    # right on one sign of a symbol that changes sign on the domain
    for s, v in points.items():
        if sm.kinds.get(s) == "lin" and not (probe.domain.ranges[s.name][0] < 0 < probe.domain.ranges[s.name][1]):
            continue
        if sm.kinds.get(s) == "log":
            continue
        for side, name in ((v < 0, "< 0"), (v > 0, "> 0")):
            inside_ref = r[side]
            nontrivial = (inside_ref == TRUE).any() and (inside_ref == FALSE).any()
            if nontrivial and not differ[side].any() and differ[~side].any():
                return Feedback(
                    False,
                    f"Your condition agrees with the expected one where {s} {name}, but not on the rest of "
                    "the domain. Did you multiply, divide or square by a quantity whose sign can change, "
                    "or leave out a condition?",
                    "partial_domain",
                    method="numeric",
                )
    only_near = bool(near[differ].all())
    if decimals and only_near:
        return Feedback(False, _APPROXIMATE, "approximate", method="numeric")
    hint = _NEAR if only_near else ""
    sampled = Sampled(a, r, near, points, sm.kinds, sm.boundaries)
    if not ((a == TRUE) & (r == FALSE)).any():
        return Feedback(False, _TOO_STRONG.format(where=where_they_differ(sampled, differ)) + hint, "too_strong",
                        method="numeric")
    if not ((a == FALSE) & (r == TRUE)).any():
        return Feedback(False, _TOO_WEAK.format(where=where_they_differ(sampled, differ)) + hint, "too_weak",
                        method="numeric")
    return Feedback(False, f"Your condition is not equivalent to the expected one on the domain ({probe.describe()})."
                    + hint, "not_equivalent", method="numeric")


def compare_condition(answer: sp.Basic, reference: sp.Basic, probe: Probe, *, seed: int = 0) -> Feedback:
    """Whether two conditions hold on the same set of points of the domain, and if not, how they differ.

    In one variable the two solution sets are compared exactly; otherwise, or where SymPy cannot
    solve a condition within a CPU-time limit, numerically at points across twelve decades and on
    both sides of every boundary (see :mod:`linstab.check._region`).
    """
    decimals = has_decimals(answer)
    answer, reference = exact_decimals(answer), exact_decimals(reference)
    ex = exact_sets(answer, reference, probe.domain)
    if ex is not None:
        return _from_exact(ex, decimals)
    try:
        sampled = sample_regions(answer, reference, probe.domain, seed=seed)
    except Unsupported:
        return _compare_pointwise(answer, reference, probe, seed=seed)
    return _from_sampled(sampled, probe, decimals)


def _compare_pointwise(answer: sp.Basic, reference: sp.Basic, probe: Probe, *, seed: int = 0) -> Feedback:
    """The comparison at random points, one by one with SymPy (for conditions NumPy cannot evaluate)."""
    points = probe.domain.sample(_N_CONDITION_POINTS, seed=seed + 1)
    pairs = []
    for p in points:
        a, r = _truth(answer, p), _truth(reference, p)
        if r is None:
            continue
        pairs.append((a, r, p))
    if len(pairs) < 10:
        return Feedback(False, "Your condition could not be evaluated at enough points of the domain to decide.",
                        "undecided", method="numeric")
    if all(a == r for a, r, _ in pairs):
        return Feedback(
            True,
            f"Your condition agrees with the expected one at {len(pairs)} random points of the domain "
            f"({probe.describe()}).",
            "correct",
            method="numeric",
        )
    if any(a is None for a, _, _ in pairs):
        return Feedback(False, "Your condition cannot be evaluated everywhere on the domain (does it compare "
                        "complex numbers or divide by zero?).", "not_equivalent", method="numeric")
    if all(a != r for a, r, _ in pairs):
        return Feedback(False, _REVERSED, "reversed", method="numeric")
    if all(r or not a for a, r, _ in pairs):
        return Feedback(False, _TOO_STRONG.format(where=""), "too_strong", method="numeric")
    if all(a or not r for a, r, _ in pairs):
        return Feedback(False, _TOO_WEAK.format(where=""), "too_weak", method="numeric")
    return Feedback(False, f"Your condition is not equivalent to the expected one on the domain ({probe.describe()}).",
                    "not_equivalent", method="numeric")


def _residual(eq: sp.Basic) -> sp.Basic:
    return eq.lhs - eq.rhs if isinstance(eq, sp.Equality) else as_expr(eq)


def _solve(residual: sp.Basic, s: sp.Symbol) -> list[sp.Basic] | None:
    try:
        sols = sp.solve(residual, s, dict=False)
    except (NotImplementedError, TypeError, ValueError):
        return None
    if not sols or not all(isinstance(x, sp.Expr) for x in sols):
        return None
    return list(sols)


def compare_equation(answer: sp.Basic, reference: sp.Basic, probe: Probe, *, solve_for: sp.Symbol | None) -> Feedback:
    """Equations with the same solutions on the domain (e.g. ``x = b/(1 + x**n)`` and ``b = x*(1 + x**n)``)."""
    if answer is sp.false:
        return Feedback(False, "Your equation can never hold on the domain (check signs: the variables and "
                        "parameters are positive).", "not_equivalent", method="symbolic")
    if not isinstance(answer, sp.Equality):
        return Feedback(False, "An equation is expected (write it with `==`, e.g. `beta == x*(1 + x^n)`).",
                        "parse_error", method="none")
    rr, ra = _residual(reference), _residual(answer)
    candidates = [solve_for] if solve_for is not None else sorted(rr.free_symbols, key=lambda s: s.name)
    for s in candidates:
        ref_sols = _solve(rr, s)
        if ref_sols is None:
            continue
        ans_sols = _solve(ra, s)
        if ans_sols is not None:
            fb = compare_set(ans_sols, ref_sols, _reprobe(probe, s), what=f"solutions for {s}")
            if fb.correct:
                return Feedback(True, "Your equation is equivalent to the expected one on the domain.",
                                "correct", method=fb.method)
            if len(ans_sols) == len(ref_sols) == 1:
                code, message = diagnose(ans_sols[0], ref_sols[0], _reprobe(probe, s))
                return Feedback(False, f"Your equation is not equivalent to the expected one. Solved for {s}: "
                                + message, code, method="numeric")
            return Feedback(False, "Your equation is not equivalent to the expected one: " + fb.message,
                            fb.diagnosis, method="numeric", details=fb.details)
        # the answer could not be solved: check it holds on the reference's solutions
        sub = _reprobe(probe, s)
        hits = 0
        for p in sub.points:
            for sol in ref_sols:
                v = evaluate(sol, p)
                if v is None or abs(v.imag) > 1e-12:
                    continue
                q = {**p, s: sp.Float(v.real, 30)}
                lhs, rhs = evaluate(answer.lhs, q), evaluate(answer.rhs, q)
                if not close(lhs, rhs, rtol=1e-8):
                    return Feedback(False, "Your equation does not hold at the points where the expected one "
                                    "holds.", "not_equivalent", method="numeric")
                hits += 1
        trivial = all(close(evaluate(answer.lhs, p), evaluate(answer.rhs, p)) for p in probe.points)
        if hits >= 3 and not trivial:
            return Feedback(True, "Your equation holds wherever the expected one does (checked numerically).",
                            "correct", method="numeric")
        break
    return Feedback(False, "Your equation is not equivalent to the expected one on the domain.",
                    "not_equivalent", method="numeric")


def _reprobe(probe: Probe, s: sp.Symbol) -> Probe:
    """The probe without ``s`` (which is solved for)."""
    dom = probe.domain
    keep = [x for x in dom.symbols if x != s]
    ranges = {k: v for k, v in dom.ranges.items() if k != s.name}
    where = dom.where if dom.where is not None and s not in dom.where.free_symbols else None
    pts = tuple({k: v for k, v in p.items() if k != s} for p in probe.points)
    return Probe(Domain(keep, ranges=ranges, where=where), pts)
