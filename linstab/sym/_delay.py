"""Delay differential equations: linearisation, characteristic quasi-polynomial, Hopf crossings.

A model whose equations use ``delay(x, tau)`` (see :class:`linstab._parse.Delay`) is a system of
retarded delay differential equations ``dx/dt = f(x(t), x(t - τ_1), ..., x(t - τ_m); p)``.
Linearised at a fixed point ``x*`` (the fixed points are those of the system at zero delay),
``dy/dt = A₀ y(t) + Σ_k A_k y(t - τ_k)`` with ``A₀ = ∂f/∂x(t)`` and ``A_k = ∂f/∂x(t - τ_k)``; the
exponential solutions ``e^{λt} v`` give the characteristic equation

    Δ(λ) = det(λI − A₀ − Σ_k A_k e^{−λτ_k}) = 0,

a quasi-polynomial with infinitely many roots, finitely many in any right half-plane. The fixed
point is asymptotically stable iff every root has ``Re λ < 0``.

With one delay and ``Δ(λ) = P(λ) + Q(λ) e^{−λτ}`` (true whenever ``A₁`` has rank one, e.g. a
single delayed link), a root crosses the imaginary axis at ``λ = iω`` (ω > 0) iff
``e^{−iωτ} = −P(iω)/Q(iω)``: taking moduli, ``|P(iω)|² = |Q(iω)|²``, a polynomial in ``ω²``;
taking the argument, ``cos ωτ = Re(−P/Q)``, ``sin ωτ = Im(P/Q)``, so that
``τ_j = (θ + 2πj)/ω`` with ``θ ∈ [0, 2π)`` the angle of ``(cos, sin)``. For the scalar equation
``dx/dt = −γx + f(x(t − τ))`` with ``a = −f′(x*)``: ``ω = √(a² − γ²)``, ``τ_c = arccos(−γ/a)/ω``,
which exist only when ``a > |γ|`` (and ``dx/dt = −a x(t − τ)``: ``ω = a``, ``aτ_c = π/2``).

References
----------
Hale, J. K. & Verduyn Lunel, S. M., *Introduction to Functional Differential Equations* (1993),
ch. 1 and 7; Smith, H., *An Introduction to Delay Differential Equations with Applications to the
Life Sciences* (2011), ch. 4; Erneux, T., *Applied Delay Differential Equations* (2009), ch. 2;
Cooke, K. L. & Grossman, Z., J. Math. Anal. Appl. 86, 592 (1982) (the modulus/argument
separation for ``P + Q e^{−λτ}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from linstab._errors import AnalysisError, ModelError
from linstab._parse import Delay
from linstab.model import Model, load_model

__all__ = ["DelayLinearization", "DelayCrossing", "undelayed", "delay_linearization", "delay_crossings",
           "LAMBDA", "OMEGA"]

#: The characteristic root ``λ`` and the crossing frequency ``ω`` (positive).
LAMBDA = sp.Symbol("lambda")
OMEGA = sp.Symbol("omega", positive=True)


def undelayed(model: Model | str | Mapping[str, Any]) -> Model:
    """The model at zero delay: every ``delay(x, tau)`` replaced by ``x``.

    Its fixed points are those of the delay model (a constant solution does not feel a delay);
    its stability is the stability of the delay model at ``τ = 0`` only.

    Parameters
    ----------
    model
        A delay model (or an ODE model, returned unchanged).

    Returns
    -------
    Model

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": 1.0, "tau": 1.0}, "equations": {"x": "-a*delay(x, tau)"}})
    >>> undelayed(m).rhs
    (-a*x,)
    """
    model = load_model(model)
    if not model.delays:
        return model
    rhs = tuple(e.xreplace({d: d.args[0] for d in e.atoms(Delay)}) for e in model.rhs)
    return replace(model, rhs=rhs, name=f"{model.name} (zero delay)")


def _require_delays(model: Model) -> None:
    if not model.delays:
        raise ModelError(f"model {model.name!r} has no delayed argument; write delay(x, tau) in an equation "
                         "(tau a parameter) or use the ODE analyses")


@dataclass(frozen=True, kw_only=True, eq=False)
class DelayLinearization:
    """``dy/dt = A₀ y(t) + Σ_k A_k y(t − τ_k)``: a delay model linearised about a state.

    Attributes
    ----------
    A0
        ``∂f/∂x(t)``, the instantaneous part.
    A
        ``A_k = ∂f/∂x(t − τ_k)``, one matrix per delay.
    taus
        The delay parameters ``τ_k`` (symbols), in the order of ``A``.
    at
        The state substituted (variable name -> expression); ``{}``: at a general state ``x``.
    variables
        The state variables (symbols), which the matrices contain unless ``at`` fixes them.

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": 1.0, "tau": 1.0}, "equations": {"x": "-a*delay(x, tau)"}})
    >>> lin = delay_linearization(m)
    >>> lin.A0, lin.A, lin.taus
    (Matrix([[0]]), (Matrix([[-a]]),), (tau,))
    >>> lin.characteristic()
    a*exp(-lambda*tau) + lambda
    """

    A0: sp.Matrix
    A: tuple[sp.Matrix, ...]
    taus: tuple[sp.Symbol, ...]
    at: dict[str, sp.Expr]
    variables: tuple[sp.Symbol, ...] = ()

    @property
    def n(self) -> int:
        """Number of state variables."""
        return self.A0.shape[0]

    def characteristic_matrix(self, lam: sp.Expr = LAMBDA) -> sp.Matrix:
        """``Δ(λ) = λI − A₀ − Σ_k A_k e^{−λτ_k}``."""
        M = lam * sp.eye(self.n) - self.A0
        for Ak, tau in zip(self.A, self.taus):
            M -= Ak * sp.exp(-lam * tau)
        return M

    def _poly(self) -> tuple[sp.Poly, tuple[sp.Dummy, ...]]:
        """``det Δ`` as a polynomial in ``λ`` and ``E_k = e^{−λτ_k}`` (coefficients: expressions)."""
        E = tuple(sp.Dummy(f"E{k}") for k in range(len(self.taus)))
        M = LAMBDA * sp.eye(self.n) - self.A0
        for Ak, Ek in zip(self.A, E):
            M -= Ak * Ek
        return sp.Poly(M.det(method="berkowitz"), LAMBDA, *E), E

    def characteristic(self, lam: sp.Expr = LAMBDA) -> sp.Expr:
        """The characteristic quasi-polynomial ``det Δ(λ)``, collected in powers of ``λ`` and ``e^{−λτ_k}``."""
        poly, E = self._poly()
        out = sp.S.Zero
        for (i, *js), c in poly.terms():
            out += sp.factor(sp.cancel(c)) * lam**i * sp.Mul(*(sp.exp(-j * lam * t) for j, t in zip(js, self.taus)))
        return out

    def split(self) -> tuple[sp.Poly, sp.Poly]:
        """``(P, Q)`` with ``det Δ(λ) = P(λ) + Q(λ) e^{−λτ}`` for a single delay ``τ``.

        Raises :class:`AnalysisError` if there are several delays or the quasi-polynomial has
        higher powers of ``e^{−λτ}`` (a delayed matrix of rank above one)."""
        if len(self.taus) != 1:
            raise AnalysisError(f"the closed-form crossing needs a single delay; this model has {len(self.taus)} "
                                f"({', '.join(t.name for t in self.taus)}); use linstab.num.rightmost_roots")
        poly, (E,) = self._poly()
        if poly.degree(E) > 1:
            raise AnalysisError(f"the characteristic quasi-polynomial has e^(-λτ) to the power {poly.degree(E)} (the "
                                "delayed Jacobian has rank above one); no closed-form crossing is derived; use "
                                "linstab.num.rightmost_roots")
        parts = [sp.S.Zero, sp.S.Zero]
        for (i, j), c in poly.terms():
            parts[j] += sp.factor(sp.cancel(c)) * LAMBDA**i
        return sp.Poly(parts[0], LAMBDA), sp.Poly(parts[1], LAMBDA)


def delay_linearization(model: Model | str | Mapping[str, Any], at: Mapping[str, Any] | None = None
                        ) -> DelayLinearization:
    """Linearise a delay model: ``A₀ = ∂f/∂x(t)``, ``A_k = ∂f/∂x(t − τ_k)``.

    Parameters
    ----------
    model
        A model whose equations use ``delay(x, tau)``.
    at
        The state (variable name -> number or SymPy expression), e.g. a fixed point; by default
        the matrices are functions of the state ``x`` (the delayed state set equal to it, as at
        any constant solution).

    Returns
    -------
    DelayLinearization

    References
    ----------
    Smith (2011), sec. 4.1; Hale & Verduyn Lunel (1993), sec. 7.1.

    Examples
    --------
    The delayed autorepressor ``dx/dt = β/(1 + x(t − τ)ⁿ) − x``:

    >>> m = load_model({"name": "ar", "parameters": {"beta": 2.0, "n": 2.0, "tau": 1.0},
    ...                 "equations": {"x": "beta/(1 + delay(x, tau)^n) - x"}})
    >>> delay_linearization(m, at={"x": 1}).characteristic()
    beta*n*exp(-lambda*tau)/4 + lambda + 1
    """
    model = load_model(model)
    _require_delays(model)
    taus: list[sp.Symbol] = []
    for _, tname in model.delays:
        t = model.parameter(tname)
        if t not in taus:
            taus.append(t)
    held = {(x, t): sp.Dummy(f"{x}_{t}") for x, t in model.delays}
    rhs = [e.xreplace({d: held[(d.args[0].name, d.args[1].name)] for d in e.atoms(Delay)}) for e in model.rhs]
    f = sp.Matrix(rhs)
    X = list(model.variables)
    back = {d: model.symbols[x] for (x, _), d in held.items()}
    point = {model.symbols[k]: _as_sym(v, model.symbols) for k, v in (at or {}).items() if k in model.symbols}
    unknown = set(at or {}) - set(model.variable_names)
    if unknown:
        raise ModelError(f"delay_linearization: `at` names {', '.join(sorted(unknown))}, which are not state variables "
                         f"of {model.name!r} ({', '.join(model.variable_names)})")

    def finish(M: sp.Matrix) -> sp.Matrix:
        return M.applyfunc(lambda e: sp.powsimp(e.xreplace(back).xreplace(point)))

    A0 = finish(f.jacobian(X))
    A = []
    for t in taus:
        cols = [held.get((x.name, t.name)) for x in X]
        Ak = sp.zeros(model.n_vars, model.n_vars)
        for j, d in enumerate(cols):
            if d is not None:
                Ak[:, j] = f.diff(d)
        A.append(finish(Ak))
    return DelayLinearization(A0=A0, A=tuple(A), taus=tuple(taus), at={str(k): v for k, v in point.items()},
                              variables=tuple(model.variables))


def _as_sym(v: Any, symbols: Mapping[str, sp.Symbol]) -> sp.Expr:
    from linstab._parse import as_expr

    return as_expr(v, symbols, where="delay_linearization: at")


@dataclass(frozen=True, kw_only=True, eq=False)
class DelayCrossing:
    """A pair of characteristic roots ``±iω`` crossing the imaginary axis as the delay grows.

    Attributes
    ----------
    tau
        The delay parameter.
    omega
        The crossing frequency ``ω > 0`` (a SymPy expression): the period at onset is ``2π/ω``.
    tau_c
        The first (smallest) crossing delay ``τ_c = θ/ω`` (later crossings: ``τ_c + 2πj/ω``).
    condition
        Where the crossing exists (``ω²`` real and positive), a SymPy boolean.
    cos, sin
        ``cos ωτ_c`` and ``sin ωτ_c`` from the argument equation.
    P, Q
        The split ``Δ(λ) = P(λ) + Q(λ) e^{−λτ}``.
    abstracted
        Symbols that stand for coefficients depending on the fixed point (``a`` for ``−f′(x*)``
        in the scalar case), mapped to those coefficients; :meth:`substituted` puts them back.
    derivation
        ``(text, object)`` steps, as :class:`linstab.sym.BifurcationCurve` keeps them.

    Examples
    --------
    Hayes's equation ``dx/dt = −a x(t − τ)``: the crossing at ``aτ = π/2`` with ``ω = a``.

    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> c = delay_crossings(m)[0]
    >>> c.omega, c.tau_c
    (a, pi/(2*a))
    """

    tau: sp.Symbol
    omega: sp.Expr
    tau_c: sp.Expr
    condition: sp.Boolean
    cos: sp.Expr
    sin: sp.Expr
    P: sp.Poly
    Q: sp.Poly
    abstracted: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    derivation: tuple[tuple[str, Any], ...] = ()

    def period(self) -> sp.Expr:
        """The period of the oscillation at onset, ``2π/ω``."""
        return 2 * sp.pi / self.omega

    def substituted(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` (e.g. :attr:`tau_c`) with the abstracted symbols replaced by what they stand for."""
        return expr.xreplace(self.abstracted)


