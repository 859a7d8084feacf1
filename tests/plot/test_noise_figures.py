"""Noise diagrams (linstab.plot._noise): what they draw comes from the LNA results."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("bokeh")

from bokeh.models import GlyphRenderer, Image  # noqa: E402

from linstab.analysis import linear_noise, noise_scan  # noqa: E402
from linstab.plot import noise_figure, save_html, spectrum_figure  # noqa: E402


def _renderers(layout):
    from bokeh.plotting import figure

    return [r for f in layout.select({"type": figure}) for r in f.renderers if isinstance(r, GlyphRenderer)]


def test_noise_figure_draws_the_scan(tmp_path):
    b = np.linspace(0.5, 2.4, 40)
    scan = noise_scan("brusselator_network", {"b": b})
    fig = noise_figure(scan, variable="x", omega=np.linspace(0, 2, 50))
    lines = {r.glyph.y if isinstance(r.glyph.y, str) else "": r for r in _renderers(fig)}
    np.testing.assert_allclose(lines["fano"].data_source.data["fano"], scan.fano[:, 1], equal_nan=True)
    (image,) = [r for r in _renderers(fig) if isinstance(r.glyph, Image)]
    img = image.data_source.data["image"][0]
    assert img.shape == (50, 40) and np.isnan(img[:, b > 2]).all() and np.isfinite(img[:, b < 2]).all()
    assert save_html(fig, tmp_path / "n.html").stat().st_size > 0


def test_noise_figure_bad_input():
    scan = noise_scan("gene_expression", {"k_p": np.linspace(1, 5, 3), "g_p": np.array([[0.1], [0.2]])})
    with pytest.raises(ValueError, match="one parameter"):
        noise_figure(scan)
    with pytest.raises(ValueError, match="variable must be one of"):
        noise_figure(noise_scan("gene_expression", {"k_p": np.linspace(1, 5, 3)}), variable="q")


def test_spectrum_figure_marks_peaks():
    noise = linear_noise("brusselator_network", {"b": 1.9})
    fig = spectrum_figure(noise)
    dots = [r for r in _renderers(fig) if r.glyph.__class__.__name__ == "Scatter"]
    xs = sorted(float(d.data_source.data["x"][0]) for d in dots)
    np.testing.assert_allclose(xs, np.sort(noise.peak_frequency()))
