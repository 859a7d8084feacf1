"""The data of a stability diagram: the bifurcation curves and the stability map of two parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._errors import AnalysisError
from linstab._limits import check_fits, check_range, stability_map_bytes
from linstab.analysis._curves import find_curves, window
from linstab.num import StabilityMap, stability_map
from linstab.sym import BifurcationCurve

__all__ = ["DiagramData", "default_ranges", "diagram_data", "unstable_sides"]


@dataclass(frozen=True, kw_only=True)
class DiagramData:
    """What :func:`linstab.plot.diagram_layout` draws.

    Attributes
    ----------
    curves
        Fold and Hopf curves in the range (closed form or continued, see :func:`find_curves`).
    map
        The stability map on the ``grid × grid`` cells of the two ranges.
    q_range, p_range
        The ranges of ``against`` (horizontal) and ``param`` (vertical).
    log_p
        Whether the vertical axis is logarithmic.
    """

    model: Any
    param: str
    against: str
    curves: tuple[BifurcationCurve, ...]
    map: StabilityMap
    q_range: tuple[float, float]
    p_range: tuple[float, float]
    log_p: bool


def default_ranges(model: Any, param: str, against: str, curves: Sequence[Any], *,
                   q_range: Sequence[float] | None = None,
                   p_range: Sequence[float] | None = None) -> tuple[tuple[float, float], tuple[float, float], bool]:
    """``(q_range, p_range, log_p)``: Q from ``value/2 .. 2·value``, P to cover the curves.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`.
    param, against
        The vertical and the horizontal parameter.
    curves
        Curves whose points the vertical range should cover.
    q_range, p_range
        Ranges given by the caller (checked, and kept).

    Examples
    --------
    >>> from linstab import load_model
    >>> default_ranges(load_model("repressilator"), "beta", "n", [], q_range=(2, 5))
    ((2.0, 5.0), (1.0, 100.0), True)
    """
    vals = model.numeric_values()
    p0 = vals[param]
    if q_range is None:
        q_range = window(vals[against], 2.0)
    qlo, qhi = (float(v) for v in q_range)
    if not qlo < qhi:
        raise ValueError(f"q_range expects min < max; got ({qlo}, {qhi})")
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
        raise ValueError(f"p_range expects min < max; got ({plo}, {phi})")
    return (qlo, qhi), (plo, phi), bool(plo > 0 and phi / plo > 20)


def diagram_data(model: Any, param: str, against: str, *, q_range: Sequence[float] | None = None,
                 p_range: Sequence[float] | None = None, grid: int = 60, progress: bool = False,
                 budget: float | None = 10.0) -> DiagramData:
    """The curves and the map of the stability diagram of ``(against, param)``.

    The fold and Hopf curves come from :func:`find_curves`: in closed form where one exists, else
    by numeric continuation (kinds with no curve in the range are left out: the stability map still
    shows the regions).

    Parameters
    ----------
    model
        The :class:`~linstab.Model`, with every parameter value set.
    param, against
        The parameters on the vertical and on the horizontal axis.
    q_range, p_range
        Their ranges (default: :func:`default_ranges`).
    grid
        Cells of the map per axis.
    progress
        Report the map's progress on stderr.
    budget
        CPU seconds for each closed-form attempt before continuation answers (see :func:`find_curves`).

    Examples
    --------
    >>> from linstab import load_model
    >>> d = diagram_data(load_model("repressilator"), "beta", "n", q_range=(2, 5), grid=8)
    >>> [c.kind for c in d.curves], d.map.max_real.shape, d.log_p
    (['hopf'], (8, 8), True)
    """
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
    q_guess = tuple(q_range) if q_range is not None else window(model.numeric_values()[against], 2.0)
    curves: list[BifurcationCurve] = []
    for kind in ("hopf", "fold"):
        try:
            curves += find_curves(model, kind, param, against, q_range=(float(q_guess[0]), float(q_guess[1])),
                                  n_points=150, lyapunov=False, budget=budget)
        except (AnalysisError, ValueError, NotImplementedError):
            continue  # no closed form or no such bifurcation in range: the map shows the regions
    qr, pr, log_p = default_ranges(model, param, against, curves, q_range=q_range, p_range=p_range)
    smap = stability_map(model, (against, qr[0], qr[1], grid), (param, pr[0], pr[1], grid), log_y=log_p,
                         progress=progress)
    return DiagramData(model=model, param=param, against=against, curves=tuple(curves), map=smap, q_range=qr,
                       p_range=pr, log_p=log_p)


def unstable_sides(curves: Sequence[Any], model: Any, values: Mapping[str, float] | None = None, *,
                   log_y: bool = False) -> tuple[str, ...]:
    """Per curve, ``"above"`` or ``"below"``: the side where the fixed point is unstable.

    What :func:`linstab.plot.stability_diagram` shades when it has no stability map. The fixed
    points (:func:`linstab.analysis.figures.fixed_points`) are found at the middle point of each
    curve, moved 10 % up and down in the vertical parameter; the side where none is stable is the
    unstable one (``"above"`` when that does not decide it).

    Parameters
    ----------
    curves
        Bifurcation curves (``param`` vertical, ``against`` horizontal, ``points``).
    model
        The :class:`~linstab.Model`.
    values
        Values of the other parameters (default: the model's).
    log_y
        Whether the vertical axis is logarithmic (the steps are then factors).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from linstab import load_model
    >>> from linstab.analysis import bifurcation_curves
    >>> c = bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2, 5), n_points=8)
    >>> unstable_sides(c, load_model("repressilator"), log_y=True)
    ('above',)
    """
    from linstab.analysis.figures import fixed_points

    base = model.numeric_values(dict(values or {}))
    out = []
    for curve in curves:
        pts = np.asarray(curve.points, dtype=float).reshape(-1, 2)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if len(pts) == 0:
            out.append("above")
            continue
        xm, ym = pts[len(pts) // 2]
        verdict = {}
        for side, y in (("above", ym * 1.1 if log_y or ym > 0 else ym + 0.1),
                        ("below", ym / 1.1 if log_y or ym > 0 else ym - 0.1)):
            fps = fixed_points(model, {**base, curve.against: float(xm), curve.param: float(y)})
            verdict[side] = bool(fps) and not any(fp.stable for fp in fps)
        out.append("below" if verdict["below"] and not verdict["above"] else "above")
    return tuple(out)
