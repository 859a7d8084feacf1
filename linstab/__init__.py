"""linstab: linear stability analysis of biological circuits.

A symbolic layer (SymPy) derives Jacobians, fixed points, characteristic polynomials,
eigenvalues, Routh–Hurwitz conditions and bifurcation curves in closed form where one exists;
one lambdify path turns them into numpy or torch kernels for parameter grids and single cells.
"""

from importlib import import_module
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

try:
    __version__ = version("linstab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

# The public names and the module each comes from. They are imported on first use (PEP 562), so
# that `import linstab` and `linstab --help` do not wait for SymPy to load.
_LAZY = {
    "Model": "linstab.model",
    "builtin_models": "linstab.model",
    "load_model": "linstab.model",
    "first_lyapunov_coefficient": "linstab.num",
    "hopf_criticality": "linstab.num",
    "continue_curve": "linstab.num",
    "NumericFixedPoint": "linstab.num",
    "find_fixed_points": "linstab.num",
    "StabilityMap": "linstab.num",
    "stability_map": "linstab.num",
    "check_behaviour": "linstab.num",
    "simulate": "linstab.num",
    "gillespie": "linstab.num",
    "linear_noise": "linstab.analysis",
    "noise_scan": "linstab.analysis",
    "write_sbml": "linstab.sbml",
    "BifurcationCurve": "linstab.sym",
    "bifurcation_curves": "linstab.analysis",
    "find_curves": "linstab.analysis",
    "charpoly": "linstab.sym",
    "eigenvalues": "linstab.sym",
    "classify": "linstab.sym",
    "FixedPoint": "linstab.sym",
    "fixed_points": "linstab.sym",
    "parametric_fixed_point": "linstab.sym",
    "jacobian": "linstab.sym",
    "linearize": "linstab.sym",
    "report": "linstab.analysis",
    "routh_hurwitz": "linstab.sym",
    # delay differential equations (issue 17)
    "delay_crossings": "linstab.sym",
    "undelayed": "linstab.sym",
    "rightmost_roots": "linstab.num",
    "simulate_dde": "linstab.num",
    "delay_stability_map": "linstab.num",
    "delay_hopf_curves": "linstab.analysis",
    "delay_report": "linstab.analysis",
    "turing_conditions": "linstab.sym",
    "turing_parametric": "linstab.sym",
    "dispersion_relation": "linstab.sym",
    "dispersion": "linstab.num",
    "max_growth": "linstab.num",
    "turing_map": "linstab.num",
    "simulate_pattern": "linstab.num",
    "turing_curves": "linstab.analysis",
}


_SUBPACKAGES = ("sym", "num", "analysis", "plot", "sc", "check", "model", "cli", "sbml")


def __getattr__(name: str):
    if name in _SUBPACKAGES:  # `linstab.sym` without importing it first, as before
        return import_module(f"linstab.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'linstab' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "BifurcationCurve",
    "StabilityMap",
    "bifurcation_curves",
    "check_behaviour",
    "continue_curve",
    "find_curves",
    "first_lyapunov_coefficient",
    "hopf_criticality",
    "simulate",
    "gillespie",
    "linear_noise",
    "noise_scan",
    "stability_map",
    "write_sbml",
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
    "delay_crossings",
    "undelayed",
    "rightmost_roots",
    "simulate_dde",
    "delay_stability_map",
    "delay_hopf_curves",
    "delay_report",
    "turing_conditions",
    "turing_parametric",
    "dispersion_relation",
    "dispersion",
    "max_growth",
    "turing_map",
    "simulate_pattern",
    "turing_curves",
    "__version__",
]
