"""SBML reactions kept for the noise analysis (linstab.sbml._reactions)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import linstab
from linstab import AnalysisError
from linstab.sym import diffusion_matrix, stoichiometry_matrix

pytest.importorskip("libsbml")

# Two-stage gene expression in a compartment of size 2, concentrations; the gene G is a boundary
# species (a catalyst of transcription); kinetic laws in amount per time, as SBML has them.
TWO_STAGE = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
 <model id="two_stage">
  <listOfCompartments><compartment id="cell" size="2" constant="true"/></listOfCompartments>
  <listOfSpecies>
   <species id="m" compartment="cell" initialConcentration="1" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
   <species id="p" compartment="cell" initialConcentration="50" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>
   <species id="G" compartment="cell" initialConcentration="0.5" hasOnlySubstanceUnits="false" boundaryCondition="true" constant="false"/>
  </listOfSpecies>
  <listOfParameters>
   <parameter id="k_m" value="4" constant="true"/><parameter id="g_m" value="1" constant="true"/>
   <parameter id="k_p" value="10" constant="true"/><parameter id="g_p" value="0.2" constant="true"/>
  </listOfParameters>
  <listOfReactions>
   <reaction id="transcription" reversible="false"><listOfReactants><speciesReference species="G" stoichiometry="1" constant="true"/></listOfReactants><listOfProducts><speciesReference species="G" stoichiometry="1" constant="true"/><speciesReference species="m" stoichiometry="1" constant="true"/></listOfProducts>
    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>cell</ci><ci>k_m</ci><ci>G</ci></apply></math></kineticLaw></reaction>
   <reaction id="mrna_decay" reversible="false"><listOfReactants><speciesReference species="m" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>cell</ci><ci>g_m</ci><ci>m</ci></apply></math></kineticLaw></reaction>
   <reaction id="translation" reversible="false"><listOfReactants><speciesReference species="m" stoichiometry="1" constant="true"/></listOfReactants><listOfProducts><speciesReference species="m" stoichiometry="1" constant="true"/><speciesReference species="p" stoichiometry="1" constant="true"/></listOfProducts>
    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>cell</ci><ci>k_p</ci><ci>m</ci></apply></math></kineticLaw></reaction>
   <reaction id="protein_decay" reversible="false"><listOfReactants><speciesReference species="p" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>cell</ci><ci>g_p</ci><ci>p</ci></apply></math></kineticLaw></reaction>
  </listOfReactions>
 </model>
</sbml>"""


def test_two_stage_network_is_kept(tmp_path):
    path = tmp_path / "two_stage.xml"
    path.write_text(TWO_STAGE)
    model = linstab.load_model(path)
    assert [r.name for r in model.reactions] == ["transcription", "mrna_decay", "translation", "protein_decay"]
    assert stoichiometry_matrix(model) == sp.Matrix([[1, -1, 0, 0], [0, 0, 1, -1]])
    # S a(x) is the imported right-hand side: the propensities are the kinetic laws over the size
    S_a = stoichiometry_matrix(model) * sp.Matrix([r.propensity for r in model.reactions])
    assert (S_a - model.f).applyfunc(sp.expand) == sp.zeros(2, 1)
    noise = linstab.linear_noise(model)
    b, ratio = 10.0 / 1.0, 0.2 / 1.0
    np.testing.assert_allclose(noise.fano, [1.0, 1 + b / (1 + ratio)])
    m, p = model.variables
    assert diffusion_matrix(model)[0, 0] == sp.expand(model.reactions[0].propensity + model.reactions[1].propensity)


def test_reversible_reaction_keeps_no_reactions(tmp_path):
    path = tmp_path / "reversible.xml"
    path.write_text(TWO_STAGE.replace('id="mrna_decay" reversible="false"', 'id="mrna_decay" reversible="true"'))
    model = linstab.load_model(path)
    assert model.reactions == () and len(model.rhs) == 2  # the equations are still there
    with pytest.raises(AnalysisError, match="no reactions"):
        linstab.linear_noise(model)
