"""Live characteristic-root explorer beside the stability diagram of a delay model.

Left, the ``(Q, τ)`` map of :func:`linstab.plot.delay_diagram` with a marker at the slider values;
right, the rightmost characteristic roots in the complex plane and a readout (max Re λ, its
frequency, the verdict), recomputed in the browser with no server. The data come from
:func:`linstab.analysis.delay_explorer_data`: the roots of each map cell (computed in Python by
the spectral discretisation) are the page's starting points: those of the nearest cell are
followed from the cell's parameters to the slider values in eight steps (the fixed point and each
root by Newton at every step), then polished, with the roots shown last, by complex Newton on ``det Δ(λ) = det(λI − A₀ − Σ_k A_k e^{−λτ_k})`` with the step
``1/tr(Δ⁻¹Δ′)`` (Jacobi's formula), ``Δ⁻¹Δ′`` by complex Gaussian elimination with partial
pivoting. ``A₀``, ``A_k`` and the zero-delay system are printed as JavaScript from their SymPy
expressions (:mod:`linstab.plot._js`); the fixed point comes from the library's Newton solver.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab.plot._js import LIBRARY, _function
from linstab.plot._style import PALETTE, figure, pretty

__all__ = ["delay_explorer", "DELAY_LIBRARY"]

#: Complex Newton on the characteristic function (plain ES2015; uses ``LS`` of :data:`LIBRARY`).
DELAY_LIBRARY = r"""
// Newton step 1/tr(Δ(λ)⁻¹Δ′(λ)) at λ = lr + i li, Δ = λI − A0 − Σ_k Ak[k] e^(−λτ_k), Δ′ = I + Σ_k τ_k Ak[k] e^(−λτ_k).
function charStep(lr, li, A0, Ak, taus, n) {
  const nn = n * n, Mr = new Array(nn).fill(0), Mi = new Array(nn).fill(0), Dr = new Array(nn).fill(0), Di = new Array(nn).fill(0);
  for (let j = 0; j < nn; j++) Mr[j] = -A0[j];
  for (let i = 0; i < n; i++) { Mr[i * n + i] += lr; Mi[i * n + i] += li; Dr[i * n + i] = 1; }
  for (let k = 0; k < taus.length; k++) {
    const t = taus[k], ex = Math.exp(-lr * t), er = ex * Math.cos(li * t), ei = -ex * Math.sin(li * t);
    for (let j = 0; j < nn; j++) {
      const a = Ak[k][j]; if (a === 0) continue;
      Mr[j] -= a * er; Mi[j] -= a * ei; Dr[j] += t * a * er; Di[j] += t * a * ei;
    }
  }
  // Gaussian elimination with partial pivoting on [M | D] (complex), then back substitution.
  for (let c = 0; c < n; c++) {
    let piv = c, best = Math.hypot(Mr[c * n + c], Mi[c * n + c]);
    for (let r = c + 1; r < n; r++) { const v = Math.hypot(Mr[r * n + c], Mi[r * n + c]); if (v > best) { best = v; piv = r; } }
    if (!(best > 0) || !isFinite(best)) return null;  // Δ singular: λ is a root already
    if (piv !== c) for (let j = 0; j < n; j++) for (const X of [Mr, Mi, Dr, Di]) {
      const t = X[c * n + j]; X[c * n + j] = X[piv * n + j]; X[piv * n + j] = t;
    }
    const pr = Mr[c * n + c], pi = Mi[c * n + c], pd = pr * pr + pi * pi;
    for (let r = c + 1; r < n; r++) {
      const ar = Mr[r * n + c], ai = Mi[r * n + c];
      if (ar === 0 && ai === 0) continue;
      const fr = (ar * pr + ai * pi) / pd, fi = (ai * pr - ar * pi) / pd;
      for (let j = 0; j < n; j++) {
        Mr[r * n + j] -= fr * Mr[c * n + j] - fi * Mi[c * n + j]; Mi[r * n + j] -= fr * Mi[c * n + j] + fi * Mr[c * n + j];
        Dr[r * n + j] -= fr * Dr[c * n + j] - fi * Di[c * n + j]; Di[r * n + j] -= fr * Di[c * n + j] + fi * Dr[c * n + j];
      }
    }
  }
  let tr = 0, ti = 0;
  for (let j = 0; j < n; j++) {  // column j of X = M⁻¹D; only X[j][j] enters the trace, but X[i>j][j] feed it
    const xr = new Array(n), xi = new Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let sr = Dr[i * n + j], si = Di[i * n + j];
      for (let l = i + 1; l < n; l++) { sr -= Mr[i * n + l] * xr[l] - Mi[i * n + l] * xi[l]; si -= Mr[i * n + l] * xi[l] + Mi[i * n + l] * xr[l]; }
      const pr = Mr[i * n + i], pi = Mi[i * n + i], pd = pr * pr + pi * pi;
      xr[i] = (sr * pr + si * pi) / pd; xi[i] = (si * pr - sr * pi) / pd;
    }
    tr += xr[j]; ti += xi[j];
  }
  const d = tr * tr + ti * ti;
  if (!(d > 0) || !isFinite(d)) return null;
  return [tr / d, -ti / d];
}