def _tidy(c: sp.Expr) -> sp.Expr:
    """``c`` in its shortest of a few simplified forms (for printing: Hill terms come out of the
    Jacobian as ``β n x^n/(x x^{2n} + 2x x^n + x)``, which is ``β n x^{n−1}/(1 + x^n)²``)."""
    forms = [c, sp.factor(sp.simplify(c))]
    return min(forms, key=sp.count_ops)


def _grouped(e: sp.Expr) -> sp.Expr:
    """``e`` with the radical-free part of each sum factored where that is shorter (for printing:
    ``√(4a² + b⁴ − 2b²μ² + μ⁴)`` stays, ``−b² − 2bμ − μ²`` becomes ``−(b + μ)²``). Exact: only
    :func:`sympy.factor` is applied, to sums of at most 12 terms."""
    def regroup(a: sp.Add) -> sp.Expr:
        plain = [t for t in a.args if not any(p.exp.is_Rational and not p.exp.is_Integer for p in t.atoms(sp.Pow))]
        if len(plain) < 2 or len(a.args) > 12:
            return a
        part = sp.Add(*plain)
        factored = sp.factor(part)
        if sp.count_ops(factored) >= sp.count_ops(part):
            return a
        return sp.Add(factored, *(t for t in a.args if t not in plain))

    return e.replace(lambda x: isinstance(x, sp.Add), regroup)


