"""JavaScript for the static pages: the model compiled from SymPy, and a small numeric library.

The browser recomputes everything a slider changes, without a server:

- :func:`model_js` prints the right-hand side and the Jacobian with SymPy's JavaScript code
  printer (after common-subexpression elimination), as functions ``rhs(x, p)`` and
  ``jac(x, p)`` of plain arrays, in the order of ``model.variables`` and ``model.parameters``;
- :data:`LIBRARY` is the numeric library ``LS``: a damped Newton solver (started from the last
  solution, then from fallbacks), an eigenvalue solver (closed forms for n ≤ 3, the
  Faddeev–LeVerrier characteristic polynomial and Durand–Kerner iteration for n ≥ 4), the
  classification of :func:`linstab.sym.classify`, an RK4 integrator, streamlines and
  marching-squares zero contours for phase portraits.

Both are plain strings; :func:`program` joins them into one self-contained script that defines a
global ``LINSTAB[key]`` entry once per page.
"""

from __future__ import annotations

import json
from typing import Any

import sympy as sp

from linstab._parse import as_expr

__all__ = ["model_js", "program", "LIBRARY"]


def _function(name: str, exprs: list[sp.Expr], model: Any) -> str:
    from sympy.printing.jscode import jscode

    # Rename every symbol: model names may be JavaScript reserved words (`new`, `var`, `in`...).
    xs = [sp.Symbol(f"_x{i}", real=True) for i in range(len(model.variables))]
    ps = [sp.Symbol(f"_p{i}", real=True) for i in range(len(model.parameters))]
    mapping = dict(zip(model.variables, xs)) | dict(zip(model.parameters, ps))
    exprs = [as_expr(e, model.symbols).xreplace(mapping) for e in exprs]
    subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("_c"))
    lines = [f"function {name}(x, p) {{"]
    if xs:
        lines.append("  const " + ", ".join(f"{s} = x[{i}]" for i, s in enumerate(xs)) + ";")
    if ps:
        lines.append("  const " + ", ".join(f"{s} = p[{i}]" for i, s in enumerate(ps)) + ";")
    for sym, expr in subs:
        lines.append(f"  const {sym} = {jscode(expr)};")
    lines.append("  return [" + ", ".join(jscode(e) for e in reduced) + "];")
    lines.append("}")
    return "\n".join(lines)


def model_js(model: Any) -> str:
    """JavaScript source of ``rhs(x, p)`` and ``jac(x, p)`` (row-major flat, n*n entries).

    Parameters
    ----------
    model
        A :class:`linstab.Model`.

    Returns
    -------
    str

    Examples
    --------
    >>> from linstab import load_model
    >>> print(model_js(load_model("autorepression")).splitlines()[3])
      return [_p0/(Math.pow(_x0, _p1) + 1) - _x0];
    """
    jac = model.jacobian()
    return _function("rhs", list(model.rhs), model) + "\n" + _function("jac", list(jac), model)


def program(model: Any, key: str) -> str:
    """A script that defines ``window.LINSTAB[key] = {rhs, jac, n, np, LS}`` once per page.

    Examples
    --------
    >>> from linstab import load_model
    >>> "window.LINSTAB" in program(load_model("toggle_switch"), "toggle")
    True
    """
    k = json.dumps(key)
    return (
        f"if (!window.LINSTAB) window.LINSTAB = {{}};\n"
        f"if (!window.LINSTAB[{k}]) window.LINSTAB[{k}] = (function() {{\n"
        f"{LIBRARY}\nconst _pow = LS.pow;\n{model_js(model).replace('Math.pow(', '_pow(')}\n"
        f"  return {{rhs: rhs, jac: jac, n: {model.n_vars}, np: {len(model.parameters)}, LS: LS}};\n"
        f"}})();\n"
    )


