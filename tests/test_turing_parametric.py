"""The gene circuit's Turing boundary as a parametric closed form (s = activator steady state), checked
against the independent numeric reference of tests/_turing_ref.py (root finder, finite differences,
eigenvalues on a fine k grid)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from linstab import load_model
from linstab.analysis import turing_curves
from linstab.sym import turing_parametric
from tests._turing_ref import reference


def test_steady_state_coordinate_is_the_hand_derived_one():
    # a' = 0 with i* = ki s/gi gives ka = (s - ba)(1 + s²)(1 + i*)/s² (solved by hand)
    m = load_model("activator_inhibitor")
    cands = turing_parametric(m, "d", "ka")
    assert cands
    ba, ki, gi = (m.parameter(n) for n in ("ba", "ki", "gi"))
    for s, q, _, v in cands:
        assert sp.simplify(v - ki * s / gi) == 0
        assert sp.simplify(q - (s - ba) * (1 + s ** 2) * (1 + ki * s / gi) / s ** 2) == 0


def _on_state(m, vals):
    """The largest state that the reference root finder reaches from a few starts (the "on" state)."""
    states = []
    for a in (0.5, 1.0, 2.0, 4.0, 8.0):
        try:
            states.append(reference(m, vals, [a, vals["ki"] * a / vals["gi"]])[0])
        except AssertionError:  # no convergence from this start
            continue
    return max(states, key=lambda x: x[0])


@pytest.mark.parametrize(("param", "against", "q_range"), [("ka", "d", (15.0, 60.0)), ("d", "ki", (0.8, 1.5))])
def test_parametric_boundary_is_a_sign_change_of_the_reference_growth(param, against, q_range):
    m = load_model("activator_inhibitor")
    curves = turing_curves(m, param, against, q_range=q_range, n_points=5)
    assert all(c.route == "closed form" and c.expression is None for c in curves)
    s, qexpr, pexpr = curves[0].parametrization
    c = curves[0]
    assert len(c.points) >= 3
    base = {k: float(v) for k, v in m.parameter_values.items()}
    for q, p in c.points:
        vals = {**base, against: float(q), param: float(p)}
        x = _on_state(m, vals)
        # the reference state is the curve's own: s = a*, and Q(s), P(s) give back the point
        subs = {m.symbol(k): v for k, v in vals.items() if k not in (param, against)} | {s: float(x[0])}
        assert float(sp.N(qexpr.xreplace(subs))) == pytest.approx(q, rel=1e-6)
        assert float(sp.N(pexpr.xreplace(subs))) == pytest.approx(p, rel=1e-6)
        signs = []
        for factor in (0.999, 1.001):  # narrow: the (ka, d) boundary runs close to the fold of the on state
            lam = reference(m, {**vals, param: float(p * factor)}, x)[4]
            assert lam[0] < 0
            signs.append(np.sign(lam[1:].max()))
        assert signs[0] * signs[1] < 0, (q, p)


def test_cli_prints_the_parametric_curve(capsys):
    from linstab.cli import main

    assert main(["bifurcation", "activator_inhibitor", "--kind", "turing", "--param", "d", "--against", "ka",
                 "--range", "5", "8", "--points", "4"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if " for s in (" in ln)
    assert line.strip().startswith("ka = ") and ", d = " in line
    lo, hi = (float(x) for x in line.rsplit("(", 1)[1].rstrip(")").split(","))
    assert 0 < lo < hi
    assert main(["bifurcation", "activator_inhibitor", "--kind", "turing", "--param", "d", "--against", "ka",
                 "--range", "5", "8", "--points", "4", "--json"]) == 0
    (c,) = json.loads(capsys.readouterr().out)["curves"]
    assert c["expression"] is None and c["parametrization"]["parameter"] == "s" and set(c["parametrization"]) == {"parameter", "ka", "d"}
    assert "ka" not in c["parametrization"]["ka"]  # ka(s): a formula in s and the fixed parameters


@pytest.mark.parametrize("name", ["schnakenberg", "gierer_meinhardt"])
def test_printed_conditions_are_compact_and_equal_to_the_conditions(name, capsys):
    from linstab._parse import parse_expr
    from linstab.cli import main
    from linstab.sym import turing_conditions

    assert main(["analyze", name, "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    m = load_model(name)
    tc = turing_conditions(m)
    names = {n: m.symbol(n) for n in m.parameter_names}
    rng = np.random.default_rng(0)
    texts = [v[1] for v in rec["dispersion"]["conditions"].values()]
    if name == "schnakenberg":  # tr J = (b - a - (a + b)³)/(a + b), not the expanded cubic
        assert "(a + b)**3" in texts[0] and "a**3" not in texts[0]
    for expr, text in zip((tc.trace, tc.det, tc.h, tc.discriminant), texts, strict=True):
        printed = parse_expr(text, names)
        assert len(text) <= len(sp.sstr(expr))  # never longer than the factored form
        for _ in range(3):
            pt = {s: float(v) for s, v in zip(names.values(), rng.uniform(0.1, 2.0, len(names)))}
            assert float(printed.xreplace(pt)) == pytest.approx(float(expr.xreplace(pt)), rel=1e-9, abs=1e-12)
