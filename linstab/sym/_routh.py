"""The Routh–Hurwitz criterion for polynomials of any degree.

For ``p(λ) = a0 λⁿ + a1 λⁿ⁻¹ + … + an`` with ``a0 > 0`` every root has a negative real part iff
every leading principal minor ``Δ1, …, Δn`` of the Hurwitz matrix is positive (Gantmacher 1959,
vol. II, ch. XV). SymPy 1.14 ships no Hurwitz matrix; this module builds it for symbolic or
numeric coefficients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from linstab._errors import DimensionError
from linstab._parse import as_expr

__all__ = ["RouthHurwitz", "hurwitz_layout", "hurwitz_matrix", "routh_hurwitz"]


def _coeff_list(coeffs: Any, where: str) -> list[sp.Expr]:
    from linstab.sym._charpoly import CharPoly

    if isinstance(coeffs, CharPoly):
        return list(coeffs.coeffs)
    if isinstance(coeffs, sp.Poly):
        return list(coeffs.all_coeffs())
    if isinstance(coeffs, sp.Expr):
        free = coeffs.free_symbols
        lam = [s for s in free if s.name in ("lambda", "lam", "λ", "s", "z")]
        if len(lam) != 1:
            raise TypeError(
                f"{where}: got the expression {coeffs}, but could not tell its variable; pass a "
                "CharPoly, a sympy Poly or the coefficient list (highest degree first)"
            )
        return list(sp.Poly(coeffs, lam[0]).all_coeffs())
    if isinstance(coeffs, (str, bytes)) or not isinstance(coeffs, Sequence):
        raise TypeError(
            f"{where}: expected a CharPoly, a sympy Poly or a sequence of coefficients (highest "
            f"degree first), got {type(coeffs).__name__}"
        )
    out = [as_expr(c, where=f"{where}: coefficient {i}") for i, c in enumerate(coeffs)]
    if len(out) < 2:
        raise DimensionError(f"{where}: expected at least 2 coefficients (degree >= 1), got {len(out)}")
    if out[0] == 0:
        raise ValueError(f"{where}: the leading coefficient is zero; drop it so that the degree is right")
    return out


def hurwitz_layout(n: int) -> list[list[int]]:
    """Where the coefficients sit in the ``n × n`` Hurwitz matrix: entry ``(i, j)`` (0-based) holds
    ``a_k`` with ``k = 2j − i + 1``, or 0 (marked ``-1``) where ``k`` is outside ``0..n``.

    The one definition of the matrix: :func:`hurwitz_matrix` fills it with symbols, the numeric test
    function of :class:`~linstab.sym.BifurcationKind` with arrays.

    Parameters
    ----------
    n
        The degree of the polynomial.

    Examples
    --------
    >>> hurwitz_layout(3)
    [[1, 3, -1], [0, 2, -1], [-1, 1, 3]]
    """
    return [[k if 0 <= (k := 2 * (j + 1) - (i + 1)) <= n else -1 for j in range(n)] for i in range(n)]


def hurwitz_matrix(coeffs: Any) -> sp.Matrix:
    """The ``n × n`` Hurwitz matrix of ``a0 λⁿ + a1 λⁿ⁻¹ + … + an``.

    Entry ``(i, j)`` (1-based) is ``a_{2j-i}``, with ``a_k = 0`` outside ``0 ≤ k ≤ n``.

    Parameters
    ----------
    coeffs
        Coefficients ``[a0, a1, …, an]``, highest degree first (or a :class:`CharPoly` or Poly).

    Returns
    -------
    sympy.Matrix

    References
    ----------
    Gantmacher, F. R., *The Theory of Matrices*, vol. II, Chelsea, 1959, ch. XV, sec. 6.

    Examples
    --------
    >>> a = sp.symbols("a0:4")
    >>> hurwitz_matrix(a)
    Matrix([
    [a1, a3,  0],
    [a0, a2,  0],
    [ 0, a1, a3]])
    """
    a = _coeff_list(coeffs, "hurwitz_matrix")
    layout = hurwitz_layout(len(a) - 1)
    return sp.Matrix([[a[k] if k >= 0 else sp.Integer(0) for k in row] for row in layout])


@dataclass(frozen=True, kw_only=True)
class RouthHurwitz:
    """The Routh–Hurwitz analysis of a polynomial.

    Attributes
    ----------
    coeffs
        ``(a0, …, an)``, highest degree first.
    matrix
        The Hurwitz matrix.
    minors
        Leading principal minors ``(Δ1, …, Δn)``; ``Δn`` is kept as the product ``an Δ(n-1)``.
    conditions
        The stability conditions as SymPy relations (``a0 > 0`` where that is not already
        known, then ``Δk > 0``); the roots all lie in the open left half-plane iff all hold.
    """

    coeffs: tuple[sp.Expr, ...]
    matrix: sp.Matrix
    minors: tuple[sp.Expr, ...]
    conditions: tuple[sp.Basic, ...]

    @property
    def degree(self) -> int:
        """Degree of the polynomial."""
        return len(self.coeffs) - 1

    @property
    def condition(self) -> sp.Basic:
        """All conditions joined with ``And`` (``true``/``false`` when they are numbers)."""
        return sp.And(*self.conditions)

    def is_stable(self, values: Any = None) -> bool | None:
        """The verdict: ``True``/``False`` when it can be decided, else ``None``.

        Parameters
        ----------
        values
            Optional mapping of symbols (or their names) to numbers substituted first.

        Returns
        -------
        bool or None

        Examples
        --------
        >>> a = sp.Symbol("a", positive=True)
        >>> rh = routh_hurwitz([1, 3, 3, 1 + a**3])
        >>> rh.is_stable({a: 1.5}), rh.is_stable({"a": 2.5}), rh.is_stable()
        (True, False, None)
        """
        cond = self.condition
        if values:
            subs = {}
            names = {s.name: s for s in cond.free_symbols if isinstance(s, sp.Symbol)}
            for k, v in dict(values).items():
                key = names.get(k) if isinstance(k, str) else k
                if key is not None:
                    subs[key] = v
            cond = cond.subs(subs)
        if cond is sp.true:
            return True
        if cond is sp.false:
            return False
        return None

    def solve(self, symbol: sp.Symbol) -> sp.Basic:
        """The stability region as a condition on one ``symbol`` (SymPy's inequality solver).

        Parameters
        ----------
        symbol
            The only symbol left free in the conditions.

        Returns
        -------
        sympy.Basic
            A relation or a union of intervals' conditions.

        Examples
        --------
        >>> a = sp.Symbol("a", positive=True)
        >>> routh_hurwitz([1, 3, 3, 1 + a**3]).solve(a)
        a < 2
        """
        conds = [c for c in self.conditions if c is not sp.true]
        if any(c is sp.false for c in conds):
            return sp.false
        if not conds:
            return sp.true
        return sp.reduce_inequalities(conds, [symbol])


def routh_hurwitz(poly_or_coeffs: Any) -> RouthHurwitz:
    """Routh–Hurwitz stability conditions of a polynomial of any degree.

    Parameters
    ----------
    poly_or_coeffs
        A :class:`CharPoly`, a SymPy ``Poly`` or coefficients ``[a0, …, an]`` (highest degree
        first).

    Returns
    -------
    RouthHurwitz

    References
    ----------
    Gantmacher, F. R., *The Theory of Matrices*, vol. II, Chelsea, 1959, ch. XV.
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, exercise 5.2.
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b.

    Examples
    --------
    The repressilator's characteristic polynomial ``(1 + λ)³ + a³``:

    >>> a = sp.Symbol("a", positive=True)
    >>> rh = routh_hurwitz([1, 3, 3, 1 + a**3])
    >>> rh.minors
    (3, 8 - a**3, (8 - a**3)*(a**3 + 1))
    >>> rh.conditions
    (8 - a**3 > 0, (8 - a**3)*(a**3 + 1) > 0)
    """
    a = _coeff_list(poly_or_coeffs, "routh_hurwitz")
    H = hurwitz_matrix(a)
    n = H.shape[0]
    minors: list[sp.Expr] = []
    for k in range(1, n + 1):
        if k == n and n > 1:
            # the last column of H is (0, …, 0, an): Δn = an Δ(n-1)
            minors.append(sp.Mul(a[n], minors[-1]))
            continue
        minors.append(sp.cancel(sp.expand(H[:k, :k].det(method="berkowitz"))))
    conditions: list[sp.Basic] = []
    lead = sp.StrictGreaterThan(a[0], 0)
    if lead is not sp.true:
        conditions.append(lead)
    for d in minors:
        rel = sp.StrictGreaterThan(d, 0)
        if rel is not sp.true:
            conditions.append(rel)
    return RouthHurwitz(coeffs=tuple(a), matrix=H, minors=tuple(minors), conditions=tuple(conditions))
