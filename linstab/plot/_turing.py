"""Turing diagram: regions of a parameter plane beside the dispersion curve λ(k), with live sliders.

Left, the cells of a :class:`linstab.num.TuringMap` (stable, Turing, unstable without diffusion)
with the Turing boundaries drawn on top; right, the growth rates ``Re λ(k)`` of ``J − k²D`` at the
slider values, recomputed in the browser: the homogeneous state, ``J`` and ``D`` are printed as
JavaScript from their SymPy expressions (the printer of :mod:`linstab.plot._js`; where the state
has no closed form, the page finds it by Newton's method from the last one), and the eigenvalues
come from the page's own small library. The page needs no server and no network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from linstab.plot._js import LIBRARY, _function
from linstab.plot._style import PALETTE, figure, pretty

__all__ = ["turing_diagram", "TURING_COLORS"]

#: Region code of a Turing map -> (label, colour).
TURING_COLORS = {0: ("stable", PALETTE["stable"]), 1: ("Turing (diffusion-driven)", "#009E73"),
                 2: ("unstable without diffusion", PALETTE["unstable"]), 3: ("no state", PALETTE["muted"])}

_UPDATE = r"""
const T = window.LINSTAB_TURING[key];
const p = T.p0.slice();
for (const s of sliders) p[T.index[s.name.slice(7)]] = s.value;
const x = T.hstate([], p), J = T.jac(x, p), D = T.dcoef(x, p), n = T.n;
const ks = [], re1 = [], re2 = [];
let best = -Infinity, kbest = 0;
for (let i = 0; i < T.nk; i++) {
  const k = T.kmax * i / (T.nk - 1);
  const A = J.slice();
  for (let j = 0; j < n; j++) A[j * n + j] -= k * k * D[j];
  const ev = T.LS.eig(A, n);
  ks.push(k); re1.push(ev[0][0]); re2.push(n > 1 ? ev[1][0] : NaN);
  if (i > 0 && ev[0][0] > best) { best = ev[0][0]; kbest = k; }
}
curve.data = {k: ks, re1: re1, re2: re2};
marker.data = {x: [p[T.index[T.xname]]], y: [p[T.index[T.yname]]]};
const g0 = J.length ? T.LS.eig(J.slice(), n)[0][0] : NaN;
const verdict = !x.every(Number.isFinite) ? "no steady state found (near the last one)" :
  !(g0 < 0) ? "unstable without diffusion" : (best > 0 ? "Turing unstable" : "stable");
readout.text = "u* = (" + x.map(v => v.toPrecision(4)).join(", ") + "): max Re λ(k) = " + best.toPrecision(4) + " at k = " + kbest.toPrecision(4) +
  " (wavelength " + (2 * Math.PI / kbest).toPrecision(4) + "); Re λ(0) = " + g0.toPrecision(4) + ": " + verdict;
"""


def _script(model: Any, key: str, data: Any) -> str:
    """The page's model: ``hstate(x, p)`` (closed form, or Newton from the last state), ``jac``, ``dcoef``."""
    dcoef = _function("dcoef", [c for _, c in model.diffusion], model)
    if data.state is None:  # no closed form: Newton in the page, from the state at the initial values
        src = "\n".join([_function("rhs", list(model.rhs), model), _function("jac", list(model.jacobian()), model),
                         dcoef,
                         f"let last = {json.dumps(data.seed)};",
                         "function hstate(_x, p) {",
                         "  const r = LS.newton(rhs, jac, last, p);",
                         "  if (r.ok) { last = r.x; return r.x; }",
                         "  return last.map(() => NaN);",
                         "}"])
    else:
        J = model.jacobian().xreplace(data.state)
        src = "\n".join([_function("hstate", [data.state[v] for v in model.variables], model),
                         _function("jac", list(J), model), dcoef])
    k = json.dumps(key)
    return (f"if (!window.LINSTAB_TURING) window.LINSTAB_TURING = {{}};\n"
            f"if (!window.LINSTAB_TURING[{k}]) window.LINSTAB_TURING[{k}] = (function() {{\n{LIBRARY}\n{src}\n"
            f"  return {{hstate: hstate, jac: jac, dcoef: dcoef, LS: LS}};\n}})();\n")


