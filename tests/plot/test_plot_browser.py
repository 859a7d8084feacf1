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
    assert "unstable" in pg.eval(f"{pg.model('classification')}.text")
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
    pg = open_page(repressilator_page)
    times = pg.eval(f"""(() => {{
        const s = {pg.model('slider_beta')}, out = [];
        for (let k = 0; k < 40; k++) {{
            const t0 = performance.now();
            s.value = Math.log10(2 + 0.25 * k);
            out.push(performance.now() - t0);
        }}
        return out; }})()""")
    times = sorted(times)
    median, worst = times[len(times) // 2], times[-1]
    with capsys.disabled():
        print(f"\n[slider update, repressilator (3 variables)] median {median:.2f} ms, max {worst:.2f} ms")
    assert median < 50
