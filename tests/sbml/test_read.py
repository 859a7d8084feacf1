"""SBML import: meaning of species symbols, varying compartments, initial values, Trajectory access."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import linstab
from tests.sbml._docs import MATHML, document

pytest.importorskip("libsbml")


def _load(tmp_path, text):
    path = tmp_path / "m.sbml"
    path.write_text(text, encoding="utf-8")
    return linstab.load_model(path)


GROWING = document(f"""  <listOfRules><rateRule variable="c"><math {MATHML}><cn type="integer">1</cn></math></rateRule>
  </listOfRules>
  <listOfReactions><reaction id="R" reversible="false">
   <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
   <kineticLaw><math {MATHML}><apply><times/><ci>k</ci><ci>S</ci><ci>c</ci></apply></math></kineticLaw>
  </reaction></listOfReactions>""").replace('size="1" constant="true"', 'size="1" constant="false"')


def test_species_in_a_growing_compartment(tmp_path):
    """dV/dt = 1 and a reaction k[S]V: the amount n = n0 exp(-k t), the concentration n / (1 + t)."""
    m = _load(tmp_path, GROWING)
    assert m.variable_names == ("S_amount", "c")
    assert dict(m.initial) == {"S_amount": 1.0, "c": 1.0}
    S_amount, c, k = sp.symbols("S_amount c k", real=True)
    assert sp.simplify(m.rhs[0].subs(dict(zip(m.variables, (S_amount, c)))).subs(m.parameters[0], k)
                       + k * S_amount) == 0
    t = np.linspace(0, 3, 7)
    tr = linstab.simulate(m, (0, 3), t_eval=t)  # from the model's initial state
    amount = np.exp(-0.5 * t)
    np.testing.assert_allclose(tr.amount("S"), amount, rtol=1e-6)
    np.testing.assert_allclose(tr.concentration("S"), amount / (1 + t), rtol=1e-6)
    np.testing.assert_allclose(tr["S"], amount / (1 + t), rtol=1e-6)  # SBML: S means the concentration
    np.testing.assert_allclose(tr["c"], 1 + t, rtol=1e-6)


def test_only_substance_units_means_amount(tmp_path):
    text = GROWING.replace('hasOnlySubstanceUnits="false"', 'hasOnlySubstanceUnits="true"')
    m = _load(tmp_path, text)
    assert m.variable_names == ("S", "c")  # the amount is its own meaning
    t = np.linspace(0, 2, 5)
    tr = linstab.simulate(m, (0, 2), t_eval=t)
    amount = np.exp(-0.5 * (t + t**2 / 2))  # dn/dt = -k n V with V = 1 + t
    np.testing.assert_allclose(tr["S"], amount, rtol=1e-6)
    np.testing.assert_allclose(tr.concentration("S"), amount / (1 + t), rtol=1e-6)


def test_assignment_rules_initial_assignments_and_functions(tmp_path):
    text = document(f"""  <listOfFunctionDefinitions><functionDefinition id="twice"><math {MATHML}><lambda>
   <bvar><ci>x</ci></bvar><apply><times/><cn type="integer">2</cn><ci>x</ci></apply></lambda></math>
  </functionDefinition></listOfFunctionDefinitions>
  <listOfInitialAssignments><initialAssignment symbol="S"><math {MATHML}><apply><ci>twice</ci><ci>k</ci>
   </apply></math></initialAssignment></listOfInitialAssignments>
  <listOfRules><assignmentRule variable="q"><math {MATHML}><apply><times/><ci>k</ci><ci>S</ci></apply>
   </math></assignmentRule>
   <rateRule variable="S"><math {MATHML}><apply><minus/><ci>q</ci></apply></math></rateRule></listOfRules>
""").replace("</listOfParameters>", '<parameter id="q" constant="false"/></listOfParameters>')
    m = _load(tmp_path, text)
    assert m.variable_names == ("S",) and dict(m.initial) == {"S": 1.0}  # twice(k) = 1
    assert str(m.rhs[0]) == "-S*k"  # q = k S substituted
    t = np.linspace(0, 2, 5)
    tr = linstab.simulate(m, (0, 2), t_eval=t)
    np.testing.assert_allclose(tr["q"], 0.5 * np.exp(-0.5 * t), rtol=1e-6)
    with pytest.raises(KeyError, match="no symbol"):
        tr["nosuch"]


def test_a_model_without_initial_values_needs_x0():
    with pytest.raises(ValueError, match="no initial value for x1, x2, x3; pass x0"):
        linstab.simulate("repressilator", (0, 1))
    with pytest.raises(KeyError, match="no species"):
        linstab.simulate("repressilator", (0, 1), [1.0, 1.0, 1.0]).amount("x1")


def test_toml_models_may_declare_initial_values(tmp_path):
    path = tmp_path / "decay.toml"
    path.write_text('name = "decay"\n[variables]\nx = { domain = "nonnegative", initial = 2.0 }\n'
                    '[parameters]\nk = 0.5\n[equations]\nx = "-k*x"\n', encoding="utf-8")
    m = linstab.load_model(path)
    assert m.initial == (("x", 2.0),)
    t = np.linspace(0, 2, 5)
    np.testing.assert_allclose(linstab.simulate(m, (0, 2), t_eval=t)["x"], 2 * np.exp(-0.5 * t), rtol=1e-6)
    assert linstab.Model.from_dict(m.to_dict()).initial == m.initial
    back = linstab.load_model(linstab.write_sbml(m, tmp_path / "decay.xml"))
    assert back.initial == m.initial and back.rhs == m.rhs


def test_initial_values_for_some_variables_only_are_an_error(tmp_path):
    with pytest.raises(linstab.ModelError, match="not for y; give every variable one"):
        linstab.Model.from_dict({"variables": {"x": {"initial": 1.0}}, "equations": {"x": "-x", "y": "-y"}})


def test_local_parameters_shadow_global_ones(tmp_path):
    from tests.sbml._docs import decay

    text = decay("<apply><times/><ci>k</ci><ci>S</ci></apply>").replace(
        "<kineticLaw>", '<kineticLaw><listOfLocalParameters><localParameter id="k" value="3"/></listOfLocalParameters>')
    m = _load(tmp_path, text)
    assert m.parameter_values == {"c": 1.0, "k": 0.5, "R_k": 3.0}
    assert m.rhs == (-m.symbol("R_k") * m.symbol("S") / m.symbol("c"),)