def turing_diagram(tmap: Any, *, curves: Sequence[Any] = (), k_max: float | None = None, n_k: int = 200,
                   width: int = 420, height: int = 360) -> Any:
    """Turing regions of a parameter plane and the dispersion curve ``Re λ(k)``, with sliders.

    Parameters
    ----------
    tmap
        A :class:`linstab.num.TuringMap` (from :func:`linstab.num.turing_map`).
    curves
        Turing boundaries (:class:`linstab.BifurcationCurve`, ``kind == "turing"``) in the same plane.
    k_max
        Largest wavenumber of the dispersion plot (default: 2.5 times the largest fastest mode of the map).
    n_k
        Points of the dispersion curve.
    width, height
        Size of each figure in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: the map, and the dispersion plot above one slider per parameter.

    Examples
    --------
    >>> from linstab.num import turing_map
    >>> tm = turing_map("schnakenberg", ("d", 2.0, 40.0, 8), ("b", 0.4, 1.6, 6))
    >>> layout = turing_diagram(tm)
    >>> from bokeh.models import Slider
    >>> sorted(m.name for m in layout.select({"type": Slider}))
    ['slider_a', 'slider_b', 'slider_d']
    """
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, CustomJS, Div, Slider, Span

    from linstab.analysis import turing_figure_data

    data = turing_figure_data(tmap, k_max=k_max, n_k=n_k)
    model = tmap.model
    xs, ys = np.asarray(tmap.x), np.asarray(tmap.y)
    dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
    dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
    mp = figure(x_label=pretty(tmap.x_name), y_label=pretty(tmap.y_name), width=width, height=height,
                title=f"Turing regions of {model.name}", name="turing_map")
    X, Y = np.meshgrid(xs, ys)
    for code, (label, color) in TURING_COLORS.items():
        sel = tmap.region == code
        if sel.any():
            mp.rect(x=X[sel], y=Y[sel], width=dx, height=dy, fill_color=color, fill_alpha=0.45, line_color=None,
                    legend_label=label)
    for c in curves:
        pts = np.asarray(c.points)
        if len(pts):
            mp.line(pts[:, 0], pts[:, 1], line_color=PALETTE["neutral"], line_width=2,
                    legend_label=f"Turing boundary ({c.route})")
    mp.legend.location = "top_left"
    mp.legend.background_fill_alpha = 0.7
    values = data.values
    marker = ColumnDataSource({"x": [values[tmap.x_name]], "y": [values[tmap.y_name]]})
    mp.scatter("x", "y", source=marker, size=10, marker="circle", fill_color="white", line_color="black", line_width=2)

    k, lam, kmax = data.k, data.lam, data.k_max
    curve = ColumnDataSource({"k": k, "re1": lam[:, 0].real, "re2": lam[:, 1].real if lam.shape[-1] > 1 else k * np.nan})
    dp = figure(x_label="wavenumber k", y_label="Re λ(k)", width=width, height=height,
                title="Dispersion relation: eigenvalues of J − k²D", name="dispersion")
    dp.line("k", "re1", source=curve, line_color="#009E73", line_width=2.5, legend_label="leading Re λ")
    dp.line("k", "re2", source=curve, line_color=PALETTE["muted"], line_width=1.5, line_dash="dashed",
            legend_label="second Re λ")
    dp.add_layout(Span(location=0, dimension="width", line_color=PALETTE["neutral"], line_width=1))
    dp.legend.location = "bottom_left"
    readout = Div(text="", width=width, name="turing_readout")
    sliders = []
    for name in model.parameter_names:
        v = float(values[name])
        if name == tmap.x_name:
            lo, hi = float(xs[0]), float(xs[-1])
        elif name == tmap.y_name:
            lo, hi = float(ys[0]), float(ys[-1])
        else:
            lo, hi = (v / 4, v * 4) if v > 0 else (v - 1.0, v + 1.0) if v == 0 else (v * 4, v / 4)
        sliders.append(Slider(start=lo, end=hi, value=min(max(v, lo), hi), step=(hi - lo) / 400, title=pretty(name),
                              name=f"slider_{name}", width=width - 20))
    key = f"turing_{model.name}_{id(tmap)}"
    setup = (f"const key = {json.dumps(key)};\n"
             f"Object.assign(window.LINSTAB_TURING[key], {{n: {model.n_vars}, nk: {int(n_k)}, kmax: {kmax!r}, "
             f"xname: {json.dumps(tmap.x_name)}, yname: {json.dumps(tmap.y_name)}, "
             f"index: {json.dumps({n: i for i, n in enumerate(model.parameter_names)})}, "
             f"p0: {json.dumps([float(values[n]) for n in model.parameter_names])}}});\n")
    cb = CustomJS(args={"sliders": sliders, "curve": curve, "marker": marker, "readout": readout},
                  code=_script(model, key, data) + setup + _UPDATE)
    for s in sliders:
        s.js_on_change("value", cb)
    g = lam[1:, 0].real
    i = int(np.argmax(g)) + 1
    readout.text = (f"max Re λ(k) = {g.max():.4g} at k = {k[i]:.4g} (wavelength {2 * np.pi / k[i]:.4g}); "
                    f"Re λ(0) = {lam[0, 0].real:.4g}")
    return row(mp, column(dp, readout, *sliders))
