"""First Lyapunov coefficient ℓ₁ at a Hopf point (Kuznetsov's invariant formula).

At an equilibrium ``x0`` with Jacobian ``A`` having eigenvalues ``±iω`` (``ω > 0``), let
``A q = iω q``, ``Aᵀ p = −iω p`` with ``⟨p, q⟩ = p̄ᵀq = 1``, ``⟨q, q⟩ = 1`` and let ``B``, ``C`` be the second and
third multilinear forms of the Taylor expansion of ``f`` at ``x0``. Then (Kuznetsov 2004, eq. 3.20)

    ℓ₁ = 1/(2ω) Re[⟨p, C(q, q, q̄)⟩ − 2⟨p, B(q, A⁻¹ B(q, q̄))⟩ + ⟨p, B(q̄, (2iω I − A)⁻¹ B(q, q))⟩].

``ℓ₁ < 0``: supercritical (a stable limit cycle is born); ``ℓ₁ > 0``: subcritical. The forms
``B`` and ``C`` are built symbolically from the model (directional derivatives) and compiled once
through :func:`linstab.num.compile_kernel`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from linstab._errors import AnalysisError, DimensionError
from linstab.model import Model, load_model

__all__ = ["first_lyapunov_coefficient", "hopf_criticality"]


@lru_cache(maxsize=32)
def _forms(model: Model):
    from linstab.num._kernels import compile_kernel

    n = model.n_vars
    x = model.variables
    u = sp.symbols(f"_u0:{n}", real=True)
    v = sp.symbols(f"_v0:{n}", real=True)
    w = sp.symbols(f"_w0:{n}", real=True)
    B, C = [], []
    for f in model.rhs:
        b = sp.Integer(0)
        c = sp.Integer(0)
        for j in range(n):
            fj = sp.diff(f, x[j])
            if fj == 0:
                continue
            for k in range(n):
                fjk = sp.diff(fj, x[k])
                if fjk == 0:
                    continue
                b += fjk * u[j] * v[k]
                for m in range(n):
                    fjkm = sp.diff(fjk, x[m])
                    if fjkm != 0:
                        c += fjkm * u[j] * v[k] * w[m]
        B.append(sp.powsimp(b))
        C.append(sp.powsimp(c))
    kb = compile_kernel(B, [x, model.parameters, u, v])
    kc = compile_kernel(C, [x, model.parameters, u, v, w])
    return kb, kc


def first_lyapunov_coefficient(model: Model | str, state: Any, *, values: Mapping[str, float] | None = None) -> float:
    """ℓ₁ at the Hopf point ``state`` of ``model`` (parameters ``values``).

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or a name/path.
    state
        The equilibrium, one entry per state variable.
    values
        Parameter values (override the model's).

    Returns
    -------
    float
        Negative: supercritical; positive: subcritical.

    Raises
    ------
    AnalysisError
        The Jacobian has no purely imaginary pair at ``state``.

    References
    ----------
    Kuznetsov, Y. A., *Elements of Applied Bifurcation Theory*, 3rd ed., Springer, 2004,
    eq. (3.20) and sec. 8.7.

    Examples
    --------
    The Hopf normal form ``ż = (μ + i) z + σ z|z|²`` at ``μ = 0``; with Kuznetsov's normalization
    ``q̄ᵀq = 1`` (so ``x = w q + w̄ q̄`` gives ``|x|² = 2|w|²``) the coefficient is ``ℓ₁ = 2σ``:

    >>> m = Model.from_dict({"parameters": {"mu": 0.0, "sigma": -1.0},
    ...     "equations": {"x": "mu*x - y + sigma*x*(x^2 + y^2)", "y": "x + mu*y + sigma*y*(x^2 + y^2)"}})
    >>> round(first_lyapunov_coefficient(m, [0.0, 0.0]), 6)
    -2.0
    """
    model = load_model(model)
    if isinstance(state, Mapping):
        raise TypeError(
            "first_lyapunov_coefficient: `state` is the equilibrium at the Hopf point, one number per "
            f"state variable ({', '.join(model.variable_names)}); got a mapping. Pass parameter values as "
            "values={...}, e.g. first_lyapunov_coefficient(model, fp.state, values={'b': 2.0})."
        )
    x0 = np.asarray(state, dtype=float)
    if x0.shape != (model.n_vars,):
        raise DimensionError(f"state had shape {x0.shape} while it should have had ({model.n_vars},)")
    p = np.asarray(model.parameter_vector(values), dtype=float)
    from linstab.num._maps import jacobian_kernel

    A = jacobian_kernel(model)(x0, p)
    ev, vecs = np.linalg.eig(A)
    scale = 1.0 + np.abs(ev).max()
    cand = [i for i in range(len(ev)) if ev[i].imag > 1e-9 * scale]
    if not cand:
        raise AnalysisError(f"first_lyapunov_coefficient: the Jacobian at state={x0.tolist()} has no complex pair "
                            f"(eigenvalues {np.round(ev, 6).tolist()}); it is not a Hopf point")
    i = min(cand, key=lambda k: abs(ev[k].real))
    if abs(ev[i].real) > 1e-5 * scale:
        raise AnalysisError(f"first_lyapunov_coefficient: no eigenvalue pair on the imaginary axis at state="
                            f"{x0.tolist()} (closest: {ev[i]:.6g}); pass a Hopf point")
    omega = ev[i].imag
    q = vecs[:, i]
    evT, vecsT = np.linalg.eig(A.T)
    j = int(np.argmin(np.abs(evT - (-1j * omega))))
    pv = vecsT[:, j]
    pv = pv / np.conj(np.vdot(pv, q))  # <p, q> = conj(p) . q = 1
    kb, kc = _forms(model)

    def Bf(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return kb(x0, p, a, b, dtype=complex)

    def Cf(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        return kc(x0, p, a, b, c, dtype=complex)

    qb = np.conj(q)
    n = model.n_vars
    t1 = np.vdot(pv, Cf(q, q, qb))
    t2 = np.vdot(pv, Bf(q, np.linalg.solve(A, Bf(q, qb))))
    t3 = np.vdot(pv, Bf(qb, np.linalg.solve(2j * omega * np.eye(n) - A, Bf(q, q))))
    return float(np.real(t1 - 2 * t2 + t3) / (2 * omega))


def hopf_criticality(model: Model | str, state: Any, *, values: Mapping[str, float] | None = None,
                     tol: float = 1e-9) -> str:
    """``"supercritical"``, ``"subcritical"`` or ``"degenerate"`` (``|ℓ₁| <= tol``) at a Hopf point.

    Parameters
    ----------
    model
        A :class:`~linstab.Model` or a name/path.
    state
        The equilibrium at the Hopf point.
    values
        Parameter values (override the model's).
    tol
        Threshold on ``|ℓ₁|`` below which the point is called degenerate.

    Examples
    --------
    The Brusselator's Hopf point ``b = 1 + a²`` (here ``a = 1``) is supercritical:

    >>> hopf_criticality("brusselator", [1.0, 2.0], values={"a": 1.0, "b": 2.0})
    'supercritical'
    """
    l1 = first_lyapunov_coefficient(model, state, values=values)
    if not np.isfinite(l1) or abs(l1) <= tol:
        return "degenerate"
    return "supercritical" if l1 < 0 else "subcritical"
