"""``linstab bifurcation``: the appendix's derivation as text, one JSON object, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy as sp

from linstab.cli import main


def test_repressilator_prints_the_derivation(capsys):
    assert main(["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n"]) == 0
    out = capsys.readouterr().out
    for piece in ["symmetric fixed-point branch x1 = x2 = x3 ≡ x0", "Jacobian on the branch", "a =",
                  "Characteristic polynomial", "Eigenvalues", "Δ2 = 0", "so a = 2", "at the bifurcation",
                  "beta = n/(2*(n/2 - 1)**((n + 1)/n))    for n > 2", "supercritical Hopf bifurcation"]:
        assert piece in out, piece


def test_json_is_exactly_one_object(capsys):
    argv = ["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n",
            "--range", "2.5", "3", "--points", "2", "--json"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    obj = json.loads(out)  # raises if there is anything but one JSON document
    assert out.count("\n") == 1
    assert set(obj) == {"kind", "param", "against", "curves"}
    assert (obj["kind"], obj["param"], obj["against"]) == ("hopf", "beta", "n")
    (curve,) = obj["curves"]
    assert set(curve) == {"kind", "route", "expression", "condition", "points", "lyapunov", "codim2", "parametrization"}
    assert curve["parametrization"] is None  # an explicit expression: no parametric form needed
    assert (curve["kind"], curve["route"]) == ("hopf", "closed form")
    assert curve["condition"] == "n > 2" and curve["lyapunov"] == "supercritical"
    assert curve["points"] == [[2.5, 8.705506], [3.0, 3.779763]]
    n = sp.Symbol("n", positive=True)
    expr = sp.sympify(curve["expression"], locals={"n": n})
    assert sp.simplify(expr - n / 2 * (n / 2 - 1) ** (-(n + 1) / n)) == 0


def test_numeric_fallback_has_null_expression(capsys):
    argv = ["bifurcation", "autoactivation", "--kind", "fold", "--param", "beta", "--against", "alpha",
            "--range", "0.01", "0.1", "--json"]
    assert main(argv) == 0
    obj = json.loads(capsys.readouterr().out)
    assert len(obj["curves"]) == 2
    assert all(c["expression"] is None and c["condition"] is None and c["lyapunov"] is None for c in obj["curves"])
    assert all(len(c["points"]) >= 2 for c in obj["curves"])


def test_set_and_ansatz(capsys):
    argv = ["bifurcation", "repressilator_mrna", "--kind", "hopf", "--param", "alpha", "--against", "n",
            "--set", "b=1", "--ansatz", "m1=m2=m3; p1=p2=p3", "--range", "2", "3", "--points", "3", "--json"]
    assert main(argv) == 0
    (curve,) = json.loads(capsys.readouterr().out)["curves"]
    assert curve["lyapunov"] == "supercritical" and len(curve["points"]) == 3


@pytest.mark.parametrize(("argv", "message"), [
    (["--param", "gamma", "--against", "n", "--kind", "hopf"], "unknown parameter 'gamma'"),
    (["--param", "beta", "--against", "n", "--kind", "hopf", "--range", "1", "1.9"], "no hopf crossing"),
    (["--param", "beta", "--against", "n", "--kind", "hopf", "--range", "3", "2"], "--range expects QMIN < QMAX"),
    (["--param", "beta", "--against", "n", "--kind", "hopf", "--set", "beta"], "--set expects NAME=VALUE"),
])
def test_errors_are_one_line(capsys, argv, message):
    assert main(["bifurcation", "repressilator", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "linstab.cli", "bifurcation", "brusselator", "--kind", "hopf",
                          "--param", "b", "--against", "a", "--json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)["curves"][0]["expression"] == "a**2 + 1"


def test_text_is_one_formula_per_line(capsys):
    """Plain text like `linstab analyze`: no 2-D pretty-printing (fraction bars, big brackets)."""
    assert main(["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n"]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in "⎛⎝⎡⎣─")
    assert "    a = n*x0**n/(x0**n + 1)" in out
    assert "    [[-1, 0, -a], [-a, -1, 0], [0, -a, -1]]" in out
    assert "    beta = n/(2*(n/2 - 1)**((n + 1)/n))    for n > 2" in out


def test_latex_and_out(tmp_path, capsys):
    out = tmp_path / "hopf.md"
    assert main(["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n",
                 "--latex", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}")
    md = out.read_text(encoding="utf-8")
    assert md.startswith("## Hopf bifurcation of `repressilator`")
    assert r"\frac{dx_{1}}{dt} &= \frac{\beta}{x_{3}^{n} + 1} - x_{1}" in md
    assert r"$$\beta = \frac{n \left(\frac{n}{2} - 1\right)^{- \frac{n + 1}{n}}}{2}\quad\text{for } n > 2$$" in md
    assert "| $n$ | $\\beta$ |" in md
    # JSON to a file too; a path that cannot be written is refused before any work, in one line
    js = tmp_path / "hopf.json"
    assert main(["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n",
                 "--json", "--out", str(js)]) == 0
    assert json.loads(js.read_text())["curves"][0]["kind"] == "hopf"
    capsys.readouterr()
    assert main(["bifurcation", "repressilator", "--kind", "hopf", "--param", "beta", "--against", "n",
                 "--out", "/proc/hopf.txt"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_the_flags_an_error_suggests_are_flags_of_the_command(capsys):
    """A Turing boundary outside the window: the message says to widen --range or --param-range,
    and both are options of ``linstab bifurcation``."""
    import re

    from linstab.cli import build_parser, main

    code = main(["bifurcation", "schnakenberg", "--kind", "turing", "--param", "d", "--against", "b",
                 "--range", "0.5", "0.6", "--param-range", "1", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "no Turing boundary of d in [1, 2]" in err
    suggested = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", err))
    assert suggested == {"--range", "--param-range"}
    sub = next(a for a in build_parser()._subparsers._group_actions[0].choices.items() if a[0] == "bifurcation")[1]
    assert suggested <= set(sub._option_string_actions)


def test_param_range_must_be_increasing(capsys):
    from linstab.cli import main

    assert main(["bifurcation", "schnakenberg", "--kind", "turing", "--param", "d", "--against", "b",
                 "--param-range", "3", "2"]) == 1
    assert "--param-range expects PMIN < PMAX" in capsys.readouterr().err


def test_when_both_routes_find_nothing_the_error_says_both_were_tried(capsys):
    """No closed form within the budget and no Hopf point by continuation in the window: the error
    reports both routes, and does not advise the continuation that already ran."""
    from linstab.cli import main

    assert main(["bifurcation", "activator_inhibitor", "--kind", "hopf", "--param", "ba", "--against", "ka",
                 "--points", "4", "--budget", "1"]) == 1
    err = capsys.readouterr().err
    assert "no closed form" in err and "numeric continuation, tried instead, found none" in err
    assert "use numeric continuation" not in err and "budget=None" not in err
    assert "--budget" in err and "--param-range" in err and "p_range" not in err

