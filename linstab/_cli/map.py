"""``linstab map MODEL --x NAME MIN MAX N [--y NAME MIN MAX N] --out FILE.npz``: a stability map."""

from __future__ import annotations

import argparse
import sys
import time

from linstab._cli._common import add_model_args, reduced_model, reduced_note

__all__ = ["register", "run"]

_HELP = """\
Stability map of MODEL on a 1-D or 2-D grid of two parameters: at every grid point the fixed points
in the domain, the largest real part of the eigenvalues (max_real), the number of fixed points
(n_fixed) and of stable ones (n_stable; 2 = bistable), whether some fixed point is a focus
(oscillatory) and the region label (stable, multistable, oscillatory, unstable, none). A .npz file
holds these arrays, shaped (len(y), len(x)), and the axes x, y, x_name, y_name, log_x, log_y; a
.csv file holds one row per grid point (the parameter values, then the same quantities), for
spreadsheets, R or pandas.

For a model with delays (delay(x, tau) terms) the map is of the rightmost characteristic root of the
quasi-polynomial at each point (spectral discretisation), on a 2-D grid: e.g. --y tau 0 10 50.

Axis ranges must be finite and inside the parameter's declared domain (as for --set). A grid that
cannot fit linstab's memory budget (2 GiB; set LINSTAB_MEMORY, e.g. LINSTAB_MEMORY=8GiB) is refused
before anything is computed.

Large grids (10^8 points and more) run as Dask tasks (linstab[dask]): --chunks N computes tiles of
N points, and --out FILE.zarr writes the arrays tile by tile into a Zarr store, so neither the grid
nor the map has to fit in memory. --scheduler ADDRESS runs the tiles on a running Dask cluster
(e.g. tcp://10.0.0.1:8786) instead of this machine's cores.
"""


