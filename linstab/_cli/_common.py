"""Argument helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import math

from linstab._errors import ParameterError

__all__ = ["add_model_args", "parse_sets", "model_from_args"]


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """Add the MODEL positional and the repeatable ``--set NAME=VALUE`` option."""
    parser.add_argument("model", metavar="MODEL", help="a built-in model name or a path to a .toml model file")
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
        help="set a parameter value (repeatable)",
    )


def parse_sets(items: list[str]) -> dict[str, float]:
    """Parse ``["beta=5", "n=2.5"]`` into ``{"beta": 5.0, "n": 2.5}`` with clear errors.

    Examples
    --------
    >>> parse_sets(["beta=5", "n = 2.5"])
    {'beta': 5.0, 'n': 2.5}
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ParameterError(f"--set expects NAME=VALUE, got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise ParameterError(f"--set {name}: value must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ParameterError(f"--set {name}: value must be finite, got {value!r}")
        out[name] = number
    return out


def model_from_args(args: argparse.Namespace):
    """Load ``args.model`` and apply ``args.sets``."""
    from linstab.model import load_model

    model = load_model(args.model)
    sets = parse_sets(args.sets)
    return model.with_values(sets) if sets else model
