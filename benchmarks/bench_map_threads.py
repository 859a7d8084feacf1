"""torch's CPU threads for a stability map, side by side with numpy, in one script.

A 120 x 120 Newton map of the toggle switch (beta x n). Each route runs in a fresh process (torch's
thread count is process-wide, and on the CPU wheel with MKL raising it after use can hang a later
batched inverse), timed after a warm-up map in that process. The map's kernels are small
element-wise operations on batches of grid points: on a small shared machine extra torch threads
may or may not pay (README, Bifurcations and maps).

Run: .venv/bin/python benchmarks/bench_map_threads.py [--n 120]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

_ONE = """
import time, torch
from linstab.num import stability_map
backend, threads, n = {backend!r}, {threads}, {n}
if backend == "torch":
    torch.set_num_threads(threads)
args = ("toggle_switch", ("beta", 1.0, 5.0, n), ("n", 1.5, 3.0, n))
stability_map(*args, method="newton", backend=backend)  # warm-up: imports, kernels
t0 = time.perf_counter()
stability_map(*args, method="newton", backend=backend)
print(time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=120)
    n = ap.parse_args().n
    print(f"# {n} x {n} Newton map of toggle_switch, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    for label, backend, threads in [("numpy", "numpy", 1), ("torch, 1 thread", "torch", 1),
                                    ("torch, 2 threads", "torch", 2)]:
        code = _ONE.format(backend=backend, threads=threads, n=n)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        print(f"{label:>18}: {float(out.stdout.split()[-1]):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
