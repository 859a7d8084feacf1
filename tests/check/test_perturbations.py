"""Every exercise's reference, perturbed slightly, must be rejected.

For each exercise of the registry and each kind of perturbation — a bound or constant moved by
1 %, an extra conjunct (an extra term, for expressions), a dropped conjunct (term, entry or
value), a wrong sign (an inequality flipped or a term negated) and a factor (2, 1/2, 3 or a
symbol) — Hypothesis draws a few concrete perturbations. Each must be rejected by the checker,
unless it is equivalent to the reference after all (an extra conjunct the reference implies,
``2*tau < 0`` for ``tau < 0``). Equivalence is not taken from the checker: it is decided here,
independently and conservatively — structural identity, ``simplify(p - r) == 0``, the solution
sets of ``solveset`` in one variable, or an atom-by-atom argument — and the checker must then
accept. A perturbation that is equivalent but that these arguments cannot prove makes the test
fail (it is never skipped). The equivalent cases are counted and reported at the end of the
module; they must stay a minority, so that the test cannot quietly turn into a test of nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linstab.check.exercises import EXERCISES

HOWS = ("bound", "extra", "dropped", "sign", "factor")
_FLIP = {sp.StrictGreaterThan: sp.StrictLessThan, sp.StrictLessThan: sp.StrictGreaterThan,
         sp.GreaterThan: sp.LessThan, sp.LessThan: sp.GreaterThan}
TALLY: Counter = Counter()


# --------------------------------------------------------------------------- building perturbations
def _conjuncts(cond: sp.Basic) -> list[sp.Basic]:
    return list(cond.args) if isinstance(cond, sp.And) else [cond]


def _symbols(obj: object) -> list[sp.Symbol]:
    items = obj if isinstance(obj, (list, sp.MatrixBase)) else [obj]
    free: set[sp.Symbol] = set()
    for item in items:
        free |= item.free_symbols
    return sorted(free, key=lambda s: s.name)


def _terms(expr: sp.Expr) -> list[sp.Expr]:
    terms = list(sp.Add.make_args(expr))
    if len(terms) == 1:
        terms = list(sp.Add.make_args(sp.expand(expr)))
    return terms


def _perturb_expr(expr: sp.Expr, how: str, data, symbols: list[sp.Symbol]) -> sp.Expr:
    terms = _terms(expr) if how == "dropped" else list(sp.Add.make_args(expr))
    j = data.draw(st.integers(0, len(terms) - 1), label="term")
    if how == "bound":
        terms[j] = terms[j] * data.draw(st.sampled_from([sp.Rational(101, 100), sp.Rational(99, 100)]), label="1%")
    elif how == "extra":
        extra = data.draw(st.sampled_from(symbols), label="extra term") if symbols else sp.Integer(1)
        terms.append(extra)
    elif how == "dropped":
        del terms[j]
    elif how == "sign":
        terms[j] = -terms[j]
    elif how == "factor":
        factors = [sp.Integer(2), sp.Rational(1, 2), sp.Integer(3), *symbols]
        terms[j] = terms[j] * data.draw(st.sampled_from(factors), label="factor")
    return sp.Add(*terms)


def _perturb_atom(atom: sp.Basic, how: str, data, symbols: list[sp.Symbol]) -> sp.Basic:
    op, lhs, rhs = type(atom), atom.lhs, atom.rhs
    if how == "bound":
        up = data.draw(st.sampled_from([1, -1]), label="direction")
        rhs = rhs * (1 + sp.Rational(up, 100)) if rhs != 0 else sp.Rational(up, 100)
        return op(lhs, rhs)
    if how == "sign":
        if data.draw(st.booleans(), label="flip the inequality"):
            return _FLIP[op](lhs, rhs)
        terms = list(sp.Add.make_args(lhs - rhs))
        j = data.draw(st.integers(0, len(terms) - 1), label="term")
        terms[j] = -terms[j]
        return op(sp.Add(*terms), 0)
    if how == "factor":
        factor = data.draw(st.sampled_from([sp.Integer(2), sp.Rational(1, 2), sp.Integer(3), *symbols]), label="factor")
        if rhs == 0 or (lhs != 0 and data.draw(st.booleans(), label="left side")):
            return op(factor * lhs, rhs)
        return op(lhs, factor * rhs)
    raise AssertionError(how)


def perturb(ex, how: str, data) -> object:
    """A perturbation of ``ex.reference`` of the kind ``how``."""
    ref, symbols = ex.reference, _symbols(ex.reference)
    if ex.kind == "condition":
        atoms = _conjuncts(ref)
        if how == "extra":
            s = data.draw(st.sampled_from(symbols), label="symbol")
            bound = data.draw(st.sampled_from([sp.Rational(1, 1000), sp.Rational(1, 2), 5, 10, 50, 100, 1000, 10**4]),
                              label="bound")
            if not s.is_positive and data.draw(st.booleans(), label="negative bound"):
                bound = -bound
            extra = s < bound if data.draw(st.booleans(), label="upper") else s > bound
            return sp.And(*atoms, extra)
        i = data.draw(st.integers(0, len(atoms) - 1), label="conjunct")
        if how == "dropped":
            return sp.And(*(a for k, a in enumerate(atoms) if k != i))
        atoms[i] = _perturb_atom(atoms[i], how, data, symbols)
        return sp.And(*atoms)
    if ex.kind in ("expression", "polynomial"):
        base = sp.expand(ref) if ex.kind == "polynomial" else ref
        return _perturb_expr(base, how, data, symbols)
    if ex.kind == "equation":
        return sp.Eq(ref.lhs, _perturb_expr(ref.rhs, how, data, symbols), evaluate=False)
    if ex.kind == "set":
        values = list(ref)
        # a zero value is left alone by a factor, a sign or a moved constant: perturb another one
        choices = range(len(values)) if how in ("extra", "dropped") else [k for k, v in enumerate(values) if v != 0]
        i = data.draw(st.sampled_from(list(choices)), label="element")
        if how == "dropped":
            return values[:i] + values[i + 1:]
        values[i] = _perturb_expr(values[i], how, data, symbols)
        return values
    if ex.kind == "matrix":
        entries = [k for k in range(len(ref)) if ref[k] != 0] if how != "extra" else list(range(len(ref)))
        k = data.draw(st.sampled_from(entries), label="entry")
        out = sp.Matrix(ref)
        if how == "dropped" and len(_terms(ref[k])) < 2:
            out[k] = 0
        else:
            out[k] = _perturb_expr(ref[k], how, data, symbols)
        return out
    raise AssertionError(ex.kind)


def applicable(ex, how: str) -> bool:
    """Whether the perturbation exists for this reference (a single condition has no conjunct to drop)."""
    if how != "dropped":
        return True
    if ex.kind == "condition":
        return isinstance(ex.reference, sp.And)
    if ex.kind == "expression":
        return len(_terms(ex.reference)) > 1
    if ex.kind == "equation":
        return len(_terms(ex.reference.rhs)) > 1
    return True


# --------------------------------------------------------------------------- the independent judge
def _zero(expr: sp.Expr) -> bool:
    return expr == 0 or sp.simplify(expr) == 0


def _box(s: sp.Symbol, ex) -> sp.Set:
    ranges = ex.options.get("ranges", {})
    if s.name in ranges:
        lo, hi = ranges[s.name]
        return sp.Interval.open(sp.nsimplify(lo), sp.nsimplify(hi))
    return sp.Interval.open(0, sp.oo) if s.is_positive else sp.Reals


def _solution_set(cond: sp.Basic, s: sp.Symbol, box: sp.Set) -> sp.Set:
    """The solution set built atom by atom with ``solveset`` (not the checker's ``as_set``)."""
    if cond is sp.true:
        return box
    if cond is sp.false:
        return sp.S.EmptySet
    if isinstance(cond, sp.And):
        return sp.Intersection(*(_solution_set(c, s, box) for c in cond.args))
    if isinstance(cond, sp.Or):
        return sp.Union(*(_solution_set(c, s, box) for c in cond.args))
    return sp.solveset(cond, s, box)


def _normal(atom: sp.Basic) -> tuple[int, sp.Expr, bool]:
    """``atom`` as ``sign * expr > 0`` (or ``>= 0``): (orientation, expr, strict)."""
    if isinstance(atom, (sp.StrictGreaterThan, sp.GreaterThan)):
        return 1, atom.lhs - atom.rhs, isinstance(atom, sp.StrictGreaterThan)
    return 1, atom.rhs - atom.lhs, isinstance(atom, sp.StrictLessThan)


def _same_atom(p: sp.Basic, r: sp.Basic) -> bool:
    """Both say ``e > 0`` for expressions that differ by a positive constant factor."""
    if not (isinstance(p, sp.core.relational.Relational) and isinstance(r, sp.core.relational.Relational)):
        return p == r
    _, ep, sp_ = _normal(p)
    _, er, sr = _normal(r)
    if sp_ != sr or er == 0:
        return False
    ratio = sp.simplify(ep / er)
    return bool(ratio.is_number and ratio.is_positive)


def _implied(atom: sp.Basic, by: list[sp.Basic], ex) -> bool:
    """A one-symbol ``atom`` implied by the domain, or by a one-symbol conjunct of the reference on its own."""
    if len(atom.free_symbols) != 1:
        return False
    (s,) = atom.free_symbols
    box = _box(s, ex)
    want = _solution_set(atom, s, box)
    if box.is_subset(want):
        return True
    return any(b.free_symbols == {s} and _solution_set(b, s, box).is_subset(want) for b in by)


def _grid(s: sp.Symbol, ex, count: int) -> list[sp.Float]:
    """Values of ``s`` across its domain: log-spaced over twelve decades, or across its range."""
    ranges = ex.options.get("ranges", {})
    if s.name in ranges:
        lo, hi = (sp.Float(v, 30) for v in ranges[s.name])
        lo, hi = lo + (hi - lo) * sp.Float("1e-9"), hi - (hi - lo) * sp.Float("1e-9")
        return [lo + (hi - lo) * k / (count - 1) for k in range(count)]
    mags = [sp.Float(10, 30) ** (-6 + 12 * sp.Rational(k, count - 1)) for k in range(count)]
    return mags if s.is_positive else [*mags, *(-m for m in mags)]


def _truth(cond: sp.Basic, point: dict) -> bool | None:
    """Truth at a point by SymPy at 30 digits (``and`` short-circuits; undefined is ``None``)."""
    if isinstance(cond, sp.And):
        vals = [_truth(c, point) for c in cond.args]
        return False if False in vals else (None if None in vals else True)
    val = cond.xreplace(point)
    if val not in (sp.true, sp.false):
        val = sp.N(val.lhs - val.rhs, 30)
        if not val.is_real:
            return None
        val = type(cond)(val, 0)
    return bool(val) if val in (sp.true, sp.false) else None


def _slab_is_empty(ex, pert: sp.Basic) -> bool:
    """Numeric evidence (SymPy at 30 digits, on a grid) for a bound moved in a one-symbol conjunct:
    the rest of the condition fails everywhere between the old and the new bound."""
    p_atoms, r_atoms = _conjuncts(pert), _conjuncts(ex.reference)
    changed_p = [q for q in p_atoms if q not in r_atoms]
    changed_r = [r for r in r_atoms if r not in p_atoms]
    if len(changed_p) != 1 or len(changed_r) != 1 or len(p_atoms) != len(r_atoms):
        return False
    (q,), (r,) = changed_p, changed_r
    if q.free_symbols != r.free_symbols or len(q.free_symbols) != 1:
        return False
    (s,) = q.free_symbols
    slab = sp.SymmetricDifference(_solution_set(q, s, _box(s, ex)), _solution_set(r, s, _box(s, ex)))
    slab = sp.simplify(slab)
    if not isinstance(slab, sp.Interval) or slab.measure is sp.oo:
        return False
    rest = sp.And(*(a for a in r_atoms if a != r))
    others = sorted(rest.free_symbols - {s}, key=lambda t: t.name)
    if len(others) != 1:
        return False
    (t,) = others
    lo, hi = sp.Float(slab.start, 30), sp.Float(slab.end, 30)
    svals = [lo + (hi - lo) * (sp.Float(k, 30) / 20) for k in range(1, 20)] + [lo * (1 + sp.Float("1e-12")), hi * (1 - sp.Float("1e-12"))]
    return all(_truth(rest, {s: v, t: w}) is not True for v in svals for w in _grid(t, ex, 41))


def equivalence(ex, pert: object) -> str:
    """How ``pert`` is shown equivalent to ``ex.reference``: ``"identical"``, ``"simplify"``,
    ``"solveset"``, ``"atoms"`` (conjunct by conjunct), ``"grid"`` (30-digit SymPy on a grid over
    the only region where they could differ), or ``""`` when it is not (or cannot be) shown."""
    ref = ex.reference
    if ex.kind == "condition":
        if pert == ref:
            return "identical"
        syms = pert.free_symbols | ref.free_symbols
        if len(syms) == 1 and "where" not in ex.options:
            (s,) = syms
            box = _box(s, ex)
            diff = sp.SymmetricDifference(_solution_set(pert, s, box), _solution_set(ref, s, box))
            return "solveset" if sp.simplify(diff) is sp.S.EmptySet or diff.is_empty is True else ""
        p_atoms, r_atoms = _conjuncts(pert), _conjuncts(ref)
        covered = all(any(_same_atom(q, r) for q in p_atoms) for r in r_atoms)
        extra = [q for q in p_atoms if not any(_same_atom(q, r) for r in r_atoms)]
        if covered and all(_implied(q, r_atoms, ex) for q in extra):
            return "atoms"
        return "grid" if _slab_is_empty(ex, pert) else ""
    if ex.kind == "set":
        same = len(pert) == len(ref) and all(_zero(p - r) for p, r in zip(pert, ref))
    elif ex.kind == "matrix":
        same = all(_zero(p - r) for p, r in zip(pert, ref))
    elif ex.kind == "equation":
        same = _zero(pert.rhs - ref.rhs)
    elif ex.kind == "polynomial":
        ratio = sp.cancel(pert / ref)
        same = bool(ratio.is_number and ratio != 0)  # an overall constant factor is accepted by design
    else:
        same = _zero(pert - ref)
    return "simplify" if same else ""


def as_text(obj: object) -> str:
    """What a student would type (SymPy's printing: ``&``, ``Eq(...)``, ``Matrix([...])``)."""
    if isinstance(obj, list):
        return "[" + ", ".join(sp.sstr(o) for o in obj) + "]"
    return sp.sstr(obj)


# --------------------------------------------------------------------------- the test
CASES = [(key, how) for key, ex in sorted(EXERCISES.items()) for how in HOWS if applicable(ex, how)]


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    total = TALLY["rejected"] + TALLY["equivalent"]
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    line = (f"perturbations: {total} checked, {TALLY['rejected']} rejected, {TALLY['equivalent']} equivalent "
            f"(shown independently, and accepted): "
            + ", ".join(f"{k} ({v})" for k, v in sorted(TALLY.items()) if ":" in k))
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)
    if total >= 50:  # the whole module ran
        assert TALLY["equivalent"] <= 0.25 * total, line


@pytest.mark.parametrize(("key", "how"), CASES, ids=[f"{k}-{h}" for k, h in CASES])
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_perturbed_reference_is_rejected(key, how, data):
    ex = EXERCISES[key]
    pert = perturb(ex, how, data)
    text = data.draw(st.booleans(), label="as text")
    fb = ex.check(as_text(pert) if text else pert)
    assert fb.diagnosis != "too_complex", (key, how, pert, str(fb))
    evidence = equivalence(ex, pert)
    if evidence:
        TALLY["equivalent"] += 1
        TALLY[f"{key}:{how}:{evidence}"] += 1
        assert fb.correct, ("an equivalent perturbation must be accepted", key, how, pert, str(fb))
    else:
        TALLY["rejected"] += 1
        assert not fb.correct, ("a perturbation was accepted", key, how, pert, str(fb))
