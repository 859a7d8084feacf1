"""The single lambdify path: batching, shapes and numpy == torch."""

from __future__ import annotations

import importlib

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


def test_cse_temporaries_never_shadow_arguments(monkeypatch):
    # regression (issue 11, 1.6): SymPy 1.12 named its cse temporaries x0, x1, ... over state variables
    # called x1, x2. Emulate that whatever SymPy is installed: rename the temporaries x0, x1, ...
    # without excluding the arguments' names, so that the printed code reassigns x1 before reading it.
    cse_main = importlib.import_module("sympy.simplify.cse_main")
    original = cse_main.cse

    def cse_like_1_12(exprs, *args, **kwargs):
        repl, reduced = original(exprs, *args, **kwargs)
        names = sp.numbered_symbols("x")
        rename = {old: next(names) for old, _ in repl}
        repl = [(rename[old], e.xreplace(rename)) for old, e in repl]
        if isinstance(reduced, (list, tuple)):
            return repl, type(reduced)(r.xreplace(rename) for r in reduced)
        return repl, reduced.xreplace(rename)

    monkeypatch.setattr(cse_main, "cse", cse_like_1_12)
    x0, x1, x2 = sp.symbols("x0 x1 x2", nonnegative=True)
    b = sp.Symbol("b", positive=True)
    exprs = [b / (1 + (x1 + x2) ** 2) - x0, (x1 + x2) ** 2 * x0 - sp.exp(x0 * x1), sp.sin(x0 * x1) + (x1 + x2) ** 3]
    kernel = compile_kernel(exprs, [[x0, x1, x2], [b]])
    plain = sp.lambdify([x0, x1, x2, b], exprs, modules="numpy")  # no cse: the reference
    rng = np.random.default_rng(1)
    pts = rng.uniform(0.1, 3.0, (20, 3))
    got = kernel(pts, [2.5])
    want = np.array([plain(*p, 2.5) for p in pts])
    np.testing.assert_allclose(got, want, rtol=1e-12)
