"""Read an SBML Level 2 or 3 document into a linstab :class:`~linstab.model.Model`.

Semantics follow the SBML Level 3 Version 2 Core specification (Hucka et al. 2019, J. Integr.
Bioinform. 16:20190021), sections 4.6-4.11:

* a species symbol in a formula means its **concentration** (amount / compartment size), or its
  **amount** when ``hasOnlySubstanceUnits`` is true (or its compartment has no size: a
  0-dimensional compartment);
* a kinetic law is a rate in substance per time: a reaction changes the *amount* of a species by
  ``stoichiometry * rate`` (times a conversion factor where one is set);
* rate rules set the time derivative of the symbol's meaning; assignment rules hold at all times
  (they are substituted); initial assignments set values at the start only;
* a quantity no rule or reaction changes keeps its value (a species keeps its *amount*, so its
  concentration follows its compartment's size).

State variables: species changed by reactions or rate rules, and compartments and parameters with
rate rules. A species changed by reactions is its own state (its SBML meaning) when its compartment
size is constant; in a compartment of varying size its amount is the state (``S_amount``) and
``S`` stands for ``S_amount / V``. Everything that no rule or reaction changes becomes a parameter
(with its value at the start); kinetic laws' local parameters become parameters named
``REACTION_LOCAL``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from linstab._errors import ModelError
from linstab._parse import Delay
from linstab._optional import require
from linstab.sbml._math import MathReader
from linstab.sbml._reactions import network_reactions
from linstab.model import DOMAINS

__all__ = ["read_sbml", "MAX_SBML_BYTES", "SUFFIXES"]

#: Largest SBML file read (bytes). Checked before libsbml sees the file: libsbml holds the whole
#: document in memory, several times its size. ``LINSTAB_SBML_MAX_BYTES`` overrides it.
MAX_SBML_BYTES = 20_000_000

#: File name endings read as SBML by :func:`linstab.load_model`.
SUFFIXES = (".xml", ".sbml")

# packages whose presence changes nothing linstab represents
_HARMLESS_PACKAGES = {"l3v2extendedmath"}


@dataclass
class _Quantity:
    """One SBML id during the import."""

    id: str
    kind: str                     # compartment, species, parameter, reference, reaction
    symbol: sp.Symbol             # stands for the SBML meaning of the id
    start: sp.Expr | None = None  # value at the start (declared value or initial assignment)
    rule: sp.Expr | None = None   # assignment rule (or kinetic law of a reaction)
    rate: sp.Expr | None = None   # rate rule


def _max_bytes() -> int:
    raw = os.environ.get("LINSTAB_SBML_MAX_BYTES", "").strip()
    if raw:
        from linstab._limits import parse_bytes

        return parse_bytes(raw, "environment variable LINSTAB_SBML_MAX_BYTES")
    return MAX_SBML_BYTES


def read_sbml(path: str | os.PathLike) -> Any:
    """Import an SBML file as a :class:`~linstab.model.Model`.

    Parameters
    ----------
    path
        An SBML Level 2 or 3 file (``.xml`` or ``.sbml``).

    Returns
    -------
    Model
        With the initial state (:attr:`Model.initial`), the rule-defined quantities
        (:attr:`Model.observables`) and each species' amount and concentration
        (:attr:`Model.species`) as expressions of the state and parameters.

    Raises
    ------
    ModelError
        For a file that is too large, malformed XML or invalid SBML (with libsbml's line number), or
        a construct linstab cannot represent (events, delays, algebraic rules, fast reactions,
        SBML packages), naming the construct and the element's id.

    References
    ----------
    SBML Level 3 Version 2 Core, sections 4.6-4.11 (species, parameters, initial assignments, rules,
    reactions).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "decay.xml"
    >>> _ = p.write_text('''<?xml version="1.0" encoding="UTF-8"?>
    ... <sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
    ...  <model id="decay">
    ...   <listOfCompartments><compartment id="c" size="2" constant="true"/></listOfCompartments>
    ...   <listOfSpecies><species id="S" compartment="c" initialAmount="4" hasOnlySubstanceUnits="false"
    ...     boundaryCondition="false" constant="false"/></listOfSpecies>
    ...   <listOfParameters><parameter id="k" value="0.5" constant="true"/></listOfParameters>
    ...   <listOfReactions><reaction id="R" reversible="false">
    ...    <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
    ...    <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">
    ...     <apply><times/><ci>k</ci><ci>c</ci><ci>S</ci></apply></math></kineticLaw>
    ...   </reaction></listOfReactions>
    ...  </model>
    ... </sbml>''')
    >>> m = read_sbml(p)
    >>> m.rhs, m.initial, m.parameter_values
    ((-S*k,), (('S', 2.0),), {'c': 2.0, 'k': 0.5})
    """
    libsbml = require("libsbml", extra="sbml")
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"SBML file {str(path)!r} does not exist (or is not a file)")
    size, limit = path.stat().st_size, _max_bytes()
    if size > limit:
        raise ModelError(f"{path}: the SBML file is {size:,} bytes; the limit is {limit:,} bytes "
                         "(set LINSTAB_SBML_MAX_BYTES to raise it)")
    doc = libsbml.readSBMLFromFile(str(path))
    _check_packages(doc, path)  # before libsbml's errors: a package's own rules fail first otherwise
    _check_errors(doc, path, libsbml)
    model = doc.getModel()
    if model is None:
        raise ModelError(f"{path}: the SBML document has no <model>")
    return _Importer(model, str(path), libsbml).build(doc)


def _check_packages(doc: Any, path: Path) -> None:
    """Refuse a document that declares an SBML Level 3 package (its namespace on ``<sbml>``)."""
    import re

    ns = doc.getNamespaces()
    uris = [ns.getURI(i) for i in range(ns.getLength())] if ns is not None else []
    used = [m.group(1) for u in uris if (m := re.match(r"http://www\.sbml\.org/sbml/level3/version\d+/([^/]+)/", u))
            and m.group(1) not in _HARMLESS_PACKAGES]
    used += [doc.getUnknownPackagePrefix(i) or doc.getUnknownPackageURI(i)
             for i in range(doc.getNumUnknownPackages())]
    if used:
        raise ModelError(f"{path}: the document uses the SBML package {used[0]!r}, which linstab does not "
                         "support (only SBML Core)")


def _check_errors(doc: Any, path: Path, libsbml: Any) -> None:
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            msg = " ".join(err.getMessage().split())
            raise ModelError(f"{path}: line {err.getLine()}: {msg} (libsbml error {err.getErrorId()})")


class _Importer:
    def __init__(self, model: Any, source: str, libsbml: Any) -> None:
        self.m = model
        self.source = source
        self.L = libsbml
        self.q: dict[str, _Quantity] = {}

    def where(self, kind: str, sid: str) -> str:
        return f"{self.source}: {kind} {sid!r}"

    def unsupported(self, construct: str, kind: str, sid: str, hint: str = "") -> ModelError:
        return ModelError(f"{self.where(kind, sid)}: {construct} cannot be represented in a linstab model "
                          f"(an ODE system dx/dt = f(x; p)){hint}")

    # ------------------------------------------------------------------ checks
    def check_supported(self, doc: Any) -> None:
        m = self.m
        if m.getNumEvents():
            ev = m.getEvent(0)
            raise self.unsupported("an event (a discontinuous change)", "event", ev.getId() or ev.getMetaId()
                                   or "#1")
        for i in range(m.getNumRules()):
            rule = m.getRule(i)
            if rule.isAlgebraic():
                raise self.unsupported("an algebraic rule (a differential-algebraic system)", "algebraic rule",
                                       rule.getMetaId() or rule.getIdAttribute() or f"#{i + 1}")
        for i in range(m.getNumReactions()):
            r = m.getReaction(i)
            if r.isSetFast() and r.getFast():
                raise self.unsupported("a fast reaction (a quasi-steady-state constraint)", "reaction", r.getId())
            if not r.isSetKineticLaw() or r.getKineticLaw().getMath() is None:
                raise ModelError(f"{self.where('reaction', r.getId())}: the reaction has no kinetic law; "
                                 "linstab needs its rate")

    # ------------------------------------------------------------------ symbols
    def add(self, sid: str, kind: str, **assumptions: bool) -> _Quantity:
        if sid in self.q:
            raise ModelError(f"{self.where(kind, sid)}: the id is used twice")
        q = _Quantity(sid, kind, sp.Symbol(sid, **assumptions))
        self.q[sid] = q
        return q

    def unique(self, name: str) -> str:
        while name in self.q or name in self.extra_names:
            name += "_"
        self.extra_names.add(name)
        return name

    def build(self, doc: Any) -> Any:
        from linstab.model import Model

        m = self.m
        self.check_supported(doc)
        self.extra_names: set[str] = set()
        self.zero_d = zero_d = set()
        # compartments linstab's writer made for copy numbers (size 1): no parameter of the model
        self.copies = set()
        for c in m.getListOfCompartments():
            q = self.add(c.getId(), "compartment", positive=True)
            if c.isSetSize():
                q.start = _num(c.getSize())
                if _linstab_child(c, "copies") is not None and c.getConstant() and c.getSize() == 1:
                    self.copies.add(q.symbol)
            if c.isSetSpatialDimensions() and c.getSpatialDimensionsAsDouble() == 0:
                zero_d.add(c.getId())
        for s in m.getListOfSpecies():
            self.add(s.getId(), "species", **DOMAINS[_domain(s, self.where("species", s.getId()), "nonnegative")])
        for p in m.getListOfParameters():
            q = self.add(p.getId(), "parameter", **DOMAINS[_domain(p, self.where("parameter", p.getId()))])
            if p.isSetValue():
                q.start = _num(p.getValue())
        for r in m.getListOfReactions():
            self.add(r.getId(), "reaction", real=True)
            for sr in (*r.getListOfReactants(), *r.getListOfProducts()):
                if sr.isSetId() and sr.getId():
                    q = self.add(sr.getId(), "reference", real=True)
                    if sr.isSetStoichiometry() or m.getLevel() < 3:  # Level 2: 1 unless given
                        q.start = _num(sr.getStoichiometry())

        symbols = {k: q.symbol for k, q in self.q.items()}
        reader = MathReader(symbols)
        for f in m.getListOfFunctionDefinitions():
            reader.functions[f.getId()] = reader.read_lambda(f.getMath(), self.where("function definition",
                                                                                       f.getId()))
        # what each species symbol means: amount (only substance units, or no size) or concentration
        self.amount_meaning = {s.getId(): bool(s.getHasOnlySubstanceUnits()) or s.getCompartment() in zero_d
                               for s in m.getListOfSpecies()}
        self.compartment_of = {s.getId(): s.getCompartment() for s in m.getListOfSpecies()}
        for s in m.getListOfSpecies():
            sid, c = s.getId(), self.q[s.getCompartment()].symbol
            if s.isSetInitialAmount():
                amount = _num(s.getInitialAmount())
                self.q[sid].start = amount if self.amount_meaning[sid] else amount / c
            elif s.isSetInitialConcentration():
                conc = _num(s.getInitialConcentration())
                self.q[sid].start = conc * c if self.amount_meaning[sid] else conc

        for ia in m.getListOfInitialAssignments():
            sid = ia.getSymbol()
            if sid not in self.q:
                raise ModelError(f"{self.where('initial assignment', sid)}: no such compartment, species, "
                                 "parameter or species reference")
            self.q[sid].start = reader.read(ia.getMath(), self.where("initial assignment for", sid))
        for rule in m.getListOfRules():
            sid = rule.getVariable()
            if sid not in self.q:
                raise ModelError(f"{self.where('rule', sid)}: no such compartment, species, parameter or "
                                 "species reference")
            expr = reader.read(rule.getMath(), self.where("rule for", sid))
            if rule.isRate():
                self.q[sid].rate = expr
            else:
                self.q[sid].rule = expr
        # kinetic laws: local parameters become parameters REACTION_LOCAL
        local_params: dict[str, tuple[sp.Symbol, float | None]] = {}
        for r in m.getListOfReactions():
            kl = r.getKineticLaw()
            local = {}
            for lp in kl.getListOfLocalParameters() if m.getLevel() > 2 else kl.getListOfParameters():
                name = self.unique(f"{r.getId()}_{lp.getId()}")
                sym = sp.Symbol(name, real=True)
                local[lp.getId()] = sym
                local_params[name] = (sym, float(lp.getValue()) if lp.isSetValue() else None)
            self.q[r.getId()].rule = reader.read(kl.getMath(), self.where("kinetic law of reaction", r.getId()),
                                                 local=local)
        return self.assemble(reader, local_params, Model)

    # ------------------------------------------------------------------ equations
    def stoichiometry(self, sr: Any, reader: MathReader, rid: str) -> sp.Expr:
        if sr.isSetId() and sr.getId():
            return self.q[sr.getId()].symbol
        if self.m.getLevel() == 2 and sr.isSetStoichiometryMath():
            return reader.read(sr.getStoichiometryMath().getMath(), self.where("stoichiometryMath in reaction",
                                                                                 rid))
        return _num(sr.getStoichiometry()) if sr.isSetStoichiometry() else sp.Integer(1)

    def assemble(self, reader: MathReader, local_params: Mapping[str, tuple[sp.Symbol, float | None]],
                 Model: Any) -> Any:
        m, q = self.m, self.q
        # changes of each species' amount by reactions, in substance per time
        flux: dict[str, sp.Expr] = {}
        model_cf = m.getConversionFactor() if m.isSetConversionFactor() else ""
        for r in m.getListOfReactions():
            rate = q[r.getId()].symbol
            for sign, refs in ((-1, r.getListOfReactants()), (1, r.getListOfProducts())):
                for sr in refs:
                    sid = sr.getSpecies()
                    if sid not in q or q[sid].kind != "species":
                        raise ModelError(f"{self.where('reaction', r.getId())}: no species {sid!r}")
                    s = m.getSpecies(sid)
                    if s.getBoundaryCondition() or s.getConstant():
                        continue
                    if q[sid].rule is not None or q[sid].rate is not None:
                        raise ModelError(f"{self.where('species', sid)}: changed both by a rule and by reaction "
                                         f"{r.getId()!r} (SBML allows this only for boundary species)")
                    cf = s.getConversionFactor() if s.isSetConversionFactor() else model_cf
                    term = sign * self.stoichiometry(sr, reader, r.getId()) * rate
                    if cf:
                        term = term * q[cf].symbol
                    flux[sid] = flux.get(sid, sp.S.Zero) + term

        varying = {k for k, v in q.items() if v.kind == "compartment" and (v.rule is not None or v.rate is not None)}
        # the state variables and what each symbol stands for
        states: list[tuple[sp.Symbol, sp.Expr, str]] = []  # (state symbol, derivative, id)
        define: dict[sp.Symbol, sp.Expr] = {}  # meaning symbol -> expression of other symbols
        amount_state: dict[str, sp.Symbol] = {}
        for s in m.getListOfSpecies():
            sid = s.getId()
            qs = q[sid]
            c = q[self.compartment_of[sid]].symbol
            if qs.rule is not None:
                define[qs.symbol] = qs.rule
            elif qs.rate is not None:
                states.append((qs.symbol, qs.rate, sid))
            elif sid in flux and not self.amount_meaning[sid] and self.compartment_of[sid] in varying:
                n = sp.Symbol(self.unique(f"{sid}_amount"), nonnegative=True)
                amount_state[sid] = n
                states.append((n, flux[sid], sid))
                define[qs.symbol] = n / c
            elif sid in flux:
                dxdt = flux[sid] if self.amount_meaning[sid] else sp.Add(*(t / c for t in sp.Add.make_args(flux[sid])))
                states.append((qs.symbol, dxdt, sid))
            elif not self.amount_meaning[sid] and self.compartment_of[sid] in varying:
                # no reaction or rule changes it: its amount stays, its concentration follows the size
                n = sp.Symbol(self.unique(f"{sid}_amount"), nonnegative=True)
                amount_state[sid] = n
                define[qs.symbol] = n / c
        for rule in m.getListOfRules():
            sid = rule.getVariable()
            if q[sid].kind != "species" and rule.isRate():
                states.append((q[sid].symbol, q[sid].rate, sid))
            elif q[sid].kind != "species":
                define[q[sid].symbol] = q[sid].rule
        for k, v in q.items():
            if v.kind == "reaction":
                define[v.symbol] = v.rule
        resolve = _Resolver(define, self.source)

        state_syms = [s for s, _, _ in states]
        rhs = tuple(resolve(d) for _, d, _ in states)

        # values at the start, in the meaning of each symbol
        start_env = _StartValues(q, self.compartment_of, self.source)
        params: list[sp.Symbol] = []
        values: list[tuple[str, float | None]] = []
        taken = set(state_syms) | set(define)
        for k, v in q.items():
            if v.symbol in taken or v.kind == "reaction":
                continue
            params.append(v.symbol)
            values.append((k, start_env.value(k)))
        for sid, n in amount_state.items():
            if n not in state_syms:
                params.append(n)
                values.append((n.name, start_env.amount(sid)))
        for name, (sym, val) in local_params.items():
            params.append(sym)
            values.append((name, val))
        initial = []
        for sym, _, sid in states:
            initial.append((sym.name, start_env.amount(sid) if sym in amount_state.values() else start_env.value(sid)))

        observables = tuple((k, resolve(v.symbol)) for k, v in q.items()
                            if v.symbol in define and v.kind != "reaction")
        species = []
        for s in m.getListOfSpecies():
            sid = s.getId()
            meaning, c = resolve(q[sid].symbol), resolve(q[self.compartment_of[sid]].symbol)
            if sid in amount_state:
                amount = amount_state[sid]
            else:
                amount = meaning if self.amount_meaning[sid] else meaning * c
            conc = meaning if not self.amount_meaning[sid] else (
                sp.nan if self.compartment_of[sid] in self.zero_d else amount / c)
            species.append((sid, amount, conc))
        # a quantity without a value that no equation uses (a 0-dimensional compartment's size) is left out
        used = set().union(*(e.free_symbols for e in rhs), *(e.free_symbols for _, e in observables),
                           *(a.free_symbols for _, a, _ in species))
        # so is a copy-number compartment that no equation uses (its species' concentrations are amounts)
        used_by_equations = set().union(*(e.free_symbols for e in rhs), *(e.free_symbols for _, e in observables))
        dropped = {c: sp.Integer(1) for c in self.copies if c not in used_by_equations}
        species = [(sid, a.xreplace(dropped), conc.xreplace(dropped)) for sid, a, conc in species]
        keep = [i for i, (p, (_, v)) in enumerate(zip(params, values))
                if (v is not None or p in used) and p not in dropped]
        params, values = [params[i] for i in keep], [values[i] for i in keep]
        if any(e.has(Delay) for e in rhs):
            value_of = {p: v for p, (_, v) in zip(params, values)}
            rhs = tuple(_delayed_states(e, state_syms, value_of, f"{self.source}: the equation of {s.name!r}")
                        for s, e in zip(state_syms, rhs))
            observables = tuple((k, _delayed_states(e, state_syms, value_of, f"{self.source}: {k!r}"))
                                for k, e in observables)
            network = ()  # a reaction network's propensities hold no delays (the noise analyses refuse them)
        else:
            network = network_reactions(self, resolve, states)
        allowed = set(state_syms) | set(params)
        for sym, expr in zip(state_syms, rhs):
            bad = expr.free_symbols - allowed
            if bad:
                raise ModelError(f"{self.source}: the equation of {sym.name!r} depends on "
                                 f"{', '.join(sorted(b.name for b in bad))}, which has no value")
        domains = [(s.name, "nonnegative" if s.is_nonnegative and not s.is_positive else
                    ("positive" if s.is_positive else "real")) for s in (*state_syms, *params)]
        name = m.getId() or Path(self.source).stem
        diffusion = _read_diffusion(m, state_syms, params, values, self.source)
        return Model(name=name, diffusion=diffusion, variables=tuple(state_syms), parameters=tuple(params), rhs=rhs,
                     values=tuple(values), domains=tuple(domains), title=m.getName() or "",
                     source=self.source, initial=tuple(initial), observables=observables,
                     species=tuple(species), reactions=network)


def _delayed_states(expr: sp.Expr, states: list[sp.Symbol], values: Mapping[sp.Symbol, float | None],
                    where: str) -> sp.Expr:
    """``expr`` with each SBML ``delay(g, tau)`` written as ``g`` of the delayed states.

    ``delay(g, tau)`` is ``g`` at time ``t - tau``; when ``g`` depends on states and constant
    parameters only, that is ``g(x1(t - tau), ...)``, the form linstab's delay analyses read. The
    delay must be a constant parameter with a value >= 0."""
    def pull(d: sp.Basic) -> sp.Expr:
        g, tau = d.args
        if g.has(Delay):
            raise ModelError(f"{where}: delay() nested in delay() is not supported; write one delay whose "
                             "length is the sum")
        if not (isinstance(tau, sp.Symbol) and tau in values):
            raise ModelError(f"{where}: the delay of {sp.sstr(d)[:80]} is {sp.sstr(tau)[:40]!r}, not a constant "
                             "parameter; linstab reads delays that are parameters (declare tau as a constant "
                             "<parameter> and write delay(x, tau))")
        if values[tau] is not None and values[tau] < 0:
            raise ModelError(f"{where}: the delay {tau.name} = {values[tau]} is negative; a delay must be >= 0")
        bad = g.free_symbols - set(states) - set(values)
        if bad:
            raise ModelError(f"{where}: delay() of {sp.sstr(g)[:60]} depends on {', '.join(sorted(map(str, bad)))}, "
                             "which is no state or constant parameter")
        return g.xreplace({x: Delay(x, tau) for x in g.free_symbols & set(states)})

    return expr.replace(lambda e: isinstance(e, Delay), pull)


class _Resolver:
    """Substitutes defined symbols (assignment rules, reaction rates, amount/size) until none is left."""

    def __init__(self, define: Mapping[sp.Symbol, sp.Expr], source: str) -> None:
        self.define = define
        self.source = source
        self.done: dict[sp.Symbol, sp.Expr] = {}
        self.active: set[sp.Symbol] = set()

    def __call__(self, expr: sp.Expr) -> sp.Expr:
        subs = {}
        for s in expr.free_symbols:
            if s in self.define:
                subs[s] = self.symbol(s)
        return expr.xreplace(subs) if subs else expr

    def symbol(self, s: sp.Symbol) -> sp.Expr:
        if s in self.done:
            return self.done[s]
        if s in self.active:
            raise ModelError(f"{self.source}: the assignment rules of {s.name!r} form a cycle (SBML forbids this)")
        self.active.add(s)
        out = self(self.define[s])
        self.active.discard(s)
        self.done[s] = out
        return out


class _StartValues:
    """Values of every id at the start: initial assignments, assignment rules and declared values."""

    def __init__(self, q: Mapping[str, _Quantity], compartment_of: Mapping[str, str], source: str) -> None:
        self.q = q
        self.compartment_of = compartment_of
        self.by_symbol = {v.symbol: k for k, v in q.items()}
        self.source = source
        self.cache: dict[str, float | None] = {}
        self.active: set[str] = set()

    def expr(self, sid: str) -> sp.Expr | None:
        v = self.q[sid]
        if v.rule is not None:  # an assignment rule holds at the start too (and a reaction's rate)
            return v.rule
        return v.start

    def value(self, sid: str) -> float | None:
        if sid in self.cache:
            return self.cache[sid]
        if sid in self.active:
            raise ModelError(f"{self.source}: the initial values of {sid!r} depend on themselves (a cycle of "
                             "initial assignments and rules)")
        expr = self.expr(sid)
        if expr is None:
            self.cache[sid] = None
            return None
        self.active.add(sid)
        subs = {}
        for s in expr.free_symbols:
            dep = self.by_symbol.get(s)
            val = self.value(dep) if dep is not None else None
            if val is None:
                self.active.discard(sid)
                self.cache[sid] = None
                return None
            subs[s] = sp.Float(val) if val == val else sp.nan
        self.active.discard(sid)
        try:
            out = sp.sympify(expr).xreplace(subs)
            if isinstance(out, sp.logic.boolalg.Boolean):  # true/false read as 1/0 (SBML L3V2 3.4.11)
                out = sp.S.One if bool(out) else sp.S.Zero
            out = complex(out.evalf())
            result = out.real if out.imag == 0 else float("nan")
        except (TypeError, ValueError):
            result = float("nan")
        self.cache[sid] = result
        return result

    def amount(self, sid: str) -> float | None:
        """A species' amount at the start (its meaning times its compartment's size if a concentration)."""
        val = self.value(sid)
        c = self.compartment(sid)
        return None if val is None or c is None else val * c

    def compartment(self, sid: str) -> float | None:
        return self.value(self.compartment_of[sid])


def _linstab_child(element: Any, name: str) -> Any:
    """The ``linstab:NAME`` element of ``element``'s annotation (written by :func:`linstab.write_sbml`), or ``None``."""
    from linstab.sbml._write import LINSTAB_NS

    ann = element.getAnnotation()
    for i in range(ann.getNumChildren() if ann is not None else 0):
        child = ann.getChild(i)
        if child.getURI() == LINSTAB_NS and child.getName() == name:
            return child
    return None


