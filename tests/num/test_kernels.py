"""The single lambdify path: batching, shapes and numpy == torch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import DimensionError
from linstab.num import compile_kernel

x, y, k = sp.symbols("x y k", real=True)


def to_numpy(a):
    return a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a)


def test_batch_shapes(backend):
    f = compile_kernel(sp.Matrix([[x * y, -1], [k, x + y]]), [[x, y], [k]], backend=backend)
    X = np.random.default_rng(0).normal(size=(4, 5, 2))
    out = to_numpy(f(X, np.array([2.0])))
    assert out.shape == (4, 5, 2, 2)
    np.testing.assert_allclose(out[..., 0, 0], X[..., 0] * X[..., 1])
    np.testing.assert_allclose(out[..., 0, 1], -1.0)  # constants broadcast
    np.testing.assert_allclose(out[..., 1, 0], 2.0)


@pytest.mark.parametrize(
    "expr",
    [
        sp.Max(x, y) - sp.Min(x, 0.5),
        sp.Piecewise((x**2, x < 0), (y, True)),
        sp.Abs(x) * sp.exp(-y**2) + sp.sqrt(x**2 + 1),
        sp.tanh(x) + sp.log(1 + y**2),
        x**k / (1 + x**k) if False else y**3 / (1 + y**3),
        sp.Heaviside(x),
    ],
)
def test_numpy_equals_torch(expr):
    pytest.importorskip("torch")
    pts = np.random.default_rng(1).normal(size=(50, 2))
    pts[0] = [0.0, 0.0]
    a = compile_kernel(expr, [[x, y]], backend="numpy")(pts)
    b = to_numpy(compile_kernel(expr, [[x, y]], backend="torch")(pts))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_wrong_last_axis():
    f = compile_kernel([x + y], [[x, y]])
    with pytest.raises(DimensionError, match=r"shape \(3, 3\) while its last axis should have length 2"):
        f(np.zeros((3, 3)))


def test_free_symbol_not_provided():
    with pytest.raises(ValueError, match="use k"):
        compile_kernel(k * x, [[x]])


def test_unknown_backend():
    with pytest.raises(ValueError, match="backend must be one of"):
        compile_kernel(x, [[x]], backend="jax")


def test_matrix_keeps_its_shape(backend):
    one = compile_kernel(sp.Matrix([[x * y]]), [[x, y]], backend=backend)
    col = compile_kernel(sp.Matrix([x, y]), [[x, y]], backend=backend)
    assert tuple(one(np.ones((4, 2))).shape) == (4, 1, 1)  # a 1 x 1 Jacobian stays square
    assert tuple(col(np.ones((4, 2))).shape) == (4, 2, 1)


def test_one_variable_model_kernels():
    from linstab import load_model

    m = load_model("autorepression")
    assert m.kernel("jacobian")(np.ones((5, 1)), m.parameter_vector()).shape == (5, 1, 1)
    assert m.kernel("rhs")(np.ones((5, 1)), m.parameter_vector()).shape == (5, 1)
