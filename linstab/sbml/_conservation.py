"""Conservation laws of ``dx/dt = f(x; p)`` and the reduced model with the totals as parameters.

A conservation law is a constant vector ``c`` with ``c · f(x; p) ≡ 0``: then ``c · x`` stays at its
initial total. For a reaction network ``f = N v(x)``, the laws are the left null space of the
stoichiometry matrix ``N`` (Reder 1988, J. Theor. Biol. 135:175; Sauro & Ingalls 2004, Biophys.
Chem. 109:1). Here they are found from the right-hand sides themselves, which covers reaction
networks and plain ODE models alike: each ``f_i`` is expanded into a sum of terms ``a_ik(p) t_k(x)``
(``a`` free of the state, ``t`` distinct products of state-dependent factors); ``c`` is then a left
null vector of the matrix ``A = (a_ik)``, computed exactly (rationals, or rational functions of the
parameters) with SymPy's ``DomainMatrix`` (nullspace and reduced row echelon form over the
rationals or the field of rational functions of the parameters). For a network with rates ``v_k`` the terms are the
rates, so ``A`` is ``N`` (scaled by compartment sizes): its left null space is the one of ``N``.
Where the coefficients would hold more than 12 parameters (a large network: elimination over
rational functions of thousands of rate constants is hopeless), terms are instead told apart by
their parameters too, which leaves ``N`` itself over the rationals. Every
law found is exact (it is checked: ``c · f`` simplifies to 0); laws hidden behind terms that are
linearly dependent functions without looking alike are not found.

Each law makes the Jacobian singular: ``c · f ≡ 0`` gives ``c^T J ≡ 0``. In the coordinates
(independent variables, totals) the Jacobian is block triangular with a zero block for the totals,
so the eigenvalues of the full model are those of the reduced one plus one zero per law, at every
state (Heinrich & Schuster 1996, The Regulation of Cellular Systems, sec. 3.1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

__all__ = ["ConservationLaw", "conservation_laws", "reduce_model", "require_isolated"]


@dataclass(frozen=True)
class ConservationLaw:
    """``Σ coefficients[v] * v = total`` along every solution.

    Attributes
    ----------
    coefficients
        ``(variable, coefficient)`` pairs (SymPy numbers or expressions of the parameters).
    total
        The symbol standing for the total (a parameter of the reduced model).
    eliminated
        The variable the reduced model expresses through the law.
    """

    coefficients: tuple[tuple[str, sp.Expr], ...]
    total: sp.Symbol
    eliminated: str

    @property
    def expr(self) -> sp.Expr:
        """``Σ c_i x_i`` as an expression of plain symbols."""
        return sp.Add(*(c * sp.Symbol(v) for v, c in self.coefficients))

    def __str__(self) -> str:
        return f"{sp.sstr(self.expr)} = {self.total.name}"


#: Most parameters the coefficients may hold for elimination over the field QQ(p); beyond, terms are
#: split by their parameters too (exact over QQ, and the stoichiometric laws of a network).
_MAX_FIELD_SYMBOLS = 12


def _terms(expr: sp.Expr, variables: set[sp.Symbol], *, fine: bool = False) -> dict[sp.Expr, sp.Expr]:
    """``expr`` as ``{t_k: a_k}``: ``a_k`` free of the variables, ``t_k`` state-dependent products
    (with ``fine``, ``a_k`` is the rational coefficient only and ``t_k`` keeps the parameters)."""
    out: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        if fine:
            coeff, key = term.as_coeff_Mul()
        else:
            parts, state = [], []
            for factor in sp.Mul.make_args(term):
                (state if factor.free_symbols & variables else parts).append(factor)
            coeff, key = sp.Mul(*parts), sp.Mul(*state)
        out[key] = out.get(key, sp.S.Zero) + coeff
    return out


def _columns(rows: list[dict[sp.Expr, sp.Expr]]) -> dict[int, dict[int, sp.Expr]]:
    """The transposed term matrix ``A^T`` as ``{term: {equation: coefficient}}`` (nonzeros only).

    Scaling a column of ``A`` by a nonzero factor keeps its left null space: each column is divided
    by its first entry, so that a factor shared by a column's entries (a rate constant) cancels.
    """
    keys: dict[sp.Expr, int] = {}
    AT: dict[int, dict[int, sp.Expr]] = {}
    for i, r in enumerate(rows):
        for k, a in r.items():
            if a != 0:
                AT.setdefault(keys.setdefault(k, len(keys)), {})[i] = a
    for j, col in AT.items():
        first = next(iter(col.values()))
        AT[j] = {i: sp.cancel(a / first) for i, a in col.items()}
    return AT


def conservation_laws(model: Any) -> list[ConservationLaw]:
    """The independent conservation laws of ``model`` (see the module docstring).

    Parameters
    ----------
    model
        A :class:`~linstab.Model`, or anything :func:`linstab.load_model` accepts.

    Returns
    -------
    list of ConservationLaw
        One per independent law, each eliminating a different variable (empty if there are none).

    References
    ----------
    Reder 1988; Sauro & Ingalls 2004; Heinrich & Schuster 1996, sec. 3.1.

    Examples
    --------
    >>> from linstab import Model
    >>> m = Model.from_dict({"name": "swap", "equations": {"x": "y - x", "y": "x - y"}})
    >>> [str(law) for law in conservation_laws(m)]
    ['x + y = total_y']
    """
    from linstab.model import load_model

    model = load_model(model)
    if model.n_vars == 0:
        return []
    variables = set(model.variables)
    from sympy.polys.matrices import DomainMatrix

    AT = _columns([_terms(f, variables) for f in model.rhs])
    symbols = set().union(*(a.free_symbols for col in AT.values() for a in col.values()))
    if len(symbols) > _MAX_FIELD_SYMBOLS:
        # too many parameters for exact elimination over QQ(p): split the terms finer, by everything
        # but their rational coefficient (a reaction's rate is then one column: the stoichiometry)
        AT = _columns([_terms(f, variables, fine=True) for f in model.rhs])
    if not AT:  # every f_i is 0: each variable is conserved on its own
        basis = DomainMatrix.eye(model.n_vars, sp.QQ)
    else:
        basis = DomainMatrix.from_dict_sympy(max(AT) + 1, model.n_vars, AT).to_field().nullspace()
    if basis.shape[0] == 0:
        return []
    # one law per row; reduced row echelon form on the reversed columns, so that each law eliminates
    # a variable as late in the model's order as possible (the first variables stay independent)
    n = model.n_vars
    reduced, pivots = basis.to_Matrix()[:, ::-1].to_DM().to_field().rref()
    C, pivots = reduced.to_Matrix()[:, ::-1], [n - 1 - p for p in pivots]
    names = model.variable_names
    taken = {s.name for s in (*model.variables, *model.parameters)}
    laws = []
    for row, pivot in sorted(enumerate(pivots), key=lambda rp: rp[1]):
        coeffs = [c if c.is_Rational else sp.simplify(c) for c in C.row(row)]
        if any(c.free_symbols for c in coeffs):
            # coefficients that depend on the parameters, in factored form (readable)
            coeffs = [sp.factor(c) for c in coeffs]
        check = sp.expand(sum(c * f for c, f in zip(coeffs, model.rhs) if c != 0))
        check = check if check == 0 else sp.simplify(check)
        if check != 0:  # pragma: no cover - nullspace guarantees it; kept as a guard
            raise ArithmeticError(f"conservation_laws: {coeffs} is not a conservation law of {model.name!r}")
        total = f"total_{names[pivot]}"
        while total in taken:
            total += "_"
        taken.add(total)
        laws.append(ConservationLaw(
            coefficients=tuple((names[i], c) for i, c in enumerate(coeffs) if c != 0),
            total=sp.Symbol(total, real=True), eliminated=names[pivot]))
    return laws


def reduce_model(model: Any, laws: list[ConservationLaw] | None = None) -> Any:
    """The model on its independent variables, with each law's total as a parameter.

    Each law eliminates one variable: ``x_e = (T - Σ_{i≠e} c_i x_i) / c_e``. The totals' values are
    taken from the model's initial state where it has one (else they are unset, like a parameter
    without a value). The eliminated variables stay available as :attr:`Model.observables`.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`, or anything :func:`linstab.load_model` accepts.
    laws
        The laws to use; by default :func:`conservation_laws` of the model.

    Returns
    -------
    Model

    Examples
    --------
    >>> from linstab import Model
    >>> m = Model.from_dict({"name": "swap", "equations": {"x": "y - x", "y": "x - y"}})
    >>> r = reduce_model(m)
    >>> r.variable_names, r.rhs, r.parameter_names
    (('x',), (total_y - 2*x,), ('total_y',))
    """
    from linstab.model import load_model

    model = load_model(model)
    laws = conservation_laws(model) if laws is None else laws
    if not laws:
        return model
    sym = {v.name: v for v in model.variables}
    initial = dict(model.initial)
    elim: dict[sp.Symbol, sp.Expr] = {}
    totals, values, domains = [], [], []
    for law in laws:
        coeff = dict(law.coefficients)
        e = sym[law.eliminated]
        elim[e] = (law.total - sum(c * sym[v] for v, c in coeff.items() if v != law.eliminated)) / coeff[law.eliminated]
        totals.append(law.total)
        start = [initial.get(v) for v in coeff]
        value = None
        if all(s is not None for s in start):
            expr = sum(c * s for c, s in zip(coeff.values(), start))
            expr = sp.sympify(expr).subs({p: v for p, v in zip(model.parameters, (x for _, x in model.values))
                                          if v is not None})
            value = float(expr) if not expr.free_symbols else None
        values.append((law.total.name, value))
        domains.append((law.total.name, "real"))
    # the eliminated variables appear in the other laws' expressions only through their own law: resolve
    for _ in range(len(elim)):
        elim = {k: v.xreplace(elim) for k, v in elim.items()}
    keep = [i for i, v in enumerate(model.variables) if v not in elim]
    rhs = tuple(model.rhs[i].xreplace(elim) for i in keep)
    dom = model.domain
    observables = tuple((k, v.xreplace(elim)) for k, v in model.observables)
    observables += tuple((e.name, expr) for e, expr in elim.items())
    species = tuple((n, a.xreplace(elim), c.xreplace(elim)) for n, a, c in model.species)
    return replace(
        model, variables=tuple(model.variables[i] for i in keep), rhs=rhs,
        parameters=(*model.parameters, *totals), values=(*model.values, *values),
        domains=(*((v.name, dom[v.name]) for v in (model.variables[i] for i in keep)),
                 *((p.name, dom[p.name]) for p in model.parameters), *domains),
        initial=tuple((k, v) for k, v in model.initial if k not in {e.name for e in elim}),
        observables=observables, species=species)


def require_isolated(model: Any, what: str) -> None:
    """Raise :class:`~linstab.AnalysisError` if ``model`` has conservation laws.

    With a conservation law the fixed points are not isolated (they form a family, one dimension
    per law) and the Jacobian is singular everywhere: stability maps would count samples of the
    family as fixed points and label them by round-off, and every point would look like a fold.
    The reduced model (:func:`reduce_model`) has isolated fixed points.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`.
    what
        The analysis refused, for the message (``"a stability map"``).

    Examples
    --------
    >>> from linstab import Model
    >>> require_isolated(Model.from_dict({"name": "decay", "equations": {"x": "-x"}}), "a map")
    """
    from linstab._errors import AnalysisError

    if model.delays:  # delay models have their own routes and refusals
        return
    key = "conservation_laws"
    if key not in model._cache:
        model._cache[key] = conservation_laws(model)
    laws = model._cache[key]
    if laws:
        raise AnalysisError(
            f"model {model.name!r} conserves {'; '.join(str(law) for law in laws)}: its fixed points are not "
            f"isolated (a family of them) and its Jacobian is singular everywhere, so {what} of the full model "
            "would be meaningless; analyse the reduced model, linstab.sbml.reduce_model(model), with each total "
            "as a parameter (linstab analyze does so)")
