"""The ``[diffusion]`` table of model files: parsing and one clear error per bad input."""

from __future__ import annotations

import pytest
import sympy as sp

from linstab import Model, ModelError, load_model

BASE = {"name": "rd", "parameters": {"d": {"value": 20.0, "domain": "positive"}, "c": -1.0},
        "equations": {"u": "1 - u + u^2*v", "v": "1 - u^2*v"}}


def build(diffusion):
    return Model.from_dict({**BASE, "diffusion": diffusion})


def test_numbers_and_parameter_expressions():
    m = build({"u": 1, "v": "d/2"})
    assert m.diffusion == (("u", sp.Integer(1)), ("v", m.symbol("d") / 2))
    assert Model.from_dict(m.to_dict()).diffusion == m.diffusion  # round trip


def test_left_out_species_do_not_diffuse_and_odes_have_no_table():
    assert build({"v": 2.5}).diffusion == (("u", sp.Integer(0)), ("v", sp.Float(2.5)))
    assert load_model("brusselator").diffusion == ()
    assert load_model("schnakenberg").diffusion[1][1] == load_model("schnakenberg").symbol("d")


@pytest.mark.parametrize(("table", "match"), [
    ({"w": 1.0}, r"unknown species 'w'.*state variables u, v"),
    ({"uu": 1.0}, r"unknown species 'uu' \(did you mean 'u'\?\)"),
    ({"u": -0.5}, r"\[diffusion\] u: diffusion coefficients must be non-negative, got -0.5; use a value >= 0"),
    ({"v": "c*2"}, r"must be non-negative, got -2 at the parameter values \(2\*c = -2\)"),
    ({"v": "u*d"}, r"uses the state variable\(s\) u; linstab treats constant diffusion only"),
    ({"v": "e"}, r"\[diffusion\] v"),  # unknown name: the safe parser's error
    ({"v": "__import__('os').system('echo hi')"}, r"\[diffusion\] v"),
    ({"v": True}, r"expected a non-negative number or an expression"),
    ({"v": float("inf")}, r"must be finite"),
    ([1, 2], r"\[diffusion\] must be a table"),
])
def test_bad_input_one_clear_error(table, match):
    with pytest.raises(ModelError, match=match):
        build(table)


def test_cli_reports_bad_diffusion_in_one_line(tmp_path, capsys):
    from linstab.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[equations]\nu = "-u"\n[diffusion]\nw = 1.0\n', encoding="utf-8")
    code = main(["analyze", str(path)])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "\n" not in err and "unknown species 'w'" in err and "Traceback" not in err
