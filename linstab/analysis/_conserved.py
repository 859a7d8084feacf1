"""Conservation laws of a reaction network, for the linear noise approximation.

A vector ``c`` with ``cᵀ S = 0`` (``S`` the stoichiometric matrix) makes ``cᵀ n`` constant along
every stochastic trajectory, not only along the rate equations: a promoter's on + off states,
an enzyme's free + bound forms. Its drift ``J = S ∂a/∂x`` then has ``cᵀ J = 0``, a zero eigenvalue
at every state, and the Lyapunov equation of the full network is singular. The network is
reduced to its independent species ``x_R`` (Reder 1988): with the link matrix ``L`` (``n × ρ``,
``ρ = rank S``) the fluctuations are ``ξ = L ξ_R`` (the conserved combinations do not fluctuate,
``C L = 0``), the reduced drift is ``J_R = J[R, :] L``, the reduced diffusion ``S_R diag(a) S_Rᵀ``
(``S_R`` the rows of ``S`` of the independent species), and the covariance of every species,
eliminated ones included, is ``Σ = L Σ_R Lᵀ`` (Elf & Ehrenberg 2003, "conserved moieties").

The laws and the totals' names come from :func:`linstab.sbml.conservation_laws` and
:func:`linstab.sbml.reduce_model` (the totals ``total_<species>`` are parameters of the reduced
model, valued from the model's initial state where it has one).

References
----------
C. Reder, "Metabolic control theory: a structural approach", *J. Theor. Biol.* 135:175–201 (1988).
J. Elf and M. Ehrenberg, *Genome Research* 13:2475–2484 (2003).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from linstab._errors import AnalysisError, ParameterError

if TYPE_CHECKING:
    from linstab.sbml import ConservationLaw


@dataclass(frozen=True)
class Reduction:
    """A reaction network on its independent species (identity when there is no law)."""

    laws: tuple[ConservationLaw, ...]
    independent: np.ndarray      # indices of the independent species
    eliminated: np.ndarray       # index of the species each law eliminates
    link: np.ndarray             # L, (n, ρ): ξ = L ξ_R
    conserved: np.ndarray        # C, (k, n): C x = totals
    reduced: Any                 # the reduced Model (totals as parameters), without reactions
    defaults: dict[str, float]   # totals valued from the initial state

    @property
    def totals(self) -> tuple[str, ...]:
        return tuple(law.total.name for law in self.laws)

    def lift(self, xr: np.ndarray, totals: np.ndarray) -> np.ndarray:
        """The full state ``L x_R + b`` from the independent species and the totals (batched)."""
        x = np.einsum("ij,...j->...i", self.link, np.asarray(xr, dtype=float))
        for k, e in enumerate(self.eliminated):
            x[..., e] += totals[..., k] / self.conserved[k, e]
        return x


def network_reduction(model: Any, S: np.ndarray) -> Reduction:
    """The conservation laws of ``model``'s reaction network and its link matrix.

    Raises :class:`AnalysisError` if the rate equations conserve a combination that the
    stoichiometry does not (the drift is singular but the noise is not confined: no LNA).
    """
    n = model.n_vars
    names = model.variable_names
    rank = int(np.linalg.matrix_rank(S)) if S.size else 0
    if rank == n:
        return Reduction(laws=(), independent=np.arange(n), eliminated=np.zeros(0, dtype=int), link=np.eye(n),
                         conserved=np.zeros((0, n)), reduced=model, defaults={})
    from linstab.sbml import conservation_laws, reduce_model  # SymPy only; loaded when a network needs it

    laws = tuple(conservation_laws(model))
    C = np.zeros((len(laws), n))
    for k, law in enumerate(laws):
        coeffs = dict(law.coefficients)
        if any(not c.is_number for c in coeffs.values()):
            C[k] = np.nan
            continue
        for v, c in coeffs.items():
            C[k, names.index(v)] = float(c)
    if len(laws) != n - rank or not np.all(np.isfinite(C)) or np.max(np.abs(C @ S), initial=0.0) > 1e-9:
        found = "; ".join(str(law) for law in laws) or "none"
        raise AnalysisError(f"model {model.name!r}: its stoichiometric matrix has rank {rank} < {n} species, but the "
                            f"conservation laws of its rate equations ({found}) are not the {n - rank} of its "
                            "reactions: the drift has a zero eigenvalue that the noise does not respect, so the "
                            "linear noise approximation does not apply")
    elim = [names.index(law.eliminated) for law in laws]
    ind = np.array([i for i in range(n) if i not in elim])
    L = np.zeros((n, ind.size))
    L[ind, np.arange(ind.size)] = 1.0
    for k, e in enumerate(elim):
        # x_e = (T_k − Σ_{i independent} c_ki x_i) / c_ke: each law holds one eliminated species only
        L[e] = -C[k, ind] / C[k, e]
    reduced = reduce_model(model, list(laws))
    reduced = replace(reduced, reactions=())
    defaults = {law.total.name: v for law in laws for name, v in reduced.values
                if name == law.total.name and v is not None}
    return Reduction(laws=laws, independent=ind, eliminated=np.array(elim, dtype=int), link=L, conserved=C,
                     reduced=reduced, defaults=defaults)


def split_values(model: Any, red: Reduction, values: Mapping[str, float] | None
                 ) -> tuple[dict[str, float] | None, dict[str, float]]:
    """``values`` without the totals (for the full model) and the totals given there."""
    if values is None:
        return None, {}
    if not isinstance(values, Mapping):
        return values, {}
    unknown = [k for k in values if k not in red.totals and k not in model.parameter_names]
    if unknown and red.laws:
        raise ParameterError(f"model {model.name!r}: unknown parameter {unknown[0]!r}. Known: "
                             f"{', '.join((*model.parameter_names, *red.totals))} (the totals are conserved sums: "
                             f"{'; '.join(str(law) for law in red.laws)})")
    totals = {k: float(v) for k, v in values.items() if k in red.totals}
    rest = {k: v for k, v in values.items() if k not in red.totals}
    return rest, totals


def resolve_totals(model: Any, red: Reduction, given: Mapping[str, float], state: np.ndarray | None) -> np.ndarray:
    """The totals: given in ``values``, else from ``state``, else from the initial state; else an error."""
    out = []
    for k, law in enumerate(red.laws):
        name = law.total.name
        from_state = float(red.conserved[k] @ state) if state is not None else None
        if name in given:
            value = given[name]
            if from_state is not None and abs(from_state - value) > 1e-9 * max(1.0, abs(value)):
                raise AnalysisError(f"{name} = {value:g} is given, but the state given has {law.expr} = "
                                    f"{from_state:g}; give one of them, or make them agree")
        elif from_state is not None:
            value = from_state
        elif name in red.defaults:
            value = red.defaults[name]
        else:
            laws = "; ".join(str(law) for law in red.laws)
            raise AnalysisError(f"model {model.name!r} conserves {laws}; the total {name} has no value: give it as "
                                f"a parameter value (values={{'{name}': ...}}), a state, "
                                "or initial values of the species in the model file")
        if not np.isfinite(value):
            raise AnalysisError(f"the total {name} must be a finite number, got {value!r}")
        out.append(value)
    return np.array(out, dtype=float)
