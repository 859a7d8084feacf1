"""Symbolic layer: Jacobians, fixed points, characteristic polynomials, Routh–Hurwitz, bifurcations."""

from linstab.sym._bifurcation import BifurcationCurve, NoClosedFormError, bifurcation_curves
from linstab.sym._charpoly import CharPoly, charpoly, eigenvalues, tidy
from linstab.sym._classify import CLASSIFICATIONS, classify, is_stable
from linstab.sym._fixed_points import (
    FixedPoint,
    ParametricFixedPoint,
    fixed_points,
    parametric_fixed_point,
    parametric_fixed_points,
    symmetries,
)
from linstab.sym._kinds import KIND_NAMES, BifurcationKind, accepted_kinds, bifurcation_kind, classify_zero_eigenvalue
from linstab.sym._jacobian import hill_taylor, jacobian, linearize
from linstab.sym._report import Derivation, Report, report
from linstab.sym._routh import RouthHurwitz, hurwitz_matrix, routh_hurwitz

__all__ = [
    "BifurcationCurve",
    "BifurcationKind",
    "KIND_NAMES",
    "NoClosedFormError",
    "accepted_kinds",
    "bifurcation_curves",
    "bifurcation_kind",
    "classify_zero_eigenvalue",
    "CLASSIFICATIONS",
    "CharPoly",
    "Derivation",
    "FixedPoint",
    "ParametricFixedPoint",
    "Report",
    "RouthHurwitz",
    "charpoly",
    "classify",
    "eigenvalues",
    "fixed_points",
    "hill_taylor",
    "hurwitz_matrix",
    "is_stable",
    "jacobian",
    "linearize",
    "parametric_fixed_point",
    "parametric_fixed_points",
    "report",
    "routh_hurwitz",
    "symmetries",
    "tidy",
]
