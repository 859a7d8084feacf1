"""The primitives behind linstab.sc's routes, timed on a GPU and on the host's cores side by side.

For one matrix size (default 1728, benchmark (c)), in float32 and float64:

- the general eigensolver: ``torch.linalg.eigvals`` on the GPU, one matrix and a batch, against
  LAPACK on the host (``numpy.linalg.eigvals`` with the default BLAS threads, one matrix, as the
  seed package calls it; and :func:`linstab.sc._backend.host_eig`, a stack over all cores);
- what the statistics route and a sign-function route are made of: batched GEMM and batched
  inverses on the GPU.

It decides where ``spectra='auto'`` takes full spectra on CUDA. Run on the GPU machine:
``python3 benchmarks/gpu_probe.py [--n 1728]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from linstab.sc._backend import host_cores, host_eig


def _timed(fn, reps: int = 1) -> float:
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1728)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    n, b = args.n, args.batch
    print(f"# gpu_probe: n = {n}, {torch.cuda.get_device_name(0)}, torch {torch.__version__}, "
          f"host cores {host_cores()} (cpu_count {os.cpu_count()})")
    rng = np.random.default_rng(0)
    host = rng.standard_normal((b, n, n)) / np.sqrt(n) - 1.2 * np.eye(n)
    print("| primitive | dtype | matrices | time | per matrix |")
    print("|---|---|---:|---:|---:|")

    def row(name, dtype, count, seconds):
        print(f"| {name} | {dtype} | {count} | {seconds:.3f} s | {1e3 * seconds / count:.2f} ms |", flush=True)

    for dtype in ("float32", "float64"):
        tdt = getattr(torch, dtype)
        a = torch.as_tensor(host, dtype=tdt, device="cuda")
        torch.linalg.eigvals(a[:1])  # warm-up: solver handles
        one = _timed(lambda: torch.linalg.eigvals(a[0]), reps=3)
        row("GPU torch.linalg.eigvals, one matrix", dtype, 1, one)
        k = 4 if one > 0.5 else 16
        row("GPU torch.linalg.eigvals, a batch", dtype, k, _timed(lambda: torch.linalg.eigvals(a[:k])))
        h = host.astype(dtype)
        t0 = time.perf_counter()
        np.linalg.eigvals(h[0])
        row("host numpy.linalg.eigvals, one matrix (default BLAS threads)", dtype, 1, time.perf_counter() - t0)
        host_eig(h[:2])  # warm-up: thread pool, threadpoolctl
        t0 = time.perf_counter()
        host_eig(h)
        row(f"host host_eig, stack over {host_cores()} cores (1 BLAS thread each)", dtype, b, time.perf_counter() - t0)
        torch.matmul(a, a[:, :, :48])
        row("GPU batched GEMM J @ V (V: n x 48)", dtype, b, _timed(lambda: torch.matmul(a, a[:, :, :48]), reps=5))
        torch.linalg.inv(a[:2])
        row("GPU batched inverse (torch.linalg.inv)", dtype, b, _timed(lambda: torch.linalg.inv(a), reps=3))
        row("GPU batched GEMM J @ J", dtype, b, _timed(lambda: torch.matmul(a, a), reps=3))
        del a
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
