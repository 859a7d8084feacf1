"""Phase portrait and trace–determinant plane of a two-variable model, with parameter sliders.

The phase plane shows streamlines of the vector field, the two nullclines, a few trajectories and
every fixed point in the window coloured by its classification; the trace–determinant plane
shows where the Jacobian at each fixed point sits among the classification regions (Strogatz
2015, sec. 5.2). The initial data is computed in Python (:mod:`linstab.analysis.figures`, fixed
points from :func:`linstab.num.find_fixed_points`); the sliders recompute everything in the
browser with the JavaScript of :mod:`linstab.plot._js`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab._errors import DimensionError
from linstab.analysis import figures as num
from linstab.plot._diagram import tint
from linstab.plot._explorer import make_sliders, slider_specs
from linstab.plot._js import program
from linstab.plot._style import (CLASS_COLORS, PALETTE, VARIABLE_COLORS, figure, hover, legends_outside, pretty,
                                  readout, readout_height)

__all__ = ["phase_portrait", "trace_determinant", "default_window"]

_GRID = 61  # nullcline grid per axis, in Python and in the browser


def _require_2d(model: Any, what: str) -> None:
    if model.n_vars != 2:
        raise DimensionError(
            f"{what} needs a model with 2 variables; {model.name!r} has {model.n_vars} "
            f"({', '.join(model.variable_names)}). For other dimensions use linstab.plot.eigenvalue_explorer (`linstab diagram` on the command line)."
        )


def default_window(model: Any, points: Sequence[Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window around the fixed points: from 0 (nonnegative variables) to 1.6 × the largest.

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model("toggle_switch")
    >>> default_window(m, num.fixed_points(m, m.numeric_values()))
    ((0.0, 6.0), (0.0, 6.0))
    """
    lower = num.lower_bounds(model)
    out = []
    for i in range(2):
        vals = [float(fp.state[i]) for fp in points]
        big = max([abs(v) for v in vals] + [1.0])
        hi = 1.6 * big
        hi = float(np.ceil(hi / 10 ** np.floor(np.log10(hi)) * 2) / 2 * 10 ** np.floor(np.log10(hi)))
        lo = 0.0 if lower[i] is not None else -hi
        out.append((lo, hi))
    return out[0], out[1]


def _fp_rows(model: Any, points: Sequence[Any]) -> dict[str, list[Any]]:
    fmt = "{:.3g}".format
    rows: dict[str, list[Any]] = {"x": [], "y": [], "color": [], "cls": [], "eig": [], "tr": [], "det": []}
    for fp in points:
        J = np.asarray(fp.jacobian, float)
        rows["x"].append(float(fp.state[0]))
        rows["y"].append(float(fp.state[1]))
        rows["color"].append(CLASS_COLORS.get(fp.classification, PALETTE["neutral"]))
        rows["cls"].append(fp.classification)
        rows["eig"].append(", ".join(fmt(e.real) + (f" {'+' if e.imag > 0 else '−'} {fmt(abs(e.imag))}i" if e.imag else "")
                                     for e in fp.eigenvalues))
        rows["tr"].append(float(np.trace(J)))
        rows["det"].append(float(np.linalg.det(J)))
    return rows


def _traj_starts(window: tuple[tuple[float, float], tuple[float, float]]) -> list[list[float]]:
    (x0, x1), (y0, y1) = window
    fr = [(0.1, 0.9), (0.9, 0.1), (0.12, 0.12), (0.85, 0.85), (0.5, 0.95), (0.95, 0.5)]
    return [[x0 + a * (x1 - x0), y0 + b * (y1 - y0)] for a, b in fr]


