"""Tools on AnnData (scanpy's ``tl``): per-cell Jacobians of gene-regulatory networks.

With ``import linstab.sc as sch``: :func:`load_model` / :func:`save_model` (``.h5sch`` files),
:func:`compute_jacobians` (full spectra), :func:`compute_jacobian_stats` (leading eigenvalue,
counts, trace; with or without full spectra), :func:`compute_rotational_part`,
:func:`compute_jacobian_elements`, :func:`save_jacobians` / :func:`load_jacobians` /
:func:`read_jacobian_eigenvectors` (HDF5).
"""

from linstab.sc.tl._io import load_jacobians, load_model, read_jacobian_eigenvectors, save_jacobians, save_model
from linstab.sc.tl._jacobian import (
    compute_jacobian_elements,
    compute_jacobian_stats,
    compute_jacobians,
    compute_rotational_part,
)

__all__ = [
    "compute_jacobian_elements",
    "compute_jacobian_stats",
    "compute_jacobians",
    "compute_rotational_part",
    "load_jacobians",
    "load_model",
    "read_jacobian_eigenvectors",
    "save_jacobians",
    "save_model",
]
