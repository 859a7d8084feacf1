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

import mpmath
import sympy as sp

from linstab._errors import AnalysisError, DimensionError, ParseError
from linstab._parse import as_expr, as_matrix

__all__ = ["CharPoly", "charpoly", "eigenvalues", "tidy"]

LAMBDA = sp.Symbol("lambda")


def _as_square(matrix: Any, where: str) -> sp.Matrix:
    try:
        M = as_matrix(matrix, where=where)
    except ParseError:
        raise
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
    expr = as_expr(expr, where="tidy")
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


def _charpoly_coeffs(M: sp.Matrix, lam: sp.Symbol) -> list[sp.Expr]:
    try:
        return M.charpoly(lam).all_coeffs()
    except TypeError:
        # SymPy 1.14 fails to sort the factors of some matrices with complex algebraic entries
        det = (lam * sp.eye(M.rows) - M).det(method="berkowitz")
        return sp.Poly(sp.expand(det), lam).all_coeffs()


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
    coeffs = tuple(sp.factor_terms(sp.expand(c)) for c in _charpoly_coeffs(M, lam))
    full = sp.Add(*(c * lam ** (n - k) for k, c in enumerate(coeffs)))
    compact = full
    diag = M[0, 0]
    if n > 1 and diag != 0 and all(_is_zero(M[i, i] - diag) for i in range(n)):
        mu = sp.Dummy("mu")
        shifted = _charpoly_coeffs(M - diag * sp.eye(n), mu)
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
    # mpmath (SymPy's arithmetic) with 15 guard digits: real eigenvalues come out with imaginary
    # parts far below the double-precision input's round-off, set to zero
    with mpmath.workdps(30):
        A = mpmath.matrix([[mpmath.mpc(complex(e)) for e in B.row(i)] for i in range(B.rows)])
        ev = mpmath.eig(A, left=False, right=False)
        vals = [complex(v) if abs(v.imag) > mpmath.mpf("1e-20") * (1 + abs(v)) else complex(float(v.real))
                for v in ev]
    vals.sort(key=lambda v: (-v.real, -v.imag))
    return [sp.Float(v.real) + sp.I * sp.Float(v.imag) if abs(v.imag) > 0 else sp.Float(v.real) for v in vals]


def _automorphism(B: sp.Matrix, limit: int = 20000) -> tuple[int, ...] | None:
    """A permutation ``σ`` with ``B[σi, σj] = B[i, j]`` whose cycles all have one length k ≥ 2.

    Backtracking over partial assignments, checking every assigned pair, so that the search
    stays small; the permutation with the longest cycles is returned.
    """
    n = B.rows
    if n < 4 or n > 12:
        return None
    keys = [sp.srepr(B[i, j]) for i in range(n) for j in range(n)]

    def key(i: int, j: int) -> str:
        return keys[i * n + j]

    best: list[tuple[int, ...]] = []
    steps = 0
    perm: list[int] = []
    used = [False] * n

    def cycles_ok(p: tuple[int, ...]) -> int:
        seen, length = set(), None
        for i in range(n):
            if i in seen:
                continue
            c, j = 0, i
            while j not in seen:
                seen.add(j)
                j = p[j]
                c += 1
            if length is None:
                length = c
            elif c != length:
                return 0
        return length if length and length >= 2 else 0

    def extend() -> bool:
        nonlocal steps
        steps += 1
        if steps > limit:
            return True
        i = len(perm)
        if i == n:
            k = cycles_ok(tuple(perm))
            if k and (not best or k > cycles_ok(best[0])):
                best[:] = [tuple(perm)]
            return False
        for t in range(n):
            if used[t] or key(t, t) != key(i, i):
                continue
            if all(key(t, perm[j]) == key(i, j) and key(perm[j], t) == key(j, i) for j in range(i)):
                perm.append(t)
                used[t] = True
                stop = extend()
                perm.pop()
                used[t] = False
                if stop:
                    return True
        return False

    extend()
    return best[0] if best else None


