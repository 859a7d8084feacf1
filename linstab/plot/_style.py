"""One visual language for every linstab figure: palette, labels, figure and tooltip helpers.

Colours are from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies). Every figure uses the same colour for the same meaning:

========================  ==========  =================================================
meaning                   colour      used for
========================  ==========  =================================================
stable                    blue        stable fixed points, stable regions, Re λ < 0
stable spiral             sky blue    stable spirals (set apart from stable nodes)
unstable                  vermillion  unstable nodes, non-oscillatory instability
oscillatory               orange      oscillatory instability (complex pair, Re λ > 0)
saddle                    green       saddles and saddle-foci of a stable region's border
bistable                  purple      two or more stable fixed points
neutral                   black       curves, centres, non-hyperbolic points
========================  ==========  =================================================

Labels are Unicode (``β``, ``x₁``, ``Re λ``) rather than LaTeX: Bokeh renders LaTeX with its
MathJax bundle (1.8 MB), which alone would push a static page past its 3 MB budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from linstab._parse import as_expr

__all__ = ["PALETTE", "VARIABLE_COLORS", "CLASS_COLORS", "REGION_NAMES", "pretty", "pretty_expr",
           "figure", "hover", "stability_word", "readout", "readout_data", "readout_height", "text_width", "wrap_line", "fit_title", "legends_outside"]

PALETTE: Mapping[str, str] = {
    "stable": "#0072B2",
    "stable_spiral": "#56B4E9",
    "unstable": "#D55E00",
    "oscillatory": "#E69F00",
    "saddle": "#009E73",
    "bistable": "#CC79A7",
    "neutral": "#222222",
    "grid": "#E5E5E5",
    "muted": "#9A9A9A",
}

#: Line colours for state variables (time courses), distinct from the stability palette's meanings.
VARIABLE_COLORS = ("#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#88CCEE", "#DDCC77")

#: Fixed-point classification (as :func:`linstab.sym.classify` names it) -> palette colour.
CLASS_COLORS: Mapping[str, str] = {
    "stable": PALETTE["stable"],
    "unstable": PALETTE["unstable"],
    "stable node": PALETTE["stable"],
    "stable spiral": PALETTE["stable_spiral"],
    "unstable node": PALETTE["unstable"],
    "unstable spiral": PALETTE["oscillatory"],
    "saddle": PALETTE["saddle"],
    "saddle-focus": PALETTE["oscillatory"],
    "center": PALETTE["neutral"],
    "non-hyperbolic": PALETTE["neutral"],
}

#: Region category of a stability map -> (label, colour).
REGION_NAMES: Mapping[str, tuple[str, str]] = {
    "stable": ("stable", PALETTE["stable"]),
    "oscillatory": ("unstable (oscillatory)", PALETTE["oscillatory"]),
    "unstable": ("unstable", PALETTE["unstable"]),
    "bistable": ("bistable", PALETTE["bistable"]),
    "none": ("no fixed point found", PALETTE["muted"]),
}


def stability_word(classification: str) -> str:
    """``"stable"``, ``"unstable"`` or ``"marginal"`` for a classification name.

    Examples
    --------
    >>> stability_word("saddle-focus"), stability_word("stable spiral"), stability_word("center")
    ('unstable', 'stable', 'marginal')
    """
    if classification.startswith("stable"):
        return "stable"
    if classification in ("center", "non-hyperbolic"):
        return "marginal"
    return "unstable"


def pretty(name: str | sp.Symbol) -> str:
    """A symbol name in Unicode: Greek letters spelt out become letters, trailing digits subscripts.

    Examples
    --------
    >>> pretty("beta"), pretty("x1"), pretty("alpha_2"), pretty("K")
    ('β', 'x₁', 'α₂', 'K')
    """
    sym = name if isinstance(name, sp.Symbol) else sp.Symbol(str(name))
    return sp.pretty(sym, use_unicode=True)


def pretty_expr(expr: sp.Basic) -> str:
    """A one-line Unicode rendering of an expression (``·`` products, ``^`` powers).

    Examples
    --------
    >>> n = sp.Symbol("n")
    >>> pretty_expr(n / 2 * (n / 2 - 1) ** (-(n + 1) / n))
    'n·(n/2 - 1)^((-n - 1)/n)/2'
    """
    expr = as_expr(expr, where="pretty_expr")
    mapping = {s: sp.Symbol(pretty(s)) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    text = sp.sstr(expr.xreplace(mapping))
    return text.replace("**", "^").replace("*", "·")


def figure(*, x_label: str, y_label: str, title: str | None = None, width: int = 420,
           height: int = 360, log_x: bool = False, log_y: bool = False, x_range: Any = None,
           y_range: Any = None, name: str | None = None, tools: str = "pan,wheel_zoom,box_zoom,reset,save") -> Any:
    """A Bokeh figure in the linstab style (labelled axes, light grid, toolbar on the right)."""
    from bokeh.plotting import figure as bk_figure

    kwargs: dict[str, Any] = {}
    if x_range is not None:
        kwargs["x_range"] = x_range
    if y_range is not None:
        kwargs["y_range"] = y_range
    if title is not None:
        title = fit_title(title, width - 90)  # the frame's width: less the y axis and the toolbar
    p = bk_figure(width=width, height=height, title=title, x_axis_label=x_label, y_axis_label=y_label,
                  x_axis_type="log" if log_x else "linear", y_axis_type="log" if log_y else "linear",
                  tools=tools, toolbar_location="right", name=name, **kwargs)
    p.grid.grid_line_color = PALETTE["grid"]
    p.axis.axis_label_text_font_style = "normal"
    p.axis.axis_label_text_font_size = "13px"
    if p.title is not None:
        p.title.text_font_size = "13px"
    p.outline_line_color = None
    p.toolbar.logo = None
    return p


def fit_title(title: str, room: float, size: int = 13) -> str:
    """``title`` broken at spaces into lines no wider than ``room`` pixels (bold, ``size`` px), so that
    a figure narrower than its title does not cut it off (Bokeh draws titles on the canvas, clipped).

    Examples
    --------
    >>> fit_title("Eigenvalues of the Jacobian at the fixed point", 200)
    'Eigenvalues of the Jacobian\\nat the fixed point'
    >>> fit_title("Trace–determinant plane", 300)
    'Trace–determinant plane'
    """
    lines: list[str] = []
    for word in title.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, True) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def legends_outside(obj: Any) -> Any:
    """Move every legend of every figure in ``obj`` (a figure or a layout) out of the plotting area,
    under it, in as many columns as the figure's width holds, so that no legend hides data; returns
    ``obj``. Every :mod:`linstab.plot` function does this to the figures it returns.

    Parameters
    ----------
    obj
        A Bokeh figure or layout (a legend placed outside already, left or right, stays put).

    Returns
    -------
    The same ``obj``, changed in place.

    Examples
    --------
    >>> from bokeh.plotting import figure
    >>> p = figure(width=400, height=300)
    >>> r = p.line([0, 1], [0, 1], legend_label="x-nullcline")
    >>> legends_outside(p) is p, len(p.center) - len(p.grid), len(p.below) - len(p.xaxis)
    (True, 0, 1)
    """
    from bokeh.models import Legend, Plot

    plots = [obj] if isinstance(obj, Plot) else list(obj.select({"type": Plot}))
    for p in plots:
        for legend in [c for c in p.center if isinstance(c, Legend)]:
            p.center = [c for c in p.center if c is not legend]
            labels = [it.label.get("value", "") if isinstance(it.label, dict) else str(getattr(it.label, "value", "") or "")
                      for it in legend.items]
            widest = max([text_width(t, 11) for t in labels] + [60.0]) + 34  # glyph, padding, spacing
            legend.ncols = max(1, min(len(labels) or 1, int((p.width - 20) // widest)))
            legend.location = "center"
            legend.label_text_font_size = "11px"
            legend.border_line_color = None
            legend.background_fill_alpha = 1.0
            legend.padding = legend.margin = 2
            legend.spacing = 0
            p.add_layout(legend, "below")
    return obj


def hover(p: Any, renderers: Sequence[Any], tooltips: Sequence[tuple[str, str]], **kwargs: Any) -> Any:
    """Add a hover tool bound to ``renderers`` (so decorations do not pop tooltips)."""
    from bokeh.models import HoverTool

    tool = HoverTool(renderers=list(renderers), tooltips=list(tooltips), **kwargs)
    p.add_tools(tool)
    return tool


_NARROW = set(" .,:;!|'()[]{}-ilIjtfr")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper estimate of ``text``'s width in pixels in Helvetica (or Liberation Sans, its metric
    twin) at ``size`` px: narrow characters 0.34 em, wide ones 0.95 em, capitals 0.72 em, the rest
    (digits, lower case, Greek) 0.6 em against Helvetica's 0.556 em for digits; bold 7 % wider.
    The page's JavaScript uses the same estimate.

    Examples
    --------
    >>> round(text_width("0123456789", 12))
    72
    """
    em = sum(0.34 if c in _NARROW else 0.95 if c in _WIDE else 0.72 if c.isupper() else 0.6 for c in text)
    return em * size * (1.07 if bold else 1.0)


