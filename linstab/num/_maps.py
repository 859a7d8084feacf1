"""Stability maps: fixed points and their stability on 1-D and 2-D parameter grids.

Every grid point is handled by array operations on whole chunks of the grid (sized to a memory
budget), never by a Python loop over points. Two ways to find the fixed points:

``"newton"``
    Damped Newton iterations on the full system from several seeds per grid point at once, then
    de-duplication of the converged roots within each point; then continuation across the grid:
    every fixed point found at a grid point seeds Newton at its neighbours, so that a branch found
    anywhere is followed wherever it exists on the grid. Works for any model.
``"symmetric"``
    When the equations are invariant under a permutation of the variables and the fixed points
    lie on the symmetric branch (``x1 = x2 = x3`` for the repressilator), the fixed-point problem
    reduces to one scalar equation ``E(s) = 0``. Its roots are bracketed on a logarithmic grid of
    ``s`` and polished by safeguarded Newton steps, all points at once. ``"auto"`` uses this
    reduction only after Newton from many seeds on a coarse sub-grid found no fixed point off
    the symmetric branch.

The eigenvalues come from the characteristic polynomial (closed forms up to degree 3) or from a
batched eigenvalue routine for larger systems.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, ParameterError
from linstab._linalg import charpoly_coefficients
from linstab.model import Model, load_model
from linstab.num._newton import maxabs, newton
from linstab.sbml import require_isolated

__all__ = ["StabilityMap", "stability_map", "METHODS", "REGIONS"]

METHODS = ("auto", "symmetric", "newton")

#: Region labels of :attr:`StabilityMap.region`.
REGIONS = ("none", "stable", "multistable", "oscillatory", "unstable")


@dataclass(frozen=True, kw_only=True, eq=False)
class StabilityMap:
    """Fixed points and their stability over a 1-D or 2-D grid of two parameters.

    Arrays have shape ``(len(y), len(x))`` (a 1-D map has ``len(y) == 1``, ``y_name`` ``None``).

    Attributes
    ----------
    x_name, y_name
        Parameters on the horizontal and vertical axes (``y_name`` is ``None`` for a 1-D map).
    x, y
        Grid axes (``y`` is ``[nan]`` for a 1-D map).
    log_x, log_y
        Whether the axes are logarithmically spaced.
    max_real
        Largest real part of the eigenvalues of the Jacobian at the fixed point — of the most stable
        fixed point where there are several, so ``max_real < 0`` exactly where ``n_stable >= 1``;
        ``nan`` where no fixed point was found.
    n_fixed
        Number of distinct fixed points in the domain.
    n_stable
        Number of linearly stable fixed points (``2`` marks bistability).
    oscillatory
        Where a fixed point is stable: whether the leading eigenvalues of the most stable one are a
        complex pair (a stable focus, damped oscillations). Where none is stable: whether some
        fixed point is an unstable focus (a complex pair with ``Re λ >= 0``), i.e. a likely
        oscillation — :func:`linstab.num.check_behaviour` can confirm it by simulation. So
        ``oscillatory & (max_real > 0)`` is the oscillatory region of :attr:`region`.
    fixed
        Values of the other parameters.
    method
        ``"symmetric"`` or ``"newton"`` (what ``"auto"`` resolved to).

    Examples
    --------
    >>> m = stability_map("repressilator", ("n", 1.5, 5, 8), ("beta", 1, 1000, 6), log_y=True)
    >>> m.max_real.shape, bool(m.oscillatory[-1, -1]), int(m.n_stable[0, 0])
    ((6, 8), True, 1)
    """

    x_name: str
    y_name: str | None
    x: np.ndarray
    y: np.ndarray
    log_x: bool
    log_y: bool
    max_real: np.ndarray
    n_fixed: np.ndarray
    n_stable: np.ndarray
    oscillatory: np.ndarray
    fixed: dict[str, float] = field(default_factory=dict)
    method: str = "newton"

    @property
    def stable(self) -> np.ndarray:
        """Boolean array: at least one linearly stable fixed point."""
        return self.n_stable >= 1

    @property
    def region(self) -> np.ndarray:
        """Region label per grid point, one of :data:`REGIONS`, for any number of fixed points.

        ``"stable"``: exactly one stable fixed point; ``"multistable"``: several;
        ``"oscillatory"``: none stable and an unstable focus among them (likely oscillation);
        ``"unstable"``: none stable and no focus; ``"none"``: no fixed point found.

        Examples
        --------
        >>> m = stability_map("toggle_switch", ("beta", 1.0, 5.0, 3), method="newton")
        >>> m.region.tolist()
        [['stable', 'multistable', 'multistable']]
        """
        out = np.full(self.n_fixed.shape, "unstable", dtype="<U11")
        out[self.oscillatory & (self.n_stable == 0)] = "oscillatory"
        out[self.n_stable == 1] = "stable"
        out[self.n_stable >= 2] = "multistable"
        out[self.n_fixed == 0] = "none"
        return out

    def plot(self, curves: Sequence[Any] = (), **kwargs: Any) -> Any:
        """The stability diagram of a 2-D map: :func:`linstab.plot.stability_diagram` ``(curves, self, **kwargs)``.

        Examples
        --------
        >>> m = stability_map("repressilator", ("n", 2, 5, 6), ("beta", 1, 1000, 6), log_y=True)
        >>> m.plot().xaxis.axis_label
        'n'
        """
        if self.y_name is None:
            raise ValueError(f"plot needs a 2-D stability map; this one is 1-D (x = {self.x_name!r}, y = None)")
        from linstab.plot import stability_diagram

        return stability_diagram(curves, self, **kwargs)

    def to_npz(self, path: Any) -> None:
        """Write the arrays (named after the quantities) and the axes to an ``.npz`` file, atomically
        (a kill or a failure mid-write leaves the old file)."""
        from linstab._atomic import atomic_open

        with atomic_open(path, "wb", what=".npz file") as fh:
            np.savez(fh, x=self.x, y=self.y, max_real=self.max_real, n_fixed=self.n_fixed,
                     n_stable=self.n_stable, oscillatory=self.oscillatory, region=self.region,
                     x_name=np.array(self.x_name), y_name=np.array(self.y_name or ""),
                     log_x=np.array(self.log_x), log_y=np.array(self.log_y))

    def to_csv(self, path: Any) -> None:
        """Write one row per grid point, for spreadsheets, R or pandas: the parameter values (columns
        named after the parameters), ``max_real``, ``n_fixed``, ``n_stable``, ``oscillatory`` (0/1)
        and ``region``. Written atomically.

        Examples
        --------
        >>> import tempfile, os
        >>> m = stability_map("toggle_switch", ("beta", 1.0, 5.0, 3), method="newton")
        >>> path = os.path.join(tempfile.mkdtemp(), "toggle.csv")
        >>> m.to_csv(path)
        >>> from pathlib import Path
        >>> lines = Path(path).read_text().splitlines()
        >>> lines[0], lines[2].split(",")[2:]
        ('beta,max_real,n_fixed,n_stable,oscillatory,region', ['3', '2', '0', 'multistable'])
        """
        from linstab._atomic import atomic_open

        ny, nx = self.max_real.shape
        X, Y = np.meshgrid(self.x, self.y) if self.y_name is not None else (self.x[None, :], None)
        names = [self.x_name] + ([self.y_name] if self.y_name is not None else [])
        cols = [X.ravel()] + ([Y.ravel()] if Y is not None else [])
        header = ",".join(names + ["max_real", "n_fixed", "n_stable", "oscillatory", "region"])
        region = self.region.ravel()
        with atomic_open(path, "w", encoding="utf-8", newline="", what=".csv file") as fh:
            fh.write(header + "\n")
            rows = zip(*cols, self.max_real.ravel(), self.n_fixed.ravel(), self.n_stable.ravel(),
                       self.oscillatory.ravel(), region)
            for *params, mr, nf, ns, osc, reg in rows:
                fields = [f"{v:.17g}" for v in params] + [f"{mr:.17g}", str(int(nf)), str(int(ns)),
                                                           str(int(bool(osc))), str(reg)]
                fh.write(",".join(fields) + "\n")


# ===================================================================== helpers
def jacobian_kernel(model: Model, backend: str = "numpy"):
    """``model.kernel("jacobian")``: the result is shaped ``(..., n, n)``, also for ``n = 1``."""
    return model.kernel("jacobian", backend=backend)


# ===================================================================== eigenvalue summaries
def _roots(J: Any, xp: Any) -> Any:
    """Eigenvalues ``(..., n)`` of a batch of Jacobians ``(..., n, n)`` (complex)."""
    n = J.shape[-1]
    if n == 1:
        return J[..., 0, :] + 0j
    if n > 3:
        return np.linalg.eigvals(J) if xp is np else xp.linalg.eigvals(J)
    return _poly_roots(charpoly_coefficients(J, xp), xp)


def _poly_roots(c: list[Any], xp: Any) -> Any:
    """Roots of ``λⁿ + c[0] λⁿ⁻¹ + … + c[n-1]`` for ``n <= 3`` (closed forms, batched)."""
    n = len(c)
    if n == 1:
        return (-c[0] + 0j)[..., None] if xp is np else (-c[0]).to(xp.complex128)[..., None]
    cplx = (lambda a: a.astype(complex)) if xp is np else (lambda a: a.to(xp.complex128))
    if n == 2:
        a, b = cplx(c[0]), cplx(c[1])
        d = (a * a - 4 * b) ** 0.5
        return xp.stack([(-a + d) / 2, (-a - d) / 2], -1)
    a, b, cc = cplx(c[0]), cplx(c[1]), cplx(c[2])
    p = b - a * a / 3
    q = 2 * a ** 3 / 27 - a * b / 3 + cc
    disc = (q * q / 4 + p ** 3 / 27) ** 0.5
    u1 = -q / 2 + disc
    u2 = -q / 2 - disc
    u_in = xp.where(abs(u1) >= abs(u2), u1, u2)
    u = u_in ** (1.0 / 3.0)
    small = abs(u) < 1e-300
    safe_u = xp.where(small, xp.ones_like(u), u)
    v = xp.where(small, xp.zeros_like(u), -p / (3 * safe_u))
    w = complex(-0.5, math.sqrt(3) / 2)
    out = [u + v, u * w + v * w.conjugate(), u * w.conjugate() + v * w]
    return xp.stack([r - a / 3 for r in out], -1)


def _summaries(ev: Any, xp: Any, tol: float = 1e-9) -> tuple[Any, Any, Any]:
    """Per fixed point: max Re λ, whether the leading eigenvalues are a complex pair, and whether it
    is an unstable focus (a complex pair with Re λ >= 0: trajectories spiral away from it)."""
    re = ev.real
    lead = xp.argmax(re, -1) if xp is np else re.argmax(-1)
    take = (lambda a, i: np.take_along_axis(a, i[..., None], -1)[..., 0]) if xp is np else \
        (lambda a, i: a.gather(-1, i[..., None])[..., 0])
    maxre = take(re, lead)
    osc = abs(take(ev.imag, lead)) > tol * (1 + abs(maxre))
    focus = ((re >= 0) & (abs(ev.imag) > tol * (1 + abs(re)))).any(-1)
    return maxre, osc, focus


# ===================================================================== grids and parameters
def _axis(spec: Sequence[Any], log: bool, model: Model, where: str) -> tuple[str, np.ndarray]:
    if not (isinstance(spec, (tuple, list)) and len(spec) == 4):
        raise TypeError(f"{where} must be (name, min, max, n), got {spec!r}")
    name, lo, hi, num = spec
    model.parameter(name)
    lo, hi, num = float(lo), float(hi), int(num)
    if num < 1:
        raise ValueError(f"{where}: number of points must be >= 1, got {num}")
    if log:
        if lo <= 0 or hi <= 0:
            raise ValueError(f"{where}: a log axis needs min > 0 and max > 0, got {lo}, {hi}")
        return name, np.geomspace(lo, hi, num)
    return name, np.linspace(lo, hi, num)


# ===================================================================== symmetric reduction
def _reduction(model: Model):
    """``(s, E, subs)``: the scalar fixed-point equation on the symmetric branch, or ``None``."""
    key = "_maps_reduction"
    cache = model._cache
    if key in cache:
        return cache[key]
    from linstab.sym import branch_symbol, symmetry_orbits

    groups = symmetry_orbits(model)
    out = None
    if any(model.domain[v] not in ("positive", "nonnegative") for v in model.variable_names):
        pass  # the scalar root finder brackets on s > 0 only
    elif len(groups) == 1 and model.n_vars > 1:
        g = groups[0]
        s = branch_symbol(g[0], g, model)
        E = sp.together(model.rhs[0].xreplace({v: s for v in g}))
        out = (s, E, {v: s for v in g})
    elif model.n_vars == 1:
        s = model.variables[0]
        out = (s, model.rhs[0], {s: s})
    cache[key] = out
    return out


def _solve_scalar(kE: Any, kdE: Any, p: Any, xp: Any, *, lo: float = 1e-6, hi: float = 1e6,
                  n_grid: int = 25, max_roots: int = 3, iters: int = 40, refine: int = 8) -> tuple[Any, Any]:
    """Roots of ``E(s; p) = 0`` for ``1e-6 < s < 1e6``, per row of ``p`` (``(N, n_params)``).

    Sign changes of ``E`` on a logarithmic grid bracket the roots; rows where ``E`` is not monotone
    on the grid (where two roots could share a cell) are redone on a ``refine`` times finer grid.
    Two roots closer than one fine cell (a factor ``10**(12 / (refine * (n_grid - 1)))``, 1.15 by
    default) — i.e. right at a fold — can still be missed.

    Returns ``(roots (N, R), valid (N, R))`` with ``R <= max_roots``."""
    N = p.shape[0]
    grid = np.geomspace(lo, hi, n_grid)
    sg = xp.asarray(grid) if xp is np else xp.as_tensor(grid, dtype=p.dtype, device=p.device)
    ev = kE(sg[None, :, None], p[:, None, :])  # (N, n_grid)
    if refine > 1 and N:
        d = ev[:, 1:] - ev[:, :-1]
        turn = ((d[:, 1:] > 0) != (d[:, :-1] > 0)).any(-1)
        if bool(turn.any()):
            rows = xp.nonzero(turn)[0] if xp is np else turn.nonzero()[:, 0]
            r1, v1 = _solve_scalar(kE, kdE, p, xp, lo=lo, hi=hi, n_grid=n_grid, max_roots=max_roots,
                                   iters=iters, refine=1)
            r2, v2 = _solve_scalar(kE, kdE, p[rows], xp, lo=lo, hi=hi, n_grid=(n_grid - 1) * refine + 1,
                                   max_roots=max_roots, iters=iters, refine=1)
            R = max(r1.shape[1], r2.shape[1])
            r1, v1 = _pad(r1, R, xp), _pad(v1, R, xp)
            r1[rows] = _pad(r2, R, xp)
            v1[rows] = _pad(v2, R, xp)
            return r1, v1
    sgn = ev > 0
    change = sgn[:, 1:] != sgn[:, :-1]
    # keep the first max_roots brackets per row
    order = xp.cumsum(change.astype(np.int64) if xp is np else change.long(), -1)
    found = int(order[:, -1].max()) if N else 0
    roots, valid = [], []
    for r in range(max(1, min(max_roots, found))):
        sel = change & (order == r + 1)
        has = sel.any(-1)
        idx = (sel.argmax(-1) if xp is np else sel.int().argmax(-1))
        a = xp.log(sg[idx])
        b = xp.log(sg[idx + 1])
        fa = _gather(ev, idx, xp)
        x = (a + b) / 2
        for it in range(iters):  # safeguarded Newton in u = log s
            s = xp.exp(x)
            f = kE(s[:, None], p)
            df = kdE(s[:, None], p) * s
            left = (f > 0) == (fa > 0)
            a = xp.where(left, x, a)
            fa = xp.where(left, f, fa)
            b = xp.where(left, b, x)
            step = x - f / df
            ok = (step >= a) & (step <= b) & (df != 0)
            x_new = xp.where(ok, step, (a + b) / 2)
            done = bool(((abs(x_new - x) <= 1e-13 * (1 + abs(x))) | ~has).all())
            x = x_new
            if done:
                break
        roots.append(xp.exp(x))
        valid.append(has)
    return xp.stack(roots, -1), xp.stack(valid, -1)


def _pad(a: Any, R: int, xp: Any) -> Any:
    if a.shape[1] == R:
        return a
    fill = xp.zeros((a.shape[0], R - a.shape[1]), dtype=a.dtype) if xp is np else \
        xp.zeros((a.shape[0], R - a.shape[1]), dtype=a.dtype, device=a.device)
    return xp.concatenate([a, fill], 1) if xp is np else xp.cat([a, fill], 1)


def _gather(a: Any, idx: Any, xp: Any) -> Any:
    if xp is np:
        return np.take_along_axis(a, idx[:, None], -1)[:, 0]
    return a.gather(-1, idx[:, None])[:, 0]


# ===================================================================== Newton from seeds
def _seeds(model: Model, n_seeds: int) -> np.ndarray:
    """Deterministic seeds: half on the diagonal (all variables equal, evenly spaced, which finds the
    symmetric fixed points of symmetric circuits), half scattered at random (a fixed generator)."""
    rng = np.random.default_rng(0)
    n = model.n_vars
    n_diag = n_seeds if n == 1 else (n_seeds + 1) // 2
    out = np.empty((n_seeds, n))
    for i, v in enumerate(model.variables):
        if model.domain[v.name] in ("positive", "nonnegative"):
            out[:n_diag, i] = np.geomspace(1e-2, 1e3, n_diag)
            out[n_diag:, i] = 10.0 ** rng.uniform(-2, 3, n_seeds - n_diag)
        else:
            out[:n_diag, i] = np.linspace(-10, 10, n_diag)
            out[n_diag:, i] = rng.uniform(-10, 10, n_seeds - n_diag)
    return out


def _newton_fixed_points(model: Model, p: Any, xp: Any, backend: str, *, n_seeds: int, iters: int = 60,
                         tol: float = 1e-9) -> tuple[Any, Any]:
    """Fixed points per row of ``p``: ``(x (N, S, n), valid (N, S))`` after de-duplication."""
    seeds = _seeds(model, n_seeds)
    N, n = p.shape[0], model.n_vars
    x = np.broadcast_to(seeds, (N, n_seeds, n)).copy() if xp is np else \
        xp.as_tensor(seeds, dtype=p.dtype, device=p.device).expand(N, n_seeds, n).clone()
    return _newton_from(model, p, x, xp, backend, iters=iters)


def _newton_from(model: Model, p: Any, x: Any, xp: Any, backend: str, *, iters: int = 60) -> tuple[Any, Any]:
    """Damped Newton from the seeds ``x (N, S, n)`` (one row of seeds per row of ``p``); returns
    ``(x (N, S, n), valid (N, S))``, converged roots in the domain, de-duplicated within each row."""
    f = model.kernel("rhs", backend=backend)
    jac = jacobian_kernel(model, backend)
    N, n_seeds, n = x.shape
    pp = p[:, None, :]
    pos = np.array([model.domain[v.name] in ("positive", "nonnegative") for v in model.variables])
    posx = pos if xp is np else xp.as_tensor(pos, device=p.device)
    # the flat list of (grid point, seed) pairs, each with its grid point's parameters
    PF = (np.broadcast_to(pp, (N, n_seeds, p.shape[1])) if xp is np else pp.expand(N, n_seeds, p.shape[1]))
    X = newton(f, jac, x.reshape(N * n_seeds, n), PF.reshape(N * n_seeds, p.shape[1]), xp=xp, nonneg=pos,
               iters=iters)
    x = X.reshape(N, n_seeds, n)
    F = f(x, pp)
    res = maxabs(F, xp)
    scale = 1 + maxabs(x, xp)
    valid = res <= 1e-7 * scale
    nonneg = np.array([model.domain[v.name] == "nonnegative" for v in model.variables])
    strict = np.array([model.domain[v.name] == "positive" for v in model.variables])
    if nonneg.any() or strict.any():
        lo_ok = (x >= -1e-9 * scale[..., None]) | ~(posx)
        valid = valid & lo_ok.all(-1)
    # de-duplicate within each grid point: keep the first of any cluster
    d = x[:, :, None, :] - x[:, None, :, :]
    dist = maxabs(d, xp)
    close = dist <= 1e-6 * scale[:, :, None]
    S = n_seeds
    earlier = np.tril(np.ones((S, S), dtype=bool), -1)
    earlier = earlier if xp is np else xp.as_tensor(earlier, device=p.device)
    # near a degenerate (non-hyperbolic) root Newton converges slowly and seeds stop at different
    # approximations of it: two nearby roots with a small residual between them are one
    near = valid[:, :, None] & valid[:, None, :] & earlier[None] & ~close & (dist <= 1e-2 * scale[:, :, None])
    if bool(near.any()):
        r, i, j = np.nonzero(near) if xp is np else near.nonzero(as_tuple=True)
        close[r, i, j] = _same_root(f, p[r], x[r, i], x[r, j], xp)
    dup = (close & earlier[None] & valid[:, None, :]).any(-1)
    return x, valid & ~dup


def _same_root(f: Any, p: Any, xa: Any, xb: Any, xp: Any) -> Any:
    """Per pair: is the residual small along the segment between ``xa`` and ``xb`` (at its
    quarter, half and three-quarter points)? Then they approximate one (degenerate) root; two
    distinct roots have a residual bump between them."""
    same = None
    for t in (0.25, 0.5, 0.75):
        m = xa + t * (xb - xa)
        res = abs(f(m, p)).max(-1) if xp is np else f(m, p).abs().amax(-1)
        ok = res <= 1e-7 * (1 + (abs(m).max(-1) if xp is np else m.abs().amax(-1)))
        same = ok if same is None else same & ok
    return same


# ===================================================================== main entry
def stability_map(
    model: Model | str,
    x: Sequence[Any],
    y: Sequence[Any] | None = None,
    *,
    log_x: bool = False,
    log_y: bool = False,
    values: Mapping[str, float] | None = None,
    backend: str = "numpy",
    method: str = "auto",
    memory_mb: float = 256.0,
    n_seeds: int = 12,
    device: Any = None,
    progress: bool = False,
    chunks: int | tuple[int, int] | None = None,
    store: Any = None,
    overwrite: bool = False,
) -> StabilityMap:
    """Fixed points, max Re λ, number of stable fixed points and oscillatory flag on a grid.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or anything :func:`~linstab.load_model` accepts.
    x
        Horizontal axis ``(name, min, max, n)``.
    y
        Vertical axis ``(name, min, max, n)``, or ``None`` for a 1-D map.
    log_x, log_y
        Logarithmic spacing of the axes.
    values
        Values of the other parameters (override the model's).
    backend
        ``"numpy"`` or ``"torch"``.
    method
        ``"auto"``, ``"symmetric"`` or ``"newton"`` (see the module docstring).
    memory_mb
        Memory budget for one chunk of grid points.
    n_seeds
        Newton seeds per grid point (method ``"newton"``).
    device
        Torch device (``"cpu"``, ``"cuda"``); ignored for numpy.
    progress
        Report progress on stderr (grid points done, points per second).
    chunks
        Compute the grid in tiles as Dask tasks on the active scheduler (a
        ``distributed.Client`` if one exists, else Dask's local one; ``linstab[dask]``):
        grid points per tile, or ``(rows, columns)``. The grid is never built in one piece.
        ``'symmetric'`` maps equal the in-memory ones; ``'newton'`` continues fixed points only
        within each tile (see :mod:`linstab.num._dask_map`).
    store
        With ``chunks``: a Zarr store (a folder) that the tiles write the four arrays into
        (``max_real``, ``n_fixed``, ``n_stable``, ``oscillatory``); the map's arrays are then
        Dask arrays reading it, for grids larger than memory. Built in a temporary folder beside
        it and renamed when complete.
    overwrite
        Replace an existing ``store`` that this function did not write.

    Returns
    -------
    StabilityMap

    Examples
    --------
    Bistability of the toggle switch past its pitchfork at ``beta = 2`` (``n = 2``):

    >>> m = stability_map("toggle_switch", ("beta", 1.0, 5.0, 4), method="newton")
    >>> m.n_fixed.tolist(), m.n_stable.tolist()
    ([[1, 3, 3, 3]], [[1, 2, 2, 2]])
    """
    model = load_model(model)
    require_isolated(model, "a stability map")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if backend not in ("numpy", "torch"):
        raise ValueError(f"backend must be 'numpy' or 'torch'; got {backend!r}")
    if values:
        model = model.with_values(values)
    x_name, xs = _axis(x, log_x, model, "x")
    if y is not None:
        y_name, ys = _axis(y, log_y, model, "y")
        if y_name == x_name:
            raise ParameterError(f"x and y must be different parameters; both are {x_name!r}")
    else:
        y_name, ys = None, np.array([np.nan])
    others = {k: v for k, v in model.parameter_values.items() if k not in (x_name, y_name)}
    missing = [k for k, v in others.items() if v is None]
    if missing:
        raise ParameterError(f"model {model.name!r}: no value for parameter(s) {', '.join(missing)}; "
                             f"pass values={{'{missing[0]}': ...}}")
    if store is not None and chunks is None:
        raise ValueError("stability_map: `store=` is written by Dask tasks; pass `chunks=` too (grid points per "
                         "task, e.g. chunks=1_000_000)")
    if chunks is not None:
        from linstab.num._dask_map import dask_map

        return dask_map(model, xs, ys, x_name, y_name, log_x, log_y, others, chunks=chunks, store=store,
                        overwrite=overwrite, backend=backend, method=method, memory_mb=memory_mb, n_seeds=n_seeds,
                        device=device, progress=progress)
    names = list(model.parameter_names)
    X, Y = np.meshgrid(xs, ys)
    P = np.empty(X.shape + (len(names),))
    for k, v in others.items():
        P[..., names.index(k)] = v
    P[..., names.index(x_name)] = X
    if y_name is not None:
        P[..., names.index(y_name)] = Y
    flat = P.reshape(-1, len(names))
    return _map(model, flat, X.shape, xs, ys, x_name, y_name, log_x, log_y, others, backend=backend,
                method=method, memory_mb=memory_mb, n_seeds=n_seeds, device=device, progress=progress)


def _map(model: Model, flat: np.ndarray, shape: tuple[int, int], xs: np.ndarray, ys: np.ndarray, x_name: str,
         y_name: str | None, log_x: bool, log_y: bool, others: dict[str, float], *, backend: str, method: str,
         memory_mb: float, n_seeds: int, device: Any, progress: bool) -> StabilityMap:
    """The work of :func:`stability_map` on the flattened grid of parameter vectors ``flat``."""
    from linstab._progress import Progress

    if backend == "torch":
        from linstab._optional import require

        xp = require("torch")
        flat_t = xp.as_tensor(flat, dtype=xp.float64, device=device or "cpu")
    else:
        xp, flat_t = np, flat
    red = _reduction(model) if method in ("auto", "symmetric") else None
    if method == "symmetric" and red is None:
        raise AnalysisError(f"method='symmetric': model {model.name!r} has no symmetric branch reducing it to one "
                            "equation; use method='newton'")
    if method == "auto":
        method = "symmetric" if red is not None and _all_symmetric(model, flat, n_seeds) else "newton"
    n = model.n_vars
    per_point = (n * n * 16 * 6 + 64 * 8) if method == "symmetric" else (n_seeds * (n * n * 8 * 8 + n_seeds * n * 8))
    chunk = max(1, int(memory_mb * 2 ** 20 // per_point))
    outs = []
    N = flat.shape[0]
    # Newton: two passes over the grid (its own seeds, then the summary), continuation sweeps between
    bar = Progress(2 * N if method == "newton" else N, f"stability map ({method})", enabled=progress)
    with bar:
        if method == "newton":
            roots, found = _grid_fixed_points(model, flat_t, shape, xp, backend, n_seeds=n_seeds, chunk=chunk,
                                              bar=bar)
            step = max(1, chunk * n_seeds // roots.shape[1])
            bar.note("eigenvalues")
            for start in range(0, N, step):
                r, v = roots[start:start + step], found[start:start + step]
                if xp is not np:
                    r = xp.as_tensor(r, dtype=flat_t.dtype, device=flat_t.device)
                    v = xp.as_tensor(v, device=flat_t.device)
                outs.append(_summarize_roots(model, flat_t[start:start + step], r, v, xp, backend))
                bar.update(min(step, N - start))
        for start in range(0, N, chunk) if method == "symmetric" else ():
            outs.append(_chunk_symmetric(model, red, flat_t[start:start + chunk], xp, backend))
            bar.update(min(chunk, N - start))
    cat = (lambda k: np.concatenate([o[k] for o in outs])) if xp is np else \
        (lambda k: xp.cat([o[k] for o in outs]).cpu().numpy())
    return StabilityMap(
        x_name=x_name, y_name=y_name, x=xs, y=ys, log_x=bool(log_x), log_y=bool(log_y),
        max_real=cat(0).reshape(shape), n_fixed=cat(1).reshape(shape).astype(np.int64),
        n_stable=cat(2).reshape(shape).astype(np.int64), oscillatory=cat(3).reshape(shape).astype(bool),
        fixed={k: float(v) for k, v in others.items()}, method=method,
    )


def _all_symmetric(model: Model, flat: np.ndarray, n_seeds: int) -> bool:
    """Newton from many seeds on a coarse sub-grid finds only symmetric fixed points?"""
    idx = np.unique(np.linspace(0, flat.shape[0] - 1, min(64, flat.shape[0])).astype(int))
    x, valid = _newton_fixed_points(model, flat[idx], np, "numpy", n_seeds=max(n_seeds, 16))
    if not valid.any():
        return True
    pts = x[valid]
    spread = pts.max(-1) - pts.min(-1)
    return bool(np.all(spread <= 1e-6 * (1 + np.abs(pts).max(-1))))


def _reduce_points(maxre: Any, osc: Any, focus: Any, valid: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
    """Per grid point: most stable fixed point's max Re λ, counts, oscillatory flag.

    The flag is the leading pair of the most stable fixed point being complex where some fixed point
    is stable (a stable focus: damped oscillations), and some fixed point being an unstable focus
    where none is stable (likely sustained oscillation: a limit cycle, by Poincaré–Bendixson in the
    plane when trajectories stay bounded; Strogatz (2015), sec. 7.3)."""
    inf = float("inf")
    m = xp.where(valid, maxre, xp.full_like(maxre, inf))
    best = m.argmin(-1)
    best_re = _gather(m, best, xp)
    best_osc = _gather(osc, best, xp)
    nan = xp.full_like(best_re, float("nan"))
    best_re = xp.where(xp.isinf(best_re), nan, best_re)
    n_fixed = valid.sum(-1)
    n_stable = (valid & (maxre < 0)).sum(-1)
    spiral_out = (valid & focus).any(-1)
    osc_flag = xp.where(n_stable >= 1, best_osc, spiral_out)
    return best_re, n_fixed, n_stable, osc_flag & ~xp.isnan(best_re)


def _chunk_symmetric(model: Model, red: Any, p: Any, xp: Any, backend: str) -> tuple[Any, ...]:
    from linstab.num._kernels import compile_kernel

    s, E, subs = red
    key = ("_maps_scalar", backend)
    if key not in model._cache:
        model._cache[key] = (compile_kernel(E, [[s], model.parameters], backend=backend),
                             compile_kernel(sp.diff(E, s), [[s], model.parameters], backend=backend))
    kE, kdE = model._cache[key]
    roots, valid = _solve_scalar(kE, kdE, p, xp)  # (N, R)
    n = model.n_vars
    ckey = ("_maps_charpoly", backend)
    if ckey not in model._cache:
        # characteristic-polynomial coefficients along the branch, compiled once (degree <= 3),
        # or the Jacobian along the branch for larger systems
        Jb = model.jacobian().xreplace(subs)
        if n <= 3:
            lam = sp.Dummy("lambda")
            coeffs = Jb.charpoly(lam).all_coeffs()[1:]
            model._cache[ckey] = ("coeffs", compile_kernel(coeffs, [[s], model.parameters], backend=backend))
        else:
            model._cache[ckey] = ("jacobian", compile_kernel(Jb, [[s], model.parameters], backend=backend))
    what, kern = model._cache[ckey]
    out = kern(roots[..., None], p[:, None, :])
    if what == "coeffs":
        ev = _poly_roots([out[..., i] for i in range(n)], xp)
    else:
        ev = _roots(out, xp)
    maxre, osc, focus = _summaries(ev, xp)
    valid = valid & xp.isfinite(maxre)
    return _reduce_points(maxre, osc, focus, valid, xp)


def _summarize_roots(model: Model, p: Any, x: Any, valid: Any, xp: Any, backend: str) -> tuple[Any, ...]:
    J = jacobian_kernel(model, backend)(x, p[:, None, :])
    finite = xp.isfinite(J).all(-1).all(-1)
    J = xp.where(finite[..., None, None], J, xp.zeros_like(J))
    ev = _roots(J, xp)
    maxre, osc, focus = _summaries(ev, xp)
    return _reduce_points(maxre, osc, focus, valid & finite, xp)


def _compact(x: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each row's valid roots to the front (in order) and drop the columns no row uses."""
    order = np.argsort(~valid, axis=1, kind="stable")
    x = np.take_along_axis(x, order[..., None], 1)
    valid = np.take_along_axis(valid, order, 1)
    k = max(1, int(valid.sum(1).max())) if valid.size else 1
    return x[:, :k], valid[:, :k]


def _grid_fixed_points(model: Model, flat: Any, shape: tuple[int, int], xp: Any, backend: str, *, n_seeds: int,
                       chunk: int, max_sweeps: int | None = None, bar: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Fixed points at every grid point: ``(roots (N, K, n), valid (N, K))``, numpy arrays.

    Each grid point first runs Newton from its own seeds (:func:`_seeds`). Then the fixed points
    are continued across the grid: every fixed point newly found at a grid point seeds Newton at
    its (up to four) neighbours, and whatever is new there seeds their neighbours in turn, until
    no grid point gains a fixed point. A branch found anywhere on the grid is so followed
    everywhere it is connected on the grid, also where the seeds of a point miss it."""
    N, n = flat.shape[0], model.n_vars
    ny, nx = shape
    to_np = (lambda a: a) if xp is np else (lambda a: a.cpu().numpy())
    to_xp = (lambda a: a) if xp is np else (lambda a: xp.as_tensor(a, dtype=flat.dtype, device=flat.device))
    parts = []
    for start in range(0, N, chunk):
        x, v = _newton_fixed_points(model, flat[start:start + chunk], xp, backend, n_seeds=n_seeds)
        parts.append(_compact(to_np(x), to_np(v)))
        if bar is not None:
            bar.update(min(chunk, N - start))
    K = max(x.shape[1] for x, _ in parts)
    roots = np.zeros((N, K, n))
    mask = np.zeros((N, K), dtype=bool)
    start = 0
    for x, v in parts:
        roots[start:start + len(x), :x.shape[1]] = x
        mask[start:start + len(x), :x.shape[1]] = v
        start += len(x)
    fresh = mask.copy()
    iy, ix = np.divmod(np.arange(N), nx)
    steps = ((0, 1), (0, -1), (1, 0), (-1, 0))
    for sweep in range(max_sweeps if max_sweeps is not None else 4 * (nx + ny) + 8):
        src = np.flatnonzero(fresh.any(1))
        if not src.size:
            break
        if bar is not None:
            bar.note(f"continuing fixed points across the grid, sweep {sweep + 1} ({src.size:,} points)")
        tgt_l, src_l = [], []
        for dy, dx in steps:
            ok = (iy[src] + dy >= 0) & (iy[src] + dy < ny) & (ix[src] + dx >= 0) & (ix[src] + dx < nx)
            tgt_l.append(src[ok] + dy * nx + dx)
            src_l.append(src[ok])
        tgt, srcs = np.concatenate(tgt_l), np.concatenate(src_l)
        order = np.argsort(tgt, kind="stable")
        tgt, srcs = tgt[order], srcs[order]
        uniq, first, counts = np.unique(tgt, return_index=True, return_counts=True)
        if not uniq.size:
            break
        row = np.repeat(np.arange(uniq.size), counts)
        rank = np.arange(tgt.size) - np.repeat(first, counts)
        C = int(counts.max())
        seeds = np.zeros((uniq.size, C, K, n))
        sv = np.zeros((uniq.size, C, K), dtype=bool)
        seeds[row, rank] = roots[srcs]
        sv[row, rank] = fresh[srcs]
        seeds, sv = _compact(seeds.reshape(uniq.size, C * K, n), sv.reshape(uniq.size, C * K))
        seeds = np.where(sv[..., None], seeds, seeds[:, :1])  # unused slots repeat the first seed
        found_x, found_v = [], []
        step = max(1, chunk * n_seeds // seeds.shape[1])
        for a in range(0, uniq.size, step):
            sel = uniq[a:a + step]
            x, v = _newton_from(model, flat[sel if xp is np else xp.as_tensor(sel, device=flat.device)], to_xp(seeds[a:a + step]), xp,
                                backend)
            found_x.append(to_np(x))
            found_v.append(to_np(v))
        x, v = np.concatenate(found_x), np.concatenate(found_v)
        ex, em = roots[uniq], mask[uniq]
        scale = 1 + maxabs(x, np)
        dist = maxabs(x[:, :, None, :] - ex[:, None, :, :], np)
        same = (dist <= 1e-6 * scale[..., None]) & em[:, None, :]
        near = v[:, :, None] & em[:, None, :] & ~same & (dist <= 1e-2 * scale[..., None])
        if near.any():  # approximations of one degenerate root (see _newton_from)
            r, i, j = np.nonzero(near)
            pr = flat[uniq[r]] if xp is np else flat[xp.as_tensor(uniq[r], device=flat.device)]
            same[r, i, j] = to_np(_same_root(model.kernel("rhs", backend=backend), pr, to_xp(x[r, i]),
                                             to_xp(ex[r, j]), xp))
        new = v & ~same.any(-1)
        fresh[:] = False
        if not new.any():
            break
        allx = np.concatenate([ex, x], 1)
        allm = np.concatenate([em, new], 1)
        allf = np.concatenate([np.zeros_like(em), new], 1)
        order = np.argsort(~allm, axis=1, kind="stable")
        allx = np.take_along_axis(allx, order[..., None], 1)
        allm = np.take_along_axis(allm, order, 1)
        allf = np.take_along_axis(allf, order, 1)
        K2 = int(allm.sum(1).max())
        if K2 > K:
            roots = np.concatenate([roots, np.zeros((N, K2 - K, n))], 1)
            mask = np.concatenate([mask, np.zeros((N, K2 - K), dtype=bool)], 1)
            fresh = np.concatenate([fresh, np.zeros((N, K2 - K), dtype=bool)], 1)
            K = K2
        roots[uniq, :K2] = allx[:, :K2]
        mask[uniq, :K2] = allm[:, :K2]
        fresh[uniq, :K2] = allf[:, :K2]
    return roots, mask
