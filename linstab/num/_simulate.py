"""Simulation with SciPy's ``solve_ivp`` and a check of the long-time behaviour.

:func:`check_behaviour` confirms what linear stability predicts on each side of a bifurcation
curve: decay to a fixed point, or a sustained oscillation whose amplitude and period it estimates
from the last part of the trajectory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._errors import AnalysisError, DimensionError
from linstab.model import Model, load_model

__all__ = ["Trajectory", "Behaviour", "simulate", "check_behaviour"]


@dataclass(frozen=True, kw_only=True, eq=False)
class Trajectory:
    """A solution of the model's ODEs.

    Attributes
    ----------
    t
        Times, shape ``(T,)``.
    x
        States, shape ``(T, n_vars)``.
    variables
        Names of the state variables (columns of ``x``).
    values
        Parameter values used.
    model
        The simulated model (for :meth:`__getitem__`, :meth:`amount`, :meth:`concentration`).

    Examples
    --------
    ``traj[name]`` evaluates any symbol of the model along the solution: a state variable, a
    parameter, or a quantity the model defines by an expression (an SBML assignment rule; a
    species' meaning, its amount if it has only substance units, else its concentration).

    >>> tr = simulate("autorepression", (0, 1), [0.0], {"beta": 2.0, "n": 1.0}, n_points=3)
    >>> tr["x"].shape, tr["beta"].tolist()
    ((3,), [2.0, 2.0, 2.0])
    """

    t: np.ndarray
    x: np.ndarray
    variables: tuple[str, ...]
    values: dict[str, float]
    model: Model | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.variables:
            return self.x[:, self.variables.index(name)]
        if name in self.values:
            return np.full(self.t.shape, self.values[name])
        defined = dict(self.model.observables) if self.model is not None else {}
        if name in defined:
            return self._evaluate(defined[name], name)
        known = [*self.variables, *defined, *self.values]
        raise KeyError(f"{name!r} is no symbol of the simulated model; known: {', '.join(known)}")

    def amount(self, name: str) -> np.ndarray:
        """The amount of species ``name`` along the solution (concentration times compartment size)."""
        return self._species(name, 1)

    def concentration(self, name: str) -> np.ndarray:
        """The concentration of species ``name`` along the solution (amount over compartment size)."""
        return self._species(name, 2)

    def _species(self, name: str, which: int) -> np.ndarray:
        table = {s[0]: s for s in self.model.species} if self.model is not None else {}
        if name not in table:
            raise KeyError(f"{name!r} is no species of the simulated model (amounts and concentrations are "
                           f"defined for SBML species); species: {', '.join(table) or 'none'}")
        return self._evaluate(table[name][which], name)

    def _evaluate(self, expr: Any, name: str) -> np.ndarray:
        from linstab.num._kernels import compile_kernel

        model = self.model
        kernel = compile_kernel([expr], [model.variables, model.parameters])
        p = np.array([self.values[q] for q in model.parameter_names], dtype=float)
        out = np.asarray(kernel(self.x, np.broadcast_to(p, (len(self.t), len(p)))), dtype=float)
        return np.broadcast_to(out[..., 0], self.t.shape).copy()


@dataclass(frozen=True, kw_only=True, eq=False)
class Behaviour:
    """Long-time behaviour of a trajectory.

    Attributes
    ----------
    kind
        ``"decay"`` (settles to a fixed point) or ``"oscillation"`` (sustained oscillation).
    amplitude
        Half the peak-to-trough range over the analysed window, largest over the variables.
    period
        Mean time between successive maxima of the most oscillating variable (``nan`` for decay).
    final_state
        State at the end of the simulation.
    trajectory
        The simulated :class:`Trajectory`.
    """

    kind: str
    amplitude: float
    period: float
    final_state: np.ndarray
    trajectory: Trajectory


def simulate(model: Model | str, t_span: tuple[float, float], x0: Any = None, values: Mapping[str, float] | None = None,
             *, t_eval: Any = None, n_points: int = 2000, method: str = "LSODA", rtol: float = 1e-8,
             atol: float = 1e-10) -> Trajectory:
    """Integrate ``dx/dt = f(x; p)`` with :func:`scipy.integrate.solve_ivp`.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or a name/path.
    t_span
        ``(t0, t1)``.
    x0
        Initial state, one entry per variable; by default the model's :attr:`~linstab.Model.initial`
        state (an error if the model declares none).
    values
        Parameter values (override the model's).
    t_eval
        Output times; by default ``n_points`` evenly spaced times over ``t_span``.
    n_points
        Number of output times when ``t_eval`` is not given.
    method
        Integrator (``"LSODA"``, ``"RK45"``, ``"Radau"``...).
    rtol, atol
        Tolerances.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> tr = simulate("autorepression", (0, 20), [0.0], {"beta": 2.0, "n": 1.0})
    >>> round(float(tr.x[-1, 0]), 6)   # x(1 + x) = 2 at the fixed point
    1.0
    """
    from scipy.integrate import solve_ivp

    model = load_model(model)
    if x0 is None:
        start = dict(model.initial)
        missing = [v for v in model.variable_names if start.get(v) is None]
        if missing:
            raise ValueError(f"simulate: no x0 given and model {model.name!r} declares no initial value for "
                             f"{', '.join(missing)}; pass x0 (one value per variable: "
                             f"{', '.join(model.variable_names)})")
        x0 = [start[v] for v in model.variable_names]
    x0a = np.asarray(x0, dtype=float)
    if x0a.shape != (model.n_vars,):
        raise DimensionError(f"x0 had shape {x0a.shape} while it should have had ({model.n_vars},) "
                             f"(one entry per variable: {', '.join(model.variable_names)})")
    p = np.asarray(model.parameter_vector(values), dtype=float)
    t0, t1 = map(float, t_span)
    if t_eval is None:
        t_eval = np.linspace(t0, t1, n_points)
    if model.n_vars == 0:  # e.g. an SBML model whose every quantity is given by a rule
        t_out = np.asarray(t_eval, dtype=float)
        return Trajectory(t=t_out, x=np.zeros((len(t_out), 0)), variables=(),
                          values=dict(zip(model.parameter_names, p.tolist())), model=model)
    rhs = model.kernel("rhs")
    from linstab.num._maps import jacobian_kernel

    jac = jacobian_kernel(model)
    extra = {"jac": lambda t, x: jac(x, p)} if method in ("LSODA", "Radau", "BDF") else {}
    sol = solve_ivp(lambda t, x: rhs(x, p), (t0, t1), x0a, method=method, t_eval=t_eval, rtol=rtol, atol=atol,
                    **extra)
    if not sol.success:
        raise AnalysisError(f"simulate: the integrator failed ({sol.message}); try method='Radau' or a "
                            "shorter t_span")
    return Trajectory(t=sol.t, x=sol.y.T, variables=model.variable_names,
                      values=dict(zip(model.parameter_names, p.tolist())), model=model)


def check_behaviour(model: Model | str, values: Mapping[str, float] | None = None, *, x0: Any = None,
                    t_end: float = 400.0, window: float = 0.25, rtol_amp: float = 1e-3) -> Behaviour:
    """Simulate and classify the long-time behaviour as decay or sustained oscillation.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or a name/path.
    values
        Parameter values (override the model's).
    x0
        Initial state; by default a slightly asymmetric state near 1 (which breaks symmetric
        branches, as a real perturbation does).
    t_end
        Length of the simulation.
    window
        Fraction of the simulation, at its end, that is analysed.
    rtol_amp
        An amplitude below ``rtol_amp * (1 + |mean|)`` counts as decay.

    Returns
    -------
    Behaviour

    Examples
    --------
    >>> check_behaviour("repressilator", {"beta": 10.0, "n": 3.0}).kind
    'oscillation'
    >>> check_behaviour("repressilator", {"beta": 2.0, "n": 3.0}).kind
    'decay'
    """
    model = load_model(model)
    if x0 is None:
        x0 = 1.0 + 0.1 * np.arange(model.n_vars)
    tr = simulate(model, (0.0, t_end), x0, values, n_points=max(4000, int(t_end * 20)))
    start = int(len(tr.t) * (1 - window))
    seg, ts = tr.x[start:], tr.t[start:]
    half_range = (seg.max(0) - seg.min(0)) / 2
    mean = np.abs(seg.mean(0))
    j = int(np.argmax(half_range / (1 + mean)))
    amp = float(half_range[j])
    if amp <= rtol_amp * (1 + mean[j]):
        return Behaviour(kind="decay", amplitude=amp, period=float("nan"), final_state=tr.x[-1], trajectory=tr)
    # a sustained oscillation keeps its amplitude: compare the two halves of the window
    h = len(seg) // 2
    a1 = np.ptp(seg[:h, j]) / 2
    a2 = np.ptp(seg[h:, j]) / 2
    y = seg[:, j]
    peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    period = float(np.mean(np.diff(ts[peaks]))) if len(peaks) >= 2 else float("nan")
    kind = "oscillation" if a2 >= 0.9 * a1 and len(peaks) >= 2 else "decay"
    return Behaviour(kind=kind, amplitude=amp, period=period, final_state=tr.x[-1], trajectory=tr)
