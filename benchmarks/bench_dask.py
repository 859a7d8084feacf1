"""Benchmark: per-cell Jacobian statistics and a stability map on Dask, out of core.

Parts (each on a fresh ``LocalCluster`` of worker processes with one thread each):

``ooc``
    Out of core: an expression matrix of ``--cells`` cells × ``--genes`` genes, float32, written
    chunk by chunk to a Zarr store on disk (never whole in memory), read lazily
    (``dask.array.from_zarr``) as ``layers['Ms']`` of an AnnData, and
    ``sc.tl.compute_jacobian_stats`` on two workers limited to ``--worker-memory`` each. The
    peak resident memory (``ru_maxrss``) of every process is reported: this one (client and
    scheduler), each worker and each nanny. A sample of cells is recomputed in memory and
    compared.
``scaling``
    The first ``--scaling-cells`` cells of the same store, in memory (the baseline, this
    process: numpy, LAPACK on the host's cores) and on 1 and 2 workers; cells/s, a task stream
    of every run, and a scaling model fitted on the 1-worker run and checked on 2.
``map``
    ``stability_map`` of the repressilator on ``--map-side``² points (10⁸ by default) in tiles
    of ``--map-chunk`` points into a Zarr store, on 2 workers; baseline: the in-memory map of
    10⁶ points in this process.

The network comes from ``sc.datasets.synthetic_grn`` (``--genes`` genes, ``--tfs`` regulating
transcription factors, two clusters); each cell is a template cell times log-normal noise,
seeded per chunk. The machine is shared: ``uptime`` is recorded before and after each part.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_dask.py [--parts ooc,scaling,map]
     [--cells 200000] [--genes 500] [--chunk 5000] [--scaling-cells 20000] [--map-side 10000]
Writes benchmarks/results/bench_dask.json and prints a summary.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def peak_rss_mb() -> float:
    """Peak resident memory of this process image (MB): ``VmHWM`` of /proc/self/status.

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that over fork and exec, so a worker
    spawned by a large parent would report the parent's peak as its own.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover - not Linux


def cluster(n_workers: int, memory: str):
    import distributed

    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    lc = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                  memory_limit=memory, dashboard_address=None, silence_logs=logging.ERROR, env=env,
                                  scheduler_kwargs={"dashboard_address": ":0"})  # no fixed port 8787
    return lc, distributed.Client(lc)


def close(lc, client) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.close()
        lc.close()


def process_peaks(client) -> dict:
    """Peak RSS (MB) of this process, every worker and every nanny."""
    def rss():
        import os

        with open("/proc/self/status") as f:
            return os.getpid(), next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))

    def table(res):
        return {k: {"pid": pid, "peak_rss_mb": round(mb, 1)} for k, (pid, mb) in res.items()}

    # a LocalCluster's nannies (and its scheduler) live in this process: same pid, same figure
    return {"client_and_scheduler": {"pid": os.getpid(), "peak_rss_mb": round(peak_rss_mb(), 1)},
            "workers": table(client.run(rss)), "nannies": table(client.run(rss, nanny=True))}


# ----------------------------------------------------------------------------------- data
def template(genes: int, tfs: int):
    from linstab.sc.datasets import synthetic_grn

    return synthetic_grn(n_cells=2000, n_genes=genes, n_tfs=tfs, seed=0)


def write_store(path: Path, tpl, cells: int, chunk: int) -> np.ndarray:
    """Cells × genes float32, chunk by chunk; returns each cell's template cell."""
    import zarr

    base = np.asarray(tpl.layers["Ms"], dtype=np.float64)
    genes = base.shape[1]
    g = zarr.open_group(str(path), mode="w")
    make = g.create_array if hasattr(g, "create_array") else g.create_dataset
    z = make("Ms", shape=(cells, genes), chunks=(chunk, genes), dtype="float32")
    src = np.empty(cells, dtype=np.int64)
    for s in range(0, cells, chunk):
        rng = np.random.default_rng([1, s])
        rows = rng.integers(0, base.shape[0], min(chunk, cells - s))
        src[s:s + rows.size] = rows
        z[s:s + rows.size] = (base[rows] * rng.lognormal(0.0, 0.1, (rows.size, genes))).astype(np.float32)
    return src


def lazy_adata(tpl, store: Path, src: np.ndarray, n: int | None = None):
    import anndata
    import dask.array as da
    import pandas as pd

    X = da.from_zarr(str(store / "Ms"))
    if n is not None:
        X, src = X[:n], src[:n]
    obs = pd.DataFrame({"cell_type": pd.Categorical(np.asarray(tpl.obs["cell_type"])[src],
                                                    categories=tpl.obs["cell_type"].cat.categories)},
                       index=[f"cell{i}" for i in range(src.size)])
    return anndata.AnnData(obs=obs, var=tpl.var.copy(), varp={k: tpl.varp[k] for k in tpl.varp}, layers={"Ms": X})


