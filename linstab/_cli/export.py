"""``linstab export MODEL --sbml FILE``: write a model as SBML Level 3 Version 2."""

from __future__ import annotations

import argparse

from linstab._cli._common import add_model_args, model_from_args

__all__ = ["register", "run"]

_HELP = """\
Write MODEL (a built-in name, a .toml file or an SBML file) as SBML Level 3 Version 2: one
rate rule per state variable, the parameters with their values (after --set). COPASI, tellurium
and other SBML tools open the file; needs the extra linstab[sbml] (python-libsbml).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    parser = subparsers.add_parser("export", help="write a model as SBML", description=_HELP,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_model_args(parser)
    parser.add_argument("--sbml", required=True, metavar="FILE.xml", help="the SBML file to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab export``; returns the exit code."""
    from linstab._atomic import check_output_path
    from linstab.sbml import write_sbml

    check_output_path(args.sbml, what="SBML file")
    path = write_sbml(model_from_args(args), args.sbml)
    print(f"wrote {path}")
    return 0
