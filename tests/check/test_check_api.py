"""linstab.check: reading answers safely, each kind of answer, feedback rendering."""

from __future__ import annotations

import inspect
import os

import pytest
import sympy as sp

from linstab.check import DIAGNOSES, KINDS, Domain, Feedback, check

x, n, beta = sp.symbols("x n beta", positive=True)
r = sp.Symbol("r", real=True)
lam = sp.Symbol("lamda")


# --------------------------------------------------------------------------- safe parsing

MALICIOUS = [
    "__import__('os').system('touch {path}')",
    "().__class__.__bases__[0].__subclasses__()",
    "(lambda: __import__('os').system('touch {path}'))()",
    "open('{path}', 'w')",
    "exec('import os')",
    "x.__class__",
    "[c for c in ().__class__.__mro__]",
    "eval('1')",
    "getattr(x, 'func')",
]


@pytest.mark.parametrize("text", MALICIOUS)
def test_malicious_answers_are_refused_and_nothing_runs(text, tmp_path):
    target = tmp_path / "pwned"
    fb = check(text.format(path=target), x**2)
    assert not fb.correct
    assert fb.diagnosis in ("parse_error", "unknown_symbol")
    assert fb.method == "none"
    assert not target.exists()
    assert not os.path.exists("pwned")


def test_unknown_symbol_is_named_with_a_suggestion():
    fb = check("bta*x", beta * x)
    assert fb.diagnosis == "unknown_symbol"
    assert "'bta'" in fb.message and "'beta'" in fb.message
    assert "[variables]" not in fb.message  # model-file advice makes no sense here


def test_implicit_multiplication_gets_a_hint():
    fb = check("2x", 2 * x)
    assert fb.diagnosis == "parse_error"
    assert "`*`" in fb.message


def test_caret_greek_letters_and_lambda_are_understood():
    assert check("β*x^2", beta * x**2).correct
    assert check("(1 + lambda)^2", (1 + lam) ** 2, variable=lam).correct
    assert check("(1 + λ)^2", (1 + lam) ** 2, variable=lam).correct


def test_sympy_answers_with_plain_symbols_are_rebound_to_the_domain():
    plain = sp.Symbol("x")  # no positivity assumption
    assert check(sp.sqrt(plain**2), x).correct


# --------------------------------------------------------------------------- expressions


def test_domain_decides_assumption_dependent_equivalence():
    assert check("sqrt(x^2)", x).correct
    fb = check("sqrt(r^2)", r)
    assert not fb.correct


def test_numbers_and_zero_answers():
    assert check(0, sp.Integer(0)).correct
    assert check("1/2", sp.Rational(1, 2)).correct
    assert check(0.5, sp.Rational(1, 2)).correct
    assert check("0", x - x).correct


def test_where_restricts_sampling_to_the_valid_region():
    ref = n / 2 * (n / 2 - 1) ** (-(n + 1) / n)
    fb = check("n/2/(n/2 - 1)^(1 + 1/n)", ref, where=n > 2, ranges={"n": (1.0, 6.0)})
    assert fb.correct


def test_condition_given_for_an_expression_is_refused():
    fb = check("x > 1", x)
    assert fb.diagnosis == "parse_error"


def test_swapped_symbols_are_diagnosed():
    y = sp.Symbol("y", positive=True)
    fb = check("x/(1 + y^2)", y / (1 + x**2))
    assert fb.diagnosis == "swapped_symbols"


def test_extra_term_is_diagnosed():
    fb = check("beta*x - x + 1", beta * x - x)
    assert fb.diagnosis == "extra_term"


# --------------------------------------------------------------------------- other kinds


def test_matrix_from_nested_lists_of_strings():
    ref = sp.Matrix([[-1, beta], [x, -1]])
    assert check([["-1", "beta"], ["x", "-1"]], ref).correct
    assert check("Matrix([[-1, beta], [x, -1]])", ref).correct
    fb = check("[[-1, beta], [x]]", ref)
    assert fb.diagnosis == "parse_error"


def test_polynomial_up_to_factor_is_optional():
    ref = (lam + 1) ** 2 - beta
    assert check("-(lambda + 1)^2 + beta", ref, variable=lam).correct
    fb = check("-(lambda + 1)^2 + beta", ref, variable=lam, up_to_factor=False)
    assert fb.diagnosis == "coefficients"


def test_polynomial_needs_its_variable():
    with pytest.raises(ValueError, match="`variable` is required"):
        check("lamda + 1", lam + 1, kind="polynomial")


