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

try:
    __version__ = version("linstab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "AnalysisError",
    "DimensionError",
    "LinstabError",
    "MissingKeyError",
    "Model",
    "ModelError",
    "ParameterError",
    "ParseError",
    "builtin_models",
    "load_model",
    "__version__",
]
