"""Small SBML documents for the tests, written as text (so that a test sees the XML it reads)."""

from __future__ import annotations

HEAD = {
    (3, 2): '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">',
    (3, 1): '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">',
}
MATHML = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def document(body: str, *, level: tuple[int, int] = (3, 2), head: str | None = None,
             parameters: str = '<parameter id="k" value="0.5" constant="true"/>') -> str:
    """An SBML document: one compartment ``c``, species ``S`` (amount 1), ``parameters`` (by default
    ``k``), and ``body`` inside the model (lists of reactions, rules, events...)."""
    head = head or HEAD[level]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{head}
 <model id="m">
  <listOfCompartments><compartment id="c" size="1" constant="true" spatialDimensions="3"/></listOfCompartments>
  <listOfSpecies><species id="S" compartment="c" initialAmount="1" hasOnlySubstanceUnits="false"
    boundaryCondition="false" constant="false"/></listOfSpecies>
  <listOfParameters>{parameters}</listOfParameters>
{body}
 </model>
</sbml>
"""


def decay(math: str, *, level: tuple[int, int] = (3, 2), reaction_attrs: str = "") -> str:
    """A document whose one reaction ``R`` consumes ``S`` at the rate given by the MathML ``math``."""
    return document(f"""  <listOfReactions><reaction id="R" reversible="false" {reaction_attrs}>
   <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
   <kineticLaw><math {MATHML}>{math}</math></kineticLaw>
  </reaction></listOfReactions>""", level=level)
