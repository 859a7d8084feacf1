"""Noise around a stable state: the linear noise approximation at numeric parameter values.

Combines the fixed-point search and the symbolic stoichiometry and propensities with the numeric
Lyapunov solver (:func:`linstab.num.lyapunov_covariance`) and spectrum
(:func:`linstab.num.power_spectrum`).

Units (system size ``Ω``). The model's variables ``x`` are concentrations ``n/Ω`` of the copy
numbers ``n`` and its propensities ``a(x)`` are events per unit time and volume; ``Ω = 1`` (the
default) makes the variables copy numbers. Van Kampen's expansion ``n = Ω x* + √Ω ξ`` gives
``Cov(n) = Ω Σ`` and ``Cov(x) = Σ/Ω``, with ``J Σ + Σ Jᵀ + S diag(a(x*)) Sᵀ = 0``. The Fano
factor of the counts, ``Var(n_i)/⟨n_i⟩ = Σ_ii/x*_i``, does not depend on ``Ω``; the coefficient of
variation ``CV_i = √(Σ_ii/Ω)/x*_i`` falls like ``Ω^(-1/2)``.

References
----------
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed., Elsevier (2007), ch. X.
J. Elf and M. Ehrenberg, *Genome Research* 13:2475–2484 (2003).
J. Paulsson, "Summing up the noise in gene networks", *Nature* 427:415–418 (2004).
M. Thattai and A. van Oudenaarden, "Intrinsic noise in gene regulatory networks", *PNAS*
98:8614–8619 (2001).
A. J. McKane and T. J. Newman, *Phys. Rev. Lett.* 94:218102 (2005) (quasi-cycles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linstab._errors import AnalysisError, ParameterError
from linstab.analysis._conserved import Reduction, network_reduction, resolve_totals, split_values
from linstab.model import load_model
from linstab.num import find_fixed_points, lyapunov_covariance, spectral_density
from linstab.sym import stoichiometry_matrix

__all__ = ["LinearNoise", "NoiseScan", "linear_noise", "noise_scan"]


def _reaction_kernels(model: Any) -> tuple[np.ndarray, Any]:
    """The stoichiometric matrix (raises for a model without reactions) and the propensity kernel."""
    S = np.array(stoichiometry_matrix(model).tolist(), dtype=float)
    return S, model.kernel("propensities")


def _system_size(value: Any) -> float:
    omega = float(value) if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool) \
        else float("nan")
    if not (np.isfinite(omega) and omega > 0):
        raise ParameterError(f"system_size must be a positive, finite number (Ω; 1 when the variables are copy "
                             f"numbers), got {value!r}")
    return omega


def _state_text(names: Sequence[str], x: np.ndarray) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in zip(names, x))


@dataclass(frozen=True, kw_only=True)
class LinearNoise:
    """The linear noise approximation at one stable fixed point.

    Attributes
    ----------
    model
        The model's name.
    variables
        The species' names.
    values
        The parameter values used.
    state
        The stable fixed point ``x*`` (model units).
    jacobian
        The drift ``J`` at ``x*``.
    diffusion
        ``B Bᵀ = S diag(a(x*)) Sᵀ``.
    covariance
        ``Σ``, solving ``J Σ + Σ Jᵀ + B Bᵀ = 0`` (the covariance of ``ξ``; see the module notes).
    eigenvalues
        Eigenvalues of the drift on the independent species (all with negative real part); ``J``
        itself has one more zero eigenvalue per conservation law.
    propensities
        ``a(x*)``, one per reaction.
    system_size
        ``Ω``.
    independent
        The independent species (all of them when nothing is conserved).
    link
        The link matrix ``L`` (``n × ρ``): ``ξ = L ξ_R`` (the identity when nothing is conserved).
    conservation
        ``(law, total, value)`` for each conservation law, e.g. ``("g_off + g_on", "total_g_on", 1.0)``;
        the conserved combinations do not fluctuate, and ``Σ = L Σ_R Lᵀ`` (Reder 1988; Elf &
        Ehrenberg 2003).
    """

    model: str
    variables: tuple[str, ...]
    values: dict[str, float]
    state: np.ndarray
    jacobian: np.ndarray
    diffusion: np.ndarray
    covariance: np.ndarray
    eigenvalues: np.ndarray
    propensities: np.ndarray
    system_size: float = 1.0
    independent: tuple[str, ...] = ()
    link: np.ndarray | None = None
    conservation: tuple[tuple[str, str, float], ...] = ()

    def _reduced(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``J_R``, ``D_R`` and ``L`` (the full ``J``, ``D`` and the identity when nothing is conserved)."""
        n = len(self.variables)
        L = np.eye(n) if self.link is None else self.link
        ind = [self.variables.index(v) for v in (self.independent or self.variables)]
        return self.jacobian[ind] @ L, self.diffusion[np.ix_(ind, ind)], L

    @property
    def variance(self) -> np.ndarray:
        """Variance of each variable in model units, ``Σ_ii / Ω``."""
        return np.diag(self.covariance) / self.system_size

    @property
    def count_covariance(self) -> np.ndarray:
        """Covariance of the copy numbers, ``Ω Σ``."""
        return self.covariance * self.system_size

    @property
    def fano(self) -> np.ndarray:
        """Fano factor of each species' copy number, ``Σ_ii / x*_i`` (``nan`` where ``x*_i = 0``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.state != 0, np.diag(self.covariance) / self.state, np.nan)

    @property
    def cv(self) -> np.ndarray:
        """Coefficient of variation of each species, ``√(Σ_ii/Ω) / x*_i``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.state != 0, np.sqrt(self.variance) / self.state, np.nan)

    def spectrum(self, omega: Any) -> np.ndarray:
        """Power spectrum of each variable (model units) at angular frequencies ``omega``, shape ``(m, n)``.

        ``S(ω) = (iω − J)⁻¹ B Bᵀ (−iω − Jᵀ)⁻¹ / Ω``; ``∫ S(ω) dω/2π`` is :attr:`variance`.
        """
        JR, DR, L = self._reduced()
        full = L @ spectral_density(JR, DR, omega) @ L.T
        return np.real(np.diagonal(full, axis1=-2, axis2=-1)) / self.system_size

    def peak_frequency(self) -> np.ndarray:
        """The angular frequency of each variable's spectral peak (``0`` where the spectrum only falls).

        A peak at ``ω > 0`` marks noise-driven quasi-cycles; near a Hopf point it approaches the
        imaginary part of the critical eigenvalues (McKane & Newman 2005).
        """
        from scipy.optimize import minimize_scalar

        top = 4.0 * max(1.0, float(np.max(np.abs(self.eigenvalues))))
        grid = np.linspace(0.0, top, 4001)
        spec = self.spectrum(grid)
        out = np.zeros(len(self.variables))
        for i in range(len(self.variables)):
            k = int(np.argmax(spec[:, i]))
            if k == 0:
                continue
            lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
            res = minimize_scalar(lambda w: -self.spectrum([w])[0, i], bounds=(lo, hi), method="bounded",
                                  options={"xatol": 1e-10 * top})
            out[i] = res.x
        return out

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the results.

        Examples
        --------
        >>> m = {"variables": {"x": {}}, "parameters": {"k": 10.0, "g": 1.0}, "reactions": {
        ...     "birth": {"products": {"x": 1}, "propensity": "k"},
        ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}}
        >>> d = linear_noise(m).as_dict()
        >>> round(d["fano"]["x"], 9), round(d["variance"]["x"], 9)
        (1.0, 10.0)
        """
        names = self.variables
        return {
            "model": self.model,
            "values": dict(self.values),
            "system_size": self.system_size,
            "state": dict(zip(names, map(float, self.state))),
            "eigenvalues": [[float(e.real), float(e.imag)] for e in self.eigenvalues],
            "variance": dict(zip(names, map(float, self.variance))),
            "fano": dict(zip(names, map(float, self.fano))),
            "cv": dict(zip(names, map(float, self.cv))),
            "covariance": self.covariance.tolist(),
            "diffusion": self.diffusion.tolist(),
            "jacobian": self.jacobian.tolist(),
            "peak_frequency": dict(zip(names, map(float, self.peak_frequency()))),
            "independent": list(self.independent or names),
            "conservation": [{"law": law, "total": total, "value": value} for law, total, value in self.conservation],
        }


def _check_propensities(model: Any, a: np.ndarray, x: np.ndarray, tol: float) -> None:
    scale = max(1.0, float(np.max(np.abs(a)))) if a.size else 1.0
    bad = np.flatnonzero(~np.isfinite(a) | (a < -tol * scale))
    if bad.size:
        r = model.reactions[bad[0]]
        raise AnalysisError(f"the propensity of reaction {r.name!r} ({r.propensity}) is {a[bad[0]]:.6g} at the fixed "
                            f"point {_state_text(model.variable_names, x)}; a propensity is a rate of events and "
                            "must be ≥ 0 there (reverse the reaction, or fix its expression or the parameters)")


def linear_noise(model: Any, values: Mapping[str, float] | None = None, *, state: Any = None,
                 system_size: float = 1.0, tol: float = 1e-9) -> LinearNoise:
    """The linear noise approximation at the stable fixed point of a reaction network.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.
    values
        Parameter values overriding the model's own. For a network with conservation laws (see
        :attr:`LinearNoise.conservation`) it may also give the totals (``total_<species>``, the
        names of :func:`linstab.sbml.conservation_laws`); a total not given is taken from
        ``state``, else from the species' initial values in the model.
    state
        The fixed point (one value per variable), needed when there are several stable ones;
        it is polished by Newton's method (keeping its conserved totals). Default: the one stable
        fixed point found (of the network reduced by its conservation laws).
    system_size
        ``Ω``: the variables are copy numbers divided by ``Ω`` (default 1: copy numbers).
    tol
        Stability tolerance: every eigenvalue's real part must be below ``-tol``.

    Returns
    -------
    LinearNoise

    Conservation laws (``cᵀ S = 0``: a promoter's on + off states) give the drift a zero
    eigenvalue at every state; the network is then reduced to its independent species with the link
    matrix ``L``, the reduced Lyapunov equation ``J_R Σ_R + Σ_R J_Rᵀ + S_R diag(a) S_Rᵀ = 0`` is
    solved and ``Σ = L Σ_R Lᵀ`` reported for every species (Reder 1988; Elf & Ehrenberg 2003).

    Raises
    ------
    AnalysisError
        If the model has no reactions, if there is no stable fixed point or ``state`` is not
        stable (the LNA does not apply), if several are stable and ``state`` is not given, or if
        a propensity is negative at the fixed point.

    References
    ----------
    van Kampen (2007), ch. X; Elf & Ehrenberg, *Genome Res.* 13:2475 (2003).

    Examples
    --------
    >>> m = {"variables": {"m": {}, "p": {}}, "parameters": {"km": 2.0, "gm": 1.0, "kp": 10.0,
    ...     "gp": 0.2}, "reactions": {
    ...     "transcription": {"products": {"m": 1}, "propensity": "km"},
    ...     "mrna_decay": {"reactants": {"m": 1}, "propensity": "gm*m"},
    ...     "translation": {"reactants": {"m": 1}, "products": {"m": 1, "p": 1}, "propensity": "kp*m"},
    ...     "protein_decay": {"reactants": {"p": 1}, "propensity": "gp*p"}}}
    >>> noise = linear_noise(m)
    >>> noise.state, noise.fano  # protein Fano factor 1 + b/(1 + gp/gm) with b = kp/gm = 10
    (array([  2., 100.]), array([1.        , 9.33333333]))
    """
    model = load_model(model)
    S, akernel = _reaction_kernels(model)
    omega = _system_size(system_size)
    red = network_reduction(model, S)
    values, given = split_values(model, red, values)
    vals = model.numeric_values(values)
    p = np.asarray(model.parameter_vector(values), dtype=float)
    names = model.variable_names
    start = None if state is None else _state_vector(model, state)
    totals = resolve_totals(model, red, given, start)
    if start is None:
        rvalues = {**(values or {}), **dict(zip(red.totals, totals))}
        fps = find_fixed_points(red.reduced, rvalues)
        lifted = [(fp, red.lift(fp.state, totals)) for fp in fps]
        # a fixed point of the reduced model whose eliminated species are negative is not a state
        lifted = [(fp, x) for fp, x in lifted if np.all(x >= -1e-9 * max(1.0, float(np.max(np.abs(x)))))]
        stable = [(fp, x) for fp, x in lifted if fp.stable and np.max(fp.eigenvalues.real) < -tol]
        if not stable:
            found = "; ".join(f"{_state_text(names, x)} ({fp.classification})" for fp, x in lifted) or "none found"
            raise AnalysisError(f"model {model.name!r} has no stable fixed point at these parameter values "
                                f"(fixed points: {found}); the linear noise approximation applies only near a "
                                "stable fixed point, where fluctuations stay small")
        if len(stable) > 1:
            options = "; ".join(_state_text(names, x) for _, x in stable)
            raise AnalysisError(f"model {model.name!r} has {len(stable)} stable fixed points ({options}); "
                                "choose one with state=[...]")
        x = _polish(model, stable[0][1], p, red, totals)
    else:
        x = _polish(model, start, p, red, totals)
    J = np.asarray(model.kernel("jacobian")(x, p), dtype=float)
    ind, L = red.independent, red.link
    JR = J[ind] @ L                      # the drift on the independent species (Reder 1988)
    eig = np.linalg.eigvals(JR)
    eig = eig[np.lexsort((eig.imag, -eig.real))]
    if not np.all(np.isfinite(eig)) or np.max(eig.real) >= -tol:
        raise AnalysisError(f"the fixed point {_state_text(names, x)} is not stable (largest Re λ = "
                            f"{np.max(eig.real):.6g}): the linear noise approximation does not apply there, since "
                            "fluctuations are not confined near an unstable or marginal state")
    a = np.asarray(akernel(x, p), dtype=float).reshape(-1)
    _check_propensities(model, a, x, tol)
    D = (S * np.maximum(a, 0.0)) @ S.T
    DR = D[np.ix_(ind, ind)]
    sigma = L @ lyapunov_covariance(JR, DR) @ L.T
    sigma = 0.5 * (sigma + sigma.T)
    return LinearNoise(model=model.name, variables=names, values={**vals, **dict(zip(red.totals, totals))},
                       state=x, jacobian=J, diffusion=D, covariance=sigma, eigenvalues=eig, propensities=a,
                       system_size=omega, independent=tuple(names[i] for i in ind), link=L,
                       conservation=tuple((str(law.expr), law.total.name, float(t))
                                          for law, t in zip(red.laws, totals)))


def _state_vector(model: Any, state: Any) -> np.ndarray:
    x = np.asarray(state, dtype=float).reshape(-1)
    if x.shape != (model.n_vars,) or not np.all(np.isfinite(x)):
        raise ValueError(f"state must hold {model.n_vars} finite numbers ({', '.join(model.variable_names)}), "
                         f"got {state!r}")
    return x


def _polish(model: Any, state: np.ndarray, p: np.ndarray, red: Reduction, totals: np.ndarray) -> np.ndarray:
    """Newton's method on ``f_R(x) = 0, C x = totals`` (a square system; ``f`` alone when nothing is conserved)."""
    x = np.array(state, dtype=float)
    f, jac = model.kernel("rhs"), model.kernel("jacobian")
    ind, C = red.independent, red.conserved
    for _ in range(50):
        G = np.concatenate([np.asarray(f(x, p), dtype=float)[ind], C @ x - totals])
        JG = np.concatenate([np.asarray(jac(x, p), dtype=float)[ind], C])
        step = np.linalg.lstsq(JG, G, rcond=None)[0]
        x = x - step
        if np.max(np.abs(step)) <= 1e-13 * max(1.0, float(np.max(np.abs(x)))):
            break
    res = float(np.max(np.abs(np.asarray(f(x, p), dtype=float))))
    # the residual is measured against the rates that balance there (the propensities)
    a = np.abs(np.asarray(_reaction_kernels(model)[1](x, p), dtype=float))
    scale = max(1.0, float(np.sum(a))) if np.all(np.isfinite(a)) else np.inf
    if not np.isfinite(res) or not np.isfinite(scale) or res > 1e-9 * scale:
        raise AnalysisError(f"state: no fixed point near {_state_text(model.variable_names, np.asarray(state, float))} "
                            f"(Newton's method ends at residual {res:.3g}); pass a fixed point")
    return x


@dataclass(frozen=True, kw_only=True)
class NoiseScan:
    """The LNA over a grid of parameter values.

    Attributes
    ----------
    model
        The model's name.
    variables
        The species' names.
    grid
        The parameters varied, each an array of the grid's shape.
    state
        The fixed point at each grid point, shape ``(*grid, n)``.
    covariance
        ``Σ`` at each grid point, shape ``(*grid, n, n)``; ``nan`` where :attr:`valid` is false.
    jacobian, diffusion
        ``J`` and ``B Bᵀ`` at each grid point.
    valid
        Where the LNA applies: Newton converged to a fixed point, it is stable and every propensity
        is ``≥ 0`` there.
    system_size
        ``Ω``.
    notes
        Why some points are not valid, one sentence each.
    independent, link, conservation
        As in :class:`LinearNoise`: the covariance is ``L Σ_R Lᵀ`` at each point.
    """

    model: str
    variables: tuple[str, ...]
    grid: dict[str, np.ndarray]
    state: np.ndarray
    covariance: np.ndarray
    jacobian: np.ndarray
    diffusion: np.ndarray
    valid: np.ndarray
    system_size: float = 1.0
    notes: tuple[str, ...] = field(default=())
    independent: tuple[str, ...] = ()
    link: np.ndarray | None = None
    conservation: tuple[tuple[str, str, float], ...] = ()

    @property
    def variance(self) -> np.ndarray:
        """Variance of each variable (model units), shape ``(*grid, n)``."""
        return np.diagonal(self.covariance, axis1=-2, axis2=-1) / self.system_size

    @property
    def fano(self) -> np.ndarray:
        """Fano factor of each species' copy number, shape ``(*grid, n)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.diagonal(self.covariance, axis1=-2, axis2=-1) / self.state

    @property
    def cv(self) -> np.ndarray:
        """Coefficient of variation of each species, shape ``(*grid, n)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(self.variance) / self.state

    def spectrum(self, omega: Any) -> np.ndarray:
        """Power spectrum of each variable at each grid point, shape ``(*grid, m, n)`` (``nan`` where not valid)."""
        n = len(self.variables)
        L = np.eye(n) if self.link is None else self.link
        ind = [self.variables.index(v) for v in (self.independent or self.variables)]
        JR = np.where(self.valid[..., None, None], self.jacobian[..., ind, :] @ L, -np.eye(len(ind)))
        DR = self.diffusion[..., np.array(ind)[:, None], np.array(ind)[None, :]]
        full = L @ spectral_density(JR, DR, omega) @ L.T
        out = np.real(np.diagonal(full, axis1=-2, axis2=-1)) / self.system_size
        return np.where(self.valid[..., None, None], out, np.nan)

    def plot(self, *, variable: str | None = None, omega: Any = None) -> Any:
        """Variance, Fano factor and spectrum against the (single) scanned parameter; see
        :func:`linstab.plot.noise_figure`."""
        from linstab.plot import noise_figure

        return noise_figure(self, variable=variable, omega=omega)


def noise_scan(model: Any, grid: Mapping[str, Any], *, values: Mapping[str, float] | None = None,
               state: Any = None, system_size: float = 1.0, method: str = "auto", tol: float = 1e-9) -> NoiseScan:
    """The LNA covariance over a grid of parameter values, in one batched computation.

    The fixed point at every grid point is found by Newton's method, all points at once, from the
    stable fixed point at the model's values (or ``state``): the scan follows that branch. The
    Jacobians, diffusion matrices and Lyapunov solves are batched
    (:func:`linstab.num.lyapunov_covariance`).

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.
    grid
        Parameter name -> array of values; the arrays broadcast together (e.g. from
        :func:`numpy.meshgrid`). A conserved total (``total_<species>``) may be scanned too.
    values
        Values of the other parameters, overriding the model's own.
    state
        Starting fixed point (see :func:`linear_noise`).
    system_size
        ``Ω`` (see :func:`linear_noise`).
    method
        Lyapunov solver: ``"auto"``, ``"kron"`` or ``"scipy"`` (see :func:`linstab.num.lyapunov_covariance`).
    tol
        Stability tolerance.

    Returns
    -------
    NoiseScan

    Examples
    --------
    >>> m = {"variables": {"x": {}}, "parameters": {"k": 10.0, "g": 1.0}, "reactions": {
    ...     "birth": {"products": {"x": 1}, "propensity": "k"},
    ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}}
    >>> scan = noise_scan(m, {"k": np.linspace(1.0, 50.0, 5)})
    >>> scan.variance[:, 0], scan.fano[:, 0]
    (array([ 1.  , 13.25, 25.5 , 37.75, 50.  ]), array([1., 1., 1., 1., 1.]))
    """
    model = load_model(model)
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError("noise_scan: `grid` must map at least one parameter name to an array of values")
    base = linear_noise(model, values, state=state, system_size=system_size, tol=tol)
    S, akernel = _reaction_kernels(model)
    red = network_reduction(model, S)
    values, _ = split_values(model, red, values)
    arrays = {}
    for name, arr in grid.items():
        if name not in red.totals:
            model.parameter(name)
        arrays[name] = np.asarray(arr, dtype=float)
        if not np.all(np.isfinite(arrays[name])):
            raise ParameterError(f"noise_scan: the values of {name!r} must be finite")
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        raise ValueError("noise_scan: the grid's arrays do not broadcast together: "
                         + ", ".join(f"{k} {a.shape}" for k, a in arrays.items())) from None
    arrays = {k: np.broadcast_to(a, shape) for k, a in arrays.items()}
    p0 = np.asarray(model.parameter_vector(values), dtype=float)
    P = np.broadcast_to(p0, (*shape, p0.size)).copy()
    T = np.array([base.values[t] for t in red.totals], dtype=float)
    T = np.broadcast_to(T, (*shape, T.size)).copy()
    for name, arr in arrays.items():
        if name in red.totals:
            T[..., red.totals.index(name)] = arr
        else:
            P[..., model.parameter_names.index(name)] = arr
    n = model.n_vars
    ind, L, C = red.independent, red.link, red.conserved
    f, jac = model.kernel("rhs"), model.kernel("jacobian")
    x = np.broadcast_to(base.state, (*shape, n)).copy()
    with np.errstate(all="ignore"):
        # Newton on f_R(x) = 0, C x = T (square: the conserved totals replace the eliminated equations)
        for _ in range(60):
            Jx = np.asarray(jac(x, P), dtype=float)
            fx = np.asarray(f(x, P), dtype=float)
            G = np.concatenate([fx[..., ind], x @ C.T - T], axis=-1)
            JG = np.concatenate([Jx[..., ind, :], np.broadcast_to(C, (*shape, *C.shape))], axis=-2)
            ok = np.all(np.isfinite(JG), axis=(-1, -2)) & np.all(np.isfinite(G), axis=-1)
            ok[ok] &= np.abs(np.linalg.det(JG[ok])) > 0
            step = np.zeros_like(x)
            step[ok] = np.linalg.solve(JG[ok], G[ok][..., None])[..., 0]
            x = x - step
            if np.all(np.abs(step) <= 1e-13 * np.maximum(1.0, np.abs(x))):
                break
        fx = np.asarray(f(x, P), dtype=float)
        J = np.asarray(jac(x, P), dtype=float)
        a = np.asarray(akernel(x, P), dtype=float).reshape(*shape, -1)
        JR = J[..., ind, :] @ L
    scale = np.maximum(1.0, np.sum(np.abs(a), axis=-1))  # the rates that balance at a fixed point
    resid = np.concatenate([fx, x @ C.T - T], axis=-1)
    converged = np.all(np.isfinite(resid), axis=-1) & (np.max(np.abs(resid), axis=-1) <= 1e-9 * scale)
    rho = ind.size
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(JR), axis=(-1, -2))
        eig = np.full((*shape, rho), np.nan, dtype=complex)
        eig[finite] = np.linalg.eigvals(JR[finite])
    stable = finite & (np.max(eig.real, axis=-1) < -tol)
    ascale = np.maximum(1.0, np.max(np.abs(np.nan_to_num(a)), axis=-1))
    nonneg = np.all(np.isfinite(a), axis=-1) & np.all(a >= -tol * ascale[..., None], axis=-1)
    valid = converged & stable & nonneg
    notes = []
    for mask, why in ((~converged, "Newton's method did not converge to a fixed point from the starting state"),
                      (converged & ~stable, "the fixed point is not stable (the LNA does not apply)"),
                      (converged & stable & ~nonneg, "a propensity is negative at the fixed point")):
        if mask.any():
            notes.append(f"{int(mask.sum())} of {mask.size} grid points: {why}; their covariance is nan")
    D = np.einsum("ir,...r,jr->...ij", S, np.where(valid[..., None], np.maximum(a, 0.0), 0.0), S)
    DR = D[..., ind[:, None], ind[None, :]]
    Jsafe = np.where(valid[..., None, None], JR, -np.eye(rho))
    sigma = L @ lyapunov_covariance(Jsafe, DR, method=method) @ L.T   # Σ = L Σ_R Lᵀ (Reder 1988)
    sigma = np.where(valid[..., None, None], 0.5 * (sigma + np.swapaxes(sigma, -1, -2)), np.nan)
    return NoiseScan(model=model.name, variables=model.variable_names, grid=dict(arrays), state=x,
                     covariance=sigma, jacobian=J, diffusion=D, valid=valid, system_size=base.system_size,
                     notes=tuple(notes), independent=tuple(model.variable_names[i] for i in ind), link=L,
                     conservation=base.conservation)
