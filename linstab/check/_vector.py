"""Evaluating expressions and conditions at many points at once, without generating code.

The checker compares conditions at thousands of points (across many decades and on both sides of
every boundary); SymPy's ``evalf`` at each point is far too slow for that. This module walks the
SymPy tree itself and applies the matching NumPy operation to whole arrays of points. Nothing is
compiled or executed: the tree was built by :mod:`linstab._parse` from a fixed grammar, and a node
this module does not know raises :class:`Unsupported` (the caller then evaluates point by point).

Values are computed in real double precision first; where that is undefined (``sqrt`` or a
fractional power of a negative number, ``log`` of one) they are computed again in complex
arithmetic with SymPy's principal branches, and a value with a non-negligible imaginary part is
undefined (``nan``) — comparing complex numbers has no meaning, as in SymPy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

__all__ = ["Unsupported", "values", "truth", "TRUE", "FALSE", "UNDEFINED", "TIE"]

#: Truth values of :func:`truth`: true, false, undefined (not real, or not a number), and a tie.
TRUE, FALSE, UNDEFINED, TIE = np.int8(1), np.int8(0), np.int8(-1), np.int8(2)
#: Two sides of a comparison closer than this (relatively) are a tie: the point lies on the
#: boundary, where rounding decides, and it is left out of a comparison.
TIE_RTOL = 1e-11


class Unsupported(Exception):
    """A node this module cannot evaluate on arrays."""


_UNARY = {
    sp.exp: (np.exp, np.exp),
    sp.log: (np.log, np.log),
    sp.sin: (np.sin, np.sin),
    sp.cos: (np.cos, np.cos),
    sp.tan: (np.tan, np.tan),
    sp.asin: (np.arcsin, np.arcsin),
    sp.acos: (np.arccos, np.arccos),
    sp.atan: (np.arctan, np.arctan),
    sp.sinh: (np.sinh, np.sinh),
    sp.cosh: (np.cosh, np.cosh),
    sp.tanh: (np.tanh, np.tanh),
    sp.Abs: (np.abs, np.abs),
}


class _Evaluator:
    def __init__(self, env: Mapping[sp.Symbol, np.ndarray], size: int, *, complex_: bool,
                 real_env: Mapping[sp.Symbol, np.ndarray] | None = None) -> None:
        self.env = env
        self.real_env = env if real_env is None else real_env
        self.size = size
        self.complex = complex_
        self.dtype = np.complex128 if complex_ else np.float64
        self.memo: dict[sp.Basic, np.ndarray] = {}

    def constant(self, node: sp.Basic) -> np.ndarray:
        try:
            z = complex(sp.N(node, 20))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            z = complex("nan")
        if not self.complex:
            z = z.real if abs(z.imag) <= 1e-15 * max(1.0, abs(z.real)) else float("nan")
        return np.full(self.size, z, dtype=self.dtype)

    def __call__(self, node: sp.Basic) -> np.ndarray:
        hit = self.memo.get(node)
        if hit is not None:
            return hit
        out = self._eval(node)
        self.memo[node] = out
        return out

    def _eval(self, node: sp.Basic) -> np.ndarray:
        if isinstance(node, sp.Symbol):
            if node not in self.env:
                raise Unsupported(f"no values for the symbol {node}")
            return np.asarray(self.env[node], dtype=self.dtype)
        if node is sp.oo:
            return np.full(self.size, np.inf, dtype=self.dtype)
        if node is sp.S.NegativeInfinity:
            return np.full(self.size, -np.inf, dtype=self.dtype)
        if not node.free_symbols:
            return self.constant(node)
        if isinstance(node, sp.Add):
            return sum((self(a) for a in node.args[1:]), self(node.args[0]))
        if isinstance(node, sp.Mul):
            out = self(node.args[0])
            for a in node.args[1:]:
                out = out * self(a)
            return out
        if isinstance(node, sp.Pow):
            return self.power(self(node.base), self(node.exp))
        func = _UNARY.get(node.func)
        if func is not None and len(node.args) == 1:
            return func[1 if self.complex else 0](self(node.args[0]))
        if isinstance(node, (sp.Min, sp.Max)):
            parts = [self(a) for a in node.args]
            if self.complex:
                parts = [np.where(np.abs(p.imag) > 0, np.nan, p.real) for p in parts]
            out = (np.minimum if isinstance(node, sp.Min) else np.maximum).reduce(parts)
            return out.astype(self.dtype)
        if isinstance(node, sp.sign):
            return np.sign(self(node.args[0]))
        if isinstance(node, sp.Heaviside):
            arg = self(node.args[0]).real
            h0 = self(node.args[1]).real if len(node.args) > 1 else np.full(self.size, 0.5)
            return np.heaviside(arg, h0).astype(self.dtype)
        if isinstance(node, sp.atan2):
            return np.arctan2(self(node.args[0]).real, self(node.args[1]).real).astype(self.dtype)
        if isinstance(node, sp.Piecewise):
            out = np.full(self.size, np.nan, dtype=self.dtype)
            done = np.zeros(self.size, dtype=bool)
            for expr, cond in node.args:
                t = truth(cond, self.real_env, self.size)
                take = ~done & (t == TRUE)
                undefined = ~done & ((t == UNDEFINED) | (t == TIE))
                if take.any():
                    out[take] = self(expr)[take]
                done |= take | undefined
            return out
        raise Unsupported(f"cannot evaluate {type(node).__name__} on arrays")

    def power(self, base: np.ndarray, exp: np.ndarray) -> np.ndarray:
        if self.complex:
            return np.power(base, exp)
        # a negative base: defined only for integer exponents (SymPy's principal root is complex)
        return np.where((base < 0) & (exp != np.round(exp)), np.nan, np.power(base, exp))


def values(expr: sp.Basic, env: Mapping[sp.Symbol, np.ndarray], size: int) -> np.ndarray:
    """The real values of ``expr`` at ``size`` points (``nan`` where undefined or not real).

    ``env`` maps each free symbol of ``expr`` to an array of ``size`` real values.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> values(sp.sqrt(x) + 1, {x: np.array([4.0, -1.0])}, 2)
    array([ 3., nan])
    """
    with np.errstate(all="ignore"):
        real = np.asarray(_Evaluator(env, size, complex_=False)(expr), dtype=np.float64)
        real = np.broadcast_to(real, (size,)).copy()
        bad = np.isnan(real)
        if bad.any():
            cenv = {s: np.asarray(v, dtype=np.complex128) for s, v in env.items()}
            z = np.broadcast_to(_Evaluator(cenv, size, complex_=True, real_env=env)(expr), (size,))
            zb = z[bad]
            ok = np.isfinite(zb) & (np.abs(zb.imag) <= 1e-12 * np.maximum(1.0, np.abs(zb.real)))
            real[bad] = np.where(ok, zb.real, np.nan)
    return real


_REL = {
    sp.StrictGreaterThan: lambda a, b: a > b,
    sp.GreaterThan: lambda a, b: a >= b,
    sp.StrictLessThan: lambda a, b: a < b,
    sp.LessThan: lambda a, b: a <= b,
}


def truth(cond: sp.Basic, env: Mapping[sp.Symbol, np.ndarray], size: int) -> np.ndarray:
    """Truth values of a condition at ``size`` points: :data:`TRUE`, :data:`FALSE` or :data:`UNDEFINED`.

    ``and``/``or`` short-circuit: ``n > 2 and beta > f(n)`` is false where ``n < 2`` even if
    ``f(n)`` is not real there. A point where the two sides of a comparison agree to
    :data:`TIE_RTOL` lies on the boundary: its value is :data:`TIE` (unless the other operands of
    an ``and``/``or`` decide).

    Examples
    --------
    >>> a = sp.Symbol("a", positive=True)
    >>> truth(sp.And(a > 1, a < 3), {a: np.array([0.5, 2.0, 4.0])}, 3)
    array([0, 1, 0], dtype=int8)
    """
    if cond is sp.true:
        return np.full(size, TRUE)
    if cond is sp.false:
        return np.full(size, FALSE)
    if isinstance(cond, (sp.And, sp.Or)):
        parts = [truth(c, env, size) for c in cond.args]
        stack = np.stack(parts)
        decisive, other = (FALSE, TRUE) if isinstance(cond, sp.And) else (TRUE, FALSE)
        out = np.full(size, other)
        out[(stack == TIE).any(axis=0)] = TIE
        out[(stack == UNDEFINED).any(axis=0)] = UNDEFINED
        out[(stack == decisive).any(axis=0)] = decisive
        return out
    if isinstance(cond, sp.Not):
        inner = truth(cond.args[0], env, size)
        return np.where((inner == TRUE) | (inner == FALSE), 1 - inner, inner).astype(np.int8)
    if isinstance(cond, (sp.Eq, sp.Ne)) or type(cond) in _REL:
        lhs = values(cond.lhs, env, size)
        rhs = values(cond.rhs, env, size)
        with np.errstate(all="ignore"):
            both_inf = np.isinf(lhs) & np.isinf(rhs) & (np.sign(lhs) == np.sign(rhs))
            finite = np.isfinite(lhs) & np.isfinite(rhs)
            tie = (finite & (np.abs(lhs - rhs) <= TIE_RTOL * np.maximum(np.abs(lhs), np.abs(rhs)))) | both_inf
            if isinstance(cond, sp.Eq):
                result = tie
            elif isinstance(cond, sp.Ne):
                result = ~tie
            else:
                result = _REL[type(cond)](lhs, rhs)
        out = np.where(result, TRUE, FALSE).astype(np.int8)
        if not isinstance(cond, (sp.Eq, sp.Ne)):
            out[tie] = TIE
        out[np.isnan(lhs) | np.isnan(rhs)] = UNDEFINED
        return out
    raise Unsupported(f"cannot evaluate the condition {type(cond).__name__} on arrays")
