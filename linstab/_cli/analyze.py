"""``linstab analyze MODEL [--set NAME=VALUE]... [--json | --latex]``: the step-by-step derivation."""

from __future__ import annotations

import argparse
import math

from linstab._cli._common import add_model_args, as_flags, model_from_args

__all__ = ["register", "run"]

_HELP = """\
Linear stability analysis of MODEL: the Jacobian, the symbolic fixed points, the Jacobian at
each, its characteristic polynomial, eigenvalues and Routh–Hurwitz stability conditions, then
every numeric fixed point at the parameter values, classified.

--json prints one JSON object: model, variables, parameters, jacobian (SymPy-parsable strings),
fixed_points (state, eigenvalues as [re, im] pairs, classification, stable). It skips the
symbolic derivation unless --derivation is given.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` subcommand."""
    parser = subparsers.add_parser(
        "analyze", help="step-by-step linear stability analysis of a model",
        description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(parser)
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    fmt.add_argument("--latex", action="store_true", help="print Markdown with LaTeX maths")
    parser.add_argument("--derivation", action="store_true",
                        help="with --json: include the symbolic derivation (slower)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="CPU seconds for the whole symbolic analysis (default: 30); past it the "
                             "output says that the symbolic step timed out and still lists the numeric "
                             "fixed points")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out ``linstab analyze``; returns the exit code."""
    from linstab.analysis import report

    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise ValueError(f"--timeout must be a positive, finite number of seconds, got {args.timeout}")
    model = model_from_args(args)
    if args.json:
        if any(v is None for _, v in model.values):
            model.numeric_values()  # raises a ParameterError naming the missing values
        rep = report(model, symbolic=bool(args.derivation), timeout=args.timeout)
        print(rep.to_json())
    elif args.latex:
        print(report(model, timeout=args.timeout).markdown, end="")
    else:
        print(as_flags(report(model, timeout=args.timeout).text), end="")
    return 0