def _td_regions(p: Any, R: float) -> None:
    """Shade the trace–determinant plane: saddles, stable/unstable nodes and spirals, the parabola."""
    big = 10 * R
    d = big * np.linspace(0, 1, 400) ** 2  # dense near the origin, where the parabola bends
    t = 2 * np.sqrt(d)
    p.quad(left=-big, right=0, bottom=-big, top=big, fill_color=tint(PALETTE["saddle"], 0.8), line_color=None)
    p.quad(left=0, right=big, bottom=-big, top=0, fill_color=tint(PALETTE["stable"], 0.82), line_color=None)
    p.quad(left=0, right=big, bottom=0, top=big, fill_color=tint(PALETTE["unstable"], 0.82), line_color=None)
    # spirals: between the parabola and the Δ axis (τ² < 4Δ)
    p.patch(np.append(d, [big, 0.0]), np.append(-t, [0.0, 0.0]), fill_color=tint(PALETTE["stable"], 0.6), line_color=None)
    p.patch(np.append(d, [big, 0.0]), np.append(t, [0.0, 0.0]), fill_color=tint(PALETTE["oscillatory"], 0.6),
            line_color=None)
    p.line(np.concatenate([d[::-1], d]), np.concatenate([t[::-1], -t]), line_width=2, color=PALETTE["neutral"],
           legend_label="τ² = 4Δ")
    p.line([0, 0], [-big, big], line_width=1, color=PALETTE["neutral"])
    p.line([0, big], [0, 0], line_width=2, color=PALETTE["neutral"], line_dash="dashed",
           legend_label="centers (τ = 0, Δ > 0)")
    s = 2 * math.sqrt(R)
    labels = [(-0.55 * R, 0.3 * s, "saddles"), (0.3 * R, -1.0 * s, "stable nodes"),
              (0.75 * R, -0.3 * s, "stable spirals"), (0.75 * R, 0.3 * s, "unstable spirals"),
              (0.3 * R, 1.0 * s, "unstable nodes")]
    for x, y, text in labels:
        p.text([x], [y], text=[text], text_align="center", text_baseline="middle", text_font_size="11px",
               text_color="#333333", name="region_label")


_CODE = r"""
const L = window.LINSTAB[key];
const T0 = performance.now();
const p = base.slice();
for (let k = 0; k < sliders.length; k++) {
  const v = sliders[k].value;
  p[idx[k]] = logs[k] ? Math.pow(10, v) : v;
}
const fmt = v => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)) ? v.toExponential(2) : (+v.toFixed(3)).toString();
const [x0, x1] = win[0], [y0, y1] = win[1];
const mx = 0.02 * (x1 - x0), my = 0.02 * (y1 - y0);
// fixed points: Newton from the last ones, then from a grid over the window
const found = L.LS.roots(L.rhs, L.jac, p, (L.prev || prev0).concat(starts), {lower: lower, all: true})
  .filter(x => x[0] >= x0 - mx && x[0] <= x1 + mx && x[1] >= y0 - my && x[1] <= y1 + my);
L.prev = found.map(x => x.slice());
const F = {x: [], y: [], color: [], cls: [], eig: [], tr: [], det: []};
for (const x of found) {
  const J = L.jac(x, p), ev = L.LS.eig(J, 2);
  const scale = ev.reduce((m, e) => Math.max(m, Math.hypot(e[0], e[1])), 1);
  const cls = L.LS.classify(ev, 1e-9 * scale);
  F.x.push(x[0]); F.y.push(x[1]); F.cls.push(cls); F.color.push(colors[cls] || palette.neutral);
  F.eig.push(ev.map(e => fmt(e[0]) + (e[1] !== 0 ? (e[1] > 0 ? " + " : " − ") + fmt(Math.abs(e[1])) + "i" : "")).join(", "));
  F.tr.push(J[0] + J[3]); F.det.push(J[0] * J[3] - J[1] * J[2]);
}
if (fp !== null) fp.data = F;
if (td !== null) {
  td.data = {det: F.det, tr: F.tr, color: F.color, cls: F.cls, eig: F.eig, x: F.x, y: F.y};
  let R = 0;
  for (let i = 0; i < F.det.length; i++) R = Math.max(R, Math.abs(F.det[i]), F.tr[i] * F.tr[i] / 4);
  if (R > 0.9 * tdx.end) { const S = 1.4 * R; tdx.start = -S; tdx.end = S; tdy.start = -2.2 * Math.sqrt(S); tdy.end = 2.2 * Math.sqrt(S); }
}
if (nx !== null) {
  const xs = [], ys = [];
  for (let i = 0; i < G; i++) { xs.push(x0 + (x1 - x0) * i / (G - 1)); ys.push(y0 + (y1 - y0) * i / (G - 1)); }
  const Z0 = new Float64Array(G * G), Z1 = new Float64Array(G * G);
  for (let j = 0; j < G; j++) for (let i = 0; i < G; i++) {
    const f = L.rhs([xs[i], ys[j]], p); Z0[j * G + i] = f[0]; Z1[j * G + i] = f[1];
  }
  nx.data = L.LS.contour(Z0, xs, ys);
  ny.data = L.LS.contour(Z1, xs, ys);
  const s = L.LS.streamlines(L.rhs, p, win[0], win[1], 1);
  sl.data = {xs: s.xs, ys: s.ys};
  arrows.data = {x: s.arrows.map(a => a[0]), y: s.arrows.map(a => a[1]), angle: s.arrows.map(a => a[2] - Math.PI / 2)};
  const txs = [], tys = [];
  for (const s0 of traj0) {
    const sol = L.LS.rk4(L.rhs, s0, p, t_max, steps);
    txs.push(Array.from(sol.X[0])); tys.push(Array.from(sol.X[1]));
  }
  tj.data = {xs: txs, ys: tys};
}
const shown = [];
for (let k = 0; k < sliders.length; k++) shown.push(labels[k] + " = " + fmt(p[idx[k]]));
const n_stable = F.cls.filter(c => c.startsWith("stable")).length;
const word = F.x.length === 0 ? "no fixed point in the window" : (n_stable >= 2 ? "bistable" : (n_stable === 1 ? "stable" : "unstable"));
const lines = [[word + " · " + F.x.length + " fixed point" + (F.x.length === 1 ? "" : "s"), wcolors[word], true, 15],
               [shown.join(", "), "#555555", false, 12]];
F.x.forEach((_, i) => lines.push(["● (" + fmt(F.x[i]) + ", " + fmt(F.y[i]) + ") " + F.cls[i], F.color[i], false, 12]));
readout.data = L.LS.readout(lines, panel_height, panel_width);
readout.tags = [word].concat(F.cls);
L.last_ms = performance.now() - T0;
L.calls = (L.calls || 0) + 1;  // callbacks run asynchronously: scripts and tests wait on this
"""


