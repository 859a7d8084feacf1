"""The static pages in a real browser: offline load, no console errors, sliders that recompute."""

from __future__ import annotations

import math

import pytest

from linstab import load_model

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def repressilator_page(tmp_path_factory, hopf_curve):
    from linstab.plot import eigenvalue_explorer, save_html, stability_diagram

    m = load_model("repressilator")
    d = stability_diagram([hopf_curve], model=m, x_range=(2, 5), y_range=(1, 2000), log_y=True)
    lay = eigenvalue_explorer(m, diagram=d, values={"beta": 3.5, "n": 3.0})
    return save_html(lay, tmp_path_factory.mktemp("pages") / "repressilator.html")


def _eigs(pg):
    return pg.eval(f"(() => {{ const d = {pg.model('eigenvalues')}.data; return [Array.from(d.re), Array.from(d.im)]; }})()")


def test_repressilator_hopf_flip(open_page, repressilator_page, screenshot_dir):
    assert repressilator_page.stat().st_size < 3_000_000
    pg = open_page(repressilator_page)
    assert pg.blocked == [] and pg.errors == []
    assert pg.eval("Bokeh.documents[0].roots().length") == 1
    # at beta = 3.5 (below the Hopf line beta = 3.7798 at n = 3) the fixed point is stable
    pg.set_value("slider_beta", math.log10(3.5))
    assert pg.eval(f"{pg.model('classification')}.tags") == ["stable", "stable spiral"]
    re1, im1 = _eigs(pg)
    tc1 = pg.eval(f"Array.from({pg.model('time_course')}.data.x0).slice(-5)")
    pg.set_value("slider_beta", math.log10(4.0))
    assert pg.eval(f"{pg.model('classification')}.tags") == ["unstable", "saddle-focus"]
    assert pg.eval(f"{pg.model('classification')}.data.text[0]").startswith("unstable · saddle-focus")
    re2, im2 = _eigs(pg)
    tc2 = pg.eval(f"Array.from({pg.model('time_course')}.data.x0).slice(-5)")
    # the complex pair crosses the imaginary axis; the real eigenvalue stays negative
    pair1 = sorted((r for r, i in zip(re1, im1) if abs(i) > 1e-6))
    pair2 = sorted((r for r, i in zip(re2, im2) if abs(i) > 1e-6))
    assert len(pair1) == len(pair2) == 2
    assert max(pair1) < 0 < min(pair2)
    assert abs(pair1[0] - (-0.02618)) < 1e-4 and abs(pair2[0] - 0.018582) < 1e-4  # -1 + a/2, appendix 9b
    assert tc1 != tc2
    # the marker on the diagram follows the slider
    assert pg.eval(f"{pg.model('diagram_marker')}.data.y[0]") == pytest.approx(4.0)
    assert pg.errors == []
    pg.page.screenshot(path=str(screenshot_dir / "explorer_repressilator.png"), full_page=True)


