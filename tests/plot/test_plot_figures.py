"""The figures' Python side (no browser): initial data, named models, errors."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import load_model
from linstab._errors import DimensionError

pytest.importorskip("bokeh", reason="the plot tests need bokeh (install `linstab[plot]`)")

from linstab.plot import (  # noqa: E402
    bifurcation_diagram,
    eigenvalue_explorer,
    html,
    phase_portrait,
    stability_diagram,
    trace_determinant,
)


def _named(layout, name):
    obj = layout.select_one({"name": name})
    assert obj is not None, f"no model named {name!r}"
    return obj


def test_stability_diagram_from_curves_like_the_appendix(hopf_curve):
    m = load_model("repressilator")
    p = stability_diagram([hopf_curve], model=m, x_range=(2, 5), y_range=(1, 2000), log_y=True)
    assert (p.xaxis.axis_label, p.yaxis.axis_label) == ("n", "β")
    assert type(p.y_scale).__name__ == "LogScale"
    labels = sorted(r.data_source.data["text"][0] for r in p.select({"name": "region_label"}))
    assert labels == ["stable", "unstable (limit-cycle oscillations)"]
    legend = p.legend[0].items[0].label["value"]
    assert legend.startswith("Hopf: β = ") and "n/2" in legend


def test_unstable_side_is_analysis_and_the_diagram_draws_it():
    # Brusselator: Hopf at b = 1 + a^2, unstable for b > 1 + a^2 (the doctest of
    # BifurcationCurve.evaluate). With a on the vertical axis the curve is a = sqrt(b - 1) and the
    # unstable side is below it; with b vertical it is above.
    from linstab.analysis import bifurcation_curves, unstable_sides

    m = load_model("brusselator")
    a_of_b = bifurcation_curves(m, "hopf", "a", "b", q_range=(1.5, 5.0), n_points=12)
    b_of_a = bifurcation_curves(m, "hopf", "b", "a", q_range=(0.5, 2.0), n_points=12)
    assert unstable_sides(a_of_b, m) == ("below",) and unstable_sides(b_of_a, m) == ("above",)
    def shaded_to(p):  # the far edge of the shaded patch
        (patch,) = [r for r in p.select({"name": "regions"}) if type(r.glyph).__name__ == "Patch"]
        return list(patch.data_source.data["y"])[-1]

    # the plot shades the side it is given; given the model, it asks linstab.analysis
    for given, edge in (("below", 0.1), ("above", 4.0)):
        assert shaded_to(stability_diagram(a_of_b, unstable_sides=[given], x_range=(1.5, 5.0),
                                           y_range=(0.1, 4.0))) == edge
    assert shaded_to(stability_diagram(a_of_b, model=m, x_range=(1.5, 5.0), y_range=(0.1, 4.0))) == 0.1
    with pytest.raises(ValueError, match="unstable_sides must hold"):
        stability_diagram(a_of_b, unstable_sides=["left"])


def test_stability_diagram_from_a_map_has_the_bistable_region():
    from linstab.num import stability_map

    smap = stability_map("toggle_switch", ("n", 1.0, 4.0, 12), ("beta", 0.5, 10.0, 12), method="newton")
    p = stability_diagram((), smap)
    regions = set(_named(p, "regions").data_source.data["region"])
    assert {"stable", "bistable"} <= regions


def test_stability_diagram_errors(hopf_curve):
    with pytest.raises(ValueError, match="neither"):
        stability_diagram()
    from linstab.num import stability_map

    smap = stability_map("repressilator", ("beta", 1.0, 10.0, 4), ("n", 2.0, 4.0, 4))
    with pytest.raises(ValueError, match=r"\(beta, n\) plane.*against='n', param='beta'"):
        stability_diagram([hopf_curve], smap)


@pytest.mark.parametrize(("beta", "tags"), [(3.5, ["stable", "stable spiral"]), (4.0, ["unstable", "saddle-focus"])])
def test_explorer_initial_classification_around_the_hopf_line(beta, tags):
    lay = eigenvalue_explorer(load_model("repressilator"), values={"beta": beta, "n": 3.0})
    assert _named(lay, "classification").tags == tags
    eig = _named(lay, "eigenvalues").data
    pair = sorted(r for r, i in zip(eig["re"], eig["im"]) if abs(i) > 1e-9)
    assert len(pair) == 2 and (pair[0] < 0) == (beta < 3.7798)


def test_explorer_reports_bistability_and_rejects_foreign_diagrams():
    from bokeh.plotting import figure

    lay = eigenvalue_explorer(load_model("toggle_switch"), values={"beta": 4.0, "n": 2.0})
    assert any("bistable" in line for line in _named(lay, "classification").data["text"])
    with pytest.raises(ValueError, match="stability_diagram"):
        eigenvalue_explorer(load_model("toggle_switch"), diagram=figure())


def test_slider_range_errors():
    m = load_model("repressilator")
    with pytest.raises(ValueError, match="start < end"):
        eigenvalue_explorer(m, ranges={"beta": (5, 1)})
    with pytest.raises(ValueError, match="positive range"):
        eigenvalue_explorer(m, ranges={"beta": (-1, 5)}, log=["beta"])


def test_phase_portrait_of_the_toggle_switch():
    lay = phase_portrait(load_model("toggle_switch"), values={"beta": 4.0, "n": 2.0})
    fps = _named(lay, "fixed_points").data
    assert sorted(fps["cls"]) == ["saddle", "stable node", "stable node"]
    for name in ("nullcline_x", "nullcline_y"):
        xs = np.array(_named(lay, name).data["x"], float)
        assert np.isfinite(xs).sum() > 20
    lines = _named(lay, "streamlines").data
    assert len(lines["xs"]) > 20
    allx = np.concatenate([np.asarray(v) for v in lines["xs"]])
    assert allx.min() >= 0 and allx.max() <= 6.0 + 1e-9
    assert len(_named(lay, "trajectories").data["xs"]) == 6
    # the saddle sits at u = v (the symmetric branch), the nodes off it
    saddle = fps["cls"].index("saddle")
    assert fps["x"][saddle] == pytest.approx(fps["y"][saddle])


def test_portrait_refuses_other_dimensions():
    with pytest.raises(DimensionError, match="2 variables.*has 3"):
        phase_portrait(load_model("repressilator"))
    with pytest.raises(DimensionError):
        trace_determinant(load_model("lorenz"))


@pytest.mark.parametrize(("b", "cls"), [(1.5, "stable spiral"), (2.5, "unstable spiral")])
def test_trace_determinant_of_the_brusselator(b, cls):
    # fixed point (a, b/a): tr J = b - 1 - a², det J = a² (Strogatz 2015, ex. 8.3.1)
    a = 1.2
    td = _named(trace_determinant(load_model("brusselator"), values={"a": a, "b": b}), "td_points").data
    assert td["cls"] == [cls]
    assert td["tr"][0] == pytest.approx(b - 1 - a * a)
    assert td["det"][0] == pytest.approx(a * a)


def test_bifurcation_diagram_marks_the_hopf_point_and_the_fold():
    lay = bifurcation_diagram(load_model("repressilator"), "beta", p_range=(1, 100))
    sp = _named(lay, "special_points").data
    assert sp["kind"] == ["Hopf"] and sp["p"][0] == pytest.approx(3.7798, rel=1e-3)
    stable = np.array(_named(lay, "branch_stable").data["p"], float)
    assert np.nanmax(stable) == pytest.approx(3.7798, rel=2e-2)
    lay = bifurcation_diagram(load_model("autoactivation"), "beta", p_range=(0.5, 4.0))
    sp = _named(lay, "special_points").data
    assert sp["kind"] == ["fold"] and sp["p"][0] == pytest.approx(1.68766, rel=1e-3)


def test_bifurcation_diagram_sweeps_without_a_parametric_branch():
    lay = bifurcation_diagram(load_model("brusselator"), "b", values={"a": 1.0}, p_range=(1.0, 3.0), n_sweep=4)
    sweep = _named(lay, "sweep").data
    assert sweep["p"] == pytest.approx([1.0, 5 / 3, 7 / 3, 3.0])
    # a = 1: stable for b < 1 + a² = 2, an oscillatory instability beyond
    assert sweep["stability"] == ["stable"] * 2 + ["unstable (oscillatory)"] * 2


def test_bifurcation_diagram_errors():
    m = load_model("repressilator")
    with pytest.raises(ValueError, match="variable must be one of x1, x2, x3; got 'y'"):
        bifurcation_diagram(m, "beta", variable="y")
    with pytest.raises(ValueError, match="min < max"):
        bifurcation_diagram(m, "beta", p_range=(5, 1))


def test_page_is_self_contained_and_small():
    page = html(phase_portrait(load_model("toggle_switch")))
    assert len(page.encode()) < 3_000_000
    assert "cdn.bokeh.org" not in page and "https://" not in page.split("<body>")[0].replace("https://bokeh", "")


def test_plot_methods_delegate_to_the_stability_diagram(hopf_curve):
    from linstab.num import stability_map

    assert hopf_curve.plot(log_y=True).tags[0] == {"linstab": "stability_diagram", "x": "n", "y": "beta"}
    smap = stability_map("repressilator", ("n", 2.0, 5.0, 5), ("beta", 1.0, 100.0, 5), log_y=True)
    p = smap.plot([hopf_curve])
    assert type(p.y_scale).__name__ == "LogScale" and p.legend[0].items
    with pytest.raises(ValueError, match="2-D stability map"):
        stability_map("repressilator", ("beta", 1.0, 10.0, 4)).plot()