def _planar(model: Any, *, portrait: bool, values: Mapping[str, float] | None, params: Sequence[str] | None,
            ranges: Mapping[str, Sequence[float]] | None, log: Sequence[str], x_range: Sequence[float] | None,
            y_range: Sequence[float] | None, t_max: float, width: int, height: int) -> Any:
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, CustomJS, Range1d

    _require_2d(model, "phase_portrait" if portrait else "trace_determinant")
    vals = model.numeric_values(values)
    specs = slider_specs(model, vals, params=params, ranges=ranges, log=log)
    sliders = make_sliders(specs)
    points = num.fixed_points(model, vals)
    auto = default_window(model, points)
    window = (tuple(map(float, x_range)) if x_range is not None else auto[0],
              tuple(map(float, y_range)) if y_range is not None else auto[1])
    (x0, x1), (y0, y1) = window
    inside = [fp for fp in points if x0 <= fp.state[0] <= x1 and y0 <= fp.state[1] <= y1]
    rows = _fp_rows(model, inside)
    xname, yname = (pretty(v) for v in model.variable_names)
    tips = [("fixed point", f"({xname}, {yname}) = (@x{{0.[000]}}, @y{{0.[000]}})"), ("class", "@cls"), ("λ", "@eig")]
    figs = []

    fp_src = nx_src = ny_src = sl_src = ar_src = tj_src = None
    if portrait:
        pp = figure(x_label=xname, y_label=yname, title="Phase portrait", width=width, height=height + 50,
                    x_range=Range1d(x0, x1), y_range=Range1d(y0, y1), name="phase_plane")
        xs, ys, arrows = num.streamlines(model, vals, window[0], window[1])
        sl_src = ColumnDataSource({"xs": xs, "ys": ys}, name="streamlines")
        ar_src = ColumnDataSource({"x": [a[0] for a in arrows], "y": [a[1] for a in arrows],
                                   "angle": [a[2] - math.pi / 2 for a in arrows]}, name="arrows")
        pp.multi_line("xs", "ys", source=sl_src, line_color="#B8B8B8", line_width=1)
        pp.scatter("x", "y", source=ar_src, marker="triangle", angle="angle", size=7, color="#A0A0A0")
        gx, gy = np.linspace(x0, x1, _GRID), np.linspace(y0, y1, _GRID)
        Z = num.field_grid(model, vals, gx, gy)
        nx_src = ColumnDataSource(dict(zip("xy", num.zero_contour(Z[0], gx, gy))), name="nullcline_x")
        ny_src = ColumnDataSource(dict(zip("xy", num.zero_contour(Z[1], gx, gy))), name="nullcline_y")
        pp.line("x", "y", source=nx_src, line_width=2.5, color=VARIABLE_COLORS[0], legend_label=f"{xname}-nullcline (d{xname}/dt = 0)")
        pp.line("x", "y", source=ny_src, line_width=2.5, color=VARIABLE_COLORS[4], legend_label=f"{yname}-nullcline (d{yname}/dt = 0)")
        starts_tr = _traj_starts(window)
        txs, tys = [], []
        for s0 in starts_tr:
            _t, X = num.time_course(model, s0, vals, t_max=t_max, steps=400)
            txs.append(X[0].tolist())
            tys.append(X[1].tolist())
        tj_src = ColumnDataSource({"xs": txs, "ys": tys}, name="trajectories")
        pp.multi_line("xs", "ys", source=tj_src, line_color=PALETTE["neutral"], line_width=1.5, line_alpha=0.75,
                      legend_label="trajectories")
        fp_src = ColumnDataSource(rows, name="fixed_points")
        r = pp.scatter("x", "y", source=fp_src, size=15, fill_color="color", line_color="white", line_width=2)
        hover(pp, [r], tips)
        legends_outside(pp)
        figs.append(pp)

    # trace–determinant plane
    R = max([abs(d) for d in rows["det"]] + [t * t / 4 for t in rows["tr"]] + [0.25])
    R = 1.4 * R
    tdx, tdy = Range1d(-R, R), Range1d(-2.2 * math.sqrt(R), 2.2 * math.sqrt(R))
    ptd = figure(x_label="determinant Δ = det J", y_label="trace τ = tr J", title="Trace–determinant plane",
                 width=width, height=height + 50, x_range=tdx, y_range=tdy, name="trace_determinant")
    _td_regions(ptd, R)
    td_src = ColumnDataSource({"det": rows["det"], "tr": rows["tr"], "color": rows["color"], "cls": rows["cls"],
                               "eig": rows["eig"], "x": rows["x"], "y": rows["y"]}, name="td_points")
    r = ptd.scatter("det", "tr", source=td_src, size=15, fill_color="color", line_color=PALETTE["neutral"], line_width=1.5,
                    marker="diamond")
    hover(ptd, [r], [("Δ, τ", "@det{0.000}, @tr{0.000}")] + tips)
    legends_outside(ptd)
    figs.append(ptd)

    n_stable = sum(fp.stable for fp in inside)
    word = ("no fixed point in the window" if not inside else "bistable" if n_stable >= 2 else
            "stable" if n_stable == 1 else "unstable")
    lines = _readout_lines(specs, vals, inside, word)
    panel_height = max(180, readout_height(lines, 300, extra_lines=3))  # room for fixed points a slider adds
    panel, readout_src = readout(lines, name="classification", width=300,
                                 height=panel_height, tags=[word] + [fp.classification for fp in inside])

    key = f"{model.name}-{uuid.uuid4().hex[:8]}"
    grid = [[x0 + (x1 - x0) * a, y0 + (y1 - y0) * b] for a in (0.05, 0.3, 0.55, 0.8, 0.97) for b in (0.05, 0.3, 0.55, 0.8, 0.97)]
    args = dict(
        key=key, sliders=sliders, idx=[list(model.parameter_names).index(s.name) for s in specs],
        logs=[s.log for s in specs], labels=[pretty(s.name) for s in specs], base=model.parameter_vector(vals),
        win=[list(window[0]), list(window[1])], starts=grid, prev0=[[float(v) for v in fp.state] for fp in inside],
        lower=num.lower_bounds(model), fp=fp_src, td=td_src, tdx=tdx, tdy=tdy, nx=nx_src, ny=ny_src, sl=sl_src,
        arrows=ar_src, tj=tj_src, traj0=_traj_starts(window), t_max=float(t_max), steps=400, G=_GRID, readout=readout_src, panel_height=panel_height, panel_width=panel.width, wcolors=_WORD_COLORS,
        colors=dict(CLASS_COLORS), palette=dict(PALETTE),
    )
    cb = CustomJS(args=args, code=program(model, key) + _CODE)
    for s in sliders:
        s.js_on_change("value", cb)
    controls = column(*sliders, panel, name="controls")
    return row(controls, *figs, name="phase_portrait" if portrait else "trace_determinant_explorer")


