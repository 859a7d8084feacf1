"""Conditions (inequalities and their combinations) and equations, compared on the domain."""

from __future__ import annotations

import sympy as sp

from linstab._parse import as_expr
from linstab.check._compound import compare_set
from linstab.check._domain import Domain
from linstab.check._expr import Probe, diagnose
from linstab.check._feedback import Feedback
from linstab.check._numeric import close, evaluate

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


def _symbolic_same(answer: sp.Basic, reference: sp.Basic, probe: Probe) -> bool:
    """For conditions in one symbol: compare the solution sets within the symbol's interval."""
    syms = answer.free_symbols | reference.free_symbols
    if len(syms) != 1 or probe.domain.where is not None:
        return False
    (s,) = syms
    if s.name in probe.domain.ranges:
        lo, hi = probe.domain.ranges[s.name]
        box = sp.Interval.open(lo, hi)
    elif s.is_positive:
        box = sp.Interval.open(0, sp.oo)
    elif s.is_nonnegative:
        box = sp.Interval(0, sp.oo)
    else:
        box = sp.Reals
    try:
        sa = answer.as_set().intersect(box)
        sr = reference.as_set().intersect(box)
        return bool(sp.simplify(sp.Eq(sa, sr)) is sp.true or sa == sr)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return False


def compare_condition(answer: sp.Basic, reference: sp.Basic, probe: Probe, *, seed: int = 0) -> Feedback:
    """Whether two conditions hold at the same points of the domain, and if not, how they differ."""
    if _symbolic_same(answer, reference, probe):
        return Feedback(True, "Your condition is equivalent to the expected one on the domain (shown symbolically).",
                        "correct", method="symbolic")
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
        return Feedback(False, "Your condition holds exactly where the expected one fails: the inequality "
                        "points the wrong way.", "reversed", method="numeric")
    # right on one sign of a symbol that changes sign on the domain
    for s in probe.domain.symbols:
        lo, hi, _ = probe.domain.interval(s)
        if not lo < 0 < hi:
            continue
        for side, name in ((lambda v: v < 0, "< 0"), (lambda v: v > 0, "> 0")):
            inside = [(a, r) for a, r, p in pairs if side(float(p[s]))]
            outside = [(a, r) for a, r, p in pairs if not side(float(p[s]))]
            nontrivial = len({r for _, r in inside}) == 2  # the reference changes truth value there
            if nontrivial and all(a == r for a, r in inside) and any(a != r for a, r in outside):
                return Feedback(
                    False,
                    f"Your condition agrees with the expected one where {s} {name}, but not on the rest of "
                    "the domain. Did you multiply, divide or square by a quantity whose sign can change, "
                    "or leave out a condition?",
                    "partial_domain",
                    method="numeric",
                )
    a_implies_r = all(r or not a for a, r, _ in pairs)
    r_implies_a = all(a or not r for a, r, _ in pairs)
    if a_implies_r:
        return Feedback(False, "Your condition is sufficient but not necessary: wherever it holds the expected "
                        "one holds too, but it leaves out part of the region.", "too_strong", method="numeric")
    if r_implies_a:
        return Feedback(False, "Your condition is necessary but not sufficient: it also holds at points where "
                        "the expected one fails. Is a condition missing, or a bound too loose?", "too_weak", method="numeric")
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
