"""Bifurcation diagram: fixed points off the parametric branches and branch points (no browser)."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import load_model

pytest.importorskip("bokeh", reason="the plot tests need bokeh (install `linstab[plot]`)")

from linstab.plot import bifurcation_diagram  # noqa: E402


def test_toggle_switch_shows_the_asymmetric_branches_and_the_pitchfork():
    lay = bifurcation_diagram(load_model("toggle_switch"), "beta", p_range=(0.5, 4.0), values={"n": 2.0})
    d = lay.select_one({"name": "sweep_points"}).data
    P, u, v = (np.array(d[c]) for c in ("p", "x_u", "x_v"))
    stable = np.array([c.startswith("stable") for c in d["stability"]])
    asym = stable & (np.abs(u - v) > 1e-3)
    assert np.any(asym & (P > 2.05)) and np.all(asym[P > 2.05] | ~stable[P > 2.05])
    assert not np.any(asym & (P < 1.95))
    assert set(np.round(P[P > 2.05], 9)) <= set(np.round(P[asym], 9))  # every sweep value past 2.05 has them
    sp = lay.select_one({"name": "special_points"}).data
    bps = [p for p, k in zip(sp["p"], sp["kind"]) if k == "branch point"]
    assert len(bps) == 1 and abs(bps[0] - 2.0) < 1e-3  # beta = n (n - 1)^(-(n + 1)/n) = 2 at n = 2


@pytest.mark.parametrize(("name", "p_range"), [("repressilator", (1.0, 100.0)), ("autoactivation", (0.5, 4.0))])
def test_other_diagrams_have_no_spurious_branch_points(name, p_range):
    m = load_model(name)
    param = "beta" if "beta" in m.parameter_names else m.parameter_names[0]
    lay = bifurcation_diagram(m, param, p_range=p_range)
    sp = lay.select_one({"name": "special_points"}).data
    assert "branch point" not in sp["kind"]
    assert lay.select_one({"name": "sweep_points"}) is None
