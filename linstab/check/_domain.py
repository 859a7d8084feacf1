"""Where an answer is checked: the symbols it may use, their domains, random sample points."""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Domain"]

# Greek letters a student may type by name or as a Unicode character.
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lamda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi",
    "psi", "omega",
]


def _unicode_greek(name: str) -> list[str]:
    """The Unicode spellings of a Greek letter name (``beta`` -> ``β``; ``Delta`` -> ``Δ``)."""
    base = "lamda" if name.lower() in ("lambda", "lamda", "lam") else name.lower()
    if base not in _GREEK:
        return []
    case = "CAPITAL" if name[:1].isupper() else "SMALL"
    try:
        return [unicodedata.lookup(f"GREEK {case} LETTER {base.upper()}")]
    except KeyError:  # pragma: no cover - every name above exists in Unicode
        return []


def _aliases(name: str) -> list[str]:
    """Other names a student may use for the symbol ``name``."""
    out = _unicode_greek(name)
    if name.lower() in ("lambda", "lamda", "lam", "λ"):
        out += ["lambda", "lamda", "lam", "lambda_", "λ"]
    return [a for a in out if a != name]


_STRATA = 4  # wide sampling: 1e-6..1e-3, 1e-3..1, 1..1e3, 1e3..1e6


@dataclass(frozen=True)
class Domain:
    """The symbols of an exercise, where each lives, and how to draw random points there.

    Parameters
    ----------
    symbols
        The SymPy symbols an answer may use. Their assumptions (``positive``, ``nonnegative``,
        ``real``) set the default sampling range of expressions: log-uniform on ``[0.2, 5]`` for
        positive and nonnegative symbols, uniform on ``[-3, 3]`` for real ones. (Two analytic
        expressions equal on such a box are equal everywhere; conditions are not analytic, and
        :mod:`linstab.check._region` compares them over twelve decades and beside every boundary.)
    ranges
        Sampling intervals ``{name: (low, high)}`` that override the defaults (open intervals;
        a positive ``low`` and ``high / low > 10`` give log-uniform sampling).
    where
        An extra condition the sample points must satisfy (e.g. ``n > 2``), for references that
        are only valid on part of the parameter space.

    Examples
    --------
    >>> beta, n = sp.symbols("beta n", positive=True)
    >>> dom = Domain([beta, n], ranges={"n": (1, 4)})
    >>> pts = dom.sample(5, seed=1)
    >>> len(pts), all(1 < p[n] < 4 and p[beta] > 0 for p in pts)
    (5, True)
    >>> sorted(dom.names())[:3]
    ['beta', 'n', 'β']
    """

    symbols: tuple[sp.Symbol, ...]
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    where: sp.Basic | None = None

    def __init__(
        self,
        symbols: Iterable[sp.Symbol],
        *,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        where: sp.Basic | None = None,
    ) -> None:
        syms = tuple(sorted(set(symbols), key=lambda s: s.name))
        bad = [s for s in syms if not isinstance(s, sp.Symbol)]
        if bad:
            msg = f"`symbols` must be SymPy Symbols, got {bad!r}; create them with sympy.symbols(...)."
            raise TypeError(msg)
        ranges = dict(ranges or {})
        names = {s.name for s in syms}
        unknown = sorted(set(ranges) - names)
        if unknown:
            msg = (
                f"`ranges` names {unknown} which are not among the symbols {sorted(names)}; "
                "give ranges only for the exercise's symbols."
            )
            raise ValueError(msg)
        for key, (lo, hi) in ranges.items():
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                msg = f"`ranges[{key!r}]` must be a finite interval (low, high) with low < high, got {(lo, hi)!r}."
                raise ValueError(msg)
        object.__setattr__(self, "symbols", syms)
        object.__setattr__(self, "ranges", ranges)
        object.__setattr__(self, "where", where)

    def with_symbols(self, extra: Iterable[sp.Symbol]) -> Domain:
        """A domain with ``extra`` symbols added (those already present are kept as they are)."""
        have = {s.name for s in self.symbols}
        new = [s for s in extra if s.name not in have]
        if not new:
            return self
        return Domain([*self.symbols, *new], ranges=self.ranges, where=self.where)

    def names(self) -> dict[str, sp.Symbol]:
        """Every name a student may type, mapped to its symbol (Greek letters also in Unicode)."""
        table: dict[str, sp.Symbol] = {}
        for s in self.symbols:
            for alias in _aliases(s.name):
                table.setdefault(alias, s)
        for s in self.symbols:
            table[s.name] = s
        return table

    def interval(self, s: sp.Symbol, *, wide: bool = False) -> tuple[float, float, bool]:
        """The sampling interval of ``s`` and whether it is sampled log-uniformly.

        ``wide`` asks for twelve decades (``1e-6`` to ``1e6``) instead of the usual scale where no
        range is given; a real symbol then gets its magnitude from there and a random sign.
        """
        if s.name in self.ranges:
            lo, hi = self.ranges[s.name]
            return float(lo), float(hi), lo > 0 and hi / lo > 10
        if wide:
            return 1e-6, 1e6, True
        if s.is_positive or s.is_nonnegative:
            return 0.2, 5.0, True
        return -3.0, 3.0, False

    def _draw(self, rng: random.Random, *, wide: bool = False,
              stratum: Mapping[sp.Symbol, int] | None = None) -> dict[sp.Symbol, sp.Float]:
        point = {}
        for s in self.symbols:
            lo, hi, log = self.interval(s, wide=wide)
            # stay a little inside the interval so that boundaries are never hit; with `stratum`,
            # inside that one of _STRATA equal parts, so that a few points still cover every decade
            r = rng.random() if stratum is None else (stratum[s] + rng.random()) / _STRATA
            u = 0.02 + 0.96 * r
            v = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if log else lo + u * (hi - lo)
            if wide and s.name not in self.ranges and not (s.is_positive or s.is_nonnegative) and rng.random() < 0.5:
                v = -v
            point[s] = sp.Float(v, 30)
        return point

    def sample(self, count: int, *, seed: int = 0, wide: bool = False) -> list[dict[sp.Symbol, sp.Float]]:
        """``count`` random points of the domain, reproducible for a given ``seed``.

        With ``wide``, symbols without a range are drawn across twelve decades (for expressions
        that are not analytic, such as ``Min(x, 100)``, which agree with ``x`` on any small box).

        Raises
        ------
        ValueError
            If the ``where`` condition is so rarely true that no points can be found.
        """
        rng = random.Random(seed)
        orders = {sym: rng.sample(range(_STRATA), _STRATA) for sym in self.symbols} if wide else {}
        out: list[dict[sp.Symbol, sp.Float]] = []
        tries = 0
        while len(out) < count:
            tries += 1
            if tries > 200 * count + 1000:
                msg = (
                    f"could not draw {count} points satisfying `where` = {self.where} "
                    f"(found {len(out)} in {tries} tries); widen `ranges` so that the condition holds more often."
                )
                raise ValueError(msg)
            stratum = None
            if wide:  # each symbol goes through the strata in its own random order
                stratum = {sym: order[(tries - 1) % _STRATA] for sym, order in orders.items()}
            point = self._draw(rng, wide=wide, stratum=stratum)
            if self.where is not None:
                ok = self.where.xreplace(point)
                if ok is not sp.true:
                    continue
            out.append(point)
        return out
