"""Stability diagram: regions of a two-parameter plane, with the bifurcation curves that bound them.

Regions come either from a stability map (every cell classified numerically: stable, bistable,
oscillatory instability, non-oscillatory instability) or, without a map, from the closed-form
curves themselves, shaded on their unstable side as in the course appendix's n–β diagram
(Elowitz & Bois, technical appendix 9b). The curves are drawn on top, each with its formula in
the legend and the tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from linstab._parse import as_expr
from linstab.plot._style import PALETTE, REGION_NAMES, figure, hover, pretty, pretty_expr

__all__ = ["stability_diagram", "tint", "region_of"]

_KIND_COLORS = {"hopf": PALETTE["neutral"], "fold": "#5D3A9B", "saddle-node": "#5D3A9B",
                "transcritical": "#1A85FF", "pitchfork": "#D35FB7"}


def _kind_name(kind: str) -> str:
    """Legend text of a kind: the label of its :class:`linstab.sym.BifurcationKind`."""
    from linstab.sym import bifurcation_kind

    try:
        return bifurcation_kind(kind).label
    except ValueError:  # a kind linstab does not know: show it as given
        return kind


def tint(color: str, amount: float = 0.72) -> str:
    """``color`` mixed with white (``amount`` = share of white), as ``#rrggbb``.

    Examples
    --------
    >>> tint("#000000", 0.5)
    '#808080'
    """
    c = color.lstrip("#")
    rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(v + (255 - v) * amount) for v in rgb]
    return "#" + "".join(f"{v:02x}" for v in mixed)


def region_of(n_fixed: Any, n_stable: Any, oscillatory: Any) -> np.ndarray:
    """Region category per cell: ``none``, ``bistable``, ``stable``, ``oscillatory`` or ``unstable``.

    Examples
    --------
    >>> region_of([1, 3, 1, 0], [1, 2, 0, 0], [False, False, True, False]).tolist()
    ['stable', 'bistable', 'oscillatory', 'none']
    """
    n_fixed, n_stable, osc = (np.asarray(a) for a in (n_fixed, n_stable, oscillatory))
    out = np.full(n_fixed.shape, "unstable", dtype=object)
    out[osc.astype(bool) & (n_stable == 0)] = "oscillatory"
    out[n_stable == 1] = "stable"
    out[n_stable >= 2] = "bistable"
    out[n_fixed == 0] = "none"
    return out


def _edges(c: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around the centres ``c`` (geometric midpoints on a log axis)."""
    v = np.log(c) if log else c
    mid = 0.5 * (v[1:] + v[:-1])
    first, last = v[0] - (mid[0] - v[0]), v[-1] + (v[-1] - mid[-1])
    e = np.concatenate([[first], mid, [last]])
    return np.exp(e) if log else e


def _curve_label(curve: Any) -> tuple[str, str]:
    kind = str(getattr(curve, "kind", "bifurcation"))
    name = _kind_name(kind)
    expr = getattr(curve, "expression", None)
    if expr is None:
        return name, ""
    try:
        formula = f"{pretty(curve.param)} = {pretty_expr(as_expr(expr))}"
    except Exception:  # an expression SymPy cannot re-read: show it as given
        formula = f"{pretty(curve.param)} = {expr}"
    return name, formula


def _finite_points(curve: Any) -> np.ndarray:
    pts = np.asarray(curve.points, dtype=float).reshape(-1, 2)
    return pts[np.all(np.isfinite(pts), axis=1)]


def _sides(curves: list[Any], model: Any, values: dict[str, float] | None, given: Sequence[str] | None,
           log_y: bool) -> list[str]:
    """The unstable side of each curve: as given, else from :mod:`linstab.analysis`, else above."""
    if given is not None:
        given = list(given)
        if len(given) != len(curves) or any(s not in ("above", "below") for s in given):
            raise ValueError(f"stability_diagram: unstable_sides must hold 'above' or 'below' for each of the "
                             f"{len(curves)} curves; got {given!r}")
        return given
    if model is None:
        return ["above"] * len(curves)
    from linstab.analysis import unstable_sides

    hopf = [c for c in curves if "hopf" in str(c.kind).lower() and len(_finite_points(c)) >= 2]
    found = dict(zip(map(id, hopf), unstable_sides(hopf, model, values, log_y=log_y)))
    return [found.get(id(c), "above") for c in curves]


