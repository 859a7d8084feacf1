"""Bifurcation curves by the best route that answers: closed form, else numeric continuation.

The symbolic route (:func:`linstab.sym.bifurcation_curves`) gives formulas but can fail three ways:
SymPy has no algorithm for an equation of the derivation, it runs past its time budget, or it
returns nothing although a curve exists (an empty or partial ``solve`` is no proof of absence).
In each case pseudo-arclength continuation (:func:`linstab.num.continue_curve`), whose start-point
search looks for zeros of the test function on lines across the whole range, answers instead —
and a symbolic "none" is reported only when continuation finds none either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from linstab._errors import AnalysisError, ParameterError
from linstab.model import Model, load_model
from linstab.num._continuation import continue_curve
from linstab.sym import BifurcationCurve, bifurcation_curves

__all__ = ["find_curves"]


def find_curves(
    model: Model | str,
    kind: str,
    param: str,
    against: str,
    *,
    q_range: tuple[float, float] | None = None,
    p_range: tuple[float, float] | None = None,
    ansatz: str | Sequence[Sequence[str]] | None = None,
    values: Mapping[str, float] | None = None,
    n_points: int = 50,
    lyapunov: bool = True,
    budget: float | None = 10.0,
) -> list[BifurcationCurve]:
    """Bifurcation curves ``param`` against ``against``: in closed form where SymPy finds one within
    ``budget`` seconds, else by numeric continuation over ``q_range``.

    Each curve's ``route`` says which answered; a continued curve's ``derivation`` says why the
    closed form did not.

    Parameters
    ----------
    model, kind, param, against, ansatz, values, n_points, lyapunov, budget
        As for :func:`linstab.sym.bifurcation_curves`.
    q_range
        Range of ``against``; for continuation it defaults to half to twice its model value.
    p_range
        Where continuation looks for start points in ``param`` (see :func:`continue_curve`).

    Returns
    -------
    list of BifurcationCurve

    Raises
    ------
    AnalysisError
        Neither route finds a curve of the kind (the symbolic route's reason is given).

    Examples
    --------
    >>> (c,) = find_curves("brusselator", "hopf", "b", "a", q_range=(0.5, 2.0), n_points=3)
    >>> c.route, c.kind
    ('closed form', 'hopf')

    The folds of positive autoregulation have no closed form in ``beta``; continuation answers:

    >>> [(c.route, c.kind) for c in find_curves("autoactivation", "fold", "beta", "alpha", q_range=(0.01, 0.1))]
    [('continuation', 'fold'), ('continuation', 'fold')]
    """
    model = load_model(model)
    if values:
        model = model.with_values(values)
    try:
        closed = bifurcation_curves(model, kind, param, against, ansatz=ansatz, q_range=q_range, n_points=n_points,
                                    lyapunov=lyapunov, budget=budget)
    except ParameterError:
        raise
    except AnalysisError as exc:  # no closed form, or a symbolic "none" that is no proof
        closed, symbolic = [], exc
    if closed and not any(c.partial for c in closed):
        return closed
    if q_range is None:
        q0 = model.numeric_values()[against]
        q_range = (q0 / 2, q0 * 2) if q0 > 0 else (q0 - 1.0, q0 + 1.0)
    try:
        curves = continue_curve(model, kind, param, against, q_range=q_range, p_range=p_range, lyapunov=lyapunov)
    except AnalysisError:
        if closed:
            return closed
        raise symbolic from None
    if closed:  # a partial closed-form answer: add the continued curves it does not have
        def known(c: BifurcationCurve) -> bool:
            q, p = c.points[:, 0], c.points[:, 1]
            return any(np.all(np.abs(k.evaluate(q) - p) <= 1e-6 * (1 + np.abs(p))) for k in closed)

        extra = [c for c in curves if not known(c)]
        note = (("Found by numeric continuation: the closed-form route solved only part of the condition.", None),)
        return closed + [dataclasses.replace(c, derivation=note + c.derivation) for c in extra]
    why = str(symbolic).strip().splitlines()[0]
    note = (("Closed-form route: " + why, None),
            (f"Numeric pseudo-arclength continuation over {against} in [{q_range[0]:g}, {q_range[1]:g}] instead.",
             None))
    return [dataclasses.replace(c, derivation=note + c.derivation) for c in curves]
