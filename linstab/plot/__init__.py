"""Interactive Bokeh diagrams that work in a static HTML page (extra ``plot``).

Every function returns a Bokeh model and never calls ``show()``; :func:`save_html` writes a
self-contained page (BokehJS inlined, no server, no network). Sliders recompute in the browser
with JavaScript generated from the model's SymPy expressions (see ``linstab/plot/_js.py``).

Bokeh is imported inside the functions, so ``import linstab.plot`` stays light.
"""

from linstab.plot._bifurcation import bifurcation_diagram
from linstab.plot._build import diagram_layout, draw_diagram
from linstab.plot._delay import delay_diagram
from linstab.plot._delay_explorer import delay_explorer
from linstab.plot._diagram import stability_diagram
from linstab.plot._explorer import eigenvalue_explorer
from linstab.plot._export import export_figure
from linstab.plot._noise import noise_figure, spectrum_figure
from linstab.plot._notebook import setup_notebook
from linstab.plot._page import html, save_html
from linstab.plot._portrait import phase_portrait, trace_determinant
from linstab.plot._style import legends_outside
from linstab.plot._turing import turing_diagram

__all__ = ["stability_diagram", "eigenvalue_explorer", "phase_portrait", "trace_determinant",
           "bifurcation_diagram", "diagram_layout", "draw_diagram", "html", "save_html", "setup_notebook",
           "export_figure", "legends_outside", "noise_figure", "spectrum_figure", "delay_diagram", "delay_explorer",
           "turing_diagram"]
