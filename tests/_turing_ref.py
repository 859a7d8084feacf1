"""An independent numeric reference for the Turing tests: no linstab symbolic or dispersion code.

The homogeneous state comes from SciPy's root finder on the compiled right-hand side, the Jacobian
from central differences, and ``max_k Re λ`` from NumPy's eigenvalues of ``J − k²D`` on a fine,
explicit grid of ``k``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import root

TURING_MODELS = ("schnakenberg", "gierer_meinhardt", "lengyel_epstein", "activator_inhibitor")


def reference(model, values, guess, *, k_max=4.0, n_k=4001):
    """``(state, J, D, k grid, leading Re λ over the grid)`` at ``values`` (a dict of all parameters).

    ``guess`` starts the root finder (a list, or ``None`` for the closed-form state of linstab, used only
    as the starting point: the root finder must still converge to ``f = 0``)."""
    if guess is None:
        import sympy as sp

        from linstab.sym import homogeneous_state

        state = homogeneous_state(model)
        subs = {model.symbol(k): v for k, v in values.items()}
        guess = [float(sp.N(state[v].xreplace(subs))) * 1.01 for v in model.variables]
    f = model.kernel("rhs")
    p = np.array([values[n] for n in model.parameter_names], dtype=float)
    sol = root(lambda x: f(x, p), np.asarray(guess, dtype=float), tol=1e-13)
    x = sol.x
    # older SciPy (1.10) can report "not making good progress" at a tolerance below round-off:
    # what the reference needs is f(x) = 0, checked directly
    assert sol.success or np.max(np.abs(f(x, p))) <= 1e-10 * (1 + np.max(np.abs(x))), sol.message
    n = len(x)
    J = np.empty((n, n))
    for j in range(n):
        h = 1e-6 * max(1.0, abs(x[j]))
        e = np.zeros(n)
        e[j] = h
        J[:, j] = (f(x + e, p) - f(x - e, p)) / (2 * h)
    subs = dict(values)
    D = np.array([float(c) if c.is_number else float(c.subs({model.symbol(k): v for k, v in subs.items()}))
                  for _, c in model.diffusion])
    k = np.linspace(0.0, k_max, n_k)
    lam = np.linalg.eigvals(J[None] - (k ** 2)[:, None, None] * np.diag(D)[None]).real.max(axis=-1)
    return x, J, D, k, lam
