"""Acceptance: Turing boundaries and critical values in closed form, checked against an independent
numeric reference (root finder, finite-difference Jacobian, eigenvalues on a fine k grid) at several
parameter points of three reaction–diffusion models from the literature."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import AnalysisError, Model, load_model
from linstab.analysis import find_curves, turing_curves
from linstab.sym import turing_conditions
from tests._turing_ref import reference

# (model, param, against, range of against, guess of the state)
CASES = [
    ("schnakenberg", "d", "b", (0.6, 1.8), None),
    ("gierer_meinhardt", "b", "a", (0.1, 0.6), None),
    ("gierer_meinhardt", "d", "a", (0.1, 0.6), None),
    ("lengyel_epstein", "b", "a", (8.0, 15.0), None),
]


@pytest.mark.parametrize(("name", "param", "against", "q_range", "guess"), CASES)
def test_closed_form_boundary_is_a_sign_change_of_the_reference_growth(name, param, against, q_range, guess):
    m = load_model(name)
    (c,) = find_curves(m, "turing", param, against, q_range=q_range, n_points=4)
    assert c.route == "closed form" and c.kind == "turing" and c.kind_object.name == "turing"
    assert len(c.points) >= 3
    np.testing.assert_allclose(c.evaluate(c.points[:, 0]), c.points[:, 1], rtol=1e-9)
    base = {k: float(v) for k, v in m.parameter_values.items()}
    for q, p in c.points:
        signs = []
        for factor in (0.99, 1.01):
            vals = {**base, against: float(q), param: float(p * factor)}
            _, _, _, _, lam = reference(m, vals, guess)
            assert lam[0] < 0  # the homogeneous state is stable on both sides
            signs.append(np.sign(lam[1:].max()))
        assert signs[0] * signs[1] < 0, (q, p)


@pytest.mark.parametrize(("name", "points", "guess"), [
    ("schnakenberg", [{"a": 0.1, "b": 0.9}, {"a": 0.2, "b": 1.3}, {"a": 0.15, "b": 1.0}], None),
    ("gierer_meinhardt", [{"a": 0.1, "b": 1.0}, {"a": 0.3, "b": 0.8}, {"a": 0.5, "b": 2.0}], None),
    ("lengyel_epstein", [{"a": 10.0, "b": 4.0}, {"a": 8.0, "b": 3.0}, {"a": 12.0, "b": 7.0}], None),
])
def test_critical_ratio_and_wavenumber_against_reference(name, points, guess):
    m = load_model(name)
    tc = turing_conditions(m)
    for pt in points:
        out = tc.at({**pt, "d": 1.0})
        dc = out["critical_ratio"]
        # reference: bisect the sign change of max_k Re λ in d
        lo, hi = 0.5 * dc, 2.0 * dc
        assert reference(m, {**pt, "d": lo}, guess)[4][1:].max() < 0 < reference(m, {**pt, "d": hi}, guess)[4][1:].max()
        for _ in range(14):
            mid = np.sqrt(lo * hi)
            if reference(m, {**pt, "d": mid}, guess)[4][1:].max() < 0:
                lo = mid
            else:
                hi = mid
        assert lo <= dc <= hi or dc == pytest.approx(lo, rel=1e-3)  # bracket of width 2^-14 in log d
        # on the boundary the fastest-decaying det is at k_c² = √(det J/(d_u d_v)): det(J − k²D) = 0 there
        at = tc.at({**pt, "d": dc})
        _, J, D, _, _ = reference(m, {**pt, "d": dc}, guess)
        kc2 = at["k_c2"]
        assert np.linalg.det(J - kc2 * np.diag(D)) == pytest.approx(0.0, abs=1e-6 * np.abs(J).max() ** 2)
        assert at["k_m2"] == pytest.approx(kc2, rel=1e-6)
        assert out["k_c2_critical"] == pytest.approx(kc2, rel=1e-9)  # d_u = 1: the same wavenumber


def test_schnakenberg_b_against_a_is_parametric_in_the_steady_state():
    # Schnakenberg's boundary in b against a is a degree-six equation with no explicit closed form, but
    # parametric in u* = a + b = s (Murray 2003, sec. 2.4): a, b = s/2 ∓ (s³/(2d) + s²/√d)
    (c,) = turing_curves("schnakenberg", "b", "a", q_range=(0.05, 0.15), p_range=(0.3, 3.0), n_points=3)
    assert c.route == "closed form" and c.expression is None
    s, qexpr, pexpr = c.parametrization
    d = sp.Symbol("d", positive=True)
    assert sp.simplify(qexpr - (s / 2 - s ** 3 / (2 * d) - s ** 2 / sp.sqrt(d))) == 0
    assert sp.simplify(pexpr - (s / 2 + s ** 3 / (2 * d) + s ** 2 / sp.sqrt(d))) == 0
    tc = turing_conditions("schnakenberg")
    for q, p in c.points:
        out = tc.at({"a": float(q), "b": float(p), "d": 20.0})
        assert abs(out["discriminant"]) < 1e-6 * (1 + out["h"] ** 2) or abs(out["trace"]) < 1e-6


def test_three_species_numeric_boundary_matches_the_two_species_closed_form():
    three = Model.from_dict({"name": "schnak3", "parameters": {"a": 0.1, "b": 0.9, "d": 20.0},
                             "equations": {"u": "a - u + u^2*v", "v": "b - u^2*v", "w": "u - w"},
                             "diffusion": {"u": 1, "v": "d", "w": 1}})
    (c3,) = turing_curves(three, "d", "b", q_range=(0.8, 1.2), n_points=2)
    assert c3.route == "numeric" and "species" in c3.explain()
    (c2,) = turing_curves("schnakenberg", "d", "b", q_range=(0.8, 1.2), n_points=2)
    np.testing.assert_allclose(c3.points, c2.points, rtol=1e-6)


def test_no_boundary_in_range_is_a_clear_error():
    with pytest.raises(AnalysisError, match="no Turing boundary"):
        turing_curves("schnakenberg", "d", "b", q_range=(0.2, 0.4), p_range=(1.0, 2.0), n_points=2)


def test_gene_circuit_with_an_implicit_state():
    # the activator-inhibitor circuit's state solves a cubic with no useful closed form: the boundary is
    # parametric in the activator's state (gi from the steady state, d from the boundary), and must agree with Murray's critical ratio in J(u*), evaluated at the reference state
    import sympy as sp

    m = load_model("activator_inhibitor")
    (c,) = turing_curves(m, "d", "gi", q_range=(0.45, 0.55), p_range=(1.0, 100.0), n_points=3)
    assert c.route == "closed form" and c.parametrization is not None
    tc = turing_conditions(m, state=None)
    base = {k: float(v) for k, v in m.parameter_values.items()}
    for gi, d in c.points:
        vals = {**base, "gi": float(gi), "d": float(d)}
        x, _, _, _, _ = reference(m, vals, [0.7, 1.4])
        subs = {m.symbol(k): v for k, v in vals.items()} | dict(zip(m.variables, x))
        assert float(sp.N(tc.critical_ratio.xreplace(subs))) == pytest.approx(d, rel=1e-6)
