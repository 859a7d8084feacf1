"""Reaction networks in model files: the ``[reactions]`` table.

A reaction network is a list of reactions ``j``, each with reactant and product stoichiometries
and a propensity ``a_j(x; p)``. Its rate equations are ``dx/dt = S a(x)``, with the
stoichiometric matrix ``S[i, j] = products_ij − reactants_ij`` (van Kampen 2007, ch. X), so a
model given by reactions has the right-hand side of any other model and every analysis applies
unchanged; the reactions are kept for the noise analysis (:func:`linstab.analysis.linear_noise`,
:func:`linstab.num.gillespie`).

TOML layout (the species are the ``[variables]``, which a reaction network must list)::

    [variables]
    m = {}                   # species; domain "nonnegative" unless declared
    p = {}
    [reactions]
    transcription = { products = { m = 1 }, propensity = "k_m" }
    mrna_decay    = { reactants = { m = 1 }, propensity = "g_m*m" }
    translation   = { reactants = { m = 1 }, products = { m = 1, p = 1 }, propensity = "k_p*m" }
    protein_decay = { reactants = { p = 1 }, propensity = "g_p*p" }

``reactants``/``products`` map species to positive integers (a list of names counts each name
once per mention: ``["A", "A", "B"]`` is ``{A = 2, B = 1}``). Each propensity is parsed by
:func:`linstab._parse.parse_expr`, which executes nothing.

References
----------
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed., Elsevier (2007),
ch. X (the Ω expansion).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from linstab._errors import ModelError
from linstab._parse import parse_expr

__all__ = ["Reaction", "parse_reactions", "reaction_rhs", "MAX_STOICHIOMETRY"]

#: Largest stoichiometric coefficient accepted.
MAX_STOICHIOMETRY = 1000
_KEYS = {"reactants", "products", "propensity", "description"}


@dataclass(frozen=True)
class Reaction:
    """One reaction of a network.

    Attributes
    ----------
    name
        The reaction's key in the ``[reactions]`` table.
    reactants
        ``(species, count)`` pairs consumed.
    products
        ``(species, count)`` pairs produced.
    propensity
        The rate ``a(x; p)`` (events per unit time, in the model's units).

    Examples
    --------
    >>> x, k = sp.symbols("x k")
    >>> r = Reaction("decay", (("x", 1),), (), k * x)
    >>> r.change(("x",)), str(r)
    ((-1,), 'decay: x -> ∅ at rate k*x')
    """

    name: str
    reactants: tuple[tuple[str, int], ...]
    products: tuple[tuple[str, int], ...]
    propensity: sp.Expr

    def change(self, species: Sequence[str]) -> tuple[int, ...]:
        """The net change of each species when the reaction fires (a column of ``S``)."""
        net = dict.fromkeys(species, 0)
        for name, k in self.products:
            net[name] += k
        for name, k in self.reactants:
            net[name] -= k
        return tuple(net[s] for s in species)

    def __str__(self) -> str:
        def side(terms: tuple[tuple[str, int], ...]) -> str:
            return " + ".join(f"{k} {s}" if k != 1 else s for s, k in terms) or "∅"

        return f"{self.name}: {side(self.reactants)} -> {side(self.products)} at rate {self.propensity}"


def _stoichiometry(value: Any, species: Sequence[str], where: str) -> tuple[tuple[str, int], ...]:
    if isinstance(value, str):
        raise ModelError(f"{where}: expected a table such as {{ A = 1, B = 2 }} or a list of species names, got "
                         f"the string {value!r}")
    if isinstance(value, Sequence):
        counts: dict[str, Any] = {}
        for item in value:
            if not isinstance(item, str):
                raise ModelError(f"{where}: a list of species must hold names, got {item!r}")
            counts[item] = counts.get(item, 0) + 1
        value = counts
    if not isinstance(value, Mapping):
        raise ModelError(f"{where}: expected a table such as {{ A = 1, B = 2 }}, got {type(value).__name__}")
    out = []
    for name, count in value.items():
        if name not in species:
            raise ModelError(f"{where}: unknown species {name!r}; the species are the [variables]: "
                             f"{', '.join(species)} (declare it there, or fix the name)")
        if isinstance(count, bool) or not isinstance(count, (int, float)) or not math.isfinite(count) \
                or count != int(count) or not 1 <= count <= MAX_STOICHIOMETRY:
            raise ModelError(f"{where}: the stoichiometry of {name!r} must be a whole number from 1 to "
                             f"{MAX_STOICHIOMETRY}, got {count!r}")
        out.append((name, int(count)))
    return tuple(out)


def parse_reactions(table: Any, species: Sequence[str], symbols: Mapping[str, sp.Symbol], *,
                    where: str = "[reactions]") -> tuple[Reaction, ...]:
    """The reactions of a ``[reactions]`` table, each checked.

    Parameters
    ----------
    table
        Mapping of reaction name to ``{reactants, products, propensity}``.
    species
        Names of the species (the model's variables), in order.
    symbols
        Every symbol a propensity may use, by name.
    where
        Prefix of error messages.

    Returns
    -------
    tuple of Reaction

    Raises
    ------
    ModelError
        For an unknown species, a malformed stoichiometry, a missing or unsafe propensity.

    Examples
    --------
    >>> syms = {n: sp.Symbol(n) for n in ("x", "k", "g")}
    >>> rs = parse_reactions({"birth": {"products": {"x": 1}, "propensity": "k"},
    ...                       "death": {"reactants": ["x"], "propensity": "g*x"}}, ["x"], syms)
    >>> reaction_rhs(rs, ["x"])
    [-g*x + k]
    """
    if not isinstance(table, Mapping):
        raise ModelError(f"{where}: must be a table of reactions, got {type(table).__name__}")
    if not table:
        raise ModelError(f"{where}: the table is empty; add at least one reaction")
    out = []
    for name, spec in table.items():
        rwhere = f"{where} {name}"
        if not isinstance(spec, Mapping):
            raise ModelError(f"{rwhere}: expected a table such as {{ reactants = {{ A = 1 }}, products = {{ B = 1 }}, "
                             f"propensity = \"k*A\" }}, got {type(spec).__name__}")
        extra = set(spec) - _KEYS
        if extra:
            raise ModelError(f"{rwhere}: unknown key(s) {', '.join(sorted(map(str, extra)))}; expected reactants, "
                             "products, propensity")
        if "propensity" not in spec:
            raise ModelError(f"{rwhere}: no propensity; add e.g. propensity = \"k*A\" (events per unit time)")
        reactants = _stoichiometry(spec.get("reactants", {}), species, f"{rwhere}: reactants")
        products = _stoichiometry(spec.get("products", {}), species, f"{rwhere}: products")
        if not reactants and not products:
            raise ModelError(f"{rwhere}: neither reactants nor products; a reaction must change some species")
        text = spec["propensity"]
        if isinstance(text, sp.Basic):
            unknown = {s.name for s in text.free_symbols} - set(symbols)
            if unknown:
                raise ModelError(f"{rwhere}: propensity: unknown symbol(s) {', '.join(sorted(unknown))}")
            expr = text.xreplace({s: symbols[s.name] for s in text.free_symbols})
        elif isinstance(text, (int, float)) and not isinstance(text, bool):
            expr = sp.Float(text) if isinstance(text, float) else sp.Integer(text)
        elif isinstance(text, str):
            expr = parse_expr(text, symbols, where=f"{rwhere}: propensity")
        else:
            raise ModelError(f"{rwhere}: propensity must be an expression string, got {type(text).__name__}")
        if not isinstance(expr, sp.Expr) or expr.is_Boolean:
            raise ModelError(f"{rwhere}: propensity must be an algebraic expression, got {expr!r}")
        if expr.is_number and expr.is_negative:
            raise ModelError(f"{rwhere}: propensity is the negative constant {expr}; a propensity is a rate of "
                             "events and cannot be negative (reverse the reaction instead)")
        out.append(Reaction(str(name), reactants, products, expr))
    return tuple(out)


def reaction_rhs(reactions: Sequence[Reaction], species: Sequence[str]) -> list[sp.Expr]:
    """The rate equations ``f = S a(x)``, one expression per species."""
    rhs = [sp.Integer(0)] * len(species)
    for r in reactions:
        for i, c in enumerate(r.change(species)):
            if c:
                rhs[i] = rhs[i] + c * r.propensity
    return rhs
