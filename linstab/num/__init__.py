"""Numeric layer: compiled kernels (numpy/torch), fixed points, eigenvalues, maps, continuation."""

from linstab.num._kernels import BACKENDS, Kernel, compile_kernel

__all__ = ["BACKENDS", "Kernel", "compile_kernel"]
