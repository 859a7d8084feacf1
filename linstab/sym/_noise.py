"""The linear noise approximation in closed form: stoichiometry, diffusion matrix, Lyapunov equation.

Near a stable fixed point ``x*`` of the rate equations ``dx/dt = S a(x)`` of a reaction network,
van Kampen's system-size expansion writes the copy numbers as ``n = Ω x* + √Ω ξ``; the fluctuation
``ξ`` is, to leading order in ``1/Ω``, an Ornstein–Uhlenbeck process ``dξ = J ξ dt + B dW`` with
drift ``J`` (the Jacobian at ``x*``) and diffusion ``B Bᵀ = S diag(a(x*)) Sᵀ``. Its stationary
covariance ``Σ`` solves the Lyapunov equation ``J Σ + Σ Jᵀ + B Bᵀ = 0`` (van Kampen 2007,
ch. X; Elf & Ehrenberg 2003).

This module is the SymPy half: the matrices as expressions and the Lyapunov equation solved as a
linear system in the ``n (n + 1) / 2`` entries of the symmetric ``Σ``.

References
----------
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed., Elsevier (2007), ch. X.
J. Elf and M. Ehrenberg, "Fast evaluation of fluctuations in biochemical networks with the linear
noise approximation", *Genome Research* 13:2475–2484 (2003).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from linstab._errors import AnalysisError, DimensionError
from linstab.model import load_model

__all__ = ["stoichiometry_matrix", "propensities", "diffusion_matrix", "solve_lyapunov", "SymbolicNoise",
           "symbolic_noise", "link_matrix", "MAX_SYMBOLIC_LYAPUNOV"]

#: Largest number of species whose Lyapunov equation is solved symbolically (``n (n+1)/2`` unknowns).
MAX_SYMBOLIC_LYAPUNOV = 4


def _reaction_model(model: Any) -> Any:
    model = load_model(model)
    if not model.reactions:
        sbml = model.source.lower().endswith((".xml", ".sbml"))
        hint = ("; an SBML model keeps its reactions only if all are irreversible, with whole-number stoichiometry "
                "and all species in one compartment of constant size" if sbml else "")
        raise AnalysisError(f"model {model.name!r} has no reactions: the noise analysis needs a reaction network "
                            f"(a [reactions] table with reactants, products and propensities), not only equations{hint}")
    return model


def stoichiometry_matrix(model: Any) -> sp.Matrix:
    """The stoichiometric matrix ``S`` (species × reactions) of a reaction network.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.

    Examples
    --------
    >>> m = load_model({"variables": {"x": {}}, "parameters": {"k": 1.0, "g": 1.0}, "reactions": {
    ...     "birth": {"products": {"x": 1}, "propensity": "k"},
    ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}})
    >>> stoichiometry_matrix(m)
    Matrix([[1, -1]])
    """
    model = _reaction_model(model)
    names = model.variable_names
    return sp.Matrix([list(r.change(names)) for r in model.reactions]).T


def propensities(model: Any) -> sp.Matrix:
    """The propensities ``a(x; p)`` of a reaction network, as a column (one entry per reaction).

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.
    """
    model = _reaction_model(model)
    return sp.Matrix([r.propensity for r in model.reactions])


def diffusion_matrix(model: Any) -> sp.Matrix:
    """The LNA diffusion matrix ``B Bᵀ = S diag(a(x)) Sᵀ`` as a function of the state.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.

    References
    ----------
    Elf & Ehrenberg, *Genome Res.* 13:2475 (2003), eq. 5.

    Examples
    --------
    >>> m = load_model({"variables": {"x": {}}, "parameters": {"k": 1.0, "g": 1.0}, "reactions": {
    ...     "birth": {"products": {"x": 1}, "propensity": "k"},
    ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}})
    >>> diffusion_matrix(m)
    Matrix([[g*x + k]])
    """
    S = stoichiometry_matrix(model)
    a = propensities(model)
    return (S * sp.diag(*a) * S.T).applyfunc(sp.expand)


def solve_lyapunov(A: sp.Matrix, Q: sp.Matrix, *, simplify: bool = True) -> sp.Matrix:
    """The symmetric ``X`` with ``A X + X Aᵀ + Q = 0``, for a symmetric ``Q``.

    The equation is linear in the ``n (n + 1) / 2`` entries of ``X`` (the vectorised form
    ``(I ⊗ A + A ⊗ I) vec X = −vec Q``); it has a unique solution when no two eigenvalues of ``A``
    sum to zero, in particular when ``A`` is Hurwitz (Horn & Johnson, *Topics in Matrix
    Analysis*, 1991, thm. 4.4.6).

    Parameters
    ----------
    A
        Square matrix (the drift, a Jacobian).
    Q
        Symmetric matrix of the same shape (the diffusion ``B Bᵀ``).
    simplify
        Cancel and factor each entry of the result.

    Raises
    ------
    AnalysisError
        If the linear system is singular (two eigenvalues of ``A`` sum to zero).

    Examples
    --------
    >>> g, D = sp.symbols("g D", positive=True)
    >>> solve_lyapunov(sp.Matrix([[-g]]), sp.Matrix([[D]]))
    Matrix([[D/(2*g)]])
    """
    A, Q = sp.Matrix(A), sp.Matrix(Q)
    n = A.rows
    if A.shape != (n, n) or Q.shape != (n, n):
        raise DimensionError(f"solve_lyapunov: A and Q must be square of one size, got {A.shape} and {Q.shape}")
    if (Q - Q.T).applyfunc(sp.expand) != sp.zeros(n, n):
        raise ValueError("solve_lyapunov: Q must be symmetric (a diffusion matrix B Bᵀ)")
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    unknowns = sp.symbols(f"_s0:{len(pairs)}")
    X = sp.zeros(n, n)
    for s, (i, j) in zip(unknowns, pairs):
        X[i, j] = X[j, i] = s
    R = A * X + X * A.T + Q
    eqs = [R[i, j] for i, j in pairs]
    M, rhs = sp.linear_eq_to_matrix(eqs, unknowns)
    try:
        sol = M.LUsolve(rhs)
    except ValueError:
        raise AnalysisError("solve_lyapunov: the Lyapunov equation is singular (two eigenvalues of the drift "
                            "sum to zero); the fixed point is not asymptotically stable") from None
    if simplify:
        sol = sol.applyfunc(lambda e: sp.factor(sp.cancel(e)))
    return X.xreplace(dict(zip(unknowns, sol)))


@dataclass(frozen=True, kw_only=True)
class SymbolicNoise:
    """The LNA at a fixed point, in closed form.

    Attributes
    ----------
    state
        The fixed point ``x*`` (variable -> expression).
    jacobian
        The drift ``J`` at ``x*``.
    diffusion
        ``B Bᵀ = S diag(a(x*)) Sᵀ``.
    covariance
        ``Σ`` solving ``J Σ + Σ Jᵀ + B Bᵀ = 0``: the covariance of ``ξ = (n − Ω x*)/√Ω``; the
        covariance of the counts ``n`` is ``Ω Σ``, of the concentrations ``x = n/Ω`` it is ``Σ/Ω``.
    fano
        Fano factor ``Var(n_i)/⟨n_i⟩ = Σ_ii / x*_i`` of each species (independent of ``Ω``).
    cv2
        Squared coefficient of variation ``Var(n_i)/⟨n_i⟩² = Σ_ii / (Ω x*_i²)``.
    system_size
        ``Ω`` (``1`` when the variables are copy numbers).
    independent
        The independent species (all when the network conserves nothing).
    link
        The link matrix ``L`` with ``ξ = L ξ_R`` (the identity when nothing is conserved); the
        Lyapunov equation is solved for the independent species, ``Σ = L Σ_R Lᵀ``.
    """

    state: dict[sp.Symbol, sp.Expr]
    jacobian: sp.Matrix
    diffusion: sp.Matrix
    covariance: sp.Matrix
    fano: tuple[sp.Expr, ...]
    cv2: tuple[sp.Expr, ...]
    system_size: sp.Expr = sp.Integer(1)
    independent: tuple[sp.Symbol, ...] = ()
    link: sp.Matrix | None = None


def link_matrix(S: sp.Matrix) -> tuple[list[int], sp.Matrix]:
    """The independent species of a network and its link matrix ``L`` (``S = L S_R``).

    The conservation laws are the left null space of ``S`` (``cᵀ S = 0``); each law eliminates
    one species, the last in the model's order among those it holds (reduced row echelon form
    on the reversed columns, as :func:`linstab.sbml.conservation_laws` chooses), and
    ``x_e = (T − Σ_{i independent} c_i x_i) / c_e`` gives the rows of ``L`` for the eliminated
    species; the independent ones get rows of the identity (Reder 1988).

    Parameters
    ----------
    S
        The stoichiometric matrix (species × reactions).

    Returns
    -------
    (list of int, sympy.Matrix)
        The indices of the independent species and ``L`` (``n × ρ``, ``ρ = rank S``).

    References
    ----------
    C. Reder, *J. Theor. Biol.* 135:175–201 (1988).

    Examples
    --------
    >>> S = sp.Matrix([[-1, 1, 0, 0], [1, -1, 0, 0], [0, 0, 1, -1]])  # promoter off/on, mRNA
    >>> link_matrix(S)
    ([0, 2], Matrix([
    [ 1, 0],
    [-1, 0],
    [ 0, 1]]))
    """
    S = sp.Matrix(S)
    n = S.rows
    null = S.T.nullspace()
    if not null:
        return list(range(n)), sp.eye(n)
    C = sp.Matrix.hstack(*null).T
    R, pivots = C[:, ::-1].rref()
    C = R[:, ::-1]
    elim = [n - 1 - p for p in pivots]
    ind = [i for i in range(n) if i not in elim]
    L = sp.zeros(n, len(ind))
    for j, i in enumerate(ind):
        L[i, j] = 1
    for k, e in enumerate(elim):
        for j, i in enumerate(ind):
            L[e, j] = -C[k, i] / C[k, e]
    return ind, L


def symbolic_noise(model: Any, state: Mapping[Any, Any], *, system_size: Any = 1) -> SymbolicNoise:
    """The LNA covariance, Fano factors and CV² at a fixed point, in closed form.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions (at most :data:`MAX_SYMBOLIC_LYAPUNOV` species).
    state
        The fixed point: a mapping of the variables (symbols or names) to expressions, e.g. the
        ``state`` of a :class:`~linstab.sym.FixedPoint` with no conditions left. It may hold
        symbols that stand for the fixed point (``x*``), to be tied to the parameters afterwards;
        a state at which some ``dx/dt`` is a nonzero number is refused. Stability is not checked
        here: the covariance means something only where ``J`` is Hurwitz (see
        :func:`linstab.sym.routh_hurwitz`).
    system_size
        ``Ω``: a number or a SymPy symbol (``1`` when the variables count molecules).

    Returns
    -------
    SymbolicNoise

    References
    ----------
    van Kampen (2007), ch. X; Elf & Ehrenberg, *Genome Res.* 13:2475 (2003); for the two-stage
    Fano factor ``1 + b/(1 + γ_p/γ_m)``: M. Thattai and A. van Oudenaarden, "Intrinsic noise in
    gene regulatory networks", *PNAS* 98:8614–8619 (2001); J. Paulsson, "Summing up the noise in
    gene networks", *Nature* 427:415–418 (2004).

    Examples
    --------
    >>> m = load_model({"variables": {"x": {}}, "parameters": {"k": {"domain": "positive"},
    ...     "g": {"domain": "positive"}}, "reactions": {
    ...     "birth": {"products": {"x": 1}, "propensity": "k"},
    ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}})
    >>> k, g = m.symbol("k"), m.symbol("g")
    >>> noise = symbolic_noise(m, {"x": k / g})
    >>> noise.covariance, noise.fano
    (Matrix([[k/g]]), (1,))
    """
    model = _reaction_model(model)
    ind, L = link_matrix(stoichiometry_matrix(model))
    if len(ind) > MAX_SYMBOLIC_LYAPUNOV:
        raise AnalysisError(f"symbolic_noise: {len(ind)} independent species; the closed-form Lyapunov solve is "
                            f"limited to {MAX_SYMBOLIC_LYAPUNOV} (use linstab.analysis.linear_noise for numbers)")
    point = {}
    for key, value in state.items():
        sym = model.symbol(key) if isinstance(key, str) else key
        point[sym] = sp.sympify(value) if not isinstance(value, sp.Basic) else value
    missing = [v.name for v in model.variables if v not in point]
    if missing:
        raise ValueError(f"symbolic_noise: `state` gives no value for {', '.join(missing)}")
    for v, f in zip(model.variables, model.rhs):
        residual = sp.simplify(f.xreplace(point))
        if residual.is_number and residual != 0:
            raise ValueError(f"symbolic_noise: `state` is not a fixed point: d{v.name}/dt = {residual} there")
    J = model.jacobian().xreplace(point).applyfunc(sp.cancel)
    D = diffusion_matrix(model).xreplace(point).applyfunc(sp.cancel)
    # conserved moieties: the Lyapunov equation of the independent species, Σ = L Σ_R Lᵀ (Elf & Ehrenberg 2003)
    JR = (J.extract(ind, list(range(model.n_vars))) * L).applyfunc(sp.cancel)
    sigma_r = solve_lyapunov(JR, D.extract(ind, ind))
    sigma = (L * sigma_r * L.T).applyfunc(lambda e: sp.factor(sp.cancel(e)))
    omega = sp.sympify(system_size)
    xs = [point[v] for v in model.variables]
    fano = tuple(sp.factor(sp.cancel(sigma[i, i] / x)) for i, x in enumerate(xs))
    cv2 = tuple(sp.factor(sp.cancel(sigma[i, i] / (omega * x**2))) for i, x in enumerate(xs))
    return SymbolicNoise(state=point, jacobian=J, diffusion=D, covariance=sigma, fano=fano, cv2=cv2,
                         system_size=omega, independent=tuple(model.variables[i] for i in ind), link=L)
