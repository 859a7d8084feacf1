"""What the live characteristic-root explorer of a delay diagram needs (:func:`linstab.plot.delay_explorer`).

The page cannot run the spectral discretisation of :func:`linstab.num.rightmost_roots` at every
slider move, so the work is split. Here, in Python, the rightmost roots are computed once per cell
of the ``(Q, τ)`` map; in the browser, the roots of the nearest cell are followed from the cell's
parameters to the slider values in small steps and, with those shown last, are the starting points
of Newton's method on the characteristic function
``det Δ(λ) = det(λI − A₀ − Σ_k A_k e^{−λτ_k})`` at the slider values, ``A₀`` and ``A_k`` evaluated
at the fixed point found there by Newton's method on the system at zero delay (a constant
solution does not feel the delay). Newton's step is ``λ ← λ − 1/tr(Δ(λ)⁻¹Δ′(λ))`` (Jacobi's
formula, ``(det Δ)′ = det Δ · tr(Δ⁻¹Δ′)``), as in :mod:`linstab.num`.

Newton only finds roots near its starts: at slider values far from the map's plane (the other
parameters moved a long way) a root that has come in from the far left can be missed. The page
says which cell its starts came from.

References
----------
Engelborghs, K., Luzyanina, T. & Roose, D., ACM Trans. Math. Softw. 28, 1 (2002) (roots by
discretisation, then Newton on the characteristic matrix); Michiels, W. & Niculescu, S.-I.,
*Stability and Stabilization of Time-Delay Systems* (2007), ch. 1 (the characteristic matrix).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError
from linstab.analysis._delay import DelayDiagramData, delay_diagram_data
from linstab.model import Model, load_model
from linstab.num import find_fixed_points, rightmost_roots
from linstab.sym import delay_linearization, undelayed

__all__ = ["DelayExplorerData", "delay_explorer_data"]


@dataclass(frozen=True, kw_only=True, eq=False)
class DelayExplorerData:
    """The diagram of a delay model and the pieces of its live root explorer.

    Attributes
    ----------
    diagram
        :class:`DelayDiagramData`: the map and the delay Hopf curves.
    model
        The delay model (with the values the diagram used).
    roots
        Rightmost characteristic roots per map cell, complex ``(n_tau, n_q, n_roots)`` (rows: the
        delay, columns: ``Q``), rightmost first; ``nan`` where the fixed point is not unique.
    values
        The initial slider values (the model's, ``Q`` and ``τ`` clipped into the window).
    state
        The fixed point at ``values`` (the Newton start of the page).
    initial
        The rightmost roots at ``values`` and ``state`` (what the page shows before a slider moves).
    rhs, jacobian
        Right-hand side and Jacobian of the system at zero delay (SymPy, in the model's variables
        and parameters).
    A0, A
        ``A₀`` and the ``A_k`` at a general state (SymPy matrices).
    taus
        The delay parameter of each ``A_k``.
    """

    diagram: DelayDiagramData
    model: Model
    roots: np.ndarray
    values: dict[str, float]
    state: np.ndarray
    initial: np.ndarray
    rhs: list[sp.Expr]
    jacobian: list[sp.Expr]
    A0: sp.Matrix
    A: tuple[sp.Matrix, ...]
    taus: tuple[str, ...]


def delay_explorer_data(model: Model | str | Mapping[str, Any], against: str, *, tau: str | None = None,
                        q_range: Sequence[float] | None = None, tau_range: Sequence[float] | None = None,
                        values: Mapping[str, float] | None = None, grid: int = 40, n_roots: int = 4
                        ) -> DelayExplorerData:
    """The stability diagram of a delay model in ``(Q, τ)`` and what its live root explorer needs.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    against
        The parameter ``Q`` on the horizontal axis.
    tau
        The delay on the vertical axis (default: the model's only delay).
    q_range
        Range of ``Q`` (default: half to twice its value).
    tau_range
        Range of the delay (default: see :func:`delay_diagram_data`).
    values
        Values of the other parameters.
    grid
        Map cells per axis.
    n_roots
        Rightmost roots kept per cell (the page's Newton starts).

    Returns
    -------
    DelayExplorerData

    Examples
    --------
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> d = delay_explorer_data(m, "a", q_range=(0.5, 2.0), grid=4, n_roots=2)
    >>> d.roots.shape, d.taus, d.A
    ((4, 4, 2), ('tau',), (Matrix([[-a]]),))
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    if n_roots < 1:
        raise ValueError(f"n_roots must be at least 1; got {n_roots}")
    d = delay_diagram_data(model, against, tau=tau, q_range=q_range, tau_range=tau_range, grid=grid)
    smap = d.smap
    Q, T = np.meshgrid(np.asarray(smap.x, float), np.asarray(smap.y, float))
    roots = np.full((*Q.shape, int(n_roots)), complex(np.nan))
    try:
        roots = rightmost_roots(model, {d.against: Q, d.tau: T}, n_roots=int(n_roots))
    except AnalysisError:  # several fixed points somewhere: column by column, nan where not unique
        for j in range(Q.shape[1]):
            try:
                roots[:, j] = rightmost_roots(model, {d.against: Q[:, j], d.tau: T[:, j]}, n_roots=int(n_roots))
            except AnalysisError:
                pass
    vals = {k: float(v) for k, v in model.numeric_values().items()}
    vals[d.against] = float(np.clip(vals[d.against], *d.q_range))
    vals[d.tau] = float(np.clip(vals[d.tau], *d.tau_range))
    ode = undelayed(model)
    fps = find_fixed_points(ode, vals)
    if not fps:
        raise AnalysisError(f"model {model.name!r} has no fixed point at {vals}; the root explorer needs one")
    state = np.asarray(fps[0].state, float)
    initial = rightmost_roots(model, vals, state=state, n_roots=int(n_roots))
    lin = delay_linearization(model)
    return DelayExplorerData(diagram=d, model=model, roots=roots, values=vals, state=state, initial=initial,
                             rhs=list(ode.rhs), jacobian=list(ode.jacobian()), A0=lin.A0, A=lin.A,
                             taus=tuple(t.name for t in lin.taus))