def in_memory(adata, cells=None):
    """The same AnnData with the layer (or some of its cells) loaded."""
    sub = adata[cells].copy() if cells is not None else adata.copy()
    sub.layers["Ms"] = np.asarray(sub.layers["Ms"].compute(), dtype=np.float32)
    return sub


def compare(a, b) -> dict:
    same_counts = all(np.array_equal(a.obs[c].to_numpy(), b.obs[c].to_numpy())
                      for c in ("jacobian_positive_evals", "jacobian_negative_evals"))
    lead = float(np.max(np.abs(a.obs["jacobian_eig1_real"].to_numpy() - b.obs["jacobian_eig1_real"].to_numpy())))
    return {"counts_equal": bool(same_counts), "max_leading_real_diff": lead}


# ----------------------------------------------------------------------------------- parts
def part_ooc(args, tpl, store: Path, src: np.ndarray) -> dict:
    import linstab.sc as sch

    out = {"uptime_before": uptime(), "cells": args.cells, "genes": args.genes, "chunk": args.chunk,
           "worker_memory": args.worker_memory,
           "store_bytes": sum(f.stat().st_size for f in store.rglob("*") if f.is_file()),
           "matrix_bytes_float32": args.cells * args.genes * 4}
    lc, client = cluster(2, args.worker_memory)
    try:
        adata = lazy_adata(tpl, store, src)
        t = time.perf_counter()
        sch.tl.compute_jacobian_stats(adata, progress=False)
        out["seconds"] = time.perf_counter() - t
        out["cells_per_s"] = args.cells / out["seconds"]
        out["peak_rss_mb"] = process_peaks(client)
        out["uns"] = dict(adata.uns["jacobian_stats"])
    finally:
        close(lc, client)
    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(args.cells, size=min(2000, args.cells), replace=False))
    ref = in_memory(adata, pick)
    sch.tl.compute_jacobian_stats(ref, progress=False)
    out["check_vs_in_memory_on_2000_cells"] = compare(ref, adata[pick])
    out["uptime_after"] = uptime()
    return out


def _task_stream_summary(stream: list) -> dict:
    by: dict = {}
    for t in stream:
        kind = t["key"][0] if isinstance(t["key"], tuple) else t["key"]
        kind = str(kind).split("-")[0]
        d = by.setdefault(kind, {"n": 0, "seconds": 0.0})
        d["n"] += 1
        d["seconds"] += sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
    return by