def _labels(names: set[str]) -> tuple[str, str]:
    """Names for the two parts of ``Δ(λ) = P(λ) + Q(λ)e^{−λτ}`` that no model symbol has (Hes1's
    protein is ``P``)."""
    for pair in (("P", "Q"), ("p", "q"), ("P_0", "Q_0")):
        if not set(pair) & names:
            return pair
    return ("P_Δ", "Q_Δ")


def _abstract(P: sp.Poly, Q: sp.Poly, state: set[sp.Symbol], taken: set[str]) -> tuple[sp.Poly, sp.Poly,
                                                                                   dict[sp.Symbol, sp.Expr]]:
    """Coefficients of ``P`` and ``Q`` that depend on the state (the fixed point, often known only
    implicitly) become fresh symbols, as the course appendix abstracts ``a = −f′(x*)``: the crossing
    is then a closed form in them. ``Q``'s constant coefficient is ``a`` (positive where it is),
    others ``q_k`` and ``p_k``."""
    abstracted: dict[sp.Symbol, sp.Expr] = {}

    def swap(poly: sp.Poly, stem: str) -> sp.Poly:
        out = sp.S.Zero
        for (k,), c in poly.terms():
            if c.free_symbols & state:
                c = _tidy(c)
                name = "a" if (stem == "q" and k == 0) else f"{stem}_{k}"
                while name in taken:  # a model parameter of that name: prime it
                    name += "_"
                sym = sp.Symbol(name, positive=True) if c.is_positive else (
                    sp.Symbol(name, negative=True) if c.is_negative else sp.Symbol(name, real=True))
                abstracted[sym] = c
                c = sym
            out += c * LAMBDA**k
        return sp.Poly(out, LAMBDA)

    return swap(P, "p"), swap(Q, "q"), abstracted


