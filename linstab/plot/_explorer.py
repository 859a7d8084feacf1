"""Eigenvalue explorer: parameter sliders move the fixed point's eigenvalues in the complex plane.

Everything the sliders change is recomputed in the browser by the JavaScript of
:mod:`linstab.plot._js` (damped Newton from the last fixed point, eigenvalues, classification,
an RK4 time course), so the page works as a static file. The initial state is computed in Python
(:mod:`linstab.analysis.figures`) so that the figure is right before any script runs.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab.analysis import figures as num
from linstab.plot._diagram import tint
from linstab.plot._js import program
from linstab.plot._style import (PALETTE, VARIABLE_COLORS, figure, hover, legends_outside, pretty, readout,
                                  stability_word, wrap_line)

__all__ = ["eigenvalue_explorer", "slider_specs", "SliderSpec", "make_sliders"]


class SliderSpec(tuple):
    """``(name, start, end, value, log)`` of one parameter slider (``start``/``end`` in parameter units)."""

    __slots__ = ()

    def __new__(cls, name: str, start: float, end: float, value: float, log: bool) -> SliderSpec:
        return super().__new__(cls, (name, float(start), float(end), float(value), bool(log)))

    name = property(lambda self: self[0])
    start = property(lambda self: self[1])
    end = property(lambda self: self[2])
    value = property(lambda self: self[3])
    log = property(lambda self: self[4])


def slider_specs(model: Any, values: Mapping[str, float], *, params: Sequence[str] | None = None,
                 ranges: Mapping[str, Sequence[float]] | None = None, log: Sequence[str] = ()) -> list[SliderSpec]:
    """The sliders' ranges: ``ranges[name]`` if given, else ``value/10 .. 3·value``.

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model("repressilator")
    >>> [tuple(s) for s in slider_specs(m, m.numeric_values(), ranges={"n": (1, 5)})]
    [('beta', 1.0, 30.0, 10.0, False), ('n', 1.0, 5.0, 3.0, False)]
    """
    ranges = dict(ranges or {})
    names = list(params) if params is not None else list(model.parameter_names)
    out = []
    for name in names:
        model.parameter(name)
        v = float(values[name])
        if name in ranges:
            lo, hi = (float(r) for r in ranges[name])
        elif v > 0:
            lo, hi = v / 10, 3 * v
        elif v < 0:
            lo, hi = 3 * v, v / 10
        else:
            lo, hi = -1.0, 1.0
        if not lo < hi:
            raise ValueError(f"slider range of {name!r} must have start < end, got ({lo}, {hi})")
        is_log = name in log
        if is_log and lo <= 0:
            raise ValueError(f"a log-scale slider needs a positive range; {name!r} has ({lo}, {hi})")
        out.append(SliderSpec(name, lo, hi, min(max(v, lo), hi), is_log))
    return out


_SLIDER_FORMAT = """
const a = Math.abs(tick);
return (a >= 1e4 || (a < 1e-3 && tick !== 0)) ? tick.toExponential(3) : (+tick.toPrecision(4)).toString();
"""


def make_sliders(specs: Sequence[SliderSpec]) -> list[Any]:
    """Bokeh sliders for ``specs`` (named ``slider_<param>``; a log slider moves along ``log10``).

    The value shows with four significant digits at any magnitude (``2.962e-5``, ``3.5``,
    ``1.2e+4``), as the readouts do, where a fixed number of decimals would show a small value
    as ``0``.
    """
    from bokeh.models import CustomJSTickFormatter, Slider

    shown = CustomJSTickFormatter(code=_SLIDER_FORMAT)

    sliders = []
    for s in specs:
        if s.log:
            lo, hi, v = math.log10(s.start), math.log10(s.end), math.log10(s.value)
            title = f"log₁₀ {pretty(s.name)}"
        else:
            lo, hi, v = s.start, s.end, s.value
            title = pretty(s.name)
        sliders.append(Slider(start=lo, end=hi, value=v, step=(hi - lo) / 500, title=title, name=f"slider_{s.name}",
                              format=shown, width=260))
    return sliders


def _t_max(eigs: np.ndarray) -> float:
    """A window of six relaxation times of the slowest mode, at most twelve periods of the leading pair.

    The page's JavaScript uses the same rule (``t_window``) after every slider move.

    Examples
    --------
    >>> round(_t_max(np.array([-1.0, -0.02 + 1.8j, -0.02 - 1.8j])), 2)
    41.89
    """
    if not eigs.size:
        return 20.0
    slow = float(np.min(np.abs(eigs.real)))
    t = min(6.0 / max(slow, 1e-9), 150.0)
    lead = eigs[int(np.argmax(eigs.real))]
    if abs(lead.imag) > 1e-9:
        t = min(t, 12 * 2 * np.pi / abs(lead.imag))
    return float(max(t, 20.0))


_CODE = r"""
const L = window.LINSTAB[key];
const T0 = performance.now();
const p = base.slice();
for (let k = 0; k < sliders.length; k++) {
  const v = sliders[k].value;
  p[idx[k]] = logs[k] ? Math.pow(10, v) : v;
}
if (L.prev === undefined) L.prev = x_init.slice();
// every fixed point from the last one and the fallback starts; follow a stable one nearest the last
const found = L.LS.roots(L.rhs, L.jac, p, starts, {prev: L.prev, lower: lower, all: true});
const info = found.map(x => {
  const ev = L.LS.eig(L.jac(x, p), L.n);
  const scale = ev.reduce((m, e) => Math.max(m, Math.hypot(e[0], e[1])), 1);
  const cls = L.LS.classify(ev, 1e-9 * scale);
  let d = 0; for (let i = 0; i < x.length; i++) d += Math.pow((x[i] - L.prev[i]) / (1 + Math.abs(L.prev[i])), 2);
  return {x: x, ev: ev, scale: scale, cls: cls, d: d, stable: cls.startsWith("stable")};
});
const n_stable = info.filter(q => q.stable).length;
info.sort((a, b) => (b.stable - a.stable) || (a.d - b.d));
const fmt = v => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)) ? v.toExponential(2) : (+v.toFixed(3)).toString();
const shown = [];
for (let k = 0; k < sliders.length; k++) shown.push(labels[k] + " = " + fmt(p[idx[k]]));
const grey = "#555555", lines = [];
const chunked = (head, items) => {
  for (let a = 0; a < items.length; a += 3) lines.push([(a === 0 ? head : "   ") + items.slice(a, a + 3).join(", "), grey, false, 12]);
};
if (found.length === 0) {
  eig.data = {re: [], im: [], color: [], txt: []};
  lines.push(["no fixed point found", palette.muted, true, 15]);
  lines.push([shown.join(", "), grey, false, 12]);
  readout.tags = ["no fixed point found", ""];
} else {
  const x = info[0].x, ev = info[0].ev, scale = info[0].scale, cls = info[0].cls;
  L.prev = x.slice();
  const word = L.LS.stability(cls);
  const wc = word === "stable" ? palette.stable : (word === "unstable" ? palette.unstable : palette.neutral);
  eig.data = {re: ev.map(e => e[0]), im: ev.map(e => e[1]),
              color: ev.map(e => e[0] < 0 ? palette.stable : (Math.abs(e[1]) > 1e-9 * scale ? palette.oscillatory : palette.unstable)),
              txt: ev.map(e => fmt(e[0]) + (e[1] >= 0 ? " + " : " − ") + fmt(Math.abs(e[1])) + "i")};
  const tr = trail.data;
  const nt = {re: tr.re.concat(ev.map(e => e[0])), im: tr.im.concat(ev.map(e => e[1]))};
  if (nt.re.length > 600) { nt.re = nt.re.slice(-600); nt.im = nt.im.slice(-600); }
  trail.data = nt;
  const R = ev.reduce((m, e) => Math.max(m, Math.abs(e[0]), Math.abs(e[1])), 0);
  if (R > 0.95 * Math.min(-xr.start, xr.end, yr.end)) {
    const S = 1.3 * R; xr.start = -S; xr.end = S; yr.start = -S; yr.end = S;
  }
  const x0 = x.map((v, i) => v + 0.05 * (Math.abs(v) + 0.01) * (1 - 0.5 * i / Math.max(L.n - 1, 1)));
  const slow = ev.reduce((m, e) => Math.min(m, Math.abs(e[0])), Infinity);
  let tw = Math.min(6 / Math.max(slow, 1e-9), 150);
  if (Math.abs(ev[0][1]) > 1e-9) tw = Math.min(tw, 12 * 2 * Math.PI / Math.abs(ev[0][1]));
  const sol = L.LS.rk4(L.rhs, x0, p, fixed_t ? t_max : Math.max(tw, 20), steps);
  const d = {t: sol.t};
  for (let i = 0; i < L.n; i++) d["x" + i] = sol.X[i];
  tc.data = d;
  const osc = word === "unstable" && ev.some(e => e[0] > 0 && Math.abs(e[1]) > 1e-9 * scale);
  lines.push([word + " · " + cls, wc, true, 15]);
  if (osc) lines.push(["oscillatory instability: a complex pair with Re λ > 0", palette.oscillatory, false, 12]);
  if (found.length > 1)
    lines.push([found.length + " fixed points, " + n_stable + " stable" + (n_stable >= 2 ? ": bistable (showing one)" : ""),
                n_stable >= 2 ? palette.bistable : grey, n_stable >= 2, 12]);
  lines.push([shown.join(", "), grey, false, 12]);
  chunked("fixed point: ", varnames.map((v, i) => v + " = " + fmt(x[i])));
  chunked("λ: ", ev.map(e => fmt(e[0]) + (e[1] !== 0 ? (e[1] > 0 ? " + " : " − ") + fmt(Math.abs(e[1])) + "i" : "")));
  readout.tags = [word, cls];
}
readout.data = L.LS.readout(lines, panel_height, panel_width);
if (mark !== null) {
  const mx = names.indexOf(mark_x), my = names.indexOf(mark_y);
  mark.data = {x: [p[mx]], y: [p[my]]};
}
L.last_ms = performance.now() - T0;
L.calls = (L.calls || 0) + 1;  // callbacks run asynchronously: scripts and tests wait on this
"""

_TAP = r"""
for (let k = 0; k < sliders.length; k++) {
  const name = pnames[k];
  let v = null;
  if (name === mark_x) v = cb_obj.x; else if (name === mark_y) v = cb_obj.y; else continue;
  if (logs[k]) v = Math.log10(v);
  sliders[k].value = Math.min(Math.max(v, sliders[k].start), sliders[k].end);
}
"""


def eigenvalue_explorer(
    model: Any,
    *,
    diagram: Any = None,
    params: Sequence[str] | None = None,
    ranges: Mapping[str, Sequence[float]] | None = None,
    log: Sequence[str] = (),
    values: Mapping[str, float] | None = None,
    t_max: float | None = None,
    steps: int = 800,
    width: int = 400,
    height: int = 320,
) -> Any:
    """Sliders, the fixed point's eigenvalues in the complex plane, its classification and a time course.

    Parameters
    ----------
    model
        A :class:`linstab.Model` (any dimension; every parameter needs a value, or one in ``values``).
    diagram
        A figure from :func:`stability_diagram`; the current parameter point is marked on it, a
        tap on it moves the sliders, and the layout places it top left.
    params
        Parameters that get a slider (default: all).
    ranges
        Slider range per parameter (default ``value/10 .. 3·value``; the diagram's axis ranges for
        its two parameters).
    log
        Parameters whose slider moves along ``log10`` (default: those on a log axis of the diagram).
    values
        Parameter values to start from (default: the model's).
    t_max
        Length of the simulated time course (default: six relaxation times of the slowest mode,
        at most twelve periods of the leading complex pair, between 20 and 150; recomputed as the
        sliders move).
    steps
        RK4 steps of the time course.
    width, height
        Size of each of the two figures, in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A column layout. Named models for scripts and tests: ``slider_<param>``, ``classification``
        (the readout's source: ``data["text"]`` its lines, ``tags`` ``[stability, classification]``),
        ``eigenvalues`` (the source of the eigenvalue dots), ``time_course``. Callbacks run
        asynchronously; each one increments ``window.LINSTAB[key].calls`` when it is done.

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.

    Examples
    --------
    >>> from linstab import load_model
    >>> lay = eigenvalue_explorer(load_model("repressilator"), values={"beta": 3.5, "n": 3})
    >>> lay.select_one({"name": "classification"}).tags
    ['stable', 'stable spiral']
    """
    from bokeh.layouts import column, row
    from bokeh.models import BoxAnnotation, ColumnDataSource, CustomJS, Div, Legend, LegendItem, Range1d, Span

    vals = model.numeric_values(values)
    diag_tag = (diagram.tags[0] if diagram is not None and diagram.tags and isinstance(diagram.tags[0], dict)
                and diagram.tags[0].get("linstab") == "stability_diagram" else None)
    if diagram is not None and diag_tag is None:
        raise ValueError("eigenvalue_explorer: `diagram` must be a figure made by linstab.plot.stability_diagram")
    ranges = dict(ranges or {})
    log = set(log)
    if diag_tag is not None:
        for axis, name in (("x", diag_tag["x"]), ("y", diag_tag["y"])):
            rng = diagram.x_range if axis == "x" else diagram.y_range
            ranges.setdefault(name, (rng.start, rng.end))
            if (diagram.x_scale if axis == "x" else diagram.y_scale).__class__.__name__ == "LogScale" and not log & {name}:
                log.add(name)
    specs = slider_specs(model, vals, params=params, ranges=ranges, log=sorted(log))
    for s in specs:
        vals[s.name] = s.value

    points = num.fixed_points(model, vals)
    names = list(model.parameter_names)
    if points:
        fp = next((q for q in points if q.stable), points[0])
        x_init, eigs = fp.state, fp.eigenvalues
        cls = fp.classification
    else:
        x_init, eigs, cls = np.ones(model.n_vars), np.zeros(0, complex), None
    fixed_t = t_max is not None
    t_max = float(t_max) if t_max is not None else _t_max(eigs)
    steps = int(steps)

    sliders = make_sliders(specs)

    # --- eigenvalues in the complex plane
    scale = float(np.max(np.abs(eigs))) if eigs.size else 1.0
    R = 1.3 * max(scale, 0.5)
    xr, yr = Range1d(-R, R), Range1d(-R, R)
    pe = figure(x_label="Re λ", y_label="Im λ", title="Eigenvalues of the Jacobian at the fixed point",
                width=width, height=height, x_range=xr, y_range=yr, name="eigenvalue_plane")
    pe.add_layout(BoxAnnotation(left=0, fill_color=tint(PALETTE["unstable"], 0.5), fill_alpha=0.18, line_color=None))
    pe.add_layout(Span(location=0, dimension="height", line_color=PALETTE["neutral"], line_width=1.5))
    pe.add_layout(Span(location=0, dimension="width", line_color=PALETTE["muted"], line_width=1))
    fmt = "{:.3g}".format
    eig_src = ColumnDataSource({
        "re": eigs.real.tolist(), "im": eigs.imag.tolist(),
        "color": [PALETTE["stable"] if e.real < 0 else (PALETTE["oscillatory"] if abs(e.imag) > 1e-9 else PALETTE["unstable"])
                  for e in eigs],
        "txt": [f"{fmt(e.real)} {'+' if e.imag >= 0 else '−'} {fmt(abs(e.imag))}i" for e in eigs],
    }, name="eigenvalues")
    trail = ColumnDataSource({"re": eigs.real.tolist(), "im": eigs.imag.tolist()}, name="eigen_trail")
    pe.scatter("re", "im", source=trail, size=3, color=PALETTE["muted"], alpha=0.5)
    dots = pe.scatter("re", "im", source=eig_src, size=12, fill_color="color", line_color="white", line_width=1.5)
    hover(pe, [dots], [("λ", "@txt")])
    pe.text([R * 0.05], [R * 0.9], text=["unstable: Re λ > 0"], text_font_size="11px", text_color=PALETTE["unstable"],
            text_align="left")
    pe.text([-R * 0.05], [R * 0.9], text=["stable: Re λ < 0"], text_font_size="11px", text_color=PALETTE["stable"],
            text_align="right")

    # --- time course from a small kick off the fixed point
    t, X = num.time_course(model, num.perturbed(x_init), vals, t_max=t_max, steps=steps) if points else (np.zeros(1), np.ones((model.n_vars, 1)))
    tc = ColumnDataSource({"t": t.tolist(), **{f"x{i}": X[i].tolist() for i in range(model.n_vars)}}, name="time_course")
    pt = figure(x_label="time t", y_label="state", title="Time course after a 5 % kick off the fixed point",
                width=width, height=height, name="time_course_plot")
    items = []
    for i, v in enumerate(model.variable_names):
        r = pt.line("t", f"x{i}", source=tc, line_width=2, color=VARIABLE_COLORS[i % len(VARIABLE_COLORS)])
        items.append(LegendItem(label=pretty(v), renderers=[r]))
    pt.add_layout(Legend(items=items), "center")  # moved under the plotting area by legends_outside

    # --- classification readout (a canvas panel: cheap to update, see linstab.plot._style.readout)
    word = stability_word(cls) if cls else "no fixed point found"
    lines = _initial_lines(specs, vals, x_init, eigs, cls, model, points)
    shown = ", ".join(f"{pretty(s.name)} = {fmt(vals[s.name])}" for s in specs)
    # every line the callback may write, the parameters' line wrapped to the panel
    panel_height = 30 + 17 * (2 + len(wrap_line(shown, 12, False, 320 - 8)) + 2 * math.ceil(model.n_vars / 3))
    panel, readout_src = readout(lines, name="classification",
                                 width=320, height=panel_height, tags=[word, cls] if cls else [word, ""])

    mark = None
    if diag_tag is not None:
        mark = ColumnDataSource({"x": [vals[diag_tag["x"]]], "y": [vals[diag_tag["y"]]]}, name="diagram_marker")
        diagram.scatter("x", "y", source=mark, marker="star", size=18, fill_color="white",
                            line_color=PALETTE["neutral"], line_width=2)
        # no tooltip of its own: after a tap the marker sits under the pointer, and its tooltip lay on
        # top of the region's; the readout beside the diagram names the current point

    key = f"{model.name}-{uuid.uuid4().hex[:8]}"
    args = dict(
        key=key, sliders=sliders, idx=[names.index(s.name) for s in specs], logs=[s.log for s in specs],
        labels=[pretty(s.name) for s in specs], base=model.parameter_vector(vals), x_init=[float(v) for v in x_init],
        starts=num.starts(model, {k: max(abs(v), abs(r[1])) for k, v in vals.items() for r in [ranges.get(k, (0, v))]}),
        lower=num.lower_bounds(model), eig=eig_src, trail=trail, tc=tc, readout=readout_src, panel_height=panel_height, panel_width=panel.width, xr=xr, yr=yr, t_max=t_max, fixed_t=fixed_t,
        steps=steps, varnames=[pretty(v) for v in model.variable_names], names=names, mark=mark,
        mark_x=diag_tag["x"] if diag_tag else "", mark_y=diag_tag["y"] if diag_tag else "",
        palette=dict(PALETTE),
    )
    cb = CustomJS(args=args, code=program(model, key) + _CODE)
    for s in sliders:
        s.js_on_change("value", cb)
    if diagram is not None:
        diagram.js_on_event("tap", CustomJS(args=dict(sliders=sliders, pnames=[s.name for s in specs],
                                                       logs=[s.log for s in specs], mark_x=diag_tag["x"],
                                                       mark_y=diag_tag["y"]), code=_TAP))
        hint = Div(text="<i style='color:#666;font-size:11px'>Tap the diagram to move to a point.</i>", width=300)
        controls = column(*sliders, panel, hint)
        return legends_outside(column(row(diagram, controls), row(pe, pt), name="explorer"))
    return legends_outside(column(row(column(*sliders, panel), pe), pt, name="explorer"))


def _initial_lines(specs: Sequence[SliderSpec], vals: Mapping[str, float], x: Any, eigs: np.ndarray, cls: str | None,
                   model: Any, points: Sequence[Any]) -> list[tuple[str, str, bool, int]]:
    """The readout's lines before any script runs (the page's JavaScript writes the same ones)."""
    grey = "#555555"
    fmt = "{:.4g}".format
    shown = ", ".join(f"{pretty(s.name)} = {fmt(vals[s.name])}" for s in specs)
    if cls is None:
        return [("no fixed point found", PALETTE["muted"], True, 15), (shown, grey, False, 12)]
    word = stability_word(cls)
    wc = {"stable": PALETTE["stable"], "unstable": PALETTE["unstable"]}.get(word, PALETTE["neutral"])
    lines = [(f"{word} · {cls}", wc, True, 15)]
    if word == "unstable" and any(e.real > 0 and abs(e.imag) > 1e-9 for e in eigs):
        lines.append(("oscillatory instability: a complex pair with Re λ > 0", PALETTE["oscillatory"], False, 12))
    if len(points) > 1:
        n_st = sum(q.stable for q in points)
        lines.append((f"{len(points)} fixed points, {n_st} stable" + (": bistable (showing one)" if n_st >= 2 else ""),
                      PALETTE["bistable"] if n_st >= 2 else grey, n_st >= 2, 12))
    lines.append((shown, grey, False, 12))
    items = [f"{pretty(v)} = {fmt(xi)}" for v, xi in zip(model.variable_names, x)]
    lam = [fmt(e.real) + (f" {'+' if e.imag > 0 else '−'} {fmt(abs(e.imag))}i" if e.imag != 0 else "") for e in eigs]
    for head, its in (("fixed point: ", items), ("λ: ", lam)):
        for a in range(0, len(its), 3):
            lines.append(((head if a == 0 else "   ") + ", ".join(its[a:a + 3]), grey, False, 12))
    return lines
