"""Symbolic layer: Jacobians, fixed points, characteristic polynomials, Routh–Hurwitz, bifurcations."""

from linstab.sym._bifurcation import BifurcationCurve, NoClosedFormError, Sampler, closed_form_curves
from linstab.sym._charpoly import CharPoly, charpoly, eigenvalues, tidy
from linstab.sym._classify import CLASSIFICATIONS, classify, is_stable
from linstab.sym._fixed_points import (
    FixedPoint,
    ParametricFixedPoint,
    fixed_points,
    parametric_fixed_point,
    ScalarReduction,
    parametric_fixed_points,
    scalar_reductions,
)
from linstab.sym._symmetry import branch_symbol, orbits, permutation_symmetries, symmetries, symmetry_orbits
from linstab.sym._kinds import KIND_NAMES, BifurcationKind, accepted_kinds, bifurcation_kind, classify_zero_eigenvalue
from linstab.sym._jacobian import hill_taylor, jacobian, linearize
from linstab.sym._report import MAX_SYMBOLIC_VARIABLES, SYMBOLIC_MEMORY, Derivation, Report, derivations
from linstab.sym._routh import RouthHurwitz, hurwitz_layout, hurwitz_matrix, routh_hurwitz
from linstab.sym._turing import (
    DispersionRelation,
    TuringConditions,
    diffusion_matrix,
    dispersion_relation,
    homogeneous_state,
    turing_boundaries,
    turing_conditions,
)

__all__ = [
    "BifurcationCurve",
    "BifurcationKind",
    "KIND_NAMES",
    "NoClosedFormError",
    "accepted_kinds",
    "closed_form_curves",
    "Sampler",
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
    "hurwitz_layout",
    "hurwitz_matrix",
    "is_stable",
    "jacobian",
    "linearize",
    "parametric_fixed_point",
    "parametric_fixed_points",
    "derivations",
    "MAX_SYMBOLIC_VARIABLES",
    "SYMBOLIC_MEMORY",
    "routh_hurwitz",
    "symmetries",
    "ScalarReduction",
    "branch_symbol",
    "orbits",
    "permutation_symmetries",
    "scalar_reductions",
    "symmetry_orbits",
    "tidy",
    "DispersionRelation",
    "TuringConditions",
    "diffusion_matrix",
    "dispersion_relation",
    "homogeneous_state",
    "turing_boundaries",
    "turing_conditions",
]

# Moved to the composition layer, which combines the symbolic route with numerics (README,
# "Design: layers"); the old names keep working for a while, with a DeprecationWarning.
def __getattr__(name: str):
    if name not in ("bifurcation_curves", "report"):
        raise AttributeError(f"module 'linstab.sym' has no attribute {name!r}")
    import warnings

    from linstab import analysis

    warnings.warn(f"linstab.sym.{name} moved to linstab.analysis.{name} (also linstab.{name}): the symbolic layer "
                  "no longer runs numerics", DeprecationWarning, stacklevel=2)
    return getattr(analysis, name)
