"""Classification of a fixed point from the eigenvalues of its Jacobian.

The names and their definitions follow Strogatz (2015), sections 5.2 and 6.3, and Kuznetsov
(2004), section 2.1, made precise with a tolerance so that they can be decided on floating-point
eigenvalues.
"""

from __future__ import annotations

import cmath
from collections.abc import Iterable
from typing import Any

__all__ = ["classify", "is_stable", "CLASSIFICATIONS"]

#: Every value :func:`classify` can return.
CLASSIFICATIONS = (
    "stable",
    "unstable",
    "stable node",
    "unstable node",
    "saddle",
    "stable spiral",
    "unstable spiral",
    "saddle-focus",
    "center",
    "non-hyperbolic",
)


def _as_complex_list(eigenvalues: Iterable[Any], where: str) -> list[complex]:
    values = []
    for ev in eigenvalues:
        try:
            values.append(complex(ev))
        except (TypeError, ValueError):
            raise TypeError(
                f"{where}: every eigenvalue must be a number, got {ev!r} ({type(ev).__name__}); "
                "substitute numeric parameter values first"
            ) from None
    if not values:
        raise ValueError(f"{where}: expected at least one eigenvalue, got none")
    if not all(cmath.isfinite(v) for v in values):
        raise ValueError(f"{where}: eigenvalues must be finite, got {values}")
    return values


def classify(eigenvalues: Iterable[Any], *, tol: float = 1e-9) -> str:
    """Name the type of a fixed point from the eigenvalues of its Jacobian.

    Exactly one of :data:`CLASSIFICATIONS`:

    - ``stable`` / ``unstable``: a one-dimensional fixed point, its one eigenvalue below ``-tol`` /
      above ``tol`` (on a line there are no nodes, spirals or saddles: Strogatz 2015, sec. 2.2);
    - ``stable node`` / ``unstable node``: every real part below ``-tol`` / above ``tol``, every
      eigenvalue real (imaginary part within ``tol`` of zero);
    - ``stable spiral`` / ``unstable spiral``: the same signs, with at least one complex eigenvalue;
    - ``saddle``: real parts of both signs (none within ``tol`` of zero), all eigenvalues real;
    - ``saddle-focus``: real parts of both signs and at least one complex pair;
    - ``center``: a two-dimensional point whose eigenvalues are a purely imaginary pair;
    - ``non-hyperbolic``: any other case with a real part within ``tol`` of zero.

    Parameters
    ----------
    eigenvalues
        Eigenvalues of the Jacobian at the fixed point (numbers, or SymPy numbers).
    tol
        Absolute tolerance below which a real or imaginary part counts as zero.

    Returns
    -------
    str

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, secs. 5.2, 6.3.
    Kuznetsov, Yu. A., *Elements of Applied Bifurcation Theory*, 3rd ed., Springer, 2004, sec. 2.1.

    Examples
    --------
    >>> classify([-1.0, -2.0])
    'stable node'
    >>> classify([complex(0.25, 2.2), complex(0.25, -2.2), -3.5])
    'saddle-focus'
    >>> classify([2j, -2j])
    'center'
    >>> classify([0.0, -1.0])
    'non-hyperbolic'
    >>> classify([-0.73])
    'stable'
    """
    ev = _as_complex_list(eigenvalues, "classify")
    if not tol >= 0:
        raise ValueError(f"classify: `tol` must be a non-negative number, got {tol!r}")
    re, im = [v.real for v in ev], [v.imag for v in ev]
    complex_ = any(abs(b) > tol for b in im)
    if any(abs(a) <= tol for a in re):
        if len(ev) == 2 and all(abs(a) <= tol for a in re) and all(abs(b) > tol for b in im):
            return "center"
        return "non-hyperbolic"
    neg, pos = any(a < 0 for a in re), any(a > 0 for a in re)
    if len(ev) == 1:
        return "stable" if neg else "unstable"
    if neg and pos:
        return "saddle-focus" if complex_ else "saddle"
    kind = "spiral" if complex_ else "node"
    return f"stable {kind}" if neg else f"unstable {kind}"


def is_stable(eigenvalues: Iterable[Any], *, tol: float = 1e-9) -> bool:
    """Linear stability: ``True`` iff every real part is below ``-tol``.

    Parameters
    ----------
    eigenvalues
        Eigenvalues of the Jacobian at the fixed point.
    tol
        Margin by which every real part must be negative.

    Returns
    -------
    bool

    References
    ----------
    Strogatz, S. H., *Nonlinear Dynamics and Chaos*, 2nd ed., CRC Press, 2015, sec. 6.3.

    Examples
    --------
    >>> is_stable([-1.0, complex(-0.5, 3.0), complex(-0.5, -3.0)])
    True
    >>> is_stable([1e-12, -1.0])
    False
    """
    ev = _as_complex_list(eigenvalues, "is_stable")
    return all(v.real < -tol for v in ev)
