"""Numeric linear noise approximation: the Lyapunov equation and the power spectrum, batched.

The stationary covariance ``Σ`` of the Ornstein–Uhlenbeck process ``dξ = J ξ dt + B dW`` solves
``J Σ + Σ Jᵀ + D = 0`` with ``D = B Bᵀ`` (van Kampen 2007, ch. X); its power spectrum is
``S(ω) = (iω − J)⁻¹ D (−iω − Jᵀ)⁻¹``, normalised so that ``∫ S(ω) dω / 2π = Σ`` (Gardiner,
*Stochastic Methods*, 4th ed. 2009, sec. 4.5.6; McKane & Newman 2005).

Both accept leading batch dimensions: a parameter grid goes through one vectorised solve of the
Kronecker form ``(J ⊗ I + I ⊗ J) vec Σ = −vec D`` (row-major ``vec``), or, for larger systems,
a loop of SciPy's Bartels–Stewart solver :func:`scipy.linalg.solve_continuous_lyapunov`.

References
----------
N. G. van Kampen, *Stochastic Processes in Physics and Chemistry*, 3rd ed. (2007), ch. X.
A. J. McKane and T. J. Newman, "Predator-prey cycles from resonant amplification of demographic
stochasticity", *Phys. Rev. Lett.* 94:218102 (2005).
R. H. Bartels and G. W. Stewart, "Solution of the matrix equation AX + XB = C", *Comm. ACM*
15:820–826 (1972).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from linstab._errors import AnalysisError, DimensionError

__all__ = ["lyapunov_covariance", "power_spectrum", "spectral_density", "KRON_MAX_VARIABLES"]

#: Largest system solved by the batched Kronecker route (its matrices are ``n² × n²``); larger
#: systems go through SciPy's Bartels–Stewart solver one point at a time (benchmarks/bench_noise.py:
#: the batched route is about 100x faster at n = 2, 5x at n = 4, even from n = 6 on).
KRON_MAX_VARIABLES = 6
_CHUNK_BYTES = 64 * 2**20


def _square_pair(J: Any, D: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    J = np.asarray(J, dtype=float)
    D = np.asarray(D, dtype=float)
    if J.ndim < 2 or J.shape[-1] != J.shape[-2]:
        raise DimensionError(f"{who}: J must have shape (..., n, n), got {J.shape}")
    if D.shape[-2:] != J.shape[-2:]:
        raise DimensionError(f"{who}: D must have shape (..., {J.shape[-1]}, {J.shape[-1]}) like J, got {D.shape}")
    shape = np.broadcast_shapes(J.shape[:-2], D.shape[:-2])
    n = J.shape[-1]
    return np.broadcast_to(J, (*shape, n, n)), np.broadcast_to(D, (*shape, n, n))


def lyapunov_covariance(J: Any, D: Any, *, method: str = "auto") -> np.ndarray:
    """The stationary covariance ``Σ`` with ``J Σ + Σ Jᵀ + D = 0``, over any batch of matrices.

    Parameters
    ----------
    J
        Drift matrices, shape ``(..., n, n)`` (Jacobians at stable fixed points).
    D
        Diffusion matrices ``B Bᵀ``, shape ``(..., n, n)``; broadcast against ``J``.
    method
        ``"kron"``: one batched linear solve of the Kronecker form (``n ≤``
        :data:`KRON_MAX_VARIABLES`); ``"scipy"``: :func:`scipy.linalg.solve_continuous_lyapunov`
        point by point; ``"auto"``: ``"kron"`` when ``n`` allows it.

    Returns
    -------
    numpy.ndarray
        ``Σ``, shape ``(..., n, n)``, symmetrised; ``nan`` where the equation is singular.

    Examples
    --------
    >>> lyapunov_covariance([[-2.0]], [[4.0]])
    array([[1.]])
    >>> S = lyapunov_covariance([[[-1.0, 0.0], [1.0, -0.5]]] * 3, np.eye(2))
    >>> S.shape, bool(np.allclose(S[0], S[0].T))
    ((3, 2, 2), True)
    """
    J, D = _square_pair(J, D, "lyapunov_covariance")
    n = J.shape[-1]
    if method not in ("auto", "kron", "scipy"):
        raise ValueError(f"lyapunov_covariance: method must be 'auto', 'kron' or 'scipy', got {method!r}")
    if method == "kron" and n > KRON_MAX_VARIABLES:
        raise ValueError(f"lyapunov_covariance: method='kron' builds {n * n}×{n * n} matrices; it is limited to "
                         f"n ≤ {KRON_MAX_VARIABLES} (got n = {n}); use method='scipy'")
    batch = J.shape[:-2]
    Jf = J.reshape(-1, n, n)
    Df = D.reshape(-1, n, n)
    out = np.empty_like(Jf)
    if method == "scipy" or (method == "auto" and n > KRON_MAX_VARIABLES):
        from scipy.linalg import solve_continuous_lyapunov

        for k in range(Jf.shape[0]):
            try:
                out[k] = solve_continuous_lyapunov(Jf[k], -Df[k])
            except (np.linalg.LinAlgError, ValueError):
                out[k] = np.nan
    else:
        eye = np.eye(n)
        step = max(1, _CHUNK_BYTES // (8 * n**4 + 1))
        for lo in range(0, Jf.shape[0], step):
            Jc = Jf[lo:lo + step]
            # row-major vec: (J Σ)_ij = Σ_k J_ik Σ_kj -> kron(J, I); (Σ Jᵀ)_ij = Σ_k J_jk Σ_ik -> kron(I, J)
            K = (np.einsum("bik,jl->bijkl", Jc, eye) + np.einsum("ik,bjl->bijkl", eye, Jc)).reshape(-1, n * n, n * n)
            rhs = -Df[lo:lo + step].reshape(-1, n * n, 1)
            try:
                out[lo:lo + step] = np.linalg.solve(K, rhs).reshape(-1, n, n)
            except np.linalg.LinAlgError:  # a singular point in the chunk: solve one by one
                for k in range(K.shape[0]):
                    try:
                        out[lo + k] = np.linalg.solve(K[k], rhs[k]).reshape(n, n)
                    except np.linalg.LinAlgError:
                        out[lo + k] = np.nan
    out = 0.5 * (out + np.swapaxes(out, -1, -2))
    return out.reshape(*batch, n, n)


def spectral_density(J: Any, D: Any, omega: Any) -> np.ndarray:
    """The full spectral density matrix ``S(ω) = (iω − J)⁻¹ D (−iω − Jᵀ)⁻¹`` (Hermitian, complex).

    Its diagonal is :func:`power_spectrum`; the off-diagonal entries are the cross-spectra, needed
    for the spectrum of a linear combination ``L ξ`` of the variables (``L S(ω) Lᵀ``), e.g. the
    species eliminated by a conservation law.

    Parameters
    ----------
    J
        Drift matrices, shape ``(..., n, n)``.
    D
        Diffusion matrices ``B Bᵀ``, shape ``(..., n, n)``.
    omega
        Angular frequencies, shape ``(m,)``.

    Returns
    -------
    numpy.ndarray
        Complex, shape ``(..., m, n, n)``.

    Examples
    --------
    >>> S = spectral_density([[-1.0, 0.0], [1.0, -1.0]], np.diag([2.0, 0.0]), [0.0])
    >>> np.round(S[0].real, 12)  # ξ₂ = ξ₁ filtered once more: at ω = 0 every entry is 2
    array([[2., 2.],
           [2., 2.]])
    """
    J, D = _square_pair(J, D, "spectral_density")
    omega = np.asarray(omega, dtype=float)
    if omega.ndim != 1:
        raise DimensionError(f"spectral_density: omega must be one-dimensional, got shape {omega.shape}")
    n = J.shape[-1]
    A = 1j * omega[:, None, None] * np.eye(n) - J[..., None, :, :]          # (..., m, n, n)
    try:
        R = np.linalg.solve(A, np.broadcast_to(np.eye(n), A.shape))
    except np.linalg.LinAlgError:
        raise AnalysisError("power_spectrum: iω − J is singular at some ω (J has an eigenvalue on the imaginary "
                            "axis): the spectrum diverges there") from None
    return R @ D[..., None, :, :].astype(complex) @ np.conj(np.swapaxes(R, -1, -2))


def power_spectrum(J: Any, D: Any, omega: Any) -> np.ndarray:
    """The power spectral density ``S(ω) = (iω − J)⁻¹ D (−iω − Jᵀ)⁻¹`` of the LNA fluctuations.

    Normalised so that ``∫ S(ω) dω / 2π = Σ`` (the stationary covariance).

    Parameters
    ----------
    J
        Drift matrices, shape ``(..., n, n)``.
    D
        Diffusion matrices ``B Bᵀ``, shape ``(..., n, n)``.
    omega
        Angular frequencies, shape ``(m,)``.

    Returns
    -------
    numpy.ndarray
        Real parts of the diagonal (the auto-spectra), shape ``(..., m, n)``.

    Examples
    --------
    >>> power_spectrum([[-1.0]], [[2.0]], [0.0, 1.0])  # 2 / (ω² + 1), a Lorentzian
    array([[2.],
           [1.]])
    """
    S = spectral_density(J, D, omega)
    return np.real(np.diagonal(S, axis1=-2, axis2=-1)).copy()
