"""MathML (as libsbml's abstract syntax tree) to SymPy, node by node through a whitelist.

Nothing from the file is evaluated as code: every AST node type is looked up in :data:`_HANDLERS`
(or is a number, a name or a call of a function definition); any other node is an error that
names it. Function definitions are inlined (their bound variables replaced by the arguments).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from linstab._errors import ModelError
from linstab._parse import Delay

__all__ = ["MathReader", "MAX_DEPTH"]

#: Deepest MathML nesting read (a deeper tree is refused, not recursed into).
MAX_DEPTH = 400

#: Avogadro's number as SBML Level 3 defines it (2019 SI value).
AVOGADRO = 6.02214076e23


def _nary(fn: Callable[..., sp.Expr], empty: sp.Expr | None = None) -> Callable[[list], sp.Expr]:
    def h(args: list) -> sp.Expr:
        if not args:
            if empty is None:
                raise ValueError("needs at least one argument")
            return empty
        return fn(*args)
    return h


def _minus(args: list) -> sp.Expr:
    if len(args) == 1:
        return -args[0]
    if len(args) == 2:
        return args[0] - args[1]
    raise ValueError(f"minus takes 1 or 2 arguments, got {len(args)}")


def _divide(args: list) -> sp.Expr:
    if len(args) != 2:
        raise ValueError(f"divide takes 2 arguments, got {len(args)}")
    return args[0] / args[1]


def _power(args: list) -> sp.Expr:
    if len(args) != 2:
        raise ValueError(f"power takes 2 arguments, got {len(args)}")
    return sp.Pow(args[0], args[1])


def _root(args: list) -> sp.Expr:
    if len(args) == 1:
        return sp.sqrt(args[0])
    if len(args) == 2:
        return sp.Pow(args[1], 1 / args[0]) if args[0] != 2 else sp.sqrt(args[1])
    raise ValueError(f"root takes 1 or 2 arguments, got {len(args)}")


def _log(args: list) -> sp.Expr:
    if len(args) == 1:
        return sp.log(args[0], 10)
    if len(args) == 2:  # libsbml puts the <logbase> first
        return sp.log(args[1], args[0])
    raise ValueError(f"log takes 1 or 2 arguments, got {len(args)}")


def _trunc(x: sp.Expr) -> sp.Expr:
    """Rounding toward zero, as C's integer division does."""
    return sp.sign(x) * sp.floor(sp.Abs(x))


def _quotient(args: list) -> sp.Expr:
    if len(args) != 2:
        raise ValueError(f"quotient takes 2 arguments, got {len(args)}")
    return _trunc(args[0] / args[1])


def _rem(args: list) -> sp.Expr:
    if len(args) != 2:
        raise ValueError(f"rem takes 2 arguments, got {len(args)}")
    return args[0] - args[1] * _trunc(args[0] / args[1])


def _unary(fn: Callable[[sp.Expr], sp.Expr]) -> Callable[[list], sp.Expr]:
    def h(args: list) -> sp.Expr:
        if len(args) != 1:
            raise ValueError(f"takes 1 argument, got {len(args)}")
        return fn(args[0])
    return h


def _relational(fn: Callable[[Any, Any], Any]) -> Callable[[list], Any]:
    def h(args: list) -> Any:
        if len(args) < 2:
            raise ValueError(f"a relation takes at least 2 arguments, got {len(args)}")
        return sp.And(*(fn(a, b) for a, b in zip(args, args[1:])))
    return h


def _piecewise(args: list) -> sp.Expr:
    # libsbml: value, condition, value, condition, ..., [otherwise]
    pieces = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    pieces.append((args[-1], sp.true) if len(args) % 2 else (sp.nan, sp.true))
    return sp.Piecewise(*pieces)


def _implies(args: list) -> Any:
    if len(args) != 2:
        raise ValueError(f"implies takes 2 arguments, got {len(args)}")
    return sp.Implies(*args)


