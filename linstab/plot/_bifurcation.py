"""Bifurcation diagram: a state variable at the fixed points against one parameter.

Where :func:`linstab.sym.parametric_fixed_points` solves the fixed-point conditions for the
parameter (the repressilator's ``β = x₀(1 + x₀ⁿ)``), the branches are exact curves: the branch
coordinate is sampled densely, stability comes from the Jacobian's eigenvalues along it, folds are
the turning points of the parameter and Hopf points the sign changes of a complex pair's real
part. Otherwise the parameter is swept and :func:`linstab.num.find_fixed_points` gives the points.
A slider moves a marker along the parameter axis; the page's JavaScript finds the fixed points at
that value and shows them on the diagram.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linstab._parse import as_expr
from linstab.plot import _numeric as num
from linstab.plot._explorer import make_sliders, slider_specs
from linstab.plot._js import program
from linstab.plot._style import CLASS_COLORS, PALETTE, figure, hover, legends_outside, pretty, readout, readout_height

__all__ = ["bifurcation_diagram", "branch_samples", "branch_js"]

_FOLD = "#5D3A9B"
_BRANCH_POINT = "#009E73"


def branch_samples(model: Any, param: str, values: Mapping[str, float], p_range: Sequence[float], *,
                   n_points: int = 2000) -> list[dict[str, np.ndarray]]:
    """Exact fixed-point branches sampled over ``p_range`` (empty if there is no parametric form).

    Each branch is a dict with ``p`` (parameter values), ``state`` (``(N, n_vars)``),
    ``max_real`` (largest Re λ), ``oscillatory`` (the leading eigenvalues are a complex pair) and
    ``branch_points`` (``(p, state)`` pairs where det J changes sign but the parameter does not turn
    back: a real eigenvalue crosses zero off a fold, as at a pitchfork or transcritical point).

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model("repressilator")
    >>> (b,) = branch_samples(m, "beta", m.numeric_values(), (1.0, 10.0), n_points=200)
    >>> bool(np.all(np.diff(b["p"]) > 0)), b["state"].shape[1]
    (True, 3)
    """
    from linstab.num import compile_kernel
    from linstab.sym import parametric_fixed_points

    try:
        branches = parametric_fixed_points(model, param)
    except Exception:  # no parametric form: the caller sweeps numerically
        return []
    lo, hi = (float(v) for v in p_range)
    others = [s for s in model.parameters if s.name != param]
    pv = np.array([values[s.name] for s in others], float)
    J = model.kernel("jacobian")
    k = list(model.parameter_names).index(param)
    out = []
    for br in branches:
        s = br.coordinate
        exprs = [br.value] + [as_expr(br.state.get(v, v)) for v in model.variables]
        if any(e.free_symbols - {s, *others} for e in exprs):
            continue
        kern = compile_kernel(exprs, [[s], others])
        domain = model.domain.get(s.name, "positive" if s.is_positive else "real")
        if s.is_nonnegative or domain in ("nonnegative", "positive"):
            grid = np.concatenate([[0.0], np.logspace(-6, 6, n_points)])
        else:
            grid = np.concatenate([-np.logspace(6, -6, n_points // 2), [0.0], np.logspace(-6, 6, n_points // 2)])
        lower = np.array([-np.inf if b is None else b for b in num.lower_bounds(model)])
        def f(g: np.ndarray) -> np.ndarray:
            return np.real_if_close(kern(g[:, None], pv, dtype=complex)).real * 1.0

        for P, X, S in _adaptive(f, grid, lo, hi, lower):
            b = _stability_along(model, J, values, k, P, X)
            b["branch_points"] = _branch_points(model, J, values, k, f, P, X, S)
            out.append(b)
    return out


def _det_along(model: Any, J: Any, values: Mapping[str, float], k: int, P: np.ndarray, X: np.ndarray) -> np.ndarray:
    """det J at the points ``(P[i], X[i])`` of a branch."""
    pvec = np.broadcast_to(np.array(model.parameter_vector(values), float), (P.size, len(model.parameter_names))).copy()
    pvec[:, k] = P
    with np.errstate(all="ignore"):
        return np.linalg.det(J(X, pvec))


def _branch_points(model: Any, J: Any, values: Mapping[str, float], k: int, f: Any, P: np.ndarray,
                   X: np.ndarray, S: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Sign changes of det J along a branch where ``P`` is monotone, bisected in the coordinate ``S``."""
    det = _det_along(model, J, values, k, P, X)
    sg = np.sign(det)
    dP = np.sign(np.diff(P))
    found = []
    for i in np.flatnonzero(sg[1:] * sg[:-1] < 0):
        around = dP[max(i - 2, 0):i + 3]
        if np.any(around != around[0]) or around[0] == 0:  # the parameter turns: a fold, not a branch point
            continue
        a, b, da = float(S[i]), float(S[i + 1]), det[i]
        for _ in range(60):
            m = 0.5 * (a + b)
            v = f(np.array([m]))
            dm = _det_along(model, J, values, k, v[:, 0], v[:, 1:])[0]
            if not np.isfinite(dm):
                break
            if np.sign(dm) == np.sign(da):
                a, da = m, dm
            else:
                b = m
        v = f(np.array([0.5 * (a + b)]))[0]
        found.append((float(v[0]), v[1:]))
    return found


