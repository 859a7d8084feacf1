"""Whole pages as the command line writes them: curves + map + diagram + explorer, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["diagram_page", "diagram_layout", "draw_diagram"]


def diagram_page(model: Any, param: str, against: str, *, q_range: Sequence[float] | None = None,
                 p_range: Sequence[float] | None = None, grid: int = 60, html: str | Path) -> tuple[Path, int]:
    """Write :func:`diagram_layout` as a static page to ``html``; returns ``(path, bytes)``.

    Examples
    --------
    >>> import tempfile, os
    >>> from linstab import load_model
    >>> out = os.path.join(tempfile.mkdtemp(), "r.html")
    >>> path, size = diagram_page(load_model("repressilator"), "beta", "n", q_range=(2, 5), grid=12, html=out)
    >>> 1_000_000 < size < 3_000_000
    True
    """
    from linstab._atomic import check_output_path
    from linstab.plot._page import save_html

    check_output_path(html, what="HTML page")  # before the computation, not after it
    layout = diagram_layout(model, param, against, q_range=q_range, p_range=p_range, grid=grid)
    path = save_html(layout, html, title=f"linstab · {model.name} stability diagram")
    return path, path.stat().st_size


def diagram_layout(model: Any, param: str, against: str, *, q_range: Sequence[float] | None = None,
                   p_range: Sequence[float] | None = None, grid: int = 60, progress: bool = False,
                   budget: float | None = 10.0) -> Any:
    """The stability diagram of ``(against, param)`` beside the eigenvalue explorer (a Bokeh layout).

    A convenience: the curves and the map are :func:`linstab.analysis.diagram_data` (which says how
    they are found); this function only draws them (:func:`draw_diagram`).

    Parameters
    ----------
    model, param, against, q_range, p_range, grid, progress, budget
        As for :func:`linstab.analysis.diagram_data`.

    Examples
    --------
    >>> from linstab import load_model
    >>> lay = diagram_layout(load_model("repressilator"), "beta", "n", q_range=(2, 5), grid=8)
    >>> lay.select_one({"name": "stability_diagram"}) is not None
    True
    """
    from linstab.analysis import diagram_data

    return draw_diagram(diagram_data(model, param, against, q_range=q_range, p_range=p_range, grid=grid,
                                     progress=progress, budget=budget))


def draw_diagram(data: Any) -> Any:
    """Draw a :class:`linstab.analysis.DiagramData`: the stability diagram beside the eigenvalue explorer.

    Parameters
    ----------
    data
        The curves, the map and the ranges.
    """
    from linstab.plot._diagram import stability_diagram
    from linstab.plot._explorer import eigenvalue_explorer

    diagram = stability_diagram(list(data.curves), data.map, model=data.model, x_range=data.q_range,
                                y_range=data.p_range, log_y=data.log_p, title=f"Stability diagram of {data.model.name}")
    return eigenvalue_explorer(data.model, diagram=diagram)
