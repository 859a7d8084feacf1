"""Characteristic polynomials and closed-form eigenvalues.

:func:`eigenvalues` looks for structure before it reaches for the general formulae:

1. a block-triangular form (strongly connected components of the matrix's nonzero pattern):
   the eigenvalues are those of the diagonal blocks;
2. a circulant block, in some cyclic order of its indices (the repressilator): the eigenvalues
   are ``Σ_j c_j ω^{jm}`` with ``ω = e^{2πi/k}``;
3. a block of size at most 4: the roots of its characteristic polynomial in radicals;
4. otherwise numeric eigenvalues, where the entries are numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, DimensionError

__all__ = ["CharPoly", "charpoly", "eigenvalues", "tidy"]

LAMBDA = sp.Symbol("lambda")


def _as_square(matrix: Any, where: str) -> sp.Matrix:
    try:
        M = sp.Matrix(matrix)
    except (TypeError, ValueError, sp.SympifyError) as exc:
        raise TypeError(f"{where}: expected a square matrix (sympy Matrix, nested list or array), "
                        f"got {type(matrix).__name__} ({exc})") from None
    if M.rows != M.cols or M.rows == 0:
        raise DimensionError(f"{where}: expected a non-empty square matrix, got shape {M.shape}")
    return M


def _is_zero(expr: sp.Expr) -> bool:
    if expr == 0:
        return True
    if expr.is_number:
        return bool(abs(complex(expr)) == 0)
    return sp.expand(expr) == 0


def tidy(expr: sp.Expr) -> sp.Expr:
    """Collect an expression in its symbols and factor each coefficient (a display form).

    Parameters
    ----------
    expr
        An expression, typically an eigenvalue.

    Returns
    -------
    sympy.Expr
        An expression equal to ``expr``.

    Examples
    --------
    >>> a = sp.Symbol("a")
    >>> tidy(-1 + a/2 + sp.sqrt(3)*sp.I*a/2)
    a*(1 + sqrt(3)*I)/2 - 1
    """
    expr = sp.sympify(expr)
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    if not syms:
        return sp.nsimplify(expr) if expr.is_Float else sp.radsimp(sp.expand(expr))
    expanded = sp.expand(expr)
    if not expanded.is_Add:
        return expr
    terms = sp.collect(expanded, syms, evaluate=False)
    out = sp.Integer(0)
    for key, coeff in terms.items():
        out += (sp.factor_terms(sp.radsimp(coeff)) if coeff.is_number else sp.factor(coeff)) * key
    return out


@dataclass(frozen=True, kw_only=True)
class CharPoly:
    """The characteristic polynomial ``det(λI − A)`` (monic).

    Attributes
    ----------
    lam
        The variable ``λ``.
    coeffs
        Coefficients as SymPy expressions, highest degree first; ``coeffs[0] == 1``.
    compact
        An equal expression that is shorter where the matrix has a constant diagonal: the
        polynomial written in ``λ − d`` (the repressilator's ``(λ + 1)³ + a³``).
    """

    lam: sp.Symbol
    coeffs: tuple[sp.Expr, ...]
    compact: sp.Expr

    @property
    def degree(self) -> int:
        """Degree of the polynomial."""
        return len(self.coeffs) - 1

    @property
    def expr(self) -> sp.Expr:
        """The expanded polynomial ``λⁿ + c1 λⁿ⁻¹ + … + cn``."""
        n = self.degree
        return sp.Add(*(c * self.lam ** (n - k) for k, c in enumerate(self.coeffs)))

    @property
    def poly(self) -> sp.Poly:
        """As a SymPy ``Poly`` in :attr:`lam`."""
        return sp.Poly(self.expr, self.lam)

    def equation(self) -> sp.Eq:
        """The characteristic equation ``compact = 0`` (unevaluated)."""
        return sp.Eq(self.compact, 0, evaluate=False)

    def __str__(self) -> str:
        return str(self.compact)


def charpoly(matrix: Any, lam: sp.Symbol | None = None) -> CharPoly:
    """Characteristic polynomial ``det(λI − A)`` with its coefficients as SymPy expressions.

    Parameters
    ----------
    matrix
        A square matrix (SymPy, nested list or array).
    lam
        The polynomial's variable (default: a symbol named ``lambda``).

    Returns
    -------
    CharPoly

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 5.2.
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b.

    Examples
    --------
    >>> a = sp.Symbol("a", positive=True)
    >>> A = -sp.Matrix([[1, 0, a], [a, 1, 0], [0, a, 1]])
    >>> p = charpoly(A)
    >>> p.coeffs
    (1, 3, 3, a**3 + 1)
    >>> p.compact
    a**3 + (lambda + 1)**3
    """
    M = _as_square(matrix, "charpoly")
    lam = LAMBDA if lam is None else lam
    n = M.rows
    coeffs = tuple(sp.factor_terms(sp.expand(c)) for c in M.charpoly(lam).all_coeffs())
    full = sp.Add(*(c * lam ** (n - k) for k, c in enumerate(coeffs)))
    compact = full
    diag = M[0, 0]
    if n > 1 and diag != 0 and all(_is_zero(M[i, i] - diag) for i in range(n)):
        mu = sp.Dummy("mu")
        shifted = (M - diag * sp.eye(n)).charpoly(mu).all_coeffs()
        q = sp.Add(*(sp.factor_terms(sp.expand(c)) * mu ** (n - k) for k, c in enumerate(shifted)))
        candidate = q.subs(mu, lam - diag)
        if sp.count_ops(candidate) < sp.count_ops(full):
            compact = candidate
    if compact is full:
        factored = sp.factor(full, lam) if full.free_symbols - {lam} else sp.factor(full)
        if sp.count_ops(factored) < sp.count_ops(full):
            compact = factored
    return CharPoly(lam=lam, coeffs=coeffs, compact=compact)


# --------------------------------------------------------------------- eigenvalues
def _scc(M: sp.Matrix) -> list[list[int]]:
    n = M.rows
    adj = [[j for j in range(n) if j != i and not _is_zero(M[i, j])] for i in range(n)]
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = itertools.count()

    def visit(v: int) -> None:  # Tarjan; matrices here are small
        index[v] = low[v] = next(counter)
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    for v in range(n):
        if v not in index:
            visit(v)
    return comps


def _circulant_order(B: sp.Matrix) -> list[int] | None:
    """An index order in which ``B`` is circulant (``B[i, j] = c[(j - i) mod k]``), if any."""
    k = B.rows
    if k < 3 or k > 6:
        return None
    for rest in itertools.permutations(range(1, k)):
        order = [0, *rest]
        c = [B[order[0], order[j]] for j in range(k)]
        if all(_is_zero(B[order[i], order[j]] - c[(j - i) % k]) for i in range(1, k) for j in range(k)):
            return order
    return None


def _circulant_eigenvalues(B: sp.Matrix, order: list[int]) -> list[sp.Expr]:
    k = B.rows
    c = [B[order[0], order[j]] for j in range(k)]
    out = []
    for m in range(k):
        total = sp.Integer(0)
        for j in range(k):
            angle = 2 * sp.pi * sp.Rational(j * m % k, k)
            total += c[j] * (sp.cos(angle) + sp.I * sp.sin(angle))
        out.append(tidy(total))
    return out


def _numeric_eigenvalues(B: sp.Matrix, where: str) -> list[sp.Expr]:
    if B.free_symbols:
        raise AnalysisError(
            f"{where}: no closed form for the eigenvalues of a {B.rows}x{B.rows} block with symbolic "
            f"entries ({', '.join(sorted(s.name for s in B.free_symbols))}); substitute numeric values "
            "for a numeric answer"
        )
    arr = np.array(B.evalf(), dtype=complex)
    vals = np.linalg.eigvals(arr)
    return [sp.Float(v.real) + sp.I * sp.Float(v.imag) if abs(v.imag) > 0 else sp.Float(v.real) for v in vals]


def _block_eigenvalues(B: sp.Matrix, lam: sp.Symbol) -> list[sp.Expr]:
    k = B.rows
    if k == 1:
        return [B[0, 0]]
    inexact = any(e.has(sp.Float) for e in B)
    if inexact and not B.free_symbols:
        return _numeric_eigenvalues(B, "eigenvalues")
    order = _circulant_order(B)
    if order is not None:
        return _circulant_eigenvalues(B, order)
    if k <= 4:
        poly = sp.Poly(charpoly(B, lam).expr, lam)
        roots = sp.roots(poly, lam)
        if sum(roots.values()) == k:
            return [r for r, mult in roots.items() for _ in range(mult)]
    return _numeric_eigenvalues(B, "eigenvalues")


def eigenvalues(matrix: Any) -> list[sp.Expr]:
    """Eigenvalues in closed form where one exists, numeric otherwise.

    Structure is used first: block-triangular form, then circulant blocks (in any cyclic order
    of their indices), then the formulae in radicals for blocks of size ≤ 4. A larger block
    without structure gets numeric eigenvalues (SymPy Floats) if its entries are numbers; with
    symbolic entries that is an :class:`~linstab.AnalysisError`.

    Parameters
    ----------
    matrix
        A square matrix (SymPy, nested list or array).

    Returns
    -------
    list of sympy.Expr
        With multiplicity; for a matrix with Float entries, numeric values.

    References
    ----------
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b.
    Davis, P. J., *Circulant Matrices*, Wiley, 1979, ch. 3.

    Examples
    --------
    The repressilator's linearization (appendix 9b):

    >>> a = sp.Symbol("a", positive=True)
    >>> eigenvalues(-sp.Matrix([[1, 0, a], [a, 1, 0], [0, a, 1]]))
    [-a - 1, a*(1 + sqrt(3)*I)/2 - 1, a*(1 - sqrt(3)*I)/2 - 1]
    >>> eigenvalues([[0, 1], [-4, 0]])
    [-2*I, 2*I]
    """
    M = _as_square(matrix, "eigenvalues")
    out: list[sp.Expr] = []
    for comp in _scc(M):
        out.extend(_block_eigenvalues(M.extract(comp, comp), LAMBDA))
    return out
