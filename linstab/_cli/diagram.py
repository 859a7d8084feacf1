"""``linstab diagram MODEL --param P --against Q --html OUT.html``: stability diagram + eigenvalue explorer."""

from __future__ import annotations

import argparse
import sys

from linstab._cli._common import (add_model_args, add_output_args, check_outputs, reduced_model, reduced_note,
                                  write_outputs)

__all__ = ["register", "run"]

_HELP = """\
Write a static HTML page (BokehJS inlined, no server, no network) with the stability diagram of
MODEL in the plane of the parameters Q (--against, horizontal) and P (--param, vertical) beside
an eigenvalue explorer: sliders for the parameters, the fixed point's eigenvalues in the complex
plane, its classification and a simulated time course, recomputed in the browser.

The regions come from a stability map (stable / oscillatory instability / bistable); the Hopf and
fold curves are drawn on top with their formulas where a closed form exists. P gets a log axis
when its range spans more than a factor 20. Ranges must be finite and inside the parameters'
declared domains; a grid that cannot fit linstab's memory budget (2 GiB; set LINSTAB_MEMORY, e.g.
LINSTAB_MEMORY=8GiB) is refused before anything is computed.

For a model with delayed terms, delay(x, tau), P is the delay: the regions come from the
rightmost characteristic roots (spectral discretisation) and the delay Hopf curve tau_c(Q) is
drawn on top, beside a characteristic-root explorer: sliders for the parameters move a marker on
the map, and the rightmost roots in the complex plane, max Re λ, its frequency and the verdict are
recomputed in the browser (Newton on the characteristic function from the nearest cell's roots).
--turing (a model with a [diffusion] table): the Turing regions of the plane instead (stable,
Turing, unstable without diffusion) with the Turing boundaries, beside the dispersion curve
Re λ(k) that the sliders recompute in the browser.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diagram`` subcommand."""
    parser = subparsers.add_parser(
        "diagram", help="interactive stability diagram and eigenvalue explorer as a static HTML page",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    parser.add_argument("--param", required=True, metavar="P", help="parameter on the vertical axis")
    parser.add_argument("--against", required=True, metavar="Q", help="parameter on the horizontal axis")
    parser.add_argument("--range", nargs=2, type=float, metavar=("QMIN", "QMAX"), dest="q_range",
                        help="range of Q (default: value/2 .. 2·value)")
    parser.add_argument("--param-range", nargs=2, type=float, metavar=("PMIN", "PMAX"), dest="p_range",
                        help="range of P (default: from the curves, else value/10 .. 10·value)")
    parser.add_argument("--grid", type=int, default=60, metavar="N", help="stability-map cells per axis (default 60)")
    parser.add_argument("--budget", type=float, default=10.0, metavar="SECONDS",
                        help="CPU time for each closed-form curve before numeric continuation answers (default 10)")
    parser.add_argument("--turing", action="store_true",
                        help="Turing regions and the live dispersion curve (models with a [diffusion] table)")
    add_output_args(parser)
    parser.add_argument("--quiet", action="store_true",
                        help="no progress report (shown on stderr when it is a terminal)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab diagram``; returns the exit code."""
    from linstab._limits import check_range
    from linstab.plot import diagram_layout

    check_outputs(args)
    model, laws = reduced_model(args)
    if laws:
        print(reduced_note(laws, model), file=sys.stderr)
    if args.param == args.against:
        raise ValueError(f"--param and --against must differ; both are {args.param!r}")
    if args.grid < 4:
        raise ValueError(f"--grid must be at least 4; got {args.grid}")
    if not args.budget > 0:
        raise ValueError(f"--budget must be a positive number of seconds, got {args.budget}")
    if args.q_range is not None:
        check_range(model, args.against, args.q_range[0], args.q_range[1], "--range")
        if not args.q_range[0] < args.q_range[1]:
            raise ValueError(f"--range expects QMIN < QMAX; got {args.q_range[0]} {args.q_range[1]}")
    if args.p_range is not None:
        check_range(model, args.param, args.p_range[0], args.p_range[1], "--param-range")
        if not args.p_range[0] < args.p_range[1]:
            raise ValueError(f"--param-range expects PMIN < PMAX; got {args.p_range[0]} {args.p_range[1]}")
    if model.delays:  # a delay model: regions from the characteristic roots, the delay Hopf curve on top
        from linstab.plot import delay_explorer

        layout = delay_explorer(model, args.against, tau=args.param, q_range=args.q_range, tau_range=args.p_range,
                                grid=args.grid)
        for line in write_outputs(layout, args, title=f"linstab · {model.name} delay stability diagram"):
            print(f"{line}: delay stability diagram of {model.name} in ({args.against}, {args.param})"
                  + (" with the characteristic-root explorer" if line.endswith("MB)") else ""))
        return 0
    if args.turing:
        from linstab._cli._turing import turing_layout

        layout = turing_layout(model, args.param, args.against, q_range=args.q_range, p_range=args.p_range,
                               grid=args.grid)
    else:
        layout = diagram_layout(model, args.param, args.against, q_range=args.q_range, p_range=args.p_range,
                                grid=args.grid, progress=not args.quiet and sys.stderr.isatty(), budget=args.budget)
    for line in write_outputs(layout, args, title=f"linstab · {model.name} stability diagram"):
        print(f"{line}: {'Turing' if args.turing else 'stability'} diagram of {model.name} in ({args.against}, {args.param})"
              + (" with the eigenvalue explorer" if line.endswith("MB)") and not args.turing else "")
              + (" with the live dispersion curve" if line.endswith("MB)") and args.turing else ""))
    return 0
