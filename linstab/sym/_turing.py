"""Turing (diffusion-driven) instability: the dispersion relation and its closed forms.

A reaction–diffusion system ``∂u/∂t = f(u; p) + D ∇²u`` (``D = diag(d_1, ..., d_n)``) linearised
at a homogeneous steady state ``u*`` and written in Fourier modes ``e^{λt + ikx}`` gives the
**dispersion relation**: ``λ(k)`` are the eigenvalues of ``J − k² D``, the roots of
``det(λI − J + k² D) = 0``, a polynomial in ``λ`` whose coefficients are polynomials in ``k²``.
A Turing instability is a steady state that is stable without diffusion (``k = 0``) and unstable
to some mode ``k > 0``.

For two species (``J = [[f_u, f_v], [g_u, g_v]]``, ``D = diag(d_u, d_v)``) the dispersion relation
is ``λ² − tr(J − k²D) λ + h(k²) = 0`` with ``h(k²) = d_u d_v k⁴ − (d_v f_u + d_u g_v) k² + det J``.
Since ``tr(J − k²D) < tr J < 0``, a mode grows exactly when ``h(k²) < 0``; ``h`` is smallest at
``k_m² = (d_v f_u + d_u g_v) / (2 d_u d_v)``, and the conditions for a Turing instability are
(Murray 2003, eqs. 2.19–2.24)::

    tr J = f_u + g_v < 0,            det J > 0                           (stable without diffusion)
    d_v f_u + d_u g_v > 0,           (d_v f_u + d_u g_v)² > 4 d_u d_v det J   (h dips below zero)

At the boundary (equality in the last condition) the critical wavenumber is
``k_c² = k_m² = √(det J / (d_u d_v))`` and, for the ratio ``d = d_v/d_u``, the critical ratio
``d_c`` is the larger root of ``f_u² d² + 2(2 f_v g_u − f_u g_v) d + g_v² = 0``, i.e.
``d_c = ((√det J + √(−f_v g_u)) / f_u)²`` (Murray 2003, eqs. 2.27–2.28). The unstable band is
``k₁² < k² < k₂²``, the roots of ``h``. Beyond two species there is no comparable closed form:
the Routh–Hurwitz conditions of ``J − k²D`` must fail for some ``k``, a condition on a polynomial
in ``k²`` of higher degree; linstab then reports that and answers numerically
(:func:`linstab.num.max_growth`).

References
----------
Turing, A. M., The chemical basis of morphogenesis, Phil. Trans. R. Soc. Lond. B 237:37–72 (1952).
Murray, J. D., *Mathematical Biology II: Spatial Models and Biomedical Applications*, 3rd ed.,
Springer (2003), ch. 2 (sec. 2.3: conditions, critical ratio and wavenumber).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from linstab._errors import AnalysisError

__all__ = ["DispersionRelation", "TuringConditions", "diffusion_coefficient_matrix", "dispersion_relation", "homogeneous_state",
           "turing_conditions", "turing_boundaries", "K", "LAMBDA"]

#: The wavenumber ``k`` (non-negative) and the growth rate ``λ`` of the dispersion relation.
K = sp.Symbol("k", nonnegative=True)
LAMBDA = sp.Symbol("lambda")


def _model(model: Any):
    from linstab.model import load_model

    model = load_model(model)
    if not model.diffusion:
        raise AnalysisError(f"model {model.name!r} has no [diffusion] table; add one (a coefficient per species, "
                            "e.g. [diffusion] u = 1, v = \"d\") for a Turing analysis")
    if [v for v, _ in model.diffusion] != list(model.variable_names):
        raise AnalysisError(f"model {model.name!r}: its diffusion coefficients are for {', '.join(v for v, _ in model.diffusion)}"
                            f" but its variables are {', '.join(model.variable_names)} (a reduced model?); analyse the "
                            "full reaction-diffusion model")
    return model


def diffusion_coefficient_matrix(model: Any) -> sp.Matrix:
    """The diagonal diffusion matrix ``D`` of a reaction–diffusion model.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with a ``[diffusion]`` table, or anything
        :func:`~linstab.load_model` accepts.

    Returns
    -------
    sympy.Matrix

    Examples
    --------
    >>> diffusion_coefficient_matrix("schnakenberg")
    Matrix([
    [1, 0],
    [0, d]])
    """
    model = _model(model)
    return sp.diag(*[c for _, c in model.diffusion])


def homogeneous_state(model: Any, *, timeout: float | None = 2.0) -> dict[sp.Symbol, sp.Expr]:
    """The homogeneous steady state ``u*`` in closed form (the first explicit symbolic fixed point,
    preferring one where no species is identically zero).

    Parameters
    ----------
    model
        A model, or anything :func:`~linstab.load_model` accepts.
    timeout
        Seconds for :func:`linstab.sym.fixed_points`.

    Returns
    -------
    dict
        Variable -> expression of the parameters.

    Raises
    ------
    AnalysisError
        If no explicit fixed point is found (the numeric layer then finds the state numerically).

    Examples
    --------
    >>> homogeneous_state("schnakenberg")
    {u: a + b, v: b/(a + b)**2}
    """
    from linstab.model import load_model

    model = load_model(model)
    key = ("homogeneous_state", timeout)
    if key not in model._cache:  # fixed_points may spend its whole timeout: once per model
        try:
            model._cache[key] = _homogeneous_state(model, timeout)
        except AnalysisError as exc:
            model._cache[key] = exc
    found = model._cache[key]
    if isinstance(found, AnalysisError):
        raise AnalysisError(str(found))
    return dict(found)


def _homogeneous_state(model: Any, timeout: float | None) -> dict[sp.Symbol, sp.Expr]:
    from linstab.sym._fixed_points import fixed_points

    explicit = [fp.state for fp in fixed_points(model, timeout=timeout)
                if fp.explicit and not (set().union(*(e.free_symbols for e in fp.state.values())) & set(model.variables))]
    # a trivial state (some species 0) is rarely the patterned one: prefer one without zeros
    for state in sorted(explicit, key=lambda st: any(e == 0 for e in st.values())):
        return dict(state)
    raise AnalysisError(f"model {model.name!r}: no homogeneous steady state in closed form; the numeric layer "
                        "(linstab.num.dispersion, max_growth, turing_map) finds it numerically, and "
                        "dispersion_relation(model, state=None) keeps J in the state variables")


@dataclass(frozen=True, kw_only=True)
class DispersionRelation:
    """The dispersion relation ``det(λI − J + k²D) = 0`` of a reaction–diffusion model.

    Attributes
    ----------
    jacobian
        ``J`` at the homogeneous state (in the parameters; in the state variables if no state was
        substituted).
    diffusion
        The diagonal diffusion matrix ``D``.
    matrix
        ``J − k² D``.
    charpoly
        The characteristic polynomial in ``λ`` (:data:`LAMBDA`), coefficients polynomial in ``k²``.
    state
        The homogeneous state substituted into ``J`` (``{}`` when none was).

    Examples
    --------
    The constant coefficient is ``h(k²) = det(J − k²D)``; at ``a = 0.1, b = 0.9`` (``u* = 1``):

    >>> from linstab import load_model
    >>> m = load_model("schnakenberg")
    >>> rel = dispersion_relation(m)
    >>> h = rel.charpoly.as_expr().coeff(LAMBDA, 0)
    >>> sp.expand(h.subs({m.symbol("a"): sp.Rational(1, 10), m.symbol("b"): sp.Rational(9, 10)}))
    d*k**4 - 4*d*k**2/5 + k**2 + 1
    """

    jacobian: sp.Matrix
    diffusion: sp.Matrix
    matrix: sp.Matrix
    charpoly: sp.Poly
    state: dict[sp.Symbol, sp.Expr]

    def eigenvalues(self) -> list[sp.Expr]:
        """``λ(k)`` in closed form: the two roots of the quadratic for two species.

        Raises
        ------
        AnalysisError
            For more than two species: the roots of a cubic or higher are not useful closed forms;
            use :func:`linstab.num.dispersion` for numbers.
        """
        n = self.matrix.shape[0]
        if n == 1:
            return [self.matrix[0, 0]]
        if n != 2:
            raise AnalysisError(f"λ(k) has no useful closed form for {n} species (roots of a degree-{n} polynomial); "
                                "use linstab.num.dispersion")
        tr, det = self.matrix.trace(), self.matrix.det()
        disc = sp.sqrt(tr ** 2 - 4 * det)
        return [(tr + disc) / 2, (tr - disc) / 2]


def dispersion_relation(model: Any, *, state: Mapping[Any, Any] | None | str = "auto") -> DispersionRelation:
    """The dispersion relation of a reaction–diffusion model at its homogeneous state.

    Parameters
    ----------
    model
        A model with a ``[diffusion]`` table, or anything :func:`~linstab.load_model` accepts.
    state
        ``"auto"`` (the closed-form state of :func:`homogeneous_state`), a mapping variable ->
        expression, or ``None`` to keep ``J`` in the state variables.

    Returns
    -------
    DispersionRelation

    References
    ----------
    Murray (2003), *Mathematical Biology II*, sec. 2.3.

    Examples
    --------
    >>> dispersion_relation("gierer_meinhardt").jacobian
    Matrix([
    [-b*(a - 1)/(a + 1), -b**2/(a + 1)**2],
    [       2*(a + 1)/b,               -1]])
    """
    model = _model(model)
    if isinstance(state, str):
        if state != "auto":
            raise ValueError(f"state must be 'auto', a mapping or None; got {state!r}")
        state = homogeneous_state(model)
    subs = {} if state is None else {model.symbol(str(k)) if not isinstance(k, sp.Symbol) else k: sp.sympify(v)
                                     for k, v in state.items()}
    J = model.jacobian().xreplace(subs).applyfunc(_tidy)
    D = diffusion_coefficient_matrix(model)
    M = J - K ** 2 * D
    lam = LAMBDA
    poly = sp.Poly((lam * sp.eye(M.shape[0]) - M).det(method="berkowitz"), lam)
    return DispersionRelation(jacobian=J, diffusion=D, matrix=M, charpoly=poly, state=dict(subs))


def _tidy(e: sp.Expr) -> sp.Expr:
    """Factored; simplified first where the expression is small (simplify grows fast with size)."""
    return sp.factor(sp.simplify(e) if sp.count_ops(e) <= 80 else sp.cancel(e))


@dataclass(frozen=True, kw_only=True)
class TuringConditions:
    """The closed-form Turing conditions of a two-species model (Murray 2003, sec. 2.3).

    Attributes
    ----------
    trace, det
        ``tr J`` and ``det J`` at the homogeneous state (stable without diffusion: ``tr < 0``,
        ``det > 0``).
    h
        ``d_v f_u + d_u g_v`` (must be positive).
    discriminant
        ``(d_v f_u + d_u g_v)² − 4 d_u d_v det J`` (must be positive; zero on the boundary).
    k_m2
        ``k_m² = (d_v f_u + d_u g_v)/(2 d_u d_v)``: the most unstable (fastest-decaying ``h``) mode.
    k_c2
        ``√(det J/(d_u d_v))``: the critical wavenumber squared where evaluated on the boundary (there
        it equals ``k_m²``); off the boundary it is only the value of that formula.
    k_c2_critical
        The critical wavenumber squared at the critical ratio, ``√det J/(d_u √d_c)`` (``d_v = d_c d_u``):
        the wavenumber that first goes unstable as ``d_v/d_u`` rises through ``d_c``.
    band
        ``(k₁², k₂²)``: the band of unstable modes (roots of ``h(k²) = 0``), real inside the region.
    critical_ratio
        ``d_c = ((√det J + √(−f_v g_u))/f_u)²``: the smallest ratio ``d_v/d_u`` with an instability.
    jacobian, diffusion
        ``J`` and ``D``.

    Examples
    --------
    >>> tc = turing_conditions("schnakenberg")
    >>> tc.det, tc.critical_ratio
    ((a + b)**2, (a + b)**2*(a + sqrt(2)*sqrt(b)*sqrt(a + b) + b)**2/(a - b)**2)
    """

    trace: sp.Expr
    det: sp.Expr
    h: sp.Expr
    discriminant: sp.Expr
    k_m2: sp.Expr
    k_c2: sp.Expr
    k_c2_critical: sp.Expr
    band: tuple[sp.Expr, sp.Expr]
    critical_ratio: sp.Expr
    jacobian: sp.Matrix
    diffusion: sp.Matrix

    @property
    def inequalities(self) -> tuple[tuple[str, sp.Expr], ...]:
        """The four conditions as ``(text, expression)`` pairs, each meaning ``expression > 0``."""
        return (("tr J < 0", -self.trace), ("det J > 0", self.det), ("d_v f_u + d_u g_v > 0", self.h),
                ("(d_v f_u + d_u g_v)² > 4 d_u d_v det J", self.discriminant))

    def holds(self) -> sp.Boolean:
        """The conjunction of the four conditions, as a SymPy boolean (``True``/``False`` when numeric)."""
        return sp.And(*[sp.StrictGreaterThan(e, 0) for _, e in self.inequalities])

    def at(self, values: Mapping[str, float]) -> dict[str, Any]:
        """Every quantity at numeric parameter values: ``{"trace", "det", "h", "discriminant", "k_m2",
        "k_c2", "k_c2_critical", "critical_ratio", "turing"}`` (``turing``: all four conditions hold)."""
        subs = {s: sp.Float(values[s.name]) for s in self._symbols() if s.name in values}
        out: dict[str, Any] = {}
        for name in ("trace", "det", "h", "discriminant", "k_m2", "k_c2", "k_c2_critical", "critical_ratio"):
            val = complex(sp.N(getattr(self, name).xreplace(subs)))
            out[name] = val.real if abs(val.imag) <= 1e-12 * (1 + abs(val.real)) else float("nan")
        out["turing"] = bool(out["trace"] < 0 and out["det"] > 0 and out["h"] > 0 and out["discriminant"] > 0)
        return out

    def _symbols(self) -> set[sp.Symbol]:
        return set().union(*(getattr(self, n).free_symbols for n in ("trace", "det", "h", "critical_ratio")))


def turing_conditions(model: Any, *, state: Mapping[Any, Any] | None | str = "auto") -> TuringConditions:
    """The closed-form Turing conditions, critical ratio and critical wavenumber of a two-species model.

    Parameters
    ----------
    model
        A two-species model with a ``[diffusion]`` table.
    state
        As for :func:`dispersion_relation`.

    Returns
    -------
    TuringConditions

    Raises
    ------
    AnalysisError
        For a model of other than two species: there is no closed form, and the message says to use
        the numeric route (:func:`linstab.num.max_growth`).

    References
    ----------
    Murray (2003), *Mathematical Biology II*, 3rd ed., eqs. 2.19–2.28; Turing (1952).

    Examples
    --------
    >>> tc = turing_conditions("gierer_meinhardt")
    >>> tc.det, tc.k_c2
    (b, sqrt(b)/sqrt(d))
    >>> tc.at({"a": 0.1, "b": 1.0, "d": 30.0})["turing"]
    True
    """
    model = _model(model)
    if model.n_vars != 2:
        raise AnalysisError(f"model {model.name!r} has {model.n_vars} species: the closed-form Turing conditions are "
                            "for two species only (no closed form beyond); use the numeric route "
                            "linstab.num.max_growth (max over k of the leading eigenvalue)")
    rel = dispersion_relation(model, state=state)
    J, D = rel.jacobian, rel.diffusion
    fu, fv, gu, gv = J[0, 0], J[0, 1], J[1, 0], J[1, 1]
    du, dv = D[0, 0], D[1, 1]
    tidy = _tidy
    tr, det = tidy(fu + gv), tidy(fu * gv - fv * gu)
    h = tidy(dv * fu + du * gv)
    disc = tidy(h ** 2 - 4 * du * dv * det)
    root = sp.sqrt(disc)
    band = (tidy((h - root) / (2 * du * dv)), tidy((h + root) / (2 * du * dv)))
    ratio = tidy(((sp.sqrt(det) + sp.sqrt(-fv * gu)) / fu) ** 2)
    return TuringConditions(trace=tr, det=det, h=h, discriminant=disc, k_m2=tidy(h / (2 * du * dv)),
                            k_c2=sp.sqrt(det) / sp.sqrt(du * dv), k_c2_critical=tidy(sp.sqrt(det) / (du * sp.sqrt(ratio))),
                            band=band, critical_ratio=ratio,
                            jacobian=J, diffusion=D)


def turing_boundaries(model: Any, param: str, against: str, *, timeout: float | None = 5.0) -> list[sp.Expr]:
    """Candidate closed forms of the Turing boundary: ``param`` as explicit functions of ``against``.

    The boundary of the Turing region (with the homogeneous state stable) is where
    ``(d_v f_u + d_u g_v)² = 4 d_u d_v det J`` with ``d_v f_u + d_u g_v > 0``. The numerator of that
    equation is solved for ``param``; each root is a candidate. Roots on the wrong side
    (``d_v f_u + d_u g_v < 0``, the spurious roots of squaring) are told apart numerically, by
    :func:`linstab.analysis.turing_curves`.

    Parameters
    ----------
    model
        A two-species model with a ``[diffusion]`` table.
    param
        The parameter to solve for (vertical axis).
    against
        The parameter it depends on (horizontal axis).
    timeout
        Seconds for :func:`sympy.solve` (``None``: no limit).

    Returns
    -------
    list of sympy.Expr
        Empty when SymPy finds no closed form (the boundary is then traced numerically). When
        ``param`` is the second species' diffusion coefficient, ``d_u d_c`` comes first (the same
        curve as one of the roots, in Murray's tidier form).

    Examples
    --------
    Gierer–Meinhardt: two roots; the one with the ``+`` sign has ``d f_u − 1 > 0``, the boundary.

    >>> turing_boundaries("gierer_meinhardt", "b", "a")[1]
    (a + 1)*(a + 2*sqrt(2)*sqrt(a + 1) + 3)/(d*(a - 1)**2)
    """
    from linstab.sym._fixed_points import _time_limit, _Timeout

    model = _model(model)
    P = model.parameter(param)
    model.parameter(against)  # raises, naming the parameters, if unknown
    tc = turing_conditions(model)
    out: list[sp.Expr] = []
    D = tc.diffusion
    if not tc.jacobian.has(P) and D[1, 1] == P and not D[0, 0].has(P):
        # P is the inhibitor's diffusion coefficient: the boundary is d_v = d_u d_c (Murray eq. 2.27),
        # a tidier form of the larger root of the squared equation below
        out.append(D[0, 0] * tc.critical_ratio)
    num, _ = sp.fraction(sp.together(tc.discriminant))
    try:
        with _time_limit(timeout):
            for factor, _mult in sp.factor_list(num, P)[1]:
                if not factor.has(P):
                    continue
                for root in sp.solve(factor, P):
                    out.append(sp.factor(sp.simplify(root)))
    except (_Timeout, NotImplementedError, sp.PolynomialError):  # no closed form within the time
        return []
    return out


def turing_parametric(model: Any, param: str, against: str, *,
                      timeout: float | None = 5.0) -> list[tuple[sp.Symbol, sp.Expr, sp.Expr, sp.Expr]]:
    """The Turing boundary as parametric curves ``(s, Q(s), P(s), v(s))``, ``s`` the first species' steady state.

    For a two-species model whose homogeneous state solves a polynomial of high degree (e.g. Hill
    kinetics) the boundary has no explicit form ``P(Q)``, but the steady-state equations
    ``f = g = 0`` are often solvable, in closed form, for one plane parameter ``X`` and the second
    species ``v`` at a given ``u = s``. The boundary ``(d_v f_u + d_u g_v)² = 4 d_u d_v det J``
    (Murray 2003, eq. 2.24) evaluated at that state is then solved for the other plane parameter
    ``Y`` (where a factor is at most quadratic in ``Y``; when ``Y`` is the second species' diffusion
    coefficient, in Murray's form ``d_v = d_u d_c``, eq. 2.27); both coordinates are explicit
    functions of ``s``. Roots on the wrong side
    (``d_v f_u + d_u g_v < 0``, spurious roots of squaring) are told apart numerically, by
    :func:`linstab.analysis.turing_curves`.

    Parameters
    ----------
    model
        A two-species model with a ``[diffusion]`` table.
    param
        The parameter on the vertical axis (``P``).
    against
        The parameter on the horizontal axis (``Q``).
    timeout
        Seconds for SymPy, both solves together (``None``: no limit).

    Returns
    -------
    list of tuple
        ``(s, Q(s), P(s), v(s))`` for each candidate (``v(s)``: the second species' steady state on the
        curve); empty when no such closed form is found in time.

    References
    ----------
    Murray (2003), *Mathematical Biology II*, 3rd ed., sec. 2.3.

    Examples
    --------
    The activator–inhibitor circuit: ``ka`` from the steady state, ``d`` from the boundary.

    >>> s, q, p, v = turing_parametric("activator_inhibitor", "d", "ka")[0]
    >>> q
    (-ba + s)*(gi + ki*s)*(s**2 + 1)/(gi*s**2)
    >>> v
    ki*s/gi
    """
    from linstab.sym._fixed_points import _time_limit, _Timeout

    model = _model(model)
    if model.n_vars != 2:
        return []
    names = {param: model.parameter(param), against: model.parameter(against)}
    u, v = model.variables
    taken = {x.name for x in model.variables} | set(model.parameter_names)
    s = sp.Symbol(next(n for n in ("s", "s_", "s__", "s_u") if n not in taken), positive=True)
    D = diffusion_coefficient_matrix(model)
    F = sp.Matrix(model.rhs)
    J = F.jacobian(sp.Matrix(model.variables))
    out: list[tuple[sp.Symbol, sp.Expr, sp.Expr, sp.Expr]] = []
    try:
        with _time_limit(timeout):
            for xname, yname in ((against, param), (param, against)):
                X, Y = names[xname], names[yname]
                if not F.has(X):
                    continue
                eqs = [sp.numer(sp.together(e.xreplace({u: s}))) for e in F]
                sols = sp.solve(eqs, [X, v], dict=True)
                for sol in sols:
                    if X not in sol or v not in sol:
                        continue
                    at = {u: s, v: sol[v], X: sol[X]}
                    fu, fv, gu, gv = (sp.factor(sp.cancel(e.xreplace(at))) for e in J)
                    du, dv = (sp.factor(D[j, j].xreplace(at)) for j in (0, 1))
                    xexpr = sp.factor(sol[X])
                    det = sp.factor(sp.cancel(fu * gv - fv * gu))
                    if dv == Y and not (du.has(Y) or fu.has(Y) or gv.has(Y) or det.has(Y)):
                        # Y is the inhibitor's diffusion coefficient: d_v = d_u d_c (Murray 2003, eq. 2.27)
                        roots = [du * ((sp.sqrt(det) + sp.sqrt(sp.factor(-fv * gu))) / fu) ** 2]
                    else:
                        h = dv * fu + du * gv
                        disc = sp.numer(sp.together(h ** 2 - 4 * du * dv * det))
                        roots = [r for f, _ in sp.factor_list(disc, Y)[1] if f.has(Y) and sp.degree(f, Y) <= 2
                                 for r in sp.solve(f, Y)]
                    for yexpr in roots:
                        x = xexpr.xreplace({Y: yexpr}) if xexpr.has(Y) else xexpr
                        vs = sol[v].xreplace({X: x}).xreplace({Y: yexpr})
                        out.append((s, x, yexpr, vs) if xname == against else (s, yexpr, x, vs))
                if out:
                    return out
    except (_Timeout, NotImplementedError, sp.PolynomialError):
        return []
    return out
