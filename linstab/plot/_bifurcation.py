"""Bifurcation diagram: a state variable at the fixed points against one parameter.

The branches, their stability and their special points are
:func:`linstab.analysis.bifurcation_branches`; this module draws them. A slider moves a marker along the parameter axis; the page's JavaScript finds the fixed points at
that value and shows them on the diagram.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab._parse import as_expr
from linstab.analysis import figures as num
from linstab.plot._explorer import make_sliders, slider_specs
from linstab.plot._js import program
from linstab.plot._style import CLASS_COLORS, PALETTE, figure, hover, legends_outside, pretty, readout, readout_height

__all__ = ["bifurcation_diagram", "branch_js"]

_FOLD = "#5D3A9B"
_BRANCH_POINT = "#009E73"


def branch_js(model: Any, param: str) -> tuple[str, list[bool]]:
    """JavaScript ``branches = [f(s, p) -> [P, x...], ...]`` of the parametric branches, and per branch
    whether its coordinate is nonnegative (sampled on a log grid) or real.

    Examples
    --------
    >>> from linstab import load_model
    >>> code, nonneg = branch_js(load_model("repressilator"), "beta")
    >>> nonneg, "Math.pow" in code
    ([True], True)
    """
    import sympy as sp
    from sympy.printing.jscode import jscode

    branches = num.parametric_branches(model, param)
    if not branches:
        return "const branches = [];", []
    others = {s for s in model.parameters if s.name != param}
    ps = {sym: sp.Symbol(f"_p{i}", real=True) for i, sym in enumerate(model.parameters)}
    funcs, nonneg = [], []
    for br in branches:
        s = br.coordinate
        exprs = [br.value] + [as_expr(br.state.get(v, v)) for v in model.variables]
        if any(e.free_symbols - {s, *others} for e in exprs):
            continue
        u = sp.Symbol("_s", real=True)
        exprs = [e.xreplace({**ps, s: u}) for e in exprs]
        subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_c"))
        lines = ["(function(_s, p) {"]
        lines.append("  const " + ", ".join(f"{v} = p[{i}]" for i, v in enumerate(ps.values())) + ";")
        lines += [f"  const {a} = {jscode(b)};" for a, b in subs]
        lines.append("  return [" + ", ".join(jscode(e) for e in reduced) + "];")
        lines.append("})")
        funcs.append("\n".join(lines))
        domain = model.domain.get(s.name, "")
        nonneg.append(bool(s.is_nonnegative or domain in ("nonnegative", "positive")))
    return "const branches = [" + ",\n".join(funcs) + "];", nonneg


_MARKS = {"fold": (_FOLD, "square"), "Hopf": (PALETTE["neutral"], "circle"), "branch point": (_BRANCH_POINT, "diamond")}


def _columns(branches: list[dict[str, np.ndarray]], vi: int) -> dict[str, dict[str, list[float]]]:
    """Line columns per stability (runs joined, NaN between)."""
    from linstab.analysis import segments

    cols: dict[str, dict[str, list[float]]] = {k: {"p": [], "y": []} for k in ("stable", "oscillatory", "unstable")}
    for b in branches:
        P, y, mr, osc = b["p"], b["state"][:, vi], b["max_real"], b["oscillatory"]
        state = np.where(mr < 0, "stable", np.where(osc, "oscillatory", "unstable"))
        for i, j in segments(state):
            jj = min(j + 1, len(P) - 1)  # overlap one point so that the runs join
            c = cols[str(state[i])]
            c["p"] += P[i:jj + 1].tolist() + [float("nan")]
            c["y"] += y[i:jj + 1].tolist() + [float("nan")]
    return cols


def _special_columns(specials: Sequence[Any], vi: int) -> dict[str, list[Any]]:
    """The columns of the ``special_points`` source: folds, Hopf points and branch points."""
    return {"p": [s.p for s in specials], "y": [float(s.state[vi]) for s in specials],
            "kind": [s.kind for s in specials], "color": [_MARKS[s.kind][0] for s in specials],
            "marker": [_MARKS[s.kind][1] for s in specials]}


_CODE = r"""
const L = window.LINSTAB[key];
const T0 = performance.now();
const p = base.slice();
for (let q = 0; q < others.length; q++) { const v = others[q].value; p[oidx[q]] = ologs[q] ? Math.pow(10, v) : v; }
const P = log ? Math.pow(10, slider.value) : slider.value;
p[k] = P;
const fmt = v => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)) ? v.toExponential(2) : (+v.toFixed(3)).toString();

