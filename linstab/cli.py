"""The ``linstab`` command line.

Each subcommand lives in ``linstab/_cli/<name>.py`` and exposes ``register(subparsers)``, which
adds its parser and sets ``func`` to a callable taking the parsed arguments and returning an exit
code. Every error prints one line to stderr and exits non-zero, never a traceback: the errors
linstab raises on purpose, file-system errors (unwritable or special output paths, a full disk),
an exhausted memory budget, and -- as "internal error" -- anything unexpected.
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
    "export",
    "noise",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    from linstab import __version__

    from linstab._cli.models import builtin_titles

    examples = """\
built-in models (MODEL may also be a path to a .toml file or an SBML .xml file):
  {models}

examples:
  linstab analyze repressilator                      the derivation, step by step
  linstab analyze toggle_switch --set beta=4 --json  one JSON object
  linstab bifurcation repressilator --kind hopf --param beta --against n
  linstab map repressilator --x n 1.5 5 200 --y beta 1 1000 200 --log-y --out rep.npz
  linstab diagram repressilator --param beta --against n --html rep.html
  linstab portrait brusselator --html brusselator.html
  linstab export toggle_switch --sbml toggle.xml     SBML for COPASI, tellurium...
  linstab noise gene_expression --json               noise at a stable state (reaction networks)

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
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("linstab: interrupted", file=sys.stderr)
        return 130
    except (LinstabError, ValueError, TypeError, KeyError, ImportError, OSError, MemoryError,
            ArithmeticError, RecursionError) as exc:
        return _fail(args.command, exc, "")
    except Exception as exc:  # noqa: BLE001 - the promise is one line, whatever went wrong
        return _fail(args.command, exc, "internal error: ")


def _fail(command: str, exc: BaseException, prefix: str) -> int:
    """Print ``linstab COMMAND: error: ...`` (one line) to stderr; returns the exit code 1."""
    from linstab._cli._common import as_flags

    text = as_flags(str(exc).strip().splitlines()[0].strip()) if str(exc).strip() else ""
    if isinstance(exc, MemoryError):
        text = text or "not enough memory"
        if "memory" not in text.lower():
            text = f"out of memory: {text}"
    elif isinstance(exc, RecursionError):
        text = f"input nested too deeply ({text})"
    elif prefix or not text:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    print(f"linstab {command}: error: {prefix}{text}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
