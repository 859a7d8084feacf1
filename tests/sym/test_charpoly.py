"""Characteristic polynomials and closed-form eigenvalues against numeric ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linstab import AnalysisError, DimensionError
from linstab.sym import charpoly, eigenvalues


def _close(a, b, tol=1e-7):
    """Equal as multisets: match each value to its nearest unused partner."""
    a = [complex(v) for v in a]
    b = [complex(v) for v in b]
    if len(a) != len(b):
        return False
    for v in a:
        j = min(range(len(b)), key=lambda k: abs(b[k] - v))
        if abs(b[j] - v) > tol * (1 + abs(v)):
            return False
        b.pop(j)
    return True


def _precise_eigvals(M: sp.Matrix) -> list[complex]:
    """Eigenvalues of an integer matrix to 30 digits or more, by a route that cannot fail.

    numpy's eigenvalues are only ~eps**(1/k) accurate at a k-fold defective eigenvalue, which
    integer matrices often have, so they cannot check to 1e-6. First choice: mpmath's QR iteration
    at 50 digits (fast, and independent of linstab's symbolic route). It does not converge on some
    matrices, e.g. [[4,2,2,2],[2,4,2,2],[2,2,4,2],[2,2,2,4]]; there the reference falls back to
    the exact route: the eigenvalues are the roots, with multiplicity, of det(lam*I - M) (Strang,
    *Linear Algebra and Its Applications*, ch. 5), the determinant computed by fraction-free
    Bareiss elimination (not the Berkowitz recursion of ``linstab.sym.charpoly``) and its roots
    isolated exactly as ``CRootOf`` objects before evaluation (slow, seconds, but certain).
    """
    import mpmath

    if M.shape == (1, 1):  # mpmath.eig returns (E, ER, EL) for a 1 x 1 matrix whatever is asked
        return [complex(M[0, 0])]
    try:
        with mpmath.workdps(50):
            ev = mpmath.eig(mpmath.matrix([[int(v) for v in row] for row in M.tolist()]),
                            left=False, right=False)
        return [complex(e) for e in ev]
    except RuntimeError:  # "qr: failed to converge after ... steps"
        return _exact_eigvals(M)


def _exact_eigvals(M: sp.Matrix) -> list[complex]:
    lam = sp.Dummy("lam")
    det = (lam * sp.eye(M.rows) - M).det(method="bareiss")
    roots = sp.Poly(det, lam).all_roots()
    assert len(roots) == M.rows
    return [complex(sp.N(r, 30)) for r in roots]


def test_reference_on_matrix_where_mpmath_qr_fails():
    # mpmath.eig raised "qr: failed to converge" here; eigenvalues are 10 and 2 (three times),
    # since the matrix is 2*I + 2*ones (ones has eigenvalues 4, 0, 0, 0).
    M = sp.Matrix(4, 4, lambda i, j: 4 if i == j else 2)
    assert _close(_exact_eigvals(M), [10, 2, 2, 2], 1e-12)
    assert _close(_precise_eigvals(M), [10, 2, 2, 2], 1e-12)
    assert _close([sp.N(e, 30) for e in eigenvalues(M)], _precise_eigvals(M), 1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.data())
def test_closed_form_eigenvalues_of_integer_matrices(n, data):
    entries = data.draw(st.lists(st.integers(-3, 3), min_size=n * n, max_size=n * n))
    M = sp.Matrix(n, n, entries)
    ev = eigenvalues(M)
    assert _close([sp.N(e, 30) for e in ev], _precise_eigvals(M), 1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.lists(st.integers(-4, 4), min_size=6, max_size=6))
@example(4, [4, 2, 2, 2, 0, 0])  # mpmath's QR did not converge on this one (issue 12)
def test_circulant_in_shuffled_order(k, c):
    C = sp.Matrix(k, k, lambda i, j: c[(j - i) % k])
    perm = list(range(k))[::-1]  # any relabelling of a circulant is found
    P = sp.Matrix(k, k, lambda i, j: 1 if perm[i] == j else 0)
    M = P * C * P.T
    ev = eigenvalues(M)
    assert _close([sp.N(e, 30) for e in ev], _precise_eigvals(M), 1e-6)


def test_block_triangular_uses_blocks():
    a, b, c = sp.symbols("a b c")
    M = sp.Matrix([[a, 1, 0, 0, 0], [0, b, 0, 0, 0], [5, 1, c, 0, 0], [1, 1, 1, -1, 2], [0, 0, 0, -2, -1]])
    ev = eigenvalues(M)
    assert {a, b, c} <= set(ev)
    assert {-1 + 2 * sp.I, -1 - 2 * sp.I} <= {sp.expand(e) for e in ev}


def test_numeric_fallback_and_symbolic_refusal():
    rng = np.random.default_rng(1)
    M = rng.normal(size=(6, 6))
    assert _close(eigenvalues(sp.Matrix(M)), np.linalg.eigvals(M))
    big = sp.Matrix(6, 6, lambda i, j: sp.Symbol(f"m{i}{j}") if i == j or (i + 2 * j) % 5 == 0 else i - j)
    with pytest.raises(AnalysisError, match="no closed form"):
        eigenvalues(big)


def test_charpoly_coefficients_and_errors():
    lam = sp.Symbol("s")
    p = charpoly([[1, 2], [3, 4]], lam)
    assert p.coeffs == (1, -5, -2) and p.lam == lam and p.degree == 2
    assert sp.expand(p.expr - (lam**2 - 5 * lam - 2)) == 0
    with pytest.raises(DimensionError, match="square"):
        charpoly([[1, 2, 3], [4, 5, 6]])


def test_block_circulant_mrna_repressilator():
    a, b = sp.symbols("a b", positive=True)
    A = sp.Matrix([[-1, 0, 0, 0, 0, -a], [0, -1, 0, -a, 0, 0], [0, 0, -1, 0, -a, 0],
                   [b, 0, 0, -b, 0, 0], [0, b, 0, 0, -b, 0], [0, 0, b, 0, 0, -b]])
    ev = eigenvalues(A)
    assert all(sp.count_ops(e) < 40 for e in ev)
    for av, bv in ((1.85626, 0.2), (3.0, 1.5), (0.1, 7.0)):
        num = np.array(A.subs({a: av, b: bv}).tolist(), float)
        assert _close([sp.N(e.subs({a: av, b: bv})) for e in ev], np.linalg.eigvals(num))


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=12, max_size=12), st.permutations(range(6)))
def test_block_circulant_found_in_any_order(c, shuffle):
    # k = 3 cycles of r = 2 orbits: blocks C_j (2x2), B[(o,t),(o',t')] = C_{t'-t}[o, o']
    C = [sp.Matrix(2, 2, c[4 * j:4 * j + 4]) for j in range(3)]
    B = sp.zeros(6, 6)
    for o, t, o2, t2 in itertools.product(range(2), range(3), range(2), range(3)):
        B[3 * o + t, 3 * o2 + t2] = C[(t2 - t) % 3][o, o2]
    P = sp.Matrix(6, 6, lambda i, j: 1 if shuffle[i] == j else 0)
    M = P * B * P.T
    ev = eigenvalues(M)
    assert _close([sp.N(e, 30) for e in ev], _precise_eigvals(M), 1e-6)
