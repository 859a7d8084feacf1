"""Write a :class:`~linstab.model.Model` as SBML Level 3 Version 2: rate rules, or reactions.

Every state variable becomes a non-constant ``<parameter>`` whose time derivative is a
``<rateRule>`` (SBML L3V2 Core, sec. 4.9.4), every parameter a constant ``<parameter>``. A model
with a ``[reactions]`` table is written as what it is, a reaction network: its variables become
species counted in amounts (``hasOnlySubstanceUnits``, copy numbers) in a compartment of size 1
marked ``linstab:copies`` (read back, it is not a parameter), and each reaction an irreversible
``<reaction>`` whose kinetic law is the propensity, so that stochastic simulators and the noise
analysis read the network. A ``[diffusion]`` table travels in a ``linstab:diffusion`` annotation
of the model (SBML core has no diffusion). ``delay(x, tau)`` is SBML's delay csymbol. The
initial state (where the model has one) gives the variables' values. The domain of each symbol
(real, nonnegative, positive) travels in a ``linstab:domain`` annotation, which other tools
ignore and :func:`linstab.sbml.read_sbml` reads back. Expressions become content MathML through a
whitelist of SymPy node types; anything else is an error naming it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sympy as sp

from linstab._optional import require
from linstab._parse import Delay

__all__ = ["write_sbml", "to_mathml", "LINSTAB_NS"]

#: Namespace of linstab's annotations.
LINSTAB_NS = "https://linstab.invalid/sbml/1"

_SID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_FUNCS = {
    sp.exp: "exp", sp.log: "ln", sp.Abs: "abs", sp.floor: "floor", sp.ceiling: "ceiling",
    sp.factorial: "factorial", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.sec: "sec", sp.csc: "csc",
    sp.cot: "cot", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh", sp.sech: "sech", sp.csch: "csch",
    sp.coth: "coth", sp.asin: "arcsin", sp.acos: "arccos", sp.atan: "arctan", sp.asec: "arcsec",
    sp.acsc: "arccsc", sp.acot: "arccot", sp.asinh: "arcsinh", sp.acosh: "arccosh", sp.atanh: "arctanh",
    sp.asech: "arcsech", sp.acsch: "arccsch", sp.acoth: "arccoth", sp.Max: "max", sp.Min: "min",
}
_RELATIONS = {sp.Eq: "eq", sp.Ne: "neq", sp.Lt: "lt", sp.Le: "leq", sp.Gt: "gt", sp.Ge: "geq",
              sp.And: "and", sp.Or: "or", sp.Not: "not", sp.Xor: "xor", sp.Implies: "implies"}

_DELAY_URL = "http://www.sbml.org/sbml/symbols/delay"


def _apply(op: str, args: Any) -> str:
    return f"<apply><{op}/>{''.join(_content(a) for a in args)}</apply>"


def _content(e: Any) -> str:
    if isinstance(e, sp.Symbol):
        return f"<ci> {e.name} </ci>"
    if isinstance(e, sp.Integer):
        return f'<cn type="integer"> {int(e)} </cn>'
    if isinstance(e, sp.Rational):
        return f'<cn type="rational"> {e.p} <sep/> {e.q} </cn>'
    if isinstance(e, sp.Float):
        return f"<cn> {float(e)!r} </cn>"
    if e is sp.pi:
        return "<pi/>"
    if e is sp.E:
        return "<exponentiale/>"
    if e is sp.true or e is sp.false:
        return f"<{str(e).lower()}/>"
    if e in (sp.oo, -sp.oo, sp.nan):
        return {sp.oo: "<infinity/>", -sp.oo: "<apply><minus/><infinity/></apply>"}.get(e, "<notanumber/>")
    if isinstance(e, sp.Add):
        return _apply("plus", e.args)
    if isinstance(e, sp.Mul):
        return _apply("times", e.args)
    if isinstance(e, sp.Pow):
        return _apply("power", e.args)
    if isinstance(e, sp.Piecewise):
        pieces = "".join(f"<piece>{_content(v)}{_content(c)}</piece>" for v, c in e.args if c is not sp.true)
        other = [v for v, c in e.args if c is sp.true]
        return f"<piecewise>{pieces}{f'<otherwise>{_content(other[0])}</otherwise>' if other else ''}</piecewise>"
    if isinstance(e, Delay):  # x(t - tau): SBML's delay csymbol
        return (f'<apply><csymbol encoding="text" definitionURL="{_DELAY_URL}"> delay </csymbol>'
                f"{''.join(_content(a) for a in e.args)}</apply>")
    for cls, op in _RELATIONS.items():
        if isinstance(e, cls):
            return _apply(op, e.args)
    for cls, op in _FUNCS.items():
        if isinstance(e, cls):
            return _apply(op, e.args)
    raise ValueError(f"write_sbml: cannot write {type(e).__name__} ({sp.sstr(e)[:60]}) as SBML MathML")


def to_mathml(expr: sp.Expr) -> str:
    """Content MathML of ``expr`` (SymPy node types from a whitelist).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> to_mathml(2 * x**3)
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><cn type="integer"> 2 </cn><apply><power/><ci> x </ci><cn type="integer"> 3 </cn></apply></apply></math>'
    """
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{_content(sp.sympify(expr))}</math>'


def _sid(name: str) -> str:
    if not _SID.fullmatch(name):
        raise ValueError(f"write_sbml: {name!r} is not a valid SBML identifier (ASCII letters, digits and _, not "
                         "starting with a digit); rename it in the model")
    return name


def _diffusion(model: Any) -> str:
    """A ``linstab:diffusion`` annotation of the model with its ``[diffusion]`` table (SBML core has no
    diffusion; other tools ignore it)."""
    from xml.sax.saxutils import quoteattr

    pairs = [(v, c) for v, c in model.diffusion if c != 0]
    if not pairs:
        return ""
    rows = "".join(f'\n        <linstab:coefficient species="{_sid(v)}" value={quoteattr(sp.sstr(c))}/>'
                   for v, c in pairs)
    return (f'    <annotation>\n      <linstab:diffusion xmlns:linstab="{LINSTAB_NS}">{rows}\n'
            "      </linstab:diffusion>\n    </annotation>\n")


def _network(model: Any, initial: dict[str, float], params: list[str]) -> str:
    """Species (amounts, in a compartment of size 1 marked ``linstab:copies``) and reactions."""
    taken = set(model.variable_names) | set(model.parameter_names) | {r.name for r in model.reactions}
    comp = "cell"
    while comp in taken:
        comp += "_"
    nl = "\n"
    species = []
    for v in model.variable_names:
        attrs = (f'id="{_sid(v)}" compartment="{comp}" hasOnlySubstanceUnits="true" boundaryCondition="false" '
                 'constant="false"')
        if initial.get(v) is not None:
            attrs += f' initialAmount="{float(initial[v])!r}"'
        dom = model.domain.get(v, "real")
        species.append(f"      <species {attrs}/>" if dom == "nonnegative" else
                       f'      <species {attrs}>\n        <annotation><linstab:domain xmlns:linstab="{LINSTAB_NS}" '
                       f'value="{dom}"/></annotation>\n      </species>')

    def refs(kind: str, terms: Any) -> str:
        if not terms:
            return ""
        items = "".join(f'<speciesReference species="{s}" stoichiometry="{int(k)}" constant="true"/>' for s, k in terms)
        return f"<listOf{kind}>{items}</listOf{kind}>"

    reactions = [f'      <reaction id="{_sid(r.name)}" reversible="false">{refs("Reactants", r.reactants)}'
                 f'{refs("Products", r.products)}\n        <kineticLaw>{to_mathml(r.propensity)}</kineticLaw>\n'
                 "      </reaction>" for r in model.reactions]
    return (f'    <listOfCompartments>\n      <compartment id="{comp}" size="1" constant="true" spatialDimensions="3">'
            f'\n        <annotation><linstab:copies xmlns:linstab="{LINSTAB_NS}"/></annotation>\n'
            "      </compartment>\n    </listOfCompartments>\n"
            f"    <listOfSpecies>\n{nl.join(species)}\n    </listOfSpecies>\n"
            + (f"    <listOfParameters>\n{nl.join(params)}\n    </listOfParameters>\n" if params else "")
            + f"    <listOfReactions>\n{nl.join(reactions)}\n    </listOfReactions>\n")


def sbml_string(model: Any) -> str:
    """The SBML Level 3 Version 2 text of ``model`` (see :func:`write_sbml`).

    The text is composed here, so that numbers keep all their digits (``repr`` of a double, which
    reads back to the same double; libsbml's own writer rounds to 15 digits), then read back with
    libsbml, which must find no error in it.
    """
    from xml.sax.saxutils import quoteattr

    libsbml = require("libsbml", extra="sbml")
    domain = model.domain
    initial = dict(model.initial)
    values = model.parameter_values

    def parameter(name: str, value: float | None, constant: bool) -> str:
        attrs = f'id="{_sid(name)}" constant="{str(constant).lower()}"'
        if value is not None:
            attrs += f' value="{float(value)!r}"'
        if domain.get(name, "real") == "real":
            return f"      <parameter {attrs}/>"
        return (f'      <parameter {attrs}>\n        <annotation><linstab:domain xmlns:linstab="{LINSTAB_NS}" '
                f'value="{domain[name]}"/></annotation>\n      </parameter>')

    nl = "\n"
    params = [parameter(p, values.get(p), True) for p in model.parameter_names]
    if model.reactions:  # a reaction network: species counted in copy numbers, reactions with propensities
        body = _network(model, initial, params)
    else:
        params = [parameter(v, initial.get(v), False) for v in model.variable_names] + params
        rules = [f'      <rateRule variable="{v}">\n        {to_mathml(rhs)}\n      </rateRule>'
                 for v, rhs in zip(model.variable_names, model.rhs)]
        body = (f"    <listOfParameters>\n{nl.join(params)}\n    </listOfParameters>\n"
                f"    <listOfRules>\n{nl.join(rules)}\n    </listOfRules>\n")
    model_id = model.name if _SID.fullmatch(model.name) else "model"
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="{model_id}" name={quoteattr(model.title or model.name)}>
{_diffusion(model)}{body}  </model>
</sbml>
"""
    doc = libsbml.readSBMLFromString(text)
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:  # pragma: no cover - a bug of this writer
            raise ValueError(f"write_sbml: the SBML written for {model.name!r} is invalid: line {err.getLine()}: "
                             f"{' '.join(err.getMessage().split())}")
    return text


def write_sbml(model: Any, path: str | os.PathLike) -> Path:
    """Write ``model`` as SBML Level 3 Version 2 (atomically); returns the path.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`, or anything :func:`linstab.load_model` accepts.
    path
        The output file (``.xml``).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from linstab import load_model
    >>> out = write_sbml("toggle_switch", pathlib.Path(tempfile.mkdtemp()) / "toggle.xml")
    >>> load_model(out).rhs == load_model("toggle_switch").rhs
    True
    """
    from linstab._atomic import write_text
    from linstab.model import load_model

    text = sbml_string(load_model(model))
    return write_text(path, text, what="SBML file")