def stability_diagram(
    curves: Iterable[Any] = (),
    stability_map: Any = None,
    *,
    model: Any = None,
    values: dict[str, float] | None = None,
    unstable_sides: Sequence[str] | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    log_x: bool | None = None,
    log_y: bool | None = None,
    title: str | None = None,
    width: int = 460,
    height: int = 400,
) -> Any:
    """Draw the stability diagram of a two-parameter plane.

    Parameters
    ----------
    curves
        Bifurcation curves (``linstab.sym.BifurcationCurve``: ``kind``, ``param``, ``against``,
        ``expression``, ``points[:, 0]`` = ``against``, ``points[:, 1]`` = ``param``). The
        horizontal axis is ``against``, the vertical ``param``, as in the course appendix.
    stability_map
        A ``linstab.num.StabilityMap`` (``x_name``, ``y_name``, ``x``, ``y``, ``n_fixed``,
        ``n_stable``, ``oscillatory``, ``max_real``, arrays shaped ``(len(y), len(x))``). If
        given, it colours the regions; otherwise the curves' unstable sides are shaded.
    model
        The model, used only when there is no map and no ``unstable_sides``: the sides are then
        :func:`linstab.analysis.unstable_sides` ``(curves, model, values)`` (without a model the
        side above a curve counts as unstable).
    values
        Values of the other parameters for that decision.
    unstable_sides
        Per curve, ``"above"`` or ``"below"``: the side shaded as unstable when there is no map.
    x_range, y_range
        Axis ranges; default: the map's extent, or the curves' extent.
    log_x, log_y
        Logarithmic axes; default: the map's ``log_x``/``log_y``, else linear.
    title
        Figure title.
    width, height
        Figure size in pixels.

    Returns
    -------
    bokeh.plotting.figure
        With ``tags[0] = {"linstab": "stability_diagram", "x": ..., "y": ...}`` naming its axes'
        parameters (the eigenvalue explorer marks its current point there).

    References
    ----------
    Elowitz, M. & Bois, J. S., *Biological Circuit Design*, technical appendix 9b.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> n = np.linspace(2.01, 5, 50)
    >>> hopf = SimpleNamespace(kind="hopf", param="beta", against="n", expression="n/2*(n/2-1)**(-(n+1)/n)",
    ...                        points=np.column_stack([n, n / 2 * (n / 2 - 1) ** (-(1 + 1 / n))]))
    >>> p = stability_diagram([hopf], y_range=(1, 2000), log_y=True)
    >>> p.xaxis.axis_label, p.yaxis.axis_label, p.tags[0]["y"]
    ('n', 'β', 'beta')
    """
    from bokeh.models import ColumnDataSource, Legend, LegendItem, Range1d

    curves = list(curves)
    if not curves and stability_map is None:
        raise ValueError("stability_diagram: expected bifurcation curves and/or a stability map, got neither")
    if stability_map is not None:
        x_name, y_name = stability_map.x_name, stability_map.y_name
        log_x = bool(getattr(stability_map, "log_x", False)) if log_x is None else log_x
        log_y = bool(getattr(stability_map, "log_y", False)) if log_y is None else log_y
    else:
        x_name, y_name = curves[0].against, curves[0].param
        log_x, log_y = bool(log_x), bool(log_y)
    for c in curves:
        if (c.against, c.param) != (x_name, y_name):
            raise ValueError(
                f"stability_diagram: every curve must lie in the ({x_name}, {y_name}) plane of the diagram; "
                f"curve {getattr(c, 'kind', '?')!r} has against={c.against!r}, param={c.param!r}"
            )

    if x_range is None or y_range is None:
        if stability_map is not None:
            ex = _edges(np.asarray(stability_map.x, float), log_x)
            ey = _edges(np.asarray(stability_map.y, float), log_y)
            auto_x, auto_y = (ex[0], ex[-1]), (ey[0], ey[-1])
        else:
            allp = np.concatenate([_finite_points(c) for c in curves])
            auto_x = (float(allp[:, 0].min()), float(allp[:, 0].max()))
            ylo, yhi = float(allp[:, 1].min()), float(allp[:, 1].max())
            auto_y = (ylo / 2, yhi * 2) if log_y else (ylo - 0.1 * (yhi - ylo), yhi + 0.1 * (yhi - ylo))
        x_range = tuple(x_range) if x_range is not None else auto_x
        y_range = tuple(y_range) if y_range is not None else auto_y
    xr, yr = Range1d(*map(float, x_range)), Range1d(*map(float, y_range))
    p = figure(x_label=pretty(x_name), y_label=pretty(y_name), title=title, width=width, height=height,
               log_x=log_x, log_y=log_y, x_range=xr, y_range=yr, name="stability_diagram")
    p.tags = [{"linstab": "stability_diagram", "x": x_name, "y": y_name}]
    labels: list[tuple[float, float, str]] = []

    if stability_map is not None:
        cat = region_of(stability_map.n_fixed, stability_map.n_stable, stability_map.oscillatory)
        xs, ys = np.asarray(stability_map.x, float), np.asarray(stability_map.y, float)
        if cat.shape != (ys.size, xs.size):
            if cat.shape == (xs.size, ys.size):
                cat = cat.T
            else:
                raise ValueError(f"stability_diagram: map arrays have shape {cat.shape} while they should "
                                 f"have shape {(ys.size, xs.size)} (len(y), len(x))")
        ex, ey = _edges(xs, log_x), _edges(ys, log_y)
        J, I = np.meshgrid(np.arange(ys.size), np.arange(xs.size), indexing="ij")
        max_real = np.asarray(getattr(stability_map, "max_real", np.full(cat.shape, np.nan)), float)
        max_real = max_real.T if max_real.shape != cat.shape else max_real
        n_fixed = np.asarray(stability_map.n_fixed)
        n_fixed = n_fixed.T if n_fixed.shape != cat.shape else n_fixed
        n_stable = np.asarray(stability_map.n_stable)
        n_stable = n_stable.T if n_stable.shape != cat.shape else n_stable
        cells = ColumnDataSource({
            "left": ex[I].ravel(), "right": ex[I + 1].ravel(), "bottom": ey[J].ravel(), "top": ey[J + 1].ravel(),
            "x": xs[I].ravel(), "y": ys[J].ravel(),
            "region": [REGION_NAMES[c][0] for c in cat.ravel()],
            "color": [tint(REGION_NAMES[c][1]) for c in cat.ravel()],
            "max_real": max_real.ravel(), "n_fixed": n_fixed.ravel(), "n_stable": n_stable.ravel(),
        })
        r = p.quad(left="left", right="right", bottom="bottom", top="top", source=cells, fill_color="color",
                   line_color="color", line_width=1, name="regions")
        hover(p, [r], [(pretty(x_name), "@x{0.[000]}"), (pretty(y_name), "@y{0.[000]}"), ("region", "@region"),
                       ("max Re λ", "@max_real{0.000}"), ("fixed points", "@n_fixed (@n_stable stable)")],
              attachment="right")  # curves' tooltips open to the left: over a curve the two never overlap
        labels += _map_labels(cat, xs, ys)
    else:
        p.quad(left=xr.start, right=xr.end, bottom=yr.start, top=yr.end, fill_color=tint(PALETTE["stable"], 0.8),
               line_color=None, name="regions")
        sides = _sides(curves, model, values, unstable_sides, log_y)
        for c, side in zip(curves, sides):
            if "hopf" not in str(c.kind).lower():
                continue
            pts = _finite_points(c)
            if len(pts) < 2:
                continue
            edge = yr.end if side == "above" else yr.start
            far = edge * 1e6 if (side == "above" and log_y) else edge
            px = np.concatenate([pts[:, 0], [pts[-1, 0], pts[0, 0]]])
            py = np.concatenate([np.clip(pts[:, 1], None if side == "above" else None, None), [far, far]])
            p.patch(px, py, fill_color=tint(PALETTE["oscillatory"], 0.55), line_color=None, name="regions")
            labels += _curve_labels(pts, side, xr, yr, log_y)

    items = []
    for k, c in enumerate(curves):
        pts = _finite_points(c)
        name, formula = _curve_label(c)
        src = ColumnDataSource({"x": pts[:, 0], "y": pts[:, 1], "kind": [name] * len(pts),
                                "formula": [formula] * len(pts)})
        color = _KIND_COLORS.get(str(c.kind).lower(), PALETTE["neutral"])
        r = p.line("x", "y", source=src, line_width=3, color=color, name=f"curve_{k}")
        hover(p, [r], [("curve", "@kind"), ("", "@formula"), (pretty(x_name), "@x{0.[000]}"),
                       (pretty(y_name), "@y{0.[000]}")], line_policy="nearest", attachment="left")
        items.append(LegendItem(label=f"{name}: {formula}" if formula else name, renderers=[r]))
    for x, y, text in labels:
        x = _inside(x, text, (xr.start, xr.end), log_x, width)
        p.text([x], [y], text=[text], text_align="center", text_baseline="middle", text_font_size="12px",
               text_color=PALETTE["neutral"], background_fill_color="white", background_fill_alpha=0.75,
               padding=3, name="region_label")
    if items:
        legend = Legend(items=items, location="center", label_text_font_size="11px", border_line_color=None,
                        background_fill_alpha=0.0, padding=2, margin=4)
        p.add_layout(legend, "below")
    return p


