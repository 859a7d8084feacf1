"""The two-process Dask cluster that the Dask tests share (one per test module: starting one costs seconds)."""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import linstab

ROOT = str(Path(linstab.__file__).resolve().parents[1])


@contextlib.contextmanager
def local_client() -> Iterator[object]:
    """A ``Client`` of ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` whose worker
    processes import this checkout of linstab; closed on exit."""
    import distributed

    env = {"PYTHONPATH": os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}
    # no dashboard, and the scheduler's HTTP server on a free port (not 8787, which may be taken)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.ERROR,
                                       env=env)
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        # closing a cluster can warn about workers or comms still shutting down; only those, here
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="distributed")
            client.close()
            cluster.close()
