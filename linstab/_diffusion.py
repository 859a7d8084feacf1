"""The ``[diffusion]`` table of a model file: one diffusion coefficient per species.

A reaction–diffusion model ``∂u/∂t = f(u; p) + D ∇²u`` has a diagonal diffusion matrix
``D = diag(d_1, ..., d_n)``, one non-negative coefficient per species (Murray, *Mathematical
Biology II*, 3rd ed. 2003, ch. 2). In a model file each coefficient is a number or an expression
in the parameters, parsed by :func:`linstab._parse.parse_expr` (never evaluated as code)::

    [diffusion]
    u = 1.0
    v = "d"          # a parameter: the diffusion ratio, for Turing boundaries in d

A species left out of the table does not diffuse (coefficient 0).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

import sympy as sp

from linstab._errors import ModelError
from linstab._parse import normalize_name, parse_expr

__all__ = ["parse_diffusion"]


def parse_diffusion(table: Any, *, variables: Mapping[str, sp.Symbol], parameters: Mapping[str, sp.Symbol],
                    values: Mapping[str, float | None], where: str) -> tuple[tuple[str, sp.Expr], ...]:
    """The ``(species, coefficient)`` pairs of a ``[diffusion]`` table, in the order of the variables.

    Parameters
    ----------
    table
        The table as read from the file: species name -> number, expression string or SymPy
        expression.
    variables
        The model's state variables by name (the species that may diffuse).
    parameters
        The model's parameters by name (the names a coefficient may use).
    values
        The parameters' numeric values (``None`` where unset), to check the sign of a coefficient.
    where
        Where the table comes from, for error messages.

    Returns
    -------
    tuple of (str, sympy.Expr)
        One pair per state variable; ``0`` for a species the table leaves out.

    Raises
    ------
    ModelError
        For a species that is not a state variable, a coefficient that is negative (at the
        parameters' values), names a state variable, or is not a real finite number or expression.

    Examples
    --------
    >>> u, v, d = sp.symbols("u v d", positive=True)
    >>> parse_diffusion({"u": 1.0, "v": "d"}, variables={"u": u, "v": v}, parameters={"d": d},
    ...                 values={"d": 20.0}, where="demo")
    (('u', 1), ('v', d))
    """
    where = f"{where}: [diffusion]"
    if not isinstance(table, Mapping):
        raise ModelError(f"{where} must be a table such as {{ u = 1.0, v = \"d\" }}, got {type(table).__name__}")
    coeffs: dict[str, sp.Expr] = {}
    for key, raw in table.items():
        name = normalize_name(key) if isinstance(key, str) else key
        if name not in variables:
            close = difflib.get_close_matches(str(name), list(variables), n=2, cutoff=0.6)
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            raise ModelError(f"{where}: diffusion given for unknown species {key!r}{hint}; the species are the state "
                             f"variables {', '.join(variables)}: rename the key or remove the line")
        coeffs[name] = _coefficient(raw, parameters, values, variables, f"{where} {name}")
    return tuple((v, coeffs.get(v, sp.S.Zero)) for v in variables)


def _coefficient(raw: Any, parameters: Mapping[str, sp.Symbol], values: Mapping[str, float | None],
                 variables: Mapping[str, sp.Symbol], where: str) -> sp.Expr:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, sp.Expr)):
        raise ModelError(f"{where}: expected a non-negative number or an expression in the parameters, "
                         f"got {raw!r} ({type(raw).__name__})")
    if isinstance(raw, str):
        symbols = {**parameters, **variables}
        expr = parse_expr(raw, symbols, where=where)
    elif isinstance(raw, sp.Expr):
        known = {**parameters, **variables}
        unknown = sorted(s.name for s in raw.free_symbols if s.name not in known)
        if unknown:
            raise ModelError(f"{where}: unknown name(s) {', '.join(unknown)}; a coefficient may use the parameters "
                             f"{', '.join(parameters) or '(none)'}")
        expr = raw.xreplace({s: known[s.name] for s in raw.free_symbols})
    else:
        if not math.isfinite(float(raw)):
            raise ModelError(f"{where}: the coefficient must be finite, got {raw}")
        expr = sp.Integer(int(raw)) if float(raw).is_integer() and abs(raw) < 2**53 else sp.Float(raw)
    if not isinstance(expr, sp.Expr):
        raise ModelError(f"{where}: expected an algebraic expression, got {expr!r}")
    states = sorted(s.name for s in expr.free_symbols if s.name in variables)
    if states:
        raise ModelError(f"{where}: the coefficient uses the state variable(s) {', '.join(states)}; linstab treats "
                         "constant diffusion only: use numbers or parameters")
    subs = {parameters[k]: sp.Float(v) for k, v in values.items() if v is not None and k in parameters}
    value = expr.xreplace(subs)
    if value.is_number:
        try:
            num = complex(value)
        except (TypeError, ValueError):
            num = complex(math.nan)
        if not (math.isfinite(num.real) and num.imag == 0):
            raise ModelError(f"{where}: the coefficient must be a real finite number, got {sp.sstr(value)}")
        if num.real < 0:
            at = "" if value == expr else f" at the parameter values ({sp.sstr(expr)} = {num.real:g})"
            raise ModelError(f"{where}: diffusion coefficients must be non-negative, got {num.real:g}{at}; "
                             "use a value >= 0")
    return expr
