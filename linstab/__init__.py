"""linstab: linear stability analysis of biological circuits.

A symbolic layer (SymPy) derives Jacobians, fixed points, characteristic polynomials,
eigenvalues, Routh–Hurwitz conditions and bifurcation curves in closed form where one exists;
one lambdify path turns them into numpy or torch kernels for parameter grids and single cells.
"""

from importlib.metadata import PackageNotFoundError, version

from linstab._errors import (
    AnalysisError,
    DimensionError,
    LinstabError,
    MissingKeyError,
    ModelError,
    ParameterError,
    ParseError,
)
from linstab.model import Model, builtin_models, load_model
from linstab.num import first_lyapunov_coefficient, hopf_criticality
from linstab.num._continuation import continue_curve
from linstab.num._fixed_points import NumericFixedPoint, find_fixed_points
from linstab.num._maps import StabilityMap, stability_map
from linstab.num._simulate import check_behaviour, simulate
from linstab.sym._bifurcation import BifurcationCurve, bifurcation_curves
from linstab.sym._charpoly import charpoly, eigenvalues
from linstab.sym._classify import classify
from linstab.sym._fixed_points import FixedPoint, fixed_points, parametric_fixed_point
from linstab.sym._jacobian import jacobian, linearize
from linstab.sym._report import report
from linstab.sym._routh import routh_hurwitz

try:
    __version__ = version("linstab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "BifurcationCurve",
    "StabilityMap",
    "bifurcation_curves",
    "check_behaviour",
    "continue_curve",
    "first_lyapunov_coefficient",
    "hopf_criticality",
    "simulate",
    "stability_map",
    "AnalysisError",
    "DimensionError",
    "FixedPoint",
    "NumericFixedPoint",
    "LinstabError",
    "MissingKeyError",
    "Model",
    "ModelError",
    "ParameterError",
    "ParseError",
    "builtin_models",
    "charpoly",
    "classify",
    "eigenvalues",
    "find_fixed_points",
    "fixed_points",
    "jacobian",
    "linearize",
    "load_model",
    "parametric_fixed_point",
    "report",
    "routh_hurwitz",
    "__version__",
]