def _handlers() -> dict[int, Callable[[list], Any]]:
    import libsbml as L

    u = _unary
    return {
        L.AST_PLUS: _nary(sp.Add, sp.S.Zero), L.AST_TIMES: _nary(sp.Mul, sp.S.One),
        L.AST_MINUS: _minus, L.AST_DIVIDE: _divide, L.AST_POWER: _power, L.AST_FUNCTION_POWER: _power,
        L.AST_FUNCTION_ROOT: _root, L.AST_FUNCTION_ABS: u(sp.Abs), L.AST_FUNCTION_EXP: u(sp.exp),
        L.AST_FUNCTION_LN: u(sp.log), L.AST_FUNCTION_LOG: _log, L.AST_FUNCTION_FLOOR: u(sp.floor),
        L.AST_FUNCTION_CEILING: u(sp.ceiling), L.AST_FUNCTION_FACTORIAL: u(sp.factorial),
        L.AST_FUNCTION_MAX: _nary(sp.Max), L.AST_FUNCTION_MIN: _nary(sp.Min),
        L.AST_FUNCTION_QUOTIENT: _quotient, L.AST_FUNCTION_REM: _rem,
        L.AST_FUNCTION_SIN: u(sp.sin), L.AST_FUNCTION_COS: u(sp.cos), L.AST_FUNCTION_TAN: u(sp.tan),
        L.AST_FUNCTION_SEC: u(sp.sec), L.AST_FUNCTION_CSC: u(sp.csc), L.AST_FUNCTION_COT: u(sp.cot),
        L.AST_FUNCTION_SINH: u(sp.sinh), L.AST_FUNCTION_COSH: u(sp.cosh), L.AST_FUNCTION_TANH: u(sp.tanh),
        L.AST_FUNCTION_SECH: u(sp.sech), L.AST_FUNCTION_CSCH: u(sp.csch), L.AST_FUNCTION_COTH: u(sp.coth),
        L.AST_FUNCTION_ARCSIN: u(sp.asin), L.AST_FUNCTION_ARCCOS: u(sp.acos), L.AST_FUNCTION_ARCTAN: u(sp.atan),
        L.AST_FUNCTION_ARCSEC: u(sp.asec), L.AST_FUNCTION_ARCCSC: u(sp.acsc), L.AST_FUNCTION_ARCCOT: u(sp.acot),
        L.AST_FUNCTION_ARCSINH: u(sp.asinh), L.AST_FUNCTION_ARCCOSH: u(sp.acosh),
        L.AST_FUNCTION_ARCTANH: u(sp.atanh), L.AST_FUNCTION_ARCSECH: u(sp.asech),
        L.AST_FUNCTION_ARCCSCH: u(sp.acsch), L.AST_FUNCTION_ARCCOTH: u(sp.acoth),
        L.AST_FUNCTION_PIECEWISE: _piecewise,
        L.AST_RELATIONAL_EQ: _relational(sp.Eq), L.AST_RELATIONAL_NEQ: _relational(sp.Ne),
        L.AST_RELATIONAL_LT: _relational(sp.Lt), L.AST_RELATIONAL_LEQ: _relational(sp.Le),
        L.AST_RELATIONAL_GT: _relational(sp.Gt), L.AST_RELATIONAL_GEQ: _relational(sp.Ge),
        L.AST_LOGICAL_AND: _nary(sp.And, sp.true), L.AST_LOGICAL_OR: _nary(sp.Or, sp.false),
        L.AST_LOGICAL_XOR: _nary(sp.Xor, sp.false), L.AST_LOGICAL_NOT: u(sp.Not),
        L.AST_LOGICAL_IMPLIES: _implies,
    }


