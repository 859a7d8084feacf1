"""The ``linstab`` command line.

Each subcommand lives in ``linstab/_cli/<name>.py`` and exposes ``register(subparsers)``, which
adds its parser and sets ``func`` to a callable taking the parsed arguments and returning an exit
code. Errors that linstab raises on purpose print one line to stderr and exit non-zero.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from collections.abc import Sequence

__all__ = ["main", "build_parser"]

# subcommand modules under linstab/_cli/, in the order --help lists them
_COMMANDS = (
    "models",
    "analyze",
    "bifurcation",
    "map",
    "diagram",
    "portrait",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from linstab import __version__

    from linstab._cli.models import builtin_titles

    examples = """\
built-in models (MODEL may also be a path to a .toml file):
  {models}

examples:
  linstab analyze repressilator                      the derivation, step by step
  linstab analyze toggle_switch --set beta=4 --json  one JSON object
  linstab bifurcation repressilator --kind hopf --param beta --against n
  linstab map repressilator --x n 1.5 5 200 --y beta 1 1000 200 --log-y --out rep.npz
  linstab diagram repressilator --param beta --against n --html rep.html
  linstab portrait brusselator --html brusselator.html

'linstab COMMAND --help' describes each command.
""".format(models="\n  ".join(textwrap.wrap(", ".join(builtin_titles()), 90)))
    parser = argparse.ArgumentParser(
        prog="linstab",
        description="Linear stability analysis of biological circuits: symbolic derivations, "
        "numeric kernels and interactive stability diagrams.",
        epilog=examples, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"linstab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(f"linstab._cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    from linstab._errors import LinstabError

    try:
        return int(args.func(args) or 0)
    except (LinstabError, ValueError, TypeError, FileNotFoundError, ImportError, KeyError,
            ArithmeticError, MemoryError, RecursionError) as exc:  # a hostile input: one line, no traceback
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"linstab {args.command}: error: {msg}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("linstab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