if (cb_obj !== slider && L.branches.length) {
  // the branches moved: sample them again (adaptively, as in Python) and find their stability
  const lo = prange[0], hi = prange[1], n = L.n;
  const pn = P => log ? Math.log(P) / Math.log(hi / lo) : P / (hi - lo);
  const inside = r => r.every(isFinite) && r[0] >= lo && r[0] <= hi &&
    r.every((x, i) => i === 0 || lower[i - 1] === null || x >= lower[i - 1] - 1e-12);
  const cols = {stable: {p: [], y: []}, oscillatory: {p: [], y: []}, unstable: {p: [], y: []}};
  const S = {p: [], y: [], kind: [], color: [], marker: []};
  L.branches.forEach((f, b) => {
    let g = [];
    if (nonneg[b]) { g.push(0); for (let i = 0; i < 600; i++) g.push(Math.pow(10, -6 + 12 * i / 599)); }
    else {
      for (let i = 0; i < 300; i++) g.push(-Math.pow(10, 6 - 12 * i / 299));
      g.push(0);
      for (let i = 0; i < 300; i++) g.push(Math.pow(10, -6 + 12 * i / 299));
    }
    let V = g.map(s => f(s, p)), OK = V.map(inside);
    for (let round = 0; round < 14; round++) {
      const spread = new Array(n).fill(0);
      V.forEach((r, i) => { if (OK[i]) for (let j = 0; j < n; j++) spread[j] = Math.max(spread[j], Math.abs(r[j + 1])); });
      const ng = [], nV = [], nOK = [];
      let added = 0;
      for (let i = 0; i < g.length; i++) {
        ng.push(g[i]); nV.push(V[i]); nOK.push(OK[i]);
        if (i + 1 === g.length) break;
        const a = V[i], c = V[i + 1];
        const across = Math.min(a[0], c[0]) <= hi && Math.max(a[0], c[0]) >= lo;
        if (!(OK[i] || OK[i + 1] || across)) continue;
        let jump = Math.abs(pn(a[0]) - pn(c[0])), dx = 0;
        for (let j = 0; j < n; j++) dx = Math.max(dx, Math.abs(a[j + 1] - c[j + 1]) / (spread[j] || 1));
        jump += dx;
        if (!isFinite(jump)) jump = 1;
        if (jump > 0.004 && g.length + added < 12000) {
          const m = 0.5 * (g[i] + g[i + 1]), r = f(m, p);
          ng.push(m); nV.push(r); nOK.push(inside(r)); added++;
        }
      }
      g = ng; V = nV; OK = nOK;
      if (added === 0) break;
    }
    // runs of points in range; the stability along each
    let i = 0;
    while (i < g.length) {
      if (!OK[i]) { i++; continue; }
      let j = i; while (j + 1 < g.length && OK[j + 1]) j++;
      if (j > i) {
        const Pp = [], Y = [], MR = [], OS = [];
        for (let t = i; t <= j; t++) {
          const r = V[t], q = p.slice(); q[k] = r[0];
          const ev = L.LS.eig(L.jac(r.slice(1), q), n);
          const scale = ev.reduce((m, e) => Math.max(m, Math.hypot(e[0], e[1])), 1);
          Pp.push(r[0]); Y.push(r[1 + vi]); MR.push(ev[0][0]); OS.push(Math.abs(ev[0][1]) > 1e-9 * scale);
        }
        const kind = t => MR[t] < 0 ? "stable" : (OS[t] ? "oscillatory" : "unstable");
        let a = 0;
        for (let t = 1; t <= Pp.length; t++) {
          if (t === Pp.length || kind(t) !== kind(a)) {
            const e = Math.min(t, Pp.length - 1), c = cols[kind(a)];
            for (let u = a; u <= e; u++) { c.p.push(Pp[u]); c.y.push(Y[u]); }
            c.p.push(NaN); c.y.push(NaN);
            a = t;
          }
        }
        for (let t = 1; t + 1 < Pp.length; t++) {
          if ((Pp[t] - Pp[t - 1]) * (Pp[t + 1] - Pp[t]) < 0) {
            S.p.push(Pp[t]); S.y.push(Y[t]); S.kind.push("fold"); S.color.push(fold_color); S.marker.push("square");
          }
        }
        for (let t = 0; t + 1 < Pp.length; t++) {
          if (MR[t] * MR[t + 1] < 0 && (OS[t] || OS[t + 1])) {
            const w = MR[t] / (MR[t] - MR[t + 1]);
            S.p.push(Pp[t] + w * (Pp[t + 1] - Pp[t])); S.y.push(Y[t] + w * (Y[t + 1] - Y[t]));
            S.kind.push("Hopf"); S.color.push(palette.neutral); S.marker.push("circle");
          }
        }
      }
      i = j + 1;
    }
  });
  for (const name in cols) {
    const c = cols[name];
    srcs[name].data = {p: c.p, y: c.y, stability: c.p.map(() => labels[name])};
  }
  special.data = S;
  statics.forEach(r => { r.visible = false; });  // the numeric sweep was for the initial values
}

