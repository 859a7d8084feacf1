"""Numeric layer: compiled kernels (numpy/torch), fixed points, eigenvalues, maps, continuation."""

from linstab.num._continuation import continue_curve
from linstab.num._curves import find_curves
from linstab.num._fixed_points import NumericFixedPoint, find_fixed_points
from linstab.num._kernels import BACKENDS, Kernel, compile_kernel
from linstab.num._lyapunov import first_lyapunov_coefficient, hopf_criticality
from linstab.num._maps import StabilityMap, stability_map
from linstab.num._simulate import Behaviour, Trajectory, check_behaviour, simulate

__all__ = ["BACKENDS", "Kernel", "NumericFixedPoint", "compile_kernel", "find_fixed_points",
           "Behaviour", "StabilityMap", "Trajectory", "check_behaviour", "continue_curve", "find_curves",
           "first_lyapunov_coefficient", "hopf_criticality", "simulate", "stability_map"]