def _axis(values: list[str], flag: str, model, log: bool) -> tuple[str, float, float, int]:
    from linstab._limits import check_range

    name, lo, hi, n = values
    try:
        lo_f, hi_f, n_i = float(lo), float(hi), int(n)
    except ValueError:
        raise ValueError(f"{flag} expects NAME MIN MAX N (numbers for MIN, MAX and an integer N), "
                         f"got {' '.join(values)}") from None
    if n_i < 1:
        raise ValueError(f"{flag}: N must be at least 1, got {n_i}")
    if log and not (lo_f > 0 and hi_f > 0):
        raise ValueError(f"{flag}: a log axis needs min > 0 and max > 0, got {lo_f}, {hi_f}")
    lo_f, hi_f = check_range(model, name, lo_f, hi_f, flag)
    return name, lo_f, hi_f, n_i


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``map`` subcommand."""
    parser = subparsers.add_parser(
        "map", help="stability map on a parameter grid (writes .npz)",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    parser.add_argument("--x", nargs=4, required=True, metavar=("NAME", "MIN", "MAX", "N"), help="horizontal axis")
    parser.add_argument("--log-x", action="store_true", help="logarithmic horizontal axis")
    parser.add_argument("--y", nargs=4, default=None, metavar=("NAME", "MIN", "MAX", "N"),
                        help="vertical axis (omit for a 1-D map)")
    parser.add_argument("--log-y", action="store_true", help="logarithmic vertical axis")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="output file: FILE.npz, FILE.csv or FILE.zarr (a Zarr store, written by Dask tasks)")
    parser.add_argument("--backend", choices=("numpy", "torch"), default="numpy", help="array backend")
    parser.add_argument("--method", choices=("auto", "symmetric", "newton"), default="auto",
                        help="how fixed points are found (default: auto)")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="torch's CPU threads for this run (--backend torch; default: torch's own choice)")
    parser.add_argument("--chunks", type=int, default=None, metavar="N",
                        help="grid points per Dask task (default with a .zarr store: 1000000)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="address of a running Dask scheduler to compute the tiles on")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress report (shown on stderr when it is a terminal)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab map``; returns the exit code."""
    from linstab.num import stability_map

    from linstab._atomic import check_output_path

    zarr_out = str(args.out).endswith(".zarr")
    if not str(args.out).endswith((".npz", ".csv")) and not zarr_out:
        raise ValueError(f"--out must name a .npz or .csv file (or a .zarr store), got {args.out!r}")
    if args.chunks is not None and args.chunks < 1:
        raise ValueError(f"--chunks must be at least 1, got {args.chunks}")
    if args.scheduler is not None and args.chunks is None and not zarr_out:
        raise ValueError("--scheduler computes tiles as Dask tasks: pass --chunks N (grid points per task)")
    chunks = args.chunks if args.chunks is not None or not zarr_out else 1_000_000
    if not zarr_out:
        check_output_path(args.out, what="--out file")  # before the computation, not after it
    from linstab._limits import check_fits, stability_map_bytes

    model, laws = reduced_model(args)
    if laws:
        print(reduced_note(laws, model), file=sys.stderr)
    x = _axis(args.x, "--x", model, args.log_x)
    y = _axis(args.y, "--y", model, args.log_y) if args.y else None
    n_points = x[3] * (y[3] if y else 1)
    if not zarr_out:  # a store holds the map on disk; a tile at a time is in memory
        check_fits(stability_map_bytes(n_points, len(model.parameter_names)),
                   f"a stability map of {x[3]} x {y[3] if y else 1} points",
                   "use fewer points (N), or write a .zarr store with --out FILE.zarr")
    else:  # the axes, and a tile of the grid with its working memory, are in memory
        check_fits(32 * (x[3] + (y[3] if y else 1)) + 2 * stability_map_bytes(chunks, len(model.parameter_names)),
                   f"the axes ({x[3]} x {y[3] if y else 1} points) and tiles of {chunks} points",
                   "use fewer points per axis (N) or a smaller --chunks")
    t0 = time.perf_counter()
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be at least 1, got {args.threads}")
    if args.threads not in (None, 1) and args.backend != "torch":
        raise ValueError("--threads applies to --backend torch (numpy's kernels here use one thread)")
    if args.backend == "torch" and args.threads is not None:  # process-wide; this process is ours
        from linstab._optional import require

        torch = require("torch")
        if torch.get_num_threads() != args.threads:  # set once, never back (see README)
            torch.set_num_threads(args.threads)
    if model.delays:  # characteristic roots of the quasi-polynomial, not eigenvalues
        if y is None or zarr_out or args.chunks is not None or args.backend != "numpy" or args.method != "auto":
            raise ValueError(f"model {model.name!r} has delays: its map takes --x and --y (e.g. --y "
                             f"{model.delays[0][1]} 0 10 50) and writes .npz or .csv, with numpy and the spectral "
                             "method (no --chunks, --backend torch, --method or .zarr)")
        from linstab.num import delay_stability_map

        m = delay_stability_map(model, x, y, log_x=args.log_x, log_y=args.log_y)
        return _write(args, m, time.perf_counter() - t0)
    client = None
    if args.scheduler is not None:
        from linstab._optional import require

        client = require("distributed", extra="dask").Client(args.scheduler, timeout="30s")
    try:
        m = stability_map(model, x, y, log_x=args.log_x, log_y=args.log_y, backend=args.backend, method=args.method,
                          progress=not args.quiet and sys.stderr.isatty(), chunks=chunks,
                          store=args.out if zarr_out else None, overwrite=False)
        if zarr_out:  # fractions read tile by tile from the store
            import dask

            fr = dask.compute((m.n_stable >= 1).mean(), (m.oscillatory & (m.max_real > 0)).mean(),
                              (m.n_stable >= 2).mean())
    finally:
        if client is not None:
            client.close()
    dt = time.perf_counter() - t0
    if zarr_out:
        print(f"wrote {args.out}: {x[3]} × {y[3] if y else 1} grid ({m.method}, {dt:.2f} s); stable at {fr[0]:.1%} "
              f"of points, oscillatory instability at {fr[1]:.1%}, bistable at {fr[2]:.1%}")
        return 0
    return _write(args, m, dt)


def _write(args: argparse.Namespace, m, dt: float) -> int:
    import numpy as np

    if str(args.out).endswith(".csv"):
        m.to_csv(args.out)  # atomic: a kill or a failure leaves the old file
    else:
        m.to_npz(args.out)
    shape = " × ".join(str(s) for s in m.max_real.shape[::-1])
    print(f"wrote {args.out}: {shape} grid ({m.method}, {dt:.2f} s); stable at {np.mean(m.n_stable >= 1):.1%} "
          f"of points, oscillatory instability at {np.mean(m.oscillatory & (m.max_real > 0)):.1%}, "
          f"bistable at {np.mean(m.n_stable >= 2):.1%}")
    return 0
