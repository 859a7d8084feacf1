"""A corpus of hostile inputs for every entry point that takes a string or a file.

Each input must get a result or a one-line error — never a traceback, a hang or a blow-up of
memory — and no input may run code: the payloads below would create a marker file if anything
``eval``-ed them. Every case runs in a forked child with a generous hang guard
(:mod:`tests.hostile._guard`); the budgets themselves (2 s CPU and 500 MB for the checker) are
stated in the README and enforced by linstab, not timed here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import linstab
from linstab import LinstabError
from linstab.check import check
from tests.hostile._guard import guarded

ERRORS = (LinstabError, ValueError, TypeError)
ROOT = Path(__file__).resolve().parents[2]


def payload(marker: Path) -> str:
    """An expression that creates ``marker`` if anything evaluates it as Python."""
    return f"__import__('os').system('touch {marker}')"


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message.strip() and "Traceback" not in message


# ----------------------------------------------------------------------------- model files
TOWER = "**".join(["x"] * 400)
MODELS = [
    # (id, equations (TOML lines or a whole file), "ok" or a fragment the one-line error contains)
    ("big-power-times-x", 'x = "(9**9999)**9999 * x"', "bits"),
    ("big-power", 'x = "(9**9999)**999 - x"', "bits"),
    ("400-big-factors", 'x = "' + "*".join(["9**9999"] * 400) + ' - x"', "bits"),
    ("beyond-double", 'x = "2**9999 - x"', "double-precision"),
    ("tiny-beyond-double", 'x = "2**(-9999) - x"', "double-precision"),
    ("power-of-power-literal", 'x = "x**(10**10**10)"', "too large"),
    ("5000-digit-literal", f'x = "{"9" * 5000} - x"', "cannot parse"),
    ("sum-of-500-x", 'x = "' + "+".join(["x"] * 500) + ' - 501*x + 1"', "ok"),
    ("1200-unary-minus", 'x = "' + "-" * 1200 + 'x"', "ok"),
    ("power-tower-400", f'x = "{TOWER}"', "nested more than"),
    ("300-parentheses", 'x = "' + "(" * 300 + "x" + ")" * 300 + '"', "cannot parse"),
    ("too-long", 'x = "' + "+".join(["x"] * 5001) + '"', "limit"),
    ("imaginary-unit", 'x = "I*x"', "imaginary unit"),
    ("infinity", 'x = "oo*x"', "infinity"),
    ("division-by-zero", 'x = "1/0"', "[equations] x"),
    ("x-over-zero", 'x = "x/0 - x"', "undefined"),
    ("condition-as-rhs", 'x = "x > 1"', "algebraic expression"),
    ("tuple-as-rhs", 'x = "(x, 1)"', "algebraic expression"),
    ("attribute", 'x = "x.func"', "attribute access"),
    ("dunder", 'x = "__class__"', "underscore"),
    ("fullwidth-E-is-not-euler", '[parameters]\n"Ｅ" = 3.0\n[equations]\nx = "Ｅ - x"', "reads as 'E'"),
    ("script-I-is-not-i", '[parameters]\n"ℐ" = 3.0\n[equations]\nx = "ℐ - x"', "reads as 'I'"),
    ("x-and-fullwidth-x", '[equations]\nx = "-x"\n"ｘ" = "x"', "same name"),
    ("fullwidth-in-expression", '[equations]\nx = "1 - ｘ"', "ok"),
    ("swap-without-parameters", '[equations]\nx = "y"\ny = "x"', "ok"),
    ("heaviside", '[equations]\nx = "Heaviside(x - 1) - x/3"', "ok"),
    ("max-min-abs", '[equations]\nx = "Max(x, 0) - 2*Abs(x) + Min(x, 1) - 1/2"', "ok"),
    ("nested-toml-arrays", "a = " + "[" * 2000 + "]" * 2000 + '\n[equations]\nx = "-x"', "nested too deeply"),
    ("5000-digit-toml-integer", f'[parameters]\nk = {"1" * 5000}\n[equations]\nx = "k - x"', "TOML"),
    ("infinite-parameter", '[parameters]\nk = inf\n[equations]\nx = "k - x"', "finite"),
    ("huge-toml-float", '[parameters]\nk = 1e400\n[equations]\nx = "k - x"', "finite"),
    ("string-parameter", '[parameters]\nk = "__import__(\'os\')"\n[equations]\nx = "k - x"', "number"),
    ("unknown-function", 'x = "system(x)"', "unknown function"),
    ("keyword-call", 'x = "exp(x=1)"', "keyword"),
]


def _toml(body: str) -> str:
    return body if "[equations]" in body else f"[equations]\n{body}\n"


@pytest.mark.parametrize(("body", "expected"), [m[1:] for m in MODELS], ids=[m[0] for m in MODELS])
def test_model_file(body, expected, tmp_path):
    path = tmp_path / "hostile.toml"
    path.write_text(_toml(body), encoding="utf-8")

    def run():
        m = linstab.load_model(path)
        if all(v is not None for _, v in m.values):
            return [fp.state.tolist() for fp in linstab.find_fixed_points(m)]
        return m.rhs

    kind, message = guarded(run, ERRORS)
    if expected == "ok":
        assert kind == "ok", message
    else:
        assert kind == "error", (kind, message)
        assert one_line(message), message
        assert expected in message, message
        assert str(path) in message or "TOML" not in expected, message  # names the file


def test_fullwidth_name_is_the_same_variable(tmp_path):
    """NFKC first: ``ｘ`` in an expression is the variable ``x`` (Python's parser reads it so)."""
    path = tmp_path / "fw.toml"
    path.write_text('[equations]\nx = "1 - ｘ"\n', encoding="utf-8")
    (fp,) = linstab.find_fixed_points(linstab.load_model(path))
    assert fp.state.tolist() == [1.0]


def test_model_payloads_create_no_file(tmp_path):
    marker = tmp_path / "MARK"
    for body in (f'x = "{payload(marker)}"', f'[parameters]\nk = 1.0\n[equations]\nx = "k*{payload(marker)}"'):
        path = tmp_path / "p.toml"
        path.write_text(_toml(body), encoding="utf-8")
        kind, message = guarded(lambda: linstab.load_model(path), ERRORS)
        assert kind == "error" and one_line(message), message
    assert not marker.exists()


# ----------------------------------------------------------------------------- the checker
x_, n_, a_ = sp.symbols("x n a", positive=True)
SLOPE = n_ * x_ ** (n_ - 1) / (1 + x_**n_) ** 2
ANSWERS = [
    # (id, answer, reference, allowed diagnoses)
    ("expand-9999", "(x+1)**9999", SLOPE, {"too_complex", "missing_dependence", "not_equivalent"}),
    ("tower-6", "x**x**x**x**x**x", SLOPE, {"too_complex", "missing_dependence", "not_equivalent"}),
    ("tower-5", "x**x**x**x**x", SLOPE, {"too_complex", "missing_dependence", "not_equivalent"}),
    ("seven-exp", "exp(exp(exp(exp(exp(exp(exp(x)))))))", SLOPE,
     {"too_complex", "missing_dependence", "not_equivalent"}),
    ("condition-degree-1000", "a**1000 + a**999 > 2", a_ > 2,
     {"too_complex", "too_strong", "too_weak", "partial_domain", "not_equivalent", "reversed"}),
    ("big-integer", "(9**9999)**9999", SLOPE, {"parse_error"}),
    ("sum-of-999-x", "+".join(["x"] * 999), SLOPE, {"missing_dependence", "too_complex", "not_equivalent"}),
    ("1200-minus", "-" * 1200 + "x", SLOPE, {"missing_dependence", "too_complex", "not_equivalent"}),
    ("tower-400", TOWER, SLOPE, {"parse_error"}),
    ("too-long", "x+" * 1000 + "x", SLOPE, {"parse_error"}),
    ("nested-list", "[" * 500 + "]" * 500, sp.Matrix([[x_]]), {"parse_error", "shape"}),
    ("division-by-zero", "1/0", SLOPE, {"parse_error"}),
    ("no-n-power-200", "(x+1)**200", SLOPE, {"missing_dependence"}),
    ("matrix-entry-expand", "[[(x+1)**9999, 0], [0, 1]]", sp.Matrix([[x_, 0], [0, 1]]),
     {"too_complex", "entries", "not_equivalent"}),
    ("set-of-towers", "[x**x**x**x**x, exp(exp(exp(exp(exp(exp(x))))))]", [x_, 2 * x_],
     {"too_complex", "elements", "count", "not_equivalent"}),
    ("fullwidth", "ｎ*ｘ^(ｎ-1)/(1 + ｘ^ｎ)^2", SLOPE, {"correct"}),
]


@pytest.mark.parametrize(("answer", "reference", "allowed"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_checker(answer, reference, allowed):
    kind, value = guarded(lambda: (lambda fb: (fb.diagnosis, fb.message))(check(answer, reference)), ERRORS)
    assert kind == "ok", value  # check() answers every string with Feedback, never an exception
    diagnosis, message = ast.literal_eval(value)
    assert diagnosis in allowed, (diagnosis, message)
    assert one_line(message), message
    if answer == "(x+1)**200":  # it has no n: not "the right dependence on every symbol"
        assert "every symbol" not in message


def test_checker_payload_creates_no_file(tmp_path):
    marker = tmp_path / "MARK"
    for answer in (payload(marker), f"[[{payload(marker)}]]", f"x > 1 and {payload(marker)}"):
        kind, value = guarded(lambda: check(answer, SLOPE).diagnosis, ERRORS)
        assert kind == "ok" and ast.literal_eval(value) in ("parse_error", "unknown_symbol"), value
    kind, value = guarded(lambda: check("x", payload(marker)), ERRORS)  # a string reference
    assert kind == "error" and one_line(value), value
    assert not marker.exists()


def test_markdown_escapes_html():
    fb = check("x < 1 and x > 2", sp.And(x_ > 0, x_ < 3))
    md = fb._repr_markdown_()
    assert "<" not in md.replace("&lt;", ""), md


# ----------------------------------------------------------------------------- sym functions
def _sym_calls(p: str):
    from linstab import sym
    from linstab.num import compile_kernel

    x = sp.Symbol("x")
    return {
        "linearize": lambda: sym.linearize("toggle_switch", point={"u": p, "v": 1}),
        "routh_hurwitz": lambda: sym.routh_hurwitz([1, p]),
        "eigenvalues": lambda: sym.eigenvalues([[p]]),
        "eigenvalues-numpy-str": lambda: sym.eigenvalues(np.array([[p]])),
        "charpoly": lambda: sym.charpoly([[p]]),
        "tidy": lambda: sym.tidy(p),
        "hill_taylor": lambda: sym.hill_taylor("activation", p, 1, 2),
        "fixed_points-ansatz": lambda: sym.fixed_points("toggle_switch", ansatz={"u": p}),
        "compile_kernel": lambda: compile_kernel([p], [[x]]),
        "model-dict": lambda: linstab.load_model({"equations": {"x": p}}),
    }


SYM_NAMES = list(_sym_calls("0"))


@pytest.mark.parametrize("name", SYM_NAMES)
@pytest.mark.parametrize("kind", ["code", "big-integer", "tower"])
def test_sym_functions_never_run_strings(name, kind, tmp_path):
    marker = tmp_path / "MARK"
    text = {"code": payload(marker), "big-integer": "(9**9999)**9999", "tower": TOWER}[kind]
    outcome, message = guarded(_sym_calls(text)[name], ERRORS)
    assert outcome == "error", (outcome, message)
    assert one_line(message), message
    assert not marker.exists()


def test_sym_functions_read_strings_safely():
    """Strings that are maths still work, through the safe parser."""
    from linstab import sym

    a = sp.Symbol("a")
    assert sym.routh_hurwitz([1, "2*a", 1]).coeffs == (1, 2 * a, 1)
    assert sym.eigenvalues([["a", 0], [0, "-1"]]) == sym.eigenvalues(sp.Matrix([[a, 0], [0, -1]]))
    assert sym.tidy("a/2 + a/2") == a


# ----------------------------------------------------------------------------- the CLI
def _analyze(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "linstab.cli", "analyze", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


CLI = [
    ("big-integer", ['[equations]\nx = "(9**9999)**9999 * x"\n'], "bits"),
    ("beyond-double", ['[equations]\nx = "2**9999 - x"\n'], "double-precision"),
    ("division-by-zero", ['[equations]\nx = "1/0"\n'], "[equations] x"),
    ("nested-toml", ["a = " + "[" * 2000 + "]" * 2000 + '\n[equations]\nx = "-x"\n'], "nested too deeply"),
    ("timeout-inf", ['[equations]\nx = "-x"\n', "--timeout", "inf"], "--timeout"),
    ("timeout-nan", ['[equations]\nx = "-x"\n', "--timeout", "nan"], "--timeout"),
    ("timeout-negative", ['[equations]\nx = "-x"\n', "--timeout", "-1"], "--timeout"),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_analyze(args, expected, tmp_path):
    path = tmp_path / "hostile.toml"
    path.write_text(args[0], encoding="utf-8")
    out = _analyze(str(path), *args[1:])
    assert out.returncode == 1, out.stdout
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1, out.stderr
    assert expected in out.stderr


def test_cli_latex_escapes_html(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('name = "<img src=x onerror=alert(1)>"\ntitle = "<script>alert(1)</script>"\n'
                    '[equations]\nx = "-x"\n', encoding="utf-8")
    out = _analyze(str(path), "--latex")
    assert out.returncode == 0, out.stderr
    assert "<script>" not in out.stdout and "<img" not in out.stdout
    assert "&lt;script&gt;" in out.stdout