def _domain(element: Any, where: str, default: str = "real") -> str:
    """The domain a ``linstab:domain`` annotation declares, else ``default``."""
    child = _linstab_child(element, "domain")
    if child is None:
        return default
    value = child.getAttrValue("value")
    if value not in DOMAINS:
        raise ModelError(f"{where}: linstab:domain {value!r} is none of {', '.join(DOMAINS)}")
    return value


def _read_diffusion(m: Any, states: list[sp.Symbol], params: list[sp.Symbol], values: list[tuple[str, Any]],
                    source: str) -> tuple[tuple[str, sp.Expr], ...]:
    """The model's ``linstab:diffusion`` annotation as a ``[diffusion]`` table (read by the safe parser)."""
    from linstab._diffusion import parse_diffusion

    child = _linstab_child(m, "diffusion")
    if child is None:
        return ()
    table = {}
    for i in range(child.getNumChildren()):
        row = child.getChild(i)
        if row.isElement() and row.getName() == "coefficient":
            table[row.getAttrValue("species")] = row.getAttrValue("value")
    numbers = {name: (None if v is None else float(v)) for name, v in values}
    return parse_diffusion(table, variables={s.name: s for s in states}, parameters={p.name: p for p in params},
                           values={p.name: numbers.get(p.name) for p in params},
                           where=f"{source}: linstab:diffusion")


def _num(value: float) -> sp.Expr:
    """An SBML number: an integer stays exact, anything else is a Float."""
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return sp.Integer(int(value))
    return sp.Float(repr(value))
