"""Evaluating expressions at sample points (30-digit ``evalf``, no compiled kernels needed)."""

from __future__ import annotations

import cmath
from collections.abc import Sequence

import sympy as sp

from linstab._parse import as_expr

__all__ = ["evaluate", "values", "close", "all_close", "symbolic_zero", "exact_decimals", "has_decimals", "RTOL"]

#: Relative tolerance for two values to count as equal.
RTOL = 1e-9


def evaluate(expr: sp.Basic, point: dict[sp.Symbol, sp.Float]) -> complex | None:
    """The value of ``expr`` at ``point`` as a complex number, or ``None`` where undefined."""
    try:
        val = sp.N(as_expr(expr).xreplace(point), 30)
        z = complex(val)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (cmath.isfinite(z)):
        return None
    return z


def values(expr: sp.Basic, points: Sequence[dict[sp.Symbol, sp.Float]]) -> list[complex | None]:
    """:func:`evaluate` at each point."""
    return [evaluate(expr, p) for p in points]


def close(a: complex | None, b: complex | None, *, rtol: float = RTOL) -> bool:
    """Whether two values agree (``None`` only agrees with ``None``)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def all_close(
    av: Sequence[complex | None], rv: Sequence[complex | None], *, min_valid: int = 3
) -> bool | None:
    """Whether the answer values ``av`` agree with the reference values ``rv``.

    Points where the reference is undefined are skipped. Returns ``None`` when fewer than
    ``min_valid`` points remain (undecided).
    """
    used = 0
    for a, r in zip(av, rv):
        if r is None:
            continue
        if not close(a, r):
            return False
        used += 1
    return True if used >= min_valid else None


def symbolic_zero(diff: sp.Basic, *, max_ops: int = 400) -> bool:
    """Whether SymPy can show that ``diff`` is identically zero (cheap steps first)."""
    diff = as_expr(diff)
    if diff == 0:
        return True
    try:
        for step in (sp.cancel, sp.expand, lambda e: sp.powsimp(sp.expand_power_base(e, force=False))):
            if step(diff) == 0:
                return True
        if sp.count_ops(diff) <= max_ops:
            return sp.simplify(diff) == 0
    except (TypeError, ValueError, NotImplementedError, RecursionError, sp.PolynomialError):
        return False
    return False


def has_decimals(expr: object) -> bool:
    """Whether ``expr`` holds a decimal number (a SymPy ``Float``)."""
    return isinstance(expr, sp.Basic) and bool(expr.atoms(sp.Float))


def exact_decimals(expr: sp.Basic) -> sp.Basic:
    """``expr`` with each decimal replaced by the fraction it denotes (``1.99`` -> ``199/100``).

    Examples
    --------
    >>> a = sp.Symbol("a", positive=True)
    >>> exact_decimals(a < 1.99)
    a < 199/100
    """
    floats = expr.atoms(sp.Float) if isinstance(expr, sp.Basic) else set()
    if not floats:
        return expr
    return expr.xreplace({f: sp.Rational(str(f)) for f in floats})
