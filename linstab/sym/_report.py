"""The derivation report: the course appendix's steps, carried out by the code for any model.

For each symbolic fixed point (:func:`~linstab.sym.fixed_points`) the report

1. linearizes: the Jacobian, then the Jacobian at the fixed point, with repeated
   non-trivial entries abbreviated (the repressilator's ``a = βn x0ⁿ⁻¹/(1 + x0ⁿ)²``);
2. writes the characteristic polynomial (in ``λ − d`` when the diagonal is constant);
3. gives the eigenvalues in closed form where they exist;
4. states the stability condition: Routh–Hurwitz minors, the region they define when one
   symbol is left, the condition for an eigenvalue with positive real part, and the
   abbreviation rewritten with the fixed-point condition solved for a parameter;

and then lists the numeric fixed points at the model's parameter values, classified.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

__all__ = ["Derivation", "Report", "derivations"]

_NAMES = ("a", "b", "c", "d", "g", "h", "k", "q", "r", "s", "w")
_MAX_OPS = 120  # longer closed forms are not worth printing


@dataclass(frozen=True, kw_only=True)
class Derivation:
    """The linear stability analysis of one symbolic fixed point.

    Attributes
    ----------
    fixed_point
        The symbolic fixed point.
    matrix
        The Jacobian at the fixed point, written with the :attr:`abbreviations`.
    abbreviations
        ``symbol → expression`` for the entries abbreviated in :attr:`matrix`.
    charpoly
        The characteristic polynomial of :attr:`matrix`.
    eigenvalues
        Closed-form eigenvalues, or ``None`` where none was found (or too long to be useful).
    routh
        The Routh–Hurwitz conditions of :attr:`charpoly`.
    stable_if
        The stability region in the single remaining symbol, or ``None``.
    unstable_if
        The condition for an eigenvalue with positive real part, or ``None``.
    rewritten
        The abbreviations with a parameter eliminated by the fixed-point condition
        (the appendix's ``a = n x0ⁿ/(1 + x0ⁿ)``), with the relation used.
    """

    fixed_point: Any
    matrix: sp.Matrix
    abbreviations: dict[sp.Symbol, sp.Expr]
    charpoly: Any
    eigenvalues: list[sp.Expr] | None
    routh: Any
    stable_if: sp.Basic | None = None
    unstable_if: sp.Basic | None = None
    rewritten: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    relation: sp.Eq | None = None

    def evaluate(self, values: Mapping[sp.Symbol, float]) -> dict[sp.Symbol, float]:
        """Numeric values of the abbreviations (``values`` maps parameters and unknowns)."""
        out = {}
        for s, e in self.abbreviations.items():
            v = complex(e.xreplace({k: sp.Float(x) for k, x in dict(values).items()}).evalf())
            out[s] = v.real
        return out

    def as_dict(self) -> dict[str, Any]:
        """Strings (SymPy syntax) for JSON."""
        return {
            "fixed_point": {str(k): str(v) for k, v in self.fixed_point.state.items()},
            "conditions": [f"{c.lhs} = {c.rhs}" for c in self.fixed_point.conditions],
            "ansatz": self.fixed_point.ansatz,
            "abbreviations": {str(k): str(v) for k, v in self.abbreviations.items()},
            "matrix": [[str(self.matrix[i, j]) for j in range(self.matrix.cols)] for i in range(self.matrix.rows)],
            "charpoly": str(self.charpoly.compact),
            "eigenvalues": None if self.eigenvalues is None else [str(e) for e in self.eigenvalues],
            "hurwitz_minors": [str(m) for m in self.routh.minors],
            "stable_if": None if self.stable_if is None else str(self.stable_if),
            "unstable_if": None if self.unstable_if is None else str(self.unstable_if),
            "rewritten": {str(k): str(v) for k, v in self.rewritten.items()},
        }


@dataclass(frozen=True, kw_only=True)
class Report:
    """A step-by-step linear stability analysis, renderable as text, Markdown/LaTeX or JSON.

    Attributes
    ----------
    model
        The analysed model.
    values
        The numeric parameter values used (``None`` where unset).
    jacobian
        The symbolic Jacobian.
    derivations
        One :class:`Derivation` per symbolic fixed point analysed (empty when
        ``symbolic=False``).
    fixed_points
        Numeric fixed points at :attr:`values` (empty when a value is unset).
    notes
        Remarks (what was skipped and why).
    """

    model: Any
    values: dict[str, float | None]
    jacobian: sp.Matrix
    derivations: tuple[Derivation, ...] = ()
    fixed_points: tuple[Any, ...] = ()
    notes: tuple[str, ...] = ()

    # ----------------------------------------------------------------- JSON
    def as_dict(self) -> dict[str, Any]:
        """The JSON object: model, variables, parameters, jacobian, fixed_points (and more)."""
        J = self.jacobian
        out: dict[str, Any] = {
            "model": self.model.name,
            "title": self.model.title,
            "variables": list(self.model.variable_names),
            "parameters": dict(self.values),
            "equations": {v.name: str(e) for v, e in zip(self.model.variables, self.model.rhs)},
            "jacobian": [[str(J[i, j]) for j in range(J.cols)] for i in range(J.rows)],
            "fixed_points": [fp.as_dict() for fp in self.fixed_points],
        }
        if self.derivations:
            out["derivations"] = [d.as_dict() for d in self.derivations]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as one JSON object (see :meth:`as_dict`).

        Examples
        --------
        >>> import json
        >>> from linstab import report
        >>> data = json.loads(report("toggle_switch", symbolic=False).to_json())
        >>> [fp["classification"] for fp in data["fixed_points"]]
        ['stable node', 'saddle', 'stable node']
        """
        return json.dumps(self.as_dict(), indent=indent, allow_nan=False)

    # ----------------------------------------------------------------- text
    @property
    def text(self) -> str:
        """Plain-text derivation for a person."""
        m = self.model
        lines = [f"Linear stability analysis: {m.name}" + (f" ({m.title})" if m.title else "")]
        if self.values:
            lines.append("Parameters: " + ", ".join(f"{k} = {_num(v)}" for k, v in self.values.items()))
        lines += ["", "Model:"]
        lines += [f"  d{v}/dt = {e}" for v, e in zip(m.variables, m.rhs)]
        lines += ["", "Step 1. Linearize about a fixed point u0: d(δu)/dt = A·δu with A = ∇f(u0); the Jacobian",
                  "        ∂f_i/∂u_j has rows"]
        J = self.jacobian
        lines += [f"    [{', '.join(str(J[i, j]) for j in range(J.cols))}]" for i in range(J.rows)]
        for k, d in enumerate(self.derivations, 1):
            lines += [""] + _derivation_text(d, k, len(self.derivations))
        lines += [""]
        if self.fixed_points:
            lines.append("Numeric fixed points at these parameter values:")
            for fp in self.fixed_points:
                state = ", ".join(f"{v} = {x:.6g}" for v, x in zip(fp.variables, fp.state))
                lines.append(f"  {state}")
                extra = _abbrev_at(self.derivations, fp, self.values)
                if extra:
                    lines.append(f"    {extra}")
                lines.append("    eigenvalues: " + ", ".join(_cnum(e) for e in fp.eigenvalues))
                lines.append(f"    {fp.classification}; {_verdict(fp)}")
        elif not any("numeric" in n for n in self.notes):
            lines.append("No fixed point found at these parameter values.")
        for note in self.notes:
            lines.append(f"Note: {note}")
        return "\n".join(lines).rstrip() + "\n"

    @property
    def markdown(self) -> str:
        """Markdown with LaTeX maths (``$…$``, ``$$…$$``), for notebooks and the book."""
        m = self.model
        L = sp.latex
        # Markdown passes raw HTML through: escape the text that comes from the model file
        esc = functools.partial(html.escape, quote=False)
        out = [f"### Linear stability analysis: {esc(m.name)}" + (f" — {esc(m.title)}" if m.title else ""), ""]
        if self.values:
            out.append("Parameters: " + ", ".join(f"${L(m.symbols[k])} = {_num(v)}$" for k, v in self.values.items()))
            out.append("")
        out.append("$$\\begin{aligned}")
        out += [f"\\frac{{\\mathrm{{d}}{L(v)}}}{{\\mathrm{{d}}t}} &= {L(e)} \\\\" for v, e in zip(m.variables, m.rhs)]
        out += ["\\end{aligned}$$", "", "**1. Linearize.** The Jacobian is", "",
                f"$$\\nabla \\mathbf{{f}} = {L(self.jacobian)}.$$", ""]
        for d in self.derivations:
            out += _derivation_markdown(d)
        if self.fixed_points:
            out += ["**Numeric fixed points.**", "", "| state | eigenvalues | type | stable |", "|---|---|---|---|"]
            for fp in self.fixed_points:
                state = ", ".join(f"${L(sp.Symbol(v))} = {x:.6g}$" for v, x in zip(fp.variables, fp.state))
                evs = ", ".join(_cnum(e) for e in fp.eigenvalues)
                out.append(f"| {state} | {evs} | {fp.classification} | {_verdict(fp, short=True)} |")
            out.append("")
        for note in self.notes:
            out.append(f"*Note: {esc(note)}*")
        return "\n".join(out).rstrip() + "\n"

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:  # pragma: no cover - notebooks
        return self.markdown


# --------------------------------------------------------------------- formatting helpers
def _num(v: float | None) -> str:
    return "unset" if v is None else f"{v:.10g}"


def _verdict(fp: Any, *, short: bool = False) -> str:
    """Stable, unstable, or not decided by the linearisation: a point with an eigenvalue on the
    imaginary axis and none to its right is stable or not by higher-order terms (a centre manifold)
    or, with a conservation law, neutrally along a family of fixed points."""
    if fp.stable:
        return "yes" if short else "stable"
    ev = [complex(e) for e in fp.eigenvalues]
    scale = 1 + max((abs(e) for e in ev), default=0.0)
    if fp.classification in ("non-hyperbolic", "center") and not any(e.real > 1e-8 * scale for e in ev):
        return "undecided" if short else "linearisation inconclusive (an eigenvalue on the imaginary axis)"
    return "no" if short else "unstable"


def _cnum(z: complex) -> str:
    z = complex(z)
    if abs(z.imag) <= 1e-12 * max(1.0, abs(z)):
        return f"{z.real:.6g}"
    sign = "+" if z.imag >= 0 else "-"
    return f"{z.real:.6g} {sign} {abs(z.imag):.6g}i"


def _indent(block: str, n: int) -> list[str]:
    return [" " * n + line for line in block.splitlines()]


def _signed_matrix(A: sp.Matrix) -> tuple[str, sp.Matrix]:
    """``("-", -A)`` when every nonzero entry of A is negative-signed, else ``("", A)``."""
    entries = [e for e in A if e != 0]
    if entries and all(e.could_extract_minus_sign() for e in entries):
        return "-", -A
    return "", A


def _matrix_str(A: sp.Matrix) -> str:
    sign, B = _signed_matrix(A)
    rows = ", ".join("[" + ", ".join(str(B[i, j]) for j in range(B.cols)) + "]" for i in range(B.rows))
    return f"{sign}[{rows}]"


def _fp_text(fp: Any) -> str:
    groups: dict[str, list[str]] = {}
    for v, e in fp.state.items():
        groups.setdefault(str(e), []).append(str(v))
    parts = []
    for e, vs in groups.items():
        chain = " = ".join(vs)
        parts.append(chain if e in vs else f"{chain} = {e}")
    conds = "; ".join(f"{c.lhs} = {c.rhs}" for c in fp.conditions)
    if conds and all(v == e for v, e in fp.state.items()):
        return f"{', '.join(parts)} solving {conds}"
    return ", ".join(parts) + (f", where {conds}" if conds else "")


def _derivation_text(d: Derivation, k: int, total: int) -> list[str]:
    fp = d.fixed_point
    head = f"Fixed point {k} of {total}" if total > 1 else "Fixed point"
    how = f" (on the invariant subspace {fp.ansatz} of the model's permutation symmetry)" if fp.ansatz else ""
    lines = [f"{head}{how}:", f"  {_fp_text(fp)}"]
    if d.relation is not None:
        lines.append(f"  equivalently {d.relation.lhs} = {d.relation.rhs}")
    lines.append("Step 2. The Jacobian at the fixed point" + (", defining" if d.abbreviations else " is"))
    for s, e in d.abbreviations.items():
        lines.append(f"    {s} = {e},")
    if d.abbreviations:
        lines.append("  is")
    lines.append(f"    A = {_matrix_str(d.matrix)}")
    lam = d.charpoly.lam
    lines.append(f"Step 3. Characteristic polynomial: det({lam}·I - A) = {d.charpoly.compact} = 0")
    expanded = sp.expand(d.charpoly.expr)
    if d.charpoly.compact != expanded and sp.count_ops(expanded) <= _MAX_OPS // 2:
        lines.append(f"        (expanded: {expanded})")
    if d.eigenvalues is not None:
        lines.append("Step 4. Eigenvalues:")
        lines += [f"    {lam} = {e}" for e in d.eigenvalues]
    else:
        lines.append("Step 4. Eigenvalues: no short closed form; the Routh–Hurwitz criterion decides stability.")
    lines.append("Step 5. Stability (Routh–Hurwitz: all roots have Re < 0 iff every Hurwitz minor is positive):")
    for i, m in enumerate(d.routh.minors, 1):
        text = str(m) if sp.count_ops(m) <= _MAX_OPS // 2 else f"(a polynomial of {sp.count_ops(m)} operations; in full in as_dict())"
        rel = sp.StrictGreaterThan(m, 0)
        mark = "" if rel not in (sp.true, sp.false) else ("  (holds)" if rel is sp.true else "  (fails)")
        lines.append(f"    Δ{i} = {text} > 0{mark}")
    verdict = d.routh.is_stable()
    if verdict is True:
        lines.append("  All hold: the fixed point is linearly stable for every admissible value of the symbols.")
    elif verdict is False:
        lines.append("  Some fail: the fixed point is not asymptotically stable "
                     "(an eigenvalue has a non-negative real part).")
    if d.stable_if is not None:
        lines.append(f"  so the fixed point is stable iff {d.stable_if}.")
    if d.unstable_if is not None:
        lines.append(f"  An eigenvalue has a positive real part iff {d.unstable_if}: the fixed point is then unstable"
                     + (", with complex eigenvalues (an oscillatory instability)." if _oscillatory(d) else "."))
    for s, e in d.rewritten.items():
        lines.append(f"  Using {d.relation.lhs} = {d.relation.rhs}: {s} = {e}.")
    return lines


def _derivation_markdown(d: Derivation) -> list[str]:
    L = sp.latex
    fp = d.fixed_point
    ansatz = "; \\ ".join(" = ".join(L(sp.Symbol(nm.strip())) for nm in chain.split("="))
                          for chain in fp.ansatz.split(";")) if fp.ansatz else ""
    out = ["**Fixed point**" + (f" (invariant subspace ${ansatz}$)" if ansatz else "") + ":", ""]
    state = ", \\quad ".join(f"{L(v)} = {L(e)}" for v, e in fp.state.items())
    conds = ", \\quad ".join(f"{L(c.lhs)} = {L(c.rhs)}" for c in fp.conditions)
    out += [f"$$ {state}" + (f", \\qquad {conds}" if conds else "") + " $$", ""]
    if d.relation is not None:
        out += [f"or $ {L(d.relation.lhs)} = {L(d.relation.rhs)} $.", ""]
    out.append("**2. The Jacobian at the fixed point**" + (", with" if d.abbreviations else ":"))
    out.append("")
    for s, e in d.abbreviations.items():
        out += [f"$$ {L(s)} = {L(e)}, $$", ""]
    sign, B = _signed_matrix(d.matrix)
    out += [f"$$ \\mathsf{{A}} = {sign}{L(B)}. $$", ""]
    lam = L(d.charpoly.lam)
    out += ["**3. Characteristic polynomial:**", "", f"$$ {L(d.charpoly.compact)} = 0. $$", ""]
    if d.eigenvalues is not None:
        out += ["**4. Eigenvalues:**", "", "$$\\begin{aligned}"]
        out += [f"{lam} &= {L(e)} \\\\" for e in d.eigenvalues]
        out += ["\\end{aligned}$$", ""]
    out += ["**5. Stability** (Routh–Hurwitz):", "", "$$ " + ", \\quad ".join(
        f"\\Delta_{i} = {L(m)} > 0" for i, m in enumerate(d.routh.minors, 1)) + " $$", ""]
    if d.stable_if is not None:
        out += [f"Stable iff $ {L(d.stable_if)} $.", ""]
    if d.unstable_if is not None:
        out += [f"An eigenvalue has a positive real part iff $ {L(d.unstable_if)} $.", ""]
    for s, e in d.rewritten.items():
        out += [f"With $ {L(d.relation.lhs)} = {L(d.relation.rhs)} $: $$ {L(s)} = {L(e)}. $$", ""]
    return out


def _clean(rel: sp.Basic) -> sp.Basic:
    """Drop the infinite bounds SymPy's inequality solver adds (``-oo < a``)."""
    if isinstance(rel, sp.And):
        kept = [r for r in rel.args if not (isinstance(r, sp.core.relational.Relational)
                                             and (r.has(sp.oo) or r.has(-sp.oo)))]
        return sp.And(*kept) if kept else sp.true
    return rel


def _oscillatory(d: Derivation) -> bool:
    return bool(d.eigenvalues) and any(e.has(sp.I) for e in d.eigenvalues)


def _abbrev_at(derivations: tuple[Derivation, ...], fp: Any, values: Mapping[str, float | None]) -> str:
    """``a = 2.54 (> 2)`` for a numeric point lying on a derivation's symbolic fixed point."""
    for d in derivations:
        if not d.abbreviations:
            continue
        sol = _match(d.fixed_point, fp, values)
        if sol is None:
            continue
        try:
            vals = d.evaluate(sol)
        except (TypeError, ValueError):
            continue
        return ", ".join(f"{s} = {v:.6g}" for s, v in vals.items())
    return ""


def _match(sfp: Any, fp: Any, values: Mapping[str, float | None]) -> dict[sp.Symbol, float] | None:
    subs: dict[sp.Symbol, float] = {}
    params = {}
    for e in sfp.state.values():
        for s in e.free_symbols:
            if s.name in values and values[s.name] is not None:
                params[s] = float(values[s.name])
    for u in sfp.unknowns:
        hit = next((i for i, (v, e) in enumerate(sfp.state.items()) if e == u), None)
        if hit is None:
            return None
        subs[u] = float(fp.state[hit])
    allsubs = {**params, **subs}
    for cond in sfp.conditions:
        for s in cond.free_symbols:
            if s.name in values and values[s.name] is not None:
                allsubs[s] = float(values[s.name])
    for i, e in enumerate(sfp.state.values()):
        try:
            v = complex(e.xreplace({k: sp.Float(x) for k, x in allsubs.items()}).evalf())
        except (TypeError, ValueError):
            return None
        if abs(v - fp.state[i]) > 1e-7 * (1 + abs(fp.state[i])):
            return None
    return allsubs


# --------------------------------------------------------------------- the analysis
def _abbreviate(A: sp.Matrix, taken: set[str]) -> tuple[sp.Matrix, dict[sp.Symbol, sp.Expr]]:
    """Replace each non-trivial product appearing in the entries by a short symbol."""
    found: dict[sp.Expr, sp.Symbol] = {}
    names = [n for n in _NAMES if n not in taken] or [f"a_{i}" for i in range(1, 20)]

    def visit(entry: sp.Expr) -> sp.Expr:
        terms = []
        for term in sp.Add.make_args(entry):
            c, rest = term.as_coeff_Mul()
            if rest.is_number or isinstance(rest, sp.Symbol) or sp.count_ops(rest) < 2:
                terms.append(term)
                continue
            if rest not in found:
                if len(found) >= len(names):
                    terms.append(term)
                    continue
                name = names[len(found)]
                pos = rest.is_positive
                found[rest] = sp.Symbol(name, positive=True) if pos else (
                    sp.Symbol(name, real=True) if rest.is_real else sp.Symbol(name))
            terms.append(c * found[rest])
        return sp.Add(*terms)

    B = A.applyfunc(visit)
    return B, {s: e for e, s in found.items()}


def _derive(model: Any, fp: Any, timeout: float | None) -> Derivation:
    from linstab.sym._charpoly import charpoly, eigenvalues
    from linstab.sym._fixed_points import _Timeout, _time_limit
    from linstab.sym._jacobian import linearize
    from linstab.sym._routh import routh_hurwitz

    A = linearize(model, fp.state)
    taken = {s.name for s in A.free_symbols} | set(model.symbols) | {u.name for u in fp.unknowns}
    B, abbrev = _abbreviate(A, taken)
    cp = charpoly(B)
    rh = routh_hurwitz(cp)
    evs: list[sp.Expr] | None = None
    symmetry = None
    if fp.ansatz:
        from linstab.sym._symmetry import permutation_symmetries

        perms = [p for p in permutation_symmetries(model) if all(i != j for i, j in enumerate(p))]
        symmetry = perms[0] if perms else None
    try:
        with _time_limit(timeout):
            evs = eigenvalues(B, symmetry=symmetry)
        if any(sp.count_ops(e) > _MAX_OPS for e in evs):
            evs = None
    except (_Timeout, ValueError, NotImplementedError):
        evs = None
    stable_if = unstable_if = None
    free = set().union(*(c.free_symbols for c in rh.conditions)) if rh.conditions else set()
    if len(free) == 1:
        (s,) = free
        try:
            with _time_limit(timeout):
                stable_if = _clean(rh.solve(s))
                if evs is not None:
                    parts = [sp.re(sp.expand(e)) > 0 for e in evs]
                    parts = [p for p in parts if p is not sp.false]
                    if parts and all(p is not sp.true for p in parts):
                        unstable_if = _clean(sp.simplify(sp.Or(*(_clean(sp.reduce_inequalities([p], [s]))
                                                                 for p in parts))))
        except (_Timeout, NotImplementedError, ValueError, TypeError):
            pass
    relation, rewritten = None, {}
    if fp.conditions and len(fp.conditions) == 1 and len(fp.unknowns) == 1:
        cond = fp.conditions[0]
        for p in model.parameters:
            if not any(e.has(p) for e in abbrev.values()) or not cond.has(p):
                continue
            try:
                with _time_limit(timeout):
                    sols = sp.solve(cond.lhs - cond.rhs, p)
            except (_Timeout, NotImplementedError, ValueError, TypeError):
                continue
            if len(sols) != 1:
                continue
            from linstab.sym._fixed_points import _nice

            relation = sp.Eq(p, _nice(sols[0]), evaluate=False)
            for s, e in abbrev.items():
                new = e.xreplace({p: relation.rhs})
                rewritten[s] = min((sp.factor(sp.powsimp(sp.simplify(new))), sp.simplify(new)), key=sp.count_ops)
            break
    return Derivation(fixed_point=fp, matrix=B, abbreviations=abbrev, charpoly=cp, eigenvalues=evs, routh=rh,
                      stable_if=stable_if, unstable_if=unstable_if, rewritten=rewritten, relation=relation)


#: Largest model whose symbolic steps :func:`report` attempts (SymPy's Jacobian, solve and
#: characteristic polynomial grow far faster than the numeric search).
MAX_SYMBOLIC_VARIABLES = 12
#: Memory budget of the symbolic analysis (MB, on top of what the process holds).
SYMBOLIC_MEMORY = 2000


def _symbolic(model: Any, timeout: float | None, max_fixed_points: int) -> tuple[list[Derivation], list[str]]:
    """Fixed points and a derivation at each (see :func:`derivations`)."""
    from linstab.sym._fixed_points import fixed_points

    notes: list[str] = []
    derivations: list[Derivation] = []
    try:
        # a third of the budget for the closed-form search: where SymPy cannot finish (a cubic
        # with four symbolic parameters), the implicit fixed point it falls back to still leaves
        # time for the derivation at it
        fps = fixed_points(model, timeout=None if timeout is None else timeout / 3)
    except (ArithmeticError, NotImplementedError, TypeError, ValueError, RecursionError) as exc:
        fps = []
        notes.append(f"the symbolic fixed-point search failed ({type(exc).__name__}: {exc})")
    if not fps:
        notes.append("SymPy found no symbolic fixed point; see the numeric ones")
    for k, fp in enumerate(fps[:max_fixed_points], 1):
        try:
            derivations.append(_derive(model, fp, timeout))
        except (ArithmeticError, NotImplementedError, TypeError, ValueError, RecursionError) as exc:
            # SymPy can fail deep inside simplification; the rest of the report still stands
            notes.append(f"the derivation at symbolic fixed point {k} ({fp}) failed: {type(exc).__name__}: {exc}")
    if len(fps) > max_fixed_points:
        notes.append(f"{len(fps) - max_fixed_points} more symbolic fixed point(s) not derived")
    return derivations, notes


def derivations(model: Any, *, timeout: float | None = 30.0,
                max_fixed_points: int = 4) -> tuple[list[Derivation], list[str]]:
    """The symbolic half of :func:`linstab.report`: the derivation at each symbolic fixed point.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` (with its parameter values set as wanted).
    timeout
        Seconds of CPU time for the whole symbolic analysis (``None``: no limit). Where the
        platform allows it (``fork``), the steps run in a child process under this limit and
        :data:`SYMBOLIC_MEMORY` MB of memory; a budget that runs out leaves a note. The search for
        closed-form fixed points gets a third of it (then an implicit form stands in).
    max_fixed_points
        At most this many symbolic fixed points are derived.

    Returns
    -------
    tuple
        ``(derivations, notes)``: notes say what was skipped or failed and why.

    Examples
    --------
    >>> from linstab import load_model
    >>> found, notes = derivations(load_model("repressilator"))
    >>> found[0].abbreviations, notes
    ({a: beta*n*x0**(n - 1)/(x0**n + 1)**2}, [])
    """
    from linstab._budget import can_limit, run_limited

    if timeout is not None and not (isinstance(timeout, (int, float)) and 0 < timeout < float("inf")):
        raise ValueError(f"report: `timeout` must be a positive, finite number of seconds or None, got {timeout!r}")
    if model.n_vars > MAX_SYMBOLIC_VARIABLES:
        return [], [f"symbolic steps skipped: the model has {model.n_vars} variables, and they are carried out "
                    f"for at most {MAX_SYMBOLIC_VARIABLES}"]
    if timeout is None or not can_limit():
        return _symbolic(model, timeout, max_fixed_points)
    outcome = run_limited(lambda: _symbolic(model, timeout, max_fixed_points), time_limit=float(timeout),
                          memory_limit=SYMBOLIC_MEMORY)
    if outcome.kind == "ok":
        found, more = outcome.value
        return list(found), list(more)
    if outcome.kind == "error":
        raise outcome.value
    budget = {"time": f"the time budget (timeout={timeout:g} s of CPU time)",
              "memory": f"the memory budget ({SYMBOLIC_MEMORY} MB)",
              "depth": "SymPy's recursion limit"}[outcome.kind]
    return [], [f"the symbolic analysis timed out: it did not finish within {budget}; "
                "the numeric fixed points do not depend on it"]
