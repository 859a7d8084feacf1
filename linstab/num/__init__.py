"""Numeric layer: compiled kernels (numpy/torch), fixed points, eigenvalues, maps, continuation."""

from linstab.num._continuation import continue_curve
from linstab.num._delay import (characteristic_roots, chebyshev, delay_stability_map, lambert_w_roots, rightmost_roots,
                                simulate_dde)
from linstab.num._dispersion import TURING_REGIONS, TuringMap, dispersion, max_growth, turing_map
from linstab.num._reaction_diffusion import PatternSimulation, simulate_pattern
from linstab.num._fixed_points import NumericFixedPoint, find_fixed_points
from linstab.num._curves import condition_holds, evaluate_curve
from linstab.num._kernels import BACKENDS, Kernel, compile_kernel
from linstab.num._gillespie import MAX_SSA_STEPS, SSAResult, gillespie
from linstab.num._noise import KRON_MAX_VARIABLES, lyapunov_covariance, power_spectrum, spectral_density
from linstab.num._kinds import classify_zero_eigenvalue, kind_crossing_ok, kind_test_function
from linstab.num._lyapunov import first_lyapunov_coefficient, hopf_criticality
from linstab.num._maps import StabilityMap, stability_map
from linstab.num._simulate import Behaviour, Trajectory, check_behaviour, simulate

__all__ = ["BACKENDS", "Kernel", "NumericFixedPoint", "compile_kernel", "find_fixed_points",
           "Behaviour", "StabilityMap", "Trajectory", "check_behaviour", "continue_curve",
           "first_lyapunov_coefficient", "hopf_criticality", "simulate", "stability_map",
           "KRON_MAX_VARIABLES", "MAX_SSA_STEPS", "SSAResult", "gillespie", "lyapunov_covariance", "power_spectrum",
           "spectral_density",
           "characteristic_roots", "chebyshev", "delay_stability_map", "lambert_w_roots", "rightmost_roots",
           "simulate_dde", "classify_zero_eigenvalue", "condition_holds", "evaluate_curve", "kind_crossing_ok",
           "kind_test_function",
           "TURING_REGIONS", "TuringMap", "dispersion", "max_growth", "turing_map",
           "PatternSimulation", "simulate_pattern"]


def __getattr__(name: str):
    # find_curves combines the symbolic route with continuation: it moved to the composition layer
    if name != "find_curves":
        raise AttributeError(f"module 'linstab.num' has no attribute {name!r}")
    import warnings

    from linstab.analysis import find_curves

    warnings.warn("linstab.num.find_curves moved to linstab.analysis.find_curves (also linstab.find_curves)",
                  DeprecationWarning, stacklevel=2)
    return find_curves
