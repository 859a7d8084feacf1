"""Whole pages as the command line writes them: curves + map + diagram + explorer, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["diagram_page", "diagram_layout", "default_ranges"]


def default_ranges(model: Any, param: str, against: str, curves: Sequence[Any], *,
                   q_range: Sequence[float] | None = None,
                   p_range: Sequence[float] | None = None) -> tuple[tuple[float, float], tuple[float, float], bool]:
    """``(q_range, p_range, log_p)``: Q from ``value/2 .. 2·value``, P to cover the curves.

    Examples
    --------
    >>> from linstab import load_model
    >>> default_ranges(load_model("repressilator"), "beta", "n", [], q_range=(2, 5))
    ((2.0, 5.0), (1.0, 100.0), True)
    """
    vals = model.numeric_values()
    q0, p0 = vals[against], vals[param]
    if q_range is None:
        q_range = (q0 / 2, q0 * 2) if q0 > 0 else (q0 - 1.0, q0 + 1.0)
    qlo, qhi = (float(v) for v in q_range)
    if not qlo < qhi:
        raise ValueError(f"--range expects QMIN < QMAX; got {qlo} {qhi}")
    if p_range is None:
        if p0 > 0:
            lo, hi = p0 / 10, p0 * 10
            pts = [np.asarray(c.points, float) for c in curves]
            ys = np.concatenate([p[(p[:, 0] >= qlo) & (p[:, 0] <= qhi), 1] for p in pts]) if pts else np.zeros(0)
            ys = ys[np.isfinite(ys) & (ys > 0)]
            if ys.size:
                lo = min(lo, float(ys.min()) / 2)
                hi = max(hi, min(float(ys.max()), 200 * p0))
        else:
            lo, hi = p0 - 1.0, p0 + 1.0
        p_range = (lo, hi)
    plo, phi = (float(v) for v in p_range)
    if not plo < phi:
        raise ValueError(f"--param-range expects PMIN < PMAX; got {plo} {phi}")
    return (qlo, qhi), (plo, phi), bool(plo > 0 and phi / plo > 20)


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
                   p_range: Sequence[float] | None = None, grid: int = 60, progress: bool = False) -> Any:
    """The stability diagram of ``(against, param)`` beside the eigenvalue explorer (a Bokeh layout);
    ``progress`` reports the stability map's progress on stderr.

    The fold and Hopf curves come from :func:`linstab.num.find_curves`: in closed form where one
    exists, else by numeric continuation (kinds with no curve in the range are left out: the
    stability map still shows the regions).
    """
    from linstab._errors import AnalysisError
    from linstab._limits import check_fits, check_range, stability_map_bytes
    from linstab.num import find_curves, stability_map
    from linstab.plot._diagram import stability_diagram
    from linstab.plot._explorer import eigenvalue_explorer

    model.parameter(param), model.parameter(against)
    if param == against:
        raise ValueError(f"the two parameters of a diagram must differ; both are {param!r}")
    if grid < 4:
        raise ValueError(f"the diagram's grid must have at least 4 cells per axis; got {grid}")
    if q_range is not None:
        check_range(model, against, q_range[0], q_range[1], "q_range")
    if p_range is not None:
        check_range(model, param, p_range[0], p_range[1], "p_range")
    # the map, and the page that carries its grid-sized layers: 42 bytes a cell measured (page size at
    # grid 20 and 120, repressilator), 70 taken as the bound
    check_fits(stability_map_bytes(grid * grid, len(model.parameter_names)) + 70 * grid * grid,
               f"a {grid} x {grid} stability diagram", "use a smaller grid")
    q0 = model.numeric_values()[against]
    q_guess = tuple(q_range) if q_range is not None else ((q0 / 2, q0 * 2) if q0 > 0 else (q0 - 1.0, q0 + 1.0))
    curves = []
    for kind in ("hopf", "fold"):
        try:
            curves += find_curves(model, kind, param, against, q_range=(float(q_guess[0]), float(q_guess[1])),
                                  n_points=150, lyapunov=False)
        except (AnalysisError, ValueError, NotImplementedError):
            continue  # no closed form or no such bifurcation in range: the map shows the regions
    qr, pr, log_p = default_ranges(model, param, against, curves, q_range=q_range, p_range=p_range)
    smap = stability_map(model, (against, qr[0], qr[1], grid), (param, pr[0], pr[1], grid), log_y=log_p,
                         progress=progress)
    diagram = stability_diagram(curves, smap, model=model, x_range=qr, y_range=pr, log_y=log_p,
                                title=f"Stability diagram of {model.name}")
    layout = eigenvalue_explorer(model, diagram=diagram)
    return layout
