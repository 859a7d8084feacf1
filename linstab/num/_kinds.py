"""The numeric side of the bifurcation kinds: test functions, crossing checks, Sotomayor's test.

:class:`linstab.sym.BifurcationKind` says what a kind is (name, label, the symbolic defining
condition); this module holds what is computed on numbers, for batches of Jacobians and their
eigenvalues. The hooks are looked up by the kind's name, falling back to its ``family``
(``"zero"``: ``det J = 0``; ``"hopf"``: the Hurwitz minor ``Δₙ₋₁ = 0``), so that a new kind of
an existing family needs no entry here; a kind of a new family adds one to :data:`_HOOKS`.

References
----------
Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), ch. 3 and sec. 10.2;
Perko, *Differential Equations and Dynamical Systems*, 3rd ed. (2001), sec. 4.2 (Sotomayor's theorem).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from linstab._errors import AnalysisError
from linstab._linalg import charpoly_coefficients
from linstab.sym import BifurcationKind, bifurcation_kind, hurwitz_layout

__all__ = ["kind_test_function", "kind_crossing_ok", "classify_zero_eigenvalue"]


def _det(J: np.ndarray) -> np.ndarray:
    return np.linalg.det(J)


def _hurwitz_minor(J: np.ndarray) -> np.ndarray:
    n = J.shape[-1]
    c = charpoly_coefficients(J)
    if n == 2:
        return c[0]
    # [a0 = 1, a1, ..., an, 0]: index -1 of the layout picks the trailing zero
    a = np.stack([np.ones_like(c[0]), *c, np.zeros_like(c[0])], axis=-1)
    layout = np.asarray(hurwitz_layout(n))[: n - 1, : n - 1]
    return np.linalg.det(a[..., layout])


def _zero_crossing(ev: np.ndarray, eps: np.ndarray) -> np.ndarray:
    return (np.abs(ev) <= eps).sum(axis=1) >= 1


def _hopf_crossing(ev: np.ndarray, eps: np.ndarray) -> np.ndarray:
    re, im = ev.real, ev.imag
    on_axis = (np.abs(re) <= eps) & (np.abs(im) > eps)
    others_stable = np.all(on_axis | (re < -eps), axis=1)
    return (on_axis.sum(axis=1) == 2) & others_stable


def _no_jacobian_test(J: np.ndarray) -> np.ndarray:
    raise AnalysisError("kind 'delay-hopf' is a condition on the characteristic quasi-polynomial of a delay model, "
                        "not on a Jacobian; use linstab.num.rightmost_roots")


def _turing_refused(*_: Any) -> np.ndarray:
    raise AnalysisError("the Turing kind has no test on J alone: its condition involves the diffusion matrix; "
                        "use linstab.sym.turing_conditions or linstab.num.dispersion")


#: Per kind name or family: (test function on Jacobians ``(..., n, n)``, crossing check on
#: eigenvalues ``(N, n)`` with tolerances ``(N, 1)``).
_HOOKS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "zero": (_det, _zero_crossing),
    "hopf": (_hurwitz_minor, _hopf_crossing),
    "delay-hopf": (_no_jacobian_test, _hopf_crossing),   # crossing checked on characteristic roots
    "turing": (_turing_refused, _turing_refused),
}


def _hooks(kind: str | BifurcationKind) -> tuple[Callable[..., Any], Callable[..., Any]]:
    k = bifurcation_kind(kind)
    hooks = _HOOKS.get(k.name) or _HOOKS.get(k.family)
    if hooks is None:
        raise ValueError(f"kind {k.name!r} (family {k.family!r}) has no numeric test function; "
                         f"add one to linstab.num._kinds._HOOKS")
    return hooks


def kind_test_function(kind: str | BifurcationKind, J: Any) -> np.ndarray:
    """The numeric test function of a kind on a batch of Jacobians ``(..., n, n)``: zero on its curve.

    ``det J`` for the ``det J = 0`` kinds (fold, transcritical, pitchfork); for Hopf the Hurwitz
    minor ``Δₙ₋₁`` of the characteristic polynomial (in 2-D its coefficient ``c₁ = −tr J``).

    Parameters
    ----------
    kind
        A :class:`~linstab.sym.BifurcationKind` or its name.
    J
        Jacobians, shape ``(..., n, n)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``.

    Examples
    --------
    >>> J = np.array([[[0.0, -2.0], [2.0, 0.0]], [[1.0, 0.0], [0.0, 3.0]]])
    >>> kind_test_function("hopf", J).tolist(), kind_test_function("fold", J).tolist()
    ([0.0, -4.0], [4.0, 3.0])
    """
    J = np.asarray(J, dtype=float)
    return _hooks(kind)[0](J)


def kind_crossing_ok(kind: str | BifurcationKind, ev: Any, scale: Any, tol: float = 1e-6) -> np.ndarray:
    """Per row of eigenvalues ``(N, n)``: does the spectrum show this kind's crossing?

    Zero family: an eigenvalue at zero (the others of either sign). Hopf: exactly one complex
    pair on the imaginary axis and every other eigenvalue in the open left half-plane (the
    remaining Routh–Hurwitz conditions; a neutral saddle also has ``Δₙ₋₁ = 0``).

    The tolerance is ``tol * sqrt(scale)`` (``scale``: the spectrum's size, about ``‖J‖``), not
    ``tol * scale``: in a stiff system one fast eigenvalue (10⁵–10⁶) sets the scale, and a
    tolerance proportional to it took a slow Hopf pair of frequency 3.5 for a real pair and
    called a slow stable eigenvalue neutral. A defective double eigenvalue perturbed by
    round-off splits by about ``sqrt(eps · ‖J‖)``, which this tolerance still covers.

    Parameters
    ----------
    kind
        A :class:`~linstab.sym.BifurcationKind` or its name.
    ev
        Eigenvalues, shape ``(N, n)``.
    scale
        The size of each spectrum, shape ``(N,)``.
    tol
        Relative tolerance (see above).

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(N,)``.

    Examples
    --------
    >>> bool(kind_crossing_ok("fold", np.array([[0.0, -1.0]]), np.array([2.0]))[0])
    True
    >>> kind_crossing_ok("hopf", np.array([[2j, -2j], [1 + 2j, 1 - 2j]]), np.array([3.0, 3.0])).tolist()
    [True, False]
    """
    ev = np.asarray(ev)
    eps = tol * np.sqrt(np.asarray(scale, dtype=float))[:, None]
    return _hooks(kind)[1](ev, eps)


def classify_zero_eigenvalue(f: Callable[[np.ndarray, np.ndarray], np.ndarray], jac: Callable[..., np.ndarray],
                             x: np.ndarray, p: np.ndarray, *, param_index: int, tol: float = 1e-6) -> BifurcationKind:
    """Kind of the ``det J = 0`` point ``(x, p)`` in the parameter ``p[param_index]`` (Sotomayor's test).

    Parameters
    ----------
    f, jac
        The right-hand side ``f(x, p)`` and its Jacobian ``jac(x, p)`` (e.g. ``model.kernel("rhs")``
        and ``model.kernel("jacobian")``).
    x, p
        The point: state and parameter vector.
    param_index
        Index in ``p`` of the bifurcation parameter.
    tol
        Relative size below which ``w·f_P`` counts as zero.

    Returns
    -------
    BifurcationKind
        ``fold`` (saddle-node), ``transcritical`` or ``pitchfork``.

    Notes
    -----
    A branch passes through
    the point when ``f_P`` lies in the range of ``J`` (``[J | f_P]`` rank-deficient: ``w·f_P = 0``);
    then the quadratic coefficient ``w·D²f(v, v)`` tells transcritical (non-zero) from pitchfork
    (zero, as a symmetry forces). Without a branch through it the point is a fold (saddle-node).
    Derivatives along ``v`` and in ``P`` are central differences; the tests are scale-free
    (``|w·f_P| <= tol |f_P|`` counts as zero), so that the units of ``P`` do not matter.

    Examples
    --------
    ``ẋ = μx − x²`` at the origin, ``μ = 0``: transcritical; ``ẋ = μ − x²``: fold.

    >>> tc = lambda x, p: p[..., :1] * x - x ** 2
    >>> sn = lambda x, p: p[..., :1] - x ** 2
    >>> jac_tc = lambda x, p: (p[..., :1] - 2 * x)[..., None]
    >>> jac_sn = lambda x, p: (-2 * x)[..., None]
    >>> classify_zero_eigenvalue(tc, jac_tc, np.zeros(1), np.zeros(1), param_index=0).name
    'transcritical'
    >>> classify_zero_eigenvalue(sn, jac_sn, np.zeros(1), np.zeros(1), param_index=0).name
    'fold'
    """
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    J = np.asarray(jac(x, p), dtype=float).reshape(x.size, x.size)
    hp = 1e-6 * abs(p[param_index]) if p[param_index] != 0 else 1e-8  # relative: parameters may be tiny
    e = np.zeros_like(p)
    e[param_index] = hp
    with np.errstate(all="ignore"):
        fP = (np.asarray(f(x, p + e)) - np.asarray(f(x, p - e))) / (2 * hp)
        if not np.all(np.isfinite(fP)):  # p - e outside the domain: one-sided
            fP = (np.asarray(f(x, p + e)) - np.asarray(f(x, p))) / hp
    U, S, Vt = np.linalg.svd(J)
    v, w = Vt[-1], U[:, -1]
    if abs(w @ fP) > tol * np.linalg.norm(fP):  # f_P leaves the range of J: no branch through
        return bifurcation_kind("fold")
    hx = 1e-3 * (1 + np.abs(x).max())
    inside = (x > 0) & (v != 0)  # keep positive coordinates positive (powers may be undefined below 0)
    if inside.any():
        hx = min(hx, 0.5 * float(np.min(x[inside] / np.abs(v[inside]))))
    with np.errstate(all="ignore"):
        d2 = (np.asarray(f(x + hx * v, p)) - 2 * np.asarray(f(x, p)) + np.asarray(f(x - hx * v, p))) / hx ** 2
        if not np.all(np.isfinite(d2)):  # one side outside the domain: one-sided second difference
            sgn = 1.0 if np.all(np.isfinite(np.asarray(f(x + 2 * hx * v, p)))) else -1.0
            d2 = (np.asarray(f(x + 2 * sgn * hx * v, p)) - 2 * np.asarray(f(x + sgn * hx * v, p))
                  + np.asarray(f(x, p))) / hx ** 2
    a = float(w @ d2)
    scale = max(np.abs(d2).max(), S[0] / (1 + np.abs(x).max()), 1e-300)
    return bifurcation_kind("transcritical") if abs(a) > 1e-4 * scale else bifurcation_kind("pitchfork")
