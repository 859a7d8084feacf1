"""The dispersion step of ``linstab analyze`` for a model with a ``[diffusion]`` table."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["dispersion_step", "dispersion_text", "turing_layout"]


def dispersion_step(model: Any) -> dict[str, Any]:
    """The Turing analysis at the model's parameter values, as a JSON-ready record.

    Keys: ``diffusion`` (species -> coefficient), ``closed_form`` (bool), ``conditions`` (condition ->
    [quantity, expression, value, holds]) for two species, ``k_c`` and ``k_c2`` (at the critical
    ratio), ``critical_ratio``, ``band``, ``state`` (only where the state has no closed form: the
    numeric one used)
    (``[k1², k2²]`` or null), ``fastest`` (``[k*, max Re λ]`` numerically), ``growth0`` (Re λ at k = 0),
    ``verdict`` and ``note``.
    """
    import sympy as sp

    from linstab.num import max_growth
    from linstab.sym import turing_conditions

    values = model.numeric_values()
    g, k, g0 = (float(v) for v in max_growth(model))
    out: dict[str, Any] = {"diffusion": {v: str(c) for v, c in model.diffusion}, "growth0": g0,
                           "fastest": [k, g], "closed_form": model.n_vars == 2}
    tol = 1e-9 * (1 + abs(g0))
    verdict = ("unstable without diffusion" if g0 > tol else
               "neutral without diffusion (an eigenvalue 0 at k = 0)" if g0 >= -tol else
               "Turing unstable" if g > tol else "stable to every mode")
    if model.n_vars == 2:
        from linstab._errors import AnalysisError

        try:
            tc = turing_conditions(model)
            at = tc.at(values)
        except AnalysisError:  # no closed-form state: the conditions in J(u*), at the numeric state
            from linstab.num import find_fixed_points

            tc = turing_conditions(model, state=None)
            fps = [fp for fp in find_fixed_points(model) if fp.stable] or list(find_fixed_points(model))
            if not fps:
                raise
            fp = max(fps, key=lambda f: float(sum(v * v for v in f.state)))
            values = {**values, **{v: float(x) for v, x in zip(model.variable_names, fp.state)}}
            at = tc.at(values)
            out["state"] = {v: float(x) for v, x in zip(model.variable_names, fp.state)}
        quantities = (("tr J", tc.trace, at["trace"], at["trace"] < 0),
                      ("det J", tc.det, at["det"], at["det"] > 0),
                      ("d_v f_u + d_u g_v", tc.h, at["h"], at["h"] > 0),
                      ("(d_v f_u + d_u g_v)^2 - 4 d_u d_v det J", tc.discriminant, at["discriminant"],
                       at["discriminant"] > 0))
        out["conditions"] = {text: [name, sp.sstr(_compact(expr)), float(f"{v:.7g}"), bool(ok)]
                             for (text, _), (name, expr, v, ok) in zip(tc.inequalities, quantities)}
        out["k_c2"] = {"expression": sp.sstr(tc.k_c2_critical), "value": at["k_c2_critical"]}
        out["k_c"] = math.sqrt(at["k_c2_critical"]) if at["k_c2_critical"] > 0 else None
        out["critical_ratio"] = {"expression": sp.sstr(tc.critical_ratio), "value": at["critical_ratio"]}
        subs = {model.symbol(n): v for n, v in values.items()}
        band = [complex(sp.N(e.xreplace(subs))) for e in tc.band]
        out["band"] = [b.real for b in band] if all(abs(b.imag) < 1e-12 and b.real >= 0 for b in band) else None
        if at["turing"] != (verdict == "Turing unstable") and min(abs(g), abs(at["discriminant"])) > 1e-9:
            verdict += " (numeric maximum over k; the closed-form conditions disagree near the boundary)"
        out["note"] = "Murray (2003), Mathematical Biology II, sec. 2.3; Turing (1952)"
    else:
        out["note"] = (f"{model.n_vars} species: no closed-form Turing conditions beyond two species; the verdict "
                       "is numeric (max over k of the leading eigenvalue of J - k^2 D)")
    out["verdict"] = verdict
    return out


def _compact(e: Any) -> Any:
    """A shorter printed form of ``e`` (the same expression): the numerator written as a polynomial in
    each linear factor ``L`` of the denominator (e.g. Schnakenberg's ``tr J = (b - a - (a + b)**3)/(a + b)``),
    whichever form prints shortest."""
    import sympy as sp

    num, den = sp.fraction(sp.together(e))
    forms = [e]
    for L, _ in sp.factor_list(den)[1]:
        if not (L.is_Add and L.is_polynomial() and sp.Poly(L).total_degree() == 1 and len(L.free_symbols) > 1):
            continue
        x = min(L.free_symbols, key=lambda s: s.name)
        w = sp.Dummy("w")
        (xw,) = sp.solve(sp.Eq(L, w), x)
        n = sp.collect(sp.expand(num.xreplace({x: xw})), w, evaluate=False)
        n = sp.Add(*[sp.factor(c) * k.xreplace({w: L}) for k, c in n.items()])
        forms.append(n / den)
    return min(forms, key=lambda f: len(sp.sstr(f)))


def dispersion_text(model: Any, *, latex: bool = False) -> str:
    """The dispersion step as plain text (or Markdown with LaTeX)."""
    rec = dispersion_step(model)
    head = "## Dispersion relation (Turing analysis)\n\n" if latex else "Dispersion relation (Turing analysis)\n"
    pre = "- " if latex else "  "
    lines = [head + f"{pre}eigenvalues of J - k^2 D at the homogeneous state, D = diag("
             + ", ".join(f"{v}: {c}" for v, c in rec["diffusion"].items()) + ")"]
    if "state" in rec:
        lines.append(f"{pre}the state has no closed form; the formulas below are in J(u*), evaluated at the numeric "
                     "state " + ", ".join(f"{v} = {x:.6g}" for v, x in rec["state"].items()))
    if rec["closed_form"]:
        lines.append(f"{pre}Turing conditions (all four hold for a Turing instability):")
        for text, (name, expr, value, ok) in rec["conditions"].items():
            lines.append(f"{pre}  {text}:  {name} = {expr} = {value:.6g}  ({'holds' if ok else 'fails'})")
        lines.append(f"{pre}critical diffusion ratio d_c = {rec['critical_ratio']['expression']} = "
                     f"{rec['critical_ratio']['value']:.6g}")
        lines.append(f"{pre}critical wavenumber at d_c: k_c^2 = {rec['k_c2']['expression']} = {rec['k_c2']['value']:.6g}"
                     + (f" (k_c = {rec['k_c']:.6g}, wavelength 2 pi/k_c = {2 * math.pi / rec['k_c']:.6g})"
                        if rec["k_c"] else ""))
        if rec["band"]:
            lines.append(f"{pre}unstable band: {rec['band'][0]:.6g} < k^2 < {rec['band'][1]:.6g}")
    k, g = rec["fastest"]
    lines.append(f"{pre}numeric: Re lambda(0) = {rec['growth0']:.6g}; max over k of Re lambda = {g:.6g} at k = {k:.6g}"
                 + (f" (wavelength {2 * math.pi / k:.6g})" if k > 0 else ""))
    lines.append(f"{pre}verdict: {rec['verdict']}  [{rec['note']}]")
    return "\n".join(lines) + "\n"


def turing_layout(model: Any, param: str, against: str, *, q_range: Any, p_range: Any, grid: int) -> Any:
    """The Turing diagram of ``linstab diagram --turing``: map, boundaries and live dispersion curve."""
    from linstab._errors import AnalysisError
    from linstab._limits import check_fits
    from linstab.analysis import turing_curves
    from linstab.num import turing_map
    from linstab.plot import turing_diagram

    if not model.diffusion:
        raise AnalysisError(f"--turing: model {model.name!r} has no [diffusion] table; add one (a coefficient per "
                            "species) or leave out --turing")
    check_fits(grid * grid * 2000, f"a Turing map of {grid} x {grid} cells", "use a smaller --grid")
    values = model.numeric_values()
    qr = tuple(q_range) if q_range else (values[against] / 2, values[against] * 2)
    pr = tuple(p_range) if p_range else (values[param] / 10, values[param] * 10)
    tm = turing_map(model, (against, *qr, grid), (param, *pr, grid))
    try:
        curves = turing_curves(model, param, against, q_range=qr, p_range=pr, n_points=max(grid, 20))
    except AnalysisError:  # no boundary in the window: the map alone
        curves = []
    return turing_diagram(tm, curves=curves)
