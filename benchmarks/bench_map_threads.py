"""torch's CPU threads for a stability map, side by side with numpy, in one run.

A 120 x 120 Newton map of the toggle switch (beta x n), each route once after a warm-up. The
map's kernels are small element-wise operations on batches of grid points: on a small shared
machine extra torch threads mostly wait for each other, which is why `stability_map` and
`linstab map --backend torch` use one unless told otherwise (README, Bifurcations and maps).

Run: .venv/bin/python benchmarks/bench_map_threads.py [--n 120]
"""

from __future__ import annotations

import argparse
import os
import time

from linstab.num import stability_map


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=120)
    n = ap.parse_args().n
    args = ("toggle_switch", ("beta", 1.0, 5.0, n), ("n", 1.5, 3.0, n))
    stability_map(*args, method="newton", backend="torch", threads=1)  # warm-up: imports, kernels
    print(f"# {n} x {n} Newton map of toggle_switch, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    for label, kw in [("numpy", {}), ("torch, 1 thread", {"backend": "torch", "threads": 1}),
                      ("torch, 2 threads", {"backend": "torch", "threads": 2})]:
        t0 = time.perf_counter()
        stability_map(*args, method="newton", **kw)
        print(f"{label:>18}: {time.perf_counter() - t0:6.2f} s")


if __name__ == "__main__":
    main()
