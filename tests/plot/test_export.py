"""PNG and SVG of linstab figures (export_figure, ``linstab portrait --png/--svg``), opened and read
back: the right size, a real picture, the labels as SVG text, and clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import linstab
from linstab.cli import main
from linstab.plot import export_figure, stability_diagram

pytestmark = pytest.mark.browser
pytest.importorskip("playwright")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def diagram():
    (hopf,) = linstab.bifurcation_curves("repressilator", "hopf", "beta", "n")
    return stability_diagram([hopf], x_range=(2, 5), y_range=(1, 1000), log_y=True, width=460, height=400)


def _require_chromium():
    from linstab.plot._export import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium to render with")


def test_png_is_the_figure_at_the_requested_scale(diagram, tmp_path):
    _require_chromium()
    out = export_figure(diagram, tmp_path / "d.png", scale=2)
    with Image.open(out) as im:
        img = np.asarray(im.convert("RGB"))
    assert img.shape[:2] == (800, 920)  # 400 x 460 CSS pixels at scale 2
    colours = {tuple(c) for c in img.reshape(-1, 3)[:: 97]}
    assert len(colours) > 20  # shaded regions, curve, axes and text: not a blank canvas
    # the stable region's light blue and the oscillatory region's sand colour are both there
    blue = ((img[..., 2] > img[..., 0] + 15) & (img[..., 2] > 180)).mean()
    sand = ((img[..., 0] > img[..., 2] + 40) & (img[..., 0] > 200)).mean()
    assert blue > 0.05 and sand > 0.2


def test_svg_is_vector_graphics_with_the_labels(diagram, tmp_path):
    _require_chromium()
    out = export_figure(diagram, tmp_path / "d.svg")
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg") and root.get("width") == "460" and root.get("height") == "400"
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "stable" in texts and "Hopf" in texts
    assert sum(1 for e in root.iter() if e.tag.endswith("path")) > 10


def test_bad_requests_get_clear_errors(diagram, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="format must be 'png' or 'svg'"):
        export_figure(diagram, tmp_path / "d.pdf")
    with pytest.raises(ValueError, match="scale"):
        export_figure(diagram, tmp_path / "d.png", scale=0)
    monkeypatch.setattr("linstab.plot._export.find_chromium", lambda: None)
    with pytest.raises(ImportError, match="needs a Chromium browser"):
        export_figure(diagram, tmp_path / "d.png")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_portrait_cli_writes_png_and_svg(tmp_path, capsys):
    _require_chromium()
    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    assert main(["portrait", "toggle_switch", "--png", str(png), "--svg", str(svg)]) == 0
    with Image.open(png) as im:
        assert im.size[0] > 1000
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert capsys.readouterr().out.count("wrote ") == 2
    assert main(["portrait", "toggle_switch"]) == 1
    assert "name at least one output" in capsys.readouterr().err


def test_export_inside_a_running_event_loop(diagram, tmp_path):
    """As in a Jupyter kernel, where an asyncio loop is running: Playwright's sync API would refuse.
    The loop runs in a thread of its own here, since this test process may already hold one."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    _require_chromium()

    async def cell():
        asyncio.get_running_loop()  # a loop is running, as in a notebook cell
        return export_figure(diagram, tmp_path / "d.svg")

    with ThreadPoolExecutor(1) as pool:
        out = pool.submit(asyncio.run, cell()).result(timeout=120)
    assert out.stat().st_size > 1000
