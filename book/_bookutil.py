"""Helpers for the book's notebooks: show Bokeh figures and render SymPy results.

BokehJS is loaded once per page by the book (``_ext/linstab_book.py`` serves it from
``_static``); a figure is embedded with :func:`bokeh.embed.components`. Run as a notebook in
Jupyter, :func:`setup` loads BokehJS inline into the notebook instead.
"""

from __future__ import annotations

import os

import sympy as sp
from IPython.display import HTML, Markdown, display

IN_BOOK = os.environ.get("LINSTAB_BOOK_BUILD") == "1"

#: The colours of linstab's diagrams (Okabe–Ito), so that the book speaks one visual language.
COLORS = {
    "stable": "#0072B2",
    "stable_spiral": "#56B4E9",
    "unstable": "#D55E00",
    "oscillatory": "#E69F00",
    "saddle": "#009E73",
    "neutral": "#222222",
    "production": "#CC79A7",
    "variable_v": "#332288",
    "degradation": "#222222",
    "muted": "#9A9A9A",
}


def figure(**kwargs):
    """A Bokeh figure with the book's defaults (no toolbar clutter, readable fonts)."""
    import bokeh.plotting

    opts = {"width": 420, "height": 300, "toolbar_location": None, "tools": ""}
    opts.update(kwargs)
    p = bokeh.plotting.figure(**opts)
    p.axis.axis_label_text_font_size = "13px"
    p.axis.axis_label_text_font_style = "normal"
    p.grid.grid_line_color = "#E5E5E5"
    return p


def setup() -> None:
    """Prepare Bokeh output: nothing inside the book build, inline BokehJS in Jupyter."""
    if not IN_BOOK:
        import bokeh.io
        from bokeh.resources import INLINE

        bokeh.io.output_notebook(INLINE, hide_banner=True)


def show(obj) -> None:
    """Display a Bokeh figure or layout, its legends under the plotting areas (no legend on data)."""
    from linstab.plot import legends_outside

    legends_outside(obj)
    if not IN_BOOK:
        import bokeh.io

        bokeh.io.show(obj)
        return
    from bokeh.embed import components

    script, div = components(obj)
    display(HTML(f"<div class='linstab-figure'>{div}</div>{script}"))


def math(*parts) -> None:
    """Display a line of display math; strings are LaTeX, SymPy objects are converted."""
    tex = "".join(p if isinstance(p, str) else sp.latex(p) for p in parts)
    display(Markdown(f"$$\n{tex}\n$$"))
