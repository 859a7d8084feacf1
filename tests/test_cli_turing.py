"""The Turing analysis from the command line: the dispersion step of ``analyze``, ``bifurcation
--kind turing`` and ``diagram --turing``."""

from __future__ import annotations

import json
import math

import numpy as np

from linstab.cli import main


def test_analyze_reports_the_dispersion_step(capsys):
    assert main(["analyze", "schnakenberg"]) == 0
    out = capsys.readouterr().out
    assert "Dispersion relation (Turing analysis)" in out
    assert "det J > 0:  det J = (a + b)**2 = 1  (holds)" in out
    # by hand (a = 0.1, b = 0.9): d_c = ((1 + √1.8)/0.8)², k_c² = 1/√d_c at d_c
    dc = ((1 + math.sqrt(1.8)) / 0.8) ** 2
    assert f"= {dc:.6g}" in out and f"= {1 / math.sqrt(dc):.6g}" in out
    assert "verdict: Turing unstable" in out


def test_analyze_json_and_an_ode_model_without_diffusion(capsys):
    assert main(["analyze", "gierer_meinhardt", "--set", "d=5", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)["dispersion"]
    assert rec["closed_form"] and rec["verdict"] == "stable to every mode"
    assert rec["conditions"]["(d_v f_u + d_u g_v)² > 4 d_u d_v det J"][3] is False
    assert main(["analyze", "brusselator", "--json"]) == 0
    assert "dispersion" not in json.loads(capsys.readouterr().out)


def test_bifurcation_kind_turing(capsys):
    argv = ["bifurcation", "gierer_meinhardt", "--kind", "turing", "--param", "b", "--against", "a",
            "--range", "0.1", "0.5", "--points", "3", "--json"]
    assert main(argv) == 0
    obj = json.loads(capsys.readouterr().out)
    (c,) = obj["curves"]
    assert c["kind"] == "turing" and c["route"] == "closed form"
    a = np.array([p[0] for p in c["points"]])
    by_hand = (a + 1) * (a + 3 + 2 * np.sqrt(2 * (a + 1))) / (30 * (a - 1) ** 2)  # Murray's GM boundary, d = 30
    np.testing.assert_allclose([p[1] for p in c["points"]], by_hand, rtol=1e-6)
    assert main(argv[:-1]) == 0
    assert "Boundary: (d_v f_u + d_u g_v)² − 4 d_u d_v det J = 0, solved for b:" in capsys.readouterr().out


def test_diagram_turing_page_and_one_line_error(tmp_path, capsys):
    out = tmp_path / "t.html"
    assert main(["diagram", "schnakenberg", "--turing", "--param", "b", "--against", "d", "--range", "2", "40",
                 "--param-range", "0.3", "2", "--grid", "8", "--html", str(out)]) == 0
    assert "Turing diagram of schnakenberg" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "window.LINSTAB_TURING" in page and "cdn.bokeh.org" not in page
    assert main(["diagram", "brusselator", "--turing", "--param", "b", "--against", "a",
                 "--html", str(tmp_path / "x.html")]) != 0
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "has no [diffusion] table" in err


def test_analyze_gene_circuit_with_a_numeric_state(capsys):
    assert main(["analyze", "activator_inhibitor", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out)["dispersion"]
    a, i = rec["state"]["a"], rec["state"]["i"]
    assert abs(0.01 + 5 * a**2 / ((1 + a**2) * (1 + i)) - a) < 1e-9 and abs(a - 0.5 * i) < 1e-9  # by hand
    assert rec["verdict"] == "Turing unstable" and rec["critical_ratio"]["value"] < 30


def test_conservation_law_with_diffusion_is_analysed_in_full(tmp_path, capsys):
    # u' = v - u, v' = u - v conserves u + v, but diffusion keeps that only where d_u = d_v: no reduction;
    # the k = 0 mode is neutral (det J = 0), so the verdict is not "Turing unstable"
    path = tmp_path / "swap.toml"
    path.write_text('name = "swap"\n[parameters]\nd = 5.0\n[equations]\nu = "v - u"\nv = "u - v"\n'
                    '[diffusion]\nu = 1\nv = "d"\n', encoding="utf-8")
    assert main(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "conservation_laws" not in data
    rec = data["dispersion"]
    assert rec["conditions"]["det J > 0"][3] is False and rec["verdict"].startswith("neutral without diffusion")


def test_reduced_model_with_stale_diffusion_is_refused():
    import pytest

    from linstab import AnalysisError, Model
    from linstab.sbml import reduce_model
    from linstab.sym import turing_conditions

    m = Model.from_dict({"name": "swap", "variables": {"u": {"initial": 1.0}, "v": {"initial": 1.0}},
                         "equations": {"u": "v - u", "v": "u - v"}, "diffusion": {"u": 1, "v": 2}})
    with pytest.raises(AnalysisError, match="diffusion coefficients are for u, v but its variables are u"):
        turing_conditions(reduce_model(m))
