"""Plots on AnnData (scanpy's ``pl``) of per-cell Jacobian results.

Each function returns a matplotlib Figure and never calls ``show()``.
"""

from linstab.sc.pl._jacobian import (
    plot_jacobian_eigenvalue_boxplots,
    plot_jacobian_eigenvalue_spectrum,
    plot_jacobian_element_grid,
    plot_jacobian_stats_boxplots,
)

__all__ = [
    "plot_jacobian_eigenvalue_boxplots",
    "plot_jacobian_eigenvalue_spectrum",
    "plot_jacobian_element_grid",
    "plot_jacobian_stats_boxplots",
]
