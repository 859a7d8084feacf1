"""Reaction networks in model files: the [reactions] table (linstab._reactions, Model.reactions)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import ModelError, Model, find_fixed_points, load_model
from linstab.sym import stoichiometry_matrix

TWO_STAGE = {
    "name": "two_stage",
    "variables": {"m": {}, "p": {}},
    "parameters": {"k_m": 2.0, "g_m": 1.0, "k_p": 10.0, "g_p": 0.2},
    "reactions": {
        "transcription": {"products": {"m": 1}, "propensity": "k_m"},
        "mrna_decay": {"reactants": {"m": 1}, "propensity": "g_m*m"},
        "translation": {"reactants": {"m": 1}, "products": {"m": 1, "p": 1}, "propensity": "k_p*m"},
        "protein_decay": {"reactants": ["p"], "propensity": "g_p*p"},
    },
}


def test_rate_equations_are_stoichiometry_times_propensities():
    m = Model.from_dict(TWO_STAGE)
    k_m, g_m, k_p, g_p = m.parameters
    x_m, x_p = m.variables
    assert m.rhs == (k_m - g_m * x_m, k_p * x_m - g_p * x_p)
    assert stoichiometry_matrix(m) == sp.Matrix([[1, -1, 0, 0], [0, 0, 1, -1]])
    assert m.domain["m"] == "nonnegative"  # species are nonnegative unless declared otherwise
    assert [r.name for r in m.reactions] == list(TWO_STAGE["reactions"])


def test_existing_analyses_apply_unchanged():
    (fp,) = find_fixed_points(TWO_STAGE)
    np.testing.assert_allclose(fp.state, [2.0, 100.0])  # k_m/g_m and k_p k_m/(g_m g_p)
    assert fp.stable


def test_stoichiometry_two_and_catalysts():
    m = load_model("brusselator_network")
    assert stoichiometry_matrix(m) == sp.Matrix([[1, -1, 1, -1], [0, 1, -1, 0]])
    x, y = m.variables
    a, b = m.parameters
    assert sp.expand(m.rhs[0] - (a - (b + 1) * x + x**2 * y)) == 0  # the equations of the Brusselator


def test_round_trip_through_to_dict():
    m = Model.from_dict(TWO_STAGE)
    again = Model.from_dict(m.to_dict())
    assert again.rhs == m.rhs and again.reactions == m.reactions


def test_toml_file(tmp_path):
    path = tmp_path / "bd.toml"
    path.write_text('[variables]\nx = {}\n[parameters]\nk = 5.0\ng = 1.0\n[reactions]\n'
                    'birth = { products = { x = 1 }, propensity = "k" }\n'
                    'death = { reactants = { x = 1 }, propensity = "g*x" }\n')
    m = load_model(path)
    assert str(m.rhs[0]) == "-g*x + k"


def _with(reaction):
    return {"variables": {"x": {}}, "parameters": {"k": 1.0}, "reactions": {"r": reaction}}


@pytest.mark.parametrize("reaction, message", [
    ({"products": {"y": 1}, "propensity": "k"}, "unknown species 'y'"),
    ({"reactants": ["x", "z"], "propensity": "k*x"}, "unknown species 'z'"),
    ({"products": {"x": 1.5}, "propensity": "k"}, "whole number from 1 to"),
    ({"products": {"x": 0}, "propensity": "k"}, "whole number from 1 to"),
    ({"products": {"x": -2}, "propensity": "k"}, "whole number from 1 to"),
    ({"products": {"x": True}, "propensity": "k"}, "whole number from 1 to"),
    ({"products": "2 x", "propensity": "k"}, "expected a table"),
    ({"products": {"x": 1}}, "no propensity"),
    ({"propensity": "k"}, "neither reactants nor products"),
    ({"products": {"x": 1}, "propensity": "k", "rate": 1}, "unknown key(s) rate"),
    ({"products": {"x": 1}, "propensity": "-3"}, "negative constant"),
    ({"products": {"x": 1}, "propensity": "__import__('os')"}, "propensity"),
])
def test_bad_reactions_one_clear_error(reaction, message):
    with pytest.raises(ModelError) as err:
        Model.from_dict(_with(reaction))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_reactions_and_equations_exclusive_and_species_required():
    with pytest.raises(ModelError, match="both"):
        Model.from_dict({**_with({"products": {"x": 1}, "propensity": "k"}), "equations": {"x": "k"}})
    with pytest.raises(ModelError, match="needs a \\[variables\\] table"):
        Model.from_dict({"parameters": {"k": 1.0}, "reactions": {"r": {"products": {"x": 1}, "propensity": "k"}}})


def test_propensity_kernel():
    m = Model.from_dict(TWO_STAGE)
    a = m.kernel("propensities")(np.array([[3.0, 50.0], [1.0, 0.0]]), m.parameter_vector())
    np.testing.assert_allclose(a, [[2.0, 3.0, 30.0, 10.0], [2.0, 1.0, 10.0, 0.0]])  # batched, constants too
    with pytest.raises(ValueError, match="no reactions"):
        load_model("brusselator").kernel("propensities")
