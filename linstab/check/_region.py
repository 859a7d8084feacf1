"""Two conditions compared as sets: exactly in one variable, otherwise at points that find every boundary.

A condition is the set of parameter values where it holds. Two conditions are equivalent on a
domain when these sets agree there (up to their boundaries, where a strict and a non-strict
inequality differ). Random points in a narrow box are not enough: ``beta > 2 and beta < 5``
agrees with ``beta > 2`` wherever ``beta < 5``, and ``a < 1.99`` with ``a < 2`` except on a
sliver. So:

* In one variable, both conditions are solved exactly (:func:`exact_sets`, SymPy's
  ``as_set``, on the declared domain) and the two sets of intervals are compared, endpoints
  included, under a CPU-time limit.
* Otherwise (or where SymPy cannot solve them) they are compared numerically at points
  (:func:`sample_regions`) drawn across twelve decades (``1e-6`` to ``1e6`` for positive symbols,
  ``±1e-6`` to ``±1e6`` for real ones, as well as the usual scale of order one), along 1-D
  slices through the domain, and on both sides of every boundary of either condition: where
  the truth of either, or the sign of ``lhs - rhs`` of one of their comparisons, changes along
  a slice (so that a narrow band between two grid points is found too), the boundary is found
  by bisection to machine precision and both are compared at relative distances of 3e-3, 1e-4
  and 1e-6 from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from linstab._budget import OverBudget, soft_limit
from linstab.check._domain import Domain
from linstab.check._vector import FALSE, TIE, TRUE, UNDEFINED, Unsupported, truth, values

__all__ = ["Exact", "exact_sets", "Sampled", "sample_regions", "agree_widely", "where_they_differ", "measure", "WIDE", "OFFSETS",
           "MAX_DEGREE", "TRUE", "FALSE", "UNDEFINED", "TIE", "Unsupported"]

#: Decades covered by the numeric comparison: values from 1/WIDE to WIDE in magnitude.
WIDE = 1e6
#: Relative distances from each boundary at which both conditions are compared.
OFFSETS = (3e-3, 1e-4, 1e-6)
_OUTSIDE = np.int8(-2)  # a point outside the domain's `where`
_MAX_ATOMS = 40  # comparisons whose sign changes are bracketed (the conditions' own changes always are)
_SET_ERRORS = (NotImplementedError, TypeError, ValueError, AttributeError, RecursionError,
               sp.PolynomialError, OverBudget)


# --------------------------------------------------------------------------- exact, one variable
@dataclass(frozen=True)
class Exact:
    """The solution sets of answer and reference within ``box``, and the set where they differ."""

    symbol: sp.Symbol
    box: sp.Set
    answer: sp.Set
    reference: sp.Set
    difference: sp.Set

    @property
    def equal(self) -> bool:
        return self.difference is sp.S.EmptySet

    @property
    def boundary_only(self) -> bool:
        """The sets differ in isolated points only (a strict against a non-strict inequality)."""
        return isinstance(self.difference, sp.FiniteSet)

    def missing(self) -> sp.Set:
        """Where the reference holds and the answer does not."""
        return sp.Complement(self.reference, self.answer)

    def extra(self) -> sp.Set:
        """Where the answer holds and the reference does not."""
        return sp.Complement(self.answer, self.reference)


def _box(s: sp.Symbol, domain: Domain) -> sp.Set:
    if s.name in domain.ranges:
        lo, hi = domain.ranges[s.name]
        return sp.Interval.open(sp.nsimplify(lo, rational=True), sp.nsimplify(hi, rational=True))
    if s.is_positive:
        return sp.Interval.open(0, sp.oo)
    if s.is_nonnegative:
        return sp.Interval(0, sp.oo)
    return sp.Reals


def _plain(st: sp.Set) -> bool:
    """A set of real numbers SymPy has worked out: unions of intervals and finite sets of numbers."""
    if st.free_symbols:
        return False
    if isinstance(st, sp.Union):
        return all(_plain(a) for a in st.args)
    if isinstance(st, sp.Interval):
        return all(e.is_extended_real for e in (st.start, st.end))
    if isinstance(st, sp.FiniteSet):
        return all(e.is_real for e in st.args)
    return st is sp.S.EmptySet or st == sp.Reals


def _solve(cond: sp.Basic, s: sp.Symbol) -> sp.Set:
    if cond is sp.true:
        return sp.Reals
    if cond is sp.false:
        return sp.S.EmptySet
    return cond.as_set()


def exact_sets(answer: sp.Basic, reference: sp.Basic, domain: Domain, *, seconds: float = 0.6) -> Exact | None:
    """Both conditions solved exactly on the domain, when they involve one symbol only.

    Returns ``None`` when there is more than one symbol, when SymPy cannot solve a condition into
    intervals with numeric endpoints, or when solving takes more than ``seconds`` of CPU time.

    Examples
    --------
    >>> beta = sp.Symbol("beta", positive=True)
    >>> ex = exact_sets(sp.And(beta > 2, beta < 5), beta > 2, Domain([beta]))
    >>> ex.equal, ex.difference
    (False, Interval(5, oo))
    >>> exact_sets(beta**2 > 4, 2 < beta, Domain([beta])).equal
    True
    """
    syms = (answer.free_symbols | reference.free_symbols)
    if len(syms) != 1:
        return None
    (s,) = syms
    if not isinstance(s, sp.Symbol) or s.is_extended_real is False:
        return None
    where = domain.where
    if where is not None and not where.free_symbols <= {s}:
        return None
    if not all(_tractable(c, s) for c in (answer, reference, where) if c is not None):
        return None
    try:
        with soft_limit(seconds):
            box = _box(s, domain)
            if where is not None:
                box = sp.Intersection(box, _solve(where, s))
            sa = sp.Intersection(_solve(answer, s), box)
            sr = sp.Intersection(_solve(reference, s), box)
            if not (_plain(box) and _plain(sa) and _plain(sr)):
                return None
            diff = sp.Union(sp.Complement(sa, sr), sp.Complement(sr, sa))
            if not _plain(diff):
                return None
            if isinstance(diff, (sp.Interval, sp.Union)) and _numerically_empty(diff):
                diff = sp.S.EmptySet
    except _SET_ERRORS:
        return None
    return Exact(s, box, sa, sr, diff)


#: Largest polynomial degree (of numerator or denominator) solved exactly. Isolating the real roots
#: of a polynomial of high degree can spend seconds in single big-integer operations, which no
#: signal interrupts; such conditions are compared numerically instead.
MAX_DEGREE = 12
_MAX_OPS = 200


def _tractable(cond: sp.Basic, s: sp.Symbol) -> bool:
    """Whether solving ``cond`` exactly looks cheap: few operations, and polynomial parts of low degree."""
    if sp.count_ops(cond) > _MAX_OPS:
        return False
    for atom in cond.atoms(sp.core.relational.Relational):
        num, den = sp.fraction(sp.together(atom.lhs - atom.rhs))
        for part in (num, den):
            if part.is_polynomial(s) and sp.degree(part, s) > MAX_DEGREE:
                return False
    return True


def _numerically_empty(st: sp.Set) -> bool:
    """Intervals whose endpoints SymPy could not prove equal but that agree to 40 digits."""
    parts = st.args if isinstance(st, sp.Union) else (st,)
    for part in parts:
        if not isinstance(part, sp.Interval):
            return False
        if part.start.is_infinite or part.end.is_infinite:
            return False
        if abs(sp.N(part.end - part.start, 50)) > sp.Float("1e-40", 50):
            return False
    return True


def measure(st: sp.Set) -> float:
    """The total length of a plain set (``inf`` if unbounded)."""
    try:
        return float(st.measure)
    except (TypeError, ValueError, AttributeError):
        return math.nan


# --------------------------------------------------------------------------- numeric, any variables
class _Axis:
    """How one symbol is sampled: a coordinate ``t`` on which points are uniform, and its value."""

    def __init__(self, s: sp.Symbol, domain: Domain) -> None:
        self.symbol = s
        if s.name in domain.ranges:
            lo, hi = (float(v) for v in domain.ranges[s.name])
            self.bounds = (lo, hi)
            if lo > 0 and hi / lo > 10:
                self.kind, self.t, self.typical = "log", (math.log(lo), math.log(hi)), (math.log(lo), math.log(hi))
            else:
                self.kind, self.t, self.typical = "lin", (lo, hi), (lo, hi)
        elif s.is_positive or s.is_nonnegative:
            self.bounds = (0.0, math.inf)
            self.kind, self.t, self.typical = "log", (-math.log(WIDE), math.log(WIDE)), (math.log(0.2), math.log(5.0))
        else:  # real: sinh spreads points over both signs and all decades, linear near 0
            self.bounds = (-math.inf, math.inf)
            top = math.asinh(WIDE * WIDE)
            self.kind, self.t, self.typical = "asinh", (-top, top), (-math.asinh(3.0 * WIDE), math.asinh(3.0 * WIDE))

    def value(self, t: np.ndarray) -> np.ndarray:
        if self.kind == "log":
            return np.exp(t)
        if self.kind == "asinh":
            return np.sinh(t) / WIDE
        return t

    def draw(self, rng: np.random.Generator, count: int, *, typical: bool) -> np.ndarray:
        lo, hi = self.typical if typical else self.t
        u = 0.0005 + 0.999 * rng.random(count)
        return self.value(lo + u * (hi - lo))

    def grid(self, count: int, rows: int, rng: np.random.Generator) -> np.ndarray:
        """``rows`` grids of ``count`` points across the axis, each shifted by a random part of a step
        (so that the slices together cover the axis more finely than one grid)."""
        lo, hi = self.t
        step = 0.999 / count
        u = 0.0005 + step * (np.arange(count)[None, :] + rng.random((rows, 1)))
        return lo + u * (hi - lo)

    def beside(self, v: np.ndarray, delta: float, side: int) -> tuple[np.ndarray, np.ndarray]:
        """Points at relative distance ``delta`` from ``v`` on one ``side``, and which lie in the domain."""
        scale = np.abs(v) if self.kind == "log" else np.maximum(np.abs(v), 1.0 / WIDE)
        w = v + side * delta * scale
        lo, hi = self.bounds
        return w, (w > lo) & (w < hi)


@dataclass(frozen=True)
class Sampled:
    """Truth values of answer and reference at the sample points.

    ``answer`` and ``reference`` hold :data:`~linstab.check._vector.TRUE`, ``FALSE``,
    ``UNDEFINED`` or ``TIE``; ``near`` marks points placed beside a boundary (the others are
    random or on the slices' grids); ``points`` maps each symbol to its values.
    """

    answer: np.ndarray
    reference: np.ndarray
    near: np.ndarray
    points: dict[sp.Symbol, np.ndarray]
    kinds: dict[sp.Symbol, str]
    boundaries: int

    def __len__(self) -> int:
        return len(self.reference)


def sample_regions(
    answer: sp.Basic,
    reference: sp.Basic,
    domain: Domain,
    *,
    seed: int = 0,
    n_random: int = 1500,
    n_slices: int = 32,
    n_grid: int = 240,
    max_brackets: int = 600,
) -> Sampled:
    """Both conditions evaluated at random points, along slices and beside every boundary found.

    Raises :class:`~linstab.check._vector.Unsupported` when a condition cannot be evaluated on
    arrays.

    Examples
    --------
    >>> a = sp.Symbol("a", positive=True)
    >>> s = sample_regions(a < sp.Rational(199, 100), a < 2, Domain([a]))
    >>> bool((s.answer != s.reference).any())      # the sliver 1.99 < a < 2 is found
    True
    """
    rng = np.random.default_rng(seed)
    free = answer.free_symbols | reference.free_symbols
    if domain.where is not None:
        free |= domain.where.free_symbols
    syms = sorted((s for s in free if isinstance(s, sp.Symbol)), key=lambda s: s.name)
    axes = [_Axis(s, domain) for s in syms]

    # every comparison in either condition: its two sides are equal on each boundary
    atoms = sorted({c for cond in (answer, reference) for c in cond.atoms(sp.core.relational.Relational)
                    if c.free_symbols}, key=sp.default_sort_key)[:_MAX_ATOMS]

    def evaluate(env: dict[sp.Symbol, np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
        r = truth(reference, env, size)
        a = truth(answer, env, size)
        if domain.where is not None:
            outside = truth(domain.where, env, size) != TRUE
            r = np.where(outside, _OUTSIDE, r)
            a = np.where(outside, _OUTSIDE, a)
        return a, r

    def signals(env: dict[sp.Symbol, np.ndarray], size: int) -> np.ndarray:
        """Rows: the truth of the answer and of the reference, then the sign of each comparison's
        ``lhs - rhs`` (``_OUTSIDE`` where undefined or outside the domain)."""
        a, r = evaluate(env, size)
        rows_ = [a, r]
        with np.errstate(all="ignore"):
            for atom in atoms:
                d = values(atom.lhs, env, size) - values(atom.rhs, env, size)
                sign = np.sign(d).astype(np.int8)
                sign[np.isnan(d) | (r == _OUTSIDE)] = _OUTSIDE
                rows_.append(sign)
        return np.stack(rows_)

    # random points: two thirds across all decades, one third at the usual scale
    n_wide = (2 * n_random) // 3
    env = {ax.symbol: np.concatenate([ax.draw(rng, n_wide, typical=False),
                                      ax.draw(rng, n_random - n_wide, typical=True)]) for ax in axes}
    a0, r0 = evaluate(env, n_random)
    parts = [(a0, r0, np.zeros(n_random, dtype=bool), env)]

    # slices through points where the reference holds, where the answer holds, and elsewhere
    defined = (r0 == TRUE) | (r0 == FALSE)
    pools = [np.flatnonzero(defined & (r0 == TRUE)), np.flatnonzero(defined & (a0 == TRUE)), np.flatnonzero(defined)]
    brackets = 0
    for ax in axes if pools[2].size else []:
        chosen: list[int] = []
        for pool, share in zip(pools, (n_slices // 2, n_slices // 4, n_slices)):
            pool = np.setdiff1d(pool, chosen)
            take = min(share, n_slices - len(chosen), pool.size)
            if take > 0:
                chosen += rng.choice(pool, size=take, replace=False).tolist()
        rows = np.array(chosen)
        k = rows.size
        tgrid = ax.grid(n_grid, k, rng)
        senv = {s: np.repeat(v[rows], n_grid) for s, v in env.items()}
        senv[ax.symbol] = ax.value(tgrid).ravel()
        sig = signals(senv, k * n_grid)
        parts.append((sig[0], sig[1], np.zeros(k * n_grid, dtype=bool), senv))
        # brackets where either condition, or the sign of one of their comparisons, changes
        grid_sig = sig.reshape(len(sig), k, n_grid)
        change = ((grid_sig[:, :, 1:] != grid_sig[:, :, :-1]) & (grid_sig[:, :, 1:] != _OUTSIDE)
                  & (grid_sig[:, :, :-1] != _OUTSIDE))
        bf, bi, bj = np.nonzero(change)
        if bf.size == 0:
            continue
        cap = max_brackets // len(axes)
        if bf.size > cap:
            pick = np.sort(rng.choice(bf.size, size=cap, replace=False))
            bf, bi, bj = bf[pick], bi[pick], bj[pick]
        brackets += bf.size
        tl, th = tgrid[bi, bj], tgrid[bi, bj + 1]
        start = grid_sig[bf, bi, bj]
        benv = {s: v[rows][bi] for s, v in env.items()}
        m = bf.size
        for _ in range(52):  # bisection to about machine precision in t
            tm = 0.5 * (tl + th)
            benv[ax.symbol] = ax.value(tm)
            same = signals(benv, m)[bf, np.arange(m)] == start
            tl, th = np.where(same, tm, tl), np.where(same, th, tm)
        edge = ax.value(0.5 * (tl + th))
        for delta in OFFSETS:
            for side in (-1, 1):
                w, ok = ax.beside(edge, delta, side)
                if not ok.any():
                    continue
                nenv = {s: v[ok] for s, v in benv.items()}
                nenv[ax.symbol] = w[ok]
                n = int(ok.sum())
                a2, r2 = evaluate(nenv, n)
                parts.append((a2, r2, np.ones(n, dtype=bool), nenv))

    a = np.concatenate([p[0] for p in parts])
    r = np.concatenate([p[1] for p in parts])
    near = np.concatenate([p[2] for p in parts])
    points = {s: np.concatenate([p[3][s] for p in parts]) for s in syms}
    keep = (r != _OUTSIDE) & (a != _OUTSIDE)
    return Sampled(a[keep], r[keep], near[keep], {s: v[keep] for s, v in points.items()},
                   {ax.symbol: ax.kind for ax in axes}, brackets)


def where_they_differ(sampled: Sampled, differ: np.ndarray) -> str:
    """A phrase locating the points ``differ`` (e.g. ``" (for example where Delta is large)"``), or ``""``."""
    if differ.sum() < 20:  # too few points to say where
        return ""
    for s, v in sampled.points.items():
        if sampled.kinds.get(s) == "lin":
            continue
        mag = np.abs(v[differ])
        if mag.min() > 1.0 and mag.max() >= 1e4:
            return f" (for example where {s} is large)"
        if mag.max() < 1.0 and mag.min() <= 1e-4:
            return f" (for example where {s} is close to 0)"
    return ""


def agree_widely(answer: sp.Basic, reference: sp.Basic, domain: Domain, *, seed: int = 0,
                 count: int = 4000) -> bool:
    """Whether two expressions agree (to 1e-9, relatively) at ``count`` points across twelve decades.

    For expressions with kinks or jumps (``Min``, ``Abs``, ``Piecewise``...): ``Min(x, 1e5)``
    agrees with ``x`` on every box of moderate values. Points where the reference is undefined
    are skipped. Raises :class:`~linstab.check._vector.Unsupported` when an expression cannot be
    evaluated on arrays.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> agree_widely(sp.Min(x, 10**5), x, Domain([x])), agree_widely(sp.Max(x, 0), x, Domain([x]))
    (False, True)
    """
    rng = np.random.default_rng(seed)
    free = answer.free_symbols | reference.free_symbols
    if domain.where is not None:
        free |= domain.where.free_symbols
    axes = [_Axis(s, domain) for s in sorted(free, key=lambda s: s.name)]
    wide = (2 * count) // 3
    env = {ax.symbol: np.concatenate([ax.draw(rng, wide, typical=False), ax.draw(rng, count - wide, typical=True)])
           for ax in axes}
    keep = np.ones(count, dtype=bool)
    if domain.where is not None:
        keep = truth(domain.where, env, count) == TRUE
    va, vr = values(answer, env, count), values(reference, env, count)
    defined = keep & ~np.isnan(vr)
    with np.errstate(all="ignore"):
        same = (va == vr) | (np.abs(va - vr) <= 1e-9 * np.maximum(1.0, np.maximum(np.abs(va), np.abs(vr))))
    return bool(same[defined].all())
