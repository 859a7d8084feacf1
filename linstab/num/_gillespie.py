"""Gillespie's direct method, vectorised over many trajectories.

Each step draws, for every trajectory still running, the waiting time ``τ ~ Exp(a₀)`` with
``a₀ = Σ_j A_j(n)`` and the reaction ``j`` with probability ``A_j(n)/a₀`` (Gillespie 1977); the
trajectories advance together, one event each per step, as arrays. The state is recorded at the
requested times (the state just before the first event after each time).

With system size ``Ω`` the model's variables are concentrations ``x = n/Ω`` and its propensities
are rates per unit volume; the propensity of the counts is ``A_j(n) = Ω a_j(n/Ω)`` (van Kampen
2007, ch. X.1). With ``Ω = 1`` (the default) the variables are copy numbers.

References
----------
D. T. Gillespie, "Exact stochastic simulation of coupled chemical reactions", *J. Phys. Chem.*
81:2340–2361 (1977).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._errors import AnalysisError, DimensionError, ParameterError
from linstab.model import load_model

__all__ = ["gillespie", "SSAResult", "MAX_SSA_STEPS"]

#: Default limit on the number of vectorised steps (events per trajectory).
MAX_SSA_STEPS = 2_000_000


@dataclass(frozen=True, kw_only=True)
class SSAResult:
    """Copy numbers of stochastic trajectories sampled at fixed times.

    Attributes
    ----------
    times
        The sample times, shape ``(m,)``.
    counts
        Copy numbers, shape ``(trajectories, m, n_species)``.
    variables
        The species' names.
    system_size
        ``Ω``: the concentrations are ``counts / Ω``.
    steps
        Number of vectorised steps taken (the most events of any trajectory).
    """

    times: np.ndarray
    counts: np.ndarray
    variables: tuple[str, ...]
    system_size: float
    steps: int

    def __repr__(self) -> str:
        return (f"SSAResult({self.counts.shape[0]} trajectories × {len(self.times)} times, "
                f"species {', '.join(self.variables)}, Ω = {self.system_size:g})")


def gillespie(model: Any, values: Mapping[str, float] | None = None, *, x0: Any, times: Any,
              n_trajectories: int = 1000, system_size: float = 1.0, seed: int | None = 0,
              max_steps: int = MAX_SSA_STEPS) -> SSAResult:
    """Simulate a reaction network with Gillespie's direct method, many trajectories at once.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` with reactions, or anything :func:`~linstab.load_model` accepts.
    values
        Parameter values overriding the model's own.
    x0
        Initial copy numbers, one per species (whole numbers ``≥ 0``), or shape
        ``(n_trajectories, n_species)``.
    times
        Increasing sample times ``≥ 0``.
    n_trajectories
        Number of independent trajectories.
    system_size
        ``Ω > 0``: the model's variables are ``n/Ω`` and a propensity counts ``Ω a(n/Ω)`` events
        per unit time.
    seed
        Seed of :func:`numpy.random.default_rng` (the result is reproducible for a given seed).
    max_steps
        Stop with an error past this many events in one trajectory.

    Returns
    -------
    SSAResult

    Raises
    ------
    AnalysisError
        If a propensity is negative or not finite in a state reached, or past ``max_steps``.

    Examples
    --------
    >>> m = load_model({"variables": {"x": {}}, "parameters": {"k": 10.0, "g": 1.0}, "reactions": {
    ...     "birth": {"products": {"x": 1}, "propensity": "k"},
    ...     "death": {"reactants": {"x": 1}, "propensity": "g*x"}}})
    >>> run = gillespie(m, x0=[10], times=[0.0, 5.0], n_trajectories=2000, seed=1)
    >>> run.counts.shape, bool(9.5 < run.counts[:, 1, 0].mean() < 10.5)
    ((2000, 2, 1), True)
    """
    from linstab.sym import stoichiometry_matrix

    model = load_model(model)
    S = np.array(stoichiometry_matrix(model).tolist(), dtype=float)  # raises if there are no reactions
    kernel = model.kernel("propensities")
    p = np.asarray(model.parameter_vector(values), dtype=float)
    omega = float(system_size)
    if not (np.isfinite(omega) and omega > 0):
        raise ParameterError(f"gillespie: system_size must be a positive, finite number, got {system_size!r}")
    if isinstance(n_trajectories, bool) or not isinstance(n_trajectories, (int, np.integer)) or n_trajectories < 1:
        raise ValueError(f"gillespie: n_trajectories must be a positive integer, got {n_trajectories!r}")
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)) or times[0] < 0 \
            or np.any(np.diff(times) < 0):
        raise ValueError("gillespie: `times` must be a nonempty, increasing sequence of finite times ≥ 0")
    s = model.n_vars
    start = np.asarray(x0, dtype=float)
    if start.shape not in ((s,), (n_trajectories, s)):
        raise DimensionError(f"gillespie: x0 must have shape ({s},) or ({n_trajectories}, {s}), got {start.shape}")
    if np.any(start < 0) or np.any(start != np.round(start)):
        raise ValueError("gillespie: x0 must hold copy numbers (whole numbers ≥ 0); with system_size Ω, "
                         "pass Ω times the concentrations, rounded")
    rng = np.random.default_rng(seed)
    n = np.array(np.broadcast_to(start, (n_trajectories, s)))
    t = np.zeros(n_trajectories)
    m = times.size
    out = np.empty((n_trajectories, m, s))
    nxt = np.zeros(n_trajectories, dtype=np.int64)
    jumps = S.T                                   # (reactions, species)
    names = [r.name for r in model.reactions]
    active = np.arange(n_trajectories)
    steps = 0
    while active.size:
        steps += 1
        if steps > max_steps:
            raise AnalysisError(f"gillespie: more than max_steps={max_steps} events in a trajectory before the last "
                                f"sample time {times[-1]:g}; shorten `times` or raise max_steps")
        a = omega * np.asarray(kernel(n[active] / omega, p), dtype=float).reshape(active.size, -1)
        bad = ~np.isfinite(a) | (a < 0)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            state = ", ".join(f"{v}={c:g}" for v, c in zip(model.variable_names, n[active[row]]))
            raise AnalysisError(f"gillespie: the propensity of reaction {names[col]!r} is {a[row, col]:g} at the "
                                f"counts {state}; propensities must be finite and ≥ 0 in every state reached")
        a0 = a.sum(axis=1)
        with np.errstate(divide="ignore"):
            tau = rng.standard_exponential(active.size) / a0          # inf where nothing can happen
        t_new = t[active] + tau
        while True:  # record every sample time passed before the next event
            idx = np.flatnonzero(nxt[active] < m)
            due = idx[times[nxt[active[idx]]] < t_new[idx]]
            if due.size == 0:
                break
            rows = active[due]
            out[rows, nxt[rows]] = n[rows]
            nxt[rows] += 1
        running = nxt[active] < m
        fire = active[running]
        if fire.size:
            u = rng.random(fire.size) * a0[running]
            j = np.minimum((np.cumsum(a[running], axis=1) <= u[:, None]).sum(axis=1), a.shape[1] - 1)
            n[fire] += jumps[j]
            t[fire] = t_new[running]
        active = fire
    return SSAResult(times=times, counts=out, variables=model.variable_names, system_size=omega, steps=steps)
