"""``linstab analyze``: text, LaTeX and JSON output, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from linstab.cli import main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "linstab.cli", "analyze", *args], capture_output=True,
                          text=True, timeout=120)


def test_json_has_the_issue_keys_and_values():
    out = _run("repressilator", "--json")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    data = json.loads(out.stdout)  # exactly one JSON object
    assert out.stdout.strip().count("\n") == 0
    assert data["model"] == "repressilator"
    assert data["variables"] == ["x1", "x2", "x3"]
    assert data["parameters"] == {"beta": 10.0, "n": 3.0}
    names = {s: sp.Symbol(s) for s in ("x1", "x2", "x3", "beta", "n")}
    J = sp.Matrix([[sp.sympify(e, locals=names) for e in row] for row in data["jacobian"]])
    x1, x2, x3, beta, n = (names[k] for k in ("x1", "x2", "x3", "beta", "n"))
    assert sp.simplify(J[0, 2] + beta * n * x3 ** (n - 1) / (x3**n + 1) ** 2) == 0
    assert J[0, 0] == -1 and J[0, 1] == 0
    (fp,) = data["fixed_points"]
    roots = np.roots([1, 0, 0, 1, -10])
    x0 = roots[(np.abs(roots.imag) < 1e-12) & (roots.real > 0)].real[0]
    assert all(abs(v - x0) <= 1e-12 * x0 for v in fp["state"].values())
    a = 30 * x0**2 / (1 + x0**3) ** 2
    exact = [(-1 + a / 2, a * np.sqrt(3) / 2), (-1 + a / 2, -a * np.sqrt(3) / 2), (-1 - a, 0.0)]
    for (re, im), (ere, eim) in zip(fp["eigenvalues"], exact):
        assert abs(re - ere) <= 1e-9 * abs(ere) and abs(im - eim) <= 1e-9 * max(abs(eim), 1)
    assert fp["classification"] == "saddle-focus" and fp["stable"] is False


def test_json_with_set_and_derivation(capsys):
    assert main(["analyze", "repressilator", "--set", "beta=2", "--set", "n=2", "--json", "--derivation"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameters"] == {"beta": 2.0, "n": 2.0}
    (fp,) = data["fixed_points"]
    assert fp["stable"] is True and fp["classification"] == "stable spiral"
    d = data["derivations"][0]
    assert d["charpoly"] == "a**3 + (lambda + 1)**3" and d["unstable_if"] == "a > 2"


def test_text_output_is_a_readable_derivation(capsys):
    assert main(["analyze", "repressilator"]) == 0
    text = capsys.readouterr().out
    for step in ("Step 1", "Step 2", "Step 3", "Step 4", "Step 5"):
        assert step in text
    assert "A = -[[1, 0, a], [a, 1, 0], [0, a, 1]]" in text and "a > 2" in text


def test_latex_output(capsys):
    assert main(["analyze", "toggle_switch", "--latex"]) == 0
    md = capsys.readouterr().out
    assert "$$" in md and "\\lambda" in md and "saddle" in md


@pytest.mark.parametrize("args", [
    ["nosuchmodel"],
    ["repressilator", "--set", "gamma=1"],
    ["repressilator", "--set", "beta=abc"],
    ["repressilator", "--set", "beta"],
    ["/nonexistent/model.toml"],
    ["repressilator", "--set", "beta=-1", "--json", "--timeout", "0"],
])
def test_errors_are_one_line_without_traceback(args):
    out = _run(*args)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr and lines[0].startswith("linstab analyze: error:")
    assert out.stdout == ""


def test_bad_model_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[equations]\nx = "__import__(\'os\').system(\'echo hi\')"\n')
    out = _run(str(bad), "--json")
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_missing_parameter_value_json(tmp_path):
    m = tmp_path / "m.toml"
    m.write_text('name = "m"\n[parameters]\nk = { domain = "positive" }\n[equations]\nx = "-k*x"\n')
    out = _run(str(m), "--json")
    assert out.returncode != 0 and "k" in out.stderr and "--set" in out.stderr
    text = _run(str(m))
    assert text.returncode == 0 and "numeric fixed points skipped" in text.stdout


def test_help_lists_models_and_examples_without_loading_sympy():
    """`linstab --help` names every built-in model and shows examples, and loads no SymPy
    (which takes about a second to import)."""
    import subprocess
    import sys

    from linstab import builtin_models

    code = ("import sys, linstab.cli; text = linstab.cli.build_parser().format_help(); "
            "print('sympy' in sys.modules); print(text)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    loaded, text = out.split("\n", 1)
    assert loaded == "False"
    assert all(name in text for name in builtin_models()) and "examples:" in text


def test_models_command_lists_every_builtin(capsys):
    from linstab import builtin_models
    from linstab.cli import main

    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == builtin_models()
    assert any(line.startswith("repressilator ") and "[x1, x2, x3]" in line for line in lines)


def test_timeout_bounds_the_whole_symbolic_analysis():
    from linstab.analysis import report

    rep = report("lorenz", timeout=0.01)  # far too little for SymPy: the symbolic step times out
    assert any("symbolic analysis timed out" in note for note in rep.notes), rep.notes
    assert rep.derivations == () and len(rep.fixed_points) == 3  # the numeric part still answers
    assert "timed out" in rep.text
