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
from linstab.sym._delay import DelayCrossing, DelayLinearization, delay_crossings, delay_linearization, undelayed
from linstab.sym._kinds import DELAY_HOPF, KIND_NAMES, BifurcationKind, DelayKind, accepted_kinds, bifurcation_kind
from linstab.sym._noise import (
    MAX_SYMBOLIC_LYAPUNOV,
    SymbolicNoise,
    diffusion_matrix,
    link_matrix,
    propensities,
    solve_lyapunov,
    stoichiometry_matrix,
    symbolic_noise,
)
from linstab.sym._jacobian import hill_taylor, jacobian, linearize
from linstab.sym._report import MAX_SYMBOLIC_VARIABLES, SYMBOLIC_MEMORY, Derivation, Report, derivations
from linstab.sym._routh import RouthHurwitz, hurwitz_layout, hurwitz_matrix, routh_hurwitz
from linstab.sym._turing import (
    DispersionRelation,
    TuringConditions,
    diffusion_coefficient_matrix,
    dispersion_relation,
    homogeneous_state,
    turing_boundaries,
    turing_conditions,
    turing_parametric,
)

__all__ = [
    "MAX_SYMBOLIC_LYAPUNOV",
    "SymbolicNoise",
    "diffusion_matrix",
    "link_matrix",
    "propensities",
    "solve_lyapunov",
    "stoichiometry_matrix",
    "symbolic_noise",
    "DELAY_HOPF",
    "DelayCrossing",
    "DelayKind",
    "DelayLinearization",
    "delay_crossings",
    "delay_linearization",
    "undelayed",
    "BifurcationCurve",
    "BifurcationKind",
    "KIND_NAMES",
    "NoClosedFormError",
    "accepted_kinds",
    "closed_form_curves",
    "Sampler",
    "bifurcation_kind",
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
    "diffusion_coefficient_matrix",
    "dispersion_relation",
    "homogeneous_state",
    "turing_boundaries",
    "turing_conditions",
    "turing_parametric",
]

# Moved to the composition layer, which combines the symbolic route with numerics, or to the numeric
# layer (README, "Design: layers"); the old names keep working for a while, with a DeprecationWarning.
_MOVED = {"bifurcation_curves": "analysis", "report": "analysis", "classify_zero_eigenvalue": "num"}


def __getattr__(name: str):
    if name not in _MOVED:
        raise AttributeError(f"module 'linstab.sym' has no attribute {name!r}")
    import warnings

    if _MOVED[name] == "num":
        from linstab import num as home
    else:
        from linstab import analysis as home
    where = f"linstab.{_MOVED[name]}.{name}" + (f" (also linstab.{name})" if _MOVED[name] == "analysis" else "")
    warnings.warn(f"linstab.sym.{name} moved to {where}: the symbolic layer no longer runs numerics",
                  DeprecationWarning, stacklevel=2)
    return getattr(home, name)
