"""Benchmark: `linstab analyze repressilator --json` as a whole process.

Each command runs as a fresh process (Python start-up, imports, model loading, kernels, the
fixed-point search and the JSON output all count), several times in turn; the table gives the
median and the minimum wall-clock time. Baselines run side by side in the same loop: a bare
Python start-up, `import sympy, numpy` (the floor for any SymPy-based tool) and
`linstab --help`. Target for the `--json` run: under 1.5 s on a 2-core machine.

Run: .venv/bin/python benchmarks/bench_analyze.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CLI = [PY, "-m", "linstab.cli"]

CASES = [
    ("python -c pass (start-up)", [PY, "-c", "pass"]),
    ("python -c 'import sympy, numpy'", [PY, "-c", "import sympy, numpy"]),
    ("linstab --help", [*CLI, "--help"]),
    ("linstab analyze repressilator --json", [*CLI, "analyze", "repressilator", "--json"]),
    ("linstab analyze lorenz --json", [*CLI, "analyze", "lorenz", "--json"]),
    ("linstab analyze repressilator (text derivation)", [*CLI, "analyze", "repressilator"]),
]


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (default: 7)")
    args = parser.parse_args(argv)
    _time(CASES[3][1])  # warm the file-system cache and __pycache__
    times: dict[str, list[float]] = {name: [] for name, _ in CASES}
    for _ in range(args.repeat):  # interleaved, so that load on the machine hits every case alike
        for name, cmd in CASES:
            times[name].append(_time(cmd))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {os.cpu_count()} CPU cores, load average {load:.2f}, {args.repeat} runs each, Python {sys.version.split()[0]}")
    width = max(len(n) for n, _ in CASES)
    print(f"{'command':<{width}}  {'median (s)':>10}  {'min (s)':>8}")
    for name, _ in CASES:
        ts = times[name]
        print(f"{name:<{width}}  {statistics.median(ts):>10.3f}  {min(ts):>8.3f}")
    target = statistics.median(times[CASES[3][0]])
    print(f"\n`linstab analyze repressilator --json`: median {target:.3f} s (target < 1.5 s: "
          f"{'met' if target < 1.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
