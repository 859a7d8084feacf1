"""Scalar expressions: equivalence on the domain, and the diagnosis of common slips."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp

from linstab._parse import as_expr
from linstab.check._domain import Domain
from linstab.check._numeric import all_close, exact_decimals, has_decimals, symbolic_zero, values
from linstab.check._region import agree_widely
from linstab.check._vector import Unsupported

__all__ = ["Probe", "equivalent", "diagnose", "correct_message"]

# Exponent slips tried on each power in the answer: e -> e + 1, e - 1, -e, 2e, e/2.
_EXPONENT_SLIPS = (
    lambda e: e - 1,
    lambda e: e + 1,
    lambda e: -e,
    lambda e: 2 * e,
    lambda e: e / 2,
)


#: Functions with kinks or jumps: expressions using them are also probed across twelve decades.
_NOT_ANALYTIC = (sp.Min, sp.Max, sp.Abs, sp.Piecewise, sp.Heaviside, sp.sign)


def _wide(domain: Domain, count: int, seed: int) -> list[dict[sp.Symbol, sp.Float]]:
    try:
        return domain.sample(count, seed=seed + 7, wide=True)
    except ValueError:  # a `where` that rarely holds far out: the usual points must do
        return []


@dataclass(frozen=True)
class Probe:
    """Random points of a domain, shared by every comparison in one check."""

    domain: Domain
    points: tuple[dict[sp.Symbol, sp.Float], ...]

    @classmethod
    def make(cls, domain: Domain, exprs: Sequence[sp.Basic], *, n_points: int, seed: int) -> Probe:
        syms: set[sp.Symbol] = set()
        for e in exprs:
            syms |= {s for s in as_expr(e).free_symbols if isinstance(s, sp.Symbol)}
        dom = domain.with_symbols(sorted(syms, key=lambda s: s.name))
        points = dom.sample(n_points, seed=seed)
        if any(as_expr(e).has(*_NOT_ANALYTIC) for e in exprs):
            # analytic expressions that agree on a box agree everywhere; these need not
            points += _wide(dom, n_points, seed)
        return cls(dom, tuple(points))

    def values(self, expr: sp.Basic, *, first: int | None = None) -> list[complex | None]:
        pts = self.points if first is None else self.points[:first]
        return values(expr, pts)

    def describe(self) -> str:
        """A short description of the domain, e.g. ``beta > 0, n > 0``."""
        parts = []
        for s in self.domain.symbols:
            if s.name in self.domain.ranges:
                lo, hi = self.domain.ranges[s.name]
                parts.append(f"{lo:g} < {s.name} < {hi:g}")
            elif s.is_positive:
                parts.append(f"{s.name} > 0")
            elif s.is_nonnegative:
                parts.append(f"{s.name} ≥ 0")
        if self.domain.where is not None:
            parts.append(str(self.domain.where))
        return ", ".join(parts) if parts else "all real values"


def equivalent(answer: sp.Basic, reference: sp.Basic, probe: Probe) -> tuple[bool | None, str, list]:
    """Whether ``answer`` equals ``reference`` on the domain.

    Returns ``(verdict, method, answer_values)``: verdict ``True``/``False``/``None``
    (undecided); method ``"symbolic"`` or ``"numeric"``. A decimal in the answer (of an exact
    reference) stands for the fraction it denotes: ``0.5*n`` equals ``n/2``, but ``3.78`` and
    even ``3.7797631496846`` do not equal ``3*2**(1/3)`` — they agree to a few digits only.
    """
    decimals = has_decimals(answer) and not has_decimals(reference)
    if decimals:
        answer = exact_decimals(answer)
    diff = as_expr(answer) - as_expr(reference)
    cheap = _cheap_zero(diff)
    av = probe.values(answer)
    if cheap:
        return True, "symbolic", av
    rv = probe.values(reference)
    verdict = all_close(av, rv)
    if verdict is True and symbolic_zero(diff):
        return True, "symbolic", av
    if verdict is True and decimals:
        verdict = _agree_closely(diff, reference, probe)
    if verdict is True and (as_expr(answer).has(*_NOT_ANALYTIC) or as_expr(reference).has(*_NOT_ANALYTIC)):
        try:
            verdict = agree_widely(as_expr(answer), as_expr(reference), probe.domain)
        except Unsupported:
            pass
    return verdict, "numeric", av


def _agree_closely(diff: sp.Basic, reference: sp.Basic, probe: Probe, *, first: int = 3) -> bool:
    """Whether ``diff`` vanishes to 20 digits relative to ``reference`` (the points carry 30 digits):
    an exact decimal passes, a rounded one (agreeing to double precision) does not."""
    for p in probe.points[:first]:
        try:
            d = abs(sp.N(diff.xreplace(p), 30))
            r = abs(sp.N(as_expr(reference).xreplace(p), 30))
            if not d.is_number or d > sp.Float("1e-20") * max(r, sp.Integer(1)):
                return False
        except (TypeError, ValueError, ZeroDivisionError):
            return False
    return True


def _cheap_zero(diff: sp.Basic) -> bool:
    if diff == 0:
        return True
    try:
        return sp.cancel(diff) == 0
    except (sp.PolynomialError, TypeError, ValueError, NotImplementedError):
        return False


def correct_message(method: str, probe: Probe, what: str = "expression") -> str:
    if method == "symbolic":
        return f"Your {what} is equivalent to the expected one (shown symbolically)."
    return (
        f"Your {what} agrees with the expected one at {len(probe.points)} random points of the "
        f"domain ({probe.describe()})."
    )


def _matches(candidate: sp.Basic, rv: list, probe: Probe) -> bool:
    """Whether ``candidate`` reproduces the reference values (quick screen, then every point)."""
    quick = min(4, len(rv))
    if all_close(probe.values(candidate, first=quick), rv[:quick], min_valid=2) is not True:
        return False
    return all_close(probe.values(candidate), rv) is True


def _pow_positions(expr: sp.Basic, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], sp.Pow]]:
    if isinstance(expr, sp.Pow):
        yield path, expr
    for i, arg in enumerate(expr.args):
        yield from _pow_positions(arg, (*path, i))


def _replace_at(expr: sp.Basic, path: tuple[int, ...], new: sp.Basic) -> sp.Basic:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replace_at(args[path[0]], path[1:], new)
    return expr.func(*args)


def _exponent_slip(answer: sp.Basic, rv: list, probe: Probe) -> sp.Pow | None:
    """The power in ``answer`` whose exponent, changed, makes it right; else ``None``."""
    for path, power in list(_pow_positions(answer))[:40]:
        base, exp = power.args
        for slip in _EXPONENT_SLIPS:
            new_exp = slip(exp)
            if new_exp == 0:  # dropping a factor altogether is a missing factor, not an exponent slip
                continue
            candidate = _replace_at(answer, path, sp.Pow(base, new_exp, evaluate=False))
            if _matches(candidate, rv, probe):
                return power
    return None


def _pretty_power(power: sp.Pow) -> str:
    base, exp = power.args
    if exp == -1:
        return f"the denominator {sp.sstr(base)}"
    if exp.could_extract_minus_sign():
        return f"the power {sp.sstr(sp.Pow(base, -exp, evaluate=False))} in a denominator"
    return f"the power {sp.sstr(power)}"


def _same_ratio(q: complex, q0: complex) -> bool:
    """Whether two ratios agree *relatively* and are of a size a prefactor can have.

    An absolute tolerance would call every pair of tiny ratios equal: the answer ``(x+1)**200``
    is 1e60 times the reference everywhere, a ratio of about 0 at every point, but not a constant.
    """
    if not (1e-9 < abs(q0) < 1e9):
        return False
    return abs(q - q0) <= 1e-8 * max(abs(q), abs(q0))


def _ratio_factor(av: list, rv: list, probe: Probe) -> tuple[str, sp.Basic] | None:
    """Classify the ratio reference/answer: a constant, or ±symbol**k."""
    ratios = []
    pts = []
    for a, r, p in zip(av, rv, probe.points):
        if a is None or r is None or abs(a) < 1e-12:
            continue
        ratios.append(r / a)
        pts.append(p)
    if len(ratios) < 3:
        return None
    if all(_same_ratio(q, ratios[0]) for q in ratios):
        c = ratios[0]
        if abs(c.imag) < 1e-12 * abs(c):
            return "constant", sp.nsimplify(round(c.real, 12), rational=True, tolerance=1e-10)
        return None
    syms = probe.domain.symbols
    candidates = [(s, k) for s in syms for k in (1, -1, 2, -2)]
    candidates += [(s, sign * t) for s in syms for t in syms if t != s for sign in (1, -1)]  # k**n
    for s, k in candidates:
        try:
            scaled = [q / complex(p[s]) ** complex(k.xreplace(p) if isinstance(k, sp.Basic) else k)
                      for q, p in zip(ratios, pts)]
        except (ZeroDivisionError, OverflowError):
            continue
        if all(_same_ratio(q, scaled[0]) for q in scaled) and abs(scaled[0].imag) < 1e-12 * abs(scaled[0]):
            c = sp.nsimplify(round(scaled[0].real, 12), rational=True, tolerance=1e-10)
            if _simple(c):
                return "symbol", c * s**k
    return None


def _digits(av: list, rv: list) -> int | None:
    """How many significant digits the answer's values share with the reference's (at least one,
    at most 16), or ``None`` if they are further apart than 5 %."""
    worst = 0.0
    used = 0
    for a, r in zip(av, rv):
        if r is None:
            continue
        if a is None or r == 0:
            return None
        worst = max(worst, abs(a - r) / abs(r))
        used += 1
    if not used or worst > 0.05:
        return None
    if worst == 0:
        return 16
    return max(1, min(16, int(-math.log10(worst))))


def _repressing(reference: sp.Basic, rv: list) -> bool:
    """Whether ``reference`` looks like the derivative of a repressing Hill term: negative on the
    domain, with a Hill denominator such as ``(1 + x**n)**2`` or ``(k**n + x**n)**2``.

    The hint "a repressing term decreases, so its derivative is negative" is given only then.
    """
    vals = [r for r in rv if r is not None]
    if not vals or not all(abs(r.imag) <= 1e-12 * abs(r) and r.real < 0 for r in vals):
        return False
    for power in reference.atoms(sp.Pow):
        base, exp = power.args
        if exp.is_negative and isinstance(base, sp.Add) and base.free_symbols:
            if any(isinstance(t, sp.Pow) and t.base.is_Symbol for t in base.args):
                return True
    return False


def _simple(c: sp.Basic) -> bool:
    """A rational a student would recognise as a prefactor (e.g. 1/2, 3, 4/3)."""
    return isinstance(c, sp.Rational) and c != 0 and abs(c.p) <= 1000 and c.q <= 100


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _termwise(answer: sp.Basic, reference: sp.Basic, probe: Probe) -> tuple[str, str] | None:
    """Sums: match terms one to one; diagnose a single wrong, missing or extra term."""
    ta, tr = list(sp.Add.make_args(answer)), list(sp.Add.make_args(reference))
    if len(ta) < 2 and len(tr) < 2:
        return None
    va = [probe.values(t) for t in ta]
    vr = [probe.values(t) for t in tr]
    left_a, left_r = list(range(len(ta))), list(range(len(tr)))
    for i in list(left_a):
        for j in left_r:
            if all_close(va[i], vr[j]) is True:
                left_a.remove(i)
                left_r.remove(j)
                break
    if len(left_a) == 1 and len(left_r) == 1:
        code, message = diagnose(ta[left_a[0]], tr[left_r[0]], probe, va[left_a[0]])
        if code in ("not_equivalent", "extra_dependence", "missing_dependence"):
            return None
        return code, f"All terms but one are right; in the term {sp.sstr(ta[left_a[0]])}: {_lower_first(message)}"
    if not left_a and len(left_r) == 1:
        return "missing_term", "All your terms are right, but one term of the expected expression is missing."
    if len(left_a) == 1 and not left_r:
        return "extra_term", f"All expected terms are there, but the term {sp.sstr(ta[left_a[0]])} does not belong."
    return None


def diagnose(answer: sp.Basic, reference: sp.Basic, probe: Probe, av: list | None = None) -> tuple[str, str]:
    """The most specific slip that explains why ``answer`` differs from ``reference``.

    Returns ``(diagnosis, message)``; the message does not reveal the reference.
    """
    answer, reference = as_expr(answer), as_expr(reference)
    rv = probe.values(reference)
    av = probe.values(answer) if av is None else av

    # a decimal approximation of an exact value
    if has_decimals(answer) and not has_decimals(reference):
        digits = _digits(av, rv)
        if digits is not None:
            return "approximate", (
                f"Your answer is close numerically (it agrees to about {digits} significant digits), but "
                "it is a decimal approximation: give the exact value (with fractions, roots such as "
                "2^(1/3), or constants such as pi)."
            )
    # overall sign
    if all_close([None if a is None else -a for a in av], rv) is True:
        if _repressing(reference, rv):
            return "sign", (
                "Everything is right except the sign. Retrace the sign of each step (a repressing "
                "term decreases, so its derivative is negative)."
            )
        return "sign", "Everything is right except the sign. Retrace the sign of each step."
    # reciprocal
    recip = [None if a is None or a == 0 else 1 / a for a in av]
    if all_close(recip, rv) is True:
        return "reciprocal", "Your expression is the reciprocal of the expected one: numerator and denominator are swapped."
    # two symbols interchanged
    syms = sorted(reference.free_symbols | answer.free_symbols, key=lambda s: s.name)
    if len(syms) <= 8:
        for i, s in enumerate(syms):
            for t in syms[i + 1:]:
                swapped = answer.xreplace({s: t, t: s})
                if swapped != answer and _matches(swapped, rv, probe):
                    return "swapped_symbols", (
                        f"Your expression would be right with {s} and {t} interchanged: check which "
                        "variable each term depends on."
                    )
    # one wrong exponent
    power = _exponent_slip(answer, rv, probe)
    if power is not None:
        return "wrong_exponent", f"Almost: one exponent is off. Check {_pretty_power(power)} in your answer."
    # one term of a sum
    by_term = _termwise(answer, reference, probe)
    if by_term is not None:
        return by_term
    # a missing or extra factor
    factor = _ratio_factor(av, rv, probe)
    if factor is not None:
        kind, f = factor
        if kind == "symbol":
            neg = f.could_extract_minus_sign()
            f = -f if neg else f
            coeff, power = f.as_independent(*f.free_symbols)
            base, exp = power.as_base_exp()
            sign_note = " and the sign is wrong too" if neg else ""
            # a bare symbol may be named (the usual chain-rule slip); a factor such as n/2 or n**2
            # would hand the answer over, so only the symbol it depends on is named
            bare = coeff == 1 and exp in (1, -1)
            if exp.is_positive:
                what = f"a factor {sp.sstr(f)}" if bare else f"a factor that depends on {base}"
                return "missing_factor", (
                    f"Your expression is missing {what}{sign_note}. "
                    f"Check where {base} enters — the chain rule, or a prefactor dropped on the way."
                )
            what = f"an extra factor {sp.sstr(1 / f)}" if bare else f"an extra factor that depends on {base}"
            return "missing_factor", (
                f"Your expression has {what}{sign_note}. "
                f"Check where {base} enters, or whether an exponent is off by one."
            )
        if f != 1:
            neg = f.is_negative is True
            sign_note = ", and the sign is wrong too" if neg else ""
            if not reference.free_symbols:
                lead = f"Your value is off by a constant factor{sign_note}."
            else:
                lead = (f"Your expression is off by a constant factor (it has the right dependence on every "
                        f"symbol){sign_note}.")
            if _simple(-f if neg else f):
                return "constant_factor", f"{lead} Check numerical prefactors and fractions."
            return "constant_factor", f"{lead} Check numerical prefactors and constants such as pi or square roots."
    # which symbols it depends on
    missing = sorted((s.name for s in reference.free_symbols - answer.free_symbols))
    extra = sorted((s.name for s in answer.free_symbols - reference.free_symbols))
    if extra:
        return "extra_dependence", (
            f"Your expression depends on {', '.join(extra)}, but the expected one does not. "
            "Eliminate it using the relations given in the exercise."
        )
    if missing:
        return "missing_dependence", f"The expected expression depends on {', '.join(missing)}, but yours does not."
    return "not_equivalent", (
        f"Your expression is not equivalent to the expected one on the domain ({probe.describe()}). "
        "Go through the derivation again step by step."
    )
