"""The per-cell Jacobian operators: Hill derivative, J against symbolic and finite differences,
trace / rotational part / elements against the dense J, numpy against torch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from linstab.sc._backend import get_backend
from linstab.sc._operators import HopfieldOperator, ModelOperator, hill_derivative


def _grn(n, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n, n))
    gamma = rng.uniform(0.1, 1.0, n)
    k = rng.uniform(0.5, 2.0, n)
    nexp = rng.uniform(1.0, 4.0, n)
    X = rng.uniform(0.0, 3.0, (7, n))
    return W, gamma, k, nexp, X


def _rhs(x, W, gamma, k, nexp, I=0.0):
    return W @ (x**nexp / (x**nexp + k**nexp)) - gamma * x + I


@given(x=st.floats(1e-6, 1e3), k=st.floats(1e-3, 1e2), n=st.floats(0.5, 12.0))
@settings(max_examples=200, deadline=None)
def test_hill_derivative_matches_sympy(x, k, n):
    X, K, N = sp.symbols("x k n", positive=True)
    exact = sp.diff(X**N / (X**N + K**N), X)
    ref = float(exact.evalf(30, subs={X: sp.Float(x, 30), K: sp.Float(k, 30), N: sp.Float(n, 30)}))
    got = float(hill_derivative(np.array(x), k, n))
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-300)


def test_hill_derivative_at_zero_and_no_overflow():
    x = np.array([0.0, 0.0, 0.0, 1e6, 1e-8])
    k = np.array([2.0, 2.0, 2.0, 1.0, 1.0])
    n = np.array([1.0, 3.0, 0.5, 50.0, 50.0])
    d = hill_derivative(x, k, n)
    assert d[0] == 0.5 and d[1] == 0.0 and np.isinf(d[2])
    assert np.isfinite(d[3:]).all() and d[3] >= 0 and d[4] >= 0


def test_jacobian_matches_finite_differences(sc_backend):
    W, gamma, k, nexp, X = _grn(6)
    op = HopfieldOperator(W, gamma, k, nexp, get_backend("cpu", backend=sc_backend))
    J = op.backend.to_numpy(op.dense(op.state(X)))
    h = 1e-6
    for c in range(X.shape[0]):
        x = X[c]
        fd = np.column_stack([(_rhs(x + h * e, W, gamma, k, nexp) - _rhs(x - h * e, W, gamma, k, nexp)) / (2 * h)
                              for e in np.eye(6)])
        np.testing.assert_allclose(J[c], fd, rtol=1e-6, atol=1e-7)


def test_jacobian_matches_symbolic_model():
    """The Hopfield J equals the Jacobian of the same system written as a linstab Model."""
    from linstab import load_model

    W, gamma, k, nexp, X = _grn(3, seed=4)
    eqs, params = {}, {}
    names = ["a", "b", "c"]
    for i, gi in enumerate(names):
        terms = [f"W{i}{j}*{gj}**n{j}/({gj}**n{j} + k{j}**n{j})" for j, gj in enumerate(names)]
        eqs[gi] = " + ".join(terms) + f" - g{i}*{gi}"
        params[f"g{i}"] = float(gamma[i])
        params[f"k{i}"] = float(k[i])
        params[f"n{i}"] = float(nexp[i])
        for j in range(3):
            params[f"W{i}{j}"] = float(W[i, j])
    model = load_model({"name": "grn3", "parameters": params, "equations": eqs,
                        "variables": {v: {"domain": "nonnegative"} for v in names}})
    be = get_backend("cpu")
    ref = ModelOperator(model.kernel("jacobian"), np.array(model.parameter_vector()), 3, be)
    op = HopfieldOperator(W, gamma, k, nexp, be)
    Xp = X[:, :3] + 0.1
    np.testing.assert_allclose(op.dense(op.state(Xp)), ref.dense(ref.state(Xp)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["hopfield", "model"])
def test_cheap_quantities_match_dense(kind, sc_backend):
    W, gamma, k, nexp, X = _grn(9, seed=2)
    be = get_backend("cpu", backend=sc_backend)
    op = HopfieldOperator(W, gamma, k, nexp, be)
    if kind == "model":
        Jfull = be.to_numpy(op.dense(op.state(X)))

        class _Kernel:  # a stand-in kernel returning the precomputed Jacobians
            def __call__(self, x, p, dtype=None, device=None):
                return be.asarray(Jfull)

        op = ModelOperator(_Kernel(), np.zeros(0), 9, be)
    st_ = op.state(X)
    J = be.to_numpy(op.dense(st_))
    A = 0.5 * (J - J.transpose(0, 2, 1))
    np.testing.assert_allclose(be.to_numpy(op.trace(st_)), np.trace(J, axis1=1, axis2=2), rtol=1e-12)
    np.testing.assert_allclose(be.to_numpy(op.rotational(st_)), np.linalg.norm(A, axis=(1, 2)), rtol=1e-10)
    rows, cols = np.array([0, 3, 3, 8]), np.array([0, 3, 5, 1])
    np.testing.assert_allclose(be.to_numpy(op.elements(st_, rows, cols)), J[:, rows, cols], rtol=1e-12)
    V = np.random.default_rng(0).standard_normal(X.shape)
    np.testing.assert_allclose(be.to_numpy(op.matvec(be.asarray(V), st_)), np.einsum("bij,bj->bi", J, V),
                               rtol=1e-10, atol=1e-12)


def test_numpy_and_torch_agree():
    pytest.importorskip("torch")
    W, gamma, k, nexp, X = _grn(12, seed=3)
    out = {}
    for name in ("numpy", "torch"):
        be = get_backend("cpu", backend=name)
        op = HopfieldOperator(W, gamma, k, nexp, be)
        d = op.state(X)
        out[name] = [be.to_numpy(a) for a in (d, op.trace(d), op.rotational(d), op.dense(d))]
    for a, b in zip(out["numpy"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_float32_option():
    W, gamma, k, nexp, X = _grn(5)
    op = HopfieldOperator(W, gamma, k, nexp, get_backend("cpu", dtype="float32"))
    d = op.state(X)
    assert d.dtype == np.float32 and op.dense(d).dtype == np.float32
    ref = HopfieldOperator(W, gamma, k, nexp, get_backend("cpu"))
    np.testing.assert_allclose(op.dense(d), ref.dense(ref.state(X)), rtol=1e-5, atol=1e-5)