def _fits(text: str, size: int, bold: bool, width: float) -> bool:
    return text_width(text, size, bold) <= width


def wrap_line(text: str, size: int, bold: bool, width: float) -> list[str]:
    """``text`` broken after its commas into lines that fit ``width`` pixels (a single item longer
    than a line stays whole: it is shown, not cut). The page's JavaScript wraps the same way.

    Examples
    --------
    >>> wrap_line("K = 2.962e-5, r = 1, a = 0.5, h = 2, e = 0.4, m = 0.3", 12, False, 150)
    ['K = 2.962e-5, r = 1,', 'a = 0.5, h = 2, e = 0.4,', 'm = 0.3']
    >>> wrap_line("stable", 15, True, 300)
    ['stable']
    """
    parts = text.split(", ")
    out: list[str] = []
    cur = parts[0]
    for part in parts[1:]:
        if _fits(f"{cur}, {part}", size, bold, width):
            cur = f"{cur}, {part}"
        else:
            out.append(cur + ",")
            cur = part
    out.append(cur)
    return out


def readout_data(lines: Sequence[tuple[str, str, bool, int]], height: int,
                 width: float = 320) -> dict[str, list[Any]]:
    """Columns of a :func:`readout` source for ``lines`` = ``(text, colour, bold, size_px)``, top down;
    a line wider than ``width`` pixels is wrapped after its commas (:func:`wrap_line`).

    The page's JavaScript builds the same columns (``LS.readout``).

    Examples
    --------
    >>> readout_data([("stable", "#0072B2", True, 15), ("β = 3.5", "#555555", False, 12)], 100)["y"]
    [96, 75.0]
    """
    out: dict[str, list[Any]] = {"x": [], "y": [], "text": [], "color": [], "style": [], "size": []}
    y: float = height - 4
    for text, color, bold, size in lines:
        for piece in wrap_line(text, size, bold, width - 8):
            out["x"].append(4)
            out["y"].append(y)
            out["text"].append(piece)
            out["color"].append(color)
            out["style"].append("bold" if bold else "normal")
            out["size"].append(f"{size}px")
            y -= size * 1.4
    return out


