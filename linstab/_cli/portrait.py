"""``linstab portrait MODEL --html OUT.html``: phase portrait + trace–determinant plane (2-D models)."""

from __future__ import annotations

import argparse
import math

from linstab._cli._common import add_model_args, add_output_args, check_outputs, model_from_args, write_outputs

__all__ = ["register", "run"]

_HELP = """\
Write a static HTML page (BokehJS inlined, no server, no network) with the phase portrait of a
two-variable MODEL (streamlines, nullclines, trajectories, fixed points coloured by their
classification) beside the trace–determinant plane, with a slider for every parameter; the
browser recomputes both as the sliders move. Models with another number of variables are refused.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``portrait`` subcommand."""
    parser = subparsers.add_parser(
        "portrait", help="interactive phase portrait and trace–determinant plane (2-D models) as HTML",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    add_output_args(parser)
    parser.add_argument("--x-range", nargs=2, type=float, metavar=("XMIN", "XMAX"),
                        help="phase-plane window of the first variable (default: from the fixed points)")
    parser.add_argument("--y-range", nargs=2, type=float, metavar=("YMIN", "YMAX"),
                        help="phase-plane window of the second variable")
    parser.add_argument("--log", action="append", default=[], metavar="PARAM",
                        help="give PARAM a slider along log10 (repeatable), for positive parameters "
                             "that span decades")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab portrait``; returns the exit code."""
    from linstab.plot import phase_portrait

    model = model_from_args(args)
    for name, r in (("--x-range", args.x_range), ("--y-range", args.y_range)):
        if r is not None and not (math.isfinite(r[0]) and math.isfinite(r[1]) and r[0] < r[1]):
            raise ValueError(f"{name} needs two finite numbers, the smaller first; got {r[0]} {r[1]}")
    for name in args.log:
        model.parameter(name)  # an unknown name: an error that lists the parameters
    values = model.numeric_values()
    ranges = {name: (values[name] / 100, values[name] * 100) for name in args.log if values[name] > 0}
    check_outputs(args)
    fig = phase_portrait(model, x_range=args.x_range, y_range=args.y_range, log=args.log, ranges=ranges)
    for line in write_outputs(fig, args, title=f"linstab · {model.name} phase portrait"):
        print(f"{line}: phase portrait and trace–determinant plane of {model.name}")
    return 0
