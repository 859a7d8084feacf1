"""The entry point :func:`check` and its kind-specific forms."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping

import sympy as sp

from linstab._budget import MEMORY_LIMIT, TIME_LIMIT, can_limit, run_warm
from linstab._parse import as_matrix
from linstab.check._answer import AnswerError, read_condition, read_expr, read_list, read_matrix
from linstab.check._compound import compare_matrix, compare_polynomial, compare_set
from linstab.check._cond import compare_condition, compare_equation
from linstab.check._domain import Domain
from linstab.check._expr import Probe, correct_message, diagnose, equivalent
from linstab.check._feedback import Feedback

__all__ = ["check", "KINDS"]

#: The kinds of answer :func:`check` understands.
KINDS = ("expression", "matrix", "polynomial", "set", "condition", "equation")
#: Longest answer string :func:`check` reads (characters).
MAX_ANSWER_LENGTH = 2_000
_ALIASES = {"eigenvalues": "set", "fixed_points": "set", "roots": "set", "inequality": "condition",
            "conditions": "condition", "expr": "expression", "charpoly": "polynomial"}


def _infer_kind(reference: object, variable: sp.Symbol | None) -> str:
    if isinstance(reference, sp.MatrixBase):
        return "matrix"
    if isinstance(reference, sp.Equality):
        return "equation"
    if _is_condition(reference):
        return "condition"
    if isinstance(reference, (list, tuple, set, frozenset, sp.FiniteSet)):
        return "set"
    if variable is not None:
        return "polynomial"
    return "expression"


def _is_condition(obj: object) -> bool:
    """Relationals and logical combinations (a bare Symbol is a Boolean in SymPy, but not here)."""
    return isinstance(
        obj,
        (sp.core.relational.Relational, sp.logic.boolalg.BooleanFunction, sp.logic.boolalg.BooleanAtom),
    )


def _free(obj: object) -> set[sp.Symbol]:
    if isinstance(obj, (sp.Basic, sp.MatrixBase)):
        return {s for s in obj.free_symbols if isinstance(s, sp.Symbol)}
    if isinstance(obj, (list, tuple, set, frozenset)):
        out: set[sp.Symbol] = set()
        for o in obj:
            out |= _free(o)
        return out
    return set()


def check(
    answer: object,
    reference: object,
    *,
    kind: str | None = None,
    symbols: Iterable[sp.Symbol] | None = None,
    domain: Domain | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    where: sp.Basic | None = None,
    variable: sp.Symbol | None = None,
    up_to_factor: bool = True,
    solve_for: sp.Symbol | None = None,
    n_points: int = 12,
    seed: int = 0,
    time_limit: float | None = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
) -> Feedback:
    """Compare a student's ``answer`` with a ``reference`` on the domain of the symbols.

    Symbolic equivalence is tried first; where SymPy cannot decide, the two are compared at
    random points inside the domain (the symbols' assumptions, ``ranges`` and ``where``).
    Conditions are compared as sets: in one variable exactly (both solved on the domain, under a
    CPU-time limit), otherwise at points spread over twelve decades and on both sides of every
    boundary of either condition (see :mod:`linstab.check._region`). A decimal in an answer
    stands for the fraction it denotes (``0.5*n`` is ``n/2``); one that only approximates an
    exact reference (``3.78`` for ``3*2**(1/3)``) is answered as an approximation. A wrong
    answer gets a diagnosis of the likely slip — a sign, a missing factor, a wrong exponent, a
    transposed matrix or misplaced entries, a condition that is right only on part of the domain —
    and a message that does not give the reference away. Every equivalent form is accepted.

    Parameters
    ----------
    answer
        The student's answer: a string (``^`` or ``**`` for powers; conditions joined with
        ``and``/``or`` or as SymPy prints them, ``(a > 0) & (a < 2)``, ``And(...)``, ``Eq(...)``;
        read safely, never evaluated), a SymPy object, a number, a list (of rows, of values or of
        conditions) or a SymPy matrix.
    reference
        The expected answer, as a SymPy object (matrix, expression, ``Eq``, relational or
        ``And`` of relationals, or a list of values).
    kind
        One of :data:`KINDS` (``"eigenvalues"`` and ``"fixed_points"`` mean ``"set"``);
        inferred from ``reference`` (and ``variable``) when omitted.
    symbols
        Further symbols the answer may use besides those in ``reference``.
    domain
        Where to check; built from the symbols, ``ranges`` and ``where`` when omitted.
    ranges, where
        Sampling intervals ``{name: (low, high)}`` and an extra condition on the sample points
        (see :class:`Domain`).
    variable
        The variable of a polynomial (e.g. ``lamda``); required for ``kind="polynomial"``.
    up_to_factor
        For polynomials: accept an overall nonzero constant factor (the two conventions
        det(λI − A) and det(A − λI) differ by (−1)ⁿ).
    solve_for
        For equations: the symbol to solve both sides for (chosen automatically if omitted).
    n_points, seed
        How many random points to probe, and the seed that makes the check reproducible.
    time_limit, memory_limit
        The budget of the check: seconds of CPU time and MB of memory (on top of what the
        process holds already); the wall-clock time is capped at twice the time plus a second. The comparison runs
        in a forked child process under these limits, so that no answer (``(x+1)**9999``,
        ``x**x**x**x**x**x``) can hang or exhaust the machine; past the budget the feedback says
        that the answer could not be checked (diagnosis ``"too_complex"``). ``time_limit=None``
        checks in process, without limits (so does a platform without ``fork``).

    Returns
    -------
    Feedback
        ``.correct``, ``.message``, ``.diagnosis`` (see :data:`~linstab.check.DIAGNOSES`),
        ``.method`` and ``.details``; renders itself in notebooks.

    References
    ----------
    Strogatz, *Nonlinear Dynamics and Chaos*, 2nd ed. (2015), ch. 2 and 5–6: the quantities
    students derive (derivatives at fixed points, Jacobians, trace and determinant).

    Examples
    --------
    >>> x, n = sp.symbols("x n", positive=True)
    >>> ref = n * x**(n - 1) / (1 + x**n)**2          # d/dx of x^n/(1 + x^n)
    >>> check("n*x^(n-1)/(1 + x^n)^2", ref).correct
    True
    >>> check("n*x**(n-1)*(1 + x**n)**(-2)", ref).correct
    True
    >>> fb = check("x^(n-1)/(1 + x^n)^2", ref)
    >>> fb.correct, fb.diagnosis
    (False, 'missing_factor')
    >>> check("n*x^n/(1 + x^n)^2", ref).diagnosis
    'wrong_exponent'
    >>> a = sp.Symbol("a", positive=True)
    >>> check("a^2 > 4", a > 2).correct       # a is positive, so this is the same condition
    True
    >>> check("(a > 2) & (a < 50)", a > 2).diagnosis   # leaves out a >= 50
    'too_strong'
    >>> check("3.78", 3 * sp.cbrt(2)).diagnosis
    'approximate'
    >>> check("[[-1, 0], [a, -1]]", sp.Matrix([[-1, a], [0, -1]])).diagnosis
    'transposed'
    >>> check("(x + 1)**9999", ref).diagnosis      # refused within the budget, not expanded
    'too_complex'
    """
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and 0 < time_limit < math.inf):
        raise ValueError(f"`time_limit` must be a positive finite number of seconds or None, got {time_limit!r}")
    if not (isinstance(memory_limit, int) and memory_limit > 0):
        raise ValueError(f"`memory_limit` must be a positive number of MB, got {memory_limit!r}")
    if isinstance(reference, (str, bytes)):
        raise TypeError("`reference` must be a SymPy object (expression, matrix, relational) or a list of them, "
                        f"got the string {reference[:60]!r}; build it with SymPy")
    if isinstance(answer, str) and len(answer) > MAX_ANSWER_LENGTH:
        return Feedback(False, f"Your answer is {len(answer):,} characters long; answers are limited to "
                        f"{MAX_ANSWER_LENGTH:,} characters.", "parse_error", method="none")

    run = functools.partial(_check, answer, reference, kind=kind, symbols=None if symbols is None else tuple(symbols),
                            domain=domain, ranges=ranges, where=where, variable=variable, up_to_factor=up_to_factor,
                            solve_for=solve_for, n_points=n_points, seed=seed)
    if time_limit is None or not can_limit():
        return run()
    outcome = run_warm(run, time_limit=float(time_limit), memory_limit=memory_limit)
    if outcome.kind == "ok":
        return outcome.value
    if outcome.kind == "error":
        raise outcome.value
    what = {"time": f"the time budget ({time_limit:g} s)", "memory": f"the memory budget ({memory_limit} MB)",
            "depth": "the nesting SymPy can handle"}[outcome.kind]
    return Feedback(False, f"Your answer could not be checked within {what}: comparing it needs too much "
                    "computation. Simplify it (for example, do not expand large powers) and try again.",
                    "too_complex", method="none")


def _check(
    answer: object,
    reference: object,
    *,
    kind: str | None,
    symbols: Iterable[sp.Symbol] | None,
    domain: Domain | None,
    ranges: Mapping[str, tuple[float, float]] | None,
    where: sp.Basic | None,
    variable: sp.Symbol | None,
    up_to_factor: bool,
    solve_for: sp.Symbol | None,
    n_points: int,
    seed: int,
) -> Feedback:
    """:func:`check` in process, without a budget."""
    if kind is not None:
        kind = _ALIASES.get(kind, kind)
        if kind not in KINDS:
            msg = f"`kind` must be one of {KINDS} (or {sorted(_ALIASES)}), got {kind!r}."
            raise ValueError(msg)
    else:
        kind = _infer_kind(reference, variable)
    if kind == "polynomial" and variable is None:
        msg = "`variable` is required for kind='polynomial', got None; pass e.g. variable=sympy.Symbol('lamda')."
        raise ValueError(msg)
    if kind == "matrix":
        reference = as_matrix(reference, where="check: reference")
    elif kind == "set":
        reference = list(reference.args if isinstance(reference, sp.FiniteSet) else reference)
    elif kind == "condition" and isinstance(reference, (list, tuple, set, frozenset)):
        reference = sp.And(*reference)

    syms = _free(reference) | set(symbols or ())
    if variable is not None:
        syms.add(variable)
    if domain is None:
        domain = Domain(syms, ranges=ranges, where=where)
    else:
        if ranges is not None or where is not None:
            msg = "give either `domain` or `ranges`/`where`, not both; put ranges and where into the Domain."
            raise ValueError(msg)
        domain = domain.with_symbols(syms)
    names = domain.names()

    try:
        if kind == "matrix":
            ans: object = read_matrix(answer, names)
        elif kind == "set":
            ans = read_list(answer, names)
        elif kind == "condition":
            ans = read_condition(answer, names)
        else:
            ans = read_expr(answer, names)
    except AnswerError as exc:
        msg = str(exc)
        end = "" if msg.endswith((".", "?", "!")) else "."
        return Feedback(False, f"I could not read your answer: {msg}{end}", exc.diagnosis, method="none")

    exprs = list(ans) if isinstance(ans, (list, sp.MatrixBase)) else [ans]
    refs = list(reference) if isinstance(reference, (list, sp.MatrixBase)) else [reference]
    probe = Probe.make(domain, [*exprs, *refs], n_points=n_points, seed=seed)

    if kind == "matrix":
        return compare_matrix(ans, reference, probe)
    if kind == "set":
        return compare_set(ans, reference, probe)
    if kind == "condition":
        return compare_condition(ans, reference, probe, seed=seed)
    if kind == "equation":
        return compare_equation(ans, reference, probe, solve_for=solve_for)
    if _is_condition(ans):
        return Feedback(False, "An expression is expected, not an equation or a condition: give only the "
                        "expression itself.", "parse_error", method="none")
    if kind == "polynomial":
        return compare_polynomial(ans, reference, variable, probe, up_to_factor=up_to_factor)
    ok, method, av = equivalent(ans, reference, probe)
    if ok is True:
        return Feedback(True, correct_message(method, probe), "correct", method=method)
    if ok is None:
        return Feedback(False, "The expected expression is undefined at too many sample points to decide.",
                        "undecided", method="numeric")
    code, message = diagnose(ans, reference, probe, av)
    return Feedback(False, message, code, method="numeric")
