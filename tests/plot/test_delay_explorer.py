"""The delay diagram's live root explorer: layout, and the page's complex Newton on the
characteristic function against :func:`linstab.num.rightmost_roots` (run under Node.js; skipped
without it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bokeh.models import CustomJS, Div, Slider

from linstab import load_model
from linstab.num import rightmost_roots
from linstab.plot import delay_explorer, html

NODE = shutil.which("node") or shutil.which("nodejs")
HERE = Path(__file__).resolve().parents[1] / "delay"


@pytest.fixture(scope="module")
def autorepressor():
    m = load_model(HERE / "autorepressor.toml")
    return m, delay_explorer(m, "beta", q_range=(2.0, 8.0), tau_range=(0.0, 3.0), grid=12)


@pytest.fixture(scope="module")
def hes1():
    m = load_model(HERE / "hes1.toml")
    return m, delay_explorer(m, "p0", q_range=(60.0, 140.0), tau_range=(0.0, 40.0), grid=10)


def test_layout_has_a_slider_per_parameter_the_map_marker_and_the_root_plot(autorepressor):
    m, layout = autorepressor
    sliders = {s.name: s for s in layout.select({"type": Slider})}
    assert set(sliders) == {f"slider_{p}" for p in m.parameter_names}
    assert (sliders["slider_beta"].start, sliders["slider_beta"].end) == (2.0, 8.0)
    assert (sliders["slider_tau"].start, sliders["slider_tau"].end) == (0.0, 3.0)
    for s in sliders.values():  # every slider drives the page's recomputation
        (cb,) = s.js_property_callbacks["change:value"]
        assert isinstance(cb, CustomJS) and "LINSTAB_DELAY" in cb.code
    (mp,) = layout.select({"name": "delay_map"})
    assert (mp.xaxis.axis_label, mp.yaxis.axis_label) == ("β", "τ")
    (marker,) = layout.select({"name": "delay_marker"})
    assert marker.data == {"x": [4.0], "y": [1.0]}
    (roots,) = layout.select({"name": "delay_roots"})
    want = rightmost_roots(m, n_roots=4)
    np.testing.assert_allclose(roots.data["re"], want.real, atol=1e-10)
    np.testing.assert_allclose(roots.data["im"], want.imag, atol=1e-10)
    (readout,) = layout.select({"type": Div, "name": "delay_readout"})
    # beta = 4, n = 2: x* = 1.379, a = -f'(x*) = 8x*/(1 + x*²)² = 1.31 > γ = 1, so
    # τ_c = arccos(-γ/a)/√(a² - γ²) ≈ 2.88 (Monk 2003): at τ = 1 the fixed point is stable
    assert want[0].real < 0 and ": stable" in readout.text
    page = html(layout, title="delay")
    assert "cdn.bokeh.org" not in page and "window.LINSTAB_DELAY" in page


def _run_page(layout, points: list[dict[str, float]]) -> list[dict]:
    """Move the sliders to each point in turn (one page, state kept) and return what the callback drew."""
    (slider,) = [s for s in layout.select({"type": Slider}) if s.name.endswith("tau")]
    cb = slider.js_property_callbacks["change:value"][0]
    names = [s.name for s in layout.select({"type": Slider})]
    start = {s.name: s.value for s in layout.select({"type": Slider})}
    mock = """
const window = {};
const sliders = %s.map(name => ({name: name, value: %s[name]}));
const roots = {data: null}, marker = {data: null}, readout = {text: ""};
function run() {
%s
}
const out = [];
for (const pt of %s) {
  for (const s of sliders) if (pt[s.name.slice(7)] !== undefined) s.value = pt[s.name.slice(7)];
  run();
  out.push({roots: roots.data, marker: marker.data, text: readout.text});
}
process.stdout.write(JSON.stringify(out));
""" % (json.dumps(names), json.dumps(start), cb.code, json.dumps(points))
    res = subprocess.run([NODE, "-e", mock], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _check(m, layout, points, n_check):
    got = _run_page(layout, points)
    for pt, g in zip(points, got):
        vals = {**m.numeric_values(), **pt}
        want = rightmost_roots(m, vals, n_roots=n_check)
        have = np.array(g["roots"]["re"][:n_check]) + 1j * np.array(g["roots"]["im"][:n_check])
        assert have.size == n_check, (pt, g)
        np.testing.assert_allclose(have, want, rtol=0, atol=1e-8 * (1 + np.abs(want).max()), err_msg=str(pt))
        verdict = "stable" if want[0].real < 0 else "unstable, oscillating"
        assert f": {verdict}" in g["text"], (pt, g["text"])
    return got


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_page_roots_agree_with_rightmost_roots_autorepressor(autorepressor):
    m, layout = autorepressor
    # off the grid; both sides of the delay Hopf curve; n moved off the map's plane
    points = [{"beta": 3.3, "tau": 0.37}, {"beta": 6.1, "tau": 2.45}, {"beta": 2.2, "tau": 2.9},
              {"beta": 5.0, "tau": 1.1, "n": 2.6}, {"beta": 5.0, "tau": 1.1, "n": 2.0}]
    got = _check(m, layout, points, 3)
    assert got[1]["marker"] == {"x": [6.1], "y": [2.45]}


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_page_roots_agree_with_rightmost_roots_hes1(hes1):
    m, layout = hes1
    points = [{"p0": 83.0, "tau": 7.3}, {"p0": 121.0, "tau": 33.0}, {"p0": 100.0, "tau": 18.7, "mu": 0.035}]
    _check(m, layout, points, 3)


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_zero_delay_gives_the_eigenvalues_of_the_undelayed_jacobian(hes1):
    m, layout = hes1
    (g,) = _run_page(layout, [{"p0": 90.0, "tau": 0.0}])
    want = rightmost_roots(m, {**m.numeric_values(), "p0": 90.0, "tau": 0.0}, n_roots=2)
    have = np.array(g["roots"]["re"]) + 1j * np.array(g["roots"]["im"])
    np.testing.assert_allclose(np.sort_complex(have), np.sort_complex(want), atol=1e-10)


@pytest.mark.browser
def test_sliders_move_the_roots_in_a_browser(open_page, tmp_path, autorepressor):
    """The page in headless Chromium: moving τ across the delay Hopf curve flips the verdict."""
    from linstab.plot import save_html

    m, layout = autorepressor
    pg = open_page(save_html(layout, tmp_path / "delay.html"))
    assert pg.blocked == []
    for tau, verdict in ((0.3, "stable"), (2.95, "unstable, oscillating")):  # τ_c ≈ 2.88 at β = 4
        done = pg.eval(f"""(async () => {{
            const s = {pg.model('slider_tau')}, r = {pg.model('delay_readout')}, before = r.text, t0 = performance.now();
            s.value = {tau};
            while (r.text === before && performance.now() - t0 < 10000) await new Promise(f => setTimeout(f, 10));
            return r.text !== before; }})()""")
        assert done, f"moving tau to {tau} did not update the readout"
        want = rightmost_roots(m, {"tau": tau}, n_roots=2)
        re = pg.eval(f"Array.from({pg.model('delay_roots')}.data.re)")
        np.testing.assert_allclose(re[:2], want.real, atol=1e-8)
        assert f": {verdict}" in pg.eval(f"{pg.model('delay_readout')}.text")
        assert pg.eval(f"{pg.model('delay_marker')}.data.y[0]") == pytest.approx(tau)
    assert pg.errors == []
