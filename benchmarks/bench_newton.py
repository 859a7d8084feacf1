"""Benchmark: the one Newton solver (linstab.num._newton) against the two it replaced, side by side.

Runs the same work with two copies of linstab — this checkout and a reference checkout (the
commit before the solvers were merged: ``git archive d34281d linstab data | tar -x -C REF``) —
each as a fresh process, interleaved, ``--repeat`` times, and compares the results:

* the generic stability map of Griffith's switch (benchmarks/bench_map_generic.py) on an
  ``N × N`` grid (method "newton"): time, and whether the region labels are identical;
* ``find_fixed_points`` on built-in models: time, and whether the fixed points found agree;
* in one process, alternating: the maps' Newton from 12 seeds per point on the same grid (the
  reference's ``_maps.py`` loaded from its file, on this checkout's kernels) — time, and whether
  the roots and their validity are identical.

Run: .venv/bin/python benchmarks/bench_newton.py --ref /tmp/linstab_ref [--n 150] [--repeat 3]
Figures are written to benchmarks/results/bench_newton.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = ["toggle_switch", "repressilator", "lorenz", "autorepression", "goodwin", "brusselator"]

WORK = r"""
import json, sys, time
import numpy as np
from linstab import load_model
from linstab.num import find_fixed_points, stability_map
sys.path.insert(0, {bench!r})
from bench_map_generic import MODEL
n, out, models = {n}, {out!r}, {models!r}
griffith = load_model(MODEL)
stability_map(griffith, ("a", 0.05, 0.2, 4), ("b", 0.5, 10.0, 4), method="newton")  # compile
t0 = time.perf_counter()
m = stability_map(griffith, ("a", 0.05, 0.2, n), ("b", 0.5, 10.0, n), method="newton")
t_map = time.perf_counter() - t0
ms = [load_model(k) for k in models]
for k in ms:
    k.kernel("rhs"), k.kernel("jacobian")
t0 = time.perf_counter()
fps = [[fp.state.tolist() for fp in find_fixed_points(k)] for k in ms]
t_fp = time.perf_counter() - t0
np.save(out + ".npy", m.region)
json.dump({{"t_map": t_map, "t_fp": t_fp, "fps": fps}}, open(out + ".json", "w"))
"""


def run(tree: str, n: int, out: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    code = WORK.format(bench=str(HERE), n=n, out=out, models=MODELS)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=tempfile.gettempdir())
    return json.loads(Path(out + ".json").read_text())


def newton_ab(ref: str, n: int, repeat: int) -> tuple[list[float], list[float], bool]:
    """The maps' Newton of both versions in this process, alternating: times and identity."""
    import importlib.util

    import numpy as np

    sys.path.insert(0, str(HERE))
    from bench_map_generic import MODEL

    from linstab import load_model
    from linstab.num import _maps as new

    spec = importlib.util.spec_from_file_location("reference_maps", Path(ref) / "linstab" / "num" / "_maps.py")
    old = importlib.util.module_from_spec(spec)
    sys.modules["reference_maps"] = old
    spec.loader.exec_module(old)
    m = load_model(MODEL)
    A, B = np.meshgrid(np.linspace(0.05, 0.2, n), np.linspace(0.5, 10.0, n))
    p = np.stack([A.ravel(), B.ravel()], -1)
    for mod in (old, new):
        mod._newton_fixed_points(m, p[:100], np, "numpy", n_seeds=12)
    t_new, t_old, same = [], [], True
    for _ in range(repeat):
        t0 = time.perf_counter()
        xo, vo = old._newton_fixed_points(m, p, np, "numpy", n_seeds=12)
        t_old.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        xn, vn = new._newton_fixed_points(m, p, np, "numpy", n_seeds=12)
        t_new.append(time.perf_counter() - t0)
        same &= bool(np.array_equal(vo, vn) and np.array_equal(xo[vo], xn[vn]))
    return t_new, t_old, same


def same_points(a: list, b: list) -> bool:
    import numpy as np

    if len(a) != len(b):
        return False
    return all(np.allclose(x, y, rtol=1e-7, atol=1e-9) for x, y in zip(sorted(a), sorted(b)))


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="root of the reference checkout (holds linstab/)")
    parser.add_argument("--n", type=int, default=150, help="grid points per axis (default 150)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    trees = {"one Newton (this checkout)": str(HERE.parent), "two solvers (reference)": args.ref}
    times: dict[str, dict[str, list[float]]] = {k: {"t_map": [], "t_fp": []} for k in trees}
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            for label, tree in trees.items():
                out = os.path.join(tmp, f"{r}-{len(results)}-{label[:3]}")
                res = run(tree, args.n, out)
                res["region"] = np.load(out + ".npy")
                results[label] = res
                for k in ("t_map", "t_fp"):
                    times[label][k].append(res[k])
    a, b = results.values()
    load = os.getloadavg()
    lines = [f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end",
             f"| route | Griffith map {args.n} x {args.n} (s, median of {args.repeat}) "
             f"| find_fixed_points on {len(MODELS)} models (s, median) |", "|---|---:|---:|"]
    for label, t in times.items():
        lines.append(f"| {label} | {statistics.median(t['t_map']):.2f} | {statistics.median(t['t_fp']):.2f} |")
    lines.append(f"identical region labels: {bool(np.array_equal(a['region'], b['region']))} "
                 f"({np.mean(a['region'] == b['region']):.2%} of the grid)")
    agree = [same_points(x, y) for x, y in zip(a["fps"], b["fps"])]
    lines.append("same fixed points: " + ", ".join(f"{m} {ok}" for m, ok in zip(MODELS, agree)))
    t_new, t_old, same = newton_ab(args.ref, args.n, args.repeat)
    lines.append(f"maps' Newton alone, {args.n} x {args.n} points x 12 seeds, one process, alternating: one Newton "
                 f"{statistics.median(t_new):.2f} s, reference {statistics.median(t_old):.2f} s (medians of "
                 f"{args.repeat}); roots and validity identical: {same}")
    text = "\n".join(lines)
    print(text)
    from linstab._atomic import atomic_open

    with atomic_open(HERE / "results" / "bench_newton.txt", "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
