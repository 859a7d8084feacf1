"""Property tests: Routh–Hurwitz and classification against numeric eigenvalues."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from linstab.sym import CLASSIFICATIONS, classify, hurwitz_matrix, is_stable, routh_hurwitz

coef = st.integers(min_value=-6, max_value=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(coef, min_size=1, max_size=6))
def test_routh_hurwitz_verdict_matches_roots(tail):
    coeffs = [1, *tail]
    roots = np.roots(np.array(coeffs, dtype=float))
    margin = np.max(roots.real)
    assume(abs(margin) > 1e-6)  # on the boundary the float roots cannot decide
    assert routh_hurwitz(coeffs).is_stable() is bool(margin < 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=4, max_size=4))
def test_routh_hurwitz_verdict_matches_matrix_eigenvalues(entries):
    M = sp.Matrix(2, 2, entries)
    ev = np.linalg.eigvals(np.array(M.tolist(), dtype=float))
    assume(np.all(np.abs(ev.real) > 1e-9))
    rh = routh_hurwitz(M.charpoly().all_coeffs())
    assert rh.is_stable() is bool(np.all(ev.real < 0))


def test_hurwitz_matrix_layout():
    a = sp.symbols("a0:5")
    H = hurwitz_matrix(a)
    assert H == sp.Matrix([[a[1], a[3], 0, 0], [a[0], a[2], a[4], 0], [0, a[1], a[3], 0], [0, a[0], a[2], a[4]]])


def test_routh_hurwitz_cubic_textbook_condition():
    # λ³ + a1 λ² + a2 λ + a3: stable iff a1 > 0, a1 a2 > a3, a3 > 0 (Gantmacher; Strogatz ex. 5.2)
    a1, a2, a3 = sp.symbols("a1:4", positive=True)
    rh = routh_hurwitz([1, a1, a2, a3])
    assert rh.minors[1] == a1 * a2 - a3
    assert sp.simplify(rh.minors[2] - a3 * (a1 * a2 - a3)) == 0


def test_routh_hurwitz_errors():
    with pytest.raises(ValueError, match="leading coefficient"):
        routh_hurwitz([0, 1, 2])
    with pytest.raises(ValueError, match="at least 2"):
        routh_hurwitz([1])
    with pytest.raises(TypeError, match="sequence of coefficients"):
        routh_hurwitz("x**2 + 1")


def _reference_class(ev: np.ndarray, tol: float) -> str:
    """An independent statement of the issue's definitions."""
    re, im = ev.real, ev.imag
    if len(ev) == 2 and np.all(np.abs(re) <= tol) and np.all(np.abs(im) > tol):
        return "center"
    if np.any(np.abs(re) <= tol):
        return "non-hyperbolic"
    cplx = np.any(np.abs(im) > tol)
    if len(ev) == 1:  # a point on a line: no node, spiral or saddle (Strogatz 2015, sec. 2.2)
        return "stable" if re[0] < 0 else "unstable"
    if np.all(re < 0):
        return "stable spiral" if cplx else "stable node"
    if np.all(re > 0):
        return "unstable spiral" if cplx else "unstable node"
    return "saddle-focus" if cplx else "saddle"


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5), st.data())
def test_classification_of_random_matrices(n, data):
    entries = data.draw(st.lists(st.integers(-5, 5), min_size=n * n, max_size=n * n))
    ev = np.linalg.eigvals(np.array(entries, dtype=float).reshape(n, n))
    kind = classify(ev)
    assert kind in CLASSIFICATIONS
    assert kind == _reference_class(ev, 1e-9)
    assert is_stable(ev) is bool(np.all(ev.real < -1e-9))
    assert is_stable(ev) is (kind in ("stable", "stable node", "stable spiral"))


@pytest.mark.parametrize(("ev", "kind"), [
    ([-1, -2], "stable node"), ([1, 2], "unstable node"), ([-1, 2], "saddle"),
    ([-0.5], "stable"), ([0.5], "unstable"), ([0.0], "non-hyperbolic"),
    ([-1 + 1j, -1 - 1j], "stable spiral"), ([1 + 1j, 1 - 1j], "unstable spiral"),
    ([1 + 1j, 1 - 1j, -3], "saddle-focus"), ([1j, -1j], "center"),
    ([1j, -1j, -1], "non-hyperbolic"), ([0, -1], "non-hyperbolic"), ([0, 0], "non-hyperbolic"),
])
def test_classification_examples(ev, kind):
    assert classify(ev) == kind


def test_classify_rejects_symbols():
    with pytest.raises(TypeError, match="must be a number"):
        classify([sp.Symbol("a")])
    with pytest.raises(ValueError, match="at least one"):
        classify([])
