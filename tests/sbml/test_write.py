"""SBML export: round trips TOML -> SBML -> Model for every built-in model, atomic writes, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

import linstab
from linstab import Model, builtin_models, load_model, write_sbml

pytest.importorskip("libsbml")


@pytest.mark.parametrize("name", builtin_models())
def test_every_builtin_model_round_trips(tmp_path, name):
    original = load_model(name)
    back = load_model(write_sbml(original, tmp_path / f"{name}.xml"))
    # the same symbols (names and assumptions) and structurally identical right-hand sides
    assert back.variables == original.variables and back.parameters == original.parameters
    assert back.rhs == original.rhs
    assert all(sp.simplify(a - b) == 0 for a, b in zip(back.rhs, original.rhs))
    assert back.values == original.values and back.domains == original.domains
    assert back.name == original.name


def test_functions_numbers_and_initial_values_round_trip(tmp_path):
    x, y = sp.symbols("x y", real=True)
    k = sp.Symbol("k", positive=True)
    rhs_x = sp.exp(-k * x) * sp.sin(y) + sp.Rational(1, 3) * sp.Max(x, y) - sp.Float("0.1") * sp.log(1 + x**2)
    rhs_y = sp.Piecewise((x, x > y), (sp.floor(y), sp.And(x <= y, y < 2)), (sp.Abs(x) ** k, True))
    model = Model.from_dict({"name": "fns", "parameters": {"k": {"value": 1.5, "domain": "positive"}},
                             "equations": {"x": rhs_x, "y": rhs_y}})
    model = Model(**{f: getattr(model, f) for f in ("name", "variables", "parameters", "rhs", "values",
                                                      "domains")}, initial=(("x", 0.1), ("y", -2.0)))
    back = load_model(write_sbml(model, tmp_path / "fns.xml"))
    assert back.rhs == model.rhs
    assert back.initial == model.initial


def test_the_write_is_atomic(tmp_path):
    target = tmp_path / "out.xml"
    target.write_text("old", encoding="utf-8")
    x = sp.Symbol("x", real=True)
    bad = Model.from_dict({"name": "bad", "equations": {"x": sp.besselj(0, x)}})
    with pytest.raises(ValueError, match="besselj"):
        write_sbml(bad, target)
    assert target.read_text(encoding="utf-8") == "old" and [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "linstab.cli", *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("name", ["toggle_switch", "repressilator"])
def test_analyze_prints_the_same_for_the_exported_model(tmp_path, name):
    path = tmp_path / f"{name}.xml"
    out = _cli("export", name, "--set", f"{'beta'}=3", "--sbml", str(path))
    assert out.returncode == 0 and out.stdout.strip() == f"wrote {path}", out.stderr
    original, imported = _cli("analyze", name, "--set", "beta=3"), _cli("analyze", str(path))
    assert original.returncode == 0 and imported.returncode == 0, imported.stderr
    assert imported.stdout == original.stdout


def test_export_to_a_missing_folder_is_one_line(tmp_path):
    out = _cli("export", "toggle_switch", "--sbml", str(tmp_path / "nowhere" / "t.xml"))
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "does not exist" in out.stderr


def test_help_loads_neither_sympy_nor_libsbml():
    code = ("import sys, linstab.cli; text = linstab.cli.build_parser().format_help(); "
            "print('sympy' in sys.modules, 'libsbml' in sys.modules); print(text)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    loaded, text = out.split("\n", 1)
    assert loaded == "False False" and "export" in text


def test_write_sbml_is_public():
    assert "write_sbml" in linstab.__all__ and linstab.write_sbml is write_sbml


def test_bifurcation_prints_the_same_for_the_exported_model(tmp_path):
    path = tmp_path / "repressilator.xml"
    assert _cli("export", "repressilator", "--sbml", str(path)).returncode == 0
    args = ("--kind", "hopf", "--param", "beta", "--against", "n")
    original, imported = _cli("bifurcation", "repressilator", *args), _cli("bifurcation", str(path), *args)
    assert original.returncode == 0 and imported.returncode == 0, imported.stderr
    assert imported.stdout == original.stdout and "beta" in original.stdout


REACTION_MODELS = [n for n in builtin_models() if load_model(n).reactions]
DIFFUSION_MODELS = [n for n in builtin_models() if load_model(n).diffusion]


def test_there_are_reaction_and_diffusion_builtins():
    assert "telegraph" in REACTION_MODELS and "schnakenberg" in DIFFUSION_MODELS


@pytest.mark.parametrize("name", REACTION_MODELS)
def test_a_reaction_network_is_written_as_reactions(tmp_path, name):
    """Species in copy numbers and one irreversible reaction per row of [reactions]: the network,
    not only its rate equations, survives (the noise analysis needs it)."""
    import libsbml

    original = load_model(name)
    path = write_sbml(original, tmp_path / f"{name}.xml")
    doc = libsbml.readSBMLFromFile(str(path)).getModel()
    assert doc.getNumReactions() == len(original.reactions) and doc.getNumRules() == 0
    assert all(s.getHasOnlySubstanceUnits() for s in doc.getListOfSpecies())
    back = load_model(path)
    assert [str(r) for r in back.reactions] == [str(r) for r in original.reactions]
    assert back.parameters == original.parameters  # the copy-number compartment is no parameter


def test_the_noise_of_an_exported_network_is_the_same(tmp_path):
    path = tmp_path / "telegraph.xml"
    assert _cli("export", "telegraph", "--sbml", str(path)).returncode == 0
    original, imported = _cli("noise", "telegraph"), _cli("noise", str(path))
    assert original.returncode == 0 and imported.returncode == 0, imported.stderr
    assert imported.stdout.replace(str(path), "telegraph") == original.stdout
    assert "Fano" in original.stdout


@pytest.mark.parametrize("name", DIFFUSION_MODELS)
def test_diffusion_travels_in_an_annotation(tmp_path, name):
    original = load_model(name)
    path = write_sbml(original, tmp_path / f"{name}.xml")
    assert "linstab:diffusion" in path.read_text(encoding="utf-8")
    assert load_model(path).diffusion == original.diffusion


def test_a_bad_diffusion_annotation_is_one_error(tmp_path):
    path = write_sbml("schnakenberg", tmp_path / "s.xml")
    text = path.read_text(encoding="utf-8").replace('species="v" value="d"', 'species="w" value="d"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(linstab.ModelError, match="linstab:diffusion") as info:
        load_model(path)
    assert "'w'" in str(info.value) and "\n" not in str(info.value)