_WORD_COLORS = {"bistable": PALETTE["bistable"], "stable": PALETTE["stable"], "unstable": PALETTE["unstable"],
                "no fixed point in the window": PALETTE["muted"]}


def _readout_lines(specs: Sequence[Any], vals: Mapping[str, float], points: Sequence[Any],
                   word: str) -> list[tuple[str, str, bool, int]]:
    fmt = "{:.3g}".format
    n = len(points)
    lines = [(f"{word} · {n} fixed point{'' if n == 1 else 's'}", _WORD_COLORS[word], True, 15),
             (", ".join(f"{pretty(s.name)} = {fmt(vals[s.name])}" for s in specs), "#555555", False, 12)]
    lines += [(f"● ({fmt(fp.state[0])}, {fmt(fp.state[1])}) {fp.classification}",
               CLASS_COLORS.get(fp.classification, PALETTE["neutral"]), False, 12) for fp in points]
    return lines


def phase_portrait(
    model: Any,
    *,
    values: Mapping[str, float] | None = None,
    params: Sequence[str] | None = None,
    ranges: Mapping[str, Sequence[float]] | None = None,
    log: Sequence[str] = (),
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    t_max: float = 30.0,
    width: int = 400,
    height: int = 380,
) -> Any:
    """Phase portrait of a 2-variable model beside its trace–determinant plane, with sliders.

    Parameters
    ----------
    model
        A :class:`linstab.Model` with exactly two variables.
    values
        Parameter values to start from (default: the model's).
    params
        Parameters that get a slider (default: all).
    ranges
        Slider range per parameter (default ``value/10 .. 3·value``).
    log
        Parameters whose slider moves along ``log10``.
    x_range, y_range
        The phase-plane window (default: from 0, or symmetric for unbounded variables, to 1.6 × the
        largest fixed-point coordinate).
    t_max
        Length of the trajectories.
    width, height
        Size of each figure in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: sliders and readout, the phase plane, the trace–determinant plane. Named models:
        ``slider_<param>``, ``classification`` (the readout's source; its ``tags`` are the overall
        verdict and each fixed point's classification), ``fixed_points``, ``nullcline_x``, ``nullcline_y``,
        ``streamlines``, ``trajectories``, ``td_points``.

    Raises
    ------
    DimensionError
        The model does not have two variables.

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, ch. 5–6.

    Examples
    --------
    >>> from linstab import load_model
    >>> lay = phase_portrait(load_model("toggle_switch"))
    >>> lay.select_one({"name": "classification"}).tags
    ['bistable', 'stable node', 'stable node', 'saddle']
    """
    return _planar(model, portrait=True, values=values, params=params, ranges=ranges, log=log, x_range=x_range,
                   y_range=y_range, t_max=t_max, width=width, height=height)