const found = L.LS.roots(L.rhs, L.jac, p, (L.prev || prev0).concat(starts), {lower: lower, all: true});
L.prev = found.map(x => x.slice());
const D = {p: [], y: [], color: [], cls: []};
for (const x of found) {
  const ev = L.LS.eig(L.jac(x, p), L.n);
  const scale = ev.reduce((m, e) => Math.max(m, Math.hypot(e[0], e[1])), 1);
  const cls = L.LS.classify(ev, 1e-9 * scale);
  D.p.push(P); D.y.push(x[vi]); D.cls.push(cls); D.color.push(colors[cls] || palette.neutral);
}
cur.data = D;
span.location = P;
const shown = others.map((o, q) => olabels[q] + " = " + fmt(p[oidx[q]]));
const lines = [[pname + " = " + fmt(P) + " · " + D.p.length + " fixed point" + (D.p.length === 1 ? "" : "s"), palette.neutral, true, 15]];
if (shown.length) lines.push([shown.join(", "), "#555555", false, 12]);
D.p.forEach((_, i) => lines.push(["● " + vname + " = " + fmt(D.y[i]) + ", " + D.cls[i], D.color[i], false, 12]));
readout.data = L.LS.readout(lines, panel_height, panel_width);
readout.tags = D.cls.slice();
L.last_ms = performance.now() - T0;
L.calls = (L.calls || 0) + 1;  // callbacks run asynchronously: scripts and tests wait on this
"""


def bifurcation_diagram(
    model: Any,
    param: str,
    *,
    variable: str | None = None,
    values: Mapping[str, float] | None = None,
    p_range: Sequence[float] | None = None,
    log_p: bool | None = None,
    ranges: Mapping[str, Sequence[float]] | None = None,
    n_sweep: int = 80,
    width: int = 520,
    height: int = 400,
) -> Any:
    """A state variable at the fixed points against ``param``: stable/unstable branches, folds, Hopf points.

    Parameters
    ----------
    model
        A :class:`linstab.Model`.
    param
        The parameter on the horizontal axis.
    variable
        The state variable on the vertical axis (default: the first).
    values
        Values of the other parameters (default: the model's).
    p_range
        Range of ``param`` (default: ``value/10 .. 10·value``).
    log_p
        Logarithmic parameter axis (default: when the range spans more than a factor 20).
    ranges
        Slider ranges of the other parameters (default ``value/10 .. 3·value``); those sliders
        exist only where the branches have a parametric form, which the browser re-evaluates.
    n_sweep
        Parameter values of the numeric sweep. Where no parametric branch exists it gives all the
        points; otherwise it adds the fixed points on none of the branches (e.g. the toggle switch's
        asymmetric states past its pitchfork), drawn filled where stable, hollow where not, for the
        initial values of the other parameters (hidden once their sliders move the branches).
    width, height
        Size of the figure in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: the diagram and, beside it, a slider for ``param`` with a readout and sliders for
        the other parameters. Named models: ``bifurcation_diagram`` (the figure), ``slider_<name>``,
        ``current_points`` (the fixed points at the slider's value), ``special_points`` (folds,
        Hopf points and branch points), ``sweep_points`` (fixed points off the branches, if any), ``branch_stable``/``branch_unstable``/``branch_oscillatory`` (the branches,
        NaN-separated), ``classification``.

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, ch. 3 and 8;
    Kuznetsov, Y. A., *Elements of Applied Bifurcation Theory*, 3rd ed., Springer, 2004.

    Examples
    --------
    >>> from linstab import load_model
    >>> lay = bifurcation_diagram(load_model("repressilator"), "beta", p_range=(1, 100))
    >>> lay.select_one({"name": "special_points"}).data["kind"]
    ['Hopf']
    """
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, CustomJS, DataRange1d, Div, Range1d, Span

    from linstab.analysis import bifurcation_branches

    variable = variable or model.variable_names[0]
    if variable not in model.variable_names:
        raise ValueError(f"bifurcation_diagram: variable must be one of {', '.join(model.variable_names)}; "
                         f"got {variable!r}")
    vi = model.variable_names.index(variable)
    data = bifurcation_branches(model, param, values=values, p_range=p_range, log_p=log_p, n_sweep=n_sweep)
    vals, (lo, hi), log_p, branches = data.values, data.p_range, data.log_p, data.branches

    pn, vn = pretty(param), pretty(variable)
    p = figure(x_label=pn, y_label=f"{vn} at the fixed points", title=f"Bifurcation diagram of {model.name} in {pn}",
               width=width, height=height, log_x=log_p, x_range=Range1d(lo, hi), name="bifurcation_diagram")
    specials = _special_columns(data.specials, vi)
    line_renderers = []
    styles = {
        "stable": (PALETTE["stable"], "solid", "stable"),
        "oscillatory": (PALETTE["oscillatory"], "dashed", "unstable (oscillatory)"),
        "unstable": (PALETTE["unstable"], "dashed", "unstable"),
    }
    line_srcs = {}
    statics: list[Any] = []  # glyphs for the initial parameter values only, hidden once the branches move
    if branches:
        cols = _columns(branches, vi)
        for key in ("stable", "oscillatory", "unstable"):
            color, dash, label = styles[key]
            src = ColumnDataSource({**cols[key], "stability": [label] * len(cols[key]["p"])}, name=f"branch_{key}")
            line_srcs[key] = src
            kw = {"legend_label": label} if cols[key]["p"] else {}
            line_renderers.append(p.line("p", "y", source=src, line_width=3, color=color, line_dash=dash, **kw))
        # fixed points off the parametric branches (the toggle switch's asymmetric states): a numeric sweep
        extra: dict[str, list[Any]] = {"p": [], "y": [], "stability": [], "color": [], "fill": [], "state": []}
        extra.update({f"x_{v}": [] for v in model.variable_names})
        for q, fp in ((q, fp) for q, fps in data.sweep for fp in fps):
            color = CLASS_COLORS.get(fp.classification, PALETTE["neutral"])
            extra["p"].append(q)
            extra["y"].append(float(fp.state[vi]))
            extra["stability"].append(fp.classification)
            extra["color"].append(color)
            extra["fill"].append(color if fp.stable else "white")
            extra["state"].append(", ".join(f"{pretty(v)} = {float(x):.3g}" for v, x in zip(model.variable_names, fp.state)))
            for v, x in zip(model.variable_names, fp.state):
                extra[f"x_{v}"].append(float(x))
        if extra["p"]:
            esrc = ColumnDataSource(extra, name="sweep_points")
            er = p.scatter("p", "y", source=esrc, size=5, line_color="color", fill_color="fill", line_width=1.2,
                           legend_label="other fixed points (numeric sweep)", name="sweep_glyphs")
            statics.append(er)
            line_renderers.append(er)
            hover(p, [er], [(pn, "@p{0.[000]}"), ("", "@state"), ("", "@stability (numeric sweep)")])
    else:
        sweep: dict[str, list[Any]] = {"p": [], "y": [], "stability": [], "color": []}
        for q, fps in data.sweep:
            for fp in fps:
                osc = bool(np.any((fp.eigenvalues.real > 0) & (np.abs(fp.eigenvalues.imag) > 1e-9)))
                key = "stable" if fp.stable else ("oscillatory" if osc else "unstable")
                sweep["p"].append(float(q))
                sweep["y"].append(float(fp.state[vi]))
                sweep["stability"].append(styles[key][2])
                sweep["color"].append(styles[key][0])
        src = ColumnDataSource(sweep, name="sweep")
        line_renderers.append(p.scatter("p", "y", source=src, size=6, color="color", legend_field="stability"))
    hover(p, line_renderers, [(pn, "@p{0.[000]}"), (vn, "@y{0.[000]}"), ("", "@stability")], line_policy="nearest")
    sp_src = ColumnDataSource(specials, name="special_points")
    if specials["p"] or branches:
        r = p.scatter("p", "y", source=sp_src, marker="marker", size=11, fill_color="white", line_color="color",
                      line_width=2.5, legend_field="kind")
        hover(p, [r], [("", "@kind"), (pn, "@p{0.[0000]}"), (vn, "@y{0.[000]}")])
    lower = num.lower_bounds(model)
    ylo = 0.0 if lower[vi] is not None else None
    if ylo is not None:  # from 0, the top following the branches as the sliders move them
        p.y_range = DataRange1d(start=ylo, range_padding=0.08, renderers=line_renderers)

    specs = slider_specs(model, vals, params=[param], ranges={param: (lo, hi)}, log=[param] if log_p else [])
    (slider,) = make_sliders(specs)
    other_names = [q for q in model.parameter_names if q != param] if branches else []
    other_specs = slider_specs(model, vals, params=other_names, ranges=ranges)
    others = make_sliders(other_specs)
    span = Span(location=specs[0].value, dimension="height", line_color=PALETTE["muted"], line_width=1.5,
                line_dash="dotted")
    p.add_layout(span)
    here = num.fixed_points(model, {**vals, param: specs[0].value})
    cur = ColumnDataSource({"p": [specs[0].value] * len(here), "y": [float(fp.state[vi]) for fp in here],
                            "color": [CLASS_COLORS.get(fp.classification, PALETTE["neutral"]) for fp in here],
                            "cls": [fp.classification for fp in here]}, name="current_points")
    r = p.scatter("p", "y", source=cur, size=14, marker="star", fill_color="color", line_color=PALETTE["neutral"],
                  line_width=1)
    hover(p, [r], [("now", "@cls"), (pn, "@p{0.[000]}"), (vn, "@y{0.[000]}")])
    legends_outside(p)
    fmt = "{:.3g}".format
    shown = ", ".join(f"{pretty(o.name)} = {fmt(o.value)}" for o in other_specs)
    lines = [(f"{pn} = {fmt(specs[0].value)} · {len(here)} fixed point{'' if len(here) == 1 else 's'}",
              PALETTE["neutral"], True, 15)]
    if shown:
        lines.append((shown, "#555555", False, 12))
    lines += [(f"● {vn} = {fmt(y)}, {k2}", c, False, 12)
              for y, c, k2 in zip(cur.data["y"], cur.data["color"], cur.data["cls"])]
    panel_height = max(120, readout_height(lines, 300, extra_lines=2))  # room for fixed points a slider adds
    panel, readout_src = readout(lines, name="classification", width=300, height=panel_height,
                                 tags=[fp.classification for fp in here])
    key = f"{model.name}-{uuid.uuid4().hex[:8]}"
    big = {k2: max(abs(v2), hi if k2 == param else abs(v2)) for k2, v2 in vals.items()}
    names = list(model.parameter_names)
    code, nonneg = branch_js(model, param) if branches else ("const branches = [];", [])
    setup = f"if (window.LINSTAB[key].branches === undefined) window.LINSTAB[key].branches = (function() {{\n{code}\nreturn branches;\n}})();\n"
    args = dict(key=key, slider=slider, base=model.parameter_vector(vals), k=names.index(param),
                log=bool(log_p), starts=num.starts(model, big), prev0=[[float(v) for v in fp.state] for fp in here],
                lower=lower, vi=vi, cur=cur, span=span, readout=readout_src, panel_height=panel_height, panel_width=panel.width, colors=dict(CLASS_COLORS), palette=dict(PALETTE),
                pname=pn, vname=vn, others=others, oidx=[names.index(o.name) for o in other_specs],
                ologs=[o.log for o in other_specs], olabels=[pretty(o.name) for o in other_specs],
                prange=[lo, hi], nonneg=nonneg, srcs=line_srcs or None, special=sp_src, fold_color=_FOLD,
                labels={key2: styles[key2][2] for key2 in styles}, statics=statics)
    cb = CustomJS(args=args, code=program(model, key) + setup + _CODE)
    for sl in [slider, *others]:
        sl.js_on_change("value", cb)
    lines_text = "Solid: stable; dashed: unstable. " if branches else \
        "Dots: fixed points of a numeric sweep (no parametric branch); folds and Hopf points between sweep values. "
    note = Div(width=300, text="<i style='color:#666;font-size:11px'>" + lines_text
               + f"The {pn} slider marks the fixed points at one value"
               + ("; the other sliders redraw the branches." if others else ".") + "</i>")
    return row(p, column(slider, *others, panel, note), name="bifurcation")
