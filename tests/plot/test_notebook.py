"""A notebook with a linstab figure, executed by a Jupyter kernel and opened in headless Chromium
with the network blocked: after ``linstab.plot.setup_notebook()`` the figure renders; after
Bokeh's default ``output_notebook()`` (BokehJS from a CDN) it does not."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("nbconvert")
pytest.importorskip("ipykernel")

FIGURE = """
import linstab
from bokeh.io import show
from linstab.plot import stability_diagram
(hopf,) = linstab.bifurcation_curves("repressilator", "hopf", "beta", "n")
show(stability_diagram([hopf], x_range=(2, 5), y_range=(1, 1000), log_y=True))
"""


def _run(tmp_path, setup: str):
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(FIGURE)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert not [o for c in nb.cells for o in c.outputs if o.output_type == "error"]
    body, _ = HTMLExporter().from_notebook_node(nb)
    page = tmp_path / "notebook.html"
    page.write_text(body, encoding="utf-8")
    return page


def _rendered(guarded_page, path, shot=None) -> tuple[int, list[str]]:
    page, blocked, _ = guarded_page()
    page.goto(path.as_uri())
    page.wait_for_timeout(1500)
    n = page.evaluate("() => (window.Bokeh && Bokeh.documents) ? Bokeh.documents.length : 0")
    if n:  # the figure's view is laid out at its size, not an empty box
        width = page.evaluate("() => Math.max(...Object.values(Bokeh.index).map(v => v.el.getBoundingClientRect().width))")
        assert width > 300
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    return n, blocked


def test_setup_notebook_renders_offline(tmp_path, guarded_page, screenshot_dir):
    path = _run(tmp_path, "import linstab.plot as lp\nlp.setup_notebook()")
    n, blocked = _rendered(guarded_page, path, screenshot_dir / "notebook_offline.png")
    assert n == 1, "the figure did not render"
    assert not [u for u in blocked if "bokeh" in u.lower()], blocked


def test_default_output_notebook_stays_blank_offline(tmp_path, guarded_page):
    path = _run(tmp_path, "from bokeh.io import output_notebook\noutput_notebook()")
    n, blocked = _rendered(guarded_page, path)
    assert n == 0 and any("bokeh" in u.lower() for u in blocked)
