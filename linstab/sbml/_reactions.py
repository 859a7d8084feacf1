"""The reactions of an SBML model, kept for the noise analysis (:func:`linstab.analysis.linear_noise`).

The rate equations of an imported model already hold ``dx/dt = S a(x)``; the linear noise
approximation also needs ``S`` and ``a`` themselves. They are kept when they describe the model
exactly as a network of irreversible reactions, each firing as one event:

* every reaction is irreversible (a reversible reaction's kinetic law is a *net* rate, forward
  minus backward; the noise needs the two separately);
* stoichiometries are constant whole numbers (no ``stoichiometryMath``, no changing references);
* no conversion factors; every state variable is a species changed by reactions only;
* the species are all amounts (``hasOnlySubstanceUnits``), or all concentrations in one
  compartment of constant size ``V``, when the propensity is the kinetic law divided by ``V``.

Otherwise the model keeps no reactions, and the noise analysis says so. Boundary and constant
species are left out of the stoichiometry (nothing changes them); they enter the propensities as
parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from linstab._reactions import Reaction

__all__ = ["network_reactions"]


def network_reactions(reader: Any, resolve: Callable[[sp.Expr], sp.Expr],
                      states: Sequence[tuple[sp.Symbol, sp.Expr, str]]) -> tuple[Reaction, ...]:
    """The model's reactions as :class:`~linstab.model.Reaction` objects, or ``()`` (see the module notes).

    Parameters
    ----------
    reader
        The SBML import in progress (its document ``m``, quantities ``q``, ``compartment_of`` and
        ``amount_meaning``).
    resolve
        Substitutes the defined symbols (assignment rules, kinetic laws) in an expression.
    states
        ``(state symbol, derivative, SBML id)`` of each state variable.
    """
    m, q = reader.m, reader.q
    if m.getNumReactions() == 0 or (m.getLevel() > 2 and m.isSetConversionFactor()):
        return ()
    state_of = {sid: sym for sym, _, sid in states}
    changed: set[str] = set()
    compartments: set[str] = set()
    meanings: set[bool] = set()
    found = []
    for r in m.getListOfReactions():
        if r.getReversible():
            return ()
        sides: tuple[dict[str, int], dict[str, int]] = ({}, {})
        for side, refs in zip(sides, (r.getListOfReactants(), r.getListOfProducts())):
            for sr in refs:
                sid = sr.getSpecies()
                s = m.getSpecies(sid)
                if s is None:
                    return ()
                if s.getBoundaryCondition() or s.getConstant():
                    continue
                if (m.getLevel() > 2 and s.isSetConversionFactor()) or (sr.isSetId() and sr.getId()) \
                        or (m.getLevel() == 2 and sr.isSetStoichiometryMath()):
                    return ()
                k = sr.getStoichiometry() if sr.isSetStoichiometry() else 1.0
                sym = state_of.get(sid)
                if k != int(k) or k < 1 or sym is None or sym != q[sid].symbol:
                    return ()
                side[sym.name] = side.get(sym.name, 0) + int(k)
                changed.add(sid)
                compartments.add(reader.compartment_of[sid])
                meanings.add(bool(reader.amount_meaning[sid]))
        if sides[0] or sides[1]:
            found.append((r.getId(), sides, resolve(q[r.getId()].symbol)))
    if set(state_of) != changed or len(meanings) != 1:
        return ()
    scale: sp.Expr = sp.Integer(1)
    if meanings == {False}:
        if len(compartments) != 1:
            return ()
        scale = resolve(q[next(iter(compartments))].symbol)
    return tuple(Reaction(rid, tuple(reactants.items()), tuple(products.items()), rate / scale)
                 for rid, (reactants, products), rate in found)
