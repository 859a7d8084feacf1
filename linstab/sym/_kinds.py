"""Codimension-one bifurcations of equilibria as objects.

Each kind carries what every part of linstab needs to know about it: its name and legend text,
its defining condition (symbolic, on a Jacobian matrix, and as a numeric test function on batches
of Jacobians), the eigenvalue check of a crossing, and — for the three kinds that share the
condition ``det J = 0`` — the non-degeneracy test that tells them apart (Sotomayor's theorem):

=================  =============================  =====================================================
kind               defining condition             non-degeneracy (``v``, ``w`` right/left null vectors)
=================  =============================  =====================================================
fold (saddle-node) ``det J = 0``                  ``w·f_P ≠ 0`` and ``w·D²f(v, v) ≠ 0``
transcritical      ``det J = 0``                  ``w·f_P = 0`` (a branch passes through), ``w·D²f(v, v) ≠ 0``
pitchfork          ``det J = 0``                  ``w·f_P = 0`` and ``w·D²f(v, v) = 0`` (by a symmetry)
Hopf               ``Δₙ₋₁ = 0`` (``tr J`` in 2-D)   a complex pair on the imaginary axis, the rest stable
Turing             ``max_k Re λ(J − k²D) = 0``     at ``k_c > 0``, with ``J`` itself stable (see :mod:`linstab.sym._turing`)
=================  =============================  =====================================================

A request for ``"fold"`` means any ``det J = 0`` curve (what earlier versions called a fold); each
result reports its true kind.

References
----------
Kuznetsov, *Elements of Applied Bifurcation Theory*, 3rd ed. (2004), ch. 3 and sec. 10.2;
Perko, *Differential Equations and Dynamical Systems*, 3rd ed. (2001), sec. 4.2 (Sotomayor's theorem);
Strogatz (2015), ch. 3 and 8.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError
from linstab._linalg import charpoly_coefficients
from linstab.sym._routh import hurwitz_layout, hurwitz_matrix

__all__ = ["BifurcationKind", "accepted_kinds", "bifurcation_kind", "KIND_NAMES", "classify_zero_eigenvalue"]


@dataclass(frozen=True, kw_only=True)
class BifurcationKind:
    """A codimension-one bifurcation of an equilibrium.

    Attributes
    ----------
    name
        Canonical name (``"fold"``, ``"transcritical"``, ``"pitchfork"``, ``"hopf"``).
    label
        Text for legends and reports (``"fold (saddle-node)"``).
    condition_text
        The defining condition as printed in derivations.
    family
        ``"zero"`` (a real eigenvalue crosses zero: ``det J = 0``), ``"hopf"``, or ``"turing"`` (a
        diffusion-driven instability: its condition is on ``J`` and the diffusion matrix ``D``, see
        :func:`linstab.sym.turing_conditions`).
    aliases
        Other names a request may use.

    Examples
    --------
    >>> k = bifurcation_kind("saddle-node")
    >>> k.name, k.label, k.condition_text
    ('fold', 'fold (saddle-node)', 'det J = 0')
    >>> import numpy as np
    >>> bool(k.crossing_ok(np.array([[0.0, -1.0]]), np.array([2.0]))[0])
    True
    """

    name: str
    label: str
    condition_text: str
    family: str
    aliases: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    def condition(self, J: sp.Matrix) -> tuple[sp.Expr, str, list[sp.Expr]]:
        """``(expression, text, charpoly coefficients)``: the condition ``expression = 0`` on ``J``."""
        n = J.shape[0]
        self._not_turing("condition")
        if self.family == "zero":
            return sp.factor(J.det(method="berkowitz")), "det J = 0", []
        if n < 2:
            raise AnalysisError("kind='hopf' needs at least two state variables (a complex pair of eigenvalues); "
                             "this model has one; use kind='fold'")
        lam = sp.Symbol("lambda")
        coeffs = [sp.expand(c) for c in J.charpoly(lam).all_coeffs()]
        if n == 2:
            return sp.factor(-coeffs[1]), "tr J = 0 (with det J > 0)", coeffs
        return (sp.factor(hurwitz_matrix(coeffs)[: n - 1, : n - 1].det(method="berkowitz")),
                f"Δ{n - 1} = 0 (Hurwitz minor; the other Routh–Hurwitz conditions hold)", coeffs)

    def test_function(self, J: np.ndarray) -> np.ndarray:
        """The numeric test function on a batch of Jacobians ``(..., n, n)``: zero on the curve."""
        self._not_turing("test_function")
        J = np.asarray(J, dtype=float)
        n = J.shape[-1]
        if self.family == "zero":
            return np.linalg.det(J)
        c = charpoly_coefficients(J)
        if n == 2:
            return c[0]
        # [a0 = 1, a1, ..., an, 0]: index -1 of the layout picks the trailing zero
        a = np.stack([np.ones_like(c[0]), *c, np.zeros_like(c[0])], axis=-1)
        layout = np.asarray(hurwitz_layout(n))[: n - 1, : n - 1]
        return np.linalg.det(a[..., layout])

    def crossing_ok(self, ev: np.ndarray, scale: np.ndarray, tol: float = 1e-6) -> np.ndarray:
        """Per row of eigenvalues ``(N, n)``: does the spectrum show this crossing?

        Zero family: an eigenvalue at zero (the others of either sign). Hopf: exactly one complex
        pair on the imaginary axis and every other eigenvalue in the open left half-plane (the
        remaining Routh–Hurwitz conditions; a neutral saddle also has ``Δₙ₋₁ = 0``).

        The tolerance is ``tol * sqrt(scale)`` (``scale``: the spectrum's size, about ``‖J‖``), not
        ``tol * scale``: in a stiff system one fast eigenvalue (10⁵–10⁶) sets the scale, and a
        tolerance proportional to it took a slow Hopf pair of frequency 3.5 for a real pair and
        called a slow stable eigenvalue neutral. A defective double eigenvalue perturbed by
        round-off splits by about ``sqrt(eps · ‖J‖)``, which this tolerance still covers."""
        self._not_turing("crossing_ok")
        re, im = ev.real, ev.imag
        eps = tol * np.sqrt(scale)[:, None]
        if self.family == "zero":
            return (np.abs(ev) <= eps).sum(axis=1) >= 1
        on_axis = (np.abs(re) <= eps) & (np.abs(im) > eps)
        others_stable = np.all(on_axis | (re < -eps), axis=1)
        return (on_axis.sum(axis=1) == 2) & others_stable

    def _not_turing(self, what: str) -> None:
        if self.family == "turing":
            raise AnalysisError(f"the Turing kind has no `{what}` on J alone: its condition involves the diffusion "
                                "matrix; use linstab.sym.turing_conditions or linstab.num.dispersion")


FOLD = BifurcationKind(name="fold", label="fold (saddle-node)", condition_text="det J = 0", family="zero",
                       aliases=("saddle-node", "saddle_node"))
TRANSCRITICAL = BifurcationKind(name="transcritical", label="transcritical", condition_text="det J = 0", family="zero")
PITCHFORK = BifurcationKind(name="pitchfork", label="pitchfork", condition_text="det J = 0", family="zero")
HOPF = BifurcationKind(name="hopf", label="Hopf", condition_text="Δₙ₋₁ = 0", family="hopf", aliases=("Hopf",))
TURING = BifurcationKind(name="turing", label="Turing (diffusion-driven)", condition_text="max_k Re λ(J − k²D) = 0, J stable",
                         family="turing", aliases=("Turing",))
_ALL = (FOLD, TRANSCRITICAL, PITCHFORK, HOPF, TURING)

#: Names a request may use (``--kind`` choices): ``"fold"`` asks for every ``det J = 0`` curve.
KIND_NAMES = ("fold", "saddle-node", "transcritical", "pitchfork", "hopf", "turing")


def bifurcation_kind(name: str | BifurcationKind) -> BifurcationKind:
    """The kind object of a name or alias.

    Parameters
    ----------
    name
        A name of :data:`KIND_NAMES` or an alias (``"saddle-node"``), or a kind object itself.

    Returns
    -------
    BifurcationKind

    Examples
    --------
    >>> bifurcation_kind("hopf").label
    'Hopf'
    """
    if isinstance(name, BifurcationKind):
        return name
    for k in _ALL:
        if name == k.name or name in k.aliases:
            return k
    raise ValueError(f"kind must be one of {', '.join(KIND_NAMES)}; got {name!r}")


def accepted_kinds(request: str | BifurcationKind) -> tuple[BifurcationKind, ...]:
    """The kinds a request returns: ``"fold"`` all three ``det J = 0`` kinds, a specific name itself.

    Parameters
    ----------
    request
        A name of :data:`KIND_NAMES` (or an alias), or a kind object.

    Returns
    -------
    tuple of BifurcationKind
        The first one carries the defining condition to impose.

    Examples
    --------
    >>> [k.name for k in accepted_kinds("fold")]
    ['fold', 'transcritical', 'pitchfork']
    >>> [k.name for k in accepted_kinds("saddle-node")]
    ['fold']
    """
    if request == "fold":
        return FOLD, TRANSCRITICAL, PITCHFORK
    return (bifurcation_kind(request),)


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
        return FOLD
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
    return TRANSCRITICAL if abs(a) > 1e-4 * scale else PITCHFORK