#: The numeric library ``LS`` (plain ES2015, no dependencies).
LIBRARY = r"""
const LS = (function() {
  // Math.pow is slow for exponents held in doubles (Hill coefficients): integer powers by squaring.
  function pow(a, b) {
    if (b === 2) return a * a;
    if (b === 3) return a * a * a;
    if (b > 0 && b <= 64 && b === Math.floor(b)) {
      let r = 1, x = a, e = b;
      while (e) { if (e & 1) r *= x; x *= x; e >>= 1; }
      return r;
    }
    return Math.pow(a, b);
  }
  function finite(v) { for (let i = 0; i < v.length; i++) if (!isFinite(v[i])) return false; return true; }
  function norm(v) { let s = 0; for (let i = 0; i < v.length; i++) s += v[i] * v[i]; return Math.sqrt(s); }

  // Solve A y = b (A flat row-major n*n) by Gaussian elimination with partial pivoting.
  function solve(A, b, n) {
    const M = A.slice(), y = b.slice();
    for (let k = 0; k < n; k++) {
      let piv = k, best = Math.abs(M[k * n + k]);
      for (let i = k + 1; i < n; i++) { const v = Math.abs(M[i * n + k]); if (v > best) { best = v; piv = i; } }
      if (!(best > 1e-300)) return null;
      if (piv !== k) {
        for (let j = 0; j < n; j++) { const t = M[k * n + j]; M[k * n + j] = M[piv * n + j]; M[piv * n + j] = t; }
        const t = y[k]; y[k] = y[piv]; y[piv] = t;
      }
      for (let i = k + 1; i < n; i++) {
        const f = M[i * n + k] / M[k * n + k];
        if (f === 0) continue;
        for (let j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j];
        y[i] -= f * y[k];
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let j = i + 1; j < n; j++) s -= M[i * n + j] * y[j];
      y[i] = s / M[i * n + i];
    }
    return finite(y) ? y : null;
  }

  // Damped Newton on F(x) = 0 from x0; halves the step until the residual decreases.
  function newton(F, J, x0, p, opts) {
    opts = opts || {};
    const n = x0.length, tol = opts.tol || 1e-10, maxit = opts.maxit || 60;
    const lower = opts.lower || null;
    let x = x0.slice(), f = F(x, p), r = norm(f);
    if (!finite(f)) return {x: x, ok: false, res: Infinity, it: 0};
    for (let it = 0; it < maxit; it++) {
      if (r <= tol * (1 + norm(x))) return {x: x, ok: true, res: r, it: it};
      const dx = solve(J(x, p), f.map(v => -v), n);
      if (dx === null) return {x: x, ok: false, res: r, it: it};
      let t = 1, accepted = false;
      for (let k = 0; k < 30; k++) {
        const xn = x.map((v, i) => v + t * dx[i]);
        if (lower) for (let i = 0; i < n; i++) if (lower[i] !== null && xn[i] < lower[i]) xn[i] = 0.5 * (x[i] + lower[i]);
        const fn = F(xn, p);
        if (finite(fn)) {
          const rn = norm(fn);
          if (rn < (1 - 1e-4 * t) * r || rn <= tol) { x = xn; f = fn; r = rn; accepted = true; break; }
        }
        t *= 0.5;
      }
      if (!accepted) return {x: x, ok: r <= tol * (1 + norm(x)), res: r, it: it};
    }
    return {x: x, ok: r <= Math.sqrt(tol) * (1 + norm(x)), res: r, it: maxit};
  }

  // Fixed points: Newton from `prev` first, then from each start; distinct roots, prev's first.
  function roots(F, J, p, starts, opts) {
    opts = opts || {};
    const out = [], all = opts.all !== false;
    const tried = (opts.prev ? [opts.prev] : []).concat(starts);
    for (let s = 0; s < tried.length; s++) {
      const sol = newton(F, J, tried[s], p, opts);
      if (!sol.ok) continue;
      const x = sol.x;
      if (opts.lower && x.some((v, i) => opts.lower[i] !== null && v < opts.lower[i] - 1e-9)) continue;
      let dup = false;
      for (const y of out) {
        let d = 0; for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
        if (d < 1e-6) { dup = true; break; }
      }
      if (!dup) out.push(x);
      if (!all && out.length) break;
    }
    return out;
  }

  // Characteristic polynomial by Faddeev–LeVerrier: c[0] = 1, det(λI - A) = Σ c[k] λ^(n-k).
  function charpoly(A, n) {
    const c = [1];
    let M = new Array(n * n).fill(0);
    for (let k = 1; k <= n; k++) {
      // M <- A M + c[k-1] I
      const AM = new Array(n * n).fill(0);
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) {
        const a = A[i * n + l]; if (a === 0) continue;
        for (let j = 0; j < n; j++) AM[i * n + j] += a * M[l * n + j];
      }
      for (let i = 0; i < n; i++) AM[i * n + i] += c[k - 1];
      M = AM;
      let tr = 0;
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) tr += A[i * n + l] * M[l * n + i];
      c.push(-tr / k);
    }
    return c;
  }

  // Roots of the monic polynomial Σ c[k] z^(n-k) as [re, im] pairs (Durand–Kerner + Newton polish).
  function polyroots(c) {
    const n = c.length - 1;
    if (n === 1) return [[-c[1], 0]];
    if (n === 2) {
      const b = c[1], d = b * b - 4 * c[2];
      if (d >= 0) { const q = -0.5 * (b + (b >= 0 ? 1 : -1) * Math.sqrt(d)); return q === 0 ? [[0, 0], [0, 0]] : [[q, 0], [c[2] / q, 0]]; }
      return [[-b / 2, Math.sqrt(-d) / 2], [-b / 2, -Math.sqrt(-d) / 2]];
    }
    if (n === 3) return cubic(c);
    let R = 0; for (let k = 1; k <= n; k++) R = Math.max(R, Math.pow(Math.abs(c[k]), 1 / k));
    R = 2 * R + 1e-12;
    const zr = [], zi = [];
    for (let k = 0; k < n; k++) { const a = 2 * Math.PI * k / n + 0.4; zr.push(R * Math.cos(a)); zi.push(R * Math.sin(a)); }
    function evalp(xr, xi) {  // Horner: value and derivative
      let pr = 1, pi = 0, dr = 0, di = 0;
      for (let k = 1; k <= n; k++) {
        const ndr = dr * xr - di * xi + pr, ndi = dr * xi + di * xr + pi;
        dr = ndr; di = ndi;
        const npr = pr * xr - pi * xi + c[k], npi = pr * xi + pi * xr;
        pr = npr; pi = npi;
      }
      return [pr, pi, dr, di];
    }
    for (let it = 0; it < 500; it++) {
      let move = 0;
      for (let i = 0; i < n; i++) {
        const v = evalp(zr[i], zi[i]);
        let qr = 1, qi = 0;
        for (let j = 0; j < n; j++) if (j !== i) {
          const ar = zr[i] - zr[j], ai = zi[i] - zi[j];
          const t = qr * ar - qi * ai; qi = qr * ai + qi * ar; qr = t;
        }
        const den = qr * qr + qi * qi;
        if (den === 0) { zr[i] += 1e-9 * R; continue; }
        const dr = (v[0] * qr + v[1] * qi) / den, di = (v[1] * qr - v[0] * qi) / den;
        zr[i] -= dr; zi[i] -= di;
        move = Math.max(move, Math.hypot(dr, di) / (1 + Math.hypot(zr[i], zi[i])));
      }
      if (move < 1e-15) break;
    }
    for (let i = 0; i < n; i++) for (let it = 0; it < 3; it++) {  // polish
      const v = evalp(zr[i], zi[i]), den = v[2] * v[2] + v[3] * v[3];
      if (den === 0) break;
      const dr = (v[0] * v[2] + v[1] * v[3]) / den, di = (v[1] * v[2] - v[0] * v[3]) / den;
      if (!isFinite(dr) || !isFinite(di)) break;
      zr[i] -= dr; zi[i] -= di;
    }
    // snap tiny imaginary parts of real roots, and make conjugate pairs exact
    const out = [];
    for (let i = 0; i < n; i++) {
      const scale = 1 + Math.hypot(zr[i], zi[i]);
      out.push([zr[i], Math.abs(zi[i]) < 1e-7 * scale ? 0 : zi[i]]);
    }
    return out;
  }

  // Closed form for the monic cubic λ³ + a λ² + b λ + d: one real root (Cardano, or the
  // trigonometric form when all three are real), polished by Newton, then the deflated quadratic.
  function cubic(c) {
    const a = c[1], b = c[2], d = c[3];
    const p = b - a * a / 3, q = 2 * a * a * a / 27 - a * b / 3 + d;
    const D = q * q / 4 + p * p * p / 27;
    let t;
    if (p === 0) t = Math.cbrt(-q);
    else if (D > 0) { const s = Math.sqrt(D); t = Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s); }
    else {
      const m = 2 * Math.sqrt(-p / 3), arg = Math.max(-1, Math.min(1, 3 * q / (p * m)));
      t = m * Math.cos(Math.acos(arg) / 3);
    }
    let r = t - a / 3;
    for (let it = 0; it < 3; it++) {
      const f = ((r + a) * r + b) * r + d, df = (3 * r + 2 * a) * r + b;
      if (df === 0 || !isFinite(f / df)) break;
      const rn = r - f / df;
      if (Math.abs(((rn + a) * rn + b) * rn + d) >= Math.abs(f)) break;
      r = rn;
    }
    return [[r, 0]].concat(polyroots([1, a + r, b + r * (a + r)]));
  }

  // Eigenvalues of the flat n*n matrix A, sorted by real part (largest first).
  function eig(A, n) {
    let ev;
    if (n === 1) ev = [[A[0], 0]];
    else if (n === 2) {
      const tr = A[0] + A[3], det = A[0] * A[3] - A[1] * A[2];
      ev = polyroots([1, -tr, det]);
    } else ev = polyroots(charpoly(A, n));
    ev.sort((a, b) => (b[0] - a[0]) || (b[1] - a[1]));
    return ev;
  }

  // The classification of linstab.sym.classify, from [re, im] pairs.
  function classify(ev, tol) {
    tol = tol === undefined ? 1e-9 : tol;
    const re = ev.map(e => e[0]), cplx = ev.some(e => Math.abs(e[1]) > tol);
    const zero = re.some(r => Math.abs(r) <= tol);
    if (zero) {
      if (ev.length === 2 && re.every(r => Math.abs(r) <= tol) && ev.every(e => Math.abs(e[1]) > tol)) return "center";
      return "non-hyperbolic";
    }
    const neg = re.every(r => r < 0), pos = re.every(r => r > 0);
    if (ev.length === 1) return neg ? "stable" : "unstable";
    if (neg) return cplx ? "stable spiral" : "stable node";
    if (pos) return cplx ? "unstable spiral" : "unstable node";
    return cplx ? "saddle-focus" : "saddle";
  }

  function stability(cls) {
    if (cls.startsWith("stable")) return "stable";
    if (cls === "center" || cls === "non-hyperbolic") return "marginal";
    return "unstable";
  }

  // Classical RK4 with nsteps fixed steps on [0, t1]; stops early at the first non-finite state.
  // Returns Float64Arrays {t, X[i]} (no allocation per step but the model's own return value).
  function rk4(F, x0, p, t1, nsteps) {
    const n = x0.length, h = t1 / nsteps, t = new Float64Array(nsteps + 1), X = [];
    for (let i = 0; i < n; i++) { X.push(new Float64Array(nsteps + 1)); X[i][0] = x0[i]; }
    let x = Float64Array.from(x0), xn = new Float64Array(n);
    const y = new Float64Array(n);
    let s = 1;
    for (; s <= nsteps; s++) {
      const k1 = F(x, p);
      for (let i = 0; i < n; i++) y[i] = x[i] + 0.5 * h * k1[i];
      const k2 = F(y, p);
      for (let i = 0; i < n; i++) y[i] = x[i] + 0.5 * h * k2[i];
      const k3 = F(y, p);
      for (let i = 0; i < n; i++) y[i] = x[i] + h * k3[i];
      const k4 = F(y, p);
      let ok = true;
      for (let i = 0; i < n; i++) {
        const v = x[i] + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        if (!isFinite(v)) ok = false;
        xn[i] = v;
      }
      if (!ok) break;
      const tmp = x; x = xn; xn = tmp;
      t[s] = s * h;
      for (let i = 0; i < n; i++) X[i][s] = x[i];
    }
    return {t: t.subarray(0, s), X: X.map(a => a.subarray(0, s))};
  }

  // Zero contour of a scalar field on a grid (marching squares); segments joined by NaN breaks.
  // Z is row-major with ny rows (y) and nx columns (x).
  function contour(Z, xs, ys) {
    const nx = xs.length, ny = ys.length, outx = [], outy = [];
    function cross(i0, j0, i1, j1) {
      const a = Z[j0 * nx + i0], b = Z[j1 * nx + i1], t = a / (a - b);
      return [xs[i0] + t * (xs[i1] - xs[i0]), ys[j0] + t * (ys[j1] - ys[j0])];
    }
    for (let j = 0; j < ny - 1; j++) for (let i = 0; i < nx - 1; i++) {
      const v = [Z[j * nx + i], Z[j * nx + i + 1], Z[(j + 1) * nx + i + 1], Z[(j + 1) * nx + i]];
      if (!v.every(isFinite)) continue;
      const pts = [];
      const edges = [[i, j, i + 1, j], [i + 1, j, i + 1, j + 1], [i + 1, j + 1, i, j + 1], [i, j + 1, i, j]];
      const vals = [[v[0], v[1]], [v[1], v[2]], [v[2], v[3]], [v[3], v[0]]];
      for (let e = 0; e < 4; e++) if ((vals[e][0] < 0) !== (vals[e][1] < 0)) pts.push(cross(...edges[e]));
      for (let k = 0; k + 1 < pts.length; k += 2) {
        outx.push(pts[k][0], pts[k + 1][0], NaN); outy.push(pts[k][1], pts[k + 1][1], NaN);
      }
    }
    return {x: outx, y: outy};
  }

  // Evenly spread streamlines of the 2-D field F (matplotlib-style occupancy grid).
  function streamlines(F, p, xr, yr, density) {
    const m = Math.max(4, Math.round(25 * (density || 1)));
    const used = new Uint8Array(m * m);
    const sx = xr[1] - xr[0], sy = yr[1] - yr[0];
    const cell = (x, y) => {
      const i = Math.floor((x - xr[0]) / sx * m), j = Math.floor((y - yr[0]) / sy * m);
      return (i < 0 || j < 0 || i >= m || j >= m) ? -1 : j * m + i;
    };
    const dir = (x, y) => {
      const f = F([x, y], p), u = f[0] / sx, v = f[1] / sy, s = Math.hypot(u, v);
      return (s > 0 && isFinite(s)) ? [u / s, v / s] : null;
    };
    const h = 0.3 / m, lines_x = [], lines_y = [], arrows = [];
    function trace(x0, y0, sign) {
      const px = [], py = [], visited = [];
      let x = x0, y = y0;
      for (let k = 0; k < 4 * m / h / m * 2; k++) {
        const c = cell(x, y);
        if (c < 0) break;
        if (used[c] && visited.indexOf(c) < 0) break;
        if (visited.indexOf(c) < 0) visited.push(c);
        px.push(x); py.push(y);
        const d1 = dir(x, y); if (!d1) break;
        const d2 = dir(x + 0.5 * h * sign * d1[0] * sx, y + 0.5 * h * sign * d1[1] * sy); if (!d2) break;
        x += h * sign * d2[0] * sx; y += h * sign * d2[1] * sy;
      }
      return {px: px, py: py, visited: visited};
    }
    // seeds: spiral out from the centre so lines start in the middle of the window first
    const order = [];
    for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) order.push([i, j, Math.hypot(i - m / 2, j - m / 2)]);
    order.sort((a, b) => a[2] - b[2]);
    for (const [i, j] of order) {
      if (used[j * m + i]) continue;
      const x0 = xr[0] + (i + 0.5) / m * sx, y0 = yr[0] + (j + 0.5) / m * sy;
      const fw = trace(x0, y0, 1), bw = trace(x0, y0, -1);
      const xs = bw.px.slice(1).reverse().concat(fw.px), ys = bw.py.slice(1).reverse().concat(fw.py);
      if (xs.length < 6) continue;
      for (const c of fw.visited) used[c] = 1;
      for (const c of bw.visited) used[c] = 1;
      lines_x.push(xs); lines_y.push(ys);
      const k = Math.floor(xs.length / 2);
      arrows.push([xs[k], ys[k], Math.atan2((ys[k + 1] - ys[k]) / sy, (xs[k + 1] - xs[k]) / sx)]);
    }
    return {xs: lines_x, ys: lines_y, arrows: arrows};
  }

  // A line broken after its commas to fit `width` px (linstab.plot._style.wrap_line, same estimate).
  const NARROW = " .,:;!|'()[]{}-ilIjtfr", WIDE = "mwMW@%";
  function textWidth(text, size, bold) {
    let em = 0;
    for (const c of text) em += NARROW.includes(c) ? 0.34 : WIDE.includes(c) ? 0.95 : (c !== c.toLowerCase() ? 0.72 : 0.6);
    return em * size * (bold ? 1.07 : 1.0);
  }
  function fits(text, size, bold, width) { return textWidth(text, size, bold) <= width; }
  function wrap(text, size, bold, width) {
    const parts = text.split(", "), out = [];
    let cur = parts[0];
    for (let i = 1; i < parts.length; i++) {
      if (fits(cur + ", " + parts[i], size, bold, width)) cur = cur + ", " + parts[i];
      else { out.push(cur + ","); cur = parts[i]; }
    }
    out.push(cur);
    return out;
  }

  // Columns of a readout panel (linstab.plot._style.readout_data): lines = [text, colour, bold, size_px].
  function readout(lines, height, width) {
    const d = {x: [], y: [], text: [], color: [], style: [], size: []};
    let y = height - 4;
    for (const [text, color, bold, size] of lines) {
      for (const piece of wrap(text, size, bold, (width === undefined ? 320 : width) - 8)) {
        d.x.push(4); d.y.push(y); d.text.push(piece); d.color.push(color);
        d.style.push(bold ? "bold" : "normal"); d.size.push(size + "px");
        y -= size * 1.4;
      }
    }
    return d;
  }

  return {readout: readout, pow: pow, solve: solve, newton: newton, roots: roots, charpoly: charpoly, polyroots: polyroots, cubic: cubic, eig: eig,
          classify: classify, stability: stability, rk4: rk4, contour: contour, streamlines: streamlines,
          norm: norm, finite: finite};
})();
"""