class MathReader:
    """Turns libsbml ASTs into SymPy expressions over a fixed table of symbols.

    Parameters
    ----------
    symbols
        SBML id -> SymPy symbol for every id a formula may name.
    functions
        Function definition id -> ``(bound symbols, body)``, already read.
    """

    def __init__(self, symbols: Mapping[str, sp.Symbol],
                 functions: Mapping[str, tuple[tuple[sp.Symbol, ...], sp.Expr]] | None = None) -> None:
        import libsbml as L

        self.L = L
        self.symbols = symbols
        self.functions = dict(functions or {})
        self.handlers = _handlers()

    def read(self, ast: Any, where: str, *, local: Mapping[str, sp.Basic] | None = None) -> sp.Expr:
        """The SymPy expression of ``ast`` (``where`` names the element in errors)."""
        if ast is None:
            raise ModelError(f"{where}: no <math> (or MathML that libsbml could not read)")
        return self._node(ast, where, dict(local or {}), 0)

    def read_lambda(self, ast: Any, where: str) -> tuple[tuple[sp.Symbol, ...], sp.Expr]:
        """A function definition: bound variables (as dummies) and the body over them."""
        L = self.L
        if ast is None or ast.getType() != L.AST_LAMBDA:
            raise ModelError(f"{where}: a function definition must be a <lambda>")
        n = ast.getNumChildren()
        bvars = [ast.getChild(i).getName() for i in range(n - 1)]
        dummies = tuple(sp.Dummy(b) for b in bvars)
        # a function body sees only its own arguments (SBML L3 4.3.2), and earlier functions
        body = self._node(ast.getChild(n - 1), where, dict(zip(bvars, dummies)), 0, bound_only=True)
        return dummies, body

    def _node(self, node: Any, where: str, local: dict[str, sp.Basic], depth: int, *,
              bound_only: bool = False) -> Any:
        L = self.L
        if depth > MAX_DEPTH:
            raise ModelError(f"{where}: the MathML is nested more than {MAX_DEPTH} levels deep")
        t = node.getType()
        if t == L.AST_INTEGER:
            return sp.Integer(node.getInteger())
        if t == L.AST_RATIONAL:
            return sp.Rational(node.getNumerator(), node.getDenominator())
        if t in (L.AST_REAL, L.AST_REAL_E):
            value = node.getReal()
            if math.isnan(value):
                return sp.nan
            if math.isinf(value):
                return sp.oo if value > 0 else -sp.oo
            return sp.Float(repr(value))
        if t == L.AST_CONSTANT_PI:
            return sp.pi
        if t == L.AST_CONSTANT_E:
            return sp.E
        if t == L.AST_CONSTANT_TRUE:
            return sp.true
        if t == L.AST_CONSTANT_FALSE:
            return sp.false
        if t == L.AST_NAME_AVOGADRO:
            return sp.Float(AVOGADRO)
        if t == L.AST_NAME:
            name = node.getName()
            if name in local:
                return local[name]
            if not bound_only and name in self.symbols:
                return self.symbols[name]
            raise ModelError(f"{where}: the formula names {name!r}, which is no compartment, species, parameter, "
                             "species reference or reaction of the model" + (" (a function definition sees only its "
                                                                             "own arguments)" if bound_only else ""))
        if t == L.AST_NAME_TIME:
            raise ModelError(f"{where}: the formula uses the time csymbol; linstab models are autonomous "
                             "(dx/dt = f(x; p)), so explicit time dependence is not supported")
        if t == L.AST_FUNCTION_DELAY:
            if bound_only or node.getNumChildren() != 2:
                raise ModelError(f"{where}: delay() is read only with two arguments, outside function definitions; "
                                 "write delay(x, tau) in the rule or kinetic law itself")
            if node.getChild(1).getType() != L.AST_NAME:
                raise ModelError(f"{where}: the length of a delay() must be a constant parameter (linstab's delay "
                                 "analyses vary it); declare one, e.g. <parameter id=\"tau\" value=\"1\" "
                                 "constant=\"true\"/>, and write delay(x, tau)")
            # delay(expression, tau): the reader of the whole model turns it into delay(x, tau) of states
            return Delay(*(self._node(node.getChild(i), where, local, depth + 1) for i in range(2)))
        if t == L.AST_FUNCTION_RATE_OF:
            raise ModelError(f"{where}: the formula uses rateOf(), which linstab does not support")
        args = [self._node(node.getChild(i), where, local, depth + 1, bound_only=bound_only)
                for i in range(node.getNumChildren())]
        if t == L.AST_FUNCTION:
            name = node.getName()
            if name not in self.functions:
                raise ModelError(f"{where}: the formula calls {name!r}, which is no function definition of the "
                                 "model (nor a MathML function linstab knows)")
            bound, body = self.functions[name]
            if len(args) != len(bound):
                raise ModelError(f"{where}: function {name!r} takes {len(bound)} argument(s), got {len(args)}")
            return body.xreplace(dict(zip(bound, args)))
        handler = self.handlers.get(t)
        if handler is None:
            what = node.getName() or node.getOperatorName() or f"node type {t}"
            raise ModelError(f"{where}: the MathML element {what!r} is not supported (csymbols other than "
                             "avogadro, and MathML outside SBML's subset, are refused)")
        try:
            return handler(args)
        except (ValueError, TypeError) as exc:
            what = node.getName() or node.getOperatorName() or f"node type {t}"
            raise ModelError(f"{where}: MathML {what!r}: {exc}") from None
