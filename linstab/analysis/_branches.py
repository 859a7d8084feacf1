"""Bifurcation-diagram data: the fixed-point branches against one parameter, their stability, and
their special points (folds, Hopf points, branch points).

Where :func:`linstab.sym.parametric_fixed_points` solves the fixed-point conditions for the
parameter (the repressilator's ``β = x₀(1 + x₀ⁿ)``), the branches are exact curves: the branch
coordinate is sampled densely, stability comes from the Jacobian's eigenvalues along it, folds are
the turning points of the parameter and Hopf points the sign changes of a complex pair's real
part. Otherwise the parameter is swept and :func:`linstab.num.find_fixed_points` gives the points.
:func:`linstab.plot.bifurcation_diagram` draws the result.

References
----------
Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, ch. 3 and 8;
Kuznetsov, Y. A., *Elements of Applied Bifurcation Theory*, 3rd ed., Springer, 2004.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linstab._parse import as_expr
from linstab.analysis._curves import window
from linstab.analysis.figures import fixed_points as _fixed_points
from linstab.analysis.figures import lower_bounds
from linstab.num import compile_kernel
from linstab.sym import parametric_fixed_points

__all__ = ["BranchData", "SpecialPoint", "bifurcation_branches", "branch_samples", "segments"]


@dataclass(frozen=True)
class SpecialPoint:
    """A fold (``"fold"``), Hopf point (``"Hopf"``) or branch point (``"branch point"``) at ``p``."""

    kind: str
    p: float
    state: np.ndarray


@dataclass(frozen=True, kw_only=True)
class BranchData:
    """What :func:`linstab.plot.bifurcation_diagram` draws.

    Attributes
    ----------
    branches
        The exact branches (see :func:`branch_samples`); empty where there is no parametric form.
    sweep
        ``(p, fixed points)`` of the numeric sweep over ``param`` (stable points first): all the
        points where there are no branches, else those on none of the branches.
    specials
        Folds, Hopf points and branch points along the branches, or between the sweep's values.
    p_range, log_p
        The range of ``param`` and whether it is sampled logarithmically.
    """

    param: str
    values: dict[str, float]
    p_range: tuple[float, float]
    log_p: bool
    branches: list[dict[str, Any]]
    sweep: list[tuple[float, list[Any]]]
    specials: list[SpecialPoint]


def bifurcation_branches(model: Any, param: str, *, values: Mapping[str, float] | None = None,
                         p_range: Sequence[float] | None = None, log_p: bool | None = None,
                         n_sweep: int = 80) -> BranchData:
    """The fixed points of ``model`` against ``param``: exact branches where they have a parametric
    form (plus a numeric sweep for the points off them), else a numeric sweep of ``n_sweep`` values.

    Parameters
    ----------
    model
        A :class:`~linstab.Model`.
    param
        The parameter on the horizontal axis.
    values
        Values of the other parameters (default: the model's).
    p_range
        Range of ``param`` (default: ``value/10 .. 10·value``).
    log_p
        Sample ``param`` logarithmically (default: when the range spans more than a factor 20).
    n_sweep
        Parameter values of the numeric sweep.

    Examples
    --------
    >>> from linstab import load_model
    >>> d = bifurcation_branches(load_model("repressilator"), "beta", p_range=(1, 100))
    >>> len(d.branches), [s.kind for s in d.specials]
    (1, ['Hopf'])
    """
    model.parameter(param)
    vals = model.numeric_values(values)
    lo, hi = (float(v) for v in (p_range if p_range is not None else window(vals[param], 10.0)))
    if not lo < hi:
        raise ValueError(f"bifurcation_diagram: p_range must have min < max; got ({lo}, {hi})")
    if log_p is None:
        log_p = lo > 0 and hi / lo > 20
    if log_p and lo <= 0:
        raise ValueError(f"bifurcation_diagram: a log axis needs a positive p_range; got ({lo}, {hi})")
    branches = branch_samples(model, param, vals, (lo, hi))
    grid = np.geomspace(lo, hi, n_sweep) if log_p else np.linspace(lo, hi, n_sweep)
    if branches:
        off: dict[float, list[Any]] = {}
        for q, fp in _off_branch_sweep(model, param, vals, grid, branches, log_p=bool(log_p)):
            off.setdefault(q, []).append(fp)
        sweep = list(off.items())
        specials = _branch_specials(branches)
    else:
        sweep = [(float(q), _fixed_points(model, {**vals, param: float(q)})) for q in grid]
        specials = _sweep_specials(grid, [fps for _, fps in sweep])
    return BranchData(param=param, values=dict(vals), p_range=(lo, hi), log_p=bool(log_p), branches=branches,
                      sweep=sweep, specials=specials)


def _branch_specials(branches: list[dict[str, np.ndarray]]) -> list[SpecialPoint]:
    """Folds (turning points of the parameter), Hopf points (a complex pair's real part changes sign,
    interpolated linearly) and the branch points of each branch."""
    out = []
    for b in branches:
        P, X, mr, osc = b["p"], b["state"], b["max_real"], b["oscillatory"]
        dP = np.sign(np.diff(P))
        for i in np.flatnonzero(dP[1:] * dP[:-1] < 0) + 1:
            out.append(SpecialPoint("fold", float(P[i]), X[i]))
        sgn = np.sign(mr)
        for i in np.flatnonzero(sgn[1:] * sgn[:-1] < 0):
            if osc[i] or osc[i + 1]:
                t = mr[i] / (mr[i] - mr[i + 1])
                out.append(SpecialPoint("Hopf", float(P[i] + t * (P[i + 1] - P[i])), X[i] + t * (X[i + 1] - X[i])))
        out += [SpecialPoint("branch point", bp, bx) for bp, bx in b.get("branch_points", [])]
    return out


def _sweep_specials(grid: np.ndarray, found: list[list[Any]]) -> list[SpecialPoint]:
    """Fold, Hopf and branch points of a numeric sweep (no parametric branch): the fixed points at
    neighbouring parameter values are matched (nearest state); a matched pair whose largest real
    part changes sign brackets a Hopf point when the leading eigenvalues are complex, and a branch
    point (transcritical or pitchfork: a real eigenvalue crosses zero while the fixed point goes
    on, and another branch meets it there) when they are real; both are interpolated linearly.
    Fixed points left without a partner, two at a time, are a pair that collides and vanishes
    between the two values — a fold, marked midway."""
    out = []
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
            if ra * rb < 0:
                t = ra / (ra - rb)
                out.append(SpecialPoint("Hopf" if lead_complex else "branch point",
                                        float(grid[i] + t * (grid[i + 1] - grid[i])), xa[ia] + t * (xb[ib] - xa[ia])))
        for free, xs in ((free_a, xa), (free_b, xb)):
            if len(free) == 2:  # two fixed points appear or vanish together: a fold in between
                out.append(SpecialPoint("fold", float((grid[i] + grid[i + 1]) / 2),
                                        np.mean([xs[k] for k in free], axis=0)))
    return out


def branch_samples(model: Any, param: str, values: Mapping[str, float], p_range: Sequence[float], *,
                   n_points: int = 2000) -> list[dict[str, np.ndarray]]:
    """Exact fixed-point branches sampled over ``p_range`` (empty if there is no parametric form).

    Each branch is a dict with ``p`` (parameter values), ``state`` (``(N, n_vars)``),
    ``max_real`` (largest Re λ), ``oscillatory`` (the leading eigenvalues are a complex pair) and
    ``branch_points`` (``(p, state)`` pairs where det J changes sign but the parameter does not turn
    back: a real eigenvalue crosses zero off a fold, as at a pitchfork or transcritical point).

    Parameters
    ----------
    model
        A :class:`~linstab.Model`.
    param
        The parameter solved for along the branches.
    values
        Values of every parameter.
    p_range
        Range of ``param`` kept.
    n_points
        Initial samples of the branch coordinate (refined adaptively).

    Examples
    --------
    >>> import numpy as np
    >>> from linstab import load_model
    >>> m = load_model("repressilator")
    >>> (b,) = branch_samples(m, "beta", m.numeric_values(), (1.0, 10.0), n_points=200)
    >>> bool(np.all(np.diff(b["p"]) > 0)), b["state"].shape[1]
    (True, 3)
    """
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
        lower = np.array([-np.inf if b is None else b for b in lower_bounds(model)])
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
    for i, j in segments(ok):
        if ok[i] and j > i:
            pieces.append((v[i:j + 1, 0], v[i:j + 1, 1:], g[i:j + 1]))
    return pieces


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
        for fp in _fixed_points(model, {**values, param: float(q)}):
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


def segments(mask_list: np.ndarray) -> list[tuple[int, int]]:
    """Index runs ``[i, j]`` (inclusive) of equal values in ``mask_list``.

    Parameters
    ----------
    mask_list
        A sequence of labels.

    Examples
    --------
    >>> segments(["a", "a", "b"])
    [(0, 1), (2, 2)]
    """
    runs, start = [], 0
    for i in range(1, len(mask_list) + 1):
        if i == len(mask_list) or mask_list[i] != mask_list[start]:
            runs.append((start, i - 1))
            start = i
    return runs


