"""A closed-form bifurcation curve on numbers: its parameter where it exists, NaN elsewhere.

:class:`linstab.sym.BifurcationCurve` holds the curve's expression ``P(Q)`` and the condition
under which it is valid (SymPy); :func:`evaluate_curve` compiles both with the one ``lambdify``
path (:func:`linstab.num.compile_kernel`) and evaluates them on an array of ``Q``;
:func:`condition_holds` evaluates such a condition on an array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError
from linstab.num._kernels import compile_kernel

__all__ = ["condition_holds", "evaluate_curve"]


def condition_holds(cond: sp.Basic | None, value: Callable[[sp.Expr], np.ndarray],
                    shape: tuple[int, ...]) -> np.ndarray:
    """Where a condition holds, numerically.

    Parameters
    ----------
    cond
        A SymPy condition (``And``, ``Or``, ``Not``, relations, ``Eq(im(e), 0)``), or ``None`` for
        none.
    value
        Evaluates an expression on the grid: ``value(expr)`` returns a complex array of ``shape``.
    shape
        The grid's shape.

    Returns
    -------
    numpy.ndarray
        Boolean, of ``shape``. ``Eq(im(e), 0)`` holds where ``e`` is real up to round-off
        (``|Im e| <= 1e-9 (1 + |Re e|)``): a root in Cardano's form is valid where it is real.

    Examples
    --------
    >>> q = sp.Symbol("q")
    >>> grid = np.array([-1.0, 0.5, 2.0])
    >>> condition_holds(sp.And(q > 0, q < 1), lambda e: sp.lambdify(q, e)(grid + 0j) + 0 * grid,
    ...                 grid.shape).tolist()
    [False, True, False]
    """
    if cond is None or cond is sp.true:
        return np.ones(shape, dtype=bool)
    if cond is sp.false:
        return np.zeros(shape, dtype=bool)
    if isinstance(cond, sp.And):
        return np.logical_and.reduce([condition_holds(c, value, shape) for c in cond.args])
    if isinstance(cond, sp.Or):
        return np.logical_or.reduce([condition_holds(c, value, shape) for c in cond.args])
    if isinstance(cond, sp.Not):
        return ~condition_holds(cond.args[0], value, shape)
    if isinstance(cond, sp.Eq) and isinstance(cond.lhs, sp.im) and cond.rhs == 0:
        z = value(cond.lhs.args[0])
        return np.isfinite(z) & (np.abs(z.imag) <= 1e-9 * (1 + np.abs(z.real)))
    if isinstance(cond, sp.core.relational.Relational):
        unwrap = lambda e: e.args[0] if isinstance(e, (sp.re, sp.im)) else e  # noqa: E731
        lhs, rhs = value(unwrap(cond.lhs)).real, value(unwrap(cond.rhs)).real if cond.rhs != 0 else 0.0
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}
        return ops[cond.rel_op](lhs, rhs)
    return np.ones(shape, dtype=bool)  # pragma: no cover - a condition linstab does not write


def evaluate_curve(curve: Any, q: Any) -> np.ndarray:
    """``P`` on a closed-form curve at the values ``q`` of its horizontal parameter.

    Parameters
    ----------
    curve
        A :class:`~linstab.sym.BifurcationCurve` with a closed form (``expression`` not ``None``).
    q
        Values of the horizontal parameter ``curve.against``.

    Returns
    -------
    numpy.ndarray
        ``P`` of the shape of ``q``: NaN where the curve does not exist (the closed form is not
        real there, or its validity condition fails).

    Examples
    --------
    >>> from linstab import bifurcation_curves
    >>> c = bifurcation_curves("brusselator", "hopf", "b", "a", n_points=3)[0]
    >>> evaluate_curve(c, [1.0, 2.0])
    array([2., 5.])
    """
    if curve.expression is None:
        raise AnalysisError(f"{curve.kind} curve of {curve.param} against {curve.against} has no closed "
                            "form; use `points` instead")
    qa = np.asarray(q, dtype=float)

    def numeric(expr: sp.Expr) -> np.ndarray:
        """``expr`` at ``against = qa`` and the fixed values, as complex numbers."""
        syms = sorted(expr.free_symbols, key=lambda s: s.name)
        q_sym = [s for s in syms if s.name == curve.against]
        rest = [s for s in syms if s.name != curve.against]
        kern = compile_kernel(expr, [q_sym or [sp.Dummy()], rest])
        vals = np.array([curve.fixed[s.name] for s in rest], dtype=float)
        with np.errstate(all="ignore"):
            return np.broadcast_to(kern(qa[..., None], vals, dtype=complex), qa.shape)

    out = numeric(curve.expression)
    real = np.isfinite(out) & (np.abs(out.imag) <= 1e-9 * (1 + np.abs(out.real)))
    inside = real & condition_holds(curve.condition, numeric, qa.shape)
    return np.where(inside, out.real, np.nan)