def test_eigenvalue_set_in_any_order_and_from_roots_dict():
    ref = [-1 + sp.I * beta, -1 - sp.I * beta]
    assert check(["-1 - I*beta", "-1 + I*beta"], ref, kind="eigenvalues").correct
    assert check({-1 + sp.I * beta: 1, -1 - sp.I * beta: 1}, ref, kind="eigenvalues").correct
    fb = check("[-1 + I*beta, -1 + I*beta]", ref)
    assert fb.diagnosis == "elements"


def test_partial_domain_condition_on_a_real_parameter():
    fb = check("r^2 > 4", r > 2)
    assert fb.diagnosis == "partial_domain"
    assert "r > 0" in fb.message


def test_condition_from_list_or_comma_separated_string():
    ref = sp.And(beta > 1, x < 2)
    assert check("beta > 1, x < 2", ref).correct
    assert check(["x < 2", "beta > 1"], ref).correct
    assert check([x < 2, beta > 1], ref).correct


def test_equation_solved_either_way():
    x0 = sp.Symbol("x0", positive=True)
    ref = sp.Eq(beta, x0 * (1 + x0**n))
    assert check("x0 == beta/(1 + x0^n)", ref, solve_for=beta).correct
    assert not check("x0 == x0", ref).correct


# --------------------------------------------------------------------------- API


def test_bad_kind_and_conflicting_domain_arguments_are_explained():
    with pytest.raises(ValueError, match="`kind` must be one of"):
        check("x", x, kind="vector")
    with pytest.raises(ValueError, match="either `domain` or `ranges`"):
        check("x", x, domain=Domain([x]), ranges={"x": (1, 2)})
    with pytest.raises(ValueError, match="not among the symbols"):
        Domain([x], ranges={"y": (0, 1)})


def test_feedback_renders_for_notebooks_and_escapes_html():
    fb = check("x^(n-1)", n * x ** (n - 1))
    html = fb._repr_html_()
    assert "Not yet." in html and "data-diagnosis='missing_factor'" in html
    md = fb._repr_markdown_()
    assert md.startswith("❌ **Not yet.**")
    odd = Feedback(False, "a < b & c", "not_equivalent")
    assert "a &lt; b &amp; c" in odd._repr_html_()
    with pytest.raises(ValueError, match="`diagnosis` must be one of"):
        Feedback(False, "x", "nonsense")


def test_check_is_reproducible():
    a1 = check("x^(n-1)", n * x ** (n - 1), seed=3)
    a2 = check("x^(n-1)", n * x ** (n - 1), seed=3)
    assert a1 == a2


def test_signature_options_are_keyword_only():
    params = inspect.signature(check).parameters
    positional = [p for p in params.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in positional] == ["answer", "reference"]
    assert set(KINDS) == {"expression", "matrix", "polynomial", "set", "condition", "equation"}
    assert "correct" in DIAGNOSES


# ----------------------------------------------------------------------------- the budget
def test_budget_turns_runaway_answers_into_feedback():
    x, n = sp.symbols("x n", positive=True)
    ref = n * x ** (n - 1) / (1 + x**n) ** 2
    fb = check("(x+1)**9999", ref, time_limit=0.5)  # cancel() would expand 10,000 terms
    assert fb.diagnosis == "too_complex" and not fb.correct and "0.5 s" in fb.message
    fb = check("x**x**x**x**x", ref, memory_limit=100)  # 30-digit evaluation needs gigabytes
    assert fb.diagnosis == "too_complex" and "memory" in fb.message
    # the same check in process, and a normal answer through the budget, agree
    assert check("n*x^(n-1)/(1+x^n)^2", ref).correct
    assert check("n*x^(n-1)/(1+x^n)^2", ref, time_limit=None).correct


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), float("nan"), "2"])
def test_budget_arguments_are_checked(bad):
    with pytest.raises(ValueError, match="time_limit"):
        check("1", sp.Integer(1), time_limit=bad)


def test_errors_in_the_child_reach_the_caller():
    with pytest.raises(ValueError, match="kind"):
        check("1", sp.Integer(1), kind="nonsense")
    with pytest.raises(TypeError, match="reference"):
        check("1", "1")


def test_long_answers_are_refused():
    fb = check("x+" * 1000 + "x", sp.Symbol("x"))
    assert fb.diagnosis == "parse_error" and "2,000 characters" in fb.message