def test_slider_update_time(open_page, repressilator_page, capsys):
    """One slider move of a 3-variable model, timed in the page with performance.now().

    ``callback``: the CustomJS callback itself (fixed points, eigenvalues, classification, an
    800-step RK4 time course, the data handed to Bokeh); ``latency``: from setting the slider's
    value until the callback is done (Bokeh runs callbacks asynchronously); ``repaint``: until the
    figures are repainted (two animation frames later). Each move starts from an idle page.
    """
    pg = open_page(repressilator_page)
    stats = pg.eval(f"""(async () => {{
        const s = {pg.model('slider_beta')}, out = {{callback: [], latency: [], repaint: []}};
        const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        const L = () => Object.values(window.LINSTAB || {{}})[0];
        for (let k = 0; k < 30; k++) {{
            await frames();
            const c = L() ? L().calls : 0, t0 = performance.now();
            s.value = Math.log10(2 + 0.25 * k);
            while ((L() ? L().calls : 0) === c) await new Promise(r => setTimeout(r, 0));
            out.latency.push(performance.now() - t0);
            out.callback.push(L().last_ms);
            await frames();
            out.repaint.push(performance.now() - t0);
        }}
        return out; }})()""")
    med = {k: sorted(v)[len(v) // 2] for k, v in stats.items()}
    worst = {k: max(v) for k, v in stats.items()}
    with capsys.disabled():
        print("\n[slider update, repressilator (3 variables), 30 moves] " + "; ".join(
            f"{k} median {med[k]:.1f} ms (max {worst[k]:.1f})" for k in ("callback", "latency", "repaint")))
    assert med["callback"] < 50 and med["latency"] < 50
    assert pg.errors == []

def _page(tmp_path_factory, name, lay):
    from linstab.plot import save_html

    path = save_html(lay, tmp_path_factory.mktemp("pages") / f"{name}.html")
    assert path.stat().st_size < 3_000_000, f"{name}: {path.stat().st_size} bytes"
    return path


def _data(pg, name, column):
    return pg.eval(f"Array.from({pg.model(name)}.data[{column!r}]).map(v => Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v) : v)")


def _open_clean(open_page, path):
    pg = open_page(path)
    assert pg.blocked == [], f"the page tried to reach the network: {pg.blocked[:3]}"
    assert pg.errors == [], f"console errors: {pg.errors[:3]}"
    assert pg.eval("Bokeh.documents.length") == 1
    return pg


@pytest.fixture(scope="module")
def stability_page(tmp_path_factory):
    from linstab.num import stability_map
    from linstab.plot import eigenvalue_explorer, stability_diagram
    from linstab.analysis import bifurcation_curves

    m = load_model("toggle_switch")
    smap = stability_map(m, ("n", 1.0, 4.0, 40), ("beta", 0.5, 10.0, 40), method="newton")
    (fold,) = bifurcation_curves(m, "fold", "beta", "n", q_range=(1.05, 4.0), n_points=80)
    d = stability_diagram([fold], smap, model=m)
    return _page(tmp_path_factory, "toggle_map", eigenvalue_explorer(m, diagram=d, values={"beta": 1.5, "n": 2.0}))


def test_stability_map_diagram(open_page, stability_page, screenshot_dir):
    pg = _open_clean(open_page, stability_page)
    assert pg.eval(f"{pg.model('classification')}.tags[0]") == "stable"
    pg.set_value("slider_beta", 6.0)  # past the fold: the explorer follows one of the two stable states
    assert pg.eval(f"{pg.model('diagram_marker')}.data.y[0]") == pytest.approx(6.0)
    assert pg.eval(f"{pg.model('classification')}.tags") == ["stable", "stable node"]
    assert "bistable" in pg.eval(f"{pg.model('classification')}.data.text[1]")
    assert pg.errors == []
    pg.page.screenshot(path=str(screenshot_dir / "stability_map_toggle.png"), full_page=True)


@pytest.fixture(scope="module")
def portrait_page(tmp_path_factory):
    from linstab.plot import phase_portrait

    return _page(tmp_path_factory, "toggle_portrait", phase_portrait(load_model("toggle_switch"), values={"beta": 4.0, "n": 2.0}))


def test_phase_portrait(open_page, portrait_page, screenshot_dir):
    pg = _open_clean(open_page, portrait_page)
    assert pg.eval(f"{pg.model('classification')}.tags") == ["bistable", "stable node", "stable node", "saddle"]
    pg.page.screenshot(path=str(screenshot_dir / "phase_portrait_toggle.png"), full_page=True)
    nx1 = _data(pg, "nullcline_x", "x")
    n_lines = pg.eval(f"{pg.model('streamlines')}.data.xs.length")
    assert n_lines > 20
    pg.set_value("slider_beta", 1.5)  # below the pitchfork at beta = 2: one stable state
    assert pg.eval(f"{pg.model('classification')}.tags") == ["stable", "stable node"]
    assert _data(pg, "nullcline_x", "x") != nx1
    assert len(_data(pg, "fixed_points", "x")) == 1
    assert pg.eval(f"{pg.model('trajectories')}.data.xs.length") == 6
    assert pg.errors == []


@pytest.fixture(scope="module")
def td_page(tmp_path_factory):
    from linstab.plot import trace_determinant

    lay = trace_determinant(load_model("brusselator"), values={"a": 1.0, "b": 1.5}, ranges={"b": (0.5, 4.0)})
    return _page(tmp_path_factory, "brusselator_td", lay)


def test_trace_determinant(open_page, td_page, screenshot_dir):
    # Brusselator: fixed point (a, b/a), Hopf at b = 1 + a² (Strogatz 2015, ex. 8.3.1)
    pg = _open_clean(open_page, td_page)
    assert _data(pg, "td_points", "cls") == ["stable spiral"]
    pg.set_value("slider_b", 2.5)
    assert _data(pg, "td_points", "cls") == ["unstable spiral"]
    assert _data(pg, "td_points", "tr")[0] == pytest.approx(2.5 - 1 - 1.0)
    assert _data(pg, "td_points", "det")[0] == pytest.approx(1.0)
    assert pg.errors == []
    pg.page.screenshot(path=str(screenshot_dir / "trace_determinant_brusselator.png"), full_page=True)


@pytest.fixture(scope="module")
def bifurcation_page(tmp_path_factory):
    from linstab.plot import bifurcation_diagram

    return _page(tmp_path_factory, "autoactivation_bif",
                 bifurcation_diagram(load_model("autoactivation"), "beta", p_range=(0.5, 4.0)))


def test_bifurcation_diagram(open_page, bifurcation_page, screenshot_dir):
    pg = _open_clean(open_page, bifurcation_page)
    # beta = (x - alpha)(1 + x^n)/x^n along the branch; its turning point in range is the fold at 1.6877
    assert _data(pg, "special_points", "kind") == ["fold"]
    assert _data(pg, "special_points", "p")[0] == pytest.approx(1.68766, rel=1e-3)
    pg.set_value("slider_beta", 2.0)  # past the fold: two stable states and an unstable one
    cls = sorted(_data(pg, "current_points", "cls"))
    assert cls == ["stable", "stable", "unstable"]  # one variable: stable or unstable, not nodes
    pg.set_value("slider_beta", 0.6)
    assert _data(pg, "current_points", "cls") == ["stable"]
    assert pg.errors == []
    pg.page.screenshot(path=str(screenshot_dir / "bifurcation_autoactivation.png"), full_page=True)


@pytest.fixture(scope="module")
def repressilator_bif_page(tmp_path_factory):
    from linstab.plot import bifurcation_diagram

    lay = bifurcation_diagram(load_model("repressilator"), "beta", p_range=(1, 100), values={"n": 3.0},
                              ranges={"n": (2.2, 5.0)})
    return _page(tmp_path_factory, "repressilator_bif", lay)


def test_bifurcation_branches_follow_the_other_parameters(open_page, repressilator_bif_page, screenshot_dir):
    # the Hopf point beta = n/2 (n/2 - 1)^(-(n+1)/n): 3.7798 at n = 3, 8.7055 at n = 2.5 (appendix 9b)
    pg = _open_clean(open_page, repressilator_bif_page)
    assert _data(pg, "special_points", "kind") == ["Hopf"]
    assert _data(pg, "special_points", "p")[0] == pytest.approx(3.7798, rel=1e-3)
    pg.set_value("slider_n", 2.5)
    assert _data(pg, "special_points", "kind") == ["Hopf"]
    assert _data(pg, "special_points", "p")[0] == pytest.approx(8.7055, rel=1e-3)
    stable_p = [v for v in _data(pg, "branch_stable", "p") if v is not None and v == v]
    assert max(stable_p) == pytest.approx(8.7055, rel=1e-2)  # runs overlap by one sample to join
    pg.set_value("slider_beta", 1.0)  # log slider: beta = 10 > 8.7: the fixed point is unstable
    assert _data(pg, "current_points", "cls") == ["saddle-focus"]
    assert pg.errors == []
    pg.page.screenshot(path=str(screenshot_dir / "bifurcation_repressilator.png"), full_page=True)


def test_cli_demo_page(open_page, tmp_path, screenshot_dir):
    """The page `linstab diagram` writes for the README's demo: the Hopf flip, and a tap on the diagram."""
    from linstab.cli import main

    out = tmp_path / "demo.html"
    assert main(["diagram", "repressilator", "--param", "beta", "--against", "n", "--range", "2", "5",
                 "--param-range", "1", "2000", "--grid", "24", "--html", str(out)]) == 0
    assert out.stat().st_size < 3_000_000
    pg = _open_clean(open_page, out)
    pg.set_value("slider_n", 3.0)
    pg.set_value("slider_beta", math.log10(3.5))
    assert pg.eval(f"{pg.model('classification')}.tags") == ["stable", "stable spiral"]
    pg.set_value("slider_beta", math.log10(4.0))
    assert pg.eval(f"{pg.model('classification')}.tags") == ["unstable", "saddle-focus"]
    pg.page.screenshot(path=str(screenshot_dir / "cli_diagram_repressilator.png"), full_page=True)
    # a tap in the diagram moves both sliders there
    before = pg.eval(f"[{pg.model('slider_n')}.value, {pg.model('slider_beta')}.value]")
    pg.page.mouse.click(330, 120)
    pg.page.wait_for_timeout(200)
    after = pg.eval(f"[{pg.model('slider_n')}.value, {pg.model('slider_beta')}.value]")
    assert after[0] > before[0] + 0.5 and after[1] > before[1] + 0.5
    assert pg.eval(f"{pg.model('diagram_marker')}.data.x[0]") == pytest.approx(after[0])
    assert pg.eval(f"{pg.model('classification')}.tags[0]") == "unstable"  # high beta, n > 3: oscillations
    assert pg.errors == []


def test_portrait_slider_update_time(open_page, portrait_page, capsys):
    """Reported, not asserted tightly: the portrait recomputes streamlines and nullclines on every move."""
    pg = open_page(portrait_page)
    compute = []
    for k in range(15):
        pg.set_value("slider_beta", 1.5 + 0.3 * k)
        compute.append(pg.eval("Object.values(window.LINSTAB)[0].last_ms"))
    compute.sort()
    with capsys.disabled():
        print(f"\n[slider update, toggle-switch phase portrait] callback median {compute[len(compute) // 2]:.1f} ms, "
              f"max {compute[-1]:.1f} ms")
    assert compute[len(compute) // 2] < 500
    assert pg.errors == []


def test_slider_shows_small_values(open_page, tmp_path_factory):
    """A parameter of 2.962e-5 reads as such on its slider (a fixed 3-decimal format showed 0)."""
    from linstab.plot import phase_portrait

    m = load_model({"name": "small_k", "parameters": {"K": 2.962e-5, "g": 1.0},
                    "equations": {"x": "K*1e5 - g*x", "y": "x - g*y"}})
    pg = _open_clean(open_page, _page(tmp_path_factory, "small_k", phase_portrait(m, params=["K"])))
    shown = pg.page.locator(".bk-slider-value").all_inner_texts()
    assert shown == ["2.962e-5"], shown
    assert pg.errors == []


def test_readout_lines_fit_their_panel(open_page, tmp_path_factory):
    """A long parameter line is wrapped, not cut at the panel's edge (it read ``K = 2.962e-(``):
    every text of the readout, measured in the page's own font, fits the panel canvas, before and
    after a slider moves, and no parameter value is lost."""
    from linstab.plot import phase_portrait

    pars = {"K": 2.962e-5, "g": 1.0, "alpha": 0.25, "beta": 0.75, "delta": 0.125, "kappa": 3.5, "rho": 0.001}
    eqs = {"x": "K*1e5 - g*x + alpha*beta*delta*kappa*rho*0", "y": "x - g*y"}
    m = load_model({"name": "many_pars", "parameters": pars, "equations": eqs})
    pg = _open_clean(open_page, _page(tmp_path_factory, "many_pars", phase_portrait(m, params=list(pars))))
    measure = f"""(() => {{
        const src = {pg.model('classification')}, d = src.data;
        const panel = Bokeh.documents[0].get_model_by_name("classification_panel");
        const ctx = document.createElement("canvas").getContext("2d");
        const widths = d.text.map((t, i) => {{ ctx.font = d.style[i] + " " + d.size[i] + " helvetica"; return ctx.measureText(t).width; }});
        const lowest = Math.min(...Array.from(d.y)) - 12 * 1.2;
        return {{widths: widths, text: Array.from(d.text), width: panel.width, height: panel.height, lowest: lowest}};
    }})()"""
    for move in (None, ("slider_K", 3.1e-5)):
        if move:
            pg.set_value(*move)
        r = pg.eval(measure)
        assert max(r["widths"]) <= r["width"] - 4, r
        assert r["lowest"] >= 0, r  # the last line is inside the panel too
        joined = " ".join(r["text"])
        for name in ("K =", "g =", "α =", "β =", "δ =", "κ =", "ρ ="):
            assert name in joined, (name, r["text"])
    assert pg.errors == []


@pytest.mark.parametrize("fixture", ["repressilator_page", "stability_page", "portrait_page", "td_page",
                                     "bifurcation_page", "repressilator_bif_page"])
def test_layout_a_reader_can_read(open_page, request, fixture):
    """No legend on data, no cut title, no plotting area under 120 px, nothing wider than its
    column (tests/_layout.py), on every kind of page linstab.plot makes; again after a slider moves
    (new fixed points, new branches)."""
    from tests._layout import layout_defects

    pg = _open_clean(open_page, request.getfixturevalue(fixture))
    assert layout_defects(pg.page) == []
    sliders = pg.eval("Array.from(Bokeh.documents[0].all_models).filter(m => m.type === 'Slider').map(m => m.name)")
    for name in sliders[:2]:
        pg.eval(f"(() => {{ const s = {pg.model(name)}; s.value = s.start + 0.8 * (s.end - s.start); }})()")
    pg.page.wait_for_timeout(300)
    assert layout_defects(pg.page) == []
    assert pg.errors == []


_CURVE_POINT_JS = """() => {
  let out = null;
  function walk(v) {
    if (v.frame && v.model.name === 'stability_diagram') {
      const r = v.canvas_view.el.getBoundingClientRect();
      for (const [m, rv] of v.renderer_views)
        if (m.name === 'curve_0') { const i = Math.floor(rv.glyph.sx.length / 2); out = [r.left + rv.glyph.sx[i], r.top + rv.glyph.sy[i]]; }
    }
    for (const c of (v.child_views || [])) walk(c);
  }
  Object.values(Bokeh.index).forEach(walk);
  return out;
}"""

_TOOLTIPS_JS = """() => {
  const out = [];
  function scan(root) {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) scan(el.shadowRoot);
      if (String(el.className).includes('bk-Tooltip')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) out.push([el.innerText.split('\\n')[0], r.left, r.top, r.right, r.bottom]);
      }
    }
  }
  scan(document);
  return out;
}"""


def test_tooltips_do_not_overlap_after_a_tap(open_page, repressilator_page):
    """Tap the diagram on the Hopf curve (the explorer's marker jumps there), then hover the same
    spot: every tooltip that opens is readable, none lies on another (the marker's tooltip lay on
    the region's, and a curve's on the region's)."""
    pg = _open_clean(open_page, repressilator_page)
    x, y = pg.eval(_CURVE_POINT_JS)
    pg.page.mouse.click(x, y)
    pg.page.wait_for_timeout(400)
    pg.page.mouse.move(x + 1, y)
    pg.page.wait_for_timeout(600)
    boxes = pg.eval(_TOOLTIPS_JS)
    assert boxes, "no tooltip opened over the curve"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            assert not overlap, (a, b)
    assert pg.errors == []
