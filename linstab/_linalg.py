"""Batched numeric linear algebra shared by every layer, written once against the array namespace.

``xp`` is :mod:`numpy` or :mod:`torch`; arrays carry leading batch dimensions ``(..., n, n)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["charpoly_coefficients", "eye_like", "trace"]


def trace(M: Any, xp: Any = np) -> Any:
    """The trace of each matrix of a batch ``(..., n, n)``."""
    return M.diagonal(0, -2, -1).sum(-1) if xp is not np else np.trace(M, axis1=-2, axis2=-1)


def eye_like(n: int, ref: Any, xp: Any = np) -> Any:
    """The ``n × n`` identity in the dtype and on the device of ``ref``."""
    if xp is np:
        return np.eye(n)
    return xp.eye(n, dtype=ref.dtype, device=ref.device)


def charpoly_coefficients(J: Any, xp: Any = np) -> list[Any]:
    """Coefficients ``c1..cn`` of ``det(λ − J) = λⁿ + c1 λⁿ⁻¹ + … + cn``, batched (Faddeev–LeVerrier).

    ``M₁ = J``, ``c_k = −tr(M_k)/k``, ``M_{k+1} = J (M_k + c_k I)``: ``n`` matrix products, exact in
    exact arithmetic and accurate in floating point for the small ``n`` it serves here.

    References
    ----------
    Gantmacher, F. R., *The Theory of Matrices*, vol. I, Chelsea, 1959, ch. IV, sec. 5.

    Examples
    --------
    >>> [float(c) for c in charpoly_coefficients(np.array([[0.0, 1.0], [-2.0, -3.0]]))]
    [3.0, 2.0]
    """
    n = J.shape[-1]
    coeffs = []
    M = J
    for k in range(1, n + 1):
        c = -trace(M, xp) / k
        coeffs.append(c)
        if k < n:
            M = J @ (M + c[..., None, None] * eye_like(n, J, xp))
    return coeffs
