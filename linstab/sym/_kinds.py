"""Codimension-one bifurcations of equilibria as objects.

Each kind carries what every part of linstab needs to know about it: its name and legend text,
its defining condition (symbolic, on a Jacobian matrix) and its family. Its numeric side — the
test function on batches of Jacobians, the eigenvalue check of a crossing and, for the three
kinds that share the condition ``det J = 0``, the non-degeneracy test that tells them apart
(Sotomayor's theorem) — lives in :mod:`linstab.num` (``kind_test_function``, ``kind_crossing_ok``,
``classify_zero_eigenvalue``), looked up by the kind's name or family:

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

from dataclasses import dataclass
from typing import Any

import sympy as sp

from linstab._errors import AnalysisError
from linstab.sym._routh import hurwitz_matrix

__all__ = ["BifurcationKind", "DelayKind", "DELAY_HOPF", "accepted_kinds", "bifurcation_kind", "KIND_NAMES"]


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

    def _not_turing(self, what: str) -> None:
        if self.family == "turing":
            raise AnalysisError(f"the Turing kind has no `{what}` on J alone: its condition involves the diffusion "
                                "matrix; use linstab.sym.turing_conditions or linstab.num.dispersion")

    # The numeric hooks live in linstab.num (README, "Design: layers"); these forward, with a warning.
    def test_function(self, J: Any) -> Any:
        """Deprecated: :func:`linstab.num.kind_test_function` ``(kind, J)``."""
        _moved("BifurcationKind.test_function", "linstab.num.kind_test_function(kind, J)")
        from linstab.num import kind_test_function

        return kind_test_function(self, J)

    def crossing_ok(self, ev: Any, scale: Any, tol: float = 1e-6) -> Any:
        """Deprecated: :func:`linstab.num.kind_crossing_ok` ``(kind, ev, scale, tol)``."""
        _moved("BifurcationKind.crossing_ok", "linstab.num.kind_crossing_ok(kind, ev, scale, tol)")
        from linstab.num import kind_crossing_ok

        return kind_crossing_ok(self, ev, scale, tol)


def _moved(old: str, new: str) -> None:
    import warnings

    warnings.warn(f"{old} moved to {new}: the symbolic layer no longer runs numerics", DeprecationWarning,
                  stacklevel=3)


FOLD = BifurcationKind(name="fold", label="fold (saddle-node)", condition_text="det J = 0", family="zero",
                       aliases=("saddle-node", "saddle_node"))
TRANSCRITICAL = BifurcationKind(name="transcritical", label="transcritical", condition_text="det J = 0", family="zero")
PITCHFORK = BifurcationKind(name="pitchfork", label="pitchfork", condition_text="det J = 0", family="zero")
HOPF = BifurcationKind(name="hopf", label="Hopf", condition_text="Δₙ₋₁ = 0", family="hopf", aliases=("Hopf",))


@dataclass(frozen=True, kw_only=True)
class DelayKind(BifurcationKind):
    """A bifurcation of a delay equation: its condition is on the characteristic quasi-polynomial
    ``det(λI − A₀ − Σ A_k e^{−λτ_k})``, not on a Jacobian; :func:`linstab.sym.delay_crossings`
    imposes it. The numeric crossing check is that of a Hopf point, on the rightmost characteristic
    roots (:func:`linstab.num.rightmost_roots`): one pair ``±iω`` on the axis, the rest stable."""

    def condition(self, J: sp.Matrix) -> tuple[sp.Expr, str, list[sp.Expr]]:
        raise AnalysisError(f"kind {self.name!r} is a condition on the characteristic quasi-polynomial of a delay "
                            "model, not on a Jacobian; use linstab.sym.delay_crossings")


#: A pair of characteristic roots of a delay equation crossing the imaginary axis as τ grows
#: (Hale & Verduyn Lunel 1993, sec. 11.1; Smith 2011, sec. 4.5).
DELAY_HOPF = DelayKind(name="delay-hopf", label="delay Hopf", condition_text="Δ(iω) = 0", family="hopf",
                       aliases=("delay_hopf", "hopf-delay"))
TURING = BifurcationKind(name="turing", label="Turing (diffusion-driven)", condition_text="max_k Re λ(J − k²D) = 0, J stable",
                         family="turing", aliases=("Turing",))
_ALL = (FOLD, TRANSCRITICAL, PITCHFORK, HOPF, DELAY_HOPF, TURING)

#: Names a request may use (``--kind`` choices): ``"fold"`` asks for every ``det J = 0`` curve.
KIND_NAMES = ("fold", "saddle-node", "transcritical", "pitchfork", "hopf",
              *(k.name for k in _ALL if k not in (FOLD, TRANSCRITICAL, PITCHFORK, HOPF)))


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