// Newton from λ0 = [re, im]; returns the root or null if it did not converge.
function polish(l0, A0, Ak, taus, n) {
  let lr = l0[0], li = l0[1];
  for (let it = 0; it < 60; it++) {
    const s = charStep(lr, li, A0, Ak, taus, n);
    if (s === null) return [lr, li];
    lr -= s[0]; li -= s[1];
    if (!isFinite(lr) || !isFinite(li)) return null;
    if (Math.hypot(s[0], s[1]) <= 1e-14 * (1 + Math.hypot(lr, li))) return [lr, li];
  }
  const s = charStep(lr, li, A0, Ak, taus, n);
  return (s === null || Math.hypot(s[0], s[1]) <= 1e-10 * (1 + Math.hypot(lr, li))) ? [lr, li] : null;
}

// Distinct roots polished from the starts (non-finite starts skipped), rightmost first.
// At zero delay the characteristic function is the polynomial det(λI − A0 − Σ Ak): its eigenvalues.
function rootsAt(A0, Ak, taus, n, starts) {
  let out = [];
  if (taus.every(t => t === 0)) {
    const B = A0.slice();
    for (const A of Ak) for (let j = 0; j < B.length; j++) B[j] += A[j];
    out = LS.eig(B, n);
  } else {
    for (const s of starts) {
      if (!s || !isFinite(s[0]) || !isFinite(s[1])) continue;
      const r = polish(s, A0, Ak, taus, n);
      if (r === null || r[0] < -1e6) continue;
      if (out.some(q => Math.hypot(q[0] - r[0], q[1] - r[1]) <= 1e-7 * (1 + Math.hypot(r[0], r[1])))) continue;
      out.push(r);
    }
  }
  out.sort((a, b) => (b[0] - a[0]) || (b[1] - a[1]));
  return out;
}
"""

_UPDATE = r"""
const D = window.LINSTAB_DELAY[key];
const p = D.p0.slice();
for (const s of sliders) p[D.index[s.name.slice(7)]] = s.value;
const out = D.explore(p);
roots.data = {re: out.roots.map(r => r[0]), im: out.roots.map(r => r[1])};
marker.data = {x: [p[D.index[D.qname]]], y: [p[D.index[D.tname]]]};
readout.text = D.describe(out);
"""


def _script(data: Any, key: str) -> str:
    """The page's model and explorer: ``explore(p)`` -> ``{x, roots, cell}``; ``describe(out)`` -> text."""
    model, d = data.model, data.diagram
    n, names = model.n_vars, model.parameter_names
    cells = [[None if not np.isfinite(z) else [float(f"{z.real:.7g}"), float(f"{z.imag:.7g}")] for z in row]
             for row in np.asarray(data.roots).reshape(-1, data.roots.shape[-1])]
    ak = [e for A in data.A for e in A]
    src = "\n".join([
        DELAY_LIBRARY,
        _function("rhs", data.rhs, model), _function("jac", data.jacobian, model),
        _function("a0", list(data.A0), model), _function("ak", ak, model) if ak else "function ak() { return []; }",
        f"const n = {n}, nq = {len(d.smap.x)}, nt = {len(d.smap.y)};",
        f"const qs = {json.dumps([float(v) for v in d.smap.x])}, ts = {json.dumps([float(v) for v in d.smap.y])};",
        f"const cells = {json.dumps(cells)};",
        f"const iq = {names.index(d.against)}, it = {names.index(d.tau)};",
        f"const tauIndex = {json.dumps([names.index(t) for t in data.taus])};",
        f"const seed = {json.dumps([float(v) for v in data.state])};",
        f"const pmap = {json.dumps([float(data.values[k]) for k in names])}, steps = 8;",
        f"const varNames = {json.dumps(model.variable_names)};",
        "let last = seed.slice(), lastRoots = [];",
        "function nearest(xs, v) { let b = 0; for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - v) < Math.abs(xs[b] - v)) b = i; return b; }",
        "function state(p) {",
        "  for (const x0 of [last, seed]) { const r = LS.newton(rhs, jac, x0, p); if (r.ok) { last = r.x; return r.x; } }",
        "  return seed.map(() => NaN);",
        "}",
        "function matrices(x, p) {",
        "  const A0 = a0(x, p), flat = ak(x, p), Ak = [], taus = tauIndex.map(k => p[k]);",
        "  for (let k = 0; k < taus.length; k++) Ak.push(flat.slice(k * n * n, (k + 1) * n * n));",
        "  return [A0, Ak, taus];",
        "}",
        "// The cell's roots, followed from the cell's parameters to p in small steps (Newton at each).",
        "function track(p, i, j) {",
        "  const pc = pmap.slice(); pc[iq] = qs[i]; pc[it] = ts[j];",
        "  let tracked = cells[j * nq + i].filter(z => z !== null), x = seed;",
        "  for (let s = 1; s <= steps && tracked.length; s++) {",
        "    const ps = pc.map((v, k) => v + (p[k] - v) * s / steps);",
        "    const r = LS.newton(rhs, jac, x, ps);",
        "    if (!r.ok) return [];",
        "    x = r.x;",
        "    const [A0, Ak, taus] = matrices(x, ps);",
        "    if (taus.some(t => t <= 0)) return [];",
        "    tracked = tracked.map(z => polish(z, A0, Ak, taus, n)).filter(z => z !== null);",
        "  }",
        "  return tracked;",
        "}",
        "function explore(p) {",
        "  const x = state(p), i = nearest(qs, p[iq]), j = nearest(ts, p[it]);",
        "  if (!x.every(Number.isFinite)) return {x: x, roots: [], cell: [qs[i], ts[j]]};",
        "  const [A0, Ak, taus] = matrices(x, p);",
        "  const starts = (taus.every(t => t > 0) ? track(p, i, j) : []).concat(cells[j * nq + i], lastRoots);",
        "  const roots = rootsAt(A0, Ak, taus, n, starts);",
        "  lastRoots = roots.slice(0, cells[0].length + 2);",
        "  return {x: x, roots: roots, cell: [qs[i], ts[j]]};",
        "}",
        "function describe(out) {",
        "  const xs = varNames.map((v, i) => v + '* = ' + out.x[i].toPrecision(4)).join(', ');",
        "  if (!out.roots.length) return xs + ': no fixed point or no root found near the last one';",
        "  const r = out.roots[0], w = Math.abs(r[1]);",
        "  const verdict = r[0] < 0 ? 'stable' : (w > 1e-9 * (1 + Math.abs(r[0])) ? "
        "'unstable, oscillating (period 2π/ω = ' + (2 * Math.PI / w).toPrecision(4) + ')' : 'unstable, monotone');",
        "  return xs + ': max Re λ = ' + r[0].toPrecision(4) + ', ω = |Im λ| = ' + w.toPrecision(4) + ': ' + verdict +"
        " ' (Newton from the roots of the cell at (' + out.cell[0].toPrecision(4) + ', ' + out.cell[1].toPrecision(4) + '))';",
        "}",
    ])
    k = json.dumps(key)
    return (f"if (!window.LINSTAB_DELAY) window.LINSTAB_DELAY = {{}};\n"
            f"if (!window.LINSTAB_DELAY[{k}]) window.LINSTAB_DELAY[{k}] = (function() {{\n{LIBRARY}\n{src}\n"
            f"  return {{explore: explore, describe: describe, rootsAt: rootsAt, state: state, LS: LS}};\n}})();\n")


