"""Jacobians, linearization about a point, and the Taylor series of Hill functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from linstab._errors import ParameterError
from linstab._parse import as_expr

__all__ = ["jacobian", "linearize", "hill_taylor"]


def jacobian(model: Any) -> sp.Matrix:
    """The symbolic Jacobian ``∂f_i/∂x_j`` of a model.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`, a built-in model name, a path or a mapping.

    Returns
    -------
    sympy.Matrix

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.

    Examples
    --------
    >>> jacobian("repressilator")[1, 0]
    -beta*n*x1**(n - 1)/(x1**n + 1)**2
    """
    from linstab.model import load_model

    return load_model(model).jacobian()


def _point_subs(model: Any, point: Mapping[Any, Any], where: str) -> dict[sp.Symbol, sp.Expr]:
    subs: dict[sp.Symbol, sp.Expr] = {}
    for key, value in dict(point).items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if not isinstance(name, str):
            raise TypeError(f"{where}: keys of `point` must be variable names or symbols, got {key!r}")
        if name not in model.symbols:
            raise ParameterError(f"{where}: `point` names {name!r}, which is not a variable or parameter of "
                                 f"model {model.name!r}; variables: {', '.join(model.variable_names)}")
        subs[model.symbols[name]] = as_expr(value, model.symbols, where=f"{where}: point[{name!r}]")
    return subs


def _combine(expr: sp.Expr) -> sp.Expr:
    """Constant part plus one fraction with a factored numerator (``-1 + βn xⁿ⁻¹/(1 + xⁿ)²``)."""
    if not expr.free_symbols:
        return expr
    const, rest = expr.as_independent(*expr.free_symbols, as_Add=True)
    num, den = sp.fraction(sp.together(rest))
    num = sp.factor(sp.powsimp(sp.expand(num)))
    return const + num / sp.factor(den)


def _simplify_entry(expr: sp.Expr) -> sp.Expr:
    expr = sp.powsimp(sp.powdenest(expr, force=False))
    candidates = [expr]
    if sp.count_ops(expr) < 60:
        candidates += [_combine(expr), sp.simplify(expr)]
    return min(candidates, key=sp.count_ops)


def linearize(model: Any, point: Mapping[Any, Any]) -> sp.Matrix:
    """The Jacobian evaluated at a point, simplified: the matrix ``A`` of ``dδx/dt = A δx``.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    point
        Values (expressions or numbers) of the state variables, by name or symbol; parameters
        may be given too.

    Returns
    -------
    sympy.Matrix

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b, step 1.

    Examples
    --------
    >>> x0 = sp.Symbol("x0", positive=True)
    >>> linearize("repressilator", {"x1": x0, "x2": x0, "x3": x0})[0, :]
    Matrix([[-1, 0, -beta*n*x0**(n - 1)/(x0**n + 1)**2]])
    """
    from linstab.model import load_model

    model = load_model(model)
    subs = _point_subs(model, point, "linearize")
    return model.jacobian().xreplace(subs).applyfunc(_simplify_entry)


def hill_taylor(kind: str, x: Any, x0: Any, n: Any) -> sp.Expr:
    """First-order Taylor expansion of a dimensionless Hill function about ``x0``.

    ``x**n/(1 + x**n) ≈ x0**n/(1 + x0**n) + n x0**(n-1)/(1 + x0**n)**2 (x − x0)`` for
    ``kind="activation"`` and ``1/(1 + x**n) ≈ 1/(1 + x0**n) − n x0**(n-1)/(1 + x0**n)**2 (x − x0)``
    for ``kind="repression"``, written as the course appendix writes them. The slope is derived
    by differentiation, not copied.

    Parameters
    ----------
    kind
        ``"activation"`` or ``"repression"``.
    x
        The variable (the expansion is linear in ``x - x0``).
    x0
        The point of expansion.
    n
        The Hill coefficient.

    Returns
    -------
    sympy.Expr

    References
    ----------
    Elowitz, M. & Bois, J., *Biological Circuit Design*, technical appendix 9b.

    Examples
    --------
    >>> x, x0, n = sp.symbols("x x0 n", positive=True)
    >>> hill_taylor("repression", x, x0, n)
    -n*x0**(n - 1)*(x - x0)/(x0**n + 1)**2 + 1/(x0**n + 1)
    """
    if kind not in ("activation", "repression"):
        raise ValueError(f"hill_taylor: `kind` must be 'activation' or 'repression', got {kind!r}")
    x, x0, n = (as_expr(v, where=f"hill_taylor: {k}") for k, v in (("x", x), ("x0", x0), ("n", n)))
    u = sp.Dummy("u", positive=True)
    f = u**n / (1 + u**n) if kind == "activation" else 1 / (1 + u**n)
    value = f.subs(u, x0)
    slope = sp.factor(sp.powsimp(sp.simplify(sp.diff(f, u)))).subs(u, x0)
    slope = sp.powsimp(slope)
    return value + slope * (x - x0)