def _re_im(poly: sp.Poly, w: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Real and imaginary parts of ``poly(iω)`` for real coefficients: ``i^k`` cycles 1, i, −1, −i."""
    re, im = sp.S.Zero, sp.S.Zero
    for (k,), c in poly.terms():
        term = c * w**k
        re += (1, 0, -1, 0)[k % 4] * term
        im += (0, 1, 0, -1)[k % 4] * term
    return sp.expand(re), sp.expand(im)


def delay_crossings(model: Model | str | Mapping[str, Any] | DelayLinearization,
                    at: Mapping[str, Any] | None = None) -> list[DelayCrossing]:
    """Closed-form crossings ``λ = ±iω`` of the characteristic roots, for a single delay.

    Substitutes ``λ = iω`` into ``P(λ) + Q(λ)e^{−λτ} = 0`` and separates real and imaginary
    parts: ``|P(iω)|² − |Q(iω)|² = 0`` (a polynomial in ``ω²``, solved in closed form up to
    degree two), then ``cos ωτ = Re(−P/Q)``, ``sin ωτ = Im(P/Q)``.

    Parameters
    ----------
    model
        A delay model (with one delay parameter) or its :class:`DelayLinearization`.
    at
        The state to linearise about (see :func:`delay_linearization`); the entries may stay
        symbolic (e.g. a fixed point ``x*`` not known in closed form).

    Returns
    -------
    list of DelayCrossing
        One per positive root ``ω²`` (several for a "stability switch"); empty when
        ``|P(iω)| = |Q(iω)|`` has no positive root for any parameters.

    Raises
    ------
    AnalysisError
        Several delays, a quasi-polynomial not of the form ``P + Q e^{−λτ}``, or a modulus
        polynomial of degree above two in ``ω²``.

    References
    ----------
    Cooke & Grossman (1982); Smith (2011), sec. 4.5; Erneux (2009), sec. 2.2.

    Examples
    --------
    The delayed autorepressor at a symbolic fixed point (``a = −f′(x*)``, ``γ = 1``):

    >>> m = load_model({"name": "ar", "parameters": {"a": {"value": 2.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "1 - a*delay(x, tau) - x"}})
    >>> c = delay_crossings(m)[0]
    >>> c.omega, c.tau_c, c.condition
    (sqrt(a**2 - 1), acos(-1/a)/sqrt(a**2 - 1), a**2 > 1)
    """
    lin = model if isinstance(model, DelayLinearization) else delay_linearization(model, at)
    P, Q = lin.split()
    taken = {s.name for s in (P.as_expr().free_symbols | Q.as_expr().free_symbols | {lin.taus[0]})}
    P, Q, abstracted = _abstract(P, Q, set(lin.variables), taken)
    tau = lin.taus[0]
    if Q.is_zero:
        raise AnalysisError(f"the delay {tau} does not enter the linearisation (Q = 0): the stability does not "
                            "depend on it")
    w = OMEGA
    Pr, Pi = _re_im(P, w)
    Qr, Qi = _re_im(Q, w)
    z = sp.Dummy("z")
    F = sp.expand(Pr**2 + Pi**2 - Qr**2 - Qi**2)  # even in ω: a polynomial in z = ω²
    Fz = sp.Poly(sum(c * z ** (k // 2) for (k,), c in sp.Poly(F, w).terms()), z)
    if Fz.degree() > 2:
        raise AnalysisError(f"|P(iω)|² = |Q(iω)|² is of degree {Fz.degree()} in ω²; no closed form is derived here; "
                            "use linstab.num.rightmost_roots")
    shown = set(lin.variables).union(lin.A0.free_symbols, *(a.free_symbols for a in lin.A))
    Pl, Ql = _labels({s.name for s in shown} | taken)
    steps: list[tuple[str, Any]] = [
        (f"Characteristic quasi-polynomial det(λI − A₀ − A₁e^(−λτ)) = {Pl}(λ) + {Ql}(λ)e^(−λτ):",
         lin.characteristic()),
        *((f"where {k} stands for", v) for k, v in abstracted.items()),
        (f"{Pl}(λ) =", P.as_expr()), (f"{Ql}(λ) =", Q.as_expr()),
        (f"λ = iω, moduli: |{Pl}(iω)|² − |{Ql}(iω)|² = 0:", sp.Eq(sp.factor(F), 0)),
    ]
    roots = sp.solve(Fz.as_expr(), z, dict=False) if Fz.degree() > 0 else []
    out = []
    Qm = sp.expand(Qr**2 + Qi**2)
    cos_w = sp.simplify(-(Pr * Qr + Pi * Qi) / Qm)  # functions of ω > 0: their signs are decidable there
    sin_w = sp.simplify((Pi * Qr - Pr * Qi) / Qm)
    for r in roots:
        # a square root in ω² is real and >= 0, or ω² is not real: either way, with it replaced by a
        # positive symbol, a root that is never positive is seen (e.g. −(b² + μ² + √D)/2)
        probe = r.replace(lambda e: e.is_Pow and e.exp == sp.S.Half, lambda e: sp.Dummy(positive=True))
        if r.is_nonpositive or r.is_real is False or probe.is_nonpositive:
            continue
        r = sp.simplify(r)
        if r.is_nonpositive or r.is_real is False:
            continue
        r = _grouped(r)
        omega = sp.sqrt(r)
        cos, sin = (_grouped(sp.simplify(f.subs(w, omega))) for f in (cos_w, sin_w))
        if sin_w.is_nonnegative:
            theta = sp.acos(cos)
        elif sin_w.is_negative:
            theta = 2 * sp.pi - sp.acos(cos)
        else:
            theta = sp.Piecewise((sp.acos(cos), sp.Ge(sin, 0)), (2 * sp.pi - sp.acos(cos), True))
        tau_c = _grouped(sp.simplify(theta / omega))
        cond = sp.Gt(r, 0)
        simple = cond.simplify() if cond not in (sp.true, sp.false) else cond
        out.append(DelayCrossing(
            tau=tau, omega=omega, tau_c=tau_c, condition=simple, cos=cos, sin=sin, P=P, Q=Q, abstracted=abstracted,
            derivation=(*steps, ("ω² =", r), (f"cos ωτ = Re(−{Pl}(iω)/{Ql}(iω)) =", cos),
                        (f"sin ωτ = Im({Pl}(iω)/{Ql}(iω)) =", sin),
                        (f"first crossing {tau}_c = θ/ω, θ the angle of (cos, sin) in [0, 2π):", tau_c),
                        ("period at onset 2π/ω =", sp.simplify(2 * sp.pi / omega)))))
    return out
