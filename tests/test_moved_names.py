"""Names that moved between layers (README, "Design: layers"): the old homes still answer, with a
DeprecationWarning, and library messages name Python arguments that the CLI turns into flags."""

from __future__ import annotations

import importlib

import pytest

import linstab
import linstab.analysis
from linstab.cli import main


@pytest.mark.parametrize(("old", "name"), [
    ("linstab.sym", "bifurcation_curves"),
    ("linstab.sym", "report"),
    ("linstab.num", "find_curves"),
])
def test_old_homes_warn_and_forward(old, name):
    module = importlib.import_module(old)
    assert name not in module.__all__
    with pytest.warns(DeprecationWarning, match=rf"moved to linstab\.analysis\.{name}"):
        moved = getattr(module, name)
    assert moved is getattr(linstab.analysis, name) is getattr(linstab, name)


def test_numeric_parts_of_sym_moved_to_num_and_warn():
    # the symbolic layer is SymPy only: Sotomayor's numeric test and the kinds' numeric hooks are
    # in linstab.num; the old spellings forward with a DeprecationWarning and give the same answers
    import numpy as np

    import linstab.num

    assert "classify_zero_eigenvalue" not in linstab.sym.__all__
    with pytest.warns(DeprecationWarning, match=r"moved to linstab\.num\.classify_zero_eigenvalue"):
        moved = linstab.sym.classify_zero_eigenvalue
    assert moved is linstab.num.classify_zero_eigenvalue
    hopf = linstab.sym.bifurcation_kind("hopf")
    J = np.array([[[0.0, -2.0], [2.0, 0.0]], [[-1.0, 0.0], [0.0, -3.0]]])
    with pytest.warns(DeprecationWarning, match=r"moved to linstab\.num\.kind_test_function"):
        old = hopf.test_function(J)
    assert old.tolist() == linstab.num.kind_test_function(hopf, J).tolist() == [0.0, 4.0]
    ev = np.array([[2j, -2j], [-1.0, -3.0]])
    with pytest.warns(DeprecationWarning, match=r"moved to linstab\.num\.kind_crossing_ok"):
        old = hopf.crossing_ok(ev, np.array([3.0, 3.0]))
    assert old.tolist() == linstab.num.kind_crossing_ok(hopf, ev, np.array([3.0, 3.0])).tolist() == [True, False]


def test_unknown_names_still_raise_attribute_error():
    with pytest.raises(AttributeError):
        linstab.sym.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        linstab.num.no_such_name  # noqa: B018


def _unset_model(tmp_path):
    path = tmp_path / "decay.toml"
    path.write_text('[parameters]\nk = { domain = "positive" }\na = { value = 1.0 }\n\n[equations]\nx = "a - k*x"\n',
                    encoding="utf-8")
    return linstab.load_model(path), str(path)


def test_library_message_names_the_argument_and_the_cli_its_flag(tmp_path, capsys):
    model, path = _unset_model(tmp_path)
    with pytest.raises(linstab.ParameterError) as info:
        model.numeric_values()
    assert "values={'k': 1.0}" in str(info.value) and "--" not in str(info.value)
    code = main(["map", path, "--x", "a", "1", "2", "3", "--out", str(tmp_path / "m.npz")])
    err = capsys.readouterr().err
    assert code == 1 and "--set k=" in err and "values=" not in err, err


def test_report_notes_name_the_argument_and_the_cli_its_flag(tmp_path, capsys):
    model, path = _unset_model(tmp_path)
    notes = linstab.report(model, symbolic=False).notes
    assert any("pass values={'k': ...}" in note for note in notes), notes
    assert main(["analyze", path]) == 0
    out = capsys.readouterr().out
    assert "--set k=VALUE" in out and "values=" not in out, out