def trace_determinant(
    model: Any,
    *,
    values: Mapping[str, float] | None = None,
    params: Sequence[str] | None = None,
    ranges: Mapping[str, Sequence[float]] | None = None,
    log: Sequence[str] = (),
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    width: int = 400,
    height: int = 380,
) -> Any:
    """The trace–determinant plane of a 2-variable model; its fixed points move with the sliders.

    The plane is divided into saddles (Δ < 0), nodes and spirals (outside and inside the
    parabola τ² = 4Δ), stable for τ < 0 and unstable for τ > 0, with centers on τ = 0, Δ > 0.

    Parameters
    ----------
    model
        A :class:`linstab.Model` with exactly two variables.
    values
        Parameter values to start from (default: the model's).
    params
        Parameters that get a slider (default: all).
    ranges
        Slider range per parameter (default ``value/10 .. 3·value``).
    log
        Parameters whose slider moves along ``log10``.
    x_range, y_range
        The window of state space in which fixed points are looked for.
    width, height
        Size of the figure in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: sliders and readout, the plane. Named models: ``slider_<param>``,
        ``classification``, ``td_points`` (columns ``det``, ``tr``, ``cls``).

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 5.2.

    Examples
    --------
    >>> from linstab import load_model
    >>> lay = trace_determinant(load_model("brusselator"), values={"a": 1.0, "b": 1.5})
    >>> lay.select_one({"name": "td_points"}).data["cls"]
    ['stable spiral']
    """
    return _planar(model, portrait=False, values=values, params=params, ranges=ranges, log=log, x_range=x_range,
                   y_range=y_range, t_max=1.0, width=width, height=height)
