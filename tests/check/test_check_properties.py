"""Property tests: equivalent rewrites are accepted; standard slips are diagnosed."""

from __future__ import annotations

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linstab.check import check
from linstab.check.exercises import EXERCISES

x, y, k = sp.symbols("x y k", positive=True)

# Rewrites that never change the value of an expression on a positive domain.
REWRITES = {
    "expand": sp.expand,
    "factor": sp.factor,
    "together": sp.together,
    "cancel": sp.cancel,
    "powsimp": sp.powsimp,
    "times (1+x)/(1+x) unevaluated": lambda e: sp.Mul(e, (1 + x), sp.Pow(1 + x, -1), evaluate=False),
    "plus y - y unevaluated": lambda e: sp.Add(e, y, -y, evaluate=False),
}

SCALAR_KEYS = sorted(k for k, ex in EXERCISES.items() if ex.kind == "expression")

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(SCALAR_KEYS),
    names=st.lists(st.sampled_from(sorted(REWRITES)), min_size=1, max_size=2),
    as_text=st.booleans(),
)
def test_rewritten_exercise_references_are_accepted(key, names, as_text):
    ex = EXERCISES[key]
    answer = ex.reference
    for name in names:
        answer = REWRITES[name](answer)
    if as_text:  # what a student would type, with ^ for powers
        answer = sp.sstr(answer).replace("**", "^")
    options = dict(ex.options)
    options["symbols"] = [x, y, *options.get("symbols", ())]
    fb = check(answer, ex.reference, kind=ex.kind, **options)
    assert fb.correct, (names, answer, str(fb))


monomial = st.tuples(st.integers(1, 5), st.integers(0, 3), st.integers(0, 3))


def _poly(terms):
    return sp.Add(*[c * x**i * y**j for c, i, j in terms])


@settings(max_examples=40, deadline=None)
@given(num=st.lists(monomial, min_size=1, max_size=3), den=st.lists(monomial, min_size=1, max_size=2))
def test_random_rational_functions_rewrites_and_slips(num, den):
    ref = _poly(num) / _poly(den)
    assert check(sp.apart(ref, x), ref).correct
    assert check(sp.factor(ref), ref).correct
    assert check(-ref, ref).diagnosis == "sign"
    fb = check(ref / k, ref * 1, symbols=[k])
    assert fb.diagnosis in ("missing_factor", "extra_dependence")
    if fb.diagnosis == "missing_factor":
        assert "factor k" in fb.message


@settings(max_examples=30, deadline=None)
@given(ref_rows=st.lists(st.lists(st.sampled_from([x, y, -x, 1, -1, x * y, 2 * y]), min_size=2, max_size=2),
                         min_size=2, max_size=2))
def test_matrix_transposes_and_sign_flips(ref_rows):
    ref = sp.Matrix(ref_rows)
    assert check(ref.applyfunc(sp.expand), ref).correct
    if ref != ref.T:
        assert check(ref.T, ref).diagnosis in ("transposed", "misplaced_entries")
    if any(e != 0 for e in ref):
        assert check(-ref, ref).diagnosis == "sign"


@settings(max_examples=30, deadline=None)
@given(c=st.integers(-5, 5), flip=st.booleans())
def test_conditions_equivalent_after_rearrangement(c, flip):
    r = sp.Symbol("r", real=True)
    ref = r > c
    rearranged = f"{c} < r" if flip else f"r - {c} > 0" if c >= 0 else f"r + {-c} > 0"
    assert check(rearranged, ref).correct
    assert check(f"r < {c}", ref).diagnosis == "reversed"
