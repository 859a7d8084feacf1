"""SBML import and export (extra ``linstab[sbml]``: python-libsbml).

:func:`read_sbml` reads SBML Level 2 and 3 into a :class:`~linstab.model.Model` (also through
:func:`linstab.load_model` for ``.xml``/``.sbml`` paths); :func:`write_sbml` writes a model as SBML
Level 3 Version 2; :func:`conservation_laws` finds the conserved linear combinations of any
model's variables and :func:`reduce_model` eliminates them (totals as parameters).
"""

from linstab.sbml._conservation import ConservationLaw, conservation_laws, reduce_model, require_isolated
from linstab.sbml._read import MAX_SBML_BYTES, read_sbml
from linstab.sbml._write import to_mathml, write_sbml

__all__ = ["read_sbml", "write_sbml", "to_mathml", "MAX_SBML_BYTES", "ConservationLaw", "conservation_laws",
           "reduce_model", "require_isolated"]
