"""Conservation laws: exact detection, the reduced model, and its eigenvalues on the suite's models."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import linstab
from linstab import Model
from linstab.sbml import conservation_laws, reduce_model
from tests.sbml._suite import SUITE, case_names


def _rows(laws, names):
    return sp.Matrix([[dict(law.coefficients).get(v, 0) for v in names] for law in laws])


def test_the_issue_example():
    m = Model.from_dict({"name": "swap", "equations": {"x": "y - x", "y": "x - y"}})
    (law,) = conservation_laws(m)
    assert dict(law.coefficients) == {"x": 1, "y": 1} and law.eliminated == "y"
    r = reduce_model(m)
    x, T = r.variables[0], r.parameters[0]
    assert r.rhs == (T - 2 * x,)


def test_michaelis_menten_mass_action_has_the_two_moieties():
    """E + S <-> C -> E + P conserves the enzyme (E + C) and the substrate (S + C + P)."""
    m = Model.from_dict({"name": "mm", "parameters": {"k1": 1.0, "km1": 0.5, "k2": 0.3}, "equations": {
        "Enz": "-k1*Enz*S + km1*C + k2*C", "S": "-k1*Enz*S + km1*C", "C": "k1*Enz*S - km1*C - k2*C",
        "P": "k2*C"}})
    laws = conservation_laws(m)
    expected = sp.Matrix([[1, 0, 1, 0], [0, 1, 1, 1]])
    got = _rows(laws, m.variable_names)
    assert got.rank() == 2 and sp.Matrix.vstack(got, expected).rank() == 2  # the same row space
    r = reduce_model(m)
    assert r.n_vars == 2 and {p.name for p in r.parameters} >= {law.total.name for law in laws}


def test_compartment_sizes_weight_the_law():
    """Transport between volumes V1 and V2 conserves the amount V1 x + V2 y, not x + y."""
    m = Model.from_dict({"name": "transport", "parameters": {"k": 1.0, "V1": 2.0, "V2": 3.0},
                         "equations": {"x": "-k*x/V1", "y": "k*x/V2"}})
    (law,) = conservation_laws(m)
    c = dict(law.coefficients)
    V1, V2 = (m.symbol(n) for n in ("V1", "V2"))
    assert sp.simplify(c["x"] / c["y"] - V1 / V2) == 0


def test_no_law_in_the_repressilator():
    assert conservation_laws("repressilator") == []
    assert reduce_model("repressilator") == linstab.load_model("repressilator")


CASES = case_names() if SUITE.is_dir() else []


@pytest.mark.skipif(not CASES, reason=f"the SBML Test Suite is not at {SUITE}")
def test_reduced_jacobian_has_the_full_ones_nonzero_eigenvalues_on_the_suite():
    pytest.importorskip("libsbml")
    checked = 0
    for name in CASES:
        m = linstab.load_model(SUITE / name / f"{name}-sbml-l3v2.xml")
        laws = conservation_laws(m)
        if not laws:
            continue
        for law in laws:  # each law is exact
            assert sp.simplify(sum(c * m.rhs[m.variable_names.index(v)] for v, c in law.coefficients)) == 0
        r = reduce_model(m, laws)
        x0 = np.array([v for _, v in m.initial], dtype=float)
        if r.n_vars == 0 or np.isnan(x0).any():
            continue
        J = np.asarray(m.kernel("jacobian")(x0, m.parameter_vector()), dtype=float)
        keep = [m.variable_names.index(v) for v in r.variable_names]
        Jr = np.asarray(r.kernel("jacobian")(x0[keep], r.parameter_vector()), dtype=float)
        full = np.sort_complex(np.linalg.eigvals(J))
        reduced = np.sort_complex(np.concatenate([np.linalg.eigvals(Jr), np.zeros(len(laws))]))
        np.testing.assert_allclose(full, reduced, atol=1e-8 * (1 + np.abs(full).max()), err_msg=name)
        checked += 1
    assert checked >= 100


@pytest.mark.skipif(not CASES, reason=f"the SBML Test Suite is not at {SUITE}")
def test_the_reduced_model_simulates_like_the_full_one():
    pytest.importorskip("libsbml")
    m = linstab.load_model(SUITE / "00002" / "00002-sbml-l3v2.xml")  # S1 <-> S2
    r = reduce_model(m)
    assert r.variable_names == ("S1",) and len(r.parameters) == len(m.parameters) + 1
    t = np.linspace(0, 5, 11)
    full = linstab.simulate(m, (0, 5), t_eval=t, rtol=1e-11, atol=1e-14)
    red = linstab.simulate(r, (0, 5), t_eval=t, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(red["S1"], full["S1"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(red["S2"], full["S2"], rtol=1e-7, atol=1e-12)  # through the law


def _analyze(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "linstab.cli", "analyze", *args], capture_output=True, text=True,
                          timeout=300)


def test_analyze_shows_the_laws_and_analyses_the_reduced_model(tmp_path):
    path = tmp_path / "swap.toml"
    path.write_text('name = "swap"\n[parameters]\nk = 1.0\n[equations]\nx = "k*(y - x)"\ny = "k*(x - y)"\n')
    out = _analyze(str(path), "--set", "total_y=3")
    assert out.returncode == 0, out.stderr
    assert "x + y = total_y  (total 3; eliminates y)" in out.stdout
    assert "dx/dt = k*(total_y - 2*x)" in out.stdout and "x = 1.5" in out.stdout
    full = _analyze(str(path), "--no-reduce")
    assert full.returncode == 0 and "Conservation laws" not in full.stdout and "dy/dt" in full.stdout


@pytest.mark.skipif(not CASES, reason=f"the SBML Test Suite is not at {SUITE}")
def test_analyze_json_gives_the_total_at_the_initial_state():
    import json

    pytest.importorskip("libsbml")
    out = _analyze(str(SUITE / "00002" / "00002-sbml-l3v2.xml"), "--json")
    assert out.returncode == 0, out.stderr
    (law,) = json.loads(out.stdout)["conservation_laws"]
    first = (SUITE / "00002" / "00002-results.csv").read_text().splitlines()[1].split(",")  # time, S1, S2
    assert law["law"] == "S1 + S2 = total_S2" and law["value"] == pytest.approx(float(first[1]) + float(first[2]))


def test_a_long_chain_with_many_rate_constants_keeps_its_law():
    """A0 <-> A1 <-> ... <-> A15 with 30 rate constants: too many for the parameter field, so the
    terms are split by their rate constants; the total amount is still found, exactly."""
    n = 16
    eqs = {f"A{i}": "0" for i in range(n)}
    params = {}
    for i in range(n - 1):
        params[f"kf{i}"], params[f"kb{i}"] = 1.0 + i, 2.0 + i
        flux = f"(kf{i}*A{i} - kb{i}*A{i + 1})"
        eqs[f"A{i}"] += f" - {flux}"
        eqs[f"A{i + 1}"] += f" + {flux}"
    m = Model.from_dict({"name": "chain", "parameters": params, "equations": eqs})
    (law,) = conservation_laws(m)
    assert dict(law.coefficients) == {f"A{i}": 1 for i in range(n)} and law.eliminated == f"A{n - 1}"


# ------------------------------------------------------------------ analyses of the full model refuse
def test_a_map_of_a_model_with_a_conservation_law_is_refused_not_mislabelled():
    """The telegraph model conserves g_off + g_on: on the full model the map counted ~450 samples of
    the line of fixed points and labelled them unstable or multistable by round-off."""
    from linstab import AnalysisError
    from linstab.num import continue_curve, stability_map

    with pytest.raises(AnalysisError, match=r"conserves g_off \+ g_on = total_g_on.*reduce_model"):
        stability_map("telegraph", ("k_on", 0.1, 1.0, 3), ("k_off", 0.5, 2.0, 3))
    with pytest.raises(AnalysisError, match="not isolated"):
        continue_curve("telegraph", "fold", "k_on", "k_off", q_range=(0.5, 2.0))


def test_the_cli_analyses_the_reduced_model(tmp_path, capsys):
    import numpy as np

    from linstab.cli import main

    out = tmp_path / "t.npz"
    assert main(["map", "telegraph", "--x", "k_on", "0.1", "1", "4", "--y", "k_off", "0.5", "2", "4",
                 "--out", str(out)]) == 0
    assert "conserved: g_off + g_on = total_g_on (total_g_on = 1)" in capsys.readouterr().err
    data = np.load(out)
    assert (data["n_fixed"] == 1).all() and (data["region"] == "stable").all()  # a linear network
    assert main(["bifurcation", "telegraph", "--kind", "fold", "--param", "k_on", "--against", "k_off",
                 "--set", "total_g_on=3"]) == 1
    err = capsys.readouterr().err
    assert "total_g_on = 3" in err and "no fold" in err