def _block_circulant_eigenvalues(B: sp.Matrix, perm: tuple[int, ...], lam: sp.Symbol) -> list[sp.Expr] | None:
    """Eigenvalues of a matrix invariant under a free cyclic relabelling (a block circulant).

    With the indices grouped in the cycles ``(i, σi, σ²i, …)`` of length k, the matrix is block
    circulant with blocks ``C_j[o, o'] = B[i_o, σ^j i_o']``; its eigenvalues are those of
    ``Σ_j C_j ω^{jm}``, ``ω = e^{2πi/k}``, for ``m = 0, …, k − 1``.
    """
    n = B.rows
    if any(not _is_zero(B[perm[i], perm[j]] - B[i, j]) for i in range(n) for j in range(n)):
        return None
    cycles, seen = [], set()
    for i in range(n):
        if i in seen:
            continue
        c, j = [], i
        while j not in seen:
            seen.add(j)
            c.append(j)
            j = perm[j]
        cycles.append(c)
    k, r = len(cycles[0]), len(cycles)
    if k < 2 or any(len(c) != k for c in cycles) or r > 4:
        return None
    C = [sp.Matrix(r, r, lambda o, o2, j=j: B[cycles[o][0], cycles[o2][j]]) for j in range(k)]
    out: list[sp.Expr] = []
    for m in range(k):
        Bm = sp.zeros(r, r)
        for j in range(k):
            angle = 2 * sp.pi * sp.Rational(j * m % k, k)
            Bm += C[j] * (sp.cos(angle) + sp.I * sp.sin(angle))
        Bm = Bm.applyfunc(lambda e: sp.expand(e))
        if r == 1:
            out.append(tidy(Bm[0, 0]))
            continue
        roots = sp.roots(sp.Poly(charpoly(Bm, lam).expr, lam), lam)
        if sum(roots.values()) != r:
            return None
        out.extend(r_ for r_, mult in roots.items() for _ in range(mult))
    return out


def _block_eigenvalues(B: sp.Matrix, lam: sp.Symbol, symmetry: tuple[int, ...] | None = None) -> list[sp.Expr]:
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
    perm = symmetry if symmetry is not None else _automorphism(B)
    if perm is not None:
        found = _block_circulant_eigenvalues(B, perm, lam)
        if found is not None:
            return found
    return _numeric_eigenvalues(B, "eigenvalues")


def eigenvalues(matrix: Any, *, symmetry: Sequence[int] | None = None) -> list[sp.Expr]:
    """Eigenvalues in closed form where one exists, numeric otherwise.

    Structure is used first: block-triangular form, then circulant blocks (in any cyclic order
    of their indices), then the formulae in radicals for blocks of size ≤ 4, then block-circulant
    structure (a relabelling ``σ`` of the indices, all of whose cycles have one length, that
    leaves the matrix unchanged — the Jacobian of a symmetric circuit at a symmetric fixed point).
    A larger block without structure gets numeric eigenvalues (SymPy Floats) if its entries are
    numbers; with symbolic entries that is an :class:`~linstab.AnalysisError`.

    Parameters
    ----------
    matrix
        A square matrix (SymPy, nested list or array).
    symmetry
        Optional relabelling ``σ`` (``symmetry[i] = σ(i)``) known to leave the matrix unchanged,
        e.g. a model's permutation symmetry; otherwise one is searched for.

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
    comps = _scc(M)
    if symmetry is not None:
        symmetry = tuple(int(i) for i in symmetry)
        if sorted(symmetry) != list(range(M.rows)):
            raise ValueError(f"eigenvalues: `symmetry` must be a permutation of range({M.rows}), got {symmetry}")
    out: list[sp.Expr] = []
    for comp in comps:
        sym = symmetry if symmetry is not None and len(comps) == 1 else None
        out.extend(_block_eigenvalues(M.extract(comp, comp), LAMBDA, sym))
    return out
