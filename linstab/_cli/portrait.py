"""``linstab portrait MODEL --html OUT.html``: phase portrait + trace–determinant plane (2-D models)."""

from __future__ import annotations

import argparse

from linstab._cli._common import add_model_args, model_from_args

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
    parser.add_argument("--html", required=True, metavar="OUT.html", help="where to write the page")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab portrait``; returns the exit code."""
    from linstab.plot import phase_portrait, save_html

    model = model_from_args(args)
    path = save_html(phase_portrait(model), args.html, title=f"linstab · {model.name} phase portrait")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB): phase portrait and trace–determinant plane of {model.name}")
    return 0