def part_scaling(args, tpl, store: Path, src: np.ndarray) -> dict:
    import distributed

    import linstab.sc as sch

    n = args.scaling_cells
    out = {"uptime_before": uptime(), "cells": n, "genes": args.genes, "chunk": args.chunk,
           "tasks": -(-n // args.chunk)}
    lazy = lazy_adata(tpl, store, src, n)
    mem = in_memory(lazy)
    t = time.perf_counter()
    sch.tl.compute_jacobian_stats(mem, progress=False)
    out["in_memory"] = {"seconds": time.perf_counter() - t}
    out["in_memory"]["cells_per_s"] = n / out["in_memory"]["seconds"]
    runs: dict = {1: [], 2: []}
    order = [int(w) for w in args.scaling_order.split(",")]  # interleaved: the load of a shared machine drifts
    for workers in order:
        lc, client = cluster(workers, args.worker_memory)
        try:
            a = lazy_adata(tpl, store, src, n)
            with distributed.get_task_stream(client) as ts:
                t = time.perf_counter()
                sch.tl.compute_jacobian_stats(a, progress=False)
                dt = time.perf_counter() - t
            runs[workers].append({"seconds": dt, "cells_per_s": n / dt, "tasks": _task_stream_summary(ts.data),
                                  "check_vs_in_memory": compare(mem, a), "uptime": uptime()})
        finally:
            close(lc, client)
    for workers, rs in runs.items():
        best = min(rs, key=lambda r: r["seconds"])
        out[f"workers_{workers}"] = {**best, "all_seconds": [r["seconds"] for r in rs], "runs": rs}
        busy = sum(v["seconds"] for v in best["tasks"].values())
        out[f"workers_{workers}"]["cpu_busy_s"] = busy
        out[f"workers_{workers}"]["run_block_s_per_task"] = best["tasks"]["_run_block"]["seconds"] / out["tasks"]
    # scaling model, fitted on one worker (best run): T(N) = T_serial + ceil(tasks / N) * t_task
    one = out["workers_1"]
    busy = sum(v["seconds"] for v in one["tasks"].values())
    tasks = out["tasks"]
    t_task = busy / tasks  # per cell chunk: read it, check it, compute it
    serial = one["seconds"] - busy
    model = {"t_task_s": t_task, "serial_s": serial,
             "bytes_in_per_task": args.chunk * args.genes * 4,
             "bytes_out_per_task": args.chunk * 5 * 8,
             "network_bytes_once_per_worker": int(sum(tpl.varp[k].nbytes * 4 for k in tpl.varp))}
    for w in (1, 2, 4, 8, 16):
        T = serial + -(-tasks // w) * t_task
        model[f"expected_cells_per_s_{w}_workers"] = n / T
    model["note"] = ("expected for N workers with a core each; this machine has 2 cores shared with other "
                     "jobs, so N = 2 is the only check possible here")
    out["model"] = model
    out["uptime_after"] = uptime()
    return out


def part_map(args) -> dict:
    from linstab.num import stability_map

    side = args.map_side
    out = {"uptime_before": uptime(), "points": side * side, "chunk": args.map_chunk}
    t = time.perf_counter()
    stability_map("repressilator", ("n", 1.5, 5, 1000), ("beta", 1, 1000, 1000), log_y=True)
    out["in_memory_1e6"] = {"seconds": time.perf_counter() - t}
    out["in_memory_1e6"]["points_per_s"] = 1e6 / out["in_memory_1e6"]["seconds"]
    tmp = Path(tempfile.mkdtemp(prefix="linstab-map-", dir=args.tmp))
    try:
        lc, client = cluster(2, args.map_worker_memory)
        try:
            t = time.perf_counter()
            m = stability_map("repressilator", ("n", 1.5, 5, side), ("beta", 1, 1000, side), log_y=True,
                              chunks=args.map_chunk, store=tmp / "map.zarr", progress=False)
            out["dask_2_workers"] = {"seconds": time.perf_counter() - t}
            out["dask_2_workers"]["points_per_s"] = side * side / out["dask_2_workers"]["seconds"]
            out["peak_rss_mb"] = process_peaks(client)
            out["store_bytes"] = sum(f.stat().st_size for f in (tmp / "map.zarr").rglob("*") if f.is_file())
            out["stable_fraction"] = float((m.n_stable >= 1).mean().compute())
        finally:
            close(lc, client)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["uptime_after"] = uptime()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--parts", default="ooc,scaling,map")
    p.add_argument("--cells", type=int, default=200_000)
    p.add_argument("--genes", type=int, default=500)
    p.add_argument("--tfs", type=int, default=50)
    p.add_argument("--chunk", type=int, default=5000)
    p.add_argument("--scaling-cells", type=int, default=20_000)
    p.add_argument("--scaling-order", default="1,2,2,1", help="worker counts of the scaling runs, in order")
    p.add_argument("--worker-memory", default="1GB")
    p.add_argument("--map-side", type=int, default=10_000)
    p.add_argument("--map-chunk", type=int, default=1_000_000)
    p.add_argument("--map-worker-memory", default="2GB")
    p.add_argument("--tmp", default=None, help="folder for the Zarr stores (default: the system's temp folder)")
    p.add_argument("--out", default=str(HERE / "results" / "bench_dask.json"))
    args = p.parse_args()
    parts = args.parts.split(",")
    res: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                             "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
                 "args": vars(args)}
    tmp = Path(tempfile.mkdtemp(prefix="linstab-dask-", dir=args.tmp))
    try:
        if "ooc" in parts or "scaling" in parts:
            tpl = template(args.genes, args.tfs)
            t = time.perf_counter()
            src = write_store(tmp / "expr.zarr", tpl, args.cells, args.chunk)
            res["write_store_s"] = time.perf_counter() - t
            if "ooc" in parts:  # first: this process's peak RSS is the client's of this run
                res["ooc"] = part_ooc(args, tpl, tmp / "expr.zarr", src)
                print(json.dumps(res["ooc"], indent=1), flush=True)
            if "scaling" in parts:
                res["scaling"] = part_scaling(args, tpl, tmp / "expr.zarr", src)
                print(json.dumps(res["scaling"], indent=1), flush=True)
        if "map" in parts:
            res["map"] = part_map(args)
            print(json.dumps(res["map"], indent=1), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else {}
    old.update(res)  # parts run separately accumulate
    tmp_out = Path(args.out).with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(old, indent=1, default=str))
    os.replace(tmp_out, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