def readout_height(lines: Sequence[tuple[str, str, bool, int]], width: float, extra_lines: int = 0) -> int:
    """The height in pixels a readout panel of ``width`` needs for ``lines`` (wrapped) and
    ``extra_lines`` more lines of 12 px text that a callback may add."""
    used = sum(size * 1.4 * len(wrap_line(text, size, bold, width - 8)) for text, _, bold, size in lines)
    return int(math.ceil(8 + used + 17 * extra_lines))


def readout(lines: Sequence[tuple[str, str, bool, int]], *, name: str, width: int = 320, height: int = 150,
            tags: Sequence[Any] = ()) -> tuple[Any, Any]:
    """A text panel drawn on a canvas: ``(figure, source)``; the source carries ``name`` and ``tags``.

    A Bokeh ``Div`` would be the obvious choice, but every change of a ``Div`` re-lays out the
    whole page (10–30 ms in Chromium); text glyphs only repaint their own canvas.
    """
    from bokeh.models import ColumnDataSource, Range1d
    from bokeh.plotting import figure as bk_figure

    src = ColumnDataSource(readout_data(lines, height, width), name=name, tags=list(tags))
    p = bk_figure(width=width, height=height, x_range=Range1d(0, width), y_range=Range1d(0, height), tools="",
                  toolbar_location=None, min_border=0, outline_line_color=None, name=f"{name}_panel")
    p.axis.visible = False
    p.grid.visible = False
    p.text("x", "y", text="text", source=src, text_color="color", text_font_style="style", text_font_size="size",
           text_baseline="top", text_align="left")
    return p, src
