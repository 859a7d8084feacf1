"""Run one SBML Test Suite case: read settings and expected results, simulate, compare."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

SUITE = Path(__file__).resolve().parents[3] / "shared" / "sbml-test-suite" / "cases"
if not SUITE.is_dir():  # worktrees live in /work/wt/NAME, the main checkout in /work/main
    SUITE = Path("/work/shared/sbml-test-suite/cases")


@dataclass
class Case:
    name: str
    model: Path
    times: np.ndarray
    expected: dict[str, np.ndarray]
    amount: set[str]
    concentration: set[str]
    absolute: float
    relative: float


def load_case(name: str) -> Case:
    folder = SUITE / name
    settings: dict[str, str] = {}
    for line in (folder / f"{name}-settings.txt").read_text().splitlines():
        key, sep, value = line.partition(":")
        if sep:
            settings[key.strip()] = value.strip()

    def names(key: str) -> list[str]:
        return [v.strip() for v in settings.get(key, "").split(",") if v.strip()]

    with open(folder / f"{name}-results.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]
    data = np.array([[float(v) for v in row] for row in rows[1:] if row], dtype=float)
    columns = {h: data[:, i] for i, h in enumerate(header)}
    times = columns.get("time", columns.get("Time"))
    return Case(name=name, model=folder / f"{name}-sbml-l3v2.xml", times=times,
                expected={v: columns[v] for v in names("variables")}, amount=set(names("amount")),
                concentration=set(names("concentration")), absolute=float(settings["absolute"]),
                relative=float(settings["relative"]))


def run_case(case: Case, model_path: Path | None = None) -> list[str]:
    """Simulate the case with linstab; returns one line per variable that misses its tolerance.

    ``model_path`` replaces the case's own SBML file (e.g. by a conversion to Level 2)."""
    import linstab

    model = linstab.load_model(model_path or case.model)
    # floor and ceiling make the right-hand side jump: LSODA's implicit steps then stall at the jumps,
    # an explicit Runge-Kutta method steps over them (Hairer, Norsett & Wanner 1993, sec. II.6)
    steps = any(e.has(sp.floor, sp.ceiling) for e in model.rhs)
    traj = linstab.simulate(model, (float(case.times[0]), float(case.times[-1])), t_eval=case.times,
                            method="RK45" if steps else "LSODA", rtol=1e-10, atol=1e-13)
    problems = []
    species = {s[0] for s in model.species}
    for name, want in case.expected.items():
        if name not in species:  # a compartment or parameter (the settings may list it as either)
            got = traj[name]
        elif name in case.amount:
            got = traj.amount(name)
        elif name in case.concentration:
            got = traj.concentration(name)
        else:
            got = traj[name]
        with np.errstate(invalid="ignore"):  # inf - inf where both are infinite
            bad = ~(np.abs(got - want) <= case.absolute + case.relative * np.abs(want))
        bad &= ~((np.isnan(want) & np.isnan(got)) | (got == want))  # nan and inf as expected
        if bad.any():
            i = int(np.argmax(bad))
            problems.append(f"{name} at t={case.times[i]}: got {got[i]!r}, expected {want[i]!r}")
    return problems


def case_names() -> list[str]:
    return sorted(p.name for p in SUITE.iterdir() if p.is_dir())
