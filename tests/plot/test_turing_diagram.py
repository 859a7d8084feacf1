"""The Turing diagram: regions, boundaries, sliders, and the live dispersion curve's JavaScript
against the numeric layer (run under Node.js; skipped without it)."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from bokeh.models import Slider

from linstab.analysis import turing_curves
from linstab.num import dispersion, find_fixed_points, turing_map
from linstab.plot import html, turing_diagram

NODE = shutil.which("node") or shutil.which("nodejs")


@pytest.fixture(scope="module")
def diagram():
    tm = turing_map("gierer_meinhardt", ("a", 0.05, 0.6, 12), ("b", 0.2, 2.0, 10))
    cs = turing_curves("gierer_meinhardt", "b", "a", q_range=(0.05, 0.6), n_points=12)
    return tm, turing_diagram(tm, curves=cs)


def test_layout_and_offline_page(diagram):
    tm, layout = diagram
    names = {m.name for m in layout.select({"type": Slider})}
    assert names == {"slider_a", "slider_b", "slider_d"}
    legend = [item.label["value"] for fig in layout.select({"name": "turing_map"}) for item in fig.legend[0].items]
    assert "Turing (diffusion-driven)" in legend and "Turing boundary (closed form)" in legend
    page = html(layout, title="turing")
    assert "cdn.bokeh.org" not in page and "window.LINSTAB_TURING" in page


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_slider_callback_recomputes_the_dispersion_curve(diagram):
    tm, layout = diagram
    (slider,) = [s for s in layout.select({"type": Slider}) if s.name == "slider_d"]
    cb = slider.js_property_callbacks["change:value"][0]
    values = {"a": 0.2, "b": 1.3, "d": 12.0}
    mock = """
const window = {};
const sliders = %s.map(([name, value]) => ({name: name, value: value}));
const curve = {data: null}, marker = {data: null}, readout = {text: ""};
%s
process.stdout.write(JSON.stringify({curve: curve.data, marker: marker.data, text: readout.text}));
""" % (json.dumps([[f"slider_{k}", v] for k, v in values.items()]), cb.code)
    out = subprocess.run([NODE, "-e", mock], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    k = np.array(got["curve"]["k"])
    lam = dispersion("gierer_meinhardt", k, values=values)
    np.testing.assert_allclose(got["curve"]["re1"], lam[:, 0].real, atol=1e-9)
    np.testing.assert_allclose(got["curve"]["re2"], lam[:, 1].real, atol=1e-9)
    assert got["marker"] == {"x": [0.2], "y": [1.3]}
    assert "Turing unstable" in got["text"]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_implicit_state_is_found_by_newton_in_the_page():
    tm = turing_map("activator_inhibitor", ("gi", 0.4, 0.6, 4), ("d", 5.0, 60.0, 4))
    layout = turing_diagram(tm)
    (slider,) = [s for s in layout.select({"type": Slider}) if s.name == "slider_gi"]
    cb = slider.js_property_callbacks["change:value"][0]
    values = {"ba": 0.01, "ka": 5.0, "ki": 1.0, "gi": 0.55, "d": 40.0}
    mock = """
const window = {};
const sliders = %s.map(([name, value]) => ({name: name, value: value}));
const curve = {data: null}, marker = {data: null}, readout = {text: ""};
%s
process.stdout.write(JSON.stringify({curve: curve.data, text: readout.text}));
""" % (json.dumps([[f"slider_{k}", v] for k, v in values.items()]), cb.code)
    out = subprocess.run([NODE, "-e", mock], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    lam = dispersion("activator_inhibitor", np.array(got["curve"]["k"]), values=values)
    np.testing.assert_allclose(got["curve"]["re1"], lam[:, 0].real, atol=1e-8)
    # at gi = 0.4 the "on" state has vanished (a fold between 0.45 and 0.55): Newton lands on the only
    # steady state left, the "off" state, and the readout shows which state it analyses
    (off,) = find_fixed_points("activator_inhibitor", {"gi": 0.4})
    out = subprocess.run([NODE, "-e", mock.replace('"slider_gi", 0.55', '"slider_gi", 0.4')], capture_output=True,
                         text=True, timeout=60)
    text = json.loads(out.stdout)["text"]
    assert text.startswith(f"u* = ({off.state[0]:.4g}, {off.state[1]:.4g})") and text.endswith(": stable")
