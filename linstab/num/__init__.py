"""Numeric layer: compiled kernels (numpy/torch), fixed points, eigenvalues, maps, continuation."""

from linstab.num._fixed_points import NumericFixedPoint, find_fixed_points
from linstab.num._kernels import BACKENDS, Kernel, compile_kernel

__all__ = ["BACKENDS", "Kernel", "NumericFixedPoint", "compile_kernel", "find_fixed_points"]
