"""Symbolic fixed points, symmetries, parametric branches and linearization."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import AnalysisError, load_model
from linstab.sym import fixed_points, jacobian, linearize, parametric_fixed_point, symmetries


def test_symmetries():
    m = load_model("repressilator")
    x1, x2, x3 = m.variables
    assert symmetries(m) == [{x1: x2, x2: x3, x3: x1}, {x1: x3, x2: x1, x3: x2}]
    u, v = load_model("toggle_switch").variables
    assert symmetries("toggle_switch") == [{u: v, v: u}]
    mrna = symmetries("repressilator_mrna")
    assert len(mrna) == 2  # the cyclic group of order 3 acting on (m, p) pairs together
    for name in ("lorenz", "goodwin", "brusselator", "autorepression"):
        assert symmetries(name) == []


def _check_is_fixed_point(model, fp, values):
    """f(state) = 0 wherever the conditions hold, checked at a numeric solution."""
    vals = {model.symbols[k]: sp.Float(v) for k, v in values.items()}
    state = {k: e.xreplace(vals) for k, e in fp.state.items()}
    sol = {}
    if fp.conditions:
        eqs = [(c.lhs - c.rhs).xreplace(vals) for c in fp.conditions]
        root = sp.nsolve(eqs, list(fp.unknowns), [1.0] * len(fp.unknowns))
        sol = dict(zip(fp.unknowns, list(root)))
    for e in model.rhs:
        r = e.xreplace(vals).xreplace({k: v.xreplace(sol) for k, v in state.items()})
        assert abs(complex(sp.N(r))) < 1e-10


@pytest.mark.parametrize("name", ["repressilator", "toggle_switch", "goodwin", "brusselator", "selkov",
                                  "lorenz", "autorepression", "repressilator_mrna"])
def test_fixed_points_satisfy_the_equations(name):
    m = load_model(name)
    fps = fixed_points(m)
    assert fps
    for fp in fps:
        _check_is_fixed_point(m, fp, m.numeric_values())


def test_explicit_solutions():
    m = load_model("lorenz")
    states = {tuple(fp.state.values()) for fp in fixed_points(m)}
    b, rho = m.symbols["b"], m.symbols["rho"]
    r = sp.sqrt(b) * sp.sqrt(rho - 1)
    assert states == {(0, 0, 0), (r, r, rho - 1), (-r, -r, rho - 1)}
    assert all(fp.explicit for fp in fixed_points(m))
    bru = load_model("brusselator")
    a_, b_ = bru.symbols["a"], bru.symbols["b"]
    assert [tuple(fp.state.values()) for fp in fixed_points(bru)] == [(a_, b_ / a_)]


def test_ansatz_forms():
    m = load_model("repressilator")
    named = fixed_points(m, ansatz="x1 = x2 = x3 = y")[0]
    assert named.unknowns[0].name == "y" and named.ansatz == "x1 = x2 = x3 = y"
    mapping = fixed_points(m, ansatz={"x1": "s", "x2": "s", "x3": "s"})[0]
    assert mapping.unknowns[0].name == "s"
    with pytest.raises(ValueError, match="not state variables"):
        fixed_points(m, ansatz="x1 = q = r")
    with pytest.raises(ValueError, match="not a state variable"):
        fixed_points(m, ansatz={"beta": 1})
    with pytest.raises(TypeError, match="ansatz"):
        fixed_points(m, ansatz=3)


@pytest.mark.parametrize(("name", "param", "expected"), [
    ("repressilator", "beta", "x0*(x0**n + 1)"),
    ("toggle_switch", "beta", "u0*(u0**n + 1)"),
    ("goodwin", "a", "x*(x**n + 1)"),
    ("autorepression", "beta", "x*(x**n + 1)"),
    ("autoactivation", "beta", "(x - alpha)*(x**n + 1)/x**n"),
    ("repressilator_mrna", "alpha", "m0*(m0**n + 1)"),
    ("lorenz", "rho", "(b + x**2)/b"),
])
def test_parametric_fixed_point(name, param, expected):
    m = load_model(name)
    b = parametric_fixed_point(m, param)
    table = {**m.symbols, b.coordinate.name: b.coordinate}
    assert sp.simplify(b.value - sp.sympify(expected, locals=table)) == 0
    # along the branch, f(state(c); param = value(c)) = 0 for any coordinate value c
    vals = {p: v for p, v in zip(m.parameters, m.parameter_vector()) if p != b.parameter}
    for c in (0.3, 1.7):
        sub = {**vals, b.coordinate: c}
        pv = b.value.xreplace(sub)
        point = {k: e.xreplace(sub) for k, e in b.state.items()}
        for e in m.rhs:
            r = e.xreplace({**vals, b.parameter: pv, **point})
            assert abs(complex(sp.N(r))) < 1e-10


def test_parametric_fixed_point_error():
    with pytest.raises(AnalysisError, match="could not reduce"):
        parametric_fixed_point("brusselator", "b")
    with pytest.raises(ValueError, match="unknown parameter"):
        parametric_fixed_point("repressilator", "gamma")


@pytest.mark.parametrize("name", ["repressilator", "toggle_switch", "lorenz", "selkov", "repressilator_mrna"])
def test_jacobian_matches_finite_differences(name):
    m = load_model(name)
    J = m.kernel("jacobian")
    F = m.kernel("rhs")
    p = m.parameter_vector()
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 2.0, size=m.n_vars)
    h = 1e-6
    fd = np.column_stack([(F(x + h * e, p) - F(x - h * e, p)) / (2 * h) for e in np.eye(m.n_vars)])
    assert np.allclose(J(x, p), fd, rtol=1e-6, atol=1e-6)
    assert jacobian(name) == m.jacobian()


def test_linearize_numeric_point_and_errors():
    A = linearize("toggle_switch", {"u": 1, "v": 1})
    beta, n = load_model("toggle_switch").symbols["beta"], load_model("toggle_switch").symbols["n"]
    assert A == sp.Matrix([[-1, -beta * n / 4], [-beta * n / 4, -1]])
    with pytest.raises(ValueError, match="not a variable or parameter"):
        linearize("toggle_switch", {"w": 1})


def test_timeout_falls_back_to_implicit_conditions():
    import time

    hard = {"name": "hard", "parameters": {"a": 1.0, "b": 2.0},
            "equations": {"x": "a*x**5 - y**3*z + b*x*y - 1", "y": "y**4 - x**2*z**3 + a",
                          "z": "z**5 + x*y*z**2 - b*x**3 + y"}}
    t0 = time.perf_counter()
    (fp,) = fixed_points(hard, timeout=0.5)
    assert time.perf_counter() - t0 < 20  # without the budget sympy.solve runs for over a minute
    assert not fp.explicit and len(fp.conditions) == 3
    assert str(fp).startswith("x, y, z  where")
