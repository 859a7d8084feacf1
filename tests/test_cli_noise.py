"""``linstab noise``: text, JSON, scans, diagrams and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from linstab.cli import main


def _run(capsys, *args):
    code = main(["noise", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_matches_the_closed_form(capsys):
    code, out, err = _run(capsys, "gene_expression", "--set", "k_p=6", "--json")
    assert code == 0 and err == "" and out.strip().count("\n") == 0
    data = json.loads(out)
    # two-stage expression: protein Fano 1 + b/(1 + g_p/g_m), b = k_p/g_m = 6, g_p/g_m = 0.2
    assert data["fano"]["p"] == pytest.approx(1 + 6 / 1.2) and data["fano"]["m"] == pytest.approx(1.0)
    assert data["state"] == pytest.approx({"m": 2.0, "p": 60.0})
    sigma = np.array(data["covariance"])
    J, D = np.array(data["jacobian"]), np.array(data["diffusion"])
    np.testing.assert_allclose(J @ sigma + sigma @ J.T + D, 0, atol=1e-9)


def test_text_and_scan(capsys):
    code, out, _ = _run(capsys, "brusselator_network", "--system-size", "50", "--scan", "b", "1", "2.5", "4")
    assert code == 0
    assert "Ω = 50" in out and "peak ω" in out and "scan over b" in out
    assert "2 of 4 grid points: the fixed point is not stable" in out  # b = 2 is the Hopf point, 2.5 past it


def test_scan_json_has_nulls_not_nan(capsys):
    code, out, _ = _run(capsys, "brusselator_network", "--scan", "b", "1", "2.5", "4", "--json")
    data = json.loads(out)  # strict JSON: nan would not parse in other languages
    assert data["scan"]["valid"] == [True, True, False, False] and data["scan"]["fano"][3] == [None, None]


def test_html(tmp_path, capsys):
    target = tmp_path / "noise.html"
    code, out, _ = _run(capsys, "brusselator_network", "--scan", "b", "0.5", "2.4", "20", "--html", str(target))
    assert code == 0 and target.stat().st_size > 100_000 and "wrote" in out


@pytest.mark.parametrize("args, message", [
    (["brusselator_network", "--set", "b=2.5"], "no stable fixed point"),
    (["brusselator"], "has no reactions"),
    (["gene_expression", "--system-size", "-1"], "--system-size must be a positive"),
    (["gene_expression", "--scan", "k_p", "3", "1", "5"], "--scan expects finite LO < HI"),
    (["gene_expression", "--scan", "nope", "1", "3", "5"], "unknown parameter 'nope'"),
    (["gene_expression", "--state", "1,x"], "--state expects 2"),
    (["gene_expression", "--variable", "q"], "--variable must be one of"),
])
def test_errors_are_one_line(capsys, args, message):
    code, out, err = _run(capsys, *args)
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1 and err.startswith("linstab noise: error:")


def test_noise_telegraph_states_the_conserved_total_and_takes_another(capsys):
    assert main(["noise", "telegraph", "--total", "total_g_on=2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conservation"] == [{"law": "g_off + g_on", "total": "total_g_on", "value": 2.0}]
    assert data["independent"] == ["g_off", "m"]
    # two gene copies: twice the mean, the same Fano factor 1 + k_m k_off / ((k_on + k_off)(k_on + k_off + g_m))
    assert data["state"]["m"] == pytest.approx(2 * 20.0 * 0.5 / 1.5)
    assert data["fano"]["m"] == pytest.approx(1 + 20.0 * 1.0 / (1.5 * 2.5))
    assert main(["noise", "telegraph"]) == 0
    assert "conserved: g_off + g_on = total_g_on = 1" in capsys.readouterr().out
    assert main(["noise", "telegraph", "--total", "total_g_on"]) != 0
    assert "--total must be NAME=VALUE" in capsys.readouterr().err