def _inside(x: float, text: str, span: tuple[float, float], log: bool, width: int) -> float:
    """Move a centred label's ``x`` so that its text (about 7 px a character) stays inside the frame.

    Examples
    --------
    >>> round(_inside(0.0, "stable", (0.0, 10.0), False, 460), 3)
    0.7
    """
    f = np.log10 if log else (lambda v: v)
    lo, hi = f(span[0]), f(span[1])
    half = (7 * len(text) + 12) / 2 / max(width - 70, 100)  # the frame is the figure less its axis and toolbar
    frac = float(np.clip((f(x) - lo) / (hi - lo), min(half, 0.5), max(1 - half, 0.5)))
    v = lo + frac * (hi - lo)
    return float(10 ** v) if log else float(v)


def _curve_labels(pts: np.ndarray, side: str, xr: Any, yr: Any, log_y: bool) -> list[tuple[float, float, str]]:
    """Label positions in the shaded and the unshaded region, where each is tallest."""
    f = np.log10 if log_y else (lambda v: v)
    inv = (lambda v: 10 ** v) if log_y else (lambda v: v)
    inside = (pts[:, 0] >= xr.start) & (pts[:, 0] <= xr.end)
    pts = pts[inside] if inside.sum() >= 2 else pts
    y = np.clip(f(pts[:, 1]), f(yr.start), f(yr.end))
    top, bot = f(yr.end), f(yr.start)
    above, below = top - y, y - bot
    out = []
    for region, extent, sign in (("above", above, 1), ("below", below, -1)):
        frac = (pts[:, 0] - xr.start) / (xr.end - xr.start)
        middle = (frac > 0.3) & (frac < 0.7)  # keep labels (up to ~35 characters) clear of the frame
        k = int(np.argmax(np.where(middle, extent, -np.inf))) if middle.any() else len(extent) // 2
        ymid = y[k] + sign * extent[k] / 2
        text = "unstable (limit-cycle oscillations)" if region == side else "stable"
        out.append((float(pts[k, 0]), float(inv(ymid)), text))
    return out


def _map_labels(cat: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> list[tuple[float, float, str]]:
    """One label per region that covers enough of the map, at its most interior cell."""
    from scipy.ndimage import distance_transform_edt

    out = []
    for key in ("stable", "bistable", "oscillatory", "unstable", "none"):
        mask = cat == key
        if mask.sum() < 0.03 * mask.size:
            continue
        d = distance_transform_edt(np.pad(mask, 1, constant_values=False))[1:-1, 1:-1]
        j, i = np.unravel_index(int(np.argmax(d)), d.shape)
        out.append((float(xs[i]), float(ys[j]), REGION_NAMES[key][0]))
    return out