def _describe(data: Any) -> str:
    """The readout at the initial values (the text the page's ``describe`` writes)."""
    x = ", ".join(f"{v}* = {s:.4g}" for v, s in zip(data.model.variable_names, data.state))
    r = data.initial[np.isfinite(data.initial)]
    if not r.size:
        return f"{x}: no characteristic root found"
    lead, w = r[0].real, abs(r[0].imag)
    verdict = ("stable" if lead < 0 else f"unstable, oscillating (period 2π/ω = {2 * np.pi / w:.4g})"
               if w > 1e-9 * (1 + abs(lead)) else "unstable, monotone")
    return f"{x}: max Re λ = {lead:.4g}, ω = |Im λ| = {w:.4g}: {verdict}"


def delay_explorer(model: Any, against: str, *, tau: str | None = None, q_range: Sequence[float] | None = None,
                   tau_range: Sequence[float] | None = None, values: Mapping[str, float] | None = None,
                   grid: int = 40, n_roots: int = 4, title: str | None = None, width: int = 460,
                   height: int = 400) -> Any:
    """Stability diagram of a delay model with a live characteristic-root explorer.

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    against
        The parameter ``Q`` on the horizontal axis.
    tau
        The delay on the vertical axis (default: the model's only delay).
    q_range
        Range of ``Q`` (default: half to twice its value).
    tau_range
        Range of the delay (default: see :func:`linstab.analysis.delay_diagram_data`).
    values
        Values of the other parameters.
    grid
        Map cells per axis.
    n_roots
        Rightmost roots per map cell shipped as the page's Newton starts.
    title
        Title of the map.
    width, height
        Size of each figure in pixels.

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: the map with its marker, and the root plot above the readout and one slider per
        parameter.

    References
    ----------
    Engelborghs, Luzyanina & Roose, ACM Trans. Math. Softw. 28, 1 (2002); Michiels & Niculescu,
    *Stability and Stabilization of Time-Delay Systems* (2007), ch. 1.

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> layout = delay_explorer(m, "a", q_range=(0.5, 2.0), grid=5)
    >>> from bokeh.models import Slider
    >>> sorted(s.name for s in layout.select({"type": Slider}))
    ['slider_a', 'slider_tau']
    """
    from bokeh.layouts import column, row
    from bokeh.models import ColumnDataSource, CustomJS, Div, Slider, Span

    from linstab.analysis import delay_explorer_data
    from linstab.plot._diagram import stability_diagram

    data = delay_explorer_data(model, against, tau=tau, q_range=q_range, tau_range=tau_range, values=values,
                               grid=grid, n_roots=n_roots)
    d, model = data.diagram, data.model
    mp = stability_diagram(d.curves, d.smap, x_range=d.q_range, y_range=d.tau_range,
                           title=title or f"{d.name}: stability in ({d.against}, {d.tau})", width=width, height=height)
    mp.name = "delay_map"
    vals = data.values
    marker = ColumnDataSource({"x": [vals[d.against]], "y": [vals[d.tau]]}, name="delay_marker")
    mp.scatter("x", "y", source=marker, size=11, marker="circle", fill_color="white", line_color="black", line_width=2)
    r = data.initial[np.isfinite(data.initial)]
    roots = ColumnDataSource({"re": r.real.tolist(), "im": r.imag.tolist()}, name="delay_roots")
    rp = figure(x_label="Re λ", y_label="Im λ", width=width, height=height,
                title="Rightmost characteristic roots", name="delay_root_plot")
    rp.add_layout(Span(location=0, dimension="height", line_color=PALETTE["neutral"], line_width=1))
    rp.add_layout(Span(location=0, dimension="width", line_color=PALETTE["muted"], line_width=1))
    rp.scatter("re", "im", source=roots, size=9, marker="x", line_color=PALETTE["unstable"], line_width=2)
    readout = Div(text=_describe(data), width=width, name="delay_readout")
    sliders = []
    for name in model.parameter_names:
        v = float(vals[name])
        if name == d.against:
            lo, hi = d.q_range
        elif name == d.tau:
            lo, hi = d.tau_range
        else:
            lo, hi = (v / 4, v * 4) if v > 0 else (v - 1.0, v + 1.0) if v == 0 else (v * 4, v / 4)
        sliders.append(Slider(start=lo, end=hi, value=min(max(v, lo), hi), step=(hi - lo) / 400, title=pretty(name),
                              name=f"slider_{name}", width=width - 20))
    key = f"delay_{model.name}_{id(data)}"
    setup = (f"const key = {json.dumps(key)};\n"
             f"Object.assign(window.LINSTAB_DELAY[key], {{qname: {json.dumps(d.against)}, tname: {json.dumps(d.tau)}, "
             f"index: {json.dumps({n: i for i, n in enumerate(model.parameter_names)})}, "
             f"p0: {json.dumps([float(vals[n]) for n in model.parameter_names])}}});\n")
    cb = CustomJS(args={"sliders": sliders, "roots": roots, "marker": marker, "readout": readout},
                  code=_script(data, key) + setup + _UPDATE)
    for s in sliders:
        s.js_on_change("value", cb)
    return row(mp, column(rp, readout, *sliders))