def _adaptive(f: Any, grid: np.ndarray, lo: float, hi: float, lower: np.ndarray, *, tol: float = 0.004,
              rounds: int = 14, cap: int = 30000) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Sample ``[P, X] = f(s)`` on ``grid``, bisecting where consecutive points lie far apart.

    Distances are measured relative to the parameter range (log where ``lo > 0``) and the state's
    spread; returns the pieces ``(P, X, s)`` of the branch that lie in ``[lo, hi]`` and in the domain.
    """
    logp = lo > 0

    def evaluate(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            v = f(g)
        P, X = v[:, 0], v[:, 1:]
        ok = np.isfinite(P) & np.all(np.isfinite(X), axis=1) & (P >= lo) & (P <= hi) & np.all(X >= lower - 1e-12, axis=1)
        return v, ok

    g = np.asarray(grid, float)
    v, ok = evaluate(g)
    for _ in range(rounds):
        P = v[:, 0]
        pn = np.log(np.where(P > 0, P, np.nan)) / np.log(hi / lo) if logp else P / (hi - lo)
        X = v[:, 1:]
        spread = np.nanmax(np.abs(X[ok]), axis=0) if ok.any() else np.ones(X.shape[1])
        Xn = X / np.where(spread > 0, spread, 1.0)
        jump = np.abs(np.diff(pn)) + np.max(np.abs(np.diff(Xn, axis=0)), axis=1)
        jump = np.where(np.isfinite(jump), jump, 1.0)
        Pa, Pb = P[:-1], P[1:]
        with np.errstate(invalid="ignore"):
            across = (np.fmin(Pa, Pb) <= hi) & (np.fmax(Pa, Pb) >= lo)  # the range may lie between them
        near = ok[1:] | ok[:-1] | across
        split = np.flatnonzero(near & (jump > tol))
        if split.size == 0 or g.size + split.size > cap:
            break
        mids = 0.5 * (g[split] + g[split + 1])
        g = np.concatenate([g, mids])
        order = np.argsort(g)
        vm, okm = evaluate(mids)
        v, ok, g = np.concatenate([v, vm])[order], np.concatenate([ok, okm])[order], g[order]
    pieces = []
    for i, j in _segments(ok):
        if ok[i] and j > i:
            pieces.append((v[i:j + 1, 0], v[i:j + 1, 1:], g[i:j + 1]))
    return pieces


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

    from linstab.sym import parametric_fixed_points

    try:
        branches = parametric_fixed_points(model, param)
    except Exception:
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


def _columns(branches: list[dict[str, np.ndarray]], vi: int) -> tuple[dict[str, dict[str, list[float]]], dict[str, list[Any]]]:
    """Line columns per stability (runs joined, NaN between) and the fold/Hopf points of the branches."""
    cols = {k: {"p": [], "y": []} for k in ("stable", "oscillatory", "unstable")}
    specials: dict[str, list[Any]] = {"p": [], "y": [], "kind": [], "color": [], "marker": []}
    for b in branches:
        P, y, mr, osc = b["p"], b["state"][:, vi], b["max_real"], b["oscillatory"]
        state = np.where(mr < 0, "stable", np.where(osc, "oscillatory", "unstable"))
        for i, j in _segments(state):
            jj = min(j + 1, len(P) - 1)  # overlap one point so that the runs join
            c = cols[str(state[i])]
            c["p"] += P[i:jj + 1].tolist() + [float("nan")]
            c["y"] += y[i:jj + 1].tolist() + [float("nan")]
        dP = np.sign(np.diff(P))
        for i in np.flatnonzero(dP[1:] * dP[:-1] < 0) + 1:  # folds: turning points of the parameter
            specials["p"].append(float(P[i]))
            specials["y"].append(float(y[i]))
            specials["kind"].append("fold")
            specials["color"].append(_FOLD)
            specials["marker"].append("square")
        sgn = np.sign(mr)
        for i in np.flatnonzero(sgn[1:] * sgn[:-1] < 0):  # Hopf: a complex pair crosses the axis
            if osc[i] or osc[i + 1]:
                t = mr[i] / (mr[i] - mr[i + 1])
                specials["p"].append(float(P[i] + t * (P[i + 1] - P[i])))
                specials["y"].append(float(y[i] + t * (y[i + 1] - y[i])))
                specials["kind"].append("Hopf")
                specials["color"].append(PALETTE["neutral"])
                specials["marker"].append("circle")
        for bp, bx in b.get("branch_points", []):
            specials["p"].append(bp)
            specials["y"].append(float(bx[vi]))
            specials["kind"].append("branch point")
            specials["color"].append(_BRANCH_POINT)
            specials["marker"].append("diamond")
    return cols, specials


def _sweep_specials(grid: np.ndarray, found: list[list[Any]], vi: int) -> dict[str, list[Any]]:
    """Fold and Hopf points of a numeric sweep (no parametric branch): the fixed points at
    neighbouring parameter values are matched (nearest state); a matched pair whose leading
    eigenvalues are complex and whose largest real part changes sign brackets a Hopf point
    (interpolated linearly); fixed points left without a partner, two at a time, are a pair that
    collides and vanishes between the two values — a fold, marked midway."""
    specials: dict[str, list[Any]] = {"p": [], "y": [], "kind": [], "color": [], "marker": []}

    def add(p: float, y: float, kind: str) -> None:
        specials["p"].append(float(p))
        specials["y"].append(float(y))
        specials["kind"].append(kind)
        specials["color"].append(_FOLD if kind == "fold" else PALETTE["neutral"])
        specials["marker"].append("square" if kind == "fold" else "circle")

    for i in range(len(grid) - 1):
        A, B = found[i], found[i + 1]
        xa = [np.asarray(fp.state, float) for fp in A]
        xb = [np.asarray(fp.state, float) for fp in B]
        free_a, free_b = set(range(len(A))), set(range(len(B)))
        pairs = sorted(((np.abs(x - y).max() / (1 + np.abs(x).max()), ia, ib)
                        for ia, x in enumerate(xa) for ib, y in enumerate(xb)))
        for d, ia, ib in pairs:
            if d > 0.2 or ia not in free_a or ib not in free_b:
                continue
            free_a.discard(ia)
            free_b.discard(ib)
            ea, eb = np.asarray(A[ia].eigenvalues), np.asarray(B[ib].eigenvalues)
            ra, rb = ea.real.max(), eb.real.max()
            lead_complex = np.abs(ea[np.argmax(ea.real)].imag) > 1e-9 or np.abs(eb[np.argmax(eb.real)].imag) > 1e-9
            if ra * rb < 0 and lead_complex:
                t = ra / (ra - rb)
                add(grid[i] + t * (grid[i + 1] - grid[i]), xa[ia][vi] + t * (xb[ib][vi] - xa[ia][vi]), "Hopf")
        for side, free, xs in ((i, free_a, xa), (i + 1, free_b, xb)):
            if len(free) == 2:  # two fixed points appear or vanish together: a fold in between
                add((grid[i] + grid[i + 1]) / 2, np.mean([xs[k][vi] for k in free]), "fold")
    return specials


def _off_branch_sweep(model: Any, param: str, values: Mapping[str, float], grid: np.ndarray,
                      branches: list[dict[str, np.ndarray]], *, log_p: bool, tol: float = 0.01) -> list[tuple[float, Any]]:
    """``(p, fixed point)`` of a numeric sweep over ``grid`` that lie on none of the sampled branches.

    Closeness is measured as in the branch sampling: the parameter relative to the range (log on a log
    axis) plus the largest state difference relative to the branches' spread.
    """
    pn = (lambda q: np.log(q) / np.log(grid[-1] / grid[0])) if log_p else (lambda q: q / (grid[-1] - grid[0]))
    BP = np.concatenate([pn(b["p"]) for b in branches])
    BX = np.concatenate([b["state"] for b in branches])
    spread = np.max(np.abs(BX), axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    out = []
    for q in grid:
        for fp in num.fixed_points(model, {**values, param: float(q)}):
            x = np.asarray(fp.state, float)
            d = np.abs(BP - pn(q)) + np.max(np.abs(BX - x) / spread, axis=1)
            if not np.any(d < tol):
                out.append((float(q), fp))
    return out


def _stability_along(model: Any, J: Any, values: Mapping[str, float], k: int, P: np.ndarray,
                     X: np.ndarray) -> dict[str, np.ndarray]:
    names = list(model.parameter_names)
    pvec = np.broadcast_to(np.array(model.parameter_vector(values), float), (P.size, len(names))).copy()
    pvec[:, k] = P
    with np.errstate(all="ignore"):
        ev = np.linalg.eigvals(J(X, pvec))
    lead = np.argmax(ev.real, axis=1)
    lead_ev = ev[np.arange(ev.shape[0]), lead]
    return {"p": P, "state": X, "max_real": lead_ev.real, "oscillatory": np.abs(lead_ev.imag) > 1e-9}


def _segments(mask_list: np.ndarray) -> list[tuple[int, int]]:
    """Index runs ``[i, j]`` (inclusive) of equal values in ``mask_list``."""
    runs, start = [], 0
    for i in range(1, len(mask_list) + 1):
        if i == len(mask_list) or mask_list[i] != mask_list[start]:
            runs.append((start, i - 1))
            start = i
    return runs


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

    model.parameter(param)
    vals = model.numeric_values(values)
    variable = variable or model.variable_names[0]
    if variable not in model.variable_names:
        raise ValueError(f"bifurcation_diagram: variable must be one of {', '.join(model.variable_names)}; "
                         f"got {variable!r}")
    vi = model.variable_names.index(variable)
    p0 = vals[param]
    if p_range is None:
        p_range = (p0 / 10, p0 * 10) if p0 > 0 else (p0 - 1.0, p0 + 1.0)
    lo, hi = (float(v) for v in p_range)
    if not lo < hi:
        raise ValueError(f"bifurcation_diagram: p_range must have min < max; got ({lo}, {hi})")
    if log_p is None:
        log_p = lo > 0 and hi / lo > 20
    if log_p and lo <= 0:
        raise ValueError(f"bifurcation_diagram: a log axis needs a positive p_range; got ({lo}, {hi})")

    pn, vn = pretty(param), pretty(variable)
    branches = branch_samples(model, param, vals, (lo, hi))
    p = figure(x_label=pn, y_label=f"{vn} at the fixed points", title=f"Bifurcation diagram of {model.name} in {pn}",
               width=width, height=height, log_x=log_p, x_range=Range1d(lo, hi), name="bifurcation_diagram")
    specials: dict[str, list[Any]] = {"p": [], "y": [], "kind": [], "color": [], "marker": []}
    line_renderers = []
    styles = {
        "stable": (PALETTE["stable"], "solid", "stable"),
        "oscillatory": (PALETTE["oscillatory"], "dashed", "unstable (oscillatory)"),
        "unstable": (PALETTE["unstable"], "dashed", "unstable"),
    }
    line_srcs = {}
    statics: list[Any] = []  # glyphs for the initial parameter values only, hidden once the branches move
    if branches:
        cols, specials = _columns(branches, vi)
        for key in ("stable", "oscillatory", "unstable"):
            color, dash, label = styles[key]
            src = ColumnDataSource({**cols[key], "stability": [label] * len(cols[key]["p"])}, name=f"branch_{key}")
            line_srcs[key] = src
            kw = {"legend_label": label} if cols[key]["p"] else {}
            line_renderers.append(p.line("p", "y", source=src, line_width=3, color=color, line_dash=dash, **kw))
        # fixed points off the parametric branches (the toggle switch's asymmetric states): a numeric sweep
        grid = np.geomspace(lo, hi, n_sweep) if log_p else np.linspace(lo, hi, n_sweep)
        extra: dict[str, list[Any]] = {"p": [], "y": [], "stability": [], "color": [], "fill": [], "state": []}
        extra.update({f"x_{v}": [] for v in model.variable_names})
        for q, fp in _off_branch_sweep(model, param, vals, grid, branches, log_p=bool(log_p)):
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
        grid = np.geomspace(lo, hi, n_sweep) if log_p else np.linspace(lo, hi, n_sweep)
        sweep: dict[str, list[Any]] = {"p": [], "y": [], "stability": [], "color": []}
        found = [num.fixed_points(model, {**vals, param: float(q)}) for q in grid]
        specials = _sweep_specials(grid, found, vi)
        for q, fps in zip(grid, found):
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
