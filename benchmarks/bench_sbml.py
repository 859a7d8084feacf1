"""Benchmark: import of a generated 1,000-species, 3,000-reaction SBML model, and its Jacobian.

The model is a random mass-action network (seeded): each reaction is A -> B, A + B -> C or
A -> B + C with a rate constant of its own (a global parameter), 1,000 species in one
compartment. Timed, each once in this order (they build on each other): writing the SBML text,
`linstab.load_model` (libsbml parse + MathML to SymPy + equations), the symbolic Jacobian
(`Model.jacobian`, which differentiates each equation by the variables it names only) side by
side with the dense route it replaced (`f.jacobian(x).applyfunc(powsimp)`: every one of the
n² entries), and the conservation laws. With `--compile` also compiling the right-hand side and
the Jacobian (`lambdify` with cse, linstab's one path to numbers: slow for thousands of
expressions), the cost per integrator step (one right-hand-side and one Jacobian evaluation,
median of 200 calls) and a short `linstab.simulate`.

Run: .venv/bin/python benchmarks/bench_sbml.py [--species 1000 --reactions 3000] [--compile]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def network(n_species: int, n_reactions: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    species = "\n".join(f'   <species id="S{i}" compartment="c" initialConcentration="{rng.uniform(0.5, 1.5):.6f}" '
                        'hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/>'
                        for i in range(n_species))
    params, reactions = [], []
    for r in range(n_reactions):
        kind = r % 3
        a, b, c = (int(i) for i in rng.choice(n_species, 3, replace=False))
        reactants, products = ([a], [b]) if kind == 0 else (([a, b], [c]) if kind == 1 else ([a], [b, c]))
        params.append(f'   <parameter id="k{r}" value="{rng.uniform(0.1, 1.0):.6f}" constant="true"/>')
        refs = lambda ids: "".join(f'<speciesReference species="S{i}" stoichiometry="1" constant="true"/>'
                                   for i in ids)
        law = "".join(f"<ci>S{i}</ci>" for i in reactants)
        reactions.append(f'   <reaction id="R{r}" reversible="false"><listOfReactants>{refs(reactants)}'
                         f"</listOfReactants><listOfProducts>{refs(products)}</listOfProducts><kineticLaw>"
                         '<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/>'
                         f"<ci>k{r}</ci><ci>c</ci>{law}</apply></math></kineticLaw></reaction>")
    nl = "\n"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
 <model id="network">
  <listOfCompartments><compartment id="c" size="1" constant="true"/></listOfCompartments>
  <listOfSpecies>
{species}
  </listOfSpecies>
  <listOfParameters>
{nl.join(params)}
  </listOfParameters>
  <listOfReactions>
{nl.join(reactions)}
  </listOfReactions>
 </model>
</sbml>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--species", type=int, default=1000)
    parser.add_argument("--reactions", type=int, default=3000)
    parser.add_argument("--compile", action="store_true", help="also compile kernels and simulate (slow)")
    args = parser.parse_args(argv)
    import linstab

    rows = []
    print("| step | time (s) |\n|---|---:|", flush=True)

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        rows.append((name, time.perf_counter() - t0))
        print(f"| {name} | {rows[-1][1]:.2f} |", flush=True)
        return out

    path = Path(tempfile.mkdtemp()) / "network.xml"
    timed("generate and write the SBML text", lambda: path.write_text(network(args.species, args.reactions)))
    model = timed("linstab.load_model (libsbml + MathML -> SymPy)", lambda: linstab.load_model(path))
    import sympy as sp

    from linstab.sbml import conservation_laws

    J = timed("symbolic Jacobian (Model.jacobian: each equation by the variables it names)", model.jacobian)
    dense = timed("baseline: dense symbolic Jacobian (f.jacobian(x).applyfunc(powsimp))",
                  lambda: model.f.jacobian(model.variables).applyfunc(sp.powsimp))
    same = dense == J
    laws = timed("conservation laws (exact left null space)", lambda: conservation_laws(model))
    print(f"model: {model.n_vars} state variables, {len(model.parameters)} parameters, "
          f"{sum(1 for e in J if e != 0)} nonzero Jacobian entries, {path.stat().st_size / 1e6:.1f} MB of SBML; "
          f"the two Jacobians are identical: {same}; {len(laws)} conservation laws")
    if not args.compile:
        return 0
    rhs = timed("compile the right-hand side (lambdify, cse)", lambda: model.kernel("rhs"))
    jac = timed("compile the Jacobian (lambdify, cse)", lambda: model.kernel("jacobian"))
    x = np.array([v for _, v in model.initial])
    p = np.array(model.parameter_vector())
    per = {}
    for name, kern in (("rhs", rhs), ("jacobian", jac)):
        samples = []
        for _ in range(200):
            t0 = time.perf_counter()
            kern(x, p)
            samples.append(time.perf_counter() - t0)
        per[name] = statistics.median(samples)
    t0 = time.perf_counter()
    traj = linstab.simulate(model, (0.0, 1.0), n_points=11)
    sim = time.perf_counter() - t0
    print(f"| one right-hand-side evaluation (median of 200) | {per['rhs'] * 1e3:.3f} ms |")
    print(f"| one Jacobian evaluation, dense {model.n_vars}x{model.n_vars} (median of 200) | "
          f"{per['jacobian'] * 1e3:.3f} ms |")
    print(f"| linstab.simulate over t in [0, 1] (LSODA) | {sim:.2f} |")
    print(f"final state finite: {bool(np.isfinite(traj.x[-1]).all())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
